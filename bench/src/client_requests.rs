//! The client's own view of its requests: when it began each one and when
//! it had the answer, from the core's `http` spans. The recording proxy
//! sees a request only when it gets to handle it; it shares the two cores
//! with the test server, so while the server is busy a request sent
//! together with others reaches it after some of them have finished and
//! looks like a later round trip. Round trips are counted from this log.

use std::sync::{Arc, Mutex};

use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::recorder::now_us;

/// The name of the span the core opens around each HTTP request.
const REQUEST_SPAN: &str = "http";

/// `(began_us, answered_us)` of every request, in the order answers came.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<(u64, u64)>>>);

struct Began(u64);

impl RequestLog {
    /// Installs the log as the process's tracing subscriber.
    pub fn install() -> anyhow::Result<RequestLog> {
        use tracing_subscriber::layer::SubscriberExt;
        let log = RequestLog::default();
        let only_requests = tracing_subscriber::filter::filter_fn(|meta| {
            meta.is_span() && meta.name() == REQUEST_SPAN
        });
        let subscriber =
            tracing_subscriber::registry().with(log.clone().with_filter(only_requests));
        tracing::subscriber::set_global_default(subscriber)?;
        Ok(log)
    }

    pub fn take(&self) -> Vec<(u64, u64)> {
        self.0
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

impl<S> Layer<S> for RequestLog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() == REQUEST_SPAN {
            if let Some(span) = ctx.span(id) {
                span.extensions_mut().insert(Began(now_us()));
            }
        }
    }

    /// The span closes when the request's future is done: the answer is
    /// read (or the request failed).
    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(began) = span.extensions().get::<Began>().map(|b| b.0) else {
            return;
        };
        if let Ok(mut log) = self.0.lock() {
            log.push((began, now_us()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn logs_each_request_span_once_from_creation_to_close() {
        let log = RequestLog::default();
        let only_requests = tracing_subscriber::filter::filter_fn(|meta| {
            meta.is_span() && meta.name() == REQUEST_SPAN
        });
        let subscriber =
            tracing_subscriber::registry().with(log.clone().with_filter(only_requests));
        tracing::subscriber::with_default(subscriber, || {
            let first = tracing::debug_span!("http", path = "/a");
            let second = tracing::debug_span!("http", path = "/b");
            let other = tracing::debug_span!("sync_round");
            drop(first);
            drop(other);
            let _entered = second.enter();
        });
        let seen = log.take();
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|(began, answered)| began <= answered));
        assert!(log.take().is_empty());
    }
}
