//! Checking who signed an incoming request: the signature header, the
//! body digest, the date window, and the key of the claimed signer, fetched
//! (once more after a failure, in case the key was rotated) when needed.

use std::time::SystemTime;

use axum::http::HeaderMap;

use super::fetch::{self, FederationError};
use super::signatures::{self, PublicKey, RequestParts, SignatureError, SignatureHeader};
use crate::model::Account;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("cannot get the signer's key: {0}")]
    Key(FederationError),
}

/// Verifies a request's signature; returns the signing actor.
pub async fn signer(
    state: &AppState,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<Account, VerifyError> {
    let value = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(SignatureError::Missing)?;
    let sig = SignatureHeader::parse(value)?;
    // The signed host must be this server: a request signed for another
    // server (which may have passed it on) is not for us. Every sender we
    // know signs it; a delivery must.
    let covers_host = sig.headers.iter().any(|h| h == "host");
    if covers_host {
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !host.eq_ignore_ascii_case(&state.config.domain) {
            return Err(SignatureError::OtherHost(host.to_owned()).into());
        }
    } else if body.is_some() {
        return Err(SignatureError::NotCovered("host").into());
    }
    let message = {
        let lookup = |name: &str| -> Option<String> {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        };
        let parts = RequestParts {
            method,
            path_and_query,
            header: &lookup,
        };
        signatures::prepare_verification(&parts, &sig, body, SystemTime::now())?
    };
    let account = fetch::key_owner(state, &sig.key_id, false)
        .await
        .map_err(VerifyError::Key)?;
    if check_key(&account, &message, &sig.signature).is_ok() {
        return Ok(account);
    }
    // The actor may have rotated its key: refetch once, then decide.
    if account.is_local() {
        return Err(SignatureError::Invalid.into());
    }
    let account = fetch::key_owner(state, &sig.key_id, true)
        .await
        .map_err(VerifyError::Key)?;
    check_key(&account, &message, &sig.signature)?;
    Ok(account)
}

fn check_key(account: &Account, message: &str, signature: &[u8]) -> Result<(), SignatureError> {
    let pem = account
        .public_key_pem
        .as_deref()
        .ok_or_else(|| SignatureError::Key("the actor has no key".into()))?;
    PublicKey::from_pem(pem)?.verify(message, signature)
}
