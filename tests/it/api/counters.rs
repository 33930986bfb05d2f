//! Counters and side channels: what counts, where actions on boosts land,
//! and that hashtags of hidden posts do not leak.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn hashtags_of_hidden_posts_do_not_leak() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    app.post_status(
        &alice,
        &[
            ("status", "internal #ProjectKestrel"),
            ("visibility", "local"),
        ],
    )
    .await;
    app.post_status(
        &alice,
        &[
            ("status", "to followers #FollowersOnlyTag"),
            ("visibility", "private"),
        ],
    )
    .await;
    let anonymous = app
        .get("/api/v2/search?q=%23project&type=hashtags")
        .await
        .json();
    assert_eq!(anonymous["hashtags"], json!([]));
    app.get("/api/v1/tags/projectkestrel")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // A colleague may know the company-only tag, not the followers-only one.
    let colleague = app
        .get_with_token("/api/v2/search?q=%23project&type=hashtags", &bob)
        .await
        .json();
    assert_eq!(colleague["hashtags"][0]["name"], "projectkestrel");
    app.get_with_token("/api/v1/tags/followersonlytag", &bob)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get_with_token("/api/v1/tags/followersonlytag", &alice)
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn counters_only_count_what_everyone_who_sees_them_may_see() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let root = app.post_status(&alice, &[("status", "public root")]).await;
    let id = root["id"].as_str().unwrap();
    app.post_status(
        &bob,
        &[
            ("status", "private reply"),
            ("in_reply_to_id", id),
            ("visibility", "private"),
        ],
    )
    .await;
    app.post_status(
        &bob,
        &[
            ("status", "internal reply"),
            ("in_reply_to_id", id),
            ("visibility", "local"),
        ],
    )
    .await;
    let public_reply = app
        .post_status(&bob, &[("status", "public reply"), ("in_reply_to_id", id)])
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/statuses/{id}")).await.json()["replies_count"],
        1
    );
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/statuses/{}", public_reply["id"].as_str().unwrap()),
        &bob,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/statuses/{id}")).await.json()["replies_count"],
        0
    );
    app.post_status(&alice, &[("status", "@bob psst"), ("visibility", "direct")])
        .await;
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice)
        .await
        .json();
    assert_eq!(me["statuses_count"], 1, "direct messages are not counted");
}

#[tokio::test]
async fn acting_on_a_boost_acts_on_the_original() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    let original = app.post_status(&alice, &[("status", "original")]).await;
    let boost = app
        .post_with_token(
            &format!(
                "/api/v1/statuses/{}/reblog",
                original["id"].as_str().unwrap()
            ),
            &bob,
            &[],
        )
        .await
        .json();
    // A double tap answers the same boost.
    let again = app
        .post_with_token(
            &format!(
                "/api/v1/statuses/{}/reblog",
                original["id"].as_str().unwrap()
            ),
            &bob,
            &[],
        )
        .await;
    assert_eq!(
        again.assert_status(StatusCode::OK).json()["id"],
        boost["id"]
    );
    let faved = app
        .post_with_token(
            &format!(
                "/api/v1/statuses/{}/favourite",
                boost["id"].as_str().unwrap()
            ),
            &carol,
            &[],
        )
        .await
        .json();
    assert_eq!(
        (faved["id"].clone(), faved["favourites_count"].clone()),
        (original["id"].clone(), json!(1))
    );
    let alice_notes = app
        .get_with_token("/api/v1/notifications?types[]=favourite", &alice)
        .await
        .json();
    assert_eq!(alice_notes.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get_with_token("/api/v1/notifications?types[]=favourite", &bob)
            .await
            .json(),
        json!([])
    );
    // Deleting the boost itself takes it off the original's count.
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/statuses/{}", boost["id"].as_str().unwrap()),
        &bob,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get(&format!(
            "/api/v1/statuses/{}",
            original["id"].as_str().unwrap()
        ))
        .await
        .json()["reblogs_count"],
        0
    );
}

#[tokio::test]
async fn absurd_durations_and_unknown_notification_types_are_handled() {
    let app = TestApp::new().await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let (_, me) = app.user_with_token("me").await;
    let huge = i64::MAX.to_string();
    app.post_with_token(
        &format!("/api/v1/accounts/{}/mute", bob_user.account.id),
        &me,
        &[("duration", &huge)],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_with_token(
        "/api/v2/filters",
        &me,
        &[("title", "x"), ("context[]", "home"), ("expires_in", &huge)],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let _ = bob;
    // Only unknown types: an empty answer, not an SQL error.
    let response = app
        .get_with_token("/api/v1/notifications?types[]=no'pe", &me)
        .await;
    assert_eq!(response.assert_status(StatusCode::OK).json(), json!([]));
}

#[tokio::test]
async fn deleting_the_latest_message_keeps_the_conversation() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let first = app
        .post_status(&alice, &[("status", "@bob one"), ("visibility", "direct")])
        .await;
    let second = app
        .post_status(
            &alice,
            &[
                ("status", "@bob two"),
                ("visibility", "direct"),
                ("in_reply_to_id", first["id"].as_str().unwrap()),
            ],
        )
        .await;
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/statuses/{}", second["id"].as_str().unwrap()),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let bobs = app
        .get_with_token("/api/v1/conversations", &bob)
        .await
        .json();
    assert_eq!(bobs[0]["last_status"]["id"], first["id"]);
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/statuses/{}", first["id"].as_str().unwrap()),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/conversations", &bob)
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn a_held_reply_deleted_while_it_is_approved_leaves_the_counts_right() {
    let app = TestApp::new().await;
    app.create_user("boss", "admin").await;
    let boss = app.token("boss", "read write admin:read admin:write").await;
    app.send_json(
        Method::POST,
        "/api/v1/loggia/admin/rules",
        &boss,
        &json!({"name": "Falcon", "direction": "outbound", "match": "keyword",
                "patterns": ["Project Falcon"], "action": "hold", "text": "Confidential"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (_, token) = app.user_with_token("alice").await;
    let parent = app.post_status(&token, &[("status", "Launch notes")]).await;
    let parent_id = parent["id"].as_str().unwrap().to_owned();
    let reply = app
        .post_with_token(
            "/api/v1/statuses",
            &token,
            &[
                ("status", "Project Falcon ships too"),
                ("in_reply_to_id", &parent_id),
            ],
        )
        .await;
    reply.assert_status(StatusCode::OK);
    let reply_id = reply.json()["id"].as_str().unwrap().to_owned();
    let counts = async || {
        let parent = app
            .get_with_token(&format!("/api/v1/statuses/{parent_id}"), &token)
            .await
            .json();
        let me = app
            .get_with_token("/api/v1/accounts/verify_credentials", &token)
            .await
            .json();
        (
            parent["replies_count"].as_i64().unwrap(),
            me["statuses_count"].as_i64().unwrap(),
        )
    };
    assert_eq!(counts().await, (0, 1), "a held reply counts nowhere");

    // Alice's delete has read the reply (still held) when the reviewer's
    // approval commits; then her delete runs on what it read.
    let store = &app.state.store;
    let stale = store
        .statuses()
        .by_id(
            reply_id
                .parse::<i64>()
                .map(loggia::model::StatusId)
                .unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stale.review_state, "pending");
    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{reply_id}/approve"),
        &boss,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(counts().await, (1, 2), "approved: counted");
    let mut tx = store.begin().await.unwrap();
    assert!(
        loggia::service::statuses::erase(&mut tx, &stale)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    // Gone, and uncounted: not left counted forever.
    assert_eq!(counts().await, (0, 1));
}
