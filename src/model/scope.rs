//! OAuth scopes as Mastodon defines them, and the rule for when a granted set
//! satisfies a required scope: a granted parent covers its children
//! (`read` covers `read:statuses`, `admin:read` covers `admin:read:reports`),
//! and the legacy `follow` scope covers reading and writing follows, blocks
//! and mutes.

use std::collections::BTreeSet;
use std::fmt;

/// Every scope Loggia knows, in the order Mastodon documents them.
pub const ALL_SCOPES: &[&str] = &[
    "read",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_allows",
    "admin:read:domain_blocks",
    "admin:read:ip_blocks",
    "admin:read:email_domain_blocks",
    "admin:read:canonical_email_blocks",
    "admin:write",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_allows",
    "admin:write:domain_blocks",
    "admin:write:ip_blocks",
    "admin:write:email_domain_blocks",
    "admin:write:canonical_email_blocks",
];

/// Scopes the legacy `follow` scope stands for.
const FOLLOW_COVERS: &[&str] = &[
    "read:blocks",
    "write:blocks",
    "read:follows",
    "write:follows",
    "read:mutes",
    "write:mutes",
];

/// One known scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(&'static str);

impl Scope {
    pub fn parse(s: &str) -> Option<Self> {
        ALL_SCOPES
            .iter()
            .find(|known| **known == s)
            .map(|known| Scope(known))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// `read:statuses` → `read`; `admin:read:accounts` → `admin:read`.
    fn parent(&self) -> Option<&'static str> {
        let (parent, _) = self.0.rsplit_once(':')?;
        ALL_SCOPES.iter().copied().find(|known| *known == parent)
    }
}

/// A set of granted or requested scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

/// A scope string that named something Loggia does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScope(pub String);

impl Scopes {
    /// Parses a space-separated list (`+` and `,` are tolerated as separators,
    /// since some clients send them). An empty string yields an empty set.
    pub fn parse(s: &str) -> Result<Self, UnknownScope> {
        let mut set = BTreeSet::new();
        for part in s.split(|c: char| c.is_whitespace() || c == '+' || c == ',') {
            if part.is_empty() {
                continue;
            }
            set.insert(Scope::parse(part).ok_or_else(|| UnknownScope(part.to_owned()))?);
        }
        Ok(Self(set))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this granted set allows an action that needs `required`.
    pub fn allows(&self, required: &str) -> bool {
        let Some(required) = Scope::parse(required) else {
            return false;
        };
        if self.0.contains(&required) {
            return true;
        }
        if let Some(parent) = required.parent()
            && self.allows(parent)
        {
            return true;
        }
        FOLLOW_COVERS.contains(&required.as_str()) && self.0.contains(&Scope("follow"))
    }

    /// Whether every scope in `requested` is allowed by this set (used to
    /// check a token request against the app's registered scopes).
    pub fn covers(&self, requested: &Scopes) -> bool {
        requested.0.iter().all(|s| self.allows(s.as_str()))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }
}

impl fmt::Display for Scopes {
    /// Space-separated, in Mastodon's documented order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for known in ALL_SCOPES {
            if self.0.contains(&Scope(known)) {
                if !first {
                    f.write_str(" ")?;
                }
                f.write_str(known)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(s: &str) -> Scopes {
        Scopes::parse(s).expect("valid scopes")
    }

    #[test]
    fn parents_cover_children() {
        assert!(scopes("read").allows("read:statuses"));
        assert!(!scopes("read:accounts").allows("read:statuses"));
        assert!(!scopes("read:accounts").allows("read"));
        assert!(scopes("admin:read").allows("admin:read:reports"));
        assert!(!scopes("read").allows("admin:read:reports"));
        assert!(!scopes("write").allows("read:statuses"));
    }

    #[test]
    fn follow_covers_relationships() {
        assert!(scopes("follow").allows("write:follows"));
        assert!(scopes("follow").allows("read:mutes"));
        assert!(!scopes("follow").allows("write:statuses"));
    }

    #[test]
    fn unknown_scopes_are_refused() {
        assert_eq!(
            Scopes::parse("read bogus"),
            Err(UnknownScope("bogus".into()))
        );
        assert!(!scopes("read").allows("bogus"));
    }

    #[test]
    fn renders_in_documented_order() {
        assert_eq!(scopes("follow write read").to_string(), "read write follow");
        assert_eq!(scopes("read+write").to_string(), "read write");
    }

    #[test]
    fn covers_checks_every_requested_scope() {
        assert!(scopes("read write").covers(&scopes("read:statuses write:media")));
        assert!(!scopes("read").covers(&scopes("read write")));
    }
}
