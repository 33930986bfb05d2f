//! Request rate limits, kept in each node's memory: per API token, per
//! client address for anonymous API use and failed tokens, for posting and
//! media uploads, and per remote server on the inboxes.
//!
//! Each limit is a generic cell rate algorithm (GCRA): one instant per key
//! (the "theoretical arrival time"), so a key costs a few dozen bytes and a
//! check is one hash-map lookup. A limit of N per period allows a burst of
//! N, then one request every period/N. Several nodes behind a load balancer
//! each keep their own counts; the effective limit is the per-node one times
//! the number of nodes a client reaches (docs/security.md).

pub mod admission;
pub mod api;
mod rate;

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use rate::{Rate, RateLimit};

use crate::config::Config;

/// Shards of the key map: checks from many requests at once rarely wait on
/// the same lock.
const SHARDS: usize = 16;
/// Keys kept per shard before the idle ones are dropped; an attacker with
/// many addresses can make it no larger than this.
const SHARD_CAPACITY: usize = 16_384;

/// What a check decided, with what the `X-RateLimit-*` headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Until the key's allowance is whole again.
    pub reset_after: Duration,
    /// Until the next request would be allowed (zero when allowed).
    pub retry_after: Duration,
}

impl Decision {
    /// Whole seconds to wait, never zero (a client told 0 retries at once).
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }
}

/// One limit over many keys.
pub struct Limiter {
    rate: Rate,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<String, Instant>>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Counts one request for `key` at `now`, unless it is over the limit.
    pub fn check(&self, key: &str, now: Instant) -> Decision {
        self.decide(key, now, true)
    }

    /// What a request would be told, without counting it.
    pub fn peek(&self, key: &str, now: Instant) -> Decision {
        self.decide(key, now, false)
    }

    fn decide(&self, key: &str, now: Instant, count: bool) -> Decision {
        let interval = self.rate.interval();
        let period = self.rate.period;
        let shard = &self.shards[self.hasher.hash_one(key) as usize % SHARDS];
        let mut map = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tat = map.get(key).copied().unwrap_or(now).max(now);
        let next = tat + interval;
        if next.duration_since(now) > period {
            return Decision {
                allowed: false,
                limit: self.rate.limit,
                remaining: 0,
                reset_after: tat.duration_since(now),
                retry_after: (next - period).duration_since(now),
            };
        }
        if count {
            if map.len() >= SHARD_CAPACITY && !map.contains_key(key) {
                // Keys whose allowance is whole again carry no information.
                map.retain(|_, tat| *tat > now);
            }
            if map.len() < SHARD_CAPACITY || map.contains_key(key) {
                map.insert(key.to_owned(), next);
            } else {
                tracing::warn!("rate limiter full: a request from a new client is not counted");
            }
        }
        let used = if count { next } else { tat };
        let left = period.saturating_sub(used.duration_since(now));
        Decision {
            allowed: true,
            limit: self.rate.limit,
            remaining: (left.as_nanos() / interval.as_nanos().max(1)) as u32,
            reset_after: used.duration_since(now),
            retry_after: Duration::ZERO,
        }
    }
}

/// Hashes of tokens this node has seen authenticate, so that most requests
/// need no query to tell a real token from an invented one. Bounded: the
/// oldest are forgotten first (and simply looked up again).
#[derive(Default)]
pub struct KnownTokens {
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
}

const KNOWN_TOKENS: usize = 65_536;

impl KnownTokens {
    pub fn known(&self, key: &str) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.0.contains(key)
    }

    pub fn remember(&self, key: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *seen;
        if set.insert(key.to_owned()) {
            order.push_back(key.to_owned());
            while order.len() > KNOWN_TOKENS {
                if let Some(old) = order.pop_front() {
                    set.remove(&old);
                }
            }
        }
    }

    pub fn forget(&self, key: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *seen;
        if set.remove(key) {
            order.retain(|k| k != key);
        }
    }
}

/// The node's limits, as configured; `None` where a limit is off.
pub struct RateLimits {
    pub tokens: KnownTokens,
    pub api_per_token: Option<Limiter>,
    pub api_per_ip: Option<Limiter>,
    pub posts: Option<Limiter>,
    pub media_uploads: Option<Limiter>,
    pub inbox_per_host: Option<Limiter>,
}

impl RateLimits {
    pub fn from_config(config: &Config) -> Self {
        let limiter = |limit: &RateLimit| limit.0.map(Limiter::new);
        Self {
            tokens: KnownTokens::default(),
            api_per_token: limiter(&config.rate_limit_api_per_token),
            api_per_ip: limiter(&config.rate_limit_api_per_ip),
            posts: limiter(&config.rate_limit_posts),
            media_uploads: limiter(&config.rate_limit_media_uploads),
            inbox_per_host: limiter(&config.rate_limit_inbox_per_host),
        }
    }

    /// Counts one delivery from `host`; the error says when to come back.
    pub fn inbox(&self, host: &str) -> Result<(), crate::error::Error> {
        match &self.inbox_per_host {
            Some(limiter) => {
                let decision = limiter.check(host, Instant::now());
                if decision.allowed {
                    Ok(())
                } else {
                    tracing::info!(%host, "inbox rate limit reached");
                    Err(crate::error::Error::TooManyRequests {
                        retry_after_secs: decision.retry_after_secs(),
                    })
                }
            }
            None => Ok(()),
        }
    }
}

/// The key of a client address: IPv6 clients are counted by their /64,
/// which one subscriber usually has whole.
pub fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(limit: u32, secs: u64) -> Limiter {
        Limiter::new(Rate {
            limit,
            period: Duration::from_secs(secs),
        })
    }

    #[test]
    fn a_burst_of_the_limit_passes_then_one_per_interval() {
        let l = limiter(3, 30);
        let t0 = Instant::now();
        let remaining: Vec<u32> = (0..3).map(|_| l.check("a", t0).remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = l.check("a", t0);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, Duration::from_secs(10));
        assert_eq!(refused.retry_after_secs(), 10);
        // Other keys are not affected.
        assert!(l.check("b", t0).allowed);
        // One interval later, one more request passes, and only one.
        let t1 = t0 + Duration::from_secs(10);
        assert!(l.check("a", t1).allowed);
        assert!(!l.check("a", t1).allowed);
        // A whole period later the burst is back.
        let t2 = t1 + Duration::from_secs(30);
        assert_eq!(l.check("a", t2).remaining, 2);
    }

    #[test]
    fn refused_requests_do_not_push_the_wait_further() {
        let l = limiter(1, 60);
        let t0 = Instant::now();
        assert!(l.check("a", t0).allowed);
        for _ in 0..100 {
            assert!(!l.check("a", t0).allowed);
        }
        assert!(l.check("a", t0 + Duration::from_secs(60)).allowed);
    }

    #[test]
    fn peeking_counts_nothing() {
        let l = limiter(1, 60);
        let t0 = Instant::now();
        assert!(l.peek("a", t0).allowed);
        assert!(l.peek("a", t0).allowed);
        assert!(l.check("a", t0).allowed);
        assert!(!l.peek("a", t0).allowed);
    }

    #[test]
    fn memory_is_bounded_by_dropping_idle_keys() {
        let l = limiter(10, 1);
        let t0 = Instant::now();
        for i in 0..SHARDS * SHARD_CAPACITY + 1000 {
            l.check(&i.to_string(), t0);
        }
        let kept: usize = l.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(kept <= SHARDS * SHARD_CAPACITY);
        // Once they are idle, new keys are counted again.
        let later = t0 + Duration::from_secs(5);
        l.check("new", later);
        let after = l.peek("new", later);
        assert_eq!(after.remaining, 9);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:ffff::1"),
            address_key("2001:db8:1:2::9")
        );
        assert_eq!(address_key("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(address_key("192.0.2.1"), "192.0.2.1");
    }
}
