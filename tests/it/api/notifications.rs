//! Notifications: what produces them, filters, dismissal and paging.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn interactions_notify_the_author() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let post = app.post_status(&alice, &[("status", "hello")]).await;
    let id = post["id"].as_str().unwrap();
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await;
    app.post_with_token(&format!("/api/v1/statuses/{id}/favourite"), &bob, &[])
        .await;
    app.post_with_token(&format!("/api/v1/statuses/{id}/reblog"), &bob, &[])
        .await;
    app.post_status(&bob, &[("status", "@alice hi"), ("in_reply_to_id", id)])
        .await;
    // Acting on one's own post notifies nobody.
    app.post_with_token(&format!("/api/v1/statuses/{id}/favourite"), &alice, &[])
        .await;

    let list = app
        .get_with_token("/api/v1/notifications", &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["mention", "reblog", "favourite", "follow"]);
    for n in list.as_array().unwrap() {
        assert_entity("Notification", n);
        assert_eq!(n["account"]["username"], "bob");
    }
    assert_eq!(list[2]["status"]["id"], id);

    let only = app
        .get_with_token(
            "/api/v1/notifications?types[]=favourite&types[]=follow",
            &alice,
        )
        .await
        .json();
    assert_eq!(only.as_array().unwrap().len(), 2);
    let without = app
        .get_with_token("/api/v1/notifications?exclude_types[]=mention", &alice)
        .await
        .json();
    assert_eq!(without.as_array().unwrap().len(), 3);
    let count = app
        .get_with_token("/api/v1/notifications/unread_count", &alice)
        .await
        .json();
    assert_eq!(count["count"], 4);

    // Undoing a favourite takes its notification back.
    app.post_with_token(&format!("/api/v1/statuses/{id}/unfavourite"), &bob, &[])
        .await;
    let list = app
        .get_with_token("/api/v1/notifications", &alice)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 3);

    let first = list[0]["id"].as_str().unwrap();
    app.get_with_token(&format!("/api/v1/notifications/{first}"), &alice)
        .await
        .assert_status(StatusCode::OK);
    app.get_with_token(&format!("/api/v1/notifications/{first}"), &bob)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.post_with_token(
        &format!("/api/v1/notifications/{first}/dismiss"),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    app.get_with_token(&format!("/api/v1/notifications/{first}"), &alice)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.post_with_token("/api/v1/notifications/clear", &alice, &[])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/notifications", &alice)
            .await
            .json(),
        json!([])
    );
    // Notifications need their scope.
    let write_only = app.token("alice", "write").await;
    app.get_with_token("/api/v1/notifications", &write_only)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
