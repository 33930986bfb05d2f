mod app_shell;
mod password;
mod public_pages;
mod sign_in;
mod sign_up;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use crate::common::{PASSWORD, TestApp, TestResponse, form_request};

/// The value of a hidden form field in a page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end]
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
}

/// A browser's cookie jar, reduced to what these tests need.
#[derive(Default, Clone)]
pub struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub fn absorb(&mut self, response: &TestResponse) {
        for pair in response.cookies() {
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                if !value.is_empty() {
                    self.cookies.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, app: &TestApp, path: &str) -> TestResponse {
        let request = Request::get(path)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        self.absorb(&response);
        response
    }

    pub async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        self.post_from(app, [127, 0, 0, 1], path, pairs).await
    }

    pub async fn post_from(
        &mut self,
        app: &TestApp,
        ip: [u8; 4],
        path: &str,
        pairs: &[(&str, &str)],
    ) -> TestResponse {
        let cookie = self.cookie_header();
        let response = app
            .send_from(
                ip,
                form_request(Method::POST, path, pairs, &[("cookie", &cookie)]),
            )
            .await;
        self.absorb(&response);
        response
    }

    /// Signs in through the sign-in page.
    pub async fn sign_in(app: &TestApp, login: &str) -> Browser {
        let mut browser = Browser::default();
        let page = browser.get(app, "/auth/sign_in").await;
        let token = hidden_field(&page.text(), "csrf_token");
        let response = browser
            .post(
                app,
                "/auth/sign_in",
                &[
                    ("login", login),
                    ("password", PASSWORD),
                    ("csrf_token", &token),
                ],
            )
            .await;
        response.assert_status(StatusCode::SEE_OTHER);
        browser
    }
}
