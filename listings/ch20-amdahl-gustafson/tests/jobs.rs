//! The job gives the same checksum on every pool, the two laws say what
//! they should at their limits, and nothing hangs.

use std::time::Duration;

use book_helpers::finishes_within;
use ch20_amdahl_gustafson::{Job, amdahl, gustafson, unit};
use rayon::ThreadPoolBuilder;

fn sequential(job: &Job) -> u64 {
    (0..job.serial + job.parallel)
        .map(|i| unit(i as u64))
        .fold(0, u64::wrapping_add)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool starts")
}

#[test]
fn strong_and_weak_jobs_have_the_right_sizes() {
    assert_eq!(
        Job::strong(100, 0.1),
        Job {
            serial: 10,
            parallel: 90
        }
    );
    assert_eq!(Job::strong(100, 0.0).serial, 0);
    assert_eq!(Job::strong(100, 1.0).parallel, 0);
    assert_eq!(
        Job::weak(100, 0.1, 4),
        Job {
            serial: 10,
            parallel: 360
        }
    );
    assert_eq!(Job::weak(100, 0.25, 1), Job::strong(100, 0.25));
}

#[test]
fn the_laws_agree_at_their_limits() {
    for p in [1.0, 2.0, 3.0, 16.0] {
        assert!((amdahl(0.0, p) - p).abs() < 1e-12, "no serial part: linear");
        assert!((gustafson(0.0, p) - p).abs() < 1e-12);
        assert!((amdahl(1.0, p) - 1.0).abs() < 1e-12, "all serial: no gain");
        assert!((gustafson(1.0, p) - 1.0).abs() < 1e-12);
        for s in [0.05, 0.1, 0.5] {
            assert!(amdahl(s, p) <= gustafson(s, p) + 1e-12);
            assert!(amdahl(s, p) < 1.0 / s, "Amdahl's ceiling is 1/s");
        }
    }
    assert!((amdahl(0.1, 2.0) - 2.0 / 1.1).abs() < 1e-12);
    assert!((gustafson(0.1, 4.0) - 3.7).abs() < 1e-12);
}

#[test]
fn every_pool_gives_the_sequential_checksum() {
    finishes_within(Duration::from_secs(120), || {
        for job in [
            Job::strong(37, 0.1),
            Job::weak(20, 0.3, 3),
            Job::strong(5, 1.0),
        ] {
            let expected = sequential(&job);
            for threads in 1..=5 {
                assert_eq!(
                    job.run(&pool(threads)),
                    expected,
                    "{job:?}, {threads}"
                );
            }
        }
    });
}

#[test]
fn stress_two_hundred_small_jobs_on_varied_pools() {
    finishes_within(Duration::from_secs(120), || {
        let pools: Vec<_> = (1..=6).map(pool).collect();
        for run in 0..200 {
            let job =
                Job::weak(1 + run % 13, (run % 5) as f64 / 4.0, 1 + run % 3);
            assert_eq!(job.run(&pools[run % 6]), sequential(&job), "{job:?}");
        }
    });
}
