//! Authors with more local followers than `home_fan_out_max_followers`:
//! their posts are read into home timelines at read time instead of being
//! written into every follower's feed, and the timeline reads the same as
//! it would have with every post written.

use sqlx::Connection;

use super::pagination::ids;
use crate::common::TestApp;

/// Followers an author may have before its posts are read at read time.
const LIMIT: u32 = 2;

async fn app() -> TestApp {
    TestApp::with_config(|c| c.home_fan_out_max_followers = LIMIT).await
}

async fn follow(app: &TestApp, token: &str, account: &str, reblogs: bool) {
    app.post_json_with_token(
        &format!("/api/v1/accounts/{account}/follow"),
        token,
        &serde_json::json!({ "reblogs": reblogs }),
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
}

async fn post(app: &TestApp, token: &str, text: &str, visibility: &str) -> String {
    post_form(app, token, &[("status", text), ("visibility", visibility)]).await
}

/// Posts `form`; the new status's id.
async fn post_form(app: &TestApp, token: &str, form: &[(&str, &str)]) -> String {
    app.post_status(token, form).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The ceo (id, token) and three readers who follow nobody yet (tokens).
async fn ceo_and_readers(app: &TestApp) -> (String, String, [String; 3]) {
    let (ceo, ceo_token) = app.user_with_token("ceo").await;
    let mut readers = Vec::new();
    for name in ["ann", "bob", "cat"] {
        readers.push(app.user_with_token(name).await.1);
    }
    let readers = readers.try_into().unwrap();
    (ceo.account.id.0.to_string(), ceo_token, readers)
}

async fn home(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    ids(&app
        .get_with_token(&format!("/api/v1/timelines/home?{query}"), token)
        .await
        .json())
}

/// How many home feeds hold `status` as a written row.
async fn feed_rows(app: &TestApp, status: &str) -> i64 {
    let url = app.state.config.database_url.as_str();
    let id: i64 = status.parse().unwrap();
    let sql = "SELECT COUNT(*) FROM home_feed WHERE status_id = $1";
    if url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&mut db)
            .await
            .unwrap()
    } else {
        let mut db = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_wide_audience_reads_posts_at_read_time_with_the_feeds_rules() {
    let app = app().await;
    let (ceo_id, ceo_token, [ann, bob, cat]) = ceo_and_readers(&app).await;
    let (_, outsider) = app.user_with_token("outsider").await;

    // Two followers: still written into each feed.
    follow(&app, &ann, &ceo_id, true).await;
    follow(&app, &bob, &ceo_id, false).await;
    let written = post(&app, &ceo_token, "two followers", "public").await;
    assert_eq!(feed_rows(&app, &written).await, 3, "ann, bob and the ceo");

    // A third: from now on only the author's own feed is written.
    follow(&app, &cat, &ceo_id, true).await;
    let public = post(&app, &ceo_token, "all hands at ten", "public").await;
    assert_eq!(feed_rows(&app, &public).await, 1, "only the ceo's own");
    let private = post(&app, &ceo_token, "followers only", "private").await;
    let direct = post(&app, &ceo_token, "@ann just you", "direct").await;
    let original = post(&app, &ann, "ann's launch notes", "public").await;
    let boost = app
        .post_with_token(
            &format!("/api/v1/statuses/{original}/reblog"),
            &ceo_token,
            &[],
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Ann follows with boosts shown; she was mentioned in the direct post
    // (which reaches a mentioned follower's feed as a written row).
    let ann_home = home(&app, &ann, "").await;
    for id in [&public, &private, &direct, &boost, &written] {
        assert!(ann_home.contains(id), "ann sees {id}: {ann_home:?}");
    }
    // Bob hides the ceo's boosts and was not mentioned.
    let bob_home = home(&app, &bob, "").await;
    assert_eq!(
        bob_home,
        vec![private.clone(), public.clone(), written.clone()]
    );
    // Cat followed after the first post (merged on follow) and sees the
    // boost; no duplicates where a post is both written and read.
    let cat_home = home(&app, &cat, "").await;
    assert_eq!(
        cat_home,
        vec![
            boost.clone(),
            private.clone(),
            public.clone(),
            written.clone()
        ]
    );
    // Someone who does not follow sees none of it; the ceo sees all own.
    assert!(home(&app, &outsider, "").await.is_empty());
    assert_eq!(
        home(&app, &ceo_token, "").await,
        vec![
            boost.clone(),
            direct.clone(),
            private.clone(),
            public.clone(),
            written.clone()
        ]
    );

    // Muting the author hides the read posts as it hides written ones.
    app.post_with_token(&format!("/api/v1/accounts/{ceo_id}/mute"), &cat, &[])
        .await
        .assert_status(axum::http::StatusCode::OK);
    assert!(home(&app, &cat, "").await.is_empty());

    // Unfollowing takes them out; the mark stays although only ann is left,
    // so nothing the ceo posted while marked drops out of her timeline.
    app.post_with_token(&format!("/api/v1/accounts/{ceo_id}/unfollow"), &bob, &[])
        .await
        .assert_status(axum::http::StatusCode::OK);
    assert!(home(&app, &bob, "").await.is_empty());
    app.post_with_token(&format!("/api/v1/accounts/{ceo_id}/unfollow"), &cat, &[])
        .await
        .assert_status(axum::http::StatusCode::OK);
    let later = post(&app, &ceo_token, "after the unfollows", "public").await;
    assert_eq!(feed_rows(&app, &later).await, 1);
    let ann_home = home(&app, &ann, "").await;
    assert!(ann_home.contains(&later) && ann_home.contains(&public));
}

/// The author's side of the rules (exclusive lists, suspension, posts for
/// the company only) applies to posts read at read time as to written ones.
#[tokio::test]
async fn a_wide_audience_is_hidden_by_exclusive_lists_and_suspension() {
    let app = app().await;
    let (ceo_id, ceo_token, [ann, bob, cat]) = ceo_and_readers(&app).await;
    for token in [&ann, &bob, &cat] {
        follow(&app, token, &ceo_id, true).await;
    }
    let inside = post_form(
        &app,
        &ceo_token,
        &[
            ("status", "numbers for the company"),
            ("local_only", "true"),
        ],
    )
    .await;
    let public = post(&app, &ceo_token, "numbers for everyone", "public").await;
    assert_eq!(feed_rows(&app, &inside).await, 1, "read at read time");
    let both = vec![public.clone(), inside.clone()];
    for token in [&ann, &bob, &cat] {
        assert_eq!(home(&app, token, "").await, both);
    }

    // Bob reads the ceo in an exclusive list only.
    let list = app
        .post_with_token(
            "/api/v1/lists",
            &bob,
            &[("title", "Leadership"), ("exclusive", "true")],
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_with_token(
        &format!("/api/v1/lists/{list}/accounts"),
        &bob,
        &[("account_ids[]", &ceo_id)],
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    assert!(home(&app, &bob, "").await.is_empty());
    assert_eq!(home(&app, &ann, "").await, both);

    // A suspended author is gone from every home timeline.
    app.create_user("root", "admin").await;
    let admin = app.token("root", "admin:write").await;
    app.post_with_token(
        &format!("/api/v1/admin/accounts/{ceo_id}/action"),
        &admin,
        &[("type", "suspend")],
    )
    .await
    .assert_status(axum::http::StatusCode::OK);
    for token in [&ann, &cat] {
        assert!(home(&app, token, "").await.is_empty());
    }
}

#[tokio::test]
async fn pages_interleave_read_and_written_posts_in_order() {
    let app = app().await;
    let (ceo, ceo_token) = app.user_with_token("ceo").await;
    let ceo_id = ceo.account.id.0.to_string();
    let (dev, dev_token) = app.user_with_token("dev").await;
    let (_, reader) = app.user_with_token("reader").await;
    for name in ["f1", "f2"] {
        let (_, token) = app.user_with_token(name).await;
        follow(&app, &token, &ceo_id, true).await;
    }
    follow(&app, &reader, &ceo_id, true).await;
    follow(&app, &reader, &dev.account.id.0.to_string(), true).await;

    // Uneven runs from each source, so that pages end inside either.
    let mut posted = Vec::new();
    for (i, from_ceo) in [
        true, false, false, true, true, true, false, true, false, false, true,
    ]
    .into_iter()
    .enumerate()
    {
        let token = if from_ceo { &ceo_token } else { &dev_token };
        posted.push(post(&app, token, &format!("post {i}"), "public").await);
    }
    posted.reverse(); // newest first
    assert_eq!(home(&app, &reader, "limit=40").await, posted);

    // Walk down with max_id, three at a time.
    let mut walked = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let page = home(&app, &reader, &query).await;
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        query = format!("limit=3&max_id={}", page.last().unwrap());
        walked.extend(page);
    }
    assert_eq!(walked, posted);

    // Walk up with min_id: each page is the posts right above, newest first.
    let mut climbed = Vec::new();
    let mut query = format!("limit=3&min_id={}", posted.last().unwrap());
    loop {
        let page = home(&app, &reader, &query).await;
        if page.is_empty() {
            break;
        }
        query = format!("limit=3&min_id={}", page.first().unwrap());
        climbed.splice(0..0, page);
    }
    assert_eq!(climbed, posted[..posted.len() - 1]);

    // since_id: the newest above it.
    assert_eq!(
        home(&app, &reader, &format!("limit=4&since_id={}", posted[6])).await,
        posted[..4]
    );
    assert_eq!(
        home(&app, &reader, &format!("limit=40&since_id={}", posted[6])).await,
        posted[..6]
    );
}

#[tokio::test]
async fn the_user_stream_carries_posts_read_at_read_time() {
    use crate::api::streaming::{connect, listen, next};
    let app = app().await;
    let addr = listen(&app).await;
    let (ceo, ceo_token) = app.user_with_token("ceo").await;
    let ceo_id = ceo.account.id.0.to_string();
    let (_, ann) = app.user_with_token("ann").await;
    let (_, bob) = app.user_with_token("bob").await;
    for name in ["f1", "f2"] {
        let (_, token) = app.user_with_token(name).await;
        follow(&app, &token, &ceo_id, true).await;
    }
    follow(&app, &ann, &ceo_id, true).await;
    let mut ann_socket = connect(&addr, &ann, "stream=user").await;
    let mut bob_socket = connect(&addr, &bob, "stream=user").await;

    let first = post(&app, &ceo_token, "to a wide audience", "public").await;
    assert_eq!(feed_rows(&app, &first).await, 1, "read at read time");
    let update = next(&mut ann_socket).await;
    assert_eq!(update["event"], "update");
    assert_eq!(update["payload"]["id"], first.as_str());

    // Bob does not follow: his stream gets only his own post.
    let own = post(&app, &bob, "bob's own", "public").await;
    let update = next(&mut bob_socket).await;
    assert_eq!(update["payload"]["id"], own.as_str());
}
