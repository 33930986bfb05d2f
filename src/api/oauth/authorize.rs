//! GET /oauth/authorize shows the consent page (after sign-in); POST records
//! the decision and sends the browser back to the app with a code — or, for
//! `urn:ietf:wg:oauth:2.0:oob`, shows the code to copy.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::api::extract::body::parse_form;
use crate::error::Error;
use crate::service::oauth::{
    self, AuthorizationRequest, AuthorizeError, AuthorizeParams, OAuthError, OOB_REDIRECT,
};
use crate::state::AppState;
use crate::web::html::{Page, escape};
use crate::web::lang::Lang;
use crate::web::sign_in::{csrf_failure, with_cookies};
use crate::web::{csrf, session};

#[derive(Deserialize, Default)]
pub struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    force_login: Option<String>,
    #[serde(default)]
    csrf_token: String,
    decision: Option<String>,
}

impl AuthorizeQuery {
    fn params(&self) -> AuthorizeParams {
        AuthorizeParams {
            response_type: self.response_type.clone(),
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scope: self.scope.clone(),
            state: self.state.clone(),
            code_challenge: self.code_challenge.clone().filter(|c| !c.is_empty()),
            code_challenge_method: self.code_challenge_method.clone().filter(|c| !c.is_empty()),
        }
    }
}

/// Appends query parameters to a redirect URI that may already have some.
fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut pairs = url.query_pairs_mut();
                for (k, v) in params {
                    pairs.append_pair(k, v);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(_) => error_page("The application's redirect URI is not valid."),
    }
}

fn error_page(message: &str) -> Response {
    Page::new(
        "Authorization failed",
        format!(
            "<h1>Authorization failed</h1><p class=\"error\" role=\"alert\">{}</p>",
            escape(message)
        ),
    )
    .with_status(StatusCode::BAD_REQUEST)
    .into_response()
}

/// A malformed request is explained on a page, never redirected: app
/// registration is open, so redirecting before the user has acted would turn
/// this endpoint into an open redirector (RFC 9700 §4.11.2).
fn failure(e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Fatal(message) => error_page(&message),
        AuthorizeError::Redirect { error, .. } => {
            error_page(&format!("{} ({})", error.description, error.code))
        }
    }
}

fn send_error(redirect_uri: &str, state: Option<&str>, error: &OAuthError) -> Response {
    if redirect_uri == OOB_REDIRECT {
        return error_page(&error.description);
    }
    let mut params = vec![
        ("error", error.code),
        ("error_description", error.description.as_str()),
    ];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_with(redirect_uri, &params)
}

/// GET /oauth/authorize — sign in if needed, then ask for consent.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let request = match oauth::check_authorization_request(&state.store, &q.params()).await {
        Ok(request) => request,
        Err(e) => return failure(e),
    };
    let user = match session::current_user(&state, &headers).await {
        Ok(user) => user,
        Err(e) => return Error::from(e).into_response(),
    };
    // Rails reads `True` (as Mastodon.py sends it) as true too.
    let force_login = q.force_login.as_deref().is_some_and(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "1" | "on" | "yes" | "t"
        )
    });
    let Some(user) = user.filter(|_| !force_login) else {
        // Come back here after signing in, without asking to sign in again.
        let back = match uri.query() {
            Some(query) => {
                let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                    .filter(|(k, _)| k != "force_login")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&kept)
                    .finish();
                format!("/oauth/authorize?{query}")
            }
            None => "/oauth/authorize".to_owned(),
        };
        let target = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &back)
            .finish();
        return Redirect::to(&format!("/auth/sign_in?{target}")).into_response();
    };
    let (token, cookie) = csrf::token_for(&state, &headers);
    with_cookies(
        consent_page(
            &state,
            &request,
            &user.account.username,
            &token,
            Lang::from_headers(&headers),
        )
        .into_response(),
        cookie,
    )
}

fn consent_page(
    state: &AppState,
    request: &AuthorizationRequest,
    username: &str,
    csrf_token: &str,
    lang: Lang,
) -> Page {
    let tr = lang.texts();
    let hidden = |name: &str, value: Option<&str>| match value {
        Some(v) => format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(v)
        ),
        None => String::new(),
    };
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s.as_str())))
        .collect();
    let scope_string = request.scopes.to_string();
    let body = format!(
        "<h1>{title}</h1><p>{text}</p>\
         <ul class=\"scopes\">{scopes}</ul>\
         <form method=\"post\" action=\"/oauth/authorize\">{fields}\
         <div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"approve\">{authorize}</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">{deny}</button></div></form>",
        title = tr
            .authorize_title
            .replace("{app}", &escape(&request.app.name)),
        text = tr
            .authorize_text
            .replace("{app}", &escape(&request.app.name))
            .replace(
                "{user}",
                &format!("@{}@{}", escape(username), escape(&state.config.domain()))
            ),
        authorize = tr.authorize,
        deny = tr.deny,
        fields = [
            hidden("csrf_token", Some(csrf_token)),
            hidden("response_type", Some("code")),
            hidden("client_id", Some(&request.app.client_id)),
            hidden("redirect_uri", Some(&request.redirect_uri)),
            hidden("scope", Some(&scope_string)),
            hidden("state", request.state.as_deref()),
            hidden("code_challenge", request.code_challenge.as_deref()),
            hidden(
                "code_challenge_method",
                request.code_challenge_method.as_deref()
            ),
        ]
        .concat(),
    );
    Page::new(tr.authorize_title.replace("{app}", &request.app.name), body).in_language(lang)
}

/// POST /oauth/authorize — approve or deny.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form: AuthorizeQuery = match parse_form("", &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    if !csrf::verify(&state, &headers, &form.csrf_token) {
        return csrf_failure();
    }
    let user = match session::current_user(&state, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            // The session ended meanwhile: sign in again, then come back.
            let p = form.params();
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in [
                ("response_type", p.response_type),
                ("client_id", p.client_id),
                ("redirect_uri", p.redirect_uri),
                ("scope", p.scope),
                ("state", p.state),
                ("code_challenge", p.code_challenge),
                ("code_challenge_method", p.code_challenge_method),
            ] {
                if let Some(v) = v {
                    query.append_pair(k, &v);
                }
            }
            let back = format!("/oauth/authorize?{}", query.finish());
            let target = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &back)
                .finish();
            return Redirect::to(&format!("/auth/sign_in?{target}")).into_response();
        }
        Err(e) => return Error::from(e).into_response(),
    };
    let request = match oauth::check_authorization_request(&state.store, &form.params()).await {
        Ok(request) => request,
        Err(e) => return failure(e),
    };
    if form.decision.as_deref() != Some("approve") {
        let denied = OAuthError::new(
            "access_denied",
            "The resource owner or authorization server denied the request.",
        );
        return send_error(&request.redirect_uri, request.state.as_deref(), &denied);
    }
    let code = match oauth::issue_code(&state.store, &request, user.user.id).await {
        Ok(code) => code,
        Err(e) => return Error::from(e).into_response(),
    };
    if request.redirect_uri == OOB_REDIRECT {
        let body = format!(
            "<h1>Authorization code</h1><p>Copy this code and paste it into {}:</p><code class=\"code\" id=\"code\">{}</code>",
            escape(&request.app.name),
            escape(&code)
        );
        return Page::new("Authorization code", body).into_response();
    }
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = request.state.as_deref() {
        params.push(("state", s));
    }
    redirect_with(&request.redirect_uri, &params)
}
