//! `cargo xtask bindings` and the "kotlin tests" step of `cargo xtask test`.
//!
//! Both build the `pausenhof-ffi` cdylib, generate Kotlin and Swift from it
//! with the workspace's own `uniffi-bindgen` (so generator and scaffolding
//! are the same UniFFI version) into `build/bindings/{kotlin,swift}` (as
//! the apps get them) and `build/bindings/kotlin-jvm` (the same Kotlin
//! without Android's cleaner, for the JVM tests), and
//! render `bindings/API.md` from the library's metadata. `bindings` writes
//! API.md; the test step fails when the committed file differs, then runs
//! the Maven project in `bindings/kotlin` against the fresh library.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::steps::{cargo, run_command, workspace_root};

const FFI_CRATE: &str = "pausenhof-ffi";
const LIBRARY_STEM: &str = "pausenhof_ffi";

/// What a generation run produced.
pub(crate) struct Generated {
    /// The built cdylib the bindings were generated from.
    library: PathBuf,
    /// The folder holding the library and the other debug binaries.
    binaries: PathBuf,
    /// `bindings/API.md` as rendered from this library.
    api_listing: String,
}

/// `cargo xtask bindings`: generate Kotlin + Swift and rewrite API.md.
pub fn bindings(args: &[String]) -> Result<()> {
    if let Some(unknown) = args.first() {
        bail!("`bindings` takes no arguments, got `{unknown}`");
    }
    let generated = generate(false)?;
    std::fs::write(api_md_path(), &generated.api_listing).context("writing bindings/API.md")?;
    println!(
        "generated from {}:\n  {}\n  {}\n  {}\n  {}",
        generated.library.display(),
        kotlin_out_dir().display(),
        kotlin_jvm_out_dir().display(),
        swift_out_dir().display(),
        api_md_path().display()
    );
    Ok(())
}

/// The "kotlin tests" step: bindings with the test hooks, API.md check, and
/// the Maven tests (which start the test server binary themselves).
pub fn kotlin_tests() -> Result<()> {
    let generated = build_for_foreign_tests()?;
    check_api_listing(&generated.api_listing)?;

    let testserver = generated.binaries.join(format!(
        "pausenhof-testserver{}",
        std::env::consts::EXE_SUFFIX
    ));
    let mut maven = Command::new("mvn");
    maven
        .current_dir(workspace_root().join("bindings/kotlin"))
        .args(["--batch-mode", "--no-transfer-progress", "test"])
        .arg(format!(
            "-Dpausenhof.lib.dir={}",
            generated.binaries.display()
        ))
        .arg(format!("-Dpausenhof.testserver={}", testserver.display()))
        .arg(format!(
            "-Dpausenhof.generated.dir={}",
            kotlin_jvm_out_dir().display()
        ));
    run_command(maven).context("the Kotlin tests need Maven (`mvn`) and a JDK 17")
}

/// What the Kotlin and Android tests run against: the test server, the
/// library with the test hooks, and the Kotlin generated from it.
pub(crate) fn build_for_foreign_tests() -> Result<Generated> {
    run_command(cargo(&[
        "build",
        "--package",
        "pausenhof-testserver",
        "--bin",
        "pausenhof-testserver",
    ]))?;
    generate(true)
}

/// The library with the test hooks and what is generated from it, without
/// the test server: what the Kotlin step built, so nothing compiles again.
pub(crate) fn generate_for_foreign_tests() -> Result<Generated> {
    generate(true)
}

impl Generated {
    pub(crate) fn library(&self) -> &Path {
        &self.library
    }
}

fn generate(with_test_hooks: bool) -> Result<Generated> {
    let mut build = vec![
        "build",
        "--package",
        FFI_CRATE,
        "--package",
        "uniffi-bindgen",
    ];
    if with_test_hooks {
        build.extend(["--features", "pausenhof-ffi/test-hooks"]);
    }
    run_command(cargo(&build))?;

    let binaries = target_dir()?.join("debug");
    let library = binaries.join(library_file_name());
    let bindgen = binaries.join(format!("uniffi-bindgen{}", std::env::consts::EXE_SUFFIX));

    let jvm_config = workspace_root().join("bindings/kotlin/uniffi-jvm.toml");
    for (language, out_dir, config) in [
        ("kotlin", kotlin_out_dir(), None),
        ("kotlin", kotlin_jvm_out_dir(), Some(&jvm_config)),
        ("swift", swift_out_dir(), None),
    ] {
        if out_dir.exists() {
            std::fs::remove_dir_all(&out_dir)
                .with_context(|| format!("clearing {}", out_dir.display()))?;
        }
        let mut command = Command::new(&bindgen);
        command
            .current_dir(workspace_root())
            .arg("generate")
            .arg(&library)
            .args(["--language", language, "--no-format", "--out-dir"])
            .arg(&out_dir);
        if let Some(config) = config {
            command.arg("--config").arg(config);
        }
        run_command(command)?;
        if !contains_files(&out_dir)? {
            bail!(
                "uniffi-bindgen wrote no {language} files into {}",
                out_dir.display()
            );
        }
    }

    let output = Command::new(&bindgen)
        .arg("api-listing")
        .arg(&library)
        .output()
        .context("running uniffi-bindgen api-listing")?;
    if !output.status.success() {
        bail!(
            "uniffi-bindgen api-listing failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let api_listing = String::from_utf8(output.stdout).context("API listing is not UTF-8")?;
    Ok(Generated {
        library,
        binaries,
        api_listing,
    })
}

fn check_api_listing(fresh: &str) -> Result<()> {
    let committed = std::fs::read_to_string(api_md_path()).unwrap_or_default();
    if let Some(line) = first_difference(&committed, fresh) {
        bail!(
            "bindings/API.md is out of date (first difference at line {line}); \
             run `cargo xtask bindings` and commit the result"
        );
    }
    Ok(())
}

/// The 1-based number of the first line where the texts differ, if any.
fn first_difference(committed: &str, fresh: &str) -> Option<usize> {
    if committed == fresh {
        return None;
    }
    let mut committed_lines = committed.lines();
    let mut fresh_lines = fresh.lines();
    let mut line = 1;
    loop {
        match (committed_lines.next(), fresh_lines.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            _ => return Some(line),
        }
    }
}

fn contains_files(dir: &Path) -> Result<bool> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_file() || (path.is_dir() && contains_files(&path)?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Cargo's target directory, honouring CARGO_TARGET_DIR and config files.
pub(crate) fn target_dir() -> Result<PathBuf> {
    let output = cargo(&["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata has no target_directory")?;
    Ok(PathBuf::from(dir))
}

pub(crate) fn library_file_name() -> String {
    format!(
        "{}{LIBRARY_STEM}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

pub(crate) fn kotlin_out_dir() -> PathBuf {
    workspace_root().join("build/bindings/kotlin")
}

fn kotlin_jvm_out_dir() -> PathBuf {
    workspace_root().join("build/bindings/kotlin-jvm")
}

pub(crate) fn swift_out_dir() -> PathBuf {
    workspace_root().join("build/bindings/swift")
}

fn api_md_path() -> PathBuf {
    workspace_root().join("bindings/API.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_listings_have_no_difference() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    }

    #[test]
    fn the_first_differing_line_is_reported() {
        assert_eq!(first_difference("a\nb\nc\n", "a\nx\nc\n"), Some(2));
        assert_eq!(first_difference("a\n", "a\nb\n"), Some(2));
        assert_eq!(first_difference("", "a\n"), Some(1));
    }

    #[test]
    fn the_library_name_matches_the_crate() {
        assert!(library_file_name().contains(LIBRARY_STEM));
    }
}
