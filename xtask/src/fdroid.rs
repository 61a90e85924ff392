//! The "f-droid metadata" step: what F-Droid reads besides the code.
//!
//! - `fastlane/metadata/android/<locale>/`: the store texts within F-Droid's
//!   length limits, a changelog for every version code the recipe builds,
//!   and the screenshots that the app's tests render (`android/screenshots`).
//! - `fdroid/metadata/<app id>.yml`: the build recipe in fdroiddata's
//!   format, with one SPDX licence id, no anti-features, and the same Rust
//!   toolchain and NDK as the Gradle build pins
//!   (`android/gradle/libs.versions.toml`).
//! - `fdroid lint` and `fdroid rewritemeta --list` from PyPI's fdroidserver,
//!   installed into a virtualenv beside the build outputs when missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::bindings::target_dir;
use crate::steps::workspace_root;

pub const APP_ID: &str = "de.pausenhof.app";

/// The fastlane locales and the folder of `android/screenshots` each shows.
const LOCALES: [(&str, &str); 2] = [("en-US", "en"), ("de-DE", "de")];

/// F-Droid's limits, in characters.
const TEXT_LIMITS: [(&str, usize); 3] = [
    ("title.txt", 50),
    ("short_description.txt", 80),
    ("full_description.txt", 4000),
];
const CHANGELOG_LIMIT: usize = 500;

/// The fdroidserver release the check runs: a new one may add lint rules, so
/// it moves by a commit, not by itself.
const FDROIDSERVER: &str = "fdroidserver==2.4.5";

pub fn check() -> Result<()> {
    let root = workspace_root();
    let recipe_path = root.join(format!("fdroid/metadata/{APP_ID}.yml"));
    let recipe = std::fs::read_to_string(&recipe_path)
        .with_context(|| format!("reading {}", recipe_path.display()))?;
    let catalogue_path = root.join("android/gradle/libs.versions.toml");
    let catalogue = std::fs::read_to_string(&catalogue_path)
        .with_context(|| format!("reading {}", catalogue_path.display()))?;

    let mut problems = recipe_problems(&recipe, &catalogue);
    problems.extend(fastlane_problems(
        &root.join("fastlane/metadata/android"),
        &root.join("android/screenshots"),
        &version_codes(&recipe),
    )?);
    if !problems.is_empty() {
        bail!("F-Droid metadata:\n  {}", problems.join("\n  "));
    }
    println!("fastlane texts within F-Droid's limits; recipe pins the Gradle build's toolchains");
    run_fdroidserver(&root.join("fdroid"))
}

/// What is wrong with the recipe on its own and against the Gradle build.
fn recipe_problems(recipe: &str, catalogue: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let licences: Vec<&str> = recipe
        .lines()
        .filter_map(|line| line.strip_prefix("License:"))
        .map(str::trim)
        .collect();
    match licences.as_slice() {
        [licence] if is_single_spdx_id(licence) => {}
        [licence] => problems.push(format!(
            "License `{licence}` is not one SPDX licence id (F-Droid takes one, not an expression)"
        )),
        _ => problems.push("the recipe needs exactly one `License:` line".to_string()),
    }
    if recipe
        .lines()
        .any(|line| line.trim_start().starts_with("AntiFeatures"))
    {
        problems.push("the recipe declares anti-features; the app must have none".to_string());
    }
    if version_codes(recipe).is_empty() {
        problems.push("the recipe has no build with a versionCode".to_string());
    }

    for (key, field, recipe_marker) in [
        ("rust", "the Rust toolchain", "--default-toolchain "),
        ("ndk", "the NDK", "ndk: "),
        ("cargo-ndk", "cargo-ndk", "cargo-ndk --version "),
    ] {
        let Some(pinned) = catalogue_version(catalogue, key) else {
            problems.push(format!("libs.versions.toml pins no `{key}`"));
            continue;
        };
        let in_recipe: Vec<&str> = recipe
            .split(recipe_marker)
            .skip(1)
            .filter_map(|rest| rest.split_whitespace().next())
            .collect();
        if in_recipe.is_empty() {
            problems.push(format!("the recipe does not pin {field}"));
        }
        for version in in_recipe {
            if version != pinned {
                problems.push(format!(
                    "the recipe builds with {field} {version}, the Gradle build pins {pinned}"
                ));
            }
        }
    }
    problems
}

/// One SPDX id such as `Apache-2.0` or `GPL-3.0-or-later`: no spaces, so no
/// `OR`/`AND` expression.
fn is_single_spdx_id(licence: &str) -> bool {
    !licence.is_empty()
        && licence
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

/// `key = "value"` from the `[versions]` table of a version catalogue.
fn catalogue_version(catalogue: &str, key: &str) -> Option<String> {
    catalogue.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        (name.trim() == key).then(|| value.trim().trim_matches('"').to_string())
    })
}

fn version_codes(recipe: &str) -> Vec<u64> {
    recipe
        .lines()
        .filter_map(|line| line.trim().strip_prefix("versionCode:"))
        .filter_map(|code| code.trim().parse().ok())
        .collect()
}

/// What is wrong with the fastlane folder: missing or too long texts, a
/// missing changelog, missing screenshots.
fn fastlane_problems(
    fastlane: &Path,
    screenshots: &Path,
    version_codes: &[u64],
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (locale, screenshot_language) in LOCALES {
        let dir = fastlane.join(locale);
        for (file, limit) in TEXT_LIMITS {
            problems.extend(text_problem(&dir.join(file), limit)?);
        }
        for code in version_codes {
            let changelog = dir.join(format!("changelogs/{code}.txt"));
            if !changelog.exists() {
                problems.push(format!("{} is missing", changelog.display()));
            }
        }
        let changelogs = dir.join("changelogs");
        if changelogs.is_dir() {
            for entry in sorted_entries(&changelogs)? {
                problems.extend(text_problem(&entry, CHANGELOG_LIMIT)?);
            }
        }

        let rendered = screenshots.join(screenshot_language);
        let listed = dir.join("images/phoneScreenshots");
        for screenshot in sorted_entries(&rendered)? {
            let name = screenshot.file_name().expect("a listed file has a name");
            let copy = listed.join(name);
            match std::fs::read(&copy) {
                Ok(bytes) if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => {}
                Ok(_) => problems.push(format!("{} is not a PNG", copy.display())),
                Err(_) => problems.push(format!(
                    "{} is missing: copy it from {}",
                    copy.display(),
                    screenshot.display()
                )),
            }
        }
    }
    Ok(problems)
}

/// A problem when the file is missing, empty or longer than `limit`
/// characters (not bytes: German texts are mostly one byte a character, not
/// all).
fn text_problem(path: &Path, limit: usize) -> Result<Option<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(format!("{} is missing", path.display())))
        }
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    let length = text.trim().chars().count();
    Ok(if length == 0 {
        Some(format!("{} is empty", path.display()))
    } else if length > limit {
        Some(format!(
            "{} has {length} characters, F-Droid allows {limit}",
            path.display()
        ))
    } else {
        None
    })
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// `fdroid lint` and `fdroid rewritemeta --list` on a copy of `fdroid/`
/// (both write caches and folders next to the metadata).
fn run_fdroidserver(fdroid_dir: &Path) -> Result<()> {
    let Some(fdroid) = fdroidserver()? else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    for folder in ["config", "metadata"] {
        copy_dir(&fdroid_dir.join(folder), &work.path().join(folder))?;
    }
    let run = |args: &[&str]| -> Result<std::process::Output> {
        Command::new(&fdroid)
            .current_dir(work.path())
            .args(args)
            .output()
            .with_context(|| format!("running {} {}", fdroid.display(), args.join(" ")))
    };
    let lint = run(&["lint", APP_ID])?;
    if !lint.status.success() {
        bail!(
            "fdroid lint {APP_ID} failed:\n{}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
    }
    let rewrite = run(&["rewritemeta", "--list", APP_ID])?;
    let listed = String::from_utf8_lossy(&rewrite.stdout);
    if !rewrite.status.success() || !listed.trim().is_empty() {
        bail!(
            "fdroid rewritemeta would rewrite the recipe (run `fdroid rewritemeta {APP_ID}` in fdroid/):\n{listed}{}",
            String::from_utf8_lossy(&rewrite.stderr)
        );
    }
    println!("fdroid lint: clean; fdroid rewritemeta --list: nothing to rewrite");
    Ok(())
}

/// The `fdroid` command: on the PATH, or from the virtualenv beside the
/// build outputs (in CI the cache, so it is installed once). `None` when pip
/// cannot install it here, said plainly, so the length checks still count.
fn fdroidserver() -> Result<Option<PathBuf>> {
    if Command::new("fdroid").arg("--version").output().is_ok() {
        return Ok(Some(PathBuf::from("fdroid")));
    }
    let venv = target_dir()?.join("fdroidserver-venv");
    let fdroid = venv.join("bin/fdroid");
    if fdroid.exists() {
        return Ok(Some(fdroid));
    }
    let started = Instant::now();
    println!("installing {FDROIDSERVER} into {}", venv.display());
    let installed = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", FDROIDSERVER])
            .status()
            .is_ok_and(|status| status.success());
    if !installed || !fdroid.exists() {
        // A half-made virtualenv would be taken for a finished one next time.
        let _ = std::fs::remove_dir_all(&venv);
        println!(
            "SKIPPED fdroid lint and rewritemeta: pip could not install {FDROIDSERVER} (needs python3 with venv and PyPI)"
        );
        return Ok(None);
    }
    println!(
        "installed {FDROIDSERVER} in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(Some(fdroid))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in sorted_entries(from)? {
        let target = to.join(entry.file_name().expect("a listed file has a name"));
        if entry.is_dir() {
            copy_dir(&entry, &target)?;
        } else {
            std::fs::copy(&entry, &target)
                .with_context(|| format!("copying {}", entry.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &str =
        "[versions]\nrust = \"1.95.0\"\nndk = \"27.2.12479018\"\ncargo-ndk = \"4.1.2\"\n";

    fn recipe(licence: &str, toolchain: &str, ndk: &str) -> String {
        format!(
            "License: {licence}\nBuilds:\n  - versionName: 0.1.0\n    versionCode: 12\n    \
             prebuild:\n      - rustup-init.sh -y --default-toolchain {toolchain}\n      \
             - cargo install cargo-ndk --version 4.1.2 --locked\n    ndk: {ndk}\n"
        )
    }

    #[test]
    fn a_recipe_pinning_the_gradle_toolchains_passes() {
        let recipe = recipe("Apache-2.0", "1.95.0", "27.2.12479018");
        assert_eq!(recipe_problems(&recipe, CATALOGUE), Vec::<String>::new());
        assert_eq!(version_codes(&recipe), vec![12]);
    }

    #[test]
    fn a_licence_expression_or_anti_feature_fails() {
        let dual = recipe("MIT OR Apache-2.0", "1.95.0", "27.2.12479018");
        assert_eq!(recipe_problems(&dual, CATALOGUE).len(), 1);
        let tracking = format!(
            "{}AntiFeatures:\n  Tracking: {{}}\n",
            recipe("Apache-2.0", "1.95.0", "27.2.12479018")
        );
        assert_eq!(recipe_problems(&tracking, CATALOGUE).len(), 1);
    }

    #[test]
    fn toolchains_other_than_gradle_pins_fail() {
        let problems = recipe_problems(&recipe("Apache-2.0", "stable", "r26"), CATALOGUE);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    /// A fastlane tree for one version code with texts of the given
    /// lengths, and one rendered screenshot per language.
    fn fastlane_tree(title: &str, changelog: &str) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (locale, language) in LOCALES {
            let dir = root.path().join("fastlane").join(locale);
            std::fs::create_dir_all(dir.join("changelogs")).unwrap();
            std::fs::create_dir_all(dir.join("images/phoneScreenshots")).unwrap();
            std::fs::write(dir.join("title.txt"), title).unwrap();
            std::fs::write(dir.join("short_description.txt"), "a".repeat(80)).unwrap();
            std::fs::write(dir.join("full_description.txt"), "b".repeat(4000)).unwrap();
            std::fs::write(dir.join("changelogs/12.txt"), changelog).unwrap();
            std::fs::write(
                dir.join("images/phoneScreenshots/1-home.png"),
                b"\x89PNG\r\n\x1a\n",
            )
            .unwrap();
            let rendered = root.path().join("screenshots").join(language);
            std::fs::create_dir_all(&rendered).unwrap();
            std::fs::write(rendered.join("1-home.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        }
        root
    }

    fn problems_of(root: &Path) -> Vec<String> {
        fastlane_problems(&root.join("fastlane"), &root.join("screenshots"), &[12]).unwrap()
    }

    #[test]
    fn texts_at_the_limits_pass() {
        // 50 characters, 100 bytes: the limit counts characters.
        let tree = fastlane_tree(&"ü".repeat(50), &"c".repeat(500));
        assert_eq!(problems_of(tree.path()), Vec::<String>::new());
    }

    #[test]
    fn a_title_or_changelog_over_the_limit_fails() {
        let tree = fastlane_tree(&"t".repeat(51), "fine");
        let problems = problems_of(tree.path());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("51 characters, F-Droid allows 50"));

        let tree = fastlane_tree("Pausenhof", &"c".repeat(501));
        assert_eq!(problems_of(tree.path()).len(), 2);
    }

    #[test]
    fn a_missing_changelog_or_screenshot_fails() {
        let tree = fastlane_tree("Pausenhof", "fine");
        let en = tree.path().join("fastlane/en-US");
        std::fs::remove_file(en.join("changelogs/12.txt")).unwrap();
        std::fs::remove_file(en.join("images/phoneScreenshots/1-home.png")).unwrap();
        let problems = problems_of(tree.path());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems
            .iter()
            .any(|p| p.contains("changelogs/12.txt is missing")));
        assert!(problems.iter().any(|p| p.contains("1-home.png is missing")));
    }

    #[test]
    fn the_committed_metadata_holds() {
        let root = workspace_root();
        let recipe =
            std::fs::read_to_string(root.join(format!("fdroid/metadata/{APP_ID}.yml"))).unwrap();
        let catalogue =
            std::fs::read_to_string(root.join("android/gradle/libs.versions.toml")).unwrap();
        assert_eq!(recipe_problems(&recipe, &catalogue), Vec::<String>::new());
        let problems = fastlane_problems(
            &root.join("fastlane/metadata/android"),
            &root.join("android/screenshots"),
            &version_codes(&recipe),
        )
        .unwrap();
        assert_eq!(problems, Vec::<String>::new());
    }
}
