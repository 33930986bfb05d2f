//! SQLite: copying the write-ahead log back into the database file
//! ("checkpointing") happens here, in the background, instead of in
//! whichever request's commit happens to cross SQLite's threshold. A post
//! fanned out to 10,000 home feeds writes ~40 MB of log; checkpointed by
//! that post's own commit, it took the request from ~0.1 s to ~0.7 s.
//!
//! The pool's connections run with `wal_autocheckpoint = 0`; one more
//! connection checkpoints (PASSIVE: it never blocks readers or writers)
//! twice a second for as long as the `Store` lives. Every node sharing the
//! file runs its own, which is harmless.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const INTERVAL: Duration = Duration::from_millis(500);

/// Alive while some clone of the `Store` is; the checkpointer stops
/// within `INTERVAL` of the last one going.
#[derive(Debug)]
pub struct Checkpointer;

pub fn start(options: SqliteConnectOptions) -> Arc<Checkpointer> {
    let alive = Arc::new(Checkpointer);
    let store: Weak<Checkpointer> = Arc::downgrade(&alive);
    tokio::spawn(async move {
        let mut conn = match options.connect().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "no background checkpoints: cannot open the database");
                return;
            }
        };
        while store.strong_count() > 0 {
            tokio::time::sleep(INTERVAL).await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut conn)
                .await
            {
                tracing::warn!(error = %e, "background checkpoint failed");
            }
        }
        // The last one, so that the log does not outlive the store.
        let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    });
    alive
}
