//! External classifier hooks and event webhooks: the signed request and
//! every verdict, timeouts, closed ports, retries and failures failing
//! open or closed; webhook deliveries with Mastodon's signature, retried
//! later and given up; the admin API (CRUD, validation, permissions, the
//! audit log). A tiny axum server on 127.0.0.1:0 plays the classifier or
//! the receiver, recording what it got and answering as each test says.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use hmac::{Hmac, Mac};
use loggia::model::{Page, Timestamp, Visibility};
use loggia::moderation::hooks::{self, UNAVAILABLE_REASON};
use loggia::moderation::{Author, Direction, Finding, Rewrite, Subject, Verdict, webhooks};
use loggia::store::AuditFilter;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::common::TestApp;

const HOOKS: &str = "/api/v1/loggia/admin/hooks";
const WEBHOOKS: &str = "/api/v1/loggia/admin/webhooks";

/// What the fake server answers to its `n`th request (from 0).
#[derive(Clone)]
struct Reply {
    status: u16,
    body: String,
    delay: Duration,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        body: body.to_owned(),
        delay: Duration::ZERO,
    }
}

fn verdict(body: Value) -> Reply {
    reply(200, &body.to_string())
}

/// A request the fake server received.
#[derive(Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A classifier or webhook receiver on loopback.
struct FakeServer {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeServer {
    async fn start(script: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script = Arc::new(script);
        let handler = {
            let received = received.clone();
            move |headers: HeaderMap, body: Bytes| {
                let received = received.clone();
                let script = script.clone();
                async move {
                    let n = {
                        let mut all = received.lock().unwrap();
                        all.push(Received { headers, body });
                        all.len() - 1
                    };
                    let reply = script(n);
                    tokio::time::sleep(reply.delay).await;
                    (StatusCode::from_u16(reply.status).unwrap(), reply.body)
                }
            }
        };
        let app = Router::new().route("/check", axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url: format!("http://{address}/check"),
            received,
            task,
        }
    }

    /// Answers every request the same way.
    async fn always(reply: Reply) -> Self {
        Self::start(move |_| reply.clone()).await
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn admin_token(app: &TestApp) -> String {
    app.create_user("boss", "admin").await;
    app.token("boss", "read admin:read admin:write").await
}

/// Creates a hook through the API; returns its entity (with its secret).
async fn create_hook(app: &TestApp, token: &str, settings: Value) -> Value {
    let response = app.send_json(Method::POST, HOOKS, token, &settings).await;
    response.assert_status(StatusCode::OK);
    response.json()
}

/// An outbound hook at `url` with extra settings.
async fn outbound_hook(app: &TestApp, token: &str, url: &str, extra: Value) -> Value {
    let mut settings = json!({"name": "Classifier", "url": url, "direction": "outbound"});
    for (k, v) in extra.as_object().unwrap() {
        settings[k] = v.clone();
    }
    create_hook(app, token, settings).await
}

fn subject(text: &str) -> Subject {
    Subject {
        direction: Direction::Outbound,
        status_id: None,
        edit: false,
        author: Author {
            account_id: 1,
            acct: "alice".into(),
            domain: None,
            role: Some("user".into()),
            team: Some("sales".into()),
            ..Author::default()
        },
        visibility: Visibility::Public,
        company_only: false,
        destinations: vec!["partner.example".into()],
        origin: None,
        external: true,
        text: text.into(),
        spoiler_text: String::new(),
        sensitive: false,
        hashtags: vec![],
        links: vec![],
        mentions: 0,
        attachments: vec![],
        language: Some("en".into()),
    }
}

/// Asks every outbound hook about `text`.
async fn check_outbound(app: &TestApp, text: &str) -> Vec<Finding> {
    let policies = hooks::policies(&app.state, Direction::Outbound)
        .await
        .unwrap();
    let subject = subject(text);
    let mut findings = Vec::new();
    for policy in &policies {
        findings.push(policy.check(&subject).await);
    }
    findings
}

async fn only_finding(app: &TestApp, text: &str) -> Finding {
    let mut findings = check_outbound(app, text).await;
    assert_eq!(findings.len(), 1);
    findings.remove(0)
}

#[tokio::test]
async fn hook_requests_are_signed_and_every_verdict_maps() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let answers = [
        verdict(json!({"verdict": "accept"})),
        verdict(json!({"verdict": "reject", "reason": "Customer data"})),
        verdict(json!({"verdict": "hold", "reason": "Competitor named", "company_preview": true})),
        verdict(
            json!({"verdict": "rewrite", "reason": "partner", "rewrites": [
                {"type": "mark_sensitive"},
                {"type": "content_warning", "text": "Partner news"},
                {"type": "strip_media"},
                {"type": "append_disclaimer", "text": "Views are my own."},
            ]}),
        ),
    ];
    let classifier = FakeServer::start(move |n| answers[n].clone()).await;
    let hook = outbound_hook(&app, &token, &classifier.url, json!({})).await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let id = hook["id"].as_str().unwrap().to_owned();

    let policies = hooks::policies(&app.state, Direction::Outbound)
        .await
        .unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].name(), format!("hook:{id}"));

    let mut verdicts = Vec::new();
    for text in [
        "We shipped it",
        "ACME's numbers",
        "Better than Globex",
        "Partner",
    ] {
        let finding = policies[0].check(&subject(text)).await;
        assert_eq!(finding.policy, format!("hook:{id}"));
        assert_eq!(finding.note, None, "a hook that answered needs no note");
        verdicts.push(finding.verdict);
    }
    assert_eq!(
        verdicts,
        vec![
            Verdict::Accept,
            Verdict::Reject {
                reason: "Customer data".into()
            },
            Verdict::Hold {
                reason: "Competitor named".into(),
                company_preview: true
            },
            Verdict::Rewrite {
                rewrites: vec![
                    Rewrite::MarkSensitive,
                    Rewrite::ContentWarning("Partner news".into()),
                    Rewrite::StripMedia,
                    Rewrite::AppendDisclaimer("Views are my own.".into()),
                ]
            },
        ]
    );

    let received = classifier.received();
    assert_eq!(received.len(), 4);
    let first = &received[0];
    assert_eq!(first.header("content-type"), "application/json");
    let timestamp = first.header("x-loggia-timestamp");
    let seconds: i64 = timestamp.parse().unwrap();
    assert!((Timestamp::now().unix_seconds() - seconds).abs() < 60);
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(&first.body);
    assert_eq!(
        first.header("x-loggia-signature"),
        format!("sha256={}", hmac_hex(&secret, &signed)),
        "the signature verifies with the hook's secret"
    );
    let body = first.json();
    assert_eq!(body["hook_id"], json!(id));
    assert_eq!(body["subject"]["text"], "We shipped it");
    assert_eq!(body["subject"]["direction"], "outbound");
    assert_eq!(body["subject"]["author"]["team"], "sales");
    assert_eq!(body["subject"]["destinations"], json!(["partner.example"]));
}

#[tokio::test]
async fn hooks_are_picked_by_direction_and_changes_count_at_once() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let url = "http://127.0.0.1:9/check";
    let mut ids = Vec::new();
    for (name, direction, enabled) in [
        ("in", "inbound", true),
        ("out", "outbound", true),
        ("both", "both", true),
        ("off", "outbound", false),
    ] {
        let hook = create_hook(
            &app,
            &token,
            json!({"name": name, "url": url, "direction": direction, "enabled": enabled}),
        )
        .await;
        ids.push(format!("hook:{}", hook["id"].as_str().unwrap()));
    }
    let names = |direction| {
        let app = &app;
        async move {
            hooks::policies(&app.state, direction)
                .await
                .unwrap()
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(Direction::Outbound).await,
        vec![ids[1].clone(), ids[2].clone()]
    );
    assert_eq!(
        names(Direction::Inbound).await,
        vec![ids[0].clone(), ids[2].clone()]
    );

    let both = ids[2].trim_start_matches("hook:").to_owned();
    app.send_json(
        Method::PUT,
        &format!("{HOOKS}/{both}"),
        &token,
        &json!({"enabled": false}),
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(names(Direction::Outbound).await, vec![ids[1].clone()]);
}

#[tokio::test]
async fn a_hook_that_times_out_fails_open_or_closed() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let slow = FakeServer::always(Reply {
        delay: Duration::from_secs(2),
        ..verdict(json!({"verdict": "accept"}))
    })
    .await;
    let hook = outbound_hook(
        &app,
        &token,
        &slow.url,
        json!({"timeout_ms": 200, "retries": 0, "fail_mode": "open"}),
    )
    .await;
    let open = only_finding(&app, "hello").await;
    assert_eq!(open.verdict, Verdict::Accept);
    assert_eq!(
        open.note.as_deref(),
        Some("hook unavailable, failed open: no answer within 200 ms")
    );

    let id = hook["id"].as_str().unwrap();
    app.send_json(
        Method::PUT,
        &format!("{HOOKS}/{id}"),
        &token,
        &json!({"fail_mode": "closed"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let closed = only_finding(&app, "hello").await;
    assert_eq!(
        closed.verdict,
        Verdict::Hold {
            reason: UNAVAILABLE_REASON.into(),
            company_preview: false
        }
    );
    assert_eq!(
        closed.note.as_deref(),
        Some("hook unavailable, failed closed: no answer within 200 ms")
    );
}

#[tokio::test]
async fn a_closed_port_fails_with_the_connection_error() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let url = crate::common::closed_port_url().await;
    outbound_hook(
        &app,
        &token,
        &url,
        json!({"fail_mode": "closed", "retries": 1}),
    )
    .await;
    let finding = only_finding(&app, "hello").await;
    assert!(matches!(finding.verdict, Verdict::Hold { .. }));
    let note = finding.note.unwrap();
    assert!(
        note.starts_with("hook unavailable, failed closed: cannot connect"),
        "{note}"
    );
}

#[tokio::test]
async fn server_errors_and_timeouts_are_retried() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    // Two 503s, then an answer: three attempts with retries = 2.
    let flaky = FakeServer::start(|n| match n {
        0 | 1 => reply(503, "busy"),
        _ => verdict(json!({"verdict": "reject", "reason": "no"})),
    })
    .await;
    let hook = outbound_hook(&app, &token, &flaky.url, json!({"retries": 2})).await;
    let finding = only_finding(&app, "hello").await;
    assert_eq!(
        finding.verdict,
        Verdict::Reject {
            reason: "no".into()
        }
    );
    assert_eq!(flaky.received().len(), 3);

    // A first attempt that times out is tried again.
    let id = hook["id"].as_str().unwrap();
    let sleepy = FakeServer::start(|n| Reply {
        delay: if n == 0 {
            Duration::from_secs(2)
        } else {
            Duration::ZERO
        },
        ..verdict(json!({"verdict": "accept"}))
    })
    .await;
    app.send_json(
        Method::PUT,
        &format!("{HOOKS}/{id}"),
        &token,
        &json!({"url": sleepy.url, "retries": 1, "timeout_ms": 300}),
    )
    .await
    .assert_status(StatusCode::OK);
    let finding = only_finding(&app, "hello").await;
    assert_eq!((finding.verdict, finding.note), (Verdict::Accept, None));
    assert_eq!(sleepy.received().len(), 2);

    // Retries run out: the last error is the note.
    let down = FakeServer::always(reply(500, "")).await;
    app.send_json(
        Method::PUT,
        &format!("{HOOKS}/{id}"),
        &token,
        &json!({"url": down.url}),
    )
    .await
    .assert_status(StatusCode::OK);
    let finding = only_finding(&app, "hello").await;
    assert_eq!(
        finding.note.as_deref(),
        Some("hook unavailable, failed open: the hook answered HTTP 500")
    );
    assert_eq!(down.received().len(), 2);
}

#[tokio::test]
async fn client_errors_and_garbage_fail_without_retrying() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let cases = [
        (reply(400, "{}"), "the hook answered HTTP 400"),
        (reply(302, ""), "the hook answered HTTP 302"),
        (reply(200, "<html>ok</html>"), "the answer is not a verdict"),
        (
            verdict(json!({"verdict": "maybe"})),
            "the answer is not a verdict: unknown verdict \"maybe\"",
        ),
        (
            reply(200, &"x".repeat(70 * 1024)),
            "the answer is larger than 64 KiB",
        ),
    ];
    for (answer, expected) in cases {
        let server = FakeServer::always(answer).await;
        let hook = outbound_hook(&app, &token, &server.url, json!({"retries": 3})).await;
        let finding = only_finding(&app, "hello").await;
        assert_eq!(finding.verdict, Verdict::Accept);
        let note = finding.note.unwrap();
        assert!(
            note.starts_with(&format!("hook unavailable, failed open: {expected}")),
            "{note}"
        );
        assert_eq!(server.received().len(), 1, "{expected}: not retried");
        let id = hook["id"].as_str().unwrap();
        app.send_json(Method::DELETE, &format!("{HOOKS}/{id}"), &token, &json!({}))
            .await
            .assert_status(StatusCode::OK);
    }
}

/// The audit log's actions on `kind`, oldest first, with their details.
async fn audited(app: &TestApp, kind: &str) -> Vec<(String, String, Value)> {
    let filter = AuditFilter {
        target_kind: Some(kind.into()),
        ..AuditFilter::default()
    };
    let page = Page {
        limit: 100,
        ..Page::default()
    };
    let mut entries = app
        .state
        .store
        .audit_log()
        .page(&filter, &page)
        .await
        .unwrap();
    entries.reverse();
    entries
        .into_iter()
        .map(|e| (e.action, e.actor, serde_json::from_str(&e.details).unwrap()))
        .collect()
}

#[tokio::test]
async fn admins_manage_hooks_and_every_change_is_audited() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let created = create_hook(
        &app,
        &token,
        json!({"name": "DLP", "url": "https://dlp.intranet/check", "direction": "both",
               "secret": "s3cret-s3cret", "timeout_ms": 1500, "retries": 2, "fail_mode": "closed"}),
    )
    .await;
    assert_eq!(created["secret"], "s3cret-s3cret");
    assert_eq!(created["direction"], "both");
    assert_eq!(created["timeout_ms"], 1500);
    assert_eq!(created["retries"], 2);
    assert_eq!(created["fail_mode"], "closed");
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_str().unwrap().to_owned();

    // Defaults, and a generated secret shown once.
    let generated = app
        .post_with_token(
            HOOKS,
            &token,
            &[
                ("name", "Tone"),
                ("url", "http://10.1.2.3:8080/"),
                ("direction", "outbound"),
            ],
        )
        .await;
    generated.assert_status(StatusCode::OK);
    let generated = generated.json();
    assert!(generated["secret"].as_str().unwrap().len() >= 32);
    assert_eq!(generated["timeout_ms"], 2000);
    assert_eq!(generated["retries"], 1);
    assert_eq!(generated["fail_mode"], "open");

    let list = app.get_with_token(HOOKS, &token).await;
    list.assert_status(StatusCode::OK);
    let list = list.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], json!(id));
    assert!(list[0].get("secret").is_none(), "secrets are shown once");
    let shown = app.get_with_token(&format!("{HOOKS}/{id}"), &token).await;
    shown.assert_status(StatusCode::OK);
    assert!(shown.json().get("secret").is_none());

    let updated = app
        .send_json(
            Method::PUT,
            &format!("{HOOKS}/{id}"),
            &token,
            &json!({"name": "DLP v2", "secret": "another-secret"}),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    let updated = updated.json();
    assert_eq!(updated["name"], "DLP v2");
    assert_eq!(updated["fail_mode"], "closed", "what is not sent stays");
    assert!(updated.get("secret").is_none());
    let stored = app
        .state
        .store
        .policy_hooks()
        .by_id(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.secret, "another-secret");

    app.send_json(Method::DELETE, &format!("{HOOKS}/{id}"), &token, &json!({}))
        .await
        .assert_status(StatusCode::OK);
    app.get_with_token(&format!("{HOOKS}/{id}"), &token)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send_json(Method::DELETE, &format!("{HOOKS}/{id}"), &token, &json!({}))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get_with_token(&format!("{HOOKS}/nonsense"), &token)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let entries = audited(&app, "hook").await;
    let actions: Vec<&str> = entries.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "hook.created",
            "hook.created",
            "hook.updated",
            "hook.deleted"
        ]
    );
    assert!(entries.iter().all(|(_, actor, _)| actor == "boss"));
    assert_eq!(entries[0].2["name"], "DLP");
    assert_eq!(entries[0].2["fail_mode"], "closed");
    assert_eq!(entries[2].2["secret_changed"], true);
    for (_, _, details) in &entries {
        let text = details.to_string();
        assert!(
            !text.contains("s3cret") && !text.contains("another-secret"),
            "no secret in the audit log: {text}"
        );
        assert!(details.get("secret").is_none());
    }
}

#[tokio::test]
async fn hook_settings_are_validated() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let base = json!({"name": "X", "url": "http://127.0.0.1:9/", "direction": "outbound"});
    let cases = [
        (json!({"name": ""}), "name can't be blank"),
        (
            json!({"url": "ftp://files.intranet/"}),
            "url must be an http or https URL",
        ),
        (json!({"url": "not a url"}), "url is not a valid URL"),
        (
            json!({"url": "https://me:pw@dlp.intranet/"}),
            "url may not carry credentials",
        ),
        (
            json!({"direction": "sideways"}),
            "direction must be inbound, outbound or both",
        ),
        (
            json!({"timeout_ms": 10001}),
            "timeout_ms must be between 50 and 10000",
        ),
        (json!({"retries": 4}), "retries must be between 0 and 3"),
        (
            json!({"fail_mode": "ajar"}),
            "fail_mode must be open or closed",
        ),
        (json!({"secret": "  "}), "secret can't be blank"),
    ];
    for (change, message) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app.send_json(Method::POST, HOOKS, &token, &body).await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.starts_with(&format!("Validation failed: {message}")),
            "{error}"
        );
    }
    let mut no_direction = base.clone();
    no_direction.as_object_mut().unwrap().remove("direction");
    app.send_json(Method::POST, HOOKS, &token, &no_direction)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(audited(&app, "hook").await.is_empty());
}

#[tokio::test]
async fn only_people_who_manage_settings_may_touch_hooks() {
    let app = TestApp::new().await;
    let admin = admin_token(&app).await;
    let hook = create_hook(
        &app,
        &admin,
        json!({"name": "X", "url": "http://127.0.0.1:9/", "direction": "outbound"}),
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    app.create_user("plain", "user").await;
    let plain = app.token("plain", "read admin:read admin:write").await;
    app.create_user("mod", "moderator").await;
    let moderator = app.token("mod", "read admin:read admin:write").await;
    let unscoped = app.token("boss", "read write").await;

    for token in [&plain, &moderator] {
        for path in [
            HOOKS.to_owned(),
            format!("{HOOKS}/{id}"),
            WEBHOOKS.to_owned(),
        ] {
            let response = app.get_with_token(&path, token).await;
            response.assert_status(StatusCode::FORBIDDEN);
            assert_eq!(response.json()["error"], "This action is not allowed");
        }
        for (method, path) in [
            (Method::POST, HOOKS.to_owned()),
            (Method::PUT, format!("{HOOKS}/{id}")),
            (Method::DELETE, format!("{HOOKS}/{id}")),
            (Method::POST, format!("{HOOKS}/{id}/test")),
            (Method::POST, WEBHOOKS.to_owned()),
        ] {
            app.send_json(method, &path, token, &json!({"name": "Y"}))
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
    }
    let response = app.get_with_token(HOOKS, &unscoped).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        response.json()["error"],
        "This action is outside the authorized scopes"
    );
    app.get(HOOKS).await.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        audited(&app, "hook").await.len(),
        1,
        "only the admin's change"
    );
}

#[tokio::test]
async fn testing_a_hook_shows_its_finding() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let classifier = FakeServer::always(verdict(
        json!({"verdict": "hold", "reason": "Mentions a customer"}),
    ))
    .await;
    let hook = outbound_hook(&app, &token, &classifier.url, json!({"enabled": false})).await;
    let id = hook["id"].as_str().unwrap();
    let response = app
        .send_json(
            Method::POST,
            &format!("{HOOKS}/{id}/test"),
            &token,
            &json!({"text": "Lunch with #ACME at https://acme.example"}),
        )
        .await;
    response.assert_status(StatusCode::OK);
    let finding = response.json();
    assert_eq!(finding["policy"], format!("hook:{id}"));
    assert_eq!(finding["verdict"]["verdict"], "hold");
    assert_eq!(finding["verdict"]["reason"], "Mentions a customer");
    let sent = classifier.received()[0].json();
    assert_eq!(
        sent["subject"]["text"],
        "Lunch with #ACME at https://acme.example"
    );
    assert_eq!(sent["subject"]["author"]["acct"], "boss");
    assert_eq!(sent["subject"]["hashtags"], json!(["ACME"]));
    assert_eq!(sent["subject"]["links"], json!(["https://acme.example"]));

    // A hook that cannot be reached shows its fallback.
    let url = crate::common::closed_port_url().await;
    app.send_json(
        Method::PUT,
        &format!("{HOOKS}/{id}"),
        &token,
        &json!({"url": url}),
    )
    .await
    .assert_status(StatusCode::OK);
    let finding = app
        .send_json(
            Method::POST,
            &format!("{HOOKS}/{id}/test"),
            &token,
            &json!({}),
        )
        .await
        .json();
    assert_eq!(finding["verdict"]["verdict"], "accept");
    assert!(
        finding["note"]
            .as_str()
            .unwrap()
            .starts_with("hook unavailable, failed open")
    );
    app.send_json(
        Method::POST,
        &format!("{HOOKS}/999/test"),
        &token,
        &json!({}),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

// Event webhooks.

async fn create_webhook(app: &TestApp, token: &str, settings: Value) -> Value {
    let response = app
        .send_json(Method::POST, WEBHOOKS, token, &settings)
        .await;
    response.assert_status(StatusCode::OK);
    response.json()
}

async fn deliveries(app: &TestApp, webhook: &Value) -> Vec<loggia::store::WebhookDelivery> {
    app.state
        .store
        .webhooks()
        .deliveries(webhook["id"].as_str().unwrap().parse().unwrap(), 100)
        .await
        .unwrap()
}

#[tokio::test]
async fn events_reach_subscribed_webhooks_signed_as_mastodon_signs_them() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let receiver = FakeServer::always(reply(200, "")).await;
    let other = FakeServer::always(reply(200, "")).await;
    let webhook = create_webhook(
        &app,
        &token,
        json!({"url": receiver.url, "events": ["status.created", "report.created"]}),
    )
    .await;
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    create_webhook(
        &app,
        &token,
        json!({"url": other.url, "events": ["account.approved"]}),
    )
    .await;
    create_webhook(
        &app,
        &token,
        json!({"url": other.url, "events": ["status.created"], "enabled": false}),
    )
    .await;

    webhooks::emit(
        &app.state,
        "status.created",
        json!({"id": "42", "content": "<p>hi</p>"}),
    )
    .await;
    assert_eq!(webhooks::run_once(&app.state).await.unwrap(), 1);
    assert_eq!(
        webhooks::run_once(&app.state).await.unwrap(),
        0,
        "sent once"
    );

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(other.received().is_empty(), "other events, or disabled");
    let request = &received[0];
    assert_eq!(request.header("content-type"), "application/json");
    assert_eq!(
        request.header("x-hub-signature"),
        format!("sha256={}", hmac_hex(&secret, &request.body))
    );
    let payload = request.json();
    assert_eq!(payload["event"], "status.created");
    assert_eq!(
        payload["object"],
        json!({"id": "42", "content": "<p>hi</p>"})
    );
    let created_at = payload["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok());

    let rows = deliveries(&app, &webhook).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attempts, 1);
    assert!(rows[0].delivered_at.is_some() && rows[0].next_attempt_at.is_none());
}

#[tokio::test]
async fn failed_deliveries_are_retried_later_then_given_up() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let receiver = FakeServer::start(|n| {
        if n == 0 {
            reply(500, "")
        } else {
            reply(204, "")
        }
    })
    .await;
    let webhook = create_webhook(
        &app,
        &token,
        json!({"url": receiver.url, "events": "report.created"}),
    )
    .await;
    assert_eq!(webhook["events"], json!(["report.created"]));

    webhooks::emit(&app.state, "report.created", json!({"id": "7"})).await;
    webhooks::run_once(&app.state).await.unwrap();
    let rows = deliveries(&app, &webhook).await;
    assert_eq!(rows[0].attempts, 1);
    assert_eq!(
        rows[0].last_error.as_deref(),
        Some("the receiver answered HTTP 500")
    );
    let next = rows[0].next_attempt_at.unwrap();
    assert!(next > Timestamp::now(), "tried again later, not at once");
    assert_eq!(webhooks::run_once(&app.state).await.unwrap(), 0);

    // Later, it arrives; both attempts carried the same body.
    assert_eq!(webhooks::run_once_at(&app.state, next).await.unwrap(), 1);
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
    let rows = deliveries(&app, &webhook).await;
    assert_eq!(rows[0].attempts, 2);
    assert!(rows[0].delivered_at.is_some());

    // A receiver that never answers is given up after MAX_ATTEMPTS.
    let url = crate::common::closed_port_url().await;
    let dead = create_webhook(
        &app,
        &token,
        json!({"url": url, "events": ["report.created"]}),
    )
    .await;
    webhooks::emit(&app.state, "report.created", json!({"id": "8"})).await;
    let mut at = Timestamp::now();
    for _ in 0..webhooks::MAX_ATTEMPTS {
        webhooks::run_once_at(&app.state, at).await.unwrap();
        at = at.plus_seconds(24 * 3600);
    }
    let rows = deliveries(&app, &dead).await;
    assert_eq!(rows[0].attempts, webhooks::MAX_ATTEMPTS);
    assert_eq!(rows[0].next_attempt_at, None, "given up");
    assert_eq!(rows[0].delivered_at, None);
    assert!(
        rows[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("cannot connect")
    );
    assert_eq!(webhooks::run_once_at(&app.state, at).await.unwrap(), 0);
}

#[tokio::test]
async fn admins_manage_webhooks_with_checked_events() {
    let app = TestApp::new().await;
    let token = admin_token(&app).await;
    let created = create_webhook(
        &app,
        &token,
        json!({"url": "https://hooks.intranet/in", "events": ["status.created", "status.updated"]}),
    )
    .await;
    assert!(created["secret"].as_str().unwrap().len() >= 32);
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_str().unwrap().to_owned();
    let with_secret =
        create_webhook(&app, &token, json!({"url": "https://hooks.intranet/b", "events": ["account.created"], "secret": "mine-mine"})).await;
    assert_eq!(with_secret["secret"], "mine-mine");

    let list = app.get_with_token(WEBHOOKS, &token).await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0].get("secret").is_none());
    assert_eq!(
        list[0]["events"],
        json!(["status.created", "status.updated"])
    );

    for (body, message) in [
        (
            json!({"url": "https://x.intranet/", "events": ["status.deleted"]}),
            "unknown event \"status.deleted\"",
        ),
        (
            json!({"url": "https://x.intranet/", "events": []}),
            "events must name at least one of",
        ),
        (
            json!({"url": "https://x.intranet/"}),
            "events must name at least one of",
        ),
        (json!({"events": ["status.created"]}), "url can't be blank"),
    ] {
        let response = app.send_json(Method::POST, WEBHOOKS, &token, &body).await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(message), "{error}");
        assert!(
            error.contains("account.approved, account.created") || !message.starts_with("events")
        );
    }

    let updated = app
        .send_json(
            Method::PUT,
            &format!("{WEBHOOKS}/{id}"),
            &token,
            &json!({"events": ["report.created", "report.updated"], "enabled": false}),
        )
        .await;
    updated.assert_status(StatusCode::OK);
    let updated = updated.json();
    assert_eq!(
        updated["events"],
        json!(["report.created", "report.updated"])
    );
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["url"], "https://hooks.intranet/in");
    app.send_json(
        Method::PUT,
        &format!("{WEBHOOKS}/{id}"),
        &token,
        &json!({"events": ["nope"]}),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let shown = app
        .get_with_token(&format!("{WEBHOOKS}/{id}"), &token)
        .await;
    assert_eq!(
        shown.json()["events"],
        json!(["report.created", "report.updated"])
    );

    app.send_json(
        Method::DELETE,
        &format!("{WEBHOOKS}/{id}"),
        &token,
        &json!({}),
    )
    .await
    .assert_status(StatusCode::OK);
    app.get_with_token(&format!("{WEBHOOKS}/{id}"), &token)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let entries = audited(&app, "webhook").await;
    let actions: Vec<&str> = entries.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "webhook.created",
            "webhook.created",
            "webhook.updated",
            "webhook.deleted"
        ]
    );
    assert_eq!(
        entries[2].2["events"],
        json!(["report.created", "report.updated"])
    );
    assert_eq!(entries[2].2["secret_changed"], false);
    assert!(
        entries
            .iter()
            .all(|(_, _, d)| !d.to_string().contains("mine-mine"))
    );
}

#[tokio::test]
async fn sign_ups_emit_account_created() {
    let app = TestApp::with_config(|c| {
        c.registrations = loggia::config::Registrations::Open;
        c.email_confirmation = false;
    })
    .await;
    let token = admin_token(&app).await;
    let receiver = FakeServer::always(reply(200, "")).await;
    create_webhook(
        &app,
        &token,
        json!({"url": receiver.url, "events": ["account.created"]}),
    )
    .await;

    let signed_up = loggia::service::registration::sign_up(
        &app.state.store,
        &app.state.config,
        &loggia::service::registration::SignUp {
            username: "newbie".into(),
            email: "newbie@acme.example".into(),
            password: "a long enough password".into(),
            agreement: true,
            ip: "192.0.2.1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    webhooks::run_once(&app.state).await.unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let payload = received[0].json();
    assert_eq!(payload["event"], "account.created");
    assert_eq!(payload["object"]["username"], "newbie");
    assert_eq!(
        payload["object"]["id"],
        json!(signed_up.user.account.id.to_string())
    );
}
