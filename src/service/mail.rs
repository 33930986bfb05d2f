//! Outgoing mail over SMTP (e-mail confirmation). Our own URL rule, not
//! lettre's: `smtp://` means STARTTLS *required* so that credentials never
//! cross the network in clear by accident; a plain connection must be asked
//! for with `?tls=none`.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

/// Connecting, greeting and sending one message together.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtps://`: TLS from the first byte (port 465).
    Wrapper,
    /// `smtp://`: STARTTLS, refusing servers that do not offer it (587).
    StartTls,
    /// `smtp://…?tls=opportunistic`: STARTTLS when offered.
    Opportunistic,
    /// `smtp://…?tls=none`: plain text, for a relay on the same host (25).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct SmtpUrl {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
}

fn parse(url: &str) -> Result<SmtpUrl, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    let tls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let security = match (parsed.scheme(), tls.as_deref()) {
        ("smtps", None) => Security::Wrapper,
        ("smtp", None | Some("required")) => Security::StartTls,
        ("smtp", Some("opportunistic")) => Security::Opportunistic,
        ("smtp", Some("none")) => Security::None,
        ("smtp" | "smtps", Some(other)) => {
            return Err(format!(
                "unknown tls={other:?} (use required, opportunistic or none)"
            ));
        }
        (scheme, _) => return Err(format!("scheme {scheme:?} is not smtp or smtps")),
    };
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("no host name")?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = parsed.port().unwrap_or(match security {
        Security::Wrapper => 465,
        Security::StartTls | Security::Opportunistic => 587,
        Security::None => 25,
    });
    // Percent-decoding only: a `+` in a password is a plus, not a space.
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let credentials = (!parsed.username().is_empty()).then(|| {
        (
            decode(parsed.username()),
            decode(parsed.password().unwrap_or_default()),
        )
    });
    Ok(SmtpUrl {
        host,
        port,
        security,
        credentials,
    })
}

/// Checks `smtp_url` at start-up, so a typo is reported before the first
/// sign-up instead of in the log afterwards.
pub fn check_smtp_url(url: &str) -> Result<(), String> {
    parse(url).map(|_| ())
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("no smtp_url configured")]
    NotConfigured,
    #[error("invalid address: {0}")]
    Address(String),
    #[error("mail server: {0}")]
    Smtp(String),
    #[error("mail server did not answer within {0:?}")]
    Timeout(Duration),
}

/// Sends mail through the configured SMTP server; one connection per
/// message (sign-ups are rare; no pool to keep alive).
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let from = if config.smtp_from.is_empty() {
            let host = config.domain();
            let host = host.split(':').next().unwrap_or_default();
            format!(
                "{} <noreply@{host}>",
                config.instance_title.replace(['<', '>', '"'], "")
            )
        } else {
            config.smtp_from.clone()
        };
        from.parse::<Mailbox>()
            .map_err(|e| format!("smtp_from {from:?}: {e}"))?;
        if config.smtp_url.is_empty() {
            return Ok(Self {
                transport: None,
                from,
            });
        }
        let url = parse(&config.smtp_url).map_err(|e| format!("smtp_url: {e}"))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| format!("smtp_url: TLS: {e}"))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host)
            .port(url.port)
            .timeout(Some(SEND_TIMEOUT));
        builder = match url.security {
            Security::Wrapper => builder.tls(Tls::Wrapper(tls(&url.host)?)),
            Security::StartTls => builder.tls(Tls::Required(tls(&url.host)?)),
            Security::Opportunistic => builder.tls(Tls::Opportunistic(tls(&url.host)?)),
            Security::None => builder.tls(Tls::None),
        };
        if let Some((user, password)) = url.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self {
            transport: Some(builder.build()),
            from,
        })
    }

    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let transport = self.transport.as_ref().ok_or(MailError::NotConfigured)?;
        let message = Message::builder()
            .from(
                self.from
                    .parse()
                    .map_err(|e| MailError::Address(format!("{e}")))?,
            )
            .to(to
                .parse()
                .map_err(|e| MailError::Address(format!("{to}: {e}")))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Address(e.to_string()))?;
        match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(MailError::Smtp(e.to_string())),
            Err(_) => Err(MailError::Timeout(SEND_TIMEOUT)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let url = parse("smtp://me%40acme.example:p%40s+s@mail.acme.example").expect("valid");
        assert_eq!(url.port, 587);
        assert_eq!(url.security, Security::StartTls);
        assert_eq!(
            url.credentials,
            Some(("me@acme.example".into(), "p@s+s".into()))
        );
        let url = parse("smtps://mail.acme.example").expect("valid");
        assert_eq!((url.port, url.security), (465, Security::Wrapper));
        let url = parse("smtp://127.0.0.1:2525?tls=none").expect("valid");
        assert_eq!((url.port, url.security), (2525, Security::None));
        assert_eq!(url.credentials, None);
        assert!(parse("http://mail.acme.example").is_err());
        assert!(parse("smtp://mail.acme.example?tls=maybe").is_err());
        assert!(parse("smtp://").is_err());
    }
}
