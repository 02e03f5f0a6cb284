use std::sync::Arc;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch05_deadlock::{Account, both_directions_finish};
use exercises::ch05::transfer_with_back_off;

#[test]
fn ch05_opposite_transfers_with_back_off_finish() {
    for round in 0..5 {
        let (a, b) = (Account::new(1, 100), Account::new(2, 100));
        // The listing's detector, with a window wide enough that both
        // threads hold their first lock when they reach for the second.
        let finished = both_directions_finish(
            transfer_with_back_off,
            &a,
            &b,
            Duration::from_millis(20),
            Duration::from_secs(10),
        );
        assert!(finished, "round {round}: the two transfers deadlocked");
        assert_eq!((a.balance(), b.balance()), (100, 100), "round {round}");
    }
}

#[test]
fn ch05_crossing_transfers_move_every_amount_exactly_once() {
    finishes_within(Duration::from_secs(60), || {
        for round in 0..30 {
            let accounts: Vec<Arc<Account>> =
                (0..5).map(|id| Account::new(id, 1_000)).collect();
            let threads = 2 + round % 7;
            let mut expected = [1_000_i64; 5];
            let moves = |t: usize, i: usize| {
                // Every thread walks the accounts in its own direction, so
                // the locks are taken in crossing orders.
                let from = (t + i) % 5;
                let to = (from + 1 + t % 4) % 5;
                (from, to, (i % 7) as i64 + 1)
            };
            for t in 0..threads {
                for i in 0..50 {
                    let (from, to, amount) = moves(t, i);
                    expected[from] -= amount;
                    expected[to] += amount;
                }
            }
            thread::scope(|scope| {
                for t in 0..threads {
                    let accounts = &accounts;
                    scope.spawn(move || {
                        for i in 0..50 {
                            let (from, to, amount) = moves(t, i);
                            transfer_with_back_off(
                                &accounts[from],
                                &accounts[to],
                                amount,
                                Duration::ZERO,
                            );
                        }
                    });
                }
            });
            let balances: Vec<i64> =
                accounts.iter().map(|a| a.balance()).collect();
            assert_eq!(balances, expected, "round {round}, {threads} threads");
        }
    });
}
