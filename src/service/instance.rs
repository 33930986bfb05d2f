//! First-start bootstrap: generated secrets and the instance actor. Both are
//! stored in the database, never printed, and created race-free when several
//! nodes start at once.

use super::urls;
use crate::config::Config;
use crate::crypto;
use crate::model::Account;
use crate::store::{NewAccount, Store, StoreError};

const SESSION_KEY: &str = "secret.session_key";

/// Secrets every node of a deployment shares.
#[derive(Clone)]
pub struct Secrets {
    /// Keys CSRF tokens and other HMACs of the web pages.
    pub session_key: Vec<u8>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot generate the instance key pair: {0}")]
    Keys(String),
    #[error(
        "this database belongs to another address than {0}: run Loggia (and its commands) with the `domain` and `protocol` it was set up with"
    )]
    OtherDomain(String),
}

pub async fn load_secrets(store: &Store) -> Result<Secrets, StoreError> {
    let key = store
        .settings()
        .get_or_insert(SESSION_KEY, &crypto::random_token(32))
        .await?;
    Ok(Secrets {
        session_key: key.into_bytes(),
    })
}

/// The instance's own actor (`Application`), which signs requests made on
/// behalf of the server rather than of a person. Its user name is the domain,
/// which no person can register.
pub async fn ensure_instance_actor(
    store: &Store,
    config: &Config,
) -> Result<Account, BootstrapError> {
    let uri = urls::instance_actor_uri(config);
    if let Some(actor) = store.accounts().by_uri(&uri).await?
        && actor.private_key_pem.is_some()
    {
        return Ok(actor);
    }
    let keys = tokio::task::spawn_blocking(
        activitypub_federation::http_signatures::generate_actor_keypair,
    )
    .await
    .map_err(|e| BootstrapError::Keys(e.to_string()))?
    .map_err(|e| BootstrapError::Keys(e.to_string()))?;
    let new = NewAccount {
        username: config.domain(),
        domain: None,
        actor_type: "Application".into(),
        display_name: config.instance_title.clone(),
        uri: uri.clone(),
        url: Some(format!("{}/about", config.base_url())),
        inbox_url: Some(format!("{uri}/inbox")),
        shared_inbox_url: Some(urls::shared_inbox(config)),
        outbox_url: Some(format!("{uri}/outbox")),
        public_key_pem: Some(keys.public_key.clone()),
        private_key_pem: Some(keys.private_key.clone()),
        locked: true,
        bot: true,
        discoverable: false,
        ..Default::default()
    };
    match store.accounts().insert(&new).await {
        Ok(actor) => return Ok(actor),
        // Another node created it first, or an old row lacks keys.
        Err(StoreError::Conflict) => {}
        Err(e) => return Err(e.into()),
    }
    // A conflict without our actor: the actor of another address holds the
    // place (the domain or protocol changed, or a command runs without the
    // server's configuration).
    let actor = store
        .accounts()
        .by_uri(&uri)
        .await?
        .ok_or_else(|| BootstrapError::OtherDomain(config.base_url()))?;
    store
        .accounts()
        .set_keypair_if_missing(actor.id, &keys.public_key, &keys.private_key)
        .await?;
    Ok(store
        .accounts()
        .by_uri(&uri)
        .await?
        .ok_or(StoreError::NotFound)?)
}
