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

/// Folds text the same way for indexing and querying.
pub fn fold_for_search(text: &str) -> Cow<'_, str> {
    if text.contains(['ß', 'ẞ']) {
        Cow::Owned(text.replace(['ß', 'ẞ'], "ss"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Builds an FTS5 MATCH expression from free text: every word must occur
/// (AND), each word is matched literally (no FTS syntax injection), and the
/// last word is a prefix, since users search while they type. Returns None
/// when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let folded = fold_for_search(input);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.len().checked_sub(1)?;
    let mut query = String::new();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            query.push(' ');
        }
        // Words contain only alphanumerics, so quoting needs no escaping.
        query.push('"');
        query.push_str(word);
        query.push('"');
        if index == last {
            query.push('*');
        }
    }
    Some(query)
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

    #[test]
    fn query_quotes_words_and_prefixes_the_last() {
        assert_eq!(
            fts_query("Übung  Hausauf").as_deref(),
            Some("\"Übung\" \"Hausauf\"*")
        );
    }

    #[test]
    fn fts_syntax_is_not_interpreted() {
        assert_eq!(
            fts_query("a\" OR NEAR(b) -c *").as_deref(),
            Some("\"a\" \"OR\" \"NEAR\" \"b\" \"c\"*")
        );
    }

    #[test]
    fn nothing_searchable_gives_none() {
        assert_eq!(fts_query("  ?! ** "), None);
        assert_eq!(fts_query(""), None);
    }
}
