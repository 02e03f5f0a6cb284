//! The roofline: attainable GFLOP/s against arithmetic intensity, both axes
//! logarithmic, with the measured kernels as points. Explicit colours on a
//! white card, so it reads the same in every theme.

use std::ops::Range;
use std::path::Path;

use plotters::prelude::*;

use crate::roof;

const ROOF: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
const MEMORY: RGBColor = RGBColor(0x1f, 0x5f, 0xbf);
const COMPUTE: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const TEXT: RGBColor = RGBColor(0x1b, 0x1f, 0x24);

/// A measured kernel: its name, operations per byte and GFLOP/s.
pub struct Kernel {
    pub name: String,
    pub intensity: f64,
    pub gflops: f64,
    pub memory_bound: bool,
}

/// A flat line below the roof: a limit of the code, not of the machine.
pub struct Ceiling {
    pub label: String,
    pub gflops: f64,
}

const CEILINGS: [RGBColor; 3] = [
    RGBColor(0x6a, 0x3d, 0x9a),
    RGBColor(0x2e, 0x7d, 0x32),
    RGBColor(0xc0, 0x39, 0x2b),
];

/// The axes' ranges: intensity from 0.02 to 64 operations per byte;
/// GFLOP/s up to three times the peak (at least 1), and down to half the
/// memory roof at the left edge or a thousandth of the top, whichever is
/// lower.
pub fn ranges(
    bandwidth_gbs: f64,
    peak_gflops: f64,
) -> (Range<f64>, Range<f64>) {
    let (x_min, x_max) = (0.02, 64.0);
    let y_max = (peak_gflops * 3.0).max(1.0);
    let y_min = (bandwidth_gbs * x_min / 2.0).min(y_max / 1000.0);
    (x_min..x_max, y_min..y_max)
}

/// The roof as `steps + 1` points evenly spaced on the logarithmic
/// intensity axis `x`, from its start to its end.
pub fn roof_points(
    bandwidth_gbs: f64,
    peak_gflops: f64,
    x: &Range<f64>,
    steps: u32,
) -> Vec<(f64, f64)> {
    (0..=steps)
        .map(|i| {
            let t = f64::from(i) / f64::from(steps);
            let x = x.start * (x.end / x.start).powf(t);
            (x, roof(peak_gflops, bandwidth_gbs, x))
        })
        .collect()
}

/// A ceiling's flat line: from where the memory roof reaches it (its
/// ridge point, `gflops / bandwidth`, or the axis' start) to the axis' end.
pub fn ceiling_line(
    gflops: f64,
    bandwidth_gbs: f64,
    x: &Range<f64>,
) -> [(f64, f64); 2] {
    let ridge = gflops / bandwidth_gbs;
    [(ridge.max(x.start), gflops), (x.end, gflops)]
}

/// The kernels of one series, the memory-bound ones or the others, that
/// have a rate to plot on the logarithmic axis.
pub fn measured(kernels: &[Kernel], memory_bound: bool) -> Vec<&Kernel> {
    kernels
        .iter()
        .filter(|k| k.memory_bound == memory_bound && k.gflops > 0.0)
        .collect()
}

pub fn draw(
    path: &Path,
    bandwidth_gbs: f64,
    peak_gflops: f64,
    ceilings: &[Ceiling],
    kernels: &[Kernel],
    title: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let (x, y) = ranges(bandwidth_gbs, peak_gflops);
    let root = SVGBackend::new(path, (760, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16).into_font().color(&TEXT))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x.clone().log_scale(), y.log_scale())?;
    chart
        .configure_mesh()
        .x_desc("arithmetic intensity (floating-point operations per byte)")
        .y_desc("GFLOP/s")
        .axis_desc_style(("sans-serif", 14).into_font().color(&TEXT))
        .label_style(("sans-serif", 13).into_font().color(&TEXT))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
        .draw()?;
    let line = roof_points(bandwidth_gbs, peak_gflops, &x, 200);
    chart
        .draw_series(LineSeries::new(line, ROOF.stroke_width(2)))?
        .label(format!(
            "roof from the hardware: min({peak_gflops:.1} GFLOP/s, {bandwidth_gbs:.1} GB/s × intensity)"
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], ROOF));
    for (ceiling, colour) in ceilings.iter().zip(CEILINGS) {
        let flat = ceiling_line(ceiling.gflops, bandwidth_gbs, &x);
        chart
            .draw_series(DashedLineSeries::new(
                flat,
                6,
                4,
                colour.stroke_width(2),
            ))?
            .label(format!("{}: {:.1} GFLOP/s", ceiling.label, ceiling.gflops))
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], colour)
            });
    }
    for (memory_bound, colour, label) in [
        (true, MEMORY, "STREAM kernels (measured, bytes moved)"),
        (false, COMPUTE, "polynomials of rising degree (measured)"),
    ] {
        let points = measured(kernels, memory_bound);
        chart
            .draw_series(points.iter().map(|k| {
                Circle::new((k.intensity, k.gflops), 5, colour.filled())
            }))?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
        chart.draw_series(points.iter().map(|k| {
            Text::new(
                k.name.clone(),
                (k.intensity * 1.08, k.gflops * 0.72),
                ("sans-serif", 11).into_font().color(&TEXT),
            )
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0x88, 0x88, 0x88))
        .label_font(("sans-serif", 13).into_font().color(&TEXT))
        .draw()?;
    root.present()?;
    Ok(())
}
