//! Configuration: a TOML file (`--config PATH` or `LOGGIA_CONFIG`) overlaid
//! by `LOGGIA_<KEY>` environment variables, one per key. Unknown keys, in the
//! file or the environment, are errors that name the key — a typo must never
//! silently fall back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::rate_limit::RateLimit;

/// Environment variables that are not settings.
const NON_SETTING_VARS: &[&str] = &["LOGGIA_CONFIG"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Https,
    Http,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Https => "https",
            Protocol::Http => "http",
        }
    }
}

/// Who may create an account without an administrator typing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registrations {
    /// Nobody: accounts come from `loggia admin create-user`.
    Closed,
    /// Only holders of an invite link.
    Invite,
    /// Anyone with an allowed e-mail address; an admin approves each one.
    Approval,
    /// Anyone with an allowed e-mail address.
    Open,
}

impl Registrations {
    pub fn as_str(self) -> &'static str {
        match self {
            Registrations::Closed => "closed",
            Registrations::Invite => "invite",
            Registrations::Approval => "approval",
            Registrations::Open => "open",
        }
    }
}

/// What one node of an installation runs (see `docs/deployment.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Serves the application and works the queues and timers.
    All,
    /// Serves the application only; other nodes work the queues.
    Web,
    /// Works the queues and timers; serves only `/health`, `/ready` and
    /// `/metrics`, for orchestrators and monitoring.
    Worker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::All => "all",
            Role::Web => "web",
            Role::Worker => "worker",
        }
    }

    /// Whether the node answers the API, federation and the web pages.
    pub fn serves_app(self) -> bool {
        self != Role::Worker
    }

    /// Whether the node delivers, sends webhooks and runs the timers.
    pub fn runs_workers(self) -> bool {
        self != Role::Web
    }
}

/// Where media files are kept (see `media::MediaStore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaBackend {
    /// `media_dir` on this machine.
    Local,
    /// An S3-compatible bucket, which several nodes can share.
    S3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// Every setting. Field names are the TOML keys; `LOGGIA_` + the upper-cased
/// name is the environment variable. Keep `docs/configuration.md` and
/// `DEFAULT_CONFIG_TOML` in step (tests check both).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Public host name, with a port for local use (`localhost:8080`).
    pub domain: String,
    /// `https` in production; `http` for local and test use.
    pub protocol: Protocol,
    pub listen: SocketAddr,
    /// `sqlite://PATH` (default) or `postgres://…`.
    pub database_url: String,
    pub database_max_connections: u32,
    /// A streaming standby of the PostgreSQL database for timelines and
    /// search; empty: none.
    pub database_replica_url: String,
    pub database_replica_max_connections: u32,
    /// A replica further behind than this is not read from.
    pub database_replica_max_lag_secs: u64,
    /// `all`, `web` or `worker`: what this node runs.
    pub role: Role,
    /// Deliveries this node works on at once (claimed from the queue).
    pub delivery_concurrency: u32,
    /// Of those, how many may be in flight to one server.
    pub delivery_per_host: u32,
    /// Deliveries from other servers this node verifies and applies at
    /// once; more wait a second, then are told to retry (429).
    pub inbox_concurrency: u32,
    /// Other requests this node works on at once.
    pub request_concurrency: u32,
    /// How many more of them may wait (a second at most) for a turn; the
    /// rest are answered 503.
    pub request_queue: u32,
    /// How long a claimed delivery stays reserved for its node; renewed
    /// while the node works, so it only lapses when the node died.
    pub delivery_lease_secs: u64,
    /// Seconds one delivery attempt may take in all (connecting, sending,
    /// the answer), so a peer that answers byte by byte cannot hold a slot.
    pub delivery_timeout_secs: u64,
    pub media_dir: PathBuf,
    /// `local` (`media_dir`) or `s3` (the `s3_*` keys).
    pub media_backend: MediaBackend,
    /// Public URL prefix of media files (a CDN or the bucket); empty: served
    /// by Loggia under `/media/`.
    pub media_base_url: String,
    /// S3-compatible endpoint; empty: AWS in `s3_region`.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_bucket: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    /// `endpoint/bucket/key` instead of `bucket.endpoint/key`.
    pub s3_path_style: bool,
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `loggia=debug,info`.
    pub log_level: String,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy_headers: bool,
    pub instance_title: String,
    pub instance_description: String,
    pub contact_email: String,
    pub max_status_chars: u32,
    /// Authors with more local followers than this have their posts read
    /// into home timelines at read time instead of written into every
    /// follower's feed when posted (`accounts.wide_audience`).
    pub home_fan_out_max_followers: u32,
    /// New posts are company-only unless the author or the user's
    /// preference says otherwise.
    pub company_only_by_default: bool,
    /// Failed sign-ins allowed per address and user name in the window below.
    pub sign_in_max_failures: u32,
    pub sign_in_failure_window_secs: u64,
    /// Let federation reach loopback and private addresses (local testing,
    /// intranet partners). Off: such addresses are refused, which stops
    /// remote input from making us probe the internal network.
    pub allow_private_networks: bool,
    /// Private networks federation may reach even so (CIDR).
    pub allowed_private_networks: Vec<String>,
    /// Secure mode (authorized fetch): GETs of actors, objects and
    /// collections need a valid HTTP signature from a non-blocked domain.
    pub authorized_fetch: bool,
    /// Sign-up policy: closed, invite, approval or open.
    pub registrations: Registrations,
    /// When not empty, sign-ups without an invite need an address in one of
    /// these domains (or their subdomains).
    pub registration_email_domains: Vec<String>,
    /// Accounts one client address may create per throttling window
    /// (`sign_in_failure_window_secs`); 0: no limit.
    pub sign_up_max_per_address: u32,
    /// Client API requests per token (`"300/5m"`, or `"off"`).
    pub rate_limit_api_per_token: RateLimit,
    /// Anonymous client API requests per client address, and failed tokens.
    pub rate_limit_api_per_ip: RateLimit,
    /// New posts per token.
    pub rate_limit_posts: RateLimit,
    /// Media uploads per token.
    pub rate_limit_media_uploads: RateLimit,
    /// Deliveries to the inboxes per remote server.
    pub rate_limit_inbox_per_host: RateLimit,
    /// Whether every employee may create invite links (staff always may).
    pub employees_can_invite: bool,
    /// New accounts must confirm their e-mail address before signing in.
    pub email_confirmation: bool,
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://…:465` (TLS) or
    /// `smtp://host:25?tls=none` for a local relay.
    pub smtp_url: String,
    /// The sender of Loggia's mail; empty: `Loggia <noreply@DOMAIN>`.
    pub smtp_from: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            domain: "localhost:8080".into(),
            protocol: Protocol::Https,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://loggia.db".into(),
            database_max_connections: 10,
            database_replica_url: String::new(),
            database_replica_max_connections: 10,
            database_replica_max_lag_secs: 30,
            role: Role::All,
            delivery_concurrency: 64,
            delivery_per_host: 4,
            inbox_concurrency: 32,
            request_concurrency: 256,
            request_queue: 256,
            delivery_lease_secs: 120,
            delivery_timeout_secs: 30,
            media_dir: PathBuf::from("./media"),
            media_backend: MediaBackend::Local,
            media_base_url: String::new(),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".into(),
            s3_bucket: String::new(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_path_style: false,
            log_format: LogFormat::Human,
            log_level: "info".into(),
            trust_proxy_headers: false,
            instance_title: "Loggia".into(),
            instance_description: "A company microblog on the fediverse.".into(),
            contact_email: String::new(),
            max_status_chars: 500,
            home_fan_out_max_followers: crate::store::DEFAULT_HOME_FAN_OUT_LIMIT,
            company_only_by_default: false,
            sign_in_max_failures: 5,
            sign_in_failure_window_secs: 900,
            allow_private_networks: false,
            allowed_private_networks: Vec::new(),
            authorized_fetch: false,
            registrations: Registrations::Closed,
            registration_email_domains: Vec::new(),
            sign_up_max_per_address: 20,
            rate_limit_api_per_token: RateLimit::per(300, 300),
            rate_limit_api_per_ip: RateLimit::per(300, 300),
            rate_limit_posts: RateLimit::per(300, 3 * 3600),
            rate_limit_media_uploads: RateLimit::per(30, 1800),
            rate_limit_inbox_per_host: RateLimit::per(6000, 300),
            employees_can_invite: false,
            email_confirmation: true,
            smtp_url: String::new(),
            smtp_from: String::new(),
        }
    }
}

/// What `loggia init` writes: every key, commented, with its default.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("config_default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The kind of value a key holds, to turn an environment string into TOML.
enum Kind {
    Str,
    Bool,
    Int,
    /// Comma-separated in the environment.
    List,
}

fn kind_of(key: &str) -> Option<Kind> {
    Some(match key {
        "domain"
        | "protocol"
        | "listen"
        | "database_url"
        | "database_replica_url"
        | "role"
        | "media_dir"
        | "media_backend"
        | "media_base_url"
        | "s3_endpoint"
        | "s3_region"
        | "s3_bucket"
        | "s3_access_key_id"
        | "s3_secret_access_key"
        | "log_format"
        | "log_level"
        | "instance_title"
        | "instance_description"
        | "contact_email"
        | "registrations"
        | "smtp_url"
        | "smtp_from"
        | "rate_limit_api_per_token"
        | "rate_limit_api_per_ip"
        | "rate_limit_posts"
        | "rate_limit_media_uploads"
        | "rate_limit_inbox_per_host" => Kind::Str,
        "registration_email_domains" | "allowed_private_networks" => Kind::List,
        "trust_proxy_headers"
        | "company_only_by_default"
        | "allow_private_networks"
        | "authorized_fetch"
        | "employees_can_invite"
        | "email_confirmation"
        | "s3_path_style" => Kind::Bool,
        "database_max_connections"
        | "database_replica_max_connections"
        | "database_replica_max_lag_secs"
        | "delivery_concurrency"
        | "delivery_per_host"
        | "inbox_concurrency"
        | "request_concurrency"
        | "request_queue"
        | "delivery_lease_secs"
        | "delivery_timeout_secs"
        | "max_status_chars"
        | "home_fan_out_max_followers"
        | "sign_in_max_failures"
        | "sign_in_failure_window_secs"
        | "sign_up_max_per_address" => Kind::Int,
        _ => return None,
    })
}

impl Config {
    /// Loads the file (if any) and overlays the given environment.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut table = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.into(),
                    source,
                })?;
                text.parse::<toml::Table>().map_err(|e| ConfigError::File {
                    path: path.into(),
                    message: e.message().to_owned(),
                })?
            }
            None => toml::Table::new(),
        };
        for (var, value) in env {
            let Some(suffix) = var.strip_prefix("LOGGIA_") else {
                continue;
            };
            if NON_SETTING_VARS.contains(&var.as_str()) {
                continue;
            }
            let key = suffix.to_ascii_lowercase();
            let parsed = match kind_of(&key) {
                None => {
                    return Err(ConfigError::Env {
                        var,
                        message: "unknown setting".into(),
                    });
                }
                Some(Kind::Str) => toml::Value::String(value),
                Some(Kind::List) => toml::Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(|item| toml::Value::String(item.to_owned()))
                        .collect(),
                ),
                Some(Kind::Bool) => match value.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => toml::Value::Boolean(true),
                    "false" | "0" | "no" => toml::Value::Boolean(false),
                    _ => {
                        return Err(ConfigError::Env {
                            var,
                            message: format!("expected true or false, got {value:?}"),
                        });
                    }
                },
                Some(Kind::Int) => match value.parse::<i64>() {
                    Ok(n) => toml::Value::Integer(n),
                    Err(_) => {
                        return Err(ConfigError::Env {
                            var,
                            message: format!("expected a whole number, got {value:?}"),
                        });
                    }
                },
            };
            // Check the value alone, so that a bad one blames its variable.
            let mut alone = toml::Table::new();
            alone.insert(key.clone(), parsed.clone());
            if let Err(e) = toml::Value::Table(alone).try_into::<Config>() {
                return Err(ConfigError::Env {
                    var,
                    message: e.message().to_owned(),
                });
            }
            table.insert(key, parsed);
        }
        let config: Config =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::File {
                    path: path.map(Into::into).unwrap_or_else(|| "(defaults)".into()),
                    message: e.message().to_owned(),
                })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let domain = &self.domain;
        let valid_domain = !domain.is_empty()
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            && url::Url::parse(&format!("http://{domain}/")).is_ok_and(|u| {
                u.host_str().is_some() && u.path() == "/" && u.username().is_empty()
            });
        if !valid_domain {
            return Err(ConfigError::Invalid(format!(
                "domain {domain:?} is not a host name (examples: social.example.com, localhost:8080)"
            )));
        }
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(
                "database_url must start with sqlite:// or postgres://".into(),
            ));
        }
        for network in &self.allowed_private_networks {
            network
                .parse::<crate::federation::networks::Network>()
                .map_err(|e| ConfigError::Invalid(format!("allowed_private_networks: {e}")))?;
        }
        if self.database_max_connections == 0 {
            return Err(ConfigError::Invalid(
                "database_max_connections must be at least 1".into(),
            ));
        }
        // Streaming keeps one connection of the pool for LISTEN.
        if self.uses_postgres() && self.database_max_connections < 2 {
            return Err(ConfigError::Invalid(
                "database_max_connections must be at least 2 with PostgreSQL (one connection listens for events from other nodes)".into(),
            ));
        }
        self.check_replica()?;
        for (key, value) in [
            ("delivery_concurrency", self.delivery_concurrency),
            ("delivery_per_host", self.delivery_per_host),
            ("inbox_concurrency", self.inbox_concurrency),
        ] {
            if !(1..=1000).contains(&value) {
                return Err(ConfigError::Invalid(format!(
                    "{key} must be between 1 and 1000"
                )));
            }
        }
        if !(1..=100_000).contains(&self.request_concurrency) {
            return Err(ConfigError::Invalid(
                "request_concurrency must be between 1 and 100000".into(),
            ));
        }
        if self.request_queue > 100_000 {
            return Err(ConfigError::Invalid(
                "request_queue must be between 0 and 100000".into(),
            ));
        }
        if !(2..=86_400).contains(&self.delivery_lease_secs) {
            return Err(ConfigError::Invalid(
                "delivery_lease_secs must be between 2 and 86400 (a day)".into(),
            ));
        }
        if !(1..=600).contains(&self.delivery_timeout_secs) {
            return Err(ConfigError::Invalid(
                "delivery_timeout_secs must be between 1 and 600".into(),
            ));
        }
        if self.sign_in_max_failures == 0 {
            return Err(ConfigError::Invalid(
                "sign_in_max_failures must be at least 1".into(),
            ));
        }
        if !(1..=30 * 24 * 3600).contains(&self.sign_in_failure_window_secs) {
            return Err(ConfigError::Invalid(
                "sign_in_failure_window_secs must be between 1 and 2592000 (30 days)".into(),
            ));
        }
        for domain in &self.registration_email_domains {
            let bare = domain.trim_start_matches('@');
            if bare.is_empty() || !bare.contains('.') || bare.contains(['@', ' ', '/']) {
                return Err(ConfigError::Invalid(format!(
                    "registration_email_domains: {domain:?} is not a domain (example: acme.example)"
                )));
            }
        }
        if self.registrations != Registrations::Closed
            && self.email_confirmation
            && self.smtp_url.is_empty()
        {
            return Err(ConfigError::Invalid(format!(
                "registrations = \"{}\" with email_confirmation needs smtp_url to send the \
                 confirmation mail (or set email_confirmation = false on an intranet)",
                self.registrations.as_str()
            )));
        }
        if !self.smtp_url.is_empty() {
            crate::service::mail::check_smtp_url(&self.smtp_url)
                .map_err(|e| ConfigError::Invalid(format!("smtp_url: {e}")))?;
        }
        crate::media::settings::check(self).map_err(ConfigError::Invalid)?;
        if self.home_fan_out_max_followers > 1_000_000 {
            return Err(ConfigError::Invalid(
                "home_fan_out_max_followers must be at most 1000000".into(),
            ));
        }
        if self.max_status_chars == 0 {
            return Err(ConfigError::Invalid(
                "max_status_chars must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The lower-cased domain, as used in handles and ActivityPub ids.
    pub fn domain(&self) -> String {
        self.domain.to_ascii_lowercase()
    }

    /// `https://social.example.com` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.protocol.as_str(), self.domain())
    }

    pub fn uses_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// A read replica only makes sense as a standby of a PostgreSQL primary.
    fn check_replica(&self) -> Result<(), ConfigError> {
        if self.database_replica_url.is_empty() {
            return Ok(());
        }
        if !self.uses_postgres() {
            return Err(ConfigError::Invalid(
                "database_replica_url needs a PostgreSQL database_url (SQLite has no replicas)"
                    .into(),
            ));
        }
        if !(self.database_replica_url.starts_with("postgres://")
            || self.database_replica_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(
                "database_replica_url must start with postgres://".into(),
            ));
        }
        if self.database_replica_max_connections == 0 || self.database_replica_max_lag_secs == 0 {
            return Err(ConfigError::Invalid(
                "database_replica_max_connections and database_replica_max_lag_secs must be at least 1"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod doc_tests;
