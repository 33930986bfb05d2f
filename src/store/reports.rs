//! Reports: filed here by users or received from other servers (`Flag`),
//! the statuses they name, their handling by moderators (assignment,
//! resolution) and the moderators' notes on them.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Page, StatusId, Timestamp};

sub_store!(Reports);

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    /// Who reported: a local user, or a remote actor (often the other
    /// server's instance actor).
    pub account_id: AccountId,
    pub target_account_id: AccountId,
    /// JSON list of the URIs of the reported statuses, kept when a status
    /// is deleted.
    pub status_uris: String,
    pub comment: String,
    /// The `Flag`'s id, for reports received from other servers.
    pub uri: Option<String>,
    /// `spam`, `legal`, `violation` or `other`.
    pub category: String,
    /// JSON list of the cited rules' ids (as text).
    pub rule_ids: String,
    /// The reporter asked for a copy to go to the target's server.
    pub forward: bool,
    /// When that copy was queued.
    pub forwarded_at: Option<Timestamp>,
    pub assigned_account_id: Option<AccountId>,
    pub action_taken_by_account_id: Option<AccountId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

impl Report {
    pub fn rule_id_list(&self) -> Vec<String> {
        serde_json::from_str(&self.rule_ids).unwrap_or_default()
    }

    pub fn status_uri_list(&self) -> Vec<String> {
        serde_json::from_str(&self.status_uris).unwrap_or_default()
    }
}

/// A report to record.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub account_id: AccountId,
    pub target_account_id: AccountId,
    /// The reported statuses, with their URIs.
    pub statuses: Vec<(StatusId, String)>,
    pub comment: String,
    pub category: String,
    pub rule_ids: Vec<String>,
    pub forward: bool,
    pub uri: Option<String>,
}

/// What to list; `None` does not narrow.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub resolved: Option<bool>,
    pub account_id: Option<AccountId>,
    pub target_account_id: Option<AccountId>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReportNote {
    pub id: i64,
    pub report_id: i64,
    pub account_id: AccountId,
    pub content: String,
    pub created_at: Timestamp,
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

impl Reports<'_> {
    /// Records a report and its statuses; `None` if a report with the
    /// same `uri` exists already (a redelivered `Flag`). Use inside a
    /// transaction, so the report and its statuses land together.
    pub async fn insert(mut self, new: &NewReport) -> StoreResult<Option<Report>> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let uris: Vec<String> = new.statuses.iter().map(|(_, uri)| uri.clone()).collect();
        let report = run!(self.0.exec, e => sqlx::query_as::<_, Report>(
            "INSERT INTO reports (id, account_id, target_account_id, status_uris, comment, uri,
                 category, rule_ids, forward, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (uri) DO NOTHING
             RETURNING *",
        )
        .bind(id)
        .bind(new.account_id)
        .bind(new.target_account_id)
        .bind(json_list(&uris))
        .bind(&new.comment)
        .bind(&new.uri)
        .bind(&new.category)
        .bind(json_list(&new.rule_ids))
        .bind(new.forward)
        .bind(now)
        .fetch_optional(e)
        .await)?;
        let Some(report) = report else {
            return Ok(None);
        };
        for (status, _) in &new.statuses {
            run!(self.0.exec, e => sqlx::query(
                "INSERT INTO report_statuses (report_id, status_id) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(report.id)
            .bind(status)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(Some(report))
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<Report>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Report>(
            "SELECT * FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// The reported statuses that still exist, oldest first.
    pub async fn status_ids(mut self, report: i64) -> StoreResult<Vec<StatusId>> {
        let ids = run!(self.0.exec, e => sqlx::query_scalar::<_, StatusId>(
            "SELECT status_id FROM report_statuses WHERE report_id = $1 ORDER BY status_id",
        )
        .bind(report)
        .fetch_all(e)
        .await)?;
        Ok(ids)
    }

    /// Reports matching `filter`, newest first, by keyset on the id.
    pub async fn page(mut self, filter: &ReportFilter, page: &Page) -> StoreResult<Vec<Report>> {
        let sql = keyset(
            "SELECT * FROM reports
             WHERE ($1 IS NULL OR (resolved_at IS NOT NULL) = $1)
               AND ($2 IS NULL OR account_id = $2)
               AND ($3 IS NULL OR target_account_id = $3)",
            "id",
            4,
            page,
        );
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Report>(AssertSqlSafe(sql.as_str()))
            .bind(filter.resolved)
            .bind(filter.account_id)
            .bind(filter.target_account_id)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// Reports about an account, oldest first: (reporter, comment).
    pub async fn about(mut self, target: AccountId) -> StoreResult<Vec<(AccountId, String)>> {
        let rows = run!(self.0.exec, e => sqlx::query_as(
            "SELECT account_id, comment FROM reports WHERE target_account_id = $1 ORDER BY id",
        )
        .bind(target)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Notes that a copy of the report was queued for another server.
    pub async fn set_forwarded(mut self, id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE reports SET forwarded_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Assigns the report to a moderator, or to nobody.
    pub async fn assign(mut self, id: i64, to: Option<AccountId>) -> StoreResult<Option<Report>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Report>(
            "UPDATE reports SET assigned_account_id = $2, updated_at = $3 WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .bind(to)
        .bind(Timestamp::now())
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// Marks the report resolved by `by`, or open again (`None`).
    pub async fn set_resolved(
        mut self,
        id: i64,
        by: Option<AccountId>,
    ) -> StoreResult<Option<Report>> {
        let now = Timestamp::now();
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Report>(
            "UPDATE reports SET action_taken_by_account_id = $2,
                 resolved_at = CASE WHEN $2 IS NULL THEN NULL ELSE $3 END, updated_at = $3
             WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .bind(by)
        .bind(now)
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// Changes the category and the rules cited.
    pub async fn categorize(
        mut self,
        id: i64,
        category: &str,
        rule_ids: &[String],
    ) -> StoreResult<Option<Report>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Report>(
            "UPDATE reports SET category = $2, rule_ids = $3, updated_at = $4
             WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .bind(category)
        .bind(json_list(rule_ids))
        .bind(Timestamp::now())
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    pub async fn add_note(
        mut self,
        report: i64,
        author: AccountId,
        content: &str,
    ) -> StoreResult<ReportNote> {
        let id = self.0.next_id();
        let note = run!(self.0.exec, e => sqlx::query_as::<_, ReportNote>(
            "INSERT INTO report_notes (id, report_id, account_id, content, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING *",
        )
        .bind(id)
        .bind(report)
        .bind(author)
        .bind(content)
        .bind(Timestamp::now())
        .fetch_one(e)
        .await)?;
        Ok(note)
    }

    /// The notes on a report, oldest first.
    pub async fn notes(mut self, report: i64) -> StoreResult<Vec<ReportNote>> {
        let notes = run!(self.0.exec, e => sqlx::query_as::<_, ReportNote>(
            "SELECT * FROM report_notes WHERE report_id = $1 ORDER BY id",
        )
        .bind(report)
        .fetch_all(e)
        .await)?;
        Ok(notes)
    }

    pub async fn note(mut self, report: i64, id: i64) -> StoreResult<Option<ReportNote>> {
        let note = run!(self.0.exec, e => sqlx::query_as::<_, ReportNote>(
            "SELECT * FROM report_notes WHERE report_id = $1 AND id = $2",
        )
        .bind(report)
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(note)
    }

    pub async fn delete_note(mut self, report: i64, id: i64) -> StoreResult<bool> {
        let done = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM report_notes WHERE report_id = $1 AND id = $2",
        )
        .bind(report)
        .bind(id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
