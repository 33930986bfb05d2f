//! Several Loggia processes on one database, as a multi-node installation
//! runs them: the real binary (`loggia serve`), started and killed by the
//! test, sharing the run's database (a PostgreSQL database, or one SQLite
//! file in WAL mode shared by the processes). Their deliveries go to
//! [`receiver::Receiver`], a real HTTP server in the test process that
//! checks every signature.

mod deliveries;
mod receiver;
mod startup;
mod streaming;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use crate::common::db::{Backend, DropOnExit, backend};

/// The instance all nodes serve (one instance, several processes).
pub const DOMAIN: &str = "cluster.test";

/// One `loggia serve` process.
pub struct Node {
    pub name: &'static str,
    child: Child,
    log: PathBuf,
    address: Option<SocketAddr>,
    _dir: tempfile::TempDir,
}

impl Node {
    /// Starts a node on `database_url` with the given extra settings
    /// (`("LOGGIA_ROLE", "worker")`, …); it is not ready yet.
    pub fn spawn(name: &'static str, database_url: &str, settings: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let log = dir.path().join("loggia.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_loggia"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LOGGIA_DOMAIN", DOMAIN)
            .env("LOGGIA_PROTOCOL", "http")
            .env("LOGGIA_LISTEN", "127.0.0.1:0")
            .env("LOGGIA_DATABASE_URL", database_url)
            .env("LOGGIA_DATABASE_MAX_CONNECTIONS", "5")
            .env("LOGGIA_MEDIA_DIR", dir.path().join("media"))
            // The receiver listens on localhost.
            .env("LOGGIA_ALLOW_PRIVATE_NETWORKS", "true")
            .env("LOGGIA_LOG_FORMAT", "json")
            .env("LOGGIA_LOG_LEVEL", "info");
        for (key, value) in settings {
            command.env(key, value);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start loggia serve");
        Self {
            name,
            child,
            log,
            address: None,
            _dir: dir,
        }
    }

    /// Waits until the node listens and `/ready` answers 200.
    pub async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.address.is_none() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "node {} exited during start-up ({status}):\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "node {} did not start:\n{}",
                self.name,
                self.log_tail()
            );
            self.address = std::fs::read_to_string(&self.log)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("Loggia is listening"))
                .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .and_then(|log| log["listen"].as_str()?.parse().ok());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (status, _) = self.get("/ready").await;
        assert_eq!(status, 200, "node {} is not ready", self.name);
    }

    /// Where the node listens (once ready).
    pub fn address(&self) -> SocketAddr {
        self.address.expect("the node is ready")
    }

    /// GETs a path of the node: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let address = self.address.expect("the node is ready");
        let response = client()
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path} from node {}: {e}", self.name));
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// A counter from `/metrics` (without the `loggia_` prefix).
    pub async fn counter(&self, name: &str) -> u64 {
        let (status, text) = self.get("/metrics").await;
        assert_eq!(status, 200);
        let prefix = format!("loggia_{name}_total ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix)?.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {prefix} in {text}")) as u64
    }

    /// Kills the process at once (SIGKILL), as a crash or an OOM kill would.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill the node");
        self.child.wait().expect("reap the node");
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates the local user `alice` (password `PASSWORD`) in the database at
/// `url`, as `loggia admin create-user` would.
pub async fn create_alice(url: &str) {
    let store = loggia::store::Store::connect(url, 2).await.unwrap();
    let mut config = crate::common::test_config(url);
    config.domain = DOMAIN.into();
    loggia::service::accounts::create_local_user(
        &store,
        &config,
        &loggia::service::accounts::NewLocalUser {
            username: "alice".into(),
            email: "alice@acme.example".into(),
            password: crate::common::PASSWORD.into(),
            role: "user".into(),
        },
    )
    .await
    .unwrap();
    store.close().await;
}

/// A password-grant token (`read write`) for `username` from the server at
/// `base` (`http://host:port`).
pub async fn password_token(base: &str, username: &str) -> String {
    let app: serde_json::Value = client()
        .post(format!("{base}/api/v1/apps"))
        .json(&serde_json::json!({"client_name": "cluster test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token: serde_json::Value = client()
        .post(format!("{base}/oauth/token"))
        .json(&serde_json::json!({
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": username,
            "password": crate::common::PASSWORD,
            "scope": "read write",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().expect("a token").to_owned()
}

pub fn client() -> reqwest::Client {
    // reqwest is built without a default crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// A database nothing has touched yet, on the run's backend: an empty
/// PostgreSQL database, or a path for a new SQLite file.
pub struct FreshDb {
    pub url: String,
    pub postgres: bool,
    _dir: Option<tempfile::TempDir>,
    _dropper: Option<DropOnExit>,
}

impl FreshDb {
    pub async fn new() -> Self {
        match backend() {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("loggia.db").display());
                Self {
                    url,
                    postgres: false,
                    _dir: Some(dir),
                    _dropper: None,
                }
            }
            Backend::Postgres { admin_url } => {
                let name = format!(
                    "fresh_{}",
                    loggia::crypto::random_token(9)
                        .to_ascii_lowercase()
                        .replace(['-', '_'], "x")
                );
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .expect("create an empty database");
                admin.close().await.ok();
                let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                Self {
                    url: url.to_string(),
                    postgres: true,
                    _dir: None,
                    _dropper: Some(DropOnExit::new(admin_url, name)),
                }
            }
        }
    }
}

/// Polls `check` until it returns true; fails with `what` and the nodes'
/// logs after two minutes (a hang guard, not a timing assertion).
pub async fn wait_until<F, Fut>(what: &str, nodes: &[&Node], mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(120);
    while !check().await {
        if Instant::now() > deadline {
            let logs: Vec<String> = nodes
                .iter()
                .map(|n| format!("--- node {} ---\n{}", n.name, n.log_tail()))
                .collect();
            panic!("gave up waiting until {what}\n{}", logs.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
