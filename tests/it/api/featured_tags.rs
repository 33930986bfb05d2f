//! Featured hashtags: `/api/v1/featured_tags` and an account's public list.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

fn names(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn featuring_counts_visible_posts_and_unfeaturing_removes() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    assert_eq!(
        app.get_with_token("/api/v1/featured_tags", &alice)
            .await
            .assert_status(StatusCode::OK)
            .json(),
        json!([])
    );
    app.post_status(&alice, &[("status", "public #Rust")]).await;
    app.post_status(
        &alice,
        &[("status", "quiet #rust"), ("visibility", "unlisted")],
    )
    .await;
    app.post_status(
        &alice,
        &[("status", "inside #RUST"), ("local_only", "true")],
    )
    .await;
    // Followers-only posts do not count, as in Mastodon.
    app.post_status(
        &alice,
        &[("status", "few #rust"), ("visibility", "private")],
    )
    .await;
    // Someone else's posts do not count either.
    app.post_status(&bob, &[("status", "bob's #rust")]).await;

    let tag = app
        .post_with_token("/api/v1/featured_tags", &alice, &[("name", "#Rust")])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("FeaturedTag", &tag);
    assert_eq!(tag["name"], "Rust");
    assert_eq!(tag["url"], "http://loggia.test/@alice/tagged/rust");
    assert_eq!(
        tag["statuses_count"], "3",
        "her own view counts company-only posts"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(tag["last_status_at"], today.as_str());

    let mine = app
        .get_with_token("/api/v1/featured_tags", &alice)
        .await
        .json();
    assert_eq!(mine, json!([tag.clone()]));

    // The public list counts what each viewer may see: outsiders do not
    // learn of company-only posts.
    let path = format!("/api/v1/accounts/{}/featured_tags", alice_user.account.id);
    let anonymous = app.get(&path).await.assert_status(StatusCode::OK).json();
    assert_entity("FeaturedTag", &anonymous[0]);
    assert_eq!(anonymous[0]["id"], tag["id"]);
    assert_eq!(anonymous[0]["statuses_count"], "2");
    let colleague = app.get_with_token(&path, &bob).await.json();
    assert_eq!(colleague[0]["statuses_count"], "3");
    app.get("/api/v1/accounts/424242/featured_tags")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Only its owner may unfeature it; the answer is an empty object.
    let delete = |token: &str| {
        let path = format!("/api/v1/featured_tags/{}", tag["id"].as_str().unwrap());
        let token = token.to_owned();
        let app = &app;
        async move {
            app.send_with_token(Method::DELETE, &path, &token, &[])
                .await
        }
    };
    delete(&bob).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        delete(&alice).await.assert_status(StatusCode::OK).json(),
        json!({})
    );
    delete(&alice).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path).await.json(), json!([]));
    app.send_with_token(Method::DELETE, "/api/v1/featured_tags/x", &alice, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invalid_duplicate_and_eleventh_tags_are_refused() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let feature = |name: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            app.post_with_token("/api/v1/featured_tags", &alice, &[("name", name)])
                .await
        }
    };
    for (name, error) in [
        ("", "Validation failed: Name is invalid"),
        ("two words", "Validation failed: Name is invalid"),
        ("2024", "Validation failed: Name is invalid"),
    ] {
        let refused = feature(name).await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json(), json!({ "error": error }), "{name:?}");
    }
    // A tag never used may be featured; it shows with nothing counted.
    let first = feature("news").await.assert_status(StatusCode::OK).json();
    assert_eq!(
        (
            first["statuses_count"].clone(),
            first["last_status_at"].clone()
        ),
        (json!("0"), json!(null))
    );
    assert_entity("FeaturedTag", &first);
    let again = feature("NEWS").await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.json(),
        json!({ "error": "Validation failed: Name has already been taken" })
    );
    for name in ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"] {
        feature(name).await.assert_status(StatusCode::OK);
    }
    let eleventh = feature("t10").await;
    eleventh.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        eleventh.json(),
        json!({ "error": "Validation failed: You have already featured the maximum number of hashtags" })
    );
    let all = app
        .get_with_token("/api/v1/featured_tags", &alice)
        .await
        .json();
    assert_eq!(all.as_array().unwrap().len(), 10);
    // The instance says so.
    let instance = app.get("/api/v2/instance").await.json();
    assert_eq!(
        instance["configuration"]["accounts"]["max_featured_tags"],
        10
    );
}

#[tokio::test]
async fn suggestions_are_recent_tags_not_yet_featured_and_scopes_hold() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    app.post_status(&alice, &[("status", "#Older and #shared")])
        .await;
    app.post_status(&alice, &[("status", "#Newer and #shared")])
        .await;
    let suggestions = app
        .get_with_token("/api/v1/featured_tags/suggestions", &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    for tag in suggestions.as_array().unwrap() {
        assert_entity("Tag", tag);
    }
    assert_eq!(names(&suggestions), ["newer", "shared", "older"]);
    app.post_with_token("/api/v1/featured_tags", &alice, &[("name", "shared")])
        .await
        .assert_status(StatusCode::OK);
    let suggestions = app
        .get_with_token("/api/v1/featured_tags/suggestions", &alice)
        .await
        .json();
    assert_eq!(names(&suggestions), ["newer", "older"]);

    // Reading needs read:accounts, featuring write:accounts.
    let reader = app.token("alice", "read:accounts").await;
    assert_eq!(
        names(
            &app.get_with_token("/api/v1/featured_tags", &reader)
                .await
                .assert_status(StatusCode::OK)
                .json()
        ),
        ["shared"]
    );
    app.post_with_token("/api/v1/featured_tags", &reader, &[("name", "x")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.get("/api/v1/featured_tags")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}
