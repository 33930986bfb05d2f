//! A `loggia` process under test: started from the binary being measured,
//! watched through `/proc` (CPU time, anonymous RSS), stopped at the end.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::process::{Child, Command};

use crate::backend::Database;

/// Runs `loggia migrate` on `db` (creating the schema and recording the
/// instance's domain), with the environment the server will have.
pub async fn migrate(bin: &Path, db: &Database) -> Result<()> {
    let output = Command::new(bin)
        .arg("migrate")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(db.loggia_env())
        .output()
        .await
        .with_context(|| format!("running {} migrate", bin.display()))?;
    if !output.status.success() {
        bail!(
            "loggia migrate failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

pub struct Server {
    child: Child,
    pid: u32,
    pub base: String,
    /// From exec to the first 200 on `/api/v2/instance`.
    pub startup: Duration,
    peak: Arc<AtomicU64>,
    sampling: Arc<AtomicBool>,
}

impl Server {
    /// Starts `loggia serve` on `db` with extra settings and waits until
    /// `/api/v2/instance` answers 200.
    pub async fn start(bin: &Path, db: &Database, extra: &[(&str, String)]) -> Result<Self> {
        // Another server on the port would answer in this one's place.
        drop(
            std::net::TcpListener::bind(&db.listen)
                .with_context(|| format!("{} is in use (a loggia left running?)", db.listen))?,
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(db.dir.join("loggia.log"))?;
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(db.loggia_env());
        for (key, value) in extra {
            command.env(key, value);
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let url = format!("{}/api/v2/instance", db.base_url());
        let started = Instant::now();
        let mut child = command
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} serve", bin.display()))?;
        let pid = child.id().context("the server has no pid")?;
        loop {
            if let Ok(response) = client.get(&url).send().await
                && response.status() == 200
            {
                break;
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "loggia serve exited during start-up ({status}); see {}",
                    db.dir.join("loggia.log").display()
                );
            }
            if started.elapsed() > Duration::from_secs(300) {
                bail!("loggia serve did not answer within 300 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let startup = started.elapsed();
        let server = Self {
            child,
            pid,
            base: db.base_url(),
            startup,
            peak: Arc::new(AtomicU64::new(0)),
            sampling: Arc::new(AtomicBool::new(true)),
        };
        server.sample_rss();
        Ok(server)
    }

    /// User plus system CPU time of the whole process so far.
    pub fn cpu(&self) -> Duration {
        cpu_time(self.pid).unwrap_or_default()
    }

    /// Anonymous resident memory now, in bytes (heap and stacks; not the
    /// binary's pages or SQLite's mapped files).
    pub fn rss_anon(&self) -> u64 {
        rss_anon(self.pid).unwrap_or(0)
    }

    /// The highest anonymous RSS seen since the last reset (sampled every
    /// 50 ms).
    pub fn peak_rss_anon(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    pub fn reset_peak(&self) {
        self.peak.store(self.rss_anon(), Ordering::Relaxed);
    }

    fn sample_rss(&self) {
        let (pid, peak, sampling) = (self.pid, self.peak.clone(), self.sampling.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                if let Some(rss) = rss_anon(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s.
    pub async fn stop(mut self) -> Result<()> {
        self.sampling.store(false, Ordering::Relaxed);
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.pid as i32, libc::SIGTERM);
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        Ok(())
    }
}

/// Field 14 and 15 of `/proc/PID/stat` (utime, stime) in clock ticks.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields count from after ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks()))
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// `RssAnon` of `/proc/PID/status`, in bytes.
pub fn rss_anon(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
