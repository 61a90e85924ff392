//! The check APK: the `fdroid` flavour assembled from what the Maven build
//! of `android/` already made, signed with a throwaway key, verified, and
//! scanned for Google and tracking code and for permissions the app does not
//! need.
//!
//! Inputs (all under `android/target/`, written by `mvn test`): the
//! compiled classes, the resource APK that aapt2 linked
//! (`aapt/resources.ap_`, manifest included), the runtime classpath and
//! D8 (`apk-tools/`). Nothing is compiled twice. The APK has no native
//! library: the core for ARM needs the NDK (see the Gradle build).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::bindings::target_dir;
use crate::steps::{run_command, workspace_root};

const MIN_SDK: &str = "21";

/// Packages whose classes must not be in the APK: Google's proprietary
/// services and Firebase (F-Droid's NonFreeDep), and analytics, crash
/// reporting and attribution SDKs (F-Droid's Tracking).
const FORBIDDEN_PACKAGES: &[&str] = &[
    "com.google.android.gms.",
    "com.google.firebase.",
    "com.google.android.datatransport.",
    "com.google.android.play.core.",
    "com.google.android.play.integrity.",
    "com.google.analytics.",
    "com.google.android.apps.analytics.",
    "com.huawei.hms.",
    "com.crashlytics.",
    "io.fabric.",
    "com.facebook.",
    "com.flurry.",
    "com.mixpanel.",
    "com.amplitude.",
    "com.appsflyer.",
    "com.adjust.sdk.",
    "com.segment.analytics.",
    "com.onesignal.",
    "com.microsoft.appcenter.",
    "com.newrelic.",
    "com.bugsnag.",
    "io.sentry.",
    "io.branch.",
    "com.instabug.",
    "com.yandex.metrica.",
    "com.mapbox.android.telemetry.",
];

/// The permissions the app may ask for; each is justified in the README
/// ("Permissions"). Anything else in the manifest fails the check.
const ALLOWED_PERMISSIONS: &[&str] = &[
    "android.permission.INTERNET",
    "android.permission.ACCESS_NETWORK_STATE",
    "android.permission.POST_NOTIFICATIONS",
    "android.permission.FOREGROUND_SERVICE",
    "android.permission.FOREGROUND_SERVICE_REMOTE_MESSAGING",
    "android.permission.WAKE_LOCK",
];

/// Builds, signs, verifies and scans the check APK; returns its path.
pub fn check_apk() -> Result<PathBuf> {
    let android = workspace_root().join("android");
    let target = android.join("target");
    let classes = target.join("classes");
    let resources = target.join("aapt/resources.ap_");
    let tools = target.join("apk-tools");
    let d8 = tools.join("r8.jar");
    let classpath_file = tools.join("runtime-classpath.txt");
    let connector = target.join("aar/connector/classes.jar");
    for (what, path) in [
        ("the compiled app", &classes),
        ("the linked resources", &resources),
        ("D8 (com.android.tools:r8)", &d8),
        ("the runtime classpath", &classpath_file),
        ("the UnifiedPush connector", &connector),
    ] {
        if !path.exists() {
            bail!(
                "{what} is missing at {}: the Maven build of android/ (`mvn test`) makes it",
                path.display()
            );
        }
    }
    let android_jar = framework_jar(&target.join("android-sdk"))?;
    for tool in ["zipalign", "apksigner", "keytool", "aapt"] {
        if Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .map_or(true, |output| !output.status.success())
        {
            bail!("the check APK needs `{tool}` (Debian packages zipalign, apksigner, aapt; keytool comes with the JDK)");
        }
    }

    let out = target.join("apk");
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("clearing {}", out.display()))?;
    }
    let dex_dir = out.join("dex");
    std::fs::create_dir_all(&dex_dir)?;

    // The app's classes and every jar it runs with, into classes*.dex. D8
    // takes jars and class files, not folders: the classes go into a jar.
    let app_jar = out.join("app-classes.jar");
    let mut jar = Command::new("jar");
    jar.arg("--create")
        .arg("--file")
        .arg(&app_jar)
        .arg("-C")
        .arg(&classes)
        .arg(".");
    run_quietly(jar, "jar")?;
    let classpath = std::fs::read_to_string(&classpath_file)?;
    let mut libraries: Vec<PathBuf> = vec![connector];
    for jar in classpath.trim().split(':').filter(|jar| !jar.is_empty()) {
        let jar = PathBuf::from(jar);
        if !libraries.contains(&jar) {
            libraries.push(jar);
        }
    }
    let d8 = D8 {
        jar: d8,
        android_jar,
        java_home: java_home()?,
    };
    let libraries_dex = d8.libraries(&libraries)?;
    let mut dex = d8.command();
    for library in &libraries {
        dex.arg("--classpath").arg(library);
    }
    dex.arg("--output")
        .arg(&dex_dir)
        .arg(&app_jar)
        .arg(&libraries_dex);
    run_command(dex).context("D8")?;

    // The resource APK plus the dex files; `aapt add` stores them under
    // the names given, so it runs in the dex folder.
    let unaligned = out.join("unaligned.apk");
    std::fs::copy(&resources, &unaligned)?;
    let mut dex_files: Vec<String> = std::fs::read_dir(&dex_dir)?
        .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    dex_files.sort();
    let mut add = Command::new("aapt");
    add.current_dir(&dex_dir)
        .arg("add")
        .arg(&unaligned)
        .args(&dex_files);
    run_quietly(add, "aapt add")?;

    let aligned = out.join("aligned.apk");
    let mut align = Command::new("zipalign");
    align.args(["-f", "-p", "4"]).arg(&unaligned).arg(&aligned);
    run_quietly(align, "zipalign")?;

    // A key that lives as long as this build: the check proves the APK can
    // be signed and verified, not who made it.
    let keys = tempfile::tempdir()?;
    let keystore = keys.path().join("throwaway.p12");
    let secret = format!("throwaway-{}", std::process::id());
    let password = format!("pass:{secret}");
    let mut keytool = Command::new("keytool");
    keytool
        .args(["-genkeypair", "-storetype", "PKCS12", "-keystore"])
        .arg(&keystore)
        .args(["-alias", "check", "-keyalg", "RSA", "-keysize", "2048"])
        .args(["-validity", "2", "-dname", "CN=Pausenhof check build"])
        .args(["-storepass", &secret, "-keypass", &secret]);
    run_quietly(keytool, "keytool")?;

    let apk = out.join("pausenhof-fdroid-check.apk");
    let mut sign = Command::new("apksigner");
    sign.args(["sign", "--ks"])
        .arg(&keystore)
        .args(["--ks-pass", &password, "--min-sdk-version", MIN_SDK])
        .arg("--out")
        .arg(&apk)
        .arg(&aligned);
    run_quietly(sign, "apksigner sign")?;
    let mut verify = Command::new("apksigner");
    verify
        .args(["verify", "--min-sdk-version", MIN_SDK])
        .arg(&apk);
    run_quietly(verify, "apksigner verify")?;

    let scan = scan_apk(&apk)?;
    let size = std::fs::metadata(&apk)?.len();
    println!(
        "{}: {} bytes ({:.1} MiB, no native library), signed and verified; {} classes in {} dex files, none of Google's services or trackers; permissions: {}",
        apk.display(),
        size,
        size as f64 / (1024.0 * 1024.0),
        scan.classes,
        scan.dex_files,
        scan.permissions.join(", ")
    );
    Ok(apk)
}

/// D8 from Maven Central's `com.android.tools:r8`, run with `java -cp`.
struct D8 {
    jar: PathBuf,
    /// The framework (android-all, API 34).
    android_jar: PathBuf,
    /// android-all holds the framework without `java.*`; desugaring for API
    /// 21 needs the whole class hierarchy, so the JDK is a library too.
    java_home: PathBuf,
}

impl D8 {
    fn command(&self) -> Command {
        let mut command = Command::new("java");
        command
            .arg("-cp")
            .arg(&self.jar)
            .arg("com.android.tools.r8.D8")
            .args(["--release", "--min-api", MIN_SDK, "--lib"])
            .arg(&self.android_jar)
            .arg("--lib")
            .arg(&self.java_home);
        command
    }

    /// The libraries' dex (D8's intermediate form, merged into the APK's
    /// dex by the last run), kept beside the build outputs under a key of
    /// the jars and D8: libraries change only with the POM, and dexing them
    /// is most of D8's time.
    fn libraries(&self, libraries: &[PathBuf]) -> Result<PathBuf> {
        let mut hasher = Sha256::new();
        for file in std::iter::once(&self.jar).chain(libraries) {
            let length = std::fs::metadata(file)
                .with_context(|| format!("reading {}", file.display()))?
                .len();
            hasher.update(format!("{}:{length}\n", file.display()));
        }
        let key: String = hasher
            .finalize()
            .iter()
            .take(12)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let cache = target_dir()?.join("android-dex-cache");
        let dexed = cache.join(format!("libraries-{key}.zip"));
        if dexed.exists() {
            println!("libraries' dex from {}", dexed.display());
            return Ok(dexed);
        }
        std::fs::create_dir_all(&cache)?;
        // Written under another name first: an interrupted run must not
        // leave a half file that a later run takes for finished.
        let partial = cache.join(format!("libraries-{key}.partial.zip"));
        let mut command = self.command();
        command
            .arg("--intermediate")
            .arg("--output")
            .arg(&partial)
            .args(libraries);
        run_command(command).context("D8 (libraries)")?;
        std::fs::rename(&partial, &dexed)?;
        Ok(dexed)
    }
}

/// The android-all jar the Maven build compiled against, as D8's library.
fn framework_jar(dir: &Path) -> Result<PathBuf> {
    std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "jar"))
        .with_context(|| format!("no android-all jar in {}", dir.display()))
}

/// The running JDK (`JAVA_HOME`, else what `java` reports).
fn java_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        return Ok(PathBuf::from(home));
    }
    let output = Command::new("java")
        .args(["-XshowSettings:properties", "-version"])
        .output()
        .context("running java")?;
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .find_map(|line| line.trim().strip_prefix("java.home = "))
        .map(PathBuf::from)
        .context("java does not say its java.home")
}

/// Runs a tool whose output matters only when it fails.
fn run_quietly(mut command: Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("could not start {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed with {}:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

struct Scan {
    dex_files: usize,
    classes: usize,
    permissions: Vec<String>,
}

/// Reads every `classes*.dex` of the APK and its manifest's permissions;
/// fails on a forbidden class or a permission off the allow-list.
fn scan_apk(apk: &Path) -> Result<Scan> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(apk)?)
        .with_context(|| format!("reading {} as a zip", apk.display()))?;
    let mut dex_files = 0;
    let mut types = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        let name = entry.name()?.to_string();
        if !(name.starts_with("classes") && name.ends_with(".dex")) {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        types.extend(dex_types(&bytes).with_context(|| format!("reading {name}"))?);
        dex_files += 1;
    }
    if dex_files == 0 {
        bail!("{} holds no classes.dex", apk.display());
    }
    let forbidden = forbidden_types(&types);
    if !forbidden.is_empty() {
        bail!(
            "the F-Droid APK holds {} classes of Google services or trackers, e.g. {}",
            forbidden.len(),
            forbidden
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let dump = Command::new("aapt")
        .args(["dump", "permissions"])
        .arg(apk)
        .output()
        .context("running aapt dump permissions")?;
    if !dump.status.success() {
        bail!(
            "aapt dump permissions failed: {}",
            String::from_utf8_lossy(&dump.stderr)
        );
    }
    let permissions = permissions_in_dump(&String::from_utf8_lossy(&dump.stdout));
    let unexpected = unexpected_permissions(&permissions);
    if !unexpected.is_empty() {
        bail!(
            "the manifest asks for permissions not on the allow-list (justify them in the README and in xtask/src/apk.rs first): {}",
            unexpected.join(", ")
        );
    }
    Ok(Scan {
        dex_files,
        classes: types.len(),
        permissions,
    })
}

/// Every type a dex file defines or refers to, as dotted class names
/// (`com.example.Foo`); arrays and primitives left out.
fn dex_types(dex: &[u8]) -> Result<Vec<String>> {
    if dex.len() < 0x70 || !dex.starts_with(b"dex\n") {
        bail!("not a dex file");
    }
    let u32_at = |offset: usize| -> Result<usize> {
        let bytes = dex
            .get(offset..offset + 4)
            .context("dex offset beyond the file")?;
        Ok(u32::from_le_bytes(bytes.try_into().expect("four bytes")) as usize)
    };
    let string_ids_off = u32_at(0x3c)?;
    let type_ids_size = u32_at(0x40)?;
    let type_ids_off = u32_at(0x44)?;
    let mut names = Vec::with_capacity(type_ids_size);
    for type_index in 0..type_ids_size {
        let descriptor_index = u32_at(type_ids_off + 4 * type_index)?;
        let mut at = u32_at(string_ids_off + 4 * descriptor_index)?;
        // string_data_item: the length in UTF-16 units (uleb128), then
        // MUTF-8 bytes up to a zero byte.
        loop {
            let byte = *dex.get(at).context("dex string beyond the file")?;
            at += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = dex[at..]
            .iter()
            .position(|&byte| byte == 0)
            .context("unterminated dex string")?;
        let descriptor = String::from_utf8_lossy(&dex[at..at + end]);
        if let Some(class) = descriptor
            .strip_prefix('L')
            .and_then(|rest| rest.strip_suffix(';'))
        {
            names.push(class.replace('/', "."));
        }
    }
    Ok(names)
}

fn forbidden_types(types: &[String]) -> Vec<String> {
    types
        .iter()
        .filter(|name| {
            FORBIDDEN_PACKAGES
                .iter()
                .any(|package| name.starts_with(package))
        })
        .cloned()
        .collect()
}

/// The names in `aapt dump permissions` output
/// (`uses-permission: name='android.permission.INTERNET'`).
fn permissions_in_dump(dump: &str) -> Vec<String> {
    dump.lines()
        .filter(|line| line.starts_with("uses-permission"))
        .filter_map(|line| line.split('\'').nth(1))
        .map(str::to_string)
        .collect()
}

fn unexpected_permissions(permissions: &[String]) -> Vec<String> {
    permissions
        .iter()
        .filter(|permission| !ALLOWED_PERMISSIONS.contains(&permission.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dex file with just a header, string ids, strings and type ids:
    /// enough for `dex_types`, which reads nothing else.
    fn dex_referring_to(descriptors: &[&str]) -> Vec<u8> {
        let count = descriptors.len();
        let string_ids_off = 0x70;
        let type_ids_off = string_ids_off + 4 * count;
        let mut data_off = type_ids_off + 4 * count;
        let mut dex = vec![0u8; data_off];
        dex[..8].copy_from_slice(b"dex\n035\0");
        let put = |dex: &mut Vec<u8>, at: usize, value: usize| {
            dex[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes());
        };
        put(&mut dex, 0x38, count);
        put(&mut dex, 0x3c, string_ids_off);
        put(&mut dex, 0x40, count);
        put(&mut dex, 0x44, type_ids_off);
        for (index, descriptor) in descriptors.iter().enumerate() {
            put(&mut dex, string_ids_off + 4 * index, data_off);
            put(&mut dex, type_ids_off + 4 * index, index);
            // Lengths below 128 are one uleb128 byte.
            dex.push(descriptor.len() as u8);
            dex.extend_from_slice(descriptor.as_bytes());
            dex.push(0);
            data_off = dex.len();
        }
        dex
    }

    #[test]
    fn dex_types_are_read_as_class_names() {
        let dex = dex_referring_to(&[
            "I",
            "Lde/pausenhof/app/ui/HomeActivity;",
            "[Ljava/lang/String;",
        ]);
        assert_eq!(
            dex_types(&dex).unwrap(),
            vec!["de.pausenhof.app.ui.HomeActivity"]
        );
    }

    #[test]
    fn a_dex_with_a_firebase_class_fails_the_scan() {
        let dex = dex_referring_to(&[
            "Lde/pausenhof/app/PausenhofApp;",
            "Lcom/google/firebase/messaging/FirebaseMessagingService;",
        ]);
        let forbidden = forbidden_types(&dex_types(&dex).unwrap());
        assert_eq!(
            forbidden,
            vec!["com.google.firebase.messaging.FirebaseMessagingService"]
        );
    }

    #[test]
    fn google_services_and_trackers_are_forbidden_and_free_google_code_is_not() {
        let types: Vec<String> = [
            "com.google.android.gms.tasks.Task",
            "io.sentry.Sentry",
            "com.google.crypto.tink.aead.AeadConfig",
            "kotlinx.coroutines.Job",
            "com.sun.jna.Native",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            forbidden_types(&types),
            vec!["com.google.android.gms.tasks.Task", "io.sentry.Sentry"]
        );
    }

    #[test]
    fn a_truncated_dex_is_an_error_not_a_panic() {
        let dex = dex_referring_to(&["Lde/pausenhof/app/PausenhofApp;"]);
        assert!(dex_types(&dex[..0x80]).is_err());
        assert!(dex_types(b"PK\x03\x04").is_err());
    }

    #[test]
    fn permissions_off_the_allow_list_are_reported() {
        let dump = "package: de.pausenhof.app\n\
                    uses-permission: name='android.permission.INTERNET'\n\
                    uses-permission: name='android.permission.READ_CONTACTS'\n\
                    uses-permission-sdk-23: name='android.permission.ACCESS_FINE_LOCATION'\n";
        let permissions = permissions_in_dump(dump);
        assert_eq!(permissions.len(), 3);
        assert_eq!(
            unexpected_permissions(&permissions),
            vec![
                "android.permission.READ_CONTACTS",
                "android.permission.ACCESS_FINE_LOCATION"
            ]
        );
    }
}
