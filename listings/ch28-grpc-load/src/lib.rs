//! A load driver that knows nothing about the protocol: give it a client and a
//! way to make one call, and it keeps `concurrency` calls in flight until
//! `calls` are done. The gRPC load client below and the tarpc comparison of
//! chapter 29 both use it.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use book_helpers::measure::Summary;
use book_helpers::{format_duration, percentile};
use ch28_grpc_tonic::client::{self, Client};
use ch28_grpc_tonic::pb::Number;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What one load run measured.
#[derive(Debug)]
pub struct LoadReport {
    pub concurrency: usize,
    pub elapsed: Duration,
    /// One entry per call, sorted.
    pub latencies: Vec<Duration>,
}

impl LoadReport {
    pub fn calls(&self) -> usize {
        self.latencies.len()
    }
    pub fn per_second(&self) -> f64 {
        self.calls() as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
    pub fn p50(&self) -> Duration {
        percentile(&self.latencies, 0.50)
    }
    pub fn p99(&self) -> Duration {
        percentile(&self.latencies, 0.99)
    }
}

/// The measured rounds of one load at one concurrency, as the book's tables
/// print them: calls per round, the median rate with the range of the rounds,
/// and the latency percentiles over every call of every round.
#[derive(Debug)]
pub struct Rounds {
    pub concurrency: usize,
    pub runs: Vec<LoadReport>,
}

impl Rounds {
    /// The column titles that [`Rounds::cells`] fills.
    pub const TITLES: &str =
        "calls    req/s           range       p50       p99";

    /// Calls made in each round (the fewest, should a round have fallen
    /// short).
    pub fn calls(&self) -> usize {
        self.runs.iter().map(LoadReport::calls).min().unwrap_or(0)
    }

    /// How long the rounds took: median and range.
    pub fn times(&self) -> Summary {
        Summary::of(self.runs.iter().map(|run| run.elapsed).collect())
    }

    /// Requests per second of a round that took `time`.
    pub fn rate(&self, time: Duration) -> f64 {
        self.calls() as f64 / time.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// `calls, median req/s, slowest – fastest req/s, p50, p99`, aligned
    /// under [`Rounds::TITLES`].
    pub fn cells(&self) -> String {
        let times = self.times();
        let mut latencies: Vec<Duration> = self
            .runs
            .iter()
            .flat_map(|run| run.latencies.iter().copied())
            .collect();
        latencies.sort_unstable();
        let range = format!(
            "{:.0} – {:.0}",
            self.rate(times.slowest()),
            self.rate(times.fastest())
        );
        format!(
            "{:>5} {:>8.0} {range:>15} {:>9} {:>9}",
            self.calls(),
            self.rate(times.median()),
            format_duration(percentile(&latencies, 0.50)),
            format_duration(percentile(&latencies, 0.99)),
        )
    }
}

// ANCHOR: drive
/// Makes `calls` calls, `concurrency` at a time, each `call(client.clone(), n)`
/// for the call's number `n`; the first failed call ends the run with its
/// error.
pub async fn drive<Client, Call, Reply>(
    client: Client,
    concurrency: usize,
    calls: u64,
    call: Call,
) -> Result<LoadReport, String>
where
    Client: Clone + Send + 'static,
    Call: Fn(Client, u64) -> Reply + Clone + Send + 'static,
    Reply: Future<Output = Result<(), String>> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut callers: JoinSet<Result<Vec<Duration>, String>> = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (client, call, next) =
            (client.clone(), call.clone(), Arc::clone(&next));
        callers.spawn(async move {
            let mut latencies = Vec::new();
            // Each caller takes the next call number until all are taken: no
            // call is made twice, none is skipped, however the
            // callers interleave.
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= calls {
                    return Ok(latencies);
                }
                let sent = Instant::now();
                call(client.clone(), n).await?;
                latencies.push(sent.elapsed());
            }
        });
    }
    let mut latencies = Vec::new();
    while let Some(caller) = callers.join_next().await {
        latencies.extend(caller.map_err(|error| error.to_string())??);
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    Ok(LoadReport {
        concurrency,
        elapsed,
        latencies,
    })
}
// ANCHOR_END: drive

/// The number each load call asks about: large enough that the server does real
/// work (about a thousand trial divisions), varied so no answer can be cached.
pub fn candidate(n: u64) -> u64 {
    1_000_003 + 2 * n
}

/// The deadline every load call carries, gRPC and tarpc alike: far above any
/// call's time, so it never fires, but each request pays for sending it.
pub const CALL_DEADLINE: Duration = Duration::from_secs(10);

// ANCHOR: grpc_call
/// One load call: `IsPrime` with a deadline (a `grpc-timeout` header), whose
/// answer is checked so a wrong reply is an error too.
pub async fn grpc_call(mut client: Client, n: u64) -> Result<(), String> {
    let value = candidate(n);
    let mut request = tonic::Request::new(Number { value });
    request.set_timeout(CALL_DEADLINE);
    let prime = client
        .is_prime(request)
        .await
        .map_err(|status| client::describe(&status))?
        .into_inner()
        .prime;
    if prime != ch28_grpc_tonic::is_prime(value) {
        return Err(format!("wrong answer for {value}"));
    }
    Ok(())
}
// ANCHOR_END: grpc_call

// ANCHOR: child
/// A server in a child process: this same program, started again with
/// `args`, which prints `listening on ADDRESS` as its first line and serves
/// until its standard input closes. The load then crosses a process boundary,
/// as it would between two hosts, and the client's threads and the server's
/// do not share one runtime.
pub struct ChildServer {
    pub address: SocketAddr,
    child: Child,
}

impl ChildServer {
    pub async fn spawn(args: &[&str]) -> Result<Self, String> {
        let program = std::env::current_exe()
            .map_err(|error| format!("cannot find this program: {error}"))?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| format!("cannot start a server: {error}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        tokio::time::timeout(
            Duration::from_secs(10),
            reader.read_line(&mut line),
        )
        .await
        .map_err(|_| "the server did not start within 10 s")?
        .map_err(|error| error.to_string())?;
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| format!("the server said {line:?}"))?;
        Ok(Self { address, child })
    }

    /// Closes the child's standard input and waits for it to end.
    pub async fn stop(mut self) -> Result<(), String> {
        drop(self.child.stdin.take());
        let status =
            tokio::time::timeout(Duration::from_secs(10), self.child.wait())
                .await
                .map_err(|_| "the server did not stop within 10 s")?
                .map_err(|error| error.to_string())?;
        if !status.success() {
            return Err(format!("the server ended with {status}"));
        }
        Ok(())
    }
}

/// The child's side: says where it listens, then returns when the parent
/// closes its standard input (or dies).
pub async fn announce_and_wait(address: SocketAddr) -> std::io::Result<()> {
    let mut stdout = tokio::io::stdout();
    stdout
        .write_all(format!("listening on {address}\n").as_bytes())
        .await?;
    stdout.flush().await?;
    let mut rest = Vec::new();
    tokio::io::stdin().read_to_end(&mut rest).await?;
    Ok(())
}
// ANCHOR_END: child

#[cfg(test)]
mod tests {
    use super::*;

    fn report(seconds: u64, calls: u64) -> LoadReport {
        LoadReport {
            concurrency: 4,
            elapsed: Duration::from_secs(seconds),
            latencies: (1..=calls).map(Duration::from_millis).collect(),
        }
    }

    #[test]
    fn load_candidates_are_distinct_odd_numbers_past_a_million() {
        // Odd, so the server's trial division does not stop at 2; growing, so
        // no two calls ask the same question.
        let candidates: Vec<u64> = (0..1_000).map(candidate).collect();
        assert_eq!(candidates[0], 1_000_003);
        assert!(candidates.iter().all(|value| value % 2 == 1));
        assert!(candidates.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn one_run_gives_its_rate_and_percentiles() {
        let run = report(2, 100);
        assert_eq!(run.calls(), 100);
        assert_eq!(run.per_second(), 50.0);
        assert_eq!(run.p50(), Duration::from_millis(50));
        assert_eq!(run.p99(), Duration::from_millis(99));
    }

    #[test]
    fn rounds_give_the_median_rate_its_range_and_every_calls_percentiles() {
        // Three rounds; one fell short (90 calls), so every rate counts 90.
        let rounds = Rounds {
            concurrency: 4,
            runs: vec![report(2, 100), report(3, 100), report(1, 90)],
        };
        assert_eq!(rounds.calls(), 90);
        assert_eq!(rounds.rate(Duration::from_secs(2)), 45.0);
        // 290 latencies: 1–90 ms three times, 91–100 ms twice. The 145th is
        // 49 ms, the 288th 99 ms.
        let expected = format!(
            "{:>5} {:>8.0} {:>15} {:>9} {:>9}",
            90,
            45.0,
            "30 – 90",
            format_duration(Duration::from_millis(49)),
            format_duration(Duration::from_millis(99)),
        );
        assert_eq!(rounds.cells(), expected);
    }
}
