//! The program as a reader runs it. How many tasks each worker ran and
//! stole changes from run to run; these are the lines that must not.

use book_helpers::cli::{assert_help_mentions, assert_refused, run};

const BINARY: &str = env!("CARGO_BIN_EXE_ch08-lock-free");

#[test]
fn every_structure_reports_a_correct_result() {
    for workers in ["1", "3", "4"] {
        let ran = run(BINARY, &["--workers", workers, "--items", "2000"]);
        assert!(ran.succeeded(), "{}", ran.stderr);
        assert!(ran.rows_starting_with("machine: ").len() == 1);
        let delivered = ran.rows_starting_with("2 producers → 2")[0];
        assert!(
            delivered.ends_with(
                "4000 items through each queue; \
                 every round, every item received once"
            ),
            "{delivered}"
        );
        // Each queue's row: its median time and range, then its speedup
        // over the Mutex<VecDeque> of the same bound (1.00× for that one).
        for queue in [
            "Mutex<VecDeque>, 64 ",
            "ArrayQueue, 64 ",
            "Mutex<VecDeque>, no bound ",
            "SegQueue, no bound ",
        ] {
            let row = ran.rows_starting_with(queue);
            assert_eq!(row.len(), 1, "{queue}: {}", ran.stdout);
            let timed = row[0].ends_with('×') && row[0].contains(" – ");
            assert!(timed, "{row:?}");
            if queue.starts_with("Mutex") {
                assert!(row[0].ends_with(" 1.00×"), "{row:?}");
            }
        }
        let sum = ran.rows_starting_with("work stealing")[0];
        assert!(sum.ends_with("= 49999995000000 (formula: 49999995000000)"));
        assert_eq!(
            ran.rows_starting_with("  worker ").len(),
            workers.parse::<usize>().unwrap()
        );
        let stack = ran.rows_starting_with("Treiber stack")[0];
        assert!(stack.ends_with("each once: true"), "{stack}");
    }
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--workers", "--items"]);
    assert_refused(
        BINARY,
        &[
            &["--workers", "0"],
            &["--workers", "65"],
            &["--items", "0"],
            &["--items", "x"],
            &["--what"],
        ],
    );
}
