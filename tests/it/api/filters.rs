//! Filters v2 and v1, applied to timelines with `filtered`.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn warn_filters_mark_and_hide_filters_drop() {
    let app = TestApp::new().await;
    let (_, me) = app.user_with_token("me").await;
    let spoiler = app
        .post_status(&me, &[("status", "Project Nebula ships friday")])
        .await;
    let other = app
        .post_status(&me, &[("status", "nebulas are pretty")])
        .await;
    let response = app
        .post_with_token(
            "/api/v2/filters",
            &me,
            &[
                ("title", "Spoilers"),
                ("context[]", "home"),
                ("context[]", "thread"),
                ("filter_action", "warn"),
                ("keywords_attributes[][keyword]", "nebula"),
                ("keywords_attributes[][whole_word]", "true"),
            ],
        )
        .await;
    let filter = response.assert_status(StatusCode::OK).json();
    assert_entity("Filter", &filter);
    assert_eq!(filter["keywords"][0]["keyword"], "nebula");
    let fid = filter["id"].as_str().unwrap().to_owned();

    let home = app
        .get_with_token("/api/v1/timelines/home", &me)
        .await
        .json();
    let by_id = |id: &serde_json::Value| {
        home.as_array()
            .unwrap()
            .iter()
            .find(|s| &s["id"] == id)
            .cloned()
            .unwrap()
    };
    let marked = by_id(&spoiler["id"]);
    assert_entity("Status", &marked);
    assert_eq!(marked["filtered"][0]["keyword_matches"], json!(["nebula"]));
    assert_eq!(marked["filtered"][0]["filter"]["title"], "Spoilers");
    assert_eq!(
        by_id(&other["id"])["filtered"],
        json!([]),
        "whole word: 'nebulas' does not match"
    );
    // Other contexts are not filtered.
    let public = app
        .get_with_token("/api/v1/timelines/public", &me)
        .await
        .json();
    assert!(
        public
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["filtered"] == json!([]))
    );

    app.send_with_token(
        Method::PUT,
        &format!("/api/v2/filters/{fid}"),
        &me,
        &[("filter_action", "hide")],
    )
    .await
    .assert_status(StatusCode::OK);
    let home = app
        .get_with_token("/api/v1/timelines/home", &me)
        .await
        .json();
    assert!(
        home.as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != spoiler["id"])
    );
    assert_eq!(home.as_array().unwrap().len(), 1);

    // A status filter, then removing keywords by id.
    let entry = app
        .post_with_token(
            &format!("/api/v2/filters/{fid}/statuses"),
            &me,
            &[("status_id", other["id"].as_str().unwrap())],
        )
        .await
        .json();
    assert_entity("FilterStatus", &entry);
    assert_eq!(
        app.get_with_token("/api/v1/timelines/home", &me)
            .await
            .json(),
        json!([])
    );
    let kid = filter["keywords"][0]["id"].as_str().unwrap();
    let updated = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v2/filters/{fid}"),
            &me,
            &[
                ("keywords_attributes[][id]", kid),
                ("keywords_attributes[][_destroy]", "true"),
            ],
        )
        .await
        .json();
    assert_eq!(updated["keywords"], json!([]));
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v2/filters/statuses/{}", entry["id"].as_str().unwrap()),
        &me,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v1/timelines/home", &me)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.send_with_token(Method::DELETE, &format!("/api/v2/filters/{fid}"), &me, &[])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v2/filters", &me).await.json(),
        json!([])
    );
}

#[tokio::test]
async fn v1_filters_are_single_keywords() {
    let app = TestApp::new().await;
    let (_, me) = app.user_with_token("me").await;
    app.post_status(&me, &[("status", "about the merger")])
        .await;
    let created = app
        .post_with_token(
            "/api/v1/filters",
            &me,
            &[
                ("phrase", "merger"),
                ("context[]", "home"),
                ("irreversible", "false"),
                ("whole_word", "true"),
            ],
        )
        .await;
    let v1 = created.assert_status(StatusCode::OK).json();
    assert_entity("V1Filter", &v1);
    let id = v1["id"].as_str().unwrap();
    assert_eq!(
        app.get_with_token("/api/v1/filters", &me).await.json()[0]["phrase"],
        "merger"
    );
    assert_eq!(
        app.get_with_token("/api/v2/filters", &me).await.json()[0]["title"],
        "merger"
    );
    let home = app
        .get_with_token("/api/v1/timelines/home", &me)
        .await
        .json();
    assert_eq!(home[0]["filtered"][0]["keyword_matches"], json!(["merger"]));
    let updated = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/filters/{id}"),
            &me,
            &[("irreversible", "true")],
        )
        .await
        .json();
    assert_eq!(updated["irreversible"], true);
    assert_eq!(
        app.get_with_token("/api/v1/timelines/home", &me)
            .await
            .json(),
        json!([])
    );
    app.send_with_token(Method::DELETE, &format!("/api/v1/filters/{id}"), &me, &[])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        app.get_with_token("/api/v2/filters", &me).await.json(),
        json!([])
    );
}

#[tokio::test]
async fn filters_are_private_validated_and_expire() {
    let app = TestApp::new().await;
    let (_, me) = app.user_with_token("me").await;
    let (_, other) = app.user_with_token("other").await;
    let f = app
        .post_with_token(
            "/api/v2/filters",
            &me,
            &[("title", "x"), ("context[]", "home")],
        )
        .await
        .json();
    let fid = f["id"].as_str().unwrap();
    app.get_with_token(&format!("/api/v2/filters/{fid}"), &other)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v2/filters/{fid}"),
        &other,
        &[],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    for form in [
        vec![("title", ""), ("context[]", "home")],
        vec![("title", "x")],
        vec![("title", "x"), ("context[]", "everywhere")],
        vec![
            ("title", "x"),
            ("context[]", "home"),
            ("filter_action", "delete"),
        ],
        vec![
            ("title", "x"),
            ("context[]", "home"),
            ("expires_in", "soon"),
        ],
    ] {
        app.post_with_token("/api/v2/filters", &me, &form)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    // An expired filter no longer applies.
    app.post_status(&me, &[("status", "stale words")]).await;
    app.post_with_token(
        "/api/v2/filters",
        &me,
        &[
            ("title", "gone"),
            ("context[]", "home"),
            ("filter_action", "hide"),
            ("expires_in", "1"),
            ("keywords_attributes[][keyword]", "stale"),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        app.get_with_token("/api/v1/timelines/home", &me)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
