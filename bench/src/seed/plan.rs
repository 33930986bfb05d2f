//! What the benchmark instance holds, decided in memory before anything is
//! written: accounts, the follow graph, every status's shape (author, time,
//! reply or boost, audience) and the counters and home feeds that follow
//! from them. Deterministic: the same scale and seed give the same plan.
//! Status texts are drawn later, while loading (see `words`).

use std::collections::{BinaryHeap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::scale::Scale;

/// Loggia keeps this many entries per home feed
/// (`service::maintenance::HOME_FEED_SIZE`).
pub const HOME_FEED_SIZE: usize = 800;

/// Loggia's default `home_fan_out_max_followers` (every follower is local
/// here).
pub const HOME_FAN_OUT_LIMIT: u32 = loggia::store::DEFAULT_HOME_FAN_OUT_LIMIT;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Replies and boosts pick what they answer among this many latest posts.
const REPLY_WINDOW: usize = 5_000;
const BOOST_WINDOW: usize = 20_000;

/// Hands out Loggia's ids (`model::id`): Unix milliseconds in the upper 48
/// bits, then 6 node bits (0 here) and a 10-bit sequence whose overflow
/// borrows the next millisecond. One per table, each increasing.
#[derive(Debug, Default)]
pub struct Ids {
    /// `millis << 10 | sequence` of the last id.
    last: i64,
}

impl Ids {
    pub fn at(&mut self, ms: i64) -> i64 {
        let stamp = (ms << 10).max(self.last + 1);
        self.last = stamp;
        ((stamp >> 10) << 16) | (stamp & 1023)
    }
}

/// Loggia's own visibilities (the seed never makes direct messages).
pub use loggia::model::Visibility;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub created: i64,
    pub followers: i64,
    pub following: i64,
    pub statuses: i64,
    pub last_status_at: Option<i64>,
    /// Posted with more local followers than Loggia writes feeds for
    /// (`accounts.wide_audience`): home timelines read its statuses at
    /// read time, so they are in no feed but its own.
    pub wide_audience: bool,
}

/// One status; indices point into `Plan::accounts` and `Plan::posts`.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: i64,
    pub created: i64,
    pub author: u32,
    pub parent: Option<u32>,
    pub reblog_of: Option<u32>,
    pub visibility: Visibility,
    pub local_only: bool,
    /// The thread's first status's id.
    pub conversation: i64,
    /// Accounts named in the text (a reply names its parent's author).
    pub mentions: Vec<u32>,
    pub replies: i64,
    pub reblogs: i64,
}

pub struct Plan {
    /// `scale.accounts` local users, then the herald (the last one).
    pub accounts: Vec<Account>,
    /// `(follower, followed)`, grouped by follower.
    pub follows: Vec<(u32, u32)>,
    /// In id (and time) order.
    pub posts: Vec<Post>,
    /// When accounts, follows and tokens were made: before every status.
    pub setup_ms: i64,
    /// Each account's statuses, oldest first.
    by_author: Vec<Vec<u32>>,
    /// Each account's followees.
    followees: Vec<Vec<u32>>,
}

impl Plan {
    pub fn new(scale: &Scale, seed: u64, now_ms: i64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = scale.accounts;
        // Statuses end a minute ago so the instance's own new ids (from
        // the clock) sort after every seeded one.
        let end = now_ms - 60_000;
        let start = end - i64::from(scale.days) * DAY_MS;
        let setup_ms = start - DAY_MS;
        let mut account_ids = Ids::default();
        let mut accounts: Vec<Account> = (0..=n)
            .map(|i| Account {
                id: account_ids.at(setup_ms),
                username: if i == n {
                    "herald".to_owned()
                } else {
                    format!("user{i}")
                },
                created: setup_ms,
                followers: 0,
                following: 0,
                statuses: 0,
                last_status_at: None,
                wide_audience: false,
            })
            .collect();

        let follows = follow_graph(&mut rng, scale);
        let mut followees = vec![Vec::new(); n + 1];
        for &(follower, followed) in &follows {
            followees[follower as usize].push(followed);
            accounts[follower as usize].following += 1;
            accounts[followed as usize].followers += 1;
        }

        let posts = posts(&mut rng, scale, start, end);
        let mut by_author = vec![Vec::new(); n + 1];
        for (index, post) in posts.iter().enumerate() {
            by_author[post.author as usize].push(index as u32);
            let author = &mut accounts[post.author as usize];
            author.statuses += 1;
            author.last_status_at = Some(post.created);
        }
        for account in &mut accounts {
            account.wide_audience =
                account.statuses > 0 && account.followers > i64::from(HOME_FAN_OUT_LIMIT);
        }
        let mut plan = Self {
            accounts,
            follows,
            posts,
            setup_ms,
            by_author,
            followees,
        };
        plan.count_replies_and_boosts();
        plan
    }

    pub fn herald(&self) -> usize {
        self.accounts.len() - 1
    }

    /// Local users with statuses and feeds (all accounts but the herald).
    pub fn users(&self) -> usize {
        self.accounts.len() - 1
    }

    /// A parent's `replies_count` counts public and unlisted replies, and
    /// company-only ones only under a company-only parent
    /// (`service::statuses::counts_as_reply`); `reblogs_count` every boost.
    fn count_replies_and_boosts(&mut self) {
        for i in 0..self.posts.len() {
            let post = &self.posts[i];
            if let Some(parent) = post.parent {
                let counts = post.visibility != Visibility::Private
                    && (!post.local_only || self.posts[parent as usize].local_only);
                if counts {
                    self.posts[parent as usize].replies += 1;
                }
            }
            if let Some(original) = self.posts[i].reblog_of {
                self.posts[original as usize].reblogs += 1;
            }
        }
    }

    /// What Loggia's fan-out puts in `account`'s home feed, newest first,
    /// trimmed as housekeeping trims it: every status (boosts included,
    /// since follows show them) of the accounts it follows, except those
    /// with a wide audience, and its own
    /// (`Statuses::fan_out_to_followers`). There are no direct messages
    /// and no followed hashtags, the other two ways in. Follows predate
    /// every status, so nothing came in by a later merge.
    pub fn home_feed(&self, account: usize) -> Vec<i64> {
        let mut heap = BinaryHeap::new();
        let sources = self.followees[account]
            .iter()
            .map(|&a| a as usize)
            .filter(|&a| !self.accounts[a].wide_audience)
            .chain([account]);
        for author in sources {
            let list = &self.by_author[author];
            if let Some(&last) = list.last() {
                heap.push((self.posts[last as usize].id, author, list.len() - 1));
            }
        }
        let mut feed = Vec::with_capacity(HOME_FEED_SIZE);
        while feed.len() < HOME_FEED_SIZE
            && let Some((id, author, position)) = heap.pop()
        {
            feed.push(id);
            if position > 0 {
                let next = self.by_author[author][position - 1];
                heap.push((self.posts[next as usize].id, author, position - 1));
            }
        }
        feed
    }
}

/// Each local user follows `follows_per_account` others, picked with a
/// strong bias to a few popular accounts (rank `n·u³`); the first
/// `fanout_local` users also follow the herald.
fn follow_graph(rng: &mut StdRng, scale: &Scale) -> Vec<(u32, u32)> {
    let n = scale.accounts;
    let popularity = shuffled(rng, n);
    let per = scale.follows_per_account.min(n.saturating_sub(1));
    let mut follows = Vec::with_capacity(n * (per + 1));
    let mut chosen = HashSet::with_capacity(per);
    for follower in 0..n as u32 {
        chosen.clear();
        while chosen.len() < per {
            let u: f64 = rng.random();
            let target = popularity[((u * u * u) * n as f64) as usize % n];
            if target != follower && chosen.insert(target) {
                follows.push((follower, target));
            }
        }
        if (follower as usize) < scale.fanout_local {
            follows.push((follower, n as u32));
        }
    }
    follows
}

/// Statuses spread uniformly over `[start, end]`. Authors are skewed too
/// (some people post far more). About 10 % are replies to a recent status,
/// 3 % boosts of a recent public or unlisted one by someone else; the rest
/// are posts: 75 % public, 10 % unlisted, 10 % followers-only, 5 %
/// company-only public (`local_only`); 5 % of posts mention someone.
fn posts(rng: &mut StdRng, scale: &Scale, start: i64, end: i64) -> Vec<Post> {
    let n = scale.accounts;
    let activity = shuffled(rng, n);
    let mut times: Vec<i64> = (0..scale.statuses)
        .map(|_| rng.random_range(start..=end))
        .collect();
    times.sort_unstable();
    let mut ids = Ids::default();
    let mut boosted: HashSet<(u32, u32)> = HashSet::new();
    let mut posts: Vec<Post> = Vec::with_capacity(times.len());
    for (i, created) in times.into_iter().enumerate() {
        let u: f64 = rng.random();
        let author = activity[((u * u) * n as f64) as usize % n];
        let id = ids.at(created);
        let mut post = Post {
            id,
            created,
            author,
            parent: None,
            reblog_of: None,
            visibility: Visibility::Public,
            local_only: false,
            conversation: id,
            mentions: Vec::new(),
            replies: 0,
            reblogs: 0,
        };
        let roll: f64 = rng.random();
        if i > 0
            && roll < 0.03
            && let Some(original) = boost_target(rng, &posts, author, &mut boosted)
        {
            let o = &posts[original as usize];
            post.reblog_of = Some(original);
            post.visibility = o.visibility;
            post.local_only = o.local_only;
            posts.push(post);
            continue;
        }
        let (visibility, local_only) = audience(rng);
        post.visibility = visibility;
        post.local_only = local_only;
        if i > 0 && roll < 0.13 {
            let parent = reply_target(rng, &posts);
            let p = &posts[parent as usize];
            post.parent = Some(parent);
            post.conversation = p.conversation;
            post.local_only |= p.local_only;
            if p.visibility == Visibility::Private {
                post.visibility = Visibility::Private;
            }
            if p.author != author {
                post.mentions.push(p.author);
            }
        } else if rng.random_bool(0.05) {
            let other = rng.random_range(0..n as u32);
            if other != author {
                post.mentions.push(other);
            }
        }
        posts.push(post);
    }
    posts
}

fn audience(rng: &mut StdRng) -> (Visibility, bool) {
    match rng.random_range(0..100) {
        0..75 => (Visibility::Public, false),
        75..85 => (Visibility::Unlisted, false),
        85..95 => (Visibility::Private, false),
        _ => (Visibility::Public, true),
    }
}

/// A recent status that is not a boost.
fn reply_target(rng: &mut StdRng, posts: &[Post]) -> u32 {
    loop {
        let back = rng.random_range(1..=posts.len().min(REPLY_WINDOW));
        let index = posts.len() - back;
        if posts[index].reblog_of.is_none() {
            return index as u32;
        }
    }
}

/// A recent public or unlisted status of someone else that `booster` has
/// not boosted yet (Loggia refuses boosts of followers-only posts), if one
/// turns up within a few tries.
fn boost_target(
    rng: &mut StdRng,
    posts: &[Post],
    booster: u32,
    boosted: &mut HashSet<(u32, u32)>,
) -> Option<u32> {
    for _ in 0..8 {
        let back = rng.random_range(1..=posts.len().min(BOOST_WINDOW));
        let index = posts.len() - back;
        let o = &posts[index];
        if o.reblog_of.is_none()
            && o.visibility != Visibility::Private
            && o.author != booster
            && boosted.insert((booster, index as u32))
        {
            return Some(index as u32);
        }
    }
    None
}

/// `0..n` in a random order.
fn shuffled(rng: &mut StdRng, n: usize) -> Vec<u32> {
    use rand::seq::SliceRandom;
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Scale {
        Scale {
            accounts: 200,
            statuses: 20_000,
            follows_per_account: 20,
            fanout_local: 150,
            ..Scale::smoke()
        }
    }

    #[test]
    fn ids_follow_time_and_never_repeat() {
        let mut ids = Ids::default();
        let a = ids.at(1_000);
        let b = ids.at(1_000);
        let c = ids.at(999);
        assert!(a < b && b < c);
        assert_eq!(a >> 16, 1_000);
        let plan = Plan::new(&tiny(), 7, 1_800_000_000_000);
        assert!(plan.posts.windows(2).all(|w| w[0].id < w[1].id));
        assert!(plan.posts.iter().all(|p| p.id >> 16 == p.created));
    }

    #[test]
    fn feeds_are_newest_first_and_match_a_naive_merge() {
        let scale = tiny();
        let plan = Plan::new(&scale, 7, 1_800_000_000_000);
        for account in [0, 17, 199] {
            let feed = plan.home_feed(account);
            let mut naive: Vec<i64> = plan
                .posts
                .iter()
                .filter(|p| {
                    let a = p.author as usize;
                    a == account || plan.followees[account].contains(&p.author)
                })
                .map(|p| p.id)
                .collect();
            naive.sort_unstable_by(|a, b| b.cmp(a));
            naive.truncate(HOME_FEED_SIZE);
            assert_eq!(feed, naive);
        }
        assert!(plan.home_feed(plan.herald()).is_empty());
        assert_eq!(plan.accounts[plan.herald()].followers, 150);
    }

    #[test]
    fn boosts_and_replies_respect_loggias_rules() {
        let plan = Plan::new(&tiny(), 7, 1_800_000_000_000);
        let boosts = plan.posts.iter().filter(|p| p.reblog_of.is_some());
        let mut seen = HashSet::new();
        for b in boosts {
            let o = &plan.posts[b.reblog_of.unwrap() as usize];
            assert_ne!(o.visibility, Visibility::Private);
            assert_ne!(o.author, b.author);
            assert!(seen.insert((b.author, b.reblog_of)));
        }
        let replies = plan.posts.iter().filter(|p| p.parent.is_some()).count();
        assert!((1_400..2_600).contains(&replies), "{replies} replies");
    }
}
