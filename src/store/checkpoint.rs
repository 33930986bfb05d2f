//! SQLite: copying the write-ahead log back into the database file
//! ("checkpointing") happens here, in the background, instead of in
//! whichever request's commit happens to cross SQLite's threshold. A post
//! fanned out to 10,000 home feeds writes ~40 MB of log; checkpointed by
//! that post's own commit, it took the request from ~0.1 s to ~0.7 s.
//!
//! The pool's connections run with `wal_autocheckpoint = 0`; one more
//! connection checkpoints (PASSIVE: it never blocks readers or writers)
//! twice a second until the store is closed or the last clone of it is
//! gone. Every node sharing the file runs its own, which is harmless.

use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::watch;

const INTERVAL: Duration = Duration::from_millis(500);

/// Owned by the `Store` (and its clones).
#[derive(Debug)]
pub struct Checkpointer {
    /// `true` asks the task to stop.
    stop: watch::Sender<bool>,
    /// Becomes `true` once its connection is closed.
    finished: watch::Receiver<bool>,
}

impl Checkpointer {
    /// Stops checkpointing and waits until the connection is closed, so that
    /// a closed store leaves the file to others (`loggia restore`).
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        let mut finished = self.finished.clone();
        let _ = finished.wait_for(|done| *done).await;
    }
}

pub fn start(options: SqliteConnectOptions) -> Arc<Checkpointer> {
    let (stop, mut stopping) = watch::channel(false);
    let (done, finished) = watch::channel(false);
    let checkpointer = Arc::new(Checkpointer { stop, finished });
    tokio::spawn(async move {
        match options.connect().await {
            Ok(mut conn) => {
                // Until asked to stop, or until every clone of the store
                // (and with them the sender) is gone.
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(INTERVAL) => checkpoint(&mut conn).await,
                        changed = stopping.changed() => {
                            if changed.is_err() || *stopping.borrow() {
                                break;
                            }
                        }
                    }
                }
                // The last one, so that the log does not outlive the store.
                checkpoint(&mut conn).await;
                let _ = conn.close().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "no background checkpoints: cannot open the database");
            }
        }
        let _ = done.send(true);
    });
    checkpointer
}

async fn checkpoint(conn: &mut SqliteConnection) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(&mut *conn)
        .await
    {
        tracing::warn!(error = %e, "background checkpoint failed");
    }
}
