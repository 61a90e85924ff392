//! The composer: slash commands (execution, the `/` menu, suggestions),
//! sending what was typed, and saved and pinned posts.

use pausenhof_core::{composer, reads};

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;
use crate::views::Post;

/// What a slash command did, for the app to show.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CommandOutcome {
    /// Done; `message` is the server's answer for the user (may be empty).
    Done { message: String },
    /// Show this channel (it is in the store): joined, opened, or where to
    /// go after leaving.
    OpenChannel { channel_id: String, message: String },
    /// A link outside the app.
    OpenLink { url: String },
    /// `/search terms`: open the search with these terms.
    Search { terms: String },
}

/// What became of composer text handed to `submit`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Submitted {
    /// A message, queued under this client key.
    Queued { client_key: String },
    /// A slash command, executed.
    Command { outcome: CommandOutcome },
}

/// One command of the `/` menu.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SlashCommandInfo {
    pub trigger: String,
    pub description: String,
    /// The arguments, e.g. `@[username] 'message'`.
    pub hint: String,
}

/// The server's suggestion for the command being typed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CommandSuggestion {
    /// The command text after choosing it (without the slash).
    pub complete: String,
    /// What the list shows.
    pub suggestion: String,
    pub hint: String,
    pub description: String,
}

/// What the word at the cursor completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CompletionKind {
    /// `@name`
    People,
    /// `~channel`
    Channel,
    /// `:shortcode`
    Emoji,
}

/// One row of the autocomplete list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AutocompleteItem {
    /// Replaces the word (`start..end`) when chosen.
    pub insert_text: String,
    /// `@username`, the channel's name, or the emoji itself.
    pub label: String,
    /// The person's name, `~url-name`, or `:shortcode:`.
    pub detail: String,
    /// The user or channel id, or the emoji's shortcode.
    pub id: String,
    /// A member of the channel typed in (people), or a channel the user
    /// is in; these come first.
    pub member: bool,
}

/// The autocomplete for the word at the cursor.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Completion {
    pub kind: CompletionKind,
    /// The word's character offsets in the text, the sign included.
    pub start: u32,
    pub end: u32,
    pub items: Vec<AutocompleteItem>,
}

impl From<composer::Completion> for Completion {
    fn from(c: composer::Completion) -> Self {
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Completion {
            kind: match c.word.kind {
                composer::CompletionKind::People => CompletionKind::People,
                composer::CompletionKind::Channel => CompletionKind::Channel,
                composer::CompletionKind::Emoji => CompletionKind::Emoji,
            },
            start: offset(c.word.start),
            end: offset(c.word.end),
            items: c.suggestions.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<composer::Suggestion> for AutocompleteItem {
    fn from(s: composer::Suggestion) -> Self {
        let insert_text = s.insert_text();
        match s {
            composer::Suggestion::Person(p) => AutocompleteItem {
                insert_text,
                label: format!("@{}", p.username),
                detail: p.display_name,
                id: p.user_id,
                member: p.in_channel,
            },
            composer::Suggestion::Channel(c) => AutocompleteItem {
                insert_text,
                label: c.display_name,
                detail: format!("~{}", c.name),
                id: c.channel_id,
                member: c.is_member,
            },
            composer::Suggestion::Emoji(e) => AutocompleteItem {
                insert_text,
                detail: format!(":{}:", e.shortcode),
                label: e.emoji,
                id: e.shortcode,
                member: false,
            },
        }
    }
}

/// An unsent message of a channel's (or thread's) composer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Draft {
    pub channel_id: String,
    /// Empty for the channel's own composer, else the thread's root.
    pub root_id: String,
    pub message: String,
    pub update_at: i64,
    /// The channel's name as the sidebar shows it.
    pub channel_name: String,
    /// Empty for a direct or group message.
    pub team_id: String,
}

impl From<reads::DraftView> for Draft {
    fn from(d: reads::DraftView) -> Self {
        Draft {
            channel_id: d.channel_id,
            root_id: d.root_id,
            message: d.message,
            update_at: d.update_at,
            channel_name: d.channel_name,
            team_id: d.team_id,
        }
    }
}

impl From<composer::CommandOutcome> for CommandOutcome {
    fn from(outcome: composer::CommandOutcome) -> Self {
        match outcome {
            composer::CommandOutcome::Done { message } => CommandOutcome::Done { message },
            composer::CommandOutcome::OpenChannel {
                channel_id,
                message,
            } => CommandOutcome::OpenChannel {
                channel_id,
                message,
            },
            composer::CommandOutcome::OpenLink { url } => CommandOutcome::OpenLink { url },
            composer::CommandOutcome::Search { terms } => CommandOutcome::Search { terms },
        }
    }
}

impl From<composer::Submitted> for Submitted {
    fn from(submitted: composer::Submitted) -> Self {
        match submitted {
            composer::Submitted::Queued { client_key } => Submitted::Queued { client_key },
            composer::Submitted::Command { outcome } => Submitted::Command {
                outcome: outcome.into(),
            },
        }
    }
}

impl From<composer::SlashCommandInfo> for SlashCommandInfo {
    fn from(c: composer::SlashCommandInfo) -> Self {
        SlashCommandInfo {
            trigger: c.trigger,
            description: c.description,
            hint: c.hint,
        }
    }
}

impl From<composer::CommandSuggestion> for CommandSuggestion {
    fn from(s: composer::CommandSuggestion) -> Self {
        CommandSuggestion {
            complete: s.complete,
            suggestion: s.suggestion,
            hint: s.hint,
            description: s.description,
        }
    }
}

fn all<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(Into::into).collect()
}

#[uniffi::export]
impl Client {
    /// Sends what the user typed: a slash command is executed (never
    /// posted), anything else is queued as a post.
    pub async fn submit(
        &self,
        channel_id: String,
        root_id: String,
        text: String,
    ) -> Result<Submitted> {
        let core = self.core.clone();
        Ok(
            run(async move { core.submit(&channel_id, &root_id, &text).await })
                .await?
                .into(),
        )
    }

    /// Executes a slash command; its effect is in the store when this
    /// returns. Offline it fails (`Offline`): commands are not queued.
    pub async fn run_command(
        &self,
        channel_id: String,
        root_id: String,
        text: String,
    ) -> Result<CommandOutcome> {
        let core = self.core.clone();
        Ok(
            run(async move { core.run_command(&channel_id, &root_id, &text).await })
                .await?
                .into(),
        )
    }

    /// The commands of the `/` menu for a team.
    pub async fn slash_commands(&self, team_id: String) -> Result<Vec<SlashCommandInfo>> {
        let core = self.core.clone();
        Ok(all(
            run(async move { core.slash_commands(&team_id).await }).await?
        ))
    }

    /// The server's suggestions for the command typed so far (`/mu`).
    pub async fn command_suggestions(
        &self,
        channel_id: String,
        root_id: String,
        typed: String,
    ) -> Result<Vec<CommandSuggestion>> {
        let core = self.core.clone();
        Ok(all(run(async move {
            core.command_suggestions(&channel_id, &root_id, &typed)
                .await
        })
        .await?))
    }

    /// Saves a post for later, or removes it from the saved posts.
    pub async fn set_post_saved(&self, post_id: String, saved: bool) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.set_post_saved(&post_id, saved).await }).await?)
    }

    /// The saved posts, newest first (the cached ones when offline).
    pub async fn saved_posts(&self) -> Result<Vec<Post>> {
        let core = self.core.clone();
        Ok(all(run(async move { core.saved_posts().await }).await?))
    }

    pub async fn is_post_saved(&self, post_id: String) -> Result<bool> {
        let core = self.core.clone();
        Ok(run(async move { core.is_post_saved(&post_id).await }).await?)
    }

    /// Pins a post to its channel, or unpins it.
    pub async fn set_post_pinned(&self, post_id: String, pinned: bool) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.set_post_pinned(&post_id, pinned).await }).await?)
    }

    /// A channel's pinned posts, newest first (the cached ones when
    /// offline).
    pub async fn pinned_posts(&self, channel_id: String) -> Result<Vec<Post>> {
        let core = self.core.clone();
        Ok(all(run(
            async move { core.pinned_posts(&channel_id).await },
        )
        .await?))
    }

    /// Keeps what is typed (call it as the user types, debounced); an
    /// empty message deletes the draft. Works offline.
    pub async fn save_draft(
        &self,
        channel_id: String,
        root_id: String,
        message: String,
    ) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.save_draft(&channel_id, &root_id, &message).await }).await?)
    }

    /// The draft of a composer, to fill it when it opens.
    pub async fn draft(&self, channel_id: String, root_id: String) -> Result<Option<Draft>> {
        let core = self.core.clone();
        Ok(run(async move { core.draft(&channel_id, &root_id).await })
            .await?
            .map(Into::into))
    }

    /// Every unsent draft, newest first.
    pub async fn drafts(&self) -> Result<Vec<Draft>> {
        let core = self.core.clone();
        Ok(all(run(async move { core.drafts().await }).await?))
    }

    /// Sends owed drafts and takes the other devices' from the server.
    pub async fn sync_drafts(&self) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.sync_drafts().await }).await?)
    }

    /// Suggestions for the word ending at `cursor` (a character offset):
    /// `@` people (the channel's members first), `~` channels, `:` emoji.
    /// `None` when that word is none of these.
    pub async fn autocomplete(
        &self,
        channel_id: String,
        text: String,
        cursor: u32,
    ) -> Result<Option<Completion>> {
        let core = self.core.clone();
        Ok(
            run(async move { core.autocomplete(&channel_id, &text, cursor).await })
                .await?
                .map(Into::into),
        )
    }
}
