//! A throwaway PostgreSQL cluster on a loopback port.
//!
//! PostgreSQL refuses to run as root, so when the harness runs as root the
//! cluster belongs to the `postgres` user (created if missing). The cluster
//! lives in the run directory and is stopped with `-m immediate` on drop:
//! its data is never needed again.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::process::run_checked;

const SERVICE_USER: &str = "postgres";

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    run_as_service_user: bool,
    running: bool,
}

impl Postgres {
    /// Creates and starts a cluster under `dir` (which must not exist yet).
    pub fn start(dir: &Path) -> Result<Self> {
        let bin = find_or_install_binaries()?;
        let run_as_service_user = is_root();
        std::fs::create_dir_all(dir)?;
        let data = dir.join("data");
        let log = dir.join("postgres.log");
        if run_as_service_user {
            ensure_service_user()?;
            run_checked(
                "chown of the PostgreSQL directory",
                Command::new("chown")
                    .arg(format!("{SERVICE_USER}:"))
                    .arg(dir),
            )?;
        }
        let mut postgres = Self {
            bin,
            data,
            log,
            port: free_loopback_port()?,
            run_as_service_user,
            running: false,
        };
        postgres.run_tool(
            "initdb",
            &[
                "-D",
                path_str(&postgres.data)?,
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        // Durability is worthless for a throwaway cluster; speed is not.
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=300",
            postgres.port,
            path_str(dir)?
        );
        postgres.running = true;
        postgres.run_tool(
            "pg_ctl",
            &[
                "-D",
                path_str(&postgres.data)?,
                "-l",
                path_str(&postgres.log)?,
                "-w",
                "-t",
                "120",
                "-o",
                &options,
                "start",
            ],
        )?;
        Ok(postgres)
    }

    /// Creates a database and returns its connection URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        run_checked(
            "psql CREATE DATABASE",
            Command::new(self.bin.join("psql"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args(["-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"])
                .arg("-c")
                .arg(format!("CREATE DATABASE \"{name}\"")),
        )?;
        Ok(format!(
            "postgres://postgres@127.0.0.1:{}/{name}?sslmode=disable&connect_timeout=10",
            self.port
        ))
    }

    pub fn log_file(&self) -> &Path {
        &self.log
    }

    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        self.running = false;
        let data = self.data.to_string_lossy().into_owned();
        if let Err(error) = self.run_tool("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
        {
            eprintln!("real-server: stopping PostgreSQL failed: {error:#}");
        }
    }

    fn run_tool(&self, tool: &str, args: &[&str]) -> Result<String> {
        let program = self.bin.join(tool);
        let mut command = if self.run_as_service_user {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVICE_USER, "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        // The service user may not be allowed into the caller's directory.
        command.args(args).current_dir("/");
        run_checked(tool, &mut command)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("non-UTF-8 path {}", path.display()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Asks the OS for a free loopback port. Another process could take it
/// before the server binds it; the server then fails to start loudly.
pub fn free_loopback_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn find_or_install_binaries() -> Result<PathBuf> {
    if let Some(bin) = find_binaries() {
        return Ok(bin);
    }
    if !is_root() {
        bail!("PostgreSQL server binaries (initdb, pg_ctl, postgres) are missing; install the Debian package `postgresql`");
    }
    eprintln!("real-server: PostgreSQL is missing; installing it from Debian");
    // Debian's package starts its own cluster unless policy-rc.d forbids
    // it; the harness must leave nothing running, so it forbids it for the
    // install when the machine has no policy of its own.
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let own_policy = !policy.exists();
    if own_policy {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(policy, "#!/bin/sh\nexit 101\n")?;
        std::fs::set_permissions(policy, std::fs::Permissions::from_mode(0o755))?;
    }
    let installed =
        run_checked("apt-get update", Command::new("apt-get").arg("update")).and_then(|_| {
            run_checked(
                "apt-get install postgresql",
                Command::new("apt-get")
                    .args(["install", "-y", "--no-install-recommends", "postgresql"])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
            )
        });
    if own_policy {
        let _ = std::fs::remove_file(policy);
    }
    installed?;
    find_binaries().context("PostgreSQL was installed but its binaries were not found")
}

/// The newest Debian-layout PostgreSQL server installation, if any.
fn find_binaries() -> Option<PathBuf> {
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .map(|(_, bin)| bin)
        .chain(pg_config_bindir())
        .find(|bin| {
            ["initdb", "pg_ctl", "postgres", "psql"]
                .iter()
                .all(|tool| bin.join(tool).is_file())
        })
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

fn ensure_service_user() -> Result<()> {
    let exists = Command::new("id")
        .arg(SERVICE_USER)
        .output()
        .map(|output| output.status.success())
        .unwrap_or(false);
    if !exists {
        run_checked(
            "useradd postgres",
            Command::new("useradd").args([
                "--system",
                "--user-group",
                "--no-create-home",
                SERVICE_USER,
            ]),
        )?;
    }
    Ok(())
}
