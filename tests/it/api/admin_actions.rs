//! Actions against accounts through Mastodon's admin API (warn, sensitive,
//! disable, silence, suspend and their undoing), who may take them, the
//! audit log they leave, remote accounts in the admin list, and Loggia's
//! role and team changes.

use axum::http::{Method, StatusCode};
use loggia::model::{Account, AccountId, Page, Timestamp};
use loggia::store::{AuditEntry, AuditFilter, RemoteAccount};
use serde_json::Value;

use crate::common::schema::assert_entity;
use crate::common::{PASSWORD, TestApp, TestResponse};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// An app with an admin; returns the admin's token.
async fn with_admin() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.create_user("boss", "admin").await;
    let token = app.token("boss", ADMIN_SCOPES).await;
    (app, token)
}

/// A staff member (or anyone) with an admin-scoped token.
async fn staff(app: &TestApp, username: &str, role: &str) -> (AccountId, String) {
    let user = app.create_user(username, role).await;
    (user.account.id, app.token(username, ADMIN_SCOPES).await)
}

async fn remote_account(app: &TestApp, username: &str, domain: &str) -> Account {
    app.state
        .store
        .accounts()
        .upsert_remote(&RemoteAccount {
            username: username.into(),
            domain: domain.into(),
            actor_type: "Person".into(),
            uri: format!("https://{domain}/users/{username}"),
            inbox_url: format!("https://{domain}/users/{username}/inbox"),
            shared_inbox_url: Some(format!("https://{domain}/inbox")),
            fields: "[]".into(),
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn act(app: &TestApp, token: &str, id: AccountId, form: &[(&str, &str)]) -> TestResponse {
    app.post_with_token(
        &format!("/api/v1/admin/accounts/{}/action", id.0),
        token,
        form,
    )
    .await
}

async fn undo(app: &TestApp, token: &str, id: AccountId, what: &str) -> Value {
    let response = app
        .post_with_token(
            &format!("/api/v1/admin/accounts/{}/{what}", id.0),
            token,
            &[],
        )
        .await;
    response.assert_status(StatusCode::OK);
    let entity = response.json();
    assert_entity("AdminAccount", &entity);
    entity
}

async fn show(app: &TestApp, token: &str, id: AccountId) -> Value {
    let response = app
        .get_with_token(&format!("/api/v1/admin/accounts/{}", id.0), token)
        .await;
    response.assert_status(StatusCode::OK);
    let entity = response.json();
    assert_entity("AdminAccount", &entity);
    entity
}

/// Audit entries about an account, newest first.
async fn audit(app: &TestApp, id: AccountId) -> Vec<AuditEntry> {
    app.state
        .store
        .audit_log()
        .page(
            &AuditFilter {
                target_kind: Some("account".into()),
                target_id: Some(id.0.to_string()),
                ..Default::default()
            },
            &Page {
                limit: 50,
                ..Page::default()
            },
        )
        .await
        .unwrap()
}

fn actions(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.action.as_str()).collect()
}

async fn follow(app: &TestApp, token: &str, id: AccountId) {
    app.post_with_token(&format!("/api/v1/accounts/{}/follow", id.0), token, &[])
        .await
        .assert_status(StatusCode::OK);
}

async fn account(app: &TestApp, id: AccountId) -> Account {
    app.state.store.accounts().by_id(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn suspending_a_local_user_cuts_them_off_until_unsuspended() {
    let (app, admin) = with_admin().await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let (bob, bob_token) = app.user_with_token("bob").await;
    follow(&app, &bob_token, alice.account.id).await;
    follow(&app, &alice_token, bob.account.id).await;
    // Something alice queued for another server.
    let store = &app.state.store;
    store
        .deliveries()
        .enqueue(
            alice.account.id,
            "{}",
            &[(
                "https://partner.example/inbox".into(),
                "partner.example".into(),
            )],
            Timestamp::now().plus_seconds(3600),
        )
        .await
        .unwrap();
    assert_eq!(store.deliveries().pending(None).await.unwrap(), 1);
    let report = app
        .post_with_token(
            "/api/v1/reports",
            &bob_token,
            &[
                ("account_id", &alice.account.id.0.to_string()),
                ("comment", "roadmap"),
            ],
        )
        .await;
    report.assert_status(StatusCode::OK);
    let report_id = report.json()["id"].as_str().unwrap().to_owned();
    // An unknown report is Mastodon's 404, and nothing happens.
    act(
        &app,
        &admin,
        alice.account.id,
        &[("type", "suspend"), ("report_id", "4242")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);

    let response = act(
        &app,
        &admin,
        alice.account.id,
        &[
            ("type", "suspend"),
            ("text", "Leaked the roadmap"),
            ("report_id", &report_id),
            ("send_email_notification", "true"),
        ],
    )
    .await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.json(), serde_json::json!({}));

    // Her token stops working, and so does signing in.
    let refused = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice_token)
        .await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"], "Your login is currently disabled");
    let entity = show(&app, &admin, alice.account.id).await;
    assert_eq!(entity["suspended"], true);
    assert_eq!(entity["silenced"], false);

    // Follows both ways are gone, with the counters.
    let bob_now = account(&app, bob.account.id).await;
    assert_eq!((bob_now.followers_count, bob_now.following_count), (0, 0));
    let alice_now = account(&app, alice.account.id).await;
    assert_eq!(
        (alice_now.followers_count, alice_now.following_count),
        (0, 0)
    );
    let relationship = store
        .follows()
        .relationship(bob.account.id, alice.account.id)
        .await
        .unwrap();
    assert!(!relationship.following && !relationship.followed_by);
    assert_eq!(store.deliveries().pending(None).await.unwrap(), 0);

    let entries = audit(&app, alice.account.id).await;
    assert_eq!(actions(&entries), ["account.suspended"]);
    let entry = &entries[0];
    assert_eq!(entry.actor, "boss");
    assert!(entry.actor_account_id.is_some());
    assert_eq!(entry.reason, "Leaked the roadmap");
    let details: Value = serde_json::from_str(&entry.details).unwrap();
    assert_eq!(details["report_id"], report_id.as_str());
    assert_eq!(details["severed_follows"], 2);
    assert_eq!(details["send_email_notification"], true);

    let entity = undo(&app, &admin, alice.account.id, "unsuspend").await;
    assert_eq!(entity["suspended"], false);
    app.get_with_token("/api/v1/accounts/verify_credentials", &alice_token)
        .await
        .assert_status(StatusCode::OK);
    // Undoing what is not there changes nothing and records nothing.
    undo(&app, &admin, alice.account.id, "unsuspend").await;
    assert_eq!(
        actions(&audit(&app, alice.account.id).await),
        ["account.unsuspended", "account.suspended"]
    );
}

#[tokio::test]
async fn silence_and_sensitive_marks_come_and_go() {
    let (app, admin) = with_admin().await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let id = alice.account.id;

    act(&app, &admin, id, &[("type", "silence")])
        .await
        .assert_status(StatusCode::OK);
    let entity = show(&app, &admin, id).await;
    assert_eq!(entity["silenced"], true);
    // A silenced user still signs in and posts.
    app.get_with_token("/api/v1/accounts/verify_credentials", &alice_token)
        .await
        .assert_status(StatusCode::OK);
    let silenced = app
        .get_with_token("/api/v1/admin/accounts?silenced=true", &admin)
        .await
        .json();
    assert_eq!(silenced.as_array().unwrap().len(), 1);
    assert_eq!(undo(&app, &admin, id, "unsilence").await["silenced"], false);

    act(&app, &admin, id, &[("type", "sensitive")])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(show(&app, &admin, id).await["sensitized"], true);
    assert_eq!(
        undo(&app, &admin, id, "unsensitive").await["sensitized"],
        false
    );

    act(
        &app,
        &admin,
        id,
        &[("type", "none"), ("text", "Mind the tone")],
    )
    .await
    .assert_status(StatusCode::OK);
    // A warning without words or report leaves nothing to record.
    act(&app, &admin, id, &[("type", "none")])
        .await
        .assert_status(StatusCode::OK);
    let entries = audit(&app, id).await;
    assert_eq!(
        actions(&entries),
        [
            "account.warned",
            "account.unsensitized",
            "account.sensitized",
            "account.unsilenced",
            "account.silenced"
        ]
    );
    assert_eq!(entries[0].reason, "Mind the tone");
}

#[tokio::test]
async fn disabling_a_login_refuses_sign_in_and_tokens() {
    let (app, admin) = with_admin().await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let id = alice.account.id;
    act(&app, &admin, id, &[("type", "disable")])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(show(&app, &admin, id).await["disabled"], true);

    let refused = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice_token)
        .await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"], "Your login is currently disabled");
    let (client_id, client_secret) = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let grant = [
        ("grant_type", "password"),
        ("client_id", client_id.as_str()),
        ("client_secret", client_secret.as_str()),
        ("username", "alice"),
        ("password", PASSWORD),
        ("scope", "read"),
    ];
    let denied = app.post_form("/oauth/token", &grant).await;
    assert!(denied.status.is_client_error(), "{}", denied.text());
    assert!(denied.text().contains("disabled"), "{}", denied.text());

    let entity = undo(&app, &admin, id, "enable").await;
    assert_eq!(entity["disabled"], false);
    app.get_with_token("/api/v1/accounts/verify_credentials", &alice_token)
        .await
        .assert_status(StatusCode::OK);
    app.post_form("/oauth/token", &grant)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        actions(&audit(&app, id).await),
        ["account.enabled", "account.disabled"]
    );
}

#[tokio::test]
async fn only_managers_act_and_never_on_those_above_them() {
    let (app, admin) = with_admin().await;
    let boss = app
        .state
        .store
        .accounts()
        .local_by_username("boss")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (other_admin, _) = staff(&app, "chief", "admin").await;
    let (moderator, moderator_token) = staff(&app, "mod1", "moderator").await;
    let (other_moderator, _) = staff(&app, "mod2", "moderator").await;
    let (alice, alice_token) = staff(&app, "alice", "user").await;
    let (_, reviewer_token) = staff(&app, "rita", "reviewer").await;
    let suspend = [("type", "suspend")];

    // Plain users and reviewers lack the permission, whatever their scopes.
    for token in [&alice_token, &reviewer_token] {
        act(&app, token, moderator, &suspend)
            .await
            .assert_status(StatusCode::FORBIDDEN);
        app.post_with_token(
            &format!("/api/v1/admin/accounts/{}/unsilence", alice.0),
            token,
            &[],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    }
    // Moderators may not act on administrators or on each other.
    for target in [boss, other_admin, other_moderator, moderator] {
        let refused = act(&app, &moderator_token, target, &suspend).await;
        refused.assert_status(StatusCode::FORBIDDEN);
        assert_eq!(refused.json()["error"], "This action is not allowed");
    }
    act(&app, &moderator_token, alice, &[("type", "silence")])
        .await
        .assert_status(StatusCode::OK);
    // Administrators act on anyone but themselves.
    act(&app, &admin, other_admin, &[("type", "sensitive")])
        .await
        .assert_status(StatusCode::OK);
    act(&app, &admin, boss, &suspend)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    // A token without the admin scope is out of scope.
    let plain = app.token("boss", "read write").await;
    act(&app, &plain, alice, &suspend)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Unknown types, accounts, presets.
    act(&app, &admin, alice, &[("type", "obliterate")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    act(&app, &admin, alice, &[])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    act(&app, &admin, AccountId(12345), &suspend)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    act(
        &app,
        &admin,
        alice,
        &[("type", "none"), ("warning_preset_id", "3")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    // The instance actor is nobody to act on.
    act(&app, &admin, app.state.instance_actor.id, &suspend)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    assert!(audit(&app, boss).await.is_empty());
    assert_eq!(actions(&audit(&app, alice).await), ["account.silenced"]);
    assert_eq!(audit(&app, alice).await[0].actor, "mod1");
}

#[tokio::test]
async fn remote_accounts_are_listed_shown_and_suspended() {
    let (app, admin) = with_admin().await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let mallory = remote_account(&app, "mallory", "evil.example").await;
    let friend = remote_account(&app, "friend", "partner.example").await;
    let store = &app.state.store;

    let listed = app
        .get_with_token("/api/v1/admin/accounts?remote=true", &admin)
        .await;
    listed.assert_status(StatusCode::OK);
    let listed = listed.json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["friend", "mallory"]);
    let entry = &listed[1];
    assert_entity("AdminAccount", entry);
    assert_eq!(entry["domain"], "evil.example");
    assert_eq!(entry["email"], "");
    assert_eq!(entry["ip"], Value::Null);
    assert_eq!(entry["ips"], serde_json::json!([]));
    assert_eq!(entry["account"]["acct"], "mallory@evil.example");
    let by_domain = app
        .get_with_token(
            "/api/v2/admin/accounts?origin=remote&by_domain=evil.example",
            &admin,
        )
        .await
        .json();
    assert_eq!(by_domain.as_array().unwrap().len(), 1);
    assert_eq!(by_domain[0]["id"], mallory.id.0.to_string());
    // Local lists hold no remote accounts, and the other way round.
    let local = app
        .get_with_token("/api/v1/admin/accounts", &admin)
        .await
        .json();
    assert!(
        local
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["domain"].is_null())
    );
    let pending_remote = app
        .get_with_token(
            "/api/v2/admin/accounts?origin=remote&status=pending",
            &admin,
        )
        .await
        .json();
    assert_eq!(pending_remote, serde_json::json!([]));
    assert_eq!(
        show(&app, &admin, friend.id).await["domain"],
        "partner.example"
    );

    // mallory follows alice, alice follows mallory; something waits for
    // mallory's inbox and something for the partner's shared inbox.
    store
        .follows()
        .follow(
            mallory.id,
            alice.account.id,
            loggia::store::FollowOptions {
                show_reblogs: true,
                notify: false,
                uri: None,
            },
        )
        .await
        .unwrap();
    store
        .accounts()
        .add_to_counts(alice.account.id, 1, 0, 0)
        .await
        .unwrap();
    follow(&app, &alice_token, mallory.id).await;
    for inbox in [
        "https://evil.example/users/mallory/inbox",
        "https://partner.example/inbox",
    ] {
        store
            .deliveries()
            .enqueue(
                alice.account.id,
                "{}",
                &[(
                    inbox.into(),
                    url::Url::parse(inbox).unwrap().host_str().unwrap().into(),
                )],
                Timestamp::now().plus_seconds(3600),
            )
            .await
            .unwrap();
    }

    // Disabling needs a login: remote accounts have none.
    act(&app, &admin, mallory.id, &[("type", "disable")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.post_with_token(
        &format!("/api/v1/admin/accounts/{}/enable", mallory.id.0),
        &admin,
        &[],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);

    act(&app, &admin, mallory.id, &[("type", "suspend")])
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(show(&app, &admin, mallory.id).await["suspended"], true);
    let relationship = store
        .follows()
        .relationship(alice.account.id, mallory.id)
        .await
        .unwrap();
    assert!(!relationship.following && !relationship.followed_by && !relationship.requested);
    let alice_now = account(&app, alice.account.id).await;
    assert_eq!(alice_now.followers_count, 0);
    assert_eq!(
        store
            .deliveries()
            .pending(Some("evil.example"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .deliveries()
            .pending(Some("partner.example"))
            .await
            .unwrap(),
        1
    );
    let suspended = app
        .get_with_token(
            "/api/v2/admin/accounts?origin=remote&status=suspended",
            &admin,
        )
        .await
        .json();
    assert_eq!(suspended.as_array().unwrap().len(), 1);
    assert_eq!(
        actions(&audit(&app, mallory.id).await),
        ["account.suspended"]
    );
}

async fn patch(app: &TestApp, token: &str, id: AccountId, form: &[(&str, &str)]) -> TestResponse {
    app.send_with_token(
        Method::PATCH,
        &format!("/api/v1/loggia/admin/accounts/{}", id.0),
        token,
        form,
    )
    .await
}

#[tokio::test]
async fn roles_and_teams_are_changed_by_those_allowed_to() {
    let (app, admin) = with_admin().await;
    let (alice, _) = staff(&app, "alice", "user").await;
    let (moderator, moderator_token) = staff(&app, "mod1", "moderator").await;

    let response = patch(
        &app,
        &admin,
        alice,
        &[("role", "moderator"), ("team", " Sales ")],
    )
    .await;
    response.assert_status(StatusCode::OK);
    let entity = response.json();
    assert_entity("AdminAccount", &entity);
    assert_eq!(entity["role"]["name"], "moderator");
    assert_eq!(entity["loggia_team"], "Sales");
    let entries = audit(&app, alice).await;
    assert_eq!(
        actions(&entries),
        ["account.team_changed", "account.role_changed"]
    );
    let role: Value = serde_json::from_str(&entries[1].details).unwrap();
    assert_eq!(
        (role["from"].as_str(), role["to"].as_str()),
        (Some("user"), Some("moderator"))
    );

    // Only administrators grant staff roles; moderators handle those below.
    let (bob, _) = staff(&app, "bob", "user").await;
    for role in ["moderator", "admin"] {
        patch(&app, &moderator_token, bob, &[("role", role)])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    let response = patch(&app, &moderator_token, bob, &[("role", "reviewer")]).await;
    response.assert_status(StatusCode::OK);
    assert_eq!(response.json()["role"]["name"], "reviewer");
    // Teams decide who publishes without review: moving people between
    // them takes the manage-settings permission, which moderators lack.
    patch(&app, &moderator_token, bob, &[("team", "Legal")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Not their peers, not their own role, not their own team.
    patch(&app, &moderator_token, alice, &[("team", "Ops")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    patch(&app, &moderator_token, moderator, &[("role", "user")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    patch(
        &app,
        &moderator_token,
        moderator,
        &[("team", "Trust & Safety")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);

    // An empty team clears it; unknown roles are refused; remote accounts
    // have no role to change.
    let cleared = patch(&app, &admin, alice, &[("team", "")]).await.json();
    assert_eq!(cleared["loggia_team"], Value::Null);
    patch(&app, &admin, alice, &[("role", "owner")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let remote = remote_account(&app, "mallory", "evil.example").await;
    patch(&app, &admin, remote.id, &[("team", "x")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // bob, a reviewer now, may not manage users.
    let reviewer = app.token("bob", ADMIN_SCOPES).await;
    patch(&app, &reviewer, alice, &[("team", "x")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        actions(&audit(&app, alice).await),
        [
            "account.team_changed",
            "account.team_changed",
            "account.role_changed"
        ]
    );
}
