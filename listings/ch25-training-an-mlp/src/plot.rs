//! The loss curve, as numbers (loss.csv) and as a picture (loss.svg) with its
//! own white background and dark text, so that it reads the same in every theme
//! of the book.

use std::path::Path;

use plotters::prelude::*;

const LINE: RGBColor = RGBColor(0x1f, 0x5f, 0xbf);
const TEXT: RGBColor = RGBColor(0x1b, 0x1f, 0x24);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

pub fn write(dir: &Path, losses: &[f32], device: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let mut csv = String::from("step,loss\n");
    for (step, loss) in by_step(losses) {
        csv.push_str(&format!("{step},{loss}\n"));
    }
    let csv_path = dir.join("loss.csv");
    std::fs::write(&csv_path, csv).map_err(|error| {
        format!("cannot write {}: {error}", csv_path.display())
    })?;
    draw(&dir.join("loss.svg"), losses, device)
        .map_err(|error| format!("cannot draw the loss curve: {error}"))
}

/// Each loss with the optimiser step after which it was taken, counted from 1.
fn by_step(losses: &[f32]) -> impl Iterator<Item = (usize, f32)> + '_ {
    losses
        .iter()
        .enumerate()
        .map(|(step, loss)| (step + 1, *loss))
}

fn draw(
    path: &Path,
    losses: &[f32],
    device: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (760, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    // The loss falls by orders of magnitude: a logarithmic axis shows every
    // phase of it.
    let highest = losses.iter().copied().fold(f32::MIN_POSITIVE, f32::max);
    let lowest = losses.iter().copied().fold(highest, f32::min).max(1e-6);
    // Whole decades, so that the axis has a labelled tick at both ends.
    let decade_below = 10f32.powf(lowest.log10().floor());
    let decade_above = 10f32.powf(highest.log10().ceil());
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Training loss, two spirals ({device})"),
            ("sans-serif", 17).into_font().color(&TEXT),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            1..losses.len().max(2),
            (decade_below..decade_above).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("optimiser step")
        .y_desc("cross-entropy loss (log scale)")
        .y_label_formatter(&|loss| format!("{loss}"))
        .axis_desc_style(("sans-serif", 14).into_font().color(&TEXT))
        .label_style(("sans-serif", 13).into_font().color(&TEXT))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .draw()?;
    chart
        .draw_series(LineSeries::new(by_step(losses), LINE.stroke_width(2)))?;
    root.present()?;
    Ok(())
}
