//! Local actors' key pairs, made on first use: most employees never need
//! one, and RSA generation costs a noticeable fraction of a second.

use crate::model::Account;
use crate::service::error::{ServiceError, ServiceResult};
use crate::store::Store;

use super::signatures::Signer;

/// The key id local actors sign with.
pub fn key_id(account: &Account) -> String {
    format!("{}#main-key", account.uri)
}

/// The account's public key PEM, generating the pair if it has none.
pub async fn ensure(store: &Store, account: &Account) -> ServiceResult<(String, String)> {
    if let (Some(public), Some(private)) = (&account.public_key_pem, &account.private_key_pem) {
        return Ok((public.clone(), private.clone()));
    }
    let keys = tokio::task::spawn_blocking(
        activitypub_federation::http_signatures::generate_actor_keypair,
    )
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    store
        .accounts()
        .set_keypair_if_missing(account.id, &keys.public_key, &keys.private_key)
        .await?;
    // Another request may have won the race: use what is stored.
    let stored = store
        .accounts()
        .by_id(account.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    match (stored.public_key_pem, stored.private_key_pem) {
        (Some(public), Some(private)) => Ok((public, private)),
        _ => Err(ServiceError::Internal("key pair not stored".into())),
    }
}

/// A signer for a local account.
pub async fn signer(store: &Store, account: &Account) -> ServiceResult<Signer> {
    let (_, private) = ensure(store, account).await?;
    Signer::from_pem(key_id(account), &private).map_err(|e| ServiceError::Internal(e.to_string()))
}
