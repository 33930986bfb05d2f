//! End-to-end scenarios between instances, driven through the client API.

use serde_json::Value;

use super::{Db, Instance, eventually};

/// Follows `handle` from `instance` as the owner of `token`; returns the
/// remote account's local id there.
pub(super) async fn follow(instance: &Instance, token: &str, handle: &str) -> String {
    let id = instance.account_id_of(token, handle).await;
    let response = instance
        .app
        .post_with_token(&format!("/api/v1/accounts/{id}/follow"), token, &[])
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    id
}

pub(super) async fn relationship(instance: &Instance, token: &str, id: &str) -> Value {
    instance
        .get_json(&format!("/api/v1/accounts/relationships?id[]={id}"), token)
        .await[0]
        .clone()
}

/// The home timeline of a user, as texts.
pub(super) async fn home_texts(instance: &Instance, token: &str) -> Vec<String> {
    instance
        .get_json("/api/v1/timelines/home", token)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn notifications(instance: &Instance, token: &str) -> Vec<Value> {
    instance
        .get_json("/api/v1/notifications", token)
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn has_notification(
    instance: &Instance,
    token: &str,
    kind: &str,
    from: &str,
) -> Option<Value> {
    notifications(instance, token)
        .await
        .into_iter()
        .find(|n| n["type"] == kind && n["account"]["acct"] == from)
}

/// Follows and waits until the follow is accepted.
pub(super) async fn follow_accepted(instance: &Instance, token: &str, handle: &str) -> String {
    let id = follow(instance, token, handle).await;
    eventually("the follow is accepted", || async {
        (relationship(instance, token, &id).await["following"] == true).then_some(())
    })
    .await;
    id
}

pub(super) async fn status_by_uri(instance: &Instance, uri: &str) -> Option<loggia::model::Status> {
    instance.state().store.statuses().by_uri(uri).await.unwrap()
}

#[tokio::test]
async fn locked_account_is_followed_after_approval() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (alice, alice_token) = alpha.app.user_with_token("alice").await;
    alpha
        .app
        .state
        .store
        .accounts()
        .set_locked(alice.account.id, true)
        .await
        .unwrap();
    let (_, bob_token) = beta.app.user_with_token("bob").await;

    // Bob finds Alice by handle; the account looks like Mastodon's.
    let found = beta.resolve(&bob_token, &alpha.handle("alice")).await;
    let account = &found["accounts"][0];
    assert_eq!(account["acct"], format!("alice@{}", alpha.domain));
    assert_eq!(account["username"], "alice");
    assert_eq!(account["locked"], true);
    assert_eq!(account["url"], alpha.url("/@alice"));

    let alice_id = follow(&beta, &bob_token, &alpha.handle("alice")).await;
    assert_eq!(
        relationship(&beta, &bob_token, &alice_id).await["requested"],
        true
    );

    // Alice sees the request and a notification, with Bob's full handle.
    let bob_acct = format!("bob@{}", beta.domain);
    let request = eventually("the follow request arrives", || async {
        let list = alpha
            .get_json("/api/v1/follow_requests", &alice_token)
            .await;
        list.as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!(request["acct"], bob_acct);
    assert!(
        has_notification(&alpha, &alice_token, "follow_request", &bob_acct)
            .await
            .is_some()
    );

    let bob_id = request["id"].as_str().unwrap();
    let response = alpha
        .app
        .post_with_token(
            &format!("/api/v1/follow_requests/{bob_id}/authorize"),
            &alice_token,
            &[],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    eventually("the Accept arrives", || async {
        (relationship(&beta, &bob_token, &alice_id).await["following"] == true).then_some(())
    })
    .await;

    // Followers-only posts now reach Bob.
    alpha
        .app
        .post_status(
            &alice_token,
            &[("status", "for my followers"), ("visibility", "private")],
        )
        .await;
    eventually("the post reaches Bob's home", || async {
        home_texts(&beta, &bob_token)
            .await
            .iter()
            .any(|t| t.contains("for my followers"))
            .then_some(())
    })
    .await;
    let alice_account = alpha
        .get_json(
            &format!("/api/v1/accounts/{}", alice.account.id.0),
            &alice_token,
        )
        .await;
    assert_eq!(alice_account["followers_count"], 1);
}

#[tokio::test]
async fn each_audience_reaches_exactly_its_readers() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let gamma = Instance::start("gamma.test", Db::Sqlite).await;
    let (_, alice_token) = alpha.app.user_with_token("alice").await;
    let (_, bob_token) = beta.app.user_with_token("bob").await;
    let (_, dave_token) = gamma.app.user_with_token("dave").await;
    follow_accepted(&beta, &bob_token, &alpha.handle("alice")).await;
    // Alice knows Dave (to mention him).
    alpha
        .account_id_of(&alice_token, &gamma.handle("dave"))
        .await;

    let company = alpha
        .app
        .post_status(
            &alice_token,
            &[("status", "internal numbers"), ("visibility", "local")],
        )
        .await;
    let private = alpha
        .app
        .post_status(
            &alice_token,
            &[("status", "followers only"), ("visibility", "private")],
        )
        .await;
    let unlisted = alpha
        .app
        .post_status(
            &alice_token,
            &[("status", "quietly public"), ("visibility", "unlisted")],
        )
        .await;
    let direct = alpha
        .app
        .post_status(
            &alice_token,
            &[
                ("status", &format!("psst {}", gamma.handle("dave"))),
                ("visibility", "direct"),
            ],
        )
        .await;
    let public = alpha
        .app
        .post_status(
            &alice_token,
            &[("status", "hello world"), ("visibility", "public")],
        )
        .await;

    // Bob (a follower on beta) gets public, unlisted and followers-only.
    for (post, visibility) in [
        (&public, "public"),
        (&unlisted, "unlisted"),
        (&private, "private"),
    ] {
        let uri = post["uri"].as_str().unwrap().to_owned();
        let stored = eventually(&format!("{visibility} post reaches beta"), || async {
            status_by_uri(&beta, &uri).await
        })
        .await;
        assert_eq!(stored.visibility, visibility);
        assert!(!stored.local);
    }
    // Dave gets the direct message, as a mention, and nothing else.
    let dave_acct_alice = format!("alice@{}", alpha.domain);
    let mention = eventually("the direct message reaches Dave", || async {
        has_notification(&gamma, &dave_token, "mention", &dave_acct_alice).await
    })
    .await;
    assert_eq!(mention["status"]["visibility"], "direct");
    assert!(
        mention["status"]["content"]
            .as_str()
            .unwrap()
            .contains("psst")
    );

    // Let every delivery finish, then check who did not get what.
    eventually("alpha's queue drains", || async {
        let pending = alpha
            .state()
            .store
            .deliveries()
            .pending(None)
            .await
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
    let uri = |v: &Value| v["uri"].as_str().unwrap().to_owned();
    assert!(
        status_by_uri(&beta, &uri(&direct)).await.is_none(),
        "DM leaked to a follower"
    );
    assert!(
        status_by_uri(&gamma, &uri(&public)).await.is_none(),
        "no follower on gamma"
    );
    assert!(status_by_uri(&gamma, &uri(&private)).await.is_none());
    for instance in [&beta, &gamma] {
        assert!(
            status_by_uri(instance, &uri(&company)).await.is_none(),
            "a company-only post left the company"
        );
    }
    // And fetching it from outside answers 404, whatever is asked.
    let client = super::http();
    let response = client
        .get(uri(&company))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    // Beta's view of a public post carries Mastodon's remote shapes.
    let found = beta.resolve(&bob_token, &uri(&public)).await;
    let status = &found["statuses"][0];
    assert_eq!(status["account"]["acct"], format!("alice@{}", alpha.domain));
    assert_eq!(status["uri"], public["uri"]);
    assert_eq!(status["url"], public["url"]);
}

#[tokio::test]
async fn conversations_flow_both_ways() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (_, alice_token) = alpha.app.user_with_token("alice").await;
    let (_, bob_token) = beta.app.user_with_token("bob").await;
    follow_accepted(&beta, &bob_token, &alpha.handle("alice")).await;
    let alice_acct = format!("alice@{}", alpha.domain);
    let bob_acct = format!("bob@{}", beta.domain);

    let post = alpha
        .app
        .post_status(&alice_token, &[("status", "Launch day! #launch")])
        .await;
    let post_uri = post["uri"].as_str().unwrap().to_owned();
    let on_beta = eventually("the post reaches beta", || async {
        status_by_uri(&beta, &post_uri).await
    })
    .await;
    let remote_id = on_beta.id.0.to_string();

    // Bob replies, favourites and boosts; Alice is told of each.
    let reply = beta
        .app
        .post_status(
            &bob_token,
            &[
                (
                    "status",
                    &format!("{} congratulations!", alpha.handle("alice")),
                ),
                ("in_reply_to_id", &remote_id),
            ],
        )
        .await;
    beta.app
        .post_with_token(
            &format!("/api/v1/statuses/{remote_id}/favourite"),
            &bob_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    beta.app
        .post_with_token(
            &format!("/api/v1/statuses/{remote_id}/reblog"),
            &bob_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    for kind in ["mention", "favourite", "reblog"] {
        eventually(&format!("Alice is told of the {kind}"), || async {
            has_notification(&alpha, &alice_token, kind, &bob_acct).await
        })
        .await;
    }
    let local_id = post["id"].as_str().unwrap();
    let mine = alpha
        .get_json(&format!("/api/v1/statuses/{local_id}"), &alice_token)
        .await;
    assert_eq!(mine["favourites_count"], 1);
    assert_eq!(mine["reblogs_count"], 1);
    assert_eq!(mine["replies_count"], 1);
    let context = alpha
        .get_json(
            &format!("/api/v1/statuses/{local_id}/context"),
            &alice_token,
        )
        .await;
    let reply_here = &context["descendants"][0];
    assert_eq!(reply_here["account"]["acct"], bob_acct);
    assert_eq!(reply_here["in_reply_to_id"], post["id"]);

    // Alice answers, favourites the reply; Bob is told.
    let reply_id = reply_here["id"].as_str().unwrap().to_owned();
    alpha
        .app
        .post_status(
            &alice_token,
            &[
                ("status", &format!("{} thank you", beta.handle("bob"))),
                ("in_reply_to_id", &reply_id),
            ],
        )
        .await;
    alpha
        .app
        .post_with_token(
            &format!("/api/v1/statuses/{reply_id}/favourite"),
            &alice_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    for kind in ["mention", "favourite"] {
        eventually(&format!("Bob is told of the {kind}"), || async {
            has_notification(&beta, &bob_token, kind, &alice_acct).await
        })
        .await;
    }
    let bobs_reply = beta
        .get_json(
            &format!("/api/v1/statuses/{}", reply["id"].as_str().unwrap()),
            &bob_token,
        )
        .await;
    assert_eq!(bobs_reply["favourites_count"], 1);

    // Alice boosts Bob's reply; Bob edits it, then deletes it.
    alpha
        .app
        .post_with_token(
            &format!("/api/v1/statuses/{reply_id}/reblog"),
            &alice_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    eventually("Bob is told of the boost", || async {
        has_notification(&beta, &bob_token, "reblog", &alice_acct).await
    })
    .await;
    let bobs_reply_id = reply["id"].as_str().unwrap().to_owned();
    let reply_uri = reply["uri"].as_str().unwrap().to_owned();
    beta.app
        .send_with_token(
            axum::http::Method::PUT,
            &format!("/api/v1/statuses/{bobs_reply_id}"),
            &bob_token,
            &[(
                "status",
                &format!("{} congratulations, team!", alpha.handle("alice")),
            )],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    eventually("Bob's edit reaches alpha", || async {
        let s = status_by_uri(&alpha, &reply_uri).await?;
        s.content.contains("congratulations, team!").then_some(())
    })
    .await;
    beta.app
        .send_with_token(
            axum::http::Method::DELETE,
            &format!("/api/v1/statuses/{bobs_reply_id}"),
            &bob_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    eventually("Bob's delete reaches alpha", || async {
        status_by_uri(&alpha, &reply_uri)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    let mine = alpha
        .get_json(&format!("/api/v1/statuses/{local_id}"), &alice_token)
        .await;
    assert_eq!(
        mine["replies_count"], 0,
        "the deleted reply no longer counts"
    );

    // Bob takes back his favourite and boost.
    beta.app
        .post_with_token(
            &format!("/api/v1/statuses/{remote_id}/unfavourite"),
            &bob_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    beta.app
        .post_with_token(
            &format!("/api/v1/statuses/{remote_id}/unreblog"),
            &bob_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    eventually("the undos arrive", || async {
        let s = alpha
            .get_json(&format!("/api/v1/statuses/{local_id}"), &alice_token)
            .await;
        (s["favourites_count"] == 0 && s["reblogs_count"] == 0).then_some(())
    })
    .await;

    // Alice edits, then deletes; beta follows.
    let edited = alpha
        .app
        .send_with_token(
            axum::http::Method::PUT,
            &format!("/api/v1/statuses/{local_id}"),
            &alice_token,
            &[("status", "Launch day, now with details #launch")],
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    eventually("the edit reaches beta", || async {
        let s = status_by_uri(&beta, &post_uri).await?;
        (s.content.contains("now with details") && s.edited_at.is_some()).then_some(())
    })
    .await;
    alpha
        .app
        .send_with_token(
            axum::http::Method::DELETE,
            &format!("/api/v1/statuses/{local_id}"),
            &alice_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    eventually("the delete reaches beta", || async {
        status_by_uri(&beta, &post_uri)
            .await
            .is_none()
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn profile_updates_and_blocks_cross_over() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (_, alice_token) = alpha.app.user_with_token("alice").await;
    let (_, bob_token) = beta.app.user_with_token("bob").await;
    let alice_on_beta = follow_accepted(&beta, &bob_token, &alpha.handle("alice")).await;

    let response = alpha
        .app
        .send_with_token(
            axum::http::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &alice_token,
            &[
                ("display_name", "Alice from Acme"),
                ("note", "Head of partnerships"),
            ],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    eventually("the profile update reaches beta", || async {
        let a = beta
            .get_json(&format!("/api/v1/accounts/{alice_on_beta}"), &bob_token)
            .await;
        (a["display_name"] == "Alice from Acme"
            && a["note"]
                .as_str()
                .unwrap_or_default()
                .contains("Head of partnerships"))
        .then_some(())
    })
    .await;

    // Alice blocks Bob: Bob no longer follows her, on both sides.
    let bob_on_alpha = alpha.account_id_of(&alice_token, &beta.handle("bob")).await;
    alpha
        .app
        .post_with_token(
            &format!("/api/v1/accounts/{bob_on_alpha}/block"),
            &alice_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    let r = relationship(&alpha, &alice_token, &bob_on_alpha).await;
    assert_eq!(r["blocking"], true);
    assert_eq!(r["followed_by"], false);
    eventually("the block reaches beta", || async {
        (relationship(&beta, &bob_token, &alice_on_beta).await["following"] == false).then_some(())
    })
    .await;
    // Her next post is not delivered to Bob.
    let post = alpha
        .app
        .post_status(&alice_token, &[("status", "after the block")])
        .await;
    eventually("alpha's queue drains", || async {
        (alpha
            .state()
            .store
            .deliveries()
            .pending(None)
            .await
            .unwrap()
            == 0)
            .then_some(())
    })
    .await;
    assert!(
        status_by_uri(&beta, post["uri"].as_str().unwrap())
            .await
            .is_none()
    );
}

#[tokio::test]
async fn nothing_is_lost_when_a_peer_is_down_or_the_sender_restarts() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let mut beta = Instance::start("beta.test", Db::RunBackend).await;
    let (_, alice_token) = alpha.app.user_with_token("alice").await;
    let (_, bob_token) = beta.app.user_with_token("bob").await;
    follow_accepted(&beta, &bob_token, &alpha.handle("alice")).await;
    let first = alpha
        .app
        .post_status(&alice_token, &[("status", "before the outage")])
        .await;
    let first_uri = first["uri"].as_str().unwrap().to_owned();
    let on_beta = eventually("the first post arrives", || async {
        status_by_uri(&beta, &first_uri).await
    })
    .await;

    // Beta goes down; Alice posts; the delivery fails and waits.
    beta.go_down().await;
    let during = alpha
        .app
        .post_status(&alice_token, &[("status", "during the outage")])
        .await;
    let host = beta.domain.clone();
    eventually("the delivery fails once", || async {
        let peer = alpha
            .state()
            .store
            .deliveries()
            .peer(&host)
            .await
            .unwrap()?;
        peer.failing_since.map(|_| ())
    })
    .await;
    assert_eq!(
        alpha
            .state()
            .store
            .deliveries()
            .pending(Some(&host))
            .await
            .unwrap(),
        1
    );

    // Beta comes back and talks to alpha: alpha retries at once.
    let beta = beta.come_back().await;
    beta.app
        .post_with_token(
            &format!("/api/v1/statuses/{}/favourite", on_beta.id.0),
            &bob_token,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    let during_uri = during["uri"].as_str().unwrap().to_owned();
    eventually("the post made during the outage arrives", || async {
        status_by_uri(&beta, &during_uri).await
    })
    .await;

    // Alpha restarts with work queued: nothing is lost.
    let mut alpha = alpha;
    alpha.go_down().await;
    let paused = Instance::start_without_worker_on(alpha).await;
    let queued = paused
        .app
        .post_status(&alice_token, &[("status", "queued before a restart")])
        .await;
    let alpha = paused.come_back().await;
    let queued_uri = queued["uri"].as_str().unwrap().to_owned();
    eventually("the queued post arrives after the restart", || async {
        status_by_uri(&beta, &queued_uri).await
    })
    .await;
    drop(alpha);
}

#[tokio::test]
async fn polls_cross_over_as_questions_and_votes_come_back() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (_, alice_token) = alpha.app.user_with_token("alice").await;
    let (_, bob_token) = beta.app.user_with_token("bob").await;
    follow_accepted(&beta, &bob_token, &alpha.handle("alice")).await;

    let post = alpha
        .app
        .post_json_with_token(
            "/api/v1/statuses",
            &alice_token,
            &serde_json::json!({
                "status": "Offsite: where?",
                "poll": {"options": ["Lisbon", "Oslo"], "expires_in": 3600},
            }),
        )
        .await
        .json();
    let uri = post["uri"].as_str().unwrap().to_owned();
    // Served as a Question.
    let question: Value = super::http()
        .get(&uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(question["type"], "Question");
    assert_eq!(question["oneOf"][1]["name"], "Oslo");
    assert!(question["endTime"].is_string());

    let on_beta = eventually("the poll reaches beta", || async {
        status_by_uri(&beta, &uri).await
    })
    .await;
    let seen = beta
        .get_json(&format!("/api/v1/statuses/{}", on_beta.id), &bob_token)
        .await;
    let poll_id = seen["poll"]["id"].as_str().unwrap().to_owned();
    assert_eq!(seen["poll"]["options"][0]["title"], "Lisbon");
    assert_eq!(seen["poll"]["expires_at"], post["poll"]["expires_at"]);

    // Bob votes on beta; the vote reaches alice's poll on alpha, and
    // alpha's new tallies come back to beta.
    let voted = beta
        .app
        .post_json_with_token(
            &format!("/api/v1/polls/{poll_id}/votes"),
            &bob_token,
            &serde_json::json!({"choices": [1]}),
        )
        .await;
    assert_eq!(voted.status, 200, "{}", voted.text());
    assert_eq!(voted.json()["own_votes"], serde_json::json!([1]));
    let local_poll = post["poll"]["id"].as_str().unwrap().to_owned();
    eventually("alpha counts bob's vote", || async {
        let poll = alpha
            .get_json(&format!("/api/v1/polls/{local_poll}"), &alice_token)
            .await;
        (poll["options"][1]["votes_count"] == 1).then_some(())
    })
    .await;
    eventually("beta learns the new tally", || async {
        let poll = beta
            .get_json(&format!("/api/v1/polls/{poll_id}"), &bob_token)
            .await;
        (poll["options"][1]["votes_count"] == 1 && poll["voted"] == true).then_some(())
    })
    .await;
    // A tally update is not an edit.
    let after = beta
        .get_json(&format!("/api/v1/statuses/{}", on_beta.id), &bob_token)
        .await;
    assert_eq!(after["edited_at"], Value::Null);
    assert_eq!(after["content"], seen["content"]);
}
