//! Application state, passed explicitly to every handler as `AppState`.
//! Several instances can live in one process (the federation tests do this):
//! nothing here is global.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use crate::config::Config;
use crate::media::MediaStore;
use crate::media::video::Transcoder;
use crate::model::Account;
use crate::ops::metrics::Metrics;
use crate::service::instance::{self, Secrets};
use crate::store::Store;

#[derive(Clone)]
pub struct AppState(pub Arc<App>);

pub struct App {
    pub config: Config,
    pub store: Store,
    pub secrets: Secrets,
    pub instance_actor: Account,
    /// Verified when a sign-in names an unknown user, to equalize timing.
    pub dummy_password_hash: String,
    pub metrics: Metrics,
    /// The instance's counts, recounted at most once a minute.
    pub instance_stats: crate::service::instance_stats::StatsCache,
    /// Where uploaded media files live.
    pub media: MediaStore,
    /// ffmpeg and ffprobe, for videos.
    pub transcoder: Transcoder,
    pub started_at: Instant,
    /// Outgoing HTTP and the instance actor's signing key.
    pub federation: crate::federation::Federation,
    /// Outgoing mail (e-mail confirmation).
    pub mailer: crate::service::mail::Mailer,
    /// The `no_access` IP blocks, held for a few seconds.
    pub access: crate::service::access_blocks::AccessCache,
    /// Outgoing HTTP to what admins configure: classifier hooks, webhooks.
    pub hook_client: crate::moderation::hooks::HookClient,
    /// The moderation policy, cached per node.
    pub moderation: crate::moderation::Moderation,
    /// Request rate limits, counted by this node.
    pub limits: crate::rate_limit::RateLimits,
    /// Turns for requests (`request_concurrency`).
    pub admission: crate::rate_limit::admission::Admission,
    /// Signatures of deliveries accepted lately, to refuse replays.
    pub replays: crate::federation::signatures::ReplayGuard,
}

/// What tests (and only tests) tune beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Host name → address for outgoing requests, consulted before DNS.
    pub resolve_overrides: std::collections::HashMap<String, std::net::IpAddr>,
    /// Other ffmpeg/ffprobe programs than those on `PATH`.
    pub transcoder: Option<Transcoder>,
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    /// Connects, migrates and bootstraps secrets and the instance actor.
    pub async fn init(config: Config) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url, config.database_max_connections)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot open the database {}: {e}",
                    redact(&config.database_url)
                )
            })?;
        store
            .migrate_exclusively()
            .await
            .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
        let store = with_replica(store, &config).await?;
        Self::with_store(config, store).await
    }

    /// Builds the state on an already migrated store.
    pub async fn with_store(config: Config, store: Store) -> anyhow::Result<Self> {
        Self::with_options(config, store, Options::default()).await
    }

    pub async fn with_options(
        config: Config,
        store: Store,
        options: Options,
    ) -> anyhow::Result<Self> {
        let store = store.with_home_fan_out_limit(config.home_fan_out_max_followers);
        store
            .claim_id_node()
            .await
            .map_err(|e| anyhow::anyhow!("cannot register this node in the database: {e}"))?;
        let secrets = instance::load_secrets(&store).await?;
        let instance_actor = instance::ensure_instance_actor(&store, &config).await?;
        let dummy_password_hash = crate::crypto::DUMMY_PASSWORD_HASH.to_owned();
        let media = MediaStore::from_config(&config)
            .map_err(|e| anyhow::anyhow!("cannot set up the media store: {e}"))?;
        let federation = crate::federation::Federation::new(
            &config,
            &instance_actor,
            options.resolve_overrides,
            store.events().delivery_wake(),
        )?;
        let mailer =
            crate::service::mail::Mailer::from_config(&config).map_err(anyhow::Error::msg)?;
        let hook_client = crate::moderation::hooks::HookClient::new(&config)?;
        Ok(Self(Arc::new(App {
            access: Default::default(),
            moderation: crate::moderation::Moderation::default(),
            limits: crate::rate_limit::RateLimits::from_config(&config),
            admission: crate::rate_limit::admission::Admission::new(
                config.request_concurrency,
                config.request_queue,
            ),
            replays: Default::default(),
            hook_client,
            mailer,
            media,
            transcoder: options.transcoder.unwrap_or_default(),
            config,
            store,
            secrets,
            instance_actor,
            dummy_password_hash,
            metrics: Metrics::new(),
            instance_stats: Default::default(),
            federation,
            started_at: Instant::now(),
        })))
    }
}

/// Adds the configured read replica, if any (unreachable is only a warning).
pub async fn with_replica(store: Store, config: &Config) -> anyhow::Result<Store> {
    if config.database_replica_url.is_empty() {
        return Ok(store);
    }
    let max_lag = std::time::Duration::from_secs(config.database_replica_max_lag_secs);
    store
        .with_replica(
            &config.database_replica_url,
            config.database_replica_max_connections,
            max_lag,
        )
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot use the read replica {}: {e}",
                redact(&config.database_replica_url)
            )
        })
}

/// Hides the password of a database URL in messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
