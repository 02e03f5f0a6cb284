//! Every row of the OpenMP-to-rayon table, run as the sequential loop and as
//! rayon in a pool of N threads: same answer, and how much faster.

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use ch19_openmp_to_rayon::{
    Answer, Inputs, ROWS, empty_joins, sum_joining_every_element,
};
use clap::Parser;
use rayon::ThreadPoolBuilder;

/// Rounds per comparison, after one warm-up run of each version; the
/// sequential loop and rayon take turns round by round.
const ROUNDS: usize = 5;

/// Joins timed with nothing in them, and elements summed with a join each.
const EMPTY_JOINS: usize = 100_000;
const JOINED_ELEMENTS: usize = 1 << 16;

/// Runs each OpenMP construct's rayon counterpart against its sequential
/// loop, checks that both give the same answer, and prints the speedup; then
/// measures what a `rayon::join` costs.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements in the loops (1 to 20000000).
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    size: u64,

    /// Threads in the pool (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let machine = Machine::now();
    let threads = args.threads.map_or(machine.cores, usize::from);
    // omp_set_num_threads(threads), but for this pool only: rayon's global
    // pool (sized by RAYON_NUM_THREADS or the core count) is left alone.
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads");
    let inputs = Inputs::new(args.size as usize);

    // Each row: the sequential loop and rayon in the pool, in turn.
    let measured: Vec<[(Summary, Answer); 2]> = ROWS
        .iter()
        .map(|row| {
            let mut versions: [Box<dyn FnMut() -> Answer>; 2] = [
                Box::new(|| (row.serial)(&inputs)),
                Box::new(|| pool.install(|| (row.parallel)(&inputs))),
            ];
            let mut both = interleaved_infallible(ROUNDS, &mut versions);
            let parallel = both.pop().expect("two versions");
            let serial = both.pop().expect("two versions");
            [serial, parallel]
        })
        .collect();
    let joins = measure_joins(&pool);

    println!("{}", machine.header());
    println!(
        "{} elements, a pool of {threads} threads; {ROUNDS} rounds, \
         sequential and rayon in turn; median (fastest – slowest)\n",
        args.size
    );
    print_table(&measured, threads);
    print_joins(&joins);
}
// ANCHOR_END: main

fn print_table(measured: &[[(Summary, Answer); 2]], threads: usize) {
    let [a, b, c, d, e, f, g] = [
        "OpenMP",
        "rayon",
        "sequential",
        "rayon",
        "speedup",
        "efficiency",
        "same",
    ];
    println!("{a:<19} {b:<28} {c:>10} {d:>28} {e:>7} {f:>10} {g:>4}");
    let mut all_same = true;
    for (row, [(serial, expected), (parallel, answer)]) in
        ROWS.iter().zip(measured)
    {
        let same = answer == expected;
        all_same &= same;
        let (serial, parallel_median) = (serial.median(), parallel.median());
        let speedup = serial.as_secs_f64() / parallel_median.as_secs_f64();
        let efficiency = 100.0 * speedup / threads as f64;
        let same = if same { "yes" } else { "NO" };
        println!(
            "{:<19} {:<28} {:>10} {:>28} {:>7} {efficiency:>9.0}% {same:>4}",
            row.openmp,
            row.rayon,
            book_helpers::format_duration(serial),
            parallel.display(),
            format_speedup(serial, parallel_median),
        );
    }
    println!("\nevery rayon version gives the sequential answer: {all_same}");
    if !all_same {
        std::process::exit(1);
    }
}

/// What the joins cost: empty ones, one per element, and the plain loop
/// over the same elements for scale.
struct Joins {
    empty: Summary,
    per_element: Summary,
    plain: Summary,
}

fn measure_joins(pool: &rayon::ThreadPool) -> Joins {
    let ones = vec![1_u64; JOINED_ELEMENTS];
    let mut variants: [Box<dyn FnMut() -> u64>; 3] = [
        Box::new(|| {
            pool.install(|| empty_joins(EMPTY_JOINS));
            0
        }),
        Box::new(|| pool.install(|| sum_joining_every_element(&ones))),
        Box::new(|| std::hint::black_box(&ones).iter().sum()),
    ];
    let mut measured = interleaved_infallible(ROUNDS, &mut variants);
    let sums: Vec<u64> = measured.iter().skip(1).map(|(_, sum)| *sum).collect();
    assert_eq!(
        sums, [JOINED_ELEMENTS as u64; 2],
        "both sums count every one"
    );
    let plain = measured.pop().expect("three variants").0;
    let per_element = measured.pop().expect("three variants").0;
    let empty = measured.pop().expect("three variants").0;
    Joins {
        empty,
        per_element,
        plain,
    }
}

fn print_joins(joins: &Joins) {
    // Nanoseconds with two decimals: a plain loop's add takes less than one.
    let each = |summary: &Summary, n: usize| {
        format!("{:.2} ns", summary.median().as_secs_f64() / n as f64 * 1e9)
    };
    println!(
        "\nthe cost of rayon::join in the pool; median (fastest – slowest)"
    );
    println!(
        "{:<20} {EMPTY_JOINS:>7} joins {:>28}: {} per join",
        "an empty join",
        joins.empty.display(),
        each(&joins.empty, EMPTY_JOINS)
    );
    let n = JOINED_ELEMENTS - 1;
    println!(
        "{:<20} {n:>7} joins {:>28}: {} per join",
        "a join per element",
        joins.per_element.display(),
        each(&joins.per_element, n)
    );
    println!(
        "{:<20} {JOINED_ELEMENTS:>7} adds  {:>28}: {} per element",
        "a plain loop",
        joins.plain.display(),
        each(&joins.plain, JOINED_ELEMENTS)
    );
}
