//! External classifier hooks: policies that ask an HTTP endpoint.
//!
//! The request is `POST url` with `{"hook_id": "…", "subject": <Subject>}`,
//! signed with the hook's secret (`X-Loggia-Signature: sha256=<hex
//! HMAC-SHA256(secret, "<timestamp>.<body>")>`, `X-Loggia-Timestamp`); the
//! answer is `{"verdict": …, "reason": …, "company_preview": …,
//! "rewrites": […]}`. Connection errors, timeouts and 5xx are tried again
//! (`retries` times, shortly after); a 4xx, a redirect or an answer that is
//! not a verdict fails at once. A hook that fails answers its fallback:
//! accept (`fail_mode = open`) or hold (`closed`), with the error in the
//! finding's note. See docs/moderation.md.
//!
//! Admins configure hooks, and classifiers often run on the intranet, so
//! private addresses are allowed; redirects are not followed.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{BoxFuture, Direction, Finding, Policy, Rewrite, Subject, Verdict};
use crate::crypto::hmac_sha256_hex;
use crate::model::Timestamp;
use crate::state::AppState;
use crate::store::{PolicyHook, StoreResult};

pub const DEFAULT_TIMEOUT_MS: i64 = 2_000;
pub const MIN_TIMEOUT_MS: i64 = 50;
pub const MAX_TIMEOUT_MS: i64 = 10_000;
pub const DEFAULT_RETRIES: i64 = 1;
pub const MAX_RETRIES: i64 = 3;
/// Largest answer read from a hook.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The first pause before trying again; it doubles with every attempt.
const BACKOFF: Duration = Duration::from_millis(100);
/// Longest reason or rewrite text taken from an answer.
const MAX_TEXT_CHARS: usize = 500;

/// The hold reason of a hook that fails closed.
pub const UNAVAILABLE_REASON: &str = "The content classifier is unavailable; held for review";

/// Which statuses a hook is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HookDirection {
    Inbound,
    Outbound,
    Both,
}

impl HookDirection {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inbound" => Some(Self::Inbound),
            "outbound" => Some(Self::Outbound),
            "both" => Some(Self::Both),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
            Self::Both => "both",
        }
    }
}

/// What a hook that cannot answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    /// Accept, as if the hook had not been asked.
    Open,
    /// Hold for review.
    Closed,
}

impl FailMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

/// The HTTP client for endpoints admins configure (classifier hooks and
/// event webhooks): private addresses allowed, no redirects followed.
/// Each request sets its own timeout.
#[derive(Clone)]
pub struct HookClient {
    http: reqwest::Client,
}

impl HookClient {
    pub fn new(config: &crate::config::Config) -> anyhow::Result<Self> {
        // reqwest is built without a default crypto provider; installing it
        // twice is harmless (the second call reports the first).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(format!(
                "Loggia/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                config.base_url()
            ))
            .connect_timeout(Duration::from_millis(MAX_TIMEOUT_MS as u64))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { http })
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

/// Why a hook gave no verdict.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HookError {
    #[error("no answer within {0} ms")]
    Timeout(u64),
    #[error("{0}")]
    Network(String),
    #[error("the hook answered HTTP {0}")]
    Status(u16),
    #[error("the answer is larger than {} KiB", MAX_ANSWER_BYTES / 1024)]
    TooLarge,
    #[error("the answer is not a verdict: {0}")]
    BadAnswer(String),
}

impl HookError {
    /// Whether another attempt may succeed.
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::Network(_) => true,
            Self::Status(code) => *code >= 500,
            Self::TooLarge | Self::BadAnswer(_) => false,
        }
    }
}

/// `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), &message))
}

#[derive(Serialize)]
struct HookRequest<'a> {
    hook_id: String,
    subject: &'a Subject,
}

#[derive(Deserialize)]
struct Answer {
    verdict: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    company_preview: bool,
    #[serde(default)]
    rewrites: Vec<Rewrite>,
}

/// One configured hook, as a policy.
pub struct HttpHook {
    hook: PolicyHook,
    http: reqwest::Client,
}

impl HttpHook {
    pub fn new(hook: PolicyHook, client: &HookClient) -> Self {
        Self {
            hook,
            http: client.http().clone(),
        }
    }

    pub fn hook(&self) -> &PolicyHook {
        &self.hook
    }

    fn timeout(&self) -> Duration {
        let ms = self.hook.timeout_ms.clamp(MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
        Duration::from_millis(ms as u64)
    }

    fn fail_mode(&self) -> FailMode {
        // An unreadable setting fails safe.
        FailMode::parse(&self.hook.fail_mode).unwrap_or(FailMode::Closed)
    }

    /// The hook's verdict, trying again on temporary failures.
    pub async fn ask(&self, subject: &Subject) -> Result<Verdict, HookError> {
        let body = serde_json::to_vec(&HookRequest {
            hook_id: self.hook.id.to_string(),
            subject,
        })
        .map_err(|e| HookError::BadAnswer(format!("cannot encode the request: {e}")))?;
        let attempts = 1 + self.hook.retries.clamp(0, MAX_RETRIES) as u32;
        let mut attempt = 0;
        loop {
            match self.attempt(&body).await {
                Ok(verdict) => return Ok(verdict),
                Err(e) if e.is_temporary() && attempt + 1 < attempts => {
                    tokio::time::sleep(BACKOFF * 2u32.pow(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn attempt(&self, body: &[u8]) -> Result<Verdict, HookError> {
        let timeout = self.timeout();
        let exchange = async {
            let timestamp = Timestamp::now().unix_seconds();
            let response = self
                .http
                .post(&self.hook.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("X-Loggia-Timestamp", timestamp.to_string())
                .header(
                    "X-Loggia-Signature",
                    signature(&self.hook.secret, timestamp, body),
                )
                .body(body.to_vec())
                .send()
                .await
                .map_err(|e| HookError::Network(describe(&e)))?;
            let status = response.status();
            if !status.is_success() {
                return Err(HookError::Status(status.as_u16()));
            }
            read_bounded(response).await
        };
        let answer = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| HookError::Timeout(timeout.as_millis() as u64))??;
        parse_answer(&answer)
    }

    /// The finding on `subject`: the hook's verdict, or its fallback.
    pub async fn finding(&self, subject: &Subject) -> Finding {
        let policy = self.name();
        match self.ask(subject).await {
            Ok(verdict) => Finding {
                policy,
                verdict,
                note: None,
            },
            Err(error) => self.fallback(&error.to_string()),
        }
    }

    /// The hook's verdict when it cannot answer: its fail mode.
    fn fallback(&self, error: &str) -> Finding {
        let mode = self.fail_mode();
        tracing::warn!(hook.id = self.hook.id, hook.name = %self.hook.name, error = %error, fail_mode = mode.as_str(), "classifier hook failed");
        let verdict = match mode {
            FailMode::Open => Verdict::Accept,
            FailMode::Closed => Verdict::Hold {
                reason: UNAVAILABLE_REASON.to_owned(),
                company_preview: false,
            },
        };
        Finding {
            policy: self.name(),
            verdict,
            note: Some(format!(
                "hook unavailable, failed {}: {error}",
                mode.as_str()
            )),
        }
    }
}

impl Policy for HttpHook {
    fn name(&self) -> String {
        format!("hook:{}", self.hook.id)
    }

    fn check<'a>(&'a self, subject: &'a Subject) -> BoxFuture<'a, Finding> {
        Box::pin(self.finding(subject))
    }

    fn unavailable(&self, why: &str) -> Finding {
        self.fallback(why)
    }
}

/// The enabled hooks asked about statuses going in `direction`, in the
/// order they were created. Read from the database every time, so a
/// change made on any node counts from the next status on.
pub async fn policies(state: &AppState, direction: Direction) -> StoreResult<Vec<Box<dyn Policy>>> {
    let hooks = state
        .store
        .policy_hooks()
        .enabled_for(direction.as_str())
        .await?;
    Ok(hooks
        .into_iter()
        .map(|hook| Box::new(HttpHook::new(hook, &state.hook_client)) as Box<dyn Policy>)
        .collect())
}

fn parse_answer(bytes: &[u8]) -> Result<Verdict, HookError> {
    let answer: Answer =
        serde_json::from_slice(bytes).map_err(|e| HookError::BadAnswer(e.to_string()))?;
    let reason = answer
        .reason
        .map(|r| clip(r.trim()))
        .filter(|r| !r.is_empty());
    Ok(match answer.verdict.as_str() {
        "accept" => Verdict::Accept,
        "reject" => Verdict::Reject {
            reason: reason.unwrap_or_else(|| "Rejected by the content classifier".into()),
        },
        "hold" => Verdict::Hold {
            reason: reason.unwrap_or_else(|| "Held by the content classifier".into()),
            company_preview: answer.company_preview,
        },
        "rewrite" => {
            let rewrites: Vec<Rewrite> = answer.rewrites.into_iter().map(clip_rewrite).collect();
            if rewrites.is_empty() {
                Verdict::Accept
            } else {
                Verdict::Rewrite { rewrites }
            }
        }
        other => {
            return Err(HookError::BadAnswer(format!(
                "unknown verdict {:?}",
                clip(other)
            )));
        }
    })
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT_CHARS).collect()
}

fn clip_rewrite(rewrite: Rewrite) -> Rewrite {
    match rewrite {
        Rewrite::ContentWarning(t) => Rewrite::ContentWarning(clip(&t)),
        Rewrite::AppendDisclaimer(t) => Rewrite::AppendDisclaimer(clip(&t)),
        other => other,
    }
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, HookError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(HookError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| HookError::Network(describe(&e)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(HookError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A reqwest error as one line with its root cause ("cannot connect:
/// Connection refused (os error 111)").
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "cannot read the answer"
    } else {
        "the request failed"
    };
    let mut cause = None;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = Some(s.to_string());
        source = s.source();
    }
    match cause {
        Some(cause) => format!("{kind}: {cause}"),
        None => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_verdicts() {
        let v = |s: &str| parse_answer(s.as_bytes());
        assert_eq!(v(r#"{"verdict":"accept"}"#).unwrap(), Verdict::Accept);
        assert_eq!(
            v(r#"{"verdict":"reject","reason":"leak"}"#).unwrap(),
            Verdict::Reject {
                reason: "leak".into()
            }
        );
        assert_eq!(
            v(r#"{"verdict":"hold","reason":"","company_preview":true}"#).unwrap(),
            Verdict::Hold {
                reason: "Held by the content classifier".into(),
                company_preview: true
            }
        );
        assert_eq!(
            v(
                r#"{"verdict":"rewrite","rewrites":[{"type":"mark_sensitive"},
                {"type":"content_warning","text":"Partner"},{"type":"strip_media"},
                {"type":"append_disclaimer","text":"Views my own"}]}"#
            )
            .unwrap(),
            Verdict::Rewrite {
                rewrites: vec![
                    Rewrite::MarkSensitive,
                    Rewrite::ContentWarning("Partner".into()),
                    Rewrite::StripMedia,
                    Rewrite::AppendDisclaimer("Views my own".into()),
                ]
            }
        );
        assert_eq!(
            v(r#"{"verdict":"rewrite","rewrites":[]}"#).unwrap(),
            Verdict::Accept
        );
        for bad in [
            "",
            "ok",
            r#"{"verdict":"maybe"}"#,
            r#"{"reason":"x"}"#,
            r#"{"verdict":"rewrite","rewrites":[{"type":"shout"}]}"#,
        ] {
            assert!(
                matches!(v(bad), Err(HookError::BadAnswer(_))),
                "{bad:?} is not a verdict"
            );
        }
    }

    #[test]
    fn signatures_cover_timestamp_and_body() {
        let s = signature("secret", 1_700_000_000, b"{}");
        assert!(s.starts_with("sha256="));
        assert_eq!(s.len(), "sha256=".len() + 64);
        assert_ne!(s, signature("secret", 1_700_000_001, b"{}"));
        assert_ne!(s, signature("other", 1_700_000_000, b"{}"));
    }
}
