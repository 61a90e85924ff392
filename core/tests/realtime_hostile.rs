//! A hostile websocket server of our own: malformed and hostile frames must
//! leave the client connected and the store intact; an oversized frame, a
//! frame that never ends, a sequence gap and a missing pong make it
//! reconnect (resuming), never crash.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use pausenhof_core::realtime::{ConnectionState, RealtimeConfig};
use pausenhof_core::session::SessionToken;
use pausenhof_core::store::Store;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// One accepted socket as the test sees it.
struct Accepted {
    /// The request's query (resume parameters).
    query: String,
    /// Frames to send.
    tx: mpsc::UnboundedSender<Message>,
    /// Ends the socket's normal life with raw bytes no frame parser likes.
    attack: mpsc::UnboundedSender<Attack>,
}

/// A frame that never ends, written as raw bytes.
#[derive(Clone, Copy)]
enum Attack {
    /// A text message whose fragments keep coming and never say "final".
    EndlessFragments,
    /// A frame that announces its length and then sends a byte now and then.
    Drip,
}

/// A websocket server that accepts sockets, answers the auth challenge and
/// pings (unless told not to), and lets the test send whatever it likes.
struct Hostile {
    url: String,
    accepted: mpsc::UnboundedReceiver<Accepted>,
    connections: Arc<AtomicUsize>,
    answer_pings: Arc<std::sync::atomic::AtomicBool>,
    /// Bytes of attacks written before the client hung up.
    attack_bytes: Arc<AtomicUsize>,
}

impl Hostile {
    async fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (accepted_tx, accepted) = mpsc::unbounded_channel();
        let connections = Arc::new(AtomicUsize::new(0));
        let answer_pings = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let attack_bytes = Arc::new(AtomicUsize::new(0));
        let (count, pings, written) = (
            connections.clone(),
            answer_pings.clone(),
            attack_bytes.clone(),
        );
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(
                    stream,
                    accepted_tx.clone(),
                    pings.clone(),
                    written.clone(),
                ));
            }
        });
        Hostile {
            url,
            accepted,
            connections,
            answer_pings,
            attack_bytes,
        }
    }

    async fn next_socket(&mut self) -> Accepted {
        within(Duration::from_secs(20), self.accepted.recv())
            .await
            .expect("a socket")
    }
}

async fn serve(
    stream: TcpStream,
    accepted: mpsc::UnboundedSender<Accepted>,
    answer_pings: Arc<std::sync::atomic::AtomicBool>,
    attack_bytes: Arc<AtomicUsize>,
) {
    let query = Arc::new(Mutex::new(String::new()));
    let seen = query.clone();
    // The callback's error type is tungstenite's; it never errs here.
    #[allow(clippy::result_large_err)]
    let callback = move |request: &Request, response: Response| {
        *seen.lock().unwrap() = request.uri().query().unwrap_or("").to_owned();
        Ok(response)
    };
    let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let (attack_tx, mut attacks) = mpsc::unbounded_channel::<Attack>();
    let query = query.lock().unwrap().clone();
    let _ = accepted.send(Accepted {
        query,
        tx: tx.clone(),
        attack: attack_tx,
    });
    let (mut sink, mut source): (
        futures_util::stream::SplitSink<WebSocketStream<TcpStream>, Message>,
        _,
    ) = socket.split();
    let attack = loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(m) => if sink.send(m).await.is_err() { return },
                None => return,
            },
            attack = attacks.recv() => match attack {
                Some(attack) => break attack,
                None => return,
            },
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                    let seq = v["seq"].as_i64().unwrap_or(0);
                    let answer = match v["action"].as_str() {
                        Some("authentication_challenge") => true,
                        Some("ping") => answer_pings.load(Ordering::SeqCst),
                        _ => false,
                    };
                    if answer {
                        let reply = json!({"status": "OK", "seq_reply": seq, "data": {"text": "pong"}});
                        if sink.send(Message::text(reply.to_string())).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(_)) => {}
                _ => return,
            },
        }
    };
    let Ok(mut socket) = sink.reunite(source) else {
        return;
    };
    write_endless(socket.get_mut(), attack, &attack_bytes).await;
}

/// Writes `attack` until the client hangs up (or a bound far past any
/// limit of the client's is reached, which the test then notices).
async fn write_endless(raw: &mut TcpStream, attack: Attack, written: &AtomicUsize) {
    use tokio::io::AsyncWriteExt;
    // Server frames are unmasked: FIN + opcode, then a 16-bit length.
    let header = |first: u8, len: u16| {
        let mut h = vec![first, 126];
        h.extend_from_slice(&len.to_be_bytes());
        h
    };
    match attack {
        Attack::EndlessFragments => {
            let chunk = vec![b'a'; 60_000];
            // Text, not final; then continuations, never final: 400 MB.
            for first in std::iter::once(0x01).chain(std::iter::repeat_n(0x00, 7_000)) {
                let mut frame = header(first, chunk.len() as u16);
                frame.extend_from_slice(&chunk);
                if raw.write_all(&frame).await.is_err() {
                    return;
                }
                written.fetch_add(frame.len(), Ordering::SeqCst);
            }
        }
        Attack::Drip => {
            if raw.write_all(&header(0x81, 1_000)).await.is_err() {
                return;
            }
            for _ in 0..1_000 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if raw.write_all(b"a").await.is_err() || raw.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

fn event(name: &str, seq: i64, data: Value) -> Message {
    Message::text(
        json!({"event": name, "seq": seq, "data": data,
               "broadcast": {"user_id": "", "channel_id": "c1", "team_id": "t1"}})
        .to_string(),
    )
}

fn hello(seq: i64, connection_id: &str) -> Message {
    event(
        "hello",
        seq,
        json!({"connection_id": connection_id, "server_version": "10.11.0"}),
    )
}

fn posted(seq: i64, id: &str) -> Message {
    let post = json!({"id": id, "channel_id": "c1", "user_id": "u2", "message": "echt",
                      "create_at": 1000 + seq, "update_at": 1000 + seq});
    event("posted", seq, json!({"post": post.to_string()}))
}

/// Frames that must all be skipped. Returns them with how many sequence
/// numbers they consume (numbered frames count even when their payload is
/// garbage).
fn hostile_frames(first_seq: i64) -> (Vec<Message>, i64) {
    let mut seq = first_seq;
    let mut frames = Vec::new();
    let huge = "x".repeat(1 << 20);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let mut kind = 0usize;
    while frames.len() < 200 {
        kind += 1;
        let frame = match kind % 20 {
            // Not numbered: no sequence number consumed.
            0 => Message::text(r#"{"event":"posted","data":{"post":"{\"id\":"#),
            1 => Message::binary(vec![0u8, 159, 146, 150, 255]),
            2 => Message::text("null"),
            3 => Message::text("[1,2,3]"),
            4 => Message::text(deep.clone()),
            5 => Message::text(format!(r#"{{"event":"posted","seq":"{seq}"}}"#)),
            6 => Message::text(format!("\"{huge}\"")),
            // Numbered with broken payloads: each consumes one.
            7 => numbered(&mut seq, "posted", json!({"post": 42})),
            8 => numbered(
                &mut seq,
                "posted",
                json!({"post": "{\"id\": \"p-x\", \"channel_id\": 7}"}),
            ),
            9 => numbered(
                &mut seq,
                "posted",
                json!({"post": json!({"id": "p-huge", "channel_id": "c1", "message": huge}).to_string()}),
            ),
            10 => numbered(&mut seq, "reaction_added", json!({"reaction": "{}"})),
            11 => numbered(&mut seq, "typing", json!({"user_id": huge})),
            12 => numbered(
                &mut seq,
                "multiple_channels_viewed",
                json!({"channel_times": {"c1": "gestern"}}),
            ),
            13 => numbered(&mut seq, "channel_updated", json!({"channel": "{\"id\":"})),
            14 => numbered(
                &mut seq,
                "plugin_event_we_never_heard_of",
                json!({"x": [1, {"y": null}]}),
            ),
            15 => numbered(&mut seq, "post_edited", json!({"post": deep.clone()})),
            16 => numbered(&mut seq, "user_updated", json!({"user": {"id": ["no"]}})),
            17 => numbered(
                &mut seq,
                "preferences_changed",
                json!({"preferences": "[{\"value\": true}]"}),
            ),
            18 => numbered(
                &mut seq,
                "posted",
                json!({"post": json!({"id": huge, "channel_id": "c1"}).to_string()}),
            ),
            _ => Message::text(
                json!({"event": "channel_viewed", "seq": seq, "data": "kein objekt"}).to_string(),
            ),
        };
        if kind % 20 == 19 {
            seq += 1;
        }
        frames.push(frame);
    }
    (frames, seq)
}

fn numbered(seq: &mut i64, name: &str, data: Value) -> Message {
    let m = event(name, *seq, data);
    *seq += 1;
    m
}

fn start_client(server_url: &str, store: &Store, tweak: impl FnOnce(&mut RealtimeConfig)) -> Live {
    let session = Session {
        api: pausenhof_core::api::ApiClient::new(
            pausenhof_core::net::ServerUrl::parse(server_url).unwrap(),
            reqwest_client(),
            limits(Duration::from_secs(5)),
        ),
        user_id: "me".into(),
        token: SessionToken::new("token-for-the-hostile-server"),
        url: server_url.to_owned(),
    };
    start_realtime(&session, store, no_catch_up(), tweak)
}

fn reqwest_client() -> reqwest::Client {
    let tls = pausenhof_core::net::build_tls_configs(&[]).unwrap();
    pausenhof_core::net::http::build_http_client(&tls, &limits(Duration::from_secs(5))).unwrap()
}

fn post_ids(store: &Store) -> Vec<String> {
    store
        .read_blocking(|c| {
            let mut stmt = c.prepare("SELECT id FROM posts ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_hostile_frames_leave_the_client_connected_and_the_store_intact() {
    let mut server = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), "me");
    let live = start_client(&server.url, &store, |_| {});
    let socket = server.next_socket().await;
    socket.tx.send(hello(0, "hostile-1")).unwrap();
    socket.tx.send(posted(1, "p-before")).unwrap();
    live.wait_connected().await;

    let (frames, next_seq) = hostile_frames(2);
    assert_eq!(frames.len(), 200);
    for frame in frames {
        socket.tx.send(frame).unwrap();
    }
    socket.tx.send(posted(next_seq, "p-after")).unwrap();
    eventually(&store, "the valid post after the hostile frames", |c| {
        count(c, "SELECT count(*) FROM posts WHERE id = 'p-after'") == 1
    })
    .await;

    assert_eq!(post_ids(&store), ["p-after", "p-before"]);
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "never reconnected"
    );
    assert_eq!(live.handle.current_state(), ConnectionState::Connected);
    let skipped = live.handle.counters().frames_skipped.load(Ordering::SeqCst);
    // The ten unknown events are ignored as such; the rest are errors,
    // skipped one by one.
    assert_eq!(skipped, 190, "every malformed frame was skipped");
    assert_eq!(live.handle.counters().gaps.load(Ordering::SeqCst), 0);
    let (resume, _) = store
        .read(pausenhof_core::realtime::read_resume_point)
        .await
        .unwrap();
    assert_eq!(resume.unwrap().next_seq, next_seq + 1);
    store.verify().await.expect("database intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_costs_the_socket_not_the_client() {
    let mut server = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), "me");
    let live = start_client(&server.url, &store, |_| {});
    let socket = server.next_socket().await;
    socket.tx.send(hello(0, "hostile-2")).unwrap();
    socket.tx.send(posted(1, "p1")).unwrap();
    live.wait_connected().await;
    let oversized = "y".repeat(pausenhof_core::realtime::events::MAX_MESSAGE_BYTES + 1);
    socket.tx.send(Message::text(oversized)).unwrap();

    // The client drops that socket and resumes right after the last event.
    let second = server.next_socket().await;
    assert!(
        second.query.contains("connection_id=hostile-2")
            && second.query.contains("sequence_number=2"),
        "resumes: {}",
        second.query
    );
    second.tx.send(posted(2, "p2")).unwrap();
    eventually(&store, "post after the reconnect", |c| {
        count(c, "SELECT count(*) FROM posts WHERE id = 'p2'") == 1
    })
    .await;
    assert_eq!(post_ids(&store), ["p1", "p2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_that_never_end_cost_the_socket_not_the_client() {
    let mut server = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), "me");
    let live = start_client(&server.url, &store, |c| {
        c.ping_interval = Duration::from_millis(300);
    });
    let socket = server.next_socket().await;
    socket.tx.send(hello(0, "hostile-6")).unwrap();
    socket.tx.send(posted(1, "p1")).unwrap();
    live.wait_connected().await;
    eventually(&store, "the first post", |c| {
        count(c, "SELECT count(*) FROM posts WHERE id = 'p1'") == 1
    })
    .await;

    // Fragments without end: the message outgrows the client's limit, the
    // client drops the socket and resumes after the last event.
    socket.attack.send(Attack::EndlessFragments).unwrap();
    let second = server.next_socket().await;
    // The client's 4 MiB limit ended it, not the server's 400 MB (socket
    // buffers on loopback hold a few MB more).
    let written = server.attack_bytes.load(Ordering::SeqCst);
    assert!(written < 32 << 20, "{written} bytes taken");
    assert!(
        second.query.contains("connection_id=hostile-6")
            && second.query.contains("sequence_number=2"),
        "resumes: {}",
        second.query
    );
    second.tx.send(posted(2, "p2")).unwrap();
    eventually(&store, "the post after the fragments", |c| {
        count(c, "SELECT count(*) FROM posts WHERE id = 'p2'") == 1
    })
    .await;

    // A frame that drips: no pong can come through it, so the client
    // gives up on the socket after a ping, not after the frame.
    second.attack.send(Attack::Drip).unwrap();
    let third = server.next_socket().await;
    assert!(
        third.query.contains("sequence_number=3"),
        "resumes: {}",
        third.query
    );
    third.tx.send(posted(3, "p3")).unwrap();
    eventually(&store, "the post after the drip", |c| {
        count(c, "SELECT count(*) FROM posts WHERE id = 'p3'") == 1
    })
    .await;
    assert_eq!(post_ids(&store), ["p1", "p2", "p3"]);
    assert_eq!(server.connections.load(Ordering::SeqCst), 3);
    store.verify().await.expect("database intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequence_gap_reconnects_and_resumes_at_the_missing_event() {
    let mut server = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), "me");
    let live = start_client(&server.url, &store, |_| {});
    let socket = server.next_socket().await;
    socket.tx.send(hello(0, "hostile-3")).unwrap();
    socket.tx.send(posted(1, "p1")).unwrap();
    socket.tx.send(posted(3, "p3-too-early")).unwrap();
    let second = server.next_socket().await;
    assert!(
        second.query.contains("sequence_number=2"),
        "{}",
        second.query
    );
    second.tx.send(posted(2, "p2")).unwrap();
    second.tx.send(posted(3, "p3")).unwrap();
    eventually(&store, "replayed posts", |c| {
        count(c, "SELECT count(*) FROM posts WHERE id IN ('p2', 'p3')") == 2
    })
    .await;
    assert_eq!(post_ids(&store), ["p1", "p2", "p3"]);
    assert_eq!(live.handle.counters().gaps.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_pong_reconnects() {
    let mut server = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), "me");
    server.answer_pings.store(false, Ordering::SeqCst);
    let live = start_client(&server.url, &store, |c| {
        c.ping_interval = Duration::from_millis(100);
    });
    let socket = server.next_socket().await;
    socket.tx.send(hello(0, "hostile-4")).unwrap();
    live.wait_connected().await;
    let second = server.next_socket().await;
    assert!(
        second.query.contains("connection_id=hostile-4"),
        "{}",
        second.query
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_hello_on_resume_owes_a_catch_up_that_survives_a_restart() {
    let mut server = Hostile::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), "me");
    let live = start_client(&server.url, &store, |_| {});
    let socket = server.next_socket().await;
    socket.tx.send(hello(0, "first")).unwrap();
    live.wait_connected().await;
    eventually(&store, "resume point stored", |c| {
        count(
            c,
            "SELECT count(*) FROM realtime_state WHERE connection_id = 'first'",
        ) == 1
    })
    .await;
    let first_catch_ups = live.catch_ups();
    drop(socket);
    drop(live);
    // While the process is dead, the server forgets the connection.
    let live = start_client(&server.url, &store, |_| {});
    let socket = server.next_socket().await;
    assert!(
        socket.query.contains("connection_id=first") && socket.query.contains("sequence_number=1"),
        "{}",
        socket.query
    );
    socket.tx.send(hello(0, "second")).unwrap();
    // A catch-up still owed by the first process may run at the start,
    // before the new hello is stored: wait for the one the hello owes.
    within(Duration::from_secs(10), async {
        loop {
            let stored = store
                .read(|c| {
                    Ok(count(
                        c,
                        "SELECT count(*) FROM realtime_state
                         WHERE connection_id = 'second' AND catch_up_owed = 0",
                    ))
                })
                .await
                .unwrap();
            if stored == 1 && live.catch_ups() > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(first_catch_ups <= 1);
    let (resume, owed) = store
        .read(pausenhof_core::realtime::read_resume_point)
        .await
        .unwrap();
    assert_eq!(resume.unwrap().connection_id, "second");
    assert!(!owed, "the catch-up ran and was recorded");
}
