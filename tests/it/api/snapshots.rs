//! The JSON of each entity Loggia serves, pinned by snapshots (volatile
//! values redacted) and checked against Mastodon's schema.

use axum::http::{Method, StatusCode};

use crate::common::schema::assert_entity;
use crate::common::snapshot::assert_snapshot;
use crate::common::{TestApp, multipart_request};

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        40,
        30,
        image::Rgb([10, 120, 200]),
    ));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn entity_snapshots() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let alice_id = alice_user.account.id.to_string();

    let check = |name: &str, entity: &str, value: &serde_json::Value| {
        assert_entity(entity, value);
        assert_snapshot(name, value);
    };

    let app_json = app
        .post_form(
            "/api/v1/apps",
            &[
                ("client_name", "Snapshot"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ("scopes", "read write"),
                ("website", "https://app.example"),
            ],
        )
        .await
        .json();
    check("credential_application", "CredentialApplication", &app_json);
    check(
        "instance_v2",
        "Instance",
        &app.get("/api/v2/instance").await.json(),
    );
    check(
        "instance_v1",
        "V1Instance",
        &app.get("/api/v1/instance").await.json(),
    );

    app.send_with_token(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        &alice,
        &[
            ("display_name", "Alice Example"),
            ("note", "Platform team"),
            ("fields_attributes[0][name]", "Team"),
            ("fields_attributes[0][value]", "Platform"),
        ],
    )
    .await
    .assert_status(StatusCode::OK);
    check(
        "credential_account",
        "CredentialAccount",
        &app.get_with_token("/api/v1/accounts/verify_credentials", &alice)
            .await
            .json(),
    );
    let relationship = app
        .post_with_token(&format!("/api/v1/accounts/{alice_id}/follow"), &bob, &[])
        .await
        .json();
    check("relationship", "Relationship", &relationship);

    let media = app
        .send(multipart_request(
            Method::POST,
            "/api/v2/media",
            &alice,
            &[("description", "A blue square"), ("focus", "0.1,0.2")],
            Some(("file", "blue.png", "image/png", &png())),
        ))
        .await
        .json();
    check("media_attachment", "MediaAttachment", &media);
    let status = app
        .post_status(
            &alice,
            &[
                ("status", "Hello @bob, see https://example.com/docs #Launch"),
                ("spoiler_text", "news"),
                ("language", "en"),
                ("media_ids[]", media["id"].as_str().unwrap()),
            ],
        )
        .await;
    check("status", "Status", &status);
    let id = status["id"].as_str().unwrap();
    let reply = app
        .post_status(
            &bob,
            &[("status", "@alice congrats"), ("in_reply_to_id", id)],
        )
        .await;
    check(
        "context",
        "Context",
        &app.get(&format!("/api/v1/statuses/{id}/context"))
            .await
            .json(),
    );
    let reblog = app
        .post_with_token(&format!("/api/v1/statuses/{id}/reblog"), &bob, &[])
        .await
        .json();
    check("reblog", "Status", &reblog);
    let notifications = app
        .get_with_token("/api/v1/notifications?types[]=mention", &alice)
        .await
        .json();
    check("notification_mention", "Notification", &notifications[0]);
    check("account", "Account", &reply["account"]);

    let filter = app
        .post_with_token(
            "/api/v2/filters",
            &alice,
            &[
                ("title", "Spoilers"),
                ("context[]", "home"),
                ("keywords_attributes[][keyword]", "launch"),
            ],
        )
        .await
        .json();
    check("filter", "Filter", &filter);
    let list = app
        .post_with_token("/api/v1/lists", &alice, &[("title", "Team")])
        .await
        .json();
    check("list", "List", &list);
    let markers = app
        .post_with_token("/api/v1/markers", &alice, &[("home[last_read_id]", id)])
        .await
        .json();
    check("marker", "Marker", &markers["home"]);
    let search = app
        .get_with_token("/api/v2/search?q=launch", &alice)
        .await
        .json();
    check("search", "Search", &search);
}
