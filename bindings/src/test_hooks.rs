//! Functions that exist only for the foreign-language tests (feature
//! `test-hooks`): they reach paths an app cannot, such as a panic, to prove
//! that the boundary turns it into an exception instead of a crash.
//! Names start with `test_hook` so the API listing leaves them out.

/// Panics with `message`; the caller must see an exception, not a crash.
#[uniffi::export]
pub fn test_hook_panic(message: String) {
    panic!("{message}");
}

/// Panics inside a task on the core's runtime, behind an async call: the
/// awaiting coroutine must see an exception.
#[uniffi::export(async_runtime = "tokio")]
pub async fn test_hook_panic_async(message: String) {
    crate::runtime::run(async move { panic!("{message}") }).await
}
