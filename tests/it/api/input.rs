//! Input the schema-conformance run found mishandled: NUL characters
//! (PostgreSQL cannot store them), tag URLs with non-ASCII names, and the
//! OpenID-style user info Mastodon 4.4 apps read.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn nul_characters_are_refused_not_a_server_error() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let response = app
        .get_with_token("/api/v2/search?q=a%00b&type=statuses", &token)
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(response.json()["error"].as_str().unwrap().contains("NUL"));
    let response = app
        .post_json_with_token("/api/v1/statuses", &token, &json!({"status": "a\u{0}b"}))
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_with_token("/api/v1/lists", &token, &[("title", "a\u{0}b")])
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .send_with_token(
            axum::http::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &token,
            &[("note", "x\u{0}y")],
        )
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing was stored.
    let statuses = app
        .get_with_token("/api/v1/timelines/home", &token)
        .await
        .json();
    assert_eq!(statuses, json!([]));
}

#[tokio::test]
async fn tag_urls_are_percent_encoded() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let status = app.post_status(&token, &[("status", "Pause #café")]).await;
    assert_eq!(
        status["tags"][0]["url"],
        "http://loggia.test/tags/caf%C3%A9"
    );
    let tag = app
        .get_with_token("/api/v1/tags/caf%C3%A9", &token)
        .await
        .json();
    assert_eq!(tag["url"], "http://loggia.test/tags/caf%C3%A9");
}

#[tokio::test]
async fn userinfo_names_the_tokens_user() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let token = app.token("alice", "profile").await;
    let info = app.get_with_token("/oauth/userinfo", &token).await;
    info.assert_status(StatusCode::OK);
    let info = info.json();
    assert_eq!(info["sub"], "http://loggia.test/users/alice");
    assert_eq!(info["preferred_username"], "alice");
    assert_eq!(info["profile"], "http://loggia.test/@alice");
    app.get("/oauth/userinfo")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let metadata = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(
        metadata["userinfo_endpoint"],
        "http://loggia.test/oauth/userinfo"
    );
    let description = app
        .get("/api/v1/instance/extended_description")
        .await
        .json();
    assert!(description["updated_at"].is_string());
}

#[tokio::test]
async fn query_errors_are_json_and_no_ops_succeed() {
    let app = TestApp::new().await;
    let (alice, token) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let response = app
        .get_with_token(
            &format!(
                "/api/v1/accounts/{}/statuses?pinned=maybe",
                alice.account.id
            ),
            &token,
        )
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(response.json()["error"].is_string(), "{}", response.text());

    // Unpinning what one never pinned answers the status (Mastodon).
    let status = app.post_status(&token, &[("status", "mine")]).await;
    let id = status["id"].as_str().unwrap();
    let unpinned = app
        .post_with_token(&format!("/api/v1/statuses/{id}/unpin"), &bob, &[])
        .await;
    unpinned.assert_status(StatusCode::OK);
    assert_eq!(unpinned.json()["pinned"], false);
    app.post_with_token(&format!("/api/v1/statuses/{id}/pin"), &bob, &[])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // A list change without accounts changes nothing and succeeds.
    let list = app
        .post_with_token("/api/v1/lists", &token, &[("title", "team")])
        .await
        .json();
    let path = format!("/api/v1/lists/{}/accounts", list["id"].as_str().unwrap());
    app.post_with_token(&path, &token, &[])
        .await
        .assert_status(StatusCode::OK);
    app.send_with_token(axum::http::Method::DELETE, &path, &token, &[])
        .await
        .assert_status(StatusCode::OK);
}
