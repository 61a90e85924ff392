//! A message's Markdown tree, flattened for FFI: blocks in reading order,
//! each with how many quotes and which list items contain it, and its
//! text as spans with styles. An app draws blocks as views and spans as
//! styled text (SpannableString, AttributedString).

use pausenhof_core::markdown::{self, Block, Inline};

/// A message parsed for drawing.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MessageText {
    pub blocks: Vec<TextBlock>,
    /// The message crossed a size or nesting bound and is plain text.
    pub degraded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextBlock {
    /// How many quotes contain the block (draw a bar for each).
    pub quote_depth: u32,
    /// The list items containing the block, outermost first: indent once
    /// for each, and draw the innermost marker where `first_block` is set.
    pub list_path: Vec<ListLevel>,
    pub kind: TextBlockKind,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ListLevel {
    /// The item's number in an ordered list; `None` for a bullet.
    pub number: Option<u64>,
    /// `Some(done)` for a task list item.
    pub task: Option<bool>,
    /// This block is the item's first: draw the marker here.
    pub first_block: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TextBlockKind {
    Paragraph {
        spans: Vec<TextSpan>,
    },
    Heading {
        level: u8,
        spans: Vec<TextSpan>,
    },
    Code {
        language: Option<String>,
        text: String,
    },
    Table {
        alignments: Vec<TableAlignment>,
        header: Vec<Vec<TextSpan>>,
        rows: Vec<Vec<Vec<TextSpan>>>,
    },
    ThematicBreak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TableAlignment {
    None,
    Left,
    Center,
    Right,
}

/// A run of text with one meaning and one style.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TextSpan {
    /// What to draw: the text, `@username`, `~channel`, the emoji.
    pub text: String,
    pub kind: SpanKind,
    pub bold: bool,
    pub italic: bool,
    pub strikethrough: bool,
    /// The address when the span is (part of) a link.
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SpanKind {
    Text,
    Code,
    /// `text` is "\n".
    LineBreak,
    /// `@username`; `user_id` and `display_name` when the cache knows
    /// them; `mine` when it mentions the signed-in user.
    Mention {
        username: String,
        user_id: Option<String>,
        display_name: Option<String>,
        mine: bool,
    },
    /// `@channel`, `@all`, `@here`.
    ChannelWideMention,
    /// One of the user's mention keys.
    MentionKey,
    ChannelLink {
        name: String,
        channel_id: Option<String>,
        display_name: Option<String>,
    },
    /// `unicode` for a standard emoji; `None` for a custom emoji of the
    /// server (`text` is then `:name:`).
    Emoji {
        name: String,
        unicode: Option<String>,
    },
    Hashtag {
        tag: String,
    },
}

impl From<markdown::Document> for MessageText {
    fn from(document: markdown::Document) -> Self {
        let mut blocks = Vec::new();
        flatten_blocks(document.blocks, 0, &[], &mut blocks);
        MessageText {
            blocks,
            degraded: document.degraded,
        }
    }
}

fn flatten_blocks(list: Vec<Block>, quotes: u32, path: &[ListLevel], out: &mut Vec<TextBlock>) {
    for block in list {
        let kind = match block {
            Block::Paragraph { inlines } => TextBlockKind::Paragraph {
                spans: spans(inlines),
            },
            Block::Heading { level, inlines } => TextBlockKind::Heading {
                level,
                spans: spans(inlines),
            },
            Block::Code { language, text } => TextBlockKind::Code { language, text },
            Block::ThematicBreak => TextBlockKind::ThematicBreak,
            Block::Table {
                alignments,
                header,
                rows,
            } => TextBlockKind::Table {
                alignments: alignments.into_iter().map(table_alignment).collect(),
                header: header.into_iter().map(|c| spans(c.inlines)).collect(),
                rows: rows
                    .into_iter()
                    .map(|row| row.into_iter().map(|c| spans(c.inlines)).collect())
                    .collect(),
            },
            Block::Quote { blocks } => {
                flatten_blocks(blocks, quotes + 1, path, out);
                continue;
            }
            Block::List { start, items } => {
                for (n, item) in items.into_iter().enumerate() {
                    let level = ListLevel {
                        number: start.map(|s| s.saturating_add(n as u64)),
                        task: item.task,
                        first_block: true,
                    };
                    let mut inner_path = path.to_vec();
                    inner_path.push(level);
                    let before = out.len();
                    // An empty item still shows its marker.
                    let blocks = if item.blocks.is_empty() {
                        vec![Block::Paragraph {
                            inlines: Vec::new(),
                        }]
                    } else {
                        item.blocks
                    };
                    flatten_blocks(blocks, quotes, &inner_path, out);
                    let depth = inner_path.len() - 1;
                    for later in out.iter_mut().skip(before + 1) {
                        later.list_path[depth].first_block = false;
                    }
                }
                continue;
            }
        };
        out.push(TextBlock {
            quote_depth: quotes,
            list_path: path.to_vec(),
            kind,
        });
    }
}

fn table_alignment(a: markdown::Alignment) -> TableAlignment {
    match a {
        markdown::Alignment::None => TableAlignment::None,
        markdown::Alignment::Left => TableAlignment::Left,
        markdown::Alignment::Center => TableAlignment::Center,
        markdown::Alignment::Right => TableAlignment::Right,
    }
}

#[derive(Clone, Default)]
struct Style {
    bold: bool,
    italic: bool,
    strikethrough: bool,
    link: Option<String>,
}

fn spans(inlines: Vec<Inline>) -> Vec<TextSpan> {
    let mut out = Vec::new();
    collect_spans(inlines, &Style::default(), &mut out);
    out
}

fn collect_spans(inlines: Vec<Inline>, style: &Style, out: &mut Vec<TextSpan>) {
    for inline in inlines {
        let (text, kind) = match inline {
            Inline::Emphasis { children } => {
                let inner = Style {
                    italic: true,
                    ..style.clone()
                };
                collect_spans(children, &inner, out);
                continue;
            }
            Inline::Strong { children } => {
                let inner = Style {
                    bold: true,
                    ..style.clone()
                };
                collect_spans(children, &inner, out);
                continue;
            }
            Inline::Strikethrough { children } => {
                let inner = Style {
                    strikethrough: true,
                    ..style.clone()
                };
                collect_spans(children, &inner, out);
                continue;
            }
            Inline::Link { url, children } => {
                let inner = Style {
                    link: Some(url),
                    ..style.clone()
                };
                collect_spans(children, &inner, out);
                continue;
            }
            Inline::Text { text } => (text, SpanKind::Text),
            Inline::Code { text } => (text, SpanKind::Code),
            Inline::LineBreak => ("\n".to_owned(), SpanKind::LineBreak),
            Inline::Mention {
                username,
                person,
                mine,
            } => (
                format!("@{username}"),
                SpanKind::Mention {
                    username,
                    user_id: person.as_ref().map(|p| p.user_id.clone()),
                    display_name: person.map(|p| p.display_name),
                    mine,
                },
            ),
            Inline::ChannelWideMention { scope } => {
                (format!("@{}", scope.word()), SpanKind::ChannelWideMention)
            }
            Inline::MentionKey { text } => (text, SpanKind::MentionKey),
            Inline::ChannelLink { name, channel } => (
                format!("~{name}"),
                SpanKind::ChannelLink {
                    name,
                    channel_id: channel.as_ref().map(|c| c.channel_id.clone()),
                    display_name: channel.map(|c| c.display_name),
                },
            ),
            Inline::Emoji { name, unicode } => (
                unicode.clone().unwrap_or_else(|| format!(":{name}:")),
                SpanKind::Emoji { name, unicode },
            ),
            Inline::Hashtag { tag } => (format!("#{tag}"), SpanKind::Hashtag { tag }),
        };
        out.push(TextSpan {
            text,
            kind,
            bold: style.bold,
            italic: style.italic,
            strikethrough: style.strikethrough,
            link: style.link.clone(),
        });
    }
}

/// Parses a message as the timeline would, for previews (no names are
/// resolved). The plain text of the same tree is `plain_text_of_message`.
#[uniffi::export]
pub fn parse_message(message: String) -> MessageText {
    markdown::parse(&message, &markdown::Reader::default(), &markdown::NoLookup).into()
}

/// A message as plain text (Markdown removed, emoji as Unicode), e.g. for
/// a notification or a reply preview.
#[uniffi::export]
pub fn plain_text_of_message(message: String) -> String {
    markdown::plain_text(&markdown::parse(
        &message,
        &markdown::Reader::default(),
        &markdown::NoLookup,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block's quote depth and its list path as (task, first block).
    type Shape = (u32, Vec<(Option<bool>, bool)>);

    #[test]
    fn nested_lists_and_quotes_flatten_with_their_path() {
        let text = parse_message("> - eins\n>   - zwei\n>\n>   mehr\n> - [x] drei".into());
        let shape: Vec<Shape> = text
            .blocks
            .iter()
            .map(|b| {
                (
                    b.quote_depth,
                    b.list_path
                        .iter()
                        .map(|l| (l.task, l.first_block))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (1, vec![(None, true)]),
                (1, vec![(None, false), (None, true)]),
                (1, vec![(None, false)]),
                (1, vec![(Some(true), true)]),
            ]
        );
    }

    #[test]
    fn styles_and_links_carry_over_to_nested_spans() {
        let text = parse_message("**fett [*link*](https://x.de)** :smile:".into());
        let TextBlockKind::Paragraph { spans } = &text.blocks[0].kind else {
            panic!("{text:?}")
        };
        assert_eq!(spans[0].text, "fett ");
        assert!(spans[0].bold && spans[0].link.is_none());
        assert_eq!(spans[1].text, "link");
        assert!(spans[1].bold && spans[1].italic);
        assert_eq!(spans[1].link.as_deref(), Some("https://x.de"));
        assert_eq!(spans[3].text, "😄");
        assert_eq!(plain_text_of_message("~~a~~ **b**".into()), "a b");
    }
}
