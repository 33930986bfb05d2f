//! Streams and reviews: a held post reaches nobody's stream until it is
//! approved, and then brings the notifications made while it waited;
//! a preview the company could see leaves streams when it is rejected.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::streaming::{connect, listen, next};
use crate::common::TestApp;

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

#[tokio::test]
async fn a_held_post_streams_only_once_approved_with_its_mentions() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    app.create_user("boss", "admin").await;
    let boss = app.token("boss", ADMIN_SCOPES).await;
    app.send_json(
        Method::POST,
        "/api/v1/loggia/admin/rules",
        &boss,
        &json!({"name": "Falcon", "direction": "outbound", "match": "keyword",
                "patterns": ["Project Falcon"], "action": "hold", "text": "Confidential"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (_, alice) = app.user_with_token("alice").await;
    let (_, carol) = app.user_with_token("carol").await;
    let mut socket = connect(&addr, &carol, "stream=user").await;

    let held = app
        .post_status(
            &alice,
            &[
                ("status", "@carol Project Falcon ships"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(held["loggia_review"]["state"], "pending");
    let id = held["id"].as_str().unwrap();
    // Nothing reaches Carol while it waits: the next thing she hears is a
    // later, unheld mention.
    let later = app
        .post_status(
            &alice,
            &[("status", "@carol lunch?"), ("visibility", "public")],
        )
        .await;
    let m = next(&mut socket).await;
    assert_eq!(m["payload"]["status"]["id"], later["id"], "{m}");

    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
        &boss,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    // Carol does not follow Alice: the post is not on her home timeline,
    // but the mention made while it waited now reaches her.
    let m = next(&mut socket).await;
    assert_eq!(m["event"], "notification", "{m}");
    assert_eq!(m["payload"]["type"], "mention");
    assert_eq!(m["payload"]["status"]["id"], id);
}

#[tokio::test]
async fn a_rejected_preview_leaves_the_company_streams() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    app.create_user("boss", "admin").await;
    let boss = app.token("boss", ADMIN_SCOPES).await;
    app.send_json(
        Method::PUT,
        "/api/v1/loggia/admin/organisation",
        &boss,
        &json!({"default": "centralized", "company_preview": true}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (_, alice) = app.user_with_token("alice").await;
    let (_, carol) = app.user_with_token("carol").await;
    let mut socket = connect(&addr, &carol, "stream=public:local").await;
    let mut author = connect(&addr, &alice, "stream=user").await;

    let held = app
        .post_status(
            &alice,
            &[("status", "a public plan"), ("visibility", "public")],
        )
        .await;
    assert_eq!(held["loggia_review"]["company_preview"], true);
    let id = held["id"].as_str().unwrap();
    let preview = next(&mut socket).await;
    assert_eq!(preview["event"], "update");
    assert_eq!(preview["payload"]["id"], id);

    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{id}/reject"),
        &boss,
        &[("reason", "Not yet")],
    )
    .await
    .assert_status(StatusCode::OK);
    let gone = next(&mut socket).await;
    assert_eq!(gone["event"], "delete");
    assert_eq!(gone["payload"], id);
    // Its author still sees it (rejected, with the reason): no delete for her.
    assert_eq!(next(&mut author).await["payload"]["id"], id);
    let after = app
        .post_status(&alice, &[("status", "inside news"), ("local_only", "true")])
        .await;
    // She is told of the rejection; then comes her next post, and no delete.
    let told = next(&mut author).await;
    assert_eq!(told["payload"]["type"], "loggia.review_rejected", "{told}");
    let m = next(&mut author).await;
    assert_eq!(m["payload"]["id"], after["id"], "{m}");
}
