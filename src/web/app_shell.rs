//! The web app (`frontend/`, built by Vite into `frontend/dist`) served from
//! the binary: `index.html` for `/` and every path under `/web/`, which the
//! app routes itself, and its hashed files under `/assets/`. Release builds
//! embed the files; debug builds read them from disk, so a frontend rebuild
//! shows without recompiling. A binary built without the frontend says so
//! instead of serving a blank page.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;

use super::html::{Page, secure_headers};
use crate::error::Error;
use crate::state::AppState;

#[derive(Embed)]
#[folder = "$CARGO_MANIFEST_DIR/frontend/dist/"]
#[allow_missing = true]
struct Built;

/// The app loads its scripts and styles from this server only. Images and
/// media come from other servers (remote avatars and attachments); the API
/// is same-origin, and so is the streaming WebSocket — named explicitly,
/// since older browsers (Safari before 15.4) do not count `ws:`/`wss:` as
/// `'self'`.
fn app_csp(state: &AppState) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; \
         img-src * data: blob:; media-src * data: blob:; \
         connect-src 'self' {}; font-src 'self'; \
         manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        crate::api::entities::instance::streaming_url(&state.config)
    )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/web", get(index))
        .route("/web/{*path}", get(index))
        .route("/assets/{*path}", get(asset))
}

async fn index(State(state): State<AppState>) -> Response {
    let Some(file) = Built::get("index.html") else {
        return not_built();
    };
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    secure_headers(&mut response);
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&app_csp(&state)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    // Always revalidated: it names the current hashed assets.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn asset(Path(path): Path<String>) -> Response {
    // Only the flat, hashed file names Vite writes (debug builds read the
    // disk, where `..` would climb out of assets/).
    if path.contains("..") || path.contains('\\') {
        return Error::NotFound.into_response();
    }
    let Some(file) = Built::get(&format!("assets/{path}")) else {
        return Error::NotFound.into_response();
    };
    let mime = file.metadata.mimetype().to_owned();
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // Vite puts a content hash in every asset name.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn not_built() -> Response {
    Page::new(
        "Web app not built",
        "<h1>The web app is not part of this build</h1>\
         <p>This Loggia binary was built without its web UI. Build it with \
         <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>, \
         then rebuild Loggia (<code>scripts/quickstart.sh</code> does both).</p>\
         <p>Meanwhile every Mastodon app works with this server, and you can \
         <a href=\"/auth/sign_in\">sign in here</a>.</p>",
    )
    .with_status(StatusCode::SERVICE_UNAVAILABLE)
    .into_response()
}
