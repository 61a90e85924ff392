//! The "ios checks" step: what can be checked of the iOS app without a
//! Swift toolchain or Xcode (the README says what only a Mac can do).
//!
//! - The C header UniFFI generated for Swift passes `cc -fsyntax-only`
//!   (Clang when there, else GCC without Clang's nullability qualifiers),
//!   and every function it declares is exported by the cdylib the Kotlin
//!   step built (the same library the iOS static library is built from).
//! - `ios/checks/swift_checks.py` with tree-sitter-swift from PyPI (in a
//!   virtualenv beside the build outputs): every Swift file of the app and
//!   the generated bindings parses; every `Client` call, type and case the
//!   app names exists in the bindings; the texts are complete in English
//!   and German.
//! - `ios/build-core.sh` is valid shell.
//! - The App Store texts in `fastlane/metadata/ios/<locale>/` are there in
//!   German and English within Apple's limits, and the privacy answers say
//!   that no data is collected.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::{self, target_dir};
use crate::steps::{run_command, workspace_root};

/// Pinned: a new grammar may read Swift differently, so it moves by a commit.
const TREE_SITTER: [&str; 2] = ["tree-sitter==0.26.1", "tree-sitter-swift==0.7.4"];

pub fn checks() -> Result<()> {
    // The Kotlin step built the library and generated from it: this finds
    // both up to date and compiles nothing.
    let generated = bindings::generate_for_foreign_tests()?;
    let swift_dir = bindings::swift_out_dir();
    let header = swift_dir.join("PausenhofFFIFFI.h");
    let swift = swift_dir.join("PausenhofFFI.swift");

    check_header_compiles(&swift_dir)?;

    let text = std::fs::read_to_string(&header)
        .with_context(|| format!("reading {}", header.display()))?;
    let declared = declared_functions(&text);
    if declared.is_empty() {
        bail!("{} declares no functions", header.display());
    }
    let exported = exported_symbols(generated.library())?;
    let missing: Vec<&String> = declared.difference(&exported).collect();
    if !missing.is_empty() {
        bail!(
            "the header declares {} function(s) the library does not export: {missing:?}",
            missing.len()
        );
    }
    println!(
        "header compiles; its {} functions are all exported by {}",
        declared.len(),
        generated.library().display()
    );

    let mut shell = Command::new("bash");
    shell
        .arg("-n")
        .arg(workspace_root().join("ios/build-core.sh"));
    run_command(shell)?;

    let problems = app_store_problems(&workspace_root().join("fastlane/metadata/ios"))?;
    if !problems.is_empty() {
        bail!("App Store metadata:\n  {}", problems.join("\n  "));
    }
    println!("App Store texts within Apple's limits in de-DE and en-US; no data collected");

    let python = tree_sitter_python()?;
    let script = workspace_root().join("ios/checks/swift_checks.py");
    let mut self_test = Command::new(&python);
    self_test.arg(&script).arg("--self-test");
    run_command(self_test).context("the Swift checks do not catch what they should")?;
    let mut check = Command::new(python);
    check
        .arg(&script)
        .arg(&swift)
        .arg(workspace_root().join("ios"));
    run_command(check).context("the Swift checks failed")
}

/// Apple's limits, in characters.
const APP_STORE_LIMITS: [(&str, usize); 4] = [
    ("name.txt", 30),
    ("subtitle.txt", 30),
    ("keywords.txt", 100),
    ("description.txt", 4000),
];

fn app_store_problems(metadata: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for locale in ["de-DE", "en-US"] {
        for (file, limit) in APP_STORE_LIMITS
            .iter()
            .chain([&("privacy_label.txt", usize::MAX)])
        {
            let path = metadata.join(locale).join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                problems.push(format!("{} is missing", path.display()));
                continue;
            };
            let length = text.trim_end().chars().count();
            if length == 0 {
                problems.push(format!("{} is empty", path.display()));
            } else if length > *limit {
                problems.push(format!(
                    "{} has {length} characters, Apple allows {limit}",
                    path.display()
                ));
            }
        }
    }
    let privacy_path = metadata.join("app_privacy_details.json");
    let privacy = std::fs::read_to_string(&privacy_path)
        .with_context(|| format!("reading {}", privacy_path.display()))?;
    let answers: serde_json::Value = serde_json::from_str(&privacy)
        .with_context(|| format!("{} is not JSON", privacy_path.display()))?;
    if answers != serde_json::json!([{ "data_protections": ["DATA_NOT_COLLECTED"] }]) {
        problems.push(format!(
            "{} must declare DATA_NOT_COLLECTED and nothing else",
            privacy_path.display()
        ));
    }
    Ok(problems)
}

/// `cc -fsyntax-only` on a file that includes the header (as the Swift
/// module map does). The nullability qualifiers (`_Nonnull`) are Clang's:
/// with Clang they are checked, with GCC (the `cc` of our machines) they
/// are defined away and everything else is.
fn check_header_compiles(swift_dir: &Path) -> Result<()> {
    let source = target_dir()?.join("ios-header-check.c");
    std::fs::write(&source, "#include \"PausenhofFFIFFI.h\"\n")
        .with_context(|| format!("writing {}", source.display()))?;
    let clang = Command::new("clang")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    let mut cc = Command::new(if clang { "clang" } else { "cc" });
    cc.args(["-fsyntax-only", "-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(swift_dir)
        .arg(&source);
    if !clang {
        cc.args(["-D_Nonnull=", "-D_Nullable=", "-D_Null_unspecified="]);
    }
    run_command(cc).context("the generated C header does not compile")
}

/// The functions a UniFFI header declares: every declaration that is not a
/// typedef, outside preprocessor lines and comments (each `UNIFFI_FFIDEF_`
/// block holds one).
fn declared_functions(header: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut statement = String::new();
    for line in header.lines() {
        let code = line.split("//").next().unwrap_or_default();
        if code.trim_start().starts_with('#') || code.trim().is_empty() {
            continue;
        }
        statement.push_str(code);
        statement.push(' ');
        if !code.trim_end().ends_with(';') {
            continue;
        }
        let done = std::mem::take(&mut statement);
        let trimmed = done.trim_start();
        if trimmed.starts_with("typedef") || trimmed.starts_with("struct") {
            continue;
        }
        let Some(open) = trimmed.find('(') else {
            continue;
        };
        let name: String = trimmed[..open]
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !name.is_empty() {
            names.insert(name);
        }
    }
    names
}

/// The functions a shared library exports (`nm -D --defined-only`).
fn exported_symbols(library: &Path) -> Result<BTreeSet<String>> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(library)
        .output()
        .context("running nm (binutils)")?;
    if !output.status.success() {
        bail!(
            "nm failed on {}: {}",
            library.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .map(str::to_owned)
        .collect())
}

/// A Python with tree-sitter and its Swift grammar, installed into a
/// virtualenv beside the build outputs when missing (in CI the cache, so
/// once per machine).
fn tree_sitter_python() -> Result<PathBuf> {
    let venv = target_dir()?.join("swift-syntax-venv");
    let python = venv.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import tree_sitter, tree_sitter_swift"])
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    println!(
        "installing {} into {}",
        TREE_SITTER.join(" "),
        venv.display()
    );
    let mut create = Command::new("python3");
    create.args(["-m", "venv"]).arg(&venv);
    run_command(create).context("the Swift checks need python3 with venv")?;
    let mut install = Command::new(venv.join("bin/pip"));
    install.args(["install", "--quiet"]).args(TREE_SITTER);
    run_command(install).context("pip could not install tree-sitter-swift")?;
    if !ready(&python) {
        bail!("tree-sitter-swift is installed but cannot be imported");
    }
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_app_store_texts_pass() {
        let problems = app_store_problems(&workspace_root().join("fastlane/metadata/ios")).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_long_subtitle_and_a_missing_locale_are_reported() {
        let dir = std::env::temp_dir().join(format!("pausenhof-ios-meta-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let de = dir.join("de-DE");
        std::fs::create_dir_all(&de).unwrap();
        for (file, _) in APP_STORE_LIMITS {
            std::fs::write(de.join(file), "Pausenhof\n").unwrap();
        }
        std::fs::write(de.join("privacy_label.txt"), "Keine Daten erfasst.\n").unwrap();
        std::fs::write(de.join("subtitle.txt"), "x".repeat(31)).unwrap();
        std::fs::write(
            dir.join("app_privacy_details.json"),
            r#"[{"data_protections":["DATA_NOT_COLLECTED"]}]"#,
        )
        .unwrap();
        let problems = app_store_problems(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            problems.iter().any(|p| p.contains("subtitle.txt has 31")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("en-US") && p.contains("missing")),
            "{problems:?}"
        );
    }

    #[test]
    fn functions_are_read_from_uniffi_declarations() {
        let header = "\
// If you change this #else block (ending in `#endif`) you must
#ifndef UNIFFI_FFIDEF_A
#define UNIFFI_FFIDEF_A
typedef void (*UniffiCallbackInterfaceFree)(uint64_t
);
#endif
typedef struct RustBuffer
{
    uint64_t capacity;
} RustBuffer;
#ifndef UNIFFI_FFIDEF_B
#define UNIFFI_FFIDEF_B
RustBuffer uniffi_pausenhof_ffi_fn_method_client_server_url(uint64_t ptr, RustCallStatus *_Nonnull out_status
);
#endif
void* _Nonnull ffi_pausenhof_ffi_rust_future_poll_u8(uint64_t handle);
";
        let names: Vec<String> = declared_functions(header).into_iter().collect();
        assert_eq!(
            names,
            [
                "ffi_pausenhof_ffi_rust_future_poll_u8",
                "uniffi_pausenhof_ffi_fn_method_client_server_url"
            ]
        );
    }
}
