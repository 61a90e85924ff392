//! Mattermost's additions inside a run of text: `@mentions`, `@channel`,
//! `~channel` links, `:emoji:`, `#hashtags`, bare URLs and the reader's
//! mention keys. One left-to-right pass; a candidate counts only at the
//! start of a word.

use super::{ChannelWide, Inline, Lookup, Reader};

pub(super) fn scan_text(text: &str, reader: &Reader, lookup: &dyn Lookup) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let Some(c) = rest.chars().next() else { break };
        let word_start = text[..at]
            .chars()
            .next_back()
            .is_none_or(|p| !(p.is_alphanumeric() || p == '_'));
        let found = if word_start {
            url(rest)
                .or_else(|| mention(rest, reader, lookup))
                .or_else(|| channel_link(rest, lookup))
                .or_else(|| emoji(rest))
                .or_else(|| hashtag(rest))
                .or_else(|| mention_key(rest, reader))
        } else {
            None
        };
        match found {
            Some((len, inline)) => {
                if plain_from < at {
                    out.push(Inline::Text {
                        text: text[plain_from..at].to_owned(),
                    });
                }
                out.push(inline);
                at += len;
                plain_from = at;
            }
            None => at += c.len_utf8(),
        }
    }
    if plain_from < text.len() {
        out.push(Inline::Text {
            text: text[plain_from..].to_owned(),
        });
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The longest prefix of `s` whose characters satisfy `accept`, in bytes.
fn run_len(s: &str, accept: impl Fn(char) -> bool) -> usize {
    s.char_indices()
        .find(|&(_, c)| !accept(c))
        .map_or(s.len(), |(i, _)| i)
}

fn url(rest: &str) -> Option<(usize, Inline)> {
    let lower: String = rest
        .chars()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_len = ["https://", "http://", "www."]
        .iter()
        .find(|p| lower.starts_with(*p))?
        .len();
    let mut len = run_len(rest, |c| !c.is_whitespace() && c != '<' && c != '>');
    // Punctuation after a URL ends the sentence, and a closing bracket
    // that opens nowhere in the URL belongs to the text around it.
    while let Some(last) = rest[..len].chars().next_back() {
        let unbalanced =
            last == ')' && rest[..len].matches('(').count() < rest[..len].matches(')').count();
        if matches!(
            last,
            '.' | ',' | ':' | ';' | '!' | '?' | '"' | '\'' | '*' | '_' | '~'
        ) || unbalanced
        {
            len -= last.len_utf8();
        } else {
            break;
        }
    }
    if len <= scheme_len {
        return None;
    }
    let written = &rest[..len];
    let url = if lower.starts_with("www.") {
        format!("http://{written}")
    } else {
        written.to_owned()
    };
    Some((
        len,
        Inline::Link {
            url,
            children: vec![Inline::Text {
                text: written.to_owned(),
            }],
        },
    ))
}

fn username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn mention(rest: &str, reader: &Reader, lookup: &dyn Lookup) -> Option<(usize, Inline)> {
    let name_part = rest.strip_prefix('@')?;
    let full = run_len(name_part, username_char);
    if full == 0 {
        return None;
    }
    let mut len = full;
    // "@anna." or "@anna-" at the end of a sentence: try the name as
    // written first, then without the trailing punctuation.
    let found = loop {
        let name = name_part[..len].to_ascii_lowercase();
        if let Some(person) = lookup.person(&name) {
            break Some((name, person));
        }
        match name_part[..len].chars().next_back() {
            Some('.' | '-' | '_') if len > 1 => len -= 1,
            _ => break None,
        }
    };
    let (name, person) = match found {
        Some((name, person)) => (name, Some(person)),
        None => {
            len = name_part[..full].trim_end_matches(['.', '-', '_']).len();
            if len == 0 {
                return None;
            }
            (name_part[..len].to_ascii_lowercase(), None)
        }
    };
    let scope = match name.as_str() {
        "channel" => Some(ChannelWide::Channel),
        "all" => Some(ChannelWide::All),
        "here" => Some(ChannelWide::Here),
        _ => None,
    };
    let inline = match scope {
        Some(scope) if person.is_none() => Inline::ChannelWideMention { scope },
        _ => {
            let mine = name == reader.username
                || reader
                    .mention_keys
                    .iter()
                    .any(|k| k.strip_prefix('@') == Some(name.as_str()));
            Inline::Mention {
                username: name,
                person,
                mine,
            }
        }
    };
    Some((1 + len, inline))
}

fn channel_link(rest: &str, lookup: &dyn Lookup) -> Option<(usize, Inline)> {
    let name_part = rest.strip_prefix('~')?;
    let len = run_len(name_part, |c| {
        c.is_ascii_alphanumeric() || c == '-' || c == '_'
    });
    let len = name_part[..len].trim_end_matches(['-', '_']).len();
    if len == 0 {
        return None;
    }
    let name = name_part[..len].to_ascii_lowercase();
    let channel = lookup.channel(&name);
    Some((1 + len, Inline::ChannelLink { name, channel }))
}

fn emoji(rest: &str) -> Option<(usize, Inline)> {
    let name_part = rest.strip_prefix(':')?;
    let len = run_len(name_part, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+')
    });
    if len == 0 || !name_part[len..].starts_with(':') {
        return None;
    }
    let after = &name_part[len + 1..];
    if after.chars().next().is_some_and(is_word_char) {
        return None;
    }
    let name = name_part[..len].to_ascii_lowercase();
    let unicode = crate::emoji::by_shortcode(&name).map(str::to_owned);
    Some((len + 2, Inline::Emoji { name, unicode }))
}

fn hashtag(rest: &str) -> Option<(usize, Inline)> {
    let tag_part = rest.strip_prefix('#')?;
    if !tag_part.chars().next()?.is_alphabetic() {
        return None;
    }
    let len = run_len(tag_part, |c| is_word_char(c) || c == '.' || c == '-');
    let tag = tag_part[..len].trim_end_matches(['.', '-']);
    if tag.chars().count() < 3 {
        return None;
    }
    Some((
        1 + tag.len(),
        Inline::Hashtag {
            tag: tag.to_owned(),
        },
    ))
}

fn mention_key(rest: &str, reader: &Reader) -> Option<(usize, Inline)> {
    for key in reader.mention_keys.iter().filter(|k| !k.starts_with('@')) {
        let chars = key.chars().count();
        let end = rest
            .char_indices()
            .nth(chars)
            .map_or(rest.len(), |(i, _)| i);
        let candidate = &rest[..end];
        if candidate.chars().count() == chars
            && candidate.to_lowercase() == *key
            && !rest[end..].chars().next().is_some_and(is_word_char)
        {
            return Some((
                end,
                Inline::MentionKey {
                    text: candidate.to_owned(),
                },
            ));
        }
    }
    None
}
