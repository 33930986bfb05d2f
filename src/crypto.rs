//! Small cryptographic helpers: random secrets, hashing of stored secrets,
//! constant-time comparison, HMAC, password hashing and PKCE.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random URL-safe secret carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256, the form in which tokens, codes and secrets are stored.
pub fn sha256_hex(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// URL-safe base64 of HMAC-SHA256(key, message).
pub fn hmac_sha256(key: &[u8], message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Lowercase hex of HMAC-SHA256(key, message), as webhook signatures
/// carry it (`sha256=…`).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// What a sign-in naming an unknown user is checked against, so that it
/// takes as long as one naming a real user. The hash of a random password
/// nobody kept, with `hash_password`'s parameters (a test holds them
/// equal); a constant, because hashing one at start-up took 70 ms of it.
pub const DUMMY_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$v7LPUuIAikRI4Srj65PUxA$IsROS40BTUa4BBL3WrpQtwym2KgJ0f5IEn5aqGCbyac";

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// PKCE (RFC 7636): whether `verifier` matches `challenge` under `method`.
/// Only `S256` is supported; `plain` offers no protection and is refused.
pub fn pkce_matches(method: &str, challenge: &str, verifier: &str) -> bool {
    if method != "S256" || !(43..=128).contains(&verifier.len()) {
        return false;
    }
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    constant_time_eq(&computed, challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc_example() {
        // Challenge computed independently: base64url(sha256(verifier)) with Python.
        let verifier = "dBjftJeZ4CVP-mB92K1uhbUJU1p1r_wW1gFWFOEjXkA";
        let challenge = "ANmZ-XhkoJcgDXs3RUTjFgJ7xYPkyav7HicNLgkqSKU";
        assert!(pkce_matches("S256", challenge, verifier));
        assert!(!pkce_matches(
            "S256",
            challenge,
            "dBjftJeZ4CVP-mB92K1uhbUJU1p1r_wW1gFWFOEjXkB"
        ));
        assert!(!pkce_matches("plain", verifier, verifier));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        // Algorithm, version and cost parameters: everything before the salt.
        let params = |hash: &str| hash.rsplitn(3, '$').nth(2).unwrap().to_owned();
        let real = hash_password("some password").unwrap();
        assert_eq!(params(DUMMY_PASSWORD_HASH), params(&real));
        assert!(!verify_password("", DUMMY_PASSWORD_HASH));
    }

    #[test]
    fn passwords_round_trip() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
