//! `loggia backup` and `loggia restore`, run as the real binary on the run's
//! backend (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump`/`pg_restore`). An
//! instance seeded through the API is backed up while another client keeps
//! posting, restored into a fresh database and media directory, and served
//! again: the same data, the same ids, working tokens, the media file, none
//! of the later writes and no half of any write.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::sync::Mutex;

use crate::common::db::{Backend, backend};
use crate::common::{TestApp, TestDb, multipart_request, test_config};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

async fn loggia(database_url: &str, media_dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_loggia"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOGGIA_DATABASE_URL", database_url)
        .env("LOGGIA_MEDIA_DIR", media_dir)
        .env("LOGGIA_DOMAIN", crate::common::DOMAIN)
        .env("LOGGIA_PROTOCOL", "http")
        .output()
        .await
        .expect("run loggia")
}

#[track_caller]
fn assert_success(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "loggia failed: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[track_caller]
fn assert_failure(out: &Output, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "should fail: {stderr}");
    assert!(stderr.contains(message), "{stderr:?} lacks {message:?}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

fn png() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        24,
        16,
        image::Rgb([200, 40, 90]),
    ));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The path of an absolute URL this instance serves.
fn path_of(url: &Value) -> String {
    let url = url::Url::parse(url.as_str().expect("a URL")).unwrap();
    url.path().to_owned()
}

/// Every status of an account, newest first, through the API's pages.
async fn all_statuses(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut statuses = Vec::new();
    let mut max_id = String::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let page = app
            .get_with_token(&format!("{path}{sep}limit=40{max_id}"), token)
            .await
            .assert_status(StatusCode::OK)
            .json();
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else {
            return statuses;
        };
        max_id = format!("&max_id={}", last["id"].as_str().unwrap());
        statuses.extend(page);
    }
}

/// What a user sees, by path and token, to compare after the restore.
type Views = Vec<(String, String, Value)>;

async fn views(app: &TestApp, wanted: &[(String, String)]) -> Views {
    let mut seen = Vec::new();
    for (path, token) in wanted {
        let response = app.get_with_token(path, token).await;
        response.assert_status(StatusCode::OK);
        seen.push((path.clone(), token.clone(), response.json()));
    }
    seen
}

/// One post of the writer: its id and the backup's phase (0 before, 1
/// during, 2 after) when it was sent and when it was answered.
struct Write {
    id: String,
    sent: u8,
    answered: u8,
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_the_same_instance() {
    let media = tempfile::tempdir().unwrap();
    let media_dir = media.path().join("media");
    let dir = media_dir.clone();
    let app = Arc::new(TestApp::with_config(move |c| c.media_dir = dir).await);
    let database_url = app.state.config.database_url.clone();

    // The seed: a post with a picture, a reply, a follow, a favourite, a
    // post held for review, OAuth tokens.
    app.create_user("boss", "admin").await;
    let boss = app.token("boss", ADMIN_SCOPES).await;
    app.send_json(
        Method::POST,
        "/api/v1/loggia/admin/rules",
        &boss,
        &json!({
            "name": "Project Falcon is confidential",
            "direction": "outbound",
            "match": "keyword",
            "patterns": ["Project Falcon"],
            "action": "hold",
        }),
    )
    .await
    .assert_status(StatusCode::OK);
    let (alice_user, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let alice_id = alice_user.account.id.0.to_string();
    app.post_with_token(&format!("/api/v1/accounts/{alice_id}/follow"), &bob, &[])
        .await
        .assert_status(StatusCode::OK);
    let picture = png();
    let attachment = app
        .send(multipart_request(
            Method::POST,
            "/api/v2/media",
            &alice,
            &[("description", "A red square")],
            Some(("file", "red.png", "image/png", &picture)),
        ))
        .await
        .assert_status(StatusCode::OK)
        .json();
    let post = app
        .post_status(
            &alice,
            &[
                ("status", "Our new office"),
                ("media_ids[]", attachment["id"].as_str().unwrap()),
            ],
        )
        .await;
    let post_id = post["id"].as_str().unwrap().to_owned();
    let reply = app
        .post_status(
            &bob,
            &[("status", "@alice Lovely!"), ("in_reply_to_id", &post_id)],
        )
        .await;
    let reply_id = reply["id"].as_str().unwrap().to_owned();
    app.post_with_token(&format!("/api/v1/statuses/{post_id}/favourite"), &bob, &[])
        .await
        .assert_status(StatusCode::OK);
    let held = app
        .post_status(&alice, &[("status", "Project Falcon ships in May")])
        .await;
    assert_eq!(held["loggia_review"]["state"], "pending");
    let held_id = held["id"].as_str().unwrap().to_owned();
    let media_path = path_of(&post["media_attachments"][0]["url"]);
    let stored_picture = app
        .get(&media_path)
        .await
        .assert_status(StatusCode::OK)
        .body
        .clone();

    let wanted: Vec<(String, String)> = [
        (format!("/api/v1/statuses/{post_id}"), &alice),
        (format!("/api/v1/statuses/{reply_id}"), &bob),
        (format!("/api/v1/statuses/{held_id}"), &alice),
        (format!("/api/v1/statuses/{post_id}/context"), &bob),
        (format!("/api/v1/accounts/{alice_id}/statuses"), &alice),
        ("/api/v1/timelines/home".into(), &bob),
        ("/api/v1/favourites".into(), &bob),
        ("/api/v1/notifications".into(), &alice),
        (
            format!("/api/v1/accounts/relationships?id[]={alice_id}"),
            &bob,
        ),
        ("/api/v1/accounts/verify_credentials".into(), &alice),
        ("/api/v1/loggia/admin/reviews".into(), &boss),
    ]
    .into_iter()
    .map(|(path, token)| (path, token.clone()))
    .collect();
    let before = views(&app, &wanted).await;

    // A writer posts (every other post a reply to its first) and a watcher
    // follows it, so each post is several rows in one transaction: the
    // status, the author's count, the parent's count, the watcher's feed.
    let (writer_user, writer) = app.user_with_token("writer").await;
    let (_, watcher) = app.user_with_token("watcher").await;
    let writer_id = writer_user.account.id.0.to_string();
    app.post_with_token(
        &format!("/api/v1/accounts/{writer_id}/follow"),
        &watcher,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    let thread = app.post_status(&writer, &[("status", "Thread")]).await;
    let thread_id = thread["id"].as_str().unwrap().to_owned();

    let phase = Arc::new(AtomicU8::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(Mutex::new(Vec::<Write>::new()));
    let writing = tokio::spawn({
        let (app, phase, stop, writes) = (app.clone(), phase.clone(), stop.clone(), writes.clone());
        let (writer, thread_id) = (writer.clone(), thread_id.clone());
        async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let text = format!("Update {n}");
                let mut form = vec![("status", text.as_str())];
                if n % 2 == 0 {
                    form.push(("in_reply_to_id", &thread_id));
                }
                let sent = phase.load(Ordering::SeqCst);
                let status = app.post_status(&writer, &form).await;
                writes.lock().await.push(Write {
                    id: status["id"].as_str().unwrap().to_owned(),
                    sent,
                    answered: phase.load(Ordering::SeqCst),
                });
            }
        }
    });
    let written_in = |p: u8| {
        let writes = writes.clone();
        async move { writes.lock().await.iter().filter(|w| w.sent == p).count() }
    };
    while written_in(0).await < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    let backups = tempfile::tempdir().unwrap();
    let backup_dir = backups.path().join("nightly");
    let backup_arg = backup_dir.to_str().unwrap();
    phase.store(1, Ordering::SeqCst);
    let out = loggia(&database_url, &media_dir, &["backup", backup_arg]).await;
    phase.store(2, Ordering::SeqCst);
    let report = assert_success(&out);
    assert!(report.contains("Backup written to"), "{report}");
    assert!(
        report.contains("media: media/ (2 files"),
        "picture and thumbnail: {report}"
    );
    while written_in(2).await < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writing.await.unwrap();
    let writes = writes.lock().await;

    // The backup holds the whole picture; a second backup does not
    // overwrite it unasked, and no half directory is left behind.
    let file = if matches!(backend(), Backend::Sqlite) {
        "loggia.sqlite"
    } else {
        "loggia.pgdump"
    };
    assert!(backup_dir.join(file).is_file());
    assert_failure(
        &loggia(&database_url, &media_dir, &["backup", backup_arg]).await,
        "already exists (use --force to replace it)",
    );
    let left: Vec<_> = std::fs::read_dir(backups.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the backup: {left:?}");
    // Nor does --force replace what is not a backup: a slip that names the
    // media directory (or a data directory) is refused, and it is intact.
    let media_arg = media_dir.to_str().unwrap();
    let media_files = std::fs::read_dir(&media_dir).unwrap().count();
    assert_failure(
        &loggia(&database_url, &media_dir, &["backup", "--force", media_arg]).await,
        "is not a Loggia backup",
    );
    assert_eq!(std::fs::read_dir(&media_dir).unwrap().count(), media_files);

    // Restore into a fresh database and media directory.
    let restored_db = TestDb::new().await;
    if let Backend::Postgres { .. } = backend() {
        // The per-test database is a migrated copy: the restore refuses it…
        assert_failure(
            &loggia(restored_db.url(), &media_dir, &["restore", backup_arg]).await,
            "is not empty",
        );
        // …and takes it once it is as empty as `createdb` makes it.
        let mut conn = sqlx::PgConnection::connect(restored_db.url())
            .await
            .unwrap();
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let restored_media = tempfile::tempdir().unwrap();
    let out = loggia(
        restored_db.url(),
        restored_media.path(),
        &["restore", backup_arg],
    )
    .await;
    let report = assert_success(&out);
    assert!(report.contains("media: 2 files into"), "{report}");

    let mut config = test_config(restored_db.url());
    config.media_dir = restored_media.path().to_path_buf();
    let state = loggia::state::AppState::init(config)
        .await
        .expect("restored state");
    let restored = TestApp::from_state(state, restored_db);

    // The same data, through the same (OAuth) tokens.
    for (path, token, value) in &before {
        let now = restored.get_with_token(path, token).await;
        now.assert_status(StatusCode::OK);
        assert_eq!(&now.json(), value, "GET {path} differs after the restore");
    }
    let served = restored.get(&media_path).await;
    served.assert_status(StatusCode::OK);
    assert_eq!(served.body, stored_picture, "the picture is served");

    // The writer's posts: those answered before the backup are there, those
    // sent after it are not, and every one there is whole.
    let statuses = all_statuses(
        &restored,
        &writer,
        &format!("/api/v1/accounts/{writer_id}/statuses"),
    )
    .await;
    let present: Vec<&str> = statuses.iter().map(|s| s["id"].as_str().unwrap()).collect();
    for write in writes.iter() {
        if write.answered == 0 {
            assert!(
                present.contains(&write.id.as_str()),
                "{} was written before the backup",
                write.id
            );
        }
        if write.sent == 2 {
            assert!(
                !present.contains(&write.id.as_str()),
                "{} was written after the backup",
                write.id
            );
        }
    }
    let account = restored
        .get_with_token("/api/v1/accounts/verify_credentials", &writer)
        .await
        .json();
    assert_eq!(
        account["statuses_count"],
        present.len(),
        "the author's count matches its posts"
    );
    let replies = statuses
        .iter()
        .filter(|s| s["in_reply_to_id"] == thread_id.as_str())
        .count();
    let thread = restored
        .get_with_token(&format!("/api/v1/statuses/{thread_id}"), &writer)
        .await
        .json();
    assert_eq!(
        thread["replies_count"], replies,
        "the thread's count matches its replies"
    );
    let mut fed: Vec<String> = all_statuses(&restored, &watcher, "/api/v1/timelines/home")
        .await
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    fed.sort();
    let mut expected: Vec<String> = present.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(
        fed, expected,
        "the watcher's feed holds exactly the writer's posts"
    );

    // The restored instance takes new writes.
    restored
        .post_status(&alice, &[("status", "Back again")])
        .await;
}

/// A restore does not replace a SQLite database without `--force`, nor one
/// a running instance has open even with it.
#[tokio::test]
async fn a_restore_does_not_replace_a_database_unasked_or_in_use() {
    let media = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite().await;
    let url = db.url().to_owned();
    let mut config = test_config(&url);
    config.media_dir = media.path().to_path_buf();
    let state = loggia::state::AppState::init(config).await.expect("state");
    let app = TestApp::from_state(state, db);
    app.create_user("alice", "user").await;

    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("b");
    let backup_arg = backup.to_str().unwrap();
    assert_success(&loggia(&url, media.path(), &["backup", backup_arg]).await);

    assert_failure(
        &loggia(&url, media.path(), &["restore", backup_arg]).await,
        "already exists (stop Loggia, then use --force to replace it)",
    );
    assert_failure(
        &loggia(&url, media.path(), &["restore", "--force", backup_arg]).await,
        "is in use by a running Loggia: stop it first",
    );
    assert_failure(
        &loggia(
            &url,
            media.path(),
            &["restore", backups.path().to_str().unwrap()],
        )
        .await,
        "is not a Loggia backup",
    );
    let postgres = "postgres://nobody@127.0.0.1:1/none";
    assert_failure(
        &loggia(postgres, media.path(), &["restore", backup_arg]).await,
        "is a SQLite backup but database_url is PostgreSQL",
    );

    // Stopped, it is replaced, and what was written since is gone.
    app.create_user("bob", "user").await;
    app.state.store.close().await;
    let report =
        assert_success(&loggia(&url, media.path(), &["restore", "--force", backup_arg]).await);
    assert!(report.contains("Restored"), "{report}");
    let store = loggia::store::Store::connect(&url, 1).await.unwrap();
    assert!(store.users().by_login("alice").await.unwrap().is_some());
    assert!(store.users().by_login("bob").await.unwrap().is_none());

    // A crash leaves a WAL file behind; if the database file is then
    // removed, the restore must not replay that WAL into the backup.
    let config = app.state.config.clone();
    loggia::service::accounts::create_local_user(
        &store,
        &config,
        &loggia::service::accounts::NewLocalUser {
            username: "carol".into(),
            email: "carol@acme.example".into(),
            password: crate::common::PASSWORD.into(),
            role: "user".into(),
        },
    )
    .await
    .unwrap();
    let file = url.strip_prefix("sqlite://").unwrap();
    let wal = format!("{file}-wal");
    let stale = std::fs::read(&wal).expect("a WAL file while the database is open");
    store.close().await;
    std::fs::remove_file(file).unwrap();
    std::fs::write(&wal, stale).unwrap();
    assert_success(&loggia(&url, media.path(), &["restore", backup_arg]).await);
    let store = loggia::store::Store::connect(&url, 1).await.unwrap();
    assert!(store.users().by_login("alice").await.unwrap().is_some());
    assert!(store.users().by_login("carol").await.unwrap().is_none());
    store.close().await;
}
