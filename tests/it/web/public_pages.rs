//! The server-rendered public pages (`/@alice`, `/@alice/ID`, `/tags/x`):
//! link-preview tags and their escaping, who sees what, paging, content
//! warnings without JavaScript, and federation requests on the same URLs.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loggia::store::Limit;
use serde_json::{Value, json};

use crate::common::{TestApp, TestResponse, multipart_request};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// The raw (escaped) `content` of a meta tag named by `property` or `name`.
fn meta(html: &str, key: &str) -> Option<String> {
    ["property", "name"].iter().find_map(|attribute| {
        let marker = format!("<meta {attribute}=\"{key}\" content=\"");
        let start = html.find(&marker)? + marker.len();
        let end = html[start..].find('"')? + start;
        Some(html[start..end].to_owned())
    })
}

/// An anonymous visitor's page, asserting it is one.
async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    response.assert_status(StatusCode::OK);
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let csp = response.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    response.text()
}

/// `/@user/ID` of a status entity.
fn path_of(status: &Value) -> String {
    status["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://loggia.test")
        .to_owned()
}

fn jpeg() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([x as u8 * 4, y as u8 * 4, 120])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn get_accepting(app: &TestApp, path: &str, accept: &str) -> TestResponse {
    app.send(
        Request::get(path)
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn profiles_carry_link_preview_tags_with_user_input_escaped() {
    let app = TestApp::with_config(|c| c.instance_title = "Acme & Co".into()).await;
    let (_, alice) = app.user_with_token("alice").await;
    app.send_with_token(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &alice,
        &[
            ("display_name", "\"><script>alert(1)</script>"),
            ("note", "Platform team. I write about <b>Rust</b>"),
            ("fields_attributes[0][name]", "Team"),
            (
                "fields_attributes[0][value]",
                "<img src=x onerror=alert(1)>",
            ),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_status(&alice, &[("status", "Hello from the platform team")])
        .await;

    let html = page(&app, "/@alice").await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert_eq!(
        meta(&html, "og:title").as_deref(),
        Some("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; (@alice@loggia.test)")
    );
    assert_eq!(
        meta(&html, "og:site_name").as_deref(),
        Some("Acme &amp; Co")
    );
    assert_eq!(meta(&html, "og:type").as_deref(), Some("profile"));
    assert_eq!(
        meta(&html, "og:url").as_deref(),
        Some("http://loggia.test/@alice")
    );
    assert_eq!(
        meta(&html, "og:description").as_deref(),
        Some("Platform team. I write about &lt;b&gt;Rust&lt;/b&gt;")
    );
    assert_eq!(
        meta(&html, "og:image").as_deref(),
        Some("http://loggia.test/avatars/original/missing.png")
    );
    assert!(
        meta(&html, "og:image:alt")
            .unwrap()
            .starts_with("Avatar of &quot;&gt;")
    );
    assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary"));
    // Accounts are not indexable until their owner says so.
    assert_eq!(meta(&html, "robots").as_deref(), Some("noindex, noarchive"));
    assert!(html.contains("<link rel=\"canonical\" href=\"http://loggia.test/@alice\">"));
    assert!(html.contains(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"http://loggia.test/users/alice\">"
    ));
    assert!(html.contains("href=\"/web/@alice\""), "{html}");
    assert!(html.contains("Hello from the platform team"));
    assert!(html.contains("<dt>Team</dt><dd>&lt;img src=x"), "{html}");
    assert!(
        html.contains("alt=\"Avatar of &quot;&gt;&lt;script&gt;"),
        "{html}"
    );
    assert!(html.contains("<strong>1</strong> posts"), "{html}");
}

#[tokio::test]
async fn a_post_page_previews_its_picture_or_its_content_warning() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let media = app
        .send(multipart_request(
            Method::POST,
            "/api/v2/media",
            &alice,
            &[("description", "The \"new\" office")],
            Some(("file", "office.jpg", "image/jpeg", &jpeg())),
        ))
        .await;
    let media = media.assert_status(StatusCode::OK).json();
    let media_id = media["id"].as_str().unwrap();
    let pictured = app
        .post_status(
            &alice,
            &[("status", "We moved!"), ("media_ids[]", media_id)],
        )
        .await;
    let html = page(&app, &path_of(&pictured)).await;
    let url = media["url"].as_str().unwrap();
    assert_eq!(meta(&html, "og:image").as_deref(), Some(url));
    assert_eq!(
        meta(&html, "og:image:alt").as_deref(),
        Some("The &quot;new&quot; office")
    );
    assert_eq!(
        meta(&html, "twitter:card").as_deref(),
        Some("summary_large_image")
    );
    assert_eq!(meta(&html, "og:type").as_deref(), Some("article"));
    assert_eq!(meta(&html, "og:description").as_deref(), Some("We moved!"));
    assert_eq!(meta(&html, "og:url").as_deref(), pictured["url"].as_str());
    let published = meta(&html, "article:published_time").unwrap();
    assert!(published.starts_with("20"), "{published}");
    assert!(
        html.contains(&format!("<time datetime=\"{published}\">")),
        "{html}"
    );
    assert!(
        html.contains("alt=\"The &quot;new&quot; office\""),
        "{html}"
    );
    let id = pictured["id"].as_str().unwrap();
    assert!(
        html.contains(&format!("href=\"/web/statuses/{id}\"")),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}\">",
        pictured["uri"].as_str().unwrap()
    )));

    // A content warning replaces the text in previews, and hides it
    // behind <details> on the page: no JavaScript needed.
    let warned = app
        .post_status(
            &alice,
            &[
                ("status", "The butler did it"),
                ("spoiler_text", "Film spoilers"),
                ("media_ids[]", &media_id_of(&app, &alice).await),
            ],
        )
        .await;
    let html = page(&app, &path_of(&warned)).await;
    assert_eq!(
        meta(&html, "og:description").as_deref(),
        Some("Film spoilers")
    );
    assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary"));
    assert!(
        html.contains("<details class=\"cw\"><summary><strong>Film spoilers</strong>"),
        "{html}"
    );
    let hidden = html.find("<details class=\"cw\">").unwrap();
    assert!(html.find("The butler did it").unwrap() > hidden);
}

async fn media_id_of(app: &TestApp, token: &str) -> String {
    let media = app
        .send(multipart_request(
            Method::POST,
            "/api/v2/media",
            token,
            &[("description", "Another picture")],
            Some(("file", "b.jpg", "image/jpeg", &jpeg())),
        ))
        .await;
    media.assert_status(StatusCode::OK).json()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn visitors_see_public_posts_only() {
    let app = TestApp::new().await;
    app.create_user("boss", "admin").await;
    let boss = app.token("boss", ADMIN_SCOPES).await;
    app.send_json(
        Method::POST,
        "/api/v1/loggia/admin/rules",
        &boss,
        &json!({"name": "Falcon", "direction": "outbound", "match": "keyword",
                "patterns": ["Falcon"], "action": "hold", "text": "Confidential"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;

    let post = |pairs: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let alice = alice.clone();
        async move { app.post_status(&alice, &pairs).await }
    };
    let public = post(vec![("status", "#matrix pub-visible")]).await;
    let unlisted = post(vec![
        ("status", "#matrix unlisted-visible"),
        ("visibility", "unlisted"),
    ])
    .await;
    let hidden = [
        post(vec![
            ("status", "#matrix company-secret"),
            ("local_only", "true"),
        ])
        .await,
        post(vec![
            ("status", "#matrix followers-secret"),
            ("visibility", "private"),
        ])
        .await,
        post(vec![
            ("status", "@bob #matrix direct-secret"),
            ("visibility", "direct"),
        ])
        .await,
        post(vec![("status", "#matrix Falcon held-secret")]).await,
        post(vec![("status", "#matrix Falcon rejected-secret")]).await,
    ];
    assert_eq!(hidden[3]["loggia_review"]["state"], "pending");
    let rejected = hidden[4]["id"].as_str().unwrap();
    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{rejected}/reject"),
        &boss,
        &[("reason", "Not yet")],
    )
    .await
    .assert_status(StatusCode::OK);
    // A boost is not bob's post.
    let boost = app
        .post_with_token(
            &format!("/api/v1/statuses/{}/reblog", public["id"].as_str().unwrap()),
            &bob,
            &[],
        )
        .await
        .assert_status(StatusCode::OK)
        .json();

    page(&app, &path_of(&public)).await;
    assert!(
        page(&app, &path_of(&unlisted))
            .await
            .contains("unlisted-visible")
    );
    for status in &hidden {
        let response = app.get(&path_of(status)).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{status}");
    }
    let boost_id = boost["id"].as_str().unwrap();
    app.get(&format!("/@bob/{boost_id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // A post is found under its author only.
    let public_id = public["id"].as_str().unwrap();
    app.get(&format!("/@bob/{public_id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let profile = page(&app, "/@alice").await;
    let tag = page(&app, "/tags/matrix").await;
    let tagged = page(&app, "/@alice/tagged/matrix").await;
    for html in [&profile, &tag, &tagged] {
        assert!(html.contains("pub-visible"), "{html}");
        assert!(!html.contains("unlisted-visible"), "{html}");
        assert!(!html.contains("-secret"), "{html}");
    }
    assert!(!page(&app, "/@bob").await.contains("pub-visible"));
    assert!(profile.contains("<strong>2</strong> posts"), "{profile}");
    // Tags are found in any case; unknown ones are not pages.
    assert!(page(&app, "/tags/MATRIX").await.contains("pub-visible"));
    app.get("/tags/neverused")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get("/@nobody")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn suspended_and_limited_accounts_have_no_pages() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (bob_user, bob) = app.user_with_token("bob").await;
    let post = app
        .post_status(&alice, &[("status", "#news from alice")])
        .await;
    let reply = app
        .post_status(
            &bob,
            &[
                ("status", "@alice bob-answers"),
                ("in_reply_to_id", post["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert!(page(&app, &path_of(&post)).await.contains("bob-answers"));
    assert!(page(&app, &path_of(&reply)).await.contains("In reply to"));

    let accounts = || app.state.store.accounts();
    accounts()
        .set_limit(bob_user.account.id, Limit::Silenced, true)
        .await
        .unwrap();
    app.get("/@bob").await.assert_status(StatusCode::NOT_FOUND);
    app.get(&path_of(&reply))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert!(!page(&app, &path_of(&post)).await.contains("bob-answers"));

    accounts()
        .set_suspended(alice_user.account.id, true)
        .await
        .unwrap();
    for path in ["/@alice".to_owned(), path_of(&post)] {
        let response = app.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(!page(&app, "/tags/news").await.contains("from alice"));
}

#[tokio::test]
async fn post_pages_show_public_replies_and_counts() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let post = app.post_status(&alice, &[("status", "Lunch?")]).await;
    let id = post["id"].as_str().unwrap();
    for (text, extra) in [
        ("reply-public", None),
        ("reply-unlisted", Some(("visibility", "unlisted"))),
        ("reply-private", Some(("visibility", "private"))),
        ("reply-company", Some(("local_only", "true"))),
    ] {
        let mut pairs = vec![("status", text), ("in_reply_to_id", id)];
        pairs.extend(extra);
        app.post_status(&bob, &pairs).await;
    }
    app.post_with_token(&format!("/api/v1/statuses/{id}/favourite"), &bob, &[])
        .await
        .assert_status(StatusCode::OK);
    let html = page(&app, &path_of(&post)).await;
    assert!(html.contains("reply-public") && html.contains("reply-unlisted"));
    assert!(!html.contains("reply-private") && !html.contains("reply-company"));
    assert!(html.contains("1 favourite"), "{html}");
    assert!(html.contains("0 boosts"), "{html}");
}

#[tokio::test]
async fn older_posts_are_a_link_away() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    for n in 0..23 {
        app.post_status(&alice, &[("status", &format!("entry-{n:02}"))])
            .await;
    }
    let first = page(&app, "/@alice").await;
    assert!(first.contains("entry-22") && first.contains("entry-03"));
    assert!(!first.contains("entry-02") && !first.contains("Newest posts"));
    let marker = "href=\"/@alice?max_id=";
    let start = first.find(marker).expect("an Older posts link") + "href=\"".len();
    let end = first[start..].find('"').unwrap() + start;
    let older_path = &first[start..end];
    assert!(first[end..].starts_with("\" rel=\"next\">Older posts"));

    let second = page(&app, older_path).await;
    assert!(second.contains("entry-02") && second.contains("entry-00"));
    assert!(!second.contains("entry-03"), "{second}");
    assert!(second.contains("Newest posts") && !second.contains("Older posts"));
    assert_eq!(
        meta(&second, "og:url"),
        Some(format!("http://loggia.test{older_path}"))
    );
}

#[tokio::test]
async fn federation_requests_get_the_activitystreams_documents() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let post = app.post_status(&alice, &[("status", "Hello")]).await;
    for accept in [
        "application/activity+json",
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    ] {
        let response = get_accepting(&app, "/@alice", accept).await;
        response.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(
            response.header("location").as_deref(),
            Some("http://loggia.test/users/alice")
        );
        let response = get_accepting(&app, &path_of(&post), accept).await;
        response.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(response.header("location").as_deref(), post["uri"].as_str());
        assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    }
    let html = get_accepting(&app, "/@alice", "text/html").await;
    html.assert_status(StatusCode::OK);
    assert_eq!(html.header("vary").as_deref(), Some("Accept"));
    assert!(html.header("link").unwrap().contains("/users/alice"));
}

#[tokio::test]
async fn hashtag_pages_list_posts_written_here_only() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    app.post_status(&alice, &[("status", "#launch from-here")])
        .await;
    let store = &app.state.store;
    let remote = store
        .accounts()
        .insert(&loggia::store::NewAccount {
            username: "zed".into(),
            domain: Some("elsewhere.example".into()),
            actor_type: "Person".into(),
            uri: "https://elsewhere.example/users/zed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let remote_post = crate::common::insert_remote_post(
        store,
        remote.id,
        "https://elsewhere.example/notes/1",
        "#launch from-elsewhere",
    )
    .await;
    store
        .statuses()
        .add_tags(remote_post.id, &["launch".to_owned()])
        .await
        .unwrap();
    // The API's tag timeline has both; the company's page only its own.
    let api = app.get("/api/v1/timelines/tag/launch").await.text();
    assert!(api.contains("from-elsewhere") && api.contains("from-here"));
    let html = page(&app, "/tags/launch").await;
    assert!(html.contains("from-here") && !html.contains("from-elsewhere"));
    assert_eq!(meta(&html, "og:type").as_deref(), Some("website"));
    assert!(html.contains("href=\"/web/tags/launch\""), "{html}");
    assert!(html.contains("<link rel=\"canonical\" href=\"http://loggia.test/tags/launch\">"));
}
