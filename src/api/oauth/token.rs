//! POST /oauth/token and POST /oauth/revoke. Clients authenticate with
//! `client_id`/`client_secret` in the body or with HTTP Basic; errors follow
//! RFC 6749 §5.2.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::api::extract::{ClientIp, FormOrJson};
use crate::service::oauth::{self, OAuthError, TokenRequest};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    scope: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    scope: String,
    created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

struct OAuthFailure(OAuthError);

impl IntoResponse for OAuthFailure {
    fn into_response(self) -> Response {
        let status = match self.0.code {
            _ if self.0.retry_after_secs.is_some() => StatusCode::TOO_MANY_REQUESTS,
            "invalid_client" => StatusCode::UNAUTHORIZED,
            "unauthorized_client" => StatusCode::FORBIDDEN,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let body =
            serde_json::json!({ "error": self.0.code, "error_description": self.0.description });
        let mut response = (status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.0.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"loggia\""),
            );
        }
        response
    }
}

/// Client credentials from HTTP Basic, else from the body.
fn client_credentials(headers: &HeaderMap, form: &TokenForm) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            Some((decode(id)?, decode(secret)?))
        });
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.client_id.clone(), form.client_secret.clone()),
    }
}

/// POST /oauth/token — exchange a grant for an access token.
pub async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    FormOrJson(form): FormOrJson<TokenForm>,
) -> Response {
    let (client_id, client_secret) = client_credentials(&headers, &form);
    let result = async {
        let app = oauth::authenticate_client(
            &state.store,
            client_id.as_deref(),
            client_secret.as_deref(),
        )
        .await?;
        let request = TokenRequest {
            grant_type: form.grant_type,
            code: form.code,
            redirect_uri: form.redirect_uri,
            code_verifier: form.code_verifier,
            scope: form.scope,
            username: form.username,
            password: form.password,
            refresh_token: form.refresh_token,
        };
        oauth::grant(
            &state.store,
            &state.config,
            &state.dummy_password_hash,
            &app,
            &request,
            &ip,
        )
        .await
    }
    .await;
    match result {
        Ok(issued) => {
            let body = TokenResponse {
                access_token: issued.access_token,
                token_type: "Bearer",
                scope: issued.token.scopes.clone(),
                created_at: issued.token.created_at.unix_seconds(),
                refresh_token: issued.refresh_token,
            };
            ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
        }
        Err(e) => OAuthFailure(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// POST /oauth/revoke — revoke an access or refresh token (RFC 7009).
pub async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormOrJson(form): FormOrJson<RevokeForm>,
) -> Response {
    let as_token_form = TokenForm {
        client_id: form.client_id,
        client_secret: form.client_secret,
        ..Default::default()
    };
    let (client_id, client_secret) = client_credentials(&headers, &as_token_form);
    let result = async {
        let app = oauth::authenticate_client(
            &state.store,
            client_id.as_deref(),
            client_secret.as_deref(),
        )
        .await?;
        let Some(token) = form.token.filter(|t| !t.is_empty()) else {
            return Err(OAuthError::new("invalid_request", "token is required."));
        };
        oauth::revoke(&state.store, &app, &token).await
    }
    .await;
    match result {
        Ok(()) => Json(serde_json::json!({})).into_response(),
        Err(e) => OAuthFailure(e).into_response(),
    }
}
