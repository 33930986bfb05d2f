//! Images and the stylesheet compiled into the binary.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::html::STYLE_CSS;
use crate::state::AppState;

const MISSING_AVATAR: &[u8] = include_bytes!("assets/missing-avatar.png");
const MISSING_HEADER: &[u8] = include_bytes!("assets/missing-header.png");
const FAVICON: &str = include_str!("assets/favicon.svg");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/avatars/original/missing.png",
            get(|| async { png(MISSING_AVATAR) }),
        )
        .route(
            "/headers/original/missing.png",
            get(|| async { png(MISSING_HEADER) }),
        )
        .route(
            "/favicon.svg",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    FAVICON,
                )
            }),
        )
        .route(
            "/auth/style.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    STYLE_CSS,
                )
            }),
        )
}

fn png(bytes: &'static [u8]) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
}
