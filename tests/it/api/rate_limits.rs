//! Request rate limits on the client API: per token, per address for
//! anonymous use and failed tokens, for posting; with Mastodon's headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::common::{TestApp, TestResponse, add_hook, slow_classifier};

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

fn header<'a>(response: &'a TestResponse, name: &str) -> &'a str {
    response
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn each_token_has_its_allowance_and_is_told_what_is_left() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_api_per_token = "3/1h".parse().unwrap();
    })
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;

    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = app.send(get("/api/v1/timelines/home", Some(&alice))).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(header(&response, "x-ratelimit-limit"), "3");
        let reset = header(&response, "x-ratelimit-reset");
        chrono::DateTime::parse_from_rfc3339(reset)
            .unwrap_or_else(|e| panic!("X-RateLimit-Reset {reset:?}: {e}"));
        remaining.push(header(&response, "x-ratelimit-remaining").to_owned());
    }
    assert_eq!(remaining, ["2", "1", "0"]);

    let refused = app.send(get("/api/v1/timelines/home", Some(&alice))).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.json()["error"], "Too many requests");
    // Three an hour: the next one in twenty minutes.
    assert_eq!(header(&refused, "retry-after"), "1200");
    assert_eq!(header(&refused, "x-ratelimit-remaining"), "0");

    // Bob's token is counted apart; pages outside the API are not counted.
    let response = app.send(get("/api/v1/timelines/home", Some(&bob))).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(header(&response, "x-ratelimit-remaining"), "2");
    let health = app.send(get("/health", None)).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.get("x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn anonymous_requests_are_counted_per_address() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_api_per_ip = "2/1h".parse().unwrap();
    })
    .await;
    let here = [192, 0, 2, 1];
    let there = [192, 0, 2, 2];
    for _ in 0..2 {
        let response = app.send_from(here, get("/api/v1/instance", None)).await;
        assert_eq!(response.status, StatusCode::OK);
    }
    let refused = app.send_from(here, get("/api/v1/instance", None)).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "retry-after"), "1800");
    let other = app.send_from(there, get("/api/v1/instance", None)).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn invented_tokens_count_as_their_address_without_locking_out_real_ones() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_api_per_ip = "3/1h".parse().unwrap();
    })
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    let office = [198, 51, 100, 7];
    // Guessing, or an invented token on an endpoint that needs none: the
    // address's anonymous allowance, not a fresh one per token.
    for (n, path) in [
        "/api/v1/accounts/verify_credentials",
        "/api/v1/instance",
        "/api/v1/accounts/verify_credentials",
    ]
    .into_iter()
    .enumerate()
    {
        let invented = format!("guess-{n}");
        let response = app.send_from(office, get(path, Some(&invented))).await;
        assert_ne!(response.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
    }
    let refused = app
        .send_from(office, get("/api/v1/instance", Some("guess-again")))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let anonymous = app.send_from(office, get("/api/v1/instance", None)).await;
    assert_eq!(anonymous.status, StatusCode::TOO_MANY_REQUESTS);
    // A colleague's real token from the same address is counted on its own.
    let colleague = app
        .send_from(
            office,
            get("/api/v1/accounts/verify_credentials", Some(&alice)),
        )
        .await;
    assert_eq!(colleague.status, StatusCode::OK);
    assert_eq!(header(&colleague, "x-ratelimit-limit"), "300");

    // Once revoked, a token is anonymous traffic again.
    let (_, bob) = app.user_with_token("bob").await;
    let elsewhere = [198, 51, 100, 8];
    let seen = app
        .send_from(
            elsewhere,
            get("/api/v1/accounts/verify_credentials", Some(&bob)),
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    let bob_user = app
        .state
        .store
        .users()
        .by_login("bob")
        .await
        .unwrap()
        .unwrap();
    app.state
        .store
        .oauth()
        .revoke_tokens_of_user(bob_user.id)
        .await
        .unwrap();
    // The first answer tells this node it is revoked; the next three use
    // up the address's allowance.
    for expected in [
        StatusCode::UNAUTHORIZED,
        StatusCode::UNAUTHORIZED,
        StatusCode::UNAUTHORIZED,
        StatusCode::UNAUTHORIZED,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let response = app
            .send_from(
                elsewhere,
                get("/api/v1/accounts/verify_credentials", Some(&bob)),
            )
            .await;
        assert_eq!(response.status, expected);
    }
}

#[tokio::test]
async fn a_streaming_token_in_the_subprotocol_is_counted_as_that_token() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_api_per_ip = "1/1h".parse().unwrap();
    })
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    for _ in 0..3 {
        let request = Request::get("/api/v1/streaming/health")
            .header("sec-websocket-protocol", alice.as_str())
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(header(&response, "x-ratelimit-limit"), "300");
    }
}

#[tokio::test]
async fn a_handlers_own_throttle_keeps_its_own_headers() {
    let app = TestApp::with_config(|c| c.sign_in_max_failures = 1).await;
    let (_, alice) = app.user_with_token("alice").await;
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            app.post_with_token(
                "/api/v1/loggia/password",
                &alice,
                &[
                    ("current_password", "wrong"),
                    ("password", "a new long secret"),
                ],
            )
            .await,
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(last.headers.get("retry-after").is_some());
    assert!(last.headers.get("x-ratelimit-remaining").is_none());
}

#[tokio::test]
async fn posting_has_a_limit_of_its_own() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_posts = "1/1h".parse().unwrap();
    })
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    app.post_status(&alice, &[("status", "first")]).await;
    let refused = app
        .post_with_token("/api/v1/statuses", &alice, &[("status", "second")])
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "retry-after"), "3600");
    // Nothing was posted, and reading goes on.
    let home = app.get_with_token("/api/v1/timelines/home", &alice).await;
    assert_eq!(home.status, StatusCode::OK);
    let texts: Vec<String> = home
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("first"));
}

#[test]
fn rate_settings_are_checked_when_the_configuration_is_read() {
    let error = loggia::config::Config::load(
        None,
        [(
            "LOGGIA_RATE_LIMIT_POSTS".to_owned(),
            "300 per hour".to_owned(),
        )],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("LOGGIA_RATE_LIMIT_POSTS") && error.contains("300/5m"),
        "{error}"
    );
}

/// An admin's token and the path that tests an outbound hook whose
/// classifier takes two and a half seconds: a request to it holds its turn
/// that long.
async fn slow_hook_test(app: &TestApp) -> (String, String) {
    let hook = slow_classifier(std::time::Duration::from_millis(2500)).await;
    let created = add_hook(app, &hook, "outbound").await;
    let admin = app.token("boss", "read admin:read admin:write").await;
    let path = format!(
        "/api/v1/loggia/admin/hooks/{}/test",
        created["id"].as_str().unwrap()
    );
    (admin, path)
}

#[tokio::test]
async fn a_busy_node_answers_503_quickly_and_stays_probeable() {
    let app = TestApp::with_config(|c| c.request_concurrency = 1).await;
    let (admin, test_path) = slow_hook_test(&app).await;
    let text = serde_json::json!({"text": "hello"});
    let slow = app.send_json(axum::http::Method::POST, &test_path, &admin, &text);
    let others = async {
        // Once the slow request holds the turn.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let health = app.get("/health").await.status;
        let busy = app.send(get("/api/v1/instance", None)).await;
        (health, busy)
    };
    let (slow, (health, busy)) = tokio::join!(slow, others);
    slow.assert_status(StatusCode::OK);
    assert_eq!(health, StatusCode::OK, "probes are not held up");
    busy.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&busy, "retry-after"), "1");
    assert_eq!(
        busy.json()["error"],
        "The server is busy; try again in a moment"
    );
    // Once the turn is free, the same request is served.
    app.send(get("/api/v1/instance", None))
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn without_a_waiting_line_a_busy_node_refuses_at_once() {
    let app = TestApp::with_config(|c| {
        c.request_concurrency = 1;
        c.request_queue = 0;
    })
    .await;
    let (admin, test_path) = slow_hook_test(&app).await;
    let text = serde_json::json!({"text": "hello"});
    let slow = app.send_json(axum::http::Method::POST, &test_path, &admin, &text);
    let refused = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // With a line, this would wait its second for the turn; without
        // one it is refused long before that second is out.
        tokio::time::timeout(
            std::time::Duration::from_millis(900),
            app.send(get("/api/v1/instance", None)),
        )
        .await
    };
    let (slow, refused) = tokio::join!(slow, refused);
    slow.assert_status(StatusCode::OK);
    refused
        .expect("refused without waiting for a turn")
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
}
