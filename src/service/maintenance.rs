//! Periodic housekeeping of a running node.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::sign_in;
use crate::model::{StatusId, Timestamp};
use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(600);
/// How often time-driven events (poll ends, scheduled posts) are looked
/// for: how late they may be.
const TIMERS_EVERY: Duration = Duration::from_secs(10);

/// Home feeds keep this many entries (up to a tenth more between trims);
/// fan-out on write stays cheap to read
/// and the table stays bounded however long people use Loggia.
pub const HOME_FEED_SIZE: i64 = 800;

/// A feed is trimmed back to `HOME_FEED_SIZE` once it holds this many more:
/// one delete of ~80 entries instead of one per pass for every feed that
/// got a single new entry (with every feed full, that was a statement per
/// entry fanned out).
const HOME_FEED_SLACK: i64 = HOME_FEED_SIZE / 10;

/// Feeds trimmed per transaction: one commit for many one-row deletes, and
/// short enough that writers queued behind it wait milliseconds.
const TRIMS_PER_COMMIT: usize = 50;

/// Trims every home feed that got entries newer than `since` and grew past
/// `HOME_FEED_SIZE` by more than `HOME_FEED_SLACK`.
pub async fn trim_home_feeds(
    state: &AppState,
    since: StatusId,
) -> Result<u64, crate::store::StoreError> {
    let overfull = state
        .store
        .statuses()
        .overfull_home_feeds(HOME_FEED_SIZE + HOME_FEED_SLACK, since)
        .await?;
    let mut trimmed = 0;
    for accounts in overfull.chunks(TRIMS_PER_COMMIT) {
        let mut tx = state.store.begin().await?;
        for account in accounts {
            trimmed += tx.statuses().trim_home(*account, HOME_FEED_SIZE).await?;
        }
        tx.commit().await?;
    }
    Ok(trimmed)
}

/// Refreshes the query planner's statistics, prunes expired sign-in
/// failures and old received activity ids, and trims home feeds, every ten
/// minutes. Harmless to run on
/// several nodes at once.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        // Each pass looks at the feeds that got entries since the previous
        // one began, less a minute for transactions still open then and
        // for other nodes' clocks (a full count of every feed took a second
        // of database time per pass with 8M rows). The first looks back two
        // periods: what a node that stopped recently left.
        let mut since = ids_since(2 * EVERY);
        loop {
            ticks.tick().await;
            let pass = ids_since(Duration::from_secs(60));
            if let Err(e) = state.store.refresh_statistics().await {
                tracing::warn!(error = %e, "cannot refresh the query planner's statistics");
            }
            match sign_in::prune_failures(&state.store, &state.config).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(pruned = n, "forgot old sign-in failures"),
                Err(e) => tracing::warn!(error = %e, "cannot prune sign-in failures"),
            }
            match trim_home_feeds(&state, since).await {
                Ok(_) => since = pass,
                Err(e) => tracing::warn!(error = %e, "cannot trim home feeds"),
            }
            // Senders stop redelivering after days; a month is plenty.
            let month_ago = crate::model::Timestamp::now().plus_seconds(-30 * 24 * 3600);
            if let Err(e) = state.store.received().prune(month_ago).await {
                tracing::warn!(error = %e, "cannot prune received activity ids");
            }
        }
    })
}

/// The smallest status id made `ago` before now.
fn ids_since(ago: Duration) -> StatusId {
    let ms = Timestamp::now().millis() - i64::try_from(ago.as_millis()).unwrap_or(i64::MAX);
    StatusId(crate::model::id::lower_bound_for_millis(ms))
}

/// Acts on what falls due: ended polls are announced to their voters and
/// authors, scheduled posts are published, videos whose node stopped are
/// processed. Every node may run it; each item is claimed once.
pub fn spawn_timers(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(TIMERS_EVERY);
        loop {
            ticks.tick().await;
            match super::polls::announce_ended(&state.store).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::debug!(polls = n, "announced ended polls");
                    state.federation.wake.notify_one();
                }
                Err(e) => tracing::warn!(error = %e, "cannot announce ended polls"),
            }
            if let Err(e) =
                super::media::resume_stalled(&state, crate::model::Timestamp::now()).await
            {
                tracing::warn!(error = %e, "cannot resume stalled videos");
            }
            match super::scheduled::publish_due(&state).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::debug!(posts = n, "published scheduled posts");
                    state.federation.wake.notify_one();
                }
                Err(e) => tracing::warn!(error = %e, "cannot publish scheduled posts"),
            }
        }
    })
}
