//! Organisation mode: who may publish outside the company without a
//! reviewer. `decentralized`: employees publish, rules hold or reject what
//! matches; `centralized`: every external post waits for a reviewer.
//! Set for everyone, and overridden per role and per team: the most
//! specific setting wins (team, then role, then the default), so a
//! communications team can publish freely in a centralized company.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::subject::{Author, Direction, Subject};
use super::verdict::{Finding, Verdict};
use super::{BoxFuture, Policy};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Decentralized,
    Centralized,
}

fn default_true() -> bool {
    true
}

/// The setting, stored as JSON in `instance_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationMode {
    #[serde(default)]
    pub default: Mode,
    /// Role name → mode.
    #[serde(default)]
    pub roles: BTreeMap<String, Mode>,
    /// Team name → mode.
    #[serde(default)]
    pub teams: BTreeMap<String, Mode>,
    /// Whether posts waiting in centralized mode may be seen inside the
    /// company meanwhile.
    #[serde(default = "default_true")]
    pub company_preview: bool,
}

impl Default for OrganisationMode {
    fn default() -> Self {
        OrganisationMode {
            default: Mode::Decentralized,
            roles: BTreeMap::new(),
            teams: BTreeMap::new(),
            company_preview: true,
        }
    }
}

pub const SETTING: &str = "organisation_mode";

impl OrganisationMode {
    pub fn mode_for(&self, role: Option<&str>, team: Option<&str>) -> Mode {
        team.and_then(|t| self.teams.get(t))
            .or_else(|| role.and_then(|r| self.roles.get(r)))
            .copied()
            .unwrap_or(self.default)
    }

    /// Whether `author`'s external posts wait for a reviewer.
    pub fn reviews_external(&self, author: &Author) -> bool {
        self.mode_for(author.role.as_deref(), author.team.as_deref()) == Mode::Centralized
    }

    /// Checks role names against the roles that exist.
    pub fn validate(self, roles: &[&str]) -> Result<Self, String> {
        if let Some(unknown) = self.roles.keys().find(|r| !roles.contains(&r.as_str())) {
            return Err(format!(
                "roles: unknown role {unknown:?} (one of {})",
                roles.join(", ")
            ));
        }
        if self
            .teams
            .keys()
            .any(|t| t.trim().is_empty() || t.len() > 100)
        {
            return Err("teams: names must be 1 to 100 characters".into());
        }
        Ok(self)
    }
}

impl Policy for OrganisationMode {
    fn name(&self) -> String {
        "organisation_mode".into()
    }

    fn check<'a>(&'a self, subject: &'a Subject) -> BoxFuture<'a, Finding> {
        Box::pin(async move {
            let centralized = subject.direction == Direction::Outbound
                && subject.external
                && self.reviews_external(&subject.author);
            if !centralized {
                return Finding::accept(self.name());
            }
            Finding {
                policy: self.name(),
                verdict: Verdict::Hold {
                    reason: "External posts are reviewed before they are published".into(),
                    company_preview: self.company_preview,
                },
                note: Some("centralized organisation mode".into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_setting_wins() {
        let mode: OrganisationMode = serde_json::from_str(
            r#"{"default": "centralized", "roles": {"admin": "decentralized"},
                "teams": {"comms": "decentralized", "sales": "centralized"}}"#,
        )
        .unwrap();
        assert_eq!(mode.mode_for(Some("user"), None), Mode::Centralized);
        assert_eq!(
            mode.mode_for(Some("user"), Some("comms")),
            Mode::Decentralized
        );
        assert_eq!(mode.mode_for(Some("admin"), None), Mode::Decentralized);
        assert_eq!(
            mode.mode_for(Some("admin"), Some("sales")),
            Mode::Centralized
        );
        assert!(mode.company_preview);
        assert!(mode.validate(&["user", "admin"]).is_ok());
    }

    #[test]
    fn unknown_roles_and_fields_are_refused() {
        let mode: OrganisationMode =
            serde_json::from_str(r#"{"roles": {"intern": "centralized"}}"#).unwrap();
        assert!(mode.validate(&["user"]).unwrap_err().contains("intern"));
        assert!(serde_json::from_str::<OrganisationMode>(r#"{"mode": "x"}"#).is_err());
    }
}
