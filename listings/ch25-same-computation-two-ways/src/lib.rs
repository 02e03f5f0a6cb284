//! What the tensor chapter's listings share: the device a run asks for
//! (`--device`), the inputs and the CPU reference of the fused chain
//! `relu(a·b + c)`, and a small wgpu runner that launches the hand-written
//! WGSL kernels on the very device burn computes on.

pub mod by_hand;

use std::panic::AssertUnwindSafe;

use burn::tensor::wgpu::WgpuSetup;
use burn::tensor::{Device, Tensor, TensorData};
use clap::ValueEnum;

/// The fused chain written by hand, as the chapter shows it.
pub const MATMUL_BIAS_RELU_WGSL: &str =
    include_str!("../../../kernels/matmul_bias_relu.wgsl");

/// The backends a listing can be asked for with `--device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeviceChoice {
    /// burn's wgpu backend: a GPU's Vulkan driver, or lavapipe on the CPU.
    Wgpu,
    /// burn's Flex backend: pure Rust, on the CPU, no driver at all.
    Cpu,
    /// burn's CUDA backend (a build with `--features cuda` and an NVIDIA GPU).
    Cuda,
}

/// A device opened for a run, with the name the listings print.
pub struct Opened {
    pub device: Device,
    pub name: String,
    /// burn's own wgpu instance, adapter, device and queue (only for `--device
    /// wgpu`): the hand-written kernels are launched through them, so both
    /// sides share one device.
    pub wgpu: Option<WgpuSetup>,
}

// ANCHOR: open
/// Opens the backend asked for, or says what is missing. burn picks its backend
/// at run time from the `Device` value; the types of the tensor code do not
/// change.
pub fn open(choice: DeviceChoice) -> Result<Opened, String> {
    match choice {
        DeviceChoice::Wgpu => {
            let (device, setup) =
                Device::wgpu_options().init_with_setup().map_err(|error| {
                    format!(
                        "no wgpu device ({error}): install your GPU's Vulkan \
                         driver, or lavapipe for the CPU (Debian: apt-get \
                         install mesa-vulkan-drivers; `cargo xtask setup` does \
                         it)"
                    )
                })?;
            let info = setup.adapter.get_info();
            let name = format!(
                "wgpu on {} ({:?}, {:?})",
                info.name, info.device_type, info.backend
            );
            Ok(Opened {
                device,
                name,
                wgpu: Some(setup),
            })
        }
        DeviceChoice::Cpu => Ok(Opened {
            device: Device::flex(),
            name: "flex, burn's pure-Rust CPU backend".to_string(),
            wgpu: None,
        }),
        DeviceChoice::Cuda => open_cuda(),
    }
}
// ANCHOR_END: open

#[cfg(feature = "cuda")]
fn open_cuda() -> Result<Opened, String> {
    // burn finds out that there is no NVIDIA driver only when it first needs
    // the device, and then panics: run one tiny operation here, with the
    // panic turned into a message.
    let device = without_panics(|| {
        let device = Device::cuda(0);
        Tensor::<1>::zeros([1], &device).into_data();
        device
    })
    .map_err(|error| {
        format!(
            "no usable CUDA device ({error}); this needs an NVIDIA GPU with its driver, and \
             NVRTC on LD_LIBRARY_PATH (`cargo xtask setup` installs it)"
        )
    })?;
    Ok(Opened {
        device,
        name: "cuda, NVIDIA GPU 0 (kernels compiled at run time by NVRTC)"
            .to_string(),
        wgpu: None,
    })
}

#[cfg(not(feature = "cuda"))]
fn open_cuda() -> Result<Opened, String> {
    Err("this build has no CUDA backend: build the listing with `--features cuda` \
         (for example `cargo run -p ch25-same-computation-two-ways --features cuda -- --device cuda`); \
         it needs an NVIDIA GPU with its driver at run time"
        .to_string())
}

/// What a panic carried, as text: burn's panics carry a `String` or a `&str`.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Runs `work`, turning a panic inside burn (a device that fails mid-run) into
/// an error message instead of a trace.
pub fn without_panics<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(work));
    std::panic::set_hook(previous_hook);
    outcome.map_err(|panic| {
        format!("the device failed: {}", panic_message(&*panic))
    })
}

/// The inputs of the chain: `a` and `b` as in the GPU chapter's matrix
/// multiply, values in `[0, 1)`, and `c` in `(-n/2, 0]`, so that `a·b + c`
/// (whose elements average `n/4` minus `n/4`) is negative for about half the
/// elements and `relu` has work to do.
pub fn chain_inputs(n: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (a, b) = gpu_reference::matmul_inputs(n);
    let (unit, _) = gpu_reference::saxpy_inputs(n * n);
    let half = n as f32 / 2.0;
    let c = unit.iter().map(|x| -x * half).collect();
    (a, b, c)
}

// ANCHOR: reference
/// `relu(a·b + c)` on the CPU: the GPU chapter's matrix multiply, then the two
/// element-wise steps.
pub fn chain(a: &[f32], b: &[f32], c: &[f32], n: usize) -> Vec<f32> {
    let product = gpu_reference::matmul(a, b, n);
    product
        .iter()
        .zip(c)
        .map(|(p, c)| (p + c).max(0.0))
        .collect()
}
// ANCHOR_END: reference

// ANCHOR: tolerance
/// Checks a device's `relu(a·b + c)` against the CPU's; returns the largest
/// error found, in units of the bound below.
///
/// Each element is `n` products of non-negative numbers summed, plus `c`.
/// Summed in any order, fused or not, the sum is within `n` roundings of the
/// exact value, relative to the sum of the magnitudes of its terms: `(n + 1)
/// EPSILON (ab + |c|)`. Two correct results are within twice that of each
/// other, and `relu` (which only clamps at zero) never moves two values further
/// apart. The bound is absolute, not relative, because `ab + c` cancels to near
/// zero for many elements: there a relative error means nothing. A wrong tile
/// or a missing product is off by whole products, thousands of times the bound.
pub fn check_chain(
    device: &[f32],
    cpu: &[f32],
    a: &[f32],
    b: &[f32],
    c: &[f32],
    n: usize,
) -> Result<f64, String> {
    if device.len() != cpu.len() {
        return Err(format!(
            "{} values from the device, {} from the CPU",
            device.len(),
            cpu.len()
        ));
    }
    let product = gpu_reference::matmul(a, b, n);
    let rounding = 2.0 * (n as f64 + 1.0) * f64::from(f32::EPSILON);
    let mut worst = 0.0f64;
    for i in 0..cpu.len() {
        let bound = rounding * (f64::from(product[i]) + f64::from(c[i].abs()));
        let error = (f64::from(device[i]) - f64::from(cpu[i])).abs() / bound;
        if error.is_nan() || error > 1.0 {
            return Err(format!(
                "out[{}][{}] is {} on the device and {} on the CPU \
                 (off by {:e}, bound {bound:e})",
                i / n,
                i % n,
                device[i],
                cpu[i],
                (device[i] - cpu[i]).abs()
            ));
        }
        worst = worst.max(error);
    }
    Ok(worst)
}
// ANCHOR_END: tolerance

/// An `n` x `n` matrix on a device.
pub fn matrix(values: &[f32], n: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [n, n]), device)
}

/// A tensor's values, back on the host.
pub fn values(tensor: Tensor<2>) -> Result<Vec<f32>, String> {
    tensor
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|error| format!("unexpected tensor data: {error:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_half_of_the_chain_is_clamped() {
        let n = 64;
        let (a, b, c) = chain_inputs(n);
        let out = chain(&a, &b, &c, n);
        let zeros = out.iter().filter(|v| **v == 0.0).count();
        assert!(zeros > n * n / 4 && zeros < 3 * n * n / 4, "{zeros} zeros");
    }

    /// A chain small enough to work out by hand: a·b is [[19, 22], [43, 50]],
    /// c takes 20, 30, 40 and 49 off, and relu clamps the two that went below
    /// zero, leaving [[0, 0], [3, 1]].
    type TwoByTwo = [f32; 4];
    fn by_hand() -> (TwoByTwo, TwoByTwo, TwoByTwo) {
        (
            [1.0, 2.0, 3.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [-20.0, -30.0, -40.0, -49.0],
        )
    }

    #[test]
    fn the_chain_by_hand() {
        let (a, b, c) = by_hand();
        assert_eq!(chain(&a, &b, &c, 2), [0.0, 0.0, 3.0, 1.0]);
    }

    /// The bound at out[1][0] of the chain by hand: 2 (n + 1) ε (43 + 40) =
    /// 498 ε. Three plus 249 of its f32 steps (2ε each) is off by exactly
    /// the bound, and passes; one step more does not. A NaN never passes.
    #[test]
    fn the_check_holds_to_its_bound_and_names_the_element() {
        let (a, b, c) = by_hand();
        let cpu = [0.0, 0.0, 3.0, 1.0];
        let step = 2.0 * f32::EPSILON;
        let off_by = |steps: f32| [0.0, 0.0, 3.0 + steps * step, 1.0];
        assert_eq!(check_chain(&off_by(249.0), &cpu, &a, &b, &c, 2), Ok(1.0));
        let refused = check_chain(&off_by(250.0), &cpu, &a, &b, &c, 2)
            .expect_err("one step past the bound");
        assert!(
            refused.starts_with(
                "out[1][0] is 3.0000596 on the device and 3 on the CPU"
            ),
            "{refused}"
        );
        let nan = [0.0, 0.0, f32::NAN, 1.0];
        assert!(check_chain(&nan, &cpu, &a, &b, &c, 2).is_err());
        assert_eq!(
            check_chain(&cpu[..3], &cpu, &a, &b, &c, 2),
            Err("3 values from the device, 4 from the CPU".to_string())
        );
    }

    /// c lies in (-n/2, 0], reaching well down towards -n/2.
    #[test]
    fn the_bias_runs_from_zero_down_to_half_the_side() {
        let n = 32;
        let (a, b, c) = chain_inputs(n);
        assert_eq!((a.len(), b.len(), c.len()), (n * n, n * n, n * n));
        let half = n as f32 / 2.0;
        assert!(c.iter().all(|&c| -half < c && c <= 0.0));
        let lowest = c.iter().copied().fold(0.0, f32::min);
        assert!(lowest < -0.9 * half, "{lowest}");
    }

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(without_panics(|| 5), Ok(5));
        assert_eq!(
            without_panics(|| -> u8 { panic!("lost the device") }),
            Err("the device failed: lost the device".to_string())
        );
        let code = 7;
        assert_eq!(
            without_panics(|| -> u8 { panic!("error {code}") }),
            Err("the device failed: error 7".to_string())
        );
        let payload: Box<dyn std::any::Any + Send> = Box::new(42);
        assert_eq!(panic_message(&*payload), "a panic without a message");
    }

    #[test]
    fn the_check_accepts_the_reference_and_rejects_a_lost_product() {
        let n = 33;
        let (a, b, c) = chain_inputs(n);
        let cpu = chain(&a, &b, &c, n);
        assert_eq!(check_chain(&cpu, &cpu, &a, &b, &c, n), Ok(0.0));
        // One product missing from one element that relu did not clamp.
        let mut wrong = cpu.clone();
        let i = cpu.iter().position(|v| *v > 0.0).unwrap();
        wrong[i] -= a[(i / n) * n] * b[i % n];
        assert!(check_chain(&wrong, &cpu, &a, &b, &c, n).is_err());
    }
}
