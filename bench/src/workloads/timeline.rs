//! Home timeline reads: `GET /api/v1/timelines/home?limit=20` by the
//! seeded users in turn, at fixed arrival rates; deep pages (`max_id`
//! about 400 posts down); and the highest rate the server sustains with a
//! p99 under 50 ms.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use crate::calibrate::Calibration;
use crate::loadgen::{Outcome, open_loop};
use crate::report::Metric;
use crate::scale::Scale;
use crate::seed::Seeded;
use crate::server::Server;

/// A rate "is sustained" when its p99 stays under this and nearly every
/// request succeeds.
const SUSTAINED_P99_MS: f64 = 50.0;

pub async fn run(
    server: &Server,
    seeded: &Seeded,
    scale: &Scale,
    calibration: &Calibration,
) -> Result<Vec<Metric>> {
    let client = client()?;
    let tokens: Arc<Vec<String>> = Arc::new(seeded.users.iter().map(|u| u.token.clone()).collect());
    let first = format!("{}/api/v1/timelines/home?limit=20", server.base);
    let mut metrics = Vec::new();
    // Warm the caches and the connection pool as a running server would be;
    // at this rate every request must be answered.
    let (warm, _) = step(
        server,
        &client,
        &tokens,
        &first,
        20.0,
        Duration::from_secs(2),
    )
    .await?;
    anyhow::ensure!(
        warm.ok == warm.sent,
        "home timeline at 20/s: {:?} (status: count; 0 = no answer)",
        warm.by_status
    );

    // Each listed rate; whether it held decides where the search starts.
    let (mut held_at, mut missed_at) = (0.0_f64, f64::INFINITY);
    for &rate in &scale.timeline_rates {
        let (outcome, cpu) = step(server, &client, &tokens, &first, rate, scale.step).await?;
        metrics.extend(describe(
            &format!("home @{rate}/s"),
            &outcome,
            cpu,
            calibration,
        ));
        if held(&outcome) {
            held_at = held_at.max(rate);
        } else {
            missed_at = missed_at.min(rate);
        }
    }

    // Deep pages: each user reads the page below its own deep `max_id`.
    let deep: Arc<Vec<(String, i64)>> = Arc::new(
        seeded
            .deep_max_ids
            .iter()
            .map(|(user, max_id)| (seeded.users[*user].token.clone(), *max_id))
            .collect(),
    );
    if !deep.is_empty() {
        let rate = scale.timeline_rates[scale.timeline_rates.len() / 2];
        let cpu_before = server.cpu();
        let base = server.base.clone();
        let c = client.clone();
        let outcome = open_loop(rate, scale.step, move |i| {
            let (token, max_id) = deep[i as usize % deep.len()].clone();
            let url = format!("{base}/api/v1/timelines/home?limit=20&max_id={max_id}");
            fetch(c.clone(), url, token)
        })
        .await;
        let cpu = (server.cpu() - cpu_before).as_secs_f64();
        answered_right(&outcome)?;
        metrics.extend(describe(
            &format!("deep page @{rate}/s"),
            &outcome,
            cpu,
            calibration,
        ));
    }

    // The sustainable rate (p99 under 50 ms, ≤ 0.1 % failed): double while
    // it holds, then halve the gap between the highest rate held and the
    // lowest missed, `ladder_steps` tries in all.
    for _ in 0..scale.ladder_steps {
        let rate = if missed_at.is_infinite() {
            (held_at * 2.0).max(scale.timeline_rates[0])
        } else {
            ((held_at + missed_at) / 2.0).round()
        };
        if missed_at - held_at < missed_at * 0.1 {
            break;
        }
        let (outcome, _) = step(server, &client, &tokens, &first, rate, scale.step).await?;
        let ok = held(&outcome);
        eprintln!(
            "    home @{rate}/s: p99 {:.1} ms, {} failed → {}",
            outcome.latency.p99,
            outcome.failed,
            if ok { "sustained" } else { "not sustained" }
        );
        if ok {
            held_at = rate;
        } else {
            missed_at = rate;
        }
    }
    let sustained = held_at;
    metrics.push(Metric::new("sustained rate (p99 < 50 ms)", sustained, "/s"));
    Ok(metrics)
}

async fn step(
    server: &Server,
    client: &reqwest::Client,
    tokens: &Arc<Vec<String>>,
    url: &str,
    rate: f64,
    duration: Duration,
) -> Result<(Outcome, f64)> {
    let cpu_before = server.cpu();
    let (client, tokens, url) = (client.clone(), tokens.clone(), url.to_owned());
    let outcome = open_loop(rate, duration, move |i| {
        let token = tokens[i as usize % tokens.len()].clone();
        fetch(client.clone(), url.clone(), token)
    })
    .await;
    let cpu = (server.cpu() - cpu_before).as_secs_f64();
    answered_right(&outcome)?;
    Ok((outcome, cpu))
}

/// Whether a rate held: p99 under 50 ms and at most 0.1 % failed.
fn held(outcome: &Outcome) -> bool {
    outcome.latency.p99 < SUSTAINED_P99_MS && outcome.failed as f64 <= outcome.sent as f64 * 0.001
}

/// Only 200s, or under overload 503s (the node's admission control) and
/// requests given up on (an overloaded server is a result, not an error):
/// any other answer means the harness or the server is broken, not slow.
fn answered_right(outcome: &Outcome) -> Result<()> {
    anyhow::ensure!(
        outcome.by_status.keys().all(|s| matches!(s, 200 | 503 | 0)),
        "home timeline answered {:?} (status: count; 0 = no answer)",
        outcome.by_status
    );
    Ok(())
}

async fn fetch(client: reqwest::Client, url: String, token: String) -> Result<u16, String> {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    response.bytes().await.map_err(|e| e.to_string())?;
    Ok(status)
}

pub fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(10))
        .build()?)
}

/// Latencies, failures, and the server's CPU per request, also as a
/// multiple of a hello-world request's.
pub fn describe(label: &str, o: &Outcome, cpu_secs: f64, c: &Calibration) -> Vec<Metric> {
    let per_request = cpu_secs / o.sent.max(1) as f64;
    vec![
        Metric::new(format!("{label} p50"), o.latency.p50, "ms"),
        Metric::new(format!("{label} p90"), o.latency.p90, "ms"),
        Metric::new(format!("{label} p99"), o.latency.p99, "ms"),
        Metric::new(format!("{label} max"), o.latency.max, "ms"),
        Metric::new(format!("{label} failed"), o.failed as f64, "count"),
        Metric::new(
            format!("{label} server CPU per request"),
            per_request * 1000.0,
            "ms",
        ),
        Metric::new(
            format!("{label} server CPU per request ÷ hello-world's"),
            per_request * c.hello_per_cpu_sec,
            "ratio",
        ),
        Metric::new(
            format!("{label} server CPU (cores busy)"),
            cpu_secs / o.wall.as_secs_f64(),
            "ratio",
        ),
    ]
}
