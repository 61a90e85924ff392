//! Builds the pinned Mattermost server from the wrapper module in
//! `tools/mattermost/` and caches the result per pinned input.
//!
//! The cache only saves time: a missing, partial or unwritable cache leads
//! to a fresh build, never to a failure.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use tokio::process::Command;

/// The upstream module whose pseudo-version pins the server.
pub const SERVER_MODULE: &str = "github.com/mattermost/mattermost/server/v8";
/// The checksum database has no entries for these pseudo-versions through
/// the registry mirror; `go.sum` in the wrapper module pins them instead.
const NO_SUMDB: &str = "github.com/mattermost/mattermost";
/// Directories the server reads at run time, found next to the binary.
const RUNTIME_ASSETS: [&str; 3] = ["i18n", "templates", "fonts"];
/// Written last, so a directory without it is an interrupted build.
const COMPLETE_MARKER: &str = "BUILD_COMPLETE";

pub struct ServerBuild {
    /// Holds the `mattermost` binary and its run-time assets.
    pub dir: PathBuf,
    pub pseudo_version: String,
    pub reused: bool,
    pub took: Duration,
}

impl ServerBuild {
    pub fn binary(&self) -> PathBuf {
        self.dir.join("mattermost")
    }
}

pub struct BuildPaths {
    pub wrapper: PathBuf,
    pub cache: PathBuf,
}

/// Returns a usable build of the pinned server, building it when the cache
/// has none.
pub async fn ensure_built(paths: &BuildPaths) -> Result<ServerBuild> {
    let started = Instant::now();
    let inputs = read_inputs(&paths.wrapper)?;
    let pseudo_version = pinned_version(&inputs.go_mod)?;
    let dir = paths.cache.join(format!(
        "server-{pseudo_version}-{}",
        &inputs.fingerprint[..12]
    ));
    if dir.join(COMPLETE_MARKER).is_file() && dir.join("mattermost").is_file() {
        return Ok(ServerBuild {
            dir,
            pseudo_version,
            reused: true,
            took: started.elapsed(),
        });
    }
    check_go().await?;
    let staging = paths.cache.join(format!(".staging-{}", std::process::id()));
    remove_if_present(&staging)?;
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("could not create {}", staging.display()))?;
    eprintln!(
        "real-server: building Mattermost {pseudo_version} (cold builds take several minutes)"
    );
    go(paths, &["mod", "download", SERVER_MODULE])
        .await
        .context("downloading the server module from the Go module proxy")?;
    go(
        paths,
        &[
            "build",
            "-trimpath",
            "-o",
            staging
                .join("mattermost")
                .to_str()
                .context("non-UTF-8 cache path")?,
            ".",
        ],
    )
    .await
    .context("building the server")?;
    let module_dir = go(paths, &["list", "-m", "-f", "{{.Dir}}", SERVER_MODULE]).await?;
    let module_dir = PathBuf::from(module_dir.trim());
    for asset in RUNTIME_ASSETS {
        copy_tree(&module_dir.join(asset), &staging.join(asset))
            .with_context(|| format!("copying {asset}/ from {}", module_dir.display()))?;
    }
    // The web app is not built; an empty client directory keeps the server
    // from looking for one elsewhere.
    std::fs::create_dir_all(staging.join("client"))?;
    std::fs::write(staging.join(COMPLETE_MARKER), &pseudo_version)?;
    remove_if_present(&dir)?;
    std::fs::rename(&staging, &dir)
        .with_context(|| format!("could not move the build to {}", dir.display()))?;
    Ok(ServerBuild {
        dir,
        pseudo_version,
        reused: false,
        took: started.elapsed(),
    })
}

/// Where builds and Go's caches live between runs on the same machine.
/// Falls back to the target directory where the shared cache is unusable.
pub fn cache_root(target_dir: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("PAUSENHOF_CACHE_DIR") {
        return PathBuf::from(dir).join("mattermost");
    }
    let shared = PathBuf::from("/var/cache/pausenhof/mattermost");
    if std::fs::create_dir_all(&shared).is_ok() && writable(&shared) {
        return shared;
    }
    target_dir.join("real-server-cache")
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".probe-{}", std::process::id()));
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

struct Inputs {
    go_mod: String,
    fingerprint: String,
}

fn read_inputs(wrapper: &Path) -> Result<Inputs> {
    let mut hasher = Sha256::new();
    let mut go_mod = String::new();
    for name in ["go.mod", "go.sum", "main.go"] {
        let path = wrapper.join(name);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        if name == "go.mod" {
            go_mod = text;
        }
    }
    let fingerprint = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    Ok(Inputs {
        go_mod,
        fingerprint,
    })
}

/// The server module's version as required in the wrapper's go.mod.
pub fn pinned_version(go_mod: &str) -> Result<String> {
    go_mod
        .lines()
        .map(str::trim)
        .map(|line| line.strip_prefix("require ").unwrap_or(line))
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(SERVER_MODULE))
                .then(|| words.next().map(str::to_owned))
                .flatten()
        })
        .with_context(|| format!("go.mod does not require {SERVER_MODULE}"))
}

/// `go` from PATH, else the usual install location of the official
/// toolchain (a CI shell may not have it on PATH).
fn go_program() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join("go").is_file()))
        .unwrap_or(false);
    let fallback = Path::new("/usr/local/go/bin/go");
    if !on_path && fallback.is_file() {
        fallback.to_path_buf()
    } else {
        PathBuf::from("go")
    }
}

async fn check_go() -> Result<()> {
    match Command::new(go_program()).arg("version").output().await {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => bail!(
            "`go version` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => bail!("Go is needed to build the real server but was not found: {error}"),
    }
}

async fn go(paths: &BuildPaths, args: &[&str]) -> Result<String> {
    let output = Command::new(go_program())
        .args(args)
        .current_dir(&paths.wrapper)
        .env("GOMODCACHE", paths.cache.join("gomod"))
        .env("GOCACHE", paths.cache.join("gocache"))
        .env("GOFLAGS", "-mod=readonly")
        .env("GONOSUMDB", NO_SUMDB)
        .env("GOTOOLCHAIN", "local")
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .with_context(|| format!("could not run go {}", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "`go {}` failed ({}):\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn remove_if_present(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error).with_context(|| format!("could not remove {}", dir.display())),
    }
}

/// Copies a directory tree; files from the module cache are read-only, the
/// copies get ordinary permissions so a later cleanup can remove them.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::write(&target, std::fs::read(entry.path())?)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_version_is_read_from_the_require_block() {
        let go_mod = "module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/mattermost/mattermost/server/v8 v8.0.0-20260113162330-9e1d4c2072c0 // indirect\n)\n";
        assert_eq!(
            pinned_version(go_mod).unwrap(),
            "v8.0.0-20260113162330-9e1d4c2072c0"
        );
        let single = "module x\nrequire github.com/mattermost/mattermost/server/v8 v8.0.0-1-abc\n";
        assert_eq!(pinned_version(single).unwrap(), "v8.0.0-1-abc");
        assert!(pinned_version("module x\n").is_err());
    }

    #[test]
    fn the_repository_pins_a_server_version() {
        let go_mod = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/mattermost/go.mod"),
        )
        .unwrap();
        let version = pinned_version(&go_mod).unwrap();
        let release = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/mattermost/RELEASE.md"),
        )
        .unwrap();
        assert!(
            release.contains(&version),
            "RELEASE.md does not name the pinned {version}"
        );
    }

    #[test]
    fn copies_nested_trees() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("a/b")).unwrap();
        std::fs::write(from.path().join("a/b/c.txt"), "hello").unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_tree(from.path(), &to.path().join("copy")).unwrap();
        assert_eq!(
            std::fs::read_to_string(to.path().join("copy/a/b/c.txt")).unwrap(),
            "hello"
        );
    }
}
