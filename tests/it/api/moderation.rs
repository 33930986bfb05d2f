//! Brand safety and moderation through the API on one instance: rules
//! (hold, reject, rewrite), the organisation mode, the review queue, domain
//! blocks and allows, the federation mode and the audit log. Deliveries to
//! real peers are in `federation::moderation`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::common::{TestApp, TestResponse};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// An admin's token with admin scopes.
async fn admin(app: &TestApp) -> String {
    app.create_user("boss", "admin").await;
    app.token("boss", ADMIN_SCOPES).await
}

async fn add_rule(app: &TestApp, token: &str, rule: Value) -> Value {
    let response = app
        .send_json(Method::POST, "/api/v1/loggia/admin/rules", token, &rule)
        .await;
    response.assert_status(StatusCode::OK);
    response.json()
}

fn falcon_rule(action: &str) -> Value {
    json!({
        "name": "Project Falcon is confidential",
        "direction": "outbound",
        "match": "keyword",
        "patterns": ["Project Falcon"],
        "action": action,
        "text": "Mentions a confidential project",
    })
}

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_with_token(&format!("/api/v1/loggia/admin/audit_log?{query}"), token)
        .await;
    response.assert_status(StatusCode::OK);
    response.json().as_array().unwrap().clone()
}

/// Posts and returns the answer without asserting success.
/// The `loggia.review_requested` notifications of `token`'s user.
async fn review_requests(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_with_token(
        "/api/v1/notifications?types[]=loggia.review_requested",
        token,
    )
    .await
    .assert_status(StatusCode::OK)
    .json()
    .as_array()
    .unwrap()
    .clone()
}

async fn post(app: &TestApp, token: &str, pairs: &[(&str, &str)]) -> TestResponse {
    app.post_with_token("/api/v1/statuses", token, pairs).await
}

async fn pending_renders(app: &TestApp) -> usize {
    app.state
        .store
        .deliveries()
        .pending_renders(100)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_post_matching_a_hold_rule_waits_for_a_reviewer() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    let rule = add_rule(&app, &boss, falcon_rule("hold")).await;
    assert_eq!(rule["match"], "keyword");
    assert_eq!(rule["patterns"], json!(["Project Falcon"]));
    let (_, alice) = app.user_with_token("alice").await;
    let (_, colleague) = app.user_with_token("carol").await;
    app.create_user("rita", "reviewer").await;
    let reviewer = app.token("rita", ADMIN_SCOPES).await;

    let held = app
        .post_status(&alice, &[("status", "Project Falcon ships today!")])
        .await;
    assert_eq!(held["loggia_review"]["state"], "pending");
    assert_eq!(
        held["loggia_review"]["reason"],
        "Mentions a confidential project"
    );
    assert_eq!(held["loggia_review"]["company_preview"], false);
    let id = held["id"].as_str().unwrap();
    // Nothing is queued for other servers, nobody else sees it.
    assert_eq!(pending_renders(&app).await, 0);
    app.get_with_token(&format!("/api/v1/statuses/{id}"), &colleague)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&format!("/api/v1/statuses/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let public = app.get("/api/v1/timelines/public").await.json();
    assert!(public.as_array().unwrap().is_empty());
    // Reviewers (and admins) hear that it waits; the notification names the
    // author but does not carry the post. The author and colleagues do not.
    for staff in [&reviewer, &boss] {
        let requests = review_requests(&app, staff).await;
        assert_eq!(requests.len(), 1, "{requests:?}");
        assert_eq!(requests[0]["account"]["username"], "alice");
        assert!(requests[0]["status"].is_null());
    }
    assert!(review_requests(&app, &alice).await.is_empty());
    assert!(review_requests(&app, &colleague).await.is_empty());
    // The author sees it with its state.
    let own = app
        .get_with_token(&format!("/api/v1/statuses/{id}"), &alice)
        .await
        .json();
    assert_eq!(own["loggia_review"]["state"], "pending");
    // Boosting it would carry it past its review.
    app.post_with_token(&format!("/api/v1/statuses/{id}/reblog"), &alice, &[])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // A company-only post with the same words stays inside: no review.
    let internal = app
        .post_status(
            &alice,
            &[
                ("status", "Project Falcon standup at 10"),
                ("local_only", "true"),
            ],
        )
        .await;
    assert!(internal.get("loggia_review").is_none());

    // The queue shows it to reviewers, not to employees.
    app.get_with_token("/api/v1/loggia/admin/reviews", &alice)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let queue = app
        .get_with_token("/api/v1/loggia/admin/reviews?direction=outbound", &reviewer)
        .await
        .json();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["id"], id);
    assert_eq!(queue[0]["direction"], "outbound");
    assert_eq!(queue[0]["status"]["account"]["username"], "alice");

    // Approved with a content warning: published, queued once, author told.
    let approved = app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
            &reviewer,
            &[("content_warning", "Product news")],
        )
        .await;
    approved.assert_status(StatusCode::OK);
    let approved = approved.json();
    assert!(approved.get("loggia_review").is_none());
    assert_eq!(approved["spoiler_text"], "Product news");
    assert_eq!(approved["sensitive"], true);
    assert_eq!(pending_renders(&app).await, 1);
    app.get_with_token(&format!("/api/v1/statuses/{id}"), &colleague)
        .await
        .assert_status(StatusCode::OK);
    let again = app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
            &reviewer,
            &[],
        )
        .await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pending_renders(&app).await, 1, "approved exactly once");
    let notes = app
        .get_with_token("/api/v1/notifications", &alice)
        .await
        .json();
    assert_eq!(notes[0]["type"], "loggia.review_approved");
    assert_eq!(notes[0]["status"]["id"], id);

    // The audit log has the rule's hold and the reviewer's approval.
    let held_entries = audit(&app, &boss, "action=status.held").await;
    assert_eq!(held_entries.len(), 1);
    assert_eq!(
        held_entries[0]["actor"],
        format!("rule:{}", rule["id"].as_str().unwrap())
    );
    assert_eq!(held_entries[0]["target_id"], id);
    let approvals = audit(&app, &boss, "action=status.approved").await;
    assert_eq!(approvals[0]["actor"], "rita");

    // An edit that brings the words back is held again.
    let edited = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/statuses/{}", internal["id"].as_str().unwrap()),
            &alice,
            &json!({"status": "Project Falcon standup moved"}),
        )
        .await;
    edited.assert_status(StatusCode::OK);
    assert!(
        edited.json().get("loggia_review").is_none(),
        "company-only stays unreviewed"
    );
    let edited = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            &alice,
            &json!({"status": "Project Falcon ships today, with pictures"}),
        )
        .await;
    edited.assert_status(StatusCode::OK);
    assert_eq!(edited.json()["loggia_review"]["state"], "pending");
    app.get_with_token(&format!("/api/v1/statuses/{id}"), &colleague)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(pending_renders(&app).await, 1, "the held edit is not sent");
}

#[tokio::test]
async fn a_rejected_post_is_refused_and_a_reviewer_rejection_is_explained() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    let secret = add_rule(
        &app,
        &boss,
        json!({
            "name": "Card numbers",
            "direction": "both",
            "match": "secret",
            "patterns": ["card_number"],
            "action": "reject",
            "text": "Payment card numbers must never be posted",
        }),
    )
    .await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let refused = post(
        &app,
        &alice,
        &[("status", "pay with 4111 1111 1111 1111 please")],
    )
    .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["error"],
        "Validation failed: This post cannot be published: Payment card numbers must never be posted"
    );
    let mine = app
        .get_with_token(
            &format!("/api/v1/accounts/{}/statuses", alice_user.account.id.0),
            &alice,
        )
        .await
        .json();
    assert!(mine.as_array().unwrap().is_empty(), "nothing stored");
    let entries = audit(&app, &boss, "action=status.rejected").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["actor"],
        format!("rule:{}", secret["id"].as_str().unwrap())
    );
    assert!(
        !entries[0].to_string().contains("4111"),
        "the secret is not copied into the log"
    );

    // Centralized mode: a reviewer rejects with a reason.
    let response = app
        .send_json(
            Method::PUT,
            "/api/v1/loggia/admin/organisation",
            &boss,
            &json!({"default": "centralized", "company_preview": false}),
        )
        .await;
    response.assert_status(StatusCode::OK);
    let held = app.post_status(&alice, &[("status", "Hello world")]).await;
    let id = held["id"].as_str().unwrap();
    assert_eq!(held["loggia_review"]["state"], "pending");
    let missing_reason = app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/reject"),
            &boss,
            &[],
        )
        .await;
    missing_reason.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/reject"),
            &boss,
            &[("reason", "Please announce this through the blog")],
        )
        .await;
    rejected.assert_status(StatusCode::OK);
    let own = app
        .get_with_token(&format!("/api/v1/statuses/{id}"), &alice)
        .await
        .json();
    assert_eq!(own["loggia_review"]["state"], "rejected");
    assert_eq!(
        own["loggia_review"]["reason"],
        "Please announce this through the blog"
    );
    let notes = app
        .get_with_token("/api/v1/notifications", &alice)
        .await
        .json();
    assert_eq!(notes[0]["type"], "loggia.review_rejected");
    assert_eq!(
        notes[0]["status"]["loggia_review"]["reason"],
        "Please announce this through the blog"
    );
    assert_eq!(pending_renders(&app).await, 0);
    let rejected_queue = app
        .get_with_token("/api/v1/loggia/admin/reviews?state=rejected", &boss)
        .await
        .json();
    assert_eq!(rejected_queue[0]["id"], id);
}

#[tokio::test]
async fn centralized_mode_holds_external_posts_only_and_teams_can_be_trusted() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    let mode = app
        .send_json(
            Method::PUT,
            "/api/v1/loggia/admin/organisation",
            &boss,
            &json!({"default": "centralized", "teams": {"comms": "decentralized"}}),
        )
        .await;
    mode.assert_status(StatusCode::OK);
    assert_eq!(mode.json()["company_preview"], true);
    let (_, alice) = app.user_with_token("alice").await;
    let (_, carol) = app.user_with_token("carol").await;

    let public = app.post_status(&alice, &[("status", "public news")]).await;
    assert_eq!(public["loggia_review"]["state"], "pending");
    assert_eq!(public["loggia_review"]["company_preview"], true);
    // The company may already read it; the outside may not.
    let id = public["id"].as_str().unwrap();
    app.get_with_token(&format!("/api/v1/statuses/{id}"), &carol)
        .await
        .assert_status(StatusCode::OK);
    app.get(&format!("/api/v1/statuses/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    for pairs in [
        vec![("status", "company only"), ("local_only", "true")],
        // Followers-only with no remote follower reaches nobody outside.
        vec![("status", "to my followers"), ("visibility", "private")],
        vec![("status", "@carol just us"), ("visibility", "direct")],
    ] {
        let status = app.post_status(&alice, &pairs).await;
        assert!(
            status.get("loggia_review").is_none(),
            "{pairs:?} is internal"
        );
    }

    // A member of the trusted team publishes directly.
    let team = app
        .send_with_token(
            Method::PATCH,
            &format!(
                "/api/v1/loggia/admin/accounts/{}",
                app.state
                    .store
                    .accounts()
                    .local_by_username("alice")
                    .await
                    .unwrap()
                    .unwrap()
                    .id
                    .0
            ),
            &boss,
            &[("team", "comms")],
        )
        .await;
    team.assert_status(StatusCode::OK);
    let direct = app.post_status(&alice, &[("status", "comms news")]).await;
    assert!(direct.get("loggia_review").is_none());

    // Invalid settings are refused with the field named.
    let bad = app
        .send_json(
            Method::PUT,
            "/api/v1/loggia/admin/organisation",
            &boss,
            &json!({"roles": {"intern": "centralized"}}),
        )
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["error"].as_str().unwrap().contains("intern"));
    let settings = audit(&app, &boss, "action=setting.updated").await;
    assert_eq!(settings.len(), 1, "the refused change is not recorded");
    assert_eq!(settings[0]["target_id"], "organisation_mode");
}

#[tokio::test]
async fn rewrites_add_content_warnings_and_disclaimers() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    add_rule(
        &app,
        &boss,
        json!({"name": "Earnings", "direction": "outbound", "match": "hashtag",
               "patterns": ["#earnings"], "action": "content_warning", "text": "Financial information"}),
    )
    .await;
    add_rule(
        &app,
        &boss,
        json!({"name": "Disclaimer", "direction": "outbound", "match": "any",
               "action": "disclaimer", "text": "Views are my own."}),
    )
    .await;
    let (_, alice) = app.user_with_token("alice").await;
    let status = app
        .post_status(&alice, &[("status", "Great quarter #Earnings")])
        .await;
    assert_eq!(status["spoiler_text"], "Financial information");
    assert_eq!(status["sensitive"], true);
    let content = status["content"].as_str().unwrap();
    assert!(content.contains("Views are my own."), "{content}");
    assert!(content.contains("/tags/Earnings") || content.contains("/tags/earnings"));
    let source = app
        .get_with_token(
            &format!("/api/v1/statuses/{}/source", status["id"].as_str().unwrap()),
            &alice,
        )
        .await
        .json();
    assert!(
        source["text"]
            .as_str()
            .unwrap()
            .ends_with("Views are my own.")
    );
    let internal = app
        .post_status(
            &alice,
            &[("status", "#earnings call"), ("local_only", "true")],
        )
        .await;
    assert_eq!(
        internal["spoiler_text"], "",
        "company-only posts are not rewritten"
    );
    assert_eq!(audit(&app, &boss, "action=status.rewritten").await.len(), 2);
}

#[tokio::test]
async fn rules_are_validated_listed_tested_and_removed() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    let (_, alice) = app.user_with_token("alice").await;
    let user_admin_token = app.token("alice", ADMIN_SCOPES).await;
    app.send_json(
        Method::POST,
        "/api/v1/loggia/admin/rules",
        &user_admin_token,
        &falcon_rule("hold"),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let _ = alice;
    for (rule, field) in [
        (
            json!({"name": "x", "direction": "sideways", "match": "keyword", "patterns": ["a"], "action": "hold"}),
            "direction",
        ),
        (
            json!({"name": "x", "direction": "outbound", "match": "regex", "patterns": ["("], "action": "hold"}),
            "patterns",
        ),
        (
            json!({"name": "x", "direction": "outbound", "match": "keyword", "patterns": [], "action": "hold"}),
            "patterns",
        ),
        (
            json!({"name": "x", "direction": "outbound", "match": "keyword", "patterns": ["a"], "action": "disclaimer"}),
            "text",
        ),
        (
            json!({"name": "x", "direction": "outbound", "match": "keyword", "patterns": ["a"], "action": "hold", "colour": "red"}),
            "colour",
        ),
    ] {
        let response = app
            .send_json(Method::POST, "/api/v1/loggia/admin/rules", &boss, &rule)
            .await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains(field), "{error} names {field}");
    }
    let rule = add_rule(&app, &boss, falcon_rule("hold")).await;
    let competitor = add_rule(
        &app,
        &boss,
        json!({"name": "Competitor", "direction": "outbound", "match": "link_domain",
               "patterns": ["rival.example"], "domains": ["*.rival.example"], "action": "reject"}),
    )
    .await;
    assert_eq!(competitor["position"], 1);
    let list = app
        .get_with_token("/api/v1/loggia/admin/rules", &boss)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);

    let tested = app.send_json(Method::POST,
        "/api/v1/loggia/admin/rules/test",
        &boss,
        &json!({"text": "about project falcon https://rival.example/x", "domains": ["social.rival.example"]}),
    )
    .await;
    tested.assert_status(StatusCode::OK);
    let tested = tested.json();
    assert_eq!(tested["outcome"], "reject");
    assert_eq!(tested["findings"].as_array().unwrap().len(), 2);
    let elsewhere = app
        .send_json(
            Method::POST,
            "/api/v1/loggia/admin/rules/test",
            &boss,
            &json!({"text": "https://rival.example/x", "domains": ["partner.example"]}),
        )
        .await
        .json();
    assert_eq!(
        elsewhere["outcome"], "accept",
        "the rule names its destinations"
    );

    let id = rule["id"].as_str().unwrap();
    let mut changed = falcon_rule("reject");
    changed["enabled"] = json!(false);
    let updated = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/loggia/admin/rules/{id}"),
            &boss,
            &changed,
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.json()["enabled"], false);
    let deleted = app
        .send_with_token(
            Method::DELETE,
            &format!("/api/v1/loggia/admin/rules/{id}"),
            &boss,
            &[],
        )
        .await;
    deleted.assert_status(StatusCode::OK);
    app.get_with_token(&format!("/api/v1/loggia/admin/rules/{id}"), &boss)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let actions: Vec<String> = audit(&app, &boss, "action=rule.")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "rule.deleted",
            "rule.updated",
            "rule.created",
            "rule.created"
        ]
    );
}

#[tokio::test]
async fn domain_blocks_and_allows_through_mastodons_admin_api() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    app.create_user("molly", "moderator").await;
    let moderator = app.token("molly", ADMIN_SCOPES).await;
    let (_, alice) = app.user_with_token("alice").await;
    let employee_admin = app.token("alice", ADMIN_SCOPES).await;
    app.get_with_token("/api/v1/admin/domain_blocks", &employee_admin)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.get_with_token("/api/v1/admin/domain_blocks", &alice)
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let created = app
        .post_with_token(
            "/api/v1/admin/domain_blocks",
            &moderator,
            &[
                ("domain", "Spam.Example"),
                ("severity", "suspend"),
                ("public_comment", "spam"),
                ("private_comment", "ticket 42"),
            ],
        )
        .await;
    created.assert_status(StatusCode::OK);
    let block = created.json();
    assert_eq!(block["domain"], "spam.example");
    assert_eq!(block["severity"], "suspend");
    assert_eq!(block["public_comment"], "spam");
    assert_eq!(block["digest"].as_str().unwrap().len(), 64);
    crate::common::schema::assert_entity("AdminDomainBlock", &block);
    let duplicate = app
        .post_with_token(
            "/api/v1/admin/domain_blocks",
            &boss,
            &[("domain", "spam.example")],
        )
        .await;
    duplicate.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    for bad in ["https://x.example/", "", "a b"] {
        app.post_with_token("/api/v1/admin/domain_blocks", &boss, &[("domain", bad)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let own = app
        .post_with_token(
            "/api/v1/admin/domain_blocks",
            &boss,
            &[(
                "domain",
                app.state.config.domain().split(':').next().unwrap(),
            )],
        )
        .await;
    own.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let id = block["id"].as_str().unwrap();
    let updated = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/admin/domain_blocks/{id}"),
            &boss,
            &[("severity", "silence"), ("reject_media", "true")],
        )
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.json()["severity"], "silence");
    assert_eq!(updated.json()["reject_media"], true);
    assert_eq!(
        updated.json()["public_comment"],
        "spam",
        "unchanged fields stay"
    );
    let list = app
        .get_with_token("/api/v1/admin/domain_blocks", &boss)
        .await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    app.send_with_token(
        Method::DELETE,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        &boss,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    app.get_with_token(&format!("/api/v1/admin/domain_blocks/{id}"), &boss)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let allow = app
        .post_with_token(
            "/api/v1/admin/domain_allows",
            &boss,
            &[("domain", "*.partner.example")],
        )
        .await;
    allow.assert_status(StatusCode::OK);
    crate::common::schema::assert_entity("AdminDomainAllow", &allow.json());
    let allows = app
        .get_with_token("/api/v1/admin/domain_allows", &boss)
        .await
        .json();
    assert_eq!(allows[0]["domain"], "*.partner.example");

    let mode = app
        .send_with_token(
            Method::PUT,
            "/api/v1/loggia/admin/federation",
            &boss,
            &[("mode", "allowlist")],
        )
        .await;
    mode.assert_status(StatusCode::OK);
    assert_eq!(mode.json()["mode"], "allowlist");
    app.send_with_token(
        Method::PUT,
        "/api/v1/loggia/admin/federation",
        &boss,
        &[("mode", "closed")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    let actions: Vec<(String, String)> = audit(&app, &boss, "")
        .await
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("setting.updated".to_owned(), "boss".to_owned()),
            ("domain_allow.created".into(), "boss".into()),
            ("domain_block.deleted".into(), "boss".into()),
            ("domain_block.updated".into(), "boss".into()),
            ("domain_block.created".into(), "molly".into()),
        ]
    );
}

#[tokio::test]
async fn the_audit_log_is_filtered_paged_and_read_only() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    for domain in ["a.example", "b.example", "c.example"] {
        app.post_with_token("/api/v1/admin/domain_blocks", &boss, &[("domain", domain)])
            .await
            .assert_status(StatusCode::OK);
    }
    let first = app
        .get_with_token("/api/v1/loggia/admin/audit_log?limit=2", &boss)
        .await;
    first.assert_status(StatusCode::OK);
    let link = first.header("link").expect("a Link header");
    assert!(link.contains("max_id="), "{link}");
    let page = first.json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["target_id"], "c.example");
    let max_id = page[1]["id"].as_str().unwrap();
    let rest = app
        .get_with_token(
            &format!("/api/v1/loggia/admin/audit_log?max_id={max_id}"),
            &boss,
        )
        .await
        .json();
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["target_id"], "a.example");
    let by_target = audit(&app, &boss, "target_kind=domain&target_id=b.example").await;
    assert_eq!(by_target.len(), 1);
    assert!(
        audit(&app, &boss, "since=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );
    app.get_with_token("/api/v1/loggia/admin/audit_log?since=yesterday", &boss)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing edits or deletes entries.
    let entry = page[0]["id"].as_str().unwrap();
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let response = app
            .send_with_token(
                method,
                &format!("/api/v1/loggia/admin/audit_log/{entry}"),
                &boss,
                &[],
            )
            .await;
        assert!(
            response.status == 404 || response.status == 405,
            "{}",
            response.status
        );
    }
    let (_, alice) = app.user_with_token("alice").await;
    let _ = alice;
    let employee = app.token("alice", ADMIN_SCOPES).await;
    app.get_with_token("/api/v1/loggia/admin/audit_log", &employee)
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn discovery_and_sign_in_stay_public_in_allowlist_mode() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    app.send_with_token(
        Method::PUT,
        "/api/v1/loggia/admin/federation",
        &boss,
        &[("mode", "allowlist")],
    )
    .await
    .assert_status(StatusCode::OK);
    app.create_user("alice", "user").await;
    for path in [
        "/api/v1/instance",
        "/api/v2/instance",
        "/.well-known/nodeinfo",
        "/.well-known/oauth-authorization-server",
        "/.well-known/host-meta",
    ] {
        app.get(path).await.assert_status(StatusCode::OK);
    }
    let webfinger = app
        .get(&format!(
            "/.well-known/webfinger?resource=acct:alice@{}",
            app.state.config.domain()
        ))
        .await;
    webfinger.assert_status(StatusCode::OK);
    // Apps still register and sign in (what `toot login` does).
    let token = app.token("alice", "read write").await;
    app.get_with_token("/api/v1/accounts/verify_credentials", &token)
        .await
        .assert_status(StatusCode::OK);
    // Unsigned reads of actors need a partner's signature now.
    let actor = app
        .send(
            Request::get("/users/alice")
                .header(header::ACCEPT, "application/activity+json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(actor.status, 401, "{}", actor.text());
}

#[tokio::test]
async fn a_classifier_that_is_down_holds_or_passes_by_its_setting() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    let (_, alice) = app.user_with_token("alice").await;
    let hook = app.send_json(Method::POST,
        "/api/v1/loggia/admin/hooks",
        &boss,
        &json!({"name": "classifier", "url": crate::common::closed_port_url().await, "direction": "outbound",
                "fail_mode": "closed", "timeout_ms": 500, "retries": 0}),
    )
    .await;
    hook.assert_status(StatusCode::OK);
    let hook = hook.json();
    let hook_id = hook["id"].as_str().unwrap();

    let held = app
        .post_status(&alice, &[("status", "quarterly update")])
        .await;
    assert_eq!(held["loggia_review"]["state"], "pending");
    let entries = audit(&app, &boss, &format!("actor=hook:{hook_id}")).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["action"], "status.held");
    assert_eq!(entries[0]["target_id"], held["id"]);
    let note = entries[0]["details"]["note"].as_str().unwrap();
    assert!(note.contains("unavailable"), "{note}");
    // Company-only posts never go to the classifier.
    let internal = app
        .post_status(&alice, &[("status", "lunch?"), ("local_only", "true")])
        .await;
    assert!(internal.get("loggia_review").is_none());

    app.send_json(
        Method::PUT,
        &format!("/api/v1/loggia/admin/hooks/{hook_id}"),
        &boss,
        &json!({"fail_mode": "open"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let passed = app
        .post_status(&alice, &[("status", "another update")])
        .await;
    assert!(passed.get("loggia_review").is_none());
    let entries = audit(&app, &boss, &format!("actor=hook:{hook_id}")).await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["action"], "status.passed");
    assert_eq!(entries[0]["target_id"], passed["id"]);
    assert!(
        entries[0]["reason"]
            .as_str()
            .unwrap()
            .contains("failed open")
    );
}

#[tokio::test]
async fn published_posts_reach_event_webhooks_held_ones_only_once_approved() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    add_rule(&app, &boss, falcon_rule("hold")).await;
    let webhook = app
        .send_json(
            Method::POST,
            "/api/v1/loggia/admin/webhooks",
            &boss,
            &json!({"url": crate::common::closed_port_url().await, "events": ["status.created"]}),
        )
        .await;
    webhook.assert_status(StatusCode::OK);
    let webhook_id: i64 = webhook.json()["id"].as_str().unwrap().parse().unwrap();
    let (_, alice) = app.user_with_token("alice").await;
    let events = || async {
        app.state
            .store
            .webhooks()
            .deliveries(webhook_id, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|d| serde_json::from_str::<Value>(&d.payload).unwrap())
            .collect::<Vec<_>>()
    };
    let plain = app.post_status(&alice, &[("status", "hello")]).await;
    let held = app
        .post_status(&alice, &[("status", "Project Falcon")])
        .await;
    let queued = events().await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["event"], "status.created");
    assert_eq!(queued[0]["object"]["id"], plain["id"]);
    let id = held["id"].as_str().unwrap();
    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
        &boss,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let queued = events().await;
    assert_eq!(queued.len(), 2);
    assert!(queued.iter().any(|e| e["object"]["id"] == held["id"]));
}

#[tokio::test]
async fn reviews_decide_on_what_the_reviewer_saw_and_never_let_edits_slip_out() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    add_rule(&app, &boss, falcon_rule("hold")).await;
    let (_, alice) = app.user_with_token("alice").await;
    app.create_user("rita", "reviewer").await;
    let reviewer = app.token("rita", ADMIN_SCOPES).await;

    // The queue lists pending and rejected posts, nothing else.
    app.get_with_token("/api/v1/loggia/admin/reviews?state=published", &reviewer)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    let held = app
        .post_status(&alice, &[("status", "Project Falcon v1")])
        .await;
    let id = held["id"].as_str().unwrap();
    let queue = app
        .get_with_token("/api/v1/loggia/admin/reviews", &reviewer)
        .await
        .json();
    let seen = queue[0]["requested_at"].as_str().unwrap().to_owned();
    // The author edits while the reviewer looks: the decision on the old
    // version is refused.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.send_json(
        Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        &alice,
        &json!({"status": "Project Falcon v2"}),
    )
    .await
    .assert_status(StatusCode::OK);
    // Still the one request: an edit while waiting is not news.
    assert_eq!(review_requests(&app, &reviewer).await.len(), 1);
    let stale = app
        .post_with_token(
            &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
            &reviewer,
            &[("requested_at", &seen)],
        )
        .await;
    stale.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale.json()["error"]
            .as_str()
            .unwrap()
            .contains("look at it again")
    );
    assert_eq!(pending_renders(&app).await, 0);

    // Rejected, then edited without the words: back to a reviewer, not out.
    let queue = app
        .get_with_token("/api/v1/loggia/admin/reviews", &reviewer)
        .await
        .json();
    let seen = queue[0]["requested_at"].as_str().unwrap().to_owned();
    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{id}/reject"),
        &reviewer,
        &[("reason", "not yet"), ("requested_at", &seen)],
    )
    .await
    .assert_status(StatusCode::OK);
    let edited = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            &alice,
            &json!({"status": "Something harmless"}),
        )
        .await;
    edited.assert_status(StatusCode::OK);
    assert_eq!(edited.json()["loggia_review"]["state"], "pending");
    assert_eq!(
        edited.json()["loggia_review"]["reason"],
        "Edited after a reviewer rejected it"
    );
    assert_eq!(pending_renders(&app).await, 0);
    // Back in the queue: reviewers hear of it again.
    assert_eq!(review_requests(&app, &reviewer).await.len(), 2);

    // Reviewers do not approve their own posts; administrators may.
    let own = app
        .post_status(&reviewer, &[("status", "Project Falcon from rita")])
        .await;
    let own_id = own["id"].as_str().unwrap();
    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{own_id}/approve"),
        &reviewer,
        &[],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_with_token(
        &format!("/api/v1/loggia/admin/reviews/{id}/approve"),
        &reviewer,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(pending_renders(&app).await, 1);
}

#[tokio::test]
async fn a_reply_to_another_server_is_external_even_to_followers_only() {
    let app = TestApp::new().await;
    let boss = admin(&app).await;
    app.send_json(
        Method::PUT,
        "/api/v1/loggia/admin/organisation",
        &boss,
        &json!({"default": "centralized"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let (_, alice) = app.user_with_token("alice").await;
    let remote = app
        .state
        .store
        .accounts()
        .upsert_remote(&loggia::store::RemoteAccount {
            username: "pat".into(),
            domain: "partner.example".into(),
            actor_type: "Person".into(),
            uri: "https://partner.example/users/pat".into(),
            inbox_url: "https://partner.example/users/pat/inbox".into(),
            fields: "[]".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let post = crate::common::insert_remote_post(
        &app.state.store,
        remote.id,
        "https://partner.example/notes/1",
        "what do you think?",
    )
    .await;
    // No remote follower, nobody mentioned: the reply still goes to Pat's
    // server, so it is external.
    let reply = app
        .post_status(
            &alice,
            &[
                ("status", "I think yes"),
                ("visibility", "private"),
                ("in_reply_to_id", &post.id.to_string()),
            ],
        )
        .await;
    assert_eq!(reply["loggia_review"]["state"], "pending");
}
