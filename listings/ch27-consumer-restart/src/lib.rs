//! A consumer killed mid-stream. With the log, it restarts from the offset it
//! stored and nothing is lost (a few records may be processed twice). With
//! ZeroMQ PUB/SUB, whatever was sent while it was dead is gone.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::ops::Range;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use rskafka::client::partition::{Compression, PartitionClient};
use rskafka::record::RecordAndOffset;
use tempfile::TempDir;

use ch27_partitions_and_offsets::broker::Broker;
use ch27_partitions_and_offsets::log::{
    self, FETCH_WAIT_MS, connect, create_topic, partition, record,
};

/// The longest any step below may take before the run is called stuck.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A fetch of whatever is at `offset` now, waiting briefly if nothing is.
async fn fetch_some(
    partition: &PartitionClient,
    offset: i64,
) -> Result<Vec<RecordAndOffset>> {
    let (batch, _) = partition
        .fetch_records(offset, 1..1_000_000, FETCH_WAIT_MS)
        .await?;
    Ok(batch.into_iter().filter(|r| r.offset >= offset).collect())
}

/// The pause a consumer takes when the log has nothing new for it.
const IDLE: Duration = Duration::from_millis(10);

/// What the processed file says about a run.
#[derive(Debug, PartialEq, Eq)]
pub struct Tally {
    pub events: u64,
    /// Lines written by the consumers, one per processing.
    pub processed: u64,
    /// Events never processed.
    pub lost: u64,
    /// Processings beyond the first of an event.
    pub duplicates: u64,
    /// Which events were never processed, as ranges of ids.
    pub lost_ids: Vec<Range<u64>>,
    /// Which events were processed more than once, as ranges of ids.
    pub repeated_ids: Vec<Range<u64>>,
}

/// Counts each event id in `file` (lines that are numbers) against `0..events`.
pub fn tally(file: &Path, events: u64) -> Result<Tally> {
    let text = fs::read_to_string(file).unwrap_or_default();
    let mut times: BTreeMap<u64, u64> = (0..events).map(|id| (id, 0)).collect();
    let mut processed = 0;
    for id in text.lines().filter_map(|line| line.parse::<u64>().ok()) {
        *times
            .get_mut(&id)
            .ok_or_else(|| anyhow!("unknown event {id}"))? += 1;
        processed += 1;
    }
    let ids = |keep: fn(u64) -> bool| {
        ranges(times.iter().filter(|&(_, &n)| keep(n)).map(|(&id, _)| id))
    };
    Ok(Tally {
        events,
        processed,
        lost: times.values().filter(|&&n| n == 0).count().try_into()?,
        duplicates: times.values().map(|&n| n.saturating_sub(1)).sum(),
        lost_ids: ids(|n| n == 0),
        repeated_ids: ids(|n| n > 1),
    })
}

/// Increasing ids as the fewest ranges that hold exactly them.
pub fn ranges(ids: impl IntoIterator<Item = u64>) -> Vec<Range<u64>> {
    let mut ranges: Vec<Range<u64>> = Vec::new();
    for id in ids {
        match ranges.last_mut() {
            Some(last) if last.end == id => last.end = id + 1,
            _ => ranges.push(id..id + 1),
        }
    }
    ranges
}

/// `" (events 600..650)"`, or nothing for no ids.
pub fn show_ids(ranges: &[Range<u64>]) -> String {
    if ranges.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = ranges
        .iter()
        .map(|range| format!("{}..{}", range.start, range.end))
        .collect();
    format!(" (events {})", shown.join(" and "))
}

fn lines_in(file: &Path) -> usize {
    fs::read_to_string(file).map_or(0, |text| text.lines().count())
}

/// A scratch folder for one run's files, removed when the run ends.
fn scratch(name: &str) -> Result<TempDir> {
    Ok(tempfile::Builder::new()
        .prefix(&format!("ch27-{name}-"))
        .tempdir()?)
}

/// A child process that is killed if the run ends early.
struct Started(Child);

impl Started {
    /// This program again, with `args`.
    fn this_program(args: &[&str]) -> Result<Self> {
        let program =
            std::env::current_exe().context("cannot find this program")?;
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .spawn()
            .context("cannot start a consumer")?;
        Ok(Self(child))
    }

    /// Waits, at most `PATIENCE`, for a clean exit.
    fn finish(self) -> Result<()> {
        self.finish_within(PATIENCE)
    }

    /// Waits, at most `limit`, for a clean exit; a child still running then
    /// is killed as the guard is dropped.
    fn finish_within(mut self, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait()? {
                return if status.success() {
                    Ok(())
                } else {
                    Err(anyhow!("a consumer ended with {status}"))
                };
            }
            if Instant::now() > deadline {
                bail!("a consumer did not finish");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGKILL: no chance to store anything more.
    fn kill(mut self) -> Result<()> {
        self.0.kill()?;
        self.0.wait()?;
        Ok(())
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Waits until `file` has at least `lines` lines, at most `limit`.
fn wait_for_lines(file: &Path, lines: usize, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    while lines_in(file) < lines {
        if Instant::now() > deadline {
            bail!("{} never reached {lines} lines", file.display());
        }
        thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

// ANCHOR: consume
/// The consumer: reads `topic` partition 0 from the offset stored in
/// `offset_file`, "processes" each record by appending its value to
/// `processed_file`, and stores the next offset after every `commit_every`
/// records. Processing comes before storing: a kill in between means those
/// records are processed again (at least once), never skipped. If the log has
/// not reached `until` after `patience`, it gives up.
pub fn consume(
    address: &str,
    topic: &str,
    files: (&Path, &Path),
    (until, commit_every): (i64, i64),
    patience: Duration,
) -> Result<()> {
    let (offset_file, processed_file) = files;
    let mut offset: i64 = match fs::read_to_string(offset_file) {
        Ok(text) => text.trim().parse().context("a stored offset")?,
        Err(_) => 0,
    };
    let mut processed = OpenOptions::new()
        .create(true)
        .append(true)
        .open(processed_file)?;
    let store = |offset: i64| -> Result<()> {
        // Write then rename: a kill leaves the old offset or the new one, never
        // half.
        let next = offset_file.with_extension("next");
        fs::write(&next, offset.to_string())?;
        Ok(fs::rename(&next, offset_file)?)
    };
    let deadline = Instant::now() + patience;
    runtime()?.block_on(async {
        let client = connect(address).await?;
        let log = partition(&client, topic, 0).await?;
        while offset < until {
            if Instant::now() > deadline {
                bail!("the log never reached offset {until}");
            }
            let records = fetch_some(&log, offset).await?;
            if records.is_empty() {
                tokio::time::sleep(IDLE).await;
            }
            for record in records {
                // A log has no holes: a jump in offsets would be a silent loss.
                if record.offset != offset {
                    bail!(
                        "asked for offset {offset}, the broker sent {}",
                        record.offset
                    );
                }
                writeln!(processed, "{}", log::value(&record))?;
                thread::sleep(Duration::from_micros(200)); // the work
                offset = record.offset + 1;
                if offset % commit_every == 0 {
                    store(offset)?;
                }
            }
        }
        store(offset)
    })
}
// ANCHOR_END: consume

// ANCHOR: log_restart
/// Produces `events` events in two halves to a one-partition topic; a consumer
/// process starts, is killed with SIGKILL after `kill_after` events, and the
/// second half is produced while it is dead; a new consumer then resumes from
/// the stored offset.
pub fn with_the_log(
    events: u64,
    kill_after: usize,
    commit_every: u64,
) -> Result<Tally> {
    let broker = Broker::start()?;
    let scratch = scratch("log")?;
    let (offsets, processed) = (
        scratch.path().join("offset"),
        scratch.path().join("processed"),
    );
    let runtime = runtime()?;
    let half = events / 2;
    let produce = |range: Range<u64>| {
        runtime.block_on(async {
            let client = connect(&broker.address).await?;
            let log = partition(&client, "events", 0).await?;
            // One record per request: tansu 0.6.0 answers a fetch that starts
            // inside a stored batch with the next batch, so each
            // record is its own batch. rskafka asks for acks=all and waits
            // for each answer, so one request is in flight and a retry cannot
            // reorder; but it retries a request whose connection broke, and
            // with no idempotent producer (rskafka has none) a retry of a
            // request the broker had already written would store the record
            // twice.
            for id in range {
                let event = vec![record("event", &id.to_string())];
                log.produce(event, Compression::NoCompression).await?;
            }
            anyhow::Ok(())
        })
    };
    runtime.block_on(async {
        create_topic(&connect(&broker.address).await?, "events", 1).await
    })?;
    produce(0..half)?;
    println!("  events 0..{half} produced; consumer 1 started");

    let args = |until: u64| -> Vec<String> {
        let files = [
            offsets.display().to_string(),
            processed.display().to_string(),
        ];
        let mut args =
            vec!["consume".into(), "--broker".into(), broker.address.clone()];
        args.extend(["--offset-file".into(), files[0].clone()]);
        args.extend(["--processed-file".into(), files[1].clone()]);
        args.extend(["--until".into(), until.to_string()]);
        args.extend(["--commit-every".into(), commit_every.to_string()]);
        args
    };
    let run = |until| {
        let args = args(until);
        Started::this_program(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let first = run(events)?;
    wait_for_lines(&processed, kill_after, PATIENCE)?;
    first.kill()?;
    let stored = fs::read_to_string(&offsets).unwrap_or_else(|_| "0".into());
    println!(
        "  consumer 1 killed with SIGKILL after processing {} events; \
         its stored offset: {stored}",
        lines_in(&processed)
    );
    produce(half..events)?;
    println!("  events {half}..{events} produced while no consumer ran");
    run(events)?.finish()?;
    println!(
        "  consumer 2 resumed at offset {stored} and read up to offset {events}"
    );
    tally(&processed, events)
}
// ANCHOR_END: log_restart

/// The ZeroMQ subscriber: appends each event it receives to `processed_file`;
/// notes `joined` at the first `sync` message and stops at `end`.
pub fn subscribe(endpoint: &str, processed_file: &Path) -> Result<()> {
    let context = zmq::Context::new();
    let subscriber = context.socket(zmq::SUB)?;
    subscriber.connect(endpoint)?;
    subscriber.set_subscribe(b"")?;
    let mut processed = OpenOptions::new()
        .create(true)
        .append(true)
        .open(processed_file)?;
    let mut joined = false;
    loop {
        if subscriber.poll(zmq::POLLIN, PATIENCE.as_millis().try_into()?)? == 0
        {
            bail!("the publisher went silent");
        }
        let message = subscriber
            .recv_string(0)?
            .map_err(|_| anyhow!("not UTF-8"))?;
        match message.as_str() {
            "sync" if joined => {}
            "sync" => {
                joined = true;
                writeln!(processed, "joined")?;
            }
            "end" => return Ok(writeln!(processed, "end")?),
            event => {
                writeln!(processed, "{event}")?;
                thread::sleep(Duration::from_micros(200)); // the work
            }
        }
    }
}

/// Publishes `word` every millisecond until `file` holds the line `marker`
/// `times` times; gives up after `patience`.
fn publish_until_heard(
    publisher: &zmq::Socket,
    file: &Path,
    (word, marker, times): (&str, &str, usize),
    patience: Duration,
) -> Result<()> {
    let deadline = Instant::now() + patience;
    let count = || {
        let text = fs::read_to_string(file).unwrap_or_default();
        text.lines().filter(|line| *line == marker).count()
    };
    while count() < times {
        if Instant::now() > deadline {
            bail!("the subscriber never heard {word}");
        }
        publisher.send(word, 0)?;
        thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// A PUB socket on a port of 127.0.0.1 that the kernel picks, which drops
/// whatever it still holds when it is closed, and the endpoint to reach it.
fn loopback_publisher(context: &zmq::Context) -> Result<(zmq::Socket, String)> {
    let publisher = context.socket(zmq::PUB)?;
    publisher.set_linger(0)?;
    publisher.bind("tcp://127.0.0.1:*")?;
    let endpoint = publisher
        .get_last_endpoint()?
        .map_err(|_| anyhow!("not UTF-8"))?;
    Ok((publisher, endpoint))
}

// ANCHOR: pub_sub_restart
/// The same story over PUB/SUB: the subscriber is killed after `kill_after`
/// events, the rest is published while it is dead, then a new subscriber joins.
pub fn with_pub_sub(events: u64, kill_after: usize) -> Result<Tally> {
    let scratch = scratch("pubsub")?;
    let processed = scratch.path().join("processed");
    let context = zmq::Context::new();
    let (publisher, endpoint) = loopback_publisher(&context)?;
    let start = || {
        let file = processed.display().to_string();
        Started::this_program(&[
            "subscribe",
            "--endpoint",
            &endpoint,
            "--processed-file",
            &file,
        ])
    };
    let until_heard = |word: &str, marker: &str, times: usize| {
        publish_until_heard(
            &publisher,
            &processed,
            (word, marker, times),
            PATIENCE,
        )
    };

    let first = start()?;
    until_heard("sync", "joined", 1)?;
    let mut first = Some(first);
    for id in 0..events {
        publisher.send(&id.to_string(), 0)?;
        thread::sleep(Duration::from_micros(100));
        // Processed lines, less the `joined` line.
        if first.is_some() && lines_in(&processed) > kill_after {
            first.take().expect("checked").kill()?;
            println!(
                "  subscriber 1 killed with SIGKILL after processing {} events; \
                 events {}..{events} published on",
                lines_in(&processed) - 1,
                id + 1
            );
        }
    }
    if let Some(first) = first {
        first.kill()?; // it was never behind enough to be killed earlier
    }
    let second = start()?;
    until_heard("sync", "joined", 2)?;
    println!("  subscriber 2 joined after the last event");
    until_heard("end", "end", 1)?;
    second.finish()?;
    tally(&processed, events)
}
// ANCHOR_END: pub_sub_restart

#[cfg(test)]
mod tests {
    use super::*;
    use book_helpers::process_exists;

    /// A `sleep` that would outlive any test.
    fn sleeper() -> Result<Started> {
        Ok(Started(Command::new("sleep").arg("30").spawn()?))
    }

    #[test]
    fn a_dropped_child_is_killed_and_reaped() -> Result<()> {
        let child = sleeper()?;
        let pid = child.0.id();
        assert!(process_exists(pid));
        drop(child);
        assert!(!process_exists(pid), "process {pid} outlived its drop");
        Ok(())
    }

    #[test]
    fn finish_reports_how_the_child_ended_or_gives_up_on_it() -> Result<()> {
        let exit = |code: &str| -> Result<Started> {
            let script = format!("exit {code}");
            Ok(Started(Command::new("sh").args(["-c", &script]).spawn()?))
        };
        exit("0")?.finish()?;
        let error = exit("3")?.finish().expect_err("it exited 3");
        assert!(error.to_string().contains("exit status: 3"), "{error}");
        let hung = sleeper()?;
        let pid = hung.0.id();
        let limit = Duration::from_millis(300);
        let started = Instant::now();
        let error = hung.finish_within(limit).expect_err("it sleeps on");
        assert!(error.to_string().contains("did not finish"), "{error}");
        assert!(started.elapsed() >= limit);
        assert!(!process_exists(pid), "process {pid} outlived its guard");
        Ok(())
    }

    #[test]
    fn a_subscriber_notes_that_it_joined_once_however_many_syncs_arrive()
    -> Result<()> {
        let scratch = scratch("subscriber")?;
        let file = scratch.path().join("processed");
        let context = zmq::Context::new();
        let (publisher, endpoint) = loopback_publisher(&context)?;
        let reader = {
            let file = file.clone();
            thread::spawn(move || subscribe(&endpoint, &file))
        };
        let patience = Duration::from_secs(20);
        publish_until_heard(
            &publisher,
            &file,
            ("sync", "joined", 1),
            patience,
        )?;
        for _ in 0..3 {
            publisher.send("sync", 0)?;
        }
        publisher.send("7", 0)?;
        publish_until_heard(&publisher, &file, ("end", "end", 1), patience)?;
        reader.join().expect("the subscriber does not panic")?;
        assert_eq!(fs::read_to_string(&file)?, "joined\n7\nend\n");
        Ok(())
    }

    #[test]
    fn publishing_until_heard_gives_up_at_its_limit() -> Result<()> {
        let scratch = scratch("unheard")?;
        let context = zmq::Context::new();
        let publisher = context.socket(zmq::PUB)?;
        publisher.bind("inproc://nobody")?;
        let patience = Duration::from_millis(300);
        let started = Instant::now();
        let nobody = scratch.path().join("processed");
        let error = publish_until_heard(
            &publisher,
            &nobody,
            ("sync", "joined", 1),
            patience,
        )
        .expect_err("nobody listens");
        assert!(error.to_string().contains("never heard sync"), "{error}");
        assert!(started.elapsed() >= patience);
        Ok(())
    }

    #[test]
    fn the_wait_for_lines_counts_them_and_gives_up_at_its_limit() -> Result<()>
    {
        let scratch = scratch("lines")?;
        let file = scratch.path().join("processed");
        fs::write(&file, "1\n2\n3\n")?;
        let limit = Duration::from_millis(200);
        wait_for_lines(&file, 3, limit)?;
        let started = Instant::now();
        let error =
            wait_for_lines(&file, 4, limit).expect_err("3 lines, not 4");
        assert!(
            error.to_string().contains("never reached 4 lines"),
            "{error}"
        );
        assert!(started.elapsed() >= limit);
        Ok(())
    }
}
