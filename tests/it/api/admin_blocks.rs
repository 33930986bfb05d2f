//! Canonical e-mail blocks and IP blocks through Mastodon's admin API, and
//! what they do: a blocked address in any spelling cannot sign up; an IP
//! block keeps an address from signing up, makes its sign-ups wait for
//! approval, or refuses its every request; expired blocks do not apply.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loggia::config::{Config, Registrations};
use loggia::model::{Page, Timestamp};
use loggia::store::{AuditFilter, IpBlockFields};
use serde_json::{Value, json};

use crate::common::schema::assert_entity;
use crate::common::{TestApp, TestResponse};

const ADMIN_SCOPES: &str = "read write admin:read admin:write";
const BLOCKED: [u8; 4] = [203, 0, 113, 9];
const ELSEWHERE: [u8; 4] = [198, 51, 100, 7];

fn open(config: &mut Config) {
    config.registrations = Registrations::Open;
    config.email_confirmation = false;
}

async fn with_admin() -> (TestApp, String) {
    let app = TestApp::with_config(open).await;
    app.create_user("boss", "admin").await;
    let token = app.token("boss", ADMIN_SCOPES).await;
    (app, token)
}

fn json_request(method: Method, path: &str, token: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// An app token (`client_credentials`), as apps register users with.
async fn app_token(app: &TestApp) -> String {
    let (client_id, client_secret) = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &client_secret),
                ("scope", "read write"),
            ],
        )
        .await;
    response.assert_status(StatusCode::OK);
    response.json()["access_token"].as_str().unwrap().to_owned()
}

async fn sign_up_from(ip: [u8; 4], app: &TestApp, username: &str, email: &str) -> TestResponse {
    let token = app_token(app).await;
    let body = json!({
        "username": username,
        "email": email,
        "password": "a long enough password",
        "agreement": true,
    });
    app.send_from(
        ip,
        json_request(Method::POST, "/api/v1/accounts", &token, &body),
    )
    .await
}

async fn audit_actions(app: &TestApp, kind: &str) -> Vec<String> {
    app.state
        .store
        .audit_log()
        .page(
            &AuditFilter {
                target_kind: Some(kind.into()),
                ..Default::default()
            },
            &Page {
                limit: 50,
                ..Page::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn canonical_email_blocks_refuse_every_spelling_of_an_address() {
    let (app, admin) = with_admin().await;
    let created = app
        .post_with_token(
            "/api/v1/admin/canonical_email_blocks",
            &admin,
            &[("email", "first.last@example.com")],
        )
        .await;
    created.assert_status(StatusCode::OK);
    let block = created.json();
    assert_entity("AdminCanonicalEmailBlock", &block);
    // SHA-256 of the canonical address, as Mastodon computes it.
    assert_eq!(
        block["canonical_email_hash"],
        loggia::crypto::sha256_hex("firstlast@example.com")
    );
    let id = block["id"].as_str().unwrap().to_owned();

    let refused = sign_up_from(ELSEWHERE, &app, "sneaky", "First.Last+tag@Example.com").await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let details = &refused.json()["details"]["email"];
    assert_eq!(details[0]["error"], "ERR_BLOCKED", "{details}");
    sign_up_from(ELSEWHERE, &app, "honest", "other.person@example.com")
        .await
        .assert_status(StatusCode::OK);

    let tested = app
        .post_with_token(
            "/api/v1/admin/canonical_email_blocks/test",
            &admin,
            &[("email", "firstlast+x@EXAMPLE.com")],
        )
        .await;
    tested.assert_status(StatusCode::OK);
    let tested = tested.json();
    assert_eq!(tested.as_array().unwrap().len(), 1);
    assert_eq!(tested[0]["id"], id.as_str());
    let none = app
        .post_with_token(
            "/api/v1/admin/canonical_email_blocks/test",
            &admin,
            &[("email", "someone@example.com")],
        )
        .await
        .json();
    assert_eq!(none, json!([]));

    // By hash too; the same address twice is refused.
    let hash = loggia::crypto::sha256_hex("spammer@example.org");
    let second = app
        .post_with_token(
            "/api/v1/admin/canonical_email_blocks",
            &admin,
            &[("canonical_email_hash", &hash)],
        )
        .await;
    second.assert_status(StatusCode::OK);
    app.post_with_token(
        "/api/v1/admin/canonical_email_blocks",
        &admin,
        &[("email", "Spam.Mer@example.org")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    for bad in [&[("canonical_email_hash", "abc")][..], &[]] {
        app.post_with_token("/api/v1/admin/canonical_email_blocks", &admin, bad)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }

    let listed = app
        .get_with_token("/api/v1/admin/canonical_email_blocks?limit=1", &admin)
        .await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.json()[0]["id"], second.json()["id"]);
    assert!(listed.header("link").unwrap().contains("max_id="));
    let shown = app
        .get_with_token(
            &format!("/api/v1/admin/canonical_email_blocks/{id}"),
            &admin,
        )
        .await;
    shown.assert_status(StatusCode::OK);
    assert_eq!(shown.json(), block);

    let deleted = app
        .send_with_token(
            Method::DELETE,
            &format!("/api/v1/admin/canonical_email_blocks/{id}"),
            &admin,
            &[],
        )
        .await;
    deleted.assert_status(StatusCode::OK);
    assert_eq!(deleted.json(), json!({}));
    app.get_with_token(
        &format!("/api/v1/admin/canonical_email_blocks/{id}"),
        &admin,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    sign_up_from(ELSEWHERE, &app, "sneaky", "First.Last+tag@Example.com")
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        audit_actions(&app, "canonical_email_block").await,
        [
            "canonical_email_block.deleted",
            "canonical_email_block.created",
            "canonical_email_block.created"
        ]
    );
}

#[tokio::test]
async fn blocks_need_the_manage_blocks_permission() {
    let (app, _) = with_admin().await;
    app.create_user("mod1", "moderator").await;
    app.create_user("alice", "user").await;
    let moderator = app.token("mod1", ADMIN_SCOPES).await;
    let user = app.token("alice", ADMIN_SCOPES).await;
    for path in [
        "/api/v1/admin/canonical_email_blocks",
        "/api/v1/admin/ip_blocks",
    ] {
        app.get_with_token(path, &moderator)
            .await
            .assert_status(StatusCode::OK);
        app.get_with_token(path, &user)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    app.post_with_token(
        "/api/v1/admin/ip_blocks",
        &user,
        &[("ip", "192.0.2.1"), ("severity", "no_access")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // The admin scopes are needed too.
    let plain = app.token("mod1", "read write").await;
    app.get_with_token("/api/v1/admin/ip_blocks", &plain)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

async fn create_ip_block(app: &TestApp, token: &str, form: &[(&str, &str)]) -> Value {
    let response = app
        .post_with_token("/api/v1/admin/ip_blocks", token, form)
        .await;
    response.assert_status(StatusCode::OK);
    let block = response.json();
    assert_entity("AdminIpBlock", &block);
    block
}

#[tokio::test]
async fn ip_blocks_are_managed_like_mastodons() {
    let (app, admin) = with_admin().await;
    let block = create_ip_block(
        &app,
        &admin,
        &[
            ("ip", "192.0.2.77/24"),
            ("severity", "sign_up_block"),
            ("comment", "spam wave"),
            ("expires_in", "86400"),
        ],
    )
    .await;
    assert_eq!(block["ip"], "192.0.2.0/24");
    assert_eq!(block["severity"], "sign_up_block");
    assert_eq!(block["comment"], "spam wave");
    assert!(block["expires_at"].is_string());
    let id = block["id"].as_str().unwrap().to_owned();
    let single = create_ip_block(
        &app,
        &admin,
        &[("ip", "2001:db8::1"), ("severity", "no_access")],
    )
    .await;
    assert_eq!(single["ip"], "2001:db8::1/128");
    assert_eq!(single["expires_at"], Value::Null);

    for bad in [
        &[("ip", "not an address"), ("severity", "no_access")][..],
        &[("ip", "192.0.2.1"), ("severity", "annoyed")],
        &[("severity", "no_access")],
        &[("ip", "192.0.2.1")],
        &[
            ("ip", "192.0.2.1"),
            ("severity", "no_access"),
            ("expires_in", "-5"),
        ],
        // The same range again.
        &[("ip", "192.0.2.0/24"), ("severity", "no_access")],
    ] {
        app.post_with_token("/api/v1/admin/ip_blocks", &admin, bad)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }

    // PUT changes what is given; an empty expires_in makes it permanent.
    let updated = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/admin/ip_blocks/{id}"),
            &admin,
            &[
                ("severity", "sign_up_requires_approval"),
                ("expires_in", ""),
            ],
        )
        .await;
    updated.assert_status(StatusCode::OK);
    let updated = updated.json();
    assert_entity("AdminIpBlock", &updated);
    assert_eq!(updated["severity"], "sign_up_requires_approval");
    assert_eq!(updated["ip"], "192.0.2.0/24");
    assert_eq!(updated["comment"], "spam wave");
    assert_eq!(updated["expires_at"], Value::Null);

    let listed = app.get_with_token("/api/v1/admin/ip_blocks", &admin).await;
    listed.assert_status(StatusCode::OK);
    let listed = listed.json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [single["id"].as_str().unwrap(), id.as_str()]);
    let shown = app
        .get_with_token(&format!("/api/v1/admin/ip_blocks/{id}"), &admin)
        .await;
    assert_eq!(shown.json(), updated);

    let deleted = app
        .send_with_token(
            Method::DELETE,
            &format!("/api/v1/admin/ip_blocks/{id}"),
            &admin,
            &[],
        )
        .await;
    deleted.assert_status(StatusCode::OK);
    assert_eq!(deleted.json(), json!({}));
    app.get_with_token(&format!("/api/v1/admin/ip_blocks/{id}"), &admin)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(
        Method::PUT,
        "/api/v1/admin/ip_blocks/999",
        &admin,
        &[("comment", "x")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&app, "ip_block").await,
        [
            "ip_block.deleted",
            "ip_block.updated",
            "ip_block.created",
            "ip_block.created"
        ]
    );
}

#[tokio::test]
async fn sign_up_blocks_refuse_and_approval_blocks_hold_sign_ups() {
    let (app, admin) = with_admin().await;
    create_ip_block(
        &app,
        &admin,
        &[("ip", "203.0.113.0/24"), ("severity", "sign_up_block")],
    )
    .await;
    create_ip_block(
        &app,
        &admin,
        &[
            ("ip", "198.51.100.7"),
            ("severity", "sign_up_requires_approval"),
        ],
    )
    .await;

    let refused = sign_up_from(BLOCKED, &app, "spammer", "spammer@acme.example").await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("network"),
        "{}",
        refused.text()
    );
    // Other requests from there are served.
    app.send_from(
        BLOCKED,
        Request::get("/api/v1/instance")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_status(StatusCode::OK);

    // Open registrations, yet this one waits for an admin.
    let held = sign_up_from(ELSEWHERE, &app, "applicant", "applicant@acme.example").await;
    held.assert_status(StatusCode::OK);
    let token = held.json()["access_token"].as_str().unwrap().to_owned();
    let pending = app
        .get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await;
    pending.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        pending.json()["error"],
        "Your login is currently pending approval"
    );
    let queue = app
        .get_with_token("/api/v1/admin/accounts?pending=true", &admin)
        .await
        .json();
    assert_eq!(queue[0]["username"], "applicant");

    // From anywhere else, sign-up is as open as configured.
    let fine = sign_up_from([192, 0, 2, 50], &app, "newbie", "newbie@acme.example").await;
    fine.assert_status(StatusCode::OK);
    let token = fine.json()["access_token"].as_str().unwrap().to_owned();
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::OK);
}

async fn instance_from(app: &TestApp, ip: [u8; 4]) -> TestResponse {
    app.send_from(
        ip,
        Request::get("/api/v1/instance")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn no_access_blocks_refuse_every_request_until_lifted_or_expired() {
    let (app, admin) = with_admin().await;
    let block = create_ip_block(
        &app,
        &admin,
        &[("ip", "203.0.113.0/28"), ("severity", "no_access")],
    )
    .await;
    let id: i64 = block["id"].as_str().unwrap().parse().unwrap();

    let refused = instance_from(&app, BLOCKED).await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert!(refused.json()["error"].is_string());
    app.send_from(
        BLOCKED,
        Request::get("/auth/sign_in").body(Body::empty()).unwrap(),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // Health checks still see the node; other addresses are served.
    for path in ["/health", "/ready"] {
        app.send_from(BLOCKED, Request::get(path).body(Body::empty()).unwrap())
            .await
            .assert_status(StatusCode::OK);
    }
    instance_from(&app, [203, 0, 113, 16])
        .await
        .assert_status(StatusCode::OK);
    // The machine itself is never locked out.
    create_ip_block(
        &app,
        &admin,
        &[("ip", "127.0.0.0/8"), ("severity", "no_access")],
    )
    .await;
    app.get("/api/v1/instance")
        .await
        .assert_status(StatusCode::OK);

    // Expired blocks do not apply (the expiry is moved into the past).
    app.state
        .store
        .ip_blocks()
        .update(
            id,
            &IpBlockFields {
                ip: "203.0.113.0/28".into(),
                severity: "no_access".into(),
                comment: String::new(),
                expires_at: Some(Timestamp::now().plus_seconds(-1)),
            },
        )
        .await
        .unwrap()
        .unwrap();
    // This node forgets its list when it changes a block itself; here the
    // row changed behind its back.
    app.state.access.invalidate();
    instance_from(&app, BLOCKED)
        .await
        .assert_status(StatusCode::OK);

    // A block lifted through the API applies at once on this node.
    let again = create_ip_block(
        &app,
        &admin,
        &[("ip", "203.0.113.9"), ("severity", "no_access")],
    )
    .await;
    instance_from(&app, BLOCKED)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/admin/ip_blocks/{}", again["id"].as_str().unwrap()),
        &admin,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    instance_from(&app, BLOCKED)
        .await
        .assert_status(StatusCode::OK);
    // Expired sign-up blocks do not refuse sign-ups either.
    app.state
        .store
        .ip_blocks()
        .insert(&IpBlockFields {
            ip: "203.0.113.9/32".into(),
            severity: "sign_up_block".into(),
            comment: String::new(),
            expires_at: Some(Timestamp::now().plus_seconds(-60)),
        })
        .await
        .unwrap();
    sign_up_from(BLOCKED, &app, "latecomer", "latecomer@acme.example")
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn the_client_address_behind_a_trusted_proxy_is_the_one_blocked() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.trust_proxy_headers = true;
    })
    .await;
    app.create_user("boss", "admin").await;
    let admin = app.token("boss", ADMIN_SCOPES).await;
    create_ip_block(
        &app,
        &admin,
        &[("ip", "203.0.113.9"), ("severity", "no_access")],
    )
    .await;
    let via_proxy = |forwarded: &str| {
        Request::get("/api/v1/instance")
            .header("x-forwarded-for", forwarded)
            .body(Body::empty())
            .unwrap()
    };
    // The proxy (loopback) appended the client's address last.
    app.send(via_proxy("10.9.9.9, 203.0.113.9"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // What the client wrote itself to the left does not count.
    app.send(via_proxy("203.0.113.9, 198.51.100.7"))
        .await
        .assert_status(StatusCode::OK);
}
