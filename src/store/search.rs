//! Search: accounts and hashtags by prefix, statuses by full text (FTS5 on
//! SQLite, `tsvector` on PostgreSQL — the two arms side by side).

use sqlx::AssertSqlSafe;

use super::{Exec, StoreResult, VISIBLE, Viewer, run, sub_store};
use crate::model::{Account, AccountId, Status, StatusId};

sub_store!(Search);

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_prefix(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 1);
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// An FTS5 query matching every word of `q` (each quoted, so no operator
/// in the user's text is interpreted).
fn fts5_query(q: &str) -> String {
    q.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Search<'_> {
    /// Accounts whose user name starts with `q` or whose display name
    /// contains it; with `following_of`, only accounts that one follows.
    pub async fn accounts(
        mut self,
        q: &str,
        following_of: Option<AccountId>,
        limit: i64,
    ) -> StoreResult<Vec<Account>> {
        let prefix = like_prefix(q.trim_start_matches('@'));
        let anywhere = format!("%{prefix}");
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Account>(
            "SELECT a.* FROM accounts a
             WHERE a.suspended_at IS NULL AND a.actor_type <> 'Application'
             AND (lower(a.username) LIKE $1 ESCAPE '\\' OR lower(a.display_name) LIKE $2 ESCAPE '\\')
             AND ($3 IS NULL OR EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $3 AND f.target_account_id = a.id))
             ORDER BY a.followers_count DESC, a.id LIMIT +$4",
        )
        .bind(&prefix)
        .bind(&anywhere)
        .bind(following_of)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Hashtags starting with `q` that the viewer may know of: used on a
    /// status they may see, or followed by them (a tag used only in
    /// company-only or private posts must not leak its name).
    pub async fn hashtags(
        mut self,
        q: &str,
        viewer: Viewer,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        let prefix = like_prefix(q.trim_start_matches('#'));
        let sql = format!(
            "SELECT t.id, t.name FROM tags t WHERE t.name_lower LIKE $3 ESCAPE '\\'
             AND (EXISTS (SELECT 1 FROM followed_tags ft WHERE ft.tag_id = t.id AND ft.account_id = $1)
                  OR EXISTS (SELECT 1 FROM status_tags st JOIN statuses s ON s.id = st.status_id
                             WHERE st.tag_id = t.id AND {VISIBLE}))
             ORDER BY t.name_lower LIMIT +$4"
        );
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql.clone()))
            .bind(viewer.account_id.map_or(-1, |a| a.0))
            .bind(viewer.local)
            .bind(&prefix)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(rows)
    }

    /// A tag by name if the viewer may know of it (see `hashtags`).
    pub async fn visible_tag(
        mut self,
        name: &str,
        viewer: Viewer,
    ) -> StoreResult<Option<(i64, String)>> {
        let sql = format!(
            "SELECT t.id, t.name FROM tags t WHERE t.name_lower = $3
             AND (EXISTS (SELECT 1 FROM followed_tags ft WHERE ft.tag_id = t.id AND ft.account_id = $1)
                  OR EXISTS (SELECT 1 FROM status_tags st JOIN statuses s ON s.id = st.status_id
                             WHERE st.tag_id = t.id AND {VISIBLE}))"
        );
        let row = run!(self.0.exec, e => sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql.clone()))
            .bind(viewer.account_id.map_or(-1, |a| a.0))
            .bind(viewer.local)
            .bind(name.to_lowercase())
            .fetch_optional(e)
            .await)?;
        Ok(row)
    }

    /// Statuses containing every word of `q` that `viewer` may see, newest
    /// first, optionally by one account and below `max_id`.
    pub async fn statuses(
        mut self,
        q: &str,
        viewer: Viewer,
        by: Option<AccountId>,
        max_id: Option<StatusId>,
        min_id: Option<StatusId>,
        limit: i64,
    ) -> StoreResult<Vec<Status>> {
        let is_pg = matches!(self.0.exec, Exec::PgPool(_) | Exec::Pg(_));
        let (sql, query) = if is_pg {
            (
                format!(
                    "SELECT s.* FROM statuses s
                     WHERE s.search_vector @@ plainto_tsquery('simple', $3)
                     AND ($4 IS NULL OR s.account_id = $4) AND ($5 IS NULL OR s.id < $5)
                     AND ($7 IS NULL OR s.id > $7)
                     AND s.reblog_of_id IS NULL AND {VISIBLE}
                     ORDER BY s.id DESC LIMIT +$6"
                ),
                crate::text::fold_for_search(q),
            )
        } else {
            (
                format!(
                    "SELECT s.* FROM statuses_fts f JOIN statuses s ON s.id = f.rowid
                     WHERE statuses_fts MATCH $3
                     AND ($4 IS NULL OR s.account_id = $4) AND ($5 IS NULL OR s.id < $5)
                     AND ($7 IS NULL OR s.id > $7)
                     AND s.reblog_of_id IS NULL AND {VISIBLE}
                     ORDER BY s.id DESC LIMIT +$6"
                ),
                fts5_query(q),
            )
        };
        if query.trim().is_empty() {
            return Ok(Vec::new());
        }
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.account_id.map_or(-1, |a| a.0))
            .bind(viewer.local)
            .bind(&query)
            .bind(by)
            .bind(max_id)
            .bind(limit)
            .bind(min_id)
            .fetch_all(e)
            .await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_inject_patterns_or_operators() {
        assert_eq!(like_prefix("50%_off\\"), "50\\%\\_off\\\\%");
        assert_eq!(
            fts5_query("launch \"NEAR\" OR x"),
            "\"launch\" \"\"\"NEAR\"\"\" \"OR\" \"x\""
        );
    }
}
