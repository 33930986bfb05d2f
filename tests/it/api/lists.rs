//! Lists: CRUD, members (followed accounts only), list timelines, replies
//! policies and exclusive lists.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn lists_gather_followed_accounts_into_their_own_timeline() {
    let app = TestApp::new().await;
    let (_, me) = app.user_with_token("me").await;
    let (ann_user, ann) = app.user_with_token("ann").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let (carl_user, _) = app.user_with_token("carl").await;
    for id in [ann_user.account.id, bob_user.account.id] {
        app.post_with_token(&format!("/api/v1/accounts/{id}/follow"), &me, &[])
            .await
            .assert_status(StatusCode::OK);
    }
    let list = app
        .post_with_token(
            "/api/v1/lists",
            &me,
            &[("title", "Platform team"), ("replies_policy", "list")],
        )
        .await;
    let list = list.assert_status(StatusCode::OK).json();
    assert_entity("List", &list);
    let id = list["id"].as_str().unwrap();
    let ann_id = ann_user.account.id.to_string();
    app.post_with_token(
        &format!("/api/v1/lists/{id}/accounts"),
        &me,
        &[("account_ids[]", &ann_id)],
    )
    .await
    .assert_status(StatusCode::OK);
    // Only followed accounts can be added.
    app.post_with_token(
        &format!("/api/v1/lists/{id}/accounts"),
        &me,
        &[("account_ids[]", &carl_user.account.id.to_string())],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    let members = app
        .get_with_token(&format!("/api/v1/lists/{id}/accounts"), &me)
        .await
        .json();
    assert_eq!(members[0]["id"], ann_id);
    let containing = app
        .get_with_token(&format!("/api/v1/accounts/{ann_id}/lists"), &me)
        .await
        .json();
    assert_eq!(containing[0]["id"], id);

    let a = app.post_status(&ann, &[("status", "from ann")]).await;
    app.post_status(&bob, &[("status", "from bob")]).await;
    let to_bob = app
        .post_status(
            &ann,
            &[
                ("status", "@bob reply"),
                (
                    "in_reply_to_id",
                    app.post_status(&bob, &[("status", "bob root")]).await["id"]
                        .as_str()
                        .unwrap(),
                ),
            ],
        )
        .await;
    let timeline = app
        .get_with_token(&format!("/api/v1/timelines/list/{id}"), &me)
        .await
        .json();
    let ids: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [a["id"].as_str().unwrap()],
        "replies to non-members stay out with the 'list' policy"
    );
    // With 'followed', replies to anyone followed come in.
    app.send_with_token(
        Method::PUT,
        &format!("/api/v1/lists/{id}"),
        &me,
        &[("replies_policy", "followed"), ("title", "Platform")],
    )
    .await
    .assert_status(StatusCode::OK);
    let timeline = app
        .get_with_token(&format!("/api/v1/timelines/list/{id}"), &me)
        .await
        .json();
    assert_eq!(timeline[0]["id"], to_bob["id"]);
    assert_eq!(
        app.get_with_token(&format!("/api/v1/lists/{id}"), &me)
            .await
            .json()["title"],
        "Platform"
    );

    // Exclusive lists take their members out of the home timeline.
    let before = app
        .get_with_token("/api/v1/timelines/home", &me)
        .await
        .json();
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["account"]["id"] == ann_id.as_str())
    );
    app.send_with_token(
        Method::PUT,
        &format!("/api/v1/lists/{id}"),
        &me,
        &[("exclusive", "true")],
    )
    .await;
    let after = app
        .get_with_token("/api/v1/timelines/home", &me)
        .await
        .json();
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["account"]["id"] != ann_id.as_str())
    );

    // Removing and deleting.
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/lists/{id}/accounts?account_ids[]={ann_id}"),
        &me,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token(&format!("/api/v1/lists/{id}/accounts"), &me)
            .await
            .json(),
        json!([])
    );
    app.send_with_token(Method::DELETE, &format!("/api/v1/lists/{id}"), &me, &[])
        .await
        .assert_status(StatusCode::OK);
    app.get_with_token(&format!("/api/v1/lists/{id}"), &me)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_with_token("/api/v1/lists", &me).await.json(),
        json!([])
    );
}

#[tokio::test]
async fn lists_belong_to_their_owner_and_validate_input() {
    let app = TestApp::new().await;
    let (_, me) = app.user_with_token("me").await;
    let (_, other) = app.user_with_token("other").await;
    let list = app
        .post_with_token("/api/v1/lists", &me, &[("title", "Mine")])
        .await
        .json();
    let id = list["id"].as_str().unwrap();
    app.get_with_token(&format!("/api/v1/lists/{id}"), &other)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get_with_token(&format!("/api/v1/timelines/list/{id}"), &other)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(Method::DELETE, &format!("/api/v1/lists/{id}"), &other, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.post_with_token("/api/v1/lists", &me, &[("title", "")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_with_token(
        "/api/v1/lists",
        &me,
        &[("title", "x"), ("replies_policy", "all")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let read_only = app.token("me", "read").await;
    app.post_with_token("/api/v1/lists", &read_only, &[("title", "x")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
