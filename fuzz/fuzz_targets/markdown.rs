//! A message text from the server, parsed into the Markdown tree the apps
//! draw, with some names resolvable so mention and channel paths run too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pausenhof_core::markdown::{
    parse, plain_text, Block, ChannelRef, Inline, Lookup, PersonRef, Reader, MAX_DEPTH, MAX_NODES,
};

struct School;

impl Lookup for School {
    fn person(&self, username: &str) -> Option<PersonRef> {
        matches!(username, "anna.schulz" | "petra" | "b").then(|| PersonRef {
            user_id: format!("id-{username}"),
            display_name: username.to_uppercase(),
        })
    }
    fn channel(&self, name: &str) -> Option<ChannelRef> {
        matches!(name, "town-square" | "klasse-5a" | "a").then(|| ChannelRef {
            channel_id: format!("id-{name}"),
            display_name: name.to_uppercase(),
        })
    }
}

fuzz_target!(|data: &[u8]| {
    // Messages arrive as JSON strings: always valid UTF-8.
    let Ok(message) = std::str::from_utf8(data) else {
        return;
    };
    let reader = Reader::new("anna.schulz", &["Anna".to_owned(), "@lehrer".to_owned()]);
    let document = parse(message, &reader, &School);
    if !document.degraded {
        // The limits that keep a hostile message from costing the app
        // memory or stack when it is drawn.
        assert!(document.node_count() <= MAX_NODES + 1);
        let depth = blocks_depth(&document.blocks);
        assert!(depth <= MAX_DEPTH + 1, "a tree {depth} deep");
    }
    let _ = document.mentions_reader();
    let _ = plain_text(&document);
});

fn inlines_depth(list: &[Inline]) -> usize {
    list.iter()
        .map(|inline| {
            1 + match inline {
                Inline::Emphasis { children }
                | Inline::Strong { children }
                | Inline::Strikethrough { children }
                | Inline::Link { children, .. } => inlines_depth(children),
                _ => 0,
            }
        })
        .max()
        .unwrap_or(0)
}

fn blocks_depth(list: &[Block]) -> usize {
    list.iter()
        .map(|block| {
            1 + match block {
                Block::Paragraph { inlines } | Block::Heading { inlines, .. } => {
                    inlines_depth(inlines)
                }
                Block::List { items, .. } => items
                    .iter()
                    .map(|item| 1 + blocks_depth(&item.blocks))
                    .max()
                    .unwrap_or(0),
                Block::Quote { blocks } => blocks_depth(blocks),
                Block::Table { header, rows, .. } => header
                    .iter()
                    .chain(rows.iter().flatten())
                    .map(|cell| 1 + inlines_depth(&cell.inlines))
                    .max()
                    .unwrap_or(0),
                Block::Code { .. } | Block::ThematicBreak => 0,
            }
        })
        .max()
        .unwrap_or(0)
}
