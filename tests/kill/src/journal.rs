//! What the children report, one tab-separated line per event on stdout:
//! `try` before handing an intent to the core, `ack` when the core accepted
//! it, `refused` when it did not. A kill can fall between `try` and `ack`:
//! such an intent may or may not have been queued.

/// One intent, as a child describes it. Posts are named by their `base`,
/// the first word of their text (`k<run>.<n>`), which edits keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Send {
        channel: String,
        root: Option<String>,
        text: String,
    },
    /// A send into the archived channel: must be refused.
    SendArchived {
        channel: String,
        text: String,
    },
    Edit {
        base: String,
        text: String,
    },
    Delete {
        base: String,
    },
    React {
        base: String,
        emoji: String,
        add: bool,
    },
    /// Marking a channel read; `at` is the time just before the call (ms).
    View {
        channel: String,
        at: i64,
    },
}

impl Op {
    fn parse(fields: &[&str]) -> Option<Op> {
        Some(match fields {
            ["send", channel, root, text] => Op::Send {
                channel: (*channel).to_owned(),
                root: (*root != "-").then(|| (*root).to_owned()),
                text: (*text).to_owned(),
            },
            ["send_archived", channel, text] => Op::SendArchived {
                channel: (*channel).to_owned(),
                text: (*text).to_owned(),
            },
            ["edit", base, text] => Op::Edit {
                base: (*base).to_owned(),
                text: (*text).to_owned(),
            },
            ["delete", base] => Op::Delete {
                base: (*base).to_owned(),
            },
            ["react", base, emoji, add] => Op::React {
                base: (*base).to_owned(),
                emoji: (*emoji).to_owned(),
                add: *add == "add",
            },
            ["view", channel, at] => Op::View {
                channel: (*channel).to_owned(),
                at: at.parse().ok()?,
            },
            _ => return None,
        })
    }

    pub fn to_fields(&self) -> String {
        match self {
            Op::Send {
                channel,
                root,
                text,
            } => format!(
                "send\t{channel}\t{}\t{text}",
                root.as_deref().unwrap_or("-")
            ),
            Op::SendArchived { channel, text } => format!("send_archived\t{channel}\t{text}"),
            Op::Edit { base, text } => format!("edit\t{base}\t{text}"),
            Op::Delete { base } => format!("delete\t{base}"),
            Op::React { base, emoji, add } => {
                format!(
                    "react\t{base}\t{emoji}\t{}",
                    if *add { "add" } else { "remove" }
                )
            }
            Op::View { channel, at } => format!("view\t{channel}\t{at}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A child opened the store; `rebuilt` when it had to rebuild it.
    Ready {
        run: u32,
        rebuilt: bool,
    },
    Try {
        run: u32,
        op: Op,
    },
    Ack {
        run: u32,
    },
    Refused {
        run: u32,
    },
    /// The settling child's view of one post in the store (not deleted):
    /// id, text, and the test user's reactions.
    Stored {
        channel: String,
        id: String,
        text: String,
        reactions: Vec<String>,
    },
}

impl Line {
    pub fn parse(run: u32, line: &str) -> Option<Line> {
        let fields: Vec<&str> = line.split('\t').collect();
        Some(match fields.as_slice() {
            ["ready", rebuilt] => Line::Ready {
                run,
                rebuilt: *rebuilt == "1",
            },
            ["try", rest @ ..] => Line::Try {
                run,
                op: Op::parse(rest)?,
            },
            ["ack"] => Line::Ack { run },
            ["refused"] => Line::Refused { run },
            ["stored", channel, id, text, reactions] => Line::Stored {
                channel: (*channel).to_owned(),
                id: (*id).to_owned(),
                text: (*text).to_owned(),
                reactions: reactions
                    .split(',')
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            _ => return None,
        })
    }
}

/// An intent and what became of it in its child.
#[derive(Debug, Clone)]
pub struct Intent {
    pub run: u32,
    pub op: Op,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Acknowledged,
    Refused,
    /// Killed between `try` and the answer.
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct Journal {
    pub lines: Vec<Line>,
}

impl Journal {
    pub fn push(&mut self, line: Line) {
        self.lines.push(line);
    }

    /// Every intent in the order it was handed to the core.
    pub fn intents(&self) -> Vec<Intent> {
        let mut intents: Vec<Intent> = Vec::new();
        for line in &self.lines {
            match line {
                Line::Try { run, op } => intents.push(Intent {
                    run: *run,
                    op: op.clone(),
                    outcome: Outcome::Unknown,
                }),
                Line::Ack { run } | Line::Refused { run } => {
                    let last = intents
                        .last_mut()
                        .filter(|i| i.run == *run && i.outcome == Outcome::Unknown);
                    if let Some(intent) = last {
                        intent.outcome = if matches!(line, Line::Ack { .. }) {
                            Outcome::Acknowledged
                        } else {
                            Outcome::Refused
                        };
                    }
                }
                _ => {}
            }
        }
        intents
    }

    pub fn rebuilds(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| matches!(l, Line::Ready { rebuilt: true, .. }))
            .count()
    }

    pub fn stored(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| matches!(l, Line::Stored { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_outcomes_pair_with_their_try() {
        let ops = [
            Op::Send {
                channel: "c".into(),
                root: None,
                text: "k1.1 hallo".into(),
            },
            Op::React {
                base: "k1.1".into(),
                emoji: "smile".into(),
                add: false,
            },
            Op::View {
                channel: "c".into(),
                at: 17,
            },
        ];
        let mut journal = Journal::default();
        for op in &ops {
            let line = format!("try\t{}", op.to_fields());
            journal.push(Line::parse(1, &line).unwrap());
        }
        journal.push(Line::parse(1, "ack").unwrap());
        journal.push(Line::parse(2, "ready\t0").unwrap());
        let intents = journal.intents();
        assert_eq!(intents.len(), 3);
        assert_eq!(intents[0].op, ops[0]);
        assert_eq!(intents[1].op, ops[1]);
        assert_eq!(intents[0].outcome, Outcome::Unknown);
        assert_eq!(intents[2].outcome, Outcome::Acknowledged);
        assert_eq!(journal.rebuilds(), 0);
        assert!(Line::parse(1, "garbage").is_none());
    }
}
