//! Pausenhof's core as seen by Kotlin and Swift.

uniffi::setup_scaffolding!();

/// The version of the Rust library, for the app's "about" screen.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(feature = "test-hooks")]
mod test_hooks;
