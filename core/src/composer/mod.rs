//! The composer's rules that need neither network nor store: what a typed
//! slash command is, what the client owes the store after the server ran
//! it, where a command's `goto_location` points, and the autocomplete
//! ranking of people, channels and emoji. `client/commands.rs`
//! runs them against the server and the store.

mod autocomplete;
mod commands;
mod location;

pub use crate::model::{CommandSuggestion, SlashCommandInfo};
pub use autocomplete::{
    match_rank, rank_channels, rank_emoji, rank_people, word_at_cursor, ChannelCandidate,
    Completion, CompletionKind, CompletionWord, EmojiCandidate, PersonCandidate, Suggestion,
};
pub use commands::{
    parse_command, ChannelTarget, CommandOutcome, Followup, SlashCommand, Submitted,
};
pub use location::{parse_location, Location};
