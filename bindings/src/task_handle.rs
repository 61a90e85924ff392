//! The handle a subscription returns: `cancel()` (or dropping it) stops the
//! listener's task.

use tokio::task::AbortHandle;

/// Stops a running subscription. Cancelling twice is harmless; the handle
/// also cancels when it is closed or garbage-collected.
#[derive(uniffi::Object)]
pub struct TaskHandle {
    task: AbortHandle,
}

impl TaskHandle {
    pub(crate) fn new(task: AbortHandle) -> Self {
        TaskHandle { task }
    }
}

#[uniffi::export]
impl TaskHandle {
    /// Stops the subscription. A listener call already running on another
    /// thread finishes; no new one starts.
    pub fn cancel(&self) {
        self.task.abort();
    }

    /// Whether the subscription's task has ended (cancelled, or its source
    /// went away). After `cancel` this turns true once the task is gone.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_and_drop_stop_the_task() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let task = tokio::spawn(std::future::pending::<()>());
            let handle = TaskHandle::new(task.abort_handle());
            assert!(!handle.is_finished());
            handle.cancel();
            handle.cancel();
            assert!(task.await.unwrap_err().is_cancelled());
            assert!(handle.is_finished());
            handle.cancel();

            let task = tokio::spawn(std::future::pending::<()>());
            drop(TaskHandle::new(task.abort_handle()));
            assert!(task.await.unwrap_err().is_cancelled());
        });
    }
}
