//! Provokes a deadlock with two transfers in opposite directions, detects it
//! with a timeout, then runs the same transfers with ordered locks.

use std::time::Duration;

use book_helpers::format_duration;
use ch05_deadlock::{
    Account, Transfer, both_directions_finish, transfer_in_argument_order,
    transfer_in_id_order,
};
use clap::Parser;

/// Moves money A→B and B→A at once, first locking the two accounts in
/// argument order (deadlock, detected by a timeout), then in id order.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Milliseconds each transfer waits between its two locks (0 to 1000);
    /// the wider the window, the surer the deadlock.
    #[arg(long, default_value_t = 100,
          value_parser = clap::value_parser!(u16).range(0..=1000))]
    pause_ms: u16,

    /// Milliseconds to wait for both transfers before calling it a deadlock
    /// (10 to 60000).
    #[arg(long, default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(10..=60_000))]
    timeout_ms: u32,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let pause = Duration::from_millis(args.pause_ms.into());
    let limit = Duration::from_millis(args.timeout_ms.into());

    let ways: [(&str, Transfer); 2] = [
        ("argument order", transfer_in_argument_order),
        ("id order", transfer_in_id_order),
    ];
    for (name, transfer) in ways {
        let (a, b) = (Account::new(1, 100), Account::new(2, 100));
        if both_directions_finish(transfer, &a, &b, pause, limit) {
            let (a, b) = (a.balance(), b.balance());
            println!(
                "locks in {name:<14}: both transfers done; A = {a}, B = {b}, \
                 total {}",
                a + b
            );
        } else {
            println!(
                "locks in {name:<14}: no progress within {}: deadlock \
                 (each thread holds one lock and waits for the other)",
                format_duration(limit)
            );
        }
    }
}
// ANCHOR_END: main
