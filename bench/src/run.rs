//! One whole run: calibration, seeding, then every workload on each
//! backend, interleaved (SQLite, PostgreSQL, SQLite, PostgreSQL, …), and
//! the report.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::backend::{Database, Kind};
use crate::report::{Metric, Report};
use crate::scale::Scale;
use crate::seed::Seeded;
use crate::workloads::{fanout, inbox, soak, startup, timeline};
use crate::{Options, calibrate, port, seed, server};

pub async fn all(options: &Options, scale: &Scale, bin: &Path) -> Result<()> {
    let wanted = |w: &str| options.only.is_empty() || options.only.iter().any(|o| o == w);
    let mut report = Report {
        machine: machine(bin),
        scale: serde_json::to_value(scale)?,
        ..Report::default()
    };
    eprintln!("==> calibrating the machine");
    let (calibration, metrics) = calibrate::run(&options.work).await?;
    for m in &metrics {
        eprintln!("    {} = {:.3} {}", m.name, m.value, m.unit);
    }
    report.calibration = metrics;
    report.note(
        "home timeline",
        "Open-loop load (fixed arrival rate; latency from each request's due time) from the \
         harness on the same machine: the load generator and the server share the cores.",
    );

    let mut kinds = vec![Kind::Sqlite];
    match (&options.postgres, options.require_postgres) {
        (Some(_), _) => kinds.push(Kind::Postgres),
        (None, true) => anyhow::bail!("--require-postgres, but no PostgreSQL server was given"),
        (None, false) => eprintln!("==> no PostgreSQL server given: SQLite only"),
    }
    if !options.backends.is_empty() {
        let chosen: Vec<Kind> = options.backends.iter().map(|&b| b.into()).collect();
        if let Some(missing) = chosen.iter().find(|k| !kinds.contains(k)) {
            anyhow::bail!(
                "--backends {}, but no PostgreSQL server was given",
                missing.name()
            );
        }
        kinds = chosen;
    }
    let mut backends: Vec<(Database, Seeded)> = Vec::new();
    let needs_database = ["startup", "timeline", "fanout", "inbox"]
        .iter()
        .any(|w| wanted(w));
    for &kind in kinds.iter().filter(|_| needs_database) {
        let name = format!("loggia_bench_{}", scale.name);
        let postgres = options.postgres.as_deref();
        if options.reuse {
            let db = Database::existing(kind, &options.work, &name, port(kind), postgres)?;
            let seeded = Seeded::read(&db)?;
            eprintln!("==> reusing {} ({} statuses)", kind.name(), seeded.statuses);
            backends.push((db, seeded));
            continue;
        }
        eprintln!("==> seeding {} ({} statuses)", kind.name(), scale.statuses);
        let db = Database::fresh(kind, &options.work, &name, port(kind), postgres).await?;
        server::migrate(bin, &db).await?;
        let started = Instant::now();
        let seeded = seed::seed(&db, scale).await?;
        report.add(
            "seed",
            kind,
            0,
            vec![
                Metric::new("statuses", seeded.statuses as f64, "count"),
                Metric::new("home feed rows", seeded.home_rows as f64, "count"),
                Metric::new("load time", started.elapsed().as_secs_f64(), "s"),
            ],
        );
        backends.push((db, seeded));
    }

    for rep in 0..scale.reps {
        for (db, seeded) in &backends {
            let kind = db.kind;
            eprintln!("==> repetition {} on {}", rep + 1, kind.name());
            if wanted("startup") || wanted("timeline") {
                let (server, metrics) = startup::run(bin, db, 3, Duration::from_secs(5)).await?;
                report.add("startup and idle memory", kind, rep, metrics);
                if wanted("timeline") {
                    server.reset_peak();
                    let mut metrics = timeline::run(&server, seeded, scale, &calibration).await?;
                    metrics.push(Metric::new(
                        "peak anonymous RSS",
                        server.peak_rss_anon() as f64 / 1e6,
                        "MB",
                    ));
                    report.add("home timeline", kind, rep, metrics);
                }
                server.stop().await?;
            }
            if wanted("fanout") {
                let sign = calibration.sign_per_sec;
                let metrics = fanout::run(bin, db, seeded, scale, sign).await?;
                report.add("post fan-out and delivery", kind, rep, metrics);
            }
            if wanted("inbox") {
                let metrics = inbox::run(bin, db, seeded, scale).await?;
                report.add("inbox ingestion", kind, rep, metrics);
            }
        }
    }

    if let Some(minutes) = options.soak {
        for (db, seeded) in &backends {
            eprintln!("==> soak of {minutes} min on {}", db.kind.name());
            let server = crate::server::Server::start(bin, db, &[]).await?;
            let metrics = soak::run(&server, seeded, minutes).await?;
            report.add("memory soak", db.kind, 0, metrics);
            server.stop().await?;
        }
    }

    let dir = options.work.join("report");
    report.write(&dir)?;
    eprintln!("==> report: {}", dir.join("report.md").display());
    println!("{}", report.markdown());
    Ok(())
}

/// What the figures were measured on.
fn machine(bin: &Path) -> std::collections::BTreeMap<String, String> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown")
        .trim()
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or("unknown".into(), |kb| {
            format!("{:.1} GiB", kb as f64 / 1048576.0)
        });
    let command = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    [
        ("cpu", format!("{model} ({cores} cores available)")),
        ("memory", memory),
        (
            "kernel",
            read("/proc/sys/kernel/osrelease").trim().to_owned(),
        ),
        ("loggia binary", bin.display().to_string()),
        (
            "loggia commit",
            command("git", &["rev-parse", "--short", "HEAD"]),
        ),
        (
            "date",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
