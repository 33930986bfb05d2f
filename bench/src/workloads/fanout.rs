//! Post fan-out and delivery: the herald (followed by `fanout_local` local
//! accounts) also has `fanout_remote` followers on `fanout_hosts` servers
//! of the mock fleet. One public post through the client API, then: its
//! API latency, when the local home feeds have it, when the last healthy
//! receiver has it, deliveries per second against the signing ceiling,
//! duplicates, and the same post again with 5 % of the hosts dead, and
//! with a mix of dead, slow, failing and hanging hosts.
//!
//! Every remote follower's server has a shared inbox, as Mastodon, Misskey,
//! Pleroma and Loggia do: Loggia then sends one delivery per host (5,000
//! followers on 1,000 hosts → 1,000 deliveries), and both counts are
//! reported.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use loggia::model::AccountId;
use loggia::store::{FollowOptions, RemoteAccount, Store};
use serde_json::{Value, json};

use super::probe::Probe;
use crate::backend::Database;
use crate::fleet::{self, Behaviour, Fleet};
use crate::report::Metric;
use crate::scale::Scale;
use crate::seed::Seeded;
use crate::server::Server;

/// The fleet's hosts are `127.1.X.Y:19000` (the inbox workload uses 127.2).
const NET: u8 = 1;
/// After the last healthy receiver, how long to keep listening for
/// duplicates.
const LINGER: Duration = Duration::from_millis(500);
/// A slow host's answer time.
const SLOW: Duration = Duration::from_secs(1);

/// Which hosts misbehave in each scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Healthy,
    /// 5 % of the hosts refuse connections.
    Dead,
    /// 5 % dead, 2 % slow, 2 % failing with 500, 1 % hanging.
    Mixed,
}

impl Scenario {
    fn behaviour(self, host: usize) -> Behaviour {
        let dead = host % 20 == 10;
        match self {
            Self::Healthy => Behaviour::Healthy,
            Self::Dead if dead => Behaviour::Dead,
            Self::Dead => Behaviour::Healthy,
            // The residues below are odd, `dead` hosts even: no overlap.
            Self::Mixed if dead => Behaviour::Dead,
            Self::Mixed if host % 50 == 1 => Behaviour::Slow(SLOW),
            Self::Mixed if host % 50 == 3 => Behaviour::Failing,
            Self::Mixed if host % 100 == 7 => Behaviour::Hanging,
            Self::Mixed => Behaviour::Healthy,
        }
    }
}

/// What one post did.
#[derive(Debug, Default)]
struct Outcome {
    api_ms: f64,
    /// Until a round of reads that all showed the post was sent.
    home_ms: f64,
    /// Until that round was answered.
    home_answered_ms: f64,
    /// `home_feed` rows written for the post (none but the author's own
    /// once the audience is wide).
    feed_rows: i64,
    /// From sending the post to the last healthy host's arrival.
    last_healthy_s: f64,
    /// Healthy arrivals per second, first arrival to last.
    deliveries_per_sec: f64,
    healthy: usize,
    missed: usize,
    arrivals: usize,
    distinct: usize,
    signature_failures: usize,
    /// Server CPU time of the post request (with the local fan-out).
    post_cpu_s: f64,
    /// Server CPU time after the post answered, until the last healthy
    /// receiver had it (rendering and sending).
    cpu_s: f64,
    peak_rss_mb: f64,
}

/// Runs the workload on `db` (seeded); `sign_per_sec` is the calibrated
/// one-core RSA-2048 signing rate.
pub async fn run(
    bin: &Path,
    db: &Database,
    seeded: &Seeded,
    scale: &Scale,
    sign_per_sec: f64,
) -> Result<Vec<Metric>> {
    let (key_id, public_pem) = prepare(db, seeded, scale).await?;
    let probe = Probe::connect(db).await?;
    let mut results = Vec::new();
    for scenario in [Scenario::Healthy, Scenario::Dead, Scenario::Mixed] {
        probe.clear_deliveries().await?;
        let outcome = post_once(
            bin,
            db,
            seeded,
            scale,
            &probe,
            scenario,
            &key_id,
            &public_pem,
        )
        .await
        .with_context(|| format!("fan-out, {scenario:?} hosts"))?;
        eprintln!("    fan-out [{}] {scenario:?}: {outcome:?}", db.kind.name());
        results.push(outcome);
    }
    probe.clear_deliveries().await?;
    probe.close().await;

    let [healthy, dead, mixed] = &results[..] else {
        unreachable!("three scenarios")
    };
    let arrivals: usize = results.iter().map(|o| o.arrivals).sum();
    let distinct: usize = results.iter().map(|o| o.distinct).sum();
    let failures: usize = results.iter().map(|o| o.signature_failures).sum();
    let missed: usize = results.iter().map(|o| o.missed).sum();
    let cpu_per_delivery = healthy.cpu_s * 1000.0 / healthy.healthy.max(1) as f64;
    // Not timings: what must hold at any speed.
    anyhow::ensure!(missed == 0, "{missed} healthy inboxes never got the post");
    anyhow::ensure!(
        failures == 0,
        "{failures} deliveries failed the fleet's signature check"
    );
    anyhow::ensure!(
        arrivals == distinct,
        "{} duplicate deliveries",
        arrivals - distinct
    );
    Ok(vec![
        Metric::new("remote followers", scale.fanout_remote as f64, "count"),
        Metric::new(
            "deliveries (one per shared inbox)",
            healthy.healthy as f64,
            "count",
        ),
        Metric::new("post API latency", healthy.api_ms, "ms"),
        Metric::new(
            format!(
                "{} local home timelines have it ({} sampled through the API, by the first read that saw it in all)",
                scale.fanout_local, HOME_SAMPLE
            ),
            healthy.home_ms,
            "ms",
        ),
        Metric::new(
            "those home timelines answered",
            healthy.home_answered_ms,
            "ms",
        ),
        Metric::new("home feed rows written", healthy.feed_rows as f64, "count"),
        Metric::new("last healthy receiver", healthy.last_healthy_s, "s"),
        Metric::new("deliveries/s", healthy.deliveries_per_sec, "/s"),
        Metric::new(
            "deliveries/s ÷ signing ceiling (one core)",
            healthy.deliveries_per_sec / sign_per_sec,
            "ratio",
        ),
        Metric::new(
            "server CPU of the post request",
            healthy.post_cpu_s * 1000.0,
            "ms",
        ),
        Metric::new("server CPU per delivery", cpu_per_delivery, "ms"),
        Metric::new("server CPU, answer to last delivery", healthy.cpu_s, "s"),
        Metric::new("peak RSS (anon)", healthy.peak_rss_mb, "MB"),
        Metric::new(
            "duplicate ratio",
            arrivals as f64 / distinct.max(1) as f64,
            "ratio",
        ),
        Metric::new("5 % dead: last healthy receiver", dead.last_healthy_s, "s"),
        Metric::new(
            "5 % dead ÷ all healthy",
            dead.last_healthy_s / healthy.last_healthy_s,
            "ratio",
        ),
        Metric::new(
            "mixed faults: last healthy receiver",
            mixed.last_healthy_s,
            "s",
        ),
        Metric::new(
            "mixed faults ÷ all healthy",
            mixed.last_healthy_s / healthy.last_healthy_s,
            "ratio",
        ),
        Metric::new("mixed faults: peak RSS (anon)", mixed.peak_rss_mb, "MB"),
        Metric::new("healthy inboxes missed", missed as f64, "count"),
        Metric::new("signature failures", failures as f64, "count"),
    ])
}

/// Seeds the remote followers (once: a second call finds them) and makes
/// sure the herald has its key pair, which the fleet is given to check
/// signatures with. Returns `(key id, public key PEM)`.
async fn prepare(db: &Database, seeded: &Seeded, scale: &Scale) -> Result<(String, String)> {
    let store = Store::connect(&db.url, 2).await?;
    let herald = AccountId(seeded.herald.account_id);
    let probe = Probe::connect(db).await?;
    let existing = probe
        .scalar(
            "SELECT COUNT(*) FROM follows f JOIN accounts a ON a.id = f.account_id
             WHERE f.target_account_id = $1 AND a.domain IS NOT NULL",
            herald.0,
        )
        .await?;
    probe.close().await;
    if existing < scale.fanout_remote as i64 {
        let started = Instant::now();
        let mut tx = store.begin().await?;
        for n in 0..scale.fanout_remote {
            let host = fleet::host(NET, n % scale.fanout_hosts);
            let name = format!("f{n}");
            let uri = fleet::actor_uri(&host, &name);
            let account = tx
                .accounts()
                .upsert_remote(&RemoteAccount {
                    username: name.clone(),
                    domain: host.clone(),
                    actor_type: "Person".into(),
                    display_name: format!("Follower {n}"),
                    fields: "[]".into(),
                    inbox_url: format!("{uri}/inbox"),
                    shared_inbox_url: Some(format!("http://{host}/inbox")),
                    followers_url: Some(format!("{uri}/followers")),
                    uri,
                    discoverable: true,
                    indexable: true,
                    ..RemoteAccount::default()
                })
                .await?;
            let options = FollowOptions {
                show_reblogs: true,
                notify: false,
                uri: Some(format!("http://{host}/follows/{n}")),
            };
            tx.follows().follow(account.id, herald, options).await?;
        }
        tx.commit().await?;
        eprintln!(
            "    seeded {} remote followers on {} hosts in {:.1} s",
            scale.fanout_remote,
            scale.fanout_hosts,
            started.elapsed().as_secs_f64()
        );
    }
    let account = store
        .accounts()
        .by_id(herald)
        .await?
        .context("the herald's account is missing")?;
    let (public, _) = loggia::federation::keys::ensure(&store, &account)
        .await
        .map_err(|e| anyhow::anyhow!("the herald's key pair: {e}"))?;
    store.close().await;
    Ok((loggia::federation::keys::key_id(&account), public))
}

#[allow(clippy::too_many_arguments)]
async fn post_once(
    bin: &Path,
    db: &Database,
    seeded: &Seeded,
    scale: &Scale,
    probe: &Probe,
    scenario: Scenario,
    key_id: &str,
    public_pem: &str,
) -> Result<Outcome> {
    let behaviours: Vec<Behaviour> = (0..scale.fanout_hosts)
        .map(|h| scenario.behaviour(h))
        .collect();
    let healthy_hosts: Vec<bool> = behaviours
        .iter()
        .map(|b| *b == Behaviour::Healthy)
        .collect();
    // Hosts that have followers (all of them unless there are fewer
    // followers than hosts), one shared inbox each.
    let expected = (0..scale.fanout_hosts.min(scale.fanout_remote))
        .filter(|h| healthy_hosts[*h])
        .count();
    let fleet = Fleet::start(NET, behaviours, Vec::new()).await?;
    fleet.trust(key_id, public_pem)?;
    let server = Server::start(bin, db, &[]).await?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;

    server.reset_peak();
    let cpu_before = server.cpu();
    let started = Instant::now();
    let answer = client
        .post(format!("{}/api/v1/statuses", server.base))
        .bearer_auth(&seeded.herald.token)
        .json(&json!({
            "status": format!("Fan-out benchmark, {scenario:?} hosts: a post every follower gets."),
            "visibility": "public",
        }))
        .send()
        .await?;
    let api = started.elapsed();
    let cpu_posted = server.cpu();
    let status = answer.status();
    let body: Value = answer.json().await?;
    anyhow::ensure!(status.is_success(), "posting answered {status}: {body}");
    let id: i64 = body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("the post has no id")?;

    // Whether a follower's home feed has the post is asked the way apps
    // ask, through the API: with a wide audience the post is read into
    // home timelines at read time instead of written into each feed.
    // A round of reads started at `asked` and all saw it: the feeds had it
    // by then (`home`), however long the reads took to answer
    // (`home_answered`, which the deliveries starting at once slow down).
    let readers = sample_followers(seeded, scale);
    let mut waiting = readers.clone();
    let (home, home_answered) = loop {
        let asked = started.elapsed();
        let checks = waiting.iter().map(|token| {
            let client = &client;
            let base = &server.base;
            async move {
                let page: Value = client
                    .get(format!(
                        "{base}/api/v1/timelines/home?limit=1&since_id={}",
                        id - 1
                    ))
                    .bearer_auth(token)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                anyhow::Ok(page[0]["id"].as_str() == Some(id.to_string().as_str()))
            }
        });
        let seen = futures_util::future::try_join_all(checks).await?;
        waiting = waiting
            .into_iter()
            .zip(seen)
            .filter(|(_, seen)| !seen)
            .map(|(token, _)| token)
            .collect();
        if waiting.is_empty() {
            break (asked, started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "{} of {} sampled followers do not see the post after 60 s",
            waiting.len(),
            readers.len()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let feed_rows = probe
        .scalar("SELECT COUNT(*) FROM home_feed WHERE status_id = $1", id)
        .await?;

    let deadline = Duration::from_secs(if scale.name == "smoke" { 30 } else { 180 });
    let healthy = |h: usize| healthy_hosts[h];
    while fleet.reached(healthy) < expected && started.elapsed() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let cpu_end = server.cpu();
    let peak = server.peak_rss_anon();
    tokio::time::sleep(LINGER).await;
    // Stopping the fleet first ends the hanging hosts' connections, so
    // that the server stops at once.
    let arrivals = fleet.arrivals();
    let reached = fleet.reached(|_| true);
    let healthy_reached = fleet.reached(healthy);
    let signature_failures = fleet.errors().len();
    if let Some(error) = fleet.errors().first() {
        eprintln!("    fleet refused a delivery: {error}");
    }
    fleet.stop().await;
    server.stop().await?;

    let healthy_times: Vec<Instant> = arrivals
        .iter()
        .filter(|a| healthy(a.host))
        .map(|a| a.at)
        .collect();
    let (first, last) = match (healthy_times.iter().min(), healthy_times.iter().max()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => anyhow::bail!("no healthy host received the post"),
    };
    let spread = (last - first).as_secs_f64();
    Ok(Outcome {
        api_ms: api.as_secs_f64() * 1000.0,
        home_ms: home.as_secs_f64() * 1000.0,
        home_answered_ms: home_answered.as_secs_f64() * 1000.0,
        feed_rows,
        last_healthy_s: (last - started).as_secs_f64(),
        deliveries_per_sec: if spread > 0.0 {
            (healthy_times.len() - 1) as f64 / spread
        } else {
            f64::NAN
        },
        healthy: healthy_times.len(),
        missed: expected - healthy_reached.min(expected),
        arrivals: arrivals.len(),
        distinct: reached,
        signature_failures,
        post_cpu_s: (cpu_posted - cpu_before).as_secs_f64(),
        cpu_s: (cpu_end - cpu_posted).as_secs_f64(),
        peak_rss_mb: peak as f64 / (1024.0 * 1024.0),
    })
}

/// Followers whose home timelines are asked for the post.
const HOME_SAMPLE: usize = 20;

/// The tokens of `HOME_SAMPLE` of the herald's local followers (the first
/// `fanout_local` users), spread evenly, the last one included.
fn sample_followers(seeded: &Seeded, scale: &Scale) -> Vec<String> {
    let followers = scale.fanout_local.min(seeded.users.len());
    let step = (followers / HOME_SAMPLE).max(1);
    let mut picked: Vec<usize> = (0..followers).step_by(step).take(HOME_SAMPLE).collect();
    if followers > 0 && picked.last() != Some(&(followers - 1)) {
        picked.push(followers - 1);
    }
    picked
        .into_iter()
        .map(|i| seeded.users[i].token.clone())
        .collect()
}
