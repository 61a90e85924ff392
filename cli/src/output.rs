//! How results reach the user: text with colours on a terminal, plain text
//! when piped, or JSON for scripts.

use std::io::{IsTerminal, Write};

use serde::Serialize;

#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
    colour: bool,
}

/// A piece of text with a meaning; how it looks depends on the terminal.
#[derive(Clone, Copy, Debug)]
pub enum Style {
    Heading,
    Dim,
    Unread,
    Mention,
    Good,
    Bad,
}

impl Output {
    pub fn new(json: bool) -> Self {
        let colour = !json
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none()
            && std::env::var("TERM").map_or(true, |term| term != "dumb");
        Self { json, colour }
    }

    /// Whether progress can be drawn (on stderr, where it stays out of
    /// piped output).
    pub fn is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }

    #[cfg(test)]
    pub fn plain() -> Self {
        Self {
            json: false,
            colour: false,
        }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if !self.colour {
            return text.to_string();
        }
        let code = match style {
            Style::Heading => "1",
            Style::Dim => "2",
            Style::Unread => "1;34",
            Style::Mention => "1;31",
            Style::Good => "32",
            Style::Bad => "31",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    pub fn line(&self, text: impl AsRef<str>) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`pausenhof tail | head`) is not an error worth a panic.
        let _ = writeln!(stdout, "{}", text.as_ref());
    }

    /// One JSON document (or one line of a JSON stream) on stdout.
    pub fn json_value(&self, value: &impl Serialize) {
        match serde_json::to_string(value) {
            Ok(text) => self.line(text),
            Err(error) => eprintln!("pausenhof: could not encode JSON: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_has_no_escape_codes() {
        let output = Output::plain();
        assert_eq!(output.paint(Style::Mention, "@anna"), "@anna");
    }

    #[test]
    fn colour_output_wraps_and_resets() {
        let output = Output {
            json: false,
            colour: true,
        };
        let painted = output.paint(Style::Bad, "failed");
        assert!(painted.starts_with("\x1b[31m"));
        assert!(painted.ends_with("\x1b[0m"));
        assert!(painted.contains("failed"));
    }
}
