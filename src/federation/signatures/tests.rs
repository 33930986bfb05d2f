use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use super::*;

fn keys() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let k = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
        (k.public_key, k.private_key)
    })
}

/// Signs a POST and returns its headers, as a receiver sees them.
fn signed_post(body: &[u8], now: SystemTime) -> HashMap<String, String> {
    let signer = Signer::from_pem("https://a.test/users/alice#main-key".into(), &keys().1).unwrap();
    let mut headers: HashMap<String, String> = signer
        .sign("POST", "b.test", "/inbox", Some(body), now)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    headers.insert("host".into(), "b.test".into());
    headers
}

fn verify(
    headers: &HashMap<String, String>,
    path: &str,
    body: &[u8],
    now: SystemTime,
) -> Result<(), SignatureError> {
    let sig = SignatureHeader::parse(headers.get("signature").ok_or(SignatureError::Missing)?)?;
    let lookup = |name: &str| headers.get(name).cloned();
    let parts = RequestParts {
        method: "POST",
        path_and_query: path,
        header: &lookup,
    };
    let message = prepare_verification(&parts, &sig, Some(body), now)?;
    PublicKey::from_pem(&keys().0)?.verify(&message, &sig.signature)
}

#[test]
fn a_signed_request_verifies() {
    let now = SystemTime::now();
    let headers = signed_post(b"{}", now);
    assert_eq!(verify(&headers, "/inbox", b"{}", now), Ok(()));
    let sig = SignatureHeader::parse(&headers["signature"]).unwrap();
    assert_eq!(sig.key_id, "https://a.test/users/alice#main-key");
    assert_eq!(sig.headers, ["(request-target)", "host", "date", "digest"]);
}

#[test]
fn tampering_is_detected() {
    let now = SystemTime::now();
    let headers = signed_post(b"{\"a\":1}", now);
    // Another body: the digest no longer matches.
    assert_eq!(
        verify(&headers, "/inbox", b"{\"a\":2}", now),
        Err(SignatureError::Digest)
    );
    // Another path: the signature no longer matches.
    assert_eq!(
        verify(&headers, "/users/bob/inbox", b"{\"a\":1}", now),
        Err(SignatureError::Invalid)
    );
    // A digest rewritten to match a new body: the signature breaks.
    let mut forged = headers.clone();
    forged.insert("digest".into(), digest_header(b"{\"a\":2}"));
    assert_eq!(
        verify(&forged, "/inbox", b"{\"a\":2}", now),
        Err(SignatureError::Invalid)
    );
}

#[test]
fn old_and_future_dates_are_refused() {
    let then = SystemTime::now() - Duration::from_secs(13 * 3600);
    let headers = signed_post(b"{}", then);
    assert_eq!(
        verify(&headers, "/inbox", b"{}", SystemTime::now()),
        Err(SignatureError::Expired)
    );
    let ahead = SystemTime::now() + Duration::from_secs(2 * 3600);
    let headers = signed_post(b"{}", ahead);
    assert_eq!(
        verify(&headers, "/inbox", b"{}", SystemTime::now()),
        Err(SignatureError::Expired)
    );
}

#[test]
fn coverage_and_algorithm_are_required() {
    let now = SystemTime::now();
    let headers = signed_post(b"{}", now);
    let mut uncovered = headers.clone();
    let value = headers["signature"].replace(" digest\"", "\"");
    uncovered.insert("signature".into(), value);
    assert_eq!(
        verify(&uncovered, "/inbox", b"{}", now),
        Err(SignatureError::NotCovered("digest"))
    );
    let mut other = headers.clone();
    other.insert(
        "signature".into(),
        headers["signature"].replace("rsa-sha256", "ed25519"),
    );
    assert!(matches!(
        verify(&other, "/inbox", b"{}", now),
        Err(SignatureError::Algorithm(_))
    ));
    // hs2019 names the same RSA scheme for RSA keys.
    let mut hs = headers.clone();
    hs.insert(
        "signature".into(),
        headers["signature"].replace("rsa-sha256", "hs2019"),
    );
    assert_eq!(verify(&hs, "/inbox", b"{}", now), Ok(()));
}

#[test]
fn header_parsing_tolerates_spacing_and_order() {
    let sig = SignatureHeader::parse(
        r#"signature="AAAA", headers="(request-target) date",  keyId="https://x.test/a#k",algorithm=hs2019"#,
    )
    .unwrap();
    assert_eq!(sig.key_id, "https://x.test/a#k");
    assert_eq!(sig.algorithm.as_deref(), Some("hs2019"));
    assert_eq!(sig.headers, ["(request-target)", "date"]);
    assert!(SignatureHeader::parse(r#"keyId="x""#).is_err());
    assert!(SignatureHeader::parse("garbage").is_err());
}

#[test]
fn digests_are_compared_by_value() {
    let header = digest_header(b"hello");
    assert!(digest_matches(&header, b"hello"));
    assert!(digest_matches(&format!("MD5=abc, {header}"), b"hello"));
    assert!(!digest_matches(&header, b"hellO"));
    assert!(!digest_matches("SHA-512=abc", b"hello"));
}
