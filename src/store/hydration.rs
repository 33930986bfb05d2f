//! Batch loads for rendering a page of statuses: one query per kind of
//! thing for the whole page, instead of one per status (a home page of 20
//! posts took ~180 queries that way).
//!
//! Every loader binds the page's ids as one parameter, a JSON array
//! (`in_bound_ids`), so its statement text is the same for every page and
//! stays prepared. Writing the ids into the SQL as a literal list made each
//! page's statements one-offs: compiling them was 15 % of a home timeline
//! page's CPU on SQLite.

use sqlx::AssertSqlSafe;

use std::collections::HashSet;

use super::statuses::VISIBLE;
use super::{Exec, StoreResult, Viewer, run, sub_store};
use crate::model::media::Media;
use crate::model::oauth::App;
use crate::model::poll::Poll;
use crate::model::{Account, AccountId, AppId, Status, StatusId};

sub_store!(Hydration);

/// `[1,2,3]`, the ids as the JSON array `in_bound_ids` reads (integers
/// only: typed ids print as their number).
fn json_array<T: std::fmt::Display>(ids: &[T]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(ids.len() * 20 + 2);
    out.push('[');
    for (n, id) in ids.iter().enumerate() {
        let comma = if n > 0 { "," } else { "" };
        let _ = write!(out, "{comma}{id}");
    }
    out.push(']');
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
        let sql = format!(
            "SELECT * FROM accounts WHERE {}",
            in_bound_ids(&self.0.exec, "id", 1)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Account>(AssertSqlSafe(sql.clone()))
            .bind(json_array(ids))
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
            "SELECT status_id, account_id FROM status_mentions WHERE {}
             ORDER BY status_id, account_id",
            in_bound_ids(&self.0.exec, "status_id", 1)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(json_array(ids))
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
             WHERE {} ORDER BY st.status_id, t.name_lower",
            in_bound_ids(&self.0.exec, "st.status_id", 1)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(json_array(ids))
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
            "SELECT * FROM media_attachments WHERE {} ORDER BY status_id, id",
            in_bound_ids(&self.0.exec, "status_id", 1)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Media>(AssertSqlSafe(sql.clone()))
            .bind(json_array(ids))
            .fetch_all(e)
            .await)?,
        )
    }

    pub async fn polls(mut self, ids: &[StatusId]) -> StoreResult<Vec<Poll>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT * FROM polls WHERE {}",
            in_bound_ids(&self.0.exec, "status_id", 1)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, Poll>(AssertSqlSafe(sql.clone()))
            .bind(json_array(ids))
            .fetch_all(e)
            .await)?,
        )
    }

    pub async fn apps(mut self, ids: &[AppId]) -> StoreResult<Vec<App>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT * FROM oauth_apps WHERE {}",
            in_bound_ids(&self.0.exec, "id", 1)
        );
        Ok(
            run!(self.0.exec, e => sqlx::query_as::<_, App>(AssertSqlSafe(sql.clone()))
            .bind(json_array(ids))
            .fetch_all(e)
            .await)?,
        )
    }

    /// The statuses among `ids` that `viewer` may see (the originals of a
    /// page's boosts). This one must stay a prepared statement on
    /// PostgreSQL: as a one-off (unnamed) statement it failed ("unnamed
    /// prepared statement does not exist"), most likely because sqlx looks
    /// up the type of `statuses`' `tsvector` column with a query of its own
    /// while preparing, which takes the unnamed statement's place.
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
            .bind(json_array(ids))
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
        let among = |column| in_bound_ids(&self.0.exec, column, 2);
        let sql = format!(
            "SELECT 0, status_id FROM favourites WHERE account_id = $1 AND {}
             UNION ALL SELECT 1, status_id FROM bookmarks WHERE account_id = $1 AND {}
             UNION ALL SELECT 2, status_id FROM status_pins WHERE account_id = $1 AND {}
             UNION ALL SELECT 3, reblog_of_id FROM statuses WHERE account_id = $1 AND {}",
            among("status_id"),
            among("status_id"),
            among("status_id"),
            among("reblog_of_id"),
        );
        let rows: Vec<(i32, StatusId)> = run!(self.0.exec, e => sqlx::query_as(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(json_array(ids))
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
    fn json_arrays() {
        assert_eq!(super::json_array::<i64>(&[1, -2, 30]), "[1,-2,30]");
        assert_eq!(super::json_array::<i64>(&[]), "[]");
    }
}
