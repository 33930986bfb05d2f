//! Posting, reading, deleting and acting on statuses.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::schema::assert_entity;
use crate::common::{Form, TestApp};

#[tokio::test]
async fn posting_renders_mentions_hashtags_and_links_like_mastodon() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (bob, _) = app.user_with_token("bob").await;
    let status = app
        .post_status(
            &alice,
            &[
                (
                    "status",
                    "Hi @bob, see https://example.com/a #Launch\n\nbye",
                ),
                ("language", "en"),
            ],
        )
        .await;
    assert_entity("Status", &status);
    assert_eq!(
        status["content"],
        "<p>Hi <span class=\"h-card\" translate=\"no\"><a href=\"http://loggia.test/@bob\" class=\"u-url mention\">@<span>bob</span></a></span>, \
         see <a href=\"https://example.com/a\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible\">https://</span><span class=\"\">example.com/a</span><span class=\"invisible\"></span></a> \
         <a href=\"http://loggia.test/tags/launch\" class=\"mention hashtag\" rel=\"tag\">#<span>Launch</span></a></p><p>bye</p>"
    );
    assert_eq!(
        status["mentions"],
        json!([{"id": bob.account.id.to_string(), "username": "bob", "url": "http://loggia.test/@bob", "acct": "bob"}])
    );
    assert_eq!(
        status["tags"],
        json!([{"name": "launch", "url": "http://loggia.test/tags/launch"}])
    );
    assert_eq!(status["visibility"], "public");
    assert_eq!(status["local_only"], false);
    assert_eq!(status["language"], "en");
    assert_eq!(status["application"]["name"], "Test client");
    assert_eq!(status["account"]["username"], "alice");
    assert!(status.get("text").is_none());
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice)
        .await
        .json();
    assert_eq!(me["statuses_count"], 1);
}

#[tokio::test]
async fn bad_statuses_are_refused_with_mastodon_messages() {
    let app = TestApp::with_config(|c| c.max_status_chars = 20).await;
    let (_, alice) = app.user_with_token("alice").await;
    let cases: [(Form, StatusCode, &str); 6] = [
        (
            &[("status", "")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Text can't be blank",
        ),
        (
            &[("status", "this is much longer than twenty characters")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Text character limit of 20 exceeded",
        ),
        (
            &[("status", "hi"), ("visibility", "everyone")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Visibility \"everyone\"",
        ),
        (
            &[("status", "hi"), ("media_ids[]", "123")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "media attachment 123 not found",
        ),
        (
            &[("status", "hi"), ("in_reply_to_id", "999")],
            StatusCode::NOT_FOUND,
            "Record not found",
        ),
        (
            &[("status", "hi"), ("in_reply_to_id", "nonsense")],
            StatusCode::NOT_FOUND,
            "Record not found",
        ),
    ];
    for (form, status, message) in cases {
        let response = app.post_with_token("/api/v1/statuses", &alice, form).await;
        assert_eq!(response.status, status, "{form:?}: {}", response.text());
        assert!(
            response.json()["error"].as_str().unwrap().contains(message),
            "{}",
            response.text()
        );
    }
    // Any URL counts as 23 characters, more than the limit of 20.
    let response = app
        .post_with_token(
            "/api/v1/statuses",
            &alice,
            &[("status", "https://example.com/a/very/long/path/indeed")],
        )
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn statuses_need_the_write_scope_and_a_user() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let read_only = app.token("alice", "read").await;
    let response = app
        .post_with_token("/api/v1/statuses", &read_only, &[("status", "hi")])
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    app.post_form("/api/v1/statuses", &[("status", "hi")])
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let granular = app.token("alice", "write:statuses").await;
    app.post_with_token("/api/v1/statuses", &granular, &[("status", "hi")])
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn an_idempotency_key_prevents_double_posts() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let send = || {
        let request = crate::common::form_request(
            Method::POST,
            "/api/v1/statuses",
            &[("status", "only once")],
            &[
                ("authorization", &format!("Bearer {alice}")),
                ("idempotency-key", "abc-123"),
            ],
        );
        app.send(request)
    };
    let first = send().await.json();
    let second = send().await.json();
    assert_eq!(first["id"], second["id"]);
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice)
        .await
        .json();
    assert_eq!(me["statuses_count"], 1);
}

#[tokio::test]
async fn delete_returns_the_source_text_and_only_the_author_may() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let status = app.post_status(&alice, &[("status", "typo hre")]).await;
    let path = format!("/api/v1/statuses/{}", status["id"].as_str().unwrap());
    // Someone else's post is "not found" for deleting, as in Mastodon.
    let response = app.send_with_token(Method::DELETE, &path, &bob, &[]).await;
    response.assert_status(StatusCode::NOT_FOUND);
    let response = app
        .send_with_token(Method::DELETE, &path, &alice, &[])
        .await;
    let deleted = response.assert_status(StatusCode::OK).json();
    assert_eq!(deleted["text"], "typo hre");
    app.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(Method::DELETE, &path, &alice, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice)
        .await
        .json();
    assert_eq!(me["statuses_count"], 0);
}

#[tokio::test]
async fn replies_build_a_context() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let root = app.post_status(&alice, &[("status", "root")]).await;
    let root_id = root["id"].as_str().unwrap();
    let reply = app
        .post_status(
            &bob,
            &[("status", "@alice reply"), ("in_reply_to_id", root_id)],
        )
        .await;
    assert_eq!(reply["in_reply_to_id"], root_id);
    assert_eq!(reply["in_reply_to_account_id"], root["account"]["id"]);
    let reply_id = reply["id"].as_str().unwrap();
    let nested = app
        .post_status(
            &alice,
            &[("status", "nested"), ("in_reply_to_id", reply_id)],
        )
        .await;

    let context = app
        .get(&format!("/api/v1/statuses/{reply_id}/context"))
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Context", &context);
    assert_eq!(context["ancestors"][0]["id"], root["id"]);
    assert_eq!(context["descendants"][0]["id"], nested["id"]);
    let root_now = app.get(&format!("/api/v1/statuses/{root_id}")).await.json();
    assert_eq!(root_now["replies_count"], 1);
}

#[tokio::test]
async fn favourites_reblogs_bookmarks_and_pins() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let status = app.post_status(&alice, &[("status", "like me")]).await;
    let id = status["id"].as_str().unwrap();

    let faved = app
        .post_with_token(&format!("/api/v1/statuses/{id}/favourite"), &bob, &[])
        .await
        .json();
    assert_eq!(
        (
            faved["favourited"].clone(),
            faved["favourites_count"].clone()
        ),
        (json!(true), json!(1))
    );
    // Twice is still once.
    let faved = app
        .post_with_token(&format!("/api/v1/statuses/{id}/favourite"), &bob, &[])
        .await
        .json();
    assert_eq!(faved["favourites_count"], 1);
    let by = app
        .get(&format!("/api/v1/statuses/{id}/favourited_by"))
        .await
        .json();
    assert_eq!(by[0]["id"], bob_user.account.id.to_string());

    let reblog = app
        .post_with_token(&format!("/api/v1/statuses/{id}/reblog"), &bob, &[])
        .await;
    let reblog = reblog.assert_status(StatusCode::OK).json();
    assert_entity("Status", &reblog);
    assert_eq!(reblog["reblog"]["id"], id);
    assert_eq!(reblog["reblog"]["reblogged"], true);
    assert_eq!(reblog["reblog"]["reblogs_count"], 1);
    let by = app
        .get(&format!("/api/v1/statuses/{id}/reblogged_by"))
        .await
        .json();
    assert_eq!(by[0]["username"], "bob");

    let bookmarked = app
        .post_with_token(&format!("/api/v1/statuses/{id}/bookmark"), &bob, &[])
        .await
        .json();
    assert_eq!(bookmarked["bookmarked"], true);
    let bookmarks = app.get_with_token("/api/v1/bookmarks", &bob).await.json();
    assert_eq!(bookmarks[0]["id"], id);
    let favourites = app.get_with_token("/api/v1/favourites", &bob).await.json();
    assert_eq!(favourites[0]["id"], id);

    // Pins are for one's own posts.
    app.post_with_token(&format!("/api/v1/statuses/{id}/pin"), &bob, &[])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let pinned = app
        .post_with_token(&format!("/api/v1/statuses/{id}/pin"), &alice, &[])
        .await
        .json();
    assert_eq!(pinned["pinned"], true);
    app.post_with_token(&format!("/api/v1/statuses/{id}/pin"), &alice, &[])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let alice_id = status["account"]["id"].as_str().unwrap();
    let pins = app
        .get(&format!("/api/v1/accounts/{alice_id}/statuses?pinned=true"))
        .await
        .json();
    assert_eq!(pins.as_array().unwrap().len(), 1);

    // And everything undoes.
    let undone = app
        .post_with_token(&format!("/api/v1/statuses/{id}/unfavourite"), &bob, &[])
        .await
        .json();
    assert_eq!(
        (
            undone["favourited"].clone(),
            undone["favourites_count"].clone()
        ),
        (json!(false), json!(0))
    );
    let undone = app
        .post_with_token(&format!("/api/v1/statuses/{id}/unreblog"), &bob, &[])
        .await
        .json();
    assert_eq!(
        (undone["reblogged"].clone(), undone["reblogs_count"].clone()),
        (json!(false), json!(0))
    );
    let undone = app
        .post_with_token(&format!("/api/v1/statuses/{id}/unbookmark"), &bob, &[])
        .await
        .json();
    assert_eq!(undone["bookmarked"], false);
    assert_eq!(
        app.get_with_token("/api/v1/bookmarks", &bob).await.json(),
        json!([])
    );
    let undone = app
        .post_with_token(&format!("/api/v1/statuses/{id}/unpin"), &alice, &[])
        .await
        .json();
    assert_eq!(undone["pinned"], false);
}

/// A page is rendered with one query per kind of thing (marks, boosted
/// originals): each status must still get its own marks, and a boost whose
/// original the viewer may not see is left out while the rest stays.
#[tokio::test]
async fn a_page_gives_each_post_its_own_marks_and_drops_unseeable_boosts() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    let alice_id = alice_user.account.id;
    let ok = |r: crate::common::TestResponse| {
        r.assert_status(StatusCode::OK);
    };
    ok(app
        .post_with_token(&format!("/api/v1/accounts/{alice_id}/follow"), &bob, &[])
        .await);
    let carols = app.post_status(&carol, &[("status", "carol's")]).await["id"].clone();
    let carols = carols.as_str().unwrap();
    ok(app
        .post_with_token(&format!("/api/v1/statuses/{carols}/reblog"), &alice, &[])
        .await);
    let mut ids = Vec::new();
    for n in 0..4 {
        let posted = app
            .post_status(&alice, &[("status", &format!("post {n}"))])
            .await;
        ids.push(posted["id"].as_str().unwrap().to_owned());
    }
    let on = |n: usize, action: &str| format!("/api/v1/statuses/{}/{action}", ids[n]);
    ok(app.post_with_token(&on(0, "favourite"), &bob, &[]).await);
    ok(app.post_with_token(&on(1, "bookmark"), &bob, &[]).await);
    ok(app.post_with_token(&on(2, "reblog"), &bob, &[]).await);
    ok(app.post_with_token(&on(3, "pin"), &alice, &[]).await);

    // (shown status, [favourited, bookmarked, reblogged, pinned]) per entry.
    let page = |token: &str| {
        let (app, token) = (&app, token.to_owned());
        async move {
            let home = app.get_with_token("/api/v1/timelines/home", &token).await;
            let home = home.assert_status(StatusCode::OK).json();
            home.as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let target = if s["reblog"].is_null() {
                        s
                    } else {
                        &s["reblog"]
                    };
                    let mark = |k: &str| s[k].as_bool().unwrap_or(false);
                    (
                        target["id"].as_str().unwrap().to_owned(),
                        [
                            mark("favourited"),
                            mark("bookmarked"),
                            mark("reblogged"),
                            mark("pinned"),
                        ],
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let none = [false; 4];
    // Newest first: bob's boost of post 2, posts 3 to 0, alice's boost.
    let bobs = vec![
        (ids[2].clone(), [false, false, true, false]),
        (ids[3].clone(), none),
        (ids[2].clone(), [false, false, true, false]),
        (ids[1].clone(), [false, true, false, false]),
        (ids[0].clone(), [true, false, false, false]),
        (carols.to_owned(), none),
    ];
    assert_eq!(page(&bob).await, bobs);
    // Pins are the viewer's own: alice sees hers.
    let alices = vec![
        (ids[3].clone(), [false, false, false, true]),
        (ids[2].clone(), none),
        (ids[1].clone(), none),
        (ids[0].clone(), none),
        (carols.to_owned(), [false, false, true, false]),
    ];
    assert_eq!(page(&alice).await, alices);

    // Once carol blocks bob, her post is out of his sight, and so is
    // alice's boost of it; the rest of the page stays.
    let block = format!("/api/v1/accounts/{}/block", bob_user.account.id);
    ok(app.post_with_token(&block, &carol, &[]).await);
    assert_eq!(page(&bob).await, bobs[..5].to_vec());
}

#[tokio::test]
async fn private_and_direct_posts_cannot_be_boosted_by_others() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    app.post_with_token(
        &format!(
            "/api/v1/accounts/{}/follow",
            app.state
                .store
                .accounts()
                .local_by_username("alice")
                .await
                .unwrap()
                .unwrap()
                .id
        ),
        &bob,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let private = app
        .post_status(
            &alice,
            &[("status", "followers only"), ("visibility", "private")],
        )
        .await;
    let response = app
        .post_with_token(
            &format!(
                "/api/v1/statuses/{}/reblog",
                private["id"].as_str().unwrap()
            ),
            &bob,
            &[],
        )
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    let direct = app
        .post_status(&alice, &[("status", "@bob psst"), ("visibility", "direct")])
        .await;
    let response = app
        .post_with_token(
            &format!("/api/v1/statuses/{}/reblog", direct["id"].as_str().unwrap()),
            &bob,
            &[],
        )
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    let _ = bob_user;
}

#[tokio::test]
async fn edits_keep_a_history_and_tell_boosters() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let status = app.post_status(&alice, &[("status", "first #draft")]).await;
    let id = status["id"].as_str().unwrap();
    let history = app
        .get(&format!("/api/v1/statuses/{id}/history"))
        .await
        .json();
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "a status never edited has one version"
    );
    app.post_with_token(&format!("/api/v1/statuses/{id}/reblog"), &bob, &[])
        .await;

    let edited = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            &alice,
            &[("status", "second #final"), ("spoiler_text", "cw")],
        )
        .await;
    let edited = edited.assert_status(StatusCode::OK).json();
    assert_entity("Status", &edited);
    assert!(edited["content"].as_str().unwrap().contains("second"));
    assert_eq!(
        (edited["spoiler_text"].clone(), edited["sensitive"].clone()),
        (json!("cw"), json!(true))
    );
    assert!(edited["edited_at"].is_string());
    assert_eq!(
        edited["tags"],
        json!([{"name": "final", "url": "http://loggia.test/tags/final"}])
    );

    let source = app
        .get_with_token(&format!("/api/v1/statuses/{id}/source"), &alice)
        .await
        .json();
    assert_eq!(
        source,
        json!({"id": id, "text": "second #final", "spoiler_text": "cw"})
    );
    app.get_with_token(&format!("/api/v1/statuses/{id}/source"), &bob)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let history = app
        .get(&format!("/api/v1/statuses/{id}/history"))
        .await
        .json();
    let versions = history.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    for v in versions {
        assert_entity("StatusEdit", v);
    }
    assert!(versions[0]["content"].as_str().unwrap().contains("first"));
    let notifications = app
        .get_with_token("/api/v1/notifications?types[]=update", &bob)
        .await
        .json();
    assert_eq!(notifications[0]["status"]["id"], id);

    // Only the author edits (others get 404, as in Mastodon); a blank edit
    // is refused.
    app.send_with_token(
        Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        &bob,
        &[("status", "hijack")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(
        Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        &alice,
        &[("status", " ")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn direct_messages_form_conversations() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    let first = app
        .post_status(
            &alice,
            &[("status", "@bob lunch?"), ("visibility", "direct")],
        )
        .await;
    app.post_status(&alice, &[("status", "public, not a conversation")])
        .await;
    let bobs = app
        .get_with_token("/api/v1/conversations", &bob)
        .await
        .json();
    assert_eq!(bobs.as_array().unwrap().len(), 1);
    assert_entity("Conversation", &bobs[0]);
    assert_eq!(bobs[0]["unread"], true);
    assert_eq!(bobs[0]["last_status"]["id"], first["id"]);
    assert_eq!(bobs[0]["accounts"][0]["username"], "alice");
    let alices = app
        .get_with_token("/api/v1/conversations", &alice)
        .await
        .json();
    assert_eq!(
        (
            alices[0]["unread"].clone(),
            alices[0]["accounts"][0]["id"].clone()
        ),
        (json!(false), json!(bob_user.account.id.to_string()))
    );
    assert_eq!(
        app.get_with_token("/api/v1/conversations", &carol)
            .await
            .json(),
        json!([])
    );

    // The reply continues the same conversation.
    let reply = app
        .post_status(
            &bob,
            &[
                ("status", "@alice sure"),
                ("visibility", "direct"),
                ("in_reply_to_id", first["id"].as_str().unwrap()),
            ],
        )
        .await;
    let alices = app
        .get_with_token("/api/v1/conversations", &alice)
        .await
        .json();
    assert_eq!(alices.as_array().unwrap().len(), 1);
    assert_eq!(
        (
            alices[0]["last_status"]["id"].clone(),
            alices[0]["unread"].clone()
        ),
        (reply["id"].clone(), json!(true))
    );
    let cid = alices[0]["id"].as_str().unwrap();
    let read = app
        .post_with_token(&format!("/api/v1/conversations/{cid}/read"), &alice, &[])
        .await
        .json();
    assert_eq!(read["unread"], false);
    app.post_with_token(&format!("/api/v1/conversations/{cid}/read"), &carol, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/conversations/{cid}"),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/conversations", &alice)
            .await
            .json(),
        json!([])
    );
    assert_eq!(
        app.get_with_token("/api/v1/conversations", &bob)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "only Alice's view went"
    );
}
