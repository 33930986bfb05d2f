//! `Application` and `CredentialApplication`.

use serde::Serialize;

use crate::model::oauth::App;

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub redirect_uris: Vec<String>,
    /// Web Push is not offered, so there is no VAPID key to hand out.
    pub vapid_key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialApplication {
    #[serde(flatten)]
    pub application: Application,
    pub client_id: String,
    pub client_secret: String,
    pub client_secret_expires_at: i64,
}

impl Application {
    pub fn from_model(app: &App) -> Self {
        let uris = app.redirect_uri_list();
        Self {
            id: app.id.to_string(),
            name: app.name.clone(),
            website: app.website.clone(),
            scopes: app
                .scopes
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            redirect_uri: uris.join("\n"),
            redirect_uris: uris,
            vapid_key: String::new(),
        }
    }
}
