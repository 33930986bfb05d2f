//! Managing classifier hooks and event webhooks (the rules behind the
//! admin API): validation, generated secrets, and an audit log entry in
//! the transaction of every change. Secrets never reach the audit log.

use serde_json::json;
use url::Url;

use super::audit::{self, Actor, Entry};
use super::hooks::{self, FailMode, HookDirection, HttpHook};
use super::{Author, Direction, Finding, Subject, webhooks};
use crate::crypto::random_token;
use crate::model::{Account, Visibility};
use crate::service::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{HookSettings, PolicyHook, Store, UserWithAccount, Webhook, WebhookSettings};

const MAX_NAME_CHARS: usize = 100;
const MAX_URL_LEN: usize = 2048;
const MAX_SECRET_LEN: usize = 256;

/// What an admin sends to create a hook or change some of its settings.
#[derive(Debug, Clone, Default)]
pub struct HookChange {
    pub name: Option<String>,
    pub url: Option<String>,
    /// Generated when a hook is created without one.
    pub secret: Option<String>,
    pub direction: Option<String>,
    pub timeout_ms: Option<i64>,
    pub retries: Option<i64>,
    pub fail_mode: Option<String>,
    pub enabled: Option<bool>,
}

/// What an admin sends to create a webhook or change some of its settings.
#[derive(Debug, Clone, Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    /// Generated when a webhook is created without one.
    pub secret: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

fn check_url(raw: &str) -> ServiceResult<String> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(invalid(format!(
            "url is too long (at most {MAX_URL_LEN} characters)"
        )));
    }
    let url = Url::parse(raw).map_err(|_| invalid("url is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("url must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "url may not carry credentials: the secret authenticates requests",
        ));
    }
    Ok(url.to_string())
}

fn check_secret(secret: Option<&str>) -> ServiceResult<Option<String>> {
    match secret.map(str::trim) {
        None => Ok(None),
        Some("") => Err(invalid("secret can't be blank")),
        Some(s) if s.len() > MAX_SECRET_LEN => Err(invalid(format!(
            "secret is too long (at most {MAX_SECRET_LEN} characters)"
        ))),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// The settings after `change`, checked; `current` is `None` for a new hook.
fn hook_settings(current: Option<&PolicyHook>, change: HookChange) -> ServiceResult<HookSettings> {
    let name = match (change.name, current) {
        (Some(name), _) => name.trim().to_owned(),
        (None, Some(hook)) => hook.name.clone(),
        (None, None) => String::new(),
    };
    if name.is_empty() {
        return Err(invalid("name can't be blank"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "name is too long (at most {MAX_NAME_CHARS} characters)"
        )));
    }
    let url = match (change.url, current) {
        (Some(url), _) => check_url(&url)?,
        (None, Some(hook)) => hook.url.clone(),
        (None, None) => return Err(invalid("url can't be blank")),
    };
    let secret = match (check_secret(change.secret.as_deref())?, current) {
        (Some(secret), _) => secret,
        (None, Some(hook)) => hook.secret.clone(),
        (None, None) => random_token(32),
    };
    let direction = match (change.direction, current) {
        (Some(d), _) => HookDirection::parse(d.trim())
            .ok_or_else(|| invalid("direction must be inbound, outbound or both"))?
            .as_str()
            .to_owned(),
        (None, Some(hook)) => hook.direction.clone(),
        (None, None) => return Err(invalid("direction must be inbound, outbound or both")),
    };
    let timeout_ms = change
        .timeout_ms
        .or(current.map(|h| h.timeout_ms))
        .unwrap_or(hooks::DEFAULT_TIMEOUT_MS);
    if !(hooks::MIN_TIMEOUT_MS..=hooks::MAX_TIMEOUT_MS).contains(&timeout_ms) {
        return Err(invalid(format!(
            "timeout_ms must be between {} and {}",
            hooks::MIN_TIMEOUT_MS,
            hooks::MAX_TIMEOUT_MS
        )));
    }
    let retries = change
        .retries
        .or(current.map(|h| h.retries))
        .unwrap_or(hooks::DEFAULT_RETRIES);
    if !(0..=hooks::MAX_RETRIES).contains(&retries) {
        return Err(invalid(format!(
            "retries must be between 0 and {}",
            hooks::MAX_RETRIES
        )));
    }
    let fail_mode = match (change.fail_mode, current) {
        (Some(m), _) => FailMode::parse(m.trim())
            .ok_or_else(|| invalid("fail_mode must be open or closed"))?
            .as_str()
            .to_owned(),
        (None, Some(hook)) => hook.fail_mode.clone(),
        (None, None) => FailMode::Open.as_str().to_owned(),
    };
    let enabled = change
        .enabled
        .or(current.map(|h| h.enabled))
        .unwrap_or(true);
    Ok(HookSettings {
        name,
        url,
        secret,
        direction,
        timeout_ms,
        retries,
        fail_mode,
        enabled,
    })
}

/// What the audit log says about a hook (never its secret).
fn hook_details(hook: &PolicyHook) -> serde_json::Value {
    json!({
        "name": hook.name,
        "url": hook.url,
        "direction": hook.direction,
        "timeout_ms": hook.timeout_ms,
        "retries": hook.retries,
        "fail_mode": hook.fail_mode,
        "enabled": hook.enabled,
    })
}

/// Creates a hook; the returned row carries its secret, to be shown once.
pub async fn create_hook(
    store: &Store,
    by: &Account,
    change: HookChange,
) -> ServiceResult<PolicyHook> {
    let settings = hook_settings(None, change)?;
    let mut tx = store.begin().await?;
    let hook = tx.policy_hooks().insert(&settings).await?;
    let entry = Entry::new("hook.created", "hook", hook.id).details(hook_details(&hook));
    audit::record(&mut tx, &Actor::person(by), entry).await?;
    tx.commit().await?;
    tracing::info!(by = %by.username, hook.id = hook.id, hook.name = %hook.name, "classifier hook created");
    Ok(hook)
}

/// Changes the settings `change` names.
pub async fn update_hook(
    store: &Store,
    by: &Account,
    id: i64,
    change: HookChange,
) -> ServiceResult<PolicyHook> {
    let mut tx = store.begin().await?;
    let current = tx
        .policy_hooks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let settings = hook_settings(Some(&current), change)?;
    let hook = tx
        .policy_hooks()
        .update(id, &settings)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut details = hook_details(&hook);
    details["secret_changed"] = json!(hook.secret != current.secret);
    let entry = Entry::new("hook.updated", "hook", hook.id).details(details);
    audit::record(&mut tx, &Actor::person(by), entry).await?;
    tx.commit().await?;
    Ok(hook)
}

pub async fn delete_hook(store: &Store, by: &Account, id: i64) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    let hook = tx
        .policy_hooks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.policy_hooks().delete(id).await?;
    let entry = Entry::new("hook.deleted", "hook", id).details(hook_details(&hook));
    audit::record(&mut tx, &Actor::person(by), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks a hook (enabled or not) about a sample status by `by`, with
/// `text` if given, and returns what it found — its fallback included.
pub async fn test_hook(
    state: &AppState,
    by: &UserWithAccount,
    id: i64,
    text: Option<String>,
) -> ServiceResult<Finding> {
    let hook = state
        .store
        .policy_hooks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let inbound = hook.direction == HookDirection::Inbound.as_str();
    let text = text
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "A test of the content classifier from Loggia.".to_owned());
    let author = if inbound {
        Author {
            account_id: 0,
            acct: "someone@remote.example".into(),
            domain: Some("remote.example".into()),
            role: None,
            team: None,
            sensitized: false,
        }
    } else {
        Author {
            account_id: by.account.id.0,
            acct: by.account.username.clone(),
            domain: None,
            role: Some(by.role.name.clone()),
            team: by.user.team.clone(),
            sensitized: false,
        }
    };
    let parsed = crate::text::parse(&text);
    let subject = Subject {
        direction: if inbound {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        status_id: None,
        edit: false,
        author,
        visibility: Visibility::Public,
        company_only: false,
        destinations: Vec::new(),
        origin: inbound.then(|| "remote.example".to_owned()),
        external: !inbound,
        links: parsed.links,
        hashtags: parsed.hashtags,
        mentions: parsed.mentions.len(),
        text,
        spoiler_text: String::new(),
        sensitive: false,
        attachments: Vec::new(),
        language: None,
    };
    Ok(HttpHook::new(hook, &state.hook_client)
        .finding(&subject)
        .await)
}

/// The events after `change`, checked and without repeats.
fn check_events(events: &[String]) -> ServiceResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for event in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !webhooks::EVENTS.contains(&event) {
            return Err(invalid(format!(
                "events: unknown event {event:?}; supported: {}",
                webhooks::EVENTS.join(", ")
            )));
        }
        if !out.iter().any(|e| e == event) {
            out.push(event.to_owned());
        }
    }
    if out.is_empty() {
        return Err(invalid(format!(
            "events must name at least one of: {}",
            webhooks::EVENTS.join(", ")
        )));
    }
    Ok(out)
}

fn webhook_settings(
    current: Option<&Webhook>,
    change: WebhookChange,
) -> ServiceResult<WebhookSettings> {
    let url = match (change.url, current) {
        (Some(url), _) => check_url(&url)?,
        (None, Some(w)) => w.url.clone(),
        (None, None) => return Err(invalid("url can't be blank")),
    };
    let secret = match (check_secret(change.secret.as_deref())?, current) {
        (Some(secret), _) => secret,
        (None, Some(w)) => w.secret.clone(),
        (None, None) => random_token(32),
    };
    let events = match (change.events, current) {
        (Some(events), _) => check_events(&events)?,
        (None, Some(w)) => w.event_names(),
        (None, None) => check_events(&[])?,
    };
    let enabled = change
        .enabled
        .or(current.map(|w| w.enabled))
        .unwrap_or(true);
    Ok(WebhookSettings {
        url,
        secret,
        events,
        enabled,
    })
}

fn webhook_details(webhook: &Webhook) -> serde_json::Value {
    json!({
        "url": webhook.url,
        "events": webhook.event_names(),
        "enabled": webhook.enabled,
    })
}

/// Creates a webhook; the returned row carries its secret, to be shown once.
pub async fn create_webhook(
    store: &Store,
    by: &Account,
    change: WebhookChange,
) -> ServiceResult<Webhook> {
    let settings = webhook_settings(None, change)?;
    let mut tx = store.begin().await?;
    let webhook = tx.webhooks().insert(&settings).await?;
    let entry =
        Entry::new("webhook.created", "webhook", webhook.id).details(webhook_details(&webhook));
    audit::record(&mut tx, &Actor::person(by), entry).await?;
    tx.commit().await?;
    tracing::info!(by = %by.username, webhook.id = webhook.id, "webhook created");
    Ok(webhook)
}

pub async fn update_webhook(
    store: &Store,
    by: &Account,
    id: i64,
    change: WebhookChange,
) -> ServiceResult<Webhook> {
    let mut tx = store.begin().await?;
    let current = tx
        .webhooks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let settings = webhook_settings(Some(&current), change)?;
    let webhook = tx
        .webhooks()
        .update(id, &settings)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut details = webhook_details(&webhook);
    details["secret_changed"] = json!(webhook.secret != current.secret);
    let entry = Entry::new("webhook.updated", "webhook", id).details(details);
    audit::record(&mut tx, &Actor::person(by), entry).await?;
    tx.commit().await?;
    Ok(webhook)
}

pub async fn delete_webhook(store: &Store, by: &Account, id: i64) -> ServiceResult<()> {
    let mut tx = store.begin().await?;
    let webhook = tx
        .webhooks()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.webhooks().delete(id).await?;
    let entry = Entry::new("webhook.deleted", "webhook", id).details(webhook_details(&webhook));
    audit::record(&mut tx, &Actor::person(by), entry).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_plain_http() {
        assert!(check_url("https://classifier.intranet/check").is_ok());
        assert!(check_url("http://10.0.0.5:8080/").is_ok());
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url("https://user:pw@x.example/").is_err());
    }

    #[test]
    fn events_are_checked_and_deduplicated() {
        let ok = check_events(&["status.created".into(), "status.created".into()]).unwrap();
        assert_eq!(ok, vec!["status.created".to_owned()]);
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["status.deleted".into()]).is_err());
    }

    #[test]
    fn hook_defaults_and_limits() {
        let base = HookChange {
            name: Some("Classifier".into()),
            url: Some("http://127.0.0.1:9/".into()),
            direction: Some("both".into()),
            ..Default::default()
        };
        let s = hook_settings(None, base.clone()).unwrap();
        assert_eq!((s.timeout_ms, s.retries), (2000, 1));
        assert_eq!(s.fail_mode, "open");
        assert!(s.enabled && s.secret.len() >= 32);
        for bad in [
            HookChange {
                timeout_ms: Some(10_001),
                ..base.clone()
            },
            HookChange {
                retries: Some(4),
                ..base.clone()
            },
            HookChange {
                fail_mode: Some("ajar".into()),
                ..base.clone()
            },
            HookChange {
                direction: None,
                ..base.clone()
            },
            HookChange {
                name: Some(" ".into()),
                ..base.clone()
            },
        ] {
            assert!(hook_settings(None, bad).is_err());
        }
    }
}
