//! Scope enforcement: the token's scopes decide, whatever the app asked for.

use axum::http::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn verify_credentials_enforces_scopes() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    for (scopes, expected) in [
        ("read", StatusCode::OK),
        ("read:accounts", StatusCode::OK),
        ("profile", StatusCode::OK),
        ("write", StatusCode::FORBIDDEN),
        ("read:statuses", StatusCode::FORBIDDEN),
        ("follow", StatusCode::FORBIDDEN),
        ("admin:read", StatusCode::FORBIDDEN),
    ] {
        let token = app.token("alice", scopes).await;
        let response = app
            .get_with_token("/api/v1/accounts/verify_credentials", &token)
            .await;
        assert_eq!(response.status, expected, "scopes {scopes}");
        if expected == StatusCode::FORBIDDEN {
            assert_eq!(
                response.json()["error"],
                "This action is outside the authorized scopes"
            );
        }
    }
}

#[tokio::test]
async fn tokens_are_accepted_from_the_query_string() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let token = app.token("alice", "read").await;
    app.get(&format!(
        "/api/v1/accounts/verify_credentials?access_token={token}"
    ))
    .await
    .assert_status(StatusCode::OK);
}
