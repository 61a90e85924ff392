//! Autocomplete in the composer: which word is being completed, and the
//! ranking of people, channels and emoji for it. Pure: the candidates come
//! from the store and the server (`client/autocomplete.rs`).

/// What the word at the cursor asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// `@name`
    People,
    /// `~channel`
    Channel,
    /// `:shortcode` (two characters at least, as Mattermost's apps do)
    Emoji,
}

/// The word being completed: its kind, what is typed after the sign, and
/// where it sits in the text (character offsets, the sign included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionWord {
    pub kind: CompletionKind,
    pub typed: String,
    pub start: usize,
    pub end: usize,
}

/// Fewest characters after `:` before emoji are suggested.
const MIN_EMOJI_CHARS: usize = 2;

/// The word ending at `cursor` (a character offset; past the end means
/// the end), when it starts with `@`, `~` or `:` at a word boundary.
pub fn word_at_cursor(text: &str, cursor: usize) -> Option<CompletionWord> {
    let chars: Vec<char> = text.chars().collect();
    let end = cursor.min(chars.len());
    let start = chars[..end]
        .iter()
        .rposition(|c| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let word = &chars[start..end];
    let (sign, rest) = word.split_first()?;
    let kind = match sign {
        '@' => CompletionKind::People,
        '~' => CompletionKind::Channel,
        ':' if rest.len() >= MIN_EMOJI_CHARS => CompletionKind::Emoji,
        _ => return None,
    };
    let typed: String = rest.iter().collect();
    if kind == CompletionKind::Emoji && typed.contains(':') {
        return None;
    }
    Some(CompletionWord {
        kind,
        typed,
        start,
        end,
    })
}

/// How well a candidate's names match what was typed; `None`: not at all.
/// Lower is better: a whole name, then a name's start, then a word's
/// start inside a name, then anywhere.
pub fn match_rank<'a>(typed: &str, names: impl IntoIterator<Item = &'a str>) -> Option<u8> {
    let typed = typed.to_lowercase();
    let mut best: Option<u8> = None;
    for name in names {
        let name = name.to_lowercase();
        if name.is_empty() {
            continue;
        }
        let rank = if name == typed {
            0
        } else if name.starts_with(&typed) {
            1
        } else if name
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| !part.is_empty() && part.starts_with(&typed))
        {
            2
        } else if name.contains(&typed) {
            3
        } else {
            continue;
        };
        best = Some(best.map_or(rank, |b| b.min(rank)));
    }
    best
}

/// A person who could be mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCandidate {
    pub user_id: String,
    pub username: String,
    /// Full name or nickname, for the list.
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    /// A member of the channel typed in: ranked before everyone else.
    pub in_channel: bool,
}

/// People matching `typed`: members of the channel first, then by match
/// quality, then by username; each person once; at most `limit`.
pub fn rank_people(
    typed: &str,
    candidates: Vec<PersonCandidate>,
    limit: usize,
) -> Vec<PersonCandidate> {
    let mut ranked: Vec<(bool, u8, PersonCandidate)> = Vec::new();
    for person in candidates {
        let full_name = format!("{} {}", person.first_name, person.last_name);
        let Some(rank) = match_rank(
            typed,
            [
                person.username.as_str(),
                person.first_name.as_str(),
                person.last_name.as_str(),
                full_name.trim(),
                person.nickname.as_str(),
            ],
        ) else {
            continue;
        };
        match ranked
            .iter_mut()
            .find(|(_, _, p)| p.user_id == person.user_id)
        {
            // Seen twice (cache and server): the better standing counts.
            Some(seen) => {
                seen.0 |= person.in_channel;
                seen.2.in_channel |= person.in_channel;
                seen.1 = seen.1.min(rank);
            }
            None => ranked.push((person.in_channel, rank, person)),
        }
    }
    ranked.sort_by(|a, b| (!a.0, a.1, &a.2.username).cmp(&(!b.0, b.1, &b.2.username)));
    ranked.into_iter().take(limit).map(|(_, _, p)| p).collect()
}

/// A channel that could be linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelCandidate {
    pub channel_id: String,
    /// The URL name, what `~name` links to.
    pub name: String,
    pub display_name: String,
    /// The user is in it: ranked first.
    pub is_member: bool,
}

/// Channels matching `typed`: the user's first, then by match quality,
/// then by display name; at most `limit`.
pub fn rank_channels(
    typed: &str,
    candidates: Vec<ChannelCandidate>,
    limit: usize,
) -> Vec<ChannelCandidate> {
    let mut candidates = candidates;
    // Each channel once, as a member's when any copy says so.
    candidates.sort_by(|a, b| (&a.channel_id, !a.is_member).cmp(&(&b.channel_id, !b.is_member)));
    candidates.dedup_by(|a, b| a.channel_id == b.channel_id);
    let mut ranked: Vec<(u8, ChannelCandidate)> = candidates
        .into_iter()
        .filter_map(|c| {
            match_rank(typed, [c.name.as_str(), c.display_name.as_str()]).map(|rank| (rank, c))
        })
        .collect();
    ranked.sort_by(|a, b| {
        (!a.1.is_member, a.0, a.1.display_name.to_lowercase()).cmp(&(
            !b.1.is_member,
            b.0,
            b.1.display_name.to_lowercase(),
        ))
    });
    ranked.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// An emoji suggestion: the shortcode to insert and the emoji itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmojiCandidate {
    pub shortcode: String,
    pub emoji: String,
}

/// Emoji whose shortcodes match `typed` (Unicode's table, GitHub's
/// shortcodes): a shortcode's start before a word's start before anywhere,
/// shorter shortcodes first; at most `limit`.
pub fn rank_emoji(typed: &str, limit: usize) -> Vec<EmojiCandidate> {
    let typed = typed.to_lowercase();
    let mut ranked: Vec<(u8, usize, &str, &str)> = Vec::new();
    for (shortcode, emoji) in crate::emoji::all() {
        if let Some(rank) = match_rank(&typed, [shortcode]) {
            ranked.push((rank, shortcode.len(), shortcode, emoji));
        }
    }
    ranked.sort();
    ranked.dedup_by(|a, b| a.2 == b.2);
    ranked
        .into_iter()
        .take(limit)
        .map(|(_, _, shortcode, emoji)| EmojiCandidate {
            shortcode: shortcode.to_owned(),
            emoji: emoji.to_owned(),
        })
        .collect()
}

/// One suggestion of the autocomplete list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggestion {
    Person(PersonCandidate),
    Channel(ChannelCandidate),
    Emoji(EmojiCandidate),
}

impl Suggestion {
    /// What replaces the word when the suggestion is chosen.
    pub fn insert_text(&self) -> String {
        match self {
            Suggestion::Person(p) => format!("@{} ", p.username),
            Suggestion::Channel(c) => format!("~{} ", c.name),
            Suggestion::Emoji(e) => format!(":{}: ", e.shortcode),
        }
    }
}

/// The autocomplete for the word at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub word: CompletionWord,
    pub suggestions: Vec<Suggestion>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(
        id: &str,
        username: &str,
        first: &str,
        last: &str,
        in_channel: bool,
    ) -> PersonCandidate {
        PersonCandidate {
            user_id: id.into(),
            username: username.into(),
            display_name: format!("{first} {last}"),
            first_name: first.into(),
            last_name: last.into(),
            nickname: String::new(),
            in_channel,
        }
    }

    #[test]
    fn the_word_at_the_cursor() {
        let word = word_at_cursor("Hallo @an", 9).unwrap();
        assert_eq!(
            (word.kind, word.typed.as_str(), word.start, word.end),
            (CompletionKind::People, "an", 6, 9)
        );
        assert_eq!(word_at_cursor("Hallo @an", 99).unwrap().typed, "an");
        let word = word_at_cursor("siehe ~klasse und", 13).unwrap();
        assert_eq!(
            (word.kind, word.typed.as_str()),
            (CompletionKind::Channel, "klasse")
        );
        assert_eq!(word_at_cursor("@", 1).unwrap().typed, "");
        assert_eq!(
            word_at_cursor("toll :sm", 8).unwrap().kind,
            CompletionKind::Emoji
        );
        assert_eq!(
            word_at_cursor("toll :s", 7),
            None,
            "one character is too few"
        );
        assert_eq!(word_at_cursor("um 10:30", 8), None, "a time is no emoji");
        assert_eq!(word_at_cursor("mail@schule.de", 14), None);
        assert_eq!(word_at_cursor("Hallo @an ", 10), None, "after a space");
        assert_eq!(word_at_cursor("Grüße @jö", 9).unwrap().typed, "jö");
        assert_eq!(word_at_cursor("", 0), None);
    }

    #[test]
    fn match_ranks() {
        assert_eq!(match_rank("anna", ["anna"]), Some(0));
        assert_eq!(match_rank("an", ["Anna"]), Some(1));
        assert_eq!(match_rank("sch", ["anna.schulz"]), Some(2));
        assert_eq!(match_rank("chu", ["anna.schulz"]), Some(3));
        assert_eq!(match_rank("xy", ["anna.schulz", ""]), None);
        assert_eq!(match_rank("ö", ["Jörg"]), Some(3));
        assert_eq!(
            match_rank("an", ["xan", "anton"]),
            Some(1),
            "the best name counts"
        );
    }

    #[test]
    fn channel_members_come_first_then_better_matches() {
        let ranked = rank_people(
            "an",
            vec![
                person("1", "zoe.anders", "Zoë", "Anders", false),
                person("2", "anna.schulz", "Anna", "Schulz", false),
                person("3", "ben.meier", "Ben", "Meier", false),
                person("4", "jan.koch", "Jan", "Koch", true),
                person("5", "andreas.wolf", "Andreas", "Wolf", true),
            ],
            10,
        );
        let order: Vec<&str> = ranked.iter().map(|p| p.username.as_str()).collect();
        // Members: a username's start before a name containing it.
        // Others: both match at a name's start; by username.
        assert_eq!(
            order,
            ["andreas.wolf", "jan.koch", "anna.schulz", "zoe.anders"]
        );
        assert_eq!(rank_people("an", ranked, 2).len(), 2);
    }

    #[test]
    fn a_person_from_cache_and_server_is_listed_once_as_a_member() {
        let ranked = rank_people(
            "anna",
            vec![
                person("2", "anna.schulz", "Anna", "Schulz", false),
                person("2", "anna.schulz", "Anna", "Schulz", true),
            ],
            10,
        );
        assert_eq!(ranked.len(), 1);
        assert!(ranked[0].in_channel);
    }

    #[test]
    fn channels_of_the_user_first() {
        let channel = |id: &str, name: &str, display: &str, is_member| ChannelCandidate {
            channel_id: id.into(),
            name: name.into(),
            display_name: display.into(),
            is_member,
        };
        let ranked = rank_channels(
            "kla",
            vec![
                channel("1", "klasse-7b", "Klasse 7b", false),
                channel("2", "klasse-7a", "Klasse 7a", true),
                channel("3", "mathe", "Mathe", true),
                channel("4", "ag-klavier", "AG Klavier", true),
                channel("1", "klasse-7b", "Klasse 7b", true),
            ],
            10,
        );
        let order: Vec<&str> = ranked.iter().map(|c| c.channel_id.as_str()).collect();
        // Channel 1 came twice, once as the user's: it counts as theirs.
        // Equal matches go by name; a word's start inside comes after.
        assert_eq!(order, ["2", "1", "4"]);
    }

    #[test]
    fn emoji_by_shortcode_prefix_then_shorter() {
        let ranked = rank_emoji("smi", 5);
        assert_eq!(ranked.len(), 5);
        assert_eq!(ranked[0].shortcode, "smile");
        assert_eq!(ranked[0].emoji, "😄");
        assert!(ranked.iter().all(|e| e.shortcode.contains("smi")));
        assert_eq!(rank_emoji("+1", 1)[0].emoji, "👍");
        assert!(rank_emoji("zzzzqq", 5).is_empty());
    }

    #[test]
    fn insert_texts() {
        let person = person("1", "anna.schulz", "Anna", "Schulz", true);
        assert_eq!(Suggestion::Person(person).insert_text(), "@anna.schulz ");
        let smile = rank_emoji("smile", 1).remove(0);
        assert_eq!(Suggestion::Emoji(smile).insert_text(), ":smile: ");
    }
}
