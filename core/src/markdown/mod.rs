//! Message text: Mattermost's Markdown (CommonMark with tables,
//! strikethrough and task lists, plus mentions, channel links, emoji,
//! hashtags and bare URLs) parsed into a small owned tree the apps draw
//! natively, and a plain-text rendering of the same tree.
//!
//! Hostile input is bounded: a message longer than [`MAX_INPUT_BYTES`],
//! nested deeper than [`MAX_DEPTH`] or with more than [`MAX_NODES`] nodes
//! is given back as plain text (one paragraph), and parsing stops as soon
//! as a bound is crossed.

mod build;
mod inline_scan;
mod plain;

use serde::Serialize;

pub use plain::plain_text;

/// Longest message parsed as Markdown, in bytes. Mattermost allows 16,383
/// characters; four bytes each is the most that can be.
pub const MAX_INPUT_BYTES: usize = 65_536;
/// Deepest nesting of blocks and inlines together.
pub const MAX_DEPTH: usize = 16;
/// Most blocks and inlines in one message.
pub const MAX_NODES: usize = 10_000;

/// A parsed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// A bound was crossed: `blocks` is the text as one plain paragraph
    /// (cut to [`MAX_INPUT_BYTES`] when it was longer).
    pub degraded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Paragraph {
        inlines: Vec<Inline>,
    },
    /// Level 1 to 6.
    Heading {
        level: u8,
        inlines: Vec<Inline>,
    },
    List {
        /// The first number of an ordered list; `None` for bullets.
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    Quote {
        blocks: Vec<Block>,
    },
    /// A fenced or indented code block; `language` from the fence's info.
    Code {
        language: Option<String>,
        text: String,
    },
    Table {
        alignments: Vec<Alignment>,
        header: Vec<TableCell>,
        rows: Vec<Vec<TableCell>>,
    },
    ThematicBreak,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListItem {
    /// `Some(done)` for a task list item (`- [x]`).
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCell {
    pub inlines: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Inline {
    Text {
        text: String,
    },
    Emphasis {
        children: Vec<Inline>,
    },
    Strong {
        children: Vec<Inline>,
    },
    Strikethrough {
        children: Vec<Inline>,
    },
    Code {
        text: String,
    },
    /// A link, an autolinked URL, or an image (shown as a link to it; its
    /// alt text, or the URL, as the children).
    Link {
        url: String,
        children: Vec<Inline>,
    },
    LineBreak,
    /// `@username`. `person` when the store knows them; `mine` when it
    /// names the signed-in user or is one of their mention keys.
    Mention {
        username: String,
        person: Option<PersonRef>,
        mine: bool,
    },
    /// `@channel`, `@all` or `@here`.
    ChannelWideMention {
        scope: ChannelWide,
    },
    /// A word that is one of the user's mention keys (first name, custom
    /// keys), as written.
    MentionKey {
        text: String,
    },
    /// `~channel-name`; `channel` when the store knows it.
    ChannelLink {
        name: String,
        channel: Option<ChannelRef>,
    },
    /// `:name:`. `unicode` for a standard emoji; `None` for a custom emoji
    /// of the server (drawn from its image, or as `:name:`).
    Emoji {
        name: String,
        unicode: Option<String>,
    },
    /// `#tag`, without the `#`.
    Hashtag {
        tag: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelWide {
    Channel,
    All,
    Here,
}

impl ChannelWide {
    pub fn word(self) -> &'static str {
        match self {
            ChannelWide::Channel => "channel",
            ChannelWide::All => "all",
            ChannelWide::Here => "here",
        }
    }
}

/// A person a mention resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    pub user_id: String,
    pub display_name: String,
}

/// A channel a `~name` resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelRef {
    pub channel_id: String,
    pub display_name: String,
}

/// What the parser asks about names it meets. Implemented over the store
/// by the timeline; [`NoLookup`] knows nobody.
pub trait Lookup {
    /// The person with this (lowercase) username.
    fn person(&self, username: &str) -> Option<PersonRef>;
    /// The channel with this URL name.
    fn channel(&self, name: &str) -> Option<ChannelRef>;
}

/// Resolves nothing: every mention and channel link stays unresolved.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLookup;

impl Lookup for NoLookup {
    fn person(&self, _: &str) -> Option<PersonRef> {
        None
    }
    fn channel(&self, _: &str) -> Option<ChannelRef> {
        None
    }
}

/// Who reads the message: their own mentions are marked.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    /// The signed-in user's username.
    pub username: String,
    /// The user's mention keys (custom keys, first name when it counts),
    /// matched case-insensitively on word boundaries. An `@`-key marks a
    /// mention of that name.
    pub mention_keys: Vec<String>,
}

impl Reader {
    pub fn new(username: &str, mention_keys: &[String]) -> Reader {
        Reader {
            username: username.to_lowercase(),
            mention_keys: mention_keys
                .iter()
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty())
                .collect(),
        }
    }
}

/// The Unicode emoji of a shortcode (`thumbsup` → 👍), for reactions;
/// `None` for a custom emoji of the server.
pub fn emoji_unicode(shortcode: &str) -> Option<&'static str> {
    crate::emoji::by_shortcode(&shortcode.to_ascii_lowercase())
}

/// Parses `message` for `reader`, resolving names through `lookup`.
pub fn parse(message: &str, reader: &Reader, lookup: &dyn Lookup) -> Document {
    if message.len() > MAX_INPUT_BYTES {
        return Document::plain(message);
    }
    match build::build(message, reader, lookup) {
        Some(blocks) => Document {
            blocks,
            degraded: false,
        },
        None => Document::plain(message),
    }
}

impl Document {
    /// `text` as one plain paragraph, cut to [`MAX_INPUT_BYTES`].
    pub fn plain(text: &str) -> Document {
        let mut cut = text.len().min(MAX_INPUT_BYTES);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let text = text[..cut].trim();
        let blocks = if text.is_empty() {
            Vec::new()
        } else {
            vec![Block::Paragraph {
                inlines: vec![Inline::Text {
                    text: text.to_owned(),
                }],
            }]
        };
        Document {
            blocks,
            degraded: true,
        }
    }

    /// Blocks and inlines in the tree.
    pub fn node_count(&self) -> usize {
        fn inlines(list: &[Inline]) -> usize {
            list.iter()
                .map(|i| {
                    1 + match i {
                        Inline::Emphasis { children }
                        | Inline::Strong { children }
                        | Inline::Strikethrough { children }
                        | Inline::Link { children, .. } => inlines(children),
                        _ => 0,
                    }
                })
                .sum()
        }
        fn blocks(list: &[Block]) -> usize {
            list.iter()
                .map(|b| {
                    1 + match b {
                        Block::Paragraph { inlines: i } | Block::Heading { inlines: i, .. } => {
                            inlines(i)
                        }
                        Block::List { items, .. } => {
                            items.iter().map(|item| 1 + blocks(&item.blocks)).sum()
                        }
                        Block::Quote { blocks: b } => blocks(b),
                        Block::Table { header, rows, .. } => header
                            .iter()
                            .chain(rows.iter().flatten())
                            .map(|c| 1 + inlines(&c.inlines))
                            .sum(),
                        Block::Code { .. } | Block::ThematicBreak => 0,
                    }
                })
                .sum()
        }
        blocks(&self.blocks)
    }

    /// Whether the text mentions the reader (their name or a mention key).
    pub fn mentions_reader(&self) -> bool {
        fn inlines(list: &[Inline]) -> bool {
            list.iter().any(|i| match i {
                Inline::Mention { mine, .. } => *mine,
                Inline::MentionKey { .. } => true,
                Inline::Emphasis { children }
                | Inline::Strong { children }
                | Inline::Strikethrough { children } => inlines(children),
                _ => false,
            })
        }
        fn blocks(list: &[Block]) -> bool {
            list.iter().any(|b| match b {
                Block::Paragraph { inlines: i } | Block::Heading { inlines: i, .. } => inlines(i),
                Block::List { items, .. } => items.iter().any(|item| blocks(&item.blocks)),
                Block::Quote { blocks: b } => blocks(b),
                Block::Table { header, rows, .. } => header
                    .iter()
                    .chain(rows.iter().flatten())
                    .any(|c| inlines(&c.inlines)),
                Block::Code { .. } | Block::ThematicBreak => false,
            })
        }
        blocks(&self.blocks)
    }
}

#[cfg(test)]
mod tests;
