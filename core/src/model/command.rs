//! The slash command lists the server offers the composer's `/` menu.

use serde::Deserialize;

/// One command of the composer's `/` menu.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SlashCommandInfo {
    pub trigger: String,
    #[serde(rename = "auto_complete_desc")]
    pub description: String,
    #[serde(rename = "auto_complete_hint")]
    pub hint: String,
    pub display_name: String,
    #[serde(rename = "auto_complete")]
    pub listed: bool,
}

impl Default for SlashCommandInfo {
    fn default() -> Self {
        SlashCommandInfo {
            trigger: String::new(),
            description: String::new(),
            hint: String::new(),
            display_name: String::new(),
            // A command that does not say otherwise is shown.
            listed: true,
        }
    }
}

/// One autocomplete suggestion for a command being typed. The server
/// writes these with Go's field names (no JSON tags).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct CommandSuggestion {
    /// The whole command text after choosing it (without the slash).
    #[serde(rename = "Complete", alias = "complete")]
    pub complete: String,
    /// The word shown in the list.
    #[serde(rename = "Suggestion", alias = "suggestion")]
    pub suggestion: String,
    #[serde(rename = "Hint", alias = "hint")]
    pub hint: String,
    #[serde(rename = "Description", alias = "description")]
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_lists_decode_leniently() {
        let commands: Vec<SlashCommandInfo> = serde_json::from_str(
            r#"[{"trigger":"away","auto_complete":true,"auto_complete_desc":"Set away",
                 "auto_complete_hint":"","display_name":"away","extra":1},
                {"trigger":"hidden","auto_complete":false},{"trigger":"bare"}]"#,
        )
        .unwrap();
        assert_eq!(commands[0].description, "Set away");
        assert!(commands[0].listed && !commands[1].listed && commands[2].listed);
        let suggestions: Vec<CommandSuggestion> = serde_json::from_str(
            r#"[{"Complete":"mute ~a","Suggestion":"~a","Hint":"","Description":"A","IconData":""}]"#,
        )
        .unwrap();
        assert_eq!(suggestions[0].complete, "mute ~a");
        assert_eq!(suggestions[0].suggestion, "~a");
    }
}
