//! update_credentials, preferences, markers and the endpoints that answer
//! empty defaults.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn update_credentials_changes_profile_and_defaults() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let response = app
        .send_with_token(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &alice,
            &[
                ("display_name", "Alice A."),
                ("note", "Platform team <3 #rust"),
                ("locked", "true"),
                ("bot", "0"),
                ("fields_attributes[0][name]", "Team"),
                ("fields_attributes[0][value]", "Platform"),
                ("source[privacy]", "private"),
                ("source[sensitive]", "true"),
                ("source[language]", "it"),
                ("source[local_only]", "true"),
            ],
        )
        .await;
    let me = response.assert_status(StatusCode::OK).json();
    assert_entity("CredentialAccount", &me);
    assert_eq!(me["display_name"], "Alice A.");
    assert!(
        me["note"]
            .as_str()
            .unwrap()
            .starts_with("<p>Platform team &lt;3 <a href=\"http://loggia.test/tags/rust\"")
    );
    assert_eq!(me["source"]["note"], "Platform team <3 #rust");
    assert_eq!(me["locked"], true);
    assert_eq!(
        me["fields"],
        json!([{"name": "Team", "value": "Platform", "verified_at": null}])
    );

    // Field values are HTML in the API: what a user types is escaped and
    // links become links (the source keeps the text as typed).
    let me = app
        .send_with_token(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &alice,
            &[
                ("fields_attributes[0][name]", "Team"),
                (
                    "fields_attributes[0][value]",
                    "<script>x</script> https://acme.example/t",
                ),
            ],
        )
        .await
        .assert_status(StatusCode::OK)
        .json();
    let value = me["fields"][0]["value"].as_str().unwrap();
    assert!(
        value.starts_with("&lt;script&gt;x&lt;/script&gt; <a href=\"https://acme.example/t\""),
        "{value}"
    );
    assert_eq!(
        me["source"]["fields"][0]["value"],
        "<script>x</script> https://acme.example/t"
    );
    let public = app
        .get(&format!("/api/v1/accounts/{}", me["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(public["fields"][0]["value"], me["fields"][0]["value"]);
    assert_eq!(
        (
            me["source"]["privacy"].clone(),
            me["source"]["sensitive"].clone(),
            me["source"]["language"].clone()
        ),
        (json!("private"), json!(true), json!("it"))
    );
    assert_eq!(me["source"]["local_only"], true);
    // New posts follow the defaults.
    let post = app.post_status(&alice, &[("status", "defaults")]).await;
    assert_eq!(
        (
            post["visibility"].clone(),
            post["sensitive"].clone(),
            post["language"].clone(),
            post["local_only"].clone()
        ),
        (json!("private"), json!(true), json!("it"), json!(true))
    );
    let prefs = app
        .get_with_token("/api/v1/preferences", &alice)
        .await
        .json();
    assert_eq!(prefs["posting:default:visibility"], "private");
    assert_eq!(prefs["posting:default:local_only"], true);

    // JSON works too, with nested objects.
    let response = app
        .send(
            axum::http::Request::patch("/api/v1/accounts/update_credentials")
                .header("authorization", format!("Bearer {alice}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"display_name": "A", "source": {"privacy": "public"}}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    let me = response.assert_status(StatusCode::OK).json();
    assert_eq!(
        (
            me["display_name"].clone(),
            me["source"]["privacy"].clone(),
            me["locked"].clone()
        ),
        (json!("A"), json!("public"), json!(true))
    );
}

#[tokio::test]
async fn bad_profile_updates_are_refused() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    for (form, message) in [
        (
            vec![("display_name", "x".repeat(31))],
            "Display name is too long",
        ),
        (vec![("note", "x".repeat(501))], "Bio is too long"),
        (
            vec![("locked", "maybe".to_owned())],
            "locked must be true or false",
        ),
        (
            vec![("source[privacy]", "everyone".to_owned())],
            "source[privacy]",
        ),
        (
            vec![("source[language]", "not a language".to_owned())],
            "is not a language code",
        ),
    ] {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = app
            .send_with_token(
                Method::PATCH,
                "/api/v1/accounts/update_credentials",
                &alice,
                &pairs,
            )
            .await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response.json()["error"].as_str().unwrap().contains(message),
            "{}",
            response.text()
        );
    }
    let read_only = app.token("alice", "read").await;
    app.send_with_token(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &read_only,
        &[("display_name", "x")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_instance_default_can_be_company_only() {
    let app = TestApp::with_config(|c| c.company_only_by_default = true).await;
    let (_, alice) = app.user_with_token("alice").await;
    assert_eq!(
        app.post_status(&alice, &[("status", "internal")]).await["local_only"],
        true
    );
    assert_eq!(
        app.post_status(&alice, &[("status", "out"), ("local_only", "false")])
            .await["local_only"],
        false
    );
    app.send_with_token(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &alice,
        &[("source[local_only]", "false")],
    )
    .await
    .assert_status(StatusCode::OK);
    assert_eq!(
        app.post_status(&alice, &[("status", "mine")]).await["local_only"],
        false
    );
}

#[tokio::test]
async fn markers_remember_reading_positions() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    app.post_with_token(
        &format!("/api/v1/accounts/{}/follow", alice_user.account.id),
        &bob,
        &[],
    )
    .await;
    app.post_status(&bob, &[("status", "@alice one")]).await;
    assert_eq!(
        app.get_with_token("/api/v1/markers?timeline[]=home", &alice)
            .await
            .json(),
        json!({})
    );
    let notifications = app
        .get_with_token("/api/v1/notifications", &alice)
        .await
        .json();
    let newest = notifications[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_with_token("/api/v1/notifications/unread_count", &alice)
            .await
            .json()["count"],
        2
    );
    let set = app
        .post_with_token(
            "/api/v1/markers",
            &alice,
            &[
                ("notifications[last_read_id]", &newest),
                ("home[last_read_id]", "5"),
            ],
        )
        .await;
    let set = set.assert_status(StatusCode::OK).json();
    assert_eq!(set["notifications"]["last_read_id"], newest);
    assert_entity("Marker", &set["home"]);
    assert_eq!(
        app.get_with_token("/api/v1/notifications/unread_count", &alice)
            .await
            .json()["count"],
        0
    );
    let again = app
        .post_json_with_token(
            "/api/v1/markers",
            &alice,
            &json!({"home": {"last_read_id": "6"}}),
        )
        .await
        .json();
    assert_eq!(
        (
            again["home"]["last_read_id"].clone(),
            again["home"]["version"].clone()
        ),
        (json!("6"), json!(1))
    );
    let both = app
        .get_with_token(
            "/api/v1/markers?timeline[]=home&timeline[]=notifications",
            &alice,
        )
        .await
        .json();
    assert_eq!(both.as_object().unwrap().len(), 2);
    app.post_with_token("/api/v1/markers", &alice, &[("home[last_read_id]", "x")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn endpoints_apps_call_at_login_never_404() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    for path in [
        "/api/v1/custom_emojis",
        "/api/v1/announcements",
        "/api/v1/filters",
        "/api/v2/filters",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
        "/api/v2/suggestions",
        "/api/v1/scheduled_statuses",
        "/api/v1/instance/peers",
        "/api/v1/instance/rules",
        "/api/v1/featured_tags",
        "/api/v1/endorsements",
    ] {
        let response = app.get_with_token(path, &alice).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.json(), json!([]), "{path}");
    }
    let policy = app
        .get_with_token("/api/v2/notifications/policy", &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("NotificationPolicy", &policy);
    let policy = app
        .get_with_token("/api/v1/notifications/policy", &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("V1NotificationPolicy", &policy);
    app.get("/api/v1/tags/Rust")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.post_status(&alice, &[("status", "#Rust")]).await;
    let tag = app
        .get("/api/v1/tags/Rust")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Tag", &tag);
    let prefs = app
        .get_with_token("/api/v1/preferences", &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Preferences", &prefs);
}
