//! `POST /api/v1/reports`: a user reports an account, and some of its
//! statuses, to the moderators (and, if asked, to the account's server).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::entities::report::Report;
use crate::api::extract::auth::WriteReports;
use crate::api::extract::body::{lenient_bool, one_or_many};
use crate::api::extract::{FormOrJson, User};
use crate::error::{ApiResult, Error};
use crate::model::{AccountId, StatusId};
use crate::service::reports::{self as service, ReportRequest};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports", post(create_report))
}

/// An id as a JSON number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Id {
    Number(i64),
    Text(String),
}

impl Id {
    fn text(self) -> String {
        match self {
            Id::Number(n) => n.to_string(),
            Id::Text(s) => s.trim().to_owned(),
        }
    }
}

/// One id or a list (`status_ids[]`, `rule_ids[]`).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum Ids {
    One(Id),
    Many(Vec<Id>),
}

impl Ids {
    /// The ids as text, blanks left out.
    pub(super) fn texts(ids: Option<Ids>) -> Vec<String> {
        match ids {
            None => Vec::new(),
            Some(Ids::One(id)) => vec![id.text()],
            Some(Ids::Many(ids)) => ids.into_iter().map(Id::text).collect(),
        }
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

#[derive(Deserialize, Default)]
struct NewReportForm {
    account_id: Option<Id>,
    status_ids: Option<Ids>,
    comment: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    forward: Option<bool>,
    #[serde(default, deserialize_with = "one_or_many")]
    forward_to_domains: Vec<String>,
    category: Option<String>,
    rule_ids: Option<Ids>,
}

impl NewReportForm {
    fn request(self) -> ApiResult<ReportRequest> {
        let account = self
            .account_id
            .map(Id::text)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Validation("Account can't be blank".into()))?;
        // An id that is no id names no account.
        let target = AccountId(account.parse().map_err(|_| Error::NotFound)?);
        let status_ids = Ids::texts(self.status_ids)
            .into_iter()
            .map(|s| {
                s.parse()
                    .map(StatusId)
                    .map_err(|_| Error::Validation(format!("Status {s:?} was not found")))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(ReportRequest {
            target,
            status_ids,
            comment: self.comment.unwrap_or_default(),
            forward: self.forward.unwrap_or(false),
            forward_to_domains: (!self.forward_to_domains.is_empty())
                .then_some(self.forward_to_domains),
            category: self.category,
            rule_ids: Ids::texts(self.rule_ids),
        })
    }
}

/// POST /api/v1/reports — `account_id`, `status_ids[]`, `comment`,
/// `forward`, `forward_to_domains[]`, `category`, `rule_ids[]`.
async fn create_report(
    State(state): State<AppState>,
    me: User<WriteReports>,
    FormOrJson(form): FormOrJson<NewReportForm>,
) -> ApiResult<Json<Report>> {
    let request = form.request()?;
    let report = service::file(&state.store, &state.instance_actor, &me.user, request).await?;
    super::webhook_events::report(&state, "report.created", &report).await;
    let status_ids = state.store.reports().status_ids(report.id).await?;
    let target = state
        .store
        .accounts()
        .by_id(report.target_account_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(Report::from_model(
        &report,
        &status_ids,
        &target,
        &state.config,
    )))
}
