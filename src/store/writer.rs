//! SQLite's one writer, and group commit.
//!
//! SQLite lets one connection write at a time, and on a write-ahead log
//! every commit costs about the same however little it wrote: whole pages
//! appended to the log (the same b-tree pages again and again for
//! neighbouring rows), full-text index segments flushed, and every other
//! connection's page cache invalidated, so that their next reads go back to
//! the file. An inbox at a few hundred activities a second spent a fifth of
//! its CPU there.
//!
//! So the node's transactions run on one dedicated connection, one at a
//! time, in order of arrival (`Writer::turn`). Each is a savepoint inside a
//! longer transaction, the *batch*: when a transaction commits and others
//! are already waiting for the turn, its savepoint is released and the
//! batch stays open for them; the last of them (or, if they give up, a
//! flusher queued behind them) commits the batch. Nobody waiting: it
//! commits at once, as before. Each `Tx::commit` returns only once its
//! batch is committed, so a caller never acts on writes that could still be
//! lost; if the batch's `COMMIT` fails, every transaction in it fails.
//! Events are published in commit order by whoever commits the batch.
//!
//! Every step that changes the batch's state (begin, commit, cleaning up
//! after a transaction dropped half-way) runs in a task of its own: a
//! caller cancelled in the middle (a client hanging up) must not leave the
//! connection in a state the bookkeeping does not know.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use super::readers::Readers;
use super::{AtCommit, StoreError, StoreResult};
use crate::events::Events;

/// A batch is committed once it holds this many transactions…
const MAX_MEMBERS: usize = 64;
/// …or has been open this long, however many still wait.
const MAX_AGE: Duration = Duration::from_millis(20);

/// What a batch's members hear when it ends.
type Outcome = Result<(), Arc<sqlx::Error>>;

/// Cheap to clone; shared by a `Store` and its clones.
#[derive(Clone)]
pub(super) struct Writer {
    state: Arc<Mutex<State>>,
    /// Transactions waiting for the turn (not the flusher).
    waiting: Arc<AtomicUsize>,
    options: Arc<SqliteConnectOptions>,
    events: Events,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    /// Opened at the first write, closed by `Writer::close`.
    conn: Option<SqliteConnection>,
    batch: Option<Batch>,
    /// A transaction's savepoint is open. Seen by the next holder of the
    /// turn, it was dropped without commit: rolled back then.
    savepoint: bool,
    /// A flusher is waiting for the turn to commit the open batch.
    flusher_queued: bool,
}

struct Batch {
    opened: Instant,
    members: Vec<Member>,
}

/// A committed savepoint waiting for its batch.
struct Member {
    done: oneshot::Sender<Outcome>,
    pending: AtCommit,
}

/// The turn to write: the connection and the batch, held by one
/// transaction (or housekeeping step) at a time.
pub(super) struct Turn {
    guard: Option<OwnedMutexGuard<State>>,
    writer: Writer,
}

impl Writer {
    pub(super) fn new(options: SqliteConnectOptions, events: Events) -> Self {
        // Savepoints copy the pages they change to a sub-journal: in memory,
        // not in a temporary file (a write system call per page). The page
        // cache stays SQLite's 2 MiB: a 16 MiB one, filled once by
        // housekeeping's trims, lifted the timeline benchmark's peak memory
        // past its 100 MB target.
        let options = options.pragma("temp_store", "memory");
        Self {
            state: Arc::default(),
            waiting: Arc::default(),
            options: Arc::new(options),
            events,
        }
    }

    /// Waits (in order of arrival) at most `wait` for the turn.
    pub(super) async fn turn(&self, wait: Duration) -> StoreResult<Turn> {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(&self.waiting);
        let guard = tokio::time::timeout(wait, self.state.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Db(sqlx::Error::PoolTimedOut))?;
        drop(waiting);
        Ok(Turn {
            guard: Some(guard),
            writer: self.clone(),
        })
    }

    /// Opens a transaction: the batch if none is open, then a savepoint.
    pub(super) async fn begin(&self, wait: Duration) -> StoreResult<Turn> {
        let turn = self.turn(wait).await?;
        detached(async move {
            let mut turn = turn;
            turn.settle(false).await?;
            let state = turn.state();
            if state.batch.is_none() {
                let conn = state.conn.as_mut().expect("settle opens the connection");
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
                state.batch = Some(Batch {
                    opened: Instant::now(),
                    members: Vec::new(),
                });
            }
            let conn = state.conn.as_mut().expect("settle opens the connection");
            if let Err(e) = sqlx::query("SAVEPOINT loggia_tx").execute(&mut *conn).await {
                return Err(turn.abort_batch(e).await);
            }
            turn.state().savepoint = true;
            Ok(turn)
        })
        .await
    }

    /// Every write so far committed, and the turn held: for work on the
    /// connection outside transactions (`PRAGMA optimize`).
    pub(super) async fn exclusive(&self, wait: Duration) -> StoreResult<Turn> {
        let turn = self.turn(wait).await?;
        detached(async move {
            let mut turn = turn;
            turn.settle(true).await?;
            Ok(turn)
        })
        .await
    }

    /// Commits what is open and closes the connection.
    pub(super) async fn close(&self) {
        let mut turn = Turn {
            guard: Some(self.state.clone().lock_owned().await),
            writer: self.clone(),
        };
        if let Err(e) = turn.settle(true).await {
            tracing::warn!(error = %e, "closing the database: the last writes failed");
        }
        if let Some(conn) = turn.state().conn.take() {
            let _ = conn.close().await;
        }
    }

    /// Commits the batch once those queued before it had their turn.
    async fn flush_later(self) {
        let mut turn = Turn {
            guard: Some(self.state.clone().lock_owned().await),
            writer: self.clone(),
        };
        turn.state().flusher_queued = false;
        if let Err(e) = turn.settle(true).await {
            tracing::warn!(error = %e, "committing a batch of writes failed");
        }
    }
}

impl Turn {
    fn state(&mut self) -> &mut State {
        self.guard.as_mut().expect("held until dropped")
    }

    /// The writer's connection (open while a transaction holds the turn).
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        self.state()
            .conn
            .as_mut()
            .expect("a turn's connection is opened when it is taken")
    }

    /// Opens the connection if need be, rolls back a savepoint its last
    /// holder left open, and with `commit` commits an open batch.
    async fn settle(&mut self, commit: bool) -> StoreResult<()> {
        if self.state().conn.is_none() {
            let conn = self.writer.options.connect().await?;
            self.state().conn = Some(conn);
        }
        if std::mem::take(&mut self.state().savepoint) {
            let undone = sqlx::raw_sql("ROLLBACK TO loggia_tx; RELEASE loggia_tx")
                .execute(self.conn())
                .await;
            if let Err(e) = undone {
                // The whole transaction is gone (SQLite rolls everything
                // back after some errors, a full disk for one).
                return Err(self.abort_batch(e).await);
            }
        }
        if commit && self.state().batch.is_some() {
            self.commit_batch().await?;
        }
        Ok(())
    }

    /// Commits the transaction holding the turn into its batch; the batch
    /// itself is committed now if nobody waits, else by a later holder.
    /// The receiver hears how the batch ended.
    async fn commit(&mut self, pending: AtCommit) -> StoreResult<oneshot::Receiver<Outcome>> {
        let released = sqlx::query("RELEASE loggia_tx").execute(self.conn()).await;
        if let Err(e) = released {
            return Err(self.abort_batch(e).await);
        }
        self.state().savepoint = false;
        let (done, outcome) = oneshot::channel();
        let batch = self.state().batch.as_mut().expect("begin opened a batch");
        batch.members.push(Member { done, pending });
        let full = batch.members.len() >= MAX_MEMBERS || batch.opened.elapsed() >= MAX_AGE;
        if full || self.writer.waiting.load(Ordering::SeqCst) == 0 {
            // A failure reaches this transaction through `outcome`.
            let _ = self.commit_batch().await;
        }
        Ok(outcome)
    }

    /// `COMMIT`s the open batch and tells its members.
    async fn commit_batch(&mut self) -> StoreResult<()> {
        let committed = sqlx::query("COMMIT").execute(self.conn()).await;
        match committed {
            Ok(_) => {
                let batch = self.state().batch.take().expect("a batch to commit");
                for member in batch.members {
                    member.pending.publish(&self.writer.events);
                    let _ = member.done.send(Ok(()));
                }
                Ok(())
            }
            Err(e) => Err(self.abort_batch(e).await),
        }
    }

    /// Rolls the whole batch back after `error`, and fails its members.
    async fn abort_batch(&mut self, error: sqlx::Error) -> StoreError {
        tracing::warn!(error = %error, "a batch of writes was rolled back");
        // It may be rolled back already; then this fails, harmlessly.
        let _ = sqlx::query("ROLLBACK").execute(self.conn()).await;
        let state = self.state();
        state.savepoint = false;
        let error = Arc::new(error);
        if let Some(batch) = state.batch.take() {
            for member in batch.members {
                let _ = member.done.send(Err(error.clone()));
            }
        }
        StoreError::Batch(error)
    }
}

impl Drop for Turn {
    /// A batch left open is committed by a flusher, queued now behind those
    /// already waiting (who may join the batch first): a batch must not
    /// stay open because the transactions that were to close it gave up.
    fn drop(&mut self) {
        let Some(mut state) = self.guard.take() else {
            return;
        };
        if state.batch.is_none() || state.flusher_queued {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                state.flusher_queued = true;
                drop(state);
                runtime.spawn(self.writer.clone().flush_later());
            }
            Err(_) => tracing::warn!("a batch of writes is left open: no runtime to commit it"),
        }
    }
}

/// Commits `turn`'s transaction and waits for its batch to be committed.
pub(super) async fn commit(turn: Turn, pending: AtCommit) -> StoreResult<()> {
    let outcome = detached(async move {
        let mut turn = turn;
        turn.commit(pending).await
    })
    .await?;
    match outcome.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::Batch(e)),
        // Dropped unsent: only if the flusher could not run (shutdown).
        Err(_) => Err(StoreError::Db(sqlx::Error::WorkerCrashed)),
    }
}

/// Runs `work` to its end even if the caller stops waiting for it.
async fn detached<T: Send + 'static>(
    work: impl Future<Output = StoreResult<T>> + Send + 'static,
) -> StoreResult<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| StoreError::Db(sqlx::Error::Protocol(format!("a write task failed: {e}"))))?
}

/// A query outside any transaction, on SQLite: reads go to a read
/// connection (`readers`), writes through the writer, each as a transaction
/// of its own (and so batched with the others). The read connections are
/// opened read-only, so a write that found another way would fail loudly,
/// not wait. Reads are collected whole before they are handed on: the
/// connection goes back as soon as its statement is done.
#[derive(Clone, Copy)]
pub(crate) struct Autocommit<'a> {
    pub(super) readers: &'a Readers,
    pub(super) writer: &'a Writer,
}

impl std::fmt::Debug for Autocommit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Autocommit").finish_non_exhaustive()
    }
}

/// Whether `sql` only reads: it starts with `SELECT` or `VALUES`, or is a
/// `WITH` that changes nothing. Anything else is taken for a write.
fn only_reads(sql: &str) -> bool {
    let sql = sql.trim_start();
    let starts = |word: &str| {
        sql.get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
    };
    if starts("SELECT") || starts("VALUES") {
        return true;
    }
    starts("WITH")
        && !sql.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
            ["INSERT", "UPDATE", "DELETE", "REPLACE"]
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w))
        })
}

impl<'c> sqlx::Executor<'c> for Autocommit<'c> {
    type Database = sqlx::Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> futures_util::stream::BoxStream<
        'e,
        Result<sqlx::Either<sqlx::sqlite::SqliteQueryResult, sqlx::sqlite::SqliteRow>, sqlx::Error>,
    >
    where
        'c: 'e,
        E: 'q + sqlx::Execute<'q, Self::Database>,
    {
        use futures_util::{StreamExt, TryStreamExt, stream};
        let query = match Query::taken_apart(query) {
            Ok(query) => query,
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        if only_reads(query.sql.as_str()) {
            let readers = self.readers;
            return stream::once(async move {
                let mut reader = readers.acquire().await?;
                let rows = reader.conn().fetch_many(query).try_collect().await;
                let rows: Vec<_> = reader.check(rows)?;
                Ok::<_, sqlx::Error>(stream::iter(rows.into_iter().map(Ok)))
            })
            .try_flatten()
            .boxed();
        }
        let writer = self.writer.clone();
        stream::once(async move {
            let mut turn = writer.begin(WRITE_WAIT).await.map_err(into_sqlx)?;
            let results: Vec<_> = turn.conn().fetch_many(query).try_collect().await?;
            commit(turn, AtCommit::default()).await.map_err(into_sqlx)?;
            Ok::<_, sqlx::Error>(stream::iter(results.into_iter().map(Ok)))
        })
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> futures_util::future::BoxFuture<'e, Result<Option<sqlx::sqlite::SqliteRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + sqlx::Execute<'q, Self::Database>,
    {
        use futures_util::{FutureExt, TryStreamExt};
        let query = match Query::taken_apart(query) {
            Ok(query) => query,
            Err(e) => return async { Err(e) }.boxed(),
        };
        if only_reads(query.sql.as_str()) {
            let readers = self.readers;
            return async move {
                let mut reader = readers.acquire().await?;
                let row = reader.conn().fetch_optional(query).await;
                reader.check(row)
            }
            .boxed();
        }
        // All of it, so that the write's transaction runs to its end.
        self.fetch(query)
            .try_collect::<Vec<_>>()
            .map(|rows| rows.map(|rows| rows.into_iter().next()))
            .boxed()
    }

    fn prepare_with<'e>(
        self,
        sql: sqlx::SqlStr,
        parameters: &'e [sqlx::sqlite::SqliteTypeInfo],
    ) -> futures_util::future::BoxFuture<'e, Result<sqlx::sqlite::SqliteStatement, sqlx::Error>>
    where
        'c: 'e,
    {
        let readers = self.readers;
        Box::pin(async move {
            let mut reader = readers.acquire().await?;
            let prepared = reader.conn().prepare_with(sql, parameters).await;
            reader.check(prepared)
        })
    }

    fn describe<'e>(
        self,
        sql: sqlx::SqlStr,
    ) -> futures_util::future::BoxFuture<'e, Result<sqlx::Describe<Self::Database>, sqlx::Error>>
    where
        'c: 'e,
    {
        let readers = self.readers;
        Box::pin(async move {
            let mut reader = readers.acquire().await?;
            let described = reader.conn().describe(sql).await;
            reader.check(described)
        })
    }
}

/// A query taken apart to read its text, put back together.
struct Query {
    sql: sqlx::SqlStr,
    arguments: Option<sqlx::sqlite::SqliteArguments>,
    /// Whether the connection keeps it prepared (hydration's id lists are
    /// one-off statements that must not push the hot ones out).
    persistent: bool,
}

impl Query {
    fn taken_apart<'q>(
        mut query: impl sqlx::Execute<'q, sqlx::Sqlite>,
    ) -> Result<Self, sqlx::Error> {
        let arguments = query.take_arguments().map_err(sqlx::Error::Encode)?;
        let persistent = query.persistent();
        Ok(Self {
            sql: query.sql(),
            arguments,
            persistent,
        })
    }
}

impl sqlx::Execute<'_, sqlx::Sqlite> for Query {
    fn sql(self) -> sqlx::SqlStr {
        self.sql
    }

    fn statement(&self) -> Option<&sqlx::sqlite::SqliteStatement> {
        None
    }

    fn take_arguments(
        &mut self,
    ) -> Result<Option<sqlx::sqlite::SqliteArguments>, sqlx::error::BoxDynError> {
        Ok(self.arguments.take())
    }

    fn persistent(&self) -> bool {
        self.persistent
    }
}

/// How long a write outside a transaction waits for its turn.
const WRITE_WAIT: Duration = Duration::from_secs(10);

fn into_sqlx(e: StoreError) -> sqlx::Error {
    match e {
        StoreError::Db(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use sqlx::SqlitePool;
    use sqlx::sqlite::SqliteJournalMode;

    use super::*;

    const WAIT: Duration = Duration::from_secs(5);

    /// A writer and a pool (for reads outside its transactions) on a new file.
    async fn writer() -> (Writer, SqlitePool) {
        static FILES: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "loggia-writer-{}-{}.db",
            std::process::id(),
            FILES.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_file(&path);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePool::connect_with(options.clone()).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));",
        )
        .execute(&pool)
        .await
        .unwrap();
        (Writer::new(options, Events::in_process(1)), pool)
    }

    async fn insert(turn: &mut Turn, id: i64) {
        sqlx::query("INSERT INTO parent (id) VALUES ($1)")
            .bind(id)
            .execute(turn.conn())
            .await
            .unwrap();
    }

    /// What reads outside the writer's transactions see.
    async fn committed(pool: &SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT id FROM parent ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap()
    }

    /// Begins a second transaction, which waits for the turn, and returns
    /// once it waits.
    async fn queue_behind(writer: &Writer) -> tokio::task::JoinHandle<Turn> {
        let second = writer.clone();
        let queued = tokio::spawn(async move { second.begin(WAIT).await.unwrap() });
        while writer.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        queued
    }

    /// Commits `first` while a second transaction waits for the turn, so
    /// that both share a batch: `first`'s commit, and the second, holding
    /// the turn with the batch open.
    async fn batch_of_two(
        writer: &Writer,
        first: Turn,
    ) -> (tokio::task::JoinHandle<StoreResult<()>>, Turn) {
        let second = queue_behind(writer).await;
        let first_commit = tokio::spawn(commit(first, AtCommit::default()));
        (first_commit, second.await.unwrap())
    }

    /// A transaction of one insert, nobody else writing.
    async fn write_alone(writer: &Writer, id: i64) {
        let mut tx = writer.begin(WAIT).await.unwrap();
        insert(&mut tx, id).await;
        commit(tx, AtCommit::default()).await.unwrap();
    }

    #[tokio::test]
    async fn alone_a_transaction_commits_at_once() {
        let (writer, pool) = writer().await;
        write_alone(&writer, 1).await;
        assert_eq!(committed(&pool).await, [1]);
    }

    #[tokio::test]
    async fn queued_transactions_commit_together_and_only_then_return() {
        let (writer, pool) = writer().await;
        let mut first = writer.begin(WAIT).await.unwrap();
        insert(&mut first, 1).await;
        let (first_commit, mut second) = batch_of_two(&writer, first).await;
        // The first is released into the batch, which the second holds open.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !first_commit.is_finished(),
            "returned before its batch committed"
        );
        assert_eq!(committed(&pool).await, [] as [i64; 0]);
        // The second sees the first's writes.
        let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM parent")
            .fetch_one(second.conn())
            .await
            .unwrap();
        assert_eq!(seen, 1);
        insert(&mut second, 2).await;
        commit(second, AtCommit::default()).await.unwrap();
        first_commit.await.unwrap().unwrap();
        assert_eq!(committed(&pool).await, [1, 2]);
    }

    #[tokio::test]
    async fn a_transaction_dropped_in_a_batch_is_rolled_back_alone() {
        let (writer, pool) = writer().await;
        let mut first = writer.begin(WAIT).await.unwrap();
        insert(&mut first, 1).await;
        let (first_commit, mut second) = batch_of_two(&writer, first).await;
        insert(&mut second, 2).await;
        // Given up half-way (an error, a client gone): nobody is left to
        // commit the batch but the flusher.
        drop(second);
        first_commit.await.unwrap().unwrap();
        assert_eq!(committed(&pool).await, [1]);
        write_alone(&writer, 3).await;
        assert_eq!(committed(&pool).await, [1, 3]);
    }

    #[tokio::test]
    async fn a_batch_that_cannot_commit_fails_every_transaction_in_it() {
        let (writer, pool) = writer().await;
        let mut first = writer.begin(WAIT).await.unwrap();
        // A dangling reference, checked only at COMMIT.
        sqlx::raw_sql(
            "PRAGMA defer_foreign_keys = ON;
             INSERT INTO child (id, parent_id) VALUES (1, 99);",
        )
        .execute(first.conn())
        .await
        .unwrap();
        let (first_commit, mut second) = batch_of_two(&writer, first).await;
        insert(&mut second, 2).await;
        let second_commit = commit(second, AtCommit::default()).await;
        assert!(matches!(second_commit, Err(StoreError::Batch(_))));
        assert!(matches!(
            first_commit.await.unwrap(),
            Err(StoreError::Batch(_))
        ));
        assert_eq!(committed(&pool).await, [] as [i64; 0]);
        // The writer goes on.
        write_alone(&writer, 3).await;
        assert_eq!(committed(&pool).await, [3]);
    }

    #[tokio::test]
    async fn housekeeping_first_commits_what_waits_in_a_batch() {
        let (writer, pool) = writer().await;
        let mut first = writer.begin(WAIT).await.unwrap();
        insert(&mut first, 1).await;
        let exclusive = {
            let writer = writer.clone();
            tokio::spawn(async move { writer.exclusive(WAIT).await.map(drop) })
        };
        while writer.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let first_commit = tokio::spawn(commit(first, AtCommit::default()));
        exclusive.await.unwrap().unwrap();
        assert_eq!(committed(&pool).await, [1]);
        first_commit.await.unwrap().unwrap();
    }
}
