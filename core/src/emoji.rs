//! Unicode emoji by shortcode (GitHub's gemoji names, which Mattermost's
//! system emoji mostly share): for `:name:` in messages, reactions and the
//! composer's autocomplete.
//!
//! The full build asks the `emojis` crate. The light build (without the
//! `emoji-crate` feature) carries the same pairs as one text that
//! `build.rs` writes from that crate at build time: the crate's tables are
//! built of `&str`s, each a pointer the dynamic linker relocates, and cost
//! about 800 KiB of the library; the text and its index cost a tenth.

/// The emoji of a shortcode given in lower case (`thumbsup` → 👍).
#[cfg(feature = "emoji-crate")]
pub fn by_shortcode(shortcode: &str) -> Option<&'static str> {
    emojis::get_by_shortcode(shortcode).map(|emoji| emoji.as_str())
}

/// Every shortcode with its emoji, each shortcode once.
#[cfg(feature = "emoji-crate")]
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    emojis::iter().flat_map(|emoji| emoji.shortcodes().map(move |code| (code, emoji.as_str())))
}

#[cfg(not(feature = "emoji-crate"))]
pub use compact::{all, by_shortcode};

#[cfg(any(test, not(feature = "emoji-crate")))]
mod compact {
    include!(concat!(env!("OUT_DIR"), "/emoji_table.rs"));

    fn line(index: usize) -> (&'static str, &'static str) {
        let start = STARTS[index] as usize;
        let rest = &TABLE[start..];
        let line = rest.split_once('\n').map_or(rest, |(line, _)| line);
        line.split_once(' ')
            .expect("build.rs writes `shortcode emoji` lines")
    }

    pub fn by_shortcode(shortcode: &str) -> Option<&'static str> {
        STARTS
            .binary_search_by(|&start| {
                let code = TABLE[start as usize..]
                    .split_once(' ')
                    .map_or("", |(code, _)| code);
                code.cmp(shortcode)
            })
            .ok()
            .map(|index| line(index).1)
    }

    pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
        (0..STARTS.len()).map(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_give_their_emoji() {
        assert_eq!(by_shortcode("thumbsup"), Some("👍"));
        assert_eq!(by_shortcode("+1"), Some("👍"));
        assert_eq!(by_shortcode("white_check_mark"), Some("✅"));
        assert_eq!(by_shortcode("zzz"), Some("💤"));
        assert_eq!(by_shortcode("a"), Some("🅰️"));
        assert_eq!(by_shortcode("no_such_emoji"), None);
        assert_eq!(by_shortcode(""), None);
        assert_eq!(by_shortcode("thumbsup "), None);
    }

    #[test]
    fn every_shortcode_is_listed_once() {
        let mut codes: Vec<&str> = all().map(|(code, _)| code).collect();
        let listed = codes.len();
        assert!(listed > 1500, "{listed} shortcodes");
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), listed);
    }

    /// The light build's table answers exactly as the crate it was made
    /// from: every shortcode, and nothing else.
    #[cfg(feature = "emoji-crate")]
    #[test]
    fn the_compact_table_equals_the_crate() {
        let mut crate_pairs: Vec<_> = all().collect();
        let mut table_pairs: Vec<_> = compact::all().collect();
        crate_pairs.sort_unstable();
        table_pairs.sort_unstable();
        assert_eq!(crate_pairs, table_pairs);
        for (code, emoji) in crate_pairs {
            assert_eq!(compact::by_shortcode(code), Some(emoji), "{code}");
        }
        assert_eq!(compact::by_shortcode("no_such_emoji"), None);
        assert_eq!(compact::by_shortcode("~"), None);
    }
}
