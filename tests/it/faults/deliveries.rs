//! The delivery worker against misbehaving peers, on this run's backend:
//! real signed POSTs from the worker to fake servers on loopback. Healthy
//! peers get every activity while the others hang, fail, drip or redirect;
//! the bad ones are retried or given up by the retry policy, and nothing is
//! lost from the queue.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use loggia::federation::delivery;
use loggia::model::{Account, Timestamp};
use loggia::state::AppState;

use super::peers::{Behaviour, Peer};
use crate::common::TestApp;

/// An instance that may deliver to loopback, with the given worker limits.
async fn instance(concurrency: u32, per_host: u32, timeout_secs: u64) -> (TestApp, Account) {
    let app = TestApp::with_config(|c| {
        c.allow_private_networks = true;
        c.delivery_concurrency = concurrency;
        c.delivery_per_host = per_host;
        c.delivery_timeout_secs = timeout_secs;
    })
    .await;
    let actor =
        loggia::service::instance::ensure_instance_actor(&app.state.store, &app.state.config)
            .await
            .unwrap();
    (app, actor)
}

/// A payload with a recognisable id.
fn activity(n: u32) -> String {
    serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://loggia.test/activities/{n}"),
        "type": "Announce",
        "actor": "http://loggia.test/actor",
        "object": format!("http://loggia.test/objects/{n}"),
    })
    .to_string()
}

/// Queues activity `n` for inbox `n` of each peer, all due at once, in
/// order (`first` + n ms, so older ones are claimed first).
async fn queue(
    state: &AppState,
    actor: &Account,
    peers: &[&Peer],
    range: std::ops::Range<u32>,
    first: Timestamp,
) {
    let mut tx = state.store.begin().await.unwrap();
    for n in range {
        let inboxes: Vec<(String, String)> = peers.iter().map(|p| p.inbox(n)).collect();
        tx.deliveries()
            .enqueue(
                actor.id,
                &activity(n),
                &inboxes,
                Timestamp(first.0 + i64::from(n)),
            )
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    state.federation.wake.notify_one();
}

/// Polls `check` until true; panics with `what` after `secs` (a hang guard).
async fn within<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "gave up waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn misbehaving_peers_never_stall_other_deliveries() {
    // 8 deliveries at once, 2 per host, 2 seconds per attempt in all.
    let (app, actor) = instance(8, 2, 2).await;
    let state = &app.state;
    let healthy = [
        Peer::start(Behaviour::Healthy).await,
        Peer::start(Behaviour::Healthy).await,
    ];
    let bad_kinds = [
        Behaviour::BlackHole,
        Behaviour::Fails500,
        Behaviour::Garbage,
        Behaviour::Drip,
        Behaviour::RedirectLoop,
    ];
    let mut bad = HashMap::new();
    for kind in bad_kinds {
        bad.insert(kind, Peer::start(kind).await);
    }
    let gone = Peer::start(Behaviour::RedirectToGet).await;
    for peer in &healthy {
        peer.expect_key(actor.public_key_pem.as_deref().unwrap());
    }
    // 6 activities for everyone, queued first, then 30 for the healthy
    // peers only.
    let base = Timestamp::now().plus_seconds(-60);
    let mut everyone: Vec<&Peer> = healthy.iter().chain(bad.values()).collect();
    everyone.push(&gone);
    queue(state, &actor, &everyone, 0..6, base).await;
    let healthy_refs: Vec<&Peer> = healthy.iter().collect();
    queue(state, &actor, &healthy_refs, 6..36, base).await;
    let _worker = delivery::spawn(state.clone());

    // Hang guard only: the bad peers cost at most 2 s an attempt.
    within(60, "the healthy peers got every activity", || async {
        healthy.iter().all(|p| p.inboxes_reached().len() == 36)
    })
    .await;
    for peer in &healthy {
        assert_eq!(peer.errors(), Vec::<String>::new());
        let arrivals = peer.arrivals();
        assert_eq!(
            arrivals.len(),
            36,
            "each activity exactly once at {}",
            peer.host
        );
        for (n, activity) in arrivals {
            assert_eq!(activity["id"], format!("http://loggia.test/activities/{n}"));
        }
        assert_eq!(
            state
                .store
                .deliveries()
                .pending(Some(&peer.host))
                .await
                .unwrap(),
            0
        );
        let health = state
            .store
            .deliveries()
            .peer(&peer.host)
            .await
            .unwrap()
            .unwrap();
        assert!(health.last_success_at.is_some() && health.failing_since.is_none());
    }

    // Each bad peer: all 6 tried once and rescheduled about 30 s later
    // (FIRST_RETRY_SECS with ±20 % jitter), nothing dropped.
    for (kind, peer) in &bad {
        within(
            60,
            &format!("every delivery to the {kind:?} peer was tried"),
            || async {
                let queued = state
                    .store
                    .deliveries()
                    .queued_for(&peer.host)
                    .await
                    .unwrap();
                queued.len() == 6
                    && queued
                        .iter()
                        .all(|d| d.attempts == 1 && d.locked_until.is_none())
            },
        )
        .await;
        let now = Timestamp::now();
        for d in state
            .store
            .deliveries()
            .queued_for(&peer.host)
            .await
            .unwrap()
        {
            let wait = d.next_attempt_at.0 - now.0;
            assert!(
                (10_000..=40_000).contains(&wait),
                "{kind:?}: the retry is {wait} ms away"
            );
            assert!(
                d.last_error.as_deref().is_some_and(|e| !e.is_empty()),
                "{kind:?}"
            );
        }
        let health = state
            .store
            .deliveries()
            .peer(&peer.host)
            .await
            .unwrap()
            .unwrap();
        assert!(health.failing_since.is_some(), "{kind:?} is marked failing");
        assert!(peer.requests() >= 6, "{kind:?} was contacted");
    }
    let failed = last_error(state, &bad[&Behaviour::Fails500]).await;
    assert!(failed.contains("HTTP 500"), "{failed}");
    let looped = last_error(state, &bad[&Behaviour::RedirectLoop]).await;
    assert!(looped.contains("redirect"), "{looped}");
    // At most `per_host` connections at once to the slow peers.
    assert!(bad[&Behaviour::BlackHole].most_open() <= 2);
    assert!(bad[&Behaviour::Drip].most_open() <= 2);

    // A 302 would turn the POST into a GET of a page answering 200: that is
    // not a delivery. It is given up (a permanent answer), not counted sent.
    within(30, "the redirected deliveries were given up", || async {
        state
            .store
            .deliveries()
            .pending(Some(&gone.host))
            .await
            .unwrap()
            == 0
    })
    .await;
    assert_eq!(gone.requests(), 6);
    assert_eq!(state.metrics.deliveries_failed.get(), 6);
    assert_eq!(state.metrics.deliveries_sent.get(), 72);
    // Everything else still waits for its retry.
    assert_eq!(state.store.deliveries().pending(None).await.unwrap(), 5 * 6);
}

async fn last_error(state: &AppState, peer: &Peer) -> String {
    let queued = state
        .store
        .deliveries()
        .queued_for(&peer.host)
        .await
        .unwrap();
    queued[0].last_error.clone().unwrap_or_default()
}

#[tokio::test]
async fn a_slow_hosts_backlog_does_not_take_every_claim() {
    // 4 claims at once, 2 per host; attempts may take 30 s.
    let (app, actor) = instance(4, 2, 30).await;
    let state = &app.state;
    let hole = Peer::start(Behaviour::BlackHole).await;
    let healthy = Peer::start(Behaviour::Healthy).await;
    healthy.expect_key(actor.public_key_pem.as_deref().unwrap());
    // 100 deliveries for the black hole are due before the healthy host's.
    let base = Timestamp::now().plus_seconds(-60);
    queue(state, &actor, &[&hole], 0..100, base).await;
    queue(state, &actor, &[&healthy], 100..105, base).await;
    let _worker = delivery::spawn(state.clone());

    // Well under the 30 s an attempt to the black hole takes: the healthy
    // host's deliveries must not wait behind its backlog.
    within(20, "the healthy host got its deliveries", || async {
        healthy.inboxes_reached().len() == 5
    })
    .await;
    assert_eq!(healthy.errors(), Vec::<String>::new());
    assert!(
        hole.most_open() <= 2,
        "{} connections to the black hole",
        hole.most_open()
    );
    let held = state
        .store
        .deliveries()
        .queued_for(&hole.host)
        .await
        .unwrap()
        .iter()
        .filter(|d| d.locked_until.is_some())
        .count();
    assert!(held <= 2, "{held} black-hole deliveries claimed");
    assert_eq!(
        state
            .store
            .deliveries()
            .pending(Some(&hole.host))
            .await
            .unwrap(),
        100
    );
}

#[tokio::test]
async fn claims_leave_room_for_every_host() {
    let (app, actor) = instance(8, 2, 30).await;
    let store = &app.state.store;
    let t = Timestamp::now();
    let mut tx = store.begin().await.unwrap();
    for n in 0..5 {
        let slow = (
            format!("https://slow.example/inbox/{n}"),
            "slow.example".to_owned(),
        );
        tx.deliveries()
            .enqueue(actor.id, "{}", &[slow], Timestamp(t.0 - 100 + n))
            .await
            .unwrap();
    }
    for n in 0..3 {
        let other = (
            format!("https://other.example/inbox/{n}"),
            "other.example".to_owned(),
        );
        tx.deliveries()
            .enqueue(actor.id, "{}", &[other], t)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    // The claimant holds one for slow.example already: one more of its,
    // two of other.example's, though the limit would take more.
    let held = HashMap::from([("slow.example".to_owned(), 1)]);
    let claimed = store
        .deliveries()
        .claim_per_host(t, 10_000, 10, 2, &held)
        .await
        .unwrap();
    let hosts = |claimed: &[loggia::store::Claimed], host: &str| {
        claimed.iter().filter(|c| c.host == host).count()
    };
    assert_eq!(
        (
            hosts(&claimed, "slow.example"),
            hosts(&claimed, "other.example")
        ),
        (1, 2)
    );
    assert_eq!(
        claimed
            .iter()
            .find(|c| c.host == "slow.example")
            .unwrap()
            .inbox_url,
        "https://slow.example/inbox/0",
        "oldest first"
    );
    // Claimed rows are not claimed again; a host at its limit gets none.
    let held = HashMap::from([
        ("slow.example".to_owned(), 2),
        ("other.example".to_owned(), 2),
    ]);
    assert!(
        store
            .deliveries()
            .claim_per_host(t, 10_000, 10, 2, &held)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .deliveries()
        .claim_per_host(t, 10_000, 10, 2, &HashMap::new())
        .await
        .unwrap();
    assert_eq!(
        (
            hosts(&again, "slow.example"),
            hosts(&again, "other.example")
        ),
        (2, 1)
    );
}
