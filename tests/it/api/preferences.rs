//! Loggia's additive preference keys: whether a user's external posts wait
//! for a reviewer (organisation mode) and whether anyone on another server
//! follows them — what the web composer warns about.

use axum::http::{Method, StatusCode};
use loggia::store::{FollowOptions, NewAccount};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::schema::assert_entity;

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

async fn preferences(app: &TestApp, token: &str) -> Value {
    let prefs = app
        .get_with_token("/api/v1/preferences", token)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Preferences", &prefs);
    prefs
}

async fn reviewed(app: &TestApp, token: &str) -> bool {
    preferences(app, token).await["loggia:posting:external_review"]
        .as_bool()
        .expect("a boolean")
}

async fn set_mode(app: &TestApp, boss: &str, mode: Value) {
    app.send_json(
        Method::PUT,
        "/api/v1/loggia/admin/organisation",
        boss,
        &mode,
    )
    .await
    .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn external_review_follows_the_organisation_mode() {
    let app = TestApp::new().await;
    app.create_user("boss", "admin").await;
    let boss = app.token("boss", ADMIN_SCOPES).await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    assert!(!reviewed(&app, &alice).await, "decentralized by default");

    set_mode(
        &app,
        &boss,
        json!({"default": "centralized", "teams": {"comms": "decentralized"}}),
    )
    .await;
    assert!(reviewed(&app, &alice).await);
    // A trusted team publishes directly.
    app.send_with_token(
        Method::PATCH,
        &format!("/api/v1/loggia/admin/accounts/{}", alice_user.account.id),
        &boss,
        &[("team", "comms")],
    )
    .await
    .assert_status(StatusCode::OK);
    assert!(!reviewed(&app, &alice).await);

    // Roles count when the team has no setting of its own.
    set_mode(
        &app,
        &boss,
        json!({"default": "decentralized", "roles": {"user": "centralized"}}),
    )
    .await;
    assert!(reviewed(&app, &alice).await);
    assert!(!reviewed(&app, &boss).await);
    // What the preference says is what posting does.
    let post = app.post_status(&alice, &[("status", "Hello world")]).await;
    assert_eq!(post["loggia_review"]["state"], "pending");
}

#[tokio::test]
async fn remote_followers_are_told_apart_from_colleagues() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let remote = |prefs: Value| {
        prefs["loggia:followers:remote"]
            .as_bool()
            .expect("a boolean")
    };
    assert!(!remote(preferences(&app, &alice).await));

    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert!(
        !remote(preferences(&app, &alice).await),
        "bob is a colleague"
    );

    let partner = app
        .state
        .store
        .accounts()
        .insert(&NewAccount {
            username: "pat".into(),
            domain: Some("partner.example".into()),
            actor_type: "Person".into(),
            uri: "https://partner.example/users/pat".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    app.state
        .store
        .follows()
        .follow(
            partner.id,
            alice_user.account.id,
            FollowOptions {
                show_reblogs: true,
                notify: false,
                uri: None,
            },
        )
        .await
        .unwrap();
    assert!(remote(preferences(&app, &alice).await));
    // The follow is alice's, not bob's.
    assert!(!remote(preferences(&app, &bob).await));
    // A suspended follower receives nothing.
    app.state
        .store
        .accounts()
        .set_suspended(partner.id, true)
        .await
        .unwrap();
    assert!(!remote(preferences(&app, &alice).await));
}
