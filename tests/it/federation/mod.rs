//! Federation between real Loggia instances: each listens on its own
//! loopback port under its own host name (`alpha.test:PORT`, resolved to
//! 127.0.0.1 by the instance's HTTP client), signs what it sends and checks
//! what it receives. Alpha always runs on SQLite; beta on the run's backend
//! (PostgreSQL in the PostgreSQL pass).

mod fixtures;
mod inbound;
mod limits;
mod moderation;
mod outbound;
mod reports;
mod scenarios;
mod serving;
mod streaming;

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use loggia::config::{Config, Protocol};
use loggia::federation::delivery::{self, Worker};
use loggia::state::{AppState, Options};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::common::{TestApp, TestDb};

pub const NAMES: &[&str] = &["alpha.test", "beta.test", "gamma.test"];

/// One running instance.
pub struct Instance {
    pub app: TestApp,
    pub domain: String,
    pub port: u16,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    worker: Option<Worker>,
}

/// Which database an instance gets.
#[derive(Clone, Copy)]
pub enum Db {
    Sqlite,
    RunBackend,
}

fn config(name: &str, port: u16, url: &str, media: &std::path::Path) -> Config {
    Config {
        domain: format!("{name}:{port}"),
        protocol: Protocol::Http,
        listen: SocketAddr::from(([127, 0, 0, 1], port)),
        database_url: url.into(),
        database_max_connections: 5,
        media_dir: media.to_path_buf(),
        allow_private_networks: true,
        ..Config::default()
    }
}

fn options() -> Options {
    Options {
        resolve_overrides: NAMES
            .iter()
            .map(|n| (n.to_string(), IpAddr::V4(Ipv4Addr::LOCALHOST)))
            .collect::<HashMap<_, _>>(),
        ..Options::default()
    }
}

impl Instance {
    pub async fn start(name: &str, db: Db) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let db = match db {
            Db::Sqlite => TestDb::sqlite().await,
            Db::RunBackend => TestDb::new().await,
        };
        Self::boot(name, port, listener, db, true).await
    }

    /// Serves the stopped instance's database again, without a delivery
    /// worker: whatever is queued waits (as if the process died first).
    pub async fn start_without_worker_on(old: Instance) -> Self {
        Self::reboot(old, false, |_| {}).await
    }

    /// Starts a stopped instance again with a changed configuration.
    pub async fn restart_with(old: Instance, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::reboot(old, true, adjust).await
    }

    /// Stops the instance and serves its database again on the same port,
    /// with a fresh state (as after a restart).
    async fn reboot(mut old: Instance, worker: bool, adjust: impl FnOnce(&mut Config)) -> Self {
        old.go_down().await;
        let name = old.domain.split(':').next().unwrap().to_owned();
        let listener = TcpListener::bind(("127.0.0.1", old.port)).await.unwrap();
        let db = old.app.take_db();
        Self::boot_with(&name, old.port, listener, db, worker, adjust).await
    }

    async fn boot(name: &str, port: u16, listener: TcpListener, db: TestDb, worker: bool) -> Self {
        Self::boot_with(name, port, listener, db, worker, |_| {}).await
    }

    async fn boot_with(
        name: &str,
        port: u16,
        listener: TcpListener,
        db: TestDb,
        worker: bool,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let media = std::env::temp_dir().join(format!("loggia-fed-media-{name}-{port}"));
        let mut config = config(name, port, db.url(), &media);
        adjust(&mut config);
        let store = loggia::store::Store::connect(db.url(), 5).await.unwrap();
        store.migrate().await.unwrap();
        let state = AppState::with_options(config, store, options())
            .await
            .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = state.clone();
        let server = tokio::spawn(async move {
            loggia::server::serve(listener, served, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        let worker = worker.then(|| delivery::spawn(state.clone()));
        Self {
            domain: format!("{name}:{port}"),
            port,
            app: TestApp::from_state(state, db),
            stop: Some(stop),
            server: Some(server),
            worker,
        }
    }

    /// Stops serving (the database stays), as a crash or an outage would.
    pub async fn go_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(worker) = self.worker.take() {
            worker.stop().await;
        }
    }

    /// Starts again on the same port and database, with the delivery
    /// worker running.
    pub async fn come_back(self) -> Self {
        Self::reboot(self, true, |_| {}).await
    }

    pub fn state(&self) -> &AppState {
        &self.app.state
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.domain)
    }

    /// `@user@domain`
    pub fn handle(&self, user: &str) -> String {
        format!("@{user}@{}", self.domain)
    }

    /// Looks a remote handle or URL up through search, as an app would;
    /// returns the search results.
    pub async fn resolve(&self, token: &str, q: &str) -> Value {
        let path = format!(
            "/api/v2/search?resolve=true&q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let response = self.app.get_with_token(&path, token).await;
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    }

    /// The local id of a remote account, found through search.
    pub async fn account_id_of(&self, token: &str, handle: &str) -> String {
        let found = self.resolve(token, handle).await;
        found["accounts"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{handle} not found from {}: {found}", self.domain))
            .to_owned()
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.app.get_with_token(path, token).await;
        assert_eq!(response.status, 200, "{path}: {}", response.text());
        response.json()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An HTTP client for tests that resolves the instances' names (and does
/// not follow redirects, to see them).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    for name in NAMES {
        builder = builder.resolve(name, SocketAddr::from(([127, 0, 0, 1], 0)));
    }
    builder.build().unwrap()
}

/// Polls `check` until it returns `Some`, for up to 20 seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
