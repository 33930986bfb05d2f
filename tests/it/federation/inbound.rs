//! What an inbox refuses: bad signatures of every kind change nothing.

use std::time::{Duration, SystemTime};

use loggia::federation::signatures::Signer;
use serde_json::{Value, json};

use super::{Db, Instance};

/// Alice's signer, read from alpha's database.
pub(super) async fn signer_of(alpha: &Instance, username: &str) -> Signer {
    let account = alpha
        .state()
        .store
        .accounts()
        .local_by_username(username)
        .await
        .unwrap()
        .unwrap();
    loggia::federation::keys::signer(&alpha.state().store, &account)
        .await
        .unwrap()
}

/// A public note that addresses `reader` (so the receiver stores it).
pub(super) fn create_note(
    alpha: &Instance,
    actor: &str,
    id: &str,
    text: &str,
    reader: &str,
) -> Value {
    let actor_uri = alpha.url(&format!("/users/{actor}"));
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/activity"),
        "type": "Create",
        "actor": actor_uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [reader],
        "object": {
            "id": id,
            "type": "Note",
            "attributedTo": actor_uri,
            "content": text,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [reader],
            "published": "2026-11-23T10:00:00Z",
        }
    })
}

/// POSTs `body` to beta's shared inbox with the given signature headers.
pub(super) async fn deliver(
    beta: &Instance,
    body: &[u8],
    headers: Vec<(&'static str, String)>,
) -> u16 {
    let mut request = super::http()
        .post(beta.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

pub(super) fn sign(
    signer: &Signer,
    beta: &Instance,
    body: &[u8],
    at: SystemTime,
) -> Vec<(&'static str, String)> {
    signer.sign("POST", &beta.domain, "/inbox", Some(body), at)
}

#[tokio::test]
async fn forged_stale_and_mismatched_deliveries_are_refused() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    beta.app.create_user("bob", "user").await;
    let bob = beta.url("/users/bob");
    alpha.app.create_user("alice", "user").await;
    alpha.app.create_user("mallory", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    let mallory = signer_of(&alpha, "mallory").await;
    let store = &beta.state().store;
    let now = SystemTime::now();

    // A well-signed delivery is accepted (and proves the setup works).
    let ok_id = alpha.url("/users/alice/statuses/1");
    let body = create_note(&alpha, "alice", &ok_id, "<p>genuine</p>", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&alice, &beta, body.as_bytes(), now)
        )
        .await,
        202
    );
    assert!(store.statuses().by_uri(&ok_id).await.unwrap().is_some());

    let refused = |id: &str| {
        let id = id.to_owned();
        async move { store.statuses().by_uri(&id).await.unwrap().is_none() }
    };

    // A well-signed post that concerns nobody on beta is acknowledged but
    // not stored.
    let stranger = alpha.url("/users/alice/statuses/3");
    let followers = alpha.url("/users/alice/followers");
    let body = create_note(&alpha, "alice", &stranger, "unsolicited", &followers).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&alice, &beta, body.as_bytes(), now)
        )
        .await,
        202
    );
    assert!(refused(&stranger).await);

    // No signature at all.
    let id = alpha.url("/users/alice/statuses/2");
    let body = create_note(&alpha, "alice", &id, "unsigned", &bob).to_string();
    assert_eq!(deliver(&beta, body.as_bytes(), vec![]).await, 401);
    assert!(refused(&id).await);

    // Signed by another key than the one named (keyId says Alice's).
    let forged = Signer::from_pem(alice.key_id.clone(), &mallory_pem(&alpha).await).unwrap();
    let body = create_note(&alpha, "alice", &id, "forged", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&forged, &beta, body.as_bytes(), now)
        )
        .await,
        401
    );
    assert!(refused(&id).await);

    // A body that is not the one whose digest was signed.
    let signed = create_note(&alpha, "alice", &id, "original", &bob).to_string();
    let tampered = create_note(&alpha, "alice", &id, "tampered", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            tampered.as_bytes(),
            sign(&alice, &beta, signed.as_bytes(), now)
        )
        .await,
        401
    );
    assert!(refused(&id).await);

    // A signature from yesterday.
    let old = now - Duration::from_secs(24 * 3600);
    let body = create_note(&alpha, "alice", &id, "stale", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&alice, &beta, body.as_bytes(), old)
        )
        .await,
        401
    );
    assert!(refused(&id).await);

    // Mallory signs correctly, but claims to be Alice.
    let body = create_note(&alpha, "alice", &id, "impersonation", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&mallory, &beta, body.as_bytes(), now)
        )
        .await,
        401
    );
    assert!(refused(&id).await);

    // Mallory deleting Alice's post: signed by Mallory, actor Mallory, but
    // the post is Alice's.
    let delete = json!({
        "id": alpha.url("/users/mallory#delete-1"),
        "type": "Delete",
        "actor": alpha.url("/users/mallory"),
        "object": ok_id,
    })
    .to_string();
    assert_eq!(
        deliver(
            &beta,
            delete.as_bytes(),
            sign(&mallory, &beta, delete.as_bytes(), now)
        )
        .await,
        400
    );
    assert!(store.statuses().by_uri(&ok_id).await.unwrap().is_some());

    // Alice claims to have moved to Mallory, whose actor does not list
    // her in alsoKnownAs: refused, nothing recorded.
    let alice_uri = alpha.url("/users/alice");
    let moved = json!({
        "id": alpha.url("/users/alice#moves/1"),
        "type": "Move",
        "actor": alice_uri,
        "object": alice_uri,
        "target": alpha.url("/users/mallory"),
    })
    .to_string();
    assert_eq!(
        deliver(
            &beta,
            moved.as_bytes(),
            sign(&alice, &beta, moved.as_bytes(), now)
        )
        .await,
        400
    );
    let alice_on_beta = store.accounts().by_uri(&alice_uri).await.unwrap().unwrap();
    assert_eq!(alice_on_beta.moved_to_account_id, None);

    // A redelivery of the accepted activity is acknowledged and changes nothing.
    let body = create_note(&alpha, "alice", &ok_id, "<p>genuine</p>", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&alice, &beta, body.as_bytes(), now)
        )
        .await,
        202
    );
    let alice_on_beta = store.accounts().by_uri(&alice_uri).await.unwrap().unwrap();
    let page = loggia::model::Page {
        limit: 40,
        ..Default::default()
    };
    let anyone = loggia::store::Viewer {
        account_id: None,
        local: false,
    };
    let posts = store
        .statuses()
        .by_account(alice_on_beta.id, anyone, Default::default(), &page)
        .await
        .unwrap();
    assert_eq!(posts.len(), 1, "exactly the genuine post exists");
}

async fn mallory_pem(alpha: &Instance) -> String {
    let account = alpha
        .state()
        .store
        .accounts()
        .local_by_username("mallory")
        .await
        .unwrap()
        .unwrap();
    loggia::federation::keys::ensure(&alpha.state().store, &account)
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn a_rotated_key_is_refetched_once() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    beta.app.create_user("bob", "user").await;
    let bob = beta.url("/users/bob");
    alpha.app.create_user("alice", "user").await;
    let alice = signer_of(&alpha, "alice").await;
    let now = SystemTime::now();
    let first = alpha.url("/users/alice/statuses/10");
    let body = create_note(&alpha, "alice", &first, "before rotation", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&alice, &beta, body.as_bytes(), now)
        )
        .await,
        202
    );

    // Alice gets a new key pair on alpha; beta still has the old one.
    let account = alpha
        .state()
        .store
        .accounts()
        .local_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    let keys = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
    sqlx_update_keys(&alpha, account.id.0, &keys.public_key, &keys.private_key).await;
    let rotated = Signer::from_pem(alice.key_id.clone(), &keys.private_key).unwrap();
    let second = alpha.url("/users/alice/statuses/11");
    let body = create_note(&alpha, "alice", &second, "after rotation", &bob).to_string();
    assert_eq!(
        deliver(
            &beta,
            body.as_bytes(),
            sign(&rotated, &beta, body.as_bytes(), now)
        )
        .await,
        202
    );
    assert!(
        beta.state()
            .store
            .statuses()
            .by_uri(&second)
            .await
            .unwrap()
            .is_some()
    );
}

async fn sqlx_update_keys(alpha: &Instance, id: i64, public: &str, private: &str) {
    // Clear, then set through the store's own "set if missing".
    let store = &alpha.state().store;
    store
        .accounts()
        .clear_keypair(loggia::model::AccountId(id))
        .await
        .unwrap();
    store
        .accounts()
        .set_keypair_if_missing(loggia::model::AccountId(id), public, private)
        .await
        .unwrap();
}
