//! The live services of one signed-in account: the websocket (with the
//! store sink it feeds), the outbox worker, and the tasks around them.
//!
//! Created only by [`Client::start_realtime`](crate::Client::start_realtime),
//! on the client's own runtime, and stopped by dropping it.

use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::api::ApiClient;
use crate::error::Error;
use crate::outbox::Outbox;
use crate::realtime::{
    self, CatchUpFn, LifecycleInput, PostedEvent, RealtimeConfig, RealtimeHandle, Statuses,
    StoreSink, TypingTracker,
};
use crate::session::SessionState;
use crate::store::Store;
use crate::sync::{sync, SyncOptions};

/// New posts a slow background-notification listener may fall behind.
const POSTED_EVENTS_CAPACITY: usize = 256;

/// What the live services of an account are built from.
pub(crate) struct LiveSetup {
    pub api: ApiClient,
    pub store: Store,
    pub outbox: Outbox<ApiClient>,
    pub user_id: String,
    pub server_url: url::Url,
    pub websocket_tls: Arc<rustls::ClientConfig>,
    pub session: watch::Receiver<SessionState>,
}

pub(crate) struct LiveServices {
    pub(crate) user_id: String,
    pub(crate) realtime: RealtimeHandle,
    pub(crate) typing: Arc<TypingTracker>,
    pub(crate) statuses: Arc<Statuses>,
    /// New posts from the websocket, once stored.
    posted: broadcast::Sender<Arc<PostedEvent>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl LiveServices {
    /// Starts everything on `runtime`. Takes no lock: the caller decides
    /// whether the result replaces a running set.
    pub(crate) fn start(
        setup: LiveSetup,
        runtime: &tokio::runtime::Handle,
    ) -> Result<LiveServices, Error> {
        let _context = runtime.enter();
        let LiveSetup {
            api,
            store,
            outbox,
            user_id,
            server_url,
            websocket_tls,
            mut session,
        } = setup;
        let token = api.token().ok_or(Error::Unauthorized)?;
        let catch_up: CatchUpFn = {
            let (api, store) = (api.clone(), store.clone());
            Arc::new(move || {
                let (api, store) = (api.clone(), store.clone());
                Box::pin(async move {
                    sync(&api, &store, &SyncOptions::default())
                        .await
                        .map(|_| ())
                        .map_err(Error::from)
                })
            })
        };
        let typing = Arc::new(TypingTracker::new());
        let statuses = Arc::new(Statuses::default());
        let (posted, _) = broadcast::channel(POSTED_EVENTS_CAPACITY);
        let sink = Arc::new(
            StoreSink::new(
                store.clone(),
                typing.clone(),
                statuses.clone(),
                catch_up,
                outbox.flush_signal(),
            )
            .with_posted_events(posted.clone()),
        );
        let authors_task = runtime.spawn(realtime::fetch_authors_of_live_posts(
            api,
            store,
            posted.subscribe(),
        ));
        let mut config = RealtimeConfig::new(server_url, token);
        config.tls = Some(websocket_tls);
        let (realtime, realtime_task) = realtime::spawn(config, sink);
        let outbox_task = runtime.spawn(outbox.run_worker(Some(realtime.state())));
        // A 401 anywhere ends the socket's attempts too.
        let handle = realtime.clone();
        let session_task = runtime.spawn(async move {
            if session
                .wait_for(|s| matches!(s, SessionState::Expired { .. }))
                .await
                .is_ok()
            {
                handle.input(LifecycleInput::SessionExpired);
            }
        });
        Ok(LiveServices {
            user_id,
            realtime,
            typing,
            statuses,
            posted,
            tasks: vec![realtime_task, outbox_task, session_task, authors_task],
        })
    }

    pub(crate) fn posted_events(&self) -> broadcast::Receiver<Arc<PostedEvent>> {
        self.posted.subscribe()
    }

    pub(crate) fn status_of(&self, user_id: &str) -> Option<String> {
        self.statuses.get(user_id)
    }
}

impl Drop for LiveServices {
    fn drop(&mut self) {
        self.realtime.input(LifecycleInput::Shutdown);
        for task in &self.tasks {
            task.abort();
        }
    }
}
