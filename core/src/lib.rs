//! Pausenhof client core.

pub mod model;
