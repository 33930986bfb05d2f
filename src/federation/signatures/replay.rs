//! Replay protection for signed deliveries. A signature covers the request
//! target, the body's digest and a date, so a sender that tries again signs
//! anew: the same signature twice means someone is replaying a captured
//! request. Each node remembers the signatures it accepted while their date
//! is inside the window (`MAX_AGE`), up to `CAPACITY` of them; past that, the
//! store's record of received activity ids (kept for a month, shared by all
//! nodes) still stops an activity from being applied twice.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{MAX_AGE, MAX_SKEW_AHEAD};

/// About 3 MB at most; at 20 deliveries a second, the last 55 minutes.
const CAPACITY: usize = 65_536;

type Fingerprint = [u8; 16];

#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// Each fingerprint with when it was recorded last.
    set: HashMap<Fingerprint, Instant>,
    /// Oldest first, to expire and to evict in order.
    order: VecDeque<(Fingerprint, Instant)>,
}

impl ReplayGuard {
    /// Records `signature`; false when it was recorded before.
    pub fn first_time(&self, signature: &[u8], now: Instant) -> bool {
        let print = fingerprint(signature);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let keep = MAX_AGE + MAX_SKEW_AHEAD;
        while let Some(&(old, at)) = seen.order.front() {
            if now.duration_since(at) <= keep && seen.order.len() < CAPACITY {
                break;
            }
            seen.order.pop_front();
            // Unless it was forgotten and recorded again since.
            if seen.set.get(&old) == Some(&at) {
                seen.set.remove(&old);
            }
        }
        if seen.set.contains_key(&print) {
            return false;
        }
        seen.set.insert(print, now);
        seen.order.push_back((print, now));
        true
    }

    /// Forgets `signature`, so that the same request may come again: for a
    /// delivery that failed here, which its sender may retry unchanged.
    pub fn forget(&self, signature: &[u8]) {
        let print = fingerprint(signature);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.set.remove(&print);
        // Its place in `order` goes when it expires.
    }
}

fn fingerprint(signature: &[u8]) -> Fingerprint {
    let hash = Sha256::digest(signature);
    let mut print = [0u8; 16];
    print.copy_from_slice(&hash[..16]);
    print
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_accepted_once() {
        let guard = ReplayGuard::default();
        let now = Instant::now();
        assert!(guard.first_time(b"one", now));
        assert!(!guard.first_time(b"one", now));
        assert!(guard.first_time(b"two", now));
        guard.forget(b"one");
        assert!(guard.first_time(b"one", now));
        assert!(!guard.first_time(b"one", now));
    }

    #[test]
    fn memory_is_bounded() {
        let guard = ReplayGuard::default();
        let now = Instant::now();
        for i in 0..CAPACITY + 10 {
            assert!(guard.first_time(&i.to_le_bytes(), now));
        }
        let seen = guard.seen.lock().unwrap();
        assert!(seen.order.len() <= CAPACITY && seen.set.len() <= CAPACITY);
    }
}
