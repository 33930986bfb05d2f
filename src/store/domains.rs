//! Domain blocks and allows (instance-wide federation policy), and the
//! `accounts.domain_limit` they imply.

use super::{StoreResult, run, sub_store};
use crate::model::{AccountId, Timestamp};

sub_store!(Domains);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DomainBlock {
    pub id: i64,
    /// `example.com` (with its subdomains) or `*.example.com` (only them).
    pub domain: String,
    /// `noop`, `silence` or `suspend`.
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: String,
    pub public_comment: String,
    pub obfuscate: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DomainAllow {
    pub id: i64,
    pub domain: String,
    pub created_at: Timestamp,
}

/// The `LIKE` patterns (escaped with `\`) matching accounts' `domain`
/// (a host, maybe with a port) under a block or allow pattern.
fn like_patterns(pattern: &str) -> [String; 4] {
    let escaped = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    };
    match pattern.strip_prefix("*.") {
        Some(parent) => {
            let p = escaped(parent);
            [
                format!("%.{p}"),
                format!("%.{p}:%"),
                format!("%.{p}"),
                format!("%.{p}:%"),
            ]
        }
        None => {
            let p = escaped(pattern);
            [
                p.clone(),
                format!("{p}:%"),
                format!("%.{p}"),
                format!("%.{p}:%"),
            ]
        }
    }
}

const DOMAIN_MATCHES: &str =
    "(lower(domain) LIKE $2 ESCAPE '\\' OR lower(domain) LIKE $3 ESCAPE '\\'
     OR lower(domain) LIKE $4 ESCAPE '\\' OR lower(domain) LIKE $5 ESCAPE '\\')";

impl Domains<'_> {
    pub async fn blocks(mut self) -> StoreResult<Vec<DomainBlock>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, DomainBlock>(
            "SELECT * FROM domain_blocks ORDER BY domain",
        )
        .fetch_all(e)
        .await)?)
    }

    pub async fn block(mut self, id: i64) -> StoreResult<Option<DomainBlock>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, DomainBlock>(
            "SELECT * FROM domain_blocks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?)
    }

    /// Inserts a block (`Conflict` when the domain is already blocked).
    pub async fn insert_block(mut self, block: &DomainBlock) -> StoreResult<DomainBlock> {
        let id = self.0.next_id();
        let now = Timestamp::now();
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO domain_blocks (id, domain, severity, reject_media, reject_reports,
                 private_comment, public_comment, obfuscate, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(&block.domain)
        .bind(&block.severity)
        .bind(block.reject_media)
        .bind(block.reject_reports)
        .bind(&block.private_comment)
        .bind(&block.public_comment)
        .bind(block.obfuscate)
        .bind(now)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(DomainBlock {
            id,
            created_at: now,
            updated_at: now,
            ..block.clone()
        })
    }

    pub async fn update_block(mut self, block: &DomainBlock) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE domain_blocks SET severity = $2, reject_media = $3, reject_reports = $4,
                 private_comment = $5, public_comment = $6, obfuscate = $7, updated_at = $8
             WHERE id = $1",
        )
        .bind(block.id)
        .bind(&block.severity)
        .bind(block.reject_media)
        .bind(block.reject_reports)
        .bind(&block.private_comment)
        .bind(&block.public_comment)
        .bind(block.obfuscate)
        .bind(Timestamp::now())
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn delete_block(mut self, id: i64) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query("DELETE FROM domain_blocks WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn allows(mut self) -> StoreResult<Vec<DomainAllow>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, DomainAllow>(
            "SELECT * FROM domain_allows ORDER BY domain",
        )
        .fetch_all(e)
        .await)?)
    }

    pub async fn allow(mut self, id: i64) -> StoreResult<Option<DomainAllow>> {
        Ok(run!(self.0.exec, e => sqlx::query_as::<_, DomainAllow>(
            "SELECT * FROM domain_allows WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(e)
        .await)?)
    }

    /// Inserts an allow (`Conflict` when the domain is already allowed).
    pub async fn insert_allow(mut self, domain: &str) -> StoreResult<DomainAllow> {
        let allow = DomainAllow {
            id: self.0.next_id(),
            domain: domain.to_owned(),
            created_at: Timestamp::now(),
        };
        run!(self.0.exec, e => sqlx::query(
            "INSERT INTO domain_allows (id, domain, created_at) VALUES ($1, $2, $3)",
        )
        .bind(allow.id)
        .bind(&allow.domain)
        .bind(allow.created_at)
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(allow)
    }

    pub async fn delete_allow(mut self, id: i64) -> StoreResult<bool> {
        let n = run!(self.0.exec, e => sqlx::query("DELETE FROM domain_allows WHERE id = $1")
            .bind(id)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Recomputes `accounts.domain_limit` of remote accounts from `limits`
    /// (pattern, level: 1 silence, 2 suspend).
    pub async fn apply_limits(&mut self, limits: &[(String, i64)]) -> StoreResult<()> {
        run!(self.0.exec, e => sqlx::query(
            "UPDATE accounts SET domain_limit = 0 WHERE domain IS NOT NULL AND domain_limit <> 0",
        )
        .execute(e)
        .await
        .map(|r| r.rows_affected()))?;
        for (pattern, level) in limits {
            let [a, b, c, d] = like_patterns(pattern);
            let sql = format!(
                "UPDATE accounts SET domain_limit = $1
                 WHERE domain IS NOT NULL AND domain_limit < $1 AND {DOMAIN_MATCHES}"
            );
            run!(self.0.exec, e => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(level)
                .bind(&a)
                .bind(&b)
                .bind(&c)
                .bind(&d)
                .execute(e)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// Follows and follow requests between local accounts and accounts
    /// under `pattern`, either way: (follower, target).
    pub async fn follows_across(
        mut self,
        pattern: &str,
    ) -> StoreResult<Vec<(AccountId, AccountId)>> {
        let [a, b, c, d] = like_patterns(pattern);
        let matches = DOMAIN_MATCHES.replace("domain", "r.domain");
        let sql = format!(
            "SELECT f.account_id, f.target_account_id FROM follows f
               JOIN accounts r ON r.id = f.account_id OR r.id = f.target_account_id
               WHERE r.domain IS NOT NULL AND $1 = $1 AND {matches}
             UNION
             SELECT f.account_id, f.target_account_id FROM follow_requests f
               JOIN accounts r ON r.id = f.account_id OR r.id = f.target_account_id
               WHERE r.domain IS NOT NULL AND $1 = $1 AND {matches}"
        );
        let rows = run!(self.0.exec, e => sqlx::query_as::<_, (AccountId, AccountId)>(
            sqlx::AssertSqlSafe(sql.clone()))
            .bind(0_i64)
            .bind(&a)
            .bind(&b)
            .bind(&c)
            .bind(&d)
            .fetch_all(e)
            .await)?;
        Ok(rows)
    }

    /// Drops queued deliveries to hosts under `pattern`.
    pub async fn drop_deliveries(mut self, pattern: &str) -> StoreResult<u64> {
        let [a, b, c, d] = like_patterns(pattern);
        let matches = DOMAIN_MATCHES.replace("domain", "host");
        let sql = format!("DELETE FROM deliveries WHERE $1 = $1 AND {matches}");
        let n = run!(self.0.exec, e => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(0_i64)
            .bind(&a)
            .bind(&b)
            .bind(&c)
            .bind(&d)
            .execute(e)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::like_patterns;

    #[test]
    fn patterns_cover_ports_and_subdomains() {
        assert_eq!(
            like_patterns("ex_ample.com"),
            [
                "ex\\_ample.com".to_string(),
                "ex\\_ample.com:%".into(),
                "%.ex\\_ample.com".into(),
                "%.ex\\_ample.com:%".into()
            ]
        );
        assert_eq!(like_patterns("*.example.com")[0], "%.example.com");
    }
}
