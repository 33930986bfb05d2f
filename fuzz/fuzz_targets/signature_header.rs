//! The `Signature` header of an incoming request (`SignatureHeader::parse`)
//! and the checks run on it before any key is fetched
//! (`prepare_verification`, `digest_matches`).
//!
//! Properties: a parsed header written out again in canonical form parses
//! to the same thing; a signing string, when one is built, has exactly one
//! `name: value` line per signed header, in order.
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use loggia::federation::signatures::{
    RequestParts, SignatureHeader, digest_header, digest_matches, prepare_verification,
};

const BODY: &[u8] = br#"{"type":"Follow"}"#;
/// 2023-11-14T22:13:20Z, the `Date` every request below carries.
const NOW_SECS: u64 = 1_700_000_000;
const DATE: &str = "Tue, 14 Nov 2023 22:13:20 GMT";

fuzz_target!(|input: &str| {
    // The rest of the input after a newline doubles as a Digest header.
    let (header, digest) = input.split_once('\n').unwrap_or((input, ""));
    let _ = digest_matches(digest, BODY);
    let Ok(sig) = SignatureHeader::parse(header) else {
        return;
    };
    check_round_trip(&sig);

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    let lookup = |name: &str| -> Option<String> {
        match name {
            "date" => Some(DATE.to_owned()),
            "digest" => Some(digest_header(BODY)),
            "host" => Some("loggia.example".to_owned()),
            // A header the request lacks.
            "x-missing" => None,
            other => Some(format!("value of {other}")),
        }
    };
    let parts = RequestParts {
        method: "POST",
        path_and_query: "/users/alice/inbox?x=1",
        header: &lookup,
    };
    for body in [Some(BODY), None] {
        if let Ok(signing_string) = prepare_verification(&parts, &sig, body, now) {
            let lines: Vec<&str> = signing_string.split('\n').collect();
            assert_eq!(lines.len(), sig.headers.len(), "{signing_string:?}");
            for (line, name) in lines.iter().zip(&sig.headers) {
                assert!(line.starts_with(&format!("{name}: ")), "{signing_string:?}");
            }
        }
    }
});

/// Values with a `"` cannot be quoted: those headers are not written out.
fn check_round_trip(sig: &SignatureHeader) {
    let quotable = |s: &str| !s.contains('"');
    if !quotable(&sig.key_id)
        || !sig.algorithm.as_deref().is_none_or(quotable)
        || !sig.headers.iter().all(|h| quotable(h))
    {
        return;
    }
    let mut text = format!(
        "keyId=\"{}\",headers=\"{}\",signature=\"{}\"",
        sig.key_id,
        sig.headers.join(" "),
        base64_encode(&sig.signature),
    );
    if let Some(algorithm) = &sig.algorithm {
        text.push_str(&format!(",algorithm=\"{algorithm}\""));
    }
    if let Some(created) = sig.created {
        text.push_str(&format!(",created={created}"));
    }
    if let Some(expires) = sig.expires {
        text.push_str(&format!(",expires={expires}"));
    }
    assert_eq!(SignatureHeader::parse(&text).as_ref(), Ok(sig), "{text}");
}

/// Standard base64 with padding, written here so that the round trip does
/// not use the decoder's own encoder.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
