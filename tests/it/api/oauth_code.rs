//! The authorization-code flow through the consent page, with PKCE.

use axum::http::StatusCode;

use crate::common::{TestApp, TestResponse, location_params, param};
use crate::web::{Browser, hidden_field};

const REDIRECT: &str = "https://app.example/callback";
// base64url(sha256(VERIFIER)), computed independently with Python's hashlib.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K1uhbUJU1p1r_wW1gFWFOEjXkA";
const CHALLENGE: &str = "ANmZ-XhkoJcgDXs3RUTjFgJ7xYPkyav7HicNLgkqSKU";

fn authorize_path(client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", REDIRECT);
    for (k, v) in extra {
        query.append_pair(k, v);
    }
    format!("/oauth/authorize?{}", query.finish())
}

/// Walks the consent page and returns the redirect it answers with.
async fn consent(app: &TestApp, browser: &mut Browser, path: &str, decision: &str) -> TestResponse {
    let page = browser.get(app, path).await;
    page.assert_status(StatusCode::OK);
    let html = page.text();
    let mut form: Vec<(&str, String)> = vec![("decision", decision.to_owned())];
    for name in [
        "csrf_token",
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ] {
        if html.contains(&format!("name=\"{name}\"")) {
            form.push((name, hidden_field(&html, name)));
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(app, "/oauth/authorize", &pairs).await
}

async fn exchange(
    app: &TestApp,
    client: &(String, String),
    code: &str,
    verifier: Option<&str>,
) -> TestResponse {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", client.0.as_str()),
        ("client_secret", client.1.as_str()),
        ("redirect_uri", REDIRECT),
        ("code", code),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    app.post_form("/oauth/token", &form).await
}

async fn code_for(app: &TestApp, client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut browser = Browser::sign_in(app, "alice").await;
    let response = consent(
        app,
        &mut browser,
        &authorize_path(client_id, extra),
        "approve",
    )
    .await;
    response.assert_status(StatusCode::SEE_OTHER);
    param(&location_params(&response), "code").expect("a code")
}

async fn setup() -> (TestApp, (String, String)) {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let client = app.register_app("read write follow", REDIRECT).await;
    (app, client)
}

#[tokio::test]
async fn signed_out_users_are_sent_to_sign_in_and_back() {
    let (app, client) = setup().await;
    let path = authorize_path(&client.0, &[("scope", "read"), ("force_login", "true")]);
    let response = app.get(&path).await;
    response.assert_status(StatusCode::SEE_OTHER);
    let return_to = param(&location_params(&response), "return_to").unwrap();
    assert!(
        return_to.starts_with("/oauth/authorize?") && !return_to.contains("force_login"),
        "{return_to}"
    );
    let mut browser = Browser::sign_in(&app, "alice").await;
    let page = browser.get(&app, &return_to).await;
    page.assert_status(StatusCode::OK);
    assert!(page.text().contains("Authorize Test client?"));
    assert_eq!(
        page.header("x-frame-options").as_deref(),
        Some("DENY"),
        "no clickjacking of consent"
    );
}

#[tokio::test]
async fn code_flow_with_pkce_issues_a_working_token() {
    let (app, client) = setup().await;
    let code = code_for(
        &app,
        &client.0,
        &[
            ("scope", "read write"),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let response = exchange(&app, &client, &code, Some(VERIFIER)).await;
    response.assert_status(StatusCode::OK);
    let token = response.json();
    crate::common::schema::assert_entity("Token", &token);
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["scope"], "read write");
    assert!(token["refresh_token"].is_string());
    let me = app
        .get_with_token(
            "/api/v1/accounts/verify_credentials",
            token["access_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(me.assert_status(StatusCode::OK).json()["username"], "alice");
}

#[tokio::test]
async fn state_is_returned_with_the_code() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let response = consent(
        &app,
        &mut browser,
        &authorize_path(&client.0, &[("state", "opaque&value")]),
        "approve",
    )
    .await;
    let params = location_params(&response);
    assert_eq!(param(&params, "state").as_deref(), Some("opaque&value"));
    assert!(
        response
            .header("location")
            .unwrap()
            .starts_with("https://app.example/callback?code=")
    );
}

#[tokio::test]
async fn pkce_failures_are_refused_and_burn_the_code() {
    let (app, client) = setup().await;
    let pkce = [
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    // Missing verifier.
    let code = code_for(&app, &client.0, &pkce).await;
    let response = exchange(&app, &client, &code, None).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"], "invalid_grant");
    assert!(
        response.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("code_verifier is required")
    );
    // Wrong verifier; the right one afterwards finds the code spent.
    let code = code_for(&app, &client.0, &pkce).await;
    let wrong = "x".repeat(43);
    let response = exchange(&app, &client, &code, Some(&wrong)).await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );
    let response = exchange(&app, &client, &code, Some(VERIFIER)).await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn plain_pkce_is_refused_at_authorization() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let response = browser
        .get(
            &app,
            &authorize_path(
                &client.0,
                &[
                    ("code_challenge", VERIFIER),
                    ("code_challenge_method", "plain"),
                    ("state", "s"),
                ],
            ),
        )
        .await;
    // Explained on a page, not redirected: no open redirector.
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(response.header("location").is_none());
    assert!(
        response
            .text()
            .contains("code_challenge_method must be S256")
    );
}

#[tokio::test]
async fn a_replayed_code_revokes_the_token_it_produced() {
    let (app, client) = setup().await;
    let code = code_for(&app, &client.0, &[]).await;
    let first = exchange(&app, &client, &code, None).await;
    let token = first.assert_status(StatusCode::OK).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = exchange(&app, &client, &code, None).await;
    assert_eq!(
        replay.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn codes_only_work_for_their_client_and_redirect_uri() {
    let (app, client) = setup().await;
    let other = app.register_app("read", REDIRECT).await;
    let code = code_for(&app, &client.0, &[]).await;
    let response = exchange(&app, &other, &code, None).await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );

    let code = code_for(&app, &client.0, &[]).await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.0),
                ("client_secret", &client.1),
                ("redirect_uri", "https://app.example/other"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn bad_authorization_requests_never_redirect_to_unregistered_uris() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let path = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri=https://evil.example/",
        client.0
    );
    let response = browser.get(&app, &path).await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(response.header("location").is_none());
    assert!(
        response
            .text()
            .contains("redirect URI included is not valid")
    );
    let response = browser
        .get(
            &app,
            "/oauth/authorize?response_type=code&client_id=unknown",
        )
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(response.text().contains("Unknown client"));
}

#[tokio::test]
async fn scopes_beyond_the_app_registration_are_refused() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let response = browser
        .get(
            &app,
            &authorize_path(&client.0, &[("scope", "read admin:read")]),
        )
        .await;
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(response.header("location").is_none());
    assert!(response.text().contains("invalid_scope"));
}

#[tokio::test]
async fn denial_is_reported_to_the_app() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let response = consent(
        &app,
        &mut browser,
        &authorize_path(&client.0, &[("state", "st")]),
        "deny",
    )
    .await;
    let params = location_params(&response);
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&params, "state").as_deref(), Some("st"));
    assert!(param(&params, "code").is_none());
}

#[tokio::test]
async fn out_of_band_shows_the_code_to_copy() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let path = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read",
        client.0
    );
    let page = browser.get(&app, &path).await;
    let html = page.text();
    let form: Vec<(&str, String)> = [
        "csrf_token",
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
    ]
    .into_iter()
    .map(|n| (n, hidden_field(&html, n)))
    .chain([("decision", "approve".to_owned())])
    .collect();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = browser.post(&app, "/oauth/authorize", &pairs).await;
    response.assert_status(StatusCode::OK);
    let text = response.text();
    let start = text.find("id=\"code\">").unwrap() + "id=\"code\">".len();
    let code = &text[start..start + text[start..].find('<').unwrap()];
    let token = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.0),
                ("client_secret", &client.1),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                ("code", code),
            ],
        )
        .await;
    token.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn consent_needs_the_csrf_token() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let response = browser
        .post(
            &app,
            "/oauth/authorize",
            &[
                ("decision", "approve"),
                ("response_type", "code"),
                ("client_id", &client.0),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_token_request_must_repeat_the_redirect_uri() {
    let (app, client) = setup().await;
    let code = code_for(&app, &client.0, &[]).await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.0),
                ("client_secret", &client.1),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(
        response.assert_status(StatusCode::BAD_REQUEST).json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn consent_after_the_session_ended_returns_to_the_request() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    let page = browser
        .get(&app, &authorize_path(&client.0, &[("state", "keep")]))
        .await;
    let token = hidden_field(&page.text(), "csrf_token");
    let alice = app
        .state
        .store
        .users()
        .by_login("alice")
        .await
        .unwrap()
        .unwrap();
    app.state
        .store
        .sessions()
        .delete_for_user(alice.id)
        .await
        .unwrap();
    let response = browser
        .post(
            &app,
            "/oauth/authorize",
            &[
                ("csrf_token", &token),
                ("decision", "approve"),
                ("response_type", "code"),
                ("client_id", &client.0),
                ("redirect_uri", REDIRECT),
                ("state", "keep"),
            ],
        )
        .await;
    response.assert_status(StatusCode::SEE_OTHER);
    let return_to = param(&location_params(&response), "return_to").unwrap();
    assert!(
        return_to.starts_with("/oauth/authorize?") && return_to.contains("state=keep"),
        "{return_to}"
    );
}

#[tokio::test]
async fn force_login_accepts_rails_booleans() {
    let (app, client) = setup().await;
    let mut browser = Browser::sign_in(&app, "alice").await;
    // Mastodon.py sends Python's `True`.
    let response = browser
        .get(&app, &authorize_path(&client.0, &[("force_login", "True")]))
        .await;
    response.assert_status(StatusCode::SEE_OTHER);
    assert!(
        response
            .header("location")
            .unwrap()
            .starts_with("/auth/sign_in?return_to=")
    );
}

#[tokio::test]
async fn a_code_not_yet_exchanged_dies_with_a_password_change() {
    let (app, client) = setup().await;
    let code = code_for(&app, &client.0, &[]).await;
    let token = app.token("alice", "write:accounts").await;
    app.post_with_token(
        "/api/v1/loggia/password",
        &token,
        &[
            ("current_password", crate::common::PASSWORD),
            ("password", "a new long secret"),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
    let refused = exchange(&app, &client, &code, None).await;
    refused.assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"], "invalid_grant");
}
