//! `Report`, as the reporter (and an `admin.report` notification) sees it.

use serde::Serialize;

use super::account::Account;
use crate::config::Config;
use crate::model::{Account as AccountModel, StatusId};
use crate::store::Report as ReportModel;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: String,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub status_ids: Vec<String>,
    /// `null` when none cited, as Mastodon.
    pub rule_ids: Option<Vec<String>>,
    pub target_account: Account,
}

impl Report {
    pub fn from_model(
        report: &ReportModel,
        status_ids: &[StatusId],
        target: &AccountModel,
        config: &Config,
    ) -> Self {
        let rule_ids = report.rule_id_list();
        Report {
            id: report.id.to_string(),
            action_taken: report.resolved_at.is_some(),
            action_taken_at: report.resolved_at.map(|t| t.to_rfc3339()),
            category: report.category.clone(),
            comment: report.comment.clone(),
            forwarded: report.forwarded_at.is_some(),
            created_at: report.created_at.to_rfc3339(),
            status_ids: status_ids.iter().map(|id| id.0.to_string()).collect(),
            rule_ids: (!rule_ids.is_empty()).then_some(rule_ids),
            target_account: Account::from_model(target, config),
        }
    }
}
