//! The same two computations, a matrix multiply and the chain `relu(a·b + c)`,
//! written twice: by hand as WGSL kernels launched through wgpu, and as burn
//! tensor code. Both run on one device (burn's own wgpu device and queue), both
//! are checked against the CPU, and each is timed on its first call (compiling,
//! and for burn autotuning) and in a steady state.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::measure::{Machine, Summary, interleaved, repeated};
use book_helpers::{format_duration, timed};
use burn::tensor::activation::relu;
use burn::tensor::wgpu::WgpuSetup;
use burn::tensor::{Device, Tensor};
use ch25_same_computation_two_ways::by_hand::Launch;
use ch25_same_computation_two_ways::{
    DeviceChoice, MATMUL_BIAS_RELU_WGSL, chain, chain_inputs, check_chain,
    matrix, open, values, without_panics,
};
use clap::Parser;
use gpu_reference::kernels;

#[derive(Debug, Parser)]
#[command(
    about = "A matrix multiply and relu(a·b + c), by hand in WGSL and as burn tensor code, on one device, checked against the CPU and timed"
)]
struct Args {
    /// Where burn runs: wgpu (a GPU, or lavapipe on the CPU), cpu (burn's Flex
    /// backend), or cuda (only in a build with `--features cuda`). The
    /// hand-written kernels need wgpu.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Wgpu)]
    device: DeviceChoice,
    /// Side of the square matrices.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=2048))]
    size: u32,
    /// Timed calls in the steady state, after the first call and one more
    /// untimed; their median is shown with the farthest from it.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    repeat: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

/// One row of the table: what ran, how long its first call and its best later
/// call took, and how close it came to the CPU.
/// One row of the table.
fn row(what: &str, first: Duration, steady: &Summary, check: &str) -> String {
    format!(
        "{what:<44} {:>9} {:>14}  {check}",
        format_duration(first),
        steady.display_narrow()
    )
}

/// The calls after the first: one more untimed, then `repeat` timed and
/// summarised; the last call's result.
fn steady<T>(
    repeat: usize,
    mut call: impl FnMut() -> Result<T, String>,
) -> Result<(T, Summary), String> {
    let (summary, last) = interleaved(repeat, &mut [&mut call])?
        .pop()
        .expect("one call, one summary");
    Ok((last, summary))
}

/// The inputs, and the CPU's answers every row is checked against.
struct Problem {
    n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
    product: Vec<f32>,
    chain: Vec<f32>,
}

impl Problem {
    /// A device's `a·b`: its worst error as a fraction of the GPU chapter's
    /// bound.
    fn check_product(&self, result: &[f32]) -> Result<String, String> {
        let worst = gpu_reference::check_matmul(result, &self.product, self.n)?;
        let bound = 2.0 * self.n as f64 * f64::from(f32::EPSILON);
        Ok(format!("{:.2}", f64::from(worst) / bound))
    }

    /// A device's `relu(a·b + c)`: its worst error as a fraction of the bound.
    fn check_chain(&self, result: &[f32]) -> Result<String, String> {
        let (a, b, c) = (&self.a, &self.b, &self.c);
        check_chain(result, &self.chain, a, b, c, self.n)
            .map(|worst| format!("{worst:.2}"))
    }
}

fn run(args: &Args) -> Result<(), String> {
    let n = args.size as usize;
    let repeat = args.repeat as usize;
    let machine = Machine::now();
    let opened = open(args.device)?;
    let (a, b, c) = chain_inputs(n);
    let (product, cpu_time) =
        repeated(repeat, || gpu_reference::matmul(&a, &b, n));
    let chain = chain(&a, &b, &c, n);
    let problem = Problem {
        n,
        a,
        b,
        c,
        product,
        chain,
    };
    let mut rows = Vec::new();
    if let Some(setup) = &opened.wgpu {
        rows.extend(by_hand_rows(setup, &problem, repeat)?);
    } else {
        rows.push(
            "(the hand-written WGSL kernels need a wgpu device: --device wgpu)"
                .to_string(),
        );
    }
    let device = opened.device;
    rows.extend(without_panics(|| burn_rows(&device, &problem, repeat))??);

    println!("{}", machine.header());
    println!("device: {}", opened.name);
    println!(
        "matrices {n} x {n}; every row is checked against the CPU (a·b on one core: {})",
        cpu_time.display_narrow()
    );
    println!(
        "steady: {repeat} calls after the first two, median ±farthest call"
    );
    println!(
        "{:<44} {:>9} {:>14}  error / bound",
        "", "1st call", "steady"
    );
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

/// The hand-written kernels: compiled on the first call's way, then launched
/// and timed.
fn by_hand_rows(
    setup: &WgpuSetup,
    p: &Problem,
    repeat: usize,
) -> Result<Vec<String>, String> {
    let mut rows = Vec::new();
    let n = p.n;
    let (matmul, compile) = timed(|| {
        Launch::prepare(
            setup,
            kernels::MATMUL_WGSL,
            "matmul_tiled",
            &[&p.a, &p.b],
            n,
        )
    });
    let matmul = matmul?;
    let (first, first_run) = timed(|| matmul.run());
    first?;
    let ((), steady_time) = steady(repeat, || matmul.run())?;
    let check = p.check_product(&matmul.result()?)?;
    rows.push(row(
        "a·b          by hand: matmul.wgsl",
        compile + first_run,
        &steady_time,
        &check,
    ));

    let (fused, compile) = timed(|| {
        let source = MATMUL_BIAS_RELU_WGSL;
        Launch::prepare(
            setup,
            source,
            "matmul_bias_relu",
            &[&p.a, &p.b, &p.c],
            n,
        )
    });
    let fused = fused?;
    let (first, first_run) = timed(|| fused.run());
    first?;
    let ((), steady_time) = steady(repeat, || fused.run())?;
    let check = p.check_chain(&fused.result()?)?;
    rows.push(row(
        "relu(a·b+c)  by hand: matmul_bias_relu.wgsl",
        compile + first_run,
        &steady_time,
        &check,
    ));
    Ok(rows)
}

/// The three burn versions, each timed from the call until the device has
/// finished.
fn burn_rows(
    device: &Device,
    p: &Problem,
    repeat: usize,
) -> Result<Vec<String>, String> {
    let mut rows = Vec::new();
    let n = p.n;
    let wait = || {
        device
            .sync()
            .map_err(|error| format!("the device failed: {error:?}"))
    };
    // The inputs go to the device once, as the hand-written kernels' buffers
    // did.
    let (a, b, c) = (
        matrix(&p.a, n, device),
        matrix(&p.b, n, device),
        matrix(&p.c, n, device),
    );
    wait()?;

    // ANCHOR: burn
    // The same two computations as tensor code: no kernel, no buffer, no grid.
    let product = || a.clone().matmul(b.clone());
    let one_expression = || relu(a.clone().matmul(b.clone()) + c.clone());
    // ANCHOR_END: burn
    // ANCHOR: op_by_op
    // The chain again, waiting for the device after each operation: nothing is
    // left queued for burn to fuse, so each operation runs as a kernel of
    // its own.
    let op_by_op = || -> Result<Tensor<2>, String> {
        let product = a.clone().matmul(b.clone());
        wait()?;
        let sum = product + c.clone();
        wait()?;
        Ok(relu(sum))
    };
    // ANCHOR_END: op_by_op

    // A call is timed until the device is done, and its result is kept until
    // then, so that no work can be dropped as unused.
    let call_and_wait = |call: &dyn Fn() -> Result<Tensor<2>, String>| {
        let out = call()?;
        wait()?;
        Ok::<_, String>(out)
    };
    let time_it = |call: &dyn Fn() -> Result<Tensor<2>, String>| {
        let (first, first_time) = timed(|| call_and_wait(call));
        first?;
        let (last, steady_time) = steady(repeat, || call_and_wait(call))?;
        Ok::<_, String>((values(last)?, first_time, steady_time))
    };

    let (out, first, steady_time) = time_it(&|| Ok(product()))?;
    rows.push(row(
        "a·b          burn: a.matmul(b)",
        first,
        &steady_time,
        &p.check_product(&out)?,
    ));
    let (out, first, steady_time) = time_it(&op_by_op)?;
    rows.push(row(
        "relu(a·b+c)  burn: one operation at a time",
        first,
        &steady_time,
        &p.check_chain(&out)?,
    ));
    let (out, first, steady_time) = time_it(&|| Ok(one_expression()))?;
    rows.push(row(
        "relu(a·b+c)  burn: one expression",
        first,
        &steady_time,
        &p.check_chain(&out)?,
    ));
    Ok(rows)
}
