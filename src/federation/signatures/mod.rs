//! HTTP signatures (draft-cavage-http-signatures-12, as the fediverse uses
//! them): signing outgoing requests with `rsa-sha256` and verifying
//! incoming ones (`rsa-sha256` or `hs2019` with an RSA key), plus the
//! `Digest` body hash.
//!
//! Signing uses `ring` rather than the pure-Rust `rsa` crate that
//! `activitypub_federation` signs with: delivery throughput is bounded by
//! signing, and ring is about three times faster (see docs/benchmarks.md).

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self, RsaKeyPair, RsaPublicKeyComponents};
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

/// How old a signed `Date` may be (Mastodon's window), and how far ahead.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(12 * 3600);
pub(crate) const MAX_SKEW_AHEAD: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("missing Signature header")]
    Missing,
    #[error("malformed Signature header: {0}")]
    Malformed(&'static str),
    #[error("unsupported signature algorithm {0:?}")]
    Algorithm(String),
    #[error("the signature does not cover {0}")]
    NotCovered(&'static str),
    #[error("signed header {0} is missing from the request")]
    HeaderMissing(String),
    #[error("Date is missing, unreadable or outside the accepted window")]
    Expired,
    #[error("the Digest header does not match the body")]
    Digest,
    #[error("the signature does not verify")]
    Invalid,
    #[error("the request was signed for {0:?}, not for this server")]
    OtherHost(String),
    #[error("unusable public key: {0}")]
    Key(String),
}

/// A parsed `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub key_id: String,
    pub algorithm: Option<String>,
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

impl SignatureHeader {
    pub fn parse(value: &str) -> Result<Self, SignatureError> {
        let mut key_id = None;
        let mut algorithm = None;
        let mut headers = None;
        let mut signature = None;
        let mut created = None;
        let mut expires = None;
        for (name, value) in parameters(value)? {
            match name.to_ascii_lowercase().as_str() {
                "keyid" => key_id = Some(value),
                "algorithm" => algorithm = Some(value.to_ascii_lowercase()),
                "headers" => {
                    headers = Some(
                        value
                            .split_ascii_whitespace()
                            .map(str::to_ascii_lowercase)
                            .collect(),
                    )
                }
                "signature" => {
                    signature = Some(
                        STANDARD
                            .decode(value.trim())
                            .map_err(|_| SignatureError::Malformed("signature is not base64"))?,
                    )
                }
                "created" => created = value.parse().ok(),
                "expires" => expires = value.parse().ok(),
                _ => {}
            }
        }
        Ok(Self {
            key_id: key_id.ok_or(SignatureError::Malformed("no keyId"))?,
            algorithm,
            // The draft's default when `headers` is absent.
            headers: headers.unwrap_or_else(|| vec!["date".into()]),
            signature: signature.ok_or(SignatureError::Malformed("no signature"))?,
            created,
            expires,
        })
    }
}

/// `name="value"` pairs separated by commas (values may contain commas).
fn parameters(input: &str) -> Result<Vec<(String, String)>, SignatureError> {
    let mut out = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or(SignatureError::Malformed("expected name=value"))?;
        let name = rest[..eq].trim().to_owned();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or(SignatureError::Malformed("unterminated quote"))?;
            value = quoted[..end].to_owned();
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        out.push((name, value));
        rest = rest.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Ok(out)
}

/// `SHA-256=<base64>` of a body.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// Whether a `Digest` header value holds a matching SHA-256 of `body`.
/// Other algorithms listed alongside are ignored; SHA-256 is required.
pub fn digest_matches(header: &str, body: &[u8]) -> bool {
    let expected = Sha256::digest(body);
    header.split(',').any(|part| {
        let Some((algorithm, value)) = part.trim().split_once('=') else {
            return false;
        };
        algorithm.eq_ignore_ascii_case("sha-256")
            && STANDARD
                .decode(value.trim())
                .is_ok_and(|v| v.as_slice() == expected.as_slice())
    })
}

/// What a verifier needs from the request: header lookup (case-insensitive
/// names, first value), the method and the path with query.
pub struct RequestParts<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub header: &'a dyn Fn(&str) -> Option<String>,
}

/// The string the signature covers, built from the listed headers.
fn signing_string(
    parts: &RequestParts<'_>,
    sig: &SignatureHeader,
) -> Result<String, SignatureError> {
    let mut lines = Vec::with_capacity(sig.headers.len());
    for name in &sig.headers {
        let value = match name.as_str() {
            "(request-target)" => format!(
                "{} {}",
                parts.method.to_ascii_lowercase(),
                parts.path_and_query
            ),
            "(created)" => sig
                .created
                .ok_or(SignatureError::Malformed("(created) without created"))?
                .to_string(),
            "(expires)" => sig
                .expires
                .ok_or(SignatureError::Malformed("(expires) without expires"))?
                .to_string(),
            other => (parts.header)(other)
                .ok_or_else(|| SignatureError::HeaderMissing(other.to_owned()))?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

/// Checks everything about a request's signature except the key itself:
/// coverage, freshness and body digest. Returns the string to verify.
pub fn prepare_verification(
    parts: &RequestParts<'_>,
    sig: &SignatureHeader,
    body: Option<&[u8]>,
    now: SystemTime,
) -> Result<String, SignatureError> {
    if let Some(algorithm) = &sig.algorithm
        && !matches!(algorithm.as_str(), "rsa-sha256" | "hs2019")
    {
        return Err(SignatureError::Algorithm(algorithm.clone()));
    }
    let covers = |h: &str| sig.headers.iter().any(|x| x == h);
    if !covers("(request-target)") {
        return Err(SignatureError::NotCovered("(request-target)"));
    }
    // Freshness: a signed Date, or a signed (created).
    let signed_at = if covers("date") {
        let date = (parts.header)("date").ok_or(SignatureError::Expired)?;
        httpdate::parse_http_date(&date).map_err(|_| SignatureError::Expired)?
    } else if covers("(created)") {
        let created = sig.created.ok_or(SignatureError::Expired)?;
        SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(created).unwrap_or(0))
    } else {
        return Err(SignatureError::NotCovered("date"));
    };
    let too_old = now.duration_since(signed_at).is_ok_and(|age| age > MAX_AGE);
    let too_new = signed_at
        .duration_since(now)
        .is_ok_and(|ahead| ahead > MAX_SKEW_AHEAD);
    if too_old || too_new {
        return Err(SignatureError::Expired);
    }
    if let Some(expires) = sig.expires
        && covers("(expires)")
        && now
            .duration_since(SystemTime::UNIX_EPOCH)
            .is_ok_and(|n| n.as_secs() as i64 > expires)
    {
        return Err(SignatureError::Expired);
    }
    if let Some(body) = body {
        if !covers("digest") {
            return Err(SignatureError::NotCovered("digest"));
        }
        let digest = (parts.header)("digest").ok_or(SignatureError::Digest)?;
        if !digest_matches(&digest, body) {
            return Err(SignatureError::Digest);
        }
    }
    signing_string(parts, sig)
}

/// An actor's public key, parsed once.
#[derive(Clone)]
pub struct PublicKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl PublicKey {
    /// Reads an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC
    /// KEY`) PEM document.
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        let pem = pem.trim();
        let key = RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
            .map_err(|e| SignatureError::Key(e.to_string()))?;
        Ok(Self {
            n: key.n().to_bytes_be(),
            e: key.e().to_bytes_be(),
        })
    }

    pub fn verify(&self, message: &str, signature: &[u8]) -> Result<(), SignatureError> {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            message.as_bytes(),
            signature,
        )
        .map_err(|_| SignatureError::Invalid)
    }
}

/// A local actor's signing key.
pub struct Signer {
    pub key_id: String,
    key: RsaKeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl Signer {
    /// From a PKCS#8 PEM private key, as stored for local actors.
    pub fn from_pem(key_id: String, pem: &str) -> Result<Self, SignatureError> {
        let der = pem_body(pem).ok_or_else(|| SignatureError::Key("not PEM".into()))?;
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| SignatureError::Key(e.to_string()))?;
        Ok(Self { key_id, key })
    }

    fn sign_bytes(&self, message: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; self.key.public().modulus_len()];
        // Signing with a valid key pair into a buffer of the modulus size
        // does not fail.
        let rng = ring::rand::SystemRandom::new();
        if self
            .key
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
            .is_err()
        {
            out.clear();
        }
        out
    }

    /// The headers to add to a request: `Date`, `Digest` (with a body) and
    /// `Signature`, covering `(request-target)`, `host`, `date`, `digest`.
    pub fn sign(
        &self,
        method: &str,
        host: &str,
        path_and_query: &str,
        body: Option<&[u8]>,
        now: SystemTime,
    ) -> Vec<(&'static str, String)> {
        let date = httpdate::fmt_http_date(now);
        let digest = body.map(digest_header);
        let mut names = vec!["(request-target)", "host", "date"];
        let mut lines = vec![
            format!(
                "(request-target): {} {path_and_query}",
                method.to_ascii_lowercase()
            ),
            format!("host: {host}"),
            format!("date: {date}"),
        ];
        if let Some(digest) = &digest {
            names.push("digest");
            lines.push(format!("digest: {digest}"));
        }
        let signature = STANDARD.encode(self.sign_bytes(lines.join("\n").as_bytes()));
        let mut headers = vec![("date", date)];
        if let Some(digest) = digest {
            headers.push(("digest", digest));
        }
        headers.push((
            "signature",
            format!(
                "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{signature}\"",
                self.key_id,
                names.join(" ")
            ),
        ));
        headers
    }
}

/// The DER bytes inside a PEM document.
fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let b64: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    STANDARD.decode(b64).ok()
}

mod replay;
pub use replay::ReplayGuard;

#[cfg(test)]
mod tests;
