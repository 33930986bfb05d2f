//! Per-test databases. SQLite: a fresh file in a temporary directory.
//! PostgreSQL: a database cloned from a template migrated once per run
//! (`CREATE DATABASE … TEMPLATE`), which takes milliseconds.

use sqlx::{Connection, PgConnection};

use loggia::crypto::random_token;
use loggia::store::Store;

pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

/// The backend chosen for this run. Asking for PostgreSQL without saying
/// where it is fails loudly: no test is skipped silently.
pub fn backend() -> Backend {
    match std::env::var("TEST_BACKEND").as_deref() {
        Err(_) | Ok("sqlite") => Backend::Sqlite,
        Ok("postgres") => Backend::Postgres {
            admin_url: std::env::var("TEST_POSTGRES_URL").expect(
                "TEST_BACKEND=postgres needs TEST_POSTGRES_URL (scripts/test.sh sets both)",
            ),
        },
        Ok(other) => panic!("TEST_BACKEND must be sqlite or postgres, not {other:?}"),
    }
}

pub struct TestDb {
    url: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: where to drop this test's database when it ends. A whole
    /// run clones about a thousand of them (~8 MB each); kept, they filled
    /// the disk of a CI machine and PostgreSQL went into crash recovery.
    _dropper: Option<DropOnExit>,
}

impl TestDb {
    pub async fn new() -> Self {
        Self::on(backend()).await
    }

    /// A SQLite database whatever the run's backend.
    pub async fn sqlite() -> Self {
        Self::on(Backend::Sqlite).await
    }

    pub async fn on(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("loggia.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    _dropper: None,
                }
            }
            Backend::Postgres { admin_url } => {
                let template = ensure_template(&admin_url).await;
                let name = format!(
                    "test_{}",
                    random_token(9)
                        .to_ascii_lowercase()
                        .replace(['-', '_'], "x")
                );
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                // Cloning fails while another session touches the template;
                // that session is our own migration, so wait it out.
                let mut attempts = 0;
                loop {
                    let created = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "CREATE DATABASE {name} TEMPLATE {template}"
                    )))
                    .execute(&mut admin)
                    .await;
                    match created {
                        Ok(_) => break,
                        Err(e) if attempts < 50 => {
                            attempts += 1;
                            let _ = e;
                            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        }
                        Err(e) => panic!("cannot create test database: {e}"),
                    }
                }
                admin.close().await.ok();
                Self {
                    url: database_url(&admin_url, &name),
                    _dir: None,
                    _dropper: Some(DropOnExit::new(admin_url, name)),
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, 5).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }
}

/// Drops a PostgreSQL database made for one test when the test ends.
pub struct DropOnExit {
    admin_url: String,
    name: String,
}

impl DropOnExit {
    pub fn new(admin_url: String, name: String) -> Self {
        Self { admin_url, name }
    }
}

impl Drop for DropOnExit {
    fn drop(&mut self) {
        let admin_url = std::mem::take(&mut self.admin_url);
        let name = std::mem::take(&mut self.name);
        // Drop runs inside the test's runtime, which cannot block on itself:
        // the database is dropped from a thread with a runtime of its own.
        // FORCE ends connections a server or process of the test still holds.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .map_err(|e| e.to_string())?;
                admin.close().await.ok();
                Ok::<_, String>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("warning: could not drop a test database: {e}");
        }
    }
}

fn database_url(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("TEST_POSTGRES_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// Creates and migrates this run's template database once, under an
/// advisory lock so that concurrent tests wait for the first.
async fn ensure_template(admin_url: &str) -> String {
    let name = format!("loggia_template_{}", std::process::id());
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query("SELECT pg_advisory_lock(727274)")
        .execute(&mut admin)
        .await
        .expect("lock");
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut admin)
        .await
        .expect("query");
    if exists.is_none() {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create template");
        let store = Store::connect(&database_url(admin_url, &name), 1)
            .await
            .expect("connect template");
        store.migrate().await.expect("migrate template");
        store.close().await;
    }
    sqlx::query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut admin)
        .await
        .expect("unlock");
    admin.close().await.ok();
    name
}
