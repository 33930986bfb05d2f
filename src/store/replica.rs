//! An optional PostgreSQL read replica for read-heavy queries (timelines,
//! search), with read-your-writes for the acting user on every node.
//!
//! After a request in which a user acted, `record_write` stores the
//! primary's WAL insert position for the account (`write_positions`, on the
//! primary, so every node sees it). `read_as` then serves a read from the
//! replica only when the replica is a standby that is not too far behind
//! and, for a signed-in reader, has replayed past that reader's last write;
//! otherwise from the primary. The replica's position is probed at most
//! every 100 ms per node. A read that fails on the replica runs again on the
//! primary: the replica never fails a request.
//!
//! The store handed to the work is read-only: it refuses transactions and
//! events, which a standby could not carry out anyway.

use std::collections::VecDeque;
use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use super::{Db, Store, StoreError, StoreResult};
use crate::model::AccountId;

/// How long a probe of a working replica is trusted. An older replay
/// position is only conservative (the replica has replayed at least that
/// much), so this bounds wasted trips to the primary, not correctness.
const FRESH: Duration = Duration::from_millis(100);
/// How long a replica found unusable is left alone before the next probe.
const RETRY_UNUSABLE: Duration = Duration::from_secs(5);
/// Longest wait for the replica (connecting, probing), so that a replica
/// that hangs costs a request at most this much.
const REPLICA_TIMEOUT: Duration = Duration::from_secs(2);

/// The primary's WAL insert position, in bytes. The insert position (not the
/// write position) is at or past the end of every committed transaction,
/// also with `synchronous_commit = off`.
const PRIMARY_POSITION: &str = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";
/// Which cluster a server belongs to: a standby has its primary's.
const CLUSTER: &str = "SELECT system_identifier FROM pg_control_system()";
/// Whether the replica is a standby, and how far it has replayed.
const REPLAYED: &str =
    "SELECT pg_is_in_recovery(), (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint";

/// Whether a read that failed on the replica is worth running again on the
/// primary: database failures are; answers such as "not found" are not.
pub trait RetryOnPrimary {
    fn retry_on_primary(&self) -> bool;
}

impl RetryOnPrimary for StoreError {
    fn retry_on_primary(&self) -> bool {
        matches!(self, StoreError::Db(_))
    }
}

/// Reads counted since the node started, by where they went and why; each
/// read counts once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplicaReads {
    pub replica: u64,
    /// Primary: the reader's own last write may not be replayed yet.
    pub own_write: u64,
    /// Primary: the replica is further behind than the allowed lag.
    pub lagging: u64,
    /// Primary: the replica cannot be reached or is not a standby.
    pub unavailable: u64,
    /// Primary: the read failed on the replica and ran again.
    pub retried: u64,
}

#[derive(Debug)]
pub(super) struct Replica {
    pool: PgPool,
    max_lag: Duration,
    probe: Mutex<Probe>,
    /// Held by the one request probing; others use the last result.
    probing: tokio::sync::Mutex<()>,
    counts: Counts,
}

#[derive(Debug, Default)]
struct Counts {
    replica: AtomicU64,
    own_write: AtomicU64,
    lagging: AtomicU64,
    unavailable: AtomicU64,
    retried: AtomicU64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    /// A standby that has replayed the primary's WAL up to this position.
    Replaying(i64),
    /// A standby behind by more than `max_lag`.
    Lagging,
    /// Unreachable, or failing.
    Unavailable,
    /// Answers, but is not in recovery (promoted, or not a standby at all):
    /// its data may have parted from the primary's.
    NotStandby,
    /// A server of another cluster: its positions mean nothing here.
    Stranger,
}

impl Health {
    fn trusted_for(self) -> Duration {
        match self {
            Health::Replaying(_) | Health::Lagging => FRESH,
            Health::Unavailable | Health::NotStandby | Health::Stranger => RETRY_UNUSABLE,
        }
    }
}

#[derive(Debug, Default)]
struct Probe {
    last: Option<(Instant, Health)>,
    /// The primary's positions when probed: the newest one older than
    /// `max_lag`, and every younger one. A replica that has not replayed
    /// the first is at least that far behind.
    samples: VecDeque<(Instant, i64)>,
    /// The replica was found to be a copy of the primary's cluster.
    same_cluster: bool,
}

impl Replica {
    fn connect(url: &str, max_connections: u32, max_lag: Duration) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("loggia");
        // Lazy: a replica that is down when the node starts must not stop it.
        let pool = super::pg_pool_options(max_connections)
            .acquire_timeout(REPLICA_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Self {
            pool,
            max_lag,
            probe: Mutex::new(Probe::default()),
            probing: tokio::sync::Mutex::new(()),
            counts: Counts::default(),
        })
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    fn last(&self) -> Option<(Instant, Health)> {
        self.lock().last
    }

    /// The replica's health, probed again when the last probe is stale. A
    /// request arriving while another one probes uses the previous result.
    async fn health(&self, primary: &PgPool) -> Health {
        let last = self.last();
        if let Some((at, health)) = last
            && at.elapsed() < health.trusted_for()
        {
            return health;
        }
        let Ok(_probing) = self.probing.try_lock() else {
            return last.map_or(Health::Unavailable, |(_, health)| health);
        };
        if let Some((at, health)) = self.last()
            && at.elapsed() < health.trusted_for()
        {
            return health;
        }
        let probed = self.probe(primary).await;
        let health = probed.as_ref().map_or(Health::Unavailable, |h| *h);
        let previous = self.lock().last.replace((Instant::now(), health));
        if previous.map(|(_, h)| kind(h)) != Some(kind(health)) {
            log_change(health, probed.err(), self.max_lag);
        }
        health
    }

    /// Asks the replica how far it has replayed, and the primary where it
    /// is now; the first time, also whether they are the same cluster.
    async fn probe(&self, primary: &PgPool) -> Result<Health, String> {
        if !self.lock().same_cluster {
            let (ours, theirs) = tokio::join!(
                within(sqlx::query_scalar::<_, i64>(CLUSTER).fetch_one(primary)),
                within(sqlx::query_scalar::<_, i64>(CLUSTER).fetch_one(&self.pool)),
            );
            if ours? != theirs? {
                return Ok(Health::Stranger);
            }
            self.lock().same_cluster = true;
        }
        let (sample, answer) = tokio::join!(
            within(sqlx::query_scalar::<_, i64>(PRIMARY_POSITION).fetch_one(primary)),
            within(sqlx::query_as::<_, (bool, Option<i64>)>(REPLAYED).fetch_one(&self.pool)),
        );
        let replayed = match answer? {
            (true, Some(replayed)) => replayed,
            _ => return Ok(Health::NotStandby),
        };
        let now = Instant::now();
        let mut probe = self.lock();
        if let Ok(position) = sample {
            probe.samples.push_back((now, position));
        }
        while probe
            .samples
            .get(1)
            .is_some_and(|(at, _)| now.duration_since(*at) >= self.max_lag)
        {
            probe.samples.pop_front();
        }
        Ok(match probe.samples.front() {
            Some((at, position))
                if now.duration_since(*at) >= self.max_lag && *position > replayed =>
            {
                Health::Lagging
            }
            _ => Health::Replaying(replayed),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Probe> {
        self.probe.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The replica's pool if `reader` may read there now, counting a
    /// decision for the primary (`read_as` counts the replica's reads once
    /// they are done).
    async fn route(&self, primary: &PgPool, reader: Option<AccountId>) -> Option<PgPool> {
        let replayed = match self.health(primary).await {
            Health::Replaying(replayed) => replayed,
            Health::Lagging => return count(&self.counts.lagging, None),
            Health::Unavailable | Health::NotStandby | Health::Stranger => {
                return count(&self.counts.unavailable, None);
            }
        };
        if let Some(account) = reader {
            let written = sqlx::query_scalar::<_, i64>(
                "SELECT lsn FROM write_positions WHERE account_id = $1",
            )
            .bind(account)
            .fetch_optional(primary)
            .await;
            match written {
                Ok(Some(position)) if position > replayed => {
                    return count(&self.counts.own_write, None);
                }
                Ok(_) => {}
                Err(e) => {
                    // Cannot tell whether the replica has the reader's writes.
                    tracing::warn!(error = %e, "cannot read the last write position");
                    return count(&self.counts.own_write, None);
                }
            }
        }
        Some(self.pool.clone())
    }

    /// After a failed read: probe again on the next one.
    fn distrust(&self) {
        self.counts.retried.fetch_add(1, Ordering::Relaxed);
        self.lock().last = None;
    }

    fn reads(&self) -> ReplicaReads {
        let c = &self.counts;
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        ReplicaReads {
            replica: get(&c.replica),
            own_write: get(&c.own_write),
            lagging: get(&c.lagging),
            unavailable: get(&c.unavailable),
            retried: get(&c.retried),
        }
    }
}

fn count<T>(counter: &AtomicU64, value: T) -> T {
    counter.fetch_add(1, Ordering::Relaxed);
    value
}

fn kind(health: Health) -> std::mem::Discriminant<Health> {
    std::mem::discriminant(&health)
}

/// Says that the replica became usable or stopped being so (once a change).
fn log_change(now: Health, cause: Option<String>, max_lag: Duration) {
    match now {
        Health::Replaying(_) => tracing::info!("reading timelines and search from the replica"),
        Health::Lagging => tracing::warn!(
            max_lag_secs = max_lag.as_secs(),
            "the read replica is too far behind; reading from the primary"
        ),
        Health::Unavailable => tracing::warn!(
            error = cause.as_deref().unwrap_or_default(),
            "the read replica cannot be reached; reading from the primary"
        ),
        Health::NotStandby => tracing::warn!(
            "the read replica is not a standby in recovery (promoted?); reading from the primary"
        ),
        Health::Stranger => tracing::error!(
            "database_replica_url is not a copy of database_url (another cluster); \
             reading from the primary"
        ),
    }
}

/// A query to the primary or the replica, given up after `REPLICA_TIMEOUT`.
async fn within<T>(query: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, String> {
    match tokio::time::timeout(REPLICA_TIMEOUT, query).await {
        Ok(done) => done.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {REPLICA_TIMEOUT:?}")),
    }
}

impl Store {
    /// Adds a read replica (`postgres://…`, a streaming standby of this
    /// store's PostgreSQL database) for `read_as`. It is probed once now;
    /// a replica that cannot be reached only logs a warning.
    pub async fn with_replica(
        mut self,
        url: &str,
        max_connections: u32,
        max_lag: Duration,
    ) -> StoreResult<Self> {
        let Db::Postgres(primary) = &self.db else {
            return Err(StoreError::Db(sqlx::Error::Configuration(
                "a read replica needs a PostgreSQL database_url".into(),
            )));
        };
        let replica = Replica::connect(url, max_connections, max_lag)?;
        replica.health(primary).await;
        self.replica = Some(Arc::new(replica));
        Ok(self)
    }

    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// Reads counted so far, with a replica.
    pub fn replica_reads(&self) -> Option<ReplicaReads> {
        self.replica.as_ref().map(|r| r.reads())
    }

    /// Remembers that `account` acted just now: its reads go to the primary
    /// until the replica has replayed this far. Does nothing without a
    /// replica.
    pub async fn record_write(&self, account: AccountId) -> StoreResult<()> {
        let (Some(_), Db::Postgres(primary)) = (&self.replica, &self.db) else {
            return Ok(());
        };
        sqlx::query(
            "INSERT INTO write_positions (account_id, lsn)
             VALUES ($1, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint)
             ON CONFLICT (account_id)
             DO UPDATE SET lsn = GREATEST(write_positions.lsn, excluded.lsn)",
        )
        .bind(account)
        .execute(primary)
        .await?;
        Ok(())
    }

    /// Runs the read-only `work` on the replica when `reader` (`None`:
    /// anonymous) may read there, else on this store; work that fails on
    /// the replica runs again here. Without a replica, simply runs here.
    pub async fn read_as<T, E, F, Fut>(&self, reader: Option<AccountId>, work: F) -> Result<T, E>
    where
        F: Fn(Store) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: RetryOnPrimary + std::fmt::Display,
    {
        let (Some(replica), Db::Postgres(primary)) = (&self.replica, &self.db) else {
            return work(self.clone()).await;
        };
        let Some(pool) = replica.route(primary, reader).await else {
            return work(self.clone()).await;
        };
        let on_replica = Store {
            db: Db::Postgres(pool),
            ids: self.ids.clone(),
            events: self.events.clone(),
            replica: None,
            read_only: true,
            checkpoints: None,
            home_fan_out_limit: self.home_fan_out_limit,
            writer: None,
        };
        match work(on_replica).await {
            Err(e) if e.retry_on_primary() => {
                tracing::warn!(error = %e, "a read failed on the replica; reading from the primary");
                replica.distrust();
                work(self.clone()).await
            }
            done => count(&replica.counts.replica, done),
        }
    }
}
