//! Accounts (actors, local or remote) and users (local sign-in identities).

use serde::{Deserialize, Serialize};

use super::{AccountId, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Account {
    pub id: AccountId,
    pub username: String,
    /// `None` for local accounts.
    pub domain: Option<String>,
    pub actor_type: String,
    pub display_name: String,
    /// Sanitized HTML.
    pub note: String,
    /// The plain text the owner typed (local accounts).
    pub note_source: String,
    /// JSON list of `ProfileField`.
    pub fields: String,
    pub uri: String,
    pub url: Option<String>,
    pub inbox_url: Option<String>,
    pub shared_inbox_url: Option<String>,
    pub outbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub following_url: Option<String>,
    pub featured_url: Option<String>,
    pub public_key_pem: Option<String>,
    pub private_key_pem: Option<String>,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<Timestamp>,
    pub moved_to_account_id: Option<AccountId>,
    pub suspended_at: Option<Timestamp>,
    pub silenced_at: Option<Timestamp>,
    pub sensitized_at: Option<Timestamp>,
    /// The strictest domain block over this (remote) account: 0 none,
    /// 1 silence, 2 suspend.
    pub domain_limit: i64,
    pub fetched_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The key id a remote actor signs with.
    pub public_key_id: Option<String>,
}

impl Account {
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// `alice` for local accounts, `bob@partner.example` for remote ones.
    pub fn acct(&self) -> String {
        match &self.domain {
            None => self.username.clone(),
            Some(domain) => format!("{}@{domain}", self.username),
        }
    }

    pub fn profile_fields(&self) -> Vec<ProfileField> {
        serde_json::from_str(&self.fields).unwrap_or_default()
    }

    /// The profile fields with values as HTML, as the API and federation
    /// send them: local values are stored as typed (plain text) and rendered
    /// here; other servers' values were sanitized when stored.
    pub fn profile_fields_html(&self, base_url: &str) -> Vec<ProfileField> {
        let mut fields = self.profile_fields();
        if self.domain.is_none() {
            for field in &mut fields {
                field.value = crate::text::render_field(&field.value, base_url);
            }
        }
        fields
    }
}

/// One name/value pair on a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileField {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub verified_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub password_hash: String,
    pub role_id: i64,
    pub locale: Option<String>,
    pub default_visibility: String,
    /// `None`: the instance default (`company_only_by_default`).
    pub default_local_only: Option<bool>,
    pub default_sensitive: bool,
    pub default_language: Option<String>,
    pub confirmed_at: Option<Timestamp>,
    pub approved: bool,
    pub disabled: bool,
    pub last_sign_in_at: Option<Timestamp>,
    pub password_changed_at: Timestamp,
    pub created_at: Timestamp,
    /// The invite this user signed up with.
    pub invite_id: Option<i64>,
    /// What the applicant wrote for the approving admin.
    pub sign_up_reason: Option<String>,
    pub sign_up_ip: Option<String>,
    pub confirmation_sent_at: Option<Timestamp>,
    /// The team a user belongs to (free text; organisation mode per team).
    pub team: Option<String>,
}

/// Why a user may not act (yet), in Mastodon's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Inactive {
    #[error("Your login is currently disabled")]
    Disabled,
    #[error("Your login is missing a confirmed e-mail address")]
    Unconfirmed,
    #[error("Your login is currently pending approval")]
    PendingApproval,
}

impl User {
    /// Whether this user may sign in and act at all.
    pub fn is_active(&self) -> bool {
        self.inactive().is_none()
    }

    /// What keeps this user from acting, the most fundamental reason first.
    pub fn inactive(&self) -> Option<Inactive> {
        if self.disabled {
            Some(Inactive::Disabled)
        } else if self.confirmed_at.is_none() {
            Some(Inactive::Unconfirmed)
        } else if !self.approved {
            Some(Inactive::PendingApproval)
        } else {
            None
        }
    }
}
