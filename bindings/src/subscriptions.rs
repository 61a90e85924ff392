//! Subscriptions: a foreign listener gets the current state first, then
//! every change, until the returned `TaskHandle` is cancelled or dropped.

use std::sync::Arc;

use crate::client::Client;
use crate::runtime;
use crate::session::SessionState;
use crate::task_handle::TaskHandle;

/// Receives the session state: signed out, signed in, expired.
#[uniffi::export(with_foreign)]
pub trait SessionStateListener: Send + Sync {
    fn on_session_state(&self, state: SessionState);
}

#[uniffi::export]
impl Client {
    /// The session state now, then every change.
    pub fn subscribe_session_state(
        &self,
        listener: Arc<dyn SessionStateListener>,
    ) -> Arc<TaskHandle> {
        let mut states = self.core.session_state();
        let task = runtime::handle().spawn(async move {
            loop {
                let state = SessionState::from(&*states.borrow_and_update());
                listener.on_session_state(state);
                if states.changed().await.is_err() {
                    return;
                }
            }
        });
        Arc::new(TaskHandle::new(task.abort_handle()))
    }
}
