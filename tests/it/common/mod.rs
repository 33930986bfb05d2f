//! The test harness: per-test databases, an in-process `TestApp`, request
//! helpers, named fixtures and schema checks.

pub mod db;
pub mod schema;
pub mod smtp;
pub mod snapshot;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use loggia::config::{Config, Protocol};
use loggia::service::accounts::{NewLocalUser, create_local_user};
use loggia::state::AppState;
use loggia::store::UserWithAccount;
use serde_json::Value;
use tower::ServiceExt;
use tower_http::normalize_path::NormalizePath;

pub use db::TestDb;

/// Form fields, as tests write them.
pub type Form<'a> = &'a [(&'a str, &'a str)];

pub const PASSWORD: &str = "correct horse battery staple";
pub const DOMAIN: &str = "loggia.test";

/// A Loggia instance served in-process on its own database.
pub struct TestApp {
    pub state: AppState,
    app: NormalizePath<Router>,
    /// Kept alive for the test: dropping it deletes a SQLite database.
    _db: Option<TestDb>,
}

/// What a request returned.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// `Set-Cookie` values as `name=value` pairs.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .collect()
    }

    #[track_caller]
    pub fn assert_status(&self, expected: StatusCode) -> &Self {
        assert_eq!(
            self.status,
            expected,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }
}

/// A test configuration: http, a fixed domain, the given database.
pub fn test_config(database_url: &str) -> Config {
    Config {
        domain: DOMAIN.into(),
        protocol: Protocol::Http,
        database_url: database_url.into(),
        database_max_connections: 5,
        ..Config::default()
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new().await;
        let mut config = test_config(db.url());
        adjust(&mut config);
        let state = AppState::init(config).await.expect("app state");
        let app = loggia::server::app(state.clone());
        Self {
            state,
            app,
            _db: Some(db),
        }
    }

    /// An app around an existing state (served over HTTP elsewhere too).
    pub fn from_state(state: AppState, db: TestDb) -> Self {
        let app = loggia::server::app(state.clone());
        Self {
            state,
            app,
            _db: Some(db),
        }
    }

    /// Hands the database over (to restart an instance on it).
    pub fn take_db(&mut self) -> TestDb {
        self._db.take().expect("the database was taken already")
    }

    /// Sends a request from the client address `ip`.
    pub async fn send_from(&self, ip: [u8; 4], mut request: Request<Body>) -> TestResponse {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        self.send_from([127, 0, 0, 1], request).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> TestResponse {
        self.send(form_request(Method::POST, path, pairs, &[]))
            .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// GET as a user (with their token) or anonymously.
    pub async fn get_as(&self, path: &str, token: Option<&str>) -> TestResponse {
        match token {
            Some(token) => self.get_with_token(path, token).await,
            None => self.get(path).await,
        }
    }

    /// A request with a bearer token and a form body.
    pub async fn send_with_token(
        &self,
        method: Method,
        path: &str,
        token: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        let auth = format!("Bearer {token}");
        self.send(form_request(
            method,
            path,
            pairs,
            &[("authorization", &auth)],
        ))
        .await
    }

    pub async fn post_with_token(
        &self,
        path: &str,
        token: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        self.send_with_token(Method::POST, path, token, pairs).await
    }

    pub async fn post_json_with_token(
        &self,
        path: &str,
        token: &str,
        body: &Value,
    ) -> TestResponse {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// A request with a bearer token and a JSON body, with any method.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// Posts a status and returns it (asserting success).
    pub async fn post_status(&self, token: &str, pairs: &[(&str, &str)]) -> Value {
        let response = self.post_with_token("/api/v1/statuses", token, pairs).await;
        response.assert_status(StatusCode::OK);
        response.json()
    }

    /// A user with a token carrying `read write follow`.
    pub async fn user_with_token(&self, username: &str) -> (UserWithAccount, String) {
        let user = self.create_user(username, "user").await;
        let token = self.token(username, "read write follow").await;
        (user, token)
    }

    /// Creates a local user with `PASSWORD`.
    pub async fn create_user(&self, username: &str, role: &str) -> UserWithAccount {
        create_local_user(
            &self.state.store,
            &self.state.config,
            &NewLocalUser {
                username: username.into(),
                email: format!("{username}@acme.example"),
                password: PASSWORD.into(),
                role: role.into(),
            },
        )
        .await
        .expect("create user")
    }

    /// Registers an app; returns (client_id, client_secret).
    pub async fn register_app(&self, scopes: &str, redirect_uri: &str) -> (String, String) {
        let response = self
            .post_form(
                "/api/v1/apps",
                &[
                    ("client_name", "Test client"),
                    ("redirect_uris", redirect_uri),
                    ("scopes", scopes),
                ],
            )
            .await;
        response.assert_status(StatusCode::OK);
        let app = response.json();
        (
            app["client_id"].as_str().unwrap().to_owned(),
            app["client_secret"].as_str().unwrap().to_owned(),
        )
    }

    /// An access token for `username` with `scopes`, through the password grant.
    pub async fn token(&self, username: &str, scopes: &str) -> String {
        let (client_id, client_secret) =
            self.register_app(scopes, "urn:ietf:wg:oauth:2.0:oob").await;
        let response = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "password"),
                    ("client_id", &client_id),
                    ("client_secret", &client_secret),
                    ("username", username),
                    ("password", PASSWORD),
                    ("scope", scopes),
                ],
            )
            .await;
        response.assert_status(StatusCode::OK);
        response.json()["access_token"].as_str().unwrap().to_owned()
    }
}

/// A multipart request with text fields and optionally one file
/// (field name, file name, content type, bytes).
pub fn multipart_request(
    method: Method,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &str, &[u8])>,
) -> Request<Body> {
    multipart_files_request(method, path, token, fields, file.as_slice())
}

/// A multipart request with text fields and any number of files.
pub fn multipart_files_request(
    method: Method,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> Request<Body> {
    let boundary = "loggia-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, content_type, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// A form-encoded request with extra headers (e.g. cookies).
pub fn form_request(
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body)).unwrap()
}

/// The query parameters of a `Location` header.
pub fn location_params(response: &TestResponse) -> Vec<(String, String)> {
    let location = response.header("location").expect("a Location header");
    let url = url::Url::parse(&location)
        .or_else(|_| url::Url::parse(&format!("http://{DOMAIN}{location}")))
        .expect("a URL");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// A URL where nothing listens (a service that is down).
pub async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}/check")
}

/// A classifier hook that accepts everything after `delay`, and its URL:
/// something that keeps a request (or an inbox delivery) busy that long.
pub async fn slow_classifier(delay: std::time::Duration) -> String {
    let hook = axum::Router::new().route(
        "/check",
        axum::routing::post(move || async move {
            tokio::time::sleep(delay).await;
            axum::Json(serde_json::json!({"verdict": "accept"}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/check", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });
    url
}

/// Registers a classifier hook at `url` for `direction` through the admin
/// API, as a new admin `boss`.
pub async fn add_hook(app: &TestApp, url: &str, direction: &str) -> serde_json::Value {
    app.create_user("boss", "admin").await;
    let admin = app.token("boss", "read admin:read admin:write").await;
    let created = app
        .send_json(
            axum::http::Method::POST,
            "/api/v1/loggia/admin/hooks",
            &admin,
            &serde_json::json!({"name": "Slow", "url": url, "direction": direction, "timeout_ms": 5000}),
        )
        .await;
    created.assert_status(axum::http::StatusCode::OK);
    created.json()
}

/// A published public post by `author`, as the store takes it:
/// `text` as it was written, no HTML.
pub fn public_post(
    author: loggia::model::AccountId,
    uri: &str,
    text: &str,
    local: bool,
) -> loggia::store::NewStatus {
    loggia::store::NewStatus {
        uri: uri.into(),
        url: None,
        account_id: author,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        reblog_of_id: None,
        text: text.into(),
        content: String::new(),
        spoiler_text: String::new(),
        sensitive: false,
        visibility: "public".into(),
        local_only: false,
        language: None,
        local,
        review_state: "published".into(),
        app_id: None,
        conversation_id: None,
        in_reply_to_uri: None,
        created_at: None,
    }
}

/// Stores a published public post by another server's account `author`, as
/// if it had arrived by federation: `text` becomes `<p>text</p>`.
pub async fn insert_remote_post(
    store: &loggia::store::Store,
    author: loggia::model::AccountId,
    uri: &str,
    text: &str,
) -> loggia::model::Status {
    let mut post = public_post(author, uri, text, false);
    post.content = format!("<p>{text}</p>");
    store.statuses().insert(&post).await.unwrap()
}
