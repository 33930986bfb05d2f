//! Built-in rules: what an admin writes (a [`RuleDef`], the same shape in
//! the API, in `loggia admin rules import|export` files and in the
//! database) and how a compiled [`Rule`] judges a [`Subject`].
//!
//! A rule has one condition (`match` + `patterns`), may be limited to some
//! domains (destinations for outbound rules, origins for inbound ones) and
//! has one action.

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use super::domains::{covers, normalize_pattern};
use super::subject::{Direction, Subject};
use super::verdict::{Finding, Rewrite, Verdict};
use super::{BoxFuture, Policy};
use crate::store::RuleRow;

const MAX_PATTERNS: usize = 200;
const MAX_PATTERN_CHARS: usize = 500;
/// Compiled regexes are bounded so a rule cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

pub const DIRECTIONS: &[&str] = &["inbound", "outbound", "both"];
pub const MATCH_KINDS: &[&str] = &[
    "keyword",
    "regex",
    "hashtag",
    "link_domain",
    "mention_count",
    "secret",
    "media",
    "any",
];
pub const ACTIONS: &[&str] = &[
    "reject",
    "hold",
    "sensitive",
    "content_warning",
    "strip_media",
    "disclaimer",
];
/// Names of the built-in secret detectors.
pub const SECRET_KINDS: &[&str] = &[
    "card_number",
    "private_key",
    "aws_access_key",
    "github_token",
    "slack_token",
];

fn default_true() -> bool {
    true
}

/// A rule as written by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub name: String,
    /// `inbound`, `outbound` or `both`.
    pub direction: String,
    /// What to look for (see `MATCH_KINDS`).
    #[serde(rename = "match")]
    pub match_kind: String,
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Only for these destination (outbound) or origin (inbound) domains.
    #[serde(default)]
    pub domains: Vec<String>,
    /// What to do (see `ACTIONS`).
    pub action: String,
    /// The reason (reject, hold), the content warning or the disclaimer.
    #[serde(default)]
    pub text: String,
    /// Held posts: may the company see it while it waits?
    #[serde(default)]
    pub company_preview: bool,
    #[serde(default = "default_true")]
    pub enabled: bool,
}

impl RuleDef {
    /// Checks and normalizes a definition; the message names the field.
    pub fn validate(mut self) -> Result<RuleDef, String> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 200 {
            return Err("name must be 1 to 200 characters".into());
        }
        let one_of = |field: &str, value: &str, allowed: &[&str]| {
            if allowed.contains(&value) {
                Ok(())
            } else {
                Err(format!("{field} must be one of: {}", allowed.join(", ")))
            }
        };
        one_of("direction", &self.direction, DIRECTIONS)?;
        one_of("match", &self.match_kind, MATCH_KINDS)?;
        one_of("action", &self.action, ACTIONS)?;
        self.patterns = self
            .patterns
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if self.patterns.len() > MAX_PATTERNS
            || self
                .patterns
                .iter()
                .any(|p| p.chars().count() > MAX_PATTERN_CHARS)
        {
            return Err(format!(
                "patterns: at most {MAX_PATTERNS}, each at most {MAX_PATTERN_CHARS} characters"
            ));
        }
        let needs_patterns = !matches!(self.match_kind.as_str(), "media" | "any");
        if needs_patterns && self.patterns.is_empty() {
            return Err(format!(
                "patterns: a {} rule needs at least one",
                self.match_kind
            ));
        }
        match self.match_kind.as_str() {
            "hashtag" => {
                for p in &mut self.patterns {
                    *p = p.trim_start_matches('#').to_lowercase();
                }
            }
            "link_domain" => {
                self.patterns = self
                    .patterns
                    .iter()
                    .map(|p| normalize_pattern(p).ok_or(format!("patterns: {p:?} is not a domain")))
                    .collect::<Result<_, _>>()?;
            }
            "mention_count"
                if self.patterns.len() != 1
                    || self.patterns[0].parse::<u32>().map_or(true, |n| n == 0) =>
            {
                return Err(
                    "patterns: a mention_count rule has one number, the count from which it applies"
                        .into(),
                );
            }
            "secret" => {
                for p in &self.patterns {
                    one_of("patterns", p, SECRET_KINDS)?;
                }
            }
            "regex" => {
                for p in &self.patterns {
                    compile(p).map_err(|e| format!("patterns: {e}"))?;
                }
            }
            _ => {}
        }
        self.domains = self
            .domains
            .iter()
            .map(|d| normalize_pattern(d).ok_or(format!("domains: {d:?} is not a domain")))
            .collect::<Result<_, _>>()?;
        self.text = self.text.trim().to_owned();
        if self.text.chars().count() > 1000 {
            return Err("text must be at most 1000 characters".into());
        }
        if matches!(self.action.as_str(), "content_warning" | "disclaimer") && self.text.is_empty()
        {
            return Err(format!("text: a {} action needs its text", self.action));
        }
        Ok(self)
    }

    pub fn from_row(row: &RuleRow) -> RuleDef {
        RuleDef {
            name: row.name.clone(),
            direction: row.direction.clone(),
            match_kind: row.match_kind.clone(),
            patterns: serde_json::from_str(&row.patterns).unwrap_or_default(),
            domains: serde_json::from_str(&row.domains).unwrap_or_default(),
            action: row.action.clone(),
            text: row.action_text.clone(),
            company_preview: row.company_preview,
            enabled: row.enabled,
        }
    }

    /// The row to store (id, position and times are the caller's).
    pub fn to_row(&self, id: i64, position: i64) -> RuleRow {
        RuleRow {
            id,
            name: self.name.clone(),
            direction: self.direction.clone(),
            match_kind: self.match_kind.clone(),
            patterns: serde_json::to_string(&self.patterns).unwrap_or_else(|_| "[]".into()),
            domains: serde_json::to_string(&self.domains).unwrap_or_else(|_| "[]".into()),
            action: self.action.clone(),
            action_text: self.text.clone(),
            company_preview: self.company_preview,
            enabled: self.enabled,
            position,
            created_at: crate::model::Timestamp(0),
            updated_at: crate::model::Timestamp(0),
        }
    }
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

enum Matcher {
    Keywords(Vec<String>),
    Regexes(Vec<Regex>),
    Hashtags(Vec<String>),
    LinkDomains(Vec<String>),
    MentionCount(usize),
    Secrets(Vec<String>),
    Media,
    Any,
}

/// A rule ready to judge.
pub struct Rule {
    pub id: i64,
    pub def: RuleDef,
    matcher: Matcher,
}

impl Rule {
    /// Compiles a stored rule; a rule that no longer compiles (edited in
    /// the database by hand) is skipped with a warning by the caller.
    pub fn compile(row: &RuleRow) -> Result<Rule, String> {
        let def = RuleDef::from_row(row).validate()?;
        let matcher = match def.match_kind.as_str() {
            "keyword" => Matcher::Keywords(def.patterns.iter().map(|p| p.to_lowercase()).collect()),
            "regex" => Matcher::Regexes(
                def.patterns
                    .iter()
                    .map(|p| compile(p).map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?,
            ),
            "hashtag" => Matcher::Hashtags(def.patterns.clone()),
            "link_domain" => Matcher::LinkDomains(def.patterns.clone()),
            "mention_count" => Matcher::MentionCount(def.patterns[0].parse().unwrap_or(usize::MAX)),
            "secret" => Matcher::Secrets(def.patterns.clone()),
            "media" => Matcher::Media,
            _ => Matcher::Any,
        };
        Ok(Rule {
            id: row.id,
            def,
            matcher,
        })
    }

    pub fn applies_to(&self, direction: Direction) -> bool {
        self.def.enabled
            && (self.def.direction == "both" || self.def.direction == direction.as_str())
    }

    /// Whether the rule's domain limit includes this subject.
    fn in_scope(&self, subject: &Subject) -> bool {
        if self.def.domains.is_empty() {
            return true;
        }
        let hosts: Vec<&str> = match subject.direction {
            Direction::Outbound => subject.destinations.iter().map(String::as_str).collect(),
            Direction::Inbound => subject.origin.iter().map(String::as_str).collect(),
        };
        hosts
            .iter()
            .any(|h| self.def.domains.iter().any(|d| covers(d, h)))
    }

    /// What matched, for the audit log (never the secret itself).
    pub fn matches(&self, subject: &Subject) -> Option<String> {
        if !self.in_scope(subject) {
            return None;
        }
        let haystack = searchable_text(subject);
        match &self.matcher {
            Matcher::Keywords(words) => {
                let lower = haystack.to_lowercase();
                words
                    .iter()
                    .find(|w| contains_word(&lower, w))
                    .map(|w| format!("keyword {w:?}"))
            }
            Matcher::Regexes(regexes) => regexes
                .iter()
                .find(|r| r.is_match(&haystack))
                .map(|r| format!("regex {:?}", r.as_str())),
            Matcher::Hashtags(tags) => subject
                .hashtags
                .iter()
                .map(|t| t.to_lowercase())
                .find(|t| tags.contains(t))
                .map(|t| format!("hashtag #{t}")),
            Matcher::LinkDomains(domains) => subject
                .link_domains()
                .into_iter()
                .find(|host| domains.iter().any(|d| covers(d, host)))
                .map(|host| format!("link to {host}")),
            Matcher::MentionCount(n) => {
                (subject.mentions >= *n).then(|| format!("{} mentions", subject.mentions))
            }
            Matcher::Secrets(kinds) => kinds
                .iter()
                .find(|k| super::secrets::detect(k, &haystack))
                .map(|k| format!("secret: {k}")),
            Matcher::Media => (!subject.attachments.is_empty()).then(|| "media".to_owned()),
            Matcher::Any => Some("every post".to_owned()),
        }
    }

    fn verdict(&self) -> Verdict {
        let text = self.def.text.clone();
        let reason = if text.is_empty() {
            self.def.name.clone()
        } else {
            text.clone()
        };
        match self.def.action.as_str() {
            "reject" => Verdict::Reject { reason },
            "hold" => Verdict::Hold {
                reason,
                company_preview: self.def.company_preview,
            },
            "sensitive" => rewrite(Rewrite::MarkSensitive),
            "content_warning" => rewrite(Rewrite::ContentWarning(text)),
            "strip_media" => rewrite(Rewrite::StripMedia),
            _ => rewrite(Rewrite::AppendDisclaimer(text)),
        }
    }
}

fn rewrite(r: Rewrite) -> Verdict {
    Verdict::Rewrite { rewrites: vec![r] }
}

/// Text, content warning, alt texts: everything a reader reads.
fn searchable_text(subject: &Subject) -> String {
    let mut text = format!("{}\n{}", subject.spoiler_text, subject.text);
    for a in &subject.attachments {
        if let Some(d) = &a.description {
            text.push('\n');
            text.push_str(d);
        }
    }
    text
}

/// `word` (lowercase, maybe several words) in `text` (lowercase) on word
/// boundaries: "falcon" matches "Falcon!" but not "falconry".
fn contains_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

impl Policy for Rule {
    fn name(&self) -> String {
        format!("rule:{}", self.id)
    }

    fn check<'a>(&'a self, subject: &'a Subject) -> BoxFuture<'a, Finding> {
        Box::pin(async move {
            match self.matches(subject) {
                Some(what) => Finding {
                    policy: self.name(),
                    verdict: self.verdict(),
                    note: Some(format!("{} ({what})", self.def.name)),
                },
                None => Finding::accept(self.name()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Visibility;
    use crate::moderation::subject::{Attachment, Author};

    fn subject(text: &str) -> Subject {
        Subject {
            direction: Direction::Outbound,
            status_id: None,
            edit: false,
            author: Author::default(),
            visibility: Visibility::Public,
            company_only: false,
            destinations: vec!["partner.example".into()],
            origin: None,
            external: true,
            text: text.into(),
            spoiler_text: String::new(),
            sensitive: false,
            hashtags: Vec::new(),
            links: Vec::new(),
            mentions: 0,
            attachments: Vec::new(),
            language: None,
        }
    }

    fn rule(match_kind: &str, patterns: &[&str], action: &str) -> Rule {
        let def = RuleDef {
            name: "test".into(),
            direction: "outbound".into(),
            match_kind: match_kind.into(),
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            domains: Vec::new(),
            action: action.into(),
            text: "because".into(),
            company_preview: false,
            enabled: true,
        };
        Rule::compile(&def.validate().unwrap().to_row(7, 0)).unwrap()
    }

    #[test]
    fn keywords_match_whole_words_ignoring_case() {
        let r = rule("keyword", &["Project Falcon"], "hold");
        assert!(
            r.matches(&subject("Launch of PROJECT FALCON today!"))
                .is_some()
        );
        assert!(r.matches(&subject("project falconry")).is_none());
        let mut s = subject("nothing here");
        s.attachments.push(Attachment {
            kind: "image".into(),
            description: Some("slide about project falcon".into()),
            url: None,
        });
        assert!(r.matches(&s).is_some(), "alt text is read too");
    }

    #[test]
    fn hashtags_links_mentions_media() {
        let mut s = subject("see");
        s.hashtags = vec!["Leak".into()];
        s.links = vec!["https://files.competitor.example/x".into()];
        s.mentions = 4;
        assert!(rule("hashtag", &["#leak"], "hold").matches(&s).is_some());
        assert!(
            rule("link_domain", &["competitor.example"], "reject")
                .matches(&s)
                .is_some()
        );
        assert!(
            rule("link_domain", &["other.example"], "reject")
                .matches(&s)
                .is_none()
        );
        assert!(rule("mention_count", &["4"], "hold").matches(&s).is_some());
        assert!(rule("mention_count", &["5"], "hold").matches(&s).is_none());
        assert!(rule("media", &[], "strip_media").matches(&s).is_none());
    }

    #[test]
    fn regexes_are_case_insensitive_and_validated() {
        assert!(
            rule("regex", &[r"invoice\s+#?\d{4}"], "hold")
                .matches(&subject("INVOICE 1234"))
                .is_some()
        );
        let bad = RuleDef {
            patterns: vec!["(".into()],
            ..RuleDef::from_row(&rule("regex", &["x"], "hold").def.to_row(1, 0))
        };
        assert!(bad.validate().unwrap_err().starts_with("patterns:"));
    }

    #[test]
    fn destination_domains_limit_a_rule() {
        let mut def = rule("any", &[], "hold").def;
        def.domains = vec!["competitor.example".into()];
        let r = Rule::compile(&def.validate().unwrap().to_row(1, 0)).unwrap();
        assert!(r.matches(&subject("hi")).is_none());
        let mut s = subject("hi");
        s.destinations.push("social.competitor.example".into());
        assert!(r.matches(&s).is_some());
    }

    #[test]
    fn invalid_definitions_name_the_field() {
        let def = |m: &str, p: &[&str], a: &str, text: &str| RuleDef {
            name: "n".into(),
            direction: "outbound".into(),
            match_kind: m.into(),
            patterns: p.iter().map(|s| s.to_string()).collect(),
            domains: Vec::new(),
            action: a.into(),
            text: text.into(),
            company_preview: false,
            enabled: true,
        };
        assert!(
            def("keyword", &[], "hold", "")
                .validate()
                .unwrap_err()
                .starts_with("patterns")
        );
        assert!(def("secret", &["password"], "hold", "").validate().is_err());
        assert!(def("mention_count", &["x"], "hold", "").validate().is_err());
        assert!(
            def("keyword", &["a"], "explode", "")
                .validate()
                .unwrap_err()
                .starts_with("action")
        );
        assert!(
            def("keyword", &["a"], "disclaimer", "")
                .validate()
                .unwrap_err()
                .starts_with("text")
        );
        assert!(
            def("keyword", &["a"], "disclaimer", "Views are my own")
                .validate()
                .is_ok()
        );
    }
}
