//! The naive transfer deadlocks when the window is wide and the timeout
//! notices; the ordered transfer never deadlocks, whatever the pattern, and
//! never creates or destroys money.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch05_deadlock::{
    Account, both_directions_finish, transfer_in_argument_order,
    transfer_in_id_order,
};

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn opposite_transfers_in_argument_order_deadlock_and_are_detected() {
    let (a, b) = (Account::new(1, 100), Account::new(2, 100));
    let finished = both_directions_finish(
        transfer_in_argument_order,
        &a,
        &b,
        // A window this wide is hit even when a busy machine starts the
        // second thread late.
        Duration::from_millis(300),
        Duration::from_millis(1_000),
    );
    assert!(!finished, "with a 300 ms window both threads hold one lock");
    // The two threads stay blocked; this test's process ends with them.
}

/// Alone, with no other thread to cross, the naive transfer moves the money.
#[test]
fn a_transfer_in_argument_order_moves_the_amount() {
    let (a, b) = (Account::new(1, 100), Account::new(2, 100));
    transfer_in_argument_order(&a, &b, 30, Duration::ZERO);
    assert_eq!((a.balance(), b.balance()), (70, 130));
}

/// The ordered transfer takes its locks by id but moves the money the way it
/// was asked, whichever account has the smaller id.
#[test]
fn a_transfer_in_id_order_moves_the_amount_either_way() {
    let (a, b) = (Account::new(1, 100), Account::new(2, 100));
    transfer_in_id_order(&a, &b, 30, Duration::ZERO);
    assert_eq!((a.balance(), b.balance()), (70, 130));
    transfer_in_id_order(&b, &a, 10, Duration::ZERO);
    assert_eq!((a.balance(), b.balance()), (80, 120));
}

#[test]
fn opposite_transfers_in_id_order_always_finish() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let (a, b) = (Account::new(1, 100), Account::new(2, 100));
            let pause = Duration::from_micros(round % 3 * 100);
            let limit = Duration::from_secs(30);
            assert!(both_directions_finish(
                transfer_in_id_order,
                &a,
                &b,
                pause,
                limit
            ));
            assert_eq!((a.balance(), b.balance()), (100, 100));
        }
    });
}

#[test]
fn many_threads_moving_money_among_many_accounts_keep_the_total() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let accounts: Vec<Arc<Account>> =
                (0..5).map(|id| Account::new(id, 1_000)).collect();
            let threads = 2 + round % 7;
            thread::scope(|scope| {
                for t in 0..threads {
                    let accounts = &accounts;
                    scope.spawn(move || {
                        for i in 0..50 {
                            // Every thread walks the accounts in a different
                            // direction, so argument order would cross.
                            let from = (t + i) % 5;
                            let to = (from + 1 + t % 4) % 5;
                            transfer_in_id_order(
                                &accounts[from],
                                &accounts[to],
                                (i % 7) as i64,
                                Duration::ZERO,
                            );
                        }
                    });
                }
            });
            let total: i64 = accounts.iter().map(|a| a.balance()).sum();
            assert_eq!(total, 5_000, "round {round}, {threads} threads");
        }
    });
}

#[test]
#[should_panic(expected = "two different accounts")]
fn a_transfer_to_the_same_account_is_refused() {
    let a = Account::new(1, 100);
    transfer_in_id_order(&a, &a, 1, Duration::ZERO);
}
