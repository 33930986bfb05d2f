//! Statuses, with the visibility rule expressed once in SQL
//! (`VISIBLE`) for every query that lists statuses for a viewer.

use sqlx::AssertSqlSafe;

use super::page::{bounds, keyset, newest_first};
pub use super::reviews::ReviewQueueFilter;
use super::{StoreResult, run, sub_store};
use crate::events::{Event, Reach};
use crate::model::{AccountId, AppId, Page, Status, StatusId, Timestamp};

sub_store!(Statuses);

/// Who is looking: `$1` is the viewer's account id (or -1 when anonymous),
/// `$2` whether the viewer is a local user (company-only posts need that).
/// A status is visible when it is published (or the viewer's own, or held
/// for review with a preview for the company and the viewer is local), its
/// author is not suspended (alone or with their whole domain), it is not
/// company-only unless the viewer is local, no block stands between author
/// and viewer, and its audience includes the viewer.
pub const VISIBLE: &str = "
    (s.review_state = 'published' OR s.account_id = $1
        OR (s.review_state = 'pending' AND s.review_company_preview AND $2))
    AND NOT EXISTS (SELECT 1 FROM accounts sa WHERE sa.id = s.account_id
        AND (sa.suspended_at IS NOT NULL OR sa.domain_limit >= 2))
    AND (NOT s.local_only OR $2)
    AND NOT EXISTS (SELECT 1 FROM blocks b
        WHERE (b.account_id = s.account_id AND b.target_account_id = $1)
           OR (b.account_id = $1 AND b.target_account_id = s.account_id))
    AND (s.visibility IN ('public', 'unlisted')
        OR s.account_id = $1
        OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows f
            WHERE f.account_id = $1 AND f.target_account_id = s.account_id))
        OR EXISTS (SELECT 1 FROM status_mentions m
            WHERE m.status_id = s.id AND m.account_id = $1))";

/// Timelines leave out statuses from domains the viewer (`$1`) hid.
pub const NOT_FROM_HIDDEN_DOMAIN: &str = "NOT EXISTS (SELECT 1 FROM user_domain_blocks d
        JOIN accounts da ON da.domain = d.domain WHERE d.account_id = $1 AND da.id = s.account_id)";

/// Public timelines leave out silenced authors (alone or by domain).
pub const NOT_LIMITED: &str = "NOT EXISTS (SELECT 1 FROM accounts la WHERE la.id = s.account_id
        AND (la.silenced_at IS NOT NULL OR la.domain_limit >= 1))";

/// What leaves a status out of a home timeline besides `VISIBLE`: mutes,
/// exclusive lists, hidden domains. `$1` the viewer, `$6` the clock.
fn home_filters() -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 AND m.target_account_id = s.account_id
             AND (m.expires_at IS NULL OR m.expires_at > $6))
         AND NOT EXISTS (SELECT 1 FROM list_accounts la JOIN lists l ON l.id = la.list_id
             WHERE l.account_id = $1 AND l.exclusive AND la.account_id = s.account_id)
         AND {NOT_FROM_HIDDEN_DOMAIN}
         AND {VISIBLE}"
    )
}

/// A home timeline page (`Statuses::home`), newest first or, from
/// `min_id`, oldest first: `$1` viewer, `$2` viewer is local, `$3` max id,
/// `$4` min or since id, `$5` limit, `$6` the clock.
///
/// The page is the `home_feed` rows merged with the statuses of followed
/// authors with a wide audience, which are not written into feeds
/// (`fan_out_to_followers`) and are read here as the feed would have them:
/// no direct ones, boosts if the follow shows them. Only the ids of both
/// are picked and merged; the page's rows are read once, at the end. A full
/// page from the feed bounds how far back the wide authors can matter, so
/// their read is a few index entries each. The bounds are `COALESCE`s, not
/// `$n IS NULL OR …`, so that they narrow the index ranges read (a
/// combined statement measured 6 ms instead of 1 ms on the benchmark
/// database while the wide read had two lower bounds).
fn home_sql(ascending: bool) -> String {
    let filters = home_filters();
    // `reach` is where the wide authors' read stops: the far end of a full
    // page of feed ids, or else the page's own far bound. One bound per
    // side, as SQLite narrows an index range by one lower and one upper.
    let (order, edge, near, reach_else) = if ascending {
        (
            "ASC",
            "MAX",
            "s.id > COALESCE(CAST($4 AS BIGINT), 0) AND s.id < (SELECT id FROM reach)",
            "COALESCE(CAST($3 AS BIGINT), 9223372036854775807)",
        )
    } else {
        (
            "DESC",
            "MIN",
            "s.id < COALESCE(CAST($3 AS BIGINT), 9223372036854775807) AND s.id > (SELECT id FROM reach)",
            "COALESCE(CAST($4 AS BIGINT), 0)",
        )
    };
    format!(
        "WITH feed AS MATERIALIZED (
             SELECT h.status_id AS id FROM home_feed h JOIN statuses s ON s.id = h.status_id
             WHERE h.account_id = $1
             AND h.status_id < COALESCE(CAST($3 AS BIGINT), 9223372036854775807)
             AND h.status_id > COALESCE(CAST($4 AS BIGINT), 0)
             AND {filters}
             ORDER BY h.status_id {order} LIMIT +$5),
         reach AS (
             SELECT CASE WHEN COUNT(*) >= $5 THEN {edge}(id) ELSE {reach_else} END AS id
             FROM feed),
         wide AS (
             SELECT s.id FROM follows f JOIN accounts wa ON wa.id = f.target_account_id
                 JOIN statuses s ON s.account_id = f.target_account_id
             WHERE f.account_id = $1 AND wa.wide_audience AND {near}
             AND s.visibility <> 'direct' AND (s.reblog_of_id IS NULL OR f.show_reblogs)
             AND {filters}
             ORDER BY s.id {order} LIMIT +$5),
         page AS (
             SELECT id FROM feed UNION SELECT id FROM wide ORDER BY id {order} LIMIT +$5)
         SELECT s.* FROM page JOIN statuses s ON s.id = page.id ORDER BY page.id {order}"
    )
}

static HOME_DESCENDING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| home_sql(false));
static HOME_ASCENDING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| home_sql(true));

/// The viewer as the two parameters of `VISIBLE`.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub account_id: Option<AccountId>,
    pub local: bool,
}

impl Viewer {
    pub const ANONYMOUS: Viewer = Viewer {
        account_id: None,
        local: false,
    };

    pub(super) fn id(self) -> i64 {
        self.account_id.map_or(-1, |a| a.0)
    }
}

#[derive(Debug, Clone)]
pub struct NewStatus {
    pub uri: String,
    pub url: Option<String>,
    pub account_id: AccountId,
    pub in_reply_to_id: Option<StatusId>,
    pub in_reply_to_account_id: Option<AccountId>,
    pub reblog_of_id: Option<StatusId>,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: String,
    pub local_only: bool,
    pub language: Option<String>,
    pub local: bool,
    pub review_state: String,
    pub app_id: Option<AppId>,
    /// The parent's conversation; `None` starts a new one (the status's own id).
    pub conversation_id: Option<i64>,
    /// A remote parent not (yet) known here.
    pub in_reply_to_uri: Option<String>,
    /// When it was published (remote statuses); `None`: now.
    pub created_at: Option<Timestamp>,
}

impl NewStatus {
    /// A boost of `original` by `account`; `uri`/`url` may contain `{id}`.
    pub fn reblog(
        account: AccountId,
        original: &Status,
        uri: String,
        url: Option<String>,
        local: bool,
        created_at: Option<Timestamp>,
    ) -> Self {
        Self {
            uri,
            url,
            account_id: account,
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            reblog_of_id: Some(original.id),
            text: String::new(),
            content: String::new(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: original.visibility.clone(),
            local_only: original.local_only,
            language: None,
            local,
            review_state: "published".into(),
            app_id: None,
            conversation_id: None,
            in_reply_to_uri: None,
            created_at,
        }
    }
}

/// One version of an edited status.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StatusVersion {
    /// Comma-separated media ids of this version.
    pub media_ids: String,
    pub text: String,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: Timestamp,
}

/// Which of an account's statuses to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountFilter<'a> {
    pub only_media: bool,
    /// Only statuses with this hashtag.
    pub tagged: Option<&'a str>,
    pub exclude_replies: bool,
    pub exclude_reblogs: bool,
    pub only_pinned: bool,
    /// Only `public` statuses (public pages list no unlisted ones).
    pub only_public: bool,
}

/// Which public statuses to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locality {
    All,
    Local,
    Remote,
}

/// A counter column of `statuses`.
#[derive(Debug, Clone, Copy)]
pub enum Counter {
    Replies,
    Reblogs,
    Favourites,
}

impl Statuses<'_> {
    /// Inserts a status; `uri` and `url` may contain `{id}`.
    pub async fn insert(mut self, new: &NewStatus) -> StoreResult<Status> {
        let id = self.0.next_id();
        let fill = |s: &str| s.replace("{id}", &id.to_string());
        let status = run!(self.0.exec, e => sqlx::query_as::<_, Status>(
            "INSERT INTO statuses (id, uri, url, account_id, in_reply_to_id, in_reply_to_account_id,
                reblog_of_id, text, content, spoiler_text, sensitive, visibility, local_only,
                language, local, review_state, app_id, created_at, conversation_id,
                in_reply_to_uri)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                COALESCE($19, $1), $20)
             RETURNING *",
        )
        .bind(id)
        .bind(fill(&new.uri))
        .bind(new.url.as_deref().map(fill))
        .bind(new.account_id)
        .bind(new.in_reply_to_id)
        .bind(new.in_reply_to_account_id)
        .bind(new.reblog_of_id)
        .bind(&new.text)
        .bind(&new.content)
        .bind(&new.spoiler_text)
        .bind(new.sensitive)
        .bind(&new.visibility)
        .bind(new.local_only)
        .bind(&new.language)
        .bind(new.local)
        .bind(&new.review_state)
        .bind(new.app_id)
        .bind(new.created_at.unwrap_or_else(Timestamp::now))
        .bind(new.conversation_id)
        .bind(&new.in_reply_to_uri)
        .fetch_one(e)
        .await)?;
        self.index_for_search(&status).await?;
        self.0
            .emit(Event::StatusCreated {
                id: status.id,
                reach: Reach::of(&status),
            })
            .await?;
        Ok(status)
    }

    pub async fn by_uri(mut self, uri: &str) -> StoreResult<Option<Status>> {
        let status = run!(self.0.exec, e => sqlx::query_as::<_, Status>(
            "SELECT * FROM statuses WHERE uri = $1",
        )
        .bind(uri)
        .fetch_optional(e)
        .await)?;
        Ok(status)
    }

    /// Links replies that arrived before their parent to it.
    pub async fn adopt_replies(mut self, parent: &Status) -> StoreResult<u64> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE statuses SET in_reply_to_id = $1, in_reply_to_account_id = $2,
                in_reply_to_uri = NULL, conversation_id = COALESCE($4, $1)
             WHERE in_reply_to_uri = $3",
        )
        .bind(parent.id)
        .bind(parent.account_id)
        .bind(&parent.uri)
        .bind(parent.conversation_id)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }

    pub async fn by_id(mut self, id: StatusId) -> StoreResult<Option<Status>> {
        let status = run!(self.0.exec, e => sqlx::query_as::<_, Status>(
            "SELECT * FROM statuses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(status)
    }

    /// A status if `viewer` may see it.
    pub async fn visible_by_id(
        mut self,
        id: StatusId,
        viewer: Viewer,
    ) -> StoreResult<Option<Status>> {
        let sql = format!("SELECT s.* FROM statuses s WHERE s.id = $3 AND {VISIBLE}");
        let status = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.id())
            .bind(viewer.local)
            .bind(id)
            .fetch_optional(e)
            .await)?;
        Ok(status)
    }

    /// Deletes a status; streams hear of it with what they need to know
    /// who may have seen it (taken before its mentions and tags go too).
    /// Deletes a status; answers its review state as it was when deleted
    /// (read by the delete itself, so a concurrent approval is seen), or
    /// `None` if it was already gone.
    pub async fn delete(mut self, id: StatusId) -> StoreResult<Option<String>> {
        let Some(gone) = self.departure(id).await? else {
            return Ok(None);
        };
        let state: Option<String> = run!(self.0.exec, e => sqlx::query_scalar(
            "DELETE FROM statuses WHERE id = $1 RETURNING review_state",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        if state.is_some() {
            self.0.emit(Event::StatusDeleted(gone)).await?;
        }
        Ok(state)
    }

    /// The reblog of `status` by `account`, if any.
    pub async fn reblog_by(
        mut self,
        account: AccountId,
        status: StatusId,
    ) -> StoreResult<Option<Status>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, Status>(
            "SELECT * FROM statuses WHERE account_id = $1 AND reblog_of_id = $2",
        )
        .bind(account)
        .bind(status)
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// Visible replies under `root`, in thread order (oldest first), up to
    /// `limit` of them and `depth` levels down.
    pub async fn descendants(
        mut self,
        root: StatusId,
        viewer: Viewer,
        depth: i64,
        limit: i64,
    ) -> StoreResult<Vec<Status>> {
        let sql = format!(
            "WITH RECURSIVE thread (id, depth) AS (
                 SELECT id, 1 FROM statuses WHERE in_reply_to_id = $3
                 UNION ALL
                 SELECT c.id, thread.depth + 1 FROM statuses c JOIN thread ON c.in_reply_to_id = thread.id
                 WHERE thread.depth < $4)
             SELECT s.* FROM statuses s JOIN thread ON thread.id = s.id
             WHERE {VISIBLE} ORDER BY s.id LIMIT +$5"
        );
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.id())
            .bind(viewer.local)
            .bind(root)
            .bind(depth)
            .bind(limit)
            .fetch_all(e)
            .await)?;
        Ok(rows)
    }

    /// An account's statuses visible to `viewer`, newest first.
    pub async fn by_account(
        mut self,
        account: AccountId,
        viewer: Viewer,
        filter: AccountFilter<'_>,
        page: &Page,
    ) -> StoreResult<Vec<Status>> {
        let mut base = format!("SELECT s.* FROM statuses s WHERE s.account_id = $3 AND {VISIBLE}");
        if filter.exclude_replies {
            // Replies to oneself (threads) stay, as in Mastodon.
            base.push_str(
                " AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)",
            );
        }
        if filter.only_media {
            base.push_str(
                " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)",
            );
        }
        base.push_str(
            " AND ($7 IS NULL OR EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id
               WHERE st.status_id = s.id AND t.name_lower = $7))",
        );
        if filter.exclude_reblogs {
            base.push_str(" AND s.reblog_of_id IS NULL");
        }
        if filter.only_pinned {
            base.push_str(" AND EXISTS (SELECT 1 FROM status_pins p WHERE p.status_id = s.id)");
        }
        if filter.only_public {
            base.push_str(" AND s.visibility = 'public'");
        }
        let sql = keyset(&base, "s.id", 4, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.id())
            .bind(viewer.local)
            .bind(account)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .bind(filter.tagged.map(str::to_lowercase))
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// Public statuses (not reblogs), newest first.
    pub async fn public(
        mut self,
        viewer: Viewer,
        locality: Locality,
        only_media: bool,
        page: &Page,
    ) -> StoreResult<Vec<Status>> {
        let locality = match locality {
            Locality::All => "",
            Locality::Local => " AND s.local",
            Locality::Remote => " AND NOT s.local",
        };
        let media = if only_media {
            " AND EXISTS (SELECT 1 FROM media_attachments ma WHERE ma.status_id = s.id)"
        } else {
            ""
        };
        // The clock is bound ($6, after the keyset's), not written into the
        // SQL: a statement that differs at every request is prepared again
        // each time and pushes the others out of the connection's cache.
        let now = Timestamp::now().millis();
        let base = format!(
            "SELECT s.* FROM statuses s WHERE s.visibility = 'public' AND s.reblog_of_id IS NULL{locality}{media}
             AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)
             AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 AND m.target_account_id = s.account_id
                 AND (m.expires_at IS NULL OR m.expires_at > $6))
             AND {NOT_FROM_HIDDEN_DOMAIN} AND {NOT_LIMITED} AND {VISIBLE}"
        );
        let sql = keyset(&base, "s.id", 3, page);
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.clone()))
            .bind(viewer.id())
            .bind(viewer.local)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .bind(now)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// A local account's home timeline, newest first: its materialised
    /// feed merged with the followed wide-audience authors' statuses
    /// (`home_sql`). Visibility is re-checked: a follow may have ended
    /// since fan-out.
    pub async fn home(mut self, viewer: Viewer, page: &Page) -> StoreResult<Vec<Status>> {
        // The clock is bound ($6, after the page's), not written into the
        // SQL: a statement that differs at every request is prepared again
        // each time and pushes the others out of the connection's cache.
        let now = Timestamp::now().millis();
        let sql = if page.min_id.is_some() {
            &*HOME_ASCENDING
        } else {
            &*HOME_DESCENDING
        };
        let (upper, lower, limit) = bounds(page);
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Status>(AssertSqlSafe(sql.as_str()))
            .bind(viewer.id())
            .bind(viewer.local)
            .bind(upper)
            .bind(lower)
            .bind(limit)
            .bind(now)
            .fetch_all(e)
            .await)?;
        Ok(newest_first(rows, page))
    }

    /// Adds (or, negative, removes) to a counter.
    pub async fn add_to_counter(
        mut self,
        id: StatusId,
        counter: Counter,
        delta: i64,
    ) -> StoreResult<()> {
        let column = match counter {
            Counter::Replies => "replies_count",
            Counter::Reblogs => "reblogs_count",
            Counter::Favourites => "favourites_count",
        };
        let sql = format!("UPDATE statuses SET {column} = MAX({column} + $2, 0) WHERE id = $1");
        let sql = if matches!(self.0.exec, super::Exec::PgPool(_) | super::Exec::Pg(_)) {
            sql.replace("MAX(", "GREATEST(")
        } else {
            sql
        };
        run!(self.0.exec, e => sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(id)
            .bind(delta)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn add_mentions(mut self, id: StatusId, accounts: &[AccountId]) -> StoreResult<()> {
        for account in accounts {
            run!(self.0.exec, e => sqlx::query(
                "INSERT INTO status_mentions (status_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(*account)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// The accounts mentioned by each of `ids`.
    pub async fn mentions(mut self, ids: &[StatusId]) -> StoreResult<Vec<(StatusId, AccountId)>> {
        let mut out = Vec::new();
        for id in ids {
            let rows: Vec<(StatusId, AccountId)> = run!(self.0.exec, e => sqlx::query_as(
                "SELECT status_id, account_id FROM status_mentions WHERE status_id = $1",
            )
            .bind(*id)
            .fetch_all(e)
            .await)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Links a status to its hashtags, creating tags as needed.
    pub async fn add_tags(mut self, id: StatusId, names: &[String]) -> StoreResult<()> {
        for name in names {
            let tag_id = self.0.next_id();
            run!(self.0.exec, e => sqlx::query(
                "INSERT INTO tags (id, name, name_lower, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name_lower) DO NOTHING",
            )
            .bind(tag_id)
            .bind(name)
            .bind(name.to_lowercase())
            .bind(Timestamp::now())
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
            run!(self.0.exec, e => sqlx::query(
                "INSERT INTO status_tags (status_id, tag_id)
                 SELECT $1, id FROM tags WHERE name_lower = $2 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(name.to_lowercase())
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// A tag's id and name as first written, by name (any case).
    pub async fn tag_by_name(mut self, name: &str) -> StoreResult<Option<(i64, String)>> {
        let found = run!(self.0.exec, e => sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM tags WHERE name_lower = $1",
        )
        .bind(name.to_lowercase())
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    /// The hashtags of a status, as first written.
    pub async fn tags(mut self, id: StatusId) -> StoreResult<Vec<String>> {
        self.tags_of(id).await
    }

    /// Replaces the editable parts of a status and marks it edited.
    pub async fn save_edit(mut self, status: &Status) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE statuses SET text = $2, content = $3, spoiler_text = $4, sensitive = $5,
                language = $6, edited_at = $7 WHERE id = $1",
        )
        .bind(status.id)
        .bind(&status.text)
        .bind(&status.content)
        .bind(&status.spoiler_text)
        .bind(status.sensitive)
        .bind(&status.language)
        .bind(status.edited_at)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        self.index_for_search(status).await?;
        self.0
            .emit(Event::StatusUpdated {
                id: status.id,
                reach: Reach::of(status),
            })
            .await
    }

    /// PostgreSQL: fills the search vector from folded text (SQLite's FTS5
    /// triggers need nothing here).
    async fn index_for_search(&mut self, status: &Status) -> StoreResult<()> {
        let folded =
            crate::text::fold_for_search(&format!("{} {}", status.spoiler_text, status.text));
        match &mut self.0.exec {
            super::Exec::PgPool(pool) => {
                sqlx::query(
                    "UPDATE statuses SET search_vector = to_tsvector('simple', $2) WHERE id = $1",
                )
                .bind(status.id)
                .bind(&folded)
                .execute(*pool)
                .await?;
            }
            super::Exec::Pg(conn) => {
                sqlx::query(
                    "UPDATE statuses SET search_vector = to_tsvector('simple', $2) WHERE id = $1",
                )
                .bind(status.id)
                .bind(&folded)
                .execute(&mut **conn)
                .await?;
            }
            super::Exec::SqlitePool(_) | super::Exec::Sqlite(_) => {}
        }
        Ok(())
    }

    /// Records one version of a status in its edit history.
    pub async fn add_version(
        mut self,
        status: &Status,
        media: &[i64],
        at: Timestamp,
    ) -> StoreResult<()> {
        let id = self.0.next_id();
        let media_ids = media
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO status_edits (id, status_id, text, content, spoiler_text, sensitive, created_at, media_ids)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(status.id)
        .bind(&status.text)
        .bind(&status.content)
        .bind(&status.spoiler_text)
        .bind(status.sensitive)
        .bind(at)
        .bind(&media_ids)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The recorded versions of a status, oldest first.
    pub async fn versions(mut self, id: StatusId) -> StoreResult<Vec<StatusVersion>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, StatusVersion>(
            "SELECT media_ids, text, content, spoiler_text, sensitive, created_at FROM status_edits
             WHERE status_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub async fn remove_tags(mut self, id: StatusId) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM status_tags WHERE status_id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Accounts that reblogged a status (to tell them it changed).
    pub async fn rebloggers(mut self, id: StatusId) -> StoreResult<Vec<AccountId>> {
        let rows = run!(self.0.exec, e => sqlx::query_scalar::<_, AccountId>(
            "SELECT account_id FROM statuses WHERE reblog_of_id = $1",
        )
        .bind(id)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub async fn idempotent_status(
        mut self,
        account: AccountId,
        key: &str,
    ) -> StoreResult<Option<StatusId>> {
        let found = run!(self.0.exec, e => sqlx::query_scalar::<_, StatusId>(
            "SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND idempotency_key = $2
             AND created_at > $3",
        )
        .bind(account)
        .bind(key)
        .bind(Timestamp::now().plus_seconds(-3600))
        .fetch_optional(e)
        .await)?;
        Ok(found)
    }

    pub async fn remember_idempotency_key(
        mut self,
        account: AccountId,
        key: &str,
        status: StatusId,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO idempotency_keys (account_id, idempotency_key, status_id, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, idempotency_key)
             DO UPDATE SET status_id = excluded.status_id, created_at = excluded.created_at",
        )
        .bind(account)
        .bind(key)
        .bind(status)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
