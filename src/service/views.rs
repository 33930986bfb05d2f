//! Everything needed to render statuses for one viewer, loaded in one
//! place (`hydrate`), so that the API's conversions stay pure.

use std::collections::{HashMap, HashSet};

use super::polls::PollView;
use crate::model::media::Media;
use crate::model::oauth::App;
use crate::model::{Account, AccountId, AppId, Status, StatusId};
use crate::store::{Store, StoreResult, Viewer};

/// A status as one viewer sees it.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub status: Status,
    pub account: Account,
    pub mentions: Vec<Account>,
    pub tags: Vec<String>,
    pub app: Option<App>,
    pub media: Vec<Media>,
    pub reblog: Option<Box<StatusView>>,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub poll: Option<super::polls::PollView>,
}

/// Loads what `statuses` need for rendering, in one query per kind of
/// thing for the whole list. Reblogs whose original the viewer may not see
/// are dropped.
pub async fn hydrate(
    store: &Store,
    viewer: Viewer,
    statuses: Vec<Status>,
) -> StoreResult<Vec<StatusView>> {
    let mut wanted: Vec<StatusId> = statuses.iter().filter_map(|s| s.reblog_of_id).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let originals: HashMap<StatusId, Status> = store
        .hydration()
        .visible(&wanted, viewer)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let statuses: Vec<Status> = statuses
        .into_iter()
        .filter(|s| s.reblog_of_id.is_none_or(|id| originals.contains_key(&id)))
        .collect();
    let loaded = Loaded::fetch(store, viewer, statuses.iter().chain(originals.values())).await?;
    let mut out = Vec::with_capacity(statuses.len());
    for status in statuses {
        let reblog = match status.reblog_of_id.and_then(|id| originals.get(&id)) {
            Some(original) => Some(Box::new(loaded.view(original.clone())?)),
            None => None,
        };
        let mut v = loaded.view(status)?;
        // As on Mastodon, a boost shows the viewer's marks on the original
        // (toot and other clients read `reblogged` off the wrapper).
        if let Some(original) = &reblog {
            v.favourited = original.favourited;
            v.reblogged = original.reblogged;
            v.bookmarked = original.bookmarked;
        }
        v.reblog = reblog;
        out.push(v);
    }
    Ok(out)
}

pub async fn hydrate_one(
    store: &Store,
    viewer: Viewer,
    status: Status,
) -> StoreResult<Option<StatusView>> {
    Ok(hydrate(store, viewer, vec![status]).await?.pop())
}

/// Everything a list of statuses refers to, by id.
#[derive(Default)]
struct Loaded {
    accounts: HashMap<AccountId, Account>,
    mentions: HashMap<StatusId, Vec<AccountId>>,
    tags: HashMap<StatusId, Vec<String>>,
    media: HashMap<StatusId, Vec<Media>>,
    apps: HashMap<AppId, App>,
    polls: HashMap<StatusId, PollView>,
    favourited: HashSet<StatusId>,
    reblogged: HashSet<StatusId>,
    bookmarked: HashSet<StatusId>,
    pinned: HashSet<StatusId>,
}

impl Loaded {
    async fn fetch<'a>(
        store: &Store,
        viewer: Viewer,
        statuses: impl Iterator<Item = &'a Status>,
    ) -> StoreResult<Self> {
        let (mut ids, mut account_ids, mut app_ids) = (Vec::new(), Vec::new(), Vec::new());
        for status in statuses {
            ids.push(status.id);
            account_ids.push(status.account_id);
            app_ids.extend(status.app_id);
        }
        ids.sort_unstable();
        ids.dedup();
        let mut loaded = Loaded::default();
        for (status, account) in store.hydration().mentions(&ids).await? {
            loaded.mentions.entry(status).or_default().push(account);
            account_ids.push(account);
        }
        account_ids.sort_unstable();
        account_ids.dedup();
        app_ids.sort_unstable();
        app_ids.dedup();
        for account in store.hydration().accounts(&account_ids).await? {
            loaded.accounts.insert(account.id, account);
        }
        for (status, tag) in store.hydration().tags(&ids).await? {
            loaded.tags.entry(status).or_default().push(tag);
        }
        for media in store.hydration().media(&ids).await? {
            if let Some(status) = media.status_id {
                loaded.media.entry(status).or_default().push(media);
            }
        }
        for app in store.hydration().apps(&app_ids).await? {
            loaded.apps.insert(app.id, app);
        }
        for poll in store.hydration().polls(&ids).await? {
            let status = poll.status_id;
            loaded
                .polls
                .insert(status, super::polls::view(store, poll, viewer).await?);
        }
        if let Some(me) = viewer.account_id {
            let marks = store.hydration().marks(me, &ids).await?;
            loaded.favourited = marks.favourited;
            loaded.bookmarked = marks.bookmarked;
            loaded.pinned = marks.pinned;
            loaded.reblogged = marks.reblogged;
        }
        Ok(loaded)
    }

    fn view(&self, status: Status) -> StoreResult<StatusView> {
        let id = status.id;
        let account = self
            .accounts
            .get(&status.account_id)
            .cloned()
            .ok_or(crate::store::StoreError::NotFound)?;
        let mentions = self
            .mentions
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|a| self.accounts.get(a).cloned())
            .collect();
        Ok(StatusView {
            account,
            mentions,
            tags: self.tags.get(&id).cloned().unwrap_or_default(),
            app: status.app_id.and_then(|a| self.apps.get(&a).cloned()),
            media: self.media.get(&id).cloned().unwrap_or_default(),
            reblog: None,
            favourited: self.favourited.contains(&id),
            reblogged: self.reblogged.contains(&id),
            bookmarked: self.bookmarked.contains(&id),
            pinned: self.pinned.contains(&id),
            poll: self.polls.get(&id).cloned(),
            status,
        })
    }
}
