//! Assembles the router and serves it until SIGINT or SIGTERM.

use std::net::SocketAddr;

use axum::Router;
use axum::ServiceExt;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request};
use axum::middleware;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::api::extract::ClientIp;
use crate::error::Error;
use crate::state::AppState;

/// Largest request body outside media uploads.
const BODY_LIMIT: usize = 1024 * 1024;

/// The whole application as one service: the router, behind trailing-slash
/// normalisation (Rails ignores a trailing slash, and clients such as
/// Mastodon.py send `/api/v1/instance/`). Normalising must wrap the router,
/// since it has to happen before routing.
pub fn app(state: AppState) -> NormalizePath<Router> {
    NormalizePathLayer::trim_trailing_slash().layer(router(state))
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(crate::api::routes())
        .merge(crate::web::routes())
        .merge(crate::federation::routes())
        .merge(crate::ops::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), crate::ops::metrics::track))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::api::read_your_writes::record_writes,
        ))
        .fallback(|| async { Error::NotFound })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limit::api::limit_api,
        ))
        .layer(middleware::from_fn(refuse_nul_in_uri))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_blocked_addresses))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limit::admission::admit,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request.id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// A `%00` in the path or query is refused before any handler sees it
/// (PostgreSQL cannot store NUL, and no client has a reason to send one).
async fn refuse_nul_in_uri(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let uri = request.uri();
    let nul = |part: &str| {
        part.as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"%00"))
    };
    if nul(uri.path()) || uri.query().is_some_and(nul) {
        return axum::response::IntoResponse::into_response(Error::BadRequest(
            "the request may not contain NUL characters".into(),
        ));
    }
    next.run(request).await
}

/// Every request from an address under a `no_access` IP block is refused,
/// except the health endpoints (load balancers must still see the node).
async fn refuse_blocked_addresses(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let health = matches!(request.uri().path(), "/health" | "/ready");
    if !health && state.access.denies(&state.store, &ip).await {
        return axum::response::IntoResponse::into_response(Error::Forbidden(
            "Access from your network has been blocked by this server's administrators".into(),
        ));
    }
    next.run(request).await
}

/// Serves on `listener` until `shutdown` resolves, then lets in-flight
/// requests finish. The caller closes the store (after its workers).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
        SocketAddr,
    >(app(state));
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are
/// installed now, before the future is polled, so that a signal arriving
/// while the server starts is not lost (or fatal).
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static>
{
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    })
}

#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static>
{
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}
