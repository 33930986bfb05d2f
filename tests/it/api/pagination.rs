//! Keyset pagination with `max_id`, `since_id`, `min_id`, `limit` and
//! `Link` headers, on a timeline and on an account list.

use axum::http::StatusCode;

use crate::common::TestApp;

/// The ids of a list of entities, in order.
pub(crate) fn ids(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

fn link(response: &crate::common::TestResponse, rel: &str) -> String {
    let header = response.header("link").expect("a Link header");
    let part = header
        .split(", ")
        .find(|p| p.ends_with(&format!("rel=\"{rel}\"")))
        .expect(rel);
    let url = &part[1..part.find('>').unwrap()];
    url.strip_prefix("http://loggia.test").unwrap().to_owned()
}

#[tokio::test]
async fn timelines_page_by_ids_with_link_headers() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let mut posted = Vec::new();
    for i in 0..7 {
        posted.push(
            app.post_status(&alice, &[("status", &format!("post {i}"))])
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    posted.reverse(); // newest first

    let first = app
        .get_with_token("/api/v1/timelines/home?limit=3", &alice)
        .await;
    assert_eq!(ids(&first.json()), posted[0..3]);
    let next = link(&first, "next");
    assert_eq!(
        next,
        format!("/api/v1/timelines/home?limit=3&max_id={}", posted[2])
    );
    let second = app.get_with_token(&next, &alice).await;
    assert_eq!(ids(&second.json()), posted[3..6]);
    let prev = link(&second, "prev");
    assert_eq!(
        prev,
        format!("/api/v1/timelines/home?limit=3&min_id={}", posted[3])
    );
    // min_id: the items right after it, still newest first.
    assert_eq!(
        ids(&app.get_with_token(&prev, &alice).await.json()),
        posted[0..3]
    );
    let after_oldest = app
        .get_with_token(
            &format!("/api/v1/timelines/home?min_id={}&limit=2", posted[6]),
            &alice,
        )
        .await
        .json();
    assert_eq!(ids(&after_oldest), posted[4..6]);
    // since_id: the newest items above it.
    let since = app
        .get_with_token(
            &format!("/api/v1/timelines/home?since_id={}&limit=2", posted[6]),
            &alice,
        )
        .await
        .json();
    assert_eq!(ids(&since), posted[0..2]);
    // The end: an empty page without a Link header.
    let last = app
        .get_with_token(
            &format!("/api/v1/timelines/home?max_id={}", posted[6]),
            &alice,
        )
        .await;
    assert_eq!(ids(&last.json()), Vec::<String>::new());
    assert!(last.header("link").is_none());
    // Limits are clamped, bad ids refused.
    assert_eq!(
        ids(&app
            .get_with_token("/api/v1/timelines/home?limit=0", &alice)
            .await
            .json())
        .len(),
        1
    );
    assert_eq!(
        ids(&app
            .get_with_token("/api/v1/timelines/home?limit=1000", &alice)
            .await
            .json())
        .len(),
        7
    );
    app.get_with_token("/api/v1/timelines/home?max_id=abc", &alice)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn account_lists_page_by_relationship_ids() {
    let app = TestApp::new().await;
    let (alice_user, _) = app.user_with_token("alice").await;
    for name in ["f1", "f2", "f3"] {
        let (_, token) = app.user_with_token(name).await;
        app.post_with_token(
            &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
            &token,
            &[],
        )
        .await;
    }
    let path = format!(
        "/api/v1/accounts/{}/followers?limit=2",
        alice_user.account.id
    );
    let first = app.get(&path).await;
    let body = first.json();
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["f3", "f2"]);
    let second = app.get(&link(&first, "next")).await.json();
    assert_eq!(second[0]["username"], "f1");
}

#[tokio::test]
async fn public_timelines_leave_out_replies_to_others() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let root = app.post_status(&alice, &[("status", "root")]).await;
    let root_id = root["id"].as_str().unwrap();
    let thread = app
        .post_status(&alice, &[("status", "1/2"), ("in_reply_to_id", root_id)])
        .await;
    let reply = app
        .post_status(&bob, &[("status", "reply"), ("in_reply_to_id", root_id)])
        .await;
    let local = app.get("/api/v1/timelines/public?local=true").await.json();
    let ids: Vec<&str> = local
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&thread["id"].as_str().unwrap()) && ids.contains(&root_id));
    assert!(!ids.contains(&reply["id"].as_str().unwrap()));
}
