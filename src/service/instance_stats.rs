//! The instance's counts (users, local posts, known servers) for
//! `/api/v1/instance`, `/api/v2/instance`, NodeInfo and `/metrics`.
//! Counting a million posts takes tens of milliseconds and apps fetch the
//! instance document at every start, so each node counts at most once per
//! `TTL`; concurrent requests that find the counts stale wait for one count
//! instead of each starting their own.

use std::time::{Duration, Instant};

use crate::store::{InstanceStats, Store, StoreResult};

/// How old the counts may be. Mastodon's are cached longer.
const TTL: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct StatsCache {
    last: tokio::sync::Mutex<Option<(Instant, InstanceStats)>>,
}

impl std::fmt::Debug for StatsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatsCache")
    }
}

impl StatsCache {
    pub async fn get(&self, store: &Store) -> StoreResult<InstanceStats> {
        let mut last = self.last.lock().await;
        if let Some((at, stats)) = &*last
            && at.elapsed() < TTL
        {
            return Ok(*stats);
        }
        let stats = store.stats().instance().await?;
        *last = Some((Instant::now(), stats));
        Ok(stats)
    }
}
