//! The one tokio runtime all core work runs on: the core's own.
//!
//! Foreign executors (Kotlin coroutines, Swift tasks) poll the futures UniFFI
//! hands them; the core's futures spawn tasks and need a tokio context, so
//! each exported async function runs its body as a task on this runtime and
//! the foreign side only awaits the join handle. Background work (realtime,
//! outbox, subscriptions) lives here too and outlives the call that
//! started it.

use std::future::Future;
use std::sync::LazyLock;

static RUNTIME: LazyLock<tokio::runtime::Handle> = LazyLock::new(pausenhof_core::runtime::shared);

pub(crate) fn handle() -> &'static tokio::runtime::Handle {
    &RUNTIME
}

/// Runs `future` on the runtime and waits for it. A panic inside is
/// re-raised here, where UniFFI turns it into a foreign exception instead
/// of an abort; if the foreign side drops the call, the task is aborted.
pub(crate) async fn run<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut task = AbortOnDrop(handle().spawn(future));
    match task.await_result().await {
        Ok(value) => value,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only `AbortOnDrop` aborts, and then nobody is waiting any more.
        Err(_) => panic!("core task ended unexpectedly"),
    }
}

/// A join handle that aborts its task when the awaiting call is dropped
/// (a cancelled coroutine must not leave work running).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn await_result(&mut self) -> Result<T, tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
