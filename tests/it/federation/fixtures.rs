//! Documents in the shapes Mastodon, GoToSocial, Akkoma, Misskey and
//! Pixelfed send (tests/fixtures/activitypub/), parsed and ingested.

use std::sync::OnceLock;

use loggia::federation::{fetch, ingest, protocol::Activity};
use loggia::model::Account;
use serde_json::Value;

use crate::common::TestApp;

fn public_key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        activitypub_federation::http_signatures::generate_actor_keypair()
            .unwrap()
            .public_key
    })
}

fn fixture(path: &str, app: &TestApp, status_uri: &str) -> Value {
    let file = format!(
        "{}/tests/fixtures/activitypub/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let pem = serde_json::to_string(public_key()).unwrap();
    let text = text
        .replace("LOCAL_BASE", &app.state.config.base_url())
        .replace("LOCAL_STATUS_URI", status_uri)
        .replace("PUBLIC_KEY_PEM", pem.trim_matches('"'));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

async fn actor(app: &TestApp, software: &str) -> Account {
    fetch::store_actor(
        &app.state,
        fixture(&format!("{software}/actor.json"), app, ""),
    )
    .await
    .unwrap_or_else(|e| panic!("{software} actor: {e}"))
}

async fn receive(app: &TestApp, from: &Account, path: &str, status_uri: &str) {
    let activity: Activity = serde_json::from_value(fixture(path, app, status_uri))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    ingest::activity(&app.state, from, activity)
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}

async fn status(app: &TestApp, token: &str, uri: &str) -> Value {
    let stored = app.state.store.statuses().by_uri(uri).await.unwrap();
    let stored = stored.unwrap_or_else(|| panic!("{uri} was not stored"));
    let response = app
        .get_with_token(&format!("/api/v1/statuses/{}", stored.id.0), token)
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

async fn notified(app: &TestApp, token: &str, kind: &str, acct: &str) -> bool {
    let response = app.get_with_token("/api/v1/notifications", token).await;
    response
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["type"] == kind && n["account"]["acct"] == acct)
}

#[tokio::test]
async fn documents_of_other_servers_are_understood() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let mine = app.post_status(&token, &[("status", "Our new logo")]).await;
    let mine_uri = mine["uri"].as_str().unwrap().to_owned();

    // Mastodon: profile fields, CW, image with alt text and focus, mention.
    let mia = actor(&app, "mastodon").await;
    assert_eq!(mia.acct(), "mia@mastodon.example");
    assert_eq!(mia.display_name, "Mia :verified:");
    assert!(mia.note.contains("Partner engineer") && !mia.note.contains("script"));
    assert_eq!(mia.profile_fields()[0].name, "Website");
    assert_eq!(
        mia.public_key_id.as_deref(),
        Some("https://mastodon.example/users/mia#main-key")
    );
    assert_eq!(
        mia.shared_inbox_url.as_deref(),
        Some("https://mastodon.example/inbox")
    );
    assert!(mia.discoverable && !mia.locked);
    receive(&app, &mia, "mastodon/create-note.json", "").await;
    let s = status(
        &app,
        &token,
        "https://mastodon.example/users/mia/statuses/113000000000000001",
    )
    .await;
    assert_eq!(s["visibility"], "public");
    assert_eq!(s["spoiler_text"], "integration notes");
    assert_eq!(s["sensitive"], true);
    assert_eq!(s["url"], "https://mastodon.example/@mia/113000000000000001");
    assert_eq!(s["account"]["acct"], "mia@mastodon.example");
    let content = s["content"].as_str().unwrap();
    assert!(
        content.contains("the API docs are live") && !content.contains("onerror"),
        "{content}"
    );
    assert_eq!(s["mentions"][0]["username"], "alice");
    assert_eq!(s["tags"][0]["name"], "integration");
    let media = &s["media_attachments"][0];
    assert_eq!(media["type"], "image");
    assert_eq!(media["description"], "A diagram of the API");
    assert_eq!(
        media["remote_url"],
        "https://files.mastodon.example/media_attachments/files/1/original/a.jpg"
    );
    assert_eq!(media["meta"]["focus"]["y"], 0.25);
    assert!(notified(&app, &token, "mention", "mia@mastodon.example").await);

    // GoToSocial: key document at /main-key, single values instead of
    // lists, a followers-only post, and a Follow.
    let gus = actor(&app, "gotosocial").await;
    assert!(gus.locked);
    assert_eq!(
        gus.public_key_id.as_deref(),
        Some("https://gts.example/users/gus/main-key")
    );
    receive(&app, &gus, "gotosocial/create-note.json", "").await;
    let stored = app
        .state
        .store
        .statuses()
        .by_uri("https://gts.example/users/gus/statuses/01HF8P0000000000000000000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.visibility, "private");
    assert!(notified(&app, &token, "mention", "gus@gts.example").await);
    receive(&app, &gus, "gotosocial/follow.json", "").await;
    assert!(notified(&app, &token, "follow", "gus@gts.example").await);
    // The Accept is queued for Gus's inbox.
    assert_eq!(
        app.state
            .store
            .deliveries()
            .pending(Some("gts.example"))
            .await
            .unwrap(),
        1
    );

    // Akkoma: a Question read as a note with its options, and a boost.
    // Unsolicited at first (nobody here follows Ash): not stored.
    let ash = actor(&app, "akkoma").await;
    assert_eq!(ash.profile_fields()[0].value, "they/them");
    let question = "https://akkoma.example/objects/4a3e0f2b-0000-4000-8000-000000000002";
    receive(&app, &ash, "akkoma/create-question.json", "").await;
    assert!(
        app.state
            .store
            .statuses()
            .by_uri(question)
            .await
            .unwrap()
            .is_none()
    );
    follow_locally(&app, &ash).await;
    receive(&app, &ash, "akkoma/create-question.json", "").await;
    let s = status(
        &app,
        &token,
        "https://akkoma.example/objects/4a3e0f2b-0000-4000-8000-000000000002",
    )
    .await;
    assert!(s["content"].as_str().unwrap().contains("release day"));
    // The Question became a poll; its options are plain text.
    let poll = &s["poll"];
    assert_eq!(poll["multiple"], false, "{poll}");
    assert_eq!(poll["options"][0]["title"], "Tuesday");
    let second = poll["options"][1]["title"].as_str().unwrap();
    assert!(
        second.starts_with("Thursday") && !second.contains('<'),
        "{second}"
    );
    assert_eq!(poll["expires_at"], "2026-11-30T00:00:00.000Z");
    assert_eq!(s["language"], "en");
    receive(&app, &ash, "akkoma/announce.json", &mine_uri).await;
    assert!(notified(&app, &token, "reblog", "ash@akkoma.example").await);

    // Misskey: custom emoji, _misskey_content, and a reaction read as a like.
    let miko = actor(&app, "misskey").await;
    assert_eq!(miko.username, "miko");
    receive(&app, &miko, "misskey/create-note.json", "").await;
    let s = status(&app, &token, "https://misskey.example/notes/9m2k4aaaaa").await;
    assert_eq!(s["tags"][0]["name"], "design");
    assert!(notified(&app, &token, "mention", "miko@misskey.example").await);
    // A like of a company-only post (its id guessed) finds nothing.
    let internal = app
        .post_status(&token, &[("status", "internal"), ("visibility", "local")])
        .await;
    receive(
        &app,
        &miko,
        "misskey/like.json",
        internal["uri"].as_str().unwrap(),
    )
    .await;
    let internal = app
        .get_with_token(
            &format!("/api/v1/statuses/{}", internal["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json();
    assert_eq!(internal["favourites_count"], 0);
    assert!(!notified(&app, &token, "favourite", "miko@misskey.example").await);
    receive(&app, &miko, "misskey/like.json", &mine_uri).await;
    assert!(notified(&app, &token, "favourite", "miko@misskey.example").await);

    // Pixelfed: several Image attachments, one without alt text or blurhash.
    let pia = actor(&app, "pixelfed").await;
    assert_eq!(
        pia.avatar_url.as_deref(),
        Some("https://pixelfed.example/storage/avatars/pia.jpg")
    );
    follow_locally(&app, &pia).await;
    receive(&app, &pia, "pixelfed/create-note.json", "").await;
    let s = status(
        &app,
        &token,
        "https://pixelfed.example/p/pia/700000000000000001",
    )
    .await;
    let media = s["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 2);
    assert_eq!(media[0]["description"], "Our booth");
    assert!(media[1]["description"].is_null());
    assert_eq!(s["tags"][0]["name"], "conference");

    // A report from Mastodon about Alice and her post.
    receive(&app, &mia, "mastodon/flag.json", &mine_uri).await;
    let alice = app
        .state
        .store
        .accounts()
        .local_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    let reports = app.state.store.reports().about(alice.id).await.unwrap();
    assert_eq!(
        reports,
        vec![(mia.id, "Posting the same ad over and over".to_owned())]
    );

    // Pixelfed deletes Pia: her account and posts are gone.
    receive(&app, &pia, "pixelfed/delete-actor.json", "").await;
    assert!(
        app.state
            .store
            .accounts()
            .by_uri(&pia.uri)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.state
            .store
            .statuses()
            .by_uri("https://pixelfed.example/p/pia/700000000000000001")
            .await
            .unwrap()
            .is_none()
    );

    // Our own post counts the boost and the like.
    let mine = app
        .get_with_token(
            &format!("/api/v1/statuses/{}", mine["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json();
    assert_eq!(mine["reblogs_count"], 1);
    assert_eq!(mine["favourites_count"], 1);
}

/// A local follow of a remote account, as after an accepted request.
async fn follow_locally(app: &TestApp, target: &Account) {
    let alice = app
        .state
        .store
        .accounts()
        .local_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    let options = loggia::store::FollowOptions {
        show_reblogs: true,
        notify: false,
        uri: None,
    };
    app.state
        .store
        .follows()
        .follow(alice.id, target.id, options)
        .await
        .unwrap();
}
