//! What each pattern promises, checked on the program as a reader runs it and,
//! many times over with varied sizes, on the library functions behind it.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use ch26_zeromq_patterns::router_dealer::{self, Policy};
use ch26_zeromq_patterns::transport::{self, Transport};
use ch26_zeromq_patterns::{high_water_marks, pipeline, pub_sub, req_rep};

const BINARY: &str = env!("CARGO_BIN_EXE_ch26-zeromq-patterns");

/// Far longer than any run here takes; a run that needs it is hung.
const LIMIT: Duration = Duration::from_secs(120);

fn run(args: &[&str]) -> Ran {
    let ran = cli::run(BINARY, args);
    assert!(ran.succeeded(), "{args:?}: {}", ran.stderr);
    ran
}

#[test]
fn help_names_every_pattern() {
    assert_help_mentions(
        BINARY,
        &[
            "req-rep",
            "pub-sub",
            "pipeline",
            "router-dealer",
            "high-water-marks",
        ],
    );
    let help = cli::run(BINARY, &["--help"]).stdout;
    assert!(!help.contains("worker "), "the worker role stays hidden");
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["pipeline", "--workers", "0"],
            &["pipeline", "--transport", "udp"],
            &["pub-sub", "--messages", "1"],
            &["high-water-marks", "--mark", "0"],
            &["router-dealer", "--unit-ms", "101"],
            &["--what"],
        ],
    );
}

#[test]
fn the_run_the_book_shows_keeps_every_promise() {
    let ran = run(&[]);
    let out = &ran.stdout;
    // REQ/REP: every answer right, and the lockstep enforced.
    assert!(out.contains("5 requests, 5 right squares"), "{out}");
    assert!(
        out.contains("a second send before the reply: refused with EFSM"),
        "{out}"
    );
    // PUB/SUB: the late joiner misses a prefix and nothing after it; the
    // handshake none.
    let late = ran.rows_starting_with("  joined at once");
    let (received, missed) = counts(late[0]);
    assert_eq!(received + missed, 1_000, "{out}");
    assert!(late[0].ends_with("other topics 0  gaps: none"), "{out}");
    let synced = ran.rows_starting_with("  after a handshake")[0];
    assert_eq!(counts(synced), (1_000, 0), "{out}");
    // The pipeline: the exact sum on threads and on processes, each task once.
    let expected = pipeline::digit_sum(0..600_000);
    for way in [
        "  inproc, 3 threads:",
        "  ipc, 3 processes:",
        "  tcp, 3 processes:",
    ] {
        let row = ran.rows_starting_with(way);
        assert_eq!(row.len(), 1, "{out}");
        assert!(
            row[0].contains(&format!(
                "total {expected}  each task once: true  shares "
            )),
            "{out}"
        );
    }
    // ROUTER/DEALER: in turn is an even split; first free gives the fast worker
    // more.
    assert!(out.contains("in turn     shares 20/20/20  each task once: true"));
    assert!(out.contains(", ideal 300 ms"), "{out}");
    assert!(
        ran.rows_starting_with("  first free  ")[0]
            .contains("each task once: true"),
        "{out}"
    );
    assert!(out.contains("if messages cost nothing, 1.82×"), "{out}");
    // High-water marks: PUSH holds both marks' worth, then waits; PUB drops the
    // rest.
    assert!(out.contains("PUSH, reader stopped: 200 queued"), "{out}");
    assert!(out.contains("10000 published, 0 refused, "), "{out}");
}

/// `received N  missed at start M` from a PUB/SUB row.
fn counts(row: &str) -> (u64, u64) {
    let words: Vec<&str> = row.split_whitespace().collect();
    let after = |word: &str| -> u64 {
        let at = words
            .iter()
            .position(|w| *w == word)
            .expect("the word is there");
        words[at + 1].parse().expect("a count")
    };
    (after("received"), after("start"))
}

#[test]
fn req_rep_answers_every_request_on_every_transport() {
    for transport in [Transport::Inproc, Transport::Ipc, Transport::Tcp] {
        for requests in [1, 10, 500] {
            let talk = finishes_within(LIMIT, move || {
                req_rep::run(transport, requests)
            })
            .unwrap();
            assert_eq!(talk.answered, requests);
            assert!(talk.second_send == "refused with EFSM");
        }
    }
}

#[test]
fn pub_sub_never_leaves_a_gap_once_joined_stress() {
    for round in 0..20_u64 {
        let transport = [Transport::Inproc, Transport::Ipc, Transport::Tcp]
            [(round % 3) as usize];
        let messages = 2 + round * 37;
        let handshake = round % 2 == 0;
        let heard = finishes_within(LIMIT, move || {
            pub_sub::run(transport, messages, handshake)
        })
        .unwrap();
        assert_eq!(heard.other_topics, 0, "{heard:?}");
        assert!(heard.no_gap_after_joining, "{heard:?}");
        assert_eq!(
            heard.received + heard.missed_at_start,
            heard.published,
            "{heard:?}"
        );
        if handshake {
            assert_eq!(heard.missed_at_start, 0, "{heard:?}");
        }
    }
}

#[test]
fn the_pipeline_on_threads_is_exact_for_any_crew_stress() {
    for round in 0..100_u64 {
        let workers = (round % 7 + 1) as usize;
        let tasks = round % 13 + 1;
        let task_size = round * 11 + 1;
        let collected = finishes_within(LIMIT, move || {
            pipeline::run(Transport::Inproc, workers, tasks, task_size)
        })
        .unwrap();
        assert_eq!(collected.total, pipeline::digit_sum(0..tasks * task_size));
        assert!(collected.each_task_once, "{collected:?}");
        // Every worker was connected before the first task (its hello came
        // through the sink), so PUSH dealt to all of them in turn: the shares,
        // counted by the name each result carries, differ by one at most.
        let mut shares: Vec<u64> = (1..=workers)
            .map(|n| collected.per_worker.get(&format!("worker-{n}")))
            .map(|share| share.copied().unwrap_or(0))
            .collect();
        shares.sort_unstable();
        assert_eq!(shares.iter().sum::<u64>(), tasks, "{collected:?}");
        assert!(shares[workers - 1] - shares[0] <= 1, "{collected:?}");
        assert!(collected.per_worker.len() <= workers, "{collected:?}");
    }
}

#[test]
fn the_pipeline_on_processes_is_exact_over_ipc_and_tcp() {
    for (transport, workers, tasks) in [
        ("ipc", "1", "7"),
        ("ipc", "4", "40"),
        ("tcp", "2", "9"),
        ("tcp", "5", "50"),
    ] {
        let ran = run(&[
            "pipeline",
            "--transport",
            transport,
            "--workers",
            workers,
            "--tasks",
            tasks,
        ]);
        let tasks: u64 = tasks.parse().unwrap();
        let expected = pipeline::digit_sum(0..tasks * 10_000);
        let row = format!("total {expected}  each task once: true");
        assert!(ran.stdout.contains(&row), "{}", ran.stdout);
    }
}

/// A worker process whose waits last at most 300 ms.
fn worker(tasks_at: &str, results_at: &str) -> Ran {
    cli::run(
        BINARY,
        &[
            "worker",
            "--name",
            "w",
            "--tasks-at",
            tasks_at,
            "--results-at",
            results_at,
            "--patience-ms",
            "300",
        ],
    )
}

#[test]
fn a_worker_without_a_sink_says_so_instead_of_hanging() {
    // Nobody listens on port 1. With ZMQ_IMMEDIATE=1 the worker's `ready`
    // waits for a completed connection, and its send time-out ends the wait.
    let ran = worker("tcp://127.0.0.1:1", "tcp://127.0.0.1:1");
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "error: no sink at tcp://127.0.0.1:1: could not send the ready within 300 ms"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_worker_with_a_sink_but_no_ventilator_says_so_instead_of_hanging() {
    let context = zmq::Context::new();
    let sink = context.socket(zmq::PULL).unwrap();
    sink.bind("tcp://127.0.0.1:*").unwrap();
    let results_at = sink.get_last_endpoint().unwrap().unwrap();
    let ran = worker("tcp://127.0.0.1:1", &results_at);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("error: no task within 300 ms"),
        "{}",
        ran.stderr
    );
    // The sink did get the worker's hello before it gave up.
    assert_eq!(sink.poll(zmq::POLLIN, 0).unwrap(), 1);
    assert_eq!(sink.recv_string(0).unwrap().unwrap(), "ready");
}

#[test]
fn connect_queues_at_once_unless_immediate_is_set() {
    // What the worker's ZMQ_IMMEDIATE=1 changes: by default a PUSH socket
    // connected to an address where nobody listens takes a message anyway,
    // into the queue made for that connection.
    let context = zmq::Context::new();
    for (immediate, accepted) in [(false, true), (true, false)] {
        let push = context.socket(zmq::PUSH).unwrap();
        push.set_linger(0).unwrap();
        push.set_immediate(immediate).unwrap();
        push.connect("tcp://127.0.0.1:1").unwrap();
        let sent = push.send("into the void", zmq::DONTWAIT);
        assert_eq!(sent.is_ok(), accepted, "immediate {immediate}: {sent:?}");
        if !accepted {
            assert_eq!(sent, Err(zmq::Error::EAGAIN));
        }
    }
}

#[test]
fn an_inproc_context_runs_without_an_io_thread() {
    let context = transport::context_for(Transport::Inproc).unwrap();
    assert_eq!(context.get_io_threads().unwrap(), 0);
    // tcp needs an I/O thread, and this context has none to give it...
    let socket = context.socket(zmq::PULL).unwrap();
    assert!(socket.bind("tcp://127.0.0.1:*").is_err());
    // ...while every inproc pattern runs on it.
    let collected =
        finishes_within(LIMIT, || pipeline::run(Transport::Inproc, 3, 9, 10))
            .unwrap();
    assert!(collected.each_task_once, "{collected:?}");
    let dealt = finishes_within(LIMIT, || {
        router_dealer::run(Policy::FirstFree, 3, 9, Duration::ZERO)
    })
    .unwrap();
    assert!(dealt.each_task_once, "{dealt:?}");
}

#[test]
fn the_ideal_schedules_are_what_the_arithmetic_says() {
    let ms = Duration::from_millis;
    // In turn: the slowest worker does its share, 20 × 15 ms.
    assert_eq!(
        router_dealer::ideal(Policy::RoundRobin, 3, 60, ms(5)),
        ms(300)
    );
    // One worker does everything under either policy.
    for policy in [Policy::RoundRobin, Policy::FirstFree] {
        assert_eq!(router_dealer::ideal(policy, 1, 7, ms(5)), ms(35));
    }
    // First free: each task to whoever is free soonest. Two tasks for workers
    // of 5 and 10 ms both start at once; the third goes to the 5 ms worker.
    assert_eq!(router_dealer::ideal(Policy::FirstFree, 2, 3, ms(5)), ms(10));
    // At the combined rate of 1/5 + 1/10 + 1/15 tasks per ms, 60 tasks take
    // at least 163.6 ms; whole tasks make it a little more.
    let free = router_dealer::ideal(Policy::FirstFree, 3, 60, ms(5));
    assert!(
        free >= Duration::from_micros(163_636) && free <= ms(175),
        "{free:?}"
    );
}

#[test]
fn router_dealer_does_each_task_once_under_both_policies_stress() {
    for round in 0..40_u64 {
        let workers = (round % 5 + 1) as usize;
        let tasks = round * 3 + 1;
        for policy in [Policy::RoundRobin, Policy::FirstFree] {
            let dealt = finishes_within(LIMIT, move || {
                router_dealer::run(policy, workers, tasks, Duration::ZERO)
            })
            .unwrap();
            assert!(dealt.each_task_once, "{dealt:?}");
            if policy == Policy::RoundRobin {
                let least = dealt.per_worker.iter().min().unwrap();
                let most = dealt.per_worker.iter().max().unwrap();
                assert!(
                    most - least <= 1,
                    "in turn is an even split: {dealt:?}"
                );
            }
        }
    }
}

#[test]
fn first_free_gives_the_fastest_worker_the_most_tasks() {
    // Workers 1, 2 and 3 take 5, 10 and 15 ms a task: the schedule gives
    // them about 6 : 3 : 2 of the tasks, and the slowest the fewest.
    let dealt = finishes_within(LIMIT, || {
        router_dealer::run(Policy::FirstFree, 3, 60, Duration::from_millis(5))
    })
    .unwrap();
    assert!(dealt.each_task_once, "{dealt:?}");
    let [fastest, _, slowest] = dealt.per_worker[..] else {
        panic!("three workers: {dealt:?}");
    };
    assert!(fastest > slowest, "{dealt:?}");
}

#[test]
fn push_waits_and_pub_drops_at_any_mark() {
    for mark in [1, 10, 100, 1_000] {
        let blocked =
            finishes_within(LIMIT, move || high_water_marks::push_blocks(mark))
                .unwrap();
        // inproc: the sender's and the receiver's marks add up.
        assert_eq!(blocked.queued, 2 * mark as u64, "{blocked:?}");
        // libzmq lets the writer go on once the reader has taken the pipe's
        // low-water mark, `(hwm + 1) / 2` (`compute_lwm` in its pipe.cpp),
        // and the pipe's limit here is the two marks together.
        assert_eq!(blocked.read_before_room, mark as u64, "{blocked:?}");
        let published = 5_000;
        let dropped = finishes_within(LIMIT, move || {
            high_water_marks::pub_drops(mark, published)
        })
        .unwrap();
        assert_eq!(
            dropped.refused, 0,
            "PUB never makes the sender wait: {dropped:?}"
        );
        // What arrived is the start of what was published, in order: once
        // the queues were full, every newer message was dropped.
        assert!(dropped.kept_the_oldest, "{dropped:?}");
        assert!(dropped.received >= 1, "{dropped:?}");
        assert!(dropped.received <= 2 * mark as u64, "{dropped:?}");
        // The queues hold at most the two marks' worth, so at least the rest
        // was dropped, and never more than was published.
        assert!(
            dropped.dropped >= published - 2 * mark as u64,
            "{dropped:?}"
        );
        assert!(dropped.dropped < published, "{dropped:?}");
    }
}
