//! Reports: filing them (`POST /api/v1/reports`), the moderators'
//! `admin.report` notifications, Mastodon's admin reports API and
//! Loggia's notes, the audit log of each step, and who may do what.

use axum::http::{Method, StatusCode};
use loggia::model::Page;
use loggia::store::{AuditFilter, UserWithAccount};
use serde_json::{Value, json};

use crate::common::schema::assert_entity;
use crate::common::{TestApp, TestResponse};

/// Users here have a locale, as those who signed up through an app do
/// (`Admin::Account` requires one: test users are created without).
async fn with_locale(app: &TestApp, mut user: UserWithAccount) -> UserWithAccount {
    user.user.locale = Some("en".into());
    app.state
        .store
        .users()
        .save_defaults(&user.user)
        .await
        .unwrap();
    user
}

/// A user with a `read write follow` token.
async fn user(app: &TestApp, username: &str) -> (UserWithAccount, String) {
    let (user, token) = app.user_with_token(username).await;
    (with_locale(app, user).await, token)
}

/// A staff member's token for the admin API.
async fn staff_token(app: &TestApp, username: &str, role: &str) -> String {
    let user = app.create_user(username, role).await;
    with_locale(app, user).await;
    app.token(username, "read write admin:read admin:write")
        .await
}

async fn report(app: &TestApp, token: &str, pairs: &[(&str, &str)]) -> TestResponse {
    app.post_with_token("/api/v1/reports", token, pairs).await
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(id_of).collect()
}

fn error(response: &TestResponse) -> String {
    response.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The audit log's actions about one report, oldest first.
async fn audited(app: &TestApp, report: &str) -> Vec<String> {
    let filter = AuditFilter {
        target_kind: Some("report".into()),
        target_id: Some(report.into()),
        ..AuditFilter::default()
    };
    let page = Page {
        limit: 100,
        ..Page::default()
    };
    let mut entries = app
        .state
        .store
        .audit_log()
        .page(&filter, &page)
        .await
        .unwrap();
    entries.reverse();
    entries.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn filing_a_report_tells_the_moderators() {
    let app = TestApp::new().await;
    let moderator = staff_token(&app, "mod", "moderator").await;
    let reviewer = staff_token(&app, "rev", "reviewer").await;
    let (alice_user, alice) = user(&app, "alice").await;
    let (bob_user, bob) = user(&app, "bob").await;
    let ad = app
        .post_status(&bob, &[("status", "Buy cheap watches")])
        .await;
    let bob_id = bob_user.account.id.to_string();

    let filed = report(
        &app,
        &alice,
        &[
            ("account_id", &bob_id),
            ("status_ids[]", &id_of(&ad)),
            ("comment", "Posting the same ad over and over"),
            ("category", "spam"),
            ("forward", "true"),
        ],
    )
    .await;
    filed.assert_status(StatusCode::OK);
    let filed = filed.json();
    assert_entity("Report", &filed);
    assert_eq!(filed["category"], "spam");
    assert_eq!(filed["comment"], "Posting the same ad over and over");
    assert_eq!(filed["status_ids"], json!([id_of(&ad)]));
    assert_eq!(filed["rule_ids"], Value::Null);
    assert_eq!(filed["action_taken"], false);
    assert_eq!(filed["action_taken_at"], Value::Null);
    // Bob is local: there is no other server to forward to.
    assert_eq!(filed["forwarded"], false);
    assert_eq!(filed["target_account"]["id"], bob_id.as_str());

    // JSON bodies, ids as numbers, no statuses: category `other`.
    let second = app
        .post_json_with_token(
            "/api/v1/reports",
            &alice,
            &json!({ "account_id": bob_user.account.id.0, "status_ids": [] }),
        )
        .await;
    second.assert_status(StatusCode::OK);
    let second = second.json();
    assert_eq!(second["category"], "other");
    assert_eq!(second["status_ids"], json!([]));
    assert_eq!(second["comment"], "");

    // Moderators hear of it; a reviewer (no manage-reports permission),
    // the reporter and the reported do not.
    let notifications = app
        .get_with_token("/api/v1/notifications?types[]=admin.report", &moderator)
        .await
        .assert_status(StatusCode::OK)
        .json();
    let list = notifications.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for n in list {
        assert_entity("Notification", n);
        assert_eq!(n["type"], "admin.report");
        assert_eq!(n["account"]["id"], alice_user.account.id.to_string());
    }
    assert_eq!(list[0]["report"]["id"], second["id"]);
    assert_eq!(list[1]["report"]["id"], filed["id"]);
    assert_eq!(list[1]["report"]["status_ids"], json!([id_of(&ad)]));
    for token in [&reviewer, &alice, &bob] {
        let mine = app
            .get_with_token("/api/v1/notifications?types[]=admin.report", token)
            .await
            .json();
        assert_eq!(mine, json!([]));
    }
    assert_eq!(audited(&app, &id_of(&filed)).await, ["report.created"]);
}

/// Form fields, the status expected, and a part of the error message.
type Case = (Vec<(&'static str, String)>, StatusCode, &'static str);

#[tokio::test]
async fn reports_are_checked() {
    let app = TestApp::new().await;
    let (_, alice) = user(&app, "alice").await;
    let (bob_user, bob) = user(&app, "bob").await;
    let bob_id = bob_user.account.id.to_string();
    let hers = app.post_status(&alice, &[("status", "mine")]).await;
    let private = app
        .post_status(
            &bob,
            &[("status", "followers only"), ("visibility", "private")],
        )
        .await;

    let cases: Vec<Case> = vec![
        (
            vec![],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Account can't be blank",
        ),
        (
            vec![("account_id", "123456".into())],
            StatusCode::NOT_FOUND,
            "Record not found",
        ),
        (
            vec![
                ("account_id", bob_id.clone()),
                ("status_ids[]", id_of(&hers)),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "is not by the reported account",
        ),
        // A post the reporter cannot see is as good as missing.
        (
            vec![
                ("account_id", bob_id.clone()),
                ("status_ids[]", id_of(&private)),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "was not found",
        ),
        (
            vec![
                ("account_id", bob_id.clone()),
                ("status_ids[]", "not-an-id".into()),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "was not found",
        ),
        (
            vec![
                ("account_id", bob_id.clone()),
                ("comment", "x".repeat(1001)),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Comment is too long (maximum is 1000 characters)",
        ),
        (
            vec![("account_id", bob_id.clone()), ("category", "rude".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Category \"rude\" is not one of spam, legal, violation, other",
        ),
        // Citing rules makes a violation; this server has no rules yet.
        (
            vec![("account_id", bob_id.clone()), ("rule_ids[]", "1".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rule ids must name rules of this server",
        ),
        (
            vec![
                ("account_id", bob_id.clone()),
                ("category", "violation".into()),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rule ids must name rules of this server",
        ),
    ];
    for (pairs, status, message) in cases {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = report(&app, &alice, &pairs).await;
        assert_eq!(response.status, status, "{pairs:?}: {}", response.text());
        assert!(
            error(&response).contains(message),
            "{pairs:?}: {}",
            response.text()
        );
    }
    // Exactly 1000 characters are fine.
    report(
        &app,
        &alice,
        &[("account_id", &bob_id), ("comment", &"x".repeat(1000))],
    )
    .await
    .assert_status(StatusCode::OK);
    // Nobody reports themselves.
    let me = report(&app, &bob, &[("account_id", &bob_id)]).await;
    me.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&me), "Validation failed: You cannot report yourself");
    // The scope is write:reports.
    let read_only = app.token("alice", "read").await;
    report(&app, &read_only, &[("account_id", &bob_id)])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let narrow = app.token("alice", "write:reports").await;
    report(&app, &narrow, &[("account_id", &bob_id)])
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn moderators_list_and_page_reports() {
    let app = TestApp::new().await;
    let moderator = staff_token(&app, "mod", "moderator").await;
    let (alice_user, alice) = user(&app, "alice").await;
    let (carol_user, carol) = user(&app, "carol").await;
    let (bob_user, bob) = user(&app, "bob").await;
    let (dan_user, _) = user(&app, "dan").await;
    let post = app.post_status(&bob, &[("status", "offensive")]).await;
    let bob_id = bob_user.account.id.to_string();
    let dan_id = dan_user.account.id.to_string();

    let mut filed = Vec::new();
    for (token, target) in [
        (&alice, &bob_id),
        (&carol, &bob_id),
        (&alice, &dan_id),
        (&carol, &dan_id),
    ] {
        let mut pairs = vec![("account_id", target.as_str())];
        let status = id_of(&post);
        if target == &bob_id {
            pairs.push(("status_ids[]", &status));
        }
        let response = report(&app, token, &pairs).await;
        response.assert_status(StatusCode::OK);
        filed.push(id_of(&response.json()));
    }
    filed.reverse(); // newest first

    let all = app
        .get_with_token("/api/v1/admin/reports", &moderator)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(ids(&all), filed);
    let oldest = &all[3];
    assert_entity("AdminReport", oldest);
    assert_eq!(oldest["account"]["id"], alice_user.account.id.to_string());
    assert_eq!(oldest["account"]["account"]["username"], "alice");
    assert_eq!(oldest["target_account"]["id"], bob_id.as_str());
    assert_eq!(oldest["statuses"][0]["id"], post["id"]);
    assert_eq!(oldest["statuses"][0]["content"], "<p>offensive</p>");
    assert_eq!(oldest["rules"], json!([]));
    assert_eq!(oldest["assigned_account"], Value::Null);
    assert_eq!(oldest["action_taken_by_account"], Value::Null);
    assert_eq!(oldest["updated_at"], oldest["created_at"]);

    // Filters.
    let by_carol = app
        .get_with_token(
            &format!("/api/v1/admin/reports?account_id={}", carol_user.account.id),
            &moderator,
        )
        .await
        .json();
    assert_eq!(ids(&by_carol), [filed[0].clone(), filed[2].clone()]);
    let about_dan = app
        .get_with_token(
            &format!("/api/v1/admin/reports?target_account_id={dan_id}"),
            &moderator,
        )
        .await
        .json();
    assert_eq!(ids(&about_dan), filed[..2]);
    let both = app
        .get_with_token(
            &format!(
                "/api/v1/admin/reports?account_id={}&target_account_id={bob_id}",
                alice_user.account.id
            ),
            &moderator,
        )
        .await
        .json();
    assert_eq!(ids(&both), [filed[3].clone()]);
    let nobody = app
        .get_with_token("/api/v1/admin/reports?account_id=nonsense", &moderator)
        .await
        .json();
    assert_eq!(nobody, json!([]));

    // Pages of two, with Link headers.
    let first = app
        .get_with_token("/api/v1/admin/reports?limit=2", &moderator)
        .await;
    assert_eq!(ids(&first.json()), filed[..2]);
    let link = first.header("link").expect("a Link header");
    assert!(link.contains(&format!("max_id={}", filed[1])), "{link}");
    assert!(link.contains(&format!("min_id={}", filed[0])), "{link}");
    let next = app
        .get_with_token(
            &format!("/api/v1/admin/reports?limit=2&max_id={}", filed[1]),
            &moderator,
        )
        .await
        .json();
    assert_eq!(ids(&next), filed[2..]);
    let previous = app
        .get_with_token(
            &format!("/api/v1/admin/reports?limit=2&min_id={}", filed[2]),
            &moderator,
        )
        .await
        .json();
    assert_eq!(ids(&previous), filed[..2]);
}

#[tokio::test]
async fn moderators_assign_resolve_reopen_and_annotate() {
    let app = TestApp::new().await;
    let moderator = staff_token(&app, "mod", "moderator").await;
    let other_moderator = staff_token(&app, "mod2", "moderator").await;
    let admin = staff_token(&app, "boss", "admin").await;
    let (_, alice) = user(&app, "alice").await;
    let (bob_user, _) = user(&app, "bob").await;
    let filed = report(
        &app,
        &alice,
        &[
            ("account_id", &bob_user.account.id.to_string()),
            ("category", "spam"),
        ],
    )
    .await
    .json();
    let id = id_of(&filed);
    let path = |action: &str| format!("/api/v1/admin/reports/{id}{action}");
    let mod_id = app
        .get_with_token("/api/v1/accounts/verify_credentials", &moderator)
        .await
        .json()["id"]
        .clone();

    let assigned = app
        .post_with_token(&path("/assign_to_self"), &moderator, &[])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("AdminReport", &assigned);
    assert_eq!(assigned["assigned_account"]["id"], mod_id);
    assert_eq!(assigned["assigned_account"]["account"]["username"], "mod");
    let unassigned = app
        .post_with_token(&path("/unassign"), &moderator, &[])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(unassigned["assigned_account"], Value::Null);

    // Recategorize; rules cannot be cited while the server has none.
    let updated = app
        .send_with_token(Method::PUT, &path(""), &moderator, &[("category", "legal")])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(updated["category"], "legal");
    let refused = app
        .send_with_token(Method::PUT, &path(""), &moderator, &[("rule_ids[]", "3")])
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let refused = app
        .send_with_token(Method::PUT, &path(""), &moderator, &[("category", "rude")])
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    let resolved = app
        .post_with_token(&path("/resolve"), &moderator, &[])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("AdminReport", &resolved);
    assert_eq!(resolved["action_taken"], true);
    assert!(resolved["action_taken_at"].is_string());
    assert_eq!(resolved["action_taken_by_account"]["id"], mod_id);
    // Resolved reports leave the default list, and are listed on request.
    let open = app
        .get_with_token("/api/v1/admin/reports", &moderator)
        .await
        .json();
    assert_eq!(open, json!([]));
    let done = app
        .get_with_token("/api/v1/admin/reports?resolved=true", &moderator)
        .await
        .json();
    assert_eq!(ids(&done), std::slice::from_ref(&id));
    // The notification's report shows the outcome.
    let notification = app
        .get_with_token("/api/v1/notifications?types[]=admin.report", &moderator)
        .await
        .json();
    assert_eq!(notification[0]["report"]["action_taken"], true);

    let reopened = app
        .post_with_token(&path("/reopen"), &moderator, &[])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(reopened["action_taken"], false);
    assert_eq!(reopened["action_taken_at"], Value::Null);
    assert_eq!(reopened["action_taken_by_account"], Value::Null);
    let shown = app
        .get_with_token(&path(""), &moderator)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("AdminReport", &shown);
    assert_eq!(shown["category"], "legal");

    // Notes: added, listed, deleted by their author or an administrator.
    let notes = format!("/api/v1/loggia/admin/reports/{id}/notes");
    let note = app
        .post_with_token(&notes, &moderator, &[("content", "Asked Bob about it")])
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(note["content"], "Asked Bob about it");
    assert_eq!(note["account"]["username"], "mod");
    assert_eq!(note["report_id"], id.as_str());
    let second = app
        .post_json_with_token(&notes, &other_moderator, &json!({"content": "Seen it"}))
        .await
        .assert_status(StatusCode::OK)
        .json();
    app.post_with_token(&notes, &moderator, &[("content", "  ")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let listed = app.get_with_token(&notes, &moderator).await.json();
    assert_eq!(ids(&listed), [id_of(&note), id_of(&second)]);

    let note_path = |note: &Value| format!("{notes}/{}", id_of(note));
    let not_mine = app
        .send_with_token(Method::DELETE, &note_path(&note), &other_moderator, &[])
        .await;
    not_mine.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        not_mine.json(),
        json!({"error": "This action is not allowed"})
    );
    app.send_with_token(Method::DELETE, &note_path(&note), &moderator, &[])
        .await
        .assert_status(StatusCode::OK);
    app.send_with_token(Method::DELETE, &note_path(&second), &admin, &[])
        .await
        .assert_status(StatusCode::OK);
    app.send_with_token(Method::DELETE, &note_path(&second), &admin, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_with_token(&notes, &moderator).await.json(),
        json!([])
    );

    // Unknown reports are not found.
    app.post_with_token("/api/v1/admin/reports/12345/resolve", &moderator, &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get_with_token("/api/v1/loggia/admin/reports/12345/notes", &moderator)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    assert_eq!(
        audited(&app, &id).await,
        [
            "report.created",
            "report.assigned",
            "report.unassigned",
            "report.updated",
            "report.resolved",
            "report.reopened",
            "report.note_added",
            "report.note_added",
            "report.note_deleted",
            "report.note_deleted",
        ]
    );
}

#[tokio::test]
async fn only_staff_who_manage_reports_see_them() {
    let app = TestApp::new().await;
    let (_, alice) = user(&app, "alice").await;
    let (bob_user, _) = user(&app, "bob").await;
    let filed = report(
        &app,
        &alice,
        &[("account_id", &bob_user.account.id.to_string())],
    )
    .await
    .json();
    let id = id_of(&filed);
    // A plain user, and a reviewer, with the admin scopes: not allowed.
    let plain = app
        .token("alice", "read write admin:read admin:write")
        .await;
    let reviewer = staff_token(&app, "rev", "reviewer").await;
    for token in [&plain, &reviewer] {
        for response in [
            app.get_with_token("/api/v1/admin/reports", token).await,
            app.get_with_token(&format!("/api/v1/admin/reports/{id}"), token)
                .await,
            app.post_with_token(&format!("/api/v1/admin/reports/{id}/resolve"), token, &[])
                .await,
            app.post_with_token(
                &format!("/api/v1/admin/reports/{id}/assign_to_self"),
                token,
                &[],
            )
            .await,
            app.send_with_token(
                Method::PUT,
                &format!("/api/v1/admin/reports/{id}"),
                token,
                &[("category", "spam")],
            )
            .await,
            app.get_with_token(&format!("/api/v1/loggia/admin/reports/{id}/notes"), token)
                .await,
            app.post_with_token(
                &format!("/api/v1/loggia/admin/reports/{id}/notes"),
                token,
                &[("content", "hm")],
            )
            .await,
        ] {
            response.assert_status(StatusCode::FORBIDDEN);
            assert_eq!(
                response.json(),
                json!({"error": "This action is not allowed"})
            );
        }
    }
    // A moderator's token without the admin scopes is out of scope.
    app.create_user("mod", "moderator").await;
    let unscoped = app.token("mod", "read write").await;
    let response = app.get_with_token("/api/v1/admin/reports", &unscoped).await;
    response.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        error(&response),
        "This action is outside the authorized scopes"
    );
    let narrow = app.token("mod", "admin:read:reports").await;
    app.get_with_token("/api/v1/admin/reports", &narrow)
        .await
        .assert_status(StatusCode::OK);
    app.post_with_token(&format!("/api/v1/admin/reports/{id}/resolve"), &narrow, &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Nothing was changed by the refusals.
    assert_eq!(audited(&app, &id).await, ["report.created"]);
}
