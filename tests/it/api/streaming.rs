//! The streaming API over real connections: a WebSocket (token as the
//! subprotocol, as masto.js sends it) and server-sent events, on a server
//! listening on a port. Each test that expects silence ends with an event
//! the subscriber must see, so "nothing arrived" is checked by what comes
//! first, not by waiting.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use sqlx::Connection;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Serves `app` on a local port; returns `host:port`.
pub(crate) async fn listen(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let state = app.state.clone();
    tokio::spawn(loggia::server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    addr
}

/// Opens `/api/v1/streaming?QUERY` with the token as subprotocol.
pub(crate) async fn connect(addr: &str, token: &str, query: &str) -> Socket {
    let mut request = format!("ws://{addr}/api/v1/streaming?{query}")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", token.parse().unwrap());
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    // The subprotocol is echoed, or browsers drop the connection.
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some(token)
    );
    socket
}

/// The next message, with its payload parsed when it is JSON.
pub(crate) async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(15), socket.next())
            .await
            .expect("a streaming message within 15 s")
            .expect("the connection is open")
            .expect("a valid frame");
        let Message::Text(text) = frame else { continue };
        let mut message: Value = serde_json::from_str(&text).unwrap();
        if let Some(payload) = message["payload"].as_str()
            && let Ok(parsed) = serde_json::from_str::<Value>(payload)
            && parsed.is_object()
        {
            message["payload"] = parsed;
        }
        return message;
    }
}

async fn subscribe(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

async fn follow(app: &TestApp, token: &str, account_id: impl std::fmt::Display) {
    app.post_with_token(&format!("/api/v1/accounts/{account_id}/follow"), token, &[])
        .await
        .assert_status(axum::http::StatusCode::OK);
}

#[tokio::test]
async fn the_user_stream_carries_home_updates_notifications_and_deletes() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    let (_, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    follow(&app, &alice, bob_user.account.id).await;
    let mut socket = connect(&addr, &alice, "stream=user").await;

    // Carol is not followed, and her direct message is for Bob alone.
    app.post_status(&carol, &[("status", "unrelated"), ("visibility", "public")])
        .await;
    app.post_status(
        &carol,
        &[("status", "@bob secret"), ("visibility", "direct")],
    )
    .await;
    let post = app
        .post_status(
            &bob,
            &[("status", "hello followers"), ("visibility", "private")],
        )
        .await;
    let update = next(&mut socket).await;
    assert_eq!(update["event"], "update");
    assert_eq!(update["stream"], json!(["user"]));
    assert_eq!(update["payload"]["id"], post["id"]);
    assert_eq!(update["payload"]["content"], post["content"]);
    assert_entity("Status", &update["payload"]);

    // A mention notifies (and, being on the home feed, updates too).
    app.post_status(&bob, &[("status", "@alice look"), ("visibility", "public")])
        .await;
    let mut kinds = Vec::new();
    for _ in 0..2 {
        let m = next(&mut socket).await;
        if m["event"] == "notification" {
            assert_eq!(m["payload"]["type"], "mention");
            assert_entity("Notification", &m["payload"]);
        }
        kinds.push(m["event"].as_str().unwrap().to_owned());
    }
    kinds.sort();
    assert_eq!(kinds, ["notification", "update"]);

    // An edit is a status.update; a deletion a delete with the id.
    let id = post["id"].as_str().unwrap();
    app.send_json(
        axum::http::Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        &bob,
        &json!({ "status": "hello again" }),
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    let edited = next(&mut socket).await;
    assert_eq!(edited["event"], "status.update");
    assert_eq!(edited["payload"]["id"], id);
    assert!(
        edited["payload"]["content"]
            .as_str()
            .unwrap()
            .contains("hello again")
    );
    app.send_with_token(
        axum::http::Method::DELETE,
        &format!("/api/v1/statuses/{id}"),
        &bob,
        &[],
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    let deleted = next(&mut socket).await;
    assert_eq!(deleted["event"], "delete");
    assert_eq!(deleted["payload"], id);
}

#[tokio::test]
async fn public_and_hashtag_streams_show_only_what_the_viewer_may_see() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let (mallory_user, mallory) = app.user_with_token("mallory").await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/block", mallory_user.account.id),
        &alice,
        &[],
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    let mut socket = connect(&addr, &alice, "stream=public:local").await;
    subscribe(
        &mut socket,
        json!({"type": "subscribe", "stream": "hashtag", "tag": "Launch"}),
    )
    .await;
    // Subscriptions are applied in order; an error proves the first was read.
    subscribe(
        &mut socket,
        json!({"type": "subscribe", "stream": "nonsense"}),
    )
    .await;
    let refused = next(&mut socket).await;
    assert_eq!(refused["error"], "Unknown stream type");
    assert_eq!(refused["status"], 400);

    // None of these may reach Alice's public streams.
    app.post_status(
        &bob,
        &[("status", "quiet #launch"), ("visibility", "unlisted")],
    )
    .await;
    app.post_status(
        &bob,
        &[("status", "followers #launch"), ("visibility", "private")],
    )
    .await;
    app.post_status(
        &mallory,
        &[("status", "blocked #launch"), ("visibility", "public")],
    )
    .await;
    let reply_to = app
        .post_status(&alice, &[("status", "root"), ("visibility", "unlisted")])
        .await;
    app.post_status(
        &bob,
        &[
            ("status", "@alice a reply"),
            ("visibility", "public"),
            ("in_reply_to_id", reply_to["id"].as_str().unwrap()),
        ],
    )
    .await;
    let post = app
        .post_status(
            &bob,
            &[("status", "we ship #launch"), ("visibility", "public")],
        )
        .await;
    let mut streams = Vec::new();
    for _ in 0..2 {
        let m = next(&mut socket).await;
        assert_eq!(m["event"], "update");
        assert_eq!(m["payload"]["id"], post["id"], "{m}");
        streams.push(m["stream"].clone());
    }
    streams.sort_by_key(|s| s.to_string());
    assert_eq!(
        streams,
        [json!(["hashtag", "Launch"]), json!(["public:local"])]
    );

    // Unsubscribed from the hashtag, a deletion comes on the public stream only.
    subscribe(
        &mut socket,
        json!({"type": "unsubscribe", "stream": "hashtag", "tag": "Launch"}),
    )
    .await;
    let id = post["id"].as_str().unwrap();
    app.send_with_token(
        axum::http::Method::DELETE,
        &format!("/api/v1/statuses/{id}"),
        &bob,
        &[],
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    let deleted = next(&mut socket).await;
    assert_eq!(deleted["event"], "delete");
    assert_eq!(deleted["stream"], json!(["public:local"]));
    let marker = app
        .post_status(&bob, &[("status", "after"), ("visibility", "public")])
        .await;
    let m = next(&mut socket).await;
    assert_eq!(
        m["payload"]["id"], marker["id"],
        "only one delete was sent: {m}"
    );
}

#[tokio::test]
async fn notifications_stream_and_filters_changed() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let mut only_notifications = connect(&addr, &alice, "stream=user:notification").await;
    let mut user = connect(&addr, &alice, "stream=user").await;

    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await;
    let n = next(&mut only_notifications).await;
    assert_eq!(n["event"], "notification");
    assert_eq!(n["stream"], json!(["user:notification"]));
    assert_eq!(n["payload"]["type"], "follow");
    assert_eq!(n["payload"]["account"]["username"], "bob");
    assert_eq!(next(&mut user).await["payload"]["type"], "follow");

    app.post_json_with_token(
        "/api/v2/filters",
        &alice,
        &json!({"title": "noise", "context": ["home"], "keywords_attributes": [{"keyword": "spoiler"}]}),
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    let changed = next(&mut user).await;
    assert_eq!(changed["event"], "filters_changed");
    assert!(changed.get("payload").is_none());
}

#[tokio::test]
async fn tokens_scopes_and_health_are_checked() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    app.create_user("alice", "user").await;
    let notifications_only = app.token("alice", "read:notifications").await;
    let client = reqwest::Client::new();

    let health = client
        .get(format!("http://{addr}/api/v1/streaming/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "OK");

    // No token, a wrong token: refused before any upgrade.
    let anonymous = format!("ws://{addr}/api/v1/streaming?stream=public");
    match tokio_tungstenite::connect_async(anonymous).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let sse = client
        .get(format!(
            "http://{addr}/api/v1/streaming/public?access_token=wrong"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 401);
    assert!(sse.text().await.unwrap().contains("error"));

    // A token for notifications may not read statuses.
    let mut socket = connect(&addr, &notifications_only, "").await;
    subscribe(
        &mut socket,
        json!({"type": "subscribe", "stream": "public"}),
    )
    .await;
    let refused = next(&mut socket).await;
    assert_eq!(refused["status"], 401);
    let sse = client
        .get(format!("http://{addr}/api/v1/streaming/public/local"))
        .bearer_auth(&notifications_only)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 403);
    let unknown = client
        .get(format!("http://{addr}/api/v1/streaming/everything"))
        .bearer_auth(&notifications_only)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
}

#[tokio::test]
async fn server_sent_events_carry_the_same_events() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let mut response = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/streaming/hashtag?tag=news"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    app.post_status(
        &bob,
        &[("status", "private #news"), ("visibility", "private")],
    )
    .await;
    let post = app
        .post_status(
            &bob,
            &[("status", "public #news"), ("visibility", "public")],
        )
        .await;
    let mut text = String::new();
    while !text.contains("\n\n") || !text.contains("event: update") {
        let chunk = tokio::time::timeout(Duration::from_secs(15), response.chunk())
            .await
            .expect("an event within 15 s")
            .unwrap()
            .expect("the stream is open");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("a data line");
    let status: Value = serde_json::from_str(data).unwrap();
    assert_eq!(
        status["id"], post["id"],
        "the private post was not sent first"
    );
}

/// Two nodes on one PostgreSQL database (two states, two pools, two
/// listeners): a post through node A reaches a stream on node B, and the
/// stream survives its listening connection being cut.
#[tokio::test]
async fn events_cross_nodes_through_postgresql() {
    if !matches!(
        crate::common::db::backend(),
        crate::common::db::Backend::Postgres { .. }
    ) {
        eprintln!("events_cross_nodes_through_postgresql: PostgreSQL only (SQLite is one node)");
        return;
    }
    let mut a = TestApp::new().await;
    let db = a.take_db();
    let config = crate::common::test_config(db.url());
    let b_state = loggia::state::AppState::init(config).await.unwrap();
    let b = TestApp::from_state(b_state, db);
    let b_addr = listen(&b).await;
    let (_, alice) = a.user_with_token("alice").await;
    let mut socket = connect(&b_addr, &alice, "stream=public:local").await;

    let post = a
        .post_status(
            &alice,
            &[("status", "from node A"), ("visibility", "public")],
        )
        .await;
    let m = next(&mut socket).await;
    assert_eq!(m["payload"]["id"], post["id"]);

    // Cut node B's LISTEN connection; it comes back by itself.
    let mut admin = sqlx::PgConnection::connect(a.state.config.database_url.as_str())
        .await
        .unwrap();
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(cut >= 1, "a listening connection was found and cut");
    // Events committed while nobody listened are lost (as with any
    // publish/subscribe); once B listens again, new ones arrive.
    let mut posted = Vec::new();
    let mut delivered = None;
    for attempt in 0..50 {
        let post = a
            .post_status(
                &alice,
                &[
                    ("status", &format!("after the cut {attempt}")),
                    ("visibility", "public"),
                ],
            )
            .await;
        posted.push(post["id"].clone());
        if let Ok(m) = tokio::time::timeout(Duration::from_millis(500), next(&mut socket)).await {
            delivered = Some(m);
            break;
        }
    }
    let m = delivered.expect("events flow again after the listener reconnected");
    assert!(posted.contains(&m["payload"]["id"]), "{m}");
}

/// A subscriber that falls behind by more than the node keeps is
/// disconnected with "try again later", rather than queued without bound.
#[tokio::test]
async fn a_subscriber_that_falls_behind_is_disconnected_not_buffered() {
    let app = TestApp::new().await;
    let addr = listen(&app).await;
    let (_, alice) = app.user_with_token("alice").await;
    let mut socket = connect(&addr, &alice, "stream=public").await;
    // More events than the broadcast holds, faster than anyone can take
    // them: published without yielding to the session in between.
    for id in 0..5000 {
        app.state
            .store
            .events()
            .publish_here(loggia::events::Event::StatusCreated {
                id: loggia::model::StatusId(id),
                reach: loggia::events::Reach {
                    public: true,
                    local: true,
                },
            });
    }
    let close = loop {
        let frame = tokio::time::timeout(Duration::from_secs(15), socket.next())
            .await
            .expect("the server acts within 15 s");
        match frame {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    let close = close.expect("a close code");
    assert_eq!(u16::from(close.code), 1013, "{close:?}");
}
