//! Pausenhof client core.

pub mod model;
pub mod reads;
pub mod store;
