//! A channel's URL name from the display name the user typed, by the
//! server's rules: 1 to 64 characters of `a-z`, `0-9`, `-` and `_`, not
//! starting or ending with `-` or `_`, and not 26 characters followed by
//! `__` and 26 more (that shape is reserved for direct messages).

/// Longest channel name the server accepts.
pub const MAX_NAME_LEN: usize = 64;

/// The URL name for `display_name`, or `None` when nothing usable is left
/// (only symbols, or a script without Latin letters): the caller then
/// needs a generated name, as Mattermost's own apps make one.
pub fn url_name_from_display_name(display_name: &str) -> Option<String> {
    let mut name = String::with_capacity(display_name.len());
    for c in display_name.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' | '_' => name.push(c),
            // German first: "Übungen für Mathe" reads as "uebungen-fuer-mathe".
            'ä' => name.push_str("ae"),
            'ö' => name.push_str("oe"),
            'ü' => name.push_str("ue"),
            'ß' => name.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => name.push('a'),
            'è' | 'é' | 'ê' | 'ë' => name.push('e'),
            'ì' | 'í' | 'î' | 'ï' => name.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' => name.push('o'),
            'ù' | 'ú' | 'û' => name.push('u'),
            'ç' => name.push('c'),
            'ñ' => name.push('n'),
            _ => {
                if !name.ends_with('-') {
                    name.push('-');
                }
            }
        }
    }
    let trimmed = name.trim_matches(|c| c == '-' || c == '_');
    let mut cut: String = trimmed.chars().take(MAX_NAME_LEN).collect();
    while cut.ends_with(['-', '_']) {
        cut.pop();
    }
    if cut.is_empty() || looks_like_direct_channel(&cut) {
        return None;
    }
    Some(cut)
}

fn looks_like_direct_channel(name: &str) -> bool {
    name.len() == 54 && name.get(26..28) == Some("__")
}

/// Names to try in turn when creating a channel: the name itself, then
/// with `-2`, `-3`, ... (cut so that each stays within the limit).
pub fn channel_name_candidates(base: &str, tries: usize) -> Vec<String> {
    let mut out = vec![base.to_owned()];
    for n in 2..=tries {
        let suffix = format!("-{n}");
        let room = MAX_NAME_LEN.saturating_sub(suffix.len());
        let stem: String = base.chars().take(room).collect();
        out.push(format!("{}{suffix}", stem.trim_end_matches(['-', '_'])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_become_url_names() {
        let name = |s| url_name_from_display_name(s);
        assert_eq!(name("Klasse 7b").as_deref(), Some("klasse-7b"));
        assert_eq!(
            name("  Übungen für Mathe!  ").as_deref(),
            Some("uebungen-fuer-mathe")
        );
        assert_eq!(name("Straße & Café").as_deref(), Some("strasse-cafe"));
        assert_eq!(name("a -- b").as_deref(), Some("a-b"));
        assert_eq!(name("_intern_").as_deref(), Some("intern"));
        assert_eq!(name("!!!"), None);
        assert_eq!(name("Привет"), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn long_names_are_cut_without_a_trailing_dash() {
        let long = format!("{} x", "a".repeat(63));
        let name = url_name_from_display_name(&long).unwrap();
        assert_eq!(name, "a".repeat(63));
        let long = "b".repeat(100);
        assert_eq!(
            url_name_from_display_name(&long).unwrap().len(),
            MAX_NAME_LEN
        );
    }

    #[test]
    fn the_direct_message_shape_is_refused() {
        let dm = format!("{}__{}", "a".repeat(26), "b".repeat(26));
        assert_eq!(url_name_from_display_name(&dm), None);
    }

    #[test]
    fn candidates_count_up_and_stay_short() {
        assert_eq!(
            channel_name_candidates("mathe", 3),
            ["mathe", "mathe-2", "mathe-3"]
        );
        let long = "c".repeat(64);
        for candidate in channel_name_candidates(&long, 12) {
            assert!(candidate.len() <= MAX_NAME_LEN, "{candidate}");
        }
    }
}
