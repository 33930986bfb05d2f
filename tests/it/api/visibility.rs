//! Who sees what: every audience against every kind of viewer, through the
//! single-status, account-statuses, context and timeline endpoints.

use axum::http::StatusCode;

use crate::common::{Form, TestApp};

/// The people around an author.
struct World {
    app: TestApp,
    author: String,
    author_id: String,
    follower: String,
    mentioned: String,
    stranger: String,
    blocked: String,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let (author_user, author) = app.user_with_token("author").await;
    let (_, follower) = app.user_with_token("follower").await;
    let (_, mentioned) = app.user_with_token("mentioned").await;
    let (_, stranger) = app.user_with_token("stranger").await;
    let (blocked_user, blocked) = app.user_with_token("blocked").await;
    let author_id = author_user.account.id.to_string();
    app.post_with_token(
        &format!("/api/v1/accounts/{author_id}/follow"),
        &follower,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_with_token(
        &format!("/api/v1/accounts/{author_id}/follow"),
        &blocked,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    app.post_with_token(
        &format!("/api/v1/accounts/{}/block", blocked_user.account.id),
        &author,
        &[],
    )
    .await
    .assert_status(StatusCode::OK);
    World {
        app,
        author,
        author_id,
        follower,
        mentioned,
        stranger,
        blocked,
    }
}

/// (audience form, [author, follower, mentioned, stranger, blocked, anonymous])
const MATRIX: &[(Form, [bool; 6])] = &[
    (
        &[("visibility", "public")],
        [true, true, true, true, false, true],
    ),
    (
        &[("visibility", "unlisted")],
        [true, true, true, true, false, true],
    ),
    (
        &[("visibility", "private")],
        [true, true, true, false, false, false],
    ),
    (
        &[("visibility", "direct")],
        [true, false, true, false, false, false],
    ),
    (
        &[("visibility", "local")],
        [true, true, true, true, false, false],
    ),
    (
        &[("visibility", "private"), ("local_only", "true")],
        [true, true, true, false, false, false],
    ),
];

#[tokio::test]
async fn each_audience_reaches_exactly_its_viewers() {
    let w = world().await;
    let viewers: [Option<&str>; 6] = [
        Some(&w.author),
        Some(&w.follower),
        Some(&w.mentioned),
        Some(&w.stranger),
        Some(&w.blocked),
        None,
    ];
    for (audience, expected) in MATRIX {
        let mut form = vec![("status", "hello @mentioned")];
        form.extend_from_slice(audience);
        let status = w.app.post_status(&w.author, &form).await;
        let id = status["id"].as_str().unwrap();
        let reply = w
            .app
            .post_status(
                &w.author,
                &[
                    ("status", "@mentioned more"),
                    ("in_reply_to_id", id),
                    ("visibility", "direct"),
                ],
            )
            .await;
        for (viewer, sees) in viewers.iter().zip(expected) {
            let single = w
                .app
                .get_as(&format!("/api/v1/statuses/{id}"), *viewer)
                .await;
            let want = if *sees {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(
                single.status,
                want,
                "{audience:?} seen by viewer #{:?}",
                viewers.iter().position(|v| v == viewer)
            );
            let listed = w
                .app
                .get_as(
                    &format!("/api/v1/accounts/{}/statuses", w.author_id),
                    *viewer,
                )
                .await
                .json();
            let in_list = listed.as_array().unwrap().iter().any(|s| s["id"] == id);
            assert_eq!(in_list, *sees, "{audience:?} in account statuses");
            // The context of a visible reply never leaks an invisible parent.
            let reply_id = reply["id"].as_str().unwrap();
            let context = w
                .app
                .get_as(&format!("/api/v1/statuses/{reply_id}/context"), *viewer)
                .await;
            if context.status == StatusCode::OK {
                let ancestors = context.json()["ancestors"].as_array().unwrap().clone();
                assert_eq!(
                    ancestors.iter().any(|s| s["id"] == id),
                    *sees,
                    "{audience:?} as ancestor"
                );
            }
        }
        w.app
            .post_with_token(
                &format!("/api/v1/statuses/{id}/favourite"),
                &w.stranger,
                &[],
            )
            .await
            .assert_status(if expected[3] {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            });
    }
}

#[tokio::test]
async fn timelines_respect_audiences() {
    let w = world().await;
    let mut ids = Vec::new();
    for (audience, _) in MATRIX {
        let mut form = vec![("status", "timeline @mentioned")];
        form.extend_from_slice(audience);
        ids.push(
            w.app.post_status(&w.author, &form).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let has = |list: &serde_json::Value, i: usize| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == ids[i].as_str())
    };
    // [public, unlisted, private, direct, company-only public, company-only private]
    let public_local = w
        .app
        .get_with_token("/api/v1/timelines/public?local=true", &w.stranger)
        .await
        .json();
    assert_eq!(
        (0..6).map(|i| has(&public_local, i)).collect::<Vec<_>>(),
        [true, false, false, false, true, false]
    );
    let public_anon = w.app.get("/api/v1/timelines/public").await.json();
    assert_eq!(
        (0..6).map(|i| has(&public_anon, i)).collect::<Vec<_>>(),
        [true, false, false, false, false, false]
    );
    let home_follower = w
        .app
        .get_with_token("/api/v1/timelines/home", &w.follower)
        .await
        .json();
    assert_eq!(
        (0..6).map(|i| has(&home_follower, i)).collect::<Vec<_>>(),
        [true, true, true, false, true, true]
    );
    // As in Mastodon, being mentioned notifies; it does not fill the home
    // feed of someone who does not follow the author.
    let home_mentioned = w
        .app
        .get_with_token("/api/v1/timelines/home", &w.mentioned)
        .await
        .json();
    assert_eq!(home_mentioned, serde_json::json!([]));
    let mentions = w
        .app
        .get_with_token("/api/v1/notifications?types[]=mention", &w.mentioned)
        .await
        .json();
    assert_eq!(mentions.as_array().unwrap().len(), 6);
    let home_blocked = w
        .app
        .get_with_token("/api/v1/timelines/home", &w.blocked)
        .await
        .json();
    assert_eq!(home_blocked, serde_json::json!([]));
    let home_author = w
        .app
        .get_with_token("/api/v1/timelines/home", &w.author)
        .await
        .json();
    assert_eq!(home_author.as_array().unwrap().len(), 6);
    // Company-only posts say so.
    let local = w
        .app
        .get_with_token(&format!("/api/v1/statuses/{}", ids[4]), &w.stranger)
        .await
        .json();
    assert_eq!(
        (local["local_only"].clone(), local["visibility"].clone()),
        (serde_json::json!(true), serde_json::json!("public"))
    );
}

#[tokio::test]
async fn replies_to_company_only_posts_stay_in_the_company() {
    let app = TestApp::new().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, bob) = app.user_with_token("bob").await;
    let root = app
        .post_status(&alice, &[("status", "internal"), ("visibility", "local")])
        .await;
    let reply = app
        .post_status(
            &bob,
            &[
                ("status", "reply"),
                ("in_reply_to_id", root["id"].as_str().unwrap()),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(reply["local_only"], true);
    app.get(&format!(
        "/api/v1/statuses/{}",
        reply["id"].as_str().unwrap()
    ))
    .await
    .assert_status(StatusCode::NOT_FOUND);
}
