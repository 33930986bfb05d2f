//! A user changes their own password: the current one is required and
//! throttled, and everything else signed in with the old one is signed out.

use axum::http::StatusCode;

use super::Browser;
use crate::common::{PASSWORD, TestApp};

async fn signed_in(browser: &mut Browser, app: &TestApp) -> bool {
    browser
        .get(app, "/auth/account")
        .await
        .text()
        .contains("Signed in")
}

#[tokio::test]
async fn changing_the_password_signs_out_everything_else() {
    let app = TestApp::new().await;
    let (_, phone) = app.user_with_token("alice").await;
    let laptop = app.token("alice", "read write").await;
    let (_, bob) = app.user_with_token("bob").await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    assert!(signed_in(&mut browser, &app).await);

    // Wrong current password, or a new one too short: nothing changes.
    let wrong = app
        .post_with_token(
            "/api/v1/loggia/password",
            &phone,
            &[
                ("current_password", "not it"),
                ("password", "a new long secret"),
            ],
        )
        .await;
    wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["error"], "The current password is wrong");
    let short = app
        .post_with_token(
            "/api/v1/loggia/password",
            &phone,
            &[("current_password", PASSWORD), ("password", "short")],
        )
        .await;
    short.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("too short"), "{}", short.text());
    for token in [&phone, &laptop] {
        app.get_with_token("/api/v1/accounts/verify_credentials", token)
            .await
            .assert_status(StatusCode::OK);
    }

    let changed = app
        .post_json_with_token(
            "/api/v1/loggia/password",
            &phone,
            &serde_json::json!({"current_password": PASSWORD, "password": "a new long secret"}),
        )
        .await;
    changed.assert_status(StatusCode::OK);
    // The laptop's token and the browser session.
    assert_eq!(changed.json()["signed_out_elsewhere"], 2);

    app.get_with_token("/api/v1/accounts/verify_credentials", &phone)
        .await
        .assert_status(StatusCode::OK);
    app.get_with_token("/api/v1/accounts/verify_credentials", &laptop)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    assert!(!signed_in(&mut browser, &app).await);
    app.get_with_token("/api/v1/accounts/verify_credentials", &bob)
        .await
        .assert_status(StatusCode::OK);

    // The old password no longer signs in; the new one does.
    let state = &app.state;
    let with = |password: &'static str| {
        loggia::service::sign_in::authenticate(
            &state.store,
            &state.config,
            &state.dummy_password_hash,
            "alice",
            password,
            "192.0.2.9",
        )
    };
    assert!(with(PASSWORD).await.is_err());
    assert!(with("a new long secret").await.is_ok());
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_and_needs_the_scope() {
    let app = TestApp::with_config(|c| c.sign_in_max_failures = 2).await;
    let (_, token) = app.user_with_token("alice").await;
    let read_only = app.token("alice", "read").await;
    let refused = app
        .post_with_token(
            "/api/v1/loggia/password",
            &read_only,
            &[
                ("current_password", PASSWORD),
                ("password", "a new long secret"),
            ],
        )
        .await;
    refused.assert_status(StatusCode::FORBIDDEN);

    let mut answers = Vec::new();
    for guess in ["guess one", "guess two", "guess three", PASSWORD] {
        let response = app
            .post_with_token(
                "/api/v1/loggia/password",
                &token,
                &[
                    ("current_password", guess),
                    ("password", "a new long secret"),
                ],
            )
            .await;
        answers.push(response.status.as_u16());
    }
    // Two failures allowed; then even the right password waits.
    assert_eq!(answers, [422, 422, 429, 429]);
}
