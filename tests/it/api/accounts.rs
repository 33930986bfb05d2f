use axum::http::StatusCode;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn verify_credentials_returns_a_full_credential_account() {
    let app = TestApp::new().await;
    let alice = app.create_user("alice", "admin").await;
    let token = app.token("alice", "read").await;
    let response = app
        .get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await;
    response.assert_status(StatusCode::OK);
    let body = response.json();
    assert_entity("CredentialAccount", &body);
    assert_eq!(body["id"], alice.account.id.to_string());
    assert_eq!(body["username"], "alice");
    assert_eq!(body["acct"], "alice");
    assert_eq!(body["url"], "http://loggia.test/@alice");
    assert_eq!(body["uri"], "http://loggia.test/users/alice");
    assert_eq!(
        body["avatar"],
        "http://loggia.test/avatars/original/missing.png"
    );
    assert_eq!(body["role"]["name"], "admin");
    assert_eq!(body["source"]["privacy"], "public");
    assert_eq!(body["source"]["local_only"], false);
    assert!(
        body["created_at"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00.000Z")
    );
    // The avatar it names is served.
    let avatar = app.get("/avatars/original/missing.png").await;
    avatar.assert_status(StatusCode::OK);
    assert_eq!(avatar.header("content-type").as_deref(), Some("image/png"));
}

#[tokio::test]
async fn verify_credentials_needs_a_valid_user_token() {
    let app = TestApp::new().await;
    let response = app.get("/api/v1/accounts/verify_credentials").await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(response.json()["error"], "The access token is invalid");
    assert_entity("Error", &response.json());
    app.get_with_token("/api/v1/accounts/verify_credentials", "made-up")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_of_disabled_users_stop_working_after_a_password_reset() {
    let app = TestApp::new().await;
    let alice = app.create_user("alice", "user").await;
    let token = app.token("alice", "read").await;
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::OK);
    loggia::service::accounts::reset_password(
        &app.state.store,
        alice.user.id,
        "a brand new password",
    )
    .await
    .unwrap();
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}
