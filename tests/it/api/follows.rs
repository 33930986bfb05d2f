//! Following, locked accounts and follow requests, blocks, mutes,
//! relationships and account lists.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn following_an_open_account_is_immediate() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let alice_id = alice_user.account.id.to_string();
    let r = app
        .post_with_token(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            &bob,
            &[("reblogs", "false"), ("notify", "true")],
        )
        .await;
    let r = r.assert_status(StatusCode::OK).json();
    assert_entity("Relationship", &r);
    assert_eq!(
        (
            r["following"].clone(),
            r["showing_reblogs"].clone(),
            r["notifying"].clone()
        ),
        (json!(true), json!(false), json!(true))
    );
    let rels = app
        .get_with_token(
            &format!(
                "/api/v1/accounts/relationships?id[]={alice_id}&id[]={}",
                bob_user.account.id
            ),
            &bob,
        )
        .await
        .json();
    assert_eq!(rels[0]["following"], true);
    assert_eq!(rels[1]["id"], bob_user.account.id.to_string());
    let followers = app
        .get(&format!("/api/v1/accounts/{alice_id}/followers"))
        .await
        .json();
    assert_eq!(followers[0]["username"], "bob");
    let following = app
        .get(&format!(
            "/api/v1/accounts/{}/following",
            bob_user.account.id
        ))
        .await
        .json();
    assert_eq!(following[0]["username"], "alice");
    let account = app
        .get(&format!("/api/v1/accounts/{alice_id}"))
        .await
        .json();
    assert_entity("Account", &account);
    assert_eq!(account["followers_count"], 1);
    // New posts reach the follower's home timeline.
    let post = app.post_status(&alice, &[("status", "news")]).await;
    let home = app
        .get_with_token("/api/v1/timelines/home", &bob)
        .await
        .json();
    assert_eq!(home[0]["id"], post["id"]);
    // Unfollowing updates the counts.
    let r = app
        .post_with_token(&format!("/api/v1/accounts/{alice_id}/unfollow"), &bob, &[])
        .await
        .json();
    assert_eq!(r["following"], false);
    assert_eq!(
        app.get(&format!("/api/v1/accounts/{alice_id}"))
            .await
            .json()["followers_count"],
        0
    );
    // Oneself cannot be followed.
    app.post_with_token(&format!("/api/v1/accounts/{alice_id}/follow"), &alice, &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn locked_accounts_approve_followers() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let (carol_user, carol) = app.user_with_token("carol").await;
    sqlx_lock(&app, alice_user.account.id).await;
    let alice_id = alice_user.account.id.to_string();
    let private = app
        .post_status(
            &alice,
            &[("status", "for followers"), ("visibility", "private")],
        )
        .await;
    let r = app
        .post_with_token(&format!("/api/v1/accounts/{alice_id}/follow"), &bob, &[])
        .await
        .json();
    assert_eq!(
        (r["following"].clone(), r["requested"].clone()),
        (json!(false), json!(true))
    );
    app.post_with_token(&format!("/api/v1/accounts/{alice_id}/follow"), &carol, &[])
        .await
        .assert_status(StatusCode::OK);
    app.get_with_token(
        &format!("/api/v1/statuses/{}", private["id"].as_str().unwrap()),
        &bob,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    let requests = app
        .get_with_token("/api/v1/follow_requests", &alice)
        .await
        .json();
    let names: Vec<&str> = requests
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["carol", "bob"]);
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice)
        .await
        .json();
    assert_eq!(me["source"]["follow_requests_count"], 2);
    let notifications = app
        .get_with_token("/api/v1/notifications?types[]=follow_request", &alice)
        .await
        .json();
    assert_eq!(notifications.as_array().unwrap().len(), 2);

    let r = app
        .post_with_token(
            &format!("/api/v1/follow_requests/{}/authorize", bob_user.account.id),
            &alice,
            &[],
        )
        .await
        .json();
    assert_eq!(r["followed_by"], true);
    let r = app
        .post_with_token(
            &format!("/api/v1/follow_requests/{}/reject", carol_user.account.id),
            &alice,
            &[],
        )
        .await
        .json();
    assert_eq!(r["followed_by"], false);
    app.post_with_token(
        &format!("/api/v1/follow_requests/{}/reject", carol_user.account.id),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_with_token("/api/v1/follow_requests", &alice)
            .await
            .json(),
        json!([])
    );
    // Answered requests leave the notifications, as in Mastodon.
    assert_eq!(
        app.get_with_token("/api/v1/notifications?types[]=follow_request", &alice)
            .await
            .json(),
        json!([])
    );
    // Bob now sees the followers-only post; Carol does not.
    app.get_with_token(
        &format!("/api/v1/statuses/{}", private["id"].as_str().unwrap()),
        &bob,
    )
    .await
    .assert_status(StatusCode::OK);
    app.get_with_token(
        &format!("/api/v1/statuses/{}", private["id"].as_str().unwrap()),
        &carol,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

/// Locks an account (update_credentials comes later).
async fn sqlx_lock(app: &TestApp, id: loggia::model::AccountId) {
    app.state
        .store
        .accounts()
        .set_locked(id, true)
        .await
        .unwrap();
}

#[tokio::test]
async fn blocking_severs_follows_and_hides_both_ways() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", bob_user.account.id),
        &alice,
        &[],
    )
    .await;
    let r = app
        .post_with_token(
            &format!("/api/v1/accounts/{}/block", bob_user.account.id),
            &alice,
            &[],
        )
        .await
        .json();
    assert_eq!(
        (
            r["blocking"].clone(),
            r["following"].clone(),
            r["followed_by"].clone()
        ),
        (json!(true), json!(false), json!(false))
    );
    let post = app.post_status(&alice, &[("status", "not for bob")]).await;
    app.get_with_token(
        &format!("/api/v1/statuses/{}", post["id"].as_str().unwrap()),
        &bob,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let blocks = app.get_with_token("/api/v1/blocks", &alice).await.json();
    assert_eq!(blocks[0]["username"], "bob");
    let r = app
        .post_with_token(
            &format!("/api/v1/accounts/{}/unblock", bob_user.account.id),
            &alice,
            &[],
        )
        .await
        .json();
    assert_eq!(r["blocking"], false);
    app.get_with_token(
        &format!("/api/v1/statuses/{}", post["id"].as_str().unwrap()),
        &bob,
    )
    .await
    .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn muting_hides_from_timelines_and_notifications() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", bob_user.account.id),
        &alice,
        &[],
    )
    .await;
    let r = app
        .post_with_token(
            &format!("/api/v1/accounts/{}/mute", bob_user.account.id),
            &alice,
            &[("notifications", "true"), ("duration", "3600")],
        )
        .await
        .json();
    assert_eq!(
        (r["muting"].clone(), r["muting_notifications"].clone()),
        (json!(true), json!(true))
    );
    app.post_status(&bob, &[("status", "@alice noise")]).await;
    assert_eq!(
        app.get_with_token("/api/v1/timelines/home", &alice)
            .await
            .json(),
        json!([])
    );
    assert_eq!(
        app.get_with_token("/api/v1/notifications", &alice)
            .await
            .json(),
        json!([])
    );
    assert_eq!(
        app.get_with_token("/api/v1/mutes", &alice).await.json()[0]["username"],
        "bob"
    );
    let bad = app
        .post_with_token(
            &format!("/api/v1/accounts/{}/mute", bob_user.account.id),
            &alice,
            &[("duration", "soon")],
        )
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_with_token(
        &format!("/api/v1/accounts/{}/unmute", bob_user.account.id),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let _ = alice_user;
}

#[tokio::test]
async fn accounts_are_found_by_id_and_handle() {
    let app = TestApp::new().await;
    let (alice_user, _) = app.user_with_token("alice").await;
    let found = app
        .get("/api/v1/accounts/lookup?acct=Alice")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(found["id"], alice_user.account.id.to_string());
    let found = app
        .get("/api/v1/accounts/lookup?acct=@alice@loggia.test")
        .await
        .json();
    assert_eq!(found["acct"], "alice");
    // Another server's account: found once this server knows it (no fetch).
    app.get("/api/v1/accounts/lookup?acct=alice@elsewhere.example")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let pat = app
        .state
        .store
        .accounts()
        .insert(&loggia::store::NewAccount {
            username: "Pat".into(),
            domain: Some("elsewhere.example".into()),
            actor_type: "Person".into(),
            uri: "https://elsewhere.example/users/pat".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let found = app
        .get("/api/v1/accounts/lookup?acct=@pat@Elsewhere.example")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(found["id"], pat.id.to_string());
    assert_eq!(found["acct"], "Pat@elsewhere.example");
    app.state
        .store
        .accounts()
        .set_domain_limit(pat.id, 2)
        .await
        .unwrap();
    app.get("/api/v1/accounts/lookup?acct=pat@elsewhere.example")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get("/api/v1/accounts/lookup?acct=nobody")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get("/api/v1/accounts/123")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get("/api/v1/accounts/not-an-id")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // The instance actor is not an account people can see.
    app.get(&format!("/api/v1/accounts/{}", app.state.instance_actor.id))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn following_merges_recent_posts_and_unfollowing_removes_them() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let old = app
        .post_status(&alice, &[("status", "before the follow")])
        .await;
    app.post_status(
        &alice,
        &[("status", "@bob a direct one"), ("visibility", "direct")],
    )
    .await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await;
    let home = app
        .get_with_token("/api/v1/timelines/home", &bob)
        .await
        .json();
    let ids: Vec<&str> = home
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [old["id"].as_str().unwrap()],
        "earlier posts join the feed; direct ones do not"
    );
    app.post_with_token(
        &format!("/api/v1/accounts/{}/unfollow", alice_user.account.id),
        &bob,
        &[],
    )
    .await;
    assert_eq!(
        app.get_with_token("/api/v1/timelines/home", &bob)
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn notify_subscribes_to_new_posts() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[("notify", "true")],
    )
    .await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &carol,
        &[],
    )
    .await;
    let post = app.post_status(&alice, &[("status", "news")]).await;
    let other = app.post_status(&carol, &[("status", "carol's")]).await;
    app.post_status(
        &alice,
        &[
            ("status", "a reply to carol"),
            ("in_reply_to_id", other["id"].as_str().unwrap()),
        ],
    )
    .await;
    let bob_sees = app
        .get_with_token("/api/v1/notifications?types[]=status", &bob)
        .await
        .json();
    assert_eq!(
        bob_sees.as_array().unwrap().len(),
        1,
        "replies to others do not notify"
    );
    assert_eq!(bob_sees[0]["status"]["id"], post["id"]);
    assert_eq!(
        app.get_with_token("/api/v1/notifications?types[]=status", &carol)
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn unlocking_an_account_accepts_waiting_followers() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    app.send_with_token(
        axum::http::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &alice,
        &[("locked", "true")],
    )
    .await
    .assert_status(StatusCode::OK);
    let r = app
        .post_with_token(
            &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
            &bob,
            &[],
        )
        .await
        .json();
    assert_eq!(r["requested"], true);
    app.send_with_token(
        axum::http::Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &alice,
        &[("locked", "false")],
    )
    .await
    .assert_status(StatusCode::OK);
    let rel = app
        .get_with_token(
            &format!(
                "/api/v1/accounts/relationships?id[]={}",
                alice_user.account.id
            ),
            &bob,
        )
        .await
        .json();
    assert_eq!(
        (rel[0]["following"].clone(), rel[0]["requested"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        app.get_with_token("/api/v1/follow_requests", &alice)
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn hiding_a_domain_hides_its_posts_and_ends_follows() {
    let app = TestApp::new().await;
    let (me_user, me) = app.user_with_token("me").await;
    // A remote account, as federation will create them.
    let remote = app
        .state
        .store
        .accounts()
        .insert(&loggia::store::NewAccount {
            username: "zed".into(),
            domain: Some("noisy.example".into()),
            actor_type: "Person".into(),
            uri: "https://noisy.example/users/zed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    app.state
        .store
        .follows()
        .follow(
            remote.id,
            me_user.account.id,
            loggia::store::FollowOptions {
                show_reblogs: true,
                notify: false,
                uri: None,
            },
        )
        .await
        .unwrap();
    let remote_post = crate::common::insert_remote_post(
        &app.state.store,
        remote.id,
        "https://noisy.example/notes/1",
        "buy now",
    )
    .await;
    let public_has = |list: serde_json::Value| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == remote_post.id.to_string().as_str())
    };
    assert!(public_has(
        app.get_with_token("/api/v1/timelines/public", &me)
            .await
            .json()
    ));
    let response = app
        .post_with_token("/api/v1/domain_blocks", &me, &[("domain", "Noisy.Example")])
        .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/domain_blocks", &me)
            .await
            .json(),
        json!(["noisy.example"])
    );
    assert!(!public_has(
        app.get_with_token("/api/v1/timelines/public", &me)
            .await
            .json()
    ));
    assert!(
        public_has(app.get("/api/v1/timelines/public").await.json()),
        "only for the one who hid it"
    );
    assert!(
        !app.state
            .store
            .follows()
            .relationship(me_user.account.id, remote.id)
            .await
            .unwrap()
            .followed_by
    );
    app.post_with_token("/api/v1/domain_blocks", &me, &[("domain", "loggia.test")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_with_token("/api/v1/domain_blocks", &me, &[("domain", "")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.send_with_token(
        axum::http::Method::DELETE,
        "/api/v1/domain_blocks?domain=noisy.example",
        &me,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/domain_blocks", &me)
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn accounts_search_serves_autocompletion() {
    let app = TestApp::new().await;
    let (_, me) = app.user_with_token("me").await;
    app.user_with_token("alexandra").await;
    app.user_with_token("alfred").await;
    let found = app
        .get_with_token("/api/v1/accounts/search?q=@al&limit=5", &me)
        .await
        .assert_status(StatusCode::OK)
        .json();
    let mut names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["alexandra", "alfred"]);
    let following = app
        .get_with_token("/api/v1/accounts/search?q=al&following=true", &me)
        .await
        .json();
    assert_eq!(following, json!([]));
}
