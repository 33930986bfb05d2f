//! Prometheus metrics held in the application state (no global recorder, so
//! several instances can share a process).

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;
use crate::store::{InstanceStats, ReplicaReads};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route pattern (`/api/v1/accounts/{id}`), never the raw path, to
    /// keep the number of series bounded.
    pub route: String,
    pub status: u16,
}

/// Where a read that may use the replica went, and why.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReadLabels {
    /// `replica` or `primary`.
    pub served_by: &'static str,
    /// `replica_ok`, `own_write`, `lagging`, `unavailable`, or `failed`
    /// (ran on the replica, failed there, and ran again on the primary).
    pub reason: &'static str,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    /// Reads `Store::read_as` routed (only with a replica).
    replica_reads: Family<ReadLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    users: Gauge,
    local_statuses: Gauge,
    known_domains: Gauge,
    /// Activities delivered to remote inboxes.
    pub deliveries_sent: Counter,
    /// Delivery attempts that failed and were rescheduled.
    pub deliveries_retried: Counter,
    /// Deliveries given up (refused by the peer, or a week of failures).
    pub deliveries_failed: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("loggia");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 14))
        });
        let users = Gauge::default();
        let local_statuses = Gauge::default();
        let known_domains = Gauge::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            latency.clone(),
        );
        registry.register("users", "Local users", users.clone());
        registry.register(
            "local_statuses",
            "Posts by local users",
            local_statuses.clone(),
        );
        registry.register(
            "known_domains",
            "Remote domains with known accounts",
            known_domains.clone(),
        );
        let replica_reads = Family::<ReadLabels, Counter>::default();
        registry.register(
            "replica_routed_reads",
            "Timeline and search reads, by the database that served them",
            replica_reads.clone(),
        );
        let deliveries_sent = Counter::default();
        let deliveries_retried = Counter::default();
        let deliveries_failed = Counter::default();
        registry.register(
            "deliveries_sent",
            "Activities delivered to remote inboxes",
            deliveries_sent.clone(),
        );
        registry.register(
            "deliveries_retried",
            "Delivery attempts that failed and were rescheduled",
            deliveries_retried.clone(),
        );
        registry.register(
            "deliveries_failed",
            "Deliveries given up",
            deliveries_failed.clone(),
        );
        Self {
            replica_reads,
            deliveries_sent,
            deliveries_retried,
            deliveries_failed,
            registry: Mutex::new(registry),
            requests,
            latency,
            users,
            local_statuses,
            known_domains,
        }
    }

    pub fn set_instance_stats(&self, stats: &InstanceStats) {
        self.users.set(stats.users);
        self.local_statuses.set(stats.local_statuses);
        self.known_domains.set(stats.domains);
    }

    /// Copies the store's counts of reads routed with a replica.
    pub fn set_replica_reads(&self, reads: &ReplicaReads) {
        for (served_by, reason, n) in [
            ("replica", "replica_ok", reads.replica),
            ("primary", "own_write", reads.own_write),
            ("primary", "lagging", reads.lagging),
            ("primary", "unavailable", reads.unavailable),
            ("primary", "failed", reads.retried),
        ] {
            let labels = ReadLabels { served_by, reason };
            let counter = self.replica_reads.get_or_create(&labels);
            counter
                .inner()
                .store(n, std::sync::atomic::Ordering::Relaxed);
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
            tracing::error!("cannot encode metrics");
        }
        out
    }
}

/// Middleware counting and timing every request.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    state.metrics.requests.get_or_create(&labels).inc();
    state
        .metrics
        .latency
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}
