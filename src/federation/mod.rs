//! The server-to-server door: discovery, actors and objects as
//! ActivityStreams JSON, the inbox, fetching remote objects and the
//! durable delivery queue.

pub mod client;
pub mod delivery;
mod discovery;
mod endpoints;
pub mod fetch;
pub mod healthy_peers;
pub mod ingest;
pub mod keys;
pub mod networks;
pub mod protocol;
pub mod render;
pub mod signatures;
mod verify;

use std::collections::HashMap;
use std::net::IpAddr;

use axum::Router;

use crate::config::{Config, Protocol};
use crate::model::Account;
use crate::state::AppState;
use client::{ClientPolicy, FederationClient};
use signatures::Signer;

pub use endpoints::wants_activity_json;

pub fn routes() -> Router<AppState> {
    discovery::routes().merge(endpoints::routes())
}

/// Federation's share of the application state.
pub struct Federation {
    pub client: FederationClient,
    /// Signs fetches (Mastodon's secure mode wants every GET signed).
    pub instance_signer: Signer,
    /// Wakes the delivery worker: signalled by the store when a commit
    /// queued deliveries (`Events::deliveries_queued`), and when a host
    /// that was failing is back.
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// Turns for inbox deliveries (`inbox_concurrency`).
    pub inbox_slots: crate::rate_limit::admission::Turns,
    /// Servers lately found healthy (see `healthy_peers`).
    pub healthy_peers: healthy_peers::HealthyPeers,
}

impl Federation {
    pub fn new(
        config: &Config,
        instance_actor: &Account,
        resolve_overrides: HashMap<String, IpAddr>,
        wake: std::sync::Arc<tokio::sync::Notify>,
    ) -> anyhow::Result<Self> {
        let policy = ClientPolicy {
            allow_private_networks: config.allow_private_networks,
            allowed_networks: config
                .allowed_private_networks
                .iter()
                .map(|n| n.parse())
                .collect::<Result<_, String>>()
                .map_err(anyhow::Error::msg)?,
            allow_http: config.protocol == Protocol::Http,
            resolve_overrides,
            delivery_timeout: Some(std::time::Duration::from_secs(config.delivery_timeout_secs)),
        };
        let user_agent = format!(
            "Loggia/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            config.base_url()
        );
        let private_key = instance_actor
            .private_key_pem
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("the instance actor has no key"))?;
        Ok(Self {
            client: FederationClient::new(policy, user_agent)?,
            instance_signer: Signer::from_pem(keys::key_id(instance_actor), private_key)?,
            wake,
            inbox_slots: crate::rate_limit::admission::Turns::new(
                config.inbox_concurrency,
                config.inbox_concurrency,
            ),
            healthy_peers: Default::default(),
        })
    }
}
