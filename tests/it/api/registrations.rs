//! Sign-up through Mastodon's registration API under each policy, invite
//! links (expiry, use limits, revocation), the e-mail domain allow-list,
//! approval by an admin, and e-mail confirmation through a real SMTP server.

use axum::http::StatusCode;
use loggia::config::{Config, Registrations};
use loggia::model::Timestamp;
use serde_json::{Value, json};

use crate::common::smtp::SmtpSink;
use crate::common::{TestApp, TestResponse};

const SIGN_UP_PASSWORD: &str = "a long enough password";

fn open(config: &mut Config) {
    config.registrations = Registrations::Open;
    config.email_confirmation = false;
}

/// An app token from `client_credentials`, as apps get one to register.
async fn app_token(app: &TestApp) -> String {
    let (client_id, client_secret) = app
        .register_app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let response = app
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &client_secret),
                ("scope", "read write"),
            ],
        )
        .await;
    response.assert_status(StatusCode::OK);
    response.json()["access_token"].as_str().unwrap().to_owned()
}

async fn register(app: &TestApp, app_token: &str, body: Value) -> TestResponse {
    app.post_json_with_token("/api/v1/accounts", app_token, &body)
        .await
}

fn sign_up(username: &str, email: &str) -> Value {
    json!({
        "username": username,
        "email": email,
        "password": SIGN_UP_PASSWORD,
        "agreement": true,
        "locale": "en",
    })
}

/// Registers and returns the new user's access token.
async fn registered(app: &TestApp, app_token: &str, body: Value) -> String {
    let response = register(app, app_token, body).await;
    response.assert_status(StatusCode::OK);
    let token = response.json();
    assert_eq!(token["token_type"], "Bearer");
    token["access_token"].as_str().unwrap().to_owned()
}

fn error_codes(response: &TestResponse, field: &str) -> Vec<String> {
    response.json()["details"][field]
        .as_array()
        .unwrap_or_else(|| panic!("no details for {field}: {}", response.text()))
        .iter()
        .map(|e| e["error"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn closed_registrations_refuse_and_say_so() {
    let app = TestApp::new().await;
    let token = app_token(&app).await;
    let response = register(&app, &token, sign_up("newbie", "newbie@acme.example")).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .contains("closed")
    );
    let v1 = app.get("/api/v1/instance").await.json();
    assert_eq!(v1["registrations"], false);
    assert_eq!(v1["invites_enabled"], false);
    let v2 = app.get("/api/v2/instance").await.json();
    assert_eq!(v2["registrations"]["enabled"], false);
    assert_eq!(v2["registrations"]["url"], Value::Null);
    app.get("/auth/sign_up")
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn open_registration_gives_a_working_token() {
    let app = TestApp::with_config(open).await;
    let v2 = app.get("/api/v2/instance").await.json();
    assert_eq!(v2["registrations"]["enabled"], true);
    assert_eq!(v2["registrations"]["approval_required"], false);
    assert_eq!(
        app.get("/api/v1/instance").await.json()["registrations"],
        true
    );

    let token = app_token(&app).await;
    let user_token = registered(&app, &token, sign_up("newbie", "NewBie@Acme.example")).await;
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &user_token)
        .await;
    me.assert_status(StatusCode::OK);
    assert_eq!(me.json()["username"], "newbie");
    // The new account can post right away and signs in with its password.
    app.post_status(&user_token, &[("status", "Hello, colleagues")])
        .await;
    let found = app
        .state
        .store
        .users()
        .by_login("newbie@acme.example")
        .await;
    assert!(found.unwrap().unwrap().is_active());
}

#[tokio::test]
async fn registration_needs_an_app_token() {
    let app = TestApp::with_config(open).await;
    let response = app
        .post_json(
            "/api/v1/accounts",
            &sign_up("newbie", "newbie@acme.example"),
        )
        .await;
    response.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_sign_ups_get_per_field_details() {
    let app = TestApp::with_config(open).await;
    let token = app_token(&app).await;
    registered(&app, &token, sign_up("taken", "taken@acme.example")).await;

    let response = register(
        &app,
        &token,
        json!({"username": "Taken", "email": "taken@acme.example", "password": "short"}),
    )
    .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.json();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("Validation failed: "),
        "{body}"
    );
    assert_eq!(error_codes(&response, "email"), ["ERR_TAKEN"]);
    assert_eq!(error_codes(&response, "password"), ["ERR_TOO_SHORT"]);
    assert_eq!(error_codes(&response, "agreement"), ["ERR_ACCEPTED"]);

    let response = register(&app, &token, sign_up("Taken", "other@acme.example")).await;
    assert_eq!(error_codes(&response, "username"), ["ERR_TAKEN"]);
    for (name, code) in [
        ("admin", "ERR_RESERVED"),
        ("Support", "ERR_RESERVED"),
        ("no spaces", "ERR_INVALID"),
        ("-dash", "ERR_INVALID"),
        ("", "ERR_BLANK"),
        ("a_name_that_is_much_too_long_for_us", "ERR_TOO_LONG"),
    ] {
        let response = register(&app, &token, sign_up(name, "fresh@acme.example")).await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_codes(&response, "username"), [code], "{name:?}");
    }
    let response = register(&app, &token, sign_up("fresh", "not-an-address")).await;
    assert_eq!(error_codes(&response, "email"), ["ERR_INVALID"]);
    // Nothing was created by the refused attempts.
    let users = app.state.store.users().list().await.unwrap();
    assert_eq!(users.len(), 1);
}

#[tokio::test]
async fn only_allowed_email_domains_may_sign_up() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.registration_email_domains = vec!["acme.example".into()];
    })
    .await;
    let v2 = app.get("/api/v2/instance").await.json();
    assert!(
        v2["registrations"]["message"]
            .as_str()
            .unwrap()
            .contains("acme.example")
    );
    let token = app_token(&app).await;
    let response = register(&app, &token, sign_up("outsider", "me@gmail.example")).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&response, "email"), ["ERR_BLOCKED"]);
    // A look-alike domain is not a subdomain.
    let response = register(&app, &token, sign_up("outsider", "me@evilacme.example")).await;
    assert_eq!(error_codes(&response, "email"), ["ERR_BLOCKED"]);
    registered(&app, &token, sign_up("staffer", "me@acme.example")).await;
    registered(&app, &token, sign_up("subsidiary", "me@eu.acme.example")).await;
}

/// Creates an invite through the API as `token`'s owner.
async fn create_invite(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.post_json_with_token("/api/v1/loggia/invites", token, &body)
        .await
}

#[tokio::test]
async fn invite_links_are_needed_counted_and_expire() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.registrations = Registrations::Invite;
        c.registration_email_domains = vec!["acme.example".into()];
    })
    .await;
    let v1 = app.get("/api/v1/instance").await.json();
    assert_eq!(v1["registrations"], false);
    assert_eq!(v1["invites_enabled"], true);
    let (_, admin) = {
        let admin = app.create_user("boss", "admin").await;
        (admin, app.token("boss", "read write").await)
    };
    let token = app_token(&app).await;

    let response = register(&app, &token, sign_up("walkin", "walkin@acme.example")).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .contains("invite")
    );

    let invite = create_invite(&app, &admin, json!({"max_uses": 1})).await;
    invite.assert_status(StatusCode::OK);
    let invite = invite.json();
    let code = invite["code"].as_str().unwrap().to_owned();
    assert_eq!(
        invite["url"].as_str().unwrap(),
        format!("http://loggia.test/invite/{code}")
    );
    // Invited people may come from outside the allowed domains (a contractor).
    let mut body = sign_up("contractor", "contractor@partner.example");
    body["invite_code"] = json!(code);
    let contractor = registered(&app, &token, body.clone()).await;
    app.get_with_token("/api/v1/accounts/verify_credentials", &contractor)
        .await
        .assert_status(StatusCode::OK);
    // Used up.
    body["username"] = json!("second");
    body["email"] = json!("second@acme.example");
    let response = register(&app, &token, body.clone()).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .contains("used up")
    );

    // Expired.
    let boss = app
        .state
        .store
        .users()
        .by_login("boss")
        .await
        .unwrap()
        .unwrap();
    let expired = app
        .state
        .store
        .invites()
        .insert(
            boss.id,
            "expiredcode",
            None,
            Some(Timestamp::now().plus_seconds(-1)),
        )
        .await
        .unwrap();
    body["invite_code"] = json!(expired.code);
    register(&app, &token, body.clone())
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Unknown.
    body["invite_code"] = json!("no-such-code");
    register(&app, &token, body.clone())
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // Revoked.
    let unlimited = create_invite(&app, &admin, json!({})).await.json();
    let id = unlimited["id"].as_str().unwrap();
    app.send_with_token(
        axum::http::Method::DELETE,
        &format!("/api/v1/loggia/invites/{id}"),
        &admin,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    body["invite_code"] = unlimited["code"].clone();
    register(&app, &token, body.clone())
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // The list shows uses and state.
    let list = app
        .get_with_token("/api/v1/loggia/invites", &admin)
        .await
        .json();
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == json!(code))
        .unwrap();
    assert_eq!(first["uses"], 1);
    assert_eq!(first["usable"], false);
}

#[tokio::test]
async fn employees_invite_only_when_allowed() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.registrations = Registrations::Invite;
    })
    .await;
    let (_, employee) = app.user_with_token("dev").await;
    let response = create_invite(&app, &employee, json!({})).await;
    response.assert_status(StatusCode::FORBIDDEN);

    let app = TestApp::with_config(|c| {
        open(c);
        c.registrations = Registrations::Invite;
        c.employees_can_invite = true;
    })
    .await;
    let (_, employee) = app.user_with_token("dev").await;
    let invite = create_invite(&app, &employee, json!({"max_uses": 5, "expires_in": 86400})).await;
    invite.assert_status(StatusCode::OK);
    let invite = invite.json();
    assert_eq!(invite["max_uses"], 5);
    assert!(invite["expires_at"].is_string());
    let response = create_invite(&app, &employee, json!({"max_uses": 0})).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // The invitee is credited to the employee in the admin API.
    let token = app_token(&app).await;
    let mut body = sign_up("newhire", "newhire@acme.example");
    body["invite_code"] = invite["code"].clone();
    registered(&app, &token, body).await;
    app.create_user("boss", "admin").await;
    let admin = app.token("boss", "read admin:read").await;
    let listed = app
        .get_with_token("/api/v1/admin/accounts?username=newhire", &admin)
        .await
        .json();
    let dev_id = app
        .get_with_token("/api/v1/accounts/lookup?acct=dev", &admin)
        .await
        .json()["id"]
        .clone();
    assert_eq!(listed[0]["invited_by_account_id"], dev_id);
}

#[tokio::test]
async fn approval_holds_accounts_until_an_admin_approves() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.registrations = Registrations::Approval;
    })
    .await;
    assert_eq!(
        app.get("/api/v2/instance").await.json()["registrations"]["approval_required"],
        true
    );
    app.create_user("boss", "admin").await;
    let admin = app.token("boss", "read admin:read admin:write").await;
    let (_, employee) = app.user_with_token("dev").await;
    let token = app_token(&app).await;

    let mut body = sign_up("applicant", "applicant@acme.example");
    body["reason"] = json!("I run the Lisbon office");
    let applicant = registered(&app, &token, body).await;
    let response = app
        .get_with_token("/api/v1/accounts/verify_credentials", &applicant)
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        response.json()["error"],
        "Your login is currently pending approval"
    );
    let rejected = registered(&app, &token, sign_up("spammer", "spam@acme.example")).await;

    // The admin hears about it; an employee does not.
    let notifications = app
        .get_with_token("/api/v1/notifications?types[]=admin.sign_up", &admin)
        .await
        .json();
    let signed_up: Vec<&str> = notifications
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["account"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(signed_up, ["spammer", "applicant"]);
    assert_eq!(notifications[0]["type"], "admin.sign_up");
    let none = app
        .get_with_token("/api/v1/notifications", &employee)
        .await
        .json();
    assert_eq!(none, json!([]));

    // Only managers see the queue.
    app.get_with_token("/api/v1/admin/accounts?pending=true", &employee)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let pending = app
        .get_with_token("/api/v1/admin/accounts?pending=true", &admin)
        .await;
    pending.assert_status(StatusCode::OK);
    let pending = pending.json();
    let usernames: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(usernames, ["spammer", "applicant"]);
    let entry = &pending[1];
    assert_eq!(entry["approved"], false);
    assert_eq!(entry["confirmed"], true);
    assert_eq!(entry["invite_request"], "I run the Lisbon office");
    assert_eq!(entry["email"], "applicant@acme.example");
    crate::common::schema::assert_entity("AdminAccount", entry);
    let v2 = app
        .get_with_token("/api/v2/admin/accounts?status=pending", &admin)
        .await
        .json();
    assert_eq!(v2.as_array().unwrap().len(), 2);

    let id = entry["id"].as_str().unwrap();
    let approved = app
        .post_with_token(&format!("/api/v1/admin/accounts/{id}/approve"), &admin, &[])
        .await;
    approved.assert_status(StatusCode::OK);
    assert_eq!(approved.json()["approved"], true);
    app.get_with_token("/api/v1/accounts/verify_credentials", &applicant)
        .await
        .assert_status(StatusCode::OK);
    // Approving twice is refused.
    app.post_with_token(&format!("/api/v1/admin/accounts/{id}/approve"), &admin, &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let spammer_id = pending[0]["id"].as_str().unwrap();
    app.post_with_token(
        &format!("/api/v1/admin/accounts/{spammer_id}/reject"),
        &admin,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    app.get_with_token("/api/v1/accounts/verify_credentials", &rejected)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    app.get(&format!("/api/v1/accounts/{spammer_id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // The name is free again.
    let pending = app
        .get_with_token("/api/v1/admin/accounts?pending=true", &admin)
        .await
        .json();
    assert_eq!(pending, json!([]));
}

#[tokio::test]
async fn confirmation_mail_arrives_and_its_link_confirms() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.registrations = Registrations::Open;
        c.email_confirmation = true;
        c.smtp_url = url;
        c.smtp_from = "Acme Social <social@acme.example>".into();
    })
    .await;
    let token = app_token(&app).await;
    let user_token = registered(&app, &token, sign_up("newbie", "newbie@acme.example")).await;
    let response = app
        .get_with_token("/api/v1/accounts/verify_credentials", &user_token)
        .await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        response.json()["error"],
        "Your login is missing a confirmed e-mail address"
    );

    let mail = smtp.wait_for("newbie@acme.example").await;
    assert_eq!(mail.from, "social@acme.example");
    assert!(
        mail.data.contains("Subject: Confirm your address"),
        "{}",
        mail.data
    );
    let link = mail.link("/auth/confirmation?confirmation_token=");
    let path = link
        .strip_prefix("http://loggia.test")
        .expect("our own link");
    let page = app.get(path).await;
    page.assert_status(StatusCode::OK);
    assert!(page.text().contains("Address confirmed"));
    app.get_with_token("/api/v1/accounts/verify_credentials", &user_token)
        .await
        .assert_status(StatusCode::OK);
    // A link works once.
    app.get(path).await.assert_status(StatusCode::NOT_FOUND);
    // Confirmed users cannot ask for another mail.
    app.post_with_token("/api/v1/emails/confirmations", &user_token, &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_confirmation_mail_replaces_the_old_link() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.registrations = Registrations::Open;
        c.smtp_url = url;
    })
    .await;
    let token = app_token(&app).await;
    let user_token = registered(&app, &token, sign_up("typo", "tpyo@acme.example")).await;
    let first = smtp.wait_for("tpyo@acme.example").await;
    // The user fixes the address and asks again.
    app.post_with_token(
        "/api/v1/emails/confirmations",
        &user_token,
        &[("email", "typo@acme.example")],
    )
    .await
    .assert_status(StatusCode::OK);
    let second = smtp.wait_for("typo@acme.example").await;
    let old = first.link("confirmation_token=");
    app.get(old.strip_prefix("http://loggia.test").unwrap())
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let new = second.link("confirmation_token=");
    app.get(new.strip_prefix("http://loggia.test").unwrap())
        .await
        .assert_status(StatusCode::OK);
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &user_token)
        .await;
    me.assert_status(StatusCode::OK);
    assert_eq!(smtp.count_to("tpyo@acme.example"), 1);
    let user = app
        .state
        .store
        .users()
        .by_login("typo")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email, "typo@acme.example");
}

#[tokio::test]
async fn sign_ups_per_address_are_limited() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.sign_up_max_per_address = 2;
    })
    .await;
    let token = app_token(&app).await;
    registered(&app, &token, sign_up("first", "first@acme.example")).await;
    // A refused form does not count.
    register(&app, &token, sign_up("admin", "x@acme.example"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    registered(&app, &token, sign_up("second", "second@acme.example")).await;
    let response = register(&app, &token, sign_up("third", "third@acme.example")).await;
    response.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(response.header("retry-after").is_some());
    assert!(
        app.state
            .store
            .users()
            .by_login("third")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn invites_die_with_their_authors_standing() {
    let app = TestApp::with_config(|c| {
        open(c);
        c.registrations = Registrations::Invite;
    })
    .await;
    let boss = app.create_user("boss", "admin").await;
    let invite = app
        .state
        .store
        .invites()
        .insert(boss.user.id, "from-boss", None, None)
        .await
        .unwrap();
    app.state
        .store
        .accounts()
        .set_suspended(boss.account.id, true)
        .await
        .unwrap();
    let token = app_token(&app).await;
    let mut body = sign_up("late", "late@acme.example");
    body["invite_code"] = json!(invite.code);
    let response = register(&app, &token, body).await;
    response.assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admin_search_takes_names_literally() {
    let app = TestApp::new().await;
    app.create_user("boss", "admin").await;
    app.create_user("john_doe", "user").await;
    app.create_user("johnxdoe", "user").await;
    let admin = app.token("boss", "admin:read").await;
    let found = app
        .get_with_token("/api/v1/admin/accounts?username=John_Doe", &admin)
        .await
        .json();
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["john_doe"]);
    let by_mail = app
        .get_with_token("/api/v1/admin/accounts?email=JOHNX", &admin)
        .await
        .json();
    assert_eq!(by_mail[0]["username"], "johnxdoe");
}
