//! Writes `$OUT_DIR/emoji_table.rs` for `src/emoji.rs`: every shortcode of
//! the `emojis` crate with its emoji, sorted by shortcode, as one text and
//! an index of line starts. The crate's own tables hold a `&str` per field
//! (each one a relocation in a shared library); one text holds none.

use std::fmt::Write as _;

fn main() {
    let mut pairs: Vec<(&str, &str)> = emojis::iter()
        .flat_map(|emoji| emoji.shortcodes().map(move |code| (code, emoji.as_str())))
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by(|a, b| a.0 == b.0);

    let mut text = String::new();
    let mut starts = Vec::with_capacity(pairs.len());
    for (code, emoji) in &pairs {
        // The line format's separators must not occur inside a field.
        assert!(!code.is_empty() && !code.contains([' ', '\n']), "{code:?}");
        assert!(!emoji.contains([' ', '\n']), "{emoji:?}");
        starts.push(u32::try_from(text.len()).expect("table under 4 GiB"));
        writeln!(text, "{code} {emoji}").unwrap();
    }

    let mut out = String::new();
    writeln!(out, "/// `shortcode emoji` lines, sorted by shortcode.").unwrap();
    writeln!(out, "const TABLE: &str = {text:?};").unwrap();
    writeln!(out, "/// Where each line of [`TABLE`] starts.").unwrap();
    writeln!(out, "const STARTS: [u32; {}] = {starts:?};", starts.len()).unwrap();

    let path = std::path::Path::new(&std::env::var_os("OUT_DIR").unwrap()).join("emoji_table.rs");
    std::fs::write(path, out).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
