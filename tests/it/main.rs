//! The one integration-test binary. Every test gets its own database on the
//! backend chosen by `TEST_BACKEND` (`sqlite`, the default, or `postgres`
//! with `TEST_POSTGRES_URL`); `scripts/test.sh` runs the suite on both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod backup;
mod cli;
mod cluster;
mod common;
mod conformance;
mod faults;
mod federation;
mod media_s3;
mod ops;
mod privacy;
mod store;
mod web;
