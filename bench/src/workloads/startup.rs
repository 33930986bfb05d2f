//! Start-up time (exec to the first 200 on `/api/v2/instance`) on the
//! seeded database, and anonymous memory when idle.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::backend::Database;
use crate::report::Metric;
use crate::server::Server;
use crate::stats::median;

/// Starts the server `starts` times and reports the median start-up; the
/// last start is kept running and returned with the idle memory after
/// `settle` (pools filled, timers run once).
pub async fn run(
    bin: &Path,
    db: &Database,
    starts: usize,
    settle: Duration,
) -> Result<(Server, Vec<Metric>)> {
    let mut times = Vec::new();
    let mut server = None;
    for n in 0..starts {
        let s = Server::start(bin, db, &[]).await?;
        times.push(s.startup.as_secs_f64() * 1000.0);
        if n + 1 < starts {
            s.stop().await?;
        } else {
            server = Some(s);
        }
    }
    let server = server.expect("at least one start");
    tokio::time::sleep(settle).await;
    let idle = server.rss_anon() as f64 / 1e6;
    let metrics = vec![
        Metric::new("exec to first 200 (median)", median(&times), "ms"),
        Metric::new(
            "exec to first 200 (max)",
            times.iter().copied().fold(0.0, f64::max),
            "ms",
        ),
        Metric::new("idle anonymous RSS", idle, "MB"),
    ];
    Ok((server, metrics))
}
