//! Inbox ingestion: signed `Create(Note)`s from `inbox_actors` remote
//! actors on `inbox_domains` servers of the mock fleet, posted to
//! Loggia's shared inbox at the fixed rates of `inbox_rates` (open loop),
//! measuring accepted/s (202s), processed/s (rows appearing in
//! `statuses`), the backlog's slope and the accept latency.
//!
//! Loggia stores a pushed note only when it concerns someone here
//! (`federation::ingest::concerns_us`): 95 % of the actors are known,
//! with their keys, and followed by `FOLLOWERS` local accounts each (so
//! every note also lands in home feeds); the other 5 % are new in every
//! step — Loggia fetches their actor document (and key) from the fleet —
//! and address a local account, as a stranger's reply would.
//!
//! RSA keys are slow to make, so the actors share a pool of `KEYS` key
//! pairs (each actor its own key id); Loggia caches keys per actor, so
//! the sharing changes nothing it does. Requests are signed before each
//! step, in parallel, so that the generator is not bound by signing; each
//! has its own activity id, body and so signature (the replay guard and
//! the received-id check see every one as new).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use axum::body::Bytes;
use loggia::federation::signatures::Signer;
use loggia::model::AccountId;
use loggia::store::{FollowOptions, RemoteAccount, Store};
use serde_json::json;

use super::probe::Probe;
use crate::backend::Database;
use crate::fleet::{self, Behaviour, Fleet};
use crate::loadgen::{Outcome, open_loop};
use crate::report::Metric;
use crate::scale::Scale;
use crate::seed::Seeded;
use crate::server::Server;

/// The fleet's hosts are `127.2.X.Y:19000` (the fan-out uses 127.1).
const NET: u8 = 2;
/// Key pairs shared by all remote actors.
const KEYS: usize = 4;
/// Local accounts following each known remote actor.
const FOLLOWERS: usize = 3;
/// One actor in this many is new to Loggia in each step.
const UNCACHED_EVERY: usize = 20;
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// Step latency target of issue #9.
const P99_TARGET_MS: f64 = 50.0;

#[derive(serde::Serialize, serde::Deserialize)]
struct KeyPair {
    public: String,
    private: String,
}

/// One signed request, ready to send.
#[derive(Clone)]
struct Prepared {
    body: Bytes,
    headers: Vec<(&'static str, String)>,
}

/// What one rate step showed.
struct Step {
    outcome: Outcome,
    accepted_per_sec: f64,
    processed: i64,
    processed_per_sec: f64,
    backlog_slope: f64,
    cpu_s: f64,
}

pub async fn run(bin: &Path, db: &Database, seeded: &Seeded, scale: &Scale) -> Result<Vec<Metric>> {
    let keys = key_pool(db).await?;
    prepare(db, seeded, scale, &keys).await?;
    let public: Vec<String> = keys.iter().map(|k| k.public.clone()).collect();
    let fleet = Fleet::start(NET, vec![Behaviour::Healthy; scale.inbox_domains], public).await?;
    let signers: Arc<Vec<Vec<u8>>> = Arc::new(
        keys.iter()
            .map(|k| k.private.clone().into_bytes())
            .collect(),
    );
    let server = Server::start(bin, db, &[]).await?;
    let probe = Arc::new(Probe::connect(db).await?);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()?;
    // A run tag keeps activity ids and new actors distinct across calls.
    let tag = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_millis();
    let mut metrics = Vec::new();
    let mut sustained: f64 = 0.0;
    server.reset_peak();
    let fetches_before = fleet.actor_fetches();
    for (number, &rate) in scale.inbox_rates.iter().enumerate() {
        let total = (rate * scale.step.as_secs_f64()).round().max(1.0) as usize;
        let signing = Instant::now();
        let requests = sign_all(
            db,
            seeded,
            scale,
            &signers,
            &format!("{tag}s{number}"),
            total,
        )
        .await?;
        eprintln!(
            "    inbox @{rate}/s: {total} requests signed in {:.1} s",
            signing.elapsed().as_secs_f64()
        );
        let step = step(
            &server,
            &client,
            &probe,
            rate,
            scale.step,
            Arc::new(requests),
        )
        .await?;
        let prefix = format!("@{rate}/s");
        eprintln!(
            "    inbox {prefix}: {} sent, {} accepted ({:.0}/s), {} processed ({:.0}/s), backlog {:+.0}/s, p99 {:.1} ms, {:?}",
            step.outcome.sent,
            step.outcome.by_status.get(&202).copied().unwrap_or(0),
            step.accepted_per_sec,
            step.processed,
            step.processed_per_sec,
            step.backlog_slope,
            step.outcome.latency.p99,
            step.outcome.by_status,
        );
        if step.outcome.latency.p99 <= P99_TARGET_MS && step.outcome.failed == 0 {
            sustained = sustained.max(step.processed_per_sec);
        }
        metrics.extend([
            Metric::new(format!("{prefix} accepted/s"), step.accepted_per_sec, "/s"),
            Metric::new(
                format!("{prefix} processed/s"),
                step.processed_per_sec,
                "/s",
            ),
            Metric::new(format!("{prefix} backlog slope"), step.backlog_slope, "/s"),
            Metric::new(
                format!("{prefix} accept p50"),
                step.outcome.latency.p50,
                "ms",
            ),
            Metric::new(
                format!("{prefix} accept p99"),
                step.outcome.latency.p99,
                "ms",
            ),
            Metric::new(
                format!("{prefix} failed"),
                step.outcome.failed as f64,
                "count",
            ),
            Metric::new(
                format!("{prefix} server CPU per processed"),
                step.cpu_s * 1000.0 / step.processed.max(1) as f64,
                "ms",
            ),
        ]);
    }
    metrics.push(Metric::new(
        "processed/s with accept p99 ≤ 50 ms, none failed",
        sustained,
        "/s",
    ));
    metrics.push(Metric::new(
        "key fetches (actor documents served)",
        (fleet.actor_fetches() - fetches_before) as f64,
        "count",
    ));
    metrics.push(Metric::new(
        "peak RSS (anon)",
        server.peak_rss_anon() as f64 / (1024.0 * 1024.0),
        "MB",
    ));
    server.stop().await?;
    fleet.stop().await;
    if let Ok(probe) = Arc::try_unwrap(probe) {
        probe.close().await;
    }
    Ok(metrics)
}

/// One rate step: sends the prepared requests open loop while sampling
/// how many statuses appeared, then waits for the processing to settle.
async fn step(
    server: &Server,
    client: &reqwest::Client,
    probe: &Arc<Probe>,
    rate: f64,
    duration: Duration,
    requests: Arc<Vec<Prepared>>,
) -> Result<Step> {
    let baseline = probe
        .scalar("SELECT MAX(id) FROM statuses WHERE $1 = $1", 0)
        .await?;
    let count = "SELECT COUNT(*) FROM statuses WHERE id > $1";
    let samples = Arc::new(Mutex::new(Vec::<(f64, i64)>::new()));
    let started = Instant::now();
    let sampling = {
        let (probe, samples) = (probe.clone(), samples.clone());
        tokio::spawn(async move {
            loop {
                if let Ok(n) = probe.scalar(count, baseline).await {
                    samples
                        .lock()
                        .unwrap()
                        .push((started.elapsed().as_secs_f64(), n));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let cpu_before = server.cpu();
    let url = format!("{}/inbox", server.base);
    let client = client.clone();
    let outcome = open_loop(rate, duration, move |i| {
        let prepared = &requests[i as usize];
        let mut request = client
            .post(&url)
            .header("content-type", "application/activity+json")
            .body(prepared.body.clone());
        for (name, value) in &prepared.headers {
            request = request.header(*name, value);
        }
        async move {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let _ = response.bytes().await;
            Ok(status)
        }
    })
    .await;
    // The inbox answers once the activity is applied, but a request given
    // up by the generator may still be worked on: wait until the count
    // stops moving.
    let mut last = (started.elapsed(), probe.scalar(count, baseline).await?);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = probe.scalar(count, baseline).await?;
        if now == last.1 {
            break;
        }
        last = (started.elapsed(), now);
    }
    let cpu_s = (server.cpu() - cpu_before).as_secs_f64();
    sampling.abort();
    let samples = std::mem::take(&mut *samples.lock().unwrap());
    let processed = last.1;
    // Until the last row appeared (samples are 100 ms apart).
    let busy = samples
        .iter()
        .find(|(_, n)| *n == processed)
        .map_or(last.0.as_secs_f64(), |(t, _)| *t)
        .max(duration.as_secs_f64() / 2.0);
    let accepted = outcome.by_status.get(&202).copied().unwrap_or(0);
    // Not timings: what must hold at any speed. Every 202 is a stored note
    // (more may be stored: requests the generator gave up on), and the only
    // other answers are "come back later" (429) or none in time (0).
    anyhow::ensure!(
        processed >= accepted as i64,
        "{accepted} deliveries accepted but only {processed} notes stored"
    );
    anyhow::ensure!(
        outcome.by_status.keys().all(|s| matches!(s, 202 | 429 | 0)),
        "the inbox answered {:?} (status: count; 0 = no answer)",
        outcome.by_status
    );
    Ok(Step {
        accepted_per_sec: accepted as f64 / outcome.wall.as_secs_f64(),
        processed,
        processed_per_sec: processed as f64 / busy,
        backlog_slope: backlog_slope(&samples, rate, duration),
        cpu_s,
        outcome,
    })
}

/// The least-squares slope of (requests sent − statuses stored) over the
/// step: about 0 when the server keeps up, the shortfall per second when
/// it does not.
fn backlog_slope(samples: &[(f64, i64)], rate: f64, duration: Duration) -> f64 {
    let end = duration.as_secs_f64();
    let points: Vec<(f64, f64)> = samples
        .iter()
        .filter(|(t, _)| *t <= end)
        .map(|(t, n)| (*t, rate * t - *n as f64))
        .collect();
    if points.len() < 3 {
        return f64::NAN;
    }
    let count = points.len() as f64;
    let mean_t = points.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_b = points.iter().map(|p| p.1).sum::<f64>() / count;
    let cov: f64 = points
        .iter()
        .map(|(t, b)| (t - mean_t) * (b - mean_b))
        .sum();
    let var: f64 = points.iter().map(|(t, _)| (t - mean_t).powi(2)).sum();
    cov / var
}

/// The actor sending request `i`: `(name, host, known to Loggia)`.
fn sender(scale: &Scale, step_tag: &str, i: usize) -> (String, String, bool) {
    let n = i % scale.inbox_actors;
    let host = fleet::host(NET, n % scale.inbox_domains);
    if n % UNCACHED_EVERY == UNCACHED_EVERY - 1 {
        (format!("new{step_tag}n{n}"), host, false)
    } else {
        (format!("a{n}"), host, true)
    }
}

/// Signs `total` requests for one step, on every core.
async fn sign_all(
    db: &Database,
    seeded: &Seeded,
    scale: &Scale,
    keys: &Arc<Vec<Vec<u8>>>,
    step_tag: &str,
    total: usize,
) -> Result<Vec<Prepared>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let local = Arc::new(
        seeded
            .users
            .iter()
            .map(|u| format!("{}/users/{}", db.base_url(), u.username))
            .collect::<Vec<_>>(),
    );
    let (domain, scale, keys, tag) = (
        db.listen.clone(),
        scale.clone(),
        keys.clone(),
        step_tag.to_owned(),
    );
    tokio::task::spawn_blocking(move || {
        let chunk = total.div_ceil(threads);
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let (domain, scale, keys, tag, local) = (&domain, &scale, &keys, &tag, &local);
                    s.spawn(move || {
                        (t * chunk..((t + 1) * chunk).min(total))
                            .map(|i| sign_one(domain, scale, keys, tag, local, i))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(total);
            for worker in workers {
                all.extend(
                    worker
                        .join()
                        .map_err(|_| anyhow::anyhow!("a signing thread panicked"))??,
                );
            }
            Ok(all)
        })
    })
    .await?
}

fn sign_one(
    domain: &str,
    scale: &Scale,
    keys: &[Vec<u8>],
    step_tag: &str,
    local: &[String],
    i: usize,
) -> Result<Prepared> {
    let (name, host, known) = sender(scale, step_tag, i);
    let actor = fleet::actor_uri(&host, &name);
    let note = format!("{actor}/statuses/{step_tag}-{i}");
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut cc = vec![format!("{actor}/followers")];
    let mut tags = Vec::new();
    if !known {
        // A stranger's post concerns us only if it addresses someone here.
        let mentioned = &local[i % local.len()];
        cc.push(mentioned.clone());
        tags.push(json!({"type": "Mention", "href": mentioned}));
    }
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": actor,
        "published": now,
        "to": [PUBLIC],
        "cc": cc,
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": actor,
            "url": note,
            "published": now,
            "to": [PUBLIC],
            "cc": cc,
            "tag": tags,
            "content": format!("<p>Inbox benchmark note {i} from {name}: a paragraph of ordinary length, \
                                 about as long as a post usually is, with no links or media.</p>"),
        },
    });
    let body = serde_json::to_vec(&body)?;
    let pem = &keys[fleet::key_of(&name, keys.len())];
    let signer = Signer::from_pem(format!("{actor}#main-key"), std::str::from_utf8(pem)?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let headers = signer.sign("POST", domain, "/inbox", Some(&body), SystemTime::now());
    let _ = scale;
    Ok(Prepared {
        body: Bytes::from(body),
        headers,
    })
}

/// The pool of key pairs, made once per database (kept next to it: the
/// seeded actors' stored keys must match across calls).
async fn key_pool(db: &Database) -> Result<Vec<KeyPair>> {
    let path = db.dir.join("inbox-keys.json");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(serde_json::from_str(&text)?);
    }
    let keys = tokio::task::spawn_blocking(|| {
        (0..KEYS)
            .map(|_| {
                activitypub_federation::http_signatures::generate_actor_keypair()
                    .map(|k| KeyPair {
                        public: k.public_key,
                        private: k.private_key,
                    })
                    .context("generating an RSA key")
            })
            .collect::<Result<Vec<_>>>()
    })
    .await??;
    std::fs::write(&path, serde_json::to_string(&keys)?)?;
    Ok(keys)
}

/// Seeds the known remote actors with their keys, each followed by
/// `FOLLOWERS` local accounts (once: a second call finds them).
async fn prepare(db: &Database, seeded: &Seeded, scale: &Scale, keys: &[KeyPair]) -> Result<()> {
    anyhow::ensure!(
        !seeded.users.is_empty(),
        "no local users to follow the actors"
    );
    let store = Store::connect(&db.url, 2).await?;
    let last = (0..scale.inbox_actors)
        .rev()
        .find(|n| n % UNCACHED_EVERY != UNCACHED_EVERY - 1)
        .context("no known actors")?;
    let (name, host, _) = sender(scale, "", last);
    if store
        .accounts()
        .by_uri(&fleet::actor_uri(&host, &name))
        .await?
        .is_some()
    {
        store.close().await;
        return Ok(());
    }
    let started = Instant::now();
    let mut tx = store.begin().await?;
    for n in 0..scale.inbox_actors {
        let (name, host, known) = sender(scale, "", n);
        if !known {
            continue;
        }
        let uri = fleet::actor_uri(&host, &name);
        let account = tx
            .accounts()
            .upsert_remote(&RemoteAccount {
                username: name.clone(),
                domain: host.clone(),
                actor_type: "Person".into(),
                display_name: format!("Remote {name}"),
                fields: "[]".into(),
                inbox_url: format!("{uri}/inbox"),
                shared_inbox_url: Some(format!("http://{host}/inbox")),
                followers_url: Some(format!("{uri}/followers")),
                public_key_pem: Some(keys[fleet::key_of(&name, keys.len())].public.clone()),
                public_key_id: Some(format!("{uri}#main-key")),
                uri,
                discoverable: true,
                indexable: true,
                ..RemoteAccount::default()
            })
            .await?;
        for k in 0..FOLLOWERS {
            let follower = &seeded.users[(n * FOLLOWERS + k) % seeded.users.len()];
            let options = FollowOptions {
                show_reblogs: true,
                notify: false,
                uri: None,
            };
            tx.follows()
                .follow(AccountId(follower.account_id), account.id, options)
                .await?;
        }
    }
    tx.commit().await?;
    store.close().await;
    eprintln!(
        "    seeded {} known remote actors on {} hosts in {:.1} s",
        scale.inbox_actors - scale.inbox_actors / UNCACHED_EVERY,
        scale.inbox_domains,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_slope_is_the_shortfall() {
        // Sending 100/s, storing 60/s: the backlog grows by 40/s.
        let samples: Vec<(f64, i64)> = (0..20).map(|k| (k as f64 * 0.1, k * 6)).collect();
        let slope = backlog_slope(&samples, 100.0, Duration::from_secs(2));
        assert!((slope - 40.0).abs() < 1e-6, "{slope}");
    }

    #[test]
    fn one_actor_in_twenty_is_new_in_each_step() {
        let scale = Scale::smoke();
        let new = (0..scale.inbox_actors)
            .filter(|i| !sender(&scale, "t", *i).2)
            .count();
        assert_eq!(new, scale.inbox_actors / 20);
        assert_ne!(sender(&scale, "s0", 19).0, sender(&scale, "s1", 19).0);
    }
}
