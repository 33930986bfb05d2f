//! Periodic housekeeping of a running node.

use std::time::{Duration, Instant};

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
pub const HOME_FEED_SLACK: i64 = HOME_FEED_SIZE / 10;

/// Feeds trimmed per transaction: ~800 deletes (ten feeds' slack), so that
/// writes committed in the same batch wait milliseconds, not the second
/// that 50 feeds' deletes took to reach the disk.
const TRIMS_PER_COMMIT: usize = 10;

/// After each of its transactions, housekeeping pauses this many times as
/// long as the transaction took: at most a fifth of the writer's time goes
/// to trimming. A pass trims as many entries as fan-out wrote in the ten
/// minutes before it (300,000 at 5 posts a second to 100 followers each);
/// unpaced, that kept the writer busy for half a minute and the readers'
/// caches cold.
const TRIM_PAUSE_FACTOR: u32 = 4;

/// Sizes recorded per transaction.
const SIZES_PER_COMMIT: usize = 500;

/// Trims the home feeds grown past `HOME_FEED_SIZE` by more than
/// `HOME_FEED_SLACK`, among those that got entries newer than `since`.
///
/// A feed's size is taken to be its size recorded at an earlier pass plus
/// the entries it got since (`home_feed_growth`, which reads only new
/// entries). Only a feed that may be past the limit that way, or has no
/// size recorded, is counted, up to the limit; those found past it are
/// trimmed. Walking ~880 entries of every feed that got one took 7 s per
/// pass on PostgreSQL with 10,000 busy feeds. Entries merged on follow are
/// older than `since` and added to the recorded size when merged
/// (`merge_into_home`); deletions leave the estimate high, which only
/// costs a count. A merge between this pass's read and its record is lost
/// from the estimate: that feed is trimmed a little later, no more. Writes
/// go a few feeds per transaction, paced (`TRIM_PAUSE_FACTOR`).
pub async fn trim_home_feeds(
    state: &AppState,
    since: StatusId,
) -> Result<u64, crate::store::StoreError> {
    let store = &state.store;
    let limit = HOME_FEED_SIZE + HOME_FEED_SLACK;
    let (mut sizes, mut overfull) = (Vec::new(), Vec::new());
    for (account, added, recorded) in store.statuses().home_feed_growth(since).await? {
        let size = match recorded {
            Some(recorded) if recorded + added <= limit => recorded + added,
            _ => store.statuses().home_feed_len(account, limit + 1).await?,
        };
        if size > limit {
            overfull.push((account, HOME_FEED_SIZE));
        } else {
            sizes.push((account, size));
        }
    }
    let mut trimmed = 0;
    for feeds in overfull.chunks(TRIMS_PER_COMMIT) {
        let started = Instant::now();
        let mut tx = store.begin().await?;
        for (account, _) in feeds {
            trimmed += tx.statuses().trim_home(*account, HOME_FEED_SIZE).await?;
        }
        tx.statuses().record_home_feed_sizes(feeds).await?;
        tx.commit().await?;
        tokio::time::sleep(trim_pause(started.elapsed())).await;
    }
    for feeds in sizes.chunks(SIZES_PER_COMMIT) {
        let started = Instant::now();
        let mut tx = store.begin().await?;
        tx.statuses().record_home_feed_sizes(feeds).await?;
        tx.commit().await?;
        tokio::time::sleep(trim_pause(started.elapsed())).await;
    }
    Ok(trimmed)
}

/// How long to pause after a transaction of trims that took `took`.
fn trim_pause(took: Duration) -> Duration {
    (took * TRIM_PAUSE_FACTOR).min(Duration::from_secs(5))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_take_at_most_a_fifth_of_the_writer() {
        let took = Duration::from_millis(30);
        let pause = trim_pause(took);
        assert_eq!(pause, Duration::from_millis(120));
        assert!(took.as_secs_f64() / (took + pause).as_secs_f64() <= 0.2);
    }

    #[test]
    fn a_stalled_commit_does_not_stall_the_pass_for_long() {
        assert_eq!(trim_pause(Duration::from_secs(10)), Duration::from_secs(5));
    }
}
