//! The workloads of one run. Each returns the metrics of one (backend,
//! repetition); `main` runs them on both backends, interleaved.

pub mod fanout;
pub mod inbox;
mod probe;
pub mod soak;
pub mod startup;
pub mod timeline;
