//! Two `loggia serve` processes on one PostgreSQL database: a post written
//! through one reaches a WebSocket stream on the other, through
//! PostgreSQL's `LISTEN`/`NOTIFY`. (On SQLite, events stay in the process
//! that commits them, as docs/deployment.md says; nothing to test there.)

use serde_json::{Value, json};

use super::{FreshDb, Node, client, create_alice, password_token};
use crate::api::streaming::{connect, next};

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
    create_alice(&db.url).await;
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
