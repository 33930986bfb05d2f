//! GET/POST /auth/sign_in, POST /auth/sign_out and `/auth/account`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::html::{Page, escape};
use super::lang::Lang;
use super::{csrf, session};
use crate::api::extract::ClientIp;
use crate::api::extract::body::parse_form;
use crate::error::Error;
use crate::service::sign_in::{self, SignInError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/account", get(landing))
        .route("/auth/sign_in", get(sign_in_form).post(sign_in))
        .route("/auth/sign_out", post(sign_out))
}

#[derive(Deserialize, Default)]
struct ReturnTo {
    return_to: Option<String>,
}

/// Only local paths may be returned to, never another site. Browsers
/// ignore tabs and newlines in URLs (`/\t/evil.example` becomes
/// `//evil.example`), so only visible ASCII is accepted.
pub fn safe_return_to(return_to: Option<&str>) -> String {
    match return_to {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && path
                    .bytes()
                    .all(|b| (0x21..=0x7e).contains(&b) && b != b'\\') =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(mut response: Response, cookies: impl IntoIterator<Item = String>) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    return_to: &str,
    login: &str,
    error: Option<&str>,
) -> (Page, Option<String>) {
    let (token, cookie) = csrf::token_for(state, headers);
    let lang = Lang::from_headers(headers);
    let tr = lang.texts();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>{heading}</h1>{error}\
         <form method=\"post\" action=\"/auth/sign_in\">\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{token}\">\
         <input type=\"hidden\" name=\"return_to\" value=\"{return_to}\">\
         <label for=\"login\">{login_label}</label>\
         <input type=\"text\" id=\"login\" name=\"login\" value=\"{login}\" autocomplete=\"username\" autocapitalize=\"none\" required autofocus>\
         <label for=\"password\">{password_label}</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
         <div class=\"actions\"><button type=\"submit\">{sign_in}</button></div></form>{sign_up}",
        heading = tr
            .sign_in_to
            .replace("{title}", &escape(&state.config.instance_title)),
        login_label = tr.login,
        password_label = tr.password,
        sign_in = tr.sign_in,
        sign_up = if matches!(
            state.config.registrations,
            crate::config::Registrations::Open | crate::config::Registrations::Approval
        ) {
            format!(
                "<p>{} <a href=\"/auth/sign_up\">{}</a></p>",
                tr.new_here, tr.create_account
            )
        } else {
            String::new()
        },
        return_to = escape(return_to),
        login = escape(login),
    );
    (Page::new(tr.sign_in, body).in_language(lang), cookie)
}

/// GET /auth/sign_in — the sign-in form.
async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReturnTo>,
) -> Response {
    let return_to = safe_return_to(q.return_to.as_deref());
    let (page, cookie) = form_page(&state, &headers, &return_to, "", None);
    with_cookies(page.into_response(), cookie)
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    return_to: Option<String>,
}

/// POST /auth/sign_in — check the password and start a session.
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form: SignInForm = match parse_form("", &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    let return_to = safe_return_to(form.return_to.as_deref());
    if !csrf::verify(&state, &headers, &form.csrf_token) {
        return csrf_failure();
    }
    let result = sign_in::authenticate(
        &state.store,
        &state.config,
        &state.dummy_password_hash,
        &form.login,
        &form.password,
        &ip,
    )
    .await;
    let found = match result {
        Ok(found) => found,
        Err(SignInError::Store(e)) => return Error::from(e).into_response(),
        Err(SignInError::Inactive(crate::model::Inactive::Unconfirmed)) => {
            // The password was right: send a fresh link, so that someone
            // who lost the mail is not stuck.
            let note = resend_confirmation(&state, &form.login).await;
            let (page, cookie) = form_page(&state, &headers, &return_to, &form.login, Some(&note));
            return with_cookies(
                page.with_status(StatusCode::FORBIDDEN).into_response(),
                cookie,
            );
        }
        Err(e) => {
            let status = match e {
                SignInError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                SignInError::Inactive(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            let message = match e {
                SignInError::BadCredentials => Lang::from_headers(&headers)
                    .texts()
                    .bad_credentials
                    .to_owned(),
                _ => e.to_string(),
            };
            let (page, cookie) =
                form_page(&state, &headers, &return_to, &form.login, Some(&message));
            let mut response = with_cookies(page.with_status(status).into_response(), cookie);
            if let SignInError::Throttled { retry_after_secs } = e
                && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
    };
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match session::start(&state, &found, agent, &ip).await {
        Ok(cookie) => with_cookies(Redirect::to(&return_to).into_response(), [cookie]),
        Err(e) => Error::from(e).into_response(),
    }
}

/// Mails a new confirmation link to an unconfirmed user who just proved
/// their password; says what happened.
async fn resend_confirmation(state: &AppState, login: &str) -> String {
    use crate::service::registration;
    let missing = "Your login is missing a confirmed e-mail address.";
    let Ok(Some(user)) = state.store.users().by_login(login).await else {
        return missing.into();
    };
    if !state.mailer.is_configured() {
        return format!("{missing} Ask an administrator to confirm it.");
    }
    match registration::renew_confirmation(&state.store, &state.config, user.id, None).await {
        Ok(Some(token)) => {
            let username = match state.store.users().with_account(user.id).await {
                Ok(Some(found)) => found.account.username,
                _ => String::new(),
            };
            registration::spawn_confirmation(
                state.mailer.clone(),
                state.config.clone(),
                user.email.clone(),
                username,
                token,
            );
            format!(
                "{missing} We sent a new confirmation link to your address; follow it, then sign in."
            )
        }
        Ok(None) => missing.into(),
        Err(e) => format!("{missing} {e}"),
    }
}

pub fn csrf_failure() -> Response {
    Page::new(
        "Session expired",
        "<h1>Please try again</h1><p class=\"error\" role=\"alert\">This form has expired or was not sent from this site. Go back, reload the page and try again.</p>",
    )
    .with_status(StatusCode::FORBIDDEN)
    .into_response()
}

#[derive(Deserialize)]
struct SignOutForm {
    #[serde(default)]
    csrf_token: String,
}

/// POST /auth/sign_out — end the session.
async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // The web app signs out with its bearer token: a forged cross-site form
    // cannot carry one, so it stands in for the CSRF token, but only for a
    // token of the session's own user.
    if let Some(token) = bearer(&headers) {
        return sign_out_with_token(&state, &headers, &token).await;
    }
    let form: SignOutForm = match parse_form("", &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    if !csrf::verify(&state, &headers, &form.csrf_token) {
        return csrf_failure();
    }
    match session::end(&state, &headers).await {
        Ok(cookie) => with_cookies(Redirect::to("/auth/sign_in").into_response(), [cookie]),
        Err(e) => Error::from(e).into_response(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

async fn sign_out_with_token(state: &AppState, headers: &HeaderMap, token: &str) -> Response {
    let auth = match crate::service::oauth::authenticate_token(&state.store, token, true).await {
        Ok(auth) => auth,
        Err(_) => return Error::Unauthorized("The access token is invalid").into_response(),
    };
    let session_user = match session::current_user(state, headers).await {
        Ok(user) => user,
        Err(e) => return Error::from(e).into_response(),
    };
    // Someone else signed in on this browser meanwhile: their session is
    // not this app's to end.
    let token_user = auth.user.as_ref().map(|u| u.user.id);
    if let Some(found) = session_user
        && Some(found.user.id) != token_user
    {
        return StatusCode::NO_CONTENT.into_response();
    }
    match session::end(state, headers).await {
        Ok(cookie) => with_cookies(StatusCode::NO_CONTENT.into_response(), [cookie]),
        Err(e) => Error::from(e).into_response(),
    }
}

/// GET /auth/account — who is signed in (by cookie), how to use the server
/// from an app, and a sign-out button that works without JavaScript.
async fn landing(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match session::current_user(&state, &headers).await {
        Ok(user) => user,
        Err(e) => return Error::from(e).into_response(),
    };
    let title = escape(&state.config.instance_title);
    let lang = Lang::from_headers(&headers);
    let tr = lang.texts();
    let Some(found) = user else {
        let body = format!(
            "<h1>{title}</h1><p>{}</p><p><a href=\"/auth/sign_in\">{}</a></p>",
            escape(&state.config.instance_description),
            tr.sign_in,
        );
        return Page::new(state.config.instance_title.clone(), body)
            .in_language(lang)
            .into_response();
    };
    let (token, cookie) = csrf::token_for(&state, &headers);
    let domain = escape(&state.config.domain());
    let handle = format!("@{}@{domain}", escape(&found.account.username));
    let body = format!(
        "<h1>{title}</h1><p>{signed_in}</p><p>{apps}</p>\
         <p><a href=\"/web/home\">{open_app}</a></p>\
         <form method=\"post\" action=\"/auth/sign_out\"><input type=\"hidden\" name=\"csrf_token\" value=\"{token}\">\
         <button type=\"submit\" class=\"secondary\">{sign_out}</button></form>",
        signed_in = tr.signed_in_as.replace("{user}", &handle),
        apps = tr.use_apps.replace("{domain}", &domain),
        open_app = tr.open_app,
        sign_out = tr.sign_out,
    );
    with_cookies(
        Page::new(state.config.instance_title.clone(), body)
            .in_language(lang)
            .into_response(),
        cookie,
    )
}
