//! The hand-written side: WGSL kernels from `kernels/`, launched through wgpu
//! on burn's own device and queue. Everything a tensor library does for its
//! callers is spelled out here: compiling the kernel, allocating and filling
//! buffers, binding them in the order the kernel declares them, choosing the
//! grid, waiting, and copying the result back.

use burn::tensor::wgpu::{WgpuSetup, wgpu};
use wgpu::util::{BufferInitDescriptor, DeviceExt};

/// The side of the square tile each 16 x 16 work-group computes.
const TILE: u32 = gpu_reference::TILE as u32;

/// A compiled kernel with its buffers bound, ready to launch over an `n` x `n`
/// output.
pub struct Launch {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipeline: wgpu::ComputePipeline,
    bindings: wgpu::BindGroup,
    output: wgpu::Buffer,
    n: u32,
}

// ANCHOR: prepare
impl Launch {
    /// Compiles `entry_point` of `source` and binds `n` (binding 0) and
    /// `inputs` (bindings 1, 2, ...) followed by a fresh output matrix: the
    /// layout of every kernel this chapter launches. Compilation errors
    /// come back as text rather than as wgpu's panic.
    pub fn prepare(
        setup: &WgpuSetup,
        source: &str,
        entry_point: &str,
        inputs: &[&[f32]],
        n: usize,
    ) -> Result<Self, String> {
        let device = setup.device.clone();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module =
            device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(entry_point),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
        let pipeline =
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry_point),
                layout: None, // wgpu reads the bindings off the kernel
                module: &module,
                entry_point: Some(entry_point),
                compilation_options: Default::default(),
                cache: None,
            });
        if let Some(error) = pollster::block_on(scope.pop()) {
            return Err(format!("{entry_point} did not compile:\n{error}"));
        }
        let side = u32::try_from(n)
            .map_err(|_| format!("a side of {n} does not fit a u32"))?;
        // A uniform block is at least 16 bytes: `n` and padding.
        let params = [side, 0, 0, 0];
        let mut buffers =
            vec![device.create_buffer_init(&BufferInitDescriptor {
                label: Some("n"),
                contents: &bytes_of(params.map(u32::to_ne_bytes)),
                usage: wgpu::BufferUsages::UNIFORM,
            })];
        for values in inputs {
            buffers.push(device.create_buffer_init(&BufferInitDescriptor {
                label: Some("input"),
                contents: &bytes_of(values.iter().map(|v| v.to_ne_bytes())),
                usage: wgpu::BufferUsages::STORAGE,
            }));
        }
        let output = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("output"),
            size: (n * n * size_of::<f32>()) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        buffers.push(output.clone());
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(binding, buffer)| wgpu::BindGroupEntry {
                binding: binding as u32,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        let bindings = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(entry_point),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        Ok(Launch {
            device,
            queue: setup.queue.clone(),
            pipeline,
            bindings,
            output,
            n: side,
        })
    }
    // ANCHOR_END: prepare

    // ANCHOR: launch
    /// One launch, one 16 x 16 work-group per tile of the output, and a wait
    /// until it is done.
    pub fn run(&self) -> Result<(), String> {
        let tiles = self.n.div_ceil(TILE);
        let mut encoder =
            self.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &self.bindings, &[]);
            pass.dispatch_workgroups(tiles, tiles, 1);
        }
        self.queue.submit([encoder.finish()]);
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|error| format!("waiting for the kernel: {error}"))
    }
    // ANCHOR_END: launch

    /// The output matrix, copied back to the host through a buffer the CPU may
    /// map.
    pub fn result(&self) -> Result<Vec<f32>, String> {
        let size = self.output.size();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("read back"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder =
            self.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&self.output, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let slice = staging.slice(..);
        slice.map_async(wgpu::MapMode::Read, |_| {});
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|error| format!("waiting for the copy: {error}"))?;
        let mapped = slice
            .get_mapped_range()
            .map_err(|error| format!("reading the result: {error}"))?;
        Ok(mapped
            .chunks_exact(size_of::<f32>())
            .map(|word| {
                f32::from_ne_bytes([word[0], word[1], word[2], word[3]])
            })
            .collect())
    }
}

/// Four-byte numbers as the bytes the device reads (native order, as they sit
/// in memory).
fn bytes_of(words: impl IntoIterator<Item = [u8; 4]>) -> Vec<u8> {
    words.into_iter().flatten().collect()
}
