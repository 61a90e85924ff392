//! The terms of `POST /teams/{team_id}/posts/search` as the real server
//! reads them: words (all must match unless `is_or_search`; `word*` a
//! prefix), `"phrases"`, `-word` and `-"phrase"` excluded, `from:user`,
//! `in:channel`, and `on:`/`before:`/`after:` days in the caller's
//! `time_zone_offset` (seconds east of UTC; the day itself excluded for
//! `before` and `after`).

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

use crate::errors::ApiError;

#[derive(Debug, Default)]
pub struct SearchTerms {
    words: Vec<Word>,
    excluded: Vec<Word>,
    pub from: Vec<String>,
    pub in_channels: Vec<String>,
    /// `[since, until)` in ms.
    since: Option<i64>,
    until: Option<i64>,
}

#[derive(Debug)]
enum Word {
    Exact(String),
    Prefix(String),
    Phrase(String),
}

impl Word {
    fn matches(&self, words: &[String], text: &str) -> bool {
        match self {
            Word::Exact(w) => words.iter().any(|x| x == w),
            Word::Prefix(w) => words.iter().any(|x| x.starts_with(w.as_str())),
            Word::Phrase(p) => text.contains(p.as_str()),
        }
    }
}

impl SearchTerms {
    pub fn parse(terms: &str, time_zone_offset: i32) -> Result<SearchTerms, ApiError> {
        let tz = Offset::from_seconds(time_zone_offset)
            .map(TimeZone::fixed)
            .map_err(|_| ApiError::invalid_body_param("time_zone_offset"))?;
        let mut out = SearchTerms::default();
        let mut rest = terms.to_lowercase();
        // Phrases first, each replaced by a space.
        while let Some(start) = rest.find('"') {
            let Some(len) = rest[start + 1..].find('"') else {
                break;
            };
            let phrase = words_of(&rest[start + 1..start + 1 + len]).join(" ");
            let negated = rest[..start].ends_with('-');
            let from = if negated { start - 1 } else { start };
            if !phrase.is_empty() {
                let list = if negated {
                    &mut out.excluded
                } else {
                    &mut out.words
                };
                list.push(Word::Phrase(phrase));
            }
            rest.replace_range(from..start + len + 2, " ");
        }
        for token in rest.split_whitespace() {
            let day = |value: &str| -> Result<(i64, i64), ApiError> {
                let date: Date = value
                    .parse()
                    .map_err(|_| ApiError::invalid_body_param("terms"))?;
                let start = |d: Date| {
                    d.to_zoned(tz.clone())
                        .map(|z| z.timestamp().as_millisecond())
                        .map_err(|_| ApiError::invalid_body_param("terms"))
                };
                let next = date
                    .tomorrow()
                    .map_err(|_| ApiError::invalid_body_param("terms"))?;
                Ok((start(date)?, start(next)?))
            };
            if let Some(u) = token.strip_prefix("from:") {
                out.from.push(u.trim_start_matches('@').to_string());
            } else if let Some(c) = token.strip_prefix("in:") {
                out.in_channels.push(c.trim_start_matches('~').to_string());
            } else if let Some(d) = token.strip_prefix("on:") {
                let (start, end) = day(d)?;
                out.narrow(Some(start), Some(end));
            } else if let Some(d) = token.strip_prefix("before:") {
                out.narrow(None, Some(day(d)?.0));
            } else if let Some(d) = token.strip_prefix("after:") {
                out.narrow(Some(day(d)?.1), None);
            } else {
                let (negated, token) = match token.strip_prefix('-') {
                    Some(t) => (true, t),
                    None => (false, token),
                };
                let prefix = token.ends_with('*');
                let list = if negated {
                    &mut out.excluded
                } else {
                    &mut out.words
                };
                for (i, word) in words_of(token).iter().enumerate() {
                    let last = i + 1 == words_of(token).len();
                    list.push(if prefix && last {
                        Word::Prefix(word.clone())
                    } else {
                        Word::Exact(word.clone())
                    });
                }
            }
        }
        Ok(out)
    }

    fn narrow(&mut self, since: Option<i64>, until: Option<i64>) {
        if let Some(s) = since {
            self.since = Some(self.since.map_or(s, |x| x.max(s)));
        }
        if let Some(u) = until {
            self.until = Some(self.until.map_or(u, |x| x.min(u)));
        }
    }

    /// Whether the query has anything to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.excluded.is_empty()
            && self.from.is_empty()
            && self.in_channels.is_empty()
            && self.since.is_none()
            && self.until.is_none()
    }

    /// Whether a post's message and time match (authors and channels are
    /// the caller's to check).
    pub fn matches(&self, message: &str, create_at: i64, is_or: bool) -> bool {
        if self.since.is_some_and(|s| create_at < s) || self.until.is_some_and(|u| create_at >= u) {
            return false;
        }
        let text = words_of(message).join(" ");
        let words = words_of(message);
        if self.excluded.iter().any(|w| w.matches(&words, &text)) {
            return false;
        }
        if self.words.is_empty() {
            // Modifiers alone match every post they allow.
            return !self.from.is_empty()
                || !self.in_channels.is_empty()
                || self.since.is_some()
                || self.until.is_some();
        }
        let hit = |w: &Word| w.matches(&words, &text);
        if is_or {
            self.words.iter().any(hit)
        } else {
            self.words.iter().all(hit)
        }
    }
}

fn words_of(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(terms: &str, message: &str, at: i64) -> bool {
        SearchTerms::parse(terms, 3600)
            .unwrap()
            .matches(message, at, false)
    }

    #[test]
    fn words_phrases_exclusions_prefixes() {
        assert!(hit("übung", "Die Übung morgen", 0));
        assert!(!hit("übung", "Die Übungen morgen", 0));
        assert!(hit("übu*", "Die Übungen morgen", 0));
        assert!(hit("\"übung morgen\"", "Die Übung, morgen!", 0));
        assert!(!hit("\"morgen übung\"", "Die Übung morgen", 0));
        assert!(!hit("übung -morgen", "Die Übung morgen", 0));
        assert!(!hit("übung -\"übung morgen\"", "Die Übung morgen", 0));
        assert!(hit("übung -heute", "Die Übung morgen", 0));
    }

    #[test]
    fn days_in_the_callers_offset() {
        // 2026-03-02 00:00 at +01:00 is 2026-03-01 23:00 UTC.
        let start = 1_772_406_000_000;
        assert!(hit("on:2026-03-02", "x", start));
        assert!(!hit("on:2026-03-02", "x", start - 1));
        assert!(!hit("on:2026-03-02", "x", start + 86_400_000));
        assert!(hit("before:2026-03-02", "x", start - 1));
        assert!(!hit("before:2026-03-02", "x", start));
        assert!(hit("after:2026-03-01", "x", start));
        assert!(!hit("after:2026-03-01", "x", start - 1));
        assert!(SearchTerms::parse("on:gestern", 0).is_err());
    }
}
