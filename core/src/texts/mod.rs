//! Every text core makes for people, in English and German, chosen by the
//! locale the app passes. A text names its blanks (`{actor}`, `{user}`,
//! `{old}`, `{new}`); [`Text::fill`] fills them.

use serde::Serialize;

/// The language of the texts core makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    English,
    German,
}

impl Locale {
    /// From a BCP 47 tag or a Mattermost locale (`de`, `de-AT`, `de_DE`,
    /// `en-GB`); anything else is English.
    pub fn from_tag(tag: &str) -> Locale {
        let language = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match language.as_str() {
            "de" => Locale::German,
            _ => Locale::English,
        }
    }
}

macro_rules! texts {
    ($($(#[$doc:meta])* $name:ident => $en:literal, $de:literal;)*) => {
        /// A text core makes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text {
            $($(#[$doc])* $name,)*
        }

        impl Text {
            /// Every text, for the translation test.
            pub const ALL: &'static [Text] = &[$(Text::$name,)*];

            /// The text in `locale`, blanks unfilled.
            pub fn get(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((Text::$name, Locale::English) => $en,
                      (Text::$name, Locale::German) => $de,)*
                }
            }
        }
    };
}

texts! {
    JoinedChannel => "{actor} joined the channel.", "{actor} ist dem Kanal beigetreten.";
    GuestJoinedChannel => "{actor} joined the channel as a guest.", "{actor} ist dem Kanal als Gast beigetreten.";
    LeftChannel => "{actor} left the channel.", "{actor} hat den Kanal verlassen.";
    AddedToChannel => "{actor} added {user} to the channel.", "{actor} hat {user} zum Kanal hinzugefügt.";
    RemovedFromChannel => "{actor} removed {user} from the channel.", "{actor} hat {user} aus dem Kanal entfernt.";
    JoinedTeam => "{actor} joined the team.", "{actor} ist dem Team beigetreten.";
    LeftTeam => "{actor} left the team.", "{actor} hat das Team verlassen.";
    AddedToTeam => "{actor} added {user} to the team.", "{actor} hat {user} zum Team hinzugefügt.";
    RemovedFromTeam => "{actor} removed {user} from the team.", "{actor} hat {user} aus dem Team entfernt.";
    HeaderChanged => "{actor} changed the channel header from {old} to {new}.", "{actor} hat die Kanalüberschrift von {old} zu {new} geändert.";
    HeaderSet => "{actor} set the channel header to {new}.", "{actor} hat die Kanalüberschrift auf {new} gesetzt.";
    HeaderRemoved => "{actor} removed the channel header (was {old}).", "{actor} hat die Kanalüberschrift entfernt (war {old}).";
    PurposeChanged => "{actor} changed the channel purpose from {old} to {new}.", "{actor} hat den Kanalzweck von {old} zu {new} geändert.";
    PurposeSet => "{actor} set the channel purpose to {new}.", "{actor} hat den Kanalzweck auf {new} gesetzt.";
    PurposeRemoved => "{actor} removed the channel purpose (was {old}).", "{actor} hat den Kanalzweck entfernt (war {old}).";
    DisplayNameChanged => "{actor} renamed the channel from {old} to {new}.", "{actor} hat den Kanal von {old} in {new} umbenannt.";
    ChannelArchived => "{actor} archived the channel.", "{actor} hat den Kanal archiviert.";
    ChannelRestored => "{actor} restored the channel.", "{actor} hat den Kanal wiederhergestellt.";
    ChannelMadePrivate => "{actor} made the channel private.", "{actor} hat den Kanal privat gemacht.";
    /// Someone the store does not know.
    SomeoneUnknown => "Someone", "Jemand";
    MessageDeleted => "(message deleted)", "(Nachricht gelöscht)";
    Edited => "(edited)", "(bearbeitet)";
    NewMessages => "New messages", "Neue Nachrichten";
    Today => "Today", "Heute";
    Yesterday => "Yesterday", "Gestern";
    /// A day separator: `{weekday}, {month} {day}, {year}` in English.
    DayLabel => "{weekday}, {month} {day}, {year}", "{weekday}, {day}. {month} {year}";
    SendFailedForbidden => "You may not post here.", "Du darfst hier nicht schreiben.";
    SendFailedNotFound => "The channel or the message no longer exists.", "Der Kanal oder die Nachricht existiert nicht mehr.";
    SendFailedTooLong => "The message is too long.", "Die Nachricht ist zu lang.";
    SendFailedOther => "The server refused the message.", "Der Server hat die Nachricht abgelehnt.";
    /// A notification body for a post with files and no text.
    FilesOnly => "sent a file", "hat eine Datei gesendet";
}

const WEEKDAYS: [[&str; 7]; 2] = [
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
];

const MONTHS: [[&str; 12]; 2] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
];

fn table_index(locale: Locale) -> usize {
    match locale {
        Locale::English => 0,
        Locale::German => 1,
    }
}

/// The weekday's name; `weekday` counts from Monday = 1.
pub fn weekday_name(locale: Locale, weekday: i8) -> &'static str {
    WEEKDAYS[table_index(locale)][(weekday.clamp(1, 7) - 1) as usize]
}

/// The month's name; `month` counts from January = 1.
pub fn month_name(locale: Locale, month: i8) -> &'static str {
    MONTHS[table_index(locale)][(month.clamp(1, 12) - 1) as usize]
}

impl Text {
    /// The text in `locale` with its blanks filled from `values`
    /// (`("actor", "Anna")` fills `{actor}`); a blank without a value
    /// stays as it is.
    pub fn fill(self, locale: Locale, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        let mut rest = self.get(locale);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match values.iter().find(|(k, _)| *k == name) {
                        Some((_, value)) => out.push_str(value),
                        None => out.push_str(&rest[open..open + close + 2]),
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn blanks(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect()
    }

    /// Fails when a text lacks a translation, or when a translation
    /// forgets (or invents) one of the blanks.
    #[test]
    fn every_text_exists_in_both_languages_with_the_same_blanks() {
        for text in Text::ALL {
            let en = text.get(Locale::English);
            let de = text.get(Locale::German);
            assert!(!en.trim().is_empty(), "{text:?} has no English text");
            assert!(!de.trim().is_empty(), "{text:?} has no German text");
            assert_eq!(blanks(en), blanks(de), "{text:?}: blanks differ");
        }
        for locale in [Locale::English, Locale::German] {
            for day in 1..=7 {
                assert!(!weekday_name(locale, day).is_empty());
            }
            for month in 1..=12 {
                assert!(!month_name(locale, month).is_empty());
            }
        }
    }

    #[test]
    fn blanks_are_filled_and_unknown_ones_kept() {
        assert_eq!(
            Text::AddedToChannel.fill(Locale::German, &[("actor", "Anna"), ("user", "Ben")]),
            "Anna hat Ben zum Kanal hinzugefügt."
        );
        assert_eq!(
            Text::JoinedChannel.fill(Locale::English, &[]),
            "{actor} joined the channel."
        );
        // A value that looks like a blank is not filled again.
        assert_eq!(
            Text::JoinedChannel.fill(Locale::English, &[("actor", "{user}")]),
            "{user} joined the channel."
        );
    }

    #[test]
    fn locales_come_from_tags() {
        assert_eq!(Locale::from_tag("de"), Locale::German);
        assert_eq!(Locale::from_tag("de-AT"), Locale::German);
        assert_eq!(Locale::from_tag("de_DE"), Locale::German);
        assert_eq!(Locale::from_tag("en-GB"), Locale::English);
        assert_eq!(Locale::from_tag(""), Locale::English);
        assert_eq!(Locale::from_tag("fr"), Locale::English);
    }
}
