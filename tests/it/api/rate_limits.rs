//! Request rate limits on the client API: per token, per address for
//! anonymous use and failed tokens, for posting; with Mastodon's headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::common::{TestApp, TestResponse};

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
async fn guessing_tokens_from_one_address_is_stopped() {
    let app = TestApp::with_config(|c| {
        c.rate_limit_api_per_ip = "3/1h".parse().unwrap();
    })
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    let guesser = [198, 51, 100, 7];
    for n in 0..3 {
        let wrong = format!("guess-{n}");
        let response = app
            .send_from(
                guesser,
                get("/api/v1/accounts/verify_credentials", Some(&wrong)),
            )
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    // Now even a good token from that address waits.
    let refused = app
        .send_from(
            guesser,
            get("/api/v1/accounts/verify_credentials", Some(&alice)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // Anonymous requests from there are counted apart from failures, and
    // the good token works from anywhere else.
    let anonymous = app.send_from(guesser, get("/api/v1/instance", None)).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    let elsewhere = app
        .send_from(
            [198, 51, 100, 8],
            get("/api/v1/accounts/verify_credentials", Some(&alice)),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
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
