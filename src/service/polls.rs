//! Polls: the rules for creating one, voting (here or from another server)
//! and announcing the end, and what a viewer sees of one.

use serde_json::json;

use super::error::{ServiceError, ServiceResult};
use super::publish;
use crate::federation::protocol::Activity;
use crate::federation::render;
use crate::model::{Account, AccountId, Poll, Status, Timestamp};
use crate::store::{NewPoll, Store, StoreError, StoreResult, Tx, Viewer};

/// Mastodon's limits, advertised in the instance document.
pub const MAX_OPTIONS: usize = 4;
pub const MAX_OPTION_CHARS: usize = 50;
pub const MIN_EXPIRATION_SECS: i64 = 5 * 60;
pub const MAX_EXPIRATION_SECS: i64 = 30 * 24 * 3600;
/// When the client names no duration.
pub const DEFAULT_EXPIRATION_SECS: i64 = 24 * 3600;

/// A poll as a client asks for it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PollInput {
    pub options: Vec<String>,
    pub expires_in: Option<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
}

/// Checks a requested poll; returns the options and the end.
pub fn check(input: &PollInput) -> ServiceResult<(Vec<String>, Timestamp)> {
    let options: Vec<String> = input.options.iter().map(|o| o.trim().to_owned()).collect();
    if options.len() < 2 {
        return Err(ServiceError::Invalid(
            "Poll must have at least 2 options".into(),
        ));
    }
    if options.len() > MAX_OPTIONS {
        return Err(ServiceError::Invalid(format!(
            "Poll can't have more than {MAX_OPTIONS} options"
        )));
    }
    if options.iter().any(String::is_empty) {
        return Err(ServiceError::Invalid("Poll options can't be blank".into()));
    }
    if options.iter().any(|o| o.chars().count() > MAX_OPTION_CHARS) {
        return Err(ServiceError::Invalid(format!(
            "Poll options can't be longer than {MAX_OPTION_CHARS} characters"
        )));
    }
    let mut sorted = options.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != options.len() {
        return Err(ServiceError::Invalid(
            "Poll options must be different".into(),
        ));
    }
    let secs = input.expires_in.unwrap_or(DEFAULT_EXPIRATION_SECS);
    if !(MIN_EXPIRATION_SECS..=MAX_EXPIRATION_SECS).contains(&secs) {
        return Err(ServiceError::Invalid(format!(
            "Poll duration must be between {MIN_EXPIRATION_SECS} seconds and {} days",
            MAX_EXPIRATION_SECS / 86_400
        )));
    }
    Ok((options, Timestamp::now().plus_seconds(secs)))
}

/// Attaches a checked poll to a new local status.
pub async fn attach(
    tx: &mut Tx,
    status: &Status,
    input: &PollInput,
    options: Vec<String>,
    expires_at: Timestamp,
) -> ServiceResult<Poll> {
    Ok(tx
        .polls()
        .insert(&NewPoll {
            status_id: status.id,
            account_id: status.account_id,
            titles: options,
            multiple: input.multiple,
            hide_totals: input.hide_totals,
            expires_at: Some(expires_at),
            remote_tallies: None,
            remote_voters: None,
        })
        .await?)
}

/// What one viewer sees of a poll.
#[derive(Debug, Clone)]
pub struct PollView {
    pub poll: Poll,
    pub titles: Vec<String>,
    /// `None` while totals are hidden.
    pub tallies: Option<Vec<i64>>,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub expired: bool,
    /// `None` for anonymous viewers.
    pub own_votes: Option<Vec<i64>>,
}

pub async fn view(store: &Store, poll: Poll, viewer: Viewer) -> StoreResult<PollView> {
    let now = Timestamp::now();
    let titles = poll.titles();
    let (counts, voters) = if poll.is_remote() {
        let mut counts = poll.remote_counts();
        counts.resize(titles.len(), 0);
        (counts, poll.remote_voters)
    } else {
        let counts = store.polls().tallies(&poll).await?;
        (counts, Some(store.polls().voters_count(poll.id).await?))
    };
    let expired = poll.is_expired(now);
    let own_votes = match viewer.account_id {
        Some(me) => Some(store.polls().choices_of(poll.id, me).await?),
        None => None,
    };
    // Hidden totals show once the poll ended (as on Mastodon, to the
    // author too).
    let show = expired || !poll.hide_totals;
    Ok(PollView {
        votes_count: counts.iter().sum(),
        tallies: show.then_some(counts),
        voters_count: voters.filter(|_| show),
        expired,
        own_votes,
        titles,
        poll,
    })
}

/// Records `voter`'s choices; a local vote on another server's poll is
/// sent there as one `Note` per choice, as Mastodon does.
pub async fn vote(
    store: &Store,
    voter: &Account,
    poll: &Poll,
    status: &Status,
    choices: &[i64],
) -> ServiceResult<()> {
    if poll.is_expired(Timestamp::now()) {
        return Err(ServiceError::Invalid("The poll has already ended".into()));
    }
    if poll.account_id == voter.id {
        return Err(ServiceError::Invalid(
            "You cannot vote in your own polls".into(),
        ));
    }
    let titles = poll.titles();
    if choices.is_empty() {
        return Err(ServiceError::Invalid("Choices can't be blank".into()));
    }
    if choices.iter().any(|&c| c < 0 || c as usize >= titles.len()) {
        return Err(ServiceError::Invalid(
            "The chosen vote option does not exist".into(),
        ));
    }
    let already = store.polls().choices_of(poll.id, voter.id).await?;
    let mut unique = choices.to_vec();
    unique.sort_unstable();
    unique.dedup();
    // A second choice in a single-choice poll is a second vote (Mastodon's
    // wording, which clients such as toot expect).
    if !already.is_empty() || (!poll.multiple && unique.len() > 1) {
        return Err(ServiceError::Invalid(
            "You have already voted on this poll".into(),
        ));
    }
    let mut tx = store.begin().await?;
    tx.polls().lock(poll.id).await?;
    // Checked again under the lock: a double-tap sends two requests.
    if !tx.polls().choices_of(poll.id, voter.id).await?.is_empty() {
        return Err(ServiceError::Invalid(
            "You have already voted on this poll".into(),
        ));
    }
    let owner = publish::account(&mut tx, poll.account_id).await?;
    for &choice in &unique {
        let uri = format!("{}#votes/{}/{choice}", voter.uri, poll.id);
        let added = tx
            .polls()
            .add_vote(poll.id, voter.id, choice, Some(&uri), !poll.multiple)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => {
                    ServiceError::Invalid("You have already voted on this poll".into())
                }
                e => e.into(),
            })?;
        if !added {
            return Err(ServiceError::Invalid(
                "You have already voted on this poll".into(),
            ));
        }
        if !owner.is_local() {
            let note = vote_note(voter, &owner, status, &uri, &titles[choice as usize]);
            publish::to_inboxes(&mut tx, voter, &note, publish::inbox(&owner)).await?;
        }
    }
    if owner.is_local() {
        // Followers' servers learn the new counts.
        publish::status(&mut tx, status, true).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `Create(Note)` with the option's name, addressed to the poll's author.
fn vote_note(
    voter: &Account,
    owner: &Account,
    status: &Status,
    uri: &str,
    title: &str,
) -> Activity {
    let object = json!({
        "id": uri,
        "type": "Note",
        "name": title,
        "attributedTo": voter.uri,
        "to": [owner.uri],
        "inReplyTo": status.uri,
    });
    render::activity(
        "Create",
        format!("{uri}/activity"),
        voter,
        object,
        vec![owner.uri.clone()],
        Vec::new(),
    )
}

/// A vote from another server on a local poll: `Create(Note)` with `name`
/// and `inReplyTo` the poll's status. Returns false when it is not a vote.
pub async fn remote_vote(
    store: &Store,
    voter: &Account,
    status: &Status,
    title: &str,
    uri: &str,
) -> ServiceResult<bool> {
    let Some(poll) = store.polls().by_status(status.id).await? else {
        return Ok(false);
    };
    if poll.is_remote() || poll.is_expired(Timestamp::now()) {
        return Ok(true);
    }
    let Some(choice) = poll.titles().iter().position(|t| t == title) else {
        return Ok(true);
    };
    let already = store.polls().choices_of(poll.id, voter.id).await?;
    if already.contains(&(choice as i64)) || (!poll.multiple && !already.is_empty()) {
        return Ok(true);
    }
    let mut tx = store.begin().await?;
    tx.polls().lock(poll.id).await?;
    match tx
        .polls()
        .add_vote(poll.id, voter.id, choice as i64, Some(uri), !poll.multiple)
        .await
    {
        Ok(true) => {}
        // Counted already (a redelivery, or a second choice in a
        // single-choice poll): nothing changes.
        Ok(false) | Err(StoreError::Conflict) => return Ok(true),
        Err(e) => return Err(e.into()),
    }
    publish::status(&mut tx, status, true).await?;
    tx.commit().await?;
    Ok(true)
}

/// Tells the author and local voters of each ended poll that it ended
/// (`poll` notifications). Safe on several nodes: each poll is claimed.
pub async fn announce_ended(store: &Store) -> ServiceResult<usize> {
    let mut done = 0;
    for poll in store
        .polls()
        .ended_unannounced(Timestamp::now(), 100)
        .await?
    {
        if !store.polls().claim_announcement(poll.id).await? {
            continue;
        }
        let mut tx = store.begin().await?;
        let author = publish::account(&mut tx, poll.account_id).await?;
        let mut told: Vec<AccountId> = tx.polls().local_voters(poll.id).await?;
        if author.is_local() {
            told.push(author.id);
        }
        told.sort();
        told.dedup();
        for account in told {
            tx.notifications()
                .notify_always(account, author.id, "poll", Some(poll.status_id))
                .await?;
        }
        if author.is_local()
            && let Some(status) = tx.statuses().by_id(poll.status_id).await?
        {
            // Other servers learn the final result.
            publish::status(&mut tx, &status, true).await?;
        }
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}
