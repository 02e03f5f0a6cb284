//! Trains a small MLP on two generated spirals on the device `--device` names,
//! prints the loss as it falls, and writes the loss curve (CSV and SVG) for the
//! chapter.

mod plot;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::format_duration;
use book_helpers::measure::{Machine, Summary};
use ch25_same_computation_two_ways::{DeviceChoice, open, without_panics};
use ch25_training_an_mlp::{Training, spirals, train};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    about = "Trains a small MLP to tell two generated spirals apart, with burn's autodiff and Adam, and plots its loss"
)]
struct Args {
    /// Where to train: wgpu (a GPU, or lavapipe on the CPU), cpu (burn's Flex
    /// backend), or cuda (only in a build with `--features cuda`).
    #[arg(long, value_enum, default_value_t = DeviceChoice::Wgpu)]
    device: DeviceChoice,
    /// Optimiser steps, each over every point.
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    steps: u32,
    /// Points on each spiral.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    points: u32,
    /// Units in each of the two hidden layers.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=4096))]
    width: u32,
    /// Adam's step size.
    #[arg(long, default_value_t = 0.03)]
    learning_rate: f64,
    /// Write loss.csv and loss.svg here.
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

fn run(args: &Args) -> Result<(), String> {
    let machine = Machine::now();
    let opened = open(args.device)?;
    let data = spirals(args.points as usize);
    let setup = Training {
        steps: args.steps as usize,
        width: args.width as usize,
        learning_rate: args.learning_rate,
        seed: 25,
    };
    let trained = without_panics(|| train(&data, setup, &opened.device))??;
    println!("{}", machine.header());
    println!("device: {}", opened.name);
    println!(
        "two spirals, {} points; MLP 2 -> {w} -> {w} -> 2 with ReLU; Adam, learning rate {}, {} steps",
        data.labels.len(),
        setup.learning_rate,
        setup.steps,
        w = setup.width,
    );
    let every = (setup.steps / 6).max(1);
    for (step, loss) in trained.losses.iter().enumerate() {
        let step = step + 1;
        if step == 1 || step % every == 0 || step == setup.steps {
            println!("step {step:>5}: loss {loss:.4}");
        }
    }
    let last = trained.losses.last().copied().unwrap_or(f32::NAN);
    println!(
        "final loss {last:.4}; {:.1}% of the points on the right spiral",
        100.0 * trained.accuracy,
    );
    print_step_times(&trained.step_times);
    if let Some(dir) = &args.output_dir {
        plot::write(dir, &trained.losses, &opened.name)?;
        println!("written: loss.csv, loss.svg");
    }
    Ok(())
}

/// The first step apart (it compiles and tunes the kernels of every new
/// shape), then the median of the others with their spread.
fn print_step_times(step_times: &[Duration]) {
    let total: Duration = step_times.iter().sum();
    println!("{} steps in {}", step_times.len(), format_duration(total));
    let Some((first, rest)) = step_times.split_first() else {
        return;
    };
    println!("  step 1: {}", format_duration(*first));
    if !rest.is_empty() {
        println!(
            "  steps 2-{}: {} per step, median (fastest – slowest)",
            step_times.len(),
            Summary::of(rest.to_vec()).display()
        );
    }
}
