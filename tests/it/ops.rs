use axum::http::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get("/health")
            .await
            .assert_status(StatusCode::OK)
            .text(),
        "OK"
    );
    assert_eq!(
        app.get("/ready").await.assert_status(StatusCode::OK).text(),
        "OK"
    );
    app.state.store.close().await;
    app.get("/ready")
        .await
        .assert_status(StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    app.get("/api/v2/instance")
        .await
        .assert_status(StatusCode::OK);
    let response = app.get("/metrics").await;
    response.assert_status(StatusCode::OK);
    let text = response.text();
    assert!(
        text.lines()
            .any(|l| l.starts_with("loggia_http_requests_total{")
                && l.contains("route=\"/api/v2/instance\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("loggia_users 1"), "{text}");
    assert!(text.contains("loggia_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = TestApp::new().await;
    let response = app.get("/health").await;
    assert!(
        response
            .header("x-request-id")
            .is_some_and(|id| id.len() >= 32)
    );
}
