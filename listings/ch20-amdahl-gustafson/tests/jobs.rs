//! The job gives the same checksum on every pool, the two laws say what
//! they should at their limits, nothing hangs, and the plot draws each curve
//! and dot where its numbers say, inside the axes.

use std::time::Duration;

use book_helpers::finishes_within;
use ch20_amdahl_gustafson::plot::draw;
use ch20_amdahl_gustafson::{Job, Point, amdahl, gustafson, unit};
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

/// The checksum can only tell a unit done twice from two units done once if
/// units of different seeds give different results, none of them zero.
#[test]
fn every_seed_gives_its_own_unit_result() {
    let results: std::collections::HashSet<u64> = (0..500).map(unit).collect();
    assert_eq!(results.len(), 500);
    assert!(!results.contains(&0));
}

/// `(x, y)` pairs of a `points="x,y x,y "` attribute.
fn points(element: &str) -> Vec<(f64, f64)> {
    let list = attribute(element, "points");
    list.split_whitespace()
        .map(|pair| {
            let (x, y) = pair.split_once(',').expect("x,y");
            (x.parse().expect("x"), y.parse().expect("y"))
        })
        .collect()
}

fn attribute<'a>(element: &'a str, name: &str) -> &'a str {
    let start =
        element.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    let length = element[start..].find('"').expect("closing quote");
    &element[start..start + length]
}

/// The SVG elements named `tag`, each as its attributes up to its `>`.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    svg.split(&format!("<{tag}"))
        .skip(1)
        .filter(|rest| rest.starts_with(' '))
        .map(|rest| &rest[..rest.find('>').expect("element ends")])
        .collect()
}

#[test]
fn the_plot_draws_every_curve_and_dot_where_its_numbers_say() {
    let path = std::env::temp_dir()
        .join(format!("ch20-plot-{}.svg", std::process::id()));
    let strong = [
        Point {
            threads: 1,
            speedup: 1.0,
        },
        Point {
            threads: 4,
            speedup: 4.0,
        },
    ];
    let weak = [Point {
        threads: 2,
        speedup: 2.0,
    }];
    draw(&path, 0.1, &strong, &weak, "a test machine").expect("the plot");
    let svg = std::fs::read_to_string(&path).expect("the SVG");
    std::fs::remove_file(&path).ok();

    // Every line drawn, with its colour.
    let polylines: Vec<(&str, Vec<(f64, f64)>)> = elements(&svg, "polyline")
        .into_iter()
        .map(|line| (attribute(line, "stroke"), points(line)))
        .collect();
    // The axes: black two-point lines, the longest vertical and horizontal.
    let lines: Vec<_> = polylines
        .iter()
        .filter(|(stroke, line)| *stroke == "#000000" && line.len() == 2)
        .map(|(_, line)| line)
        .collect();
    let longest = |vertical: bool| {
        let along = |(a, b): ((f64, f64), (f64, f64))| {
            if vertical {
                (a.1 - b.1).abs()
            } else {
                (a.0 - b.0).abs()
            }
        };
        lines
            .iter()
            .map(|line| (line[0], line[1]))
            .filter(|&(a, b)| if vertical { a.0 == b.0 } else { a.1 == b.1 })
            .max_by(|&a, &b| along(a).total_cmp(&along(b)))
            .expect("an axis")
    };
    let (y_axis, x_axis) = (longest(true), longest(false));
    let (left, right) =
        (x_axis.0.0.min(x_axis.1.0), x_axis.0.0.max(x_axis.1.0));
    let (top, bottom) =
        (y_axis.0.1.min(y_axis.1.1), y_axis.0.1.max(y_axis.1.1));
    let inside = |(x, y): (f64, f64), margin: f64| {
        left + margin <= x
            && x <= right - margin
            && top + margin <= y
            && y <= bottom - margin
    };

    let dots: Vec<(f64, f64)> = elements(&svg, "circle")
        .into_iter()
        .filter(|dot| attribute(dot, "r") == "5")
        .map(|dot| {
            let at = |name| attribute(dot, name).parse::<f64>().expect(name);
            (at("cx"), at("cy"))
        })
        .collect();
    // Three measured dots and two in the legend, which lies inside too.
    assert_eq!(dots.len(), 5, "{dots:?}");
    for &dot in &dots {
        assert!(
            inside(dot, 5.0),
            "dot {dot:?} in {left}..{right} × {top}..{bottom}"
        );
    }
    let curves: Vec<&Vec<(f64, f64)>> = polylines
        .iter()
        .map(|(_, line)| line)
        .filter(|line| line.len() == 101)
        .collect();
    assert_eq!(curves.len(), 3, "ideal, Amdahl and Gustafson");
    for curve in &curves {
        assert!(curve.iter().all(|&point| inside(point, 0.0)), "{curve:?}");
    }
    // Every law gives a speedup of 1 on one thread: each curve starts on the
    // dot (1, 1). The ideal one ends on the dot (4, 4).
    let near =
        |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1) <= 1.5;
    let (one, four, two) = (dots[0], dots[1], dots[2]);
    // Both axes are linear and start at the lower left: threads 1, 2 and 4
    // lie at 0, 1 and 3 steps to the right, speedups 1, 2 and 4 as high up.
    let across: fn((f64, f64)) -> f64 = |point| point.0;
    let up: fn((f64, f64)) -> f64 = |point| -point.1;
    for (axis, pixel) in [("x", across), ("y", up)] {
        let step = pixel(two) - pixel(one);
        assert!(step > 10.0, "{axis}: {one:?} {two:?}");
        let third = pixel(four) - pixel(one);
        assert!(
            (third - 3.0 * step).abs() <= 2.0,
            "{axis}: {one:?} {two:?} {four:?}"
        );
    }
    for curve in &curves {
        assert!(near(curve[0], one), "{:?} starts at {one:?}", curve[0]);
    }
    let ideal = &curves[0];
    assert!(near(ideal[100], four), "{:?} ends at {four:?}", ideal[100]);
    // The straight line from (1, 1) to (4, 4) passes within a pixel of (2, 2).
    let (a, b) = (ideal[0], ideal[100]);
    let cross = (b.0 - a.0) * (two.1 - a.1) - (b.1 - a.1) * (two.0 - a.0);
    let off_line = cross.abs() / (b.0 - a.0).hypot(b.1 - a.1);
    assert!(
        off_line <= 1.5,
        "{two:?} is {off_line} px off the ideal line"
    );
}
