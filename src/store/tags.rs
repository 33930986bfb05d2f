//! Hashtags, who follows them, and tag timelines.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
use super::{NOT_LIMITED, StoreResult, VISIBLE, Viewer, run, sub_store};
use crate::model::{AccountId, Page, Status, Timestamp};

sub_store!(Tags);

/// What a tag timeline shows: public statuses with any tag of `any` (the
/// timeline's own tag among them), every tag of `all` and no tag of
/// `none`. Names are matched without regard to case.
#[derive(Debug, Clone, Default)]
pub struct TagQuery {
    pub any: Vec<String>,
    pub all: Vec<String>,
    pub none: Vec<String>,
    /// Only statuses written here.
    pub local: bool,
}

/// `EXISTS` over a status's tags named by the placeholders `$from…`.
fn has_tag(from: usize, count: usize) -> String {
    let names: Vec<String> = (from..from + count).map(|i| format!("${i}")).collect();
    format!(
        "EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id
         WHERE st.status_id = s.id AND t.name_lower IN ({}))",
        names.join(", ")
    )
}

impl Tags<'_> {
    /// The tag's id and name, creating it if it was never used.
    pub async fn find_or_create(mut self, name: &str) -> StoreResult<(i64, String)> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO tags (id, name, name_lower, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name_lower) DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        let row = run!(self.0.exec, e => sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM tags WHERE name_lower = $1",
        )
        .bind(name.to_lowercase())
        .fetch_one(e)
        .await)?;
        Ok(row)
    }

    pub async fn follow(mut self, account: AccountId, tag: i64) -> StoreResult<()> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO followed_tags (id, account_id, tag_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, tag_id) DO NOTHING",
        )
        .bind(id)
        .bind(account)
        .bind(tag)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn unfollow(mut self, account: AccountId, tag: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM followed_tags WHERE account_id = $1 AND tag_id = $2")
            .bind(account)
            .bind(tag)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn is_followed(mut self, account: AccountId, tag: i64) -> StoreResult<bool> {
        let found: Option<i64> = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT id FROM followed_tags WHERE account_id = $1 AND tag_id = $2",
        )
        .bind(account)
        .bind(tag)
        .fetch_optional(e)
        .await)?;
        Ok(found.is_some())
    }

    /// Followed tags, newest follow first: (follow id, tag id, name).
    pub async fn followed(
        mut self,
        account: AccountId,
        page: &Page,
    ) -> StoreResult<Vec<(i64, i64, String)>> {
        let base = "SELECT f.id, t.id, t.name FROM followed_tags f JOIN tags t ON t.id = f.tag_id WHERE f.account_id = $1";
        let sql = keyset(base, "f.id", 2, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (i64, i64, String)>(AssertSqlSafe(sql.clone()))
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// A tag timeline (see `TagQuery`), newest first, with the rules of
    /// every status list: public only, and `VISIBLE` to the viewer.
    pub async fn timeline(
        mut self,
        query: &TagQuery,
        viewer: Viewer,
        page: &Page,
    ) -> StoreResult<Vec<Status>> {
        if query.any.is_empty() {
            return Ok(Vec::new());
        }
        // $1, $2: the viewer; $3…$5: the page; tag names from $6 on.
        let mut names: Vec<String> = Vec::new();
        let mut next = 6;
        let mut group = |list: &[String]| {
            let from = next;
            names.extend(list.iter().map(|n| n.to_lowercase()));
            next += list.len();
            has_tag(from, list.len())
        };
        let mut base = format!(
            "SELECT s.* FROM statuses s WHERE s.visibility = 'public'{} AND {VISIBLE} AND {NOT_LIMITED} AND {}",
            if query.local { " AND s.local" } else { "" },
            group(&query.any),
        );
        for tag in &query.all {
            base.push_str(&format!(" AND {}", group(std::slice::from_ref(tag))));
        }
        if !query.none.is_empty() {
            base.push_str(&format!(" AND NOT {}", group(&query.none)));
        }
        let sql = keyset(&base, "s.id", 3, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => {
            let mut q = sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
                .bind(viewer.account_id.map_or(-1, |a| a.0))
                .bind(viewer.local)
                .bind(upper)
                .bind(lower)
                .bind(limit);
            for name in &names {
                q = q.bind(name.as_str());
            }
            q.fetch_all(e).await
        })?;
        Ok(newest_first(rows, page))
    }

    /// Puts a public status into the home feeds of local accounts that
    /// follow one of its tags.
    pub async fn fan_out(mut self, status: &Status) -> StoreResult<u64> {
        let done = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO home_feed (account_id, status_id)
             SELECT DISTINCT ft.account_id, st.status_id FROM followed_tags ft
             JOIN status_tags st ON st.tag_id = ft.tag_id
             JOIN users u ON u.account_id = ft.account_id
             WHERE st.status_id = $1
             ON CONFLICT DO NOTHING",
        )
        .bind(status.id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
