//! What the outgoing client refuses: addresses inside the network (also
//! when a name resolves there), documents that are not JSON, too large, or
//! behind endless redirects.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use loggia::federation::client::{AP_ACCEPT, ClientPolicy, FederationClient, FetchError};
use url::Url;

/// A server on loopback with one route per kind of answer.
async fn peer() -> u16 {
    let json = |body: &'static str, kind: &'static str| {
        move || async move { ([(header::CONTENT_TYPE, kind)], body).into_response() }
    };
    let app = Router::new()
        .route(
            "/actor",
            get(json(
                r#"{"id":"x","type":"Person"}"#,
                "application/activity+json",
            )),
        )
        .route(
            "/page",
            get(json(
                r#"{"id":"x","type":"Person"}"#,
                "text/html; charset=utf-8",
            )),
        )
        .route(
            "/untyped",
            get(|| async { Response::new(Body::from(r#"{"id":"x"}"#)) }),
        )
        .route(
            "/huge",
            get(|| async {
                // Streamed without a length: the cap must count the bytes.
                let chunk = bytes::Bytes::from(vec![b' '; 64 * 1024]);
                let stream = futures_util::stream::iter(
                    (0..40).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
                );
                (
                    [(header::CONTENT_TYPE, "application/activity+json")],
                    Body::from_stream(stream),
                )
                    .into_response()
            }),
        )
        .route("/loop", get(|| async { Redirect::temporary("/loop") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn client(allow_private_networks: bool) -> FederationClient {
    client_allowing(allow_private_networks, &[])
}

fn client_allowing(allow_private_networks: bool, networks: &[&str]) -> FederationClient {
    FederationClient::new(
        ClientPolicy {
            allow_private_networks,
            allowed_networks: networks.iter().map(|n| n.parse().unwrap()).collect(),
            allow_http: true,
            resolve_overrides: HashMap::from([(
                "partner.test".to_owned(),
                IpAddr::V4(Ipv4Addr::LOCALHOST),
            )]),
            delivery_timeout: None,
        },
        "Loggia tests".into(),
    )
    .unwrap()
}

async fn fetch(client: &FederationClient, url: &str) -> Result<serde_json::Value, FetchError> {
    client
        .get_json(&Url::parse(url).unwrap(), AP_ACCEPT, None)
        .await
}

#[tokio::test]
async fn addresses_inside_the_network_are_refused_even_behind_a_name() {
    let port = peer().await;
    let guarded = client(false);
    // The server is there: with private networks allowed, the fetch works.
    let open = client(true);
    fetch(&open, &format!("http://partner.test:{port}/actor"))
        .await
        .unwrap();

    // A name whose DNS answer is loopback: refused after resolution.
    let refused = fetch(&guarded, &format!("http://partner.test:{port}/actor")).await;
    assert!(
        matches!(&refused, Err(FetchError::Network(e)) if e.contains("no public address")),
        "{refused:?}"
    );
    // Literal addresses: loopback, private, link-local (cloud metadata),
    // IPv4 inside IPv6, unique-local IPv6, "localhost".
    for url in [
        format!("http://127.0.0.1:{port}/actor"),
        "http://10.1.2.3/actor".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[::ffff:127.0.0.1]/actor".into(),
        "http://[fd00::1]/actor".into(),
        format!("http://localhost:{port}/actor"),
        "http://100.64.0.1/actor".into(),
    ] {
        let refused = fetch(&guarded, &url).await;
        assert!(
            matches!(refused, Err(FetchError::Refused(_))),
            "{url}: {refused:?}"
        );
    }
    // Other schemes and credentials in URLs never leave.
    for url in [
        "file:///etc/passwd",
        "ftp://partner.test/x",
        "http://user:pw@partner.test/x",
    ] {
        let refused = fetch(&open, url).await;
        assert!(
            matches!(refused, Err(FetchError::Refused(_))),
            "{url}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn an_intranet_partners_network_may_be_allowed_alone() {
    let port = peer().await;
    let url = format!("http://partner.test:{port}/actor");
    // The partner's network (here loopback) is allowed: reachable by name
    // and by address.
    let intranet = client_allowing(false, &["127.0.0.0/8"]);
    fetch(&intranet, &url).await.unwrap();
    fetch(&intranet, &format!("http://127.0.0.1:{port}/actor"))
        .await
        .unwrap();
    // Every other private network stays refused.
    for url in [
        "http://10.1.2.3/actor",
        "http://169.254.169.254/latest/meta-data/",
    ] {
        let refused = fetch(&intranet, url).await;
        assert!(
            matches!(refused, Err(FetchError::Refused(_))),
            "{url}: {refused:?}"
        );
    }
    let elsewhere = client_allowing(false, &["10.20.0.0/16"]);
    let refused = fetch(&elsewhere, &url).await;
    assert!(
        matches!(&refused, Err(FetchError::Network(e)) if e.contains("no public address")),
        "{refused:?}"
    );
}

#[test]
fn a_network_that_is_not_one_stops_the_configuration() {
    let error = loggia::config::Config::load(
        None,
        [(
            "LOGGIA_ALLOWED_PRIVATE_NETWORKS".to_owned(),
            "10.20.0.0/16, intranet".to_owned(),
        )],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("allowed_private_networks") && error.contains("\"intranet\""),
        "{error}"
    );
}

#[tokio::test]
async fn only_bounded_json_documents_are_read() {
    let port = peer().await;
    let open = client(true);
    let base = format!("http://partner.test:{port}");
    for path in ["/page", "/untyped"] {
        let refused = fetch(&open, &format!("{base}{path}")).await;
        assert!(
            matches!(&refused, Err(FetchError::NotJson(e)) if e.contains("not JSON")),
            "{path}: {refused:?}"
        );
    }
    let refused = fetch(&open, &format!("{base}/huge")).await;
    assert!(matches!(refused, Err(FetchError::TooLarge)), "{refused:?}");
    let refused = fetch(&open, &format!("{base}/loop")).await;
    assert!(
        matches!(&refused, Err(FetchError::Network(e)) if e.contains("redirect")),
        "{refused:?}"
    );
}
