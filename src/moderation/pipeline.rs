//! Running every policy over a subject and recording what they decided.
//!
//! Order: account flags, the built-in rules (in their position order), the
//! organisation mode (outbound), then the external hooks. Outbound, only
//! external posts (see `service::review::outbound_subject`) are judged:
//! company-only posts and posts to colleagues never leave the company. Hooks are not
//! asked when a rule already rejected: nothing they answer could change
//! the outcome, and a rejected post should not travel further.

use super::Policy;
use super::audit::{self, Actor, Entry};
use super::subject::{Direction, Subject};
use super::verdict::{self, Decision, Finding, Outcome, Rewrite, Verdict};
use crate::state::AppState;
use crate::store::{StoreResult, Tx};

/// How long all classifier hooks together may take for one post.
const HOOKS_BUDGET: std::time::Duration = std::time::Duration::from_secs(12);

/// The combined verdict of every policy on `subject`.
pub async fn judge(state: &AppState, subject: &Subject) -> StoreResult<Decision> {
    let policy = state.moderation.policy(&state.store).await?;
    let mut findings = Vec::new();
    if subject.author.sensitized {
        findings.push(Finding {
            policy: "account".into(),
            verdict: Verdict::Rewrite {
                rewrites: vec![Rewrite::MarkSensitive],
            },
            note: Some("the account is marked sensitive".into()),
        });
    }
    // Brand safety is about what leaves the company: posts that stay
    // inside it meet no outbound policy.
    if subject.direction == Direction::Outbound && !subject.external {
        return Ok(verdict::combine(findings));
    }
    for rule in policy
        .rules
        .iter()
        .filter(|r| r.applies_to(subject.direction))
    {
        findings.push(rule.check(subject).await);
    }
    if subject.direction == Direction::Outbound {
        findings.push(policy.organisation.check(subject).await);
    }
    let rejected = findings
        .iter()
        .any(|f| matches!(f.verdict, Verdict::Reject { .. }));
    if !rejected {
        let hooks = super::hooks::policies(state, subject.direction).await?;
        findings.extend(ask_in_time(&hooks, subject, HOOKS_BUDGET).await);
    }
    Ok(verdict::combine(findings))
}

/// Asks `policies` in order within one time budget: an inbox request
/// must answer before the sender gives up and delivers again. A policy
/// still asking when the budget runs out gives its `unavailable` finding
/// (a hook's fail mode).
async fn ask_in_time(
    policies: &[Box<dyn Policy>],
    subject: &Subject,
    budget: std::time::Duration,
) -> Vec<Finding> {
    let deadline = tokio::time::Instant::now() + budget;
    let mut findings = Vec::with_capacity(policies.len());
    for policy in policies {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        findings.push(
            match tokio::time::timeout(left, policy.check(subject)).await {
                Ok(finding) => finding,
                Err(_) => policy.unavailable(&format!(
                    "no time left: the hooks of one post share {} s",
                    budget.as_secs()
                )),
            },
        );
    }
    findings
}

/// The audit action for one finding.
fn action(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "status.passed",
        Verdict::Rewrite { .. } => "status.rewritten",
        Verdict::Hold { .. } => "status.held",
        Verdict::Reject { .. } => "status.rejected",
    }
}

/// Appends one audit entry per finding that said something (rule hits,
/// hook verdicts and failures). `target_id` is the status id, or the
/// remote object's id for inbound posts that are never stored. The text
/// itself is not copied into the log: it may be the very secret a rule
/// caught.
pub async fn record(
    tx: &mut Tx,
    decision: &Decision,
    subject: &Subject,
    target_id: &str,
) -> StoreResult<()> {
    for finding in &decision.findings {
        let reason = match &finding.verdict {
            Verdict::Hold { reason, .. } | Verdict::Reject { reason } => reason.clone(),
            _ => finding.note.clone().unwrap_or_default(),
        };
        let entry = Entry::new(action(&finding.verdict), "status", target_id)
            .reason(reason)
            .details(serde_json::json!({
                "direction": subject.direction,
                "verdict": finding.verdict,
                "note": finding.note,
                "author": subject.author.acct,
                "destinations": subject.destinations,
                "origin": subject.origin,
                "edit": subject.edit,
                "outcome": decision.outcome,
            }));
        audit::record(tx, &Actor::Policy(finding.policy.clone()), entry).await?;
    }
    Ok(())
}

/// Outside a transaction (inbound posts refused before anything is
/// stored).
pub async fn record_now(
    state: &AppState,
    decision: &Decision,
    subject: &Subject,
    target_id: &str,
) -> StoreResult<()> {
    let mut tx = state.store.begin().await?;
    record(&mut tx, decision, subject, target_id).await?;
    tx.commit().await
}

/// A post's editable parts, to apply rewrites to.
pub struct Draft<'a> {
    pub text: &'a mut String,
    pub spoiler_text: &'a mut String,
    pub sensitive: &'a mut bool,
    /// Cleared by `strip_media`.
    pub media: &'a mut Vec<i64>,
}

/// Applies the decision's rewrites in order.
pub fn rewrite(decision: &Decision, draft: Draft<'_>) {
    for r in &decision.rewrites {
        match r {
            Rewrite::MarkSensitive => *draft.sensitive = true,
            Rewrite::ContentWarning(cw) => {
                if draft.spoiler_text.trim().is_empty() {
                    *draft.spoiler_text = cw.clone();
                } else if !draft.spoiler_text.starts_with(cw.as_str()) {
                    *draft.spoiler_text = format!("{cw}: {}", draft.spoiler_text);
                }
                *draft.sensitive = true;
            }
            Rewrite::StripMedia => draft.media.clear(),
            Rewrite::AppendDisclaimer(text) => {
                if !draft.text.ends_with(text.as_str()) {
                    draft.text.push_str("\n\n");
                    draft.text.push_str(text);
                }
            }
        }
    }
}

/// The message an author gets for a rejected post.
pub fn rejection_message(decision: &Decision) -> Option<String> {
    match &decision.outcome {
        Outcome::Reject { reason } => Some(format!("This post cannot be published: {reason}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Visibility;
    use crate::moderation::{Author, BoxFuture};

    /// A policy that answers `hold` after `delay`.
    struct Slow(std::time::Duration);

    impl Policy for Slow {
        fn name(&self) -> String {
            format!("slow:{}", self.0.as_secs())
        }

        fn check<'a>(&'a self, _: &'a Subject) -> BoxFuture<'a, Finding> {
            Box::pin(async move {
                tokio::time::sleep(self.0).await;
                Finding {
                    policy: self.name(),
                    verdict: Verdict::Hold {
                        reason: "slow".into(),
                        company_preview: false,
                    },
                    note: None,
                }
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn hooks_share_one_time_budget() {
        let subject = Subject {
            direction: Direction::Inbound,
            status_id: None,
            edit: false,
            author: Author::default(),
            visibility: Visibility::Public,
            company_only: false,
            destinations: Vec::new(),
            origin: Some("remote.example".into()),
            external: false,
            text: "hi".into(),
            spoiler_text: String::new(),
            sensitive: false,
            hashtags: Vec::new(),
            links: Vec::new(),
            mentions: 0,
            attachments: Vec::new(),
            language: None,
        };
        let secs = std::time::Duration::from_secs;
        let policies: Vec<Box<dyn Policy>> = vec![
            Box::new(Slow(secs(8))),
            Box::new(Slow(secs(8))),
            Box::new(Slow(secs(1))),
        ];
        let started = tokio::time::Instant::now();
        let findings = ask_in_time(&policies, &subject, secs(12)).await;
        assert_eq!(started.elapsed(), secs(12), "never longer than the budget");
        assert_eq!(
            findings[0].verdict.name(),
            "hold",
            "the first answered in time"
        );
        for late in &findings[1..] {
            assert_eq!(late.verdict, Verdict::Accept, "the default fallback");
            assert!(late.note.as_deref().unwrap().contains("no time left"));
        }
    }

    #[test]
    fn rewrites_apply_once() {
        let decision = Decision {
            outcome: Outcome::Accept,
            rewrites: vec![
                Rewrite::ContentWarning("Partner news".into()),
                Rewrite::AppendDisclaimer("Views are my own.".into()),
                Rewrite::StripMedia,
            ],
            findings: Vec::new(),
        };
        let (mut text, mut cw, mut sensitive, mut media) = (
            "Hello".to_string(),
            "spoilers".to_string(),
            false,
            vec![1, 2],
        );
        for _ in 0..2 {
            rewrite(
                &decision,
                Draft {
                    text: &mut text,
                    spoiler_text: &mut cw,
                    sensitive: &mut sensitive,
                    media: &mut media,
                },
            );
        }
        assert_eq!(text, "Hello\n\nViews are my own.");
        assert_eq!(cw, "Partner news: spoilers");
        assert!(sensitive);
        assert!(media.is_empty());
    }
}
