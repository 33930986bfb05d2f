//! Polls and their votes.

use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Poll, StatusId, Timestamp};

sub_store!(Polls);

/// A poll to insert (local) or to record as another server described it.
#[derive(Debug, Clone, Default)]
pub struct NewPoll {
    pub status_id: StatusId,
    pub account_id: AccountId,
    pub titles: Vec<String>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<Timestamp>,
    /// Set for other servers' polls.
    pub remote_tallies: Option<Vec<i64>>,
    pub remote_voters: Option<i64>,
}

impl Polls<'_> {
    pub async fn insert(mut self, new: &NewPoll) -> StoreResult<Poll> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        let poll = run!(self.0.exec, e => sqlx::query_as::<_, Poll>(
            "INSERT INTO polls (id, status_id, account_id, options, multiple, hide_totals,
                expires_at, remote_tallies, remote_voters, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *",
        )
        .bind(id)
        .bind(new.status_id)
        .bind(new.account_id)
        .bind(serde_json::to_string(&new.titles).unwrap_or_default())
        .bind(new.multiple)
        .bind(new.hide_totals)
        .bind(new.expires_at)
        .bind(new.remote_tallies.as_ref().map(|t| serde_json::to_string(t).unwrap_or_default()))
        .bind(new.remote_voters)
        .bind(now)
        .fetch_one(e)
        .await)?;
        Ok(poll)
    }

    /// Replaces a remote poll's description (an `Update` of the Question).
    /// Votes recorded here stay when the options are the same.
    pub async fn update_remote(mut self, id: i64, new: &NewPoll) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE polls SET options = $2, multiple = $3, expires_at = $4, remote_tallies = $5,
                remote_voters = $6, updated_at = $7
             WHERE id = $1",
        )
        .bind(id)
        .bind(serde_json::to_string(&new.titles).unwrap_or_default())
        .bind(new.multiple)
        .bind(new.expires_at)
        .bind(new.remote_tallies.as_ref().map(|t| serde_json::to_string(t).unwrap_or_default()))
        .bind(new.remote_voters)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn by_id(mut self, id: i64) -> StoreResult<Option<Poll>> {
        let poll = run!(self.0.exec, e => sqlx::query_as::<_, Poll>(
            "SELECT * FROM polls WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?;
        Ok(poll)
    }

    pub async fn by_status(mut self, status: StatusId) -> StoreResult<Option<Poll>> {
        let poll = run!(self.0.exec, e => sqlx::query_as::<_, Poll>(
            "SELECT * FROM polls WHERE status_id = $1",
        )
        .bind(status)
        .fetch_optional(e)
        .await)?;
        Ok(poll)
    }

    /// Votes per option of a local poll, counted from the votes.
    pub async fn tallies(mut self, poll: &Poll) -> StoreResult<Vec<i64>> {
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (i64, i64)>(
            "SELECT choice, COUNT(*) FROM poll_votes WHERE poll_id = $1 GROUP BY choice",
        )
        .bind(poll.id)
        .fetch_all(e)
        .await)?;
        let mut counts = vec![0; poll.titles().len()];
        for (choice, n) in rows {
            if let Some(slot) = usize::try_from(choice).ok().and_then(|c| counts.get_mut(c)) {
                *slot = n;
            }
        }
        Ok(counts)
    }

    pub async fn voters_count(mut self, poll_id: i64) -> StoreResult<i64> {
        let n = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(DISTINCT account_id) FROM poll_votes WHERE poll_id = $1",
        )
        .bind(poll_id)
        .fetch_one(e)
        .await)?;
        Ok(n)
    }

    /// The choices `account` voted for, in order.
    pub async fn choices_of(mut self, poll_id: i64, account: AccountId) -> StoreResult<Vec<i64>> {
        let choices = run!(self.0.exec, e => sqlx::query_scalar::<_, i64>(
            "SELECT choice FROM poll_votes WHERE poll_id = $1 AND account_id = $2 ORDER BY choice",
        )
        .bind(poll_id)
        .bind(account)
        .fetch_all(e)
        .await)?;
        Ok(choices)
    }

    /// Records one choice; `Conflict` if this account chose it already.
    /// With `only_vote`, nothing is recorded (false) if the account voted
    /// at all: decided in the insert itself, so two racing votes in a
    /// single-choice poll cannot both count.
    pub async fn add_vote(
        mut self,
        poll_id: i64,
        account: AccountId,
        choice: i64,
        uri: Option<&str>,
        only_vote: bool,
    ) -> StoreResult<bool> {
        let id = self.0.next_id();
        let n = run!(self.0.exec, e => sqlx::query(
            "INSERT INTO poll_votes (id, poll_id, account_id, choice, uri, created_at)
             SELECT $1, $2, $3, $4, $5, $6
             WHERE NOT ($7 AND EXISTS (
                 SELECT 1 FROM poll_votes WHERE poll_id = $2 AND account_id = $3))",
        )
        .bind(id)
        .bind(poll_id)
        .bind(account)
        .bind(choice)
        .bind(uri)
        .bind(Timestamp::now())
        .bind(only_vote)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Takes the poll's row lock for the rest of the transaction (a no-op
    /// write), so that concurrent votes in it are decided one after the
    /// other on PostgreSQL too.
    pub async fn lock(mut self, poll_id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE polls SET updated_at = $2 WHERE id = $1")
            .bind(poll_id)
            .bind(Timestamp::now())
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets every vote (the options of the poll changed).
    pub async fn clear_votes(mut self, poll_id: i64) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("DELETE FROM poll_votes WHERE poll_id = $1")
            .bind(poll_id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ended polls whose voters have not been told yet.
    pub async fn ended_unannounced(mut self, now: Timestamp, limit: i64) -> StoreResult<Vec<Poll>> {
        let polls = run!(self.0.exec, e => sqlx::query_as::<_, Poll>(
            "SELECT * FROM polls WHERE expires_at <= $1 AND ended_notified_at IS NULL
             ORDER BY expires_at LIMIT +$2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(e)
        .await)?;
        Ok(polls)
    }

    /// Claims the announcement of an ended poll; false if another node did.
    pub async fn claim_announcement(mut self, poll_id: i64) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query(
            "UPDATE polls SET ended_notified_at = $2 WHERE id = $1 AND ended_notified_at IS NULL",
        )
        .bind(poll_id)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Local accounts that voted in a poll.
    pub async fn local_voters(mut self, poll_id: i64) -> StoreResult<Vec<AccountId>> {
        let ids = run!(self.0.exec, e => sqlx::query_scalar::<_, AccountId>(
            "SELECT DISTINCT v.account_id FROM poll_votes v JOIN accounts a ON a.id = v.account_id
             WHERE v.poll_id = $1 AND a.domain IS NULL",
        )
        .bind(poll_id)
        .fetch_all(e)
        .await)?;
        Ok(ids)
    }

    /// Moves a poll's end (tests use it to end a poll without waiting).
    pub async fn set_expires_at(mut self, poll_id: i64, at: Timestamp) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query("UPDATE polls SET expires_at = $2 WHERE id = $1")
            .bind(poll_id)
            .bind(at)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
