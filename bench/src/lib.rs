//! `cargo xtask bench`: the figures Pausenhof competes on, measured on
//! loopback against the test server's large school (10 teams, 1,000
//! channels, 2,000 users, 200,000 posts). See [`run`] for the order and
//! `scenarios` for each measurement.

pub mod account;
pub mod child;
pub mod client_requests;
pub mod exchange;
pub mod floor;
pub mod frames;
pub mod gateway_child;
pub mod memory;
pub mod real_server;
pub mod recorder;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod stats;
