//! /api/v2/search over accounts, hashtags and statuses, with visibility;
//! hashtag follows and tag timelines.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn search_finds_accounts_hashtags_and_visible_statuses() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    app.user_with_token("alicia").await;
    app.post_status(
        &alice,
        &[("status", "Quarterly launch of Café Nebula #LaunchDay")],
    )
    .await;
    let private = app
        .post_status(
            &alice,
            &[("status", "secret nebula plans"), ("visibility", "private")],
        )
        .await;
    app.post_status(&bob, &[("status", "unrelated words")])
        .await;

    let results = app
        .get_with_token("/api/v2/search?q=ali", &bob)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Search", &results);
    let names: Vec<&str> = results["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"alice") && names.contains(&"alicia"),
        "{names:?}"
    );
    let exact = app
        .get_with_token("/api/v2/search?q=@alice@loggia.test&type=accounts", &bob)
        .await
        .json();
    assert_eq!(
        exact["accounts"][0]["id"],
        alice_user.account.id.to_string()
    );

    let tags = app
        .get_with_token("/api/v2/search?q=%23launch&type=hashtags", &bob)
        .await
        .json();
    assert_eq!(tags["hashtags"][0]["name"], "launchday");
    assert_eq!(tags["accounts"], json!([]));

    // Every word must match; accents and case do not matter.
    let statuses = app
        .get_with_token("/api/v2/search?q=cafe%20NEBULA&type=statuses", &bob)
        .await
        .json();
    assert_eq!(statuses["statuses"].as_array().unwrap().len(), 1);
    // Bob does not follow Alice: her followers-only post stays hidden.
    let nebula = app
        .get_with_token("/api/v2/search?q=nebula&type=statuses", &bob)
        .await
        .json();
    assert!(
        nebula["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != private["id"])
    );
    let own = app
        .get_with_token("/api/v2/search?q=nebula&type=statuses", &alice)
        .await
        .json();
    assert_eq!(own["statuses"].as_array().unwrap().len(), 2);
    let by_bob = app
        .get_with_token(
            &format!("/api/v2/search?q=nebula&type=statuses&account_id={}", 1),
            &alice,
        )
        .await
        .json();
    assert_eq!(by_bob["statuses"], json!([]));
    // Operators in the query are plain words, not syntax.
    let odd = app
        .get_with_token(
            "/api/v2/search?q=%22nebula%20OR%20x%22%20AND&type=statuses",
            &alice,
        )
        .await;
    odd.assert_status(StatusCode::OK);
    // Anonymous visitors may look up people, not posts.
    let anonymous = app.get("/api/v2/search?q=nebula").await.json();
    assert_eq!(anonymous["statuses"], json!([]));
    app.get_with_token("/api/v2/search?q=", &bob)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    app.get_with_token("/api/v2/search?q=x&type=people", &bob)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_follows_edits_and_deletions() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let status = app
        .post_status(&alice, &[("status", "draft about zeppelins")])
        .await;
    let id = status["id"].as_str().unwrap();
    let found = |q: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            app.get_with_token(&format!("/api/v2/search?q={q}&type=statuses"), &alice)
                .await
                .json()["statuses"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(found("zeppelins").await, 1);
    app.send_with_token(
        axum::http::Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        &alice,
        &[("status", "final about airships")],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(found("zeppelins").await, 0);
    assert_eq!(found("airships").await, 1);
    app.send_with_token(
        axum::http::Method::DELETE,
        &format!("/api/v1/statuses/{id}"),
        &alice,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(found("airships").await, 0);
}

#[tokio::test]
async fn followed_hashtags_fill_the_home_timeline() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let tag = app
        .post_with_token("/api/v1/tags/Releases/follow", &bob, &[])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Tag", &tag);
    assert_eq!(tag["following"], true);
    let post = app
        .post_status(&alice, &[("status", "v2 is out #releases")])
        .await;
    app.post_status(
        &alice,
        &[("status", "quiet #releases"), ("visibility", "unlisted")],
    )
    .await;
    let home = app
        .get_with_token("/api/v1/timelines/home", &bob)
        .await
        .json();
    let ids: Vec<&str> = home
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [post["id"].as_str().unwrap()],
        "only public posts come through followed tags"
    );
    assert_eq!(
        app.get_with_token("/api/v1/tags/releases", &bob)
            .await
            .json()["following"],
        true
    );
    assert_eq!(
        app.get_with_token("/api/v1/followed_tags", &bob)
            .await
            .json()[0]["name"],
        "releases"
    );
    app.post_with_token("/api/v1/tags/releases/unfollow", &bob, &[])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/followed_tags", &bob)
            .await
            .json(),
        json!([])
    );
    app.post_with_token("/api/v1/tags/not%20a%20tag/follow", &bob, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_opens_links_to_local_posts_and_profiles_and_pages_with_min_id() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let public = app
        .post_status(&alice, &[("status", "linkable words")])
        .await;
    let private = app
        .post_status(
            &alice,
            &[("status", "hidden words"), ("visibility", "private")],
        )
        .await;
    let q = |url: &str| {
        format!(
            "/api/v2/search?resolve=true&q={}",
            url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
        )
    };
    let found = app
        .get_with_token(&q(public["url"].as_str().unwrap()), &bob)
        .await
        .json();
    assert_eq!(found["statuses"][0]["id"], public["id"]);
    let found = app
        .get_with_token(&q(public["uri"].as_str().unwrap()), &bob)
        .await
        .json();
    assert_eq!(found["statuses"][0]["id"], public["id"]);
    let hidden = app
        .get_with_token(&q(private["url"].as_str().unwrap()), &bob)
        .await
        .json();
    assert_eq!(
        hidden["statuses"],
        json!([]),
        "a link does not reveal what one may not see"
    );
    let profile = app
        .get_with_token(&q("http://loggia.test/@alice"), &bob)
        .await
        .json();
    assert_eq!(profile["accounts"][0]["username"], "alice");

    let newer = app
        .post_status(&alice, &[("status", "more linkable words")])
        .await;
    let after = app
        .get_with_token(
            &format!(
                "/api/v2/search?type=statuses&q=linkable&min_id={}",
                public["id"].as_str().unwrap()
            ),
            &alice,
        )
        .await
        .json();
    let ids: Vec<&str> = after["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [newer["id"].as_str().unwrap()]);
}

#[tokio::test]
async fn one_word_with_hash_or_at_finds_tags_and_people_not_posts() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    app.post_status(&alice, &[("status", "#Rustlang release news")])
        .await;
    app.post_status(
        &alice,
        &[("status", "rustlang questions to alice@loggia.test")],
    )
    .await;
    let search = |q: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            let found = app
                .get_with_token(&format!("/api/v2/search?q={q}"), &alice)
                .await
                .assert_status(StatusCode::OK)
                .json();
            assert_entity("Search", &found);
            found
        }
    };
    let count = |found: &serde_json::Value, kind: &str| found[kind].as_array().unwrap().len();

    // As in Mastodon: `#word` is a hashtag search, `x@y` an account search.
    let tag = search("%23rustlang").await;
    assert_eq!(tag["hashtags"][0]["name"], "rustlang");
    assert_eq!(tag["statuses"], json!([]));
    assert_eq!(
        search("%23rustlang&type=statuses").await["statuses"],
        json!([])
    );
    let handle = search("alice%40loggia.test").await;
    assert_eq!(handle["accounts"][0]["username"], "alice");
    assert_eq!(handle["statuses"], json!([]));
    // The same words without the sign, or among other words, are text.
    assert_eq!(count(&search("rustlang").await, "statuses"), 2);
    assert_eq!(count(&search("%23rustlang%20news").await, "statuses"), 1);
}

#[tokio::test]
async fn tag_timelines_take_any_all_and_none() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let post = |token: &str, text: &'static str, extra: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let token = token.to_owned();
        async move {
            let mut form = vec![("status", text)];
            form.extend_from_slice(extra);
            app.post_status(&token, &form).await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let foo = post(&alice, "just #foo", &[]).await;
    let bar = post(&bob, "just #Bar", &[]).await;
    let both = post(&alice, "#FOO and #bar", &[]).await;
    let baz = post(&bob, "just #baz", &[]).await;
    let foo_baz = post(&alice, "#foo with #baz", &[]).await;
    // Tag timelines show public posts only; company-only ones to colleagues.
    post(&alice, "#foo #bar unlisted", &[("visibility", "unlisted")]).await;
    let company = post(&alice, "#foo #bar inside", &[("local_only", "true")]).await;

    let ids = |path: String, token: Option<String>| {
        let app = &app;
        async move {
            app.get_as(&path, token.as_deref())
                .await
                .assert_status(StatusCode::OK)
                .json()
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let anon = |q: &str| ids(format!("/api/v1/timelines/tag/{q}"), None);
    assert_eq!(
        anon("foo").await,
        [foo_baz.as_str(), both.as_str(), foo.as_str()]
    );
    assert_eq!(
        anon("foo?any[]=bar").await,
        [foo_baz.as_str(), both.as_str(), bar.as_str(), foo.as_str()]
    );
    assert_eq!(anon("Foo?all[]=BAR").await, [both.as_str()]);
    assert_eq!(
        anon("foo?none[]=bar").await,
        [foo_baz.as_str(), foo.as_str()]
    );
    assert_eq!(
        anon("foo?any[]=baz&none[]=bar").await,
        [foo_baz.as_str(), baz.as_str(), foo.as_str()]
    );
    assert_eq!(anon("foo?all[]=bar&all[]=baz").await, Vec::<String>::new());
    assert_eq!(anon("foo?any[]=%23bar&all[]=baz").await, [foo_baz.as_str()]);
    assert_eq!(anon("foo?all[]=nosuchtag").await, Vec::<String>::new());
    assert_eq!(
        ids(
            "/api/v1/timelines/tag/foo?all[]=bar".into(),
            Some(bob.clone())
        )
        .await,
        [company.as_str(), both.as_str()]
    );
    assert_eq!(
        ids(
            "/api/v1/timelines/tag/foo?all[]=bar&local=true".into(),
            Some(bob.clone())
        )
        .await,
        [company.as_str(), both.as_str()]
    );

    // Pages keep the tags of the query.
    let first = app.get("/api/v1/timelines/tag/foo?any[]=bar&limit=2").await;
    let page: Vec<String> = first
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(page, [foo_baz.as_str(), both.as_str()]);
    let link = first.header("link").expect("a Link header");
    let next = &link[1..link.find('>').unwrap()];
    let next = next.strip_prefix("http://loggia.test").unwrap().to_owned();
    assert!(next.contains("any%5B%5D=bar"), "{next}");
    assert_eq!(ids(next, None).await, [bar.as_str(), foo.as_str()]);
}
