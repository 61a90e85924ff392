//! The listener and the HTTP connections, with the switches fault injection
//! needs: close the listener, cut every connection, cut one connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tower::ServiceExt;

/// Put into each request's extensions: notifying it cuts that request's
/// connection (used to drop a response after its handler ran).
#[derive(Clone)]
pub struct ConnectionKill(pub Arc<Notify>);

pub struct Net {
    addr: SocketAddr,
    router: Router,
    /// HTTPS when set; a handshake that fails or stalls ends the connection.
    tls: Option<tokio_rustls::TlsAcceptor>,
    runtime: tokio::runtime::Handle,
    /// The listener lives here, not in the accept task, so that going down
    /// closes the port at once, before the aborted task is dropped.
    listener: Arc<Mutex<Option<TcpListener>>>,
    accept_task: Mutex<Option<JoinHandle<()>>>,
    /// Every connection ends when this generation changes.
    cut_all: watch::Sender<u64>,
    down: AtomicBool,
}

impl Net {
    /// Binds `listen` and starts accepting.
    pub async fn bind(
        listen: SocketAddr,
        router: Router,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> std::io::Result<Arc<Net>> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (cut_all, _) = watch::channel(0);
        let net = Arc::new(Net {
            addr,
            router,
            tls: tls.map(tokio_rustls::TlsAcceptor::from),
            runtime: tokio::runtime::Handle::current(),
            listener: Arc::new(Mutex::new(None)),
            accept_task: Mutex::new(None),
            cut_all,
            down: AtomicBool::new(false),
        });
        net.start_accepting(listener);
        Ok(net)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    fn start_accepting(self: &Arc<Self>, listener: TcpListener) {
        *self.listener.lock().unwrap_or_else(|e| e.into_inner()) = Some(listener);
        let net = Arc::clone(self);
        let slot = Arc::clone(&self.listener);
        let task = self.runtime.spawn(async move {
            loop {
                let accepted = std::future::poll_fn(|cx| {
                    let guard = slot.lock().unwrap_or_else(|e| e.into_inner());
                    match guard.as_ref() {
                        Some(listener) => listener.poll_accept(cx).map(Some),
                        None => std::task::Poll::Ready(None),
                    }
                })
                .await;
                match accepted {
                    None => return,
                    Some(Ok((stream, _))) => {
                        let _ = stream.set_nodelay(true);
                        net.serve_connection(stream);
                    }
                    // Transient accept errors (e.g. too many open files).
                    Some(Err(_)) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
                }
            }
        });
        let mut slot = self.accept_task.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = slot.replace(task) {
            old.abort();
        }
    }

    fn serve_connection(&self, stream: tokio::net::TcpStream) {
        let kill = Arc::new(Notify::new());
        let router = self.router.clone();
        let kill_for_requests = kill.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(ConnectionKill(kill_for_requests.clone()));
                router.clone().oneshot(req.map(Body::new))
            });
        let mut cut_all = self.cut_all.subscribe();
        let tls = self.tls.clone();
        self.runtime.spawn(async move {
            let serve = async {
                let stream: Box<dyn Io> = match tls {
                    None => Box::new(stream),
                    Some(acceptor) => {
                        let handshake = tokio::time::timeout(
                            std::time::Duration::from_secs(10),
                            acceptor.accept(stream),
                        );
                        match handshake.await {
                            Ok(Ok(stream)) => Box::new(stream),
                            _ => return,
                        }
                    }
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            };
            tokio::select! {
                _ = serve => {}
                _ = kill.notified() => {}
                _ = cut_all.changed() => {}
            }
        });
    }

    /// Closes the listener and cuts every open HTTP connection.
    pub fn go_down(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = self
            .accept_task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            task.abort();
        }
        self.cut_all.send_modify(|g| *g += 1);
    }

    /// Listens again on the same address.
    pub fn go_up(self: &Arc<Self>) -> std::io::Result<()> {
        if !self.is_down() {
            return Ok(());
        }
        let _guard = self.runtime.enter();
        let socket = if self.addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        // Old connections to the port may linger in TIME_WAIT.
        socket.set_reuseaddr(true)?;
        socket.bind(self.addr)?;
        let listener = socket.listen(1024)?;
        self.down.store(false, Ordering::SeqCst);
        self.start_accepting(listener);
        Ok(())
    }

    /// Stops everything for good.
    pub fn shutdown(&self) {
        self.go_down();
    }
}

/// A plain or TLS connection, for the one HTTP server loop.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for S {}
