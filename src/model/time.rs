//! Timestamps are stored as Unix milliseconds in both database dialects (see
//! `migrations/README.md`) and rendered as RFC 3339 in the API.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    /// Saturates instead of overflowing (durations may come from users).
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds.saturating_mul(1000)))
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or_default()
    }

    /// `2026-11-23T17:37:35.123Z`, the form Mastodon sends.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Mastodon renders account creation as midnight UTC of that day.
    pub fn to_rfc3339_date_only(self) -> String {
        let day = self.to_datetime().date_naive();
        format!("{day}T00:00:00.000Z")
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_mastodon() {
        let t = Timestamp(1_700_000_000_123);
        assert_eq!(t.to_rfc3339(), "2023-11-14T22:13:20.123Z");
        assert_eq!(t.to_rfc3339_date_only(), "2023-11-14T00:00:00.000Z");
        assert_eq!(t.unix_seconds(), 1_700_000_000);
    }
}
