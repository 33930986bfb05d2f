//! Reports: filed by users here or received from other servers (`Flag`),
//! told to the staff (`admin.report` notifications), forwarded as a `Flag`
//! from the instance actor to the reported account's server when the
//! reporter asks, and handled by moderators (assignment, resolution,
//! category, notes). Every step is written to the audit log in the
//! transaction that makes it.

use serde_json::{Value, json};

use super::error::{ServiceError, ServiceResult};
use super::publish;
use crate::federation::protocol::Activity;
use crate::federation::render;
use crate::model::{Account, AccountId, Page, Permissions, Status, StatusId};
use crate::moderation::audit::{self, Actor, Entry};
use crate::store::{NewReport, Report, ReportFilter, ReportNote, Store, Tx, UserWithAccount};

/// Mastodon's limit on a report's comment.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Mastodon's limit on a moderator's note.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Statuses one report may name (a bound on the work of one request).
pub const MAX_STATUSES: usize = 100;
pub const CATEGORIES: [&str; 4] = ["spam", "legal", "violation", "other"];

/// A report as a user files it (`POST /api/v1/reports`).
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub target: AccountId,
    pub status_ids: Vec<StatusId>,
    pub comment: String,
    /// Send a copy to the reported account's server (remote targets).
    pub forward: bool,
    /// Which servers get the copy: the target's and those of accounts the
    /// reported statuses answer. `None`: the target's server only.
    pub forward_to_domains: Option<Vec<String>>,
    pub category: Option<String>,
    pub rule_ids: Vec<String>,
}

/// The ids of the instance's rules, which reports may cite. Loggia has no
/// instance rules yet (`GET /api/v1/instance/rules` is empty), so a
/// `violation` report cannot be filed until they exist.
fn instance_rule_ids() -> Vec<String> {
    Vec::new()
}

/// Checks a category and the rules cited; returns the category to store.
/// As Mastodon: citing rules makes a report a `violation`, and a violation
/// must cite rules of this server.
fn category_and_rules(category: Option<&str>, rule_ids: &[String]) -> ServiceResult<String> {
    let category = match category.map(str::trim).filter(|c| !c.is_empty()) {
        _ if !rule_ids.is_empty() => "violation",
        Some(c) => c,
        None => "other",
    };
    if !CATEGORIES.contains(&category) {
        return Err(ServiceError::Invalid(format!(
            "Category {category:?} is not one of {}",
            CATEGORIES.join(", ")
        )));
    }
    if category == "violation" {
        let known = instance_rule_ids();
        if rule_ids.is_empty() || rule_ids.iter().any(|r| !known.contains(r)) {
            return Err(ServiceError::Invalid(
                "Rule ids must name rules of this server (see GET /api/v1/instance/rules)".into(),
            ));
        }
    }
    Ok(category.to_owned())
}

/// Whether a role may see and handle reports.
pub fn may_manage(user: &UserWithAccount) -> bool {
    user.role.permissions().has(Permissions::MANAGE_REPORTS)
}

/// `Forbidden` unless `user` may handle reports.
pub fn require_manager(user: &UserWithAccount) -> ServiceResult<()> {
    if may_manage(user) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The reported statuses, each by the target and visible to the reporter.
async fn reported_statuses(
    store: &Store,
    me: &UserWithAccount,
    target: &Account,
    ids: &[StatusId],
) -> ServiceResult<Vec<Status>> {
    if ids.len() > MAX_STATUSES {
        return Err(ServiceError::Invalid(format!(
            "A report can name at most {MAX_STATUSES} statuses"
        )));
    }
    let viewer = super::statuses::viewer_of(me);
    let mut found: Vec<Status> = Vec::with_capacity(ids.len());
    for id in ids {
        if found.iter().any(|s| s.id == *id) {
            continue;
        }
        // Missing and invisible look the same, so existence does not leak.
        let status = store
            .statuses()
            .visible_by_id(*id, viewer)
            .await?
            .ok_or_else(|| ServiceError::Invalid(format!("Status {} was not found", id.0)))?;
        if status.account_id != target.id {
            return Err(ServiceError::Invalid(format!(
                "Status {} is not by the reported account",
                id.0
            )));
        }
        found.push(status);
    }
    Ok(found)
}

/// The inboxes a forwarded report goes to, as Mastodon chooses them: the
/// target's server if its domain is among `domains`, and the servers of
/// the accounts the reported statuses answer whose domain is too.
async fn forward_inboxes(
    store: &Store,
    target: &Account,
    statuses: &[Status],
    domains: Option<&[String]>,
) -> ServiceResult<Vec<String>> {
    let Some(target_domain) = target.domain.as_deref() else {
        return Ok(Vec::new());
    };
    let domains: Vec<String> = match domains {
        Some(list) => list
            .iter()
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect(),
        None => vec![target_domain.to_ascii_lowercase()],
    };
    let listed = |domain: &str| domains.iter().any(|d| d == &domain.to_ascii_lowercase());
    let mut inboxes = Vec::new();
    if listed(target_domain) {
        inboxes.extend(publish::server_inbox(target));
    }
    for status in statuses {
        let Some(answered) = status.in_reply_to_account_id else {
            continue;
        };
        if let Some(account) = store.accounts().by_id(answered).await?
            && account.domain.as_deref().is_some_and(listed)
        {
            inboxes.extend(publish::server_inbox(&account));
        }
    }
    Ok(inboxes)
}

/// The `Flag` that carries a report to another server: from the instance
/// actor (the reporter stays private, as with Mastodon), naming the
/// account and the statuses, with the comment as `content`.
pub fn flag(instance_actor: &Account, report: &Report, target: &Account) -> Activity {
    let mut object = vec![json!(target.uri)];
    object.extend(report.status_uri_list().into_iter().map(Value::String));
    let mut activity = render::activity(
        "Flag",
        format!("{}#reports/{}", instance_actor.uri, report.id),
        instance_actor,
        Value::Array(object),
        Vec::new(),
        Vec::new(),
    );
    activity.content = Some(report.comment.clone());
    activity
}

/// Tells every moderator of a new report.
async fn notify_staff(tx: &mut Tx, report: &Report) -> ServiceResult<()> {
    for staff in tx
        .users()
        .staff_accounts(Permissions::MANAGE_REPORTS)
        .await?
    {
        tx.notifications()
            .notify_report(staff, report.account_id, report.id)
            .await?;
    }
    Ok(())
}

/// Files a report by a local user: checked, stored with its statuses,
/// told to the staff, and forwarded if asked, in one transaction.
pub async fn file(
    store: &Store,
    instance_actor: &Account,
    me: &UserWithAccount,
    request: ReportRequest,
) -> ServiceResult<Report> {
    let target = super::follows::target(store, request.target).await?;
    if target.id == me.account.id {
        return Err(ServiceError::Invalid("You cannot report yourself".into()));
    }
    if request.comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(ServiceError::Invalid(format!(
            "Comment is too long (maximum is {MAX_COMMENT_CHARS} characters)"
        )));
    }
    let rule_ids: Vec<String> = request
        .rule_ids
        .iter()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    let category = category_and_rules(request.category.as_deref(), &rule_ids)?;
    let statuses = reported_statuses(store, me, &target, &request.status_ids).await?;
    let inboxes = if request.forward {
        forward_inboxes(
            store,
            &target,
            &statuses,
            request.forward_to_domains.as_deref(),
        )
        .await?
    } else {
        Vec::new()
    };

    let mut tx = store.begin().await?;
    let new = NewReport {
        account_id: me.account.id,
        target_account_id: target.id,
        statuses: statuses.iter().map(|s| (s.id, s.uri.clone())).collect(),
        comment: request.comment.clone(),
        category,
        rule_ids,
        forward: request.forward,
        uri: None,
    };
    let report = tx
        .reports()
        .insert(&new)
        .await?
        .ok_or_else(|| ServiceError::Internal("a new report without uri conflicted".into()))?;
    notify_staff(&mut tx, &report).await?;
    let forwarded = !inboxes.is_empty();
    if forwarded {
        let activity = flag(instance_actor, &report, &target);
        publish::to_inboxes(&mut tx, instance_actor, &activity, inboxes).await?;
        tx.reports().set_forwarded(report.id).await?;
    }
    audit::record(
        &mut tx,
        &Actor::person(&me.account),
        Entry::new("report.created", "report", report.id).details(json!({
            "target": target.acct(),
            "category": report.category,
            "statuses": new.statuses.len(),
            "forwarded": forwarded,
        })),
    )
    .await?;
    let report = tx
        .reports()
        .by_id(report.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    tracing::info!(report.id = report.id, account.id = %target.id, "report filed");
    Ok(report)
}

/// Records a report another server sent (`Flag`) about local accounts:
/// category `other`, the named local statuses linked. A redelivery is
/// recognised by the activity id and changes nothing (`None`).
pub async fn receive(
    store: &Store,
    reporter: &Account,
    target: &Account,
    statuses: &[Status],
    comment: &str,
    uri: Option<&str>,
) -> ServiceResult<Option<Report>> {
    let mut tx = store.begin().await?;
    let new = NewReport {
        account_id: reporter.id,
        target_account_id: target.id,
        statuses: statuses.iter().map(|s| (s.id, s.uri.clone())).collect(),
        comment: comment.to_owned(),
        category: "other".into(),
        rule_ids: Vec::new(),
        forward: false,
        uri: uri.map(str::to_owned),
    };
    let Some(report) = tx.reports().insert(&new).await? else {
        return Ok(None);
    };
    notify_staff(&mut tx, &report).await?;
    audit::record(
        &mut tx,
        &Actor::System,
        Entry::new("report.created", "report", report.id)
            .reason(format!(
                "received from {}",
                reporter.domain.as_deref().unwrap_or_default()
            ))
            .details(json!({
                "reporter": reporter.uri,
                "target": target.acct(),
                "statuses": new.statuses.len(),
            })),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(report.id = report.id, account.id = %target.id, "report received");
    Ok(Some(report))
}

/// Reports for a moderator, newest first.
pub async fn list(
    store: &Store,
    me: &UserWithAccount,
    filter: &ReportFilter,
    page: &Page,
) -> ServiceResult<Vec<Report>> {
    require_manager(me)?;
    Ok(store.reports().page(filter, page).await?)
}

/// A report for a moderator, or `NotFound`.
pub async fn get(store: &Store, me: &UserWithAccount, id: i64) -> ServiceResult<Report> {
    require_manager(me)?;
    store
        .reports()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A moderator's change to a report.
#[derive(Debug, Clone)]
pub enum Change {
    AssignToSelf,
    Unassign,
    Resolve,
    Reopen,
    /// New category (unchanged if `None`) and rules cited.
    Categorize {
        category: Option<String>,
        rule_ids: Option<Vec<String>>,
    },
}

/// Applies a moderator's change, with its audit entry, in one transaction.
pub async fn change(
    store: &Store,
    me: &UserWithAccount,
    id: i64,
    change: Change,
) -> ServiceResult<Report> {
    let current = get(store, me, id).await?;
    let mut tx = store.begin().await?;
    let (action, changed, details) = match change {
        Change::AssignToSelf => (
            "report.assigned",
            tx.reports().assign(id, Some(me.account.id)).await?,
            json!({ "assigned": me.account.username }),
        ),
        Change::Unassign => (
            "report.unassigned",
            tx.reports().assign(id, None).await?,
            Value::Null,
        ),
        Change::Resolve => (
            "report.resolved",
            tx.reports().set_resolved(id, Some(me.account.id)).await?,
            Value::Null,
        ),
        Change::Reopen => (
            "report.reopened",
            tx.reports().set_resolved(id, None).await?,
            Value::Null,
        ),
        Change::Categorize { category, rule_ids } => {
            let rule_ids: Vec<String> = rule_ids
                .unwrap_or_else(|| current.rule_id_list())
                .into_iter()
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect();
            let category = category.unwrap_or_else(|| current.category.clone());
            let category = category_and_rules(Some(&category), &rule_ids)?;
            let rule_ids = if category == "violation" {
                rule_ids
            } else {
                Vec::new()
            };
            (
                "report.updated",
                tx.reports().categorize(id, &category, &rule_ids).await?,
                json!({ "category": category, "rule_ids": rule_ids }),
            )
        }
    };
    let report = changed.ok_or(ServiceError::NotFound)?;
    audit::record(
        &mut tx,
        &Actor::person(&me.account),
        Entry::new(action, "report", id).details(details),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The notes on a report, oldest first.
pub async fn notes(store: &Store, me: &UserWithAccount, id: i64) -> ServiceResult<Vec<ReportNote>> {
    let report = get(store, me, id).await?;
    Ok(store.reports().notes(report.id).await?)
}

/// Adds a moderator's note to a report.
pub async fn add_note(
    store: &Store,
    me: &UserWithAccount,
    id: i64,
    content: &str,
) -> ServiceResult<ReportNote> {
    let report = get(store, me, id).await?;
    let content = content.trim();
    if content.is_empty() {
        return Err(ServiceError::Invalid("Content can't be blank".into()));
    }
    if content.chars().count() > MAX_NOTE_CHARS {
        return Err(ServiceError::Invalid(format!(
            "Content is too long (maximum is {MAX_NOTE_CHARS} characters)"
        )));
    }
    let mut tx = store.begin().await?;
    let note = tx
        .reports()
        .add_note(report.id, me.account.id, content)
        .await?;
    audit::record(
        &mut tx,
        &Actor::person(&me.account),
        Entry::new("report.note_added", "report", report.id)
            .reason(content)
            .details(json!({ "note": note.id.to_string() })),
    )
    .await?;
    tx.commit().await?;
    Ok(note)
}

/// Deletes a note: its author may, and administrators.
pub async fn delete_note(
    store: &Store,
    me: &UserWithAccount,
    id: i64,
    note_id: i64,
) -> ServiceResult<ReportNote> {
    let report = get(store, me, id).await?;
    let note = store
        .reports()
        .note(report.id, note_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let admin = me.role.permissions().0 & Permissions::ADMINISTRATOR != 0;
    if note.account_id != me.account.id && !admin {
        return Err(ServiceError::Forbidden);
    }
    let mut tx = store.begin().await?;
    if !tx.reports().delete_note(report.id, note.id).await? {
        return Err(ServiceError::NotFound);
    }
    audit::record(
        &mut tx,
        &Actor::person(&me.account),
        Entry::new("report.note_deleted", "report", report.id)
            .details(json!({ "note": note.id.to_string() })),
    )
    .await?;
    tx.commit().await?;
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citing_rules_makes_a_violation_which_needs_rules_of_this_server() {
        assert_eq!(category_and_rules(None, &[]).ok().as_deref(), Some("other"));
        assert_eq!(
            category_and_rules(Some("spam"), &[]).ok().as_deref(),
            Some("spam")
        );
        assert!(category_and_rules(Some("nonsense"), &[]).is_err());
        // No instance rules exist yet: a violation cannot cite any.
        assert!(category_and_rules(Some("violation"), &[]).is_err());
        assert!(category_and_rules(Some("spam"), &["1".into()]).is_err());
    }
}
