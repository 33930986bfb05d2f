//! The password, client-credentials and refresh-token grants, revocation and
//! client authentication.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use serde_json::json;

use crate::common::{PASSWORD, TestApp};

const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

#[tokio::test]
async fn password_grant_issues_a_user_token() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let (id, secret) = app.register_app("read write follow", OOB).await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice@acme.example"),
                ("password", PASSWORD),
                ("scope", "read write follow"),
            ],
        )
        .await;
    response.assert_status(StatusCode::OK);
    let body = response.json();
    assert_eq!(body["scope"], "read write follow");
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    let me = app
        .get_with_token(
            "/api/v1/accounts/verify_credentials",
            body["access_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(me.json()["username"], "alice");
}

#[tokio::test]
async fn password_grant_refuses_wrong_passwords_and_throttles() {
    let app = TestApp::with_config(|c| c.sign_in_max_failures = 2).await;
    app.create_user("alice", "user").await;
    let (id, secret) = app.register_app("read", OOB).await;
    let attempt = |password: &'static str| {
        let (id, secret) = (id.clone(), secret.clone());
        let app = &app;
        async move {
            app.post_form(
                "/oauth/token",
                &[
                    ("grant_type", "password"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("username", "alice"),
                    ("password", password),
                ],
            )
            .await
        }
    };
    for _ in 0..2 {
        let response = attempt("nope").await;
        assert_eq!(
            response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
            "invalid_grant"
        );
    }
    let response = attempt(PASSWORD).await;
    response.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.json()["error"], "invalid_grant");
    assert!(response.header("retry-after").is_some());
}

#[tokio::test]
async fn client_credentials_give_an_app_token_without_a_user() {
    let app = TestApp::new().await;
    let (id, secret) = app.register_app("read write", OOB).await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", "read"),
            ],
        )
        .await;
    let body = response.assert_status(StatusCode::OK).json();
    assert!(body.get("refresh_token").is_none());
    let token = body["access_token"].as_str().unwrap();
    app.get_with_token("/api/v1/apps/verify_credentials", token)
        .await
        .assert_status(StatusCode::OK);
    let response = app
        .get_with_token("/api/v1/accounts/verify_credentials", token)
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.json()["error"],
        "Validation failed: This method requires an authenticated user"
    );
}

#[tokio::test]
async fn refresh_rotates_tokens() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let (id, secret) = app.register_app("read write", OOB).await;
    let first = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", PASSWORD),
                ("scope", "read write"),
            ],
        )
        .await
        .json();
    let refresh = first["refresh_token"].as_str().unwrap();
    let second = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("refresh_token", refresh),
                ("scope", "read"),
            ],
        )
        .await;
    let second = second.assert_status(StatusCode::OK).json();
    assert_eq!(second["scope"], "read", "a refresh may narrow scopes");
    app.get_with_token(
        "/api/v1/accounts/verify_credentials",
        second["access_token"].as_str().unwrap(),
    )
    .await
    .assert_status(StatusCode::OK);
    app.get_with_token(
        "/api/v1/accounts/verify_credentials",
        first["access_token"].as_str().unwrap(),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
    // The old refresh token is spent; widening is refused.
    let again = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("refresh_token", refresh),
            ],
        )
        .await;
    assert_eq!(
        again.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );
    let widen = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("refresh_token", second["refresh_token"].as_str().unwrap()),
                ("scope", "read write"),
            ],
        )
        .await;
    assert_eq!(
        widen.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_scope"
    );
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let (id, secret) = app.register_app("read", OOB).await;
    let token = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", PASSWORD),
            ],
        )
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another client may not revoke it.
    let (other_id, other_secret) = app.register_app("read", OOB).await;
    let response = app
        .post_form(
            "/oauth/revoke",
            &[
                ("client_id", &other_id),
                ("client_secret", &other_secret),
                ("token", &token),
            ],
        )
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::OK);
    let response = app
        .post_form(
            "/oauth/revoke",
            &[
                ("client_id", &id),
                ("client_secret", &secret),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(response.assert_status(StatusCode::OK).json(), json!({}));
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    // Unknown tokens are not an error (RFC 7009).
    app.post_form(
        "/oauth/revoke",
        &[
            ("client_id", &id),
            ("client_secret", &secret),
            ("token", "unknown"),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn clients_authenticate_with_basic_or_body_and_bad_ones_are_refused() {
    let app = TestApp::new().await;
    let (id, secret) = app.register_app("read", OOB).await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let request = Request::post("/oauth/token")
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=client_credentials"))
        .unwrap();
    app.send(request).await.assert_status(StatusCode::OK);
    let response = app
        .post_json(
            "/oauth/token",
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        )
        .await;
    response.assert_status(StatusCode::OK);

    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", "wrong"),
            ],
        )
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(response.json()["error"], "invalid_client");
    let response = app
        .post_form("/oauth/token", &[("grant_type", "client_credentials")])
        .await;
    assert_eq!(
        response.assert_status(StatusCode::UNAUTHORIZED).json()["error"],
        "invalid_client"
    );
}

#[tokio::test]
async fn unknown_grants_and_scopes_are_refused() {
    let app = TestApp::new().await;
    let (id, secret) = app.register_app("read", OOB).await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "implicit"),
                ("client_id", &id),
                ("client_secret", &secret),
            ],
        )
        .await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "unsupported_grant_type"
    );
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", "write"),
            ],
        )
        .await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_scope"
    );
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("scope", "read nonsense"),
            ],
        )
        .await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_scope"
    );
}

#[tokio::test]
async fn a_blank_scope_on_refresh_keeps_the_scopes() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let (id, secret) = app.register_app("read write", OOB).await;
    let first = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", PASSWORD),
                ("scope", "read write"),
            ],
        )
        .await
        .json();
    let second = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("refresh_token", first["refresh_token"].as_str().unwrap()),
                ("scope", "   "),
            ],
        )
        .await;
    assert_eq!(
        second.assert_status(StatusCode::OK).json()["scope"],
        "read write"
    );
}

#[tokio::test]
async fn forged_forwarded_addresses_do_not_escape_throttling() {
    let app = TestApp::with_config(|c| {
        c.trust_proxy_headers = true;
        c.sign_in_max_failures = 2;
    })
    .await;
    app.create_user("alice", "user").await;
    let (id, secret) = app.register_app("read", OOB).await;
    let mut last = None;
    for i in 0..3 {
        // The client invents the left part; the proxy appends the real address.
        let forwarded = format!("198.51.100.{i}, 203.0.113.9");
        let request = crate::common::form_request(
            axum::http::Method::POST,
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("username", "alice"),
                ("password", "guess"),
            ],
            &[("x-forwarded-for", &forwarded)],
        );
        last = Some(app.send(request).await);
    }
    last.unwrap().assert_status(StatusCode::TOO_MANY_REQUESTS);
}
