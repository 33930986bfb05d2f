//! The machine's ceilings, measured in the same run as the workloads so
//! that figures compare across machines as ratios: RSA-2048 signatures
//! and verifications per second with the backend Loggia ships (ring),
//! hello-world HTTP requests per server CPU-second on loopback, and the
//! latency of an fsync on the disk the databases live on.

use std::io::Write as _;
use std::os::unix::fs::FileExt as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use loggia::federation::signatures::{PublicKey, Signer};

use crate::report::Metric;
use crate::server::cpu_time;
use crate::stats::Latencies;

#[derive(Clone, Copy, Debug, Default)]
pub struct Calibration {
    /// Delivery-shaped signatures (date, digest, signature header) per
    /// second on one core.
    pub sign_per_sec: f64,
    pub verify_per_sec: f64,
    /// Hello-world requests per CPU-second of the serving process.
    pub hello_per_cpu_sec: f64,
}

impl Calibration {
    pub fn metrics(&self, fsync: &Latencies, hello_per_sec: f64) -> Vec<Metric> {
        vec![
            Metric::new("RSA-2048 sign (ring), one core", self.sign_per_sec, "/s"),
            Metric::new(
                "RSA-2048 verify (ring), one core",
                self.verify_per_sec,
                "/s",
            ),
            Metric::new(
                "hello-world HTTP per server CPU-second",
                self.hello_per_cpu_sec,
                "/s",
            ),
            Metric::new("hello-world HTTP, wall (both cores)", hello_per_sec, "/s"),
            Metric::new("fsync (4 KiB write + fdatasync) p50", fsync.p50, "ms"),
            Metric::new("fsync p99", fsync.p99, "ms"),
        ]
    }
}

pub async fn run(work: &Path) -> Result<(Calibration, Vec<Metric>)> {
    let (sign_per_sec, verify_per_sec) = tokio::task::spawn_blocking(signatures).await??;
    let (hello_per_cpu_sec, hello_per_sec) = hello_world().await?;
    let fsync = fsync_latency(work)?;
    let calibration = Calibration {
        sign_per_sec,
        verify_per_sec,
        hello_per_cpu_sec,
    };
    let metrics = calibration.metrics(&fsync, hello_per_sec);
    Ok((calibration, metrics))
}

/// Operations per second of `op` on this thread, over about two seconds.
fn rate(mut op: impl FnMut()) -> f64 {
    for _ in 0..20 {
        op();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        op();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

pub fn signatures() -> Result<(f64, f64)> {
    let keys = activitypub_federation::http_signatures::generate_actor_keypair()
        .context("generating an RSA key")?;
    let signer = Signer::from_pem(
        "https://a.example/users/a#main-key".into(),
        &keys.private_key,
    )?;
    let public = PublicKey::from_pem(&keys.public_key)?;
    let body = br#"{"type":"Create","object":{"type":"Note","content":"hello"}}"#;
    let sign = rate(|| {
        std::hint::black_box(signer.sign(
            "POST",
            "partner.example",
            "/inbox",
            Some(body),
            SystemTime::now(),
        ));
    });
    // Verify what an inbox checks: the signed header lines of a delivery.
    let message = "(request-target): post /inbox\nhost: partner.example\n\
                   date: Mon, 23 Nov 2026 10:00:00 GMT\n\
                   digest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let signature = sign_message(&keys.private_key, message)?;
    public.verify(message, &signature)?;
    let verify = rate(|| {
        std::hint::black_box(public.verify(message, &signature).is_ok());
    });
    Ok((sign, verify))
}

/// A raw RSA-SHA256 signature of `message` (ring), to verify.
fn sign_message(pem: &str, message: &str) -> Result<Vec<u8>> {
    use base64::Engine as _;
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(der)?;
    let key =
        ring::signature::RsaKeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("key: {e}"))?;
    let mut out = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        message.as_bytes(),
        &mut out,
    )
    .map_err(|_| anyhow::anyhow!("signing failed"))?;
    Ok(out)
}

/// The serving process of the hello-world server: `loggia-bench hello`.
pub async fn serve_hello(listen: &str) -> Result<()> {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("ready");
    std::io::stdout().flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Requests per CPU-second of a hello-world axum server in its own process,
/// driven as fast as 64 concurrent connections go for three seconds; and
/// requests per wall second (server and client share the two cores).
async fn hello_world() -> Result<(f64, f64)> {
    let listen = "127.0.0.1:19999";
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["hello", "--listen", listen])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("hello server pid")?;
    {
        use tokio::io::AsyncBufReadExt as _;
        let stdout = child.stdout.take().context("hello server stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        lines
            .next_line()
            .await?
            .context("hello server did not start")?;
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let url = format!("http://{listen}/");
    let done = Arc::new(AtomicU64::new(0));
    let run = |seconds: u64| {
        let (client, url, done) = (client.clone(), url.clone(), done.clone());
        async move {
            let until = Instant::now() + Duration::from_secs(seconds);
            let workers: Vec<_> = (0..64)
                .map(|_| {
                    let (client, url, done) = (client.clone(), url.clone(), done.clone());
                    tokio::spawn(async move {
                        while Instant::now() < until {
                            if let Ok(r) = client.get(&url).send().await
                                && r.bytes().await.is_ok()
                            {
                                done.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    })
                })
                .collect();
            for w in workers {
                let _ = w.await;
            }
        }
    };
    run(1).await; // warm-up: connections, allocator
    done.store(0, Ordering::Relaxed);
    let cpu_before = cpu_time(pid).unwrap_or_default();
    let start = Instant::now();
    run(3).await;
    let wall = start.elapsed().as_secs_f64();
    let cpu = (cpu_time(pid).unwrap_or_default() - cpu_before).as_secs_f64();
    child.kill().await?;
    let n = done.load(Ordering::Relaxed) as f64;
    Ok((n / cpu.max(1e-3), n / wall))
}

/// 300 × (write 4 KiB, fdatasync) on the work directory's disk.
fn fsync_latency(work: &Path) -> Result<Latencies> {
    let path = work.join("fsync-probe");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)?;
    let block = [0x5au8; 4096];
    let mut samples = Vec::with_capacity(300);
    for i in 0..300u64 {
        let start = Instant::now();
        file.write_at(&block, (i % 64) * 4096)?;
        file.sync_data()?;
        samples.push(start.elapsed().as_micros() as u64);
    }
    drop(file);
    let _ = std::fs::remove_file(&path);
    Ok(Latencies::from_micros(&mut samples))
}
