//! Writing to the audit log. Every moderation decision goes through
//! [`record`], automatic (rules, hooks) or human (reviewers, admins).

use crate::model::{Account, AccountId};
use crate::store::{NewAuditEntry, StoreResult, Tx};

/// Who made a decision.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A person, by their account.
    Person {
        account_id: AccountId,
        username: String,
    },
    /// A policy (`rule:12`, `hook:3`, `organisation_mode`).
    Policy(String),
    /// Loggia itself (a remote server's action, housekeeping).
    System,
    /// An operator at the command line (`loggia admin …`).
    Cli,
}

impl Actor {
    pub fn person(account: &Account) -> Self {
        Actor::Person {
            account_id: account.id,
            username: account.username.clone(),
        }
    }
}

/// What was decided about what.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// Dotted, noun first: `status.held`, `domain_block.created`.
    pub action: String,
    /// `status`, `account`, `domain`, `rule`, `hook`, `report`, `setting`.
    pub target_kind: String,
    pub target_id: String,
    pub reason: String,
    pub details: serde_json::Value,
}

impl Entry {
    pub fn new(action: &str, target_kind: &str, target_id: impl ToString) -> Self {
        Entry {
            action: action.to_owned(),
            target_kind: target_kind.to_owned(),
            target_id: target_id.to_string(),
            ..Entry::default()
        }
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

fn row(actor: &Actor, entry: Entry) -> NewAuditEntry {
    let (actor_account_id, actor) = match actor {
        Actor::Person {
            account_id,
            username,
        } => (Some(*account_id), username.clone()),
        Actor::Policy(name) => (None, name.clone()),
        Actor::System => (None, "system".to_owned()),
        Actor::Cli => (None, "cli".to_owned()),
    };
    NewAuditEntry {
        actor_account_id,
        actor,
        action: entry.action,
        target_kind: entry.target_kind,
        target_id: entry.target_id,
        reason: entry.reason,
        details: entry.details,
    }
}

/// Appends inside the transaction of the decision, so a decision and its
/// record cannot part.
pub async fn record(tx: &mut Tx, actor: &Actor, entry: Entry) -> StoreResult<()> {
    tx.audit_log().append(&row(actor, entry)).await?;
    Ok(())
}

/// Appends outside a transaction (decisions that change no row, such as a
/// rejected inbound post).
pub async fn record_now(
    store: &crate::store::Store,
    actor: &Actor,
    entry: Entry,
) -> StoreResult<()> {
    store.audit_log().append(&row(actor, entry)).await?;
    Ok(())
}
