//! What the user typed into the search box, read once with Mattermost's
//! modifiers: `from:user`, `in:channel`, `before:`/`after:`/`on:DATE`,
//! `"a phrase"`, `-word` (or `-"phrase"`), `word*`. The server gets the
//! query back in its canonical form; the offline search applies the same
//! parts to the cache.

use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Longest query read; the rest is ignored (a search box is not a file).
const MAX_QUERY_CHARS: usize = 1000;
/// Most parts (terms and modifiers) one query keeps.
const MAX_PARTS: usize = 32;

/// Why a query could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchQueryError {
    /// `before:`, `after:` or `on:` with something that is no `YYYY-MM-DD` date.
    #[error("“{0}” is not a date (YYYY-MM-DD)")]
    BadDate(String),
}

impl From<SearchQueryError> for crate::error::Error {
    fn from(e: SearchQueryError) -> Self {
        crate::error::Error::InvalidInput {
            reason: e.to_string(),
        }
    }
}

/// A word or a phrase to look for (or to exclude).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word; with `prefix`, words starting with it (`word*`).
    Word { text: String, prefix: bool },
    /// Words in this order (`"a phrase"`).
    Phrase(String),
}

/// A parsed search query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// All must match.
    pub terms: Vec<Term>,
    /// None may match (`-word`).
    pub excluded: Vec<Term>,
    /// Posts by these usernames (lowercase, without `@`).
    pub from: Vec<String>,
    /// Posts in these channels (URL names, without `~`).
    pub in_channels: Vec<String>,
    /// Posts on this day.
    pub on: Option<Date>,
    /// Posts before this day (the day itself excluded).
    pub before: Option<Date>,
    /// Posts after this day (the day itself excluded).
    pub after: Option<Date>,
}

impl SearchQuery {
    /// Reads `input`; unknown `name:value` tokens are words, as on the server.
    pub fn parse(input: &str) -> Result<SearchQuery, SearchQueryError> {
        let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let mut query = SearchQuery::default();
        for token in tokens(&input).into_iter().take(MAX_PARTS) {
            query.add(token)?;
        }
        Ok(query)
    }

    fn add(&mut self, token: Token) -> Result<(), SearchQueryError> {
        let (negated, token) = match token {
            Token::Phrase { negated, text } => {
                let text = squash_spaces(&text);
                if !text.is_empty() {
                    let list = if negated {
                        &mut self.excluded
                    } else {
                        &mut self.terms
                    };
                    list.push(Term::Phrase(text));
                }
                return Ok(());
            }
            Token::Plain(text) => match text.strip_prefix('-') {
                Some(rest) => (true, rest.to_owned()),
                None => (false, text),
            },
        };
        if !negated {
            if let Some((name, value)) = token.split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "from" => return self.add_name(value, '@', Modifier::From),
                    "in" | "channel" => return self.add_name(value, '~', Modifier::In),
                    "on" => return set_date(&mut self.on, value),
                    "before" => return set_date(&mut self.before, value),
                    "after" => return set_date(&mut self.after, value),
                    _ => {}
                }
            }
        }
        let prefix = token.ends_with('*');
        let text = token.trim_end_matches('*').trim_start_matches('#');
        if text.chars().any(char::is_alphanumeric) {
            let list = if negated {
                &mut self.excluded
            } else {
                &mut self.terms
            };
            list.push(Term::Word {
                text: text.to_owned(),
                prefix,
            });
        }
        Ok(())
    }

    fn add_name(
        &mut self,
        value: &str,
        sigil: char,
        modifier: Modifier,
    ) -> Result<(), SearchQueryError> {
        let name = value.trim_start_matches(sigil).to_lowercase();
        if !name.is_empty() {
            match modifier {
                Modifier::From => self.from.push(name),
                Modifier::In => self.in_channels.push(name),
            }
        }
        Ok(())
    }

    /// The query as the user is still typing it: the last word searched
    /// as a prefix (the offline search answers while typing).
    pub fn with_last_word_as_prefix(mut self) -> SearchQuery {
        if let Some(Term::Word { prefix, .. }) = self.terms.last_mut() {
            *prefix = true;
        }
        self
    }

    /// Nothing to search for: no term and no modifier.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.excluded.is_empty()
            && self.from.is_empty()
            && self.in_channels.is_empty()
            && self.on.is_none()
            && self.before.is_none()
            && self.after.is_none()
    }

    /// The query in the server's syntax.
    pub fn server_terms(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for term in &self.terms {
            parts.push(term_text(term));
        }
        for term in &self.excluded {
            parts.push(format!("-{}", term_text(term)));
        }
        parts.extend(self.from.iter().map(|u| format!("from:{u}")));
        parts.extend(self.in_channels.iter().map(|c| format!("in:{c}")));
        for (name, date) in [
            ("on", self.on),
            ("before", self.before),
            ("after", self.after),
        ] {
            if let Some(date) = date {
                parts.push(format!("{name}:{date}"));
            }
        }
        parts.join(" ")
    }

    /// The time window of the date modifiers in `tz` as `[from, until)`
    /// in ms since the epoch; None where the query sets no bound.
    pub fn time_window(&self, tz: &TimeZone) -> (Option<i64>, Option<i64>) {
        let start_of = |date: Date| -> Option<i64> {
            date.to_zoned(tz.clone())
                .ok()
                .map(|z| z.timestamp().as_millisecond())
        };
        let next_day = |date: Date| date.tomorrow().ok();
        let mut from: Option<i64> = None;
        let mut until: Option<i64> = None;
        let mut narrow_from = |bound: Option<i64>| {
            if let Some(b) = bound {
                from = Some(from.map_or(b, |f| f.max(b)));
            }
        };
        if let Some(on) = self.on {
            narrow_from(start_of(on));
        }
        if let Some(after) = self.after {
            narrow_from(next_day(after).and_then(start_of));
        }
        let mut narrow_until = |bound: Option<i64>| {
            if let Some(b) = bound {
                until = Some(until.map_or(b, |u| u.min(b)));
            }
        };
        if let Some(on) = self.on {
            narrow_until(next_day(on).and_then(start_of));
        }
        if let Some(before) = self.before {
            narrow_until(start_of(before));
        }
        (from, until)
    }
}

enum Modifier {
    From,
    In,
}

fn set_date(slot: &mut Option<Date>, value: &str) -> Result<(), SearchQueryError> {
    let date: Date = value
        .parse()
        .map_err(|_| SearchQueryError::BadDate(value.to_owned()))?;
    *slot = Some(date);
    Ok(())
}

fn term_text(term: &Term) -> String {
    match term {
        Term::Word { text, prefix } => format!("{text}{}", if *prefix { "*" } else { "" }),
        Term::Phrase(text) => format!("\"{text}\""),
    }
}

fn squash_spaces(text: &str) -> String {
    text.replace('"', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

enum Token {
    Plain(String),
    Phrase { negated: bool, text: String },
}

/// Splits on whitespace, keeping `"…"` (and `-"…"`) together; an unclosed
/// quote runs to the end.
fn tokens(input: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = input.trim_start();
    while !rest.is_empty() {
        let (negated, quoted) = match rest.strip_prefix("-\"") {
            Some(after) => (true, Some(after)),
            None => (false, rest.strip_prefix('"')),
        };
        if let Some(after) = quoted {
            let end = after.find('"').unwrap_or(after.len());
            out.push(Token::Phrase {
                negated,
                text: after[..end].to_owned(),
            });
            rest = after.get(end + 1..).unwrap_or("").trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        out.push(Token::Plain(rest[..end].to_owned()));
        rest = rest[end..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests;
