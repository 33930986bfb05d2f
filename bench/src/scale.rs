//! How big a run is: the full sizes, or the reduced smoke run CI
//! uses to check that the harness still works.

use std::time::Duration;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Scale {
    pub name: &'static str,
    /// Local accounts, each a user with a token.
    pub accounts: usize,
    /// Statuses by those accounts, spread over the last `days` days.
    pub statuses: usize,
    /// Accounts each local account follows (home feeds are materialised
    /// from them, at most 800 entries each, as Loggia keeps them).
    pub follows_per_account: usize,
    pub days: u32,
    /// The fan-out author's followers: local accounts (taken from
    /// `accounts`), remote accounts, and the servers those live on.
    pub fanout_local: usize,
    pub fanout_remote: usize,
    pub fanout_hosts: usize,
    /// Remote actors sending `Create(Note)` to the inbox, and their servers.
    pub inbox_actors: usize,
    pub inbox_domains: usize,
    /// Arrival rates (per second) for the home timeline and the inbox.
    pub timeline_rates: Vec<f64>,
    pub inbox_rates: Vec<f64>,
    /// Doublings tried above the highest listed timeline rate when looking
    /// for the sustainable rate.
    pub ladder_steps: usize,
    /// How long each load step lasts.
    pub step: Duration,
    /// Repetitions of each workload per backend (medians are reported).
    pub reps: usize,
}

impl Scale {
    pub fn full() -> Self {
        Self {
            name: "full",
            accounts: 10_000,
            statuses: 1_000_000,
            follows_per_account: 100,
            days: 365,
            fanout_local: 10_000,
            fanout_remote: 5_000,
            fanout_hosts: 1_000,
            inbox_actors: 2_000,
            inbox_domains: 200,
            timeline_rates: vec![100.0, 500.0, 1_000.0, 2_000.0],
            ladder_steps: 6,
            inbox_rates: vec![250.0, 500.0, 1_000.0, 2_000.0, 5_000.0],
            step: Duration::from_secs(10),
            reps: 3,
        }
    }

    pub fn smoke() -> Self {
        Self {
            name: "smoke",
            accounts: 1_000,
            statuses: 100_000,
            follows_per_account: 50,
            days: 60,
            fanout_local: 1_000,
            fanout_remote: 200,
            fanout_hosts: 50,
            inbox_actors: 100,
            inbox_domains: 10,
            timeline_rates: vec![20.0, 50.0],
            ladder_steps: 2,
            inbox_rates: vec![50.0, 200.0],
            step: Duration::from_secs(2),
            reps: 1,
        }
    }
}
