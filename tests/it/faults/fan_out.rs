//! SIGKILL in the middle of a fan-out: one post to 1,000 remote followers'
//! inboxes, sent by the real binary, which is killed while sends are in
//! flight and started again on the same database. Every inbox must get the
//! `Create` at least once (ActivityPub's at-least-once delivery); what the
//! dead node had in flight arrives twice.

use serde_json::{Value, json};

use super::peers::{Behaviour, Peer};
use crate::cluster::{self, Node, client, wait_until};
use crate::common::TestApp;
use loggia::store::{FollowOptions, RemoteAccount};

const FOLLOWERS: u32 = 1000;
/// Receiving hosts; followers alternate between them.
const HOSTS: usize = 4;
const CONCURRENCY: usize = 32;
const SETTINGS: [(&str, &str); 3] = [
    ("LOGGIA_DELIVERY_CONCURRENCY", "32"),
    ("LOGGIA_DELIVERY_PER_HOST", "8"),
    // A killed node's claims lapse after 3 seconds.
    ("LOGGIA_DELIVERY_LEASE_SECS", "3"),
];

/// 1,000 remote accounts following `target`, each with its own inbox (no
/// shared inbox, so none is deduplicated away), written straight to the
/// database in one transaction: following through the API is not what is
/// tested here.
async fn seed_followers(app: &TestApp, target: loggia::model::AccountId, peers: &[Peer]) {
    let mut tx = app.state.store.begin().await.unwrap();
    for n in 0..FOLLOWERS {
        let peer = &peers[n as usize % peers.len()];
        let (inbox, host) = peer.inbox(n);
        let account = tx
            .accounts()
            .upsert_remote(&RemoteAccount {
                username: format!("f{n}"),
                domain: host.clone(),
                actor_type: "Person".into(),
                display_name: format!("Follower {n}"),
                fields: "[]".into(),
                uri: format!("http://{host}/users/f{n}"),
                inbox_url: inbox,
                discoverable: true,
                indexable: true,
                ..RemoteAccount::default()
            })
            .await
            .unwrap();
        let options = FollowOptions {
            show_reblogs: true,
            notify: false,
            uri: None,
        };
        tx.follows()
            .follow(account.id, target, options)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_node_killed_mid_fan_out_delivers_every_create_after_restart() {
    let mut app = TestApp::with_config(|c| c.domain = cluster::DOMAIN.into()).await;
    let (alice, token) = app.user_with_token("alice").await;
    let (public_key, _) = loggia::federation::keys::ensure(&app.state.store, &alice.account)
        .await
        .unwrap();
    let mut peers = Vec::new();
    for _ in 0..HOSTS {
        let peer = Peer::start(Behaviour::Healthy).await;
        peer.expect_key(&public_key);
        // After 50 answers each, answers wait: the fan-out is then
        // certainly under way, with sends in flight, when the node dies.
        peer.hold_after(50);
        peers.push(peer);
    }
    seed_followers(&app, alice.account.id, &peers).await;
    let db = app.take_db();

    let mut node = Node::spawn("doomed", db.url(), &SETTINGS);
    node.ready().await;
    let post: Value = client()
        .post(format!("http://{}/api/v1/statuses", node.address()))
        .bearer_auth(&token)
        .json(&json!({"status": "to a thousand followers", "visibility": "public"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uri = post["uri"].as_str().expect("the post's URI").to_owned();
    let waiting = || peers.iter().map(Peer::waiting).sum::<usize>();
    wait_until("sends are in flight to every host", &[&node], || async {
        peers.iter().all(|p| p.waiting() > 0) && waiting() >= CONCURRENCY / 2
    })
    .await;
    let in_flight = waiting();
    node.kill();
    let before = peers.iter().map(|p| p.arrivals().len()).sum::<usize>();
    for peer in &peers {
        peer.release();
    }

    let mut restarted = Node::spawn("restarted", db.url(), &SETTINGS);
    restarted.ready().await;
    let store = &app.state.store;
    wait_until(
        "every inbox got the Create and nothing is queued",
        &[&restarted],
        || async {
            let reached: usize = peers.iter().map(|p| p.inboxes_reached().len()).sum();
            reached == FOLLOWERS as usize && store.deliveries().pending(None).await.unwrap() == 0
        },
    )
    .await;

    let mut arrivals = 0;
    for peer in &peers {
        assert_eq!(peer.errors(), Vec::<String>::new());
        for (n, activity) in peer.arrivals() {
            assert_eq!(activity["type"], "Create", "inbox {n}: {activity}");
            assert_eq!(activity["object"]["id"], uri.as_str(), "inbox {n}");
            arrivals += 1;
        }
    }
    let duplicates = arrivals - FOLLOWERS as usize;
    eprintln!(
        "fan-out to {FOLLOWERS} inboxes, killed after {before} arrivals with {in_flight} \
         sends waiting: {arrivals} requests, {duplicates} duplicates"
    );
    // What the dead node was waiting on is sent again; at most what it held.
    assert!(
        (in_flight..=CONCURRENCY).contains(&duplicates),
        "{duplicates} duplicates; {in_flight} were in flight, {CONCURRENCY} held at most"
    );
}
