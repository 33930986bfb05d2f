//! Media in an S3-compatible bucket, against a real S3 server: moto, which
//! scripts/test.sh starts (tests/s3/moto.sh) and names in
//! `TEST_S3_ENDPOINT`. Each test makes a bucket of its own. Without
//! `TEST_S3_ENDPOINT` the tests print a note and pass, unless
//! `LOGGIA_TEST_REQUIRE_S3` is set (scripts/test.sh sets it): then they fail.

use std::sync::Arc;

use axum::http::{Method, Request, StatusCode};
use futures_util::TryStreamExt;
use loggia::config::{Config, MediaBackend};
use loggia::crypto::random_token;
use loggia::state::AppState;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, ObjectStore, ObjectStoreExt};
use sqlx::Connection;

use crate::common::{
    TestApp, TestDb, TestResponse, multipart_files_request, multipart_request, test_config,
};

const KEY_ID: &str = "loggia-test";
const SECRET: &str = "loggia-test-secret";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const WEBM: &[u8] = include_bytes!("../fixtures/media/small.webm");
const THUMBNAIL_PNG: &[u8] = include_bytes!("../fixtures/media/thumbnail.png");

/// A fresh bucket on the test S3 server, and a client of our own to look
/// into it (independent of Loggia's).
struct TestBucket {
    endpoint: String,
    name: String,
    client: Arc<dyn ObjectStore>,
    http: reqwest::Client,
}

impl TestBucket {
    /// `None` (with a note) when no S3 server is configured and none is
    /// required.
    async fn new() -> Option<Self> {
        let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
            assert!(
                std::env::var_os("LOGGIA_TEST_REQUIRE_S3").is_none(),
                "LOGGIA_TEST_REQUIRE_S3 is set but TEST_S3_ENDPOINT is not: start moto with \
                 tests/s3/moto.sh (scripts/test.sh does)"
            );
            eprintln!(
                "note: TEST_S3_ENDPOINT is not set, so the S3 media tests do nothing \
                 (scripts/test.sh starts an S3 server and runs them)"
            );
            return None;
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        let name = format!(
            "loggia-{}",
            random_token(9)
                .to_ascii_lowercase()
                .replace(['_', '-'], "x")
        );
        let http = reqwest::Client::new();
        // moto accepts unsigned requests; creating a bucket is all we need.
        let created = http
            .put(format!("{endpoint}/{name}"))
            .send()
            .await
            .expect("the S3 server answers");
        assert!(
            created.status().is_success(),
            "cannot create a bucket: {created:?}"
        );
        let client = AmazonS3Builder::new()
            .with_endpoint(&endpoint)
            .with_allow_http(true)
            .with_bucket_name(&name)
            .with_region("us-east-1")
            .with_access_key_id(KEY_ID)
            .with_secret_access_key(SECRET)
            .build()
            .expect("S3 client");
        Some(Self {
            endpoint,
            name,
            client: Arc::new(client),
            http,
        })
    }

    fn configure(&self, config: &mut Config) {
        config.media_backend = MediaBackend::S3;
        config.s3_endpoint = self.endpoint.clone();
        config.s3_bucket = self.name.clone();
        config.s3_access_key_id = KEY_ID.into();
        config.s3_secret_access_key = SECRET.into();
        config.s3_path_style = true;
    }

    /// Where the bucket's objects can be fetched (once it is public).
    fn public_url(&self) -> String {
        format!("{}/{}", self.endpoint, self.name)
    }

    /// Lets anyone read the objects, as a bucket serving media directly is
    /// set up.
    async fn make_public(&self) {
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{}/*", self.name),
            }],
        });
        let response = self
            .http
            .put(format!("{}?policy", self.public_url()))
            .header("content-type", "application/json")
            .body(policy.to_string())
            .send()
            .await
            .expect("policy");
        assert!(response.status().is_success(), "{response:?}");
    }

    async fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .client
            .list(None)
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .expect("list the bucket");
        keys.sort();
        keys
    }

    /// An object's bytes and content type, if it is there.
    async fn object(&self, key: &str) -> Option<(Vec<u8>, String)> {
        match self.client.get(&ObjectPath::from(key)).await {
            Ok(found) => {
                let content_type = found
                    .attributes
                    .get(&Attribute::ContentType)
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let bytes = found.bytes().await.expect("object bytes");
                Some((bytes.to_vec(), content_type))
            }
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => panic!("cannot read {key}: {e}"),
        }
    }
}

/// An app on its own database, configured by `adjust`; also returns the
/// database URL, to count rows.
async fn app_with(adjust: impl FnOnce(&mut Config)) -> (TestApp, String) {
    let db = TestDb::new().await;
    let url = db.url().to_owned();
    let mut config = test_config(&url);
    adjust(&mut config);
    let state = AppState::init(config).await.expect("app state");
    (TestApp::from_state(state, db), url)
}

async fn media_rows(database_url: &str) -> i64 {
    let count = "SELECT COUNT(*) FROM media_attachments";
    if database_url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(database_url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&mut db).await.unwrap()
    } else {
        let mut db = sqlx::PgConnection::connect(database_url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&mut db).await.unwrap()
    }
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> TestResponse {
    app.send(multipart_request(
        Method::POST,
        "/api/v2/media",
        token,
        &[("description", "In a bucket")],
        Some(("file", "photo.jpg", "image/jpeg", bytes)),
    ))
    .await
}

async fn set_avatar(app: &TestApp, token: &str) -> TestResponse {
    app.send(multipart_request(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        token,
        &[],
        Some(("avatar", "me.jpg", "image/jpeg", &jpeg(200, 200))),
    ))
    .await
}

async fn get_range(app: &TestApp, path: &str, range: &str) -> TestResponse {
    app.send(
        Request::get(path)
            .header("range", range)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

fn key_of<'a>(url: &'a serde_json::Value, prefix: &str) -> &'a str {
    let url = url.as_str().unwrap();
    url.strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{url} should start with {prefix}"))
}

#[tokio::test]
async fn media_in_a_bucket_are_served_through_loggia() {
    let Some(s3) = TestBucket::new().await else {
        return;
    };
    let app = TestApp::with_config(|c| s3.configure(c)).await;
    let (_, alice) = app.user_with_token("alice").await;
    let media = upload(&app, &alice, &jpeg(640, 480))
        .await
        .assert_status(StatusCode::OK)
        .json();
    let id = media["id"].as_str().unwrap();
    let key = key_of(&media["url"], "http://loggia.test/media/");
    let preview = key_of(&media["preview_url"], "http://loggia.test/media/");
    let mut expected = vec![key.to_owned(), preview.to_owned()];
    expected.sort();
    assert_eq!(s3.keys().await, expected, "the file and its preview");
    let (stored, content_type) = s3.object(key).await.expect("in the bucket");
    assert_eq!(content_type, "image/jpeg");

    let served = app.get(&format!("/media/{key}")).await;
    served.assert_status(StatusCode::OK);
    assert_eq!(served.body, stored);
    assert_eq!(served.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(
        served.header("content-length"),
        Some(stored.len().to_string())
    );
    assert_eq!(served.header("cache-control").as_deref(), Some(IMMUTABLE));
    let part = get_range(&app, &format!("/media/{key}"), "bytes=2-5").await;
    part.assert_status(StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, &stored[2..6]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 2-5/{}", stored.len()))
    );
    let beyond = get_range(
        &app,
        &format!("/media/{key}"),
        &format!("bytes={}-", stored.len()),
    )
    .await;
    beyond.assert_status(StatusCode::RANGE_NOT_SATISFIABLE);
    app.get("/media/2020/01/missing.jpg")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // What Loggia did not produce for serving (an upload waiting to be
    // processed) is not served, even though it is in the bucket.
    app.state
        .media
        .put("2020/01/raw.upload", b"raw")
        .await
        .unwrap();
    assert!(s3.object("2020/01/raw.upload").await.is_some());
    app.get("/media/2020/01/raw.upload")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let status = app
        .post_status(
            &alice,
            &[("status", "from the bucket"), ("media_ids[]", id)],
        )
        .await;
    assert_eq!(status["media_attachments"][0]["url"], media["url"]);

    // A new preview replaces the old one in the bucket.
    let changed = app
        .send(multipart_files_request(
            Method::PUT,
            &format!("/api/v1/media/{id}"),
            &alice,
            &[],
            &[("thumbnail", "t.png", "image/png", THUMBNAIL_PNG)],
        ))
        .await
        .assert_status(StatusCode::OK)
        .json();
    let new_preview = key_of(&changed["preview_url"], "http://loggia.test/media/");
    assert!(
        s3.object(preview).await.is_none(),
        "the old preview is gone"
    );
    assert!(s3.object(new_preview).await.is_some());
    // Deleting a file deletes the object.
    app.state.media.delete(key).await.unwrap();
    assert!(s3.object(key).await.is_none());
    app.get(&format!("/media/{key}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Deleting what is not there is not an error.
    app.state.media.delete(key).await.unwrap();
}

#[tokio::test]
async fn media_urls_can_point_at_the_bucket() {
    let Some(s3) = TestBucket::new().await else {
        return;
    };
    s3.make_public().await;
    let public = s3.public_url();
    let app = TestApp::with_config(|c| {
        s3.configure(c);
        c.media_base_url = format!("{public}/");
    })
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    let media = upload(&app, &alice, &jpeg(320, 200))
        .await
        .assert_status(StatusCode::OK)
        .json();
    let prefix = format!("{public}/");
    let key = key_of(&media["url"], &prefix);
    key_of(&media["preview_url"], &prefix);
    let (stored, _) = s3.object(key).await.expect("in the bucket");
    // Straight from the bucket, typed and cacheable as Loggia serves it.
    let direct = s3
        .http
        .get(media["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), reqwest::StatusCode::OK);
    let header = |name: &str| {
        direct
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(header("cache-control").as_deref(), Some(IMMUTABLE));
    assert_eq!(direct.bytes().await.unwrap().to_vec(), stored);
    // Loggia still serves /media/ (e.g. as a CDN's origin).
    let served = app.get(&format!("/media/{key}")).await;
    assert_eq!(served.assert_status(StatusCode::OK).body, stored);

    let me = set_avatar(&app, &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    let avatar = me["avatar"].as_str().unwrap();
    assert!(avatar.starts_with(&prefix), "{avatar}");
    let fetched = s3.http.get(avatar).send().await.unwrap();
    assert_eq!(fetched.status(), reqwest::StatusCode::OK);
    // The public profile page shows it: its CSP lets images come from the bucket.
    let page = app.get("/@alice").await;
    page.assert_status(StatusCode::OK);
    let csp = page.header("content-security-policy").unwrap();
    let origin = url::Url::parse(&public)
        .unwrap()
        .origin()
        .ascii_serialization();
    assert!(
        csp.contains(&format!("img-src 'self' {origin} data:")),
        "{csp}"
    );
    assert!(page.text().contains(avatar), "the avatar is on the page");

    // Large files (transcoded videos) go up in parts, and come back whole.
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..9 * 1024 * 1024 + 123)
        .map(|i: u32| (i % 251) as u8)
        .collect();
    std::fs::write(dir.path().join("big.mp4"), &big).unwrap();
    app.state
        .media
        .put_file("2020/01/big.mp4", &dir.path().join("big.mp4"))
        .await
        .unwrap();
    let (stored, content_type) = s3.object("2020/01/big.mp4").await.expect("uploaded");
    assert_eq!(content_type, "video/mp4");
    assert!(stored == big, "the object is the file");
    let copy = dir.path().join("copy");
    assert!(
        app.state
            .media
            .fetch_to("2020/01/big.mp4", &copy)
            .await
            .unwrap()
    );
    assert!(std::fs::read(&copy).unwrap() == big, "fetched back whole");
    app.state.media.delete("2020/01/big.mp4").await.unwrap();
    assert!(
        !app.state
            .media
            .fetch_to("2020/01/big.mp4", &copy)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn videos_are_processed_from_and_into_the_bucket() {
    let Some(s3) = TestBucket::new().await else {
        return;
    };
    let app = TestApp::with_config(|c| s3.configure(c)).await;
    let (_, alice) = app.user_with_token("alice").await;
    let accepted = app
        .send(multipart_files_request(
            Method::POST,
            "/api/v2/media",
            &alice,
            &[],
            &[("file", "clip.webm", "video/webm", WEBM)],
        ))
        .await;
    let id = accepted.assert_status(StatusCode::ACCEPTED).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let media = loop {
        let response = app
            .get_with_token(&format!("/api/v1/media/{id}"), &alice)
            .await;
        match response.status {
            StatusCode::OK => break response.json(),
            StatusCode::PARTIAL_CONTENT => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => panic!("unexpected {other}: {}", response.text()),
        }
    };
    let key = key_of(&media["url"], "http://loggia.test/media/");
    let preview = key_of(&media["preview_url"], "http://loggia.test/media/");
    assert!(key.ends_with(".mp4"));
    let mut expected = vec![key.to_owned(), preview.to_owned()];
    expected.sort();
    assert_eq!(s3.keys().await, expected, "the upload as received is gone");
    let part = get_range(&app, &format!("/media/{key}"), "bytes=4-7").await;
    part.assert_status(StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, b"ftyp");
    assert_eq!(part.header("content-type").as_deref(), Some("video/mp4"));
}

#[tokio::test]
async fn storage_failures_are_clear_and_save_nothing() {
    let Some(s3) = TestBucket::new().await else {
        return;
    };
    // A port nothing listens on: a stopped server.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stopped = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let missing_bucket = |c: &mut Config| {
        s3.configure(c);
        c.s3_bucket = format!("{}-missing", s3.name);
    };
    let stopped_server = |c: &mut Config| {
        s3.configure(c);
        c.s3_endpoint = stopped.clone();
    };
    for (app, database) in [
        app_with(missing_bucket).await,
        app_with(stopped_server).await,
    ] {
        let (_, alice) = app.user_with_token("alice").await;
        let refused = upload(&app, &alice, &jpeg(64, 64)).await;
        let error = refused
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .json()["error"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            error.contains("could not be stored") && error.contains("nothing was saved"),
            "{error}"
        );
        assert_eq!(media_rows(&database).await, 0, "no row without its file");
        let refused = set_avatar(&app, &alice).await;
        assert!(
            refused
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .text()
                .contains("could not be stored")
        );
        let me = app
            .get_with_token("/api/v1/accounts/verify_credentials", &alice)
            .await
            .json();
        assert!(
            me["avatar"].as_str().unwrap().ends_with("missing.png"),
            "{me}"
        );
    }
    assert!(s3.keys().await.is_empty());
}

#[tokio::test]
async fn a_node_checks_the_bucket_before_it_serves() {
    let Some(s3) = TestBucket::new().await else {
        return;
    };
    let app = TestApp::with_config(|c| s3.configure(c)).await;
    app.state.media.prepare().await.expect("a writable bucket");
    assert!(s3.keys().await.is_empty(), "the probe object is removed");

    let db = TestDb::new().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_loggia"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOGGIA_DATABASE_URL", db.url())
        .env("LOGGIA_DOMAIN", "s3.test")
        .env("LOGGIA_PROTOCOL", "http")
        .env("LOGGIA_LISTEN", "127.0.0.1:0")
        .env("LOGGIA_MEDIA_BACKEND", "s3")
        .env("LOGGIA_S3_ENDPOINT", &s3.endpoint)
        .env("LOGGIA_S3_PATH_STYLE", "true")
        .env("LOGGIA_S3_BUCKET", format!("{}-gone", s3.name))
        .env("LOGGIA_S3_ACCESS_KEY_ID", KEY_ID)
        .env("LOGGIA_S3_SECRET_ACCESS_KEY", SECRET)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run loggia");
    let mut waited = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        waited += 1;
        if waited > 1200 {
            child.kill().unwrap();
            panic!("loggia serve started without a bucket");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(
        stderr.contains(&format!(
            "cannot write to the S3 bucket \"{}-gone\"",
            s3.name
        )) && stderr.contains("check s3_bucket"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
