//! `Account`, `CredentialAccount` and `Role`.

use serde::Serialize;

use crate::config::Config;
use crate::model::{Account as AccountModel, Role as RoleModel};
use crate::store::UserWithAccount;

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<String>,
    pub hide_collections: bool,
    pub noindex: bool,
    pub emojis: Vec<serde_json::Value>,
    pub roles: Vec<AccountRole>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountRole {
    pub id: String,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub permissions: String,
    pub color: String,
    pub highlighted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub privacy: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    pub fields: Vec<Field>,
    pub follow_requests_count: i64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
    /// Loggia: new posts default to company-only.
    pub local_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: Role,
}

impl Role {
    pub fn from_model(role: &RoleModel) -> Self {
        Self {
            id: role.id.to_string(),
            name: role.name.clone(),
            permissions: role.permissions.to_string(),
            color: role.color.clone(),
            highlighted: role.highlighted,
        }
    }
}

/// The picture shown for accounts without an avatar or header.
pub fn default_avatar(config: &Config) -> String {
    format!("{}/avatars/original/missing.png", config.base_url())
}

pub fn default_header(config: &Config) -> String {
    format!("{}/headers/original/missing.png", config.base_url())
}

impl Account {
    pub fn from_model(account: &AccountModel, config: &Config) -> Self {
        let avatar = account
            .avatar_url
            .clone()
            .unwrap_or_else(|| default_avatar(config));
        let header = account
            .header_url
            .clone()
            .unwrap_or_else(|| default_header(config));
        Self {
            id: account.id.to_string(),
            username: account.username.clone(),
            acct: account.acct(),
            display_name: account.display_name.clone(),
            locked: account.locked,
            bot: account.bot,
            discoverable: account.discoverable,
            indexable: account.indexable,
            group: account.actor_type == "Group",
            created_at: account.created_at.to_rfc3339_date_only(),
            note: account.note.clone(),
            url: account.url.clone().unwrap_or_else(|| account.uri.clone()),
            uri: account.uri.clone(),
            avatar_static: avatar.clone(),
            avatar,
            header_static: header.clone(),
            header,
            followers_count: account.followers_count,
            following_count: account.following_count,
            statuses_count: account.statuses_count,
            last_status_at: account
                .last_status_at
                .map(|t| t.to_datetime().date_naive().to_string()),
            hide_collections: false,
            noindex: !account.indexable,
            emojis: Vec::new(),
            roles: Vec::new(),
            fields: account
                .profile_fields_html(&config.base_url())
                .into_iter()
                .map(|f| Field {
                    name: f.name,
                    value: f.value,
                    verified_at: f.verified_at,
                })
                .collect(),
        }
    }
}

impl CredentialAccount {
    pub fn from_model(
        found: &UserWithAccount,
        config: &Config,
        follow_requests_count: i64,
    ) -> Self {
        let account = &found.account;
        let user = &found.user;
        let mut entity = Account::from_model(account, config);
        if found.role.highlighted {
            entity.roles.push(AccountRole {
                id: found.role.id.to_string(),
                name: found.role.name.clone(),
                color: found.role.color.clone(),
            });
        }
        Self {
            source: Source {
                privacy: user.default_visibility.clone(),
                sensitive: user.default_sensitive,
                language: user.default_language.clone(),
                note: account.note_source.clone(),
                fields: account
                    .profile_fields()
                    .into_iter()
                    .map(|f| Field {
                        name: f.name,
                        value: f.value,
                        verified_at: None,
                    })
                    .collect(),
                follow_requests_count,
                hide_collections: false,
                discoverable: account.discoverable,
                indexable: account.indexable,
                local_only: user
                    .default_local_only
                    .unwrap_or(config.company_only_by_default),
            },
            role: Role::from_model(&found.role),
            account: entity,
        }
    }
}
