//! Which servers we federate with: the federation mode and the domain
//! blocks and allows, decided per host.
//!
//! - `open`: every server; domain blocks are kept but not applied.
//! - `blocklist` (default): every server except those blocked.
//! - `allowlist`: only listed partners (and their subdomains); domain
//!   blocks still refine them (silence, reject media, …).
//!
//! A block on `example.com` covers it and its subdomains; `*.example.com`
//! covers the subdomains only. Ports are ignored.

use serde::{Deserialize, Serialize};

use crate::store::{DomainBlock, StoreResult};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationMode {
    Open,
    #[default]
    Blocklist,
    Allowlist,
}

impl FederationMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "blocklist" => Some(Self::Blocklist),
            "allowlist" => Some(Self::Allowlist),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Blocklist => "blocklist",
            Self::Allowlist => "allowlist",
        }
    }
}

/// The setting's name in `instance_settings`.
pub const MODE_SETTING: &str = "federation_mode";

/// Severity levels as stored in `accounts.domain_limit`.
pub fn level(severity: &str) -> i64 {
    match severity {
        "silence" => 1,
        "suspend" => 2,
        _ => 0,
    }
}

/// What the domain policy says about one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostPolicy {
    /// Whether we talk to it at all (not suspended, allowed in allowlist
    /// mode).
    pub federates: bool,
    /// 0 none, 1 silence, 2 suspend.
    pub limit: i64,
    pub reject_media: bool,
    pub reject_reports: bool,
}

/// A snapshot of the mode, blocks and allows.
#[derive(Debug, Clone, Default)]
pub struct DomainPolicy {
    pub mode: FederationMode,
    pub blocks: Vec<DomainBlock>,
    pub allows: Vec<String>,
}

/// Lowercases and checks a domain pattern typed by an admin:
/// `Example.COM`, `*.example.com`, `münchen.example`; no scheme, path,
/// port or spaces.
pub fn normalize_pattern(input: &str) -> Option<String> {
    let input = input.trim().trim_end_matches('.').to_lowercase();
    let (wild, rest) = match input.strip_prefix("*.") {
        Some(rest) => (true, rest.to_owned()),
        None => (false, input.clone()),
    };
    if rest.is_empty() || rest.len() > 253 || rest.starts_with('.') || rest.contains("..") {
        return None;
    }
    // IDNs are stored in their ASCII (punycode) form, as hosts arrive.
    let ascii = url::Host::parse(&rest).ok()?.to_string();
    if ascii
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'))
    {
        return None;
    }
    Some(if wild { format!("*.{ascii}") } else { ascii })
}

/// Whether `pattern` covers `host` (`host` may carry a port).
pub fn covers(pattern: &str, host: &str) -> bool {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(parent) => host.ends_with(&format!(".{parent}")),
        None => host == pattern || host.ends_with(&format!(".{pattern}")),
    }
}

impl DomainPolicy {
    pub async fn load(store: &crate::store::Store) -> StoreResult<Self> {
        let mode = store
            .settings()
            .get(MODE_SETTING)
            .await?
            .and_then(|m| FederationMode::parse(&m))
            .unwrap_or_default();
        Ok(DomainPolicy {
            mode,
            blocks: store.domains().blocks().await?,
            allows: store
                .domains()
                .allows()
                .await?
                .into_iter()
                .map(|a| a.domain)
                .collect(),
        })
    }

    /// The blocks covering `host`.
    fn blocks_for<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a DomainBlock> + 'a {
        self.blocks.iter().filter(move |b| covers(&b.domain, host))
    }

    pub fn allowed(&self, host: &str) -> bool {
        self.allows.iter().any(|a| covers(a, host))
    }

    pub fn decide(&self, host: &str) -> HostPolicy {
        if self.mode == FederationMode::Open {
            return HostPolicy {
                federates: true,
                ..HostPolicy::default()
            };
        }
        let mut policy = HostPolicy {
            federates: true,
            ..HostPolicy::default()
        };
        for block in self.blocks_for(host) {
            policy.limit = policy.limit.max(level(&block.severity));
            policy.reject_media |= block.reject_media;
            policy.reject_reports |= block.reject_reports;
        }
        if policy.limit >= 2 {
            policy.federates = false;
            policy.reject_media = true;
            policy.reject_reports = true;
        }
        if self.mode == FederationMode::Allowlist && !self.allowed(host) {
            policy.federates = false;
        }
        policy
    }

    /// Pattern and level of every block that limits accounts, for
    /// `accounts.domain_limit` (none in open mode).
    pub fn limits(&self) -> Vec<(String, i64)> {
        if self.mode == FederationMode::Open {
            return Vec::new();
        }
        let mut limits: Vec<(String, i64)> = self
            .blocks
            .iter()
            .map(|b| (b.domain.clone(), level(&b.severity)))
            .filter(|(_, l)| *l > 0)
            .collect();
        limits.sort_by_key(|(_, l)| *l);
        limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn block(domain: &str, severity: &str) -> DomainBlock {
        DomainBlock {
            id: 1,
            domain: domain.into(),
            severity: severity.into(),
            reject_media: false,
            reject_reports: false,
            private_comment: String::new(),
            public_comment: String::new(),
            obfuscate: false,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn patterns_are_normalized() {
        assert_eq!(normalize_pattern(" Example.COM. ").unwrap(), "example.com");
        assert_eq!(normalize_pattern("*.Example.com").unwrap(), "*.example.com");
        assert_eq!(
            normalize_pattern("münchen.example").unwrap(),
            "xn--mnchen-3ya.example"
        );
        for bad in [
            "",
            "*.",
            "https://x.example/",
            "a b.example",
            "x..example",
            "x.example:443",
        ] {
            assert!(normalize_pattern(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_domain_covers_its_subdomains_a_wildcard_only_them() {
        assert!(covers("example.com", "example.com"));
        assert!(covers("example.com", "social.example.com:8443"));
        assert!(!covers("example.com", "badexample.com"));
        assert!(!covers("example.com", "example.com.evil"));
        assert!(covers("*.example.com", "a.example.com"));
        assert!(!covers("*.example.com", "example.com"));
    }

    #[test]
    fn modes_decide_hosts() {
        let mut policy = DomainPolicy {
            mode: FederationMode::Blocklist,
            blocks: vec![
                block("bad.example", "suspend"),
                block("loud.example", "silence"),
            ],
            allows: vec!["partner.example".into()],
        };
        assert!(!policy.decide("x.bad.example").federates);
        assert_eq!(policy.decide("loud.example").limit, 1);
        assert!(policy.decide("loud.example").federates);
        assert!(policy.decide("anyone.example").federates);

        policy.mode = FederationMode::Allowlist;
        assert!(!policy.decide("anyone.example").federates);
        assert!(policy.decide("social.partner.example").federates);

        policy.mode = FederationMode::Open;
        assert!(policy.decide("bad.example").federates);
        assert!(policy.limits().is_empty());
    }
}
