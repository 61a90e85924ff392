//! The one tokio runtime all core work runs on: the core's own.
//!
//! Foreign executors (Kotlin coroutines, Swift tasks) poll the futures UniFFI
//! hands them; the core's futures spawn tasks and need a tokio context, so
//! each exported async function runs its body as a task on this runtime and
//! the foreign side only awaits the join handle. Awaiting a join handle
//! needs no tokio context, so the exports do without UniFFI's
//! `async_runtime = "tokio"` (which wraps every exported future in one more
//! generic adapter and, outside a runtime, starts a runtime of its own).
//! Background work (realtime, outbox, subscriptions) lives here too and
//! outlives the call that started it.

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use tokio::sync::oneshot;

static RUNTIME: LazyLock<tokio::runtime::Handle> = LazyLock::new(pausenhof_core::runtime::shared);

pub(crate) fn handle() -> &'static tokio::runtime::Handle {
    &RUNTIME
}

/// What [`run`] spawns: one boxed type for every exported function.
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs `future` on the runtime and waits for it. A panic inside is
/// re-raised here, where UniFFI turns it into a foreign exception instead
/// of an abort; if the foreign side drops the call, the task is aborted.
///
/// The task is spawned boxed and hands its value back through a channel:
/// tokio's task harness (its poll, drop and join code) then exists once in
/// the library instead of once per exported async function.
pub(crate) async fn run<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (sender, mut receiver) = oneshot::channel();
    run_task(Box::pin(async move {
        // The caller may have gone; then nobody wants the value.
        let _ = sender.send(future.await);
    }))
    .await;
    match receiver.try_recv() {
        Ok(value) => value,
        // The task completed, and only completing sends.
        Err(_) => panic!("core task ended without its value"),
    }
}

/// Spawns `task` and waits until it has completed (re-raising its panic).
async fn run_task(task: Task) {
    let mut task = AbortOnDrop(handle().spawn(task));
    match (&mut task.0).await {
        Ok(()) => {}
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only `AbortOnDrop` aborts, and then nobody is waiting any more.
        Err(_) => panic!("core task ended unexpectedly"),
    }
}

/// A join handle that aborts its task when the awaiting call is dropped
/// (a cancelled coroutine must not leave work running).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_returns_the_value_and_reraises_a_panic() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            assert_eq!(run(async { 6 * 7 }).await, 42);
            let text = run(async { String::from("from the core") }).await;
            assert_eq!(text, "from the core");
        });
        let panicked = std::panic::catch_unwind(|| {
            runtime.block_on(run(async {
                if true {
                    panic!("inside the core");
                }
            }))
        })
        .unwrap_err();
        assert_eq!(panicked.downcast_ref::<&str>(), Some(&"inside the core"));
    }

    #[test]
    fn dropping_the_call_aborts_the_task() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (started, mut started_rx) = oneshot::channel();
            let (guard, guard_rx) = oneshot::channel::<()>();
            let call = tokio::spawn(run(async move {
                let _guard = guard;
                let _ = started.send(());
                std::future::pending::<()>().await;
            }));
            // Wait until the core task runs, then drop the call.
            while started_rx.try_recv().is_err() {
                tokio::task::yield_now().await;
            }
            call.abort();
            // The core task's state (here: the guard) is dropped with it.
            guard_rx.await.unwrap_err();
        });
    }
}
