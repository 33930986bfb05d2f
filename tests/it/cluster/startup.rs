//! Nodes started at the same moment on a database nothing has touched:
//! one applies the migrations while the other waits for its lock, and
//! both come up.

use sqlx::Connection;

use super::{FreshDb, Node};

/// The versions in `migrations/<dialect>/`.
fn migration_versions(dialect: &str) -> Vec<i64> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    let mut versions: Vec<i64> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".sql")?.split('_').next()?.parse().ok()
        })
        .collect();
    versions.sort_unstable();
    versions
}

#[tokio::test]
async fn nodes_started_together_on_a_fresh_database_both_come_up() {
    let db = FreshDb::new().await;
    let mut first = Node::spawn("first", &db.url, &[]);
    let mut second = Node::spawn("second", &db.url, &[]);
    tokio::join!(first.ready(), second.ready());

    let applied: Vec<(i64, bool)> = if db.postgres {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    let dialect = if db.postgres { "postgres" } else { "sqlite" };
    let expected: Vec<(i64, bool)> = migration_versions(dialect)
        .into_iter()
        .map(|v| (v, true))
        .collect();
    assert_eq!(applied, expected, "every migration applied once");
    // Both share the instance's identity (one actor, one key).
    let (_, first_actor) = first.get("/actor").await;
    let (_, second_actor) = second.get("/actor").await;
    assert!(first_actor.contains("publicKeyPem"), "{first_actor}");
    assert_eq!(first_actor, second_actor);
}
