//! A mock fediverse: many remote servers in this process, each on its own
//! loopback address (`127.N.X.Y:19000`; all of 127.0.0.0/8 is local on
//! Linux), so that Loggia sees a thousand distinct hosts — one connection
//! pool, one per-host limit and one circuit breaker each — as it would in
//! production.
//!
//! Every host serves a shared inbox (`POST /inbox`) and personal inboxes
//! (`POST /users/{name}/inbox`) that verify the HTTP signature with the
//! sender's key (given to the fleet beforehand: Loggia's own key fetch is
//! not what is measured) and record each arrival with its time; and actor
//! documents (`GET /users/{name}`) with a public key from a small pool, for
//! Loggia's key fetches in the inbox workload.
//!
//! It runs in the harness's runtime: what it does per request (one RSA
//! verification, ~50 µs, or one small JSON document) is small next to the
//! server's work, and staying in-process lets workloads read arrivals
//! without a protocol of their own.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use loggia::federation::signatures::{
    PublicKey, RequestParts, SignatureHeader, prepare_verification,
};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub const PORT: u16 = 19000;

/// How one host answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Behaviour {
    Healthy,
    /// Healthy, but answers after this delay.
    Slow(Duration),
    /// Answers every request with 500.
    Failing,
    /// Nothing listens: connections are refused.
    Dead,
    /// Accepts connections and reads, never answers.
    Hanging,
}

/// `127.NET.X.Y:19000`, host `i` of network `net` (Y never 0 or 255).
pub fn host(net: u8, i: usize) -> String {
    format!("{}:{PORT}", address(net, i))
}

fn address(net: u8, i: usize) -> Ipv4Addr {
    assert!(i < 250 * 256, "too many hosts");
    Ipv4Addr::new(127, net, (i / 250) as u8, (i % 250 + 1) as u8)
}

/// Which key of a pool of `pool` an actor's document names (the signing
/// side uses the same rule).
pub fn key_of(name: &str, pool: usize) -> usize {
    // FNV-1a: stable across runs and processes.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    (hash % pool.max(1) as u64) as usize
}

/// One signed POST that verified.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// Index of the host in the fleet.
    pub host: usize,
    pub at: Instant,
}

#[derive(Default)]
struct Shared {
    /// Keys of the senders we accept, by key id.
    senders: Mutex<HashMap<String, PublicKey>>,
    /// Public keys (PEM) actor documents hand out.
    actor_keys: Vec<String>,
    log: Mutex<Log>,
    /// Actor documents served.
    actor_fetches: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Log {
    arrivals: Vec<Arrival>,
    /// `(host, inbox path, activity id)` that arrived at least once.
    reached: HashSet<(usize, String, String)>,
    errors: Vec<String>,
}

#[derive(Clone)]
struct HostState {
    index: usize,
    name: String,
    behaviour: Behaviour,
    shared: Arc<Shared>,
}

pub struct Fleet {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Fleet {
    /// Starts host `i` on `127.NET.X.Y:19000` for each behaviour (a dead
    /// one is not bound). `actor_keys` are the public keys actor documents
    /// name (see [`key_of`]).
    pub async fn start(
        net: u8,
        behaviours: Vec<Behaviour>,
        actor_keys: Vec<String>,
    ) -> Result<Self> {
        let shared = Arc::new(Shared {
            actor_keys,
            ..Shared::default()
        });
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        for (index, &behaviour) in behaviours.iter().enumerate() {
            let name = host(net, index);
            if behaviour == Behaviour::Dead {
                continue;
            }
            let at = SocketAddr::new(address(net, index).into(), PORT);
            let listener = TcpListener::bind(at)
                .await
                .with_context(|| format!("binding {at}"))?;
            let task = if behaviour == Behaviour::Hanging {
                tokio::spawn(hang(listener, stopped.clone()))
            } else {
                let state = HostState {
                    index,
                    name,
                    behaviour,
                    shared: shared.clone(),
                };
                let app = Router::new()
                    .route("/inbox", post(inbox))
                    .route("/users/{name}/inbox", post(inbox))
                    .route("/users/{name}", get(actor))
                    .with_state(state);
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.wait_for(|s| *s).await;
                        })
                        .await;
                })
            };
            tasks.push(task);
        }
        Ok(Self {
            shared,
            stop,
            tasks,
        })
    }

    /// Accepts POSTs signed with this key from now on.
    pub fn trust(&self, key_id: &str, public_pem: &str) -> Result<()> {
        let key = PublicKey::from_pem(public_pem).map_err(|e| anyhow::anyhow!("{e}"))?;
        self.shared
            .senders
            .lock()
            .unwrap()
            .insert(key_id.to_owned(), key);
        Ok(())
    }

    pub fn arrivals(&self) -> Vec<Arrival> {
        self.shared.log.lock().unwrap().arrivals.clone()
    }

    /// Distinct (inbox, activity) pairs that arrived on the hosts `wanted`
    /// picks.
    pub fn reached(&self, wanted: impl Fn(usize) -> bool) -> usize {
        let log = self.shared.log.lock().unwrap();
        log.reached.iter().filter(|(h, _, _)| wanted(*h)).count()
    }

    /// Refused requests (bad signatures, unknown keys), as text.
    pub fn errors(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().errors.clone()
    }

    pub fn actor_fetches(&self) -> u64 {
        self.shared
            .actor_fetches
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Closes every listener and every connection, hanging ones included,
    /// so that the server's sends to them end at once.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            // Graceful shutdown waits for open keep-alive connections;
            // whatever is still open after a moment is cut.
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_millis(200), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// POST /inbox and /users/{name}/inbox
async fn inbox(
    State(host): State<HostState>,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match host.behaviour {
        Behaviour::Failing => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Behaviour::Slow(delay) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let at = Instant::now();
    let path = uri.0.path().to_owned();
    let checked = verify(&host.shared, &uri.0, &headers, &body);
    let mut log = host.shared.log.lock().unwrap();
    match checked {
        Ok(activity) => {
            log.reached.insert((host.index, path, activity));
            log.arrivals.push(Arrival {
                host: host.index,
                at,
            });
            StatusCode::ACCEPTED.into_response()
        }
        Err(e) => {
            log.errors.push(format!("{}{path}: {e}", host.name));
            StatusCode::UNAUTHORIZED.into_response()
        }
    }
}

/// Checks the signature (with a known sender key, covering the digest of
/// this body); returns the activity's id.
fn verify(
    shared: &Shared,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let signature = header("signature").ok_or("unsigned")?;
    let signature = SignatureHeader::parse(&signature).map_err(|e| e.to_string())?;
    let parts = RequestParts {
        method: "POST",
        path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()),
        header: &header,
    };
    let message = prepare_verification(&parts, &signature, Some(body), SystemTime::now())
        .map_err(|e| e.to_string())?;
    {
        let senders = shared.senders.lock().unwrap();
        let key = senders
            .get(&signature.key_id)
            .ok_or_else(|| format!("unknown key {}", signature.key_id))?;
        key.verify(&message, &signature.signature)
            .map_err(|e| e.to_string())?;
    }
    let activity: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    Ok(activity["id"].as_str().unwrap_or_default().to_owned())
}

/// GET /users/{name}: an actor document with a key from the pool.
async fn actor(State(host): State<HostState>, Path(name): Path<String>) -> Response {
    match host.behaviour {
        Behaviour::Failing => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Behaviour::Slow(delay) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let keys = &host.shared.actor_keys;
    if keys.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    host.shared
        .actor_fetches
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let document = actor_document(&host.name, &name, &keys[key_of(&name, keys.len())]);
    (
        [(header::CONTENT_TYPE, "application/activity+json")],
        document.to_string(),
    )
        .into_response()
}

/// The actor `name` on `host` as ActivityPub describes it.
pub fn actor_document(host: &str, name: &str, public_pem: &str) -> Value {
    let id = actor_uri(host, name);
    json!({
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1"
        ],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": format!("Remote {name}"),
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "following": format!("{id}/following"),
        "endpoints": { "sharedInbox": format!("http://{host}/inbox") },
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": public_pem,
        },
    })
}

pub fn actor_uri(host: &str, name: &str) -> String {
    format!("http://{host}/users/{name}")
}

/// A host that accepts and reads but never answers; connections end when
/// the client gives up or the fleet stops.
async fn hang(listener: TcpListener, stopped: watch::Receiver<bool>) {
    loop {
        let mut stop = stopped.clone();
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { return };
                let mut stop = stopped.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = drain(stream) => {}
                        _ = stop.wait_for(|s| *s) => {}
                    }
                });
            }
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn drain(mut stream: TcpStream) {
    let mut buffer = vec![0u8; 16 * 1024];
    while matches!(stream.read(&mut buffer).await, Ok(n) if n > 0) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_distinct_and_never_network_or_broadcast() {
        let all: HashSet<String> = (0..2_000).map(|i| host(1, i)).collect();
        assert_eq!(all.len(), 2_000);
        assert_eq!(host(1, 0), "127.1.0.1:19000");
        assert_eq!(host(1, 250), "127.1.1.1:19000");
        assert_eq!(key_of("a1", 4), key_of("a1", 4));
    }

    #[tokio::test]
    async fn behaves_as_told() {
        use Behaviour::*;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let pool = vec!["KEY".to_owned()];
        let fleet = Fleet::start(
            3,
            vec![
                Healthy,
                Failing,
                Dead,
                Hanging,
                Slow(Duration::from_millis(100)),
            ],
            pool,
        )
        .await
        .unwrap();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let get = |i: usize| {
            client
                .get(format!("http://{}/users/bob", host(3, i)))
                .send()
        };
        let doc: Value = get(0).await.unwrap().json().await.unwrap();
        assert_eq!(doc["publicKey"]["publicKeyPem"], "KEY");
        assert_eq!(
            doc["endpoints"]["sharedInbox"],
            "http://127.3.0.1:19000/inbox"
        );
        assert_eq!(get(1).await.unwrap().status(), 500);
        assert!(get(2).await.unwrap_err().is_connect());
        assert!(get(3).await.unwrap_err().is_timeout());
        let started = Instant::now();
        assert_eq!(get(4).await.unwrap().status(), 200);
        assert!(started.elapsed() >= Duration::from_millis(100));
        // Unsigned POSTs are refused and noted.
        let answer = client
            .post(format!("http://{}/inbox", host(3, 0)))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401);
        assert_eq!(fleet.errors().len(), 1);
        assert_eq!(fleet.actor_fetches(), 2);
        fleet.stop().await;
    }
}
