//! A tiny page layout with HTML escaping, and the security headers every
//! page carries (no framing, strict content security policy).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for use in HTML content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete page. `body` and `head` are trusted HTML built with `escape`.
pub struct Page {
    pub status: StatusCode,
    pub title: String,
    pub body: String,
    /// Extra elements for `<head>` (meta tags, links).
    pub head: String,
    /// A reading column instead of the narrow form card.
    pub wide: bool,
    /// The `lang` of the document.
    pub lang: &'static str,
    /// Another origin images may come from: the media store's, when media
    /// are served from a bucket or CDN (`media_base_url`).
    pub media_origin: Option<String>,
}

impl Page {
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            status: StatusCode::OK,
            title: title.into(),
            body: body.into(),
            head: String::new(),
            wide: false,
            lang: "en",
            media_origin: None,
        }
    }

    /// Lets the page show images from the media store's own origin.
    pub fn with_media_from(mut self, origin: Option<String>) -> Self {
        self.media_origin = origin;
        self
    }

    pub fn in_language(mut self, lang: super::lang::Lang) -> Self {
        self.lang = lang.code();
        self
    }

    /// A page for reading (profiles, posts) with `head` in its `<head>`.
    pub fn reading(mut self, head: String) -> Self {
        self.head = head;
        self.wide = true;
        self
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} · Loggia</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/auth/style.css\">{}</head>\
             <body><main class=\"{}\">{}</main></body></html>",
            self.lang,
            escape(&self.title),
            self.head,
            if self.wide { "card wide" } else { "card" },
            self.body
        );
        let mut response = (self.status, html).into_response();
        secure_headers(&mut response);
        if let Some(origin) = &self.media_origin
            && let Ok(csp) = HeaderValue::from_str(&CSP.replace(
                "img-src 'self' data:",
                &format!("img-src 'self' {origin} data:"),
            ))
        {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        response
    }
}

pub fn secure_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub const STYLE_CSS: &str = "\
:root{color-scheme:light dark;font-family:system-ui,sans-serif;--accent:#3b5bdb}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:Canvas;color:CanvasText}\
.card{width:min(26rem,92vw);padding:2rem;border:1px solid #8884;border-radius:12px}\
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .3rem;font-weight:600}\
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8888;border-radius:6px}\
button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}\
button.secondary{background:transparent;color:inherit;border-color:#8888}\
button:focus-visible,input:focus-visible{outline:3px solid #f59f00;outline-offset:2px}\
.error{padding:.6rem;border-radius:6px;background:#e0313122;border:1px solid #e03131}\
.actions{display:flex;gap:.6rem;flex-wrap:wrap}code.code{display:block;padding:.8rem;font-size:1.1rem;word-break:break-all;background:#8882;border-radius:6px}\
ul.scopes{padding-left:1.2rem}\
small{display:block;margin-top:.3rem;opacity:.85}small.error{opacity:1;margin-top:.4rem}\
label.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}\
.wide{width:min(40rem,94vw);align-self:flex-start;margin:1.5rem 0;padding:1.5rem;box-sizing:border-box}\
.wide img{max-width:100%;height:auto}.banner{display:block;width:100%;max-height:12rem;object-fit:cover;border-radius:8px}\
img.avatar{border-radius:10px;object-fit:cover;background:Canvas}.banner+img.avatar{margin-top:-2.5rem;border:3px solid Canvas}\
.acct,.meta,.counts{opacity:.8}.meta,.counts{font-size:.9rem}.counts{display:flex;gap:1rem;flex-wrap:wrap}\
dl.fields{display:grid;grid-template-columns:minmax(5rem,max-content) 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}\
.post{border-top:1px solid #8884;padding:1rem 0}.post,dd{overflow-wrap:anywhere}\
.byline{display:flex;gap:.6rem;align-items:center}.byline a{color:inherit;text-decoration:none}\
.media{display:grid;gap:.4rem;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr))}.media img{width:100%;max-height:28rem;object-fit:cover;border-radius:6px}\
summary{cursor:pointer}.post footer{margin-top:.6rem}.open{margin-bottom:1rem}\
.open,.pager{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}";
