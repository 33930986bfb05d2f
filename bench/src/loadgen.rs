//! An open-loop load generator: requests start at a fixed arrival rate
//! whatever the server does, and each latency counts from the moment its
//! request was *due*, so a server that falls behind shows it in the tail
//! instead of slowing the generator down (no coordinated omission).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::stats::Latencies;

/// Requests still unanswered after this long are abandoned and counted as
/// failed, so an overloaded server ends a step instead of stalling it.
const GIVE_UP: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub rate: f64,
    pub sent: u64,
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Transport errors, timeouts and non-2xx answers.
    pub failed: u64,
    pub by_status: BTreeMap<u16, u64>,
    /// Of every request, answered or not (an unanswered one counts as its
    /// time until given up).
    pub latency: Latencies,
    /// From the first request's start to the last answer.
    #[serde(with = "secs")]
    pub wall: Duration,
}

/// Sends `rate` requests per second for `duration`; `request(i)` makes the
/// i-th and resolves to its HTTP status (or an error text).
pub async fn open_loop<F, Fut>(rate: f64, duration: Duration, request: F) -> Outcome
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<u16, String>> + Send + 'static,
{
    let total = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let samples = Arc::new(Mutex::new(Vec::with_capacity(total as usize)));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, u64>::new()));
    let mut tasks = Vec::with_capacity(total as usize);
    let start = Instant::now();
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        // Timers are coarser than the interval at high rates: sleep until
        // the due time, then start every request that is due by now.
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let future = request(i);
        let (samples, statuses) = (samples.clone(), statuses.clone());
        tasks.push(tokio::spawn(async move {
            let answer = tokio::time::timeout(GIVE_UP, future).await;
            let micros = due.elapsed().as_micros() as u64;
            samples.lock().unwrap().push(micros);
            let status = match answer {
                Ok(Ok(status)) => status,
                Ok(Err(_)) | Err(_) => 0,
            };
            *statuses.lock().unwrap().entry(status).or_default() += 1;
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let wall = start.elapsed();
    let mut samples = std::mem::take(&mut *samples.lock().unwrap());
    let by_status = std::mem::take(&mut *statuses.lock().unwrap());
    let ok = by_status
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, n)| n)
        .sum();
    Outcome {
        rate,
        sent: total,
        ok,
        failed: total - ok,
        by_status,
        latency: Latencies::from_micros(&mut samples),
        wall,
    }
}

mod secs {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_rate_and_counts_statuses() {
        let started = Instant::now();
        let outcome = open_loop(200.0, Duration::from_millis(500), |i| async move {
            if i % 10 == 0 { Ok(500) } else { Ok(200) }
        })
        .await;
        assert_eq!(outcome.sent, 100);
        assert_eq!(outcome.ok, 90);
        assert_eq!(outcome.by_status[&500], 10);
        // Open loop: 100 requests at 200/s take about half a second.
        assert!(started.elapsed() >= Duration::from_millis(490));
    }

    #[tokio::test]
    async fn a_slow_server_shows_in_latency_not_in_the_rate() {
        let outcome = open_loop(100.0, Duration::from_millis(200), |_| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(200)
        })
        .await;
        assert_eq!(outcome.sent, 20);
        assert!(outcome.latency.p50 >= 50.0, "{:?}", outcome.latency);
    }
}
