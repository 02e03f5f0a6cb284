//! Two interleaved spirals, a small multi-layer perceptron, and the loop that
//! trains it with burn's automatic differentiation and the Adam optimiser.
//! Nothing here names a backend: the device the tensors are created on decides
//! where every kernel runs.

use std::time::{Duration, Instant};

use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::TensorData;

/// Points of the two-spirals problem: coordinates and which spiral each one is
/// on.
pub struct Spirals {
    /// `x, y` of every point, one point after another.
    pub points: Vec<f32>,
    /// 0 or 1: the spiral the point belongs to.
    pub labels: Vec<i64>,
}

// ANCHOR: spirals
/// `per_class` points on each of two spirals that wind one and a half turns
/// around each other, the second the first turned by half a circle, each point
/// moved by a little noise. The same points every run: the noise comes from the
/// book's deterministic generator.
pub fn spirals(per_class: usize) -> Spirals {
    let (noise_x, noise_y) = gpu_reference::saxpy_inputs(2 * per_class);
    let mut points = Vec::with_capacity(4 * per_class);
    let mut labels = Vec::with_capacity(2 * per_class);
    for class in 0..2 {
        for i in 0..per_class {
            // 0 at the centre, 1 at the end.
            let along = (i as f32 + 0.5) / per_class as f32;
            let angle = 3.0 * std::f32::consts::PI * along
                + class as f32 * std::f32::consts::PI;
            let k = class * per_class + i;
            let jitter = |unit: f32| (unit - 0.5) * 0.04;
            points.push(along * angle.cos() + jitter(noise_x[k]));
            points.push(along * angle.sin() + jitter(noise_y[k]));
            labels.push(class as i64);
        }
    }
    Spirals { points, labels }
}
// ANCHOR_END: spirals

// ANCHOR: model
/// Two inputs, two hidden layers of `width` units with ReLU, two outputs: one
/// score per spiral.
#[derive(Module, Debug)]
pub struct Mlp {
    input: Linear,
    hidden: Linear,
    output: Linear,
    activation: Relu,
}

impl Mlp {
    pub fn new(width: usize, device: &Device) -> Self {
        Mlp {
            input: LinearConfig::new(2, width).init(device),
            hidden: LinearConfig::new(width, width).init(device),
            output: LinearConfig::new(width, 2).init(device),
            activation: Relu::new(),
        }
    }

    pub fn forward(&self, points: Tensor<2>) -> Tensor<2> {
        let x = self.activation.forward(self.input.forward(points));
        let x = self.activation.forward(self.hidden.forward(x));
        self.output.forward(x)
    }
}
// ANCHOR_END: model

/// How a run is set up.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    pub steps: usize,
    pub width: usize,
    pub learning_rate: f64,
    /// Seeds the device's generator, from which the weights start.
    pub seed: u64,
}

/// What a run leaves behind.
pub struct Trained {
    /// The loss after each step, in order.
    pub losses: Vec<f32>,
    /// How long each step took, in order, up to its loss read back on the
    /// host (which waits for the device to finish the step).
    pub step_times: Vec<Duration>,
    /// The fraction of the points the trained model puts on the right spiral.
    pub accuracy: f32,
}

// ANCHOR: train
/// Trains on every point at every step (the data set is small) and records the
/// loss.
pub fn train(
    data: &Spirals,
    setup: Training,
    device: &Device,
) -> Result<Trained, String> {
    // Gradients are a property of the device: the same backend, with a tape
    // that records each operation so that `backward` can walk it in
    // reverse.
    let device = device.clone().autodiff();
    device.seed(setup.seed);
    let n = data.labels.len();
    let points = Tensor::<2>::from_data(
        TensorData::new(data.points.clone(), [n, 2]),
        &device,
    );
    let labels = Tensor::<1, Int>::from_data(
        TensorData::new(data.labels.clone(), [n]),
        &device,
    );

    let mut model = Mlp::new(setup.width, &device);
    let mut optimiser = AdamConfig::new().init();
    let loss_function = CrossEntropyLossConfig::new().init(&device);
    let mut losses = Vec::with_capacity(setup.steps);
    let mut step_times = Vec::with_capacity(setup.steps);
    for _ in 0..setup.steps {
        let started = Instant::now();
        let loss = loss_function
            .forward(model.forward(points.clone()), labels.clone());
        let gradients = GradientsParams::from_grads(loss.backward(), &model);
        model = optimiser.step(setup.learning_rate, model, gradients);
        losses.push(scalar(loss)?);
        step_times.push(started.elapsed());
    }
    // ANCHOR_END: train
    let predicted = model.forward(points).argmax(1).reshape([n]);
    let right = predicted.equal(labels).int().sum();
    // Integer tensors are 32-bit on some backends and 64-bit on others: ask for
    // one.
    let right = right
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .map_err(|error| format!("unexpected tensor data: {error:?}"))?[0];
    Ok(Trained {
        losses,
        step_times,
        accuracy: right as f32 / n as f32,
    })
}

/// The one value of a loss tensor, on the host (this waits for the device).
fn scalar(loss: Tensor<1>) -> Result<f32, String> {
    loss.into_data()
        .try_to_vec::<f32>()
        .map_err(|error| format!("unexpected tensor data: {error:?}"))?
        .first()
        .copied()
        .ok_or_else(|| "an empty loss".to_string())
}
