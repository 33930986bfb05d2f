//! Fault tests: misbehaving peers, a node killed mid-fan-out, the database
//! going away, a full disk. Each asserts that nothing was lost.

mod database;
mod deliveries;
mod disk_full;
mod fan_out;
mod peers;
