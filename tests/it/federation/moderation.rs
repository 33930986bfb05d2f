//! Moderation between real instances: domain suspension and silence,
//! allowlist mode, inbound rules, and an outbound post held for review
//! that reaches the peer exactly once after approval. The moderating
//! instance (alpha) runs on the run's backend, so the PostgreSQL pass
//! checks the policy there.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::scenarios::{follow, follow_accepted, home_texts, relationship, status_by_uri};
use super::{Db, Instance, eventually};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

async fn admin_token(instance: &Instance) -> String {
    instance.app.create_user("boss", "admin").await;
    instance.app.token("boss", ADMIN_SCOPES).await
}

async fn add_rule(instance: &Instance, token: &str, rule: Value) {
    instance
        .app
        .post_json_with_token("/api/v1/loggia/admin/rules", token, &rule)
        .await
        .assert_status(StatusCode::OK);
}

/// Waits until `instance` has no delivery left for `host`.
async fn drained(instance: &Instance, host: &str) {
    eventually("the deliveries are done", || async {
        (instance
            .state()
            .store
            .deliveries()
            .pending(Some(host))
            .await
            .unwrap()
            == 0)
            .then_some(())
    })
    .await;
}

fn host_name(instance: &Instance) -> String {
    instance.domain.split(':').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_held_post_reaches_the_peer_exactly_once_after_approval() {
    let alpha = Instance::start("alpha.test", Db::RunBackend).await;
    let beta = Instance::start("beta.test", Db::Sqlite).await;
    let boss = admin_token(&alpha).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    let (_, bob) = beta.app.user_with_token("bob").await;
    follow_accepted(&beta, &bob, &alpha.handle("alice")).await;
    add_rule(
        &alpha,
        &boss,
        json!({"name": "Customers", "direction": "outbound", "match": "keyword",
               "patterns": ["Initech"], "action": "hold", "text": "Names a customer"}),
    )
    .await;

    // Alpha keeps running but without its delivery worker, so nothing can
    // slip out between the post and the checks.
    let paused = Instance::start_without_worker_on(alpha).await;
    let held = paused
        .app
        .post_status(&alice, &[("status", "Signed the Initech deal!")])
        .await;
    assert_eq!(held["loggia_review"]["state"], "pending");
    let store = &paused.state().store;
    assert!(
        store
            .deliveries()
            .pending_renders(10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.deliveries().pending(None).await.unwrap(), 0);
    let id = held["id"].as_str().unwrap();
    paused
        .app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
            &boss,
            &[],
        )
        .await
        .assert_status(StatusCode::OK);
    paused
        .app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
            &boss,
            &[],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let queued = store.deliveries().pending_renders(10).await.unwrap();
    assert_eq!(queued.len(), 1, "one Create queued: {queued:?}");
    assert_eq!(queued[0].3, "Create");

    let alpha = paused.come_back().await;
    let uri = held["uri"].as_str().unwrap().to_owned();
    eventually("the approved post reaches Bob", || async {
        status_by_uri(&beta, &uri).await
    })
    .await;
    drained(&alpha, &beta.domain).await;
    let home = home_texts(&beta, &bob).await;
    assert_eq!(
        home.iter().filter(|t| t.contains("Initech")).count(),
        1,
        "{home:?}"
    );

    // An edit is held again; the peer keeps the approved version until the
    // edit is approved, then receives it as an Update.
    let edited = alpha
        .app
        .send_json(
            Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            &alice,
            &json!({"status": "Signed the Initech deal, ten years!"}),
        )
        .await;
    edited.assert_status(StatusCode::OK);
    assert_eq!(edited.json()["loggia_review"]["state"], "pending");
    drained(&alpha, &beta.domain).await;
    let on_beta = status_by_uri(&beta, &uri).await.unwrap();
    assert!(
        !on_beta.content.contains("ten years"),
        "{}",
        on_beta.content
    );
    alpha
        .app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
            &boss,
            &[],
        )
        .await
        .assert_status(StatusCode::OK);
    eventually("the approved edit reaches Bob", || async {
        let on_beta = status_by_uri(&beta, &uri).await?;
        on_beta.content.contains("ten years").then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_suspended_domain_is_cut_off_both_ways() {
    let alpha = Instance::start("alpha.test", Db::RunBackend).await;
    let beta = Instance::start("beta.test", Db::Sqlite).await;
    let boss = admin_token(&alpha).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    let (_, bob) = beta.app.user_with_token("bob").await;
    let bob_id = follow_accepted(&alpha, &alice, &beta.handle("bob")).await;
    follow_accepted(&beta, &bob, &alpha.handle("alice")).await;

    alpha
        .app
        .post_with_token(
            "/api/v1/admin/domain_blocks",
            &boss,
            &[("domain", &host_name(&beta)), ("severity", "suspend")],
        )
        .await
        .assert_status(StatusCode::OK);
    // Follows are severed both ways on alpha.
    let rel = relationship(&alpha, &alice, &bob_id).await;
    assert_eq!(rel["following"], false);
    assert_eq!(rel["followed_by"], false);

    // Bob still thinks Alice follows him: his post is refused at the door.
    let post = beta
        .app
        .post_status(&bob, &[("status", "hello from beta")])
        .await;
    drained(&beta, &alpha.domain).await;
    let uri = post["uri"].as_str().unwrap();
    assert!(status_by_uri(&alpha, uri).await.is_none(), "never stored");
    // Nothing goes from alpha to beta either.
    alpha
        .app
        .post_status(&alice, &[("status", "anyone there?")])
        .await;
    drained(&alpha, &beta.domain).await;
    assert!(
        !home_texts(&beta, &bob)
            .await
            .iter()
            .any(|t| t.contains("anyone there")),
    );
    // Looking beta's accounts up is refused too.
    let found = alpha
        .app
        .get_with_token(
            &format!("/api/v2/search?resolve=true&q={}", beta.handle("carol")),
            &alice,
        )
        .await
        .json();
    assert!(found["accounts"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_silenced_domain_is_kept_out_of_public_timelines() {
    let alpha = Instance::start("alpha.test", Db::RunBackend).await;
    let beta = Instance::start("beta.test", Db::Sqlite).await;
    let boss = admin_token(&alpha).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    let (_, bob) = beta.app.user_with_token("bob").await;
    follow_accepted(&alpha, &alice, &beta.handle("bob")).await;
    alpha
        .app
        .post_with_token(
            "/api/v1/admin/domain_blocks",
            &boss,
            &[("domain", &host_name(&beta)), ("severity", "silence")],
        )
        .await
        .assert_status(StatusCode::OK);

    let post = beta.app.post_status(&bob, &[("status", "loud news")]).await;
    let uri = post["uri"].as_str().unwrap().to_owned();
    eventually("the post reaches Alice's home", || async {
        status_by_uri(&alpha, &uri).await
    })
    .await;
    assert!(
        home_texts(&alpha, &alice)
            .await
            .iter()
            .any(|t| t.contains("loud news"))
    );
    for path in [
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?remote=true",
    ] {
        let public = alpha.get_json(path, &alice).await;
        assert!(
            !public.to_string().contains("loud news"),
            "{path} shows a silenced post"
        );
    }
    // Following someone here now needs their approval.
    let alice_id = follow(&beta, &bob, &alpha.handle("alice")).await;
    eventually("the follow request arrives", || async {
        let list = alpha.get_json("/api/v1/follow_requests", &alice).await;
        list.as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!(
        relationship(&beta, &bob, &alice_id).await["following"],
        false
    );
}

#[tokio::test]
async fn allowlist_mode_talks_only_to_partners() {
    let alpha = Instance::start("alpha.test", Db::RunBackend).await;
    let beta = Instance::start("beta.test", Db::Sqlite).await;
    let boss = admin_token(&alpha).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    let (_, bob) = beta.app.user_with_token("bob").await;
    let alice_id = beta.account_id_of(&bob, &alpha.handle("alice")).await;

    alpha
        .app
        .send_with_token(
            Method::PUT,
            "/api/v1/loggia/admin/federation",
            &boss,
            &[("mode", "allowlist")],
        )
        .await
        .assert_status(StatusCode::OK);
    follow(&beta, &bob, &alpha.handle("alice")).await;
    drained(&beta, &alpha.domain).await;
    assert_eq!(
        relationship(&beta, &bob, &alice_id).await["following"],
        false
    );
    let followers = alpha.get_json("/api/v1/timelines/home", &alice).await;
    assert!(followers.as_array().unwrap().is_empty());
    let me = alpha
        .get_json("/api/v1/accounts/verify_credentials", &alice)
        .await;
    assert_eq!(me["followers_count"], 0, "the follow was refused");

    // Once beta is a partner, the same follow goes through.
    alpha
        .app
        .post_with_token(
            "/api/v1/admin/domain_allows",
            &boss,
            &[("domain", &host_name(&beta))],
        )
        .await
        .assert_status(StatusCode::OK);
    beta.app
        .post_with_token(&format!("/api/v1/accounts/{alice_id}/unfollow"), &bob, &[])
        .await
        .assert_status(StatusCode::OK);
    follow(&beta, &bob, &alpha.handle("alice")).await;
    eventually("the follow is accepted", || async {
        (relationship(&beta, &bob, &alice_id).await["following"] == true).then_some(())
    })
    .await;
}

#[tokio::test]
async fn inbound_rules_refuse_or_hold_posts_from_other_servers() {
    let alpha = Instance::start("alpha.test", Db::RunBackend).await;
    let beta = Instance::start("beta.test", Db::Sqlite).await;
    let boss = admin_token(&alpha).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    let (_, bob) = beta.app.user_with_token("bob").await;
    follow_accepted(&alpha, &alice, &beta.handle("bob")).await;
    add_rule(
        &alpha,
        &boss,
        json!({"name": "Spam", "direction": "inbound", "match": "keyword",
               "patterns": ["casino"], "action": "reject", "text": "spam"}),
    )
    .await;
    add_rule(
        &alpha,
        &boss,
        json!({"name": "Look first", "direction": "inbound", "match": "hashtag",
               "patterns": ["acquisition"], "action": "hold", "text": "needs a look"}),
    )
    .await;

    add_rule(
        &alpha,
        &boss,
        json!({"name": "Spoilers", "direction": "inbound", "match": "regex",
               "patterns": ["season \\d+ finale"], "action": "content_warning", "text": "TV spoilers"}),
    )
    .await;
    let spam = beta
        .app
        .post_status(&bob, &[("status", "Best casino bonus")])
        .await;
    let spoiler = beta
        .app
        .post_status(&bob, &[("status", "The season 3 finale was wild")])
        .await;
    let held = beta
        .app
        .post_status(&bob, &[("status", "Big news #acquisition")])
        .await;
    let fine = beta
        .app
        .post_status(&bob, &[("status", "Just a normal day")])
        .await;
    let fine_uri = fine["uri"].as_str().unwrap().to_owned();
    eventually("the normal post arrives", || async {
        status_by_uri(&alpha, &fine_uri).await
    })
    .await;
    drained(&beta, &alpha.domain).await;
    assert!(
        status_by_uri(&alpha, spam["uri"].as_str().unwrap())
            .await
            .is_none()
    );
    let rewritten = status_by_uri(&alpha, spoiler["uri"].as_str().unwrap())
        .await
        .expect("a rewritten post is stored");
    assert_eq!(rewritten.spoiler_text, "TV spoilers");
    assert!(rewritten.sensitive);
    let stored = status_by_uri(&alpha, held["uri"].as_str().unwrap())
        .await
        .expect("a held post is stored");
    assert_eq!(stored.review_state, "pending");
    assert!(
        !home_texts(&alpha, &alice)
            .await
            .iter()
            .any(|t| t.contains("#acquisition") || t.contains("acquisition"))
    );

    let queue = alpha
        .get_json("/api/v1/loggia/admin/reviews?direction=inbound", &boss)
        .await;
    assert_eq!(queue[0]["id"], stored.id.to_string());
    alpha
        .app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{}/approve", stored.id.0),
            &boss,
            &[],
        )
        .await
        .assert_status(StatusCode::OK);
    assert!(
        home_texts(&alpha, &alice)
            .await
            .iter()
            .any(|t| t.contains("acquisition"))
    );
    let rejected = alpha
        .get_json(
            "/api/v1/loggia/admin/audit_log?action=status.rejected",
            &boss,
        )
        .await;
    assert_eq!(rejected[0]["target_id"], spam["uri"]);
    assert_eq!(rejected[0]["details"]["direction"], "inbound");
}
