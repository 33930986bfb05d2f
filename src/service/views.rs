//! Everything needed to render statuses for one viewer, loaded in one
//! place (`hydrate`), so that the API's conversions stay pure.

use std::collections::HashMap;

use crate::model::media::Media;
use crate::model::oauth::App;
use crate::model::{Account, AccountId, Status, StatusId};
use crate::store::{Mark, Store, StoreResult, Viewer};

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

/// Loads what `statuses` need for rendering. Reblogs whose original the
/// viewer may not see are dropped.
pub async fn hydrate(
    store: &Store,
    viewer: Viewer,
    statuses: Vec<Status>,
) -> StoreResult<Vec<StatusView>> {
    let mut accounts: HashMap<AccountId, Account> = HashMap::new();
    let mut out = Vec::with_capacity(statuses.len());
    for status in statuses {
        let reblog = match status.reblog_of_id {
            None => None,
            Some(original_id) => match store.statuses().visible_by_id(original_id, viewer).await? {
                Some(original) => Some(Box::new(
                    view(store, viewer, original, &mut accounts).await?,
                )),
                None => continue,
            },
        };
        let mut v = view(store, viewer, status, &mut accounts).await?;
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

async fn account(
    store: &Store,
    id: AccountId,
    cache: &mut HashMap<AccountId, Account>,
) -> StoreResult<Option<Account>> {
    if let Some(found) = cache.get(&id) {
        return Ok(Some(found.clone()));
    }
    let found = store.accounts().by_id(id).await?;
    if let Some(a) = &found {
        cache.insert(id, a.clone());
    }
    Ok(found)
}

async fn view(
    store: &Store,
    viewer: Viewer,
    status: Status,
    cache: &mut HashMap<AccountId, Account>,
) -> StoreResult<StatusView> {
    let author = account(store, status.account_id, cache)
        .await?
        .ok_or(crate::store::StoreError::NotFound)?;
    let mut mentions = Vec::new();
    for (_, id) in store.statuses().mentions(&[status.id]).await? {
        mentions.extend(account(store, id, cache).await?);
    }
    let tags = store.statuses().tags(status.id).await?;
    let media = store.media().for_status(status.id).await?;
    let app = match status.app_id {
        Some(id) => store.oauth().app_by_id(id).await?,
        None => None,
    };
    let poll = match store.polls().by_status(status.id).await? {
        Some(poll) => Some(super::polls::view(store, poll, viewer).await?),
        None => None,
    };
    let (favourited, reblogged, bookmarked, pinned) = match viewer.account_id {
        None => (false, false, false, false),
        Some(me) => flags(store, me, status.id).await?,
    };
    Ok(StatusView {
        status,
        account: author,
        mentions,
        tags,
        app,
        media,
        reblog: None,
        favourited,
        reblogged,
        bookmarked,
        pinned,
        poll,
    })
}

async fn flags(
    store: &Store,
    me: AccountId,
    id: StatusId,
) -> StoreResult<(bool, bool, bool, bool)> {
    Ok((
        store.interactions().has(Mark::Favourite, me, id).await?,
        store.statuses().reblog_by(me, id).await?.is_some(),
        store.interactions().has(Mark::Bookmark, me, id).await?,
        store.interactions().has(Mark::Pin, me, id).await?,
    ))
}
