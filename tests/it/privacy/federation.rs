//! The doors to other servers and the web: what is delivered to which
//! inbox, the ActivityStreams documents served to signed and unsigned
//! GETs (also in secure mode), and the server-rendered public pages.

use axum::http::StatusCode;
use serde_json::Value;

use super::world::World;
use super::{Audience, Matrix, Viewer, visible};
use crate::common::test_config;

/// Loggia serves posts over federation GETs only when anyone may read
/// them (public, unlisted); followers-only posts reach followers' servers
/// by delivery only (Mastodon would also serve them to a follower's
/// signed fetch: a narrower, deliberate choice).
fn document(a: Audience, v: Viewer) -> bool {
    visible(a, v) && matches!(a, Audience::Public | Audience::Unlisted)
}
/// Secure mode (`authorized_fetch`): unsigned requests get nothing.
fn document_secure(a: Audience, v: Viewer) -> bool {
    document(a, v) && v != Viewer::Anonymous
}
/// A post goes to the servers of its remote followers (and mentioned
/// accounts: none here).
fn delivered(a: Audience, v: Viewer) -> bool {
    visible(a, v) && v == Viewer::RemoteFollower
}
fn page(a: Audience, v: Viewer) -> bool {
    visible(a, v)
}
fn listed_page(a: Audience, v: Viewer) -> bool {
    visible(a, v) && a.listed()
}

const REMOTE: [Viewer; 2] = [Viewer::RemoteFollower, Viewer::RemoteStranger];
const FETCHERS: [Viewer; 3] = [
    Viewer::RemoteFollower,
    Viewer::RemoteStranger,
    Viewer::Anonymous,
];

/// Runs the delivery worker until nothing is left to render or send.
async fn deliver_all(w: &World) {
    let worker = loggia::federation::delivery::spawn(w.app.state.clone());
    let store = &w.app.state.store;
    crate::federation::eventually("every delivery sent", || async {
        let renders = store.deliveries().pending_renders(100).await.unwrap();
        let pending = store.deliveries().pending(None).await.unwrap();
        (renders.is_empty() && pending == 0).then_some(())
    })
    .await;
    worker.stop().await;
}

fn path_of(uri: &str) -> String {
    url::Url::parse(uri).unwrap().path().to_owned()
}

/// The ids of the objects of every outbox page.
async fn outbox(w: &World, app: &Router, v: Viewer) -> Option<Vec<String>> {
    let mut objects = Vec::new();
    let mut next = Some("/users/author/outbox?page=true".to_owned());
    while let Some(path) = next {
        let (status, body) = w.fetch(app, &path, v).await;
        if status != StatusCode::OK {
            return None;
        }
        let page: Value = serde_json::from_slice(&body).unwrap();
        for item in page["orderedItems"].as_array().unwrap() {
            objects.extend(item["object"]["id"].as_str().map(str::to_owned));
        }
        next = page["next"].as_str().map(|n| {
            let url = url::Url::parse(n).unwrap();
            format!("{}?{}", url.path(), url.query().unwrap_or_default())
        });
    }
    Some(objects)
}

/// The ids of the pinned posts in the featured collection.
async fn featured(w: &World, app: &Router, v: Viewer) -> Option<Vec<String>> {
    let (status, body) = w.fetch(app, "/users/author/collections/featured", v).await;
    if status != StatusCode::OK {
        return None;
    }
    let collection: Value = serde_json::from_slice(&body).unwrap();
    let items = collection["orderedItems"].as_array().unwrap();
    Some(
        items
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect(),
    )
}

type Router = tower_http::normalize_path::NormalizePath<axum::Router>;

async fn documents(
    w: &World,
    m: &mut Matrix,
    app: &Router,
    mode: &str,
    expect: fn(Audience, Viewer) -> bool,
) {
    for v in FETCHERS {
        let outbox = outbox(w, app, v).await;
        let featured = featured(w, app, v).await;
        for p in &w.posts {
            let note = path_of(p.post["uri"].as_str().unwrap());
            let (status, _) = w.fetch(app, &note, v).await;
            m.check(
                &format!("AP note{mode}"),
                expect,
                p.audience,
                v,
                status == StatusCode::OK,
            );
            let (status, _) = w.fetch(app, &format!("{note}/activity"), v).await;
            m.check(
                &format!("AP activity{mode}"),
                expect,
                p.audience,
                v,
                status == StatusCode::OK,
            );
            let uri = p.post["uri"].as_str().unwrap();
            let pinned = featured
                .as_ref()
                .is_some_and(|f| f.iter().any(|id| id == uri));
            m.check(
                &format!("AP featured (pins){mode}"),
                expect,
                p.audience,
                v,
                pinned,
            );
            let listed = outbox
                .as_ref()
                .is_some_and(|o| o.iter().any(|id| id == uri));
            m.check(&format!("AP outbox{mode}"), expect, p.audience, v, listed);
        }
    }
}

#[tokio::test]
async fn other_servers_and_the_web_get_exactly_what_is_theirs() {
    let mut w = World::new().await;
    w.post_all().await;
    deliver_all(&w).await;
    let mut m = Matrix::default();

    // Deliveries: which inbox received each post's Create.
    for p in &w.posts {
        let uri = p.post["uri"].as_str().unwrap();
        for v in REMOTE {
            let remote = match v {
                Viewer::RemoteFollower => &w.follower_server,
                _ => &w.stranger_server,
            };
            m.check(
                "delivered Create",
                delivered,
                p.audience,
                v,
                w.inboxes.got_create(remote.name, uri),
            );
        }
    }

    // Federation GETs, in the default mode and in secure mode (a second
    // node on the same database, with `authorized_fetch`).
    let open = loggia::server::app(w.app.state.clone());
    documents(&w, &mut m, &open, "", document).await;
    let mut config = test_config(&w.app.state.config.database_url);
    config.authorized_fetch = true;
    let secure_state = loggia::state::AppState::init(config).await.unwrap();
    let secure = loggia::server::app(secure_state);
    documents(&w, &mut m, &secure, " (secure mode)", document_secure).await;

    // Public pages, for anyone on the web.
    let anonymous = Viewer::Anonymous;
    let profile = w.app.get("/@author").await;
    profile.assert_status(StatusCode::OK);
    let tag = w.app.get("/tags/privtag").await;
    tag.assert_status(StatusCode::OK);
    for p in &w.posts {
        let word = format!("secret{}", p.audience.slug());
        let post_page = w.app.get(&path_of(p.post["url"].as_str().unwrap())).await;
        let shown = post_page.status == StatusCode::OK;
        assert!(
            shown || post_page.status == StatusCode::NOT_FOUND,
            "{}",
            post_page.text()
        );
        m.check("page /@user/:id", page, p.audience, anonymous, shown);
        // The parent's page lists the replies visitors may read.
        let parent = w.app.get(&path_of(p.parent["url"].as_str().unwrap())).await;
        parent.assert_status(StatusCode::OK);
        let reply = format!("reply{}", p.audience.slug());
        let listed = parent.text().contains(&reply);
        m.check(
            "page /@user/:parent (replies)",
            page,
            p.audience,
            anonymous,
            listed,
        );
        m.check(
            "page /@user",
            listed_page,
            p.audience,
            anonymous,
            profile.text().contains(&word),
        );
        m.check(
            "page /tags/:tag",
            listed_page,
            p.audience,
            anonymous,
            tag.text().contains(&word),
        );
    }
    m.finish();

    // Once approved, the held post goes to the follower's server (and only
    // there) and everyone may read it.
    let held = w
        .posts
        .iter()
        .find(|p| p.audience == Audience::Held)
        .unwrap();
    w.app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{}/approve", held.id()),
            &w.boss,
            &[],
        )
        .await
        .assert_status(StatusCode::OK);
    deliver_all(&w).await;
    let uri = held.post["uri"].as_str().unwrap();
    assert!(w.inboxes.got_create(w.follower_server.name, uri));
    assert!(!w.inboxes.got_create(w.stranger_server.name, uri));
    w.app
        .get(&format!("/api/v1/statuses/{}", held.id()))
        .await
        .assert_status(StatusCode::OK);
    let (status, _) = w.fetch(&open, &path_of(uri), Viewer::Anonymous).await;
    assert_eq!(status, StatusCode::OK);
}
