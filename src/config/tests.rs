use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_need_no_file() {
    assert_eq!(
        Config::load(None, env(&[])).expect("defaults"),
        Config::default()
    );
}

#[test]
fn default_file_matches_defaults() {
    let parsed: Config = toml::from_str(DEFAULT_CONFIG_TOML).expect("default config parses");
    assert_eq!(parsed, Config::default());
}

#[test]
fn unknown_file_key_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("loggia.toml");
    std::fs::write(&path, "domain = \"a.example\"\ndatabse_url = \"x\"\n").expect("write");
    let err = Config::load(Some(&path), env(&[])).unwrap_err().to_string();
    assert!(err.contains("unknown field `databse_url`"), "{err}");
    assert!(err.starts_with("config file "), "{err}");
}

#[test]
fn environment_overrides_and_types() {
    let config = Config::load(
        None,
        env(&[
            ("LOGGIA_DOMAIN", "Social.Example.com"),
            ("LOGGIA_PROTOCOL", "http"),
            ("LOGGIA_TRUST_PROXY_HEADERS", "true"),
            ("LOGGIA_MAX_STATUS_CHARS", "1000"),
            ("LOGGIA_CONFIG", "ignored.toml"),
            ("PATH", "/bin"),
        ]),
    )
    .expect("valid environment");
    assert_eq!(config.domain(), "social.example.com");
    assert_eq!(config.base_url(), "http://social.example.com");
    assert!(config.trust_proxy_headers);
    assert_eq!(config.max_status_chars, 1000);
}

#[test]
fn the_fan_out_limit_is_bounded() {
    let config = Config::load(None, env(&[("LOGGIA_HOME_FAN_OUT_MAX_FOLLOWERS", "0")]))
        .expect("0 reads every author at read time");
    assert_eq!(config.home_fan_out_max_followers, 0);
    let err = Config::load(
        None,
        env(&[("LOGGIA_HOME_FAN_OUT_MAX_FOLLOWERS", "2000000")]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("at most 1000000"), "{err}");
}

#[test]
fn the_request_line_may_be_empty_but_is_bounded() {
    let config = Config::load(None, env(&[("LOGGIA_REQUEST_QUEUE", "0")]))
        .expect("0: a busy node refuses at once");
    assert_eq!(config.request_queue, 0);
    let err = Config::load(None, env(&[("LOGGIA_REQUEST_QUEUE", "100001")])).unwrap_err();
    assert!(err.to_string().contains("request_queue"), "{err}");
}

#[test]
fn lists_come_comma_separated_from_the_environment() {
    let config = Config::load(
        None,
        env(&[
            ("LOGGIA_REGISTRATIONS", "open"),
            ("LOGGIA_EMAIL_CONFIRMATION", "false"),
            (
                "LOGGIA_REGISTRATION_EMAIL_DOMAINS",
                "acme.example, acme.test",
            ),
        ]),
    )
    .expect("valid environment");
    assert_eq!(config.registrations, Registrations::Open);
    assert_eq!(
        config.registration_email_domains,
        ["acme.example", "acme.test"]
    );
}

#[test]
fn roles_and_delivery_limits() {
    let config = Config::load(
        None,
        env(&[
            ("LOGGIA_ROLE", "worker"),
            ("LOGGIA_DELIVERY_CONCURRENCY", "8"),
            ("LOGGIA_DELIVERY_LEASE_SECS", "5"),
        ]),
    )
    .expect("valid environment");
    assert_eq!(config.role, Role::Worker);
    assert!(config.role.runs_workers() && !config.role.serves_app());
    assert_eq!(
        (config.delivery_concurrency, config.delivery_lease_secs),
        (8, 5)
    );
    let err = Config::load(None, env(&[("LOGGIA_ROLE", "both")])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("environment variable LOGGIA_ROLE")
            && err.to_string().contains("`web`"),
        "{err}"
    );
    let err = Config::load(None, env(&[("LOGGIA_DELIVERY_PER_HOST", "0")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: delivery_per_host must be between 1 and 1000"
    );
    let err = Config::load(None, env(&[("LOGGIA_DELIVERY_LEASE_SECS", "1")])).unwrap_err();
    assert!(err.to_string().contains("delivery_lease_secs"), "{err}");
}

#[test]
fn unknown_environment_key_is_named() {
    let err = Config::load(None, env(&[("LOGGIA_DATABSE_URL", "x")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment variable LOGGIA_DATABSE_URL: unknown setting"
    );
}

#[test]
fn bad_values_are_explained() {
    let err = Config::load(None, env(&[("LOGGIA_TRUST_PROXY_HEADERS", "maybe")])).unwrap_err();
    assert!(err.to_string().contains("expected true or false"), "{err}");
    let err = Config::load(None, env(&[("LOGGIA_PROTOCOL", "gopher")])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("environment variable LOGGIA_PROTOCOL"),
        "{err}"
    );
    let err = Config::load(None, env(&[("LOGGIA_SIGN_IN_MAX_FAILURES", "0")])).unwrap_err();
    assert!(err.to_string().contains("at least 1"), "{err}");
    let err = Config::load(None, env(&[("LOGGIA_REGISTRATIONS", "open")])).unwrap_err();
    assert!(err.to_string().contains("needs smtp_url"), "{err}");
    let err = Config::load(None, env(&[("LOGGIA_SMTP_URL", "http://mail.example")])).unwrap_err();
    assert!(err.to_string().contains("smtp_url"), "{err}");
    let err = Config::load(None, env(&[("LOGGIA_DOMAIN", "http://x.com/")])).unwrap_err();
    assert!(err.to_string().contains("is not a host name"), "{err}");
}

#[test]
fn a_replica_needs_a_postgres_primary() {
    let replica = ("LOGGIA_DATABASE_REPLICA_URL", "postgres://r.example/loggia");
    let err = Config::load(None, env(&[replica])).unwrap_err();
    assert!(err.to_string().contains("needs a PostgreSQL"), "{err}");
    let primary = ("LOGGIA_DATABASE_URL", "postgres://p.example/loggia");
    let config = Config::load(None, env(&[primary, replica])).expect("valid");
    assert_eq!(config.database_replica_max_lag_secs, 30);
    let sqlite = ("LOGGIA_DATABASE_REPLICA_URL", "sqlite://replica.db");
    let err = Config::load(None, env(&[primary, sqlite])).unwrap_err();
    assert!(
        err.to_string().contains("must start with postgres://"),
        "{err}"
    );
}
