//! Local users: creation, roles, passwords.

use super::{Invalid, urls};
use crate::config::Config;
use crate::crypto;
use crate::model::{Account, UserId};
use crate::store::{NewAccount, NewUser, Store, StoreError, Tx, UserWithAccount};

/// Longest user name, as in Mastodon.
pub const MAX_USERNAME_LEN: usize = 30;
pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Debug, Clone)]
pub struct NewLocalUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Mastodon's rule for local user names: letters, digits and underscores,
/// with dots and dashes allowed between them.
pub fn validate_username(username: &str, config: &Config) -> Result<(), Invalid> {
    let bytes = username.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let ok = !bytes.is_empty()
        && bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-')
        && bytes.first().is_some_and(word)
        && bytes.last().is_some_and(word);
    if !ok {
        return Err(Invalid(format!(
            "username {username:?} may only contain letters, numbers and underscores \
             (dots and dashes only between them)"
        )));
    }
    if username.len() > MAX_USERNAME_LEN {
        return Err(Invalid(format!(
            "username is too long (at most {MAX_USERNAME_LEN} characters)"
        )));
    }
    // The instance actor is named after the domain.
    if username.eq_ignore_ascii_case(&config.domain()) {
        return Err(Invalid(format!("username {username:?} is reserved")));
    }
    Ok(())
}

pub fn validate_email(email: &str) -> Result<(), Invalid> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        });
    if valid {
        Ok(())
    } else {
        Err(Invalid(format!("{email:?} is not a valid e-mail address")))
    }
}

pub fn validate_password(password: &str) -> Result<(), Invalid> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(Invalid(format!(
            "password is too short (at least {MIN_PASSWORD_LEN} characters)"
        )));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(Invalid(format!(
            "password is too long (at most {MAX_PASSWORD_LEN} bytes)"
        )));
    }
    Ok(())
}

/// Creates a confirmed, approved local user with its account, in one
/// transaction.
pub async fn create_local_user(
    store: &Store,
    config: &Config,
    new: &NewLocalUser,
) -> Result<UserWithAccount, AccountError> {
    validate_username(&new.username, config)?;
    let email = new.email.trim().to_ascii_lowercase();
    validate_email(&email)?;
    validate_password(&new.password)?;
    let role = store.roles().by_name(&new.role).await?.ok_or_else(|| {
        Invalid(format!(
            "unknown role {:?} (use user, moderator or admin)",
            new.role
        ))
    })?;
    let password_hash = hash_password_blocking(new.password.clone()).await?;

    let mut tx = store.begin().await?;
    if tx
        .accounts()
        .local_by_username(&new.username)
        .await?
        .is_some()
    {
        return Err(Invalid(format!("username {:?} is already taken", new.username)).into());
    }
    if tx.users().by_login(&email).await?.is_some() {
        return Err(Invalid(format!("e-mail address {email:?} is already in use")).into());
    }
    let account = insert_local_account(&mut tx, config, &new.username).await?;
    let user = tx
        .users()
        .insert(&NewUser {
            account_id: account.id,
            email,
            password_hash,
            role_id: role.id,
            confirmed: true,
            approved: true,
            invite_id: None,
            sign_up_reason: None,
            sign_up_ip: None,
            confirmation_token_hash: None,
            locale: None,
        })
        .await?;
    tx.commit().await?;
    Ok(UserWithAccount {
        user,
        account,
        role,
    })
}

/// Inserts the account of a new local user (its ActivityPub addresses
/// included); a taken user name is a validation error.
pub async fn insert_local_account(
    tx: &mut Tx,
    config: &Config,
    username: &str,
) -> Result<Account, AccountError> {
    let uri = urls::account_uri(config, username);
    tx.accounts()
        .insert(&NewAccount {
            username: username.to_owned(),
            domain: None,
            actor_type: "Person".into(),
            display_name: String::new(),
            url: Some(urls::account_url(config, username)),
            inbox_url: Some(format!("{uri}/inbox")),
            shared_inbox_url: Some(urls::shared_inbox(config)),
            outbox_url: Some(format!("{uri}/outbox")),
            followers_url: Some(format!("{uri}/followers")),
            following_url: Some(format!("{uri}/following")),
            featured_url: Some(format!("{uri}/collections/featured")),
            uri,
            discoverable: true,
            ..Default::default()
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                AccountError::Invalid(Invalid(format!("username {username:?} is already taken")))
            }
            e => e.into(),
        })
}

/// Finds a user by user name or e-mail, with a message naming what was given.
pub async fn find_user(store: &Store, login: &str) -> Result<UserWithAccount, AccountError> {
    let user = store
        .users()
        .by_login(login)
        .await?
        .ok_or_else(|| Invalid(format!("no user with user name or e-mail {login:?}")))?;
    Ok(store
        .users()
        .with_account(user.id)
        .await?
        .ok_or(StoreError::NotFound)?)
}

pub async fn set_role(store: &Store, user_id: UserId, role: &str) -> Result<(), AccountError> {
    let role = store.roles().by_name(role).await?.ok_or_else(|| {
        Invalid(format!(
            "unknown role {role:?} (use user, moderator or admin)"
        ))
    })?;
    store.users().set_role(user_id, role.id).await?;
    Ok(())
}

/// Sets a new password and signs the user out everywhere: every OAuth token
/// is revoked, every unexchanged authorization code spent and every web
/// session ended.
pub async fn reset_password(
    store: &Store,
    user_id: UserId,
    password: &str,
) -> Result<(), AccountError> {
    validate_password(password)?;
    let hash = hash_password_blocking(password.to_owned()).await?;
    let mut tx = store.begin().await?;
    tx.users().set_password_hash(user_id, &hash).await?;
    tx.oauth().revoke_tokens_of_user(user_id).await?;
    tx.oauth().spend_codes_of_user(user_id).await?;
    tx.sessions().delete_for_user(user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The user's own password change: the new password, and everywhere else
/// signed out — every OAuth token but `keep` (the one asking) revoked, every
/// authorization code not yet exchanged spent and every web session ended
/// (this browser's too: the next authorization asks for the new password),
/// so that whoever knew the old password is out.
/// The caller has checked the current password.
pub async fn change_password(
    store: &Store,
    user_id: UserId,
    password: &str,
    keep: crate::model::TokenId,
) -> Result<u64, AccountError> {
    validate_password(password)?;
    let hash = hash_password_blocking(password.to_owned()).await?;
    let mut tx = store.begin().await?;
    tx.users().set_password_hash(user_id, &hash).await?;
    let revoked = tx
        .oauth()
        .revoke_tokens_of_user_except(user_id, keep)
        .await?;
    tx.oauth().spend_codes_of_user(user_id).await?;
    let sessions = tx.sessions().delete_for_user(user_id).await?;
    tx.commit().await?;
    Ok(revoked + sessions)
}

/// Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
pub async fn hash_password_blocking(password: String) -> Result<String, Invalid> {
    tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(|e| Invalid(format!("password hashing failed: {e}")))?
        .map_err(Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_mastodon_rules() {
        let config = Config::default();
        for ok in ["alice", "Alice_B", "a.b-c", "x"] {
            assert!(validate_username(ok, &config).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".alice",
            "alice-",
            "al ice",
            "al@ice",
            "ünï",
            &"a".repeat(31),
        ] {
            assert!(validate_username(bad, &config).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_checked() {
        assert!(validate_email("alice@acme.example").is_ok());
        for bad in [
            "alice",
            "@acme.example",
            "alice@localhost",
            "a b@acme.example",
            "a@.x",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }
}
