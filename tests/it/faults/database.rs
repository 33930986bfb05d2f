//! PostgreSQL going away under light load: the real binary, on a cluster of
//! its own (`start_postgres_faults` in scripts/postgres.sh), which the test
//! stops and starts again. During the outage requests fail cleanly (5xx
//! with a JSON error, in bounded time, the process alive); afterwards the
//! same process serves again and every acknowledged post is there.
//! PostgreSQL only: on SQLite the database is a file in the process.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

use crate::cluster::{self, Node, client, wait_until};
use crate::common::db::{Backend, backend};

/// The faults cluster: its URL, data directory and `pg_ctl`.
struct Cluster {
    url: String,
    data: String,
    pg_ctl: String,
}

impl Cluster {
    fn from_env() -> Option<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        match (
            var("TEST_POSTGRES_FAULTS_URL"),
            var("TEST_POSTGRES_FAULTS_DATA"),
            var("TEST_POSTGRES_BIN"),
        ) {
            (Some(url), Some(data), Some(bin)) => Some(Self {
                url,
                data,
                pg_ctl: format!("{bin}/pg_ctl"),
            }),
            _ => {
                assert!(
                    std::env::var_os("LOGGIA_TEST_REQUIRE_FAULTS").is_none(),
                    "LOGGIA_TEST_REQUIRE_FAULTS is set but TEST_POSTGRES_FAULTS_URL, \
                     TEST_POSTGRES_FAULTS_DATA and TEST_POSTGRES_BIN are not: call \
                     start_postgres_faults from scripts/postgres.sh"
                );
                eprintln!("skipped: no faults cluster (start_postgres_faults)");
                None
            }
        }
    }

    /// Runs `pg_ctl ARGS` (as the `postgres` user when we are root).
    fn pg_ctl(&self, args: &[&str]) {
        let log = format!("{}/../server.log", self.data);
        let mut all = vec![self.pg_ctl.as_str(), "-D", &self.data, "-l", &log, "-w"];
        all.extend_from_slice(args);
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let mut command = if root {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).args(&all);
            c
        } else {
            let mut c = std::process::Command::new(all[0]);
            c.args(&all[1..]);
            c
        };
        let out = command.output().expect("run pg_ctl");
        assert!(out.status.success(), "pg_ctl {args:?}: {out:?}");
    }

    /// A new database in the cluster; returns its URL.
    async fn database(&self) -> String {
        let name = format!(
            "faults_{}",
            loggia::crypto::random_token(9)
                .to_ascii_lowercase()
                .replace(['-', '_'], "x")
        );
        let mut admin = PgConnection::connect(&self.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let mut url = url::Url::parse(&self.url).unwrap();
        url.set_path(&format!("/{name}"));
        url.to_string()
    }
}

/// What one request of the load got: its status and body, and when it was
/// sent and answered.
struct Outcome {
    status: u16,
    body: Value,
    sent: Instant,
    answered: Instant,
}

/// Posts a status every 50 ms until `stop`, recording every answer; a
/// request may take 60 s at most (a hang guard).
fn load(
    base: String,
    token: String,
    stop: Arc<Mutex<bool>>,
) -> tokio::task::JoinHandle<Vec<Outcome>> {
    tokio::spawn(async move {
        let mut outcomes = Vec::new();
        let mut n = 0;
        while !*stop.lock().unwrap() {
            n += 1;
            let sent = Instant::now();
            let answer = client()
                .post(format!("{base}/api/v1/statuses"))
                .bearer_auth(&token)
                .timeout(Duration::from_secs(60))
                .json(&json!({"status": format!("load {n}"), "visibility": "public"}))
                .send()
                .await
                .expect("an answer within 60 s");
            let status = answer.status().as_u16();
            let body = answer.json().await.unwrap_or(Value::Null);
            let answered = Instant::now();
            outcomes.push(Outcome {
                status,
                body,
                sent,
                answered,
            });
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        outcomes
    })
}

#[tokio::test]
async fn a_database_restart_fails_requests_cleanly_and_loses_nothing() {
    if !matches!(backend(), Backend::Postgres { .. }) {
        return;
    }
    let Some(cluster) = Cluster::from_env() else {
        return;
    };
    let url = cluster.database().await;
    let mut node = Node::spawn("survivor", &url, &[]);
    node.ready().await;
    cluster::create_alice(&url).await;
    let base = format!("http://{}", node.address());
    let token = cluster::password_token(&base, "alice").await;

    let stop = Arc::new(Mutex::new(false));
    let running = load(base.clone(), token.clone(), stop.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.pg_ctl(&["-m", "fast", "stop"]);
    let stopped = Instant::now();

    // During the outage: a read and a write (at once: each may wait for the
    // pool's acquire timeout) fail with a JSON error.
    let probe = |method: &'static str, path: &'static str| {
        let (base, token) = (base.clone(), token.clone());
        async move {
            let started = Instant::now();
            let request = match method {
                "GET" => client().get(format!("{base}{path}")),
                _ => client()
                    .post(format!("{base}{path}"))
                    .json(&json!({"status": "during the outage"})),
            };
            let answer = request
                .bearer_auth(&token)
                .timeout(Duration::from_secs(60))
                .send()
                .await
                .expect("an answer during the outage");
            let status = answer.status().as_u16();
            let body: Value = answer.json().await.expect("a JSON error");
            eprintln!(
                "{method} {path} during the outage: {status} {body} after {:?}",
                started.elapsed()
            );
            assert!(
                (500..=599).contains(&status),
                "{method} {path}: {status} {body}"
            );
            assert!(body["error"].is_string(), "{body}");
        }
    };
    tokio::join!(
        probe("GET", "/api/v1/timelines/home"),
        probe("POST", "/api/v1/statuses")
    );
    assert_eq!(node.get("/health").await.0, 200, "the process is alive");

    // Long enough for the load (a post every 50 ms) to meet the outage.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarting = Instant::now();
    cluster.pg_ctl(&["start"]);
    wait_until("the node serves again", &[&node], || async {
        client()
            .get(format!("{base}/api/v1/timelines/home"))
            .bearer_auth(&token)
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    // Some posts go through after the restart, then the load stops.
    tokio::time::sleep(Duration::from_secs(1)).await;
    *stop.lock().unwrap() = true;
    let outcomes = running.await.unwrap();

    let acknowledged: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.status == 200)
        .filter_map(|o| o.body["id"].as_str())
        .collect();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.status != 200).collect();
    // A post that met the outage either failed at once (a pooled connection
    // the stop had broken) or waited for a new connection and went through
    // after the restart; either is clean, as long as one did meet it.
    let met = outcomes
        .iter()
        .filter(|o| o.sent < restarting && o.answered > stopped)
        .count();
    eprintln!(
        "{} posts under load: {} acknowledged, {} refused; {met} met the outage",
        outcomes.len(),
        acknowledged.len(),
        failed.len()
    );
    for o in &failed {
        assert!((500..=599).contains(&o.status), "{} {}", o.status, o.body);
        assert!(o.body["error"].is_string(), "{} {}", o.status, o.body);
    }
    assert!(met > 0, "the load ran into the outage");
    assert!(
        outcomes.last().is_some_and(|o| o.status == 200),
        "posting works again"
    );
    // No acknowledged write was lost.
    for id in acknowledged {
        let (status, body) = node.get(&format!("/api/v1/statuses/{id}")).await;
        assert_eq!(status, 200, "acknowledged post {id} is gone: {body}");
    }
}
