//! The people around one author, two other servers, and one post of each
//! audience (plus a public parent per audience and a reply to it written
//! for the same audience).

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Method, Request, StatusCode};
use loggia::federation::signatures::Signer;
use loggia::model::Account;
use serde_json::{Value, json};
use tower_http::normalize_path::NormalizePath;

use super::{Audience, Viewer};
use crate::common::{DOMAIN, TestApp, TestResponse};

/// What a test's other servers received: `(inbox owner, activity)`.
#[derive(Clone, Default)]
pub struct Inboxes(Arc<Mutex<Vec<(String, Value)>>>);

impl Inboxes {
    /// Whether `who`'s inbox received a `Create` of `uri`.
    pub fn got_create(&self, who: &str, uri: &str) -> bool {
        self.0.lock().unwrap().iter().any(|(owner, activity)| {
            owner == who && activity["type"] == "Create" && activity["object"]["id"] == uri
        })
    }
}

/// POST /inbox/{who}
async fn record(
    State(inboxes): State<Inboxes>,
    Path(who): Path<String>,
    Json(activity): Json<Value>,
) -> StatusCode {
    inboxes.0.lock().unwrap().push((who, activity));
    StatusCode::ACCEPTED
}

/// An account on another server: its host serves an inbox that records
/// what arrives, and the test can sign requests as the account.
pub struct Remote {
    pub account: Account,
    pub signer: Signer,
    pub name: &'static str,
}

async fn remote(app: &TestApp, name: &'static str, inboxes: &Inboxes) -> Remote {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = format!("localhost:{}", listener.local_addr().unwrap().port());
    let router = axum::Router::new()
        .route("/inbox/{who}", axum::routing::post(record))
        .with_state(inboxes.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let keys = activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
    let id = format!("http://{host}/users/{name}");
    let key_id = format!("{id}#main-key");
    let document = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "inbox": format!("http://{host}/inbox/{name}"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "publicKey": {"id": key_id, "owner": id, "publicKeyPem": keys.public_key},
    });
    let account = loggia::federation::fetch::store_actor(&app.state, document)
        .await
        .unwrap();
    Remote {
        account,
        signer: Signer::from_pem(key_id, &keys.private_key).unwrap(),
        name,
    }
}

/// One audience's posts.
pub struct Posted {
    pub audience: Audience,
    /// The post itself (top level, mentions `@mentioned`, tagged).
    pub post: Value,
    /// A public post of the author's, answered by `reply`.
    pub parent: Value,
    /// A reply to `parent`, written for the same audience.
    pub reply: Value,
    /// How much the post raised the author's `statuses_count`, as seen
    /// anonymously.
    pub count_delta: i64,
    /// How much it raised the mentioned account's unread notifications.
    pub unread_delta: i64,
}

impl Posted {
    pub fn id(&self) -> &str {
        self.post["id"].as_str().unwrap()
    }
}

pub struct World {
    pub app: TestApp,
    pub author_id: String,
    tokens: Vec<(Viewer, String)>,
    /// An administrator (who sets the review rule and approves).
    pub boss: String,
    /// The follower's list holding the author.
    pub list_id: String,
    pub follower_server: Remote,
    pub stranger_server: Remote,
    pub inboxes: Inboxes,
    pub posts: Vec<Posted>,
}

/// A word in a post that the outbound rule holds for review.
pub const HOLD_WORD: &str = "Bluebird";

impl World {
    /// The people, follows, list, review rule and other servers; no posts yet.
    pub async fn new() -> Self {
        let app = TestApp::with_config(|c| c.allow_private_networks = true).await;
        app.create_user("boss", "admin").await;
        let boss = app
            .token("boss", "read write follow admin:read admin:write")
            .await;
        app.send_json(
            Method::POST,
            "/api/v1/loggia/admin/rules",
            &boss,
            &json!({"name": "Bluebird is confidential", "direction": "outbound",
                    "match": "keyword", "patterns": [HOLD_WORD], "action": "hold",
                    "text": "Mentions a confidential project"}),
        )
        .await
        .assert_status(StatusCode::OK);
        let (author, author_token) = app.user_with_token("author").await;
        let author_id = author.account.id.to_string();
        let mut tokens = vec![(Viewer::Author, author_token)];
        for (viewer, name) in [
            (Viewer::Follower, "follower"),
            (Viewer::Mentioned, "mentioned"),
            (Viewer::Colleague, "colleague"),
        ] {
            tokens.push((viewer, app.user_with_token(name).await.1));
        }
        let world_tokens = |v: Viewer| tokens.iter().find(|(t, _)| *t == v).unwrap().1.clone();
        let follower = world_tokens(Viewer::Follower);
        app.post_with_token(
            &format!("/api/v1/accounts/{author_id}/follow"),
            &follower,
            &[],
        )
        .await
        .assert_status(StatusCode::OK);
        let list = app
            .post_with_token("/api/v1/lists", &follower, &[("title", "Team")])
            .await;
        list.assert_status(StatusCode::OK);
        let list_id = list.json()["id"].as_str().unwrap().to_owned();
        app.post_with_token(
            &format!("/api/v1/lists/{list_id}/accounts"),
            &follower,
            &[("account_ids[]", &author_id)],
        )
        .await
        .assert_status(StatusCode::OK);

        let inboxes = Inboxes::default();
        let follower_server = remote(&app, "fran", &inboxes).await;
        let stranger_server = remote(&app, "nina", &inboxes).await;
        let options = loggia::store::FollowOptions {
            show_reblogs: true,
            notify: false,
            uri: Some(format!("{}#follows/1", follower_server.account.uri)),
        };
        app.state
            .store
            .follows()
            .follow(follower_server.account.id, author.account.id, options)
            .await
            .unwrap();
        Self {
            app,
            author_id,
            tokens,
            boss,
            list_id,
            follower_server,
            stranger_server,
            inboxes,
            posts: Vec::new(),
        }
    }

    /// The token of a local viewer; `None` for anonymous and other servers.
    pub fn token(&self, viewer: Viewer) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(v, _)| *v == viewer)
            .map(|(_, t)| t.as_str())
    }

    fn author(&self) -> &str {
        self.token(Viewer::Author).unwrap()
    }

    /// Writes each audience's post, parent and reply.
    pub async fn post_all(&mut self) {
        for audience in Audience::ALL {
            let parent = self
                .app
                .post_status(
                    self.author(),
                    &[("status", &format!("parent{}", audience.slug()))],
                )
                .await;
            let before = self.statuses_count().await;
            let unread_before = self.unread_count().await;
            let text = post_text(audience);
            let post = self.post(audience, &text, None).await;
            let count_delta = self.statuses_count().await - before;
            let unread_delta = self.unread_count().await - unread_before;
            let text = format!(
                "@mentioned reply{}{}",
                audience.slug(),
                held_suffix(audience)
            );
            let reply = self.post(audience, &text, parent["id"].as_str()).await;
            // Everything but direct messages can be pinned (five at most).
            if audience != Audience::Direct {
                let pin = format!("/api/v1/statuses/{}/pin", post["id"].as_str().unwrap());
                self.app
                    .post_with_token(&pin, self.author(), &[])
                    .await
                    .assert_status(StatusCode::OK);
            }
            let tag = format!("tag{}", audience.slug());
            self.app
                .post_with_token("/api/v1/featured_tags", self.author(), &[("name", &tag)])
                .await
                .assert_status(StatusCode::OK);
            self.posts.push(Posted {
                audience,
                post,
                parent,
                reply,
                count_delta,
                unread_delta,
            });
        }
    }

    async fn post(&self, audience: Audience, text: &str, reply_to: Option<&str>) -> Value {
        let visibility = match audience {
            Audience::Public | Audience::Held => "public",
            Audience::Unlisted => "unlisted",
            Audience::Private => "private",
            Audience::Direct => "direct",
            Audience::Company => "local",
        };
        let mut form = vec![("status", text), ("visibility", visibility)];
        if let Some(id) = reply_to {
            form.push(("in_reply_to_id", id));
        }
        let status = self.app.post_status(self.author(), &form).await;
        // The setup itself must be what the table says.
        let held = status["loggia_review"]["state"] == "pending";
        assert_eq!(held, audience == Audience::Held, "{status}");
        assert_eq!(
            status["local_only"] == true,
            audience == Audience::Company,
            "{status}"
        );
        status
    }

    async fn unread_count(&self) -> i64 {
        let path = "/api/v1/notifications/unread_count";
        let count = self.get_as(path, Viewer::Mentioned).await;
        count.assert_status(StatusCode::OK);
        count.json()["count"].as_i64().unwrap()
    }

    async fn statuses_count(&self) -> i64 {
        let account = self
            .app
            .get(&format!("/api/v1/accounts/{}", self.author_id))
            .await;
        account.assert_status(StatusCode::OK);
        account.json()["statuses_count"].as_i64().unwrap()
    }

    /// GET as a local viewer or anonymously.
    pub async fn get_as(&self, path: &str, viewer: Viewer) -> TestResponse {
        self.app.get_as(path, self.token(viewer)).await
    }

    /// A federation GET of `path` on `app`, unsigned for `Anonymous`,
    /// otherwise signed as the account on that viewer's server.
    pub async fn fetch(
        &self,
        app: &NormalizePath<axum::Router>,
        path: &str,
        viewer: Viewer,
    ) -> (StatusCode, Vec<u8>) {
        let mut request = Request::get(path)
            .header("host", DOMAIN)
            .header("accept", "application/activity+json");
        let signer = match viewer {
            Viewer::RemoteFollower => Some(&self.follower_server.signer),
            Viewer::RemoteStranger => Some(&self.stranger_server.signer),
            _ => None,
        };
        if let Some(signer) = signer {
            for (name, value) in signer.sign("GET", DOMAIN, path, None, SystemTime::now()) {
                request = request.header(name, value);
            }
        }
        let mut request = request.body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        use tower::ServiceExt;
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, body)
    }
}

/// The text of an audience's post: a word only it has, a mention, the
/// shared hashtag and its own.
pub fn post_text(audience: Audience) -> String {
    let slug = audience.slug();
    format!(
        "secret{slug} @mentioned #privtag #tag{slug}{}",
        held_suffix(audience)
    )
}

fn held_suffix(audience: Audience) -> String {
    if audience == Audience::Held {
        format!(" {HOLD_WORD}")
    } else {
        String::new()
    }
}

/// The ids of the statuses in a list of statuses.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
