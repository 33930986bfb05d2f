//! The only place with SQL. `Store` wraps a SQLite or PostgreSQL pool; each
//! aggregate has a sub-store (`store.accounts()`, `tx.users()`, …) whose
//! methods run the same `$N`-placeholder SQL on whichever backend is active
//! through the `run!` dispatch. Where the dialects really differ, a method
//! matches on the backend with both arms side by side.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, SqliteConnection};

use crate::events::{Event, Events};
use crate::model::IdGenerator;

mod access_blocks;
mod accounts;
mod audit;
pub mod backup;
mod checkpoint;
mod conversations;
mod deliveries;
mod domains;
mod featured_tags;
mod filters;
mod follows;
mod home_feed;
mod hooks;
mod hydration;
mod interactions;
mod invites;
mod lists;
mod markers;
mod media;
mod migrate;
mod notifications;
mod oauth;
mod page;
mod polls;
mod readers;
mod received;
mod replica;
mod reports;
mod reviews;
mod roles;
mod rules;
mod scheduled;
mod search;
mod sessions;
mod settings;
mod stats;
mod status_events;
mod statuses;
mod tags;
mod throttle;
mod users;
mod webhooks;
mod writer;

pub use access_blocks::{
    CanonicalEmailBlock, CanonicalEmailBlocks, IpBlock, IpBlockFields, IpBlocks,
};
pub use accounts::{Accounts, AdminRemoteFilter, Limit, NewAccount, RemoteAccount};
pub use audit::{AuditEntry, AuditFilter, AuditLog, NewAuditEntry};
pub use conversations::{AccountConversation, Conversations};
pub use deliveries::{Claimed, Deliveries, Peer, Queued};
pub use domains::{DomainAllow, DomainBlock, Domains};
pub use featured_tags::{FeaturedTag, FeaturedTags};
pub use filters::{Filter, FilterKeyword, FilterStatus, Filters};
pub use follows::{FollowOptions, Follows, Relationship};
pub use hooks::{HookSettings, PolicyHook, PolicyHooks};
pub use hydration::Hydration;
pub use interactions::{Interactions, Mark};
pub use invites::{Invite, Invites};
pub use lists::{List, Lists};
pub use markers::{Marker, Markers};
pub use media::MediaRows;
pub use notifications::{Notification, Notifications, TypeFilter};
pub use oauth::{NewAuthorizationCode, NewToken, OAuth};
pub use polls::{NewPoll, Polls};
pub use received::Received;
pub use replica::{ReplicaReads, RetryOnPrimary};
pub use reports::{NewReport, Report, ReportFilter, ReportNote, Reports};
pub use roles::Roles;
pub use rules::{RuleRow, Rules};
pub use scheduled::{Scheduled, ScheduledStatus};
pub use search::Search;
pub use sessions::Sessions;
pub use settings::Settings;
pub use stats::{InstanceStats, Stats};
pub use statuses::{
    AccountFilter, Counter, Locality, NOT_LIMITED, NewStatus, ReviewQueueFilter, StatusVersion,
    Statuses, VISIBLE, Viewer,
};
pub use tags::{TagQuery, Tags};
pub use throttle::Throttle;
pub use users::{AdminUserFilter, NewUser, UserWithAccount, Users};
pub use webhooks::{Webhook, WebhookDelivery, WebhookSettings, Webhooks};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("record not found")]
    NotFound,
    #[error("duplicate record")]
    Conflict,
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The batch of transactions this one was committed with failed to
    /// commit (see `writer`): none of them were saved.
    #[error("database error: {0}")]
    Batch(Arc<sqlx::Error>),
    /// A write through a store reading from the replica: a bug.
    #[error("a write was attempted on the read replica")]
    ReadOnly,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            // Detected by the driver's error kind: SQLite does not report
            // constraint names reliably.
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Db(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
enum Db {
    Sqlite(readers::Readers),
    Postgres(PgPool),
}

/// Something a query can run on: a pool, or the connection of an open
/// transaction.
pub(crate) enum Exec<'a> {
    /// Reads on a read connection, writes through the writer.
    SqlitePool(writer::Autocommit<'a>),
    PgPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// Runs `$body` with `$e` bound to a SQLite or PostgreSQL executor. The body
/// is written once and compiled for each backend.
macro_rules! run {
    ($exec:expr, $e:ident => $body:expr) => {
        match &mut $exec {
            $crate::store::Exec::SqlitePool(auto) => {
                let $e = *auto;
                $body
            }
            $crate::store::Exec::PgPool(pool) => {
                let $e = *pool;
                $body
            }
            $crate::store::Exec::Sqlite(conn) => {
                let $e = &mut **conn;
                $body
            }
            $crate::store::Exec::Pg(conn) => {
                let $e = &mut **conn;
                $body
            }
        }
    };
}
pub(crate) use run;

/// Declares the sub-store accessors shared by `Store` and `Tx`.
macro_rules! sub_stores {
    ($($name:ident => $ty:ident),* $(,)?) => {
        impl Store {
            $(pub fn $name(&self) -> $ty<'_> {
                $ty($crate::store::Ctx {
                    exec: self.exec(),
                    ids: self.ids.clone(),
                    events: self.sink(),
                })
            })*
        }
        impl Tx {
            $(pub fn $name(&mut self) -> $ty<'_> {
                let ids = self.ids.clone();
                let (exec, pending) = self.parts();
                $ty($crate::store::Ctx { exec, ids, events: Sink::AtCommit(pending) })
            })*
        }
    };
}

sub_stores!(
    accounts => Accounts,
    audit_log => AuditLog,
    canonical_email_blocks => CanonicalEmailBlocks,
    conversations => Conversations,
    deliveries => Deliveries,
    domains => Domains,
    featured_tags => FeaturedTags,
    filters => Filters,
    follows => Follows,
    hydration => Hydration,
    interactions => Interactions,
    ip_blocks => IpBlocks,
    invites => Invites,
    lists => Lists,
    markers => Markers,
    media => MediaRows,
    notifications => Notifications,
    oauth => OAuth,
    policy_hooks => PolicyHooks,
    polls => Polls,
    received => Received,
    reports => Reports,
    scheduled => Scheduled,
    roles => Roles,
    rules => Rules,
    search => Search,
    sessions => Sessions,
    settings => Settings,
    stats => Stats,
    statuses => Statuses,
    tags => Tags,
    throttle => Throttle,
    users => Users,
    webhooks => Webhooks,
);

/// Shared plumbing of every sub-store: where to run, how to make ids, and
/// where events go.
pub struct Ctx<'a> {
    pub(crate) exec: Exec<'a>,
    ids: Arc<IdGenerator>,
    events: Sink<'a>,
}

/// Where a sub-store's events go: straight to the bus (no transaction), or
/// to the transaction, to be published when it commits.
enum Sink<'a> {
    Now(&'a Events),
    AtCommit(&'a mut AtCommit),
    /// A store reading from the replica, which cannot notify.
    Refuse,
}

impl Ctx<'_> {
    pub(crate) fn next_id(&self) -> i64 {
        self.ids.next()
    }

    /// Publishes `event` once the current work is committed. On PostgreSQL
    /// `pg_notify` runs in the same transaction, so every node hears of it
    /// exactly when (and only if) it commits.
    pub(crate) async fn emit(&mut self, event: Event) -> StoreResult<()> {
        let notify = "SELECT pg_notify($1, $2)";
        match (&mut self.exec, &mut self.events) {
            (_, Sink::Refuse) => return Err(StoreError::ReadOnly),
            (Exec::PgPool(pool), _) => {
                sqlx::query(notify)
                    .bind(crate::events::CHANNEL)
                    .bind(event.to_payload())
                    .execute(*pool)
                    .await?;
            }
            (Exec::Pg(conn), _) => {
                sqlx::query(notify)
                    .bind(crate::events::CHANNEL)
                    .bind(event.to_payload())
                    .execute(&mut **conn)
                    .await?;
            }
            (_, Sink::Now(events)) => events.publish_here(event),
            (_, Sink::AtCommit(pending)) => pending.events.push(event),
        }
        Ok(())
    }

    /// Deliveries to other servers were queued: the delivery worker is
    /// woken once they are committed.
    pub(crate) fn deliveries_queued(&mut self) {
        match &mut self.events {
            Sink::Now(events) => events.deliveries_queued(),
            Sink::AtCommit(pending) => pending.deliveries_queued = true,
            Sink::Refuse => {}
        }
    }
}

/// What a transaction tells the node once it commits.
#[derive(Default)]
struct AtCommit {
    /// SQLite: events to publish (PostgreSQL's go out with the commit).
    events: Vec<Event>,
    deliveries_queued: bool,
}

impl AtCommit {
    /// Tells the node, once the writes are committed.
    fn publish(self, events: &Events) {
        for event in self.events {
            events.publish_here(event);
        }
        if self.deliveries_queued {
            events.deliveries_queued();
        }
    }
}

/// Declares a sub-store: a thin wrapper around a `Ctx`.
macro_rules! sub_store {
    ($ty:ident) => {
        pub struct $ty<'a>(pub(crate) $crate::store::Ctx<'a>);
    };
}
pub(crate) use sub_store;

/// Database handle, cheap to clone.
/// The default of `home_fan_out_max_followers`.
pub const DEFAULT_HOME_FAN_OUT_LIMIT: u32 = 1000;

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    ids: Arc<IdGenerator>,
    events: Events,
    /// Where `read_as` may send reads (see `replica`).
    replica: Option<Arc<replica::Replica>>,
    /// A store on the replica, handed to `read_as`'s work.
    read_only: bool,
    /// SQLite: keeps the background checkpointer running.
    checkpoints: Option<Arc<checkpoint::Checkpointer>>,
    /// `home_fan_out_max_followers`, for the transactions that fan out.
    home_fan_out_limit: u32,
    /// SQLite: the connection that writes, see [`Store::begin`].
    writer: Option<writer::Writer>,
}

/// How long a SQLite transaction waits for its turn to write before it is
/// refused, as SQLite's own `busy_timeout`.
const SQLITE_WRITE_WAIT: Duration = Duration::from_secs(10);

/// An open transaction; dropped without `commit` it rolls back, and its
/// events with it.
pub struct Tx {
    inner: TxInner,
    ids: Arc<IdGenerator>,
    events: Events,
    /// What to tell the node after `COMMIT`.
    pending: AtCommit,
    home_fan_out_limit: u32,
}

enum TxInner {
    /// A savepoint on the writer's connection (see `writer`).
    Sqlite(writer::Turn),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// PostgreSQL pool options shared by the primary and the replica. A
/// connection is pinged before use only after it sat idle for a while (when
/// the server may have restarted or a proxy dropped it): sqlx's default pings
/// at every acquire (every query outside a transaction), a network round
/// trip each time.
pub(crate) fn pg_pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PG_PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// See [`pg_pool_options`].
const PG_PING_AFTER_IDLE: Duration = Duration::from_secs(5);

/// `sqlite://PATH?synchronous=full`: SQLite's durability, taken out of the
/// URL (sqlx does not know the parameter). `normal` (the default): a commit
/// is durable once the log is synced at the next checkpoint, so a power cut
/// can lose the last commits, a crash of the process nothing. `full`: every
/// commit (every batch, see `writer`) waits for the log to be synced.
fn sqlite_synchronous(url: &str) -> StoreResult<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SqliteSynchronous::Normal));
    };
    let mut synchronous = SqliteSynchronous::Normal;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("synchronous", value)) => {
                synchronous = match value.to_ascii_lowercase().as_str() {
                    "normal" => SqliteSynchronous::Normal,
                    "full" => SqliteSynchronous::Full,
                    other => {
                        return Err(StoreError::Db(sqlx::Error::Configuration(
                            format!("synchronous={other} in the database URL: use normal or full")
                                .into(),
                        )));
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    let url = match rest.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", rest.join("&")),
    };
    Ok((url, synchronous))
}

/// Each read connection's page cache, in KiB (`cache_size` counts KiB when
/// negative): a quarter of SQLite's default. The pages come from the
/// operating system's file cache at the cost of a `pread`; ten connections
/// with 2 MiB each held ~30 MB more under a timeline overload (their
/// threads' allocator arenas grew past the caches themselves) and read no
/// faster. Whenever the writer commits, a reader's cache is dropped anyway.
const READER_CACHE_SIZE: &str = "-500";

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). A missing SQLite
    /// file is created; SQLite runs in WAL mode with foreign keys enforced.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let (db, events, checkpoints, writer) = if url.starts_with("sqlite:") {
            let (url, synchronous) = sqlite_synchronous(url)?;
            let options = SqliteConnectOptions::from_str(&url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // No memory-mapped reads: SQLite drops a connection's whole
                // mapping whenever another connection has written, so under
                // a steady stream of writes every read transaction paid an
                // munmap (with a TLB flush on every core) and page faults
                // again — a tenth of a busy inbox's CPU. Reads with `pread`
                // cost the same when nothing is written.
                .pragma("mmap_size", "0");
            // Checkpoints run in the background (see `checkpoint`); after
            // one, a log grown past 64 MiB by a burst is cut back.
            let options = options
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", "67108864");
            // Opening switches the file to WAL, which needs the file alone
            // for a moment: a second process starting next to one that is
            // migrating a new file can find it locked for longer than the
            // busy timeout. Starting up, that is worth waiting out.
            let deadline = std::time::Instant::now() + Duration::from_secs(120);
            let readers = loop {
                // Every write goes through the writer (see `writer`): a
                // write on a read connection would wait for the writer's
                // lock in SQLite's sleeping busy handler, and under a
                // steady stream of batches, wait for seconds.
                let opened = readers::Readers::open(
                    options
                        .clone()
                        .pragma("query_only", "ON")
                        .pragma("cache_size", READER_CACHE_SIZE),
                    max_connections,
                )
                .await;
                match opened {
                    Err(e) if migrate::is_busy(&e) && std::time::Instant::now() < deadline => {
                        tracing::info!(error = %e, "the database file is busy; trying again");
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    other => break other?,
                }
            };
            // Started once the file is open (and in WAL mode) for the pool.
            let checkpoints = checkpoint::start(options.clone());
            let events = Events::in_process(max_connections / 2);
            let writer = writer::Writer::new(options, events.clone());
            (Db::Sqlite(readers), events, Some(checkpoints), Some(writer))
        } else {
            let options = PgConnectOptions::from_str(url)?.application_name("loggia");
            let pool = pg_pool_options(max_connections)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(options)
                .await?;
            // Streaming gets half the pool; requests keep the rest.
            let events = Events::postgres(pool.clone(), max_connections / 2);
            (Db::Postgres(pool), events, None, None)
        };
        Ok(Self {
            ids: Arc::new(IdGenerator::default()),
            events,
            replica: None,
            read_only: false,
            writer,
            db,
            checkpoints,
            home_fan_out_limit: DEFAULT_HOME_FAN_OUT_LIMIT,
        })
    }

    /// Sets how many local followers an author may have before home
    /// timelines read its posts at read time (`home_fan_out_max_followers`).
    pub fn with_home_fan_out_limit(mut self, limit: u32) -> Self {
        self.home_fan_out_limit = limit;
        self
    }

    /// The node's event bus (what streaming subscribes to).
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Publishes an event outside any transaction.
    pub async fn publish(&self, event: Event) -> StoreResult<()> {
        Ctx {
            exec: self.exec(),
            ids: self.ids.clone(),
            events: self.sink(),
        }
        .emit(event)
        .await
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Applies pending migrations of the active dialect. On PostgreSQL sqlx
    /// holds an advisory lock meanwhile, so several nodes may start at once.
    pub async fn migrate(&self) -> StoreResult<()> {
        match (&self.db, &self.writer) {
            // The pool's connections only read.
            (Db::Sqlite(_), Some(writer)) => {
                let mut turn = writer.exclusive(SQLITE_WRITE_WAIT).await?;
                migrate::SQLITE.run(turn.conn()).await?
            }
            (Db::Sqlite(_), None) => unreachable!("a SQLite store has a writer"),
            (Db::Postgres(pool), _) => migrate::POSTGRES.run(pool).await?,
        }
        Ok(())
    }

    /// Whether the database answers (for `/ready`).
    pub async fn ping(&self) -> StoreResult<()> {
        let mut exec = self.exec();
        run!(exec, e => sqlx::query("SELECT 1").execute(e).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite the node's transactions run one
    /// at a time, in order of arrival, on one connection that holds the
    /// write lock (`BEGIN IMMEDIATE`), and those that queued up behind one
    /// another commit together (see `writer`). SQLite's own wait for its
    /// lock polls with sleeps of 1, 2, 5, 10… ms, so under load the lock
    /// sat free while the writers waiting for it slept (an inbox at 400
    /// activities/s spent 5.7 ms on a one-row insert).
    pub async fn begin(&self) -> StoreResult<Tx> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let inner = match (&self.db, &self.writer) {
            (Db::Sqlite(_), Some(writer)) => {
                TxInner::Sqlite(writer.begin(SQLITE_WRITE_WAIT).await?)
            }
            (Db::Sqlite(_), None) => unreachable!("a SQLite store has a writer"),
            (Db::Postgres(pool), _) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            ids: self.ids.clone(),
            events: self.events.clone(),
            pending: AtCommit::default(),
            home_fan_out_limit: self.home_fan_out_limit,
        })
    }

    /// Waits until the transactions committed so far are visible to every
    /// read. On SQLite a committed transaction's writes may sit in the
    /// writer's open batch, seen by later transactions but not yet by reads
    /// outside them (see `writer`); PostgreSQL has nothing to wait for. For
    /// a transaction that failed on a duplicate and reads what it collided
    /// with.
    pub async fn committed(&self) -> StoreResult<()> {
        match &self.writer {
            Some(writer) => writer.exclusive(SQLITE_WRITE_WAIT).await.map(drop),
            None => Ok(()),
        }
    }

    /// Keeps SQLite's query planner statistics current (PostgreSQL's
    /// autovacuum does this by itself). Without them SQLite plans the home
    /// timeline three times slower on a large database. `PRAGMA optimize`
    /// analyzes only the tables that have no statistics yet or whose size
    /// changed a lot since, sampling at most `analysis_limit` rows per
    /// index: the first pass on the 1.9 GB benchmark database took 2 s,
    /// later ones have little to do. `0x10000` checks every table, not only
    /// those this (pooled, so arbitrary) connection happened to query. It
    /// writes, so it takes the turn.
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        if self.read_only {
            return Ok(());
        }
        let Some(writer) = &self.writer else {
            return Ok(());
        };
        let mut turn = writer.exclusive(SQLITE_WRITE_WAIT).await?;
        sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002")
            .execute(turn.conn())
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        match &self.db {
            Db::Sqlite(readers) => readers.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.stop().await;
        }
        if let Some(replica) = &self.replica {
            replica.close().await;
        }
    }

    fn sink(&self) -> Sink<'_> {
        match self.read_only {
            true => Sink::Refuse,
            false => Sink::Now(&self.events),
        }
    }

    fn exec(&self) -> Exec<'_> {
        match &self.db {
            Db::Sqlite(readers) => Exec::SqlitePool(writer::Autocommit {
                readers,
                writer: self.writer.as_ref().expect("a SQLite store has a writer"),
            }),
            Db::Postgres(pool) => Exec::PgPool(pool),
        }
    }
}

impl Tx {
    /// `home_fan_out_max_followers`, for `Statuses::fan_out_to_followers`.
    pub fn home_fan_out_limit(&self) -> u32 {
        self.home_fan_out_limit
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self.inner {
            // Published by whoever commits the batch, in commit order.
            TxInner::Sqlite(turn) => writer::commit(turn, self.pending).await,
            TxInner::Postgres(tx) => {
                tx.commit().await?;
                self.pending.publish(&self.events);
                Ok(())
            }
        }
    }

    fn parts(&mut self) -> (Exec<'_>, &mut AtCommit) {
        let exec = match &mut self.inner {
            TxInner::Sqlite(turn) => Exec::Sqlite(turn.conn()),
            TxInner::Postgres(tx) => Exec::Pg(tx),
        };
        (exec, &mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronous_is_read_from_the_url_and_taken_out_of_it() {
        let (url, sync) = sqlite_synchronous("sqlite://a.db").unwrap();
        assert_eq!(
            (url.as_str(), sync as u8),
            ("sqlite://a.db", SqliteSynchronous::Normal as u8)
        );
        let (url, sync) = sqlite_synchronous("sqlite://a.db?mode=rwc&synchronous=FULL").unwrap();
        assert_eq!(
            (url.as_str(), sync as u8),
            ("sqlite://a.db?mode=rwc", SqliteSynchronous::Full as u8)
        );
        let (url, _) = sqlite_synchronous("sqlite://a.db?synchronous=normal").unwrap();
        assert_eq!(url, "sqlite://a.db");
        let refused = sqlite_synchronous("sqlite://a.db?synchronous=off").unwrap_err();
        assert!(
            refused.to_string().contains("use normal or full"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn the_writer_commits_with_the_durability_asked_for() {
        let path = std::env::temp_dir().join(format!("loggia-sync-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let url = format!("sqlite://{}?synchronous=full", path.display());
        let store = Store::connect(&url, 2).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let (mut exec, _) = tx.parts();
        let level: i64 =
            run!(exec, e => sqlx::query_scalar("PRAGMA synchronous").fetch_one(e).await).unwrap();
        assert_eq!(level, 2, "FULL");
        tx.commit().await.unwrap();
        store.close().await;
    }
}
