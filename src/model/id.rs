//! 64-bit, time-sortable ids in the style of Mastodon's snowflakes: the
//! upper 48 bits are Unix milliseconds, the lower 16 a per-process sequence
//! that starts at a random point. Ids from one process never repeat; ids from
//! different nodes collide only if both draw the same sequence value in the
//! same millisecond, which the primary keys turn into a retryable conflict.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Hands out ids. One lives in each `Store`; there is no process global.
#[derive(Debug)]
pub struct IdGenerator {
    sequence: AtomicU64,
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self {
            sequence: AtomicU64::new(rand::random::<u16>() as u64),
        }
    }
}

impl IdGenerator {
    pub fn next(&self) -> i64 {
        let ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed) & 0xffff;
        ((ms << 16) | seq) as i64
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
}
