//! Rules of the moderation policy engine, as stored.

use super::{StoreResult, run, sub_store};
use crate::model::Timestamp;

sub_store!(Rules);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub name: String,
    pub direction: String,
    pub match_kind: String,
    /// JSON list.
    pub patterns: String,
    /// JSON list.
    pub domains: String,
    pub action: String,
    pub action_text: String,
    pub company_preview: bool,
    pub enabled: bool,
    pub position: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Rules<'_> {
    /// Every rule, in evaluation order.
    pub async fn all(mut self) -> StoreResult<Vec<RuleRow>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, RuleRow>(
            "SELECT * FROM moderation_rules ORDER BY position, id",
        )
        .fetch_all(e)
        .await)?)
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<RuleRow>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, RuleRow>(
            "SELECT * FROM moderation_rules WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?)
    }

    pub async fn by_name(mut self, name: &str) -> StoreResult<Option<RuleRow>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, RuleRow>(
            "SELECT * FROM moderation_rules WHERE name = $1 ORDER BY id LIMIT 1",
        )
        .bind(name)
        .fetch_optional(e)
        .await)?)
    }

    /// Inserts `rule` (its id and times are assigned) and returns it.
    pub async fn insert(mut self, rule: &RuleRow) -> StoreResult<RuleRow> {
        let now = Timestamp::now();
        let row = RuleRow {
            id: self.0.next_id(),
            created_at: now,
            updated_at: now,
            ..rule.clone()
        };
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO moderation_rules (id, name, direction, match_kind, patterns, domains,
                 action, action_text, company_preview, enabled, position, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(row.id)
        .bind(&row.name)
        .bind(&row.direction)
        .bind(&row.match_kind)
        .bind(&row.patterns)
        .bind(&row.domains)
        .bind(&row.action)
        .bind(&row.action_text)
        .bind(row.company_preview)
        .bind(row.enabled)
        .bind(row.position)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(row)
    }

    pub async fn update(mut self, rule: &RuleRow) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE moderation_rules SET name = $2, direction = $3, match_kind = $4, patterns = $5,
                 domains = $6, action = $7, action_text = $8, company_preview = $9, enabled = $10,
                 position = $11, updated_at = $12
             WHERE id = $1",
        )
        .bind(rule.id)
        .bind(&rule.name)
        .bind(&rule.direction)
        .bind(&rule.match_kind)
        .bind(&rule.patterns)
        .bind(&rule.domains)
        .bind(&rule.action)
        .bind(&rule.action_text)
        .bind(rule.company_preview)
        .bind(rule.enabled)
        .bind(rule.position)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn delete(mut self, id: i64) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query("DELETE FROM moderation_rules WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}
