//! The language of the server-rendered sign-in pages: Italian or English,
//! from the browser's `Accept-Language` (the web app, which signs people in
//! through these pages, speaks the same two languages).

use axum::http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    It,
}

impl Lang {
    /// The first of our languages among the browser's, in its order of
    /// preference (`q` values sort them); English otherwise.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(value) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::En;
        };
        let mut ranked: Vec<(f32, usize, &str)> = value
            .split(',')
            .enumerate()
            .filter_map(|(index, part)| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, index, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, tag) in ranked {
            let base = tag.split(['-', '_']).next().unwrap_or_default();
            if base.eq_ignore_ascii_case("it") {
                return Lang::It;
            }
            if base.eq_ignore_ascii_case("en") {
                return Lang::En;
            }
        }
        Lang::En
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::It => &IT,
        }
    }
}

/// Every sentence of the sign-in pages. `{title}`, `{app}`, `{user}` are
/// filled in (escaped) by the page.
pub struct Texts {
    pub sign_in: &'static str,
    pub sign_in_to: &'static str,
    pub login: &'static str,
    pub password: &'static str,
    pub new_here: &'static str,
    pub create_account: &'static str,
    pub bad_credentials: &'static str,
    pub authorize_title: &'static str,
    pub authorize_text: &'static str,
    pub authorize: &'static str,
    pub deny: &'static str,
    pub signed_in_as: &'static str,
    pub use_apps: &'static str,
    pub open_app: &'static str,
    pub sign_out: &'static str,
}

const EN: Texts = Texts {
    sign_in: "Sign in",
    sign_in_to: "Sign in to {title}",
    login: "User name or e-mail",
    password: "Password",
    new_here: "New here?",
    create_account: "Create an account",
    bad_credentials: "Invalid user name, e-mail or password.",
    authorize_title: "Authorize {app}?",
    authorize_text: "<strong>{app}</strong> wants to use your account <strong>{user}</strong> with these permissions:",
    authorize: "Authorize",
    deny: "Deny",
    signed_in_as: "Signed in as <strong>{user}</strong>.",
    use_apps: "Use any Mastodon app (Elk, Phanpy, Tusky, Ivory, toot): give it the server address <code>{domain}</code>.",
    open_app: "Open the web app",
    sign_out: "Sign out",
};

const IT: Texts = Texts {
    sign_in: "Accedi",
    sign_in_to: "Accedi a {title}",
    login: "Nome utente o e-mail",
    password: "Password",
    new_here: "Sei nuovo?",
    create_account: "Crea un account",
    bad_credentials: "Nome utente, e-mail o password non validi.",
    authorize_title: "Autorizzare {app}?",
    authorize_text: "<strong>{app}</strong> vuole usare il tuo account <strong>{user}</strong> con questi permessi:",
    authorize: "Autorizza",
    deny: "Nega",
    signed_in_as: "Hai effettuato l’accesso come <strong>{user}</strong>.",
    use_apps: "Usa qualsiasi app Mastodon (Elk, Phanpy, Tusky, Ivory, toot): indica l’indirizzo del server <code>{domain}</code>.",
    open_app: "Apri l’app web",
    sign_out: "Esci",
};

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn lang(value: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        Lang::from_headers(&headers)
    }

    #[test]
    fn picks_the_preferred_supported_language() {
        assert_eq!(lang("it-IT,it;q=0.9,en;q=0.8"), Lang::It);
        assert_eq!(lang("de-DE,it;q=0.5,en;q=0.7"), Lang::En);
        assert_eq!(lang("de-DE,it;q=0.7,en;q=0.5"), Lang::It);
        assert_eq!(lang("fr"), Lang::En);
        assert_eq!(lang("it;q=0"), Lang::En);
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::En);
    }
}
