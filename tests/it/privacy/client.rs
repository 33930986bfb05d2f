//! The client API's doors: single statuses and what hangs off them,
//! timelines, notifications, conversations, search and counters.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::world::{World, ids};
use super::{Audience, Matrix, Viewer, counted_as_reply, counted_for_author, visible};

fn sees(a: Audience, v: Viewer) -> bool {
    visible(a, v)
}
fn home(a: Audience, v: Viewer) -> bool {
    visible(a, v) && matches!(v, Viewer::Author | Viewer::Follower)
}
fn listed(a: Audience, v: Viewer) -> bool {
    visible(a, v) && a.listed()
}
fn list_member(a: Audience, v: Viewer) -> bool {
    visible(a, v) && v == Viewer::Follower
}
fn mention(a: Audience, v: Viewer) -> bool {
    visible(a, v) && v == Viewer::Mentioned
}
fn conversation(a: Audience, v: Viewer) -> bool {
    visible(a, v) && a == Audience::Direct
}
fn pinned(a: Audience, v: Viewer) -> bool {
    // Direct messages cannot be pinned.
    visible(a, v) && a != Audience::Direct
}
fn featured_tag(a: Audience, v: Viewer) -> bool {
    // As in Mastodon, a featured tag counts public and unlisted posts.
    visible(a, v) && !matches!(a, Audience::Private | Audience::Direct)
}
fn replies_count(a: Audience, _: Viewer) -> bool {
    counted_as_reply(a)
}
fn statuses_count(a: Audience, _: Viewer) -> bool {
    counted_for_author(a)
}

/// A list endpoint's status ids as `viewer` sees them.
async fn listed_ids(w: &World, path: &str, viewer: Viewer) -> Vec<String> {
    let response = w.get_as(path, viewer).await;
    response.assert_status(StatusCode::OK);
    ids(&response.json())
}

async fn ok(w: &World, path: &str, viewer: Viewer) -> bool {
    let response = w.get_as(path, viewer).await;
    match response.status {
        StatusCode::OK => true,
        // Invisible is "not found", never "forbidden" (that would tell).
        StatusCode::NOT_FOUND => false,
        other => panic!("{path}: {other} {}", response.text()),
    }
}

fn status_ids(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n[key]["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_client_api_shows_each_audience_to_exactly_its_viewers() {
    let mut w = World::new().await;
    w.post_all().await;
    let mut m = Matrix::default();
    let author = &w.author_id;
    let viewers = [
        Viewer::Author,
        Viewer::Follower,
        Viewer::Mentioned,
        Viewer::Colleague,
        Viewer::Anonymous,
    ];
    for v in viewers {
        let signed_in = v != Viewer::Anonymous;
        let lists = [
            (
                "account statuses",
                format!("/api/v1/accounts/{author}/statuses?limit=40"),
                sees as fn(_, _) -> _,
            ),
            (
                "public timeline",
                "/api/v1/timelines/public?limit=40".to_owned(),
                listed,
            ),
            (
                "local timeline",
                "/api/v1/timelines/public?local=true&limit=40".to_owned(),
                listed,
            ),
            (
                "tag timeline",
                "/api/v1/timelines/tag/privtag?limit=40".to_owned(),
                listed,
            ),
        ];
        for (door, path, expect) in lists {
            let seen = listed_ids(&w, &path, v).await;
            for p in &w.posts {
                m.check(
                    door,
                    expect,
                    p.audience,
                    v,
                    seen.iter().any(|id| id == p.id()),
                );
            }
        }
        let pins = listed_ids(
            &w,
            &format!("/api/v1/accounts/{author}/statuses?pinned=true"),
            v,
        )
        .await;
        let featured = w
            .get_as(&format!("/api/v1/accounts/{author}/featured_tags"), v)
            .await
            .json();
        for p in &w.posts {
            let (id, a) = (p.id().to_owned(), p.audience);
            m.check("pinned statuses", pinned, a, v, pins.contains(&id));
            let own_tag =
                listed_ids(&w, &format!("/api/v1/timelines/tag/tag{}", a.slug()), v).await;
            m.check(
                "tag timeline (own tag)",
                listed,
                a,
                v,
                own_tag.contains(&id),
            );
            let name = format!("tag{}", a.slug());
            let tag = featured
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == name.as_str());
            let count = tag.map(|t| t["statuses_count"].to_string().trim_matches('"').to_owned());
            m.check(
                "featured tag's statuses_count",
                featured_tag,
                a,
                v,
                count.as_deref() == Some("1"),
            );
        }
        if signed_in {
            let home_ids = listed_ids(&w, "/api/v1/timelines/home?limit=40", v).await;
            let notifications = w.get_as("/api/v1/notifications?limit=40", v).await.json();
            let mentions = status_ids(&notifications, "status");
            let conversations = w.get_as("/api/v1/conversations?limit=40", v).await.json();
            let conversations = status_ids(&conversations, "last_status");
            for p in &w.posts {
                let id = p.id().to_owned();
                m.check("home timeline", home, p.audience, v, home_ids.contains(&id));
                m.check(
                    "notifications",
                    mention,
                    p.audience,
                    v,
                    mentions.contains(&id),
                );
                m.check(
                    "conversations",
                    conversation,
                    p.audience,
                    v,
                    conversations.contains(&id),
                );
                let q = format!("/api/v2/search?q=secret{}&type=statuses", p.audience.slug());
                let found = ids(&w.get_as(&q, v).await.json()["statuses"]);
                m.check(
                    "search (full text)",
                    sees,
                    p.audience,
                    v,
                    found.contains(&id),
                );
            }
        }
        if v == Viewer::Follower {
            let path = format!("/api/v1/timelines/list/{}?limit=40", w.list_id);
            let seen = listed_ids(&w, &path, v).await;
            for p in &w.posts {
                m.check(
                    "list timeline",
                    list_member,
                    p.audience,
                    v,
                    seen.iter().any(|id| id == p.id()),
                );
            }
        }
        for p in &w.posts {
            let (id, a) = (p.id(), p.audience);
            let reply = p.reply["id"].as_str().unwrap();
            let parent = p.parent["id"].as_str().unwrap();
            for (door, path) in [
                ("GET status", format!("/api/v1/statuses/{id}")),
                (
                    "context of the post",
                    format!("/api/v1/statuses/{id}/context"),
                ),
                (
                    "favourited_by",
                    format!("/api/v1/statuses/{id}/favourited_by"),
                ),
                (
                    "reblogged_by",
                    format!("/api/v1/statuses/{id}/reblogged_by"),
                ),
                (
                    "context of a reply",
                    format!("/api/v1/statuses/{reply}/context"),
                ),
            ] {
                m.check(door, sees, a, v, ok(&w, &path, v).await);
            }
            let context = w
                .get_as(&format!("/api/v1/statuses/{parent}/context"), v)
                .await;
            let below = ids(&context.json()["descendants"]);
            m.check(
                "parent's context (descendants)",
                sees,
                a,
                v,
                below.iter().any(|d| d == reply),
            );
            let url = p.post["url"].as_str().unwrap();
            let q = format!(
                "/api/v2/search?resolve=true&type=statuses&q={}",
                url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
            );
            let found = ids(&w.get_as(&q, v).await.json()["statuses"]);
            m.check(
                "search (resolve URL)",
                sees,
                a,
                v,
                found.iter().any(|f| f == id),
            );
            let parent = w
                .get_as(&format!("/api/v1/statuses/{parent}"), v)
                .await
                .json();
            let count = parent["replies_count"].as_i64().unwrap();
            assert!(count <= 1, "{parent}");
            m.check("parent's replies_count", replies_count, a, v, count == 1);
        }
    }
    for p in &w.posts {
        let (a, v) = (p.audience, Viewer::Mentioned);
        m.check("unread_count", mention, a, v, p.unread_delta == 1);
        assert!(
            (0..=1).contains(&p.count_delta),
            "statuses_count rose by {}",
            p.count_delta
        );
        m.check(
            "author's statuses_count",
            statuses_count,
            p.audience,
            Viewer::Anonymous,
            p.count_delta == 1,
        );
    }
    m.finish();

    // An edit that sends a published reply back to review takes it out of
    // the counts until a reviewer approves it again.
    let p = w
        .posts
        .iter()
        .find(|p| p.audience == Audience::Public)
        .unwrap();
    let reply = p.reply["id"].as_str().unwrap();
    let parent = p.parent["id"].as_str().unwrap();
    let (replies, statuses) = counts(&w, parent).await;
    assert_eq!(replies, 1);
    let text = format!("@mentioned replypublic {}", super::world::HOLD_WORD);
    let edited = w
        .app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/statuses/{reply}"),
            w.token(Viewer::Author).unwrap(),
            &[("status", &text)],
        )
        .await;
    edited.assert_status(StatusCode::OK);
    assert_eq!(edited.json()["loggia_review"]["state"], "pending");
    assert_eq!(counts(&w, parent).await, (0, statuses - 1));
    w.app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{reply}/approve"),
            &w.boss,
            &[],
        )
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(counts(&w, parent).await, (1, statuses));
}

/// The parent's `replies_count` and the author's `statuses_count`, as a
/// colleague sees them.
async fn counts(w: &World, parent: &str) -> (i64, i64) {
    let parent = w
        .get_as(&format!("/api/v1/statuses/{parent}"), Viewer::Colleague)
        .await
        .json();
    let account = w
        .get_as(
            &format!("/api/v1/accounts/{}", w.author_id),
            Viewer::Colleague,
        )
        .await
        .json();
    (
        parent["replies_count"].as_i64().unwrap(),
        account["statuses_count"].as_i64().unwrap(),
    )
}
