//! Password checks with brute-force throttling, shared by the sign-in page
//! and the OAuth password grant. Failures are counted per client address and
//! per (address, login) in the database, so all nodes see the same counts.

use std::net::IpAddr;

use super::accounts::AccountError;
use crate::config::Config;
use crate::crypto;
use crate::model::{Inactive, Timestamp};
use crate::store::{Store, StoreError, UserWithAccount};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Invalid user name, e-mail or password.")]
    BadCredentials,
    #[error("{0}.")]
    Inactive(Inactive),
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

/// An address may fail this many times more often than one login from it,
/// and one login this many times more often across all addresses.
const WIDER_FACTOR: u32 = 4;

/// Groups addresses the way one attacker holds them: an IPv6 host usually
/// owns a whole /64, so counting single IPv6 addresses would count nothing.
pub fn address_group(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

/// Checks a password. Each attempt is recorded *before* the (slow) check, so
/// that parallel guesses count against each other, and forgotten again when
/// it succeeds. `dummy_hash` is verified when the user does not exist, so
/// that both failures cost the same time.
pub async fn authenticate(
    store: &Store,
    config: &Config,
    dummy_hash: &str,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<UserWithAccount, SignInError> {
    let group = address_group(ip);
    let login_key = login.trim().to_ascii_lowercase();
    let max = config.sign_in_max_failures;
    let wide = max.saturating_mul(WIDER_FACTOR);
    let keys = [
        (format!("login:{group}:{login_key}"), max),
        (format!("ip:{group}"), wide),
        (format!("account:{login_key}"), wide),
    ];
    let window = config.sign_in_failure_window_secs as i64;
    let since = Timestamp::now().plus_seconds(-window);
    let mut recorded = Vec::with_capacity(keys.len());
    for (key, _) in &keys {
        recorded.push(store.throttle().record_failure(key).await?);
    }
    for (key, limit) in &keys {
        let (attempts, oldest) = store.throttle().failures_since(key, since).await?;
        if attempts > i64::from(*limit) {
            // Refused unchecked: this attempt does not count.
            forget(store, &recorded).await?;
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
        return Err(SignInError::BadCredentials);
    };
    forget(store, &recorded).await?;
    store.throttle().clear(&keys[0].0).await?;
    let found = store
        .users()
        .with_account(user.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if found.account.suspended_at.is_some() {
        return Err(SignInError::Inactive(Inactive::Disabled));
    }
    if let Some(why) = found.user.inactive() {
        return Err(SignInError::Inactive(why));
    }
    store.users().record_sign_in(user.id).await?;
    Ok(found)
}

async fn forget(store: &Store, ids: &[i64]) -> Result<(), StoreError> {
    for id in ids {
        store.throttle().forget(*id).await?;
    }
    Ok(())
}

/// Forgets failures older than the window (run periodically).
pub async fn prune_failures(store: &Store, config: &Config) -> Result<u64, StoreError> {
    let window = config.sign_in_failure_window_secs as i64;
    store
        .throttle()
        .prune(Timestamp::now().plus_seconds(-window))
        .await
}

#[cfg(test)]
mod tests {
    use super::address_group;

    #[test]
    fn ipv6_addresses_are_grouped_by_64() {
        assert_eq!(address_group("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address_group("2001:db8:1:2::9"), "2001:db8:1:2::/64");
        assert_eq!(address_group("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(address_group("192.0.2.7"), "192.0.2.7");
        assert_eq!(address_group("unknown"), "unknown");
    }
}
