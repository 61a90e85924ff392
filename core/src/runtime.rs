//! The tokio runtime the core's background work runs on.
//!
//! A client spawns only on the runtime handle it was built with, never on
//! "whatever runtime the calling thread happens to have": a synchronous call
//! from a UI thread has none, and `tokio::spawn` would panic there.

use std::sync::LazyLock;

static SHARED: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("pausenhof")
        .enable_all()
        .build()
        .expect("the tokio runtime could not be started")
});

/// The process-wide runtime the core starts for callers that bring none
/// (the app bindings).
pub fn shared() -> tokio::runtime::Handle {
    SHARED.handle().clone()
}

/// The runtime of the calling context, or the shared one outside any.
pub(crate) fn current_or_shared() -> tokio::runtime::Handle {
    tokio::runtime::Handle::try_current().unwrap_or_else(|_| shared())
}
