//! Password checks with brute-force throttling, shared by the sign-in page
//! and the OAuth password grant. Failures are counted per client address and
//! per (address, login) in the database, so all nodes see the same counts.

use super::accounts::AccountError;
use crate::config::Config;
use crate::crypto;
use crate::model::Timestamp;
use crate::store::{Store, StoreError, UserWithAccount};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Invalid user name, e-mail or password.")]
    BadCredentials,
    #[error("Your login is currently disabled.")]
    Disabled,
    #[error("Too many failed sign-in attempts. Try again in {retry_after_secs} seconds.")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountError> for SignInError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Store(e) => SignInError::Store(e),
            AccountError::Invalid(_) => SignInError::BadCredentials,
        }
    }
}

/// An address may fail this many times more often than one login from it.
const PER_ADDRESS_FACTOR: u32 = 4;

fn keys(ip: &str, login: &str) -> (String, String) {
    (
        format!("ip:{ip}"),
        format!("login:{ip}:{}", login.trim().to_ascii_lowercase()),
    )
}

/// Checks a password. `dummy_hash` is verified when the user does not exist,
/// so that both failures cost the same time.
pub async fn authenticate(
    store: &Store,
    config: &Config,
    dummy_hash: &str,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<UserWithAccount, SignInError> {
    let (ip_key, login_key) = keys(ip, login);
    let window = config.sign_in_failure_window_secs as i64;
    let since = Timestamp::now().plus_seconds(-window);
    for (key, limit) in [
        (&login_key, config.sign_in_max_failures),
        (
            &ip_key,
            config
                .sign_in_max_failures
                .saturating_mul(PER_ADDRESS_FACTOR),
        ),
    ] {
        let (failures, oldest) = store.throttle().failures_since(key, since).await?;
        if failures >= i64::from(limit) {
            let reopens = oldest.unwrap_or_else(Timestamp::now).plus_seconds(window);
            let wait = (reopens.millis() - Timestamp::now().millis()).max(1000) / 1000;
            return Err(SignInError::Throttled {
                retry_after_secs: wait as u64,
            });
        }
    }

    let user = store.users().by_login(login).await?;
    let hash = user
        .as_ref()
        .map_or(dummy_hash, |u| u.password_hash.as_str())
        .to_owned();
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || crypto::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| matches) else {
        store.throttle().record_failure(&login_key).await?;
        store.throttle().record_failure(&ip_key).await?;
        return Err(SignInError::BadCredentials);
    };
    let found = store
        .users()
        .with_account(user.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !found.user.is_active() || found.account.suspended_at.is_some() {
        return Err(SignInError::Disabled);
    }
    store.throttle().clear(&login_key).await?;
    store.users().record_sign_in(user.id).await?;
    Ok(found)
}
