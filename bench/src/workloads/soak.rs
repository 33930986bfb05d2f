//! The soak (on demand, `--soak MINUTES`): a mixed load — home timeline
//! reads and new posts that fan out to followers — for a long time, with
//! the server's anonymous RSS sampled every 30 s. Memory that keeps growing
//! under a steady load is a leak or an unbounded cache.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::loadgen::open_loop;
use crate::report::Metric;
use crate::seed::Seeded;
use crate::server::Server;
use crate::workloads::timeline::client;

const READS_PER_SEC: f64 = 200.0;
const POSTS_PER_SEC: f64 = 5.0;
const SAMPLE: Duration = Duration::from_secs(30);

pub async fn run(server: &Server, seeded: &Seeded, minutes: u64) -> Result<Vec<Metric>> {
    let client = client()?;
    let tokens: Arc<Vec<String>> = Arc::new(seeded.users.iter().map(|u| u.token.clone()).collect());
    let home = format!("{}/api/v1/timelines/home?limit=20", server.base);
    let post = format!("{}/api/v1/statuses", server.base);
    let start = Instant::now();
    let mut samples: Vec<(f64, f64)> = Vec::new();
    let (mut reads_failed, mut posts_failed) = (0, 0);
    while start.elapsed() < Duration::from_secs(minutes * 60) {
        let (c, t, url) = (client.clone(), tokens.clone(), home.clone());
        let reads = open_loop(READS_PER_SEC, SAMPLE, move |i| {
            let (c, url, token) = (c.clone(), url.clone(), t[i as usize % t.len()].clone());
            async move {
                let r = c
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = r.status().as_u16();
                r.bytes().await.map_err(|e| e.to_string())?;
                Ok(status)
            }
        });
        let (c, t, url) = (client.clone(), tokens.clone(), post.clone());
        let offset = samples.len() as u64 * 1_000_000;
        let posts = open_loop(POSTS_PER_SEC, SAMPLE, move |i| {
            let (c, url) = (c.clone(), url.clone());
            let token = t[(i * 7919) as usize % t.len()].clone();
            let text = format!("Soak post {} #soak", offset + i);
            async move {
                let r = c
                    .post(url)
                    .bearer_auth(token)
                    .json(&serde_json::json!({"status": text, "visibility": "public"}))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(r.status().as_u16())
            }
        });
        let (reads, posts) = tokio::join!(reads, posts);
        reads_failed += reads.failed;
        posts_failed += posts.failed;
        let minute = start.elapsed().as_secs_f64() / 60.0;
        let rss = server.rss_anon() as f64 / 1e6;
        eprintln!(
            "    soak {minute:.1} min: RSS {rss:.1} MB, reads p99 {:.1} ms",
            reads.latency.p99
        );
        samples.push((minute, rss));
    }
    let first = samples.first().map_or(0.0, |s| s.1);
    let last = samples.last().map_or(0.0, |s| s.1);
    let peak = samples.iter().map(|s| s.1).fold(0.0, f64::max);
    // Growth over the second half, once caches and pools have filled.
    let half = &samples[samples.len() / 2..];
    Ok(vec![
        Metric::new("soak length", minutes as f64, "min"),
        Metric::new("anonymous RSS after 30 s", first, "MB"),
        Metric::new("anonymous RSS at the end", last, "MB"),
        Metric::new("anonymous RSS peak", peak, "MB"),
        Metric::new("growth over the second half", slope(half) * 60.0, "MB/h"),
        Metric::new("reads failed", reads_failed as f64, "count"),
        Metric::new("posts failed", posts_failed as f64, "count"),
    ])
}

/// Least-squares slope of (x, y) points; 0 for fewer than two.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let var: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if var == 0.0 { 0.0 } else { cov / var }
}

#[cfg(test)]
mod tests {
    #[test]
    fn slope_of_a_line() {
        let points: Vec<(f64, f64)> = (0..5).map(|x| (x as f64, 2.0 * x as f64 + 1.0)).collect();
        assert!((super::slope(&points) - 2.0).abs() < 1e-9);
        assert_eq!(super::slope(&points[..1]), 0.0);
    }
}
