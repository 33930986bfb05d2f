//! The audit log: every moderation decision, appended, never changed.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Page, Timestamp};

sub_store!(AuditLog);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub created_at: Timestamp,
    pub actor_account_id: Option<AccountId>,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub reason: String,
    /// JSON object with what else the decision rested on.
    pub details: String,
}

/// One decision to record.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry {
    /// The person who acted, if a person did.
    pub actor_account_id: Option<AccountId>,
    /// Who acted, as text: a username, `rule:ID`, `hook:ID`, `system`.
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub reason: String,
    pub details: serde_json::Value,
}

/// What to look for; every field narrows, empty fields do not.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// An exact action, or a prefix ending in `.` (`review.`).
    pub action: Option<String>,
    pub actor: Option<String>,
    pub actor_account_id: Option<AccountId>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl AuditLog<'_> {
    pub async fn append(mut self, entry: &NewAuditEntry) -> StoreResult<i64> {
        let id = self.0.next_id();
        let details = if entry.details.is_null() {
            "{}".to_owned()
        } else {
            entry.details.to_string()
        };
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO audit_log (id, created_at, actor_account_id, actor, action,
                 target_kind, target_id, reason, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(Timestamp::now())
        .bind(entry.actor_account_id)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.target_kind)
        .bind(&entry.target_id)
        .bind(&entry.reason)
        .bind(&details)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Entries matching `filter`, newest first, by keyset on the id.
    pub async fn page(mut self, filter: &AuditFilter, page: &Page) -> StoreResult<Vec<AuditEntry>> {
        let (action_exact, action_prefix) = match &filter.action {
            Some(a) if a.ends_with('.') => (None, Some(format!("{}%", like_escape(a)))),
            Some(a) => (Some(a.clone()), None),
            None => (None, None),
        };
        let sql = keyset(
            "SELECT * FROM audit_log
             WHERE ($1 IS NULL OR action = $1)
               AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\')
               AND ($3 IS NULL OR actor = $3)
               AND ($4 IS NULL OR actor_account_id = $4)
               AND ($5 IS NULL OR target_kind = $5)
               AND ($6 IS NULL OR target_id = $6)
               AND ($7 IS NULL OR created_at >= $7)
               AND ($8 IS NULL OR created_at <= $8)",
            "id",
            9,
            page,
        );
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, AuditEntry>(AssertSqlSafe(sql.as_str()))
            .bind(&action_exact)
            .bind(&action_prefix)
            .bind(&filter.actor)
            .bind(filter.actor_account_id)
            .bind(&filter.target_kind)
            .bind(&filter.target_id)
            .bind(filter.since)
            .bind(filter.until)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
