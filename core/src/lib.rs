//! Pausenhof client core.
