//! Verdicts and how they combine.
//!
//! Order, strictest first: **reject** > **hold** > **rewrite** > **accept**.
//! The combined outcome is the strictest verdict any policy gave; the
//! rewrites of every policy that asked for one are applied (in policy
//! order) unless the outcome is a rejection. Of several holds, the post
//! may be previewed inside the company only if every holding policy
//! allows it.

use serde::{Deserialize, Serialize};

/// A change a policy asks for before the post is accepted or held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "text", rename_all = "snake_case")]
pub enum Rewrite {
    MarkSensitive,
    /// Sets the content warning, or prefixes an existing one.
    ContentWarning(String),
    StripMedia,
    /// Appended to the text as its own paragraph.
    AppendDisclaimer(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Accept,
    Rewrite {
        rewrites: Vec<Rewrite>,
    },
    Hold {
        reason: String,
        company_preview: bool,
    },
    Reject {
        reason: String,
    },
}

impl Verdict {
    /// 0 accept, 1 rewrite, 2 hold, 3 reject.
    pub fn rank(&self) -> u8 {
        match self {
            Verdict::Accept => 0,
            Verdict::Rewrite { .. } => 1,
            Verdict::Hold { .. } => 2,
            Verdict::Reject { .. } => 3,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Rewrite { .. } => "rewrite",
            Verdict::Hold { .. } => "hold",
            Verdict::Reject { .. } => "reject",
        }
    }
}

/// One policy's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `rule:12`, `hook:3`, `organisation_mode`.
    pub policy: String,
    pub verdict: Verdict,
    /// Why, when not obvious from the verdict (a hook that was down and
    /// its fallback, the rule's name).
    pub note: Option<String>,
}

impl Finding {
    pub fn accept(policy: impl Into<String>) -> Self {
        Finding {
            policy: policy.into(),
            verdict: Verdict::Accept,
            note: None,
        }
    }
}

/// What happens to the post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Accept,
    Hold {
        reason: String,
        company_preview: bool,
    },
    Reject {
        reason: String,
    },
}

/// The combined verdict and everything that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    #[serde(flatten)]
    pub outcome: Outcome,
    pub rewrites: Vec<Rewrite>,
    /// Every finding that was not a plain accept, for the audit log.
    pub findings: Vec<Finding>,
}

impl Decision {
    pub fn accepted() -> Self {
        Decision {
            outcome: Outcome::Accept,
            rewrites: Vec::new(),
            findings: Vec::new(),
        }
    }

    pub fn is_held(&self) -> bool {
        matches!(self.outcome, Outcome::Hold { .. })
    }
}

/// Combines findings as documented at the top of this module.
pub fn combine(findings: Vec<Finding>) -> Decision {
    let mut decision = Decision::accepted();
    let mut hold_reasons: Vec<String> = Vec::new();
    let mut preview = true;
    let mut reject: Option<String> = None;
    for finding in &findings {
        match &finding.verdict {
            Verdict::Accept => {}
            Verdict::Rewrite { rewrites } => {
                for r in rewrites {
                    if !decision.rewrites.contains(r) {
                        decision.rewrites.push(r.clone());
                    }
                }
            }
            Verdict::Hold {
                reason,
                company_preview,
            } => {
                if !hold_reasons.contains(reason) {
                    hold_reasons.push(reason.clone());
                }
                preview &= company_preview;
            }
            Verdict::Reject { reason } => {
                // The first rejection (in policy order) gives the reason.
                reject.get_or_insert_with(|| reason.clone());
            }
        }
    }
    decision.outcome = if let Some(reason) = reject {
        decision.rewrites.clear();
        Outcome::Reject { reason }
    } else if !hold_reasons.is_empty() {
        Outcome::Hold {
            reason: hold_reasons.join("; "),
            company_preview: preview,
        }
    } else {
        Outcome::Accept
    };
    decision.findings = findings
        .into_iter()
        .filter(|f| f.verdict != Verdict::Accept || f.note.is_some())
        .collect();
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(verdict: Verdict) -> Finding {
        Finding {
            policy: "rule:1".into(),
            verdict,
            note: None,
        }
    }

    fn hold(reason: &str, company_preview: bool) -> Verdict {
        Verdict::Hold {
            reason: reason.into(),
            company_preview,
        }
    }

    #[test]
    fn nothing_to_say_accepts() {
        let d = combine(vec![finding(Verdict::Accept)]);
        assert_eq!(d.outcome, Outcome::Accept);
        assert!(d.findings.is_empty());
    }

    #[test]
    fn strictest_wins_whatever_the_order() {
        let reject = Verdict::Reject {
            reason: "secret".into(),
        };
        let rewrite = Verdict::Rewrite {
            rewrites: vec![Rewrite::MarkSensitive],
        };
        for order in [
            vec![hold("a", true), reject.clone(), rewrite.clone()],
            vec![rewrite.clone(), reject.clone(), hold("a", true)],
        ] {
            let d = combine(order.into_iter().map(finding).collect());
            assert_eq!(
                d.outcome,
                Outcome::Reject {
                    reason: "secret".into()
                }
            );
            assert!(d.rewrites.is_empty(), "a rejected post is not rewritten");
            assert_eq!(d.findings.len(), 3);
        }
    }

    #[test]
    fn holds_keep_rewrites_and_preview_only_if_all_allow() {
        let d = combine(vec![
            finding(hold("customer name", true)),
            finding(Verdict::Rewrite {
                rewrites: vec![Rewrite::ContentWarning("Partner".into())],
            }),
            finding(hold("competitor", false)),
        ]);
        assert_eq!(
            d.outcome,
            Outcome::Hold {
                reason: "customer name; competitor".into(),
                company_preview: false
            }
        );
        assert_eq!(d.rewrites, vec![Rewrite::ContentWarning("Partner".into())]);
    }

    #[test]
    fn rewrites_accumulate_without_duplicates() {
        let d = combine(vec![
            finding(Verdict::Rewrite {
                rewrites: vec![Rewrite::MarkSensitive, Rewrite::StripMedia],
            }),
            finding(Verdict::Rewrite {
                rewrites: vec![Rewrite::MarkSensitive],
            }),
        ]);
        assert_eq!(d.outcome, Outcome::Accept);
        assert_eq!(
            d.rewrites,
            vec![Rewrite::MarkSensitive, Rewrite::StripMedia]
        );
    }
}
