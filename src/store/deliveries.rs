//! The durable delivery queue: one row per outgoing activity and target
//! inbox, claimed by workers with a lease (a crashed worker's claim simply
//! expires), and the health of the peers we deliver to.

use std::collections::HashMap;

use super::{Exec, StoreResult, run, sub_store};
use crate::model::{AccountId, Timestamp};

sub_store!(Deliveries);

/// A delivery a worker claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub activity_id: i64,
    pub inbox_url: String,
    pub host: String,
    pub attempts: i32,
    pub created_at: Timestamp,
    pub actor_id: AccountId,
    pub payload: String,
}

/// A queued delivery as an operator (or a test) inspects it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Queued {
    pub id: i64,
    pub inbox_url: String,
    pub attempts: i32,
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// Where a peer stands.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Peer {
    pub host: String,
    pub failing_since: Option<Timestamp>,
    pub unreachable_since: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
}

impl Deliveries<'_> {
    /// Queues one activity for several inboxes (`(inbox, host)` pairs,
    /// already deduplicated). Returns the activity's row id.
    pub async fn enqueue(
        mut self,
        actor: AccountId,
        payload: &str,
        inboxes: &[(String, String)],
        first_attempt_at: Timestamp,
    ) -> StoreResult<i64> {
        let activity_id = self.0.next_id();
        let now = Timestamp::now();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO outbound_activities (id, actor_id, payload, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(activity_id)
        .bind(actor)
        .bind(payload)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        self.insert_deliveries(activity_id, inboxes, first_attempt_at, now)
            .await?;
        self.0.deliveries_queued();
        Ok(activity_id)
    }

    /// Queues a Create/Update of a status, rendered by the worker after
    /// the posting transaction committed.
    pub async fn enqueue_render(
        mut self,
        actor: AccountId,
        status: Option<crate::model::StatusId>,
        kind: &str,
    ) -> StoreResult<()> {
        let id = self.0.next_id();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO outbound_activities (id, actor_id, payload, created_at, render_status_id, render_kind)
             VALUES ($1, $2, '', $3, $4, $5)",
        )
        .bind(id)
        .bind(actor)
        .bind(Timestamp::now())
        .bind(status)
        .bind(kind)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        self.0.deliveries_queued();
        Ok(())
    }

    /// Activities waiting to be rendered: `(id, actor, status id, kind)`.
    #[allow(clippy::type_complexity)]
    pub async fn pending_renders(
        mut self,
        limit: i64,
    ) -> StoreResult<Vec<(i64, AccountId, Option<crate::model::StatusId>, String)>> {
        let rows = run!(self.0.exec, e => sqlx::query_as(
            "SELECT id, actor_id, render_status_id, render_kind FROM outbound_activities
             WHERE render_kind IS NOT NULL ORDER BY id LIMIT +$1",
        )
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    /// Stores the rendered payload and queues its deliveries (or drops the
    /// activity when `inboxes` is empty). Returns false when another worker
    /// rendered it first. Run it in a transaction.
    pub async fn rendered(
        mut self,
        id: i64,
        payload: &str,
        inboxes: &[(String, String)],
    ) -> StoreResult<bool> {
        let now = Timestamp::now();
        let claimed = run!(self.0.exec, e => sqlx::query(
            "UPDATE outbound_activities SET payload = $2, render_status_id = NULL, render_kind = NULL
             WHERE id = $1 AND render_kind IS NOT NULL",
        )
        .bind(id)
        .bind(payload)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed == 0 {
            return Ok(false);
        }
        if inboxes.is_empty() {
            run!(self.0.exec, e => sqlx::query("DELETE FROM outbound_activities WHERE id = $1")
                .bind(id).execute(e).await.map(|r| r.rows_affected()))?;
            return Ok(true);
        }
        self.insert_deliveries(id, inboxes, now, now).await?;
        Ok(true)
    }

    /// One delivery row per inbox (already deduplicated by the caller; a
    /// repeat is ignored).
    async fn insert_deliveries(
        &mut self,
        activity_id: i64,
        inboxes: &[(String, String)],
        first_attempt_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        for (inbox, host) in inboxes {
            let id = self.0.next_id();
            run!(self.0.exec, e => sqlx::query(
                "INSERT INTO deliveries (id, activity_id, inbox_url, host, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (activity_id, inbox_url) DO NOTHING",
            )
            .bind(id)
            .bind(activity_id)
            .bind(inbox)
            .bind(host)
            .bind(first_attempt_at)
            .bind(now)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// Claims up to `limit` due deliveries until `now + lease_ms`, oldest
    /// first, without regard to their hosts.
    pub async fn claim(
        self,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<Claimed>> {
        self.claim_per_host(now, lease_ms, limit, limit, &HashMap::new())
            .await
    }

    /// Claims up to `limit` due deliveries until `now + lease_ms`, oldest
    /// first, but no more for one host than brings the claimant's `held`
    /// deliveries of that host to `per_host`. Without this, the backlog of
    /// one slow host (due first, as its retries pile up) takes every claim
    /// and starves the healthy hosts queued behind it.
    pub async fn claim_per_host(
        mut self,
        now: Timestamp,
        lease_ms: i64,
        limit: i64,
        per_host: i64,
        held: &HashMap<String, usize>,
    ) -> StoreResult<Vec<Claimed>> {
        let until = Timestamp(now.0 + lease_ms);
        let held = serde_json::to_string(held).unwrap_or_else(|_| "{}".into());
        // Rank each host's due deliveries; take those within the host's
        // remaining room. PostgreSQL cannot lock rows of a window query, so
        // it locks (skipping rows other nodes are claiming) in an outer
        // query that checks the claim again.
        let sqlite = "UPDATE deliveries SET locked_until = $1
             WHERE id IN (SELECT due.id FROM (
                 SELECT id, host, next_attempt_at,
                     ROW_NUMBER() OVER (PARTITION BY host ORDER BY next_attempt_at, id) AS place
                 FROM deliveries
                 WHERE next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2)
             ) AS due
             WHERE due.place + COALESCE((SELECT value FROM json_each($5) WHERE key = due.host), 0) <= $4
             ORDER BY due.next_attempt_at LIMIT +$3)
             RETURNING id";
        let postgres = "UPDATE deliveries SET locked_until = $1
             WHERE id IN (SELECT id FROM deliveries WHERE id IN (SELECT due.id FROM (
                 SELECT id, host, next_attempt_at,
                     ROW_NUMBER() OVER (PARTITION BY host ORDER BY next_attempt_at, id) AS place
                 FROM deliveries
                 WHERE next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2)
             ) AS due
             WHERE due.place + COALESCE(($5::jsonb ->> due.host)::bigint, 0) <= $4
             ORDER BY due.next_attempt_at LIMIT +$3)
             AND (locked_until IS NULL OR locked_until < $2)
             FOR UPDATE SKIP LOCKED)
             RETURNING id";
        let ids: Vec<i64> = match &mut self.0.exec {
            Exec::SqlitePool(_) | Exec::Sqlite(_) => {
                run!(self.0.exec, e => sqlx::query_scalar(sqlite)
                .bind(until).bind(now).bind(limit).bind(per_host).bind(&held).fetch_all(e).await)?
            }
            Exec::PgPool(_) | Exec::Pg(_) => run!(self.0.exec, e => sqlx::query_scalar(postgres)
                .bind(until).bind(now).bind(limit).bind(per_host).bind(&held).fetch_all(e).await)?,
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<Claimed> = run!(self.0.exec, e => sqlx::query_as(
                "SELECT d.id, d.activity_id, d.inbox_url, d.host, d.attempts, d.created_at,
                    a.actor_id, a.payload
                 FROM deliveries d JOIN outbound_activities a ON a.id = d.activity_id
                 WHERE d.id = $1",
            )
            .bind(id)
            .fetch_optional(e)
            .await)?;
            out.extend(row);
        }
        Ok(out)
    }

    /// Extends a claim its worker still works on, if the claim is still
    /// the one made until `held_until` (a newer claim by another node, made
    /// after this one lapsed, has another expiry). Returns whether it was.
    pub async fn renew(
        mut self,
        id: i64,
        held_until: Timestamp,
        until: Timestamp,
    ) -> StoreResult<bool> {
        let renewed = run!(self.0.exec, e => sqlx::query(
            "UPDATE deliveries SET locked_until = $3 WHERE id = $1 AND locked_until = $2",
        )
        .bind(id)
        .bind(held_until)
        .bind(until)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(renewed == 1)
    }

    /// Removes a finished delivery (sent, or given up), and its activity
    /// once no delivery needs it.
    pub async fn finish(mut self, id: i64, activity_id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM deliveries WHERE id = $1")
            .bind(id).execute(e).await.map(|r| r.rows_affected()))?;
        run!(self.0.exec, e => sqlx::query(
            "DELETE FROM outbound_activities WHERE id = $1
                AND NOT EXISTS (SELECT 1 FROM deliveries WHERE activity_id = $1)",
        )
        .bind(activity_id).execute(e).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Drops what is still queued from `actor`, and what is queued for the
    /// personal inbox `inbox` (shared inboxes serve others too). Returns
    /// how many deliveries were dropped.
    pub async fn drop_for_account(
        mut self,
        actor: AccountId,
        inbox: Option<&str>,
    ) -> StoreResult<u64> {
        let from = run!(self.0.exec, e => sqlx::query(
            "DELETE FROM deliveries WHERE activity_id IN
                 (SELECT id FROM outbound_activities WHERE actor_id = $1)",
        )
        .bind(actor)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        run!(self.0.exec, e => sqlx::query("DELETE FROM outbound_activities WHERE actor_id = $1")
            .bind(actor)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        let Some(inbox) = inbox else {
            return Ok(from);
        };
        let activities: Vec<i64> = run!(self.0.exec, e => sqlx::query_scalar(
            "DELETE FROM deliveries WHERE inbox_url = $1 RETURNING activity_id",
        )
        .bind(inbox)
        .fetch_all(e)
        .await)?;
        for activity in &activities {
            run!(self.0.exec, e => sqlx::query(
                "DELETE FROM outbound_activities WHERE id = $1 AND render_kind IS NULL
                    AND NOT EXISTS (SELECT 1 FROM deliveries WHERE activity_id = $1)",
            )
            .bind(activity)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(from + activities.len() as u64)
    }

    /// Schedules another attempt.
    pub async fn retry_at(
        mut self,
        id: i64,
        attempts: i32,
        at: Timestamp,
        error: &str,
    ) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE deliveries SET attempts = $2, next_attempt_at = $3, locked_until = NULL,
                last_error = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(attempts)
        .bind(at)
        .bind(error.chars().take(500).collect::<String>())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deliveries still waiting (all hosts, or one).
    pub async fn pending(mut self, host: Option<&str>) -> StoreResult<i64> {
        let n: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE $1 IS NULL OR host = $1",
        )
        .bind(host)
        .fetch_one(e)
        .await)?;
        Ok(n)
    }

    /// What is queued for one host, oldest first.
    pub async fn queued_for(mut self, host: &str) -> StoreResult<Vec<Queued>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, Queued>(
            "SELECT id, inbox_url, attempts, next_attempt_at, locked_until, last_error
             FROM deliveries WHERE host = $1 ORDER BY next_attempt_at, id",
        )
        .bind(host)
        .fetch_all(e)
        .await)?;
        Ok(rows)
    }

    pub async fn peer(mut self, host: &str) -> StoreResult<Option<Peer>> {
        let peer = run!(self.0.exec, e => sqlx::query_as::<_, Peer>(
            "SELECT host, failing_since, unreachable_since, last_success_at FROM peer_hosts WHERE host = $1",
        )
        .bind(host)
        .fetch_optional(e)
        .await)?;
        Ok(peer)
    }

    /// A delivery to the host failed; returns when it started failing.
    pub async fn peer_failed(mut self, host: &str, now: Timestamp) -> StoreResult<Timestamp> {
        let since: Timestamp = run!(self.0.exec, e => sqlx::query_scalar(
            "INSERT INTO peer_hosts (host, failing_since) VALUES ($1, $2)
             ON CONFLICT (host) DO UPDATE
                SET failing_since = COALESCE(peer_hosts.failing_since, excluded.failing_since)
             RETURNING failing_since",
        )
        .bind(host)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(since)
    }

    pub async fn peer_unreachable(mut self, host: &str, now: Timestamp) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO peer_hosts (host, failing_since, unreachable_since) VALUES ($1, $2, $2)
             ON CONFLICT (host) DO UPDATE SET unreachable_since = excluded.unreachable_since",
        )
        .bind(host)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A delivery to the host succeeded, or the host contacted us: it is
    /// healthy again, and its waiting deliveries are due now. Inbound
    /// contact from a healthy host (the common case) only reads. Returns
    /// whether the host had been failing (its deliveries were made due).
    pub async fn peer_alive(
        mut self,
        host: &str,
        now: Timestamp,
        delivered: bool,
    ) -> StoreResult<bool> {
        let was_failing: i64 = run!(self.0.exec, e => sqlx::query_scalar(
            "SELECT COUNT(*) FROM peer_hosts WHERE host = $1
                AND (failing_since IS NOT NULL OR unreachable_since IS NOT NULL)",
        )
        .bind(host)
        .fetch_one(e)
        .await)?;
        if delivered {
            run!(self.0.exec, e => sqlx::query(
                "INSERT INTO peer_hosts (host, last_success_at) VALUES ($1, $2)
                 ON CONFLICT (host) DO UPDATE SET failing_since = NULL, unreachable_since = NULL,
                    last_success_at = excluded.last_success_at",
            )
            .bind(host)
            .bind(now)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        } else if was_failing > 0 {
            run!(self.0.exec, e => sqlx::query(
                "UPDATE peer_hosts SET failing_since = NULL, unreachable_since = NULL WHERE host = $1",
            )
            .bind(host)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        if was_failing > 0 {
            run!(self.0.exec, e => sqlx::query(
                "UPDATE deliveries SET next_attempt_at = $2 WHERE host = $1 AND next_attempt_at > $2",
            )
            .bind(host)
            .bind(now)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(was_failing > 0)
    }
}
