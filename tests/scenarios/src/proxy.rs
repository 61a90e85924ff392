//! A loopback TCP proxy between the client and the server under test that a
//! scenario can cut: the train entering the tunnel, for any server, real or
//! ours, without touching the server itself.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct CuttableProxy {
    local: SocketAddr,
    state: Arc<ProxyState>,
    accept_task: JoinHandle<()>,
}

struct ProxyState {
    cut: AtomicBool,
    /// Bumped on every cut so that live connections end at once.
    generation: watch::Sender<u64>,
}

impl CuttableProxy {
    /// Listens on 127.0.0.1:0 and forwards each connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let local = listener.local_addr()?;
        let (generation, _) = watch::channel(0);
        let state = Arc::new(ProxyState {
            cut: AtomicBool::new(false),
            generation,
        });
        let accept_state = state.clone();
        let accept_task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if accept_state.cut.load(Ordering::SeqCst) {
                    // Closing at once looks like a refused connection to the client.
                    drop(inbound);
                    continue;
                }
                let mut cut_signal = accept_state.generation.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let mut inbound = inbound;
                    tokio::select! {
                        _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut_signal.changed() => {}
                    }
                });
            }
        });
        Ok(Self {
            local,
            state,
            accept_task,
        })
    }

    /// The address clients should use instead of the server's.
    pub fn url(&self) -> String {
        format!("http://{}", self.local)
    }

    /// Drops every open connection and refuses new ones until `restore`.
    pub fn cut(&self) {
        self.state.cut.store(true, Ordering::SeqCst);
        self.state
            .generation
            .send_modify(|generation| *generation += 1);
    }

    pub fn restore(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
    }

    pub fn is_cut(&self) -> bool {
        self.state.cut.load(Ordering::SeqCst)
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.cut();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buffer = [0u8; 64];
                    while let Ok(read) = socket.read(&mut buffer).await {
                        if read == 0 || socket.write_all(&buffer[..read]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        address
    }

    async fn round_trip(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
        stream.write_all(b"ping").await?;
        let mut reply = [0u8; 4];
        stream.read_exact(&mut reply).await?;
        Ok(reply.to_vec())
    }

    #[tokio::test]
    async fn forwards_until_cut_then_refuses_until_restored() {
        let proxy = CuttableProxy::start(echo_server().await).await.unwrap();
        let address = proxy.local;

        let mut before = TcpStream::connect(address).await.unwrap();
        assert_eq!(round_trip(&mut before).await.unwrap(), b"ping");

        proxy.cut();
        assert!(
            round_trip(&mut before).await.is_err(),
            "live connection survives a cut"
        );
        let mut during = TcpStream::connect(address).await.unwrap();
        assert!(
            round_trip(&mut during).await.is_err(),
            "new connection works while cut"
        );

        proxy.restore();
        let mut after = TcpStream::connect(address).await.unwrap();
        assert_eq!(round_trip(&mut after).await.unwrap(), b"ping");
    }
}
