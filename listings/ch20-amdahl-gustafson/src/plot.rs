//! The speedup plot: measured points against Amdahl's and Gustafson's laws.
//! Explicit colours on a white card, so it reads the same in every theme.

use std::path::Path;

use plotters::prelude::*;

use crate::{Point, amdahl, gustafson};

const AMDAHL: RGBColor = RGBColor(0x1f, 0x5f, 0xbf);
const GUSTAFSON: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const IDEAL: RGBColor = RGBColor(0x88, 0x88, 0x88);
const TEXT: RGBColor = RGBColor(0x1b, 0x1f, 0x24);

/// Draws `strong` and `weak` measurements with both laws for serial
/// fraction `s` into an SVG file at `path`.
pub fn draw(
    path: &Path,
    s: f64,
    strong: &[Point],
    weak: &[Point],
    machine: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let max_threads = strong.iter().chain(weak).map(|p| p.threads).max();
    let max_threads = max_threads.unwrap_or(1).max(2) as f64;
    let root = SVGBackend::new(path, (760, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let title = format!("Speedup vs threads, serial fraction {s} ({machine})");
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 17).into_font().color(&TEXT))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.8..max_threads + 0.2, 0.0..max_threads + 0.2)?;
    chart
        .configure_mesh()
        .x_desc("threads")
        .y_desc("speedup over one thread")
        .x_labels(max_threads as usize)
        .x_label_formatter(&|threads| format!("{threads:.0}"))
        .axis_desc_style(("sans-serif", 14).into_font().color(&TEXT))
        .label_style(("sans-serif", 13).into_font().color(&TEXT))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
        .draw()?;

    let curve = |law: fn(f64, f64) -> f64| {
        (0..=100).map(move |i| {
            let p = 1.0 + (max_threads - 1.0) * f64::from(i) / 100.0;
            (p, law(s, p))
        })
    };
    chart
        .draw_series(LineSeries::new(curve(|_, p| p), IDEAL.stroke_width(1)))?
        .label("ideal: speedup = threads")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], IDEAL));
    chart
        .draw_series(LineSeries::new(curve(amdahl), AMDAHL.stroke_width(2)))?
        .label("Amdahl's law (fixed job)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], AMDAHL));
    chart
        .draw_series(LineSeries::new(
            curve(gustafson),
            GUSTAFSON.stroke_width(2),
        ))?
        .label("Gustafson's law (job grows with threads)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], GUSTAFSON));
    let dots = |points: &[Point], colour: RGBColor| {
        points
            .iter()
            .map(move |p| {
                Circle::new((p.threads as f64, p.speedup), 5, colour.filled())
            })
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(dots(strong, AMDAHL))?
        .label("measured, fixed job (strong scaling)")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, AMDAHL.filled()));
    chart
        .draw_series(dots(weak, GUSTAFSON))?
        .label("measured, growing job (weak scaling)")
        .legend(|(x, y)| Circle::new((x + 10, y), 5, GUSTAFSON.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(IDEAL)
        .label_font(("sans-serif", 13).into_font().color(&TEXT))
        .draw()?;
    root.present()?;
    Ok(())
}
