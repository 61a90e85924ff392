use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

struct School;

impl Lookup for School {
    fn person(&self, username: &str) -> Option<PersonRef> {
        let name = match username {
            "anna" => "Anna Berger",
            "ben.k" => "Ben König",
            "me" => "Ich Selbst",
            _ => return None,
        };
        Some(PersonRef {
            user_id: format!("id-{username}"),
            display_name: name.to_owned(),
        })
    }
    fn channel(&self, name: &str) -> Option<ChannelRef> {
        (name == "klasse-7a").then(|| ChannelRef {
            channel_id: "ch7a".into(),
            display_name: "Klasse 7a".into(),
        })
    }
}

fn reader() -> Reader {
    Reader::new("me", &["Mathe".to_owned(), "@lehrer".to_owned()])
}

fn doc(text: &str) -> Document {
    parse(text, &reader(), &School)
}

fn text(t: &str) -> Inline {
    Inline::Text { text: t.into() }
}

fn para(inlines: Vec<Inline>) -> Block {
    Block::Paragraph { inlines }
}

fn only_inlines(text: &str) -> Vec<Inline> {
    let d = doc(text);
    assert!(!d.degraded, "{text}");
    match d.blocks.as_slice() {
        [Block::Paragraph { inlines }] => inlines.clone(),
        other => panic!("{text}: not one paragraph: {other:?}"),
    }
}

#[test]
fn a_table_of_blocks() {
    let cases: Vec<(&str, Vec<Block>)> = vec![
        ("", vec![]),
        ("hallo", vec![para(vec![text("hallo")])]),
        (
            "# Titel",
            vec![Block::Heading {
                level: 1,
                inlines: vec![text("Titel")],
            }],
        ),
        (
            "```rust\nfn main() {}\n```",
            vec![Block::Code {
                language: Some("rust".into()),
                text: "fn main() {}\n".into(),
            }],
        ),
        (
            "    eingerückt",
            vec![Block::Code {
                language: None,
                text: "eingerückt".into(),
            }],
        ),
        ("---", vec![Block::ThematicBreak]),
        (
            "> zitat",
            vec![Block::Quote {
                blocks: vec![para(vec![text("zitat")])],
            }],
        ),
        (
            "- eins\n- zwei",
            vec![Block::List {
                start: None,
                items: vec![
                    ListItem {
                        task: None,
                        blocks: vec![para(vec![text("eins")])],
                    },
                    ListItem {
                        task: None,
                        blocks: vec![para(vec![text("zwei")])],
                    },
                ],
            }],
        ),
        (
            "3. drei\n4. vier",
            vec![Block::List {
                start: Some(3),
                items: vec![
                    ListItem {
                        task: None,
                        blocks: vec![para(vec![text("drei")])],
                    },
                    ListItem {
                        task: None,
                        blocks: vec![para(vec![text("vier")])],
                    },
                ],
            }],
        ),
        (
            "- [x] erledigt\n- [ ] offen",
            vec![Block::List {
                start: None,
                items: vec![
                    ListItem {
                        task: Some(true),
                        blocks: vec![para(vec![text("erledigt")])],
                    },
                    ListItem {
                        task: Some(false),
                        blocks: vec![para(vec![text("offen")])],
                    },
                ],
            }],
        ),
        (
            "| A | B |\n|:--|--:|\n| 1 | 2 |",
            vec![Block::Table {
                alignments: vec![Alignment::Left, Alignment::Right],
                header: vec![
                    TableCell {
                        inlines: vec![text("A")],
                    },
                    TableCell {
                        inlines: vec![text("B")],
                    },
                ],
                rows: vec![vec![
                    TableCell {
                        inlines: vec![text("1")],
                    },
                    TableCell {
                        inlines: vec![text("2")],
                    },
                ]],
            }],
        ),
    ];
    for (input, expected) in cases {
        let d = doc(input);
        assert!(!d.degraded, "{input}");
        assert_eq!(d.blocks, expected, "{input}");
    }
}

#[test]
fn a_table_of_inlines() {
    let cases: Vec<(&str, Vec<Inline>)> = vec![
        (
            "*kursiv* **fett** ~~weg~~ `code`",
            vec![
                Inline::Emphasis {
                    children: vec![text("kursiv")],
                },
                text(" "),
                Inline::Strong {
                    children: vec![text("fett")],
                },
                text(" "),
                Inline::Strikethrough {
                    children: vec![text("weg")],
                },
                text(" "),
                Inline::Code {
                    text: "code".into(),
                },
            ],
        ),
        (
            "[Seite](https://schule.de)",
            vec![Inline::Link {
                url: "https://schule.de".into(),
                children: vec![text("Seite")],
            }],
        ),
        (
            "![Plan](https://schule.de/plan.png)",
            vec![Inline::Link {
                url: "https://schule.de/plan.png".into(),
                children: vec![text("Plan")],
            }],
        ),
        (
            "eins\nzwei",
            vec![text("eins"), Inline::LineBreak, text("zwei")],
        ),
        (
            "siehe https://schule.de/a_(b). Danke",
            vec![
                text("siehe "),
                Inline::Link {
                    url: "https://schule.de/a_(b)".into(),
                    children: vec![text("https://schule.de/a_(b)")],
                },
                text(". Danke"),
            ],
        ),
        (
            "www.schule.de",
            vec![Inline::Link {
                url: "http://www.schule.de".into(),
                children: vec![text("www.schule.de")],
            }],
        ),
        (
            "hallo @anna.",
            vec![
                text("hallo "),
                Inline::Mention {
                    username: "anna".into(),
                    person: School.person("anna"),
                    mine: false,
                },
                text("."),
            ],
        ),
        (
            "@ben.k und @unbekannt",
            vec![
                Inline::Mention {
                    username: "ben.k".into(),
                    person: School.person("ben.k"),
                    mine: false,
                },
                text(" und "),
                Inline::Mention {
                    username: "unbekannt".into(),
                    person: None,
                    mine: false,
                },
            ],
        ),
        (
            "@me @Lehrer",
            vec![
                Inline::Mention {
                    username: "me".into(),
                    person: School.person("me"),
                    mine: true,
                },
                text(" "),
                Inline::Mention {
                    username: "lehrer".into(),
                    person: None,
                    mine: true,
                },
            ],
        ),
        (
            "@channel @all @here",
            vec![
                Inline::ChannelWideMention {
                    scope: ChannelWide::Channel,
                },
                text(" "),
                Inline::ChannelWideMention {
                    scope: ChannelWide::All,
                },
                text(" "),
                Inline::ChannelWideMention {
                    scope: ChannelWide::Here,
                },
            ],
        ),
        ("mail@anna.de", vec![text("mail@anna.de")]),
        (
            "in ~klasse-7a und ~gibtsnicht",
            vec![
                text("in "),
                Inline::ChannelLink {
                    name: "klasse-7a".into(),
                    channel: School.channel("klasse-7a"),
                },
                text(" und "),
                Inline::ChannelLink {
                    name: "gibtsnicht".into(),
                    channel: None,
                },
            ],
        ),
        (
            ":thumbsup: :schul_logo: 12:30:45",
            vec![
                Inline::Emoji {
                    name: "thumbsup".into(),
                    unicode: Some("👍".into()),
                },
                text(" "),
                Inline::Emoji {
                    name: "schul_logo".into(),
                    unicode: None,
                },
                text(" 12:30:45"),
            ],
        ),
        (
            "#hausaufgaben #1 #ab",
            vec![
                Inline::Hashtag {
                    tag: "hausaufgaben".into(),
                },
                text(" #1 #ab"),
            ],
        ),
        (
            "Wer hat mathe? Mathematik nicht.",
            vec![
                text("Wer hat "),
                Inline::MentionKey {
                    text: "mathe".into(),
                },
                text("? Mathematik nicht."),
            ],
        ),
        (
            "`@anna :smile:`",
            vec![Inline::Code {
                text: "@anna :smile:".into(),
            }],
        ),
        ("snake_case_name", vec![text("snake_case_name")]),
    ];
    for (input, expected) in cases {
        assert_eq!(only_inlines(input), expected, "{input}");
    }
}

#[test]
fn plain_text_drops_markup_and_keeps_meaning() {
    let cases = [
        ("**fett** und _kursiv_", "fett und kursiv"),
        ("[Seite](https://schule.de)", "Seite (https://schule.de)"),
        ("<https://schule.de>", "https://schule.de"),
        (":thumbsup: danke @anna", "👍 danke @anna"),
        ("- [x] a\n- [ ] b", "☑ a\n☐ b"),
        ("1. a\n2. b", "1. a\n2. b"),
        ("> zitat\n\nweiter", "> zitat\nweiter"),
        ("```\nx = 1\n```", "x = 1"),
        ("| A | B |\n|---|---|\n| 1 | 2 |", "A | B\n1 | 2"),
        ("~klasse-7a", "~Klasse 7a"),
        ("eins  \nzwei", "eins\nzwei"),
        ("- eins\n  - zwei", "• eins\n  • zwei"),
    ];
    for (input, expected) in cases {
        assert_eq!(plain_text(&doc(input)), expected, "{input}");
    }
}

#[test]
fn mentions_of_the_reader_are_found_in_nested_markup() {
    assert!(doc("> **@me** schau mal").mentions_reader());
    assert!(doc("- wer kann Mathe?").mentions_reader());
    assert!(!doc("`@me` im Code").mentions_reader());
    assert!(!doc("@anna").mentions_reader());
}

#[test]
fn raw_html_is_shown_as_written() {
    assert_eq!(plain_text(&doc("<b>fett</b>")), "<b>fett</b>");
}

#[test]
fn input_beyond_the_size_bound_is_plain_text() {
    let long = "a".repeat(MAX_INPUT_BYTES + 10);
    let d = doc(&long);
    assert!(d.degraded);
    assert_eq!(plain_text(&d).len(), MAX_INPUT_BYTES);
    // Cut on a character boundary.
    let umlauts = "ä".repeat(MAX_INPUT_BYTES);
    assert!(plain_text(&doc(&umlauts)).chars().all(|c| c == 'ä'));
}

#[test]
fn nesting_beyond_the_depth_bound_is_plain_text() {
    let shallow = format!("{}tief", "> ".repeat(3));
    assert!(!doc(&shallow).degraded);
    let deep = format!("{}tief", "> ".repeat(MAX_DEPTH + 1));
    let d = doc(&deep);
    assert!(d.degraded);
    assert_eq!(d.blocks.len(), 1);
    let nested_strong = format!("{}x{}", "**a ".repeat(3), " b**".repeat(3));
    assert!(!doc(&nested_strong).degraded);
    let nested_emphasis = format!("{}x{}", "**a ".repeat(40), " b**".repeat(40));
    assert!(doc(&nested_emphasis).degraded);
}

#[test]
fn too_many_nodes_is_plain_text() {
    let many = ":a: ".repeat(MAX_NODES);
    assert!(many.len() < MAX_INPUT_BYTES);
    let d = doc(&many);
    assert!(d.degraded);
    assert!(d.node_count() <= 2);
}

/// Hostile and random input: never a panic, never more nodes than the
/// bound, and fast (the time bound is loose: it catches quadratic blowups,
/// not slow machines).
#[test]
fn hostile_and_random_input_stays_bounded() {
    let megabyte = 1 << 20;
    let mut inputs: Vec<String> = [
        "> ", ">", "*", "[", "_", "- ", "`", "|", "~~", "@", ":", "#",
    ]
    .iter()
    .map(|p| p.repeat(megabyte / p.len()))
    .collect();
    // The same just below the size bound, where the parser does run.
    let below = MAX_INPUT_BYTES - 16;
    for p in [
        ">", "*", "[", "_", "- ", "[a](", "**a", "> - ", "| a ", ":a:", "@a ",
    ] {
        inputs.push(p.repeat(below / p.len()));
    }
    let nested_list: String = (0..200)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    inputs.push(nested_list);
    inputs.push("[".repeat(30_000) + &"]".repeat(30_000));
    let mut rng = StdRng::seed_from_u64(0x3d);
    let alphabet: Vec<char> = "ab @~:#*_`[]()<>!|-+>\n\\x1.äß😀/h".chars().collect();
    for _ in 0..300 {
        let len = rng.random_range(0..2_000);
        inputs.push(
            (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect(),
        );
    }
    let started = Instant::now();
    for input in &inputs {
        let d = doc(input);
        assert!(d.node_count() <= MAX_NODES, "{} nodes", d.node_count());
        let plain = plain_text(&d);
        assert!(plain.len() <= input.len() * 4 + 16);
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}
