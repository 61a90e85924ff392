use super::*;

fn word(text: &str) -> Term {
    Term::Word {
        text: text.into(),
        prefix: false,
    }
}

fn parse(input: &str) -> SearchQuery {
    SearchQuery::parse(input).unwrap()
}

fn date(text: &str) -> Option<Date> {
    Some(text.parse().unwrap())
}

#[test]
fn words_phrases_exclusions_and_prefixes() {
    let q = parse("Übung  \"nächste Woche\" -mathe hausauf* -\"kein  Test\"");
    assert_eq!(
        q.terms,
        [
            word("Übung"),
            Term::Phrase("nächste Woche".into()),
            Term::Word {
                text: "hausauf".into(),
                prefix: true
            }
        ]
    );
    assert_eq!(
        q.excluded,
        [word("mathe"), Term::Phrase("kein Test".into())]
    );
    assert!(q.from.is_empty() && q.in_channels.is_empty());
}

#[test]
fn modifiers() {
    let q = parse("FROM:@Anna from:ben in:~klasse-7a in:off-topic on:2026-03-02 before:2026-04-01 after:2026-01-31 test");
    assert_eq!(q.from, ["anna", "ben"]);
    assert_eq!(q.in_channels, ["klasse-7a", "off-topic"]);
    assert_eq!(q.on, date("2026-03-02"));
    assert_eq!(q.before, date("2026-04-01"));
    assert_eq!(q.after, date("2026-01-31"));
    assert_eq!(q.terms, [word("test")]);
}

#[test]
fn the_server_gets_the_canonical_form() {
    let q = parse("from:@Anna  \"a  b\" x* -y in:~c on:2026-03-02");
    assert_eq!(
        q.server_terms(),
        "\"a b\" x* -y from:anna in:c on:2026-03-02"
    );
    assert_eq!(parse(&q.server_terms()), q, "the canonical form reads back");
}

#[test]
fn what_is_not_a_modifier_is_a_word() {
    let q = parse("https://example.org zeit:12 -from:anna");
    assert_eq!(q.terms, [word("https://example.org"), word("zeit:12")]);
    assert_eq!(q.excluded, [word("from:anna")]);
    assert!(q.from.is_empty());
}

#[test]
fn empty_and_punctuation_only_input_is_empty() {
    for input in [
        "",
        "   ",
        "\"\"",
        "-",
        "*",
        "- * \"  \" from: in:~ #",
        "-\"",
    ] {
        let q = parse(input);
        assert!(q.is_empty(), "{input:?} gave {q:?}");
    }
    assert!(!parse("from:anna").is_empty());
}

#[test]
fn a_bad_date_is_a_typed_error() {
    for input in ["on:gestern", "before:2026-13-01", "after:", "on:2026-02-30"] {
        assert!(
            matches!(SearchQuery::parse(input), Err(SearchQueryError::BadDate(_))),
            "{input}"
        );
    }
}

#[test]
fn hostile_input_is_bounded() {
    let quotes = "\"".repeat(100_000);
    assert!(parse(&quotes).terms.len() <= MAX_PARTS);
    let many = "a ".repeat(100_000);
    assert_eq!(parse(&many).terms.len(), MAX_PARTS);
    let long_word = "x".repeat(100_000);
    let q = parse(&long_word);
    assert!(matches!(&q.terms[..], [Term::Word { text, .. }] if text.len() == MAX_QUERY_CHARS));
    let _ = parse("\u{0}-\"\u{202e}from:\u{0} \"-");
}

#[test]
fn dates_are_days_in_the_users_time_zone() {
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let ms = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    let on = parse("on:2026-03-02").time_window(&berlin);
    assert_eq!(
        on,
        (
            Some(ms("2026-03-01T23:00:00Z")),
            Some(ms("2026-03-02T23:00:00Z"))
        )
    );
    let between = parse("after:2026-03-02 before:2026-03-05").time_window(&berlin);
    assert_eq!(
        between,
        (
            Some(ms("2026-03-02T23:00:00Z")),
            Some(ms("2026-03-04T23:00:00Z"))
        )
    );
    // The narrower bound wins.
    let both = parse("on:2026-03-03 after:2026-03-01").time_window(&TimeZone::UTC);
    assert_eq!(
        both,
        (
            Some(ms("2026-03-03T00:00:00Z")),
            Some(ms("2026-03-04T00:00:00Z"))
        )
    );
    assert_eq!(parse("word").time_window(&berlin), (None, None));
}

#[test]
fn with_last_word_as_prefix_prefixes_the_last_word_only() {
    let q = parse("übung haus").with_last_word_as_prefix();
    assert_eq!(
        q.terms,
        [
            word("übung"),
            Term::Word {
                text: "haus".into(),
                prefix: true
            }
        ]
    );
    let phrase_last = parse("übung \"ab c\"").with_last_word_as_prefix();
    assert_eq!(phrase_last, parse("übung \"ab c\""));
}
