//! Moderation and brand safety: one policy pipeline for statuses coming in
//! from other servers and going out to them.
//!
//! A [`Subject`] (a status with its author, audience, destinations, text,
//! hashtags, links and attachments) is shown to every [`Policy`] — the
//! built-in rules (`rules`) and the external classifier hooks (`hooks`) —
//! and their verdicts are combined by [`verdict::combine`]: reject beats
//! hold beats rewrite beats accept. Domain policy (`domains`) decides
//! which servers we talk to at all. Every decision is written to the audit
//! log (`audit`).

pub mod audit;
pub mod subject;
pub mod verdict;

use std::future::Future;
use std::pin::Pin;

pub use subject::{Attachment, Author, Direction, Subject};
pub use verdict::{Decision, Finding, Outcome, Rewrite, Verdict};

/// A boxed future, so policies can live behind `dyn Policy`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Anything that judges a status: a built-in rule or an external hook.
pub trait Policy: Send + Sync {
    /// Who decided, as the audit log names it (`rule:12`, `hook:3`).
    fn name(&self) -> String;

    /// The verdict on `subject`. A policy that cannot decide (a hook that
    /// is down) answers with its fallback verdict and says why in
    /// `Finding::note`.
    fn check<'a>(&'a self, subject: &'a Subject) -> BoxFuture<'a, Finding>;
}
