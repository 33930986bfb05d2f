//! A full disk under the media directory: a small tmpfs mounted for the
//! test and filled up. Uploads are refused with a clear Mastodon-style
//! error, leave neither a file nor a row behind, and work again once there
//! is room, without a restart. Mounting needs root; without it the test
//! skips, unless `LOGGIA_TEST_REQUIRE_FAULTS` is set (scripts/test.sh).

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{Method, StatusCode};
use sqlx::Connection;

use crate::common::{TestApp, TestResponse, multipart_request};

/// A tmpfs of `size` mounted on a temporary directory, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(Self { dir }),
            other => {
                let why = format!("cannot mount a tmpfs (root needed): {other:?}");
                assert!(
                    std::env::var_os("LOGGIA_TEST_REQUIRE_FAULTS").is_none(),
                    "LOGGIA_TEST_REQUIRE_FAULTS is set but {why}"
                );
                eprintln!("skipped: {why}");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fills the file system with `ballast` until a write fails.
fn fill(ballast: &Path) {
    let mut file = std::fs::File::create(ballast).unwrap();
    let chunk = vec![0x5a_u8; 4096];
    while file
        .write_all(&chunk)
        .and_then(|()| file.sync_all())
        .is_ok()
    {}
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

async fn media_rows(database_url: &str) -> i64 {
    let count = "SELECT COUNT(*) FROM media_attachments";
    if database_url.starts_with("sqlite:") {
        let mut db = sqlx::SqliteConnection::connect(database_url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&mut db).await.unwrap()
    } else {
        let mut db = sqlx::PgConnection::connect(database_url).await.unwrap();
        sqlx::query_scalar(count).fetch_one(&mut db).await.unwrap()
    }
}

/// A photo that compresses badly (noise), so its files are large.
fn noisy_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(width, height, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> TestResponse {
    app.send(multipart_request(
        Method::POST,
        "/api/v2/media",
        token,
        &[("description", "a noisy photo")],
        Some(("file", "photo.jpg", "image/jpeg", bytes)),
    ))
    .await
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_cleanly_and_leaves_nothing_behind() {
    let Some(disk) = Tmpfs::mount("2m") else {
        return;
    };
    let media = disk.path().join("media");
    let app = TestApp::with_config(|c| c.media_dir = media.clone()).await;
    let (_, token) = app.user_with_token("alice").await;
    let database = app.state.config.database_url.clone();
    let photo = noisy_jpeg(800, 600);

    // With room: stored (a file and its thumbnail).
    upload(&app, &token, &photo)
        .await
        .assert_status(StatusCode::OK);
    let stored = files(&media);
    assert_eq!(stored.len(), 2, "{stored:?}");
    let largest = stored
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .max()
        .unwrap();
    assert_eq!(media_rows(&database).await, 1);

    // Full, and then with room for the photo but not its thumbnail: both
    // refused, nothing half-written.
    let ballast = disk.path().join("ballast");
    fill(&ballast);
    for room in [0, largest + 4096] {
        let size = std::fs::metadata(&ballast).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&ballast)
            .unwrap()
            .set_len(size.saturating_sub(room))
            .unwrap();
        let response = upload(&app, &token, &photo).await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = response.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            error.contains("could not be stored") && error.contains("nothing was saved"),
            "{error}"
        );
        assert_eq!(files(&media), stored, "nothing left with {room} bytes free");
        assert_eq!(media_rows(&database).await, 1);
        fill(&ballast);
    }

    // Room again: the same instance stores uploads, no restart needed.
    std::fs::remove_file(&ballast).unwrap();
    upload(&app, &token, &photo)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(files(&media).len(), 4);
    assert_eq!(media_rows(&database).await, 2);
}
