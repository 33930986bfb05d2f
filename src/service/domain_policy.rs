//! Changing which servers we federate with: the federation mode, domain
//! blocks and allows. Every change is audited, applied to remote accounts'
//! `domain_limit` and seen by this node at once (other nodes within the
//! policy cache's lifetime). Suspending a domain severs follows both ways
//! and drops what was queued for it.

use super::error::{ServiceError, ServiceResult};
use crate::moderation::audit::{self, Actor, Entry};
use crate::moderation::domains::{FederationMode, MODE_SETTING, normalize_pattern};
use crate::state::AppState;
use crate::store::{DomainAllow, DomainBlock, StoreError};

pub const SEVERITIES: &[&str] = &["noop", "silence", "suspend"];

/// What an admin sets on a block (all fields; updates start from the
/// current block).
#[derive(Debug, Clone, Default)]
pub struct BlockSettings {
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: String,
    pub public_comment: String,
    pub obfuscate: bool,
}

impl BlockSettings {
    pub fn of(block: &DomainBlock) -> Self {
        BlockSettings {
            severity: block.severity.clone(),
            reject_media: block.reject_media,
            reject_reports: block.reject_reports,
            private_comment: block.private_comment.clone(),
            public_comment: block.public_comment.clone(),
            obfuscate: block.obfuscate,
        }
    }

    fn check(&self) -> ServiceResult<()> {
        if !SEVERITIES.contains(&self.severity.as_str()) {
            return Err(ServiceError::Invalid(format!(
                "severity must be one of {}",
                SEVERITIES.join(", ")
            )));
        }
        if self.private_comment.chars().count() > 1000 || self.public_comment.chars().count() > 1000
        {
            return Err(ServiceError::Invalid(
                "comments are limited to 1000 characters".into(),
            ));
        }
        Ok(())
    }
}

fn pattern(domain: &str) -> ServiceResult<String> {
    normalize_pattern(domain).ok_or_else(|| {
        ServiceError::Invalid(format!(
            "{domain:?} is not a domain (write example.com or *.example.com)"
        ))
    })
}

fn details(block: &DomainBlock) -> serde_json::Value {
    serde_json::json!({
        "domain": block.domain,
        "severity": block.severity,
        "reject_media": block.reject_media,
        "reject_reports": block.reject_reports,
        "public_comment": block.public_comment,
        "private_comment": block.private_comment,
    })
}

pub async fn block(
    state: &AppState,
    actor: &Actor,
    domain: &str,
    settings: BlockSettings,
) -> ServiceResult<DomainBlock> {
    settings.check()?;
    let domain = pattern(domain)?;
    if crate::moderation::domains::covers(&domain, &state.config.domain()) {
        return Err(ServiceError::Invalid(
            "this would block our own domain".into(),
        ));
    }
    let mut tx = state.store.begin().await?;
    let block = DomainBlock {
        id: 0,
        domain: domain.clone(),
        severity: settings.severity,
        reject_media: settings.reject_media,
        reject_reports: settings.reject_reports,
        private_comment: settings.private_comment,
        public_comment: settings.public_comment,
        obfuscate: settings.obfuscate,
        created_at: crate::model::Timestamp(0),
        updated_at: crate::model::Timestamp(0),
    };
    let block = match tx.domains().insert_block(&block).await {
        Ok(b) => b,
        Err(StoreError::Conflict) => {
            return Err(ServiceError::Invalid(format!(
                "{domain} is already blocked"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor,
        Entry::new("domain_block.created", "domain", &block.domain).details(details(&block)),
    )
    .await?;
    tx.commit().await?;
    enforce(state).await?;
    Ok(block)
}

pub async fn update_block(
    state: &AppState,
    actor: &Actor,
    id: i64,
    settings: BlockSettings,
) -> ServiceResult<DomainBlock> {
    settings.check()?;
    let current = state
        .store
        .domains()
        .block(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let updated = DomainBlock {
        severity: settings.severity,
        reject_media: settings.reject_media,
        reject_reports: settings.reject_reports,
        private_comment: settings.private_comment,
        public_comment: settings.public_comment,
        obfuscate: settings.obfuscate,
        ..current.clone()
    };
    let mut tx = state.store.begin().await?;
    tx.domains().update_block(&updated).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("domain_block.updated", "domain", &updated.domain).details(
            serde_json::json!({ "before": details(&current), "after": details(&updated) }),
        ),
    )
    .await?;
    tx.commit().await?;
    enforce(state).await?;
    Ok(updated)
}

pub async fn unblock(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<DomainBlock> {
    let mut tx = state.store.begin().await?;
    let block = tx
        .domains()
        .block(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.domains().delete_block(id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("domain_block.deleted", "domain", &block.domain).details(details(&block)),
    )
    .await?;
    tx.commit().await?;
    enforce(state).await?;
    Ok(block)
}

pub async fn allow(state: &AppState, actor: &Actor, domain: &str) -> ServiceResult<DomainAllow> {
    let domain = pattern(domain)?;
    let mut tx = state.store.begin().await?;
    let allow = match tx.domains().insert_allow(&domain).await {
        Ok(a) => a,
        Err(StoreError::Conflict) => {
            return Err(ServiceError::Invalid(format!(
                "{domain} is already allowed"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        actor,
        Entry::new("domain_allow.created", "domain", &domain),
    )
    .await?;
    tx.commit().await?;
    enforce(state).await?;
    Ok(allow)
}

pub async fn disallow(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<DomainAllow> {
    let mut tx = state.store.begin().await?;
    let allow = tx
        .domains()
        .allow(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.domains().delete_allow(id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("domain_allow.deleted", "domain", &allow.domain),
    )
    .await?;
    tx.commit().await?;
    enforce(state).await?;
    Ok(allow)
}

pub async fn mode(state: &AppState) -> ServiceResult<FederationMode> {
    Ok(state.moderation.policy(&state.store).await?.domains.mode)
}

pub async fn set_mode(
    state: &AppState,
    actor: &Actor,
    mode: FederationMode,
) -> ServiceResult<FederationMode> {
    let before = self::mode(state).await?;
    let mut tx = state.store.begin().await?;
    tx.settings().put(MODE_SETTING, mode.as_str()).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("setting.updated", "setting", MODE_SETTING)
            .details(serde_json::json!({ "before": before, "after": mode })),
    )
    .await?;
    tx.commit().await?;
    enforce(state).await?;
    Ok(mode)
}

/// Applies the current policy: account limits, and for suspended domains
/// no follows either way and nothing queued.
async fn enforce(state: &AppState) -> ServiceResult<()> {
    state.moderation.invalidate();
    let policy = state.moderation.policy(&state.store).await?;
    let mut tx = state.store.begin().await?;
    tx.domains().apply_limits(&policy.domains.limits()).await?;
    tx.commit().await?;
    for (pattern, level) in policy.domains.limits() {
        if level < 2 {
            continue;
        }
        for (follower, target) in state.store.domains().follows_across(&pattern).await? {
            super::remote::follow_ended(&state.store, follower, target).await?;
        }
        let dropped = state.store.domains().drop_deliveries(&pattern).await?;
        if dropped > 0 {
            tracing::info!(domain = %pattern, dropped, "dropped deliveries to a suspended domain");
        }
    }
    Ok(())
}
