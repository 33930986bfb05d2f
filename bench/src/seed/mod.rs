//! Bulk-loads a large instance into a freshly migrated database: local
//! users with tokens, a skewed follow graph, statuses over many days with
//! replies, boosts, mentions and hashtags, the home feeds Loggia's fan-out
//! would have built, and every counter and index the app keeps in step.
//! Plus the herald, the fan-out workload's author.

mod load;
mod plan;
mod rows;
mod serve;
mod words;

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::backend::{Database, Kind};
use crate::scale::Scale;
use load::Loader;
use plan::Plan;
pub use serve::serve;

/// Every seeded user's password (one argon2 hash, computed once).
pub const PASSWORD: &str = "bench-password-1";
/// The generator's seed: the same scale always gives the same instance.
const SEED: u64 = 0x10_991a;
/// Home feeds written per batch.
const FEEDS_PER_BATCH: usize = 250;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalUser {
    pub account_id: i64,
    pub username: String,
    /// A bearer token with the scopes "read write follow".
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seeded {
    pub backend: String,
    pub scale: String,
    pub users: Vec<LocalUser>,
    /// Followed by `scale.fanout_local` of `users`; posts nothing.
    pub herald: LocalUser,
    /// (index into `users`, a `max_id` 400 entries deep into that user's
    /// home feed), for users whose feed is that long.
    pub deep_max_ids: Vec<(usize, i64)>,
    pub accounts: usize,
    pub follows: usize,
    pub statuses: usize,
    pub replies: usize,
    pub boosts: usize,
    pub mentions: usize,
    pub tagged: usize,
    pub home_rows: usize,
    pub seconds: f64,
    /// The database's size on disk after loading.
    pub bytes: u64,
    /// Time per step (plan, users, statuses, …), in seconds.
    pub steps: Vec<(String, f64)>,
}

impl Seeded {
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "backend": self.backend,
            "scale": self.scale,
            "accounts": self.accounts,
            "users_with_tokens": self.users.len(),
            "herald": self.herald.username,
            "follows": self.follows,
            "statuses": self.statuses,
            "replies": self.replies,
            "boosts": self.boosts,
            "mentions": self.mentions,
            "statuses_with_hashtags": self.tagged,
            "home_feed_rows": self.home_rows,
            "deep_page_users": self.deep_max_ids.len(),
            "seconds": (self.seconds * 10.0).round() / 10.0,
            "database_mb": (self.bytes as f64 / 1e5).round() / 10.0,
            "steps_seconds": self.steps.iter()
                .map(|(step, s)| (step.clone(), serde_json::json!((s * 10.0).round() / 10.0)))
                .collect::<serde_json::Map<_, _>>(),
        })
    }

    /// Where `seed` leaves the users and tokens, next to the database.
    pub fn path(db: &Database) -> std::path::PathBuf {
        db.dir.join("seeded.json")
    }

    /// The record of an earlier `seed` of this database.
    pub fn read(db: &Database) -> Result<Self> {
        let path = Self::path(db);
        let json = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (seed first)", path.display()))?;
        Ok(serde_json::from_str(&json)?)
    }
}

/// Fills `db` (freshly migrated) at `scale`.
pub async fn seed(db: &Database, scale: &Scale) -> Result<Seeded> {
    let started = Instant::now();
    let mut steps = Vec::new();
    let mut step = Instant::now();
    let mut lap = |name: &str, steps: &mut Vec<(String, f64)>| {
        steps.push((name.to_owned(), step.elapsed().as_secs_f64()));
        step = Instant::now();
    };

    let now = chrono::Utc::now().timestamp_millis();
    let plan = Plan::new(scale, SEED, now);
    let password_hash = tokio::task::spawn_blocking(|| loggia::crypto::hash_password(PASSWORD))
        .await?
        .map_err(anyhow::Error::msg)?;
    let base_url = db.base_url();
    lap("plan", &mut steps);

    let mut loader = Loader::connect(db).await?;
    let tokens = rows::accounts_and_users(&mut loader, &plan, &base_url, &password_hash).await?;
    lap("accounts, users, tokens, follows", &mut steps);

    // PostgreSQL: the search index is built once after the load (as
    // migration 0005 makes it), far faster than a GIN insert per status.
    if db.kind == Kind::Postgres {
        loader.execute("DROP INDEX statuses_search").await?;
    }
    let loaded = rows::statuses(&mut loader, &plan, &base_url, SEED).await?;
    if db.kind == Kind::Postgres {
        loader
            .execute("CREATE INDEX statuses_search ON statuses USING GIN (search_vector)")
            .await?;
    }
    lap("statuses, tags, mentions, notifications", &mut steps);

    // Building the status index of the home feeds once, afterwards, takes
    // a quarter of the time of keeping it up row by row; it is made again
    // exactly as migration 0002 makes it.
    loader.execute("DROP INDEX home_feed_status").await?;
    let mut home_rows = 0;
    let mut deep_max_ids = Vec::new();
    for first in (0..plan.users()).step_by(FEEDS_PER_BATCH) {
        let mut batch = Vec::new();
        for account in first..(first + FEEDS_PER_BATCH).min(plan.users()) {
            let feed = plan.home_feed(account);
            if let Some(&deep) = feed.get(400) {
                deep_max_ids.push((account, deep));
            }
            let id = plan.accounts[account].id;
            // Ascending, so the primary key is appended to in order.
            batch.extend(feed.iter().rev().map(|&s| vec![id.into(), s.into()]));
        }
        home_rows += batch.len();
        loader
            .insert("home_feed", &["account_id", "status_id"], &batch)
            .await?;
    }
    loader
        .execute("CREATE INDEX home_feed_status ON home_feed (status_id)")
        .await?;
    lap("home feeds", &mut steps);

    if scale.statuses <= Scale::smoke().statuses {
        let broken = loader.foreign_key_violations().await?;
        anyhow::ensure!(broken == 0, "{broken} rows point at nothing");
    }
    loader.finish().await?;
    lap("analyze", &mut steps);

    let users: Vec<LocalUser> = (0..plan.users())
        .map(|i| LocalUser {
            account_id: plan.accounts[i].id,
            username: plan.accounts[i].username.clone(),
            token: tokens[i].clone(),
        })
        .collect();
    let herald = plan.herald();
    let seeded = Seeded {
        backend: db.kind.name().to_owned(),
        scale: scale.name.to_owned(),
        users,
        herald: LocalUser {
            account_id: plan.accounts[herald].id,
            username: plan.accounts[herald].username.clone(),
            token: tokens[herald].clone(),
        },
        deep_max_ids,
        accounts: plan.accounts.len(),
        follows: plan.follows.len(),
        statuses: plan.posts.len(),
        replies: plan.posts.iter().filter(|p| p.parent.is_some()).count(),
        boosts: plan.posts.iter().filter(|p| p.reblog_of.is_some()).count(),
        mentions: loaded.mentions,
        tagged: loaded.tagged,
        home_rows,
        seconds: started.elapsed().as_secs_f64(),
        bytes: size(db).await?,
        steps,
    };
    std::fs::write(Seeded::path(db), serde_json::to_vec(&seeded)?)?;
    Ok(seeded)
}

/// The database's size: the SQLite file (and its WAL), or
/// `pg_database_size`.
async fn size(db: &Database) -> Result<u64> {
    match db.kind {
        Kind::Sqlite => {
            let file = db.dir.join("loggia.db");
            let mut bytes = std::fs::metadata(&file)?.len();
            for extra in ["loggia.db-wal", "loggia.db-shm"] {
                bytes += std::fs::metadata(db.dir.join(extra)).map_or(0, |m| m.len());
            }
            Ok(bytes)
        }
        Kind::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url).await?;
            let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&mut conn)
                .await?;
            conn.close().await?;
            Ok(bytes as u64)
        }
    }
}
