//! Batch loads for rendering a page of statuses: one query per kind of
//! thing for the whole page, instead of one per status (a home page of 20
//! posts took ~180 queries that way).
//!
//! Most loaders write the ids (integers of our own) into the SQL as a
//! literal list, the same text on SQLite and PostgreSQL, and send it as a
//! one-off statement, since each page's list differs. `visible` binds them
//! as one parameter instead (`in_bound_ids`), which keeps its statement
//! prepared; the others should follow.

use sqlx::AssertSqlSafe;

use std::collections::HashSet;

use super::statuses::VISIBLE;
use super::{Exec, StoreResult, Viewer, run, sub_store};
use crate::model::media::Media;
use crate::model::oauth::App;
use crate::model::poll::Poll;
use crate::model::{Account, AccountId, AppId, Status, StatusId};

sub_store!(Hydration);

/// `1,2,3` for an `IN (…)` (integers only: typed ids print as their
/// number); callers skip the query when `ids` is empty.
fn list<T: std::fmt::Display>(ids: &[T]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(ids.len() * 20);
    for (n, id) in ids.iter().enumerate() {
        let comma = if n > 0 { "," } else { "" };
        let _ = write!(out, "{comma}{id}");
    }
    out
}

/// `column IN (…)` over the ids bound as parameter `$n`, a JSON array
/// (`[1,2,3]`): the statement's text is the same whatever the list, so it
/// stays prepared.
fn in_bound_ids(exec: &Exec<'_>, column: &str, n: u8) -> String {
    match exec {
        Exec::SqlitePool(_) | Exec::Sqlite(_) => {
            format!("{column} IN (SELECT value FROM json_each(${n}))")
        }
        Exec::PgPool(_) | Exec::Pg(_) => {
            format!("{column} IN (SELECT jsonb_array_elements_text(${n}::jsonb)::bigint)")
        }
    }
}

impl Hydration<'_> {
    pub async fn accounts(mut self, ids: &[AccountId]) -> StoreResult<Vec<Account>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM accounts WHERE id IN ({})", list(ids));
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Account>(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .fetch_all(e)
            .await)?,
        )
    }

    /// (status, mentioned account), by status then account.
    pub async fn mentions(mut self, ids: &[StatusId]) -> StoreResult<Vec<(StatusId, AccountId)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT status_id, account_id FROM status_mentions WHERE status_id IN ({})
             ORDER BY status_id, account_id",
            list(ids)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .fetch_all(e)
            .await)?,
        )
    }

    /// (status, hashtag as first written), each status's tags by name.
    pub async fn tags(mut self, ids: &[StatusId]) -> StoreResult<Vec<(StatusId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT st.status_id, t.name FROM tags t JOIN status_tags st ON st.tag_id = t.id
             WHERE st.status_id IN ({}) ORDER BY st.status_id, t.name_lower",
            list(ids)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .fetch_all(e)
            .await)?,
        )
    }

    /// Attachments of these statuses, each status's in upload order.
    pub async fn media(mut self, ids: &[StatusId]) -> StoreResult<Vec<Media>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT * FROM media_attachments WHERE status_id IN ({}) ORDER BY status_id, id",
            list(ids)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Media>(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .fetch_all(e)
            .await)?,
        )
    }

    pub async fn polls(mut self, ids: &[StatusId]) -> StoreResult<Vec<Poll>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM polls WHERE status_id IN ({})", list(ids));
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Poll>(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .fetch_all(e)
            .await)?,
        )
    }

    pub async fn apps(mut self, ids: &[AppId]) -> StoreResult<Vec<App>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM oauth_apps WHERE id IN ({})", list(ids));
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, App>(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .fetch_all(e)
            .await)?,
        )
    }

    /// The statuses among `ids` that `viewer` may see (the originals of a
    /// page's boosts). The ids are a bound parameter, so that the statement
    /// is kept prepared: as a one-off (unnamed) statement with a literal
    /// list it failed on PostgreSQL ("unnamed prepared statement does not
    /// exist"), most likely because `statuses` has a `tsvector` column whose
    /// type sqlx looks up with a query of its own while preparing, and that
    /// query takes the unnamed statement's place. The other loaders here
    /// read no such column.
    pub async fn visible(mut self, ids: &[StatusId], viewer: Viewer) -> StoreResult<Vec<Status>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT s.* FROM statuses s WHERE {} AND {VISIBLE}",
            in_bound_ids(&self.0.exec, "s.id", 3)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.id())
            .bind(viewer.local)
            .bind(format!("[{}]", list(ids)))
            .fetch_all(e)
            .await)?,
        )
    }

    /// Which of `ids` `account` favourited, bookmarked, pinned or boosted,
    /// in one query.
    pub async fn marks(mut self, account: AccountId, ids: &[StatusId]) -> StoreResult<ViewerMarks> {
        let mut marks = ViewerMarks::default();
        if ids.is_empty() {
            return Ok(marks);
        }
        let ids = list(ids);
        let sql = format!(
            "SELECT 0, status_id FROM favourites WHERE account_id = $1 AND status_id IN ({ids})
             UNION ALL SELECT 1, status_id FROM bookmarks WHERE account_id = $1 AND status_id IN ({ids})
             UNION ALL SELECT 2, status_id FROM status_pins WHERE account_id = $1 AND status_id IN ({ids})
             UNION ALL SELECT 3, reblog_of_id FROM statuses WHERE account_id = $1 AND reblog_of_id IN ({ids})"
        );
        let rows: Vec<(i32, StatusId)> = run!(self.0.exec, e => sqlx::query_as(AssertSqlSafe(sql.clone()))
            .persistent(false)
            .bind(account)
            .fetch_all(e)
            .await)?;
        for (kind, id) in rows {
            let set = match kind {
                0 => &mut marks.favourited,
                1 => &mut marks.bookmarked,
                2 => &mut marks.pinned,
                _ => &mut marks.reblogged,
            };
            set.insert(id);
        }
        Ok(marks)
    }
}

/// What one viewer did to a page's statuses.
#[derive(Debug, Default)]
pub struct ViewerMarks {
    pub favourited: HashSet<StatusId>,
    pub bookmarked: HashSet<StatusId>,
    pub pinned: HashSet<StatusId>,
    pub reblogged: HashSet<StatusId>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn literal_lists() {
        assert_eq!(super::list::<i64>(&[1, -2, 30]), "1,-2,30");
        assert_eq!(super::list::<i64>(&[]), "");
    }
}
