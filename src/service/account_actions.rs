//! What staff do to accounts, local or remote: warn, mark sensitive,
//! disable the login, silence, suspend — and undo each — plus Loggia's
//! role and team changes. Every decision is written to the audit log in
//! the transaction that makes it.
//!
//! Who may act (Mastodon's rules): the manage-users permission, and a role
//! that outranks the target's — an administrator outranks everyone but
//! themselves, others outrank lower positions only, so a moderator cannot
//! act on another moderator or on an administrator. Undoing needs the
//! permission only.

use std::str::FromStr;

use serde_json::json;

use super::error::{ServiceError, ServiceResult};
use crate::model::role::ROLE_NAMES;
use crate::model::{Account, AccountId, Permissions, Role};
use crate::moderation::audit::{self, Actor, Entry};
use crate::store::{Limit, Store, Tx, UserWithAccount};

/// Longest team name.
pub const MAX_TEAM_LEN: usize = 100;

/// Mastodon's `type` of `POST /api/v1/admin/accounts/:id/action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A warning only (with `text`).
    None,
    Sensitive,
    Disable,
    Silence,
    Suspend,
}

impl FromStr for ActionKind {
    type Err = ServiceError;

    fn from_str(s: &str) -> Result<Self, ServiceError> {
        Ok(match s {
            "none" => ActionKind::None,
            "sensitive" => ActionKind::Sensitive,
            "disable" => ActionKind::Disable,
            "silence" => ActionKind::Silence,
            "suspend" => ActionKind::Suspend,
            _ => {
                return Err(ServiceError::Invalid(
                    "Type is not included in the list".into(),
                ));
            }
        })
    }
}

/// An action against an account, as staff asked for it.
#[derive(Debug, Clone)]
pub struct AccountAction {
    pub kind: ActionKind,
    /// The report that prompted it: it must exist; it is recorded in the
    /// audit log (resolving it is the reports API's).
    pub report_id: Option<i64>,
    /// Free text for the audit log (and the warning).
    pub text: String,
    pub send_email_notification: bool,
}

/// The undo endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undo {
    Enable,
    Unsilence,
    Unsuspend,
    Unsensitive,
}

/// The account staff act on, with its user for local accounts.
struct Target {
    account: Account,
    user: Option<UserWithAccount>,
}

async fn target(store: &Store, id: AccountId) -> ServiceResult<Target> {
    let account = store
        .accounts()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user = match store.users().by_account(id).await? {
        Some(user_id) => store.users().with_account(user_id).await?,
        None => None,
    };
    // A local account without a user is the instance actor: not a person.
    if account.is_local() && user.is_none() {
        return Err(ServiceError::Forbidden);
    }
    Ok(Target { account, user })
}

/// Whether `me` may manage users at all.
pub fn may_manage_users(me: &UserWithAccount) -> bool {
    me.role.permissions().has(Permissions::MANAGE_USERS)
}

/// Whether `me`'s role outranks `role` (Mastodon's `UserRole#overrides?`,
/// with administrators outranking everyone).
fn outranks(me: &UserWithAccount, role: &Role) -> bool {
    me.role.permissions().has(Permissions::ADMINISTRATOR) || me.role.position > role.position
}

/// Refuses unless `me` may act against `target` (never oneself).
fn check_may_act(me: &UserWithAccount, target: &Target) -> ServiceResult<()> {
    if !may_manage_users(me) || target.account.id == me.account.id {
        return Err(ServiceError::Forbidden);
    }
    match &target.user {
        Some(user) if !outranks(me, &user.role) => Err(ServiceError::Forbidden),
        _ => Ok(()),
    }
}

/// Takes an action against an account (`POST …/:id/action`).
pub async fn act(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
    action: &AccountAction,
) -> ServiceResult<()> {
    let target = target(store, target_id).await?;
    check_may_act(me, &target)?;
    if let Some(report) = action.report_id
        && store.reports().by_id(report).await?.is_none()
    {
        return Err(ServiceError::NotFound);
    }
    if action.kind == ActionKind::None && action.text.is_empty() && action.report_id.is_none() {
        // A warning with nothing to say and no report: nothing to record.
        return Ok(());
    }
    let id = target.account.id;
    let mut tx = store.begin().await?;
    let mut details = json!({
        "acct": target.account.acct(),
        "report_id": action.report_id.map(|r| r.to_string()),
        "send_email_notification": action.send_email_notification,
    });
    let name = match action.kind {
        ActionKind::None => "account.warned",
        ActionKind::Sensitive => {
            tx.accounts().set_limit(id, Limit::Sensitized, true).await?;
            "account.sensitized"
        }
        ActionKind::Silence => {
            tx.accounts().set_limit(id, Limit::Silenced, true).await?;
            "account.silenced"
        }
        ActionKind::Disable => {
            let user = target.user.as_ref().ok_or(ServiceError::Forbidden)?;
            tx.users().set_disabled(user.user.id, true).await?;
            "account.disabled"
        }
        ActionKind::Suspend => {
            tx.accounts().set_limit(id, Limit::Suspended, true).await?;
            let (follows, deliveries) = cut_off(&mut tx, &target.account).await?;
            details["severed_follows"] = json!(follows);
            details["dropped_deliveries"] = json!(deliveries);
            "account.suspended"
        }
    };
    audit::record(
        &mut tx,
        &Actor::person(&me.account),
        Entry::new(name, "account", id.0)
            .reason(action.text.clone())
            .details(details),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(by = %me.account.username, account = %target.account.acct(), action = name, "account action");
    Ok(())
}

/// Ends every follow and follow request from or to a suspended account
/// (counters and home feeds adjusted as unfollowing does) and drops what
/// is queued from it or for its own inbox. Returns (follows, deliveries).
/// Follows do not come back with an unsuspension, as in Mastodon.
async fn cut_off(tx: &mut Tx, account: &Account) -> ServiceResult<(usize, u64)> {
    let follows = tx.follows().all_of(account.id).await?;
    for (follower, followed) in &follows {
        super::follows::end_follow(tx, *follower, *followed).await?;
    }
    tx.follows().drop_requests_of(account.id).await?;
    let inbox = account.inbox_url.as_deref().filter(|_| !account.is_local());
    let deliveries = tx.deliveries().drop_for_account(account.id, inbox).await?;
    Ok((follows.len(), deliveries))
}

/// Undoes an action (`POST …/:id/enable`, `unsilence`, `unsuspend`,
/// `unsensitive`). Answers without a change when there is nothing to undo.
pub async fn undo(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
    undo: Undo,
) -> ServiceResult<()> {
    if !may_manage_users(me) {
        return Err(ServiceError::Forbidden);
    }
    let target = target(store, target_id).await?;
    let id = target.account.id;
    let mut tx = store.begin().await?;
    let (changed, name) = match undo {
        Undo::Enable => {
            let user = target.user.as_ref().ok_or(ServiceError::Forbidden)?;
            (
                tx.users().set_disabled(user.user.id, false).await?,
                "account.enabled",
            )
        }
        Undo::Unsilence => (
            tx.accounts().set_limit(id, Limit::Silenced, false).await?,
            "account.unsilenced",
        ),
        Undo::Unsuspend => (
            tx.accounts().set_limit(id, Limit::Suspended, false).await?,
            "account.unsuspended",
        ),
        Undo::Unsensitive => (
            tx.accounts()
                .set_limit(id, Limit::Sensitized, false)
                .await?,
            "account.unsensitized",
        ),
    };
    if changed {
        audit::record(
            &mut tx,
            &Actor::person(&me.account),
            Entry::new(name, "account", id.0).details(json!({"acct": target.account.acct()})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Changes to a local user's role or team (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct StaffChanges {
    /// `user`, `reviewer`, `moderator` or `admin`.
    pub role: Option<String>,
    /// Free text; empty takes the user out of their team.
    pub team: Option<String>,
}

/// Changes the role and/or team of a local user, as staff. Only
/// administrators grant the moderator or administrator role; nobody
/// changes their own role; teams need the manage-settings permission (as
/// the organisation mode they feed).
pub async fn change_staff_fields(
    store: &Store,
    me: &UserWithAccount,
    target_id: AccountId,
    changes: &StaffChanges,
) -> ServiceResult<()> {
    if !may_manage_users(me) {
        return Err(ServiceError::Forbidden);
    }
    let target = target(store, target_id).await?;
    let user = target.user.ok_or(ServiceError::NotFound)?;
    let is_me = user.account.id == me.account.id;
    if !is_me && !outranks(me, &user.role) {
        return Err(ServiceError::Forbidden);
    }
    let role = match changes.role.as_deref().map(str::trim) {
        None => None,
        Some(name) => {
            if !ROLE_NAMES.contains(&name) {
                return Err(ServiceError::Invalid(format!(
                    "Role must be one of {}",
                    ROLE_NAMES.join(", ")
                )));
            }
            let granting_staff = matches!(name, "admin" | "moderator");
            if is_me || (granting_staff && !me.role.permissions().has(Permissions::ADMINISTRATOR)) {
                return Err(ServiceError::Forbidden);
            }
            Some(
                store
                    .roles()
                    .by_name(name)
                    .await?
                    .ok_or_else(|| ServiceError::Internal(format!("role {name:?} is missing")))?,
            )
        }
    };
    // Teams decide who publishes without review (organisation mode), so
    // moving people between them takes what changing that mode takes.
    if changes.team.is_some() && !me.role.permissions().has(Permissions::MANAGE_SETTINGS) {
        return Err(ServiceError::Forbidden);
    }
    let team = changes.team.as_deref().map(check_team).transpose()?;
    let actor = Actor::person(&me.account);
    let mut tx = store.begin().await?;
    if let Some(role) = role {
        record_role(&mut tx, &actor, &user, &role).await?;
    }
    if let Some(team) = team {
        record_team(&mut tx, &actor, &user, team.as_deref()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A team name, trimmed; empty means none.
pub fn check_team(team: &str) -> ServiceResult<Option<String>> {
    let team = team.trim();
    if team.chars().count() > MAX_TEAM_LEN {
        return Err(ServiceError::Invalid(format!(
            "Team is too long (at most {MAX_TEAM_LEN} characters)"
        )));
    }
    if team.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(
            "Team may not contain control characters".into(),
        ));
    }
    Ok(Some(team.to_owned()).filter(|t| !t.is_empty()))
}

async fn record_role(
    tx: &mut Tx,
    actor: &Actor,
    user: &UserWithAccount,
    role: &Role,
) -> ServiceResult<()> {
    if role.id == user.role.id {
        return Ok(());
    }
    tx.users().set_role(user.user.id, role.id).await?;
    audit::record(
        tx,
        actor,
        Entry::new("account.role_changed", "account", user.account.id.0).details(json!({
            "acct": user.account.acct(),
            "from": user.role.name,
            "to": role.name,
        })),
    )
    .await?;
    Ok(())
}

async fn record_team(
    tx: &mut Tx,
    actor: &Actor,
    user: &UserWithAccount,
    team: Option<&str>,
) -> ServiceResult<()> {
    if user.user.team.as_deref() == team {
        return Ok(());
    }
    tx.users().set_team(user.user.id, team).await?;
    audit::record(
        tx,
        actor,
        Entry::new("account.team_changed", "account", user.account.id.0).details(json!({
            "acct": user.account.acct(),
            "from": user.user.team,
            "to": team,
        })),
    )
    .await?;
    Ok(())
}

/// Sets a user's role for the command line, recorded with actor `cli`.
pub async fn set_role_as(
    store: &Store,
    actor: &Actor,
    user: &UserWithAccount,
    role: &str,
) -> ServiceResult<()> {
    let role = store.roles().by_name(role).await?.ok_or_else(|| {
        ServiceError::Invalid(format!(
            "unknown role {role:?} (use {})",
            ROLE_NAMES.join(", ")
        ))
    })?;
    let mut tx = store.begin().await?;
    record_role(&mut tx, actor, user, &role).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a user's team for the command line (empty: none), recorded with
/// actor `cli`. Returns the team now held.
pub async fn set_team_as(
    store: &Store,
    actor: &Actor,
    user: &UserWithAccount,
    team: &str,
) -> ServiceResult<Option<String>> {
    let team = check_team(team)?;
    let mut tx = store.begin().await?;
    record_team(&mut tx, actor, user, team.as_deref()).await?;
    tx.commit().await?;
    Ok(team)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_types_are_mastodons() {
        for (name, kind) in [
            ("none", ActionKind::None),
            ("sensitive", ActionKind::Sensitive),
            ("disable", ActionKind::Disable),
            ("silence", ActionKind::Silence),
            ("suspend", ActionKind::Suspend),
        ] {
            assert_eq!(name.parse::<ActionKind>().unwrap(), kind);
        }
        assert!("delete".parse::<ActionKind>().is_err());
    }

    #[test]
    fn teams_are_trimmed_and_empty_means_none() {
        assert_eq!(check_team("  Sales ").unwrap().as_deref(), Some("Sales"));
        assert_eq!(check_team("   ").unwrap(), None);
        assert!(check_team(&"x".repeat(MAX_TEAM_LEN + 1)).is_err());
        assert!(check_team("a\nb").is_err());
    }
}
