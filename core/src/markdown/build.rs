//! pulldown-cmark's events into the owned tree, counting nodes and depth
//! as it goes; `None` as soon as a bound is crossed.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::inline_scan::scan_text;
use super::{Alignment, Block, Inline, ListItem, Lookup, Reader, TableCell, MAX_DEPTH, MAX_NODES};

/// A container being filled.
enum Frame {
    /// The document, a quote or a list item: holds blocks.
    Blocks {
        kind: BlocksKind,
        blocks: Vec<Block>,
    },
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    /// Holds inlines: a paragraph, heading, emphasis, link, table cell...
    Inlines {
        kind: InlinesKind,
        inlines: Vec<Inline>,
    },
    Code {
        language: Option<String>,
        text: String,
    },
    Table {
        alignments: Vec<Alignment>,
        header: Vec<TableCell>,
        rows: Vec<Vec<TableCell>>,
        in_head: bool,
    },
    Row {
        cells: Vec<TableCell>,
    },
}

enum BlocksKind {
    Document,
    Quote,
    Item { task: Option<bool> },
}

enum InlinesKind {
    Paragraph,
    /// Opened for inline content straight inside a list item (a tight
    /// list); closed by the next block or the item's end.
    ImplicitParagraph,
    Heading(u8),
    Emphasis,
    Strong,
    Strikethrough,
    Link(String),
    Image(String),
    Cell,
}

struct Builder<'a> {
    stack: Vec<Frame>,
    /// Text not yet scanned: pulldown-cmark splits runs of text at
    /// characters that could have been syntax.
    pending: String,
    nodes: usize,
    reader: &'a Reader,
    lookup: &'a dyn Lookup,
}

/// A bound was crossed.
struct Overflow;

type Step = Result<(), Overflow>;

pub(super) fn build(message: &str, reader: &Reader, lookup: &dyn Lookup) -> Option<Vec<Block>> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut builder = Builder {
        stack: vec![Frame::Blocks {
            kind: BlocksKind::Document,
            blocks: Vec::new(),
        }],
        pending: String::new(),
        nodes: 0,
        reader,
        lookup,
    };
    for event in Parser::new_ext(message, options) {
        builder.event(event).ok()?;
    }
    builder.flush_text().ok()?;
    builder.close_implicit().ok()?;
    match builder.stack.pop() {
        Some(Frame::Blocks { blocks, .. }) if builder.stack.is_empty() => Some(blocks),
        _ => None,
    }
}

impl Builder<'_> {
    fn count(&mut self, nodes: usize) -> Step {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            Err(Overflow)
        } else {
            Ok(())
        }
    }

    fn open(&mut self, frame: Frame) -> Step {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Overflow);
        }
        self.stack.push(frame);
        Ok(())
    }

    fn in_code(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Code { .. }))
    }

    /// Inside a link or image, text stays text (no nested links).
    fn in_link(&self) -> bool {
        self.stack.iter().any(|f| {
            matches!(
                f,
                Frame::Inlines {
                    kind: InlinesKind::Link(_) | InlinesKind::Image(_),
                    ..
                }
            )
        })
    }

    fn event(&mut self, event: Event<'_>) -> Step {
        match event {
            Event::Text(text) => {
                if let Some(Frame::Code { text: code, .. }) = self.stack.last_mut() {
                    code.push_str(&text);
                } else {
                    self.pending.push_str(&text);
                }
                Ok(())
            }
            // Raw HTML is shown as written (Mattermost renders none).
            Event::Html(text) | Event::InlineHtml(text) => {
                self.pending.push_str(text.trim_end_matches('\n'));
                Ok(())
            }
            Event::Code(text) => {
                self.flush_text()?;
                self.push_inline(Inline::Code {
                    text: text.into_string(),
                })
            }
            // Mattermost shows a single newline as a line break.
            Event::SoftBreak | Event::HardBreak => {
                if self.in_code() {
                    return Ok(());
                }
                self.flush_text()?;
                self.push_inline(Inline::LineBreak)
            }
            Event::Rule => {
                self.flush_text()?;
                self.close_implicit()?;
                self.push_block(Block::ThematicBreak)
            }
            Event::TaskListMarker(done) => {
                for frame in self.stack.iter_mut().rev() {
                    if let Frame::Blocks {
                        kind: BlocksKind::Item { task },
                        ..
                    } = frame
                    {
                        *task = Some(done);
                        break;
                    }
                }
                Ok(())
            }
            Event::Start(tag) => {
                self.flush_text()?;
                self.start(tag)
            }
            Event::End(tag) => {
                self.flush_text()?;
                self.end(tag)
            }
            // Not enabled: footnotes, math, metadata.
            _ => Ok(()),
        }
    }

    fn start(&mut self, tag: Tag<'_>) -> Step {
        let inlines = |kind| Frame::Inlines {
            kind,
            inlines: Vec::new(),
        };
        if is_block(&tag) {
            self.close_implicit()?;
        }
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.open(inlines(InlinesKind::Paragraph)),
            Tag::Heading { level, .. } => self.open(inlines(InlinesKind::Heading(level as u8))),
            Tag::BlockQuote(_) => self.open(Frame::Blocks {
                kind: BlocksKind::Quote,
                blocks: Vec::new(),
            }),
            Tag::CodeBlock(kind) => self.open(Frame::Code {
                language: match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(str::to_owned)
                        .filter(|l| !l.is_empty()),
                    CodeBlockKind::Indented => None,
                },
                text: String::new(),
            }),
            Tag::List(start) => self.open(Frame::List {
                start,
                items: Vec::new(),
            }),
            Tag::Item => self.open(Frame::Blocks {
                kind: BlocksKind::Item { task: None },
                blocks: Vec::new(),
            }),
            Tag::Table(alignments) => self.open(Frame::Table {
                alignments: alignments.into_iter().map(alignment).collect(),
                header: Vec::new(),
                rows: Vec::new(),
                in_head: false,
            }),
            Tag::TableHead => {
                if let Some(Frame::Table { in_head, .. }) = self.stack.last_mut() {
                    *in_head = true;
                }
                self.open(Frame::Row { cells: Vec::new() })
            }
            Tag::TableRow => self.open(Frame::Row { cells: Vec::new() }),
            Tag::TableCell => self.open(inlines(InlinesKind::Cell)),
            Tag::Emphasis => self.open(inlines(InlinesKind::Emphasis)),
            Tag::Strong => self.open(inlines(InlinesKind::Strong)),
            Tag::Strikethrough => self.open(inlines(InlinesKind::Strikethrough)),
            Tag::Link { dest_url, .. } => {
                self.ensure_inline_container()?;
                self.open(inlines(InlinesKind::Link(dest_url.into_string())))
            }
            Tag::Image { dest_url, .. } => {
                self.ensure_inline_container()?;
                self.open(inlines(InlinesKind::Image(dest_url.into_string())))
            }
            // Superscript, subscript, footnotes, definition lists and
            // metadata are not enabled; their text still arrives as text.
            _ => Ok(()),
        }
    }

    fn end(&mut self, tag: TagEnd) -> Step {
        if is_block_end(&tag) {
            self.close_implicit()?;
        }
        match tag {
            TagEnd::Paragraph
            | TagEnd::HtmlBlock
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image => self.close(),
            _ => Ok(()),
        }
    }

    /// Closes the frame on top and hands its node to the one below.
    fn close(&mut self) -> Step {
        let Some(frame) = self.stack.pop() else {
            return Err(Overflow);
        };
        if self.stack.is_empty() {
            // The document frame is never closed by an event.
            return Err(Overflow);
        }
        match frame {
            Frame::Blocks {
                kind: BlocksKind::Quote,
                blocks,
            } => self.push_block(Block::Quote { blocks }),
            Frame::Blocks {
                kind: BlocksKind::Item { task },
                blocks,
            } => {
                self.count(1)?;
                match self.stack.last_mut() {
                    Some(Frame::List { items, .. }) => {
                        items.push(ListItem { task, blocks });
                        Ok(())
                    }
                    _ => Err(Overflow),
                }
            }
            Frame::Blocks {
                kind: BlocksKind::Document,
                ..
            } => Err(Overflow),
            Frame::List { start, items } => self.push_block(Block::List { start, items }),
            Frame::Code { language, text } => self.push_block(Block::Code { language, text }),
            Frame::Table {
                alignments,
                header,
                rows,
                ..
            } => self.push_block(Block::Table {
                alignments,
                header,
                rows,
            }),
            Frame::Row { cells } => match self.stack.last_mut() {
                Some(Frame::Table {
                    header,
                    rows,
                    in_head,
                    ..
                }) => {
                    if *in_head {
                        *header = cells;
                        *in_head = false;
                    } else {
                        rows.push(cells);
                    }
                    Ok(())
                }
                _ => Err(Overflow),
            },
            Frame::Inlines { kind, inlines } => match kind {
                InlinesKind::Paragraph | InlinesKind::ImplicitParagraph => {
                    self.push_block(Block::Paragraph { inlines })
                }
                InlinesKind::Heading(level) => self.push_block(Block::Heading { level, inlines }),
                InlinesKind::Emphasis => self.push_inline(Inline::Emphasis { children: inlines }),
                InlinesKind::Strong => self.push_inline(Inline::Strong { children: inlines }),
                InlinesKind::Strikethrough => {
                    self.push_inline(Inline::Strikethrough { children: inlines })
                }
                InlinesKind::Link(url) => self.push_inline(Inline::Link {
                    url,
                    children: inlines,
                }),
                InlinesKind::Image(url) => {
                    let children = if inlines.is_empty() {
                        vec![Inline::Text { text: url.clone() }]
                    } else {
                        inlines
                    };
                    self.push_inline(Inline::Link { url, children })
                }
                InlinesKind::Cell => {
                    self.count(1)?;
                    match self.stack.last_mut() {
                        Some(Frame::Row { cells }) => {
                            cells.push(TableCell { inlines });
                            Ok(())
                        }
                        _ => Err(Overflow),
                    }
                }
            },
        }
    }

    fn close_implicit(&mut self) -> Step {
        if matches!(
            self.stack.last(),
            Some(Frame::Inlines {
                kind: InlinesKind::ImplicitParagraph,
                ..
            })
        ) {
            self.close()?;
        }
        Ok(())
    }

    /// Inline content straight inside a block container (a tight list
    /// item) gets a paragraph of its own.
    fn ensure_inline_container(&mut self) -> Step {
        if matches!(self.stack.last(), Some(Frame::Blocks { .. })) {
            self.open(Frame::Inlines {
                kind: InlinesKind::ImplicitParagraph,
                inlines: Vec::new(),
            })?;
        }
        Ok(())
    }

    fn push_inline(&mut self, inline: Inline) -> Step {
        self.count(1)?;
        self.ensure_inline_container()?;
        match self.stack.last_mut() {
            Some(Frame::Inlines { inlines, .. }) => {
                inlines.push(inline);
                Ok(())
            }
            // Inline content where none belongs (between table rows):
            // dropped rather than guessed at.
            _ => Ok(()),
        }
    }

    fn push_block(&mut self, block: Block) -> Step {
        self.count(1)?;
        match self.stack.last_mut() {
            Some(Frame::Blocks { blocks, .. }) => {
                blocks.push(block);
                Ok(())
            }
            _ => Err(Overflow),
        }
    }

    fn flush_text(&mut self) -> Step {
        if self.pending.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.pending);
        let inlines = if self.in_link() {
            vec![Inline::Text { text }]
        } else {
            scan_text(&text, self.reader, self.lookup)
        };
        for inline in inlines {
            self.push_inline(inline)?;
        }
        Ok(())
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::HtmlBlock
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(tag, TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::List(_))
}

fn alignment(a: pulldown_cmark::Alignment) -> Alignment {
    match a {
        pulldown_cmark::Alignment::None => Alignment::None,
        pulldown_cmark::Alignment::Left => Alignment::Left,
        pulldown_cmark::Alignment::Center => Alignment::Center,
        pulldown_cmark::Alignment::Right => Alignment::Right,
    }
}
