//! Media uploads: processing, limits, alt text, attaching to statuses and
//! serving the files.

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::schema::assert_entity;
use crate::common::{TestApp, multipart_request};

/// A JPEG carrying an EXIF block with a recognisable secret.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([x as u8, y as u8, 200])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    let jpeg = out.into_inner();
    let payload = b"Exif\0\0SECRET-GPS-52.37N-4.89E";
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(payload);
    let mut with_exif = jpeg[..2].to_vec();
    with_exif.extend_from_slice(&segment);
    with_exif.extend_from_slice(&jpeg[2..]);
    with_exif
}

async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    bytes: &[u8],
    description: &str,
) -> crate::common::TestResponse {
    app.send(multipart_request(
        Method::POST,
        path,
        token,
        &[("description", description), ("focus", "0.5,-0.5")],
        Some(("file", "photo.jpg", "image/jpeg", bytes)),
    ))
    .await
}

#[tokio::test]
async fn uploads_are_processed_stripped_and_served() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let original = jpeg_with_exif(1200, 800);
    assert!(original.windows(10).any(|w| w == b"SECRET-GPS"));
    for path in ["/api/v1/media", "/api/v2/media"] {
        let response = upload(&app, &alice, path, &original, "A team photo").await;
        let media = response.assert_status(StatusCode::OK).json();
        assert_entity("MediaAttachment", &media);
        assert_eq!(media["type"], "image");
        assert_eq!(media["description"], "A team photo");
        assert_eq!(media["meta"]["original"]["width"], 1200);
        assert_eq!(media["meta"]["focus"], json!({"x": 0.5, "y": -0.5}));
        assert!(media["blurhash"].as_str().unwrap().len() >= 6);
        let url = media["url"].as_str().unwrap();
        let served = app
            .get(url.strip_prefix("http://loggia.test").unwrap())
            .await;
        served.assert_status(StatusCode::OK);
        assert_eq!(served.header("content-type").as_deref(), Some("image/jpeg"));
        assert!(
            !served.body.windows(10).any(|w| w == b"SECRET-GPS"),
            "EXIF must be stripped"
        );
        let preview = media["preview_url"]
            .as_str()
            .unwrap()
            .strip_prefix("http://loggia.test")
            .unwrap()
            .to_owned();
        app.get(&preview).await.assert_status(StatusCode::OK);
    }
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let response = upload(&app, &alice, "/api/v1/media", b"%PDF-1.4 not an image", "").await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .contains("File type is not supported")
    );
    let response = app
        .send(multipart_request(
            Method::POST,
            "/api/v1/media",
            &alice,
            &[("description", "no file")],
            None,
        ))
        .await;
    assert!(
        response
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .json()["error"]
            .as_str()
            .unwrap()
            .contains("file is missing")
    );
    let long = "x".repeat(1501);
    let response = upload(
        &app,
        &alice,
        "/api/v1/media",
        &jpeg_with_exif(10, 10),
        &long,
    )
    .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .send(multipart_request(
            Method::POST,
            "/api/v1/media",
            &alice,
            &[("focus", "3,3")],
            Some(("file", "a.jpg", "image/jpeg", &jpeg_with_exif(10, 10))),
        ))
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // A body over the limit is refused before it is read to the end.
    let huge = vec![0u8; 17 * 1024 * 1024];
    let response = upload(&app, &alice, "/api/v1/media", &huge, "").await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    let read_only = app.token("alice", "read").await;
    upload(
        &app,
        &read_only,
        "/api/v1/media",
        &jpeg_with_exif(10, 10),
        "",
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // Nothing was left behind in the store by failed uploads.
    app.get("/media/../../etc/passwd")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn media_attach_to_statuses_once_and_only_by_their_owner() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let media = upload(&app, &alice, "/api/v1/media", &jpeg_with_exif(64, 48), "")
        .await
        .json();
    let id = media["id"].as_str().unwrap();
    let fetched = app
        .get_with_token(&format!("/api/v1/media/{id}"), &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_eq!(fetched["id"], id);
    app.get_with_token(&format!("/api/v1/media/{id}"), &bob)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let described = app
        .send(multipart_request(
            Method::PUT,
            &format!("/api/v1/media/{id}"),
            &alice,
            &[("description", "Alt text")],
            None,
        ))
        .await;
    assert_eq!(
        described.assert_status(StatusCode::OK).json()["description"],
        "Alt text"
    );

    let response = app
        .post_with_token(
            "/api/v1/statuses",
            &bob,
            &[("status", "stolen"), ("media_ids[]", id)],
        )
        .await;
    assert!(
        response
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .json()["error"]
            .as_str()
            .unwrap()
            .contains("not found")
    );
    // Media alone is a valid post.
    let status = app.post_status(&alice, &[("media_ids[]", id)]).await;
    assert_eq!(status["media_attachments"][0]["id"], id);
    assert_eq!(status["media_attachments"][0]["description"], "Alt text");
    let again = app
        .post_with_token(
            "/api/v1/statuses",
            &alice,
            &[("status", "again"), ("media_ids[]", id)],
        )
        .await;
    assert!(
        again.assert_status(StatusCode::UNPROCESSABLE_ENTITY).json()["error"]
            .as_str()
            .unwrap()
            .contains("already used")
    );
    let too_many: Vec<(&str, &str)> = std::iter::repeat_n(("media_ids[]", id), 5)
        .chain([("status", "x")])
        .collect();
    app.post_with_token("/api/v1/statuses", &alice, &too_many)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    let alice_id = status["account"]["id"].as_str().unwrap();
    app.post_status(&alice, &[("status", "text only")]).await;
    let with_media = app
        .get(&format!(
            "/api/v1/accounts/{alice_id}/statuses?only_media=true"
        ))
        .await
        .json();
    assert_eq!(with_media.as_array().unwrap().len(), 1);
    let public_media = app
        .get("/api/v1/timelines/public?only_media=true")
        .await
        .json();
    assert_eq!(public_media[0]["id"], status["id"]);
    // Edits can swap the media.
    let other = upload(&app, &alice, "/api/v1/media", &jpeg_with_exif(32, 32), "")
        .await
        .json();
    let edited = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/statuses/{}", status["id"].as_str().unwrap()),
            &alice,
            &[
                ("status", "now with text"),
                ("media_ids[]", other["id"].as_str().unwrap()),
            ],
        )
        .await
        .json();
    assert_eq!(edited["media_attachments"].as_array().unwrap().len(), 1);
    assert_eq!(edited["media_attachments"][0]["id"], other["id"]);
}

#[tokio::test]
async fn avatars_and_headers_are_uploaded_with_update_credentials() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let response = app
        .send(multipart_request(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &alice,
            &[("display_name", "Alice")],
            Some(("avatar", "me.jpg", "image/jpeg", &jpeg_with_exif(300, 300))),
        ))
        .await;
    let me = response.assert_status(StatusCode::OK).json();
    let avatar = me["avatar"].as_str().unwrap();
    assert!(avatar.starts_with("http://loggia.test/media/"), "{avatar}");
    assert_eq!(me["avatar_static"], me["avatar"]);
    assert_eq!(me["display_name"], "Alice");
    let served = app
        .get(avatar.strip_prefix("http://loggia.test").unwrap())
        .await;
    served.assert_status(StatusCode::OK);
    assert!(!served.body.windows(10).any(|w| w == b"SECRET-GPS"));
    let response = app
        .send(multipart_request(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &alice,
            &[],
            Some(("header", "h.txt", "text/plain", b"not an image")),
        ))
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // A refused upload changed nothing.
    let me = app
        .get_with_token("/api/v1/accounts/verify_credentials", &alice)
        .await
        .json();
    assert_eq!(me["avatar"], avatar);
    assert_eq!(
        me["header"],
        "http://loggia.test/headers/original/missing.png"
    );
}

#[tokio::test]
async fn edits_fix_alt_text_and_the_history_keeps_each_versions_media() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let first = upload(
        &app,
        &alice,
        "/api/v1/media",
        &jpeg_with_exif(20, 20),
        "old alt",
    )
    .await
    .json();
    let second = upload(&app, &alice, "/api/v1/media", &jpeg_with_exif(30, 30), "")
        .await
        .json();
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    let status = app
        .post_status(&alice, &[("status", "pictures"), ("media_ids[]", a)])
        .await;
    let id = status["id"].as_str().unwrap();
    let request = axum::http::Request::put(format!("/api/v1/statuses/{id}"))
        .header("authorization", format!("Bearer {alice}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({"status": "pictures", "media_ids": [a], "media_attributes": [{"id": a, "description": "new alt"}]}).to_string()))
        .unwrap();
    let edited = app.send(request).await.assert_status(StatusCode::OK).json();
    assert_eq!(edited["media_attachments"][0]["description"], "new alt");
    app.send_with_token(
        Method::PUT,
        &format!("/api/v1/statuses/{id}"),
        &alice,
        &[("status", "swapped"), ("media_ids[]", b)],
    )
    .await
    .assert_status(StatusCode::OK);
    let history = app
        .get(&format!("/api/v1/statuses/{id}/history"))
        .await
        .json();
    let media_of = |v: &serde_json::Value| {
        v["media_attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let versions = history.as_array().unwrap();
    assert_eq!(media_of(&versions[0]), [a]);
    assert_eq!(media_of(versions.last().unwrap()), [b]);
}

#[tokio::test]
async fn a_text_only_edit_keeps_the_media() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let media = upload(
        &app,
        &alice,
        "/api/v1/media",
        &jpeg_with_exif(20, 20),
        "alt",
    )
    .await
    .json();
    let status = app
        .post_status(
            &alice,
            &[
                ("status", "with a picture"),
                ("media_ids[]", media["id"].as_str().unwrap()),
            ],
        )
        .await;
    let id = status["id"].as_str().unwrap();
    let edited = app
        .send_with_token(
            Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            &alice,
            &[("status", "typo fixed")],
        )
        .await
        .json();
    assert_eq!(edited["media_attachments"].as_array().unwrap().len(), 1);
    // An explicitly empty list removes them.
    let request = axum::http::Request::put(format!("/api/v1/statuses/{id}"))
        .header("authorization", format!("Bearer {alice}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"status": "no picture", "media_ids": []}).to_string(),
        ))
        .unwrap();
    let edited = app.send(request).await.assert_status(StatusCode::OK).json();
    assert_eq!(edited["media_attachments"], json!([]));
}
