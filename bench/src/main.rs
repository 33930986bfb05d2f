//! Loggia's benchmark harness. One run builds Loggia in release (or takes
//! a given binary), calibrates the machine, seeds a SQLite and a
//! PostgreSQL database, and runs each workload on both, interleaved,
//! writing a Markdown and a JSON report. See docs/benchmarks.md.

mod backend;
mod calibrate;
mod fleet;
mod loadgen;
mod report;
mod run;
mod scale;
mod seed;
mod server;
mod stats;
mod workloads;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::backend::{Database, Kind};
use crate::scale::Scale;

#[derive(Parser, Debug)]
#[command(
    name = "loggia-bench",
    about = "Measure Loggia on SQLite and PostgreSQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    options: Options,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// Reduced sizes and seconds per workload (CI's check that the harness works).
    #[arg(long, global = true)]
    smoke: bool,
    /// The `loggia` binary to measure; by default the harness builds it in release.
    #[arg(long, global = true)]
    loggia: Option<PathBuf>,
    /// Admin URL of a PostgreSQL server (a database is created on it).
    #[arg(long, global = true, env = "BENCH_POSTGRES_URL")]
    postgres: Option<String>,
    /// Fail instead of skipping PostgreSQL when no server is given.
    #[arg(long, global = true)]
    require_postgres: bool,
    /// Databases, logs and the report go here.
    #[arg(long, global = true, default_value = "target/bench")]
    work: PathBuf,
    /// Run only these workloads (comma-separated: startup, timeline,
    /// fanout, inbox); calibration always runs.
    #[arg(long, global = true, value_delimiter = ',')]
    only: Vec<String>,
    /// Run only on these databases (comma-separated: sqlite, postgres);
    /// by default on SQLite, and on PostgreSQL when a server is given.
    #[arg(long, global = true, value_delimiter = ',', value_enum)]
    backends: Vec<BackendArg>,
    /// Use the databases a previous run seeded at this size (in --work)
    /// instead of seeding again: quicker, but earlier runs' posts remain.
    #[arg(long, global = true)]
    reuse: bool,
    /// Repetitions per backend (default: 3, or 1 with --smoke).
    #[arg(long, global = true)]
    reps: Option<usize>,
    /// Also run the memory soak for this many minutes per backend (a mixed
    /// load; anonymous RSS sampled every 30 s). Not part of the default run.
    #[arg(long, global = true)]
    soak: Option<u64>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create and seed one backend's database, and say what it holds.
    Seed {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: BackendArg,
    },
    /// Start Loggia on a database `seed` made (same --work and size) and
    /// keep it running until Ctrl-C, for trying it by hand.
    Serve {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: BackendArg,
    },
    /// The hello-world server of the calibration (started by the harness).
    #[command(hide = true)]
    Hello {
        #[arg(long)]
        listen: String,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum BackendArg {
    Sqlite,
    Postgres,
}

impl From<BackendArg> for Kind {
    fn from(arg: BackendArg) -> Self {
        match arg {
            BackendArg::Sqlite => Kind::Sqlite,
            BackendArg::Postgres => Kind::Postgres,
        }
    }
}

/// Fixed ports: an instance's domain includes its port and is part of every
/// account's identity, so each backend's instance always uses the same one.
pub fn port(kind: Kind) -> u16 {
    match kind {
        Kind::Sqlite => 18480,
        Kind::Postgres => 18481,
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    // reqwest is built without a TLS provider of its own (as in Loggia).
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Some(Command::Hello { listen }) = &cli.command {
        return calibrate::serve_hello(listen).await;
    }
    let options = cli.options;
    let mut scale = if options.smoke {
        Scale::smoke()
    } else {
        Scale::full()
    };
    if let Some(reps) = options.reps {
        scale.reps = reps.max(1);
    }
    std::fs::create_dir_all(&options.work)?;
    let bin = match &options.loggia {
        Some(path) => path.clone(),
        None => build_release()?,
    };
    match cli.command {
        Some(Command::Seed { backend }) => {
            let kind = Kind::from(backend);
            let db = Database::fresh(
                kind,
                &options.work,
                &format!("loggia_bench_{}", scale.name),
                port(kind),
                options.postgres.as_deref(),
            )
            .await?;
            server::migrate(&bin, &db).await?;
            let seeded = seed::seed(&db, &scale).await?;
            println!("{}", serde_json::to_string_pretty(&seeded.summary())?);
            Ok(())
        }
        Some(Command::Serve { backend }) => {
            let kind = Kind::from(backend);
            let db = Database::existing(
                kind,
                &options.work,
                &format!("loggia_bench_{}", scale.name),
                port(kind),
                options.postgres.as_deref(),
            )?;
            seed::serve(&bin, &db).await
        }
        Some(Command::Hello { .. }) => unreachable!("handled above"),
        None => run::all(&options, &scale, &bin).await,
    }
}

/// `cargo build --release --bin loggia` in the repository; returns the binary.
fn build_release() -> Result<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    eprintln!("==> building loggia in release");
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["build", "--release", "--locked", "--bin", "loggia"])
        .current_dir(&root)
        .status()?;
    anyhow::ensure!(status.success(), "cargo build --release failed");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    Ok(target.join("release").join("loggia"))
}
