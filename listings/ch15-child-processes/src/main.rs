//! A parent process that starts children of its own binary, talks to them
//! through pipes, reads how they ended, joins two of them into a pipeline,
//! and measures what starting a process costs next to a thread and a task.

mod spawn_cost;
mod stages;

use std::io::{self, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};
use std::thread;

use book_helpers::cli;

use clap::Parser;

use crate::stages::Stage;

/// Starts child processes (copies of this program in another role), talks
/// to them through pipes, and measures what starting one costs.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many threads, tasks and processes to start for the cost table
    /// (1 to 2000).
    #[arg(long, default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..=2000))]
    spawns: u32,

    /// Numbers the pipeline's first stage produces (1 to 10000000).
    #[arg(long, default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    numbers: u64,

    /// The role this copy of the program plays when a parent starts it.
    #[command(subcommand)]
    stage: Option<Stage>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(stage) = args.stage {
        return stages::run(stage);
    }
    cli::exit_code(parent(&args))
}

fn parent(args: &Args) -> io::Result<()> {
    talk_through_pipes()?;
    read_exit_statuses()?;
    pipeline(args.numbers)?;
    spawn_cost::print_table(args.spawns)
}

/// This program again, ready to be given a role: the children need nothing
/// the reader has to install.
fn own_binary() -> io::Result<Command> {
    Ok(Command::new(std::env::current_exe()?))
}

// ANCHOR: pipes
fn talk_through_pipes() -> io::Result<()> {
    let mut child = own_binary()?
        .arg("upper")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut to_child = child.stdin.take().expect("stdin was piped");
    // Writing from another thread: if the child's answer filled its pipe
    // while we were still writing, both sides would wait for each other.
    let writer = thread::spawn(move || -> io::Result<()> {
        for line in ["a process", "talks through", "pipes"] {
            writeln!(to_child, "{line}")?;
        }
        Ok(()) // `to_child` is dropped here: the child reads end of file
    });
    let output = child.wait_with_output()?; // reads stdout to the end, waits
    writer.join().expect("the writer does not panic")?;
    let answer = String::from_utf8_lossy(&output.stdout);
    println!(
        "the child answered: {:?}",
        answer.lines().collect::<Vec<_>>()
    );
    println!("and ended with {}", output.status);
    Ok(())
}
// ANCHOR_END: pipes

// ANCHOR: statuses
fn read_exit_statuses() -> io::Result<()> {
    let status = own_binary()?.args(["exit", "--code", "3"]).status()?;
    println!("a child that exits with 3: code {:?}", status.code());

    let mut sleeper = own_binary()?.arg("sleep").spawn()?;
    let before = sleeper.try_wait()?; // None: it is still running
    sleeper.kill()?; // SIGKILL: the child gets no say
    let status = sleeper.wait()?; // reap it, or it stays a zombie
    println!(
        "a child that is killed: running before {}, then code {:?}, signal {:?}",
        before.is_none(),
        status.code(),
        status.signal()
    );
    Ok(())
}
// ANCHOR_END: statuses

// ANCHOR: pipeline
/// `numbers --count N | sum`, plumbed by the parent: the first child's
/// stdout becomes the second child's stdin, and the data never passes
/// through the parent.
fn pipeline(count: u64) -> io::Result<()> {
    let mut numbers = own_binary()?
        .args(["numbers", "--count", &count.to_string()])
        .stdout(Stdio::piped())
        .spawn()?;
    let between = numbers.stdout.take().expect("stdout was piped");
    let sum = own_binary()?.arg("sum").stdin(between).output()?;
    let first = numbers.wait()?;
    if !first.success() || !sum.status.success() {
        return Err(io::Error::other(format!(
            "the pipeline failed: numbers {first}, sum {}",
            sum.status
        )));
    }
    let total = String::from_utf8_lossy(&sum.stdout);
    println!("numbers --count {count} | sum = {}", total.trim());
    println!("expected                  = {}", count * (count + 1) / 2);
    Ok(())
}
// ANCHOR_END: pipeline
