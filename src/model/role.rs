//! Roles and their permissions. The three built-in roles are seeded by the
//! first migration; permission bits follow Mastodon's `UserRole` flags so the
//! `role.permissions` string in the API means the same thing to clients.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permissions(pub i64);

impl Permissions {
    pub const ADMINISTRATOR: i64 = 1;
    pub const VIEW_AUDIT_LOG: i64 = 1 << 2;
    pub const VIEW_DASHBOARD: i64 = 1 << 3;
    pub const MANAGE_REPORTS: i64 = 1 << 4;
    pub const MANAGE_FEDERATION: i64 = 1 << 5;
    pub const MANAGE_SETTINGS: i64 = 1 << 6;
    pub const MANAGE_USERS: i64 = 1 << 10;
    pub const MANAGE_BLOCKS: i64 = 1 << 7;
    pub const INVITE_USERS: i64 = 1 << 16;
    /// Loggia's own bit, above Mastodon's: approve or reject held posts.
    pub const REVIEW_POSTS: i64 = 1 << 32;

    pub fn has(self, bit: i64) -> bool {
        self.0 & Self::ADMINISTRATOR != 0 || self.0 & bit == bit
    }
}

/// The role names `loggia admin … --role` accepts.
pub const ROLE_NAMES: [&str; 4] = ["user", "reviewer", "moderator", "admin"];

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub permissions: i64,
    pub position: i64,
    pub highlighted: bool,
    pub color: String,
}

impl Role {
    pub fn permissions(&self) -> Permissions {
        Permissions(self.permissions)
    }

    pub fn is_staff(&self) -> bool {
        let p = self.permissions();
        p.has(Permissions::MANAGE_USERS) || p.has(Permissions::MANAGE_REPORTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrator_implies_everything() {
        let admin = Permissions(Permissions::ADMINISTRATOR);
        assert!(admin.has(Permissions::MANAGE_USERS));
        let user = Permissions(Permissions::INVITE_USERS);
        assert!(!user.has(Permissions::MANAGE_USERS));
        assert!(user.has(Permissions::INVITE_USERS));
    }
}
