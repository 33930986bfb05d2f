//! Embedded migrations, one set per dialect (see `migrations/README.md`).

use sqlx::migrate::Migrator;

pub static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(m: &Migrator) -> Vec<(i64, String)> {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    #[test]
    fn both_dialects_hold_the_same_migrations() {
        assert_eq!(versions(&SQLITE), versions(&POSTGRES));
        assert!(!versions(&SQLITE).is_empty());
    }

    #[test]
    fn versions_are_numbered_without_gaps() {
        for (i, (version, _)) in versions(&SQLITE).iter().enumerate() {
            assert_eq!(
                *version,
                i as i64 + 1,
                "migration numbers must be 1, 2, 3, …"
            );
        }
    }
}
