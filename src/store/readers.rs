//! SQLite's read connections, pooled here instead of by sqlx. sqlx's pool
//! pings every connection it takes back, in a task of its own: for each
//! statement run outside a transaction, a second round trip to the
//! connection's thread and a spawned task, the thread switches that made
//! up much of a home page's CPU. A SQLite connection is a file handle on
//! this machine, with nothing to go stale in between; and a statement cut
//! short (its caller gave up) is finished by the connection's own thread
//! before the next one starts, so a connection can go back as it is.
//!
//! The most recently used connection is handed out first (its page cache
//! is the warmest), so under a steady load the same few are used and the
//! others close after [`IDLE`] unused, giving their memory back.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a caller waits for a connection before giving up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a connection may sit unused before it is closed.
const IDLE: Duration = Duration::from_secs(60);

/// The read connections: at most `max` open, opened when first needed.
/// Cheap to clone.
#[derive(Clone)]
pub(crate) struct Readers(Arc<Shared>);

struct Shared {
    options: SqliteConnectOptions,
    turns: Semaphore,
    /// Unused connections, the most recently used last.
    idle: Mutex<Vec<Idle>>,
}

struct Idle {
    conn: SqliteConnection,
    since: Instant,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").finish_non_exhaustive()
    }
}

impl Readers {
    /// Opens the first connection (so that a file that cannot be opened is
    /// reported now) and starts closing idle ones in the background.
    pub async fn open(options: SqliteConnectOptions, max: u32) -> Result<Self, sqlx::Error> {
        let first = options.connect().await?;
        let shared = Arc::new(Shared {
            options,
            turns: Semaphore::new(max.max(1) as usize),
            idle: Mutex::new(vec![Idle {
                conn: first,
                since: Instant::now(),
            }]),
        });
        tokio::spawn(close_idle(Arc::downgrade(&shared)));
        Ok(Self(shared))
    }

    /// A connection, waiting for one if `max` are in use.
    pub async fn acquire(&self) -> Result<Reader<'_>, sqlx::Error> {
        let turn = tokio::time::timeout(ACQUIRE_TIMEOUT, self.0.turns.acquire())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.0.lock_idle().pop();
        let conn = match idle {
            Some(idle) => idle.conn,
            None => self.0.options.connect().await?,
        };
        Ok(Reader {
            conn: Some(conn),
            shared: &self.0,
            broken: false,
            _turn: turn,
        })
    }

    /// Closes every connection; later `acquire`s fail.
    pub async fn close(&self) {
        self.0.turns.close();
        let idle = std::mem::take(&mut *self.0.lock_idle());
        for idle in idle {
            let _ = idle.conn.close().await;
        }
    }
}

impl Shared {
    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        // Nothing can panic while the lock is held: a poisoned list is fine.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Every so often, closes the connections unused for [`IDLE`] (also when no
/// request comes to do it), until the readers are gone.
async fn close_idle(shared: Weak<Shared>) {
    let mut every = tokio::time::interval(IDLE / 2);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let stale: Vec<Idle> = {
            let mut idle = shared.lock_idle();
            // Oldest first: the stale ones are a prefix.
            let fresh = idle
                .iter()
                .position(|i| i.since.elapsed() < IDLE)
                .unwrap_or(idle.len());
            idle.drain(..fresh).collect()
        };
        drop(shared);
        for idle in stale {
            let _ = idle.conn.close().await;
        }
    }
}

/// A connection in use; it goes back when dropped, unless it broke.
pub(crate) struct Reader<'a> {
    conn: Option<SqliteConnection>,
    shared: &'a Shared,
    broken: bool,
    _turn: SemaphorePermit<'a>,
}

impl Reader<'_> {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("present until dropped")
    }

    /// Notes what `result` says about the connection: after an error of
    /// the connection itself (not of the statement) it is not reused.
    pub fn check<T>(&mut self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let Err(sqlx::Error::WorkerCrashed | sqlx::Error::Io(_) | sqlx::Error::Protocol(_)) =
            &result
        {
            self.broken = true;
        }
        result
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if self.broken || self.shared.turns.is_closed() {
            // Dropped, its thread ends and closes the handle.
            return;
        }
        self.shared.lock_idle().push(Idle {
            conn,
            since: Instant::now(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Executor;

    async fn readers(max: u32) -> (Readers, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("r.db"))
            .create_if_missing(true);
        (Readers::open(options, max).await.unwrap(), dir)
    }

    /// A connection with a table of its own, to know it when it comes back.
    async fn marked(readers: &Readers) -> Reader<'_> {
        let mut r = readers.acquire().await.unwrap();
        r.conn()
            .execute("CREATE TEMP TABLE mark (x)")
            .await
            .unwrap();
        r
    }

    #[tokio::test]
    async fn a_connection_is_reused_and_bounded() {
        let (readers, _dir) = readers(2).await;
        drop(marked(&readers).await);
        // The same connection comes back: its temp table is there.
        let mut r = readers.acquire().await.unwrap();
        r.conn().execute("SELECT * FROM mark").await.unwrap();
        // A second one is opened while the first is in use; a third waits.
        let mut second = readers.acquire().await.unwrap();
        assert!(second.conn().execute("SELECT * FROM mark").await.is_err());
        let waiting = tokio::time::timeout(Duration::from_millis(50), readers.acquire()).await;
        assert!(waiting.is_err(), "a third connection past max = 2");
        drop(r);
        let mut third = readers.acquire().await.unwrap();
        third.conn().execute("SELECT * FROM mark").await.unwrap();
    }

    #[tokio::test]
    async fn a_statement_given_up_on_leaves_the_connection_usable() {
        let (readers, _dir) = readers(1).await;
        let mut r = marked(&readers).await;
        // Millions of rows: given up on after 20 ms, while still running.
        let long = sqlx::query_scalar::<_, i64>(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)
             SELECT i FROM n",
        )
        .fetch_all(r.conn());
        assert!(
            tokio::time::timeout(Duration::from_millis(20), long)
                .await
                .is_err()
        );
        drop(r);
        let mut r = readers.acquire().await.unwrap();
        let one: i64 = sqlx::query_scalar("SELECT 1 + COUNT(*) FROM mark")
            .fetch_one(r.conn())
            .await
            .unwrap();
        assert_eq!(one, 1);
    }

    #[tokio::test]
    async fn a_broken_connection_is_not_reused() {
        let (readers, _dir) = readers(1).await;
        {
            let mut r = marked(&readers).await;
            let _ = r.check::<()>(Err(sqlx::Error::WorkerCrashed));
        }
        let mut r = readers.acquire().await.unwrap();
        assert!(r.conn().execute("SELECT * FROM mark").await.is_err());
        drop(r);
        readers.close().await;
        assert!(matches!(
            readers.acquire().await.map(drop),
            Err(sqlx::Error::PoolClosed)
        ));
    }
}
