//! Scheduled posts: kept with their request until due, then published
//! through the same rules as any post. Claimed with a lease so that several
//! nodes, or a crash mid-publish, neither lose nor double a post (the
//! publish is idempotent on the schedule's id).

use super::error::{ServiceError, ServiceResult};
use super::statuses::{self, NewPost};
use crate::config::Config;
use crate::model::Timestamp;
use crate::store::{ScheduledStatus, Store, UserWithAccount};

/// Mastodon's rule: at least five minutes ahead.
pub const MIN_LEAD_SECS: i64 = 5 * 60;
/// Publishing a post is tried this often before it waits for the author.
pub const MAX_ATTEMPTS: i64 = 3;
/// How long a node may take to publish a claimed post.
const LEASE_SECS: i64 = 120;

/// Parses `scheduled_at` as clients send it (RFC 3339, with or without
/// fractions or zone offset).
pub fn parse_time(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|d| d.timestamp_millis())
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|d| d.and_utc().timestamp_millis())
        })
        .ok()
        .map(Timestamp)
}

fn check_time(at: Timestamp) -> ServiceResult<()> {
    if at < Timestamp::now().plus_seconds(MIN_LEAD_SECS) {
        return Err(ServiceError::Invalid(
            "Scheduled at The scheduled date must be in the future".into(),
        ));
    }
    Ok(())
}

/// Keeps a post for `at`, checked now as it will be when published.
pub async fn schedule(
    store: &Store,
    config: &Config,
    author: &UserWithAccount,
    post: NewPost,
    at: Timestamp,
) -> ServiceResult<ScheduledStatus> {
    check_time(at)?;
    let media = super::media::check_ids(store, author.account.id, &post.media_ids, None).await?;
    statuses::check(config, &post, media.len())?;
    let params = serde_json::to_string(&post).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(store
        .scheduled()
        .insert(author.account.id, at, &params)
        .await?)
}

pub async fn reschedule(
    store: &Store,
    author: &UserWithAccount,
    id: i64,
    at: Timestamp,
) -> ServiceResult<()> {
    check_time(at)?;
    if !store
        .scheduled()
        .reschedule(author.account.id, id, at)
        .await?
    {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

pub fn params(row: &ScheduledStatus) -> NewPost {
    serde_json::from_str(&row.params).unwrap_or_default()
}

/// Publishes what is due; returns how many were published.
pub async fn publish_due(state: &crate::state::AppState) -> ServiceResult<usize> {
    let store = &state.store;
    let now = Timestamp::now();
    let mut published = 0;
    for row in store.scheduled().due(now, MAX_ATTEMPTS, 50).await? {
        if !store
            .scheduled()
            .claim(row.id, now, now.plus_seconds(LEASE_SECS))
            .await?
        {
            continue;
        }
        match publish(state, &row).await {
            Ok(()) => {
                store.scheduled().done(row.id).await?;
                published += 1;
            }
            Err(e) => {
                tracing::warn!(scheduled = row.id, error = %e, "cannot publish a scheduled post");
                store.scheduled().failed(row.id, &e.to_string()).await?;
            }
        }
    }
    Ok(published)
}

async fn publish(state: &crate::state::AppState, row: &ScheduledStatus) -> ServiceResult<()> {
    let store = &state.store;
    let user_id = store
        .users()
        .by_account(row.account_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let author = store
        .users()
        .with_account(user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !author.user.is_active() || author.account.suspended_at.is_some() {
        return Err(ServiceError::Invalid("the author cannot post now".into()));
    }
    let mut post = params(row);
    // Publishing twice (a crash after the post, before the bookkeeping)
    // finds the first post again.
    post.idempotency_key = Some(format!("scheduled:{}", row.id));
    statuses::create(state, &author, post).await?;
    Ok(())
}
