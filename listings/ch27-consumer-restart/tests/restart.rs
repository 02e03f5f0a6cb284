//! Against a real broker (tansu, started and killed by the program): a consumer
//! killed with SIGKILL loses nothing when it resumes from its stored offset,
//! while a PUB/SUB subscriber loses what was published while it was dead.
//!
//! These tests need `tansu`; without it they fail, and the listing's error
//! names `cargo xtask setup`.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use ch27_consumer_restart::consume;

const BINARY: &str = env!("CARGO_BIN_EXE_ch27-consumer-restart");

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &["--events", "--kill-after", "--commit-every"],
    );
    let help = cli::run(BINARY, &["--help"]).stdout;
    assert!(!help.contains("Commands:"), "{help}");
    assert_refused(
        BINARY,
        &[&["--events", "10"], &["--commit-every", "0"], &["--what"]],
    );
}

/// (processed, events, lost, processed twice) from the two `processed …`
/// lines, with the ranges of ids lost and processed twice as printed.
fn tallies(ran: &Ran) -> Vec<([u64; 4], String, String)> {
    ran.rows_starting_with("  processed ")
        .iter()
        .map(|row| {
            let (lost_part, twice_part) =
                row.split_once(", processed twice ").expect("two parts");
            let ids = |part: &str| {
                part.split_once(" (events ")
                    .map(|(_, ids)| ids.trim_end_matches(')').to_string())
                    .unwrap_or_default()
            };
            let counts: Vec<u64> = [lost_part, twice_part]
                .iter()
                .flat_map(|part| {
                    part.split(" (events ")
                        .next()
                        .unwrap()
                        .split(|c: char| !c.is_ascii_digit())
                        .filter_map(|word| word.parse().ok())
                        .collect::<Vec<u64>>()
                })
                .collect();
            let counts = counts.try_into().expect("four counts");
            (counts, ids(lost_part), ids(twice_part))
        })
        .collect()
}

/// The two numbers in `… {prefix}{a}{middle}{b}…` of the output.
fn numbers_after(out: &str, prefix: &str, middle: &str) -> (u64, u64) {
    let parse = |text: &str| -> u64 {
        let digits: String =
            text.chars().take_while(char::is_ascii_digit).collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("a number: {text}"))
    };
    let (_, rest) = out
        .split_once(prefix)
        .unwrap_or_else(|| panic!("no line with {prefix:?}: {out}"));
    let (first, rest) = rest
        .split_once(middle)
        .unwrap_or_else(|| panic!("no {middle:?} after {prefix:?}: {out}"));
    (parse(first), parse(rest))
}

#[test]
fn the_log_loses_nothing_and_pub_sub_loses_what_it_sent_meanwhile_stress() {
    for (events, kill_after, commit_every) in [
        (2_000, 650, 100),
        (200, 30, 7),
        (1_000, 10, 1),
        (600, 250, 64),
        (3_000, 1_200, 500),
    ] {
        let numbers =
            [events, kill_after, commit_every].map(|n: u64| n.to_string());
        let args = [
            "--events",
            &numbers[0],
            "--kill-after",
            &numbers[1],
            "--commit-every",
            &numbers[2],
        ];
        let ran = cli::run(BINARY, &args);
        // The broker's absence shows in stderr, whose error names `cargo xtask
        // setup`.
        assert!(ran.succeeded(), "{args:?}: {}", ran.stderr);
        let out = &ran.stdout;
        let [(log, log_lost, log_twice), (pub_sub, lost_ids, twice_ids)] =
            &tallies(&ran)[..]
        else {
            panic!("two tallies: {out}");
        };
        // The log. What the kill line says (how far consumer 1 got, which
        // offset it had stored) is read before consumer 2 ran; the tally is
        // read from the processed file at the end. The events processed twice
        // must be exactly those between the stored offset and the kill, and
        // none may be missing.
        let (processed_1, stored) = numbers_after(
            out,
            "consumer 1 killed with SIGKILL after processing ",
            " events; its stored offset: ",
        );
        assert!(processed_1 >= kill_after, "killed too soon: {out}");
        assert!(stored <= processed_1, "{out}");
        assert!(processed_1 - stored <= commit_every, "{out}");
        let [_, total, lost, twice] = *log;
        assert_eq!((total, lost, log_lost.as_str()), (events, 0, ""), "{out}");
        assert_eq!(twice, processed_1 - stored, "{out}");
        let expected = if twice == 0 {
            String::new()
        } else {
            format!("{stored}..{processed_1}")
        };
        assert_eq!(*log_twice, expected, "{out}");
        // PUB/SUB. The kill line must be there: without it nothing below is
        // checked.
        let (before_kill, from) = numbers_after(
            out,
            "subscriber 1 killed with SIGKILL after processing ",
            " events; events ",
        );
        assert!(before_kill >= kill_after, "killed too soon: {out}");
        assert!(from >= before_kill, "{out}");
        // Nothing twice; what was processed is what the first subscriber
        // processed before its kill, and the lost ones are exactly the rest:
        // what sat in its queue, what was published while nobody listened,
        // and nothing the second subscriber could have got.
        let [processed, total, lost, twice] = *pub_sub;
        assert_eq!(
            (total, twice, twice_ids.as_str()),
            (events, 0, ""),
            "{out}"
        );
        assert_eq!(processed, before_kill, "{out}");
        assert_eq!(lost, events - before_kill, "{out}");
        assert_eq!(*lost_ids, format!("{before_kill}..{events}"), "{out}");
    }
}

#[test]
fn ranges_are_the_fewest_that_hold_the_ids() {
    use ch27_consumer_restart::{ranges, show_ids};
    assert_eq!(ranges([]), vec![]);
    assert_eq!(ranges([3, 4, 5, 9, 11, 12]), vec![3..6, 9..10, 11..13]);
    assert_eq!(show_ids(&ranges([600, 601])), " (events 600..602)");
    assert_eq!(show_ids(&[]), "");
    assert_eq!(show_ids(&ranges([1, 3])), " (events 1..2 and 3..4)");
}

#[test]
fn a_consumer_whose_log_never_reaches_its_offset_gives_up() {
    use std::time::{Duration, Instant};

    use ch27_partitions_and_offsets::broker::Broker;
    use ch27_partitions_and_offsets::log::{connect, create_topic};

    let broker = Broker::start().expect("tansu starts");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(async {
            let client = connect(&broker.address).await?;
            create_topic(&client, "events", 1).await
        })
        .expect("an empty topic");
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let files = ["offset", "processed"].map(|name| scratch.path().join(name));
    let address = broker.address.clone();
    let patience = Duration::from_millis(500);
    let (outcome, waited) =
        finishes_within(Duration::from_secs(20), move || {
            let started = Instant::now();
            let files = (files[0].as_path(), files[1].as_path());
            let outcome = consume(&address, "events", files, (3, 1), patience);
            (outcome, started.elapsed())
        });
    let error = outcome.expect_err("nothing was produced");
    assert!(
        error.to_string().contains("never reached offset 3"),
        "{error}"
    );
    assert!(waited >= patience, "gave up after {waited:?}");
}
