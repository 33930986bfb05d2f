//! Servers this node lately found healthy. Every activity delivered to our
//! inboxes asks whether its server was failing (then its waiting
//! deliveries are due at once, see `Deliveries::peer_alive`); nearly
//! always it was not, and the answer is kept here for a few seconds
//! instead of being read from `peer_hosts` for every activity.
//!
//! A failure seen by this node forgets the server at once. One seen by
//! another node is noticed here within [`KEPT`]; until then, deliveries to
//! that server wait for their next retry instead of being made due by its
//! activities.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a server found healthy is taken to be.
const KEPT: Duration = Duration::from_secs(10);

/// Servers remembered at most: past that, the expired ones are dropped,
/// and if none had, all.
const MAX: usize = 10_000;

#[derive(Debug, Default)]
pub struct HealthyPeers {
    seen: Mutex<HashMap<String, Instant>>,
}

impl HealthyPeers {
    /// Whether `host` was found healthy less than [`KEPT`] ago.
    pub fn recently(&self, host: &str) -> bool {
        self.lock().get(host).is_some_and(|at| at.elapsed() < KEPT)
    }

    /// `host` is healthy (it was not failing, or is no longer).
    pub fn found(&self, host: &str) {
        let mut seen = self.lock();
        if seen.len() >= MAX && !seen.contains_key(host) {
            seen.retain(|_, at| at.elapsed() < KEPT);
            if seen.len() >= MAX {
                seen.clear();
            }
        }
        seen.insert(host.to_owned(), Instant::now());
    }

    /// A delivery to `host` failed.
    pub fn failed(&self, host: &str) {
        self.lock().remove(host);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // Nothing can panic while the lock is held: a poisoned map is fine.
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_until_a_failure() {
        let peers = HealthyPeers::default();
        assert!(!peers.recently("a.example"));
        peers.found("a.example");
        assert!(peers.recently("a.example"));
        assert!(!peers.recently("b.example"));
        peers.failed("a.example");
        assert!(!peers.recently("a.example"));
    }

    #[test]
    fn bounded() {
        let peers = HealthyPeers::default();
        for n in 0..MAX + 5 {
            peers.found(&format!("h{n}.example"));
        }
        assert!(peers.lock().len() <= MAX);
        assert!(peers.recently(&format!("h{}.example", MAX + 4)));
    }
}
