//! Loopback sinks for what the server sends out: mail (SMTP) and push
//! notifications (the push proxy's `send_push`). Each message becomes one
//! JSON file in the sink's directory, written atomically, so the scenario
//! suite (a separate process) can read them. The push sink can also hand
//! pushes on to Pausenhof's push gateway (see [`GatewayForward`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// Larger mails or push bodies are refused rather than buffered.
const MAX_MESSAGE: usize = 4 * 1024 * 1024;
const MAX_LINE: usize = 64 * 1024;
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Accepts connections on a loopback port until dropped.
struct Listener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    fn start(handler: Arc<dyn Fn(TcpStream) + Send + Sync>) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
                let handler = handler.clone();
                std::thread::spawn(move || handler(stream));
            }
        });
        Ok(Self {
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Writes numbered JSON files; the number keeps arrival order visible.
struct Mailbox {
    dir: PathBuf,
    prefix: &'static str,
    next: AtomicU32,
}

impl Mailbox {
    fn new(dir: &Path, prefix: &'static str) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_owned(),
            prefix,
            next: AtomicU32::new(1),
        })
    }

    fn store(&self, message: &Value) -> std::io::Result<()> {
        let number = self.next.fetch_add(1, Ordering::SeqCst);
        let name = format!("{}-{number:04}.json", self.prefix);
        let partial = self.dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, serde_json::to_vec_pretty(message)?)?;
        std::fs::rename(partial, self.dir.join(name))
    }
}

/// Every stored message, in arrival order.
pub fn read_messages(dir: &Path) -> Result<Vec<Value>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path)?;
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not JSON", path.display()))
        })
        .collect()
}

/// Waits until a stored message matches; the server sends mail and pushes
/// asynchronously after the API call that causes them returns.
pub async fn wait_for_message(
    dir: &Path,
    what: &str,
    timeout: Duration,
    matches: impl Fn(&Value) -> bool,
) -> Result<Value> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = read_messages(dir)?
            .into_iter()
            .find(|message| matches(message))
        {
            return Ok(found);
        }
        if Instant::now() > deadline {
            anyhow::bail!("no {what} arrived within {timeout:?} in {}", dir.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub struct SmtpSink {
    listener: Listener,
    dir: PathBuf,
}

impl SmtpSink {
    pub fn start(dir: &Path) -> Result<Self> {
        let mailbox = Arc::new(Mailbox::new(dir, "mail")?);
        let listener = Listener::start(Arc::new(move |stream| {
            if let Err(error) = serve_smtp(stream, &mailbox) {
                eprintln!("real-server: SMTP sink connection failed: {error}");
            }
        }))?;
        Ok(Self {
            listener,
            dir: dir.to_owned(),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.addr.port()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn read_line_capped(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let read = reader.take(MAX_LINE as u64).read_until(b'\n', &mut line)?;
    if read == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long or cut off",
        ));
    }
    while line
        .last()
        .is_some_and(|byte| *byte == b'\n' || *byte == b'\r')
    {
        line.pop();
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// Just enough SMTP for Go's `net/smtp` client without TLS or AUTH.
fn serve_smtp(stream: TcpStream, mailbox: &Mailbox) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writer.write_all(b"220 pausenhof-sink ESMTP ready\r\n")?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    while let Some(line) = read_line_capped(&mut reader)? {
        let verb = line
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                writer.write_all(b"250-pausenhof-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?
            }
            "HELO" | "NOOP" => writer.write_all(b"250 OK\r\n")?,
            "RSET" => {
                from.clear();
                to.clear();
                writer.write_all(b"250 OK\r\n")?;
            }
            "MAIL" => {
                from = address_argument(&line);
                writer.write_all(b"250 OK\r\n")?;
            }
            "RCPT" => {
                to.push(address_argument(&line));
                writer.write_all(b"250 OK\r\n")?;
            }
            "DATA" => {
                writer.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                match read_data(&mut reader)? {
                    Some(data) => {
                        let text = decode_quoted_printable(&data);
                        mailbox.store(&json!({
                            "from": from,
                            "to": to,
                            "subject": header_value(&data, "Subject"),
                            "data": data,
                            "text": text,
                        }))?;
                        writer.write_all(b"250 OK stored\r\n")?;
                    }
                    None => writer.write_all(b"552 message too large\r\n")?,
                }
                from.clear();
                to.clear();
            }
            "QUIT" => {
                writer.write_all(b"221 bye\r\n")?;
                break;
            }
            _ => writer.write_all(b"502 not implemented\r\n")?,
        }
    }
    Ok(())
}

fn address_argument(line: &str) -> String {
    let argument = line
        .split_once(':')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    argument
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches(['<', '>'])
        .to_owned()
}

/// Reads the message up to the lone dot; `None` when it exceeds the cap.
fn read_data(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut data = String::new();
    let mut too_large = false;
    loop {
        let Some(line) = read_line_capped(reader)? else {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        };
        if line == "." {
            return Ok((!too_large).then_some(data));
        }
        let line = line.strip_prefix('.').unwrap_or(&line);
        if data.len() + line.len() > MAX_MESSAGE {
            too_large = true;
            continue;
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
}

fn header_value(message: &str, name: &str) -> Option<String> {
    message.split("\r\n\r\n").next()?.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// Undoes quoted-printable encoding (soft line breaks and `=XX` escapes),
/// so links such as the email verification link can be searched for.
pub fn decode_quoted_printable(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'=' {
            if bytes[index + 1..].starts_with(b"\r\n") {
                index += 3;
                continue;
            }
            if bytes[index + 1..].starts_with(b"\n") {
                index += 2;
                continue;
            }
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `token=` parameter of the first verification link in a mail.
pub fn verification_token(text: &str) -> Option<String> {
    let start = text.find("token=")? + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!token.is_empty()).then_some(token)
}

pub struct PushSink {
    listener: Listener,
    dir: PathBuf,
    gateway_url: Option<String>,
}

/// Where the push sink hands on pushes for Pausenhof's own device ids
/// (`<platform>-v2:`, as the core registers them): to the push gateway,
/// whose answer (`OK`, `FAIL`, `REMOVE`) goes back to the server, as in
/// production. The harness's raw `android_rn:` test devices keep the
/// sink's plain `OK`, so the recordings do not change.
pub struct GatewayForward {
    /// The gateway's base URL.
    pub url: String,
    pub runtime: tokio::runtime::Handle,
    pub http: reqwest::Client,
}

impl GatewayForward {
    fn wants(&self, message: &Value) -> bool {
        message["platform"]
            .as_str()
            .is_some_and(|platform| platform.ends_with("-v2"))
    }

    /// The gateway's status and body for `body`, sent as Mattermost sends
    /// it (no `Content-Type`).
    fn forward(&self, body: &[u8]) -> (u16, Vec<u8>) {
        let request = self
            .http
            .post(format!("{}/api/v1/send_push", self.url))
            .body(body.to_vec());
        let answer = self.runtime.block_on(async move {
            let response = request.send().await?;
            let status = response.status().as_u16();
            Ok::<_, reqwest::Error>((status, response.bytes().await?.to_vec()))
        });
        answer.unwrap_or_else(|error| {
            eprintln!("real-server: push gateway unreachable: {error}");
            (
                200,
                br#"{"status":"FAIL","error":"push gateway unreachable"}"#.to_vec(),
            )
        })
    }
}

impl PushSink {
    pub fn start(dir: &Path, forward: Option<GatewayForward>) -> Result<Self> {
        let mailbox = Arc::new(Mailbox::new(dir, "push")?);
        let gateway_url = forward.as_ref().map(|f| f.url.clone());
        let forward = forward.map(Arc::new);
        let listener = Listener::start(Arc::new(move |stream| {
            if let Err(error) = serve_push(stream, &mailbox, forward.as_deref()) {
                if error.kind() != std::io::ErrorKind::WouldBlock
                    && error.kind() != std::io::ErrorKind::TimedOut
                {
                    eprintln!("real-server: push sink connection failed: {error}");
                }
            }
        }))?;
        Ok(Self {
            listener,
            dir: dir.to_owned(),
            gateway_url,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.listener.addr)
    }

    /// The push gateway behind the sink, if any.
    pub fn gateway_url(&self) -> Option<&str> {
        self.gateway_url.as_deref()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// HTTP/1.1 with keep-alive, as Go's client uses it: records
/// `POST /api/v1/send_push` bodies and answers like a push proxy.
fn serve_push(
    stream: TcpStream,
    mailbox: &Mailbox,
    forward: Option<&GatewayForward>,
) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request_line) = read_line_capped(&mut reader)? else {
            return Ok(());
        };
        let mut content_length = 0usize;
        let mut close = false;
        loop {
            let Some(line) = read_line_capped(&mut reader)? else {
                return Ok(());
            };
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.parse().unwrap_or(usize::MAX);
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        if content_length > MAX_MESSAGE {
            writer.write_all(
                b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
            return Ok(());
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if method == "POST" && path == "/api/v1/send_push" {
            let message = serde_json::from_slice::<Value>(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
            mailbox.store(&message)?;
            let (status, answer) = match forward.filter(|f| f.wants(&message)) {
                Some(gateway) => gateway.forward(&body),
                None => (200, br#"{"status":"OK"}"#.to_vec()),
            };
            write!(
                writer,
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                if status == 200 { "OK" } else { "Error" },
                answer.len()
            )?;
            writer.write_all(&answer)?;
        } else {
            writer.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
        }
        if close {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(stream: &mut TcpStream, reader: &mut BufReader<TcpStream>, send: &str) -> String {
        stream.write_all(send.as_bytes()).unwrap();
        read_line_capped(reader).unwrap().unwrap()
    }

    #[test]
    fn the_smtp_sink_stores_a_mail_with_its_envelope() {
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start(dir.path()).unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", sink.port())).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        assert!(read_line_capped(&mut reader)
            .unwrap()
            .unwrap()
            .starts_with("220"));
        stream.write_all(b"EHLO test\r\n").unwrap();
        for _ in 0..3 {
            assert!(read_line_capped(&mut reader)
                .unwrap()
                .unwrap()
                .starts_with("250"));
        }
        assert!(exchange(
            &mut stream,
            &mut reader,
            "MAIL FROM:<noreply@school.test>\r\n"
        )
        .starts_with("250"));
        assert!(
            exchange(&mut stream, &mut reader, "RCPT TO:<anna@school.test>\r\n").starts_with("250")
        );
        assert!(exchange(&mut stream, &mut reader, "DATA\r\n").starts_with("354"));
        let body = "Subject: Verify\r\n\r\nClick http://x/do_verify_email?token=3Dabc123&email=3Da=\r\nb\r\n..dot\r\n.\r\n";
        assert!(exchange(&mut stream, &mut reader, body).starts_with("250"));
        assert!(exchange(&mut stream, &mut reader, "QUIT\r\n").starts_with("221"));
        let mails = read_messages(dir.path()).unwrap();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0]["from"], "noreply@school.test");
        assert_eq!(mails[0]["to"], json!(["anna@school.test"]));
        assert_eq!(mails[0]["subject"], "Verify");
        let text = mails[0]["text"].as_str().unwrap();
        assert!(text.contains("email=ab"), "{text}");
        assert!(
            text.contains("\r\n.dot"),
            "dot stuffing must be undone: {text}"
        );
        assert_eq!(verification_token(text).as_deref(), Some("abc123"));
    }

    #[test]
    fn the_smtp_sink_refuses_oversized_mail_without_storing_it() {
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start(dir.path()).unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", sink.port())).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        read_line_capped(&mut reader).unwrap();
        exchange(&mut stream, &mut reader, "HELO t\r\n");
        exchange(&mut stream, &mut reader, "MAIL FROM:<a@b>\r\n");
        exchange(&mut stream, &mut reader, "RCPT TO:<c@d>\r\n");
        exchange(&mut stream, &mut reader, "DATA\r\n");
        let line = format!("{}\r\n", "x".repeat(60_000));
        for _ in 0..80 {
            stream.write_all(line.as_bytes()).unwrap();
        }
        assert!(exchange(&mut stream, &mut reader, ".\r\n").starts_with("552"));
        assert!(read_messages(dir.path()).unwrap().is_empty());
    }

    /// One `send_push` on a fresh connection; the answer's body.
    fn send_push(sink: &PushSink, body: &str) -> String {
        let addr = sink.url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "POST /api/v1/send_push HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned()
    }

    #[test]
    fn pausenhof_devices_get_the_gateways_answer_and_test_devices_ok() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let run_dir = tempfile::tempdir().unwrap();
        let gateway = runtime
            .block_on(super::super::start_push_gateway(run_dir.path()))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sink = PushSink::start(
            dir.path(),
            Some(GatewayForward {
                url: gateway.url(),
                runtime: runtime.handle().clone(),
                http: super::super::loopback_http().unwrap(),
            }),
        )
        .unwrap();
        assert_eq!(sink.gateway_url(), Some(gateway.url().as_str()));
        let push = |platform: &str| {
            json!({"platform": platform, "server_id": "s", "type": "message",
                   "device_id": "unknown-to-the-gateway-0123456789"})
            .to_string()
        };
        // Unknown at the gateway: the server is told to forget the device.
        assert_eq!(
            send_push(&sink, &push("android_rn-v2")),
            r#"{"status":"REMOVE"}"#
        );
        // The harness's own raw test devices keep the plain OK.
        assert_eq!(send_push(&sink, &push("android_rn")), r#"{"status":"OK"}"#);
        // Both were recorded for the scenario suite.
        assert_eq!(read_messages(dir.path()).unwrap().len(), 2);
    }

    #[test]
    fn the_push_sink_records_send_push_and_answers_ok_on_a_kept_alive_connection() {
        let dir = tempfile::tempdir().unwrap();
        let sink = PushSink::start(dir.path(), None).unwrap();
        let addr = sink.url().trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&addr).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        for number in 1..=2 {
            let body = format!(r#"{{"post_id":"p{number}","type":"message"}}"#);
            write!(
                stream,
                "POST /api/v1/send_push HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            assert_eq!(
                read_line_capped(&mut reader).unwrap().unwrap(),
                "HTTP/1.1 200 OK"
            );
            let mut length = 0;
            while let Some(line) = read_line_capped(&mut reader).unwrap() {
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line.strip_prefix("Content-Length: ") {
                    length = value.parse().unwrap();
                }
            }
            let mut answer = vec![0; length];
            reader.read_exact(&mut answer).unwrap();
            assert_eq!(answer, br#"{"status":"OK"}"#);
        }
        write!(stream, "GET /other HTTP/1.1\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert!(read_line_capped(&mut reader)
            .unwrap()
            .unwrap()
            .contains("404"));
        let pushes = read_messages(dir.path()).unwrap();
        assert_eq!(pushes.len(), 2);
        assert_eq!(pushes[1]["post_id"], "p2");
    }

    #[test]
    fn quoted_printable_keeps_plain_text_and_invalid_escapes() {
        assert_eq!(decode_quoted_printable("a=3Db =ZZ c="), "a=b =ZZ c=");
        assert_eq!(verification_token("no link here"), None);
    }
}
