//! A configured rate: `"300/5m"` (300 requests per 5 minutes) or `"off"`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub period: Duration,
}

impl Rate {
    /// The steady pace once a burst is spent: one request per interval.
    pub fn interval(&self) -> Duration {
        self.period / self.limit.max(1)
    }
}

/// A setting: a rate, or `None` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit(pub Option<Rate>);

impl RateLimit {
    pub const OFF: RateLimit = RateLimit(None);

    pub const fn per(limit: u32, period_secs: u64) -> Self {
        RateLimit(Some(Rate {
            limit,
            period: Duration::from_secs(period_secs),
        }))
    }
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Self::OFF);
        }
        let expected = || format!("expected a rate such as \"300/5m\" or \"off\", got {text:?}");
        let (limit, period) = text.split_once('/').ok_or_else(expected)?;
        let limit: u32 = limit.trim().parse().map_err(|_| expected())?;
        let period = period.trim();
        let unit_at = period
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(expected)?;
        let (count, unit) = period.split_at(unit_at);
        let count: u64 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| expected())?
        };
        let unit_secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(expected()),
        };
        if limit == 0 || count == 0 {
            return Err(format!(
                "{text:?} allows nothing; write \"off\" for no limit"
            ));
        }
        Ok(Self::per(limit, count.saturating_mul(unit_secs)))
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(rate) = self.0 else {
            return f.write_str("off");
        };
        let secs = rate.period.as_secs();
        let (count, unit) = [(86_400, "d"), (3600, "h"), (60, "m")]
            .into_iter()
            .find(|(unit, _)| secs % unit == 0)
            .map(|(unit, name)| (secs / unit, name))
            .unwrap_or((secs, "s"));
        write!(f, "{}/{count}{unit}", rate.limit)
    }
}

impl<'de> Deserialize<'de> for RateLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_and_print_the_same() {
        for text in ["300/5m", "30/30m", "1/1s", "300/3h", "5/1d", "off", "7/90s"] {
            let rate: RateLimit = text.parse().unwrap();
            assert_eq!(rate.to_string(), text);
        }
        assert_eq!("10/m".parse::<RateLimit>().unwrap(), RateLimit::per(10, 60));
        assert_eq!("OFF".parse::<RateLimit>().unwrap(), RateLimit::OFF);
    }

    #[test]
    fn nonsense_is_refused_with_an_example() {
        for text in [
            "", "300", "300/", "300/5", "300/5w", "x/5m", "-1/5m", "300/m5",
        ] {
            let e = text.parse::<RateLimit>().unwrap_err();
            assert!(e.contains("300/5m"), "{text:?}: {e}");
        }
        assert!("0/5m".parse::<RateLimit>().unwrap_err().contains("off"));
    }
}
