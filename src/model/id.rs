//! 64-bit, time-sortable ids in the style of Mastodon's snowflakes: the
//! upper 48 bits are Unix milliseconds, then 6 bits naming the node (so
//! that nodes sharing a database never make the same id) and a 10-bit
//! sequence. A node making more than 1,024 ids in one millisecond borrows
//! the next millisecond, so ids stay unique and increasing in each process.
//! The node bits are taken from the database when a node starts
//! (`Store::claim_id_node`): consecutive starts get different values, so
//! two nodes share them only if 64 other starts happened in between while
//! both kept running — and even then collide only when both draw the same
//! sequence in the same millisecond. (Short-lived admin commands keep
//! random node bits rather than use up starts.)

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

const NODE_BITS: u32 = 6;
const SEQUENCE_BITS: u32 = 10;

/// Hands out ids. One lives in each `Store`; there is no process global.
#[derive(Debug)]
pub struct IdGenerator {
    /// The last id's `millis << SEQUENCE_BITS | sequence`.
    last: AtomicU64,
    node: AtomicU64,
}

impl Default for IdGenerator {
    /// A generator with a random node number, until the database gives one.
    fn default() -> Self {
        Self {
            last: AtomicU64::new(0),
            node: AtomicU64::new(rand::random::<u64>() % (1 << NODE_BITS)),
        }
    }
}

impl IdGenerator {
    /// Sets the node bits (taken modulo 64).
    pub fn set_node(&self, node: u64) {
        self.node.store(node % (1 << NODE_BITS), Ordering::Relaxed);
    }

    pub fn next(&self) -> i64 {
        let now = (chrono::Utc::now().timestamp_millis().max(0) as u64) << SEQUENCE_BITS;
        let mut last = self.last.load(Ordering::Relaxed);
        let stamp = loop {
            // A new millisecond starts its sequence at a random point in its
            // lower half (two generators that drew the same node bits then
            // still rarely meet); within the same one (or a borrowed one)
            // the sequence goes on, and its overflow carries into the
            // milliseconds.
            let next = if now > last {
                now | (rand::random::<u64>() % (1 << (SEQUENCE_BITS - 1)))
            } else {
                last + 1
            };
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => break next,
                Err(seen) => last = seen,
            }
        };
        let millis = stamp >> SEQUENCE_BITS;
        let sequence = stamp & ((1 << SEQUENCE_BITS) - 1);
        let node = self.node.load(Ordering::Relaxed);
        ((millis << (NODE_BITS + SEQUENCE_BITS)) | (node << SEQUENCE_BITS) | sequence) as i64
    }
}

/// The smallest id that can have been generated at or after `ms`; used to
/// turn a time into a keyset bound.
pub fn lower_bound_for_millis(ms: i64) -> i64 {
    ms.max(0) << 16
}

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, sqlx::Type)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

typed_id!(
    /// An actor, local or remote.
    AccountId,
    /// A local sign-in identity.
    UserId,
    /// A registered OAuth application.
    AppId,
    /// An OAuth access token.
    TokenId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_carry_the_time() {
        let ids = IdGenerator::default();
        let before = chrono::Utc::now().timestamp_millis();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert!(a >> 16 >= before);
        assert!(lower_bound_for_millis(before) <= a);
    }

    #[test]
    fn bursts_stay_unique_and_increasing() {
        let ids = IdGenerator::default();
        let mut previous = 0;
        for _ in 0..10_000 {
            let id = ids.next();
            assert!(id > previous);
            previous = id;
        }
    }

    #[test]
    fn nodes_never_make_the_same_id() {
        let (a, b) = (IdGenerator::default(), IdGenerator::default());
        a.set_node(1);
        b.set_node(2);
        let from_a: std::collections::HashSet<i64> = (0..5000).map(|_| a.next()).collect();
        assert!((0..5000).all(|_| !from_a.contains(&b.next())));
        assert_eq!((a.next() >> 10) & 63, 1);
    }
}
