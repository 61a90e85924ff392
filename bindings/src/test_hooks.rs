//! Functions that exist only for the foreign-language tests (feature
//! `test-hooks`): they reach paths an app cannot, such as a panic, to prove
//! that the boundary turns it into an exception instead of a crash.
//! Names start with `test_hook` so the API listing leaves them out.

/// Panics with `message`; the caller must see an exception, not a crash.
#[uniffi::export]
pub fn test_hook_panic(message: String) {
    panic!("{message}");
}
