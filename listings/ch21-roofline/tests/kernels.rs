//! Every kernel computes on N threads exactly what it computes on one, the
//! byte and operation counts are the ones the roofline needs, and nothing
//! hangs.

use std::time::Duration;

use book_helpers::finishes_within;
use ch21_roofline::hardware::{
    FMA_PIPES, build_vector, from_cpuinfo, reported_clock, stream_len,
    this_machine,
};
use ch21_roofline::plot::{
    Kernel, ceiling_line, measured, ranges, roof_points,
};
use ch21_roofline::{
    Arrays, Evaluation, Q, Stream, coefficients, horner, horner_fused,
    polynomial, polynomial_cost, roof,
};
use rayon::ThreadPoolBuilder;

/// The four STREAM kernels as plain loops, applied in the same order.
fn stream_serially(arrays: &mut Arrays) {
    let Arrays { a, b, c } = arrays;
    c.copy_from_slice(a);
    for (b, c) in b.iter_mut().zip(c.iter()) {
        *b = Q * c;
    }
    for ((c, a), b) in c.iter_mut().zip(a.iter()).zip(b.iter()) {
        *c = a + b;
    }
    for ((a, b), c) in a.iter_mut().zip(b.iter()).zip(c.iter()) {
        *a = b + Q * c;
    }
}

fn check_stream(len: usize, threads: usize) {
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut parallel = Arrays::new(len);
    pool.install(|| Stream::ALL.iter().for_each(|k| k.run(&mut parallel)));
    let mut serial = Arrays::new(len);
    stream_serially(&mut serial);
    assert_eq!(parallel.a, serial.a, "{len} on {threads}");
    assert_eq!(parallel.b, serial.b);
    assert_eq!(parallel.c, serial.c);
}

#[test]
fn stream_kernels_match_plain_loops_on_every_pool() {
    finishes_within(Duration::from_secs(60), || {
        for len in [0, 1, 7, 1000, 65_537] {
            for threads in [1, 2, 3, 5] {
                check_stream(len, threads);
            }
        }
    });
}

#[test]
fn polynomials_match_horner_element_by_element() {
    finishes_within(Duration::from_secs(60), || {
        let x: Vec<f64> = (0..10_001).map(|i| f64::from(i) * 1e-4).collect();
        for degree in [0, 1, 7, 63] {
            let c = coefficients(degree);
            for threads in [1, 2, 4] {
                let pool = ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut out = vec![0.0; x.len()];
                pool.install(|| polynomial(&c, &x, &mut out));
                let expected: Vec<f64> =
                    x.iter().map(|&x| horner(&c, x)).collect();
                assert_eq!(out, expected, "degree {degree}, {threads} threads");
            }
        }
    });
}

#[test]
fn stress_two_hundred_runs_on_varied_pools() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200 {
            check_stream(1 + run * 37 % 3000, 1 + run % 4);
        }
    });
}

#[test]
fn the_counts_and_the_roof_are_right() {
    // p(x) = 1 + x/2 + x²/3: at x = 1 it is 11/6.
    assert!((horner(&coefficients(2), 1.0) - 11.0 / 6.0).abs() < 1e-12);
    assert_eq!(polynomial_cost(63), (128.0, 16.0));
    assert_eq!(Stream::Triad.bytes_per_element(), 24.0);
    assert_eq!(Stream::Triad.flops_per_element(), 2.0);
    assert_eq!(Stream::Copy.flops_per_element(), 0.0);
    // Write-allocate: each store also reads its line first.
    let moved = Stream::ALL.map(Stream::traffic_per_element);
    assert_eq!(moved, [24.0, 24.0, 32.0, 32.0]);
    // Below the ridge point bandwidth limits, above it the peak does.
    assert_eq!(roof(10.0, 5.0, 0.5), 2.5);
    assert_eq!(roof(10.0, 5.0, 8.0), 10.0);
}

#[test]
fn every_evaluation_matches_its_scalar_rounding_bit_for_bit() {
    finishes_within(Duration::from_secs(60), || {
        let x: Vec<f64> = (0..1_003).map(|i| f64::from(i) * 1e-3).collect();
        let c = coefficients(63);
        let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for evaluation in Evaluation::ALL {
            let mut out = vec![f64::NAN; x.len()];
            pool.install(|| evaluation.run(&c, &x, &mut out));
            if !evaluation.available() {
                println!("not exercised here: {}", evaluation.name());
                continue;
            }
            let one = if evaluation.fused() {
                horner_fused
            } else {
                horner
            };
            let expected: Vec<f64> = x.iter().map(|&x| one(&c, x)).collect();
            assert_eq!(out, expected, "{}", evaluation.name());
        }
        // Fusing changes the rounding: the two scalar forms differ somewhere.
        assert!(x.iter().any(|&x| horner(&c, x) != horner_fused(&c, x)));
    });
}

const ZEN3: &str = "vendor_id\t: AuthenticAMD\ncpu family\t: 25\n\
    model name\t: AMD EPYC\nflags\t\t: fpu sse sse2 avx fma avx2\n";
const SKYLAKE_SP: &str = "vendor_id\t: GenuineIntel\ncpu family\t: 6\n\
    flags\t\t: sse2 avx fma avx2 avx512f\n";

#[test]
fn the_peak_is_cores_clock_lanes_pipes_and_flops() {
    let zen3 = from_cpuinfo(ZEN3, 2, (3.5, "given"));
    assert_eq!(zen3.vector, ("AVX", 4));
    assert!(zen3.fma);
    // 2 cores × 3.5 GHz × 4 lanes × 2 FMA pipes × 2 flop.
    assert_eq!(zen3.peak_gflops(), 112.0);
    assert_eq!(FMA_PIPES, 2);
    // Without FMA, SSE2: a multiply on each FMA pipe and an add on each of
    // Zen's two add pipes, 2 lanes each.
    assert_eq!(zen3.mul_add_ceiling(2), 2.0 * 3.5 * 2.0 * 4.0);
    let intel = from_cpuinfo(SKYLAKE_SP, 1, (2.0, "given"));
    assert_eq!(intel.vector, ("AVX-512", 8));
    assert_eq!(intel.peak_gflops(), 1.0 * 2.0 * 8.0 * 2.0 * 2.0);
    // Intel adds on the FMA pipes: one multiply or add per pipe.
    assert_eq!(intel.mul_add_ceiling(2), 1.0 * 2.0 * 2.0 * 2.0);
    let old = from_cpuinfo("flags\t: sse sse2\n", 4, (1.0, "given"));
    assert_eq!((old.vector, old.fma), (("SSE2", 2), false));
    assert_eq!(old.peak_gflops(), 4.0 * 2.0 * 2.0);
}

#[test]
fn the_avx_variants_need_their_extensions_and_the_rest_run_anywhere() {
    let runs_with = |avx, avx_fma| -> Vec<Evaluation> {
        Evaluation::ALL
            .into_iter()
            .filter(|evaluation| evaluation.available_with(avx, avx_fma))
            .collect()
    };
    let portable = [
        Evaluation::OneChain,
        Evaluation::Lanes,
        Evaluation::LanesFused,
    ];
    assert_eq!(runs_with(false, false), portable);
    assert_eq!(
        runs_with(true, false),
        [&portable[..], &[Evaluation::LanesAvx]].concat()
    );
    assert_eq!(runs_with(true, true), Evaluation::ALL);
}

#[test]
#[cfg(target_arch = "x86_64")]
fn the_avx_variants_are_available_where_the_processor_has_the_extensions() {
    let avx = std::is_x86_feature_detected!("avx");
    let fma = std::is_x86_feature_detected!("fma");
    assert_eq!(Evaluation::LanesAvx.available(), avx);
    assert_eq!(Evaluation::LanesAvxFma.available(), avx && fma);
}

#[test]
fn only_zen_counts_two_add_pipes_beside_the_fma_pipes() {
    let cpu = |vendor: &str, family: u32| {
        let cpuinfo = format!(
            "vendor_id\t: {vendor}\ncpu family\t: {family}\nflags\t: avx fma\n"
        );
        from_cpuinfo(&cpuinfo, 1, (1.0, "given")).add_pipes
    };
    assert_eq!(cpu("AuthenticAMD", 25), 2, "Zen 3");
    assert_eq!(cpu("AuthenticAMD", 23), 2, "Zen 1");
    assert_eq!(cpu("AuthenticAMD", 21), 0, "Bulldozer");
    assert_eq!(cpu("GenuineIntel", 6), 0);
}

#[test]
fn the_reported_clock_is_cpufreqs_maximum_else_cpuinfos_current() {
    let cpuinfo = "model name\t: X\ncpu MHz\t\t: 2450.000\n";
    assert_eq!(
        reported_clock(Some("3500000\n"), cpuinfo),
        (3.5, "cpufreq's maximum")
    );
    assert_eq!(
        reported_clock(Some("unknown"), cpuinfo),
        (2.45, "/proc/cpuinfo's cpu MHz")
    );
    assert_eq!(reported_clock(None, "").0, 0.0);
}

#[test]
#[cfg(target_arch = "x86_64")]
fn an_x86_clock_is_measured() {
    let clock = this_machine(1).clock_source;
    assert!(clock.starts_with("measured"), "{clock}");
}

#[test]
#[cfg(all(target_arch = "x86_64", not(target_feature = "avx")))]
fn a_build_for_the_x86_64_baseline_vectorises_with_sse2() {
    // The book builds without `-C target-cpu`: two f64 lanes.
    assert_eq!(build_vector(), ("SSE2", 2));
}

#[test]
fn the_plot_spans_three_times_the_peak_down_to_below_the_memory_roof() {
    let (x, y) = ranges(10.0, 20.0);
    assert_eq!(x, 0.02..64.0);
    // 10 GB/s at 0.02 operations per byte feeds 0.2 GFLOP/s: half is 0.1,
    // above a thousandth of the top, 0.06.
    assert_eq!(y, 0.06..60.0);
    // 1 GB/s: half the roof at the left edge, 0.01, is the lower.
    assert_eq!(ranges(1.0, 100.0).1, 0.01..300.0);
    assert_eq!(ranges(1.0, 0.1).1.end, 1.0, "at least 1 GFLOP/s high");
}

#[test]
fn the_roof_is_drawn_at_points_evenly_spaced_on_the_log_axis() {
    let points = roof_points(10.0, 20.0, &(0.02..64.0), 4);
    assert_eq!(points.len(), 5);
    assert_eq!(points[0], (0.02, 0.2), "the memory roof: 10 GB/s × 0.02");
    let (last_x, last_y) = points[4];
    assert!((last_x - 64.0).abs() < 1e-12, "{last_x}");
    assert_eq!(last_y, 20.0, "the compute roof");
    // Each step multiplies the intensity by the fourth root of 64 / 0.02.
    let ratio = (64.0_f64 / 0.02).powf(0.25);
    for pair in points.windows(2) {
        let step = pair[1].0 / pair[0].0;
        assert!((step - ratio).abs() < 1e-9, "{step} vs {ratio}");
    }
}

#[test]
fn a_ceiling_runs_from_its_ridge_point_to_the_axis_end() {
    // 4 GFLOP/s under 10 GB/s is reached at 0.4 operations per byte.
    let x = 0.02..64.0;
    assert_eq!(ceiling_line(4.0, 10.0, &x), [(0.4, 4.0), (64.0, 4.0)]);
    // A ceiling the roof reaches left of the axis starts at its edge.
    assert_eq!(ceiling_line(0.1, 10.0, &x), [(0.02, 0.1), (64.0, 0.1)]);
}

#[test]
fn each_series_plots_its_own_kernels_with_a_rate() {
    let kernel = |name: &str, gflops, memory_bound| Kernel {
        name: name.to_string(),
        intensity: 0.1,
        gflops,
        memory_bound,
    };
    let kernels = [
        kernel("triad", 1.5, true),
        kernel("copy", 0.0, true),
        kernel("degree 8", 20.0, false),
    ];
    let names = |memory_bound| -> Vec<String> {
        measured(&kernels, memory_bound)
            .iter()
            .map(|k| k.name.clone())
            .collect()
    };
    // Copy does no arithmetic: no point on a logarithmic axis.
    assert_eq!(names(true), ["triad"]);
    assert_eq!(names(false), ["degree 8"]);
}

#[test]
fn a_polynomial_moves_three_words_per_element() {
    // x read; out written, and read first by the write-allocate.
    assert_eq!(ch21_roofline::POLYNOMIAL_TRAFFIC, 24.0);
}

#[test]
fn arrays_are_four_times_the_last_level_cache() {
    // 4 × 32 MiB of 8-byte doubles.
    assert_eq!(stream_len(Some(32 << 20)), 16 << 20);
    assert_eq!(stream_len(None), 16 << 20);
    assert_eq!(stream_len(Some(256 << 20)) * 8, 4 * (256 << 20));
}
