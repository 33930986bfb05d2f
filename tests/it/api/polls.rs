//! Polls through the client API: creating (JSON and form bodies), limits,
//! voting rules, hidden totals, and the end of a poll.

use axum::http::StatusCode;
use loggia::model::Timestamp;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::schema::assert_entity;

async fn post_poll(app: &TestApp, token: &str, poll: Value) -> Value {
    let response = app
        .post_json_with_token(
            "/api/v1/statuses",
            token,
            &json!({"status": "Where do we meet?", "poll": poll}),
        )
        .await;
    response.assert_status(StatusCode::OK);
    response.json()
}

async fn vote(
    app: &TestApp,
    token: &str,
    poll_id: &str,
    choices: Value,
) -> crate::common::TestResponse {
    app.post_json_with_token(
        &format!("/api/v1/polls/{poll_id}/votes"),
        token,
        &json!({ "choices": choices }),
    )
    .await
}

/// The status's ActivityPub document, as another server fetches it.
async fn question_of(app: &TestApp, status: &Value) -> Value {
    let path = status["uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://loggia.test")
        .to_owned();
    app.send(
        axum::http::Request::get(path)
            .header("accept", "application/activity+json")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .json()
}

fn counts(poll: &Value) -> Vec<Value> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes_count"].clone())
        .collect()
}

#[tokio::test]
async fn a_poll_is_created_with_its_status() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let status = post_poll(
        &app,
        &token,
        json!({"options": ["Lisbon", "Milan", "Oslo"]}),
    )
    .await;
    assert_entity("Status", &status);
    let poll = &status["poll"];
    assert_entity("Poll", poll);
    assert_eq!(poll["multiple"], false);
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["voted"], false);
    assert_eq!(poll["own_votes"], json!([]));
    assert_eq!(counts(poll), [json!(0), json!(0), json!(0)]);
    assert_eq!(poll["options"][1]["title"], "Milan");
    // A day, unless asked otherwise.
    let ends = chrono::DateTime::parse_from_rfc3339(poll["expires_at"].as_str().unwrap()).unwrap();
    let in_a_day = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(
        (ends.timestamp() - in_a_day.timestamp()).abs() < 10,
        "{ends}"
    );

    // The same poll from a form body, as Mastodon.py sends it.
    let response = app
        .post_with_token(
            "/api/v1/statuses",
            &token,
            &[
                ("status", "Lunch?"),
                ("poll[options][]", "Yes"),
                ("poll[options][]", "No"),
                ("poll[expires_in]", "3600"),
                ("poll[multiple]", "true"),
                ("poll[hide_totals]", "true"),
            ],
        )
        .await;
    response.assert_status(StatusCode::OK);
    let poll = response.json()["poll"].clone();
    assert_eq!(poll["multiple"], true);
    assert_eq!(counts(&poll), [Value::Null, Value::Null]);
    let fetched = app
        .get(&format!("/api/v1/polls/{}", poll["id"].as_str().unwrap()))
        .await;
    fetched.assert_status(StatusCode::OK);
    assert!(
        fetched.json().get("voted").is_none(),
        "anonymous viewers have no vote"
    );

    let instance = app.get("/api/v2/instance").await.json();
    assert_eq!(instance["configuration"]["polls"]["max_options"], 4);
}

#[tokio::test]
async fn bad_polls_are_refused() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    for (poll, message) in [
        (json!({"options": ["Only one"]}), "at least 2 options"),
        (
            json!({"options": ["a", "b", "c", "d", "e"]}),
            "more than 4 options",
        ),
        (json!({"options": ["Same", "Same"]}), "must be different"),
        (json!({"options": ["", "b"]}), "can't be blank"),
        (
            json!({"options": ["a", "b"], "expires_in": 60}),
            "between 300 seconds",
        ),
        (
            json!({"options": ["a", "b"], "expires_in": 40 * 86400}),
            "between 300 seconds",
        ),
        (json!({"options": ["a".repeat(51), "b"]}), "longer than 50"),
    ] {
        let response = app
            .post_json_with_token(
                "/api/v1/statuses",
                &token,
                &json!({"status": "?", "poll": poll}),
            )
            .await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(message), "{poll}: {error}");
    }
    let statuses = app
        .get_with_token("/api/v1/timelines/home", &token)
        .await
        .json();
    assert_eq!(statuses, json!([]), "nothing was posted");
}

#[tokio::test]
async fn votes_follow_mastodons_rules() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    let single = post_poll(&app, &alice, json!({"options": ["a", "b", "c"]})).await;
    let id = single["poll"]["id"].as_str().unwrap();

    let response = vote(&app, &bob, id, json!([5])).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .contains("The chosen vote option does not exist")
    );
    let response = vote(&app, &bob, id, json!([0, 2])).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .contains("You have already voted on this poll")
    );

    let own = vote(&app, &alice, id, json!([0])).await;
    own.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().contains("You cannot vote in your own polls"));

    let voted = vote(&app, &bob, id, json!(["1"])).await;
    voted.assert_status(StatusCode::OK);
    let poll = voted.json();
    assert_entity("Poll", &poll);
    assert_eq!(poll["voted"], true);
    assert_eq!(poll["own_votes"], json!([1]));
    assert_eq!(poll["votes_count"], 1);
    assert_eq!(poll["voters_count"], 1);
    assert_eq!(counts(&poll), [json!(0), json!(1), json!(0)]);
    let again = vote(&app, &bob, id, json!([1])).await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("You have already voted on this poll"));

    let multiple = post_poll(
        &app,
        &alice,
        json!({"options": ["x", "y", "z"], "multiple": true}),
    )
    .await;
    let mid = multiple["poll"]["id"].as_str().unwrap();
    let poll = vote(&app, &carol, mid, json!([0, 2])).await.json();
    assert_eq!(poll["own_votes"], json!([0, 2]));
    assert_eq!(poll["votes_count"], 2);
    assert_eq!(poll["voters_count"], 1);
    // Others see the counts, not who voted.
    let seen = app
        .get_with_token(&format!("/api/v1/polls/{mid}"), &bob)
        .await
        .json();
    assert_eq!(seen["voted"], false);
    assert_eq!(counts(&seen), [json!(1), json!(0), json!(1)]);

    // A poll on a post the voter may not see does not exist for them.
    let private = app
        .post_json_with_token(
            "/api/v1/statuses",
            &alice,
            &json!({"status": "followers?", "visibility": "private", "poll": {"options": ["a", "b"]}}),
        )
        .await
        .json();
    let pid = private["poll"]["id"].as_str().unwrap();
    vote(&app, &bob, pid, json!([0]))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get_with_token(&format!("/api/v1/polls/{pid}"), &bob)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_ended_poll_shows_totals_refuses_votes_and_notifies() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let (_, carol) = app.user_with_token("carol").await;
    let status = post_poll(
        &app,
        &alice,
        json!({"options": ["a", "b"], "hide_totals": true}),
    )
    .await;
    let id = status["poll"]["id"].as_str().unwrap();
    vote(&app, &bob, id, json!([1]))
        .await
        .assert_status(StatusCode::OK);
    let hidden = app
        .get_with_token(&format!("/api/v1/polls/{id}"), &alice)
        .await
        .json();
    assert_eq!(
        counts(&hidden),
        [Value::Null, Value::Null],
        "hidden from the author too"
    );
    // Not in the Question other servers fetch either.
    let question = question_of(&app, &status).await;
    assert_eq!(question["type"], "Question");
    assert!(question["oneOf"][1].get("replies").is_none(), "{question}");

    let poll_id: i64 = id.parse().unwrap();
    app.state
        .store
        .polls()
        .set_expires_at(poll_id, Timestamp::now().plus_seconds(-1))
        .await
        .unwrap();
    let ended = app
        .get_with_token(&format!("/api/v1/polls/{id}"), &alice)
        .await
        .json();
    assert_eq!(ended["expired"], true);
    let question = question_of(&app, &status).await;
    assert_eq!(question["oneOf"][1]["replies"]["totalItems"], 1);
    assert!(question["closed"].is_string());
    assert_eq!(counts(&ended), [json!(0), json!(1)]);
    let late = vote(&app, &carol, id, json!([0])).await;
    late.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.text().contains("The poll has already ended"));

    assert_eq!(
        loggia::service::polls::announce_ended(&app.state.store)
            .await
            .unwrap(),
        1
    );
    // Announced once, however often the timer runs.
    assert_eq!(
        loggia::service::polls::announce_ended(&app.state.store)
            .await
            .unwrap(),
        0
    );
    for (who, token) in [("author", &alice), ("voter", &bob)] {
        let notes = app
            .get_with_token("/api/v1/notifications?types[]=poll", token)
            .await
            .json();
        assert_eq!(notes.as_array().unwrap().len(), 1, "{who}: {notes}");
        assert_eq!(notes[0]["status"]["poll"]["expired"], true);
        assert_entity("Notification", &notes[0]);
    }
    let none = app
        .get_with_token("/api/v1/notifications", &carol)
        .await
        .json();
    assert_eq!(none, json!([]));
}
