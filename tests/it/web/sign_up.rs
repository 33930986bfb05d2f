//! The sign-up page: errors shown per field, the confirmation mail through a
//! real SMTP server, invite links, and signing in afterwards.

use axum::http::StatusCode;
use loggia::config::Registrations;

use super::{Browser, hidden_field};
use crate::common::TestApp;
use crate::common::smtp::SmtpSink;

const NEW_PASSWORD: &str = "a long enough password";

#[tokio::test]
async fn sign_up_page_confirm_by_mail_then_sign_in() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.registrations = Registrations::Open;
        c.smtp_url = url;
        c.registration_email_domains = vec!["acme.example".into()];
    })
    .await;
    let mut browser = Browser::default();
    let sign_in = browser.get(&app, "/auth/sign_in").await.text();
    assert!(sign_in.contains("href=\"/auth/sign_up\""), "{sign_in}");
    let page = browser.get(&app, "/auth/sign_up").await;
    page.assert_status(StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Use your work address (at acme.example)"));
    let csrf = hidden_field(&html, "csrf_token");

    // Mistakes are shown next to their fields, and what was typed is kept.
    let response = browser
        .post(
            &app,
            "/auth/sign_up",
            &[
                ("csrf_token", &csrf),
                ("username", "newbie"),
                ("email", "newbie@gmail.example"),
                ("password", "short"),
            ],
        )
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text();
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("is not in an allowed domain"));
    assert!(html.contains("Password is too short"));
    assert!(html.contains("id=\"agreement-error\""));
    assert!(html.contains("value=\"newbie\""));

    // Without the form's token nothing happens.
    let forged = browser
        .post(
            &app,
            "/auth/sign_up",
            &[
                ("csrf_token", "forged"),
                ("username", "newbie"),
                ("email", "newbie@acme.example"),
                ("password", NEW_PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    forged.assert_status(StatusCode::FORBIDDEN);

    let csrf = hidden_field(&html, "csrf_token");
    let done = browser
        .post(
            &app,
            "/auth/sign_up",
            &[
                ("csrf_token", &csrf),
                ("username", "newbie"),
                ("email", "newbie@acme.example"),
                ("password", NEW_PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    done.assert_status(StatusCode::CREATED);
    assert!(done.text().contains("We sent a confirmation link"));

    // Signing in before confirming says why it fails.
    let page = browser.get(&app, "/auth/sign_in").await.text();
    let csrf = hidden_field(&page, "csrf_token");
    let refused = browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "newbie"),
                ("password", NEW_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .contains("missing a confirmed e-mail address")
    );

    // Having proved the password, they get a fresh link: the first dies.
    assert!(refused.text().contains("We sent a new confirmation link"));
    let mail = smtp.wait_for_nth("newbie@acme.example", 2).await;
    let first = smtp.all_to("newbie@acme.example").remove(0);
    let stale = first.link("confirmation_token=");
    browser
        .get(&app, stale.strip_prefix("http://loggia.test").unwrap())
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let link = mail.link("confirmation_token=");
    let confirmed = browser
        .get(&app, link.strip_prefix("http://loggia.test").unwrap())
        .await;
    confirmed.assert_status(StatusCode::OK);
    assert!(confirmed.text().contains("You can sign in now"));

    let page = browser.get(&app, "/auth/sign_in").await.text();
    let csrf = hidden_field(&page, "csrf_token");
    browser
        .post(
            &app,
            "/auth/sign_in",
            &[
                ("login", "newbie"),
                ("password", NEW_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn invite_links_open_the_form_in_invite_mode() {
    let app = TestApp::with_config(|c| {
        c.registrations = Registrations::Invite;
        c.email_confirmation = false;
    })
    .await;
    let mut browser = Browser::default();
    browser
        .get(&app, "/auth/sign_up")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let boss = app.create_user("boss", "admin").await;
    let invite = app
        .state
        .store
        .invites()
        .insert(boss.user.id, "welcome123", Some(1), None)
        .await
        .unwrap();
    let redirect = browser.get(&app, &format!("/invite/{}", invite.code)).await;
    redirect.assert_status(StatusCode::SEE_OTHER);
    let location = redirect.header("location").unwrap();
    assert_eq!(location, "/auth/sign_up?invite=welcome123");
    let page = browser.get(&app, &location).await;
    page.assert_status(StatusCode::OK);
    let html = page.text();
    assert_eq!(hidden_field(&html, "invite"), "welcome123");
    let csrf = hidden_field(&html, "csrf_token");
    let done = browser
        .post(
            &app,
            "/auth/sign_up",
            &[
                ("csrf_token", &csrf),
                ("invite", "welcome123"),
                ("username", "guest"),
                ("email", "guest@partner.example"),
                ("password", NEW_PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    done.assert_status(StatusCode::CREATED);
    assert!(done.text().contains("Your account is ready"));
    // The one use is spent: the link now explains itself.
    let used = browser.get(&app, &location).await;
    used.assert_status(StatusCode::FORBIDDEN);
    assert!(used.text().contains("expired or has been used up"));
}
