//! What recording a span costs: `cargo run --release -p timeline --example
//! overhead`.

use std::hint::black_box;
use std::thread;
use std::time::Instant;

use timeline::Recorder;

const SPANS: u32 = 200_000;

fn main() {
    for threads in [1, 2] {
        let recorder = Recorder::new();
        let start = Instant::now();
        thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for i in 0..SPANS {
                        recorder.span("empty", || black_box(i));
                    }
                });
            }
        });
        let per_span = start.elapsed().as_secs_f64() * 1e9 / f64::from(SPANS);
        assert_eq!(
            recorder.timeline().spans().len(),
            (SPANS as usize) * threads
        );
        println!(
            "{threads} thread(s) recording: {per_span:.0} ns per span (wall time per thread)"
        );
    }
}
