//! Managing the moderation rules and the organisation mode. Every change
//! is audited and seen by this node at once (other nodes within the
//! policy cache's lifetime).

use serde::{Deserialize, Serialize};

use super::error::{ServiceError, ServiceResult};
use crate::moderation::audit::{self, Actor, Entry};
use crate::moderation::organisation::{self, OrganisationMode};
use crate::moderation::rules::RuleDef;
use crate::state::AppState;
use crate::store::RuleRow;

/// A rule with its id, as listed.
#[derive(Debug, Clone)]
pub struct StoredRule {
    pub id: i64,
    pub position: i64,
    pub def: RuleDef,
    pub row: RuleRow,
}

fn stored(row: RuleRow) -> StoredRule {
    StoredRule {
        id: row.id,
        position: row.position,
        def: RuleDef::from_row(&row),
        row,
    }
}

fn invalid(message: String) -> ServiceError {
    ServiceError::Invalid(message)
}

pub async fn list(state: &AppState) -> ServiceResult<Vec<StoredRule>> {
    Ok(state
        .store
        .rules()
        .all()
        .await?
        .into_iter()
        .map(stored)
        .collect())
}

pub async fn get(state: &AppState, id: i64) -> ServiceResult<StoredRule> {
    state
        .store
        .rules()
        .by_id(id)
        .await?
        .map(stored)
        .ok_or(ServiceError::NotFound)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    def: RuleDef,
    position: Option<i64>,
) -> ServiceResult<StoredRule> {
    let def = def.validate().map_err(invalid)?;
    let position = match position {
        Some(p) => p,
        None => next_position(state).await?,
    };
    let mut tx = state.store.begin().await?;
    let row = tx.rules().insert(&def.to_row(0, position)).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("rule.created", "rule", row.id).details(serde_json::json!(def)),
    )
    .await?;
    tx.commit().await?;
    state.moderation.invalidate();
    Ok(stored(row))
}

async fn next_position(state: &AppState) -> ServiceResult<i64> {
    Ok(state
        .store
        .rules()
        .all()
        .await?
        .iter()
        .map(|r| r.position + 1)
        .max()
        .unwrap_or(0))
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    def: RuleDef,
    position: Option<i64>,
) -> ServiceResult<StoredRule> {
    let def = def.validate().map_err(invalid)?;
    let before = get(state, id).await?;
    let mut row = def.to_row(id, position.unwrap_or(before.position));
    row.created_at = before.row.created_at;
    let mut tx = state.store.begin().await?;
    tx.rules().update(&row).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("rule.updated", "rule", id)
            .details(serde_json::json!({ "before": before.def, "after": def })),
    )
    .await?;
    tx.commit().await?;
    state.moderation.invalidate();
    get(state, id).await
}

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<StoredRule> {
    let before = get(state, id).await?;
    let mut tx = state.store.begin().await?;
    tx.rules().delete(id).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("rule.deleted", "rule", id).details(serde_json::json!(before.def)),
    )
    .await?;
    tx.commit().await?;
    state.moderation.invalidate();
    Ok(before)
}

/// A rule set as a file: `[[rule]]` tables in TOML, `{"rule": [...]}` in
/// JSON. Order is evaluation order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    #[serde(default)]
    pub rule: Vec<RuleDef>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
}

/// Imports a rule set: rules are matched by name (updated in place,
/// created when new) and take the file's order; with `replace`, rules not
/// in the file are deleted. All or nothing: one invalid rule refuses the
/// whole file, naming it.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    set: RuleSet,
    replace: bool,
) -> ServiceResult<ImportSummary> {
    let mut defs = Vec::with_capacity(set.rule.len());
    for (i, def) in set.rule.into_iter().enumerate() {
        let name = def.name.clone();
        defs.push(
            def.validate()
                .map_err(|e| invalid(format!("rule {} ({name:?}): {e}", i + 1)))?,
        );
    }
    let mut names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid(format!("two rules are named {:?}", w[0])));
    }
    let existing = state.store.rules().all().await?;
    let mut summary = ImportSummary::default();
    let mut tx = state.store.begin().await?;
    for (position, def) in defs.iter().enumerate() {
        let position = position as i64;
        match existing.iter().find(|r| r.name == def.name) {
            Some(row) => {
                let mut updated = def.to_row(row.id, position);
                updated.created_at = row.created_at;
                if RuleDef::from_row(row) != *def || row.position != position {
                    tx.rules().update(&updated).await?;
                    summary.updated += 1;
                }
            }
            None => {
                tx.rules().insert(&def.to_row(0, position)).await?;
                summary.created += 1;
            }
        }
    }
    if replace {
        for row in existing
            .iter()
            .filter(|r| !defs.iter().any(|d| d.name == r.name))
        {
            tx.rules().delete(row.id).await?;
            summary.deleted += 1;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("rule.imported", "rule", "").details(serde_json::json!({
            "created": summary.created,
            "updated": summary.updated,
            "deleted": summary.deleted,
            "replace": replace,
        })),
    )
    .await?;
    tx.commit().await?;
    state.moderation.invalidate();
    Ok(summary)
}

pub async fn export(state: &AppState) -> ServiceResult<RuleSet> {
    Ok(RuleSet {
        rule: list(state).await?.into_iter().map(|r| r.def).collect(),
    })
}

pub async fn organisation_mode(state: &AppState) -> ServiceResult<OrganisationMode> {
    Ok(state
        .moderation
        .policy(&state.store)
        .await?
        .organisation
        .clone())
}

pub async fn set_organisation_mode(
    state: &AppState,
    actor: &Actor,
    mode: OrganisationMode,
) -> ServiceResult<OrganisationMode> {
    let mode = mode
        .validate(&crate::model::role::ROLE_NAMES)
        .map_err(invalid)?;
    let before = organisation_mode(state).await?;
    let json = serde_json::to_string(&mode).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut tx = state.store.begin().await?;
    tx.settings().put(organisation::SETTING, &json).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("setting.updated", "setting", organisation::SETTING)
            .details(serde_json::json!({ "before": before, "after": mode })),
    )
    .await?;
    tx.commit().await?;
    state.moderation.invalidate();
    Ok(mode)
}
