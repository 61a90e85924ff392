//! Notifications from the websocket while the app is in the background
//! (the "background connection" delivery, and any socket still open in
//! background with another delivery): the same rules as for a push.

use tokio::sync::{broadcast, mpsc};

use super::Client;
use crate::error::Result;
use crate::push::consent::current_consent;
use crate::push::{evaluate, Notification};

/// Notifications still unread by the app before new ones are dropped.
const QUEUE: usize = 64;

/// The stream of background notifications. Dropping it stops the task.
pub struct BackgroundNotifications {
    receiver: mpsc::Receiver<Notification>,
    task: tokio::task::JoinHandle<()>,
}

impl BackgroundNotifications {
    /// The next notification; `None` once the connection was stopped
    /// (sign-out, [`Client::stop_realtime`]).
    pub async fn next(&mut self) -> Option<Notification> {
        self.receiver.recv().await
    }
}

impl Drop for BackgroundNotifications {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Client {
    /// Turns every new post that
    /// arrives while the app is in the background
    /// ([`LifecycleInput::Background`](crate::realtime::LifecycleInput))
    /// into a notification, when the user consented to notifications and
    /// the rules say so. Posts arriving in the foreground, or before the
    /// latest consent decision, notify nothing. For the background
    /// connection delivery the app also sends
    /// `LifecycleInput::KeepBackgroundConnection(true)`, or the socket
    /// closes after the background grace period. Needs
    /// [`Client::start_realtime`] first.
    pub fn background_notifications(&self) -> Result<BackgroundNotifications> {
        let running = self.live()?.ok_or(crate::error::Error::NotStarted)?;
        let mut events = running.posted_events();
        let account = self.account()?;
        let client = self.clone();
        let (sender, receiver) = mpsc::channel(QUEUE);
        let task = self.inner.runtime.spawn(async move {
            loop {
                let event = match events.recv().await {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "push: background notifications fell behind");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let push = &client.inner.push;
                if !push.received_in_background(event.received_at)
                    || !push.consent_unchanged_since(event.received_at)
                {
                    continue;
                }
                let Some(me) = client.current_user().filter(|u| u.id == account.user_id) else {
                    break;
                };
                let status = running.status_of(&me.id);
                let locale = client.locale();
                let result = account
                    .store
                    .read(move |conn| {
                        if current_consent(conn)?.granted_delivery().is_none() {
                            return Ok(None);
                        }
                        evaluate(
                            conn,
                            &me,
                            status.as_deref(),
                            &event.post_id,
                            Some(&event.mentions),
                            false,
                            locale,
                        )
                    })
                    .await;
                match result {
                    Ok(Some((_, Some(notification)))) => {
                        if sender.send(notification).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(error = %error, "push: background notification failed")
                    }
                }
            }
        });
        Ok(BackgroundNotifications { receiver, task })
    }
}
