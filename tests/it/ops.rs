use axum::http::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get("/health")
            .await
            .assert_status(StatusCode::OK)
            .text(),
        "OK"
    );
    assert_eq!(
        app.get("/ready").await.assert_status(StatusCode::OK).text(),
        "OK"
    );
    app.state.store.close().await;
    app.get("/ready")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    app.get("/api/v2/instance")
        .await
        .assert_status(StatusCode::OK);
    let response = app.get("/metrics").await;
    response.assert_status(StatusCode::OK);
    let text = response.text();
    assert!(
        text.lines()
            .any(|l| l.starts_with("loggia_http_requests_total{")
                && l.contains("route=\"/api/v2/instance\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("loggia_users 1"), "{text}");
    assert!(text.contains("loggia_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = TestApp::new().await;
    let response = app.get("/health").await;
    assert!(
        response
            .header("x-request-id")
            .is_some_and(|id| id.len() >= 32)
    );
}

/// `n` statuses by `author`, each fanned out to its local followers, in one
/// transaction; the last one's id.
async fn posts(
    store: &loggia::store::Store,
    author: loggia::model::AccountId,
    n: i64,
) -> loggia::model::StatusId {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut tx = store.begin().await.unwrap();
    let mut last = None;
    for _ in 0..n {
        let next = NEXT.fetch_add(1, Ordering::Relaxed);
        let uri = format!("https://acme.example/s/{next}");
        let status = tx
            .statuses()
            .insert(&crate::common::public_post(author, &uri, "post", true))
            .await
            .unwrap();
        tx.statuses()
            .fan_out_to_followers(&status, 1000)
            .await
            .unwrap();
        last = Some(status.id);
    }
    tx.commit().await.unwrap();
    last.unwrap()
}

/// Housekeeping trims every feed grown past its size and slack back to its
/// size, with more feeds than one transaction of trims holds. It counts a
/// feed only when its recorded size plus what it got since may pass the
/// limit; merged entries add to the recorded size.
#[tokio::test]
async fn housekeeping_trims_every_overfull_home_feed() {
    use loggia::model::StatusId;
    use loggia::service::maintenance::{HOME_FEED_SIZE, HOME_FEED_SLACK, trim_home_feeds};
    use loggia::store::FollowOptions;

    let app = TestApp::new().await;
    let store = &app.state.store;
    let follow = |reader, author| async move {
        let options = FollowOptions {
            show_reblogs: true,
            notify: false,
            uri: None,
        };
        store
            .follows()
            .follow(reader, author, options)
            .await
            .unwrap();
    };
    let len = |account| async move {
        store
            .statuses()
            .home_feed_len(account, 10_000)
            .await
            .unwrap()
    };
    let alice = app.create_user("alice", "user").await.account.id;
    let bob = app.create_user("bob", "user").await.account.id;
    let mut readers = Vec::new();
    for i in 0..11 {
        let reader = app.create_user(&format!("reader{i}"), "user").await;
        follow(reader.account.id, alice).await;
        readers.push(reader.account.id);
    }
    let bob_last = posts(store, bob, 100).await;
    let limit = HOME_FEED_SIZE + HOME_FEED_SLACK;
    let mut last = posts(store, alice, limit + 1).await;

    // Nothing recorded yet: twelve feeds (alice's own and her eleven
    // readers') are counted, one entry past the limit, and trimmed.
    let feeds = 12;
    let past = (limit + 1 - HOME_FEED_SIZE) as u64;
    assert_eq!(
        trim_home_feeds(&app.state, StatusId(0)).await.unwrap(),
        feeds * past
    );
    assert_eq!(len(readers[0]).await, HOME_FEED_SIZE);
    assert_eq!(len(bob).await, 100);

    // Recorded sizes plus new entries: up to the limit, nothing is trimmed;
    // one past it, each feed is counted and trimmed.
    let since = last;
    last = posts(store, alice, HOME_FEED_SLACK).await;
    assert_eq!(trim_home_feeds(&app.state, since).await.unwrap(), 0);
    assert_eq!(len(readers[0]).await, limit);
    let since = last;
    last = posts(store, alice, 1).await;
    assert_eq!(
        trim_home_feeds(&app.state, since).await.unwrap(),
        feeds * past
    );
    assert_eq!(len(alice).await, HOME_FEED_SIZE);

    // Bob's older posts merged into a feed count although older than the
    // pass's start.
    follow(readers[0], bob).await;
    let merged = store
        .statuses()
        .merge_into_home(readers[0], bob, 100)
        .await
        .unwrap();
    assert_eq!(merged, 100);
    assert!(bob_last < since);
    let since = last;
    last = posts(store, alice, 1).await;
    assert_eq!(trim_home_feeds(&app.state, since).await.unwrap(), 101);
    assert_eq!(len(readers[0]).await, HOME_FEED_SIZE);

    // A feed emptied by an unfollow is estimated too large: it is counted,
    // not trimmed, and its size recorded as counted.
    store.follows().unfollow(readers[1], alice).await.unwrap();
    store
        .statuses()
        .unmerge_from_home(readers[1], alice)
        .await
        .unwrap();
    follow(readers[1], bob).await;
    store
        .statuses()
        .merge_into_home(readers[1], bob, 100)
        .await
        .unwrap();
    let since = last;
    posts(store, bob, 1).await;
    assert_eq!(trim_home_feeds(&app.state, since).await.unwrap(), 0);
    let growth = store.statuses().home_feed_growth(since).await.unwrap();
    assert!(growth.contains(&(readers[1], 1, Some(101))), "{growth:?}");
}
