//! Three drivers that mostly wait, run one after another and then concurrently.

use book_helpers::measure::Machine;
use book_helpers::{format_duration, format_speedup, timed};
use ch01_waiting_drivers::{
    Driver, Report, concurrently, longest_driver, one_after_another,
    sum_of_waits, the_drivers,
};
use clap::Parser;

/// Runs three simulated device drivers (network, display, keyboard) one after
/// another, then as concurrent threads, and compares the two wall-clock times.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many events each driver handles (1 to 100).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=100))]
    events: u32,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let machine = Machine::now();
    let drivers = the_drivers(args.events);
    describe(&drivers);

    let (in_turn, in_turn_took) = timed(|| one_after_another(&drivers));
    let (together, together_took) = timed(|| concurrently(&drivers));

    print_reports(&together);
    let sum = format_duration(sum_of_waits(&drivers));
    let longest = format_duration(longest_driver(&drivers));
    let took = format_duration(in_turn_took);
    println!("one after another: {took:>8}  (the waits add up to {sum})");
    let took = format_duration(together_took);
    println!("concurrently:      {took:>8}  (the longest driver: {longest})");
    println!("same results both ways: {}", in_turn == together);
    let speedup = format_speedup(in_turn_took, together_took);
    println!("concurrently was {speedup} faster");
    println!("{}", machine.header());
}
// ANCHOR_END: main

fn describe(drivers: &[Driver]) {
    for driver in drivers {
        let wait = format_duration(driver.wait);
        println!("{:<8}  waits {wait} per {}", driver.device, driver.event);
    }
    println!();
}

fn print_reports(reports: &[Report]) {
    for report in reports {
        println!("{:<8}  {}", report.device, report.handled.join(", "));
    }
    println!();
}
