//! The web app (`app_shell`), and the server-rendered pages that need no
//! JavaScript: public profiles, posts and hashtags (`public`), sign-in,
//! sign-out and sign-up, the
//! OAuth consent page (in `api::oauth::authorize`), and the static images
//! they and the API refer to.

mod app_shell;
pub mod csrf;
pub mod html;
pub mod lang;
mod public;
pub mod session;
pub mod sign_in;
mod sign_up;
mod static_files;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(app_shell::routes())
        .merge(sign_in::routes())
        .merge(sign_up::routes())
        .merge(static_files::routes())
        .merge(public::routes())
}
