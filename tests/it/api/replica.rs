//! Timelines and search on a real PostgreSQL streaming replica, which
//! `scripts/postgres.sh` starts applying every commit 3 s late: others read
//! the replica (and do not see a post yet that the primary has), the author
//! reads their own write at once, everyone sees it once the replica caught
//! up, and a replica that cannot serve leaves every read to the primary.
//!
//! On SQLite (no replicas) these tests only print a note. On PostgreSQL they
//! need `TEST_POSTGRES_REPLICA_URL` and its primary's
//! `TEST_POSTGRES_REPLICA_PRIMARY_URL` (a cluster of their own), and fail
//! without them when `TEST_REQUIRE_REPLICA` is set (`scripts/test.sh` sets
//! all three).

use std::time::Duration;

use axum::http::StatusCode;
use loggia::state::AppState;
use loggia::store::{ReplicaReads, StoreError};
use serde_json::Value;
use sqlx::{Connection, PgConnection};

use crate::common::db::{Backend, backend};
use crate::common::{TestApp, TestDb, test_config};

/// Whether this run is on PostgreSQL; prints a note when it is not.
fn on_postgres(test: &str) -> bool {
    let postgres = matches!(backend(), Backend::Postgres { .. });
    if !postgres {
        eprintln!("note: {test} checks read replicas, which only PostgreSQL has; nothing to do");
    }
    postgres
}

/// A primary and its streaming replica (the clusters' admin URLs).
struct Pair {
    primary: String,
    replica: String,
}

/// The replicated pair, or `None` (with a note) where it cannot run.
fn replicated_pair(test: &str) -> Option<Pair> {
    if !on_postgres(test) {
        return None;
    }
    let var = |name| {
        std::env::var(name)
            .ok()
            .filter(|url: &String| !url.is_empty())
    };
    match (
        var("TEST_POSTGRES_REPLICA_PRIMARY_URL"),
        var("TEST_POSTGRES_REPLICA_URL"),
    ) {
        (Some(primary), Some(replica)) => Some(Pair { primary, replica }),
        _ if std::env::var_os("TEST_REQUIRE_REPLICA").is_some() => panic!(
            "TEST_REQUIRE_REPLICA is set but TEST_POSTGRES_REPLICA_PRIMARY_URL and \
             TEST_POSTGRES_REPLICA_URL are not: start them with start_postgres_replica \
             from scripts/postgres.sh"
        ),
        _ => {
            eprintln!("note: {test} skipped: TEST_POSTGRES_REPLICA_URL is not set");
            None
        }
    }
}

/// `cluster`'s URL naming the database of `database_url`.
fn same_database(cluster: &str, database_url: &str) -> String {
    let name = url::Url::parse(database_url).unwrap().path().to_owned();
    let mut url = url::Url::parse(cluster).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// An instance on `db` reading from the replica at `replica_url`.
async fn instance_on(db: TestDb, replica_url: String, max_lag_secs: u64) -> TestApp {
    let mut config = test_config(db.url());
    config.database_replica_url = replica_url;
    config.database_replica_max_lag_secs = max_lag_secs;
    let state = AppState::init(config).await.expect("app state");
    TestApp::from_state(state, db)
}

/// An instance on a fresh database whose replica is `replica(database_url)`.
async fn instance(db: TestDb, replica: impl FnOnce(&str) -> String) -> TestApp {
    let replica_url = replica(db.url());
    instance_on(db, replica_url, 30).await
}

/// A fresh database on the pair's primary.
async fn database_on(pair: &Pair) -> TestDb {
    let admin_url = pair.primary.clone();
    TestDb::on(Backend::Postgres { admin_url }).await
}

/// An instance on the pair's primary, reading from its replica once the
/// replica has the (new) database.
async fn replicated(pair: &Pair, max_lag_secs: u64) -> TestApp {
    let db = database_on(pair).await;
    let replica_url = same_database(&pair.replica, db.url());
    eventually("the replica has the new database", async || {
        PgConnection::connect(&replica_url).await.is_ok()
    })
    .await;
    instance_on(db, replica_url, max_lag_secs).await
}

fn reads(app: &TestApp) -> ReplicaReads {
    app.state
        .store
        .replica_reads()
        .expect("a replica is set up")
}

/// Polls `check` until it holds, for at most a minute: waiting for the
/// replica's fixed apply delay to pass, or for it to have a new database.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

/// The ids of a list of statuses (a timeline), or of `statuses` in search
/// results.
async fn ids(app: &TestApp, path: &str, token: Option<&str>) -> Vec<String> {
    let response = app.get_as(path, token).await;
    response.assert_status(StatusCode::OK);
    let body = response.json();
    let list = body.get("statuses").unwrap_or(&body);
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Reads `path` and says whether it listed `id`, and what served it.
async fn read(app: &TestApp, path: &str, token: Option<&str>, id: &str) -> (bool, Served) {
    let before = reads(app);
    let listed = ids(app, path, token).await.iter().any(|i| i == id);
    (listed, Served::between(before, reads(app)))
}

#[derive(Debug, PartialEq, Eq)]
enum Served {
    Replica,
    OwnWrite,
    Lagging,
    Unavailable,
    Retried,
}

impl Served {
    fn between(before: ReplicaReads, after: ReplicaReads) -> Self {
        let d = |f: fn(&ReplicaReads) -> u64| f(&after) - f(&before);
        let counted = [
            (d(|r| r.replica), Served::Replica),
            (d(|r| r.own_write), Served::OwnWrite),
            (d(|r| r.lagging), Served::Lagging),
            (d(|r| r.unavailable), Served::Unavailable),
            (d(|r| r.retried), Served::Retried),
        ];
        let mut hits = counted.into_iter().filter(|(n, _)| *n > 0);
        let (n, served) = hits.next().expect("the read was counted");
        assert!(n == 1 && hits.next().is_none(), "one read counted once");
        served
    }
}

/// Waits until the app sends a read by `token` (or anonymous) to the
/// replica: the replica has the reader's own writes.
async fn replica_in_use(app: &TestApp, token: Option<&str>) {
    eventually("the replica serves reads", async || {
        read(app, "/api/v1/timelines/public", token, "").await.1 == Served::Replica
    })
    .await;
}

async fn post(app: &TestApp, token: &str, text: &str) -> Value {
    app.post_status(token, &[("status", text), ("visibility", "public")])
        .await
}

#[tokio::test]
async fn the_author_reads_their_write_at_once_and_others_the_replica() {
    let Some(pair) = replicated_pair("the_author_reads_their_write_at_once") else {
        return;
    };
    let app = replicated(&pair, 30).await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let (_, bob_token) = app.user_with_token("bob").await;
    // Bob follows Alice, and lists her.
    let alice_id = alice.account.id.to_string();
    let follow = format!("/api/v1/accounts/{alice_id}/follow");
    let followed = app.post_with_token(&follow, &bob_token, &[]).await;
    followed.assert_status(StatusCode::OK);
    let list = app
        .post_with_token("/api/v1/lists", &bob_token, &[("title", "Team")])
        .await
        .json();
    let list = format!("/api/v1/timelines/list/{}", list["id"].as_str().unwrap());
    let members = list.replace("timelines/list", "lists") + "/accounts";
    let listed = app
        .post_with_token(&members, &bob_token, &[("account_ids[]", &alice_id)])
        .await;
    listed.assert_status(StatusCode::OK);
    // Bob's own writes keep him on the primary until the replica has them.
    replica_in_use(&app, Some(&bob_token)).await;

    let status = post(&app, &alice_token, "Replicas lag #replication").await;
    let id = status["id"].as_str().unwrap();
    let on_primary = app.state.store.statuses().by_id(id.parse().unwrap());
    assert!(on_primary.await.unwrap().is_some(), "the primary has it");

    // Others read the replica, 3 s behind: the post is not there yet.
    let public = "/api/v1/timelines/public";
    let tag = "/api/v1/timelines/tag/replication";
    let home = "/api/v1/timelines/home";
    let bob = Some(&bob_token);
    let others = [
        (public, bob),
        (home, bob),
        (&list, bob),
        (public, None),
        (tag, None),
    ];
    for (path, token) in others {
        let seen = read(&app, path, token.map(String::as_str), id).await;
        assert_eq!(seen, (false, Served::Replica), "{path} as {token:?}");
    }

    // The author reads the primary until the replica has the post.
    let mine = format!("/api/v1/accounts/{}/statuses", alice.account.id);
    let search = "/api/v2/search?q=replicas+lag&type=statuses";
    for path in [home, &mine, tag, search] {
        let seen = read(&app, path, Some(&alice_token), id).await;
        assert_eq!(seen, (true, Served::OwnWrite), "{path}");
    }

    // Once the replica has replayed it, everyone reads it there.
    eventually("others see the post on the replica", async || {
        read(&app, public, Some(&bob_token), id).await == (true, Served::Replica)
    })
    .await;
    for (path, token) in others {
        let seen = read(&app, path, token.map(String::as_str), id).await;
        assert_eq!(seen, (true, Served::Replica), "{path} as {token:?}");
    }
    eventually("the author reads the replica again", async || {
        let seen = read(&app, home, Some(&alice_token), id).await;
        assert!(seen.0, "the author's home always shows the post");
        seen.1 == Served::Replica
    })
    .await;
    let search = "/api/v2/search?q=replicas+lag&type=statuses";
    assert_eq!(
        read(&app, search, Some(&bob_token), id).await,
        (true, Served::Replica)
    );
    assert_eq!(read(&app, &mine, None, id).await, (true, Served::Replica));
}

#[tokio::test]
async fn an_unreachable_replica_leaves_reads_to_the_primary() {
    if !on_postgres("an_unreachable_replica_leaves_reads_to_the_primary") {
        return;
    }
    // A port where nothing listens.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let nowhere = format!("postgres://postgres@127.0.0.1:{port}/loggia");
    let app = instance(TestDb::new().await, |_| nowhere).await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let (_, bob_token) = app.user_with_token("bob").await;
    let id = post(&app, &alice_token, "Still here").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mine = format!("/api/v1/accounts/{}/statuses", alice.account.id);
    for (path, token) in [
        ("/api/v1/timelines/public", Some(&bob_token)),
        ("/api/v1/timelines/public", None),
        ("/api/v1/timelines/home", Some(&alice_token)),
        (mine.as_str(), None),
    ] {
        let seen = read(&app, path, token.map(String::as_str), &id).await;
        assert_eq!(seen, (true, Served::Unavailable), "{path}");
    }
    app.get("/ready").await.assert_status(StatusCode::OK);
    let metrics = app.get("/metrics").await.text();
    assert!(
        metrics.contains(
            r#"loggia_replica_routed_reads_total{served_by="primary",reason="unavailable"} 4"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_server_not_in_recovery_is_not_read_as_a_replica() {
    if !on_postgres("a_server_not_in_recovery_is_not_read_as_a_replica") {
        return;
    }
    // The primary itself named as the replica (a promoted standby looks
    // the same): never trusted to be behind the primary.
    let app = instance(TestDb::new().await, str::to_owned).await;
    let (_, token) = app.user_with_token("alice").await;
    let id = post(&app, &token, "Promoted").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = read(&app, "/api/v1/timelines/public", None, &id).await;
    assert_eq!(seen, (true, Served::Unavailable));
}

#[tokio::test]
async fn a_server_of_another_cluster_is_not_read_as_a_replica() {
    let Some(pair) = replicated_pair("a_server_of_another_cluster_is_not_read") else {
        return;
    };
    // The pair's standby, named as the replica of the main test cluster:
    // in recovery and in good health, but its positions say nothing about
    // this primary, so it is never read (not even tried).
    let app = instance(TestDb::new().await, |_| pair.replica.clone()).await;
    let (_, token) = app.user_with_token("alice").await;
    let id = post(&app, &token, "Elsewhere").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = read(&app, "/api/v1/timelines/public", None, &id).await;
    assert_eq!(seen, (true, Served::Unavailable));
}

#[tokio::test]
async fn a_read_failing_on_the_replica_runs_again_on_the_primary() {
    let Some(pair) = replicated_pair("a_read_failing_on_the_replica_runs_again") else {
        return;
    };
    // The replica's `postgres` database: a standby in good health, but
    // without Loggia's tables, so every query there fails.
    let app = instance(database_on(&pair).await, |_| pair.replica.clone()).await;
    let (_, alice_token) = app.user_with_token("alice").await;
    let (_, bob_token) = app.user_with_token("bob").await;
    let id = post(&app, &alice_token, "Retried").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = read(&app, "/api/v1/timelines/public", None, &id).await;
    assert_eq!(seen, (true, Served::Retried));
    let seen = read(&app, "/api/v2/search?q=retried", Some(&bob_token), &id).await;
    assert_eq!(seen, (true, Served::Retried));
}

#[tokio::test]
async fn a_replica_too_far_behind_is_left_for_the_primary() {
    let Some(pair) = replicated_pair("a_replica_too_far_behind_is_left") else {
        return;
    };
    // At most 1 s behind allowed; the replica is 3 s behind after a write.
    let app = replicated(&pair, 1).await;
    let (_, token) = app.user_with_token("alice").await;
    let id = post(&app, &token, "Far behind").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("the replica is found too far behind", async || {
        let (listed, served) = read(&app, "/api/v1/timelines/public", None, &id).await;
        if served == Served::Lagging {
            assert!(listed, "read from the primary");
        }
        served == Served::Lagging
    })
    .await;
}

#[tokio::test]
async fn work_on_the_replica_cannot_write() {
    let Some(pair) = replicated_pair("work_on_the_replica_cannot_write") else {
        return;
    };
    let app = replicated(&pair, 30).await;
    replica_in_use(&app, None).await;
    let before = reads(&app);
    let store = &app.state.store;
    let begun = store
        .read_as(
            None,
            |replica| async move { replica.begin().await.map(drop) },
        )
        .await;
    assert!(matches!(begun, Err(StoreError::ReadOnly)), "{begun:?}");
    let after = reads(&app);
    assert_eq!(
        (after.replica, after.retried),
        (before.replica + 1, before.retried),
        "refused on the replica, not retried on the primary"
    );
}

/// The pair is what these tests assume: a standby applying commits late.
#[tokio::test]
async fn the_test_replica_is_a_delayed_standby() {
    let Some(pair) = replicated_pair("the_test_replica_is_a_delayed_standby") else {
        return;
    };
    let mut conn = PgConnection::connect(&pair.replica).await.unwrap();
    let (recovering, delay): (bool, String) =
        sqlx::query_as("SELECT pg_is_in_recovery(), current_setting('recovery_min_apply_delay')")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(recovering, "TEST_POSTGRES_REPLICA_URL is a standby");
    assert_ne!(delay, "0", "the replica applies commits late");
}
