use ch20_amdahl_gustafson::{amdahl, gustafson};
use exercises::ch20::{scaled_serial_fraction, serial_fraction};

const FRACTIONS: [f64; 6] = [0.0, 0.02, 0.1, 0.25, 0.5, 1.0];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn ch20_serial_fraction_undoes_amdahl() {
    for s in FRACTIONS {
        for threads in [2, 3, 4, 7, 16, 64, 1000] {
            let speedup = amdahl(s, threads as f64);
            let found = serial_fraction(speedup, threads).expect("threads");
            assert!(
                close(found, s),
                "{threads} threads, speedup {speedup}: got {found}, not {s}"
            );
        }
    }
    assert_eq!(serial_fraction(1.0, 1), None, "one thread tells nothing");
    assert_eq!(serial_fraction(1.0, 0), None, "no threads tell nothing");
}

#[test]
fn ch20_scaled_serial_fraction_undoes_gustafson() {
    for s in FRACTIONS {
        for p in [2, 3, 4, 7, 16, 64, 1000] {
            let scaled = gustafson(s, p as f64);
            let found = scaled_serial_fraction(scaled, p).expect("threads");
            assert!(
                close(found, s),
                "{p} threads, scaled {scaled}: got {found}, not {s}"
            );
        }
    }
    assert_eq!(scaled_serial_fraction(1.0, 1), None);
    assert_eq!(scaled_serial_fraction(1.0, 0), None);
}

#[test]
fn ch20_the_same_number_means_different_things_under_each_law() {
    // 1.6 times on two threads: a fixed job with a quarter serial, or a
    // grown job with two fifths serial.
    let fixed = serial_fraction(1.6, 2).expect("two threads");
    let grown = scaled_serial_fraction(1.6, 2).expect("two threads");
    assert!(close(fixed, 0.25), "Amdahl reads 1.6 on 2 as 0.25: {fixed}");
    assert!(
        close(grown, 0.4),
        "Gustafson reads 1.6 on 2 as 0.4: {grown}"
    );
}

#[test]
fn ch20_overhead_shows_as_a_growing_serial_fraction() {
    // A job with a tenth serial whose threads also cost 1% of the one-thread
    // time each to start and join: the fraction read back grows with the
    // threads, where a true serial part would stay at 0.1.
    let mut previous = 0.1;
    for threads in [2, 4, 8, 16] {
        let p = threads as f64;
        let time = 0.1 + 0.9 / p + 0.01 * p;
        let found = serial_fraction(1.0 / time, threads).expect("threads");
        assert!(found > previous, "{threads} threads: {found}");
        previous = found;
    }
}
