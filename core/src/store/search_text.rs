//! Text folding for offline search and the FTS5 query built from what the
//! user typed.
//!
//! The FTS5 tokenizer (`unicode61 remove_diacritics 2`) already folds case
//! (also of umlauts: "Übung" = "übung") and strips diacritics, so "Ubung"
//! finds "Übung" — missing umlauts are common on phone keyboards, and the
//! few German words that differ only by an umlaut rarely make that a worse
//! result. What the tokenizer does not do is fold "ß" to "ss" (Swiss
//! spelling, capitals): that happens here, on both the indexed text and the
//! query, so "Strasse" and "Straße" find each other.

use std::borrow::Cow;

use crate::search::Term;

/// Folds text the same way for indexing and querying.
pub fn fold_for_search(text: &str) -> Cow<'_, str> {
    if text.contains(['ß', 'ẞ']) {
        Cow::Owned(text.replace(['ß', 'ẞ'], "ss"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The FTS5 expression of one search term: its words (alphanumeric runs
/// of the folded text) quoted, so nothing is read as FTS syntax; several
/// words are a phrase; a prefix applies to the last word. None when the
/// term has no word.
pub fn fts_term(term: &Term) -> Option<String> {
    let (text, prefix) = match term {
        Term::Word { text, prefix } => (text.as_str(), *prefix),
        Term::Phrase(text) => (text.as_str(), false),
    };
    let folded = fold_for_search(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    // Words contain only alphanumerics, so quoting needs no escaping.
    let mut expression = format!("\"{}\"", words.join(" "));
    if prefix {
        expression.push('*');
    }
    Some(expression)
}

/// The MATCH expression requiring every one of `terms`.
pub fn fts_all(terms: &[Term]) -> Option<String> {
    let parts: Vec<String> = terms.iter().filter_map(fts_term).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The MATCH expression matching any of `terms`.
pub fn fts_any(terms: &[Term]) -> Option<String> {
    let parts: Vec<String> = terms.iter().filter_map(fts_term).collect();
    (!parts.is_empty()).then(|| parts.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharp_s_folds_to_double_s() {
        assert_eq!(
            fold_for_search("Grüße aus der Straße"),
            "Grüsse aus der Strasse"
        );
        assert_eq!(fold_for_search("GROẞ"), "GROss");
        assert!(matches!(fold_for_search("plain"), Cow::Borrowed(_)));
    }

    fn word(text: &str, prefix: bool) -> Term {
        Term::Word {
            text: text.into(),
            prefix,
        }
    }

    #[test]
    fn terms_are_quoted_and_prefixed() {
        assert_eq!(
            fts_all(&[word("Übung", false), word("Hausauf", true)]).as_deref(),
            Some("\"Übung\" \"Hausauf\"*")
        );
        assert_eq!(
            fts_any(&[word("a", false), Term::Phrase("Grüße  aus".into())]).as_deref(),
            Some("\"a\" OR \"Grüsse aus\"")
        );
        assert_eq!(
            fts_term(&word("e-mail", true)).as_deref(),
            Some("\"e mail\"*")
        );
    }

    #[test]
    fn fts_syntax_is_not_interpreted() {
        assert_eq!(
            fts_term(&Term::Phrase("a\" OR NEAR(b) -c *".into())).as_deref(),
            Some("\"a OR NEAR b c\"")
        );
    }

    #[test]
    fn nothing_searchable_gives_none() {
        assert_eq!(
            fts_all(&[word("?!", true), Term::Phrase("**".into())]),
            None
        );
        assert_eq!(fts_any(&[]), None);
    }
}
