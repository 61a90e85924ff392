//! The tree as plain text, for notifications and the terminal: no markup
//! characters, emoji as Unicode, links as their text (and the address when
//! it differs), lists and quotes with simple markers.

use super::{Block, Document, Inline};

/// `document` as plain text; blocks are separated by a line break.
pub fn plain_text(document: &Document) -> String {
    let mut lines = Vec::new();
    blocks(&document.blocks, "", &mut lines);
    lines.join("\n")
}

fn blocks(list: &[Block], prefix: &str, lines: &mut Vec<String>) {
    for block in list {
        match block {
            Block::Paragraph { inlines: i } | Block::Heading { inlines: i, .. } => {
                for line in inline_text(i).split('\n') {
                    lines.push(format!("{prefix}{line}"));
                }
            }
            Block::List { start, items } => {
                for (n, item) in items.iter().enumerate() {
                    let marker = match (item.task, start) {
                        (Some(true), _) => "☑ ".to_owned(),
                        (Some(false), _) => "☐ ".to_owned(),
                        (None, Some(first)) => format!("{}. ", first.saturating_add(n as u64)),
                        (None, None) => "• ".to_owned(),
                    };
                    let mut inner = Vec::new();
                    blocks(&item.blocks, "", &mut inner);
                    let indent = " ".repeat(marker.chars().count());
                    for (i, line) in inner.iter().enumerate() {
                        let lead = if i == 0 { &marker } else { &indent };
                        lines.push(format!("{prefix}{lead}{line}"));
                    }
                    if inner.is_empty() {
                        lines.push(format!("{prefix}{}", marker.trim_end()));
                    }
                }
            }
            Block::Quote { blocks: inner } => blocks(inner, &format!("{prefix}> "), lines),
            Block::Code { text, .. } => {
                for line in text.trim_end_matches('\n').split('\n') {
                    lines.push(format!("{prefix}{line}"));
                }
            }
            Block::Table { header, rows, .. } => {
                for row in std::iter::once(header).chain(rows) {
                    let cells: Vec<String> = row.iter().map(|c| inline_text(&c.inlines)).collect();
                    lines.push(format!("{prefix}{}", cells.join(" | ")));
                }
            }
            Block::ThematicBreak => lines.push(format!("{prefix}———")),
        }
    }
}

/// The text of inlines; line breaks as `\n`.
pub(crate) fn inline_text(list: &[Inline]) -> String {
    let mut out = String::new();
    for inline in list {
        match inline {
            Inline::Text { text } | Inline::Code { text } | Inline::MentionKey { text } => {
                out.push_str(text)
            }
            Inline::Emphasis { children }
            | Inline::Strong { children }
            | Inline::Strikethrough { children } => out.push_str(&inline_text(children)),
            Inline::Link { url, children } => {
                let text = inline_text(children);
                if text == *url || url.ends_with(&text) || text.is_empty() {
                    out.push_str(if text.is_empty() { url } else { &text });
                } else {
                    out.push_str(&format!("{text} ({url})"));
                }
            }
            Inline::LineBreak => out.push('\n'),
            Inline::Mention { username, .. } => {
                out.push('@');
                out.push_str(username);
            }
            Inline::ChannelWideMention { scope } => {
                out.push('@');
                out.push_str(scope.word());
            }
            Inline::ChannelLink { name, channel } => match channel {
                Some(channel) => {
                    out.push('~');
                    out.push_str(&channel.display_name);
                }
                None => {
                    out.push('~');
                    out.push_str(name);
                }
            },
            Inline::Emoji { name, unicode } => match unicode {
                Some(u) => out.push_str(u),
                None => out.push_str(&format!(":{name}:")),
            },
            Inline::Hashtag { tag } => {
                out.push('#');
                out.push_str(tag);
            }
        }
    }
    out
}
