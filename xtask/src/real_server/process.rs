//! Child processes that must not outlive the harness.
//!
//! Every long-running child is started in its own process group so that
//! stopping it also stops whatever it forked; the guard stops the group when
//! dropped, which also covers errors and early returns.

use std::process::{Child, Command, ExitStatus};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// How long a child gets to exit after SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(15);

pub struct ProcessGroup {
    name: &'static str,
    child: Child,
    finished: Option<ExitStatus>,
}

impl ProcessGroup {
    pub fn spawn(name: &'static str, mut command: Command) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        let child = command
            .spawn()
            .with_context(|| format!("could not start {name}"))?;
        Ok(Self {
            name,
            child,
            finished: None,
        })
    }

    /// The exit status if the process has already ended on its own.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        if self.finished.is_none() {
            self.finished = self
                .child
                .try_wait()
                .with_context(|| format!("could not poll {}", self.name))?;
        }
        Ok(self.finished)
    }

    /// Stops the whole process group: SIGTERM, then SIGKILL after a grace
    /// period. Safe to call more than once.
    pub fn stop(&mut self) {
        // The group is signalled even when the leader already exited, so
        // that children it left behind are stopped too.
        let group = self.child.id();
        signal_group(group, "TERM");
        let deadline = Instant::now() + GRACE;
        while self.finished.is_none() && Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(status)) => self.finished = Some(status),
                Ok(None) => sleep(Duration::from_millis(100)),
                Err(_) => break,
            }
        }
        if self.finished.is_none() {
            eprintln!(
                "real-server: {} did not stop in time; killing it",
                self.name
            );
        }
        signal_group(group, "KILL");
        if self.finished.is_none() {
            self.finished = self.child.wait().ok();
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: u32, signal: &str) {
    // A group that no longer exists makes `kill` fail; that is the goal.
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{group}"))
        .stderr(std::process::Stdio::null())
        .status();
}

/// Runs a short command to completion, failing with its output when it fails.
pub fn run_checked(what: &str, command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("could not run {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        anyhow::bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_a_group_ends_the_children_it_forked() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild.pid");
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!(
            "sleep 300 & echo $! > {}; wait",
            pid_file.display()
        ));
        let mut group = ProcessGroup::spawn("sleeper", command).unwrap();
        let grandchild = loop {
            if let Ok(text) = std::fs::read_to_string(&pid_file) {
                if text.ends_with('\n') {
                    break text.trim().to_owned();
                }
            }
            sleep(Duration::from_millis(20));
        };
        assert!(group.exited().unwrap().is_none());
        group.stop();
        assert!(group.exited().unwrap().is_some());
        // Gone once reaped by init, or a zombie that no longer runs `sleep`.
        // A signal is delivered asynchronously: the leader may be reaped a
        // moment before its child has finished dying, so allow it a while.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{grandchild}/stat"))
                .map(|stat| !stat.contains(") Z "))
                .unwrap_or(false)
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while alive() && Instant::now() < deadline {
            sleep(Duration::from_millis(20));
        }
        assert!(!alive(), "the forked sleep outlived the group");
    }

    #[test]
    fn a_failing_command_reports_its_output() {
        let error = run_checked(
            "false-ish",
            Command::new("sh").args(["-c", "echo oops >&2; exit 3"]),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("oops"), "{error}");
    }
}
