//! The roles a child plays. Each one is a tiny program of its own that
//! talks only through stdin, stdout and its exit status.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use book_helpers::cli;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum Stage {
    /// Copies stdin to stdout in capitals.
    #[command(hide = true)]
    Upper,
    /// Prints 1 to COUNT, one a line, then the line `end`.
    #[command(hide = true)]
    Numbers {
        #[arg(long)]
        count: u64,
    },
    /// Adds up the numbers on stdin, which must finish with `end`.
    #[command(hide = true)]
    Sum,
    /// Exits with the given code.
    #[command(hide = true)]
    Exit {
        #[arg(long)]
        code: u8,
    },
    /// Sleeps for a minute (long enough to be killed first).
    #[command(hide = true)]
    Sleep,
    /// Does nothing: the cheapest process there is to start.
    #[command(hide = true)]
    Noop,
}

pub fn run(stage: Stage) -> ExitCode {
    let result = match stage {
        Stage::Upper => upper(),
        Stage::Numbers { count } => numbers(count),
        Stage::Sum => sum(),
        Stage::Exit { code } => return ExitCode::from(code),
        Stage::Sleep => {
            thread::sleep(Duration::from_secs(60));
            Ok(())
        }
        Stage::Noop => Ok(()),
    };
    cli::exit_code(result)
}

fn upper() -> io::Result<()> {
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        writeln!(out, "{}", line?.to_uppercase())?;
    }
    Ok(())
}

// ANCHOR: numbers
fn numbers(count: u64) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    let written = (1..=count)
        .try_for_each(|n| writeln!(out, "{n}"))
        .and_then(|()| writeln!(out, "end"))
        .and_then(|()| out.flush());
    // Rust ignores SIGPIPE, so a reader that went away shows up here as an
    // error instead of silently killing this process.
    written.map_err(|error| match error.kind() {
        io::ErrorKind::BrokenPipe => io::Error::other(
            "numbers: the next stage closed the pipe before reading everything",
        ),
        _ => error,
    })
}

fn sum() -> io::Result<()> {
    let mut total: u64 = 0;
    for line in io::stdin().lock().lines() {
        let line = line?;
        if line == "end" {
            println!("{total}");
            return Ok(());
        }
        let n: u64 = line.parse().map_err(|_| {
            io::Error::other(format!("sum: {line:?} is not a number"))
        })?;
        total += n;
    }
    // End of file without `end`: the writer died mid-stream.
    Err(io::Error::other(
        "sum: the input stopped without its `end` line (did the previous stage die?)",
    ))
}
// ANCHOR_END: numbers
