//! The media settings (`media_backend`, `media_base_url`, `s3_*`): checked
//! when the configuration loads, so that a mistake stops the start with a
//! sentence naming the key.

use crate::config::{Config, MediaBackend};

/// An `http(s)://host[:port]` URL, with a path only where `path_allowed`.
fn is_http_url(value: &str, path_allowed: bool) -> bool {
    url::Url::parse(value).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some()
            && url.username().is_empty()
            && url.query().is_none()
            && url.fragment().is_none()
            && (path_allowed || url.path() == "/")
    })
}

/// What S3 accepts as a bucket name (the DNS-compatible rules).
fn is_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

pub fn check(config: &Config) -> Result<(), String> {
    let base = &config.media_base_url;
    if !base.is_empty() && !is_http_url(base, true) {
        return Err(format!(
            "media_base_url {base:?} is not an http(s) URL (example: https://media.example.com)"
        ));
    }
    match config.media_backend {
        MediaBackend::Local if !config.s3_bucket.is_empty() => Err(
            "s3_bucket is set but media_backend is \"local\": set media_backend = \"s3\" to keep \
             media in the bucket, or remove s3_bucket"
                .into(),
        ),
        MediaBackend::Local => Ok(()),
        MediaBackend::S3 => check_s3(config),
    }
}

fn check_s3(config: &Config) -> Result<(), String> {
    let bucket = &config.s3_bucket;
    if bucket.is_empty() {
        return Err("media_backend = \"s3\" needs s3_bucket".into());
    }
    if !is_bucket_name(bucket) {
        return Err(format!(
            "s3_bucket {bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, dots \
             and hyphens)"
        ));
    }
    if config.s3_region.trim().is_empty() {
        return Err(
            "s3_region must not be empty (AWS: the bucket's region; other services: \
                    usually us-east-1)"
                .into(),
        );
    }
    if config.s3_access_key_id.is_empty() || config.s3_secret_access_key.is_empty() {
        return Err(
            "media_backend = \"s3\" needs s3_access_key_id and s3_secret_access_key".into(),
        );
    }
    let endpoint = &config.s3_endpoint;
    if endpoint.is_empty() {
        return Ok(());
    }
    if !is_http_url(endpoint, false) {
        return Err(format!(
            "s3_endpoint {endpoint:?} is not an http(s) URL without a path (example: \
             https://minio.example.com:9000)"
        ));
    }
    let host_is_ip = url::Url::parse(endpoint)
        .is_ok_and(|url| matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))));
    if host_is_ip && !config.s3_path_style {
        return Err(
            "s3_endpoint is an IP address, so the bucket cannot be put in its host name: set \
             s3_path_style = true"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3() -> Config {
        Config {
            media_backend: MediaBackend::S3,
            s3_bucket: "loggia-media".into(),
            s3_access_key_id: "id".into(),
            s3_secret_access_key: "secret".into(),
            ..Config::default()
        }
    }

    #[track_caller]
    fn refused(config: Config, naming: &str) {
        let err = check(&config).expect_err("should be refused");
        assert!(err.contains(naming), "{err:?} should name {naming}");
    }

    #[test]
    fn good_settings_pass() {
        assert_eq!(check(&Config::default()), Ok(()));
        assert_eq!(check(&s3()), Ok(()));
        let minio = Config {
            s3_endpoint: "http://10.0.0.5:9000".into(),
            s3_path_style: true,
            media_base_url: "https://cdn.example.com/media/".into(),
            ..s3()
        };
        assert_eq!(check(&minio), Ok(()));
    }

    #[test]
    fn mistakes_name_their_key() {
        refused(
            Config {
                s3_bucket: String::new(),
                ..s3()
            },
            "needs s3_bucket",
        );
        refused(
            Config {
                s3_bucket: "Media_Files".into(),
                ..s3()
            },
            "s3_bucket \"Media_Files\"",
        );
        refused(
            Config {
                s3_secret_access_key: String::new(),
                ..s3()
            },
            "s3_secret_access_key",
        );
        refused(
            Config {
                s3_region: " ".into(),
                ..s3()
            },
            "s3_region",
        );
        refused(
            Config {
                s3_endpoint: "minio:9000".into(),
                ..s3()
            },
            "s3_endpoint",
        );
        refused(
            Config {
                s3_endpoint: "https://minio.example/bucket".into(),
                ..s3()
            },
            "s3_endpoint",
        );
        refused(
            Config {
                s3_endpoint: "http://127.0.0.1:9000".into(),
                ..s3()
            },
            "s3_path_style",
        );
        refused(
            Config {
                media_base_url: "cdn.example.com".into(),
                ..Config::default()
            },
            "media_base_url",
        );
        refused(
            Config {
                s3_bucket: "loggia-media".into(),
                ..Config::default()
            },
            "media_backend",
        );
    }
}
