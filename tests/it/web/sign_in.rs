use axum::http::StatusCode;

use super::{Browser, hidden_field};
use crate::common::{PASSWORD, TestApp};

#[tokio::test]
async fn sign_in_page_sets_a_csrf_cookie_and_strict_headers() {
    let app = TestApp::new().await;
    let mut browser = Browser::default();
    let page = browser.get(&app, "/auth/sign_in").await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.text()
            .contains("<form method=\"post\" action=\"/auth/sign_in\">")
    );
    assert!(page.cookies().iter().any(|c| c.starts_with("loggia_csrf=")));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(page.header("x-frame-options").as_deref(), Some("DENY"));
    let raw_cookie = page
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        raw_cookie.contains("HttpOnly") && raw_cookie.contains("SameSite=Lax"),
        "{raw_cookie}"
    );
}

#[tokio::test]
async fn correct_password_starts_a_session_and_returns_to_a_local_page() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let mut browser = Browser::default();
    let page = browser
        .get(&app, "/auth/sign_in?return_to=/oauth/authorize%3Fx%3D1")
        .await;
    let token = hidden_field(&page.text(), "csrf_token");
    let return_to = hidden_field(&page.text(), "return_to");
    assert_eq!(return_to, "/oauth/authorize?x=1");
    let response = browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "ALICE"),
                ("password", PASSWORD),
                ("csrf_token", &token),
                ("return_to", &return_to),
            ],
        )
        .await;
    response.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        response.header("location").as_deref(),
        Some("/oauth/authorize?x=1")
    );
    let home = browser.get(&app, "/auth/account").await;
    assert!(
        home.text()
            .contains("Signed in as <strong>@alice@loggia.test</strong>"),
        "{}",
        home.text()
    );
}

#[tokio::test]
async fn sign_in_by_email_works() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let mut browser = Browser::sign_in(&app, "Alice@ACME.example").await;
    assert!(
        browser
            .get(&app, "/auth/account")
            .await
            .text()
            .contains("@alice@")
    );
}

#[tokio::test]
async fn wrong_password_is_refused_with_a_message() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let mut browser = Browser::default();
    let token = hidden_field(
        &browser.get(&app, "/auth/sign_in").await.text(),
        "csrf_token",
    );
    let response = browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "alice"),
                ("password", "wrong password"),
                ("csrf_token", &token),
            ],
        )
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
    assert!(
        response
            .text()
            .contains("Invalid user name, e-mail or password.")
    );
    assert!(
        !response
            .cookies()
            .iter()
            .any(|c| c.starts_with("loggia_session="))
    );
    // The unknown user gets the same answer.
    let response = browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "nobody"),
                ("password", "x"),
                ("csrf_token", &token),
            ],
        )
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_or_foreign_csrf_token_is_refused() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let mut browser = Browser::default();
    browser.get(&app, "/auth/sign_in").await;
    let response = browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "alice"),
                ("password", PASSWORD),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    // A token from another browser does not fit this browser's cookie.
    let mut other = Browser::default();
    let foreign = hidden_field(&other.get(&app, "/auth/sign_in").await.text(), "csrf_token");
    let response = browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "alice"),
                ("password", PASSWORD),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_address() {
    let app = TestApp::with_config(|c| c.sign_in_max_failures = 3).await;
    app.create_user("alice", "user").await;
    let mut browser = Browser::default();
    let token = hidden_field(
        &browser.get(&app, "/auth/sign_in").await.text(),
        "csrf_token",
    );
    let attacker = [10, 0, 0, 7];
    for _ in 0..3 {
        browser
            .post_from(
                &app,
                attacker,
                "/auth/sign_in",
                &[
                    ("login", "alice"),
                    ("password", "guess"),
                    ("csrf_token", &token),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, with a time to wait.
    let response = browser
        .post_from(
            &app,
            attacker,
            "/auth/sign_in",
            &[
                ("login", "alice"),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    response.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 900);
    assert!(response.text().contains("Too many failed sign-in attempts"));
    // The real user on another address is not locked out.
    browser
        .post_from(
            &app,
            [10, 0, 0, 8],
            "/auth/sign_in",
            &[
                ("login", "alice"),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn return_to_never_leaves_the_site() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut browser = Browser::default();
        let token = hidden_field(
            &browser.get(&app, "/auth/sign_in").await.text(),
            "csrf_token",
        );
        let response = browser
            .post(
                &app,
                "/auth/sign_in",
                &[
                    ("login", "alice"),
                    ("password", PASSWORD),
                    ("csrf_token", &token),
                    ("return_to", evil),
                ],
            )
            .await;
        assert_eq!(response.header("location").as_deref(), Some("/"), "{evil}");
    }
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let home = browser.get(&app, "/auth/account").await;
    let token = hidden_field(&home.text(), "csrf_token");
    let stolen = browser.clone();
    browser
        .post(&app, "/auth/sign_out", &[("csrf_token", &token)])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(
        !browser
            .get(&app, "/auth/account")
            .await
            .text()
            .contains("Signed in")
    );
    // The old cookie is dead on the server too.
    let mut replay = stolen;
    assert!(
        !replay
            .get(&app, "/auth/account")
            .await
            .text()
            .contains("Signed in")
    );
}

#[tokio::test]
async fn under_https_cookies_are_host_only_and_secure() {
    let app = TestApp::with_config(|c| c.protocol = loggia::config::Protocol::Https).await;
    let page = app.get("/auth/sign_in").await;
    let raw = page
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        raw.starts_with("__Host-loggia_csrf=") && raw.contains("; Secure"),
        "{raw}"
    );
}

#[tokio::test]
async fn return_to_with_invisible_characters_is_refused() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    for evil in ["/\t/evil.example", "/\n/evil.example", "/ok path"] {
        let mut browser = Browser::default();
        let token = hidden_field(
            &browser.get(&app, "/auth/sign_in").await.text(),
            "csrf_token",
        );
        let response = browser
            .post(
                &app,
                "/auth/sign_in",
                &[
                    ("login", "alice"),
                    ("password", PASSWORD),
                    ("csrf_token", &token),
                    ("return_to", evil),
                ],
            )
            .await;
        assert_eq!(
            response.header("location").as_deref(),
            Some("/"),
            "{evil:?}"
        );
    }
}

#[tokio::test]
async fn sign_in_page_speaks_the_browsers_language() {
    let app = TestApp::new().await;
    let get = |language: &'static str| {
        axum::http::Request::get("/auth/sign_in")
            .header("accept-language", language)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let italian = app.send(get("it-IT,it;q=0.9,en;q=0.8")).await.text();
    assert!(italian.contains("<html lang=\"it\">"), "{italian}");
    assert!(italian.contains(">Nome utente o e-mail</label>"));
    assert!(italian.contains(">Accedi</button>"));
    let english = app.send(get("de-DE,en;q=0.5")).await.text();
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains(">User name or e-mail</label>"));
}
