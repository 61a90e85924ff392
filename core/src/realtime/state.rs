//! What the outside world sees of the connection, and what it tells it.

use std::time::SystemTime;

/// The connection's state, published through a `watch` channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Opening the socket (or waiting for the server's first answer).
    Connecting,
    /// Open and authenticated; events flow.
    Connected,
    /// The last attempt failed or the socket dropped; the next attempt is
    /// at `at` (`attempt` counts consecutive failures).
    WaitingToReconnect { at: SystemTime, attempt: u32 },
    /// Deliberately not connected.
    Offline(OfflineReason),
    /// The server rejected the session: sign in again. No more attempts.
    SessionExpired,
    /// Shut down for good.
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineReason {
    /// The app reported that there is no network.
    NoNetwork,
    /// The app is in the background and the grace period is over.
    Background,
}

/// Inputs from the app's lifecycle and the platform's network monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleInput {
    Foreground,
    Background,
    /// Keep the socket open in the background (e.g. while a call or an
    /// upload runs); `false` returns to the normal grace period.
    KeepBackgroundConnection(bool),
    NetworkUp,
    NetworkDown,
    /// The network changed (Wi-Fi to mobile): the old socket may be dead
    /// without knowing it, so reconnect at once.
    NetworkChanged,
    /// Another part of the core saw the session expire (a REST 401).
    SessionExpired,
    Shutdown,
}
