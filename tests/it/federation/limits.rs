//! What an inbox limits: replayed signed requests, deliveries per remote
//! server, deliveries at once, and documents too deeply nested to parse.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::inbound::{create_note, deliver, sign, signer_of};
use super::{Db, Instance};
use crate::common::{add_hook, slow_classifier};

#[tokio::test]
async fn a_replayed_delivery_changes_nothing() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (bob_user, _) = beta.app.user_with_token("bob").await;
    alpha.app.create_user("alice", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    let alice_uri = alpha.url("/users/alice");
    let bob = beta.url("/users/bob");
    let send = async |body: &str, headers: Vec<(&'static str, String)>| {
        deliver(&beta, body.as_bytes(), headers).await
    };
    let store = &beta.state().store;
    let followers = async || {
        let Some(alice) = store.accounts().by_uri(&alice_uri).await.unwrap() else {
            return 0;
        };
        let seen = store
            .follows()
            .relationship(bob_user.account.id, alice.id)
            .await;
        usize::from(seen.unwrap().followed_by)
    };
    let follow = |n: u32| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{alice_uri}/follows/{n}"),
            "type": "Follow",
            "actor": alice_uri,
            "object": bob,
        })
        .to_string()
    };

    let first = follow(1);
    assert_eq!(
        send(
            &first,
            sign(&alice, &beta, first.as_bytes(), SystemTime::now())
        )
        .await,
        202
    );
    assert_eq!(followers().await, 1);
    // Alice unfollows with an Undo that has no id of its own (allowed, and
    // sent by some servers): only its signature tells one copy from another.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Undo",
        "actor": alice_uri,
        "object": {"type": "Follow", "actor": alice_uri, "object": bob},
    })
    .to_string();
    let captured = sign(&alice, &beta, undo.as_bytes(), SystemTime::now());
    assert_eq!(send(&undo, captured.clone()).await, 202);
    assert_eq!(followers().await, 0);
    let again = follow(2);
    assert_eq!(
        send(
            &again,
            sign(&alice, &beta, again.as_bytes(), SystemTime::now())
        )
        .await,
        202
    );
    assert_eq!(followers().await, 1);

    // Someone who captured the Undo sends the very same request again, or
    // the same signature spelled differently: acknowledged, and Alice still
    // follows Bob.
    assert_eq!(send(&undo, captured.clone()).await, 202);
    assert_eq!(followers().await, 1);
    let respelled: Vec<(&'static str, String)> = captured
        .into_iter()
        .map(|(name, value)| {
            if name != "signature" {
                return (name, value);
            }
            // Parameters reversed, with spaces: the same signature.
            let mut parts: Vec<&str> = value.split(',').collect();
            parts.reverse();
            (name, format!("{} ", parts.join(" ,  ")))
        })
        .collect();
    assert_eq!(send(&undo, respelled).await, 202);
    assert_eq!(followers().await, 1);
}

#[tokio::test]
async fn a_request_signed_for_another_server_is_refused() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let gamma = Instance::start("gamma.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    beta.app.create_user("bob", "user").await;
    alpha.app.create_user("alice", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    let id = alpha.url("/users/alice/statuses/9");
    let body = create_note(&alpha, "alice", &id, "for gamma", &beta.url("/users/bob")).to_string();
    // Signed for gamma (as gamma would have received it), then passed on
    // to beta with gamma's name in Host.
    let headers = alice.sign(
        "POST",
        &gamma.domain,
        "/inbox",
        Some(body.as_bytes()),
        SystemTime::now(),
    );
    let mut request = super::http()
        .post(beta.url("/inbox"))
        .header("host", &gamma.domain)
        .header("content-type", "application/activity+json")
        .body(body.clone());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 401);
    let error: serde_json::Value = response.json().await.unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("not for this server"),
        "{error}"
    );
    let store = &beta.state().store;
    assert!(store.statuses().by_uri(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn each_remote_server_gets_its_own_inbox_allowance() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let gamma = Instance::start("gamma.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let beta = Instance::restart_with(beta, |c| {
        c.rate_limit_inbox_per_host = "2/1h".parse().unwrap();
    })
    .await;
    beta.app.create_user("bob", "user").await;
    let bob = beta.url("/users/bob");
    alpha.app.create_user("alice", "user").await;
    gamma.app.create_user("gail", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    let gail = signer_of(&gamma, "gail").await;
    let store = &beta.state().store;

    let mut answers = Vec::new();
    for n in 1..=3 {
        let id = alpha.url(&format!("/users/alice/statuses/{n}"));
        let body = create_note(&alpha, "alice", &id, "hello", &bob).to_string();
        let headers = sign(&alice, &beta, body.as_bytes(), SystemTime::now());
        let response = super::http()
            .post(beta.url("/inbox"))
            .header("content-type", "application/activity+json")
            .headers(
                headers
                    .iter()
                    .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                    .collect(),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        answers.push((response.status().as_u16(), retry_after));
    }
    // Two per hour: the third waits half an hour (one interval).
    assert_eq!(answers, [(202, None), (202, None), (429, Some(1800))]);
    let third = alpha.url("/users/alice/statuses/3");
    assert!(store.statuses().by_uri(&third).await.unwrap().is_none());

    // Another server is not held up by alpha's backlog.
    let id = gamma.url("/users/gail/statuses/1");
    let body = create_note(&gamma, "gail", &id, "hi", &bob).to_string();
    let headers = sign(&gail, &beta, body.as_bytes(), SystemTime::now());
    assert_eq!(deliver(&beta, body.as_bytes(), headers).await, 202);
    assert!(store.statuses().by_uri(&id).await.unwrap().is_some());
}

#[tokio::test]
async fn deeply_nested_documents_are_refused_cleanly() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    alpha.app.create_user("alice", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    // 100,000 levels: parsed recursively without a limit, this would
    // overflow the stack and take the whole server down.
    let depth = 100_000;
    let body = format!(
        r#"{{"type":"Create","actor":"{}","object":{}0{}}}"#,
        alpha.url("/users/alice"),
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let headers = sign(&alice, &beta, body.as_bytes(), SystemTime::now());
    assert_eq!(deliver(&beta, body.as_bytes(), headers).await, 400);
    // The client API's JSON bodies too.
    let (_, token) = beta.app.user_with_token("bob").await;
    let nested = format!(
        r#"{{"status":"hi","poll":{{"options":{}"a"{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let response = super::http()
        .post(beta.url("/api/v1/statuses"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(nested)
        .send()
        .await
        .unwrap();
    // As Rails answers a body it cannot parse.
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().await.unwrap().contains("error"));
    // The server is still there.
    assert_eq!(beta.app.get("/api/v1/instance").await.status, 200);
}

#[tokio::test]
async fn a_sender_that_hangs_up_early_loses_nothing() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    beta.app.create_user("bob", "user").await;
    alpha.app.create_user("alice", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    // An inbound classifier that takes a second and a half to accept.
    let hook = slow_classifier(Duration::from_millis(1500)).await;
    add_hook(&beta.app, &hook, "inbound").await;

    let id = alpha.url("/users/alice/statuses/77");
    let body = create_note(&alpha, "alice", &id, "patience", &beta.url("/users/bob")).to_string();
    let mut request = super::http()
        .post(beta.url("/inbox"))
        .timeout(Duration::from_millis(300))
        .header("content-type", "application/activity+json")
        .body(body.clone());
    for (name, value) in sign(&alice, &beta, body.as_bytes(), SystemTime::now()) {
        request = request.header(name, value);
    }
    // The sender gives up while the hook is still thinking.
    assert!(request.send().await.unwrap_err().is_timeout());
    let store = &beta.state().store;
    super::eventually("the delivery is applied all the same", async || {
        store.statuses().by_uri(&id).await.unwrap().map(|_| ())
    })
    .await;
    // Its retry is acknowledged and changes nothing.
    let again = sign(&alice, &beta, body.as_bytes(), SystemTime::now());
    assert_eq!(deliver(&beta, body.as_bytes(), again).await, 202);
}

#[tokio::test]
async fn a_busy_inbox_asks_senders_to_come_back_later() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let beta = Instance::restart_with(beta, |c| c.inbox_concurrency = 1).await;
    let bob = beta.url("/users/bob");
    beta.app.create_user("bob", "user").await;
    alpha.app.create_user("alice", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    // An inbound classifier that takes three seconds: the first delivery
    // holds the only turn that long.
    let hook = slow_classifier(Duration::from_secs(3)).await;
    add_hook(&beta.app, &hook, "inbound").await;

    let note = |n: u32| {
        let id = alpha.url(&format!("/users/alice/statuses/{n}"));
        (
            id.clone(),
            create_note(&alpha, "alice", &id, "hi", &bob).to_string(),
        )
    };
    let (first_id, first) = note(1);
    let headers = sign(&alice, &beta, first.as_bytes(), SystemTime::now());
    let beta_ref = &beta;
    let first_delivery = async move { deliver(beta_ref, first.as_bytes(), headers).await };
    let (second_id, second) = note(2);
    let second_delivery = async {
        // Once the first holds the turn.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let headers = sign(&alice, &beta, second.as_bytes(), SystemTime::now());
        let mut request = super::http()
            .post(beta.url("/inbox"))
            .header("content-type", "application/activity+json")
            .body(second.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), retry_after)
    };
    let (first_status, (second_status, retry_after)) =
        tokio::join!(first_delivery, second_delivery);
    assert_eq!(first_status, 202);
    assert_eq!((second_status, retry_after.as_deref()), (429, Some("10")));
    let store = &beta.state().store;
    assert!(store.statuses().by_uri(&first_id).await.unwrap().is_some());
    assert!(store.statuses().by_uri(&second_id).await.unwrap().is_none());
    // Told to come back, it is taken when it does.
    let (_, second) = note(2);
    let headers = sign(&alice, &beta, second.as_bytes(), SystemTime::now());
    assert_eq!(deliver(&beta, second.as_bytes(), headers).await, 202);
    assert!(store.statuses().by_uri(&second_id).await.unwrap().is_some());
}
