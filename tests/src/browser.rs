//! The headless browser the site tests and the browser chapter's demo tests share:
//! chromedriver on a free port (ended with every browser it started), a WebDriver session
//! on Chromium, the browser console read back, and a static server for the built book on
//! 127.0.0.1 that can send the two headers which make a page cross-origin isolated.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, TimeoutConfiguration, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::site;

/// How long chromedriver may take to say which port it listens on.
const DRIVER_START: Duration = Duration::from_secs(30);

/// chromedriver on a free port, with the browser it starts; all of it ends on drop.
pub struct ChromeDriver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl ChromeDriver {
    /// Starts chromedriver; the browser profile lives in `scratch` and is removed on drop.
    pub fn start(program: &Path, scratch: &Path) -> ChromeDriver {
        let profile = scratch.join(format!("chrome-profile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let mut child = Command::new(program)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // A process group of its own, so that drop can end chromedriver and every
            // browser process it started, and nothing else.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut driver = ChromeDriver {
            child,
            port: 0,
            profile,
        };
        // chromedriver prints the port it chose; keep draining its output afterwards so it
        // never blocks on a full pipe.
        let (lines_tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        let deadline = Instant::now() + DRIVER_START;
        let mut seen = Vec::new();
        while driver.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = line
                        .split("started successfully on port ")
                        .nth(1)
                        .and_then(|rest| rest.trim().trim_end_matches('.').parse().ok())
                    {
                        driver.port = port;
                    }
                    seen.push(line);
                }
                Err(_) => panic!(
                    "{} did not report a port within {} s; it printed:\n{}",
                    program.display(),
                    DRIVER_START.as_secs(),
                    seen.join("\n")
                ),
            }
        }
        driver
    }

    /// A browser session: headless Chromium at `window` size (`"1280,1024"`), with the
    /// console log kept for [`console_entries`], and `wait` as the limit for page loads and
    /// scripts.
    pub async fn connect(
        &self,
        chromium: &Path,
        window: &str,
        wait: Duration,
    ) -> Result<Client, String> {
        self.connect_with(chromium, window, wait, Network::Available)
            .await
    }

    /// Like [`ChromeDriver::connect`], with the network as `network` says.
    pub async fn connect_with(
        &self,
        chromium: &Path,
        window: &str,
        wait: Duration,
        network: Network,
    ) -> Result<Client, String> {
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            format!("--window-size={window}"),
            format!("--user-data-dir={}", self.profile.display()),
        ];
        if network == Network::CutOff {
            // Every request goes through a proxy that is not there, except those to the
            // loopback address, which Chromium never proxies: the book's own server stays
            // reachable and everything outside fails at once, as on a machine offline.
            args.push(format!("--proxy-server=http://{UNREACHABLE_PROXY}"));
        }
        let options = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
            },
            "goog:loggingPrefs": { "browser": "ALL" },
            // print.html calls window.print(); dismiss anything modal instead of waiting on it.
            "unhandledPromptBehavior": "dismiss",
        });
        let capabilities: Capabilities = options
            .as_object()
            .cloned()
            .expect("the capabilities are a JSON object");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|error| {
                format!("cannot start a browser session through chromedriver: {error}")
            })?;
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(wait),
                Some(wait),
                Some(Duration::ZERO),
            ))
            .await
            .map_err(|error| format!("cannot set the browser's timeouts: {error}"))?;
        Ok(client)
    }
}

impl ChromeDriver {
    /// Runs `session` in one browser session (see [`ChromeDriver::connect`]) on a runtime of
    /// its own, closes the session, and panics with the session's problem, or with
    /// `what` and the limit when the whole run takes longer than `whole_run`.
    pub fn run_session<F, Fut>(
        &self,
        chromium: &Path,
        wait: Duration,
        whole_run: Duration,
        what: &str,
        session: F,
    ) where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let outcome = runtime.block_on(async {
            tokio::time::timeout(whole_run, async {
                let client = self.connect(chromium, "1280,1100", wait).await?;
                let result = session(client.clone()).await;
                let _ = client.close().await;
                result
            })
            .await
        });
        match outcome {
            Err(_) => panic!("{what} within {} s", whole_run.as_secs()),
            Ok(Err(problem)) => panic!("{problem}"),
            Ok(Ok(())) => {}
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A chromedriver extension command: a POST of `body` to `session/<id>/<endpoint>`,
/// such as `se/log` (the console) or `goog/cdp/execute` (a DevTools command).
#[derive(Debug)]
pub struct SessionCommand {
    pub endpoint: &'static str,
    pub body: Value,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.endpoint
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Whether the browser can reach anything beyond the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// As the machine has it.
    Available,
    /// Cut off: only 127.0.0.1 answers.
    CutOff,
}

/// A port on the loopback address where nothing listens: the discard port, closed on any
/// machine that runs these tests.
const UNREACHABLE_PROXY: &str = "127.0.0.1:9";

/// One entry of the browser's console: `level` is WebDriver's (`SEVERE` for errors and failed
/// loads, `WARNING`, `INFO` for console.log and console.info, `DEBUG`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleEntry {
    pub level: String,
    pub message: String,
}

impl std::fmt::Display for ConsoleEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.level, self.message)
    }
}

/// Every console entry since the last look, at every level.
pub async fn console_entries(client: &Client) -> Result<Vec<ConsoleEntry>, String> {
    // chromedriver keeps the console log when `goog:loggingPrefs` asks for it; reading
    // empties it.
    let value = client
        .issue_cmd(SessionCommand {
            endpoint: "se/log",
            body: json!({ "type": "browser" }),
        })
        .await
        .map_err(|error| format!("cannot read the browser's console log: {error}"))?;
    let entries = value
        .as_array()
        .ok_or_else(|| format!("the browser log is not a list: {value}"))?;
    let text = |entry: &Value, key: &str, missing: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(missing)
            .to_string()
    };
    Ok(entries
        .iter()
        .map(|entry| ConsoleEntry {
            level: text(entry, "level", "(no level)"),
            message: text(entry, "message", "(no message)"),
        })
        .collect())
}

/// Every SEVERE console entry since the last look: script errors, failed loads (a 404 of an
/// asset), errors the page logs itself.
pub async fn severe_console_entries(client: &Client) -> Result<Vec<String>, String> {
    Ok(console_entries(client)
        .await?
        .into_iter()
        .filter(|entry| entry.level == "SEVERE")
        .map(|entry| entry.message)
        .collect())
}

/// What the static server sends besides the files.
#[derive(Clone, Copy, Debug)]
pub struct Serving {
    /// Send `Cross-Origin-Opener-Policy` and `Cross-Origin-Embedder-Policy`, which make
    /// every page cross-origin isolated (shared WebAssembly memory needs that).
    pub isolate: bool,
    /// Let the browser keep assets (not pages) for an hour: mdBook's assets have content
    /// hashes in their names, and re-reading mermaid.js (2.6 MB) on each of many page loads
    /// is slow. Off where a test rebuilds files between loads.
    pub cache_assets: bool,
}

/// A static file server for the built book on 127.0.0.1 and a free port: one thread per
/// connection, one request per connection.
///
/// It is written on std rather than tiny_http because tiny_http's worker pool can leave a
/// freshly accepted keep-alive connection waiting behind busy ones; a browser opening six
/// connections at once then never finishes loading the page (seen as a navigation timeout in
/// about one run in three here).
pub struct StaticServer {
    origin: String,
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl StaticServer {
    pub fn start(root: &Path, serving: Serving) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|error| panic!("cannot listen on 127.0.0.1: {error}"));
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (stop, root) = (Arc::clone(&stop), root.to_path_buf());
            std::thread::spawn(move || {
                for connection in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok(connection) = connection {
                        let root = root.clone();
                        std::thread::spawn(move || serve(&root, connection, serving));
                    }
                }
            })
        };
        StaticServer {
            origin: format!("http://{address}"),
            address,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The acceptor is blocked in accept(); one last connection wakes it to see `stop`.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Answers one HTTP request on `connection` and closes it. Every step is bounded in time,
/// so a stalled client can never keep a thread (or the test) alive.
fn serve(root: &Path, mut connection: TcpStream, serving: Serving) {
    let _ = connection.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = connection.set_write_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        match connection.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut request_line = head.lines().next().unwrap_or_default().split_whitespace();
    let method = request_line.next().unwrap_or_default();
    let target = request_line.next().unwrap_or("/");

    let (status, content_type, cache, body) = if target == "/favicon.ico" {
        // Browsers ask for /favicon.ico on their own; the book names its icons with
        // <link rel="icon">, which the link test checks. "No content" keeps that guess quiet.
        ("204 No Content", "text/plain", "no-cache", Vec::new())
    } else {
        match site::file_for_request(root, target)
            .and_then(|path| std::fs::read(&path).ok().map(|body| (path, body)))
        {
            Some((path, body)) => {
                let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                let cache = if extension == "html" {
                    "no-cache"
                } else if serving.cache_assets {
                    "max-age=3600"
                } else {
                    "no-store"
                };
                ("200 OK", content_type(extension), cache, body)
            }
            None => (
                "404 Not Found",
                "text/plain",
                "no-cache",
                b"not found".to_vec(),
            ),
        }
    };
    let isolation = if serving.isolate {
        "Cross-Origin-Opener-Policy: same-origin\r\nCross-Origin-Embedder-Policy: require-corp\r\n"
    } else {
        ""
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{isolation}\
         Cache-Control: {cache}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // A failed write means the browser went away; nothing to do about it.
    let _ = connection.write_all(header.as_bytes());
    if method != "HEAD" {
        let _ = connection.write_all(&body);
    }
    let _ = connection.flush();
}

fn content_type(extension: &str) -> &'static str {
    match extension {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
