//! The same three drivers run three ways, each run timed and its schedule
//! recorded.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::measure::Machine;
use book_helpers::{cli, format_duration, format_speedup, timed};
use ch02_drivers_three_ways::{
    Driver, Report, a_thread_each, interleaved_on_one_thread, longest_driver,
    one_after_another, sum_of_waits, the_drivers,
};
use clap::Parser;
use timeline::{Recorder, Timeline, write_schedule};

/// Runs three simulated device drivers (network, display, keyboard) one after
/// another, interleaved by an event loop on one thread, and on a thread each;
/// prints how long each way took and writes the recorded schedules.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many events each driver handles (1 to 50).
    #[arg(long, default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=50))]
    events: u32,

    /// Write the schedules here (schedule.mmd, a mermaid gantt chart, and
    /// schedule.svg).
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    schedules: Option<PathBuf>,
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let machine = Machine::now();
    let drivers = the_drivers();
    let events = args.events;
    let runs = [
        run("one after another", 1, one_after_another, events),
        run("event loop, 1 thread", 1, interleaved_on_one_thread, events),
        run("a thread per driver", drivers.len(), a_thread_each, events),
    ];

    print_drivers(&drivers, events);
    print_table(&runs);
    let same = runs.iter().all(|run| run.reports == runs[0].reports);
    println!();
    println!("every driver handled the same events in the same order: {same}");
    println!("{}", machine.header());
    let title = "Three drivers, three ways (measured)";
    let saved = match &args.schedules {
        Some(dir) => save_schedules(dir, title, &runs),
        None => Ok(()),
    };
    cli::exit_code(saved)
}
// ANCHOR_END: main

type Way = fn(&[Driver], u32, &Recorder) -> Vec<Report>;

/// One way of running the drivers, measured.
struct Run {
    name: &'static str,
    threads: usize,
    reports: Vec<Report>,
    time: Duration,
    schedule: Timeline,
}

/// Runs the drivers one way, timed, with a fresh recorder.
fn run(name: &'static str, threads: usize, way: Way, events: u32) -> Run {
    let drivers = the_drivers();
    let recorder = Recorder::new();
    let (reports, time) = timed(|| way(&drivers, events, &recorder));
    let schedule = recorder.timeline();
    Run {
        name,
        threads,
        reports,
        time,
        schedule,
    }
}

fn print_drivers(drivers: &[Driver], events: u32) {
    println!("{events} events per driver:");
    for driver in drivers {
        let period = format_duration(driver.period);
        println!("  {:<8} a {} every {period}", driver.device, driver.event);
    }
    let sum = format_duration(sum_of_waits(drivers, events));
    let longest = format_duration(longest_driver(drivers, events));
    println!("waits laid end to end: {sum}");
    println!("longest single driver: {longest}");
    println!();
}

fn print_table(runs: &[Run]) {
    let header = ["variant", "time", "events", "speedup", "threads"];
    let [a, b, c, d, e] = header;
    println!("{a:<22} {b:>9} {c:>7} {d:>8} {e:>8}");
    for run in runs {
        let events: usize = run.reports.iter().map(|r| r.handled.len()).sum();
        let time = format_duration(run.time);
        let speedup = format_speedup(runs[0].time, run.time);
        let (name, threads) = (run.name, run.threads);
        println!("{name:<22} {time:>9} {events:>7} {speedup:>8} {threads:>8}");
    }
}

/// Draws the runs' schedules into `dir`; a folder that cannot be written is an
/// error the reader must see.
fn save_schedules(dir: &Path, title: &str, runs: &[Run]) -> Result<(), String> {
    let variants: Vec<_> =
        runs.iter().map(|run| (run.name, &run.schedule)).collect();
    let files =
        write_schedule(dir, "schedule", title, &variants).map_err(|error| {
            format!("cannot write schedules into {}: {error}", dir.display())
        })?;
    let names: Vec<String> =
        files.iter().map(|f| f.display().to_string()).collect();
    println!("schedules written: {}", names.join(", "));
    Ok(())
}
