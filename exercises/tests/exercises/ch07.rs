use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use exercises::ch07::Tickets;

#[test]
fn ch07_tickets_in_turn_then_none() {
    let tickets = Tickets::new(3);
    let taken: Vec<_> = (0..5).map(|_| tickets.try_take()).collect();
    assert_eq!(taken, [Some(0), Some(1), Some(2), None, None]);
    assert_eq!(tickets.issued(), 3, "a refusal counts nothing");
    assert_eq!(tickets.limit(), 3);
    let none = Tickets::new(0);
    assert_eq!(none.try_take(), None);
    assert_eq!(none.issued(), 0);
}

#[test]
fn ch07_every_ticket_once_among_many_threads() {
    finishes_within(Duration::from_secs(60), || {
        for round in 0..20 {
            let threads = 2 + round % 7;
            let limit = 20_000 + round as u64;
            let tickets = Tickets::new(limit);
            let start = Barrier::new(threads);
            let mut taken: Vec<u64> = thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            start.wait();
                            let mut mine = Vec::new();
                            while let Some(ticket) = tickets.try_take() {
                                mine.push(ticket);
                            }
                            // Keep asking after the last one, as a busy
                            // server does.
                            for _ in 0..100 {
                                assert_eq!(tickets.try_take(), None);
                            }
                            mine
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("no panic"))
                    .collect()
            });
            assert_eq!(tickets.issued(), limit, "round {round}");
            taken.sort_unstable();
            let expected: Vec<u64> = (0..limit).collect();
            if taken != expected {
                let twice = taken.windows(2).find(|w| w[0] == w[1]);
                panic!(
                    "round {round}, {threads} threads: {} tickets handed \
                     out for {limit}, one given twice: {twice:?}",
                    taken.len()
                );
            }
        }
    });
}
