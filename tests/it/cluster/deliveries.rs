//! One delivery queue, worked by two nodes at once: every activity reaches
//! its inbox exactly once while both live, and at least once when one of
//! them is killed mid-queue (only what it had in flight may arrive twice).

use std::time::Duration;

use loggia::config::{Config, Protocol};
use loggia::model::{Account, Timestamp};
use loggia::store::Store;

use super::receiver::{Receiver, activity};
use super::{DOMAIN, Node, wait_until};
use crate::common::TestDb;

const QUEUED: u32 = 1000;
/// Distinct receiving hosts (ports), so that per-host limits apply.
const HOSTS: usize = 4;

/// A migrated database with the instance actor, which signs what is queued.
async fn setup() -> (TestDb, Store, Account) {
    let db = TestDb::new().await;
    let store = db.store().await;
    let config = Config {
        domain: DOMAIN.into(),
        protocol: Protocol::Http,
        ..Config::default()
    };
    let actor = loggia::service::instance::ensure_instance_actor(&store, &config)
        .await
        .expect("the instance actor");
    (db, store, actor)
}

/// Queues one activity per inbox, in one transaction, so that both nodes
/// find the whole queue at once; inboxes alternate between the hosts.
async fn queue(store: &Store, receiver: &Receiver, actor: &Account) {
    let base = Timestamp::now().plus_seconds(-60);
    let mut tx = store.begin().await.unwrap();
    for n in 0..QUEUED {
        tx.deliveries()
            .enqueue(
                actor.id,
                &activity(n),
                &[receiver.inbox(n)],
                Timestamp(base.0 + i64::from(n)),
            )
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Waits until every inbox got its activity and nothing is queued any more.
async fn wait_for_all(store: &Store, receiver: &Receiver, nodes: &[&Node]) {
    wait_until(
        "every activity arrived and the queue is empty",
        nodes,
        || async {
            let mut seen = receiver.arrivals();
            seen.sort_unstable();
            seen.dedup();
            seen.len() == QUEUED as usize && store.deliveries().pending(None).await.unwrap() == 0
        },
    )
    .await;
    assert_eq!(receiver.errors(), Vec::<String>::new());
}

#[tokio::test]
async fn two_nodes_deliver_every_queued_activity_exactly_once() {
    let (db, store, actor) = setup().await;
    let receiver = Receiver::start(HOSTS, actor.public_key_pem.as_deref().unwrap()).await;
    // Each node holds up to 16 deliveries, 2 per host in flight: at most
    // 2 × HOSTS = 8 requests from one node at once. Claims last 4 seconds
    // unless renewed.
    let limits = [
        ("LOGGIA_DELIVERY_CONCURRENCY", "16"),
        ("LOGGIA_DELIVERY_PER_HOST", "2"),
        ("LOGGIA_DELIVERY_LEASE_SECS", "4"),
    ];
    let mut all = Node::spawn("all", db.url(), &limits);
    let mut worker = Node::spawn(
        "worker",
        db.url(),
        &[limits[0], limits[1], limits[2], ("LOGGIA_ROLE", "worker")],
    );
    let mut web = Node::spawn("web", db.url(), &[("LOGGIA_ROLE", "web")]);
    tokio::join!(all.ready(), worker.ready(), web.ready());

    // Answers wait until more requests are waiting than one node can send
    // at once: then both nodes are sending.
    receiver.hold_after(0);
    queue(&store, &receiver, &actor).await;
    wait_until("both nodes are sending", &[&all, &worker], || async {
        receiver.waiting() > 2 * HOSTS
    })
    .await;
    // Slow answers, for longer than two leases: the nodes renew their
    // claims, so neither takes over what the other is still sending.
    tokio::time::sleep(Duration::from_secs(9)).await;
    receiver.release();
    wait_for_all(&store, &receiver, &[&all, &worker]).await;

    let mut arrivals = receiver.arrivals();
    assert_eq!(
        arrivals.len(),
        QUEUED as usize,
        "each activity exactly once"
    );
    arrivals.sort_unstable();
    assert_eq!(arrivals, (0..QUEUED).collect::<Vec<_>>());
    // Each node counts a delivery just after removing its row.
    let nodes = [&all, &worker];
    wait_until("both nodes counted their deliveries", &nodes, || async {
        all.counter("deliveries_sent").await + worker.counter("deliveries_sent").await
            >= u64::from(QUEUED)
    })
    .await;
    let by_all = all.counter("deliveries_sent").await;
    let by_worker = worker.counter("deliveries_sent").await;
    eprintln!("node all sent {by_all}, node worker sent {by_worker}");
    assert!(by_all > 0 && by_worker > 0, "{by_all} and {by_worker}");
    assert_eq!(by_all + by_worker, u64::from(QUEUED));
    assert!(
        receiver.max_in_flight_per_host() <= 2 * 2,
        "per-host limit of 2 per node: {} at once",
        receiver.max_in_flight_per_host()
    );

    // The web node sent nothing and serves the application; the worker
    // serves only probes and metrics.
    assert_eq!(web.counter("deliveries_sent").await, 0);
    assert_eq!(web.get("/api/v1/instance").await.0, 200);
    assert_eq!(worker.get("/api/v1/instance").await.0, 404);
    assert_eq!(worker.get("/health").await, (200, "OK".into()));
    assert_eq!(worker.get("/ready").await, (200, "OK".into()));
}

#[tokio::test]
async fn deliveries_of_a_killed_node_are_finished_by_the_other() {
    let (db, store, actor) = setup().await;
    let receiver = Receiver::start(HOSTS, actor.public_key_pem.as_deref().unwrap()).await;
    // Each node sends up to 8 at once (no per-host limit below that), and
    // a dead node's claims lapse after 3 seconds.
    let settings = [
        ("LOGGIA_DELIVERY_CONCURRENCY", "8"),
        ("LOGGIA_DELIVERY_PER_HOST", "8"),
        ("LOGGIA_DELIVERY_LEASE_SECS", "3"),
    ];
    let mut doomed = Node::spawn("doomed", db.url(), &settings);
    let mut survivor = Node::spawn("survivor", db.url(), &settings);
    tokio::join!(doomed.ready(), survivor.ready());

    // After 100 answers, answers wait: once more than 8 requests wait,
    // both nodes have sends in flight. Kill one of them then.
    receiver.hold_after(100);
    queue(&store, &receiver, &actor).await;
    wait_until(
        "both nodes have sends in flight",
        &[&doomed, &survivor],
        || async { receiver.waiting() > 8 },
    )
    .await;
    doomed.kill();
    receiver.release();
    wait_for_all(&store, &receiver, &[&survivor]).await;

    let arrivals = receiver.arrivals();
    let duplicates = arrivals.len() - QUEUED as usize;
    eprintln!(
        "{} requests for {QUEUED} activities: {duplicates} sent again after the kill",
        arrivals.len()
    );
    // What the killed node had sent but not recorded is sent again: at
    // least the requests it was waiting on, at most all it held.
    assert!(
        (1..=8).contains(&duplicates),
        "{duplicates} duplicates; only the killed node's 8 in-flight sends may repeat"
    );
}
