//! Posts from another server reach local streams when they are delivered.

use serde_json::json;

use super::scenarios::follow_accepted;
use super::{Db, Instance};
use crate::api::streaming::{connect, next};

#[tokio::test]
async fn a_delivered_post_reaches_the_followers_streams_and_so_does_its_deletion() {
    let alpha = Instance::start("alpha.test", Db::Sqlite).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let (_, alice) = alpha.app.user_with_token("alice").await;
    let (_, bob) = beta.app.user_with_token("bob").await;
    follow_accepted(&beta, &bob, &format!("alice@{}", alpha.domain)).await;

    let addr = format!("127.0.0.1:{}", beta.port);
    let mut user = connect(&addr, &bob, "stream=user").await;
    let mut remote = connect(&addr, &bob, "stream=public:remote").await;
    let post = alpha
        .app
        .post_status(
            &alice,
            &[("status", "news from alpha"), ("visibility", "public")],
        )
        .await;
    for socket in [&mut user, &mut remote] {
        let m = next(socket).await;
        assert_eq!(m["event"], "update");
        assert_eq!(m["payload"]["uri"], post["uri"], "{m}");
        assert_eq!(
            m["payload"]["account"]["acct"],
            format!("alice@{}", alpha.domain)
        );
    }
    // Beta's own id for the post (what its streams name in `delete`).
    let local_id = beta.get_json("/api/v1/timelines/home", &bob).await[0]["id"].clone();

    let id = post["id"].as_str().unwrap();
    alpha
        .app
        .send_with_token(
            axum::http::Method::DELETE,
            &format!("/api/v1/statuses/{id}"),
            &alice,
            &[],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);
    for (socket, stream) in [
        (&mut user, json!(["user"])),
        (&mut remote, json!(["public:remote"])),
    ] {
        let m = next(socket).await;
        assert_eq!(m["event"], "delete");
        assert_eq!(m["stream"], stream);
        assert_eq!(m["payload"], local_id);
    }
}
