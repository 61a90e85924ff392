//! One scenario suite for the Pausenhof core, run against our test server
//! and against a real Mattermost server: whatever the real server does
//! differently is a bug in the test server.

pub mod accounts;
pub mod composer;
pub mod people;
pub mod proxy;
pub mod push;
pub mod scenarios;
pub mod search;
pub mod sut;
pub mod threads;
