//! Who may sign up or connect at all: canonical e-mail blocks (one person's
//! address in all its spellings) and IP blocks (an address or range kept
//! from signing up, made to wait for approval, or refused everything).
//!
//! Sign-up reads the blocks from the database; the per-request `no_access`
//! check reads [`AccessCache`], which keeps the list in memory for a few
//! seconds (and is emptied when this node changes a block), so every node
//! applies a change within that time. Expired blocks do not apply.

use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::json;

use super::error::{ServiceError, ServiceResult};
use crate::crypto::sha256_hex;
use crate::model::Timestamp;
use crate::moderation::audit::{self, Actor, Entry};
use crate::store::{CanonicalEmailBlock, IpBlock, IpBlockFields, Store, StoreError, StoreResult};

/// The severities of an IP block, weakest first.
pub const SEVERITIES: [&str; 3] = ["sign_up_requires_approval", "sign_up_block", "no_access"];

/// How long a node trusts its in-memory list of `no_access` blocks.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// Mastodon's canonical form of an address: lower-cased; in the local
/// part, dots removed and everything from the first `+` dropped.
pub fn canonical_email(email: &str) -> String {
    let lower = email.trim().to_lowercase();
    let (local, domain) = lower.split_once('@').unwrap_or((lower.as_str(), ""));
    let local: String = local.replace('.', "");
    let local = local.split('+').next().unwrap_or_default();
    format!("{local}@{domain}")
}

/// SHA-256 (hex) of the canonical address, as Mastodon stores it.
pub fn canonical_email_hash(email: &str) -> String {
    sha256_hex(&canonical_email(email))
}

/// Whether an address (in any spelling) is blocked.
pub async fn email_blocked(store: &Store, email: &str) -> StoreResult<bool> {
    let found = store
        .canonical_email_blocks()
        .by_hash(&canonical_email_hash(email))
        .await?;
    Ok(!found.is_empty())
}

/// The blocks an address matches (`POST …/canonical_email_blocks/test`).
pub async fn test_email(store: &Store, email: &str) -> StoreResult<Vec<CanonicalEmailBlock>> {
    store
        .canonical_email_blocks()
        .by_hash(&canonical_email_hash(email))
        .await
}

fn is_hex_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Blocks an address, given as an address or as its canonical hash.
pub async fn block_email(
    store: &Store,
    actor: &Actor,
    email: Option<&str>,
    hash: Option<&str>,
) -> ServiceResult<CanonicalEmailBlock> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    let hash = match (email, hash.map(str::trim).filter(|h| !h.is_empty())) {
        (Some(email), _) => canonical_email_hash(email),
        (None, Some(hash)) if is_hex_sha256(hash) => hash.to_ascii_lowercase(),
        (None, Some(_)) => {
            return Err(ServiceError::Invalid(
                "Canonical email hash must be a SHA-256 hex digest".into(),
            ));
        }
        (None, None) => {
            return Err(ServiceError::Invalid(
                "Canonical email hash can't be blank".into(),
            ));
        }
    };
    let mut tx = store.begin().await?;
    let block = tx
        .canonical_email_blocks()
        .insert(&hash)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                ServiceError::Invalid("Canonical email hash has already been taken".into())
            }
            e => e.into(),
        })?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "canonical_email_block.created",
            "canonical_email_block",
            block.id,
        )
        .details(json!({"canonical_email_hash": block.canonical_email_hash})),
    )
    .await?;
    tx.commit().await?;
    Ok(block)
}

pub async fn unblock_email(store: &Store, actor: &Actor, id: i64) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    let block = tx
        .canonical_email_blocks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.canonical_email_blocks().delete(id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("canonical_email_block.deleted", "canonical_email_block", id)
            .details(json!({"canonical_email_hash": block.canonical_email_hash})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An IPv4 or IPv6 network: an address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// `192.0.2.7`, `192.0.2.0/24`, `2001:db8::/32`; host bits are cleared.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let address = unmap(address.parse::<IpAddr>().ok()?);
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        Some(Self {
            network: mask(address, prefix),
            prefix,
        })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = unmap(address);
        address.is_ipv4() == self.network.is_ipv4() && mask(address, self.prefix) == self.network
    }
}

impl std::fmt::Display for IpRange {
    /// `network/prefix`, as Mastodon shows blocks.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:192.0.2.7`) is that IPv4
/// address.
fn unmap(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

fn mask(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & mask).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & mask).into())
        }
    }
}

/// Whether one of `blocks` covers `ip` (an unparseable address: none).
fn covering<'a>(blocks: &'a [IpBlock], ip: &str) -> impl Iterator<Item = &'a IpBlock> {
    let address = ip.trim().parse::<IpAddr>().ok();
    blocks.iter().filter(move |b| {
        address.is_some_and(|a| IpRange::parse(&b.ip).is_some_and(|r| r.contains(a)))
    })
}

/// What the IP blocks say about a sign-up from an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpRestriction {
    /// Allowed, but the new account waits for approval.
    RequiresApproval,
    /// Refused.
    Blocked,
}

/// The strictest sign-up restriction of the blocks covering `ip`.
pub async fn sign_up_restriction(
    store: &Store,
    ip: &str,
) -> StoreResult<Option<SignUpRestriction>> {
    let blocks = store.ip_blocks().in_force(None, Timestamp::now()).await?;
    let mut strictest = None;
    for block in covering(&blocks, ip) {
        match block.severity.as_str() {
            "sign_up_block" | "no_access" => return Ok(Some(SignUpRestriction::Blocked)),
            "sign_up_requires_approval" => strictest = Some(SignUpRestriction::RequiresApproval),
            _ => {}
        }
    }
    Ok(strictest)
}

/// The fields of `POST`/`PUT /api/v1/admin/ip_blocks` (`None`: not given).
#[derive(Debug, Clone, Default)]
pub struct IpBlockInput {
    pub ip: Option<String>,
    pub severity: Option<String>,
    pub comment: Option<String>,
    /// Seconds from now; `Some(None)`: given empty (never expires).
    pub expires_in: Option<Option<i64>>,
}

/// Applies `input` over `current` (an update) or over nothing (a creation).
fn ip_block_fields(
    input: &IpBlockInput,
    current: Option<&IpBlock>,
) -> ServiceResult<IpBlockFields> {
    let ip = match (&input.ip, current) {
        (Some(ip), _) => IpRange::parse(ip)
            .ok_or_else(|| ServiceError::Invalid("Ip is invalid".into()))?
            .to_string(),
        (None, Some(current)) => current.ip.clone(),
        (None, None) => return Err(ServiceError::Invalid("Ip can't be blank".into())),
    };
    let severity = match (&input.severity, current) {
        (Some(s), _) if SEVERITIES.contains(&s.as_str()) => s.clone(),
        (Some(_), _) => {
            return Err(ServiceError::Invalid(
                "Severity is not included in the list".into(),
            ));
        }
        (None, Some(current)) => current.severity.clone(),
        (None, None) => return Err(ServiceError::Invalid("Severity can't be blank".into())),
    };
    let comment = match (&input.comment, current) {
        (Some(c), _) => c.trim().to_owned(),
        (None, Some(current)) => current.comment.clone(),
        (None, None) => String::new(),
    };
    let expires_at = match (input.expires_in, current) {
        (Some(Some(secs)), _) if (1..=super::MAX_DURATION_SECS).contains(&secs) => {
            Some(Timestamp::now().plus_seconds(secs))
        }
        (Some(Some(_)), _) => {
            return Err(ServiceError::Invalid(
                "Expires in must be between 1 second and 10 years".into(),
            ));
        }
        (Some(None), _) | (None, None) => None,
        (None, Some(current)) => current.expires_at,
    };
    Ok(IpBlockFields {
        ip,
        severity,
        comment,
        expires_at,
    })
}

fn ip_conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict => ServiceError::Invalid("Ip has already been taken".into()),
        e => e.into(),
    }
}

fn audit_details(block: &IpBlock) -> serde_json::Value {
    json!({
        "ip": block.ip,
        "severity": block.severity,
        "expires_at": block.expires_at.map(|t| t.to_rfc3339()),
    })
}

pub async fn create_ip_block(
    store: &Store,
    cache: &AccessCache,
    actor: &Actor,
    input: &IpBlockInput,
) -> ServiceResult<IpBlock> {
    let fields = ip_block_fields(input, None)?;
    let mut tx = store.begin().await?;
    let block = tx.ip_blocks().insert(&fields).await.map_err(ip_conflict)?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("ip_block.created", "ip_block", block.id)
            .reason(block.comment.clone())
            .details(audit_details(&block)),
    )
    .await?;
    tx.commit().await?;
    cache.invalidate();
    Ok(block)
}

pub async fn update_ip_block(
    store: &Store,
    cache: &AccessCache,
    actor: &Actor,
    id: i64,
    input: &IpBlockInput,
) -> ServiceResult<IpBlock> {
    let mut tx = store.begin().await?;
    let current = tx
        .ip_blocks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let fields = ip_block_fields(input, Some(&current))?;
    let block = tx
        .ip_blocks()
        .update(id, &fields)
        .await
        .map_err(ip_conflict)?
        .ok_or(ServiceError::NotFound)?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("ip_block.updated", "ip_block", id)
            .reason(block.comment.clone())
            .details(audit_details(&block)),
    )
    .await?;
    tx.commit().await?;
    cache.invalidate();
    Ok(block)
}

pub async fn delete_ip_block(
    store: &Store,
    cache: &AccessCache,
    actor: &Actor,
    id: i64,
) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    let block = tx
        .ip_blocks()
        .delete(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("ip_block.deleted", "ip_block", id).details(audit_details(&block)),
    )
    .await?;
    tx.commit().await?;
    cache.invalidate();
    Ok(())
}

/// `no_access` ranges with their expiry.
type NoAccess = Vec<(IpRange, Option<Timestamp>)>;

/// The `no_access` blocks, as this node last read them.
#[derive(Default)]
pub struct AccessCache {
    loaded: RwLock<Option<Loaded>>,
}

struct Loaded {
    at: Instant,
    blocks: Arc<NoAccess>,
}

impl AccessCache {
    /// Whether every request from `ip` is to be refused. Loopback addresses
    /// never are (as in Mastodon), so a block cannot lock out the machine
    /// itself — nor, behind a proxy without `trust_proxy_headers`, everyone.
    pub async fn denies(&self, store: &Store, ip: &str) -> bool {
        let Ok(address) = ip.parse::<IpAddr>().map(unmap) else {
            return false;
        };
        if address.is_loopback() {
            return false;
        }
        let blocks = self.blocks(store).await;
        let now = Timestamp::now();
        blocks
            .iter()
            .any(|(range, expires)| expires.is_none_or(|at| at > now) && range.contains(address))
    }

    /// Forgets the list: the next request reads it again.
    pub fn invalidate(&self) {
        if let Ok(mut loaded) = self.loaded.write() {
            *loaded = None;
        }
    }

    fn fresh(&self) -> Option<Arc<NoAccess>> {
        let loaded = self.loaded.read().ok()?;
        loaded
            .as_ref()
            .filter(|l| l.at.elapsed() < CACHE_TTL)
            .map(|l| l.blocks.clone())
    }

    async fn blocks(&self, store: &Store) -> Arc<NoAccess> {
        if let Some(blocks) = self.fresh() {
            return blocks;
        }
        match store
            .ip_blocks()
            .in_force(Some("no_access"), Timestamp::now())
            .await
        {
            Ok(rows) => {
                let blocks: Arc<NoAccess> = Arc::new(
                    rows.iter()
                        .filter_map(|b| IpRange::parse(&b.ip).map(|r| (r, b.expires_at)))
                        .collect(),
                );
                if let Ok(mut loaded) = self.loaded.write() {
                    *loaded = Some(Loaded {
                        at: Instant::now(),
                        blocks: blocks.clone(),
                    });
                }
                blocks
            }
            Err(e) => {
                // Keep serving with what was known; try again next request.
                tracing::warn!(error = %e, "cannot read the IP blocks");
                self.loaded
                    .read()
                    .ok()
                    .and_then(|l| l.as_ref().map(|l| l.blocks.clone()))
                    .unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_canonicalised_as_mastodon_does() {
        assert_eq!(
            canonical_email("First.Last+tag@Example.com"),
            "firstlast@example.com"
        );
        assert_eq!(
            canonical_email_hash("first.last+news@example.com"),
            canonical_email_hash("firstlast@EXAMPLE.com")
        );
        // Mastodon's own test vector (spec/models/canonical_email_block_spec.rb).
        assert_eq!(
            canonical_email("test.user@host.example"),
            "testuser@host.example"
        );
        assert_eq!(
            canonical_email("test+more@host.example"),
            "test@host.example"
        );
    }

    #[test]
    fn ranges_parse_and_match() {
        let range = IpRange::parse("192.0.2.77/24").unwrap();
        assert_eq!(range.to_string(), "192.0.2.0/24");
        assert!(range.contains("192.0.2.1".parse().unwrap()));
        assert!(range.contains("::ffff:192.0.2.200".parse().unwrap()));
        assert!(!range.contains("192.0.3.1".parse().unwrap()));
        assert!(!range.contains("2001:db8::1".parse().unwrap()));
        assert_eq!(IpRange::parse("8.8.8.8").unwrap().to_string(), "8.8.8.8/32");
        let v6 = IpRange::parse("2001:db8:1::/48").unwrap();
        assert!(v6.contains("2001:db8:1:2::9".parse().unwrap()));
        assert!(!v6.contains("2001:db8:2::9".parse().unwrap()));
        assert_eq!(
            IpRange::parse("0.0.0.0/0").unwrap().to_string(),
            "0.0.0.0/0"
        );
        assert!(
            IpRange::parse("0.0.0.0/0")
                .unwrap()
                .contains("203.0.113.5".parse().unwrap())
        );
        for bad in [
            "",
            "10.0.0.1/33",
            "::/129",
            "example.com",
            "10.0.0/8",
            "1.2.3.4/x",
        ] {
            assert!(IpRange::parse(bad).is_none(), "{bad}");
        }
    }
}
