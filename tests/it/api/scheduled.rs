//! Scheduled posts: kept with their request, listed, rescheduled, deleted,
//! and published through the usual rules once due.

use axum::http::{Method, StatusCode};
use loggia::model::Timestamp;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::schema::assert_entity;

fn in_minutes(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339()
}

async fn schedule(app: &TestApp, token: &str, body: Value) -> crate::common::TestResponse {
    app.post_json_with_token("/api/v1/statuses", token, &body)
        .await
}

#[tokio::test]
async fn scheduled_posts_wait_and_can_be_managed() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let response = schedule(
        &app,
        &token,
        json!({"status": "Quarterly results are out", "scheduled_at": in_minutes(10),
               "poll": {"options": ["great", "fine"]}}),
    )
    .await;
    response.assert_status(StatusCode::OK);
    let scheduled = response.json();
    assert_entity("ScheduledStatus", &scheduled);
    assert_eq!(scheduled["params"]["text"], "Quarterly results are out");
    assert_eq!(
        scheduled["params"]["poll"]["options"],
        json!(["great", "fine"])
    );
    let id = scheduled["id"].as_str().unwrap();
    // Nothing is posted yet.
    let posted = app
        .get_with_token("/api/v1/timelines/home", &token)
        .await
        .json();
    assert_eq!(posted, json!([]));

    let list = app
        .get_with_token("/api/v1/scheduled_statuses", &token)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let later = in_minutes(60);
    let moved = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/scheduled_statuses/{id}"),
            &token,
            &[("scheduled_at", &later)],
        )
        .await;
    moved.assert_status(StatusCode::OK);
    let moved_at =
        chrono::DateTime::parse_from_rfc3339(moved.json()["scheduled_at"].as_str().unwrap())
            .unwrap();
    assert!(
        (moved_at.timestamp()
            - chrono::DateTime::parse_from_rfc3339(&later)
                .unwrap()
                .timestamp())
        .abs()
            <= 1
    );

    // Others cannot see or touch it.
    let (_, bob) = app.user_with_token("bob").await;
    app.get_with_token(&format!("/api/v1/scheduled_statuses/{id}"), &bob)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/scheduled_statuses/{id}"),
        &bob,
        &[],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/scheduled_statuses/{id}"),
        &token,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let list = app
        .get_with_token("/api/v1/scheduled_statuses", &token)
        .await
        .json();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn bad_schedules_are_refused() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let response = schedule(
        &app,
        &token,
        json!({"status": "x", "scheduled_at": "banana"}),
    )
    .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.json()["error"], "Record invalid");
    let response = schedule(
        &app,
        &token,
        json!({"status": "x", "scheduled_at": in_minutes(2)}),
    )
    .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("must be in the future"));
    // The post itself is checked now, not when it is due.
    let response = schedule(
        &app,
        &token,
        json!({"status": "  ", "scheduled_at": in_minutes(10)}),
    )
    .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let list = app
        .get_with_token("/api/v1/scheduled_statuses", &token)
        .await
        .json();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn due_posts_are_published_once() {
    let app = TestApp::new().await;
    let (alice, token) = app.user_with_token("alice").await;
    let scheduled = schedule(
        &app,
        &token,
        json!({"status": "Good morning, team", "scheduled_at": in_minutes(10), "visibility": "unlisted"}),
    )
    .await
    .json();
    let id: i64 = scheduled["id"].as_str().unwrap().parse().unwrap();
    let store = &app.state.store;
    assert_eq!(
        loggia::service::scheduled::publish_due(&app.state)
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .scheduled()
            .reschedule(alice.account.id, id, Timestamp::now().plus_seconds(-1))
            .await
            .unwrap()
    );
    assert_eq!(
        loggia::service::scheduled::publish_due(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        loggia::service::scheduled::publish_due(&app.state)
            .await
            .unwrap(),
        0
    );
    let statuses = app
        .get_with_token(
            &format!("/api/v1/accounts/{}/statuses", alice.account.id),
            &token,
        )
        .await
        .json();
    let statuses = statuses.as_array().unwrap();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["visibility"], "unlisted");
    assert!(
        statuses[0]["content"]
            .as_str()
            .unwrap()
            .contains("Good morning, team")
    );
    let list = app
        .get_with_token("/api/v1/scheduled_statuses", &token)
        .await
        .json();
    assert_eq!(list, json!([]));
}
