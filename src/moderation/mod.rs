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
pub mod domains;
pub mod hooks;
pub mod integrations;
pub mod organisation;
pub mod pipeline;
pub mod rules;
pub mod secrets;
pub mod subject;
pub mod verdict;
pub mod webhooks;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::store::{Store, StoreResult};
use domains::DomainPolicy;
use organisation::OrganisationMode;
use rules::Rule;

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

    /// The finding when the policy could not be asked in time (the hooks of
    /// one post share a time budget). Built-in policies never need it.
    fn unavailable(&self, why: &str) -> Finding {
        Finding {
            policy: self.name(),
            verdict: Verdict::Accept,
            note: Some(why.to_owned()),
        }
    }
}

/// How long a node trusts its copy of the policy before reading it again:
/// changes made on another node apply within this time, changes made on
/// this node at once.
const POLICY_TTL: Duration = Duration::from_secs(5);

/// The moderation policy as loaded from the database: mode, domain blocks
/// and allows, compiled rules, organisation mode.
pub struct Snapshot {
    loaded_at: Instant,
    pub domains: DomainPolicy,
    pub rules: Vec<Rule>,
    pub organisation: OrganisationMode,
}

impl Snapshot {
    pub async fn load(store: &Store) -> StoreResult<Snapshot> {
        let mut rules = Vec::new();
        for row in store.rules().all().await? {
            match Rule::compile(&row) {
                Ok(rule) => rules.push(rule),
                Err(e) => {
                    tracing::warn!(rule = row.id, error = %e, "skipping a rule that does not compile")
                }
            }
        }
        let organisation = store
            .settings()
            .get(organisation::SETTING)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        Ok(Snapshot {
            loaded_at: Instant::now(),
            domains: DomainPolicy::load(store).await?,
            rules,
            organisation,
        })
    }
}

/// Per-node cache of the policy (in `AppState`).
#[derive(Default)]
pub struct Moderation {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Bumped by every invalidation.
    generation: std::sync::atomic::AtomicU64,
}

impl Moderation {
    /// The current policy, reloaded when older than `POLICY_TTL`.
    pub async fn policy(&self, store: &Store) -> StoreResult<Arc<Snapshot>> {
        if let Some(snapshot) = self.current.read().expect("not poisoned").as_ref()
            && snapshot.loaded_at.elapsed() < POLICY_TTL
        {
            return Ok(snapshot.clone());
        }
        // A load that raced with a change must not be kept: it may have
        // read the policy from before the change.
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let fresh = Arc::new(Snapshot::load(store).await?);
        let mut current = self.current.write().expect("not poisoned");
        if self.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            *current = Some(fresh.clone());
        }
        Ok(fresh)
    }

    /// Forgets the cached policy after a change on this node.
    pub fn invalidate(&self) {
        let mut current = self.current.write().expect("not poisoned");
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *current = None;
    }
}
