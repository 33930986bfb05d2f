//! A fake remote server for the cluster tests: real HTTP on several
//! loopback ports (each `localhost:PORT` is a distinct host to the
//! sender), inboxes `/inbox/N`, every POST's HTTP signature verified with
//! the sending actor's public key. It records what arrived, counts the
//! requests in flight per host, and can hold its answers (while requests
//! keep arriving) so that a test can see several nodes sending at once
//! or kill one of them mid-send.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use loggia::federation::signatures::{
    PublicKey, RequestParts, SignatureHeader, prepare_verification,
};
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Clone)]
pub struct Receiver {
    pub ports: Vec<u16>,
    inner: Arc<Inner>,
}

struct Inner {
    key: PublicKey,
    /// Inbox number of every POST that arrived, in order.
    arrivals: Mutex<Vec<u32>>,
    /// What was wrong with requests (bad signature, wrong activity).
    errors: Mutex<Vec<String>>,
    /// Requests being answered now, per host, and the most seen at once.
    in_flight: Mutex<HashMap<String, (usize, usize)>>,
    /// Requests waiting for a held answer.
    waiting: AtomicUsize,
    answered: AtomicUsize,
    /// Once this many were answered, answers wait until `released`.
    hold_after: Mutex<Option<usize>>,
    released: watch::Sender<bool>,
}

impl Receiver {
    /// Listens on `hosts` ports, accepting activities signed with `key_pem`.
    pub async fn start(hosts: usize, key_pem: &str) -> Self {
        let inner = Arc::new(Inner {
            key: PublicKey::from_pem(key_pem).expect("the actor's public key"),
            arrivals: Mutex::default(),
            errors: Mutex::default(),
            in_flight: Mutex::default(),
            waiting: AtomicUsize::new(0),
            answered: AtomicUsize::new(0),
            hold_after: Mutex::new(None),
            released: watch::channel(false).0,
        });
        let app = Router::new()
            .route("/inbox/{n}", post(inbox))
            .with_state(inner.clone());
        let mut ports = Vec::new();
        for _ in 0..hosts {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(listener.local_addr().unwrap().port());
            let app = app.clone();
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
        Self { ports, inner }
    }

    /// The `(inbox, host)` of inbox `n`, spread over the hosts in turn.
    pub fn inbox(&self, n: u32) -> (String, String) {
        let host = format!("localhost:{}", self.ports[n as usize % self.ports.len()]);
        (format!("http://{host}/inbox/{n}"), host)
    }

    /// Answers wait (until [`release`](Self::release)) once `n` were answered.
    pub fn hold_after(&self, n: usize) {
        *self.inner.hold_after.lock().unwrap() = Some(n);
    }

    pub fn release(&self) {
        self.inner.released.send_replace(true);
    }

    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::SeqCst)
    }

    pub fn arrivals(&self) -> Vec<u32> {
        self.inner.arrivals.lock().unwrap().clone()
    }

    pub fn errors(&self) -> Vec<String> {
        self.inner.errors.lock().unwrap().clone()
    }

    /// The most requests one host was answering at once.
    pub fn max_in_flight_per_host(&self) -> usize {
        let hosts = self.inner.in_flight.lock().unwrap();
        hosts.values().map(|(_, max)| *max).max().unwrap_or(0)
    }
}

/// The payload the tests queue for inbox `n`.
pub fn activity(n: u32) -> String {
    serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/{n}", super::DOMAIN),
        "type": "Announce",
        "actor": format!("http://{}/actor", super::DOMAIN),
        "object": format!("http://{}/objects/{n}", super::DOMAIN),
    })
    .to_string()
}

/// POST /inbox/{n}
async fn inbox(
    State(inner): State<Arc<Inner>>,
    Path(n): Path<u32>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if let Err(e) = check(&inner.key, &uri, &headers, &body, n) {
        inner.errors.lock().unwrap().push(format!("inbox {n}: {e}"));
        return StatusCode::UNAUTHORIZED;
    }
    inner.arrivals.lock().unwrap().push(n);
    let host = header(&headers, "host").unwrap_or_default();
    let _flight = InFlight::enter(&inner, host);
    let hold = inner
        .hold_after
        .lock()
        .unwrap()
        .is_some_and(|after| inner.answered.load(Ordering::SeqCst) >= after);
    if hold {
        let mut released = inner.released.subscribe();
        let _waiting = Waiting::enter(&inner.waiting);
        let _ = released.wait_for(|r| *r).await;
    }
    inner.answered.fetch_add(1, Ordering::SeqCst);
    StatusCode::ACCEPTED
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The signature verifies with the actor's key, covers the body's digest,
/// and the activity is the one queued for this inbox.
fn check(
    key: &PublicKey,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    n: u32,
) -> Result<(), String> {
    let signature = header(headers, "signature").ok_or("unsigned")?;
    let signature = SignatureHeader::parse(&signature).map_err(|e| e.to_string())?;
    let lookup = |name: &str| header(headers, name);
    let parts = RequestParts {
        method: "POST",
        path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()),
        header: &lookup,
    };
    let message = prepare_verification(&parts, &signature, Some(body), SystemTime::now())
        .map_err(|e| e.to_string())?;
    key.verify(&message, &signature.signature)
        .map_err(|e| e.to_string())?;
    if body != activity(n).as_bytes() {
        return Err(format!(
            "unexpected activity {}",
            String::from_utf8_lossy(body)
        ));
    }
    Ok(())
}

/// Counts a request in flight for its host while it lives (also when the
/// sender hangs up and the handler is dropped).
struct InFlight<'a> {
    inner: &'a Inner,
    host: String,
}

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner, host: String) -> Self {
        let mut hosts = inner.in_flight.lock().unwrap();
        let (now, max) = hosts.entry(host.clone()).or_default();
        *now += 1;
        *max = (*max).max(*now);
        drop(hosts);
        Self { inner, host }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some((now, _)) = self.inner.in_flight.lock().unwrap().get_mut(&self.host) {
            *now -= 1;
        }
    }
}

/// Counts a request waiting for a held answer while it waits.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
