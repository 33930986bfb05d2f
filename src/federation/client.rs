//! The outgoing HTTP client: bounded in time and size, signed, and refusing
//! private addresses unless `allow_private_networks` is set. Remote input
//! names the URLs we fetch, so every fetch is treated as hostile.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde_json::Value;
use url::Url;

use super::signatures::Signer;

/// Largest document we read from another server.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
/// A delivery's whole attempt, unless `ClientPolicy::delivery_timeout`.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_REDIRECTS: usize = 3;

pub const AP_ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
pub const AP_CONTENT_TYPE: &str = "application/activity+json";

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused to contact {0}")]
    Refused(String),
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("network error: {0}")]
    Network(String),
    #[error("the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the document is not JSON: {0}")]
    NotJson(String),
}

impl FetchError {
    /// Whether trying again later may succeed (for the delivery queue).
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Status(code) => *code == 408 || *code == 429 || *code >= 500,
            Self::Network(_) => true,
            Self::Refused(_) | Self::TooLarge | Self::NotJson(_) => false,
        }
    }
}

/// Whether an address is one remote input must not make us reach.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // CGNAT
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            let embedded = |high: u16, low: u16| {
                let [a, b] = high.to_be_bytes();
                let [c, d] = low.to_be_bytes();
                is_private(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)))
            };
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                // NAT64 and 6to4 reach the IPv4 address they carry.
                || (s[0..6] == [0x64, 0xff9b, 0, 0, 0, 0] && embedded(s[6], s[7]))
                || (s[0] == 0x2002 && embedded(s[1], s[2]))
        }
    }
}

/// DNS resolution that drops private addresses (unless allowed) and honours
/// explicit overrides (tests give instances names like `alpha.test`).
struct GuardedResolver {
    allow_private: bool,
    allowed: Arc<Vec<super::networks::Network>>,
    overrides: Arc<HashMap<String, IpAddr>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allow_private = self.allow_private;
        let allowed = self.allowed.clone();
        let reachable = move |ip: IpAddr| {
            allow_private || !is_private(ip) || super::networks::any_contains(&allowed, ip)
        };
        let overridden = self.overrides.get(&host).copied();
        Box::pin(async move {
            // An override stands in for DNS (tests name their servers), so
            // its answer is held to the same rule as DNS's.
            if let Some(ip) = overridden {
                if !reachable(ip) {
                    return Err(format!("{host} has no public address").into());
                }
                let addrs: Addrs = Box::new(std::iter::once(SocketAddr::new(ip, 0)));
                return Ok(addrs);
            }
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| reachable(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// What the client may contact.
#[derive(Debug, Clone, Default)]
pub struct ClientPolicy {
    pub allow_private_networks: bool,
    /// Private networks that may be reached all the same (intranet partners).
    pub allowed_networks: Vec<super::networks::Network>,
    /// Plain `http://` peers (only with `protocol = "http"`).
    pub allow_http: bool,
    /// Host name → address, consulted before DNS.
    pub resolve_overrides: HashMap<String, IpAddr>,
    /// How long one delivery may take in all; `None`: 30 seconds.
    pub delivery_timeout: Option<Duration>,
}

#[derive(Clone)]
pub struct FederationClient {
    http: reqwest::Client,
    /// For inbox POSTs: follows only redirects that keep the method and body.
    deliver: reqwest::Client,
    policy: Arc<ClientPolicy>,
    user_agent: String,
}

impl FederationClient {
    pub fn new(policy: ClientPolicy, user_agent: String) -> anyhow::Result<Self> {
        // reqwest is built without a default crypto provider; installing it
        // twice is harmless (the second call reports the first).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let policy = Arc::new(policy);
        let http = build(&policy, &user_agent, false)?;
        let deliver = build(&policy, &user_agent, true)?;
        Ok(Self {
            http,
            deliver,
            policy,
            user_agent,
        })
    }

    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Checks a URL against the policy before any connection is made.
    pub fn check(&self, url: &Url) -> Result<(), FetchError> {
        check_url(&self.policy, url)
    }

    /// GETs an ActivityStreams (or other JSON) document, signed by `signer`.
    pub async fn get_json(
        &self,
        url: &Url,
        accept: &str,
        signer: Option<&Signer>,
    ) -> Result<Value, FetchError> {
        self.check(url)?;
        let mut request = self
            .http
            .get(url.clone())
            .timeout(FETCH_TIMEOUT)
            .header(ACCEPT, accept);
        if let Some(signer) = signer {
            for (name, value) in signer.sign(
                "GET",
                &host_header(url),
                &path_and_query(url),
                None,
                SystemTime::now(),
            ) {
                request = request.header(name, value);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::Network(chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let declared = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json_type(declared) {
            return Err(FetchError::NotJson(format!(
                "the server says it is {:?}, not JSON",
                declared
            )));
        }
        let bytes = read_bounded(response).await?;
        serde_json::from_slice(&bytes).map_err(|e| FetchError::NotJson(e.to_string()))
    }

    /// POSTs an activity to an inbox, signed by `signer`.
    pub async fn post_activity(
        &self,
        inbox: &Url,
        body: &[u8],
        signer: &Signer,
    ) -> Result<(), FetchError> {
        self.check(inbox)?;
        // A total timeout (reqwest's per-request one covers connecting,
        // sending and the whole answer): a peer dripping its answer byte by
        // byte cannot hold the delivery longer than this.
        let mut request = self
            .deliver
            .post(inbox.clone())
            .timeout(self.policy.delivery_timeout.unwrap_or(DELIVERY_TIMEOUT))
            .header(CONTENT_TYPE, HeaderValue::from_static(AP_CONTENT_TYPE))
            .body(body.to_vec());
        for (name, value) in signer.sign(
            "POST",
            &host_header(inbox),
            &path_and_query(inbox),
            Some(body),
            SystemTime::now(),
        ) {
            request = request.header(name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::Network(chain(&e)))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(FetchError::Status(status.as_u16()))
        }
    }
}

/// A client under `policy`. For deliveries (`post_only`), redirects that
/// would turn the POST into a GET without its body (301, 302, 303) are not
/// followed: the inbox's 3xx answer is the result, and a GET answered 200
/// is not mistaken for a delivered activity.
fn build(
    policy: &Arc<ClientPolicy>,
    user_agent: &str,
    post_only: bool,
) -> anyhow::Result<reqwest::Client> {
    let redirect_policy = {
        let policy = policy.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            let keeps_body = matches!(attempt.status().as_u16(), 307 | 308);
            if post_only && !keeps_body {
                attempt.stop()
            } else if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if let Err(e) = check_url(&policy, attempt.url()) {
                attempt.error(e.to_string())
            } else {
                attempt.follow()
            }
        })
    };
    Ok(reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(redirect_policy)
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: policy.allow_private_networks,
            allowed: Arc::new(policy.allowed_networks.clone()),
            overrides: Arc::new(policy.resolve_overrides.clone()),
        }))
        .build()?)
}

fn check_url(policy: &ClientPolicy, url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err(FetchError::Refused(format!("{url} (scheme)"))),
    }
    let refused =
        |ip: IpAddr| is_private(ip) && !super::networks::any_contains(&policy.allowed_networks, ip);
    let private_literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => refused(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => refused(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => true,
    };
    if private_literal && !policy.allow_private_networks {
        return Err(FetchError::Refused(format!("{url} (private address)")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Refused(format!("{url} (credentials)")));
    }
    Ok(())
}

/// An error with its causes: reqwest's own message ("error sending
/// request") says nothing of why (a refused address, a timeout, a reset).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text
}

/// Whether a `Content-Type` names JSON: `application/json`,
/// `application/activity+json`, `application/ld+json; profile=…`,
/// `application/jrd+json`… An HTML page, an image or no type at all is not
/// a document we parse, whatever its bytes look like.
pub fn is_json_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

/// `host[:port]` as the `Host` header carries it.
pub fn host_header(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => String::new(),
    }
}

pub fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Network(chain(&e)))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_types_are_parsed() {
        for json in [
            "application/json",
            "application/activity+json",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
            "application/jrd+json; charset=utf-8",
            "Application/JSON",
        ] {
            assert!(is_json_type(json), "{json}");
        }
        for other in [
            "",
            "text/html",
            "text/json",
            "application/xml",
            "image/png",
            "json",
        ] {
            assert!(!is_json_type(other), "{other}");
        }
    }

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0001::1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "2606:4700::1111",
            "100.128.0.1",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_connecting() {
        let strict = ClientPolicy::default();
        let ok = |p: &ClientPolicy, u: &str| check_url(p, &Url::parse(u).unwrap()).is_ok();
        assert!(ok(&strict, "https://partner.example/users/bob"));
        assert!(!ok(&strict, "http://partner.example/users/bob"));
        assert!(!ok(&strict, "https://127.0.0.1/x"));
        assert!(!ok(&strict, "https://[::1]/x"));
        assert!(!ok(&strict, "https://localhost/x"));
        assert!(!ok(&strict, "https://user:pw@partner.example/x"));
        assert!(!ok(&strict, "file:///etc/passwd"));
        let local = ClientPolicy {
            allow_private_networks: true,
            allow_http: true,
            ..Default::default()
        };
        assert!(ok(&local, "http://127.0.0.1:8080/x"));
    }
}
