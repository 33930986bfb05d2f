//! Every store method, on whichever backend this run uses (the suite runs on
//! both). Since queries are checked at run time, these are what proves the
//! SQL is valid in both dialects.

use loggia::model::{AccountId, Timestamp, UserId};
use loggia::store::{NewAccount, NewAuthorizationCode, NewToken, NewUser, Store, StoreError};

use crate::common::TestDb;

mod deliveries;
mod hooks;
mod reports;

async fn store() -> (TestDb, Store) {
    let db = TestDb::new().await;
    let store = db.store().await;
    (db, store)
}

fn local_account(username: &str) -> NewAccount {
    NewAccount {
        username: username.into(),
        actor_type: "Person".into(),
        uri: format!("https://acme.example/users/{username}"),
        url: Some(format!("https://acme.example/@{username}")),
        inbox_url: Some("https://acme.example/users/{id}/inbox".into()),
        ..Default::default()
    }
}

async fn user(store: &Store, username: &str) -> (AccountId, UserId) {
    let account = store
        .accounts()
        .insert(&local_account(username))
        .await
        .unwrap();
    let role = store.roles().by_name("user").await.unwrap().unwrap();
    let user = store
        .users()
        .insert(&NewUser {
            account_id: account.id,
            email: format!("{username}@acme.example"),
            password_hash: "hash".into(),
            role_id: role.id,
            confirmed: true,
            approved: true,
            ..Default::default()
        })
        .await
        .unwrap();
    (account.id, user.id)
}

#[tokio::test]
async fn migrations_are_idempotent_and_ping_works() {
    let (_db, store) = store().await;
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
}

#[tokio::test]
async fn accounts_round_trip_and_enforce_unique_names() {
    let (_db, store) = store().await;
    let created = store
        .accounts()
        .insert(&local_account("Alice"))
        .await
        .unwrap();
    assert_eq!(
        created.inbox_url.as_deref(),
        Some(format!("https://acme.example/users/{}/inbox", created.id).as_str())
    );
    assert!(created.is_local() && !created.discoverable && created.followers_count == 0);
    assert_eq!(
        store.accounts().by_id(created.id).await.unwrap().unwrap(),
        created
    );
    assert_eq!(
        store
            .accounts()
            .local_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .id,
        created.id
    );
    assert_eq!(
        store
            .accounts()
            .by_uri(&created.uri)
            .await
            .unwrap()
            .unwrap()
            .id,
        created.id
    );
    assert!(
        store
            .accounts()
            .by_id(AccountId(1))
            .await
            .unwrap()
            .is_none()
    );
    let mut clash = local_account("ALICE");
    clash.uri = "https://acme.example/users/other".into();
    assert!(matches!(
        store.accounts().insert(&clash).await,
        Err(StoreError::Conflict)
    ));
    // The same name on another domain is another account.
    let mut remote = local_account("alice");
    remote.domain = Some("partner.example".into());
    remote.uri = "https://partner.example/users/alice".into();
    let remote = store.accounts().insert(&remote).await.unwrap();
    assert_eq!(remote.acct(), "alice@partner.example");
    assert!(
        store
            .accounts()
            .local_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .is_local()
    );

    assert!(
        store
            .accounts()
            .set_keypair_if_missing(created.id, "pub", "priv")
            .await
            .unwrap()
    );
    assert!(
        !store
            .accounts()
            .set_keypair_if_missing(created.id, "pub2", "priv2")
            .await
            .unwrap()
    );
    let keyed = store.accounts().by_id(created.id).await.unwrap().unwrap();
    assert_eq!(keyed.private_key_pem.as_deref(), Some("priv"));
}

#[tokio::test]
async fn users_roles_and_passwords() {
    let (_db, store) = store().await;
    let roles = store.roles().list().await.unwrap();
    assert_eq!(
        roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["user", "reviewer", "moderator", "admin"]
    );
    assert!(!store.users().admin_exists().await.unwrap());
    let (account_id, user_id) = user(&store, "alice").await;
    let found = store.users().by_id(user_id).await.unwrap().unwrap();
    assert_eq!(found.account_id, account_id);
    assert!(found.confirmed_at.is_some() && found.is_active());
    assert_eq!(
        store
            .users()
            .by_login(" ALICE@acme.example ")
            .await
            .unwrap()
            .unwrap()
            .id,
        user_id
    );
    assert_eq!(
        store.users().by_login("Alice").await.unwrap().unwrap().id,
        user_id
    );
    assert!(store.users().by_login("bob").await.unwrap().is_none());

    let admin = store.roles().by_name("admin").await.unwrap().unwrap();
    store.users().set_role(user_id, admin.id).await.unwrap();
    assert!(store.users().admin_exists().await.unwrap());
    let full = store.users().with_account(user_id).await.unwrap().unwrap();
    assert_eq!(
        (full.account.username.as_str(), full.role.name.as_str()),
        ("alice", "admin")
    );
    assert!(matches!(
        store.users().set_role(UserId(42), admin.id).await,
        Err(StoreError::NotFound)
    ));

    store
        .users()
        .set_password_hash(user_id, "new-hash")
        .await
        .unwrap();
    assert_eq!(
        store
            .users()
            .by_id(user_id)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "new-hash"
    );
    store.users().record_sign_in(user_id).await.unwrap();
    assert!(
        store
            .users()
            .by_id(user_id)
            .await
            .unwrap()
            .unwrap()
            .last_sign_in_at
            .is_some()
    );

    user(&store, "bob").await;
    let list = store.users().list().await.unwrap();
    let names: Vec<(&str, &str)> = list
        .iter()
        .map(|(_, n, r)| (n.as_str(), r.as_str()))
        .collect();
    assert_eq!(names, [("alice", "admin"), ("bob", "user")]);

    // E-mail addresses are unique.
    let account = store
        .accounts()
        .insert(&local_account("carol"))
        .await
        .unwrap();
    let dup = store
        .users()
        .insert(&NewUser {
            account_id: account.id,
            email: "alice@acme.example".into(),
            password_hash: "h".into(),
            role_id: 1,
            confirmed: false,
            approved: true,
            ..Default::default()
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict)));
}

#[tokio::test]
async fn settings_keep_the_first_value() {
    let (_db, store) = store().await;
    assert!(store.settings().get("x").await.unwrap().is_none());
    assert_eq!(
        store.settings().get_or_insert("x", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.settings().get_or_insert("x", "second").await.unwrap(),
        "first"
    );
    store.settings().put("x", "third").await.unwrap();
    assert_eq!(
        store.settings().get("x").await.unwrap().as_deref(),
        Some("third")
    );
}

#[tokio::test]
async fn throttle_counts_within_the_window() {
    let (_db, store) = store().await;
    let start = Timestamp::now().plus_seconds(-1);
    store.throttle().record_failure("ip:1").await.unwrap();
    store.throttle().record_failure("ip:1").await.unwrap();
    store.throttle().record_failure("ip:2").await.unwrap();
    let (count, oldest) = store
        .throttle()
        .failures_since("ip:1", start)
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert!(oldest.unwrap() >= start);
    assert_eq!(
        store
            .throttle()
            .failures_since("ip:1", Timestamp::now().plus_seconds(5))
            .await
            .unwrap()
            .0,
        0
    );
    store.throttle().clear("ip:1").await.unwrap();
    assert_eq!(
        store
            .throttle()
            .failures_since("ip:1", start)
            .await
            .unwrap(),
        (0, None)
    );
    assert_eq!(
        store
            .throttle()
            .prune(Timestamp::now().plus_seconds(5))
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn oauth_apps_codes_and_tokens() {
    let (_db, store) = store().await;
    let (_, user_id) = user(&store, "alice").await;
    let app = store
        .oauth()
        .insert_app(
            "Elk",
            Some("https://elk.zone"),
            "https://a/cb\nurn:x",
            "read write",
            "cid",
            "secret-hash",
        )
        .await
        .unwrap();
    assert_eq!(app.redirect_uri_list(), ["https://a/cb", "urn:x"]);
    assert_eq!(
        store
            .oauth()
            .app_by_client_id("cid")
            .await
            .unwrap()
            .unwrap()
            .id,
        app.id
    );
    assert_eq!(
        store.oauth().app_by_id(app.id).await.unwrap().unwrap().name,
        "Elk"
    );

    store
        .oauth()
        .insert_code(&NewAuthorizationCode {
            code_hash: "code-hash".into(),
            app_id: app.id,
            user_id,
            redirect_uri: "https://a/cb".into(),
            scopes: "read".into(),
            code_challenge: Some("c".into()),
            code_challenge_method: Some("S256".into()),
            expires_at: Timestamp::now().plus_seconds(600),
        })
        .await
        .unwrap();
    let code = store
        .oauth()
        .code_by_hash("code-hash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code.code_challenge.as_deref(), Some("c"));
    assert!(store.oauth().mark_code_used(code.id).await.unwrap());
    assert!(
        !store.oauth().mark_code_used(code.id).await.unwrap(),
        "a code is used once"
    );

    let new_token = |hash: &str, refresh: Option<&str>, code_id: Option<i64>| NewToken {
        token_hash: hash.into(),
        refresh_token_hash: refresh.map(Into::into),
        app_id: app.id,
        user_id: Some(user_id),
        authorization_code_id: code_id,
        scopes: "read".into(),
    };
    let t1 = store
        .oauth()
        .insert_token(&new_token("t1", Some("r1"), Some(code.id)))
        .await
        .unwrap();
    let t2 = store
        .oauth()
        .insert_token(&new_token("t2", None, None))
        .await
        .unwrap();
    store
        .oauth()
        .insert_token(&new_token("t3", None, None))
        .await
        .unwrap();
    assert_eq!(
        store
            .oauth()
            .live_token_by_hash("t1")
            .await
            .unwrap()
            .unwrap()
            .id,
        t1.id
    );
    assert_eq!(
        store
            .oauth()
            .live_token_by_refresh_hash("r1")
            .await
            .unwrap()
            .unwrap()
            .id,
        t1.id
    );
    store.oauth().touch_token(t1.id).await.unwrap();
    assert!(
        store
            .oauth()
            .live_token_by_hash("t1")
            .await
            .unwrap()
            .unwrap()
            .last_used_at
            .is_some()
    );

    assert_eq!(
        store.oauth().revoke_tokens_of_code(code.id).await.unwrap(),
        1
    );
    assert!(
        store
            .oauth()
            .live_token_by_hash("t1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .oauth()
            .live_token_by_refresh_hash("r1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.oauth().revoke_token(t2.id).await.unwrap());
    assert!(!store.oauth().revoke_token(t2.id).await.unwrap());
    assert_eq!(
        store.oauth().revoke_tokens_of_user(user_id).await.unwrap(),
        1
    );
    assert!(
        store
            .oauth()
            .live_token_by_hash("t3")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn sessions_round_trip() {
    let (_db, store) = store().await;
    let (_, user_id) = user(&store, "alice").await;
    let session = store
        .sessions()
        .insert("s-hash", user_id, "Firefox", "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(
        store.sessions().by_hash("s-hash").await.unwrap().unwrap(),
        session
    );
    store.sessions().touch(session.id).await.unwrap();
    store.sessions().delete_by_hash("s-hash").await.unwrap();
    assert!(store.sessions().by_hash("s-hash").await.unwrap().is_none());
    store.sessions().insert("a", user_id, "", "").await.unwrap();
    store.sessions().insert("b", user_id, "", "").await.unwrap();
    assert_eq!(store.sessions().delete_for_user(user_id).await.unwrap(), 2);
}

#[tokio::test]
async fn stats_count_users_and_domains() {
    let (_db, store) = store().await;
    let (_, alice) = user(&store, "alice").await;
    user(&store, "bob").await;
    store.users().record_sign_in(alice).await.unwrap();
    let mut remote = local_account("zed");
    remote.domain = Some("partner.example".into());
    remote.uri = "https://partner.example/users/zed".into();
    store.accounts().insert(&remote).await.unwrap();
    let stats = store.stats().instance().await.unwrap();
    assert_eq!(
        (
            stats.users,
            stats.active_month,
            stats.active_half_year,
            stats.domains,
            stats.local_statuses
        ),
        (2, 1, 1, 1, 0)
    );
}

#[tokio::test]
async fn transactions_commit_or_roll_back() {
    let (_db, store) = store().await;
    {
        let mut tx = store.begin().await.unwrap();
        tx.accounts().insert(&local_account("ghost")).await.unwrap();
        // Dropped without commit.
    }
    assert!(
        store
            .accounts()
            .local_by_username("ghost")
            .await
            .unwrap()
            .is_none()
    );
    let mut tx = store.begin().await.unwrap();
    tx.accounts().insert(&local_account("kept")).await.unwrap();
    tx.settings().put("k", "v").await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        store
            .accounts()
            .local_by_username("kept")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.settings().get("k").await.unwrap().as_deref(),
        Some("v")
    );
}

#[tokio::test]
async fn concurrent_writers_wait_instead_of_failing() {
    let (_db, store) = store().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            tx.accounts()
                .insert(&local_account(&format!("user{i}")))
                .await?;
            tx.settings().put(&format!("k{i}"), "v").await?;
            tx.commit().await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.stats().instance().await.unwrap().users, 0);
    assert!(
        store
            .accounts()
            .local_by_username("user15")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn home_feeds_are_trimmed_to_their_newest_entries() {
    let (_db, store) = store().await;
    let (alice, _) = user(&store, "alice").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let uri = format!("https://acme.example/s/{i}");
        let text = format!("post {i}");
        let status = store
            .statuses()
            .insert(&crate::common::public_post(alice, &uri, &text, true))
            .await
            .unwrap();
        store
            .statuses()
            .add_to_home(alice, status.id)
            .await
            .unwrap();
        ids.push(status.id);
    }
    // Growth counts only entries after `since`, with no size recorded yet.
    let all = loggia::model::StatusId(0);
    let store = &store;
    let growth = |since| async move { store.statuses().home_feed_growth(since).await.unwrap() };
    assert!(growth(*ids.last().unwrap()).await.is_empty());
    assert_eq!(growth(ids[2]).await, [(alice, 2, None)]);
    assert_eq!(growth(all).await, [(alice, 5, None)]);
    let mut tx = store.begin().await.unwrap();
    tx.statuses()
        .record_home_feed_sizes(&[(alice, 7)])
        .await
        .unwrap();
    tx.statuses()
        .record_home_feed_sizes(&[(alice, 5)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(growth(ids[3]).await, [(alice, 1, Some(5))]);
    // Lengths are counted up to a cap.
    assert_eq!(store.statuses().home_feed_len(alice, 10).await.unwrap(), 5);
    assert_eq!(store.statuses().home_feed_len(alice, 4).await.unwrap(), 4);
    // Trimming keeps the newest.
    assert_eq!(store.statuses().trim_home(alice, 4).await.unwrap(), 1);
    assert_eq!(store.statuses().trim_home(alice, 3).await.unwrap(), 1);
    assert_eq!(store.statuses().trim_home(alice, 3).await.unwrap(), 0);
    assert_eq!(store.statuses().home_feed_len(alice, 10).await.unwrap(), 3);
    let viewer = loggia::store::Viewer {
        account_id: Some(alice),
        local: true,
    };
    let page = loggia::model::Page {
        limit: 10,
        ..Default::default()
    };
    let kept: Vec<_> = store
        .statuses()
        .home(viewer, &page)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(kept, [ids[4], ids[3], ids[2]]);
}

#[tokio::test]
async fn pending_videos_are_held_by_one_node_at_a_time() {
    use loggia::model::media::{Media, Processing};
    let (_db, store) = store().await;
    let (account, _) = user(&store, "alice").await;
    let t = Timestamp(1_000_000);
    let pending = Media {
        id: 0,
        account_id: account,
        status_id: None,
        kind: "video".into(),
        content_type: "video/mp4".into(),
        file_key: "2026/11/upload.upload".into(),
        file_size: 10,
        width: 560,
        height: 320,
        thumbnail_key: String::new(),
        thumb_width: 0,
        thumb_height: 0,
        blurhash: String::new(),
        description: String::new(),
        focus_x: 0.0,
        focus_y: 0.0,
        created_at: t,
        remote_url: None,
        duration: Some(5.5),
        frame_rate: Some("30/1".into()),
        bitrate: None,
        processing: Processing::Pending.as_str().into(),
        claimed_until: Some(t.plus_seconds(60)),
        attempts: 1,
    };
    let first = store.media().insert(&pending).await.unwrap();
    let second = store.media().insert(&pending).await.unwrap();
    assert_eq!(first.processing(), Processing::Pending);
    assert_eq!(first.duration, Some(5.5));
    // Held: nothing is stalled, nobody else can claim it.
    assert!(store.media().stalled(t, 10).await.unwrap().is_empty());
    assert!(
        !store
            .media()
            .claim(first.id, t, t.plus_seconds(60))
            .await
            .unwrap()
    );
    // Renewed, then lapsed: another node claims it, once.
    store
        .media()
        .renew(first.id, t.plus_seconds(90))
        .await
        .unwrap();
    let later = t.plus_seconds(70);
    let stalled = store.media().stalled(later, 10).await.unwrap();
    assert_eq!(
        stalled.iter().map(|m| m.id).collect::<Vec<_>>(),
        [second.id]
    );
    let lapsed = t.plus_seconds(100);
    assert_eq!(store.media().stalled(lapsed, 10).await.unwrap().len(), 2);
    assert!(
        store
            .media()
            .claim(first.id, lapsed, lapsed.plus_seconds(60))
            .await
            .unwrap()
    );
    assert!(
        !store
            .media()
            .claim(first.id, lapsed, lapsed.plus_seconds(60))
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .media()
            .by_id(first.id)
            .await
            .unwrap()
            .unwrap()
            .attempts,
        2
    );
    // Finished: the processed file replaces the upload, once.
    let done = Media {
        file_key: "2026/11/video.mp4".into(),
        thumbnail_key: "2026/11/frame.jpg".into(),
        thumb_width: 640,
        thumb_height: 360,
        bitrate: Some(300_000),
        ..first.clone()
    };
    assert!(store.media().finish(&done).await.unwrap());
    assert!(!store.media().finish(&done).await.unwrap());
    let finished = store.media().by_id(first.id).await.unwrap().unwrap();
    assert_eq!(finished.processing(), Processing::Done);
    assert_eq!(finished.file_key, "2026/11/video.mp4");
    assert_eq!(
        (finished.bitrate, finished.claimed_until),
        (Some(300_000), None)
    );
    // Failed: no longer pending, the upload's key forgotten.
    store.media().fail(second.id).await.unwrap();
    let failed = store.media().by_id(second.id).await.unwrap().unwrap();
    assert_eq!(
        (failed.processing(), failed.file_key.as_str()),
        (Processing::Failed, "")
    );
    assert!(store.media().stalled(lapsed, 10).await.unwrap().is_empty());
    // A new preview.
    store
        .media()
        .set_thumbnail(second.id, "2026/11/t.png", (50, 50), "LKO2?U%2Tw=w")
        .await
        .unwrap();
    let failed = store.media().by_id(second.id).await.unwrap().unwrap();
    assert_eq!(
        (failed.thumbnail_key.as_str(), failed.thumb_width),
        ("2026/11/t.png", 50)
    );
}
