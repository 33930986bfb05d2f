//! Media uploads: processing, limits, alt text, attaching to statuses and
//! serving the files.

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::schema::assert_entity;
use crate::common::{TestApp, multipart_files_request, multipart_request};

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
    // Files are refused by their first bytes or their size, before they
    // are read to the end.
    let zeros = vec![0u8; 17 * 1024 * 1024];
    let response = upload(&app, &alice, "/api/v1/media", &zeros, "").await;
    assert!(
        response
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .json()["error"]
            .as_str()
            .unwrap()
            .contains("File type is not supported")
    );
    let mut huge_jpeg = jpeg_with_exif(10, 10);
    huge_jpeg.resize(17 * 1024 * 1024, 0);
    let response = upload(&app, &alice, "/api/v1/media", &huge_jpeg, "").await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.json()["error"].as_str().unwrap().contains("16 MB"));
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

const WEBM: &[u8] = include_bytes!("../../fixtures/media/small.webm");
const THUMBNAIL_PNG: &[u8] = include_bytes!("../../fixtures/media/thumbnail.png");

async fn upload_video(
    app: &TestApp,
    token: &str,
    path: &str,
    thumbnail: Option<&[u8]>,
) -> crate::common::TestResponse {
    let mut files = vec![("file", "small.webm", "video/webm", WEBM)];
    files.extend(thumbnail.map(|png| ("thumbnail", "test1.png", "image/png", png)));
    app.send(multipart_files_request(
        Method::POST,
        path,
        token,
        &[("description", "A clip")],
        &files,
    ))
    .await
}

/// Polls GET /api/v1/media/{id} as apps do until the video is processed.
async fn processed(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    for _ in 0..600 {
        let response = app
            .get_with_token(&format!("/api/v1/media/{id}"), token)
            .await;
        match response.status {
            StatusCode::OK => return response.json(),
            StatusCode::PARTIAL_CONTENT => {
                assert!(response.json()["url"].is_null());
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            _ => panic!("unexpected {}: {}", response.status, response.text()),
        }
    }
    panic!("video {id} was not processed within a minute");
}

fn local(url: &serde_json::Value) -> String {
    url.as_str()
        .unwrap()
        .strip_prefix("http://loggia.test")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn videos_are_transcoded_to_mp4_and_served_in_ranges() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let accepted = upload_video(&app, &alice, "/api/v2/media", None).await;
    let pending = accepted.assert_status(StatusCode::ACCEPTED).json();
    assert_entity("MediaAttachment", &pending);
    assert_eq!(pending["type"], "video");
    assert!(pending["url"].is_null());
    let media = processed(&app, &alice, pending["id"].as_str().unwrap()).await;
    assert_entity("MediaAttachment", &media);
    assert_eq!(media["description"], "A clip");
    let url = media["url"].as_str().unwrap();
    assert!(url.ends_with(".mp4"), "{url}");
    assert!(media["preview_url"].as_str().unwrap().ends_with(".jpg"));
    let original = &media["meta"]["original"];
    assert_eq!(
        (original["width"].as_i64(), original["height"].as_i64()),
        (Some(560), Some(320))
    );
    assert_eq!(original["duration"].as_f64().unwrap() as i64, 5);
    assert_eq!(original["frame_rate"], "30/1");
    assert!(original["bitrate"].as_i64().unwrap() > 0);
    assert_eq!(
        media["meta"]["length"],
        format!("0:00:0{:.2}", original["duration"].as_f64().unwrap())
    );
    let small = &media["meta"]["small"];
    assert!(small["width"].as_i64().unwrap() > 0);
    assert!(media["blurhash"].as_str().unwrap().len() >= 6);

    let served = app.get(&local(&media["url"])).await;
    served.assert_status(StatusCode::OK);
    assert_eq!(served.header("content-type").as_deref(), Some("video/mp4"));
    assert_eq!(served.header("accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(
        &served.body[4..8],
        b"ftyp",
        "an MP4 starts with its ftyp box"
    );
    assert!(
        served.body.windows(4).any(|w| w == b"avc1"),
        "the video is H.264"
    );
    let range = app
        .send(
            axum::http::Request::get(local(&media["url"]))
                .header("range", "bytes=4-7")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    range.assert_status(StatusCode::PARTIAL_CONTENT);
    assert_eq!(range.body, b"ftyp");
    assert_eq!(
        range.header("content-range"),
        Some(format!("bytes 4-7/{}", served.body.len()))
    );
    let preview = app.get(&local(&media["preview_url"])).await;
    preview.assert_status(StatusCode::OK);
    assert_eq!(
        preview.header("content-type").as_deref(),
        Some("image/jpeg")
    );

    // A post with the video.
    let status = app
        .post_status(
            &alice,
            &[
                ("status", "watch this"),
                ("media_ids[]", media["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_entity("Status", &status);
    let attached = &status["media_attachments"][0];
    assert_eq!(attached["type"], "video");
    assert_eq!(attached["url"], media["url"]);
    assert_eq!(attached["meta"]["original"]["width"], 560);
}

#[tokio::test]
async fn custom_thumbnails_keep_their_format_and_v1_answers_when_processed() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    // What toot's test_media_thumbnail sends, to v1, which waits.
    let media = upload_video(&app, &alice, "/api/v1/media", Some(THUMBNAIL_PNG))
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert_entity("MediaAttachment", &media);
    assert!(media["url"].as_str().unwrap().ends_with(".mp4"));
    assert!(media["preview_url"].as_str().unwrap().ends_with(".png"));
    assert_eq!(media["meta"]["small"]["width"], 50);
    assert_eq!(media["meta"]["small"]["height"], 50);
    assert_eq!(media["meta"]["original"]["width"], 560);
    let preview = app.get(&local(&media["preview_url"])).await;
    assert_eq!(preview.header("content-type").as_deref(), Some("image/png"));

    // The thumbnail can be replaced later, and the old file goes.
    let id = media["id"].as_str().unwrap();
    let updated = app
        .send(multipart_request(
            Method::PUT,
            &format!("/api/v1/media/{id}"),
            &alice,
            &[],
            Some(("thumbnail", "t.jpg", "image/jpeg", &jpeg_with_exif(40, 30))),
        ))
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert!(updated["preview_url"].as_str().unwrap().ends_with(".jpg"));
    assert_eq!(updated["meta"]["small"]["width"], 40);
    assert_eq!(updated["description"], "A clip");
    app.get(&local(&media["preview_url"]))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.get(&local(&updated["preview_url"]))
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn files_that_are_not_videos_are_refused_whatever_their_name() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let send = |bytes: Vec<u8>| {
        let app = &app;
        let alice = &alice;
        async move {
            app.send(multipart_request(
                Method::POST,
                "/api/v2/media",
                alice,
                &[],
                Some(("file", "clip.webm", "video/webm", &bytes)),
            ))
            .await
        }
    };
    let error = |response: &crate::common::TestResponse| {
        response.json()["error"].as_str().unwrap().to_owned()
    };
    let text = send(b"just some text pretending to be a video".to_vec()).await;
    text.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error(&text).contains("File type is not supported"),
        "{}",
        error(&text)
    );
    // A WebM header followed by garbage.
    let mut broken = WEBM[..64].to_vec();
    broken.extend(std::iter::repeat_n(0x42u8, 4096));
    let broken = send(broken).await;
    broken.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error(&broken).contains("could not be read as a video"),
        "{}",
        error(&broken)
    );
    // Over the video limit: refused once the limit is passed.
    let mut huge = WEBM.to_vec();
    huge.resize(loggia::media::video::MAX_VIDEO_BYTES + 1, 0);
    let huge = send(huge).await;
    huge.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error(&huge).contains("99 MB"), "{}", error(&huge));
}

#[tokio::test]
async fn without_ffmpeg_videos_are_refused_clearly_and_images_still_work() {
    let db = crate::common::TestDb::new().await;
    let store = db.store().await;
    let options = loggia::state::Options {
        transcoder: Some(loggia::media::video::Transcoder::new(
            "/nonexistent/ffmpeg".into(),
            "/nonexistent/ffprobe".into(),
            1,
        )),
        ..Default::default()
    };
    let state =
        loggia::state::AppState::with_options(crate::common::test_config(db.url()), store, options)
            .await
            .unwrap();
    let app = TestApp::from_state(state, db);
    let (_, alice) = app.user_with_token("alice").await;
    let response = upload_video(&app, &alice, "/api/v2/media", None).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.json()["error"],
        "Validation failed: video is not supported on this server: ffmpeg is not installed"
    );
    upload(&app, &alice, "/api/v2/media", &jpeg_with_exif(20, 20), "")
        .await
        .assert_status(StatusCode::OK);
}

/// A pending video as a node leaves it when it stops mid-way: the upload
/// kept in the store, the hold lapsed.
async fn stalled_video(
    app: &TestApp,
    owner: &loggia::store::UserWithAccount,
    attempts: i64,
) -> i64 {
    use loggia::model::media::Media;
    let key = loggia::media::MediaStore::new_key("upload");
    app.state.media.put(&key, WEBM).await.unwrap();
    let row = Media {
        id: 0,
        account_id: owner.account.id,
        status_id: None,
        kind: "video".into(),
        content_type: "video/mp4".into(),
        file_key: key,
        file_size: WEBM.len() as i64,
        width: 560,
        height: 320,
        thumbnail_key: String::new(),
        thumb_width: 0,
        thumb_height: 0,
        blurhash: String::new(),
        description: String::new(),
        focus_x: 0.0,
        focus_y: 0.0,
        created_at: loggia::model::Timestamp::now(),
        remote_url: None,
        duration: Some(5.568),
        frame_rate: Some("30/1".into()),
        bitrate: None,
        processing: "pending".into(),
        claimed_until: Some(loggia::model::Timestamp::now().plus_seconds(-1)),
        attempts,
    };
    app.state.store.media().insert(&row).await.unwrap().id
}

#[tokio::test]
async fn interrupted_videos_resume_on_any_node_and_fail_after_repeated_crashes() {
    let app = TestApp::new().await;
    let (alice_user, alice) = app.user_with_token("alice").await;
    let id = stalled_video(&app, &alice_user, 1).await;
    let pending = app
        .get_with_token(&format!("/api/v1/media/{id}"), &alice)
        .await;
    assert!(pending.assert_status(StatusCode::PARTIAL_CONTENT).json()["url"].is_null());
    let early = app
        .post_with_token(
            "/api/v1/statuses",
            &alice,
            &[("media_ids[]", &id.to_string())],
        )
        .await;
    assert!(
        early.assert_status(StatusCode::UNPROCESSABLE_ENTITY).json()["error"]
            .as_str()
            .unwrap()
            .contains("not finished processing")
    );

    let doomed = stalled_video(&app, &alice_user, loggia::service::media::MAX_ATTEMPTS).await;
    let now = loggia::model::Timestamp::now();
    let tasks = loggia::service::media::resume_stalled(&app.state, now)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1, "the doomed video is not tried again");
    // Another node looking at the same moment finds nothing left to take.
    assert!(
        loggia::service::media::resume_stalled(&app.state, now)
            .await
            .unwrap()
            .is_empty()
    );
    for task in tasks {
        task.await.unwrap();
    }
    let media = app
        .get_with_token(&format!("/api/v1/media/{id}"), &alice)
        .await
        .assert_status(StatusCode::OK)
        .json();
    assert!(media["url"].as_str().unwrap().ends_with(".mp4"));
    assert_eq!(media["meta"]["original"]["width"], 560);
    let upload_key = app.state.store.media().by_id(id).await.unwrap().unwrap();
    assert!(
        upload_key.file_key.ends_with(".mp4"),
        "the upload as received is gone"
    );

    let failed = app
        .get_with_token(&format!("/api/v1/media/{doomed}"), &alice)
        .await;
    failed.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let refused = app
        .post_with_token(
            "/api/v1/statuses",
            &alice,
            &[("media_ids[]", &doomed.to_string())],
        )
        .await;
    assert!(
        refused
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .json()["error"]
            .as_str()
            .unwrap()
            .contains("could not be processed")
    );
}
