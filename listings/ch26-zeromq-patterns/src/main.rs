//! ZeroMQ's patterns, each run to the end with what it promises counted:
//! REQ/REP, PUB/SUB, a PUSH/PULL pipeline on threads or processes,
//! ROUTER/DEALER load balancing, and high-water marks.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use book_helpers::measure::Machine;
use book_helpers::{cli, format_duration, format_speedup};
use ch26_zeromq_patterns::router_dealer::{self, Policy};
use ch26_zeromq_patterns::transport::Transport;
use ch26_zeromq_patterns::{high_water_marks, pipeline, pub_sub, req_rep};
use clap::{Parser, Subcommand};

/// Runs ZeroMQ's messaging patterns and prints what each delivered.
/// Without a subcommand, runs every pattern with its defaults.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    pattern: Option<Pattern>,
}

#[derive(Subcommand)]
enum Pattern {
    /// A client asks for squares, a server answers, in lockstep.
    ReqRep {
        #[arg(long, value_enum, default_value_t = Transport::Tcp)]
        transport: Transport,
        /// Requests to make (1 to 100000).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        requests: u64,
    },
    /// A publisher on topics temp and wind, a subscriber to temp that joins
    /// late, then one that joins with a handshake.
    PubSub {
        #[arg(long, value_enum, default_value_t = Transport::Tcp)]
        transport: Transport,
        /// Messages to publish (2 to 100000).
        #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(2..=100_000))]
        messages: u64,
    },
    /// Ventilator, workers and sink; threads for inproc, processes otherwise.
    Pipeline {
        /// Where the workers run; all three when left out.
        #[arg(long, value_enum)]
        transport: Option<Transport>,
        /// Workers (1 to 16).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=16))]
        workers: u16,
        /// Tasks (1 to 100000).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        tasks: u64,
        /// Numbers in each task (1 to 1000000).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        task_size: u64,
    },
    /// A ROUTER deals tasks to DEALER workers of different speeds, in turn and
    /// then to whichever is free.
    RouterDealer {
        /// Workers (1 to 16); worker n takes n units per task.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=16))]
        workers: u16,
        /// Tasks (1 to 10000).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        tasks: u64,
        /// One unit of work in milliseconds (0 to 100).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=100))]
        unit_ms: u64,
    },
    /// What PUSH and PUB do when the reader stops reading.
    HighWaterMarks {
        /// The high-water mark of each socket (1 to 100000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i32).range(1..=100_000))]
        mark: i32,
        /// Messages to publish to the subscriber that does not read (1 to
        /// 1000000).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        published: u64,
    },
    /// A pipeline worker process (the pipeline starts these).
    #[command(hide = true)]
    Worker {
        #[arg(long)]
        name: String,
        #[arg(long)]
        tasks_at: String,
        #[arg(long)]
        results_at: String,
        /// Milliseconds any wait may last before the worker gives up.
        #[arg(long, default_value_t = 20_000)]
        patience_ms: u64,
    },
}

fn main() -> ExitCode {
    let pattern = Args::parse().pattern;
    // A worker process writes to the same terminal as the pipeline that
    // started it; only the program the reader ran names the machine.
    let machine =
        (!matches!(pattern, Some(Pattern::Worker { .. }))).then(Machine::now);
    let ran = match pattern {
        Some(pattern) => run(pattern),
        None => every_pattern(),
    };
    if let (Ok(()), Some(machine)) = (&ran, machine) {
        println!("\n{}", machine.header());
    }
    cli::exit_code(ran)
}

/// Each pattern with its defaults, as if its subcommand had been typed alone.
fn every_pattern() -> Result<()> {
    let names = [
        "req-rep",
        "pub-sub",
        "pipeline",
        "router-dealer",
        "high-water-marks",
    ];
    for (number, name) in names.into_iter().enumerate() {
        if number > 0 {
            println!();
        }
        let args = Args::try_parse_from([env!("CARGO_PKG_NAME"), name])?;
        run(args.pattern.expect("each name is a pattern"))?;
    }
    Ok(())
}

fn run(pattern: Pattern) -> Result<()> {
    match pattern {
        Pattern::ReqRep {
            transport,
            requests,
        } => {
            let talk = req_rep::run(transport, requests)?;
            println!("REQ/REP over {transport}, server at {}", talk.endpoint);
            println!("  {requests} requests, {} right squares", talk.answered);
            println!("  a second send before the reply: {}", talk.second_send);
        }
        Pattern::PubSub {
            transport,
            messages,
        } => {
            println!(
                "PUB/SUB over {transport}: {messages} readings, {} of them on topic temp",
                messages.div_ceil(2)
            );
            for (how, handshake) in
                [("joined at once", false), ("after a handshake", true)]
            {
                let heard = pub_sub::run(transport, messages, handshake)?;
                println!(
                    "  {how:<17}  received {:>4}  missed at start {:>4}  other topics {}  gaps: {}",
                    heard.received,
                    heard.missed_at_start,
                    heard.other_topics,
                    if heard.no_gap_after_joining {
                        "none"
                    } else {
                        "yes"
                    }
                );
            }
        }
        Pattern::Pipeline {
            transport,
            workers,
            tasks,
            task_size,
        } => {
            let expected = pipeline::digit_sum(0..tasks * task_size);
            println!(
                "PUSH/PULL: digit sums of 0..{} in {tasks} tasks; one loop says {expected}",
                tasks * task_size
            );
            let transports = match transport {
                Some(transport) => vec![transport],
                None => vec![Transport::Inproc, Transport::Ipc, Transport::Tcp],
            };
            for transport in transports {
                let workers = usize::from(workers);
                let collected =
                    pipeline::run(transport, workers, tasks, task_size)?;
                let kind = if transport == Transport::Inproc {
                    "threads"
                } else {
                    "processes"
                };
                let shares: Vec<String> =
                    collected.per_worker.values().map(u64::to_string).collect();
                println!(
                    "  {:<22}  total {}  each task once: {}  shares {}",
                    format!("{transport}, {workers} {kind}:"),
                    collected.total,
                    collected.each_task_once,
                    shares.join("/")
                );
                if collected.total != expected || !collected.each_task_once {
                    bail!(
                        "the pipeline over {transport} lost or repeated work"
                    );
                }
            }
        }
        Pattern::RouterDealer {
            workers,
            tasks,
            unit_ms,
        } => {
            let unit = Duration::from_millis(unit_ms);
            let costs: Vec<String> = (1..=u32::from(workers))
                .map(|n| format_duration(unit * n))
                .collect();
            println!(
                "ROUTER/DEALER: {tasks} tasks, workers taking {} each",
                costs.join(", ")
            );
            let workers = usize::from(workers);
            let mut took = Vec::new();
            for (how, policy) in [
                ("in turn", Policy::RoundRobin),
                ("first free", Policy::FirstFree),
            ] {
                let dealt = router_dealer::run(policy, workers, tasks, unit)?;
                let ideal = router_dealer::ideal(policy, workers, tasks, unit);
                let shares: Vec<String> =
                    dealt.per_worker.iter().map(u64::to_string).collect();
                println!(
                    "  {how:<10}  shares {:<8}  each task once: {}  took {}, ideal {}",
                    shares.join("/"),
                    dealt.each_task_once,
                    format_duration(dealt.took),
                    format_duration(ideal)
                );
                took.push((dealt.took, ideal));
            }
            let [(turn, turn_ideal), (free, free_ideal)] = took[..] else {
                unreachable!("two policies")
            };
            println!(
                "  first free is {} faster; if messages cost nothing, {}",
                format_speedup(turn, free),
                format_speedup(turn_ideal, free_ideal)
            );
        }
        Pattern::HighWaterMarks { mark, published } => {
            println!(
                "High-water marks of {mark} messages on each socket (inproc)"
            );
            let blocked = high_water_marks::push_blocks(mark)?;
            println!(
                "  PUSH, reader stopped: {} queued, then a send waited {} and gave up;\n  \
                 {:>22} the reader took {} before the writer could go on",
                blocked.queued,
                format_duration(blocked.waited),
                "",
                blocked.read_before_room
            );
            let dropped = high_water_marks::pub_drops(mark, published)?;
            println!(
                "  PUB, reader stopped:  {} published, {} refused, {} received, {} dropped",
                dropped.published,
                dropped.refused,
                dropped.received,
                dropped.dropped
            );
        }
        Pattern::Worker {
            name,
            tasks_at,
            results_at,
            patience_ms,
        } => pipeline::work(
            &zmq::Context::new(),
            &name,
            (&tasks_at, &results_at),
            Duration::from_millis(patience_ms),
        )?,
    }
    Ok(())
}
