use axum::http::{Method, StatusCode};

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn instance_v2_matches_mastodon_and_tells_the_truth() {
    let app = TestApp::with_config(|c| c.max_status_chars = 1000).await;
    let body = app
        .get("/api/v2/instance")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("Instance", &body);
    assert_eq!(body["domain"], "loggia.test");
    let version = body["version"].as_str().unwrap();
    assert!(
        version.starts_with("4.") && version.contains("(compatible; Loggia "),
        "{version}"
    );
    assert_eq!(body["configuration"]["statuses"]["max_characters"], 1000);
    // Not built yet, so not advertised.
    assert_eq!(body["api_versions"]["mastodon"], 1);
    // Built, and advertised with the limits enforced.
    assert_eq!(
        body["configuration"]["media_attachments"]["video_size_limit"],
        99 * 1024 * 1024
    );
    assert_eq!(body["configuration"]["polls"]["max_options"], 4);
    assert_eq!(
        body["configuration"]["statuses"]["max_media_attachments"],
        4
    );
    let types = &body["configuration"]["media_attachments"]["supported_mime_types"];
    assert!(
        types.as_array().unwrap().iter().any(|t| t == "image/jpeg")
            && types.as_array().unwrap().iter().any(|t| t == "video/mp4"),
        "{types}"
    );
    assert_eq!(body["configuration"]["translation"]["enabled"], false);
    assert_eq!(body["registrations"]["enabled"], false);
}

#[tokio::test]
async fn instance_v1_matches_mastodon_and_counts_users() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    app.create_user("bob", "user").await;
    let body = app
        .get("/api/v1/instance")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("V1Instance", &body);
    assert_eq!(body["uri"], "loggia.test");
    assert_eq!(
        body["stats"]["user_count"], 2,
        "the instance actor is not a user"
    );
}

#[tokio::test]
async fn instance_counts_local_posts_as_mastodon_does() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("alice").await;
    let first = app.post_status(&token, &[("status", "one")]).await;
    app.post_status(&token, &[("status", "two")]).await;
    let gone = app.post_status(&token, &[("status", "deleted")]).await;
    let path = format!("/api/v1/statuses/{}", gone["id"].as_str().unwrap());
    app.send_with_token(Method::DELETE, &path, &token, &[])
        .await
        .assert_status(StatusCode::OK);
    // Boosts count too: the sum of the local accounts' `statuses_count`.
    let path = format!("/api/v1/statuses/{}/reblog", first["id"].as_str().unwrap());
    app.post_with_token(&path, &token, &[])
        .await
        .assert_status(StatusCode::OK);
    let body = app
        .get("/api/v1/instance")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(body["stats"]["status_count"], 3);
}

#[tokio::test]
async fn nodeinfo_is_discoverable_in_both_versions() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let links = app
        .get("/.well-known/nodeinfo")
        .await
        .assert_status(StatusCode::OK)
        .json();
    let hrefs: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [
            "http://loggia.test/nodeinfo/2.0",
            "http://loggia.test/nodeinfo/2.1"
        ]
    );
    for version in ["2.0", "2.1"] {
        let response = app.get(&format!("/nodeinfo/{version}")).await;
        response.assert_status(StatusCode::OK);
        assert!(
            response
                .header("content-type")
                .unwrap()
                .contains(&format!("schema/{version}#"))
        );
        let body = response.json();
        assert_eq!(body["version"], version);
        assert_eq!(body["software"]["name"], "loggia");
        assert_eq!(body["protocols"], serde_json::json!(["activitypub"]));
        assert_eq!(body["usage"]["users"]["total"], 1);
        assert_eq!(body["openRegistrations"], false);
        assert!(body["services"]["inbound"].is_array() && body["metadata"].is_object());
        assert_eq!(
            body["software"].get("repository").is_some(),
            version == "2.1"
        );
    }
}

#[tokio::test]
async fn host_meta_points_to_webfinger() {
    let app = TestApp::new().await;
    let response = app.get("/.well-known/host-meta").await;
    response.assert_status(StatusCode::OK);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("application/xrd+xml")
    );
    assert!(
        response
            .text()
            .contains("template=\"http://loggia.test/.well-known/webfinger?resource={uri}\"")
    );
    let json = app.get("/.well-known/host-meta.json").await.json();
    assert_eq!(json["links"][0]["rel"], "lrdd");
}

#[tokio::test]
async fn oauth_metadata_lists_only_what_is_supported() {
    let app = TestApp::new().await;
    let body = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(body["token_endpoint"], "http://loggia.test/oauth/token");
    assert_eq!(
        body["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let grants: Vec<&str> = body["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(
        grants,
        [
            "authorization_code",
            "password",
            "client_credentials",
            "refresh_token"
        ]
    );
    assert!(
        body["scopes_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "admin:read:accounts")
    );
}

#[tokio::test]
async fn unknown_paths_answer_a_json_404() {
    let app = TestApp::new().await;
    let response = app.get("/api/v1/nothing-here").await;
    response.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(response.json()["error"], "Record not found");
}

#[tokio::test]
async fn trailing_slashes_are_ignored_like_rails_does() {
    // Mastodon.py asks for `/api/v1/instance/`.
    let app = TestApp::new().await;
    let body = app
        .get("/api/v1/instance/")
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(body["uri"], "loggia.test");
}
