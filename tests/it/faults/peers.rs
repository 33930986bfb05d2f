//! Fake remote servers on loopback for the fault tests, each its own host
//! (`localhost:PORT`): a healthy one that checks every HTTP signature and
//! records what arrived, and misbehaving ones — one that never answers, one
//! answering 500, one answering bytes that are not HTTP, one dripping its
//! answer a byte at a time, one redirecting in a loop and one redirecting a
//! POST to a page that answers GETs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use loggia::federation::signatures::{
    PublicKey, RequestParts, SignatureHeader, prepare_verification,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Behaviour {
    Healthy,
    /// Accepts the connection, reads, never answers.
    BlackHole,
    Fails500,
    /// Answers bytes that are not HTTP, then hangs up.
    Garbage,
    /// Answers a status line and then one header byte every 100 ms, forever.
    Drip,
    /// 307 to itself, every time.
    RedirectLoop,
    /// 302 to a page that answers GETs with 200.
    RedirectToGet,
}

/// One fake server.
#[derive(Clone)]
pub struct Peer {
    pub host: String,
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The sender's public key (healthy peers check signatures with it).
    key: Mutex<Option<PublicKey>>,
    /// `(inbox number, activity)` of every signed POST that arrived.
    arrivals: Mutex<Vec<(u32, Value)>>,
    errors: Mutex<Vec<String>>,
    /// Requests (or, for raw TCP peers, connections) seen.
    requests: AtomicUsize,
    /// Connections open now, and the most at once.
    open: Mutex<(usize, usize)>,
    answered: AtomicUsize,
    /// Once this many were answered, answers wait until released.
    hold_after: Mutex<Option<usize>>,
    waiting: AtomicUsize,
    released: Option<watch::Sender<bool>>,
}

impl Peer {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("localhost:{}", listener.local_addr().unwrap().port());
        let inner = Arc::new(Inner {
            released: Some(watch::channel(false).0),
            ..Inner::default()
        });
        let raw = matches!(
            behaviour,
            Behaviour::BlackHole | Behaviour::Garbage | Behaviour::Drip
        );
        if raw {
            tokio::spawn(serve_raw(listener, behaviour, inner.clone()));
        } else {
            let app = Router::new()
                .route("/inbox/{n}", post(inbox))
                .route("/page", get(|| async { "a page, not an inbox" }))
                .fallback(any(|| async { StatusCode::NOT_FOUND }))
                .with_state((behaviour, inner.clone()));
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
        Self { host, inner }
    }

    /// Checks signatures with this public key from now on.
    pub fn expect_key(&self, pem: &str) {
        *self.inner.key.lock().unwrap() = Some(PublicKey::from_pem(pem).expect("a public key"));
    }

    /// `(inbox, host)` of inbox `n` here.
    pub fn inbox(&self, n: u32) -> (String, String) {
        (format!("http://{}/inbox/{n}", self.host), self.host.clone())
    }

    pub fn arrivals(&self) -> Vec<(u32, Value)> {
        self.inner.arrivals.lock().unwrap().clone()
    }

    /// Distinct inbox numbers that received something.
    pub fn inboxes_reached(&self) -> Vec<u32> {
        let mut seen: Vec<u32> = self.arrivals().into_iter().map(|(n, _)| n).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    }

    pub fn errors(&self) -> Vec<String> {
        self.inner.errors.lock().unwrap().clone()
    }

    pub fn requests(&self) -> usize {
        self.inner.requests.load(Ordering::SeqCst)
    }

    /// The most connections that were open at once.
    pub fn most_open(&self) -> usize {
        self.inner.open.lock().unwrap().1
    }

    /// Answers wait (until [`release`](Self::release)) once `n` were answered.
    pub fn hold_after(&self, n: usize) {
        *self.inner.hold_after.lock().unwrap() = Some(n);
    }

    pub fn release(&self) {
        if let Some(released) = &self.inner.released {
            released.send_replace(true);
        }
    }

    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::SeqCst)
    }
}

/// POST /inbox/{n}
async fn inbox(
    State((behaviour, inner)): State<(Behaviour, Arc<Inner>)>,
    Path(n): Path<u32>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    inner.requests.fetch_add(1, Ordering::SeqCst);
    match behaviour {
        Behaviour::Fails500 => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Behaviour::RedirectLoop => {
            return (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, uri.to_string())],
            )
                .into_response();
        }
        Behaviour::RedirectToGet => {
            return (StatusCode::FOUND, [(header::LOCATION, "/page")]).into_response();
        }
        _ => {}
    }
    let checked = check(&inner, &uri, &headers, &body);
    match checked {
        Ok(activity) => inner.arrivals.lock().unwrap().push((n, activity)),
        Err(e) => {
            inner.errors.lock().unwrap().push(format!("inbox {n}: {e}"));
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    let hold = inner
        .hold_after
        .lock()
        .unwrap()
        .is_some_and(|after| inner.answered.load(Ordering::SeqCst) >= after);
    if hold && let Some(released) = &inner.released {
        let mut released = released.subscribe();
        inner.waiting.fetch_add(1, Ordering::SeqCst);
        let _ = released.wait_for(|r| *r).await;
        inner.waiting.fetch_sub(1, Ordering::SeqCst);
    }
    inner.answered.fetch_add(1, Ordering::SeqCst);
    StatusCode::ACCEPTED.into_response()
}

/// The signature verifies with the expected key and covers the digest.
fn check(inner: &Inner, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Value, String> {
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
    let key = inner.key.lock().unwrap();
    let key = key.as_ref().ok_or("no key to check with")?;
    key.verify(&message, &signature.signature)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

async fn serve_raw(listener: TcpListener, behaviour: Behaviour, inner: Arc<Inner>) {
    while let Ok((stream, _)) = listener.accept().await {
        let inner = inner.clone();
        tokio::spawn(async move {
            {
                let mut open = inner.open.lock().unwrap();
                open.0 += 1;
                open.1 = open.1.max(open.0);
            }
            inner.requests.fetch_add(1, Ordering::SeqCst);
            misbehave(stream, behaviour).await;
            inner.open.lock().unwrap().0 -= 1;
        });
    }
}

/// Reads the request's start, then does what `behaviour` says; returns
/// when the client hung up (or after a minute).
async fn misbehave(mut stream: TcpStream, behaviour: Behaviour) {
    let mut buffer = vec![0u8; 64 * 1024];
    let _ = stream.read(&mut buffer).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    match behaviour {
        Behaviour::Garbage => {
            let _ = stream.write_all(b"\x00\x01garbage, not HTTP\r\n\r\n").await;
        }
        Behaviour::Drip => {
            let mut answer = b"HTTP/1.1 202 Accepted\r\nX-Drip: ".iter().copied();
            while tokio::time::Instant::now() < deadline {
                tokio::select! {
                    // The client hung up.
                    read = stream.read(&mut buffer) => if !matches!(read, Ok(n) if n > 0) {
                        return;
                    },
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {
                        let byte = answer.next().unwrap_or(b'a');
                        if stream.write_all(&[byte]).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
        _ => {
            // A black hole: keep reading until the client gives up.
            while tokio::time::Instant::now() < deadline {
                match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
                    Ok(Ok(n)) if n > 0 => {}
                    _ => return,
                }
            }
        }
    }
}
