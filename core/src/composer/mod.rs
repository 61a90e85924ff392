//! The composer's rules that need neither network nor store: what a typed
//! slash command is, what the client owes the store after the server ran
//! it, and where a command's `goto_location` points. `client/commands.rs`
//! runs them against the server and the store.

mod commands;
mod location;

pub use crate::model::{CommandSuggestion, SlashCommandInfo};
pub use commands::{
    parse_command, ChannelTarget, CommandOutcome, Followup, SlashCommand, Submitted,
};
pub use location::{parse_location, Location};
