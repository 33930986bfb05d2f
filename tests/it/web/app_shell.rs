//! The web app's shell (`/`, `/web/*`, `/assets/*`), and signing out of
//! the cookie session with the app's bearer token.

use axum::http::{Method, StatusCode};

use super::Browser;
use crate::common::{TestApp, TestResponse, form_request};

/// The built app with its own CSP, or the page saying it was not built.
#[track_caller]
fn assert_app_or_not_built(response: &TestResponse) {
    match response.status {
        StatusCode::OK => {
            let csp = response.header("content-security-policy").unwrap();
            assert!(csp.contains("script-src 'self'"), "{csp}");
            // The streaming WebSocket, named for browsers where 'self' is not enough.
            assert!(
                csp.contains("connect-src 'self' ws://loggia.test;"),
                "{csp}"
            );
            assert_eq!(
                response.header("cache-control").as_deref(),
                Some("no-cache")
            );
            assert!(response.text().contains("<script"), "not the app");
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            assert!(response.text().contains("not part of this build"));
        }
        other => panic!("neither the app nor the not-built page: {other}"),
    }
}

#[tokio::test]
async fn the_app_is_served_for_its_paths_and_missing_assets_are_404() {
    let app = TestApp::new().await;
    for path in ["/", "/web", "/web/anything", "/web/@alice/followers"] {
        assert_app_or_not_built(&app.get(path).await);
    }
    for path in [
        "/assets/missing.js",
        // Debug builds read the disk: no climbing out of assets/.
        "/assets/..%2Findex.html",
        "/assets/%2E%2E%2Findex.html",
    ] {
        app.get(path).await.assert_status(StatusCode::NOT_FOUND);
    }
}

/// POST /auth/sign_out as the app does: session cookie plus bearer token.
async fn sign_out_with(app: &TestApp, browser: &mut Browser, authorization: &str) -> TestResponse {
    let cookie = browser.cookie_header();
    let response = app
        .send(form_request(
            Method::POST,
            "/auth/sign_out",
            &[],
            &[("cookie", &cookie), ("authorization", authorization)],
        ))
        .await;
    browser.absorb(&response);
    response
}

async fn signed_in(app: &TestApp, browser: &mut Browser) -> bool {
    browser
        .get(app, "/auth/account")
        .await
        .text()
        .contains("Signed in")
}

#[tokio::test]
async fn the_app_ends_only_its_own_users_session() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let mut browser = Browser::sign_in(&app, "alice").await;

    sign_out_with(&app, &mut browser, "Bearer not-a-token")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    assert!(signed_in(&app, &mut browser).await);
    // Bob's app signing out while Alice is signed in on this browser leaves
    // Alice's session alone (and still succeeds, so Bob's app can go on to
    // revoke its token).
    sign_out_with(&app, &mut browser, &format!("Bearer {bob}"))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert!(signed_in(&app, &mut browser).await);

    let stolen = browser.clone();
    sign_out_with(&app, &mut browser, &format!("Bearer {alice}"))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert!(!signed_in(&app, &mut browser).await);
    // The session is gone on the server, not only from the browser.
    let mut replay = stolen;
    assert!(!signed_in(&app, &mut replay).await);
}
