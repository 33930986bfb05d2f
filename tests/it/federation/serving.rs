//! What other servers read from us: WebFinger, actors, notes and
//! collections, and secure mode.

use std::time::SystemTime;

use serde_json::Value;

use super::{Db, Instance};

async fn get(url: &str, accept: &str) -> reqwest::Response {
    super::http()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

const AP: &str =
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", text/html;q=0.1";

#[tokio::test]
async fn discovery_and_documents_have_mastodon_shapes() {
    let alpha = Instance::start("alpha.test", Db::RunBackend).await;
    let (_, token) = alpha.app.user_with_token("alice").await;
    alpha
        .app
        .send_with_token(
            axum::http::Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &token,
            &[
                ("display_name", "Alice"),
                ("fields_attributes[0][name]", "Team"),
                ("fields_attributes[0][value]", "Partnerships"),
            ],
        )
        .await
        .assert_status(axum::http::StatusCode::OK);

    // WebFinger, by handle and by actor URL.
    let resource = format!("acct:alice@{}", alpha.domain);
    let finger = get(
        &alpha.url(&format!("/.well-known/webfinger?resource={resource}")),
        "application/jrd+json",
    )
    .await;
    assert_eq!(finger.status(), 200);
    assert!(
        finger.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/jrd+json")
    );
    let finger: Value = finger.json().await.unwrap();
    assert_eq!(finger["subject"], resource);
    let actor_uri = alpha.url("/users/alice");
    assert!(
        finger["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "self"
                && l["type"] == "application/activity+json"
                && l["href"] == actor_uri)
    );
    let by_url = get(
        &alpha.url(&format!("/.well-known/webfinger?resource={actor_uri}")),
        "*/*",
    )
    .await;
    assert_eq!(by_url.status(), 200);
    let missing = get(
        &alpha.url("/.well-known/webfinger?resource=acct:nobody@alpha.test"),
        "*/*",
    )
    .await;
    assert_eq!(missing.status(), 404);

    // The actor, as ActivityStreams (Accept parsed, not compared).
    let actor = get(&actor_uri, AP).await;
    assert_eq!(actor.status(), 200);
    assert!(
        actor.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/activity+json")
    );
    let actor: Value = actor.json().await.unwrap();
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["id"], actor_uri);
    assert_eq!(actor["preferredUsername"], "alice");
    assert_eq!(actor["name"], "Alice");
    assert_eq!(actor["inbox"], format!("{actor_uri}/inbox"));
    assert_eq!(actor["outbox"], format!("{actor_uri}/outbox"));
    assert_eq!(actor["followers"], format!("{actor_uri}/followers"));
    assert_eq!(
        actor["featured"],
        format!("{actor_uri}/collections/featured")
    );
    assert_eq!(actor["endpoints"]["sharedInbox"], alpha.url("/inbox"));
    assert_eq!(actor["manuallyApprovesFollowers"], false);
    assert_eq!(actor["publicKey"]["id"], format!("{actor_uri}#main-key"));
    assert_eq!(actor["publicKey"]["owner"], actor_uri);
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert_eq!(actor["attachment"][0]["type"], "PropertyValue");
    assert_eq!(actor["attachment"][0]["name"], "Team");
    assert!(actor["published"].is_string());
    // Browsers are sent to the profile page.
    let html = get(&actor_uri, "text/html").await;
    assert_eq!(html.status(), 303);
    assert_eq!(html.headers()["location"], alpha.url("/@alice"));

    // The instance actor.
    let instance: Value = get(&alpha.url("/actor"), AP).await.json().await.unwrap();
    assert_eq!(instance["type"], "Application");
    assert!(instance["publicKey"]["publicKeyPem"].is_string());

    // A public note, with Mastodon's addressing and extensions.
    let post = alpha
        .app
        .post_status(
            &token,
            &[("status", "Hello #fediverse"), ("spoiler_text", "greeting")],
        )
        .await;
    let uri = post["uri"].as_str().unwrap();
    let note: Value = get(uri, "application/activity+json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], actor_uri);
    assert_eq!(
        note["to"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    assert_eq!(note["cc"][0], format!("{actor_uri}/followers"));
    assert_eq!(note["summary"], "greeting");
    assert_eq!(note["sensitive"], true);
    assert_eq!(note["tag"][0]["type"], "Hashtag");
    assert_eq!(note["tag"][0]["name"], "#fediverse");
    assert!(note["content"].as_str().unwrap().contains("Hello"));
    let create: Value = get(&format!("{uri}/activity"), AP)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(create["type"], "Create");
    assert_eq!(create["object"]["id"], uri);

    // Followers-only and company-only posts are not served.
    for visibility in ["private", "local", "direct"] {
        let hidden = alpha
            .app
            .post_status(
                &token,
                &[("status", "not for you"), ("visibility", visibility)],
            )
            .await;
        let response = get(hidden["uri"].as_str().unwrap(), AP).await;
        assert_eq!(response.status(), 404, "{visibility} post was served");
    }

    // The outbox counts and pages public posts only.
    let outbox: Value = get(&format!("{actor_uri}/outbox"), AP)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 1);
    let page: Value = get(outbox["first"].as_str().unwrap(), AP)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["type"], "OrderedCollectionPage");
    assert_eq!(page["orderedItems"].as_array().unwrap().len(), 1);
    assert_eq!(page["orderedItems"][0]["object"]["id"], uri);
    let followers: Value = get(&format!("{actor_uri}/followers"), AP)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(followers["totalItems"], 0);

    // The profile page shows public posts only, and points federation
    // software to the actor.
    let page = get(&alpha.url("/@alice"), "text/html").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["link"]
            .to_str()
            .unwrap()
            .contains(&actor_uri)
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Hello") && !html.contains("not for you"),
        "{html}"
    );
    let redirect = get(&alpha.url("/@alice"), AP).await;
    assert_eq!(redirect.status(), 303);
    assert_eq!(redirect.headers()["location"], actor_uri.as_str());
    let post_page = get(post["url"].as_str().unwrap(), "text/html").await;
    assert_eq!(post_page.status(), 200);
    assert_eq!(get(&alpha.url("/@nobody"), "text/html").await.status(), 404);
}

#[tokio::test]
async fn secure_mode_needs_a_signed_fetch() {
    let mut alpha = Instance::start("alpha.test", Db::Sqlite).await;
    alpha.app.create_user("alice", "user").await;
    // Restart alpha in secure mode.
    alpha.go_down().await;
    let alpha = Instance::restart_with(alpha, |c| c.authorized_fetch = true).await;
    let beta = Instance::start("beta.test", Db::RunBackend).await;
    let actor_uri = alpha.url("/users/alice");

    assert_eq!(get(&actor_uri, AP).await.status(), 401);
    // The instance actor and WebFinger stay public.
    assert_eq!(get(&alpha.url("/actor"), AP).await.status(), 200);
    let resource = format!("acct:alice@{}", alpha.domain);
    assert_eq!(
        get(
            &alpha.url(&format!("/.well-known/webfinger?resource={resource}")),
            "*/*"
        )
        .await
        .status(),
        200
    );
    // Beta signs its fetches with its instance actor: it gets through.
    let (_, bob_token) = beta.app.user_with_token("bob").await;
    let found = beta.resolve(&bob_token, &alpha.handle("alice")).await;
    assert_eq!(
        found["accounts"][0]["acct"],
        format!("alice@{}", alpha.domain)
    );
    // A signature made now by beta's instance actor works for a direct GET too.
    let signer = &beta.state().federation.instance_signer;
    let url = url::Url::parse(&actor_uri).unwrap();
    let mut request = super::http().get(actor_uri.clone()).header("accept", AP);
    for (name, value) in signer.sign("GET", &alpha.domain, url.path(), None, SystemTime::now()) {
        request = request.header(name, value);
    }
    assert_eq!(request.send().await.unwrap().status(), 200);
}
