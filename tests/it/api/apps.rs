use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::common::schema::assert_entity;

#[tokio::test]
async fn registering_an_app_returns_its_credentials_once() {
    let app = TestApp::new().await;
    let response = app
        .post_form(
            "/api/v1/apps",
            &[
                ("client_name", "Tusky"),
                ("redirect_uris", "oauth2redirect://com.keylesspalace.tusky/"),
                ("scopes", "read write follow push"),
                ("website", "https://tusky.app"),
            ],
        )
        .await;
    response.assert_status(StatusCode::OK);
    let body = response.json();
    assert_entity("CredentialApplication", &body);
    assert_eq!(body["name"], "Tusky");
    assert_eq!(body["scopes"], json!(["read", "write", "follow", "push"]));
    assert_eq!(
        body["redirect_uris"],
        json!(["oauth2redirect://com.keylesspalace.tusky/"])
    );
    assert_eq!(body["website"], "https://tusky.app");
    // The secret is stored hashed: it appears nowhere in the database.
    let stored = app
        .state
        .store
        .oauth()
        .app_by_client_id(body["client_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        stored.client_secret_hash,
        body["client_secret"].as_str().unwrap()
    );
}

#[tokio::test]
async fn apps_accept_json_and_lists_of_redirect_uris() {
    let app = TestApp::new().await;
    let response = app
        .post_json(
            "/api/v1/apps",
            &json!({"client_name": "Elk", "redirect_uris": ["https://elk.example/cb", "urn:ietf:wg:oauth:2.0:oob"]}),
        )
        .await;
    response.assert_status(StatusCode::OK);
    let body = response.json();
    assert_eq!(
        body["redirect_uri"],
        "https://elk.example/cb\nurn:ietf:wg:oauth:2.0:oob"
    );
    assert_eq!(body["scopes"], json!(["read"]), "scopes default to read");
    let response = app
        .post_form(
            "/api/v1/apps",
            &[
                ("client_name", "x"),
                ("redirect_uris[]", "https://a.example/"),
                ("redirect_uris[]", "https://b.example/"),
            ],
        )
        .await;
    assert_eq!(
        response.json()["redirect_uris"],
        json!(["https://a.example/", "https://b.example/"])
    );
}

#[tokio::test]
async fn bad_app_registrations_are_explained() {
    let app = TestApp::new().await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("redirect_uris", "urn:ietf:wg:oauth:2.0:oob")],
            "Validation failed: Name can't be blank",
        ),
        (
            &[("client_name", "x")],
            "Validation failed: Redirect URI can't be blank",
        ),
        (
            &[("client_name", "x"), ("redirect_uris", "not a uri")],
            "must be an absolute URI",
        ),
        (
            &[
                ("client_name", "x"),
                ("redirect_uris", "javascript:alert(1)"),
            ],
            "forbidden scheme",
        ),
        (
            &[
                ("client_name", "x"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ("scopes", "read bogus"),
            ],
            "unknown scope \"bogus\"",
        ),
    ];
    for (form, message) in cases {
        let response = app.post_form("/api/v1/apps", form).await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = response.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains(message),
            "{error:?} should contain {message:?}"
        );
    }
    let response = app
        .send(
            axum::http::Request::post("/api/v1/apps")
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    // As Rails: a body that does not parse is a bad request.
    response.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .contains("invalid JSON")
    );
}

#[tokio::test]
async fn app_verify_credentials_shows_the_app_without_secrets() {
    let app = TestApp::new().await;
    app.create_user("alice", "user").await;
    let token = app.token("alice", "read").await;
    let response = app
        .get_with_token("/api/v1/apps/verify_credentials", &token)
        .await;
    response.assert_status(StatusCode::OK);
    let body = response.json();
    assert_entity("Application", &body);
    assert_eq!(body["name"], "Test client");
    assert!(body.get("client_secret").is_none());
    app.get("/api/v1/apps/verify_credentials")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn apps_accept_multipart_and_json_with_query_parameters() {
    let app = TestApp::new().await;
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"client_name\"\r\n\r\nMultipart app\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"redirect_uris\"\r\n\r\nurn:ietf:wg:oauth:2.0:oob\r\n\
         --{boundary}--\r\n"
    );
    let request = axum::http::Request::post("/api/v1/apps")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(
        response.assert_status(StatusCode::OK).json()["name"],
        "Multipart app"
    );

    let response = app
        .post_json(
            "/api/v1/apps?scopes=read%20write",
            &json!({"client_name": "Mixed", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        )
        .await;
    assert_eq!(
        response.assert_status(StatusCode::OK).json()["scopes"],
        json!(["read", "write"])
    );
}
