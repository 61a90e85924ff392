//! Asking the person at the terminal, or reading the answer a script pipes
//! in. Secrets come from the environment or a hidden prompt, never from an
//! argument (arguments are visible to every user in `ps`).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};

/// A visible answer: from the terminal, or the next line of piped stdin.
pub fn ask(question: &str) -> Result<String> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{question}: ")?;
    stderr.flush()?;
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the answer")?;
    if read == 0 {
        bail!("no answer for `{question}` (stdin is closed)");
    }
    Ok(line.trim().to_string())
}

/// A secret: from `env_var` if set, else a hidden prompt on the terminal.
pub fn secret(question: &str, env_var: &str) -> Result<String> {
    if let Ok(value) = std::env::var(env_var) {
        if !value.is_empty() {
            return Ok(value);
        }
    }
    if !std::io::stdin().is_terminal() {
        bail!("{question} needed: set {env_var} when running without a terminal");
    }
    rpassword::prompt_password(format!("{question}: ")).context("could not read the secret")
}

pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}
