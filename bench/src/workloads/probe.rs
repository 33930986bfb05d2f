//! The harness's own look into a database while Loggia runs on it: counts
//! that tell when work is done (rows in `home_feed`, `statuses`), and
//! clearing the delivery queue between runs. Raw SQL, written once for
//! both dialects (plain `$N` placeholders work on both).

use anyhow::Result;
use sqlx::{PgPool, SqlitePool};

use crate::backend::{Database, Kind};

pub enum Probe {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Probe {
    /// A small pool next to Loggia's (SQLite in WAL mode lets it read
    /// while Loggia writes).
    pub async fn connect(db: &Database) -> Result<Self> {
        Ok(match db.kind {
            Kind::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = db.url.parse()?;
                let options = options.busy_timeout(std::time::Duration::from_secs(10));
                Self::Sqlite(
                    sqlx::pool::PoolOptions::new()
                        .max_connections(2)
                        .connect_with(options)
                        .await?,
                )
            }
            Kind::Postgres => Self::Postgres(
                sqlx::pool::PoolOptions::new()
                    .max_connections(2)
                    .connect(&db.url)
                    .await?,
            ),
        })
    }

    /// The one integer `sql` answers with `arg` as `$1` (0 for NULL).
    pub async fn scalar(&self, sql: &'static str, arg: i64) -> Result<i64> {
        let value: Option<i64> = match self {
            Self::Sqlite(pool) => sqlx::query_scalar(sql).bind(arg).fetch_one(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar(sql).bind(arg).fetch_one(pool).await?,
        };
        Ok(value.unwrap_or(0))
    }

    pub async fn execute(&self, sql: &'static str) -> Result<u64> {
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
            Self::Postgres(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
        })
    }

    /// Empties the delivery queue and forgets peer health, so that one
    /// run's retries (to dead or failing hosts) do not run into the next.
    pub async fn clear_deliveries(&self) -> Result<()> {
        self.execute("DELETE FROM deliveries").await?;
        self.execute("DELETE FROM outbound_activities").await?;
        self.execute("DELETE FROM peer_hosts").await?;
        Ok(())
    }

    pub async fn close(self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
