//! Two `loggia serve` processes on one PostgreSQL database: a post written
//! through one reaches a WebSocket stream on the other, through
//! PostgreSQL's `LISTEN`/`NOTIFY`. (On SQLite, events stay in the process
//! that commits them, as docs/deployment.md says; nothing to test there.)

use serde_json::{Value, json};

use super::{DOMAIN, FreshDb, Node, client, password_token};
use crate::api::streaming::{connect, next};
use crate::common::PASSWORD;

#[tokio::test]
async fn a_post_through_one_node_reaches_a_stream_on_the_other() {
    let db = FreshDb::new().await;
    if !db.postgres {
        eprintln!("streaming across processes needs PostgreSQL; SQLite keeps events in-process");
        return;
    }
    let mut a = Node::spawn("a", &db.url, &[]);
    let mut b = Node::spawn("b", &db.url, &[("LOGGIA_ROLE", "web")]);
    tokio::join!(a.ready(), b.ready());
    let store = loggia::store::Store::connect(&db.url, 2).await.unwrap();
    let mut config = crate::common::test_config(&db.url);
    config.domain = DOMAIN.into();
    loggia::service::accounts::create_local_user(
        &store,
        &config,
        &loggia::service::accounts::NewLocalUser {
            username: "alice".into(),
            email: "alice@acme.example".into(),
            password: PASSWORD.into(),
            role: "user".into(),
        },
    )
    .await
    .unwrap();
    let alice = password_token(&format!("http://{}", a.address()), "alice").await;

    let mut socket = connect(&b.address().to_string(), &alice, "stream=public:local").await;
    let post: Value = client()
        .post(format!("http://{}/api/v1/statuses", a.address()))
        .bearer_auth(&alice)
        .json(&json!({"status": "written on node a", "visibility": "public"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = next(&mut socket).await;
    assert_eq!(m["event"], "update");
    assert_eq!(m["payload"]["id"], post["id"], "{m}");
    assert_eq!(m["payload"]["content"], "<p>written on node a</p>");
}
