//! Bulk-loads a large instance (placeholder; being written).

use anyhow::Result;

use crate::backend::Database;
use crate::scale::Scale;

#[derive(Debug, Clone)]
pub struct LocalUser {
    pub account_id: i64,
    pub username: String,
    pub token: String,
}

/// The contract of the seeder (see /tmp/dev/BENCH-BRIEF.md).
#[derive(Debug, Clone)]
pub struct Seeded {
    pub users: Vec<LocalUser>,
    pub herald: LocalUser,
    pub deep_max_ids: Vec<(usize, i64)>,
    pub accounts: usize,
    pub statuses: usize,
    pub home_rows: usize,
    pub seconds: f64,
}

impl Seeded {
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({})
    }
}

pub async fn seed(_db: &Database, _scale: &Scale) -> Result<Seeded> {
    anyhow::bail!("not written yet")
}
