//! Read-your-writes when timelines and search may be read from a replica:
//! a request that may write (anything but GET, HEAD and OPTIONS) and was
//! made with a user's token records the primary's WAL position for that
//! user's account (`Store::record_write`) before its response leaves, so the
//! user's next reads, on whichever node, wait for the replica to have it or
//! go to the primary. Without a replica this layer does nothing.

use std::sync::{Arc, OnceLock};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::model::AccountId;
use crate::state::AppState;

/// Where the token extractor leaves the acting account for this layer.
#[derive(Clone, Default)]
pub struct Acting(Arc<OnceLock<AccountId>>);

impl Acting {
    pub fn set(&self, account: AccountId) {
        let _ = self.0.set(account);
    }
}

/// Middleware: records the position after a user's possible write.
pub async fn record_writes(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !write || !state.store.has_replica() {
        return next.run(request).await;
    }
    let acting = Acting::default();
    request.extensions_mut().insert(acting.clone());
    let response = next.run(request).await;
    if let Some(account) = acting.0.get()
        && let Err(e) = state.store.record_write(*account).await
    {
        // The write itself is done; the user may briefly read older data.
        tracing::warn!(account.id = %account, error = %e, "cannot record a write position");
    }
    response
}
