//! The two databases every workload runs on: a fresh SQLite file, or a
//! fresh database on a PostgreSQL server the harness is given.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        }
    }
}

/// One database, with the address the Loggia instance on it has: the
/// domain is part of every account's identity, so an instance always
/// listens on the same port.
#[derive(Clone, Debug)]
pub struct Database {
    pub kind: Kind,
    /// The `database_url` Loggia is given.
    pub url: String,
    /// Where this backend's instance listens, `127.0.0.1:PORT`; also its
    /// domain.
    pub listen: String,
    /// Media and logs of this backend's instance.
    pub dir: PathBuf,
}

impl Database {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.listen)
    }

    /// A fresh, empty database. `name` tells runs of different sizes
    /// apart (`loggia_bench_full`, `loggia_bench_smoke`).
    pub async fn fresh(
        kind: Kind,
        work: &Path,
        name: &str,
        port: u16,
        postgres_admin: Option<&str>,
    ) -> Result<Self> {
        let db = Self::at(kind, work, name, port, postgres_admin)?;
        if db.dir.exists() {
            std::fs::remove_dir_all(&db.dir)
                .with_context(|| format!("removing {}", db.dir.display()))?;
        }
        std::fs::create_dir_all(&db.dir)?;
        if let (Kind::Postgres, Some(admin)) = (kind, postgres_admin) {
            let mut conn = PgConnection::connect(admin)
                .await
                .with_context(|| format!("connecting to {admin}"))?;
            // `name` is ours (loggia_bench_SCALE), not input.
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await?;
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await?;
        }
        Ok(db)
    }

    /// A database an earlier run made (and seeded), as it is.
    pub fn existing(
        kind: Kind,
        work: &Path,
        name: &str,
        port: u16,
        postgres_admin: Option<&str>,
    ) -> Result<Self> {
        let db = Self::at(kind, work, name, port, postgres_admin)?;
        if !db.dir.exists() {
            bail!("{} does not exist (seed first)", db.dir.display());
        }
        Ok(db)
    }

    /// Where `name` lives for `kind`: its directory under `work`, and the
    /// SQLite file there or the database of that name on the server.
    fn at(
        kind: Kind,
        work: &Path,
        name: &str,
        port: u16,
        postgres_admin: Option<&str>,
    ) -> Result<Self> {
        let dir = work.join(format!("{name}-{}", kind.name()));
        let url = match kind {
            Kind::Sqlite => format!("sqlite://{}", dir.join("loggia.db").display()),
            Kind::Postgres => {
                let Some(admin) = postgres_admin else {
                    bail!("no PostgreSQL server given (--postgres or BENCH_POSTGRES_URL)");
                };
                replace_database(admin, name)?
            }
        };
        Ok(Self {
            kind,
            url,
            listen: format!("127.0.0.1:{port}"),
            dir,
        })
    }

    /// The environment of a `loggia` process on this database (the
    /// settings every workload shares; rate limits are off because the
    /// load generator is one client sending far more than a person).
    pub fn loggia_env(&self) -> Vec<(String, String)> {
        let pool = match self.kind {
            Kind::Sqlite => "10",
            Kind::Postgres => "20",
        };
        [
            ("LOGGIA_DOMAIN", self.listen.as_str()),
            ("LOGGIA_PROTOCOL", "http"),
            ("LOGGIA_LISTEN", self.listen.as_str()),
            ("LOGGIA_DATABASE_URL", self.url.as_str()),
            ("LOGGIA_DATABASE_MAX_CONNECTIONS", pool),
            ("LOGGIA_ALLOW_PRIVATE_NETWORKS", "true"),
            ("LOGGIA_LOG_LEVEL", "warn"),
            ("LOGGIA_LOG_FORMAT", "json"),
            ("LOGGIA_RATE_LIMIT_API_PER_TOKEN", "off"),
            ("LOGGIA_RATE_LIMIT_API_PER_IP", "off"),
            ("LOGGIA_RATE_LIMIT_POSTS", "off"),
            ("LOGGIA_RATE_LIMIT_INBOX_PER_HOST", "off"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .chain([(
            "LOGGIA_MEDIA_DIR".to_owned(),
            self.dir.join("media").display().to_string(),
        )])
        .collect()
    }
}

/// `postgres://user@host:port/postgres` → `…/NAME` (query kept).
fn replace_database(admin: &str, name: &str) -> Result<String> {
    let mut url = url::Url::parse(admin).with_context(|| format!("not a URL: {admin}"))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}
