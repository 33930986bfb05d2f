//! The server-rendered sign-up page (`/auth/sign_up`), invite links
//! (`/invite/CODE`) and the e-mail confirmation link
//! (`/auth/confirmation`). Works without JavaScript.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::csrf;
use super::html::{Page, escape};
use super::sign_in::{csrf_failure, with_cookies};
use crate::api::extract::ClientIp;
use crate::api::extract::body::parse_form;
use crate::config::Registrations;
use crate::error::Error;
use crate::service::registration::{self, FieldErrors, SignUp, SignUpError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/sign_up", get(form).post(submit))
        .route("/invite/{code}", get(invite))
        .route("/auth/confirmation", get(confirm))
}

#[derive(Deserialize, Default)]
struct InviteQuery {
    invite: Option<String>,
}

/// The values typed so far, to show the form again after an error.
#[derive(Deserialize, Default)]
struct SignUpForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    invite: String,
    #[serde(default)]
    csrf_token: String,
}

fn field(
    id: &str,
    label: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
    errors: &FieldErrors,
    hint: &str,
) -> String {
    let error = errors.first(id);
    let described = match (error.is_some(), !hint.is_empty()) {
        (true, _) => format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\""),
        (false, true) => format!(" aria-describedby=\"{id}-hint\""),
        (false, false) => String::new(),
    };
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!("<small id=\"{id}-hint\">{}</small>", escape(hint))
    };
    let error = error
        .map(|e| {
            format!(
                "<small class=\"error\" id=\"{id}-error\">{} {}</small>",
                escape(label),
                escape(e)
            )
        })
        .unwrap_or_default();
    format!(
        "<label for=\"{id}\">{label}</label>\
         <input type=\"{kind}\" id=\"{id}\" name=\"{id}\" value=\"{value}\" autocomplete=\"{autocomplete}\" required{described}>{hint}{error}",
        label = escape(label),
        value = escape(value),
    )
}

fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    values: &SignUpForm,
    errors: &FieldErrors,
    message: Option<&str>,
) -> (Page, Option<String>) {
    let config = &state.config;
    let (token, cookie) = csrf::token_for(state, headers);
    let message = message
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(m)))
        .unwrap_or_default();
    let email_hint = if config.registration_email_domains.is_empty() || !values.invite.is_empty() {
        String::new()
    } else {
        format!(
            "Use your work address (at {}).",
            config.registration_email_domains.join(", ")
        )
    };
    let reason = if config.registrations == Registrations::Approval && values.invite.is_empty() {
        format!(
            "<label for=\"reason\">Why do you want to join?</label>\
             <input type=\"text\" id=\"reason\" name=\"reason\" value=\"{}\" aria-describedby=\"reason-hint\">\
             <small id=\"reason-hint\">An administrator approves new accounts and reads this.</small>",
            escape(&values.reason)
        )
    } else {
        String::new()
    };
    let agreement_error = errors
        .first("agreement")
        .map(|_| {
            "<small class=\"error\" id=\"agreement-error\">Please accept the rules to continue.</small>"
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>Join {title}</h1>{message}\
         <form method=\"post\" action=\"/auth/sign_up\" novalidate>\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{token}\">\
         <input type=\"hidden\" name=\"invite\" value=\"{invite}\">\
         {username}{email}{password}{reason}\
         <label class=\"check\"><input type=\"checkbox\" name=\"agreement\" value=\"1\"{checked}> I agree to follow the rules of this server and the company's policies.</label>{agreement_error}\
         <div class=\"actions\"><button type=\"submit\">Sign up</button></div></form>\
         <p>Already have an account? <a href=\"/auth/sign_in\">Sign in</a></p>",
        title = escape(&config.instance_title),
        invite = escape(&values.invite),
        username = field(
            "username",
            "User name",
            "text",
            &values.username,
            "username",
            errors,
            &format!(
                "Letters, numbers and underscores; you will be @name@{}.",
                config.domain()
            )
        ),
        email = field(
            "email",
            "E-mail",
            "email",
            &values.email,
            "email",
            errors,
            &email_hint
        ),
        password = field(
            "password",
            "Password",
            "password",
            "",
            "new-password",
            errors,
            "At least 8 characters."
        ),
        checked = if values.agreement.is_some() {
            " checked"
        } else {
            ""
        },
    );
    (Page::new("Sign up", body), cookie)
}

fn not_open(message: &str) -> Response {
    Page::new(
        "Sign-up unavailable",
        format!(
            "<h1>Sign-up unavailable</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p><a href=\"/auth/sign_in\">Sign in</a></p>",
            escape(message)
        ),
    )
    .with_status(StatusCode::FORBIDDEN)
    .into_response()
}

/// Looks up the invite a form names, if any.
async fn invite_of(state: &AppState, code: &str) -> Result<Option<crate::store::Invite>, Response> {
    if code.is_empty() {
        return Ok(None);
    }
    match state.store.invites().by_code(code).await {
        Ok(Some(invite)) => Ok(Some(invite)),
        Ok(None) => Err(not_open("This invite link is not valid.")),
        Err(e) => Err(Error::from(e).into_response()),
    }
}

/// GET /auth/sign_up
async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<InviteQuery>,
) -> Response {
    let code = q.invite.unwrap_or_default();
    let invite = match invite_of(&state, &code).await {
        Ok(invite) => invite,
        Err(response) => return response,
    };
    if let Err(e) = registration::open_to(&state.config, invite.as_ref()) {
        return not_open(&e.to_string());
    }
    let values = SignUpForm {
        invite: code,
        ..Default::default()
    };
    let (page, cookie) = form_page(&state, &headers, &values, &FieldErrors::default(), None);
    with_cookies(page.into_response(), cookie)
}

/// POST /auth/sign_up
async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut values: SignUpForm = match parse_form("", &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    if !csrf::verify(&state, &headers, &values.csrf_token) {
        return csrf_failure();
    }
    let request = SignUp {
        username: values.username.clone(),
        email: values.email.clone(),
        password: std::mem::take(&mut values.password),
        agreement: values.agreement.is_some(),
        locale: None,
        reason: Some(values.reason.clone()),
        invite_code: Some(values.invite.clone()),
        ip,
    };
    let registered = match registration::sign_up(&state.store, &state.config, &request).await {
        Ok(registered) => registered,
        Err(SignUpError::Invalid(errors)) => {
            let (page, cookie) = form_page(
                &state,
                &headers,
                &values,
                &errors,
                Some("Please correct the fields marked below."),
            );
            return with_cookies(
                page.with_status(StatusCode::UNPROCESSABLE_ENTITY)
                    .into_response(),
                cookie,
            );
        }
        Err(SignUpError::NotAllowed(message)) => return not_open(&message),
        Err(e @ SignUpError::Throttled(_)) => {
            let mut response = not_open(&e.to_string());
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            return response;
        }
        Err(e) => return Error::from(e).into_response(),
    };
    let user = &registered.user;
    let mut steps = Vec::new();
    if let Some(token) = registered.confirmation_token {
        registration::spawn_confirmation(
            state.mailer.clone(),
            state.config.clone(),
            user.user.email.clone(),
            user.account.username.clone(),
            token,
        );
        steps.push(format!(
            "We sent a confirmation link to <strong>{}</strong>. Follow it to activate your account (it works for three days).",
            escape(&user.user.email)
        ));
    }
    if !user.user.approved {
        steps.push(
            "An administrator reviews new accounts; you can sign in once yours is approved."
                .to_owned(),
        );
    }
    if steps.is_empty() {
        steps.push("Your account is ready.".to_owned());
    }
    let body = format!(
        "<h1>Welcome, @{}</h1>{}<p><a href=\"/auth/sign_in\">Sign in</a></p>",
        escape(&user.account.username),
        steps
            .iter()
            .map(|s| format!("<p role=\"status\">{s}</p>"))
            .collect::<String>()
    );
    Page::new("Signed up", body)
        .with_status(StatusCode::CREATED)
        .into_response()
}

/// GET /invite/CODE — the link people are sent.
async fn invite(Path(code): Path<String>) -> Response {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("invite", &code);
    Redirect::to(&format!("/auth/sign_up?{}", query.finish())).into_response()
}

#[derive(Deserialize, Default)]
struct ConfirmQuery {
    confirmation_token: Option<String>,
}

/// GET /auth/confirmation?confirmation_token=… — the link in the mail.
async fn confirm(State(state): State<AppState>, Query(q): Query<ConfirmQuery>) -> Response {
    let token = q.confirmation_token.unwrap_or_default();
    let confirmed = if token.is_empty() {
        None
    } else {
        match registration::confirm(&state.store, &token).await {
            Ok(found) => found,
            Err(e) => return Error::from(e).into_response(),
        }
    };
    let Some(found) = confirmed else {
        return Page::new(
            "Link not valid",
            "<h1>This link does not work</h1><p class=\"error\" role=\"alert\">The confirmation link is not valid, \
             has been used already or has expired. Sign in with your password to get a new one.</p>\
             <p><a href=\"/auth/sign_in\">Sign in</a></p>",
        )
        .with_status(StatusCode::NOT_FOUND)
        .into_response();
    };
    let next = if found.user.approved {
        "You can sign in now."
    } else {
        "An administrator still reviews your account; you can sign in once it is approved."
    };
    Page::new(
        "Address confirmed",
        format!(
            "<h1>Address confirmed</h1><p role=\"status\">Thank you, @{}. {next}</p><p><a href=\"/auth/sign_in\">Sign in</a></p>",
            escape(&found.account.username)
        ),
    )
    .into_response()
}
