//! Streaming: every local viewer subscribes to every stream before the
//! posts are written; after them come two sentinel posts every stream must
//! carry, so "nothing arrived" is read off what came before the sentinel,
//! not from waiting. (Streaming needs a token: no anonymous column.)

use serde_json::Value;

use axum::http::{Method, StatusCode};

use super::world::{World, post_text};
use super::{Audience, Matrix, Viewer, visible};
use crate::api::streaming::{Socket, connect, listen, next};

fn user(a: Audience, v: Viewer) -> bool {
    // Home updates for the author and followers, mention notifications.
    visible(a, v) && matches!(v, Viewer::Author | Viewer::Follower | Viewer::Mentioned)
}
fn home(a: Audience, v: Viewer) -> bool {
    visible(a, v) && matches!(v, Viewer::Author | Viewer::Follower)
}
fn listed(a: Audience, v: Viewer) -> bool {
    visible(a, v) && a.listed()
}
fn direct(a: Audience, v: Viewer) -> bool {
    visible(a, v) && a == Audience::Direct
}
fn list_member(a: Audience, v: Viewer) -> bool {
    visible(a, v) && v == Viewer::Follower
}

/// The statuses a message carries (an update, a notification's status, a
/// conversation's last status).
fn carried(message: &Value) -> Vec<String> {
    let payload = &message["payload"];
    [
        &payload["id"],
        &payload["status"]["id"],
        &payload["last_status"]["id"],
    ]
    .into_iter()
    .filter_map(|id| id.as_str().map(str::to_owned))
    .collect()
}

/// Everything the socket carried before `sentinel`: (event, status id).
async fn until(socket: &mut Socket, sentinel: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    loop {
        let message = next(socket).await;
        let ids = carried(&message);
        if ids.iter().any(|id| id == sentinel) {
            return seen;
        }
        let event = message["event"].as_str().unwrap_or_default().to_owned();
        seen.extend(ids.into_iter().map(|id| (event.clone(), id)));
    }
}

type Expect = fn(Audience, Viewer) -> bool;

/// Edits reach the streams that show the post (a mention notification is
/// not sent again; the direct stream carries conversations, not edits).
fn edit_expect(door: &str) -> Option<Expect> {
    match door {
        "stream user" => Some(home),
        "stream list" => Some(list_member),
        "stream direct" => None,
        _ => Some(listed),
    }
}

#[tokio::test]
async fn streams_carry_each_audience_to_exactly_its_viewers() {
    let mut w = World::new().await;
    let addr = listen(&w.app).await;
    let mut sockets: Vec<(&str, Expect, Viewer, Socket)> = Vec::new();
    for v in Viewer::LOCAL {
        let token = w.token(v).unwrap().to_owned();
        let streams: [(&str, &str, Expect); 5] = [
            ("stream user", "stream=user", user),
            ("stream public", "stream=public", listed),
            ("stream public:local", "stream=public:local", listed),
            ("stream hashtag", "stream=hashtag&tag=privtag", listed),
            ("stream direct", "stream=direct", direct),
        ];
        for (door, query, expect) in streams {
            sockets.push((door, expect, v, connect(&addr, &token, query).await));
        }
    }
    let follower = w.token(Viewer::Follower).unwrap().to_owned();
    let query = format!("stream=list&list={}", w.list_id);
    let list_socket = connect(&addr, &follower, &query).await;
    sockets.push(("stream list", list_member, Viewer::Follower, list_socket));

    w.post_all().await;
    let author = w.token(Viewer::Author).unwrap().to_owned();
    // Each post is edited once: the edit must reach the same people.
    for p in &w.posts {
        let text = format!("{} edited", post_text(p.audience));
        w.app
            .send_with_token(
                Method::PUT,
                &format!("/api/v1/statuses/{}", p.id()),
                &author,
                &[("status", &text)],
            )
            .await
            .assert_status(StatusCode::OK);
    }
    let everyone = "@follower @mentioned @colleague sentinel #privtag";
    let public = w.app.post_status(&author, &[("status", everyone)]).await;
    let dm = w
        .app
        .post_status(&author, &[("status", everyone), ("visibility", "direct")])
        .await;

    let mut m = Matrix::default();
    for (door, expect, v, mut socket) in sockets {
        let sentinel = if door == "stream direct" {
            &dm
        } else {
            &public
        };
        let seen = until(&mut socket, sentinel["id"].as_str().unwrap()).await;
        for p in &w.posts {
            let got = |edit: bool| {
                seen.iter()
                    .any(|(event, id)| id == p.id() && (event == "status.update") == edit)
            };
            m.check(door, expect, p.audience, v, got(false));
            if let Some(edit) = edit_expect(door) {
                m.check(&format!("{door} (edit)"), edit, p.audience, v, got(true));
            }
        }
    }
    m.finish();
}
