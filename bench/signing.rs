//! HTTP-signature throughput: signing with `ring` (what Loggia's delivery
//! worker uses) against the pure-Rust `rsa` crate (what
//! `activitypub_federation` signs with), and verification.
//!
//!     cargo bench --bench signing
//!
//! Prints operations per CPU-second on one core; figures go to
//! docs/benchmarks.md.

use std::time::{Duration, Instant, SystemTime};

use loggia::federation::signatures::{PublicKey, Signer};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};

const MESSAGE: &str = "(request-target): post /inbox\nhost: partner.example\ndate: Mon, 23 Nov 2026 10:00:00 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

fn rate(name: &str, mut op: impl FnMut()) {
    // Warm up, then run for about two seconds.
    for _ in 0..20 {
        op();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        op();
        n += 1;
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "{name:<44} {per_sec:>10.0} /s   ({:.3} ms each)",
        1000.0 / per_sec
    );
}

fn main() {
    let keys =
        activitypub_federation::http_signatures::generate_actor_keypair().expect("key generation");
    let signer = Signer::from_pem(
        "https://a.example/users/a#main-key".into(),
        &keys.private_key,
    )
    .expect("ring key");
    let rsa_key = RsaPrivateKey::from_pkcs8_pem(&keys.private_key).expect("rsa key");
    let public = PublicKey::from_pem(&keys.public_key).expect("public key");
    let body = br#"{"type":"Create","object":{"type":"Note","content":"hello"}}"#;

    println!("RSA-2048, PKCS#1 v1.5 with SHA-256, one core");
    rate("sign request headers (ring, Loggia)", || {
        let headers = signer.sign(
            "POST",
            "partner.example",
            "/inbox",
            Some(body),
            SystemTime::now(),
        );
        std::hint::black_box(headers);
    });
    rate("sign (rsa crate, as activitypub_federation)", || {
        let digest = Sha256::digest(MESSAGE.as_bytes());
        let signature = rsa_key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .expect("sign");
        std::hint::black_box(signature);
    });
    let signature = rsa_key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(MESSAGE.as_bytes()),
        )
        .expect("sign");
    rate("verify (ring, Loggia inbox)", || {
        public.verify(MESSAGE, &signature).expect("verifies");
    });
}
