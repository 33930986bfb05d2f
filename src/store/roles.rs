//! Roles (seeded by the first migration).

use super::{StoreResult, run, sub_store};
use crate::model::Role;

sub_store!(Roles);

impl Roles<'_> {
    pub async fn by_name(mut self, name: &str) -> StoreResult<Option<Role>> {
        let role = run!(self.0.exec, e => sqlx::query_as::<_, Role>(
            "SELECT * FROM roles WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(e)
        .await)?;
        Ok(role)
    }

    pub async fn list(mut self) -> StoreResult<Vec<Role>> {
        let roles = run!(self.0.exec, e => sqlx::query_as::<_, Role>(
            "SELECT * FROM roles ORDER BY position",
        )
        .fetch_all(e)
        .await)?;
        Ok(roles)
    }
}
