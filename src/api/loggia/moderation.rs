//! Loggia's moderation settings and tools under `/api/v1/loggia/admin/`:
//! the federation mode, the organisation mode, the rules (with a "test
//! this text" endpoint), the review queue and the audit log (read only:
//! nothing edits it through the API).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::extract::auth::{AdminRead, AdminWrite, ScopeRequirement};
use crate::api::extract::{FormOrJson, PageQuery, Query, User};
use crate::api::mastodon::render;
use crate::error::{ApiResult, Error};
use crate::model::{Permissions, StatusId, Timestamp, Visibility};
use crate::moderation::audit::Actor;
use crate::moderation::domains::FederationMode;
use crate::moderation::organisation::OrganisationMode;
use crate::moderation::rules::{Rule, RuleDef};
use crate::moderation::{Author, Decision, Direction, Policy, Subject, verdict};
use crate::service::{domain_policy, review, rules};
use crate::state::AppState;
use crate::store::{AuditFilter, ReviewQueueFilter};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/loggia/admin/federation",
            get(show_federation).put(update_federation),
        )
        .route(
            "/api/v1/loggia/admin/organisation",
            get(show_organisation).put(update_organisation),
        )
        .route(
            "/api/v1/loggia/admin/rules",
            get(list_rules).post(create_rule),
        )
        .route("/api/v1/loggia/admin/rules/test", post(test_rules))
        .route(
            "/api/v1/loggia/admin/rules/{id}",
            get(show_rule).put(update_rule).delete(delete_rule),
        )
        .route("/api/v1/loggia/admin/reviews", get(list_reviews))
        .route("/api/v1/loggia/admin/reviews/{id}/approve", post(approve))
        .route("/api/v1/loggia/admin/reviews/{id}/reject", post(reject))
        .route("/api/v1/loggia/admin/audit_log", get(audit_log))
}

fn require<S: ScopeRequirement>(me: &User<S>, permission: i64) -> ApiResult<()> {
    if me.user.role.permissions().has(permission) {
        Ok(())
    } else {
        Err(Error::Forbidden("This action is not allowed".into()))
    }
}

fn actor<S: ScopeRequirement>(me: &User<S>) -> Actor {
    Actor::person(&me.user.account)
}

fn id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| Error::NotFound)
}

#[derive(Serialize, Deserialize)]
struct FederationSettings {
    mode: FederationMode,
}

/// GET /api/v1/loggia/admin/federation
async fn show_federation(
    State(state): State<AppState>,
    me: User<AdminRead>,
) -> ApiResult<Json<FederationSettings>> {
    require(&me, Permissions::MANAGE_FEDERATION)?;
    Ok(Json(FederationSettings {
        mode: domain_policy::mode(&state).await?,
    }))
}

#[derive(Deserialize, Default)]
struct FederationForm {
    mode: Option<String>,
}

/// PUT /api/v1/loggia/admin/federation — `mode`: open, blocklist, allowlist.
async fn update_federation(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    FormOrJson(form): FormOrJson<FederationForm>,
) -> ApiResult<Json<FederationSettings>> {
    require(&me, Permissions::MANAGE_FEDERATION)?;
    let mode = form
        .mode
        .as_deref()
        .and_then(FederationMode::parse)
        .ok_or_else(|| {
            Error::Unprocessable(
                "Validation failed: mode must be one of open, blocklist, allowlist".into(),
            )
        })?;
    let mode = domain_policy::set_mode(&state, &actor(&me), mode).await?;
    Ok(Json(FederationSettings { mode }))
}

/// GET /api/v1/loggia/admin/organisation
async fn show_organisation(
    State(state): State<AppState>,
    me: User<AdminRead>,
) -> ApiResult<Json<OrganisationMode>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    Ok(Json(rules::organisation_mode(&state).await?))
}

/// PUT /api/v1/loggia/admin/organisation — JSON: `default`, `roles`,
/// `teams`, `company_preview`.
async fn update_organisation(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    body: axum::body::Bytes,
) -> ApiResult<Json<OrganisationMode>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    let mode: OrganisationMode = serde_json::from_slice(&body)
        .map_err(|e| Error::Unprocessable(format!("Validation failed: {e}")))?;
    Ok(Json(
        rules::set_organisation_mode(&state, &actor(&me), mode).await?,
    ))
}

#[derive(Serialize)]
struct RuleEntity {
    id: String,
    position: i64,
    #[serde(flatten)]
    def: RuleDef,
    created_at: String,
    updated_at: String,
}

impl RuleEntity {
    fn from_stored(r: rules::StoredRule) -> Self {
        RuleEntity {
            id: r.id.to_string(),
            position: r.position,
            created_at: r.row.created_at.to_rfc3339(),
            updated_at: r.row.updated_at.to_rfc3339(),
            def: r.def,
        }
    }
}

/// A rule in a request: the definition plus an optional position.
struct RuleBody {
    def: RuleDef,
    position: Option<i64>,
}

/// The rule file format, plus `position`; unknown fields are refused
/// (serde cannot refuse them through a flattened struct, hence by hand).
fn rule_body(body: &[u8]) -> ApiResult<RuleBody> {
    let invalid = |e: String| Error::Unprocessable(format!("Validation failed: {e}"));
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| invalid(e.to_string()))?;
    let position = match value.as_object_mut().and_then(|o| o.remove("position")) {
        None | Some(serde_json::Value::Null) => None,
        Some(p) => Some(
            p.as_i64()
                .ok_or_else(|| invalid("position must be a number".into()))?,
        ),
    };
    let def = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    Ok(RuleBody { def, position })
}

/// GET /api/v1/loggia/admin/rules — in evaluation order.
async fn list_rules(
    State(state): State<AppState>,
    me: User<AdminRead>,
) -> ApiResult<Json<Vec<RuleEntity>>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    Ok(Json(
        rules::list(&state)
            .await?
            .into_iter()
            .map(RuleEntity::from_stored)
            .collect(),
    ))
}

/// GET /api/v1/loggia/admin/rules/{id}
async fn show_rule(
    State(state): State<AppState>,
    me: User<AdminRead>,
    Path(raw): Path<String>,
) -> ApiResult<Json<RuleEntity>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    Ok(Json(RuleEntity::from_stored(
        rules::get(&state, id(&raw)?).await?,
    )))
}

/// POST /api/v1/loggia/admin/rules — JSON, the rule file format.
async fn create_rule(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    body: axum::body::Bytes,
) -> ApiResult<Json<RuleEntity>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    let body = rule_body(&body)?;
    let rule = rules::create(&state, &actor(&me), body.def, body.position).await?;
    Ok(Json(RuleEntity::from_stored(rule)))
}

/// PUT /api/v1/loggia/admin/rules/{id} — the whole rule.
async fn update_rule(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(raw): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<RuleEntity>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    let body = rule_body(&body)?;
    let rule = rules::update(&state, &actor(&me), id(&raw)?, body.def, body.position).await?;
    Ok(Json(RuleEntity::from_stored(rule)))
}

/// DELETE /api/v1/loggia/admin/rules/{id}
async fn delete_rule(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(raw): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    rules::delete(&state, &actor(&me), id(&raw)?).await?;
    Ok(Json(serde_json::json!({})))
}

#[derive(Deserialize, Default)]
struct TestForm {
    text: Option<String>,
    spoiler_text: Option<String>,
    direction: Option<String>,
    /// Outbound: servers it would go to. Inbound: the one it comes from.
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    hashtags: Vec<String>,
    mentions: Option<usize>,
    /// A rule not saved yet, to try before saving.
    rule: Option<RuleDef>,
}

#[derive(Serialize)]
struct TestResult {
    #[serde(flatten)]
    decision: Decision,
}

/// POST /api/v1/loggia/admin/rules/test — which rules a text would hit
/// and the combined verdict (the rules only: hooks are not called and the
/// organisation mode is not applied).
async fn test_rules(
    State(state): State<AppState>,
    me: User<AdminRead>,
    body: axum::body::Bytes,
) -> ApiResult<Json<TestResult>> {
    require(&me, Permissions::MANAGE_SETTINGS)?;
    let form: TestForm = serde_json::from_slice(&body)
        .map_err(|e| Error::Unprocessable(format!("Validation failed: {e}")))?;
    let direction = match form.direction.as_deref().unwrap_or("outbound") {
        "outbound" => Direction::Outbound,
        "inbound" => Direction::Inbound,
        _ => {
            return Err(Error::Unprocessable(
                "Validation failed: direction must be inbound or outbound".into(),
            ));
        }
    };
    let text = form.text.unwrap_or_default();
    let parsed = crate::text::parse(&text);
    let mut hashtags = parsed.hashtags;
    hashtags.extend(
        form.hashtags
            .iter()
            .map(|h| h.trim_start_matches('#').to_owned()),
    );
    let domains: Vec<String> = form.domains.iter().map(|d| d.to_lowercase()).collect();
    let subject = Subject {
        direction,
        status_id: None,
        edit: false,
        author: Author {
            account_id: me.user.account.id.0,
            acct: me.user.account.username.clone(),
            ..Author::default()
        },
        visibility: Visibility::Public,
        company_only: false,
        destinations: if direction == Direction::Outbound {
            domains.clone()
        } else {
            Vec::new()
        },
        origin: if direction == Direction::Inbound {
            domains.first().cloned()
        } else {
            None
        },
        external: true,
        mentions: form.mentions.unwrap_or(parsed.mentions.len()),
        text,
        spoiler_text: form.spoiler_text.unwrap_or_default(),
        sensitive: false,
        hashtags,
        links: parsed.links,
        attachments: Vec::new(),
        language: None,
    };
    let mut findings = Vec::new();
    match form.rule {
        Some(def) => {
            let def = def
                .validate()
                .map_err(|e| Error::Unprocessable(format!("Validation failed: {e}")))?;
            let rule = Rule::compile(&def.to_row(0, 0)).map_err(Error::Unprocessable)?;
            findings.push(rule.check(&subject).await);
        }
        None => {
            let policy = state.moderation.policy(&state.store).await?;
            for rule in policy.rules.iter().filter(|r| r.applies_to(direction)) {
                findings.push(rule.check(&subject).await);
            }
        }
    }
    Ok(Json(TestResult {
        decision: verdict::combine(findings),
    }))
}

#[derive(Deserialize, Default)]
struct ReviewQuery {
    state: Option<String>,
    direction: Option<String>,
    account_id: Option<String>,
}

#[derive(Serialize)]
struct ReviewEntity {
    id: String,
    state: String,
    reason: Option<String>,
    direction: Option<String>,
    company_preview: bool,
    /// When it was put under review; send it back with the decision so
    /// that an edit made meanwhile is not approved unseen.
    requested_at: Option<String>,
    status: crate::api::entities::status::Status,
}

/// GET /api/v1/loggia/admin/reviews — `state` pending (default) or
/// rejected, `direction` inbound or outbound; newest first, paged.
async fn list_reviews(
    State(state): State<AppState>,
    me: User<AdminRead>,
    Query(q): Query<ReviewQuery>,
    page: PageQuery,
) -> ApiResult<Response> {
    require(&me, Permissions::REVIEW_POSTS)?;
    let review_state = q.state.unwrap_or_else(|| "pending".into());
    if !["pending", "rejected"].contains(&review_state.as_str()) {
        return Err(Error::Unprocessable(
            "Validation failed: state must be pending or rejected".into(),
        ));
    }
    if q.direction
        .as_deref()
        .is_some_and(|d| d != "inbound" && d != "outbound")
    {
        return Err(Error::Unprocessable(
            "Validation failed: direction must be inbound or outbound".into(),
        ));
    }
    let filter = ReviewQueueFilter {
        state: review_state,
        direction: q.direction,
        account_id: match q.account_id.as_deref() {
            Some(raw) => Some(crate::model::AccountId(id(raw)?)),
            None => None,
        },
    };
    let rows = state
        .store
        .statuses()
        .review_queue(&filter, &page.page(20, 40))
        .await?;
    let keys: Vec<i64> = rows.iter().map(|s| s.id.0).collect();
    let mut items = Vec::with_capacity(rows.len());
    for status in rows {
        let direction = state.store.statuses().review_direction(status.id).await?;
        items.push(ReviewEntity {
            id: status.id.to_string(),
            state: status.review_state.clone(),
            reason: status.review_reason.clone(),
            company_preview: status.review_company_preview,
            requested_at: status.review_requested_at.map(|t| t.to_rfc3339()),
            direction,
            status: render::status(&state, me.viewer(), status).await?,
        });
    }
    Ok(page.respond(items, &keys))
}

#[derive(Deserialize, Default)]
struct ApproveForm {
    /// Added (or replacing the existing one) before approval.
    content_warning: Option<String>,
    /// The queue entry's `requested_at`.
    requested_at: Option<String>,
}

/// POST /api/v1/loggia/admin/reviews/{id}/approve
async fn approve(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(raw): Path<String>,
    FormOrJson(form): FormOrJson<ApproveForm>,
) -> ApiResult<Json<crate::api::entities::status::Status>> {
    require(&me, Permissions::REVIEW_POSTS)?;
    let status = review::approve(
        &state,
        &me.user,
        StatusId(id(&raw)?),
        form.content_warning,
        time("requested_at", form.requested_at.as_deref())?,
    )
    .await?;
    let event = if status.edited_at.is_some() {
        "status.updated"
    } else {
        "status.created"
    };
    crate::api::mastodon::webhook_events::status(&state, event, &status).await;
    Ok(Json(render::status(&state, me.viewer(), status).await?))
}

#[derive(Deserialize, Default)]
struct RejectForm {
    reason: Option<String>,
    /// The queue entry's `requested_at`.
    requested_at: Option<String>,
}

/// POST /api/v1/loggia/admin/reviews/{id}/reject — `reason` is required
/// and shown to the author.
async fn reject(
    State(state): State<AppState>,
    me: User<AdminWrite>,
    Path(raw): Path<String>,
    FormOrJson(form): FormOrJson<RejectForm>,
) -> ApiResult<Json<crate::api::entities::status::Status>> {
    require(&me, Permissions::REVIEW_POSTS)?;
    let status = review::reject(
        &state,
        &me.user,
        StatusId(id(&raw)?),
        form.reason.as_deref().unwrap_or_default(),
        time("requested_at", form.requested_at.as_deref())?,
    )
    .await?;
    Ok(Json(render::status(&state, me.viewer(), status).await?))
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    account_id: Option<String>,
    target_kind: Option<String>,
    target_id: Option<String>,
    /// RFC 3339 times.
    since: Option<String>,
    until: Option<String>,
}

#[derive(Serialize)]
struct AuditEntity {
    id: String,
    created_at: String,
    actor: String,
    actor_account_id: Option<String>,
    action: String,
    target_kind: String,
    target_id: String,
    reason: String,
    details: serde_json::Value,
}

fn time(name: &str, value: Option<&str>) -> ApiResult<Option<Timestamp>> {
    value
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|d| Timestamp(d.timestamp_millis()))
                .map_err(|_| {
                    Error::Unprocessable(format!(
                        "Validation failed: {name} must be an RFC 3339 time"
                    ))
                })
        })
        .transpose()
}

/// GET /api/v1/loggia/admin/audit_log — newest first, paged; filters:
/// `action` (exact, or a prefix ending in `.`), `actor`, `account_id`,
/// `target_kind`, `target_id`, `since`, `until`.
async fn audit_log(
    State(state): State<AppState>,
    me: User<AdminRead>,
    Query(q): Query<AuditQuery>,
    page: PageQuery,
) -> ApiResult<Response> {
    require(&me, Permissions::VIEW_AUDIT_LOG)?;
    let filter = AuditFilter {
        action: q.action.filter(|a| !a.is_empty()),
        actor: q.actor.filter(|a| !a.is_empty()),
        actor_account_id: match q.account_id.as_deref() {
            Some(raw) => Some(crate::model::AccountId(id(raw)?)),
            None => None,
        },
        target_kind: q.target_kind.filter(|a| !a.is_empty()),
        target_id: q.target_id.filter(|a| !a.is_empty()),
        since: time("since", q.since.as_deref())?,
        until: time("until", q.until.as_deref())?,
    };
    let entries = state
        .store
        .audit_log()
        .page(&filter, &page.page(40, 200))
        .await?;
    let keys: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let items: Vec<AuditEntity> = entries
        .into_iter()
        .map(|e| AuditEntity {
            id: e.id.to_string(),
            created_at: e.created_at.to_rfc3339(),
            actor: e.actor,
            actor_account_id: e.actor_account_id.map(|a| a.to_string()),
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            reason: e.reason,
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(page.respond(items, &keys))
}
