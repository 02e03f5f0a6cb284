//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) in
//! OpenCL C, run through the `ocl` crate on an OpenCL device: a GPU where there
//! is one, PoCL (an OpenCL implementation for the CPU) otherwise. Every result
//! is checked against the CPU reference before its time is measured.
//!
//! A library, so that this listing's program and the chapter's one program for
//! every device (`ch24-every-device`) run the same code.

use std::time::Duration;

use book_helpers::measure::{Summary, self_timed};
use gpu_reference::{
    Backend, COPY_RUNS, GROUP_SIZE, Measured, Problem, SAXPY_A, TILE, View,
    kernels,
};
use ocl::enums::{DeviceInfo, DeviceInfoResult, ProfilingInfo};
use ocl::flags::CommandQueueProperties;
use ocl::{
    Buffer, Context, Device, DeviceType, Event, Kernel, MemFlags, Platform,
    Program, Queue,
};

/// Every OpenCL device on every platform, in the order `--list-devices` prints
/// them.
pub fn all_devices() -> Result<Vec<(Platform, Device)>, String> {
    // `Platform::list` panics when the ICD loader finds nothing; ask the core
    // API instead.
    let platforms = ocl::core::get_platform_ids().map_err(|_| {
        "no OpenCL platform found: install a driver for your GPU, or PoCL for the CPU \
         (Debian: apt-get install pocl-opencl-icd ocl-icd-opencl-dev; `cargo xtask setup` does it)"
            .to_string()
    })?;
    let mut found = Vec::new();
    for platform in platforms.into_iter().map(Platform::new) {
        let devices =
            Device::list_all(platform).map_err(|error| error.to_string())?;
        found.extend(devices.into_iter().map(|device| (platform, device)));
    }
    if found.is_empty() {
        return Err(
            "OpenCL platforms are installed but none has a device".to_string()
        );
    }
    Ok(found)
}

/// `platform / device (type, driver version)`.
pub fn describe(platform: &Platform, device: &Device) -> String {
    let info = |kind| {
        device
            .info(kind)
            .map_or_else(|e| e.to_string(), |v| v.to_string())
    };
    format!(
        "{} / {} ({}, driver {})",
        platform.name().unwrap_or_default(),
        device.name().unwrap_or_default(),
        info(DeviceInfo::Type),
        info(DeviceInfo::DriverVersion)
    )
}

/// One OpenCL device, opened: a context and a queue to feed it.
pub struct OpenCl {
    platform: Platform,
    device: Device,
    context: Context,
    queue: Queue,
}

impl OpenCl {
    /// Opens device `index` as `--list-devices` numbers them.
    pub fn open(index: usize) -> Result<Self, String> {
        let devices = all_devices()?;
        let (platform, device) = *devices.get(index).ok_or_else(|| {
            format!(
                "there is no OpenCL device {index} (this machine has {}; see --list-devices)",
                devices.len()
            )
        })?;
        let context = Context::builder()
            .platform(platform)
            .devices(device)
            .build()
            .map_err(|error| error.to_string())?;
        // Profiling on: every command's event then carries the device's own
        // timestamps of its start and end.
        let queue = Queue::new(
            &context,
            device,
            Some(CommandQueueProperties::PROFILING_ENABLE),
        )
        .map_err(|error| error.to_string())?;
        Ok(Self {
            platform,
            device,
            context,
            queue,
        })
    }

    /// A kernel that does not compile comes back with the OpenCL compiler's
    /// log.
    pub fn compile(&self, source: &str) -> Result<Program, String> {
        Program::builder()
            .src(source)
            .devices(self.device)
            .build(&self.context)
            .map_err(|error| {
                format!("the OpenCL compiler rejected the kernel:\n{error}")
            })
    }

    /// The largest buffer is `n` four-byte values; a device says how big one
    /// allocation may be.
    pub fn check_fits(&self, n: usize) -> Result<(), String> {
        let bytes = n.saturating_mul(size_of::<f32>());
        if let Ok(DeviceInfoResult::MaxMemAllocSize(limit)) =
            self.device.info(DeviceInfo::MaxMemAllocSize)
            && bytes as u64 > limit
        {
            return Err(format!(
                "--size {n} needs buffers of {bytes} bytes; this OpenCL device allocates at most \
                 {limit} bytes at once"
            ));
        }
        Ok(())
    }

    fn buffer<T: ocl::OclPrm>(&self, len: usize) -> ocl::Result<Buffer<T>> {
        Buffer::<T>::builder()
            .queue(self.queue.clone())
            .len(len)
            .build()
    }

    fn filled<T: ocl::OclPrm>(&self, values: &[T]) -> ocl::Result<Buffer<T>> {
        Buffer::<T>::builder()
            .queue(self.queue.clone())
            .flags(MemFlags::new().read_only())
            .len(values.len())
            .copy_host_slice(values)
            .build()
    }

    /// A one-dimensional launch of `program`'s kernel `name`, rounded up to
    /// whole work-groups.
    fn kernel<'a>(
        &self,
        program: &'a Program,
        name: &str,
        n: usize,
    ) -> ocl::builders::KernelBuilder<'a> {
        let mut builder = Kernel::builder();
        builder
            .program(program)
            .name(name)
            .queue(self.queue.clone())
            .global_work_size(gpu_reference::groups_for(n) * GROUP_SIZE)
            .local_work_size(GROUP_SIZE);
        builder
    }

    // ANCHOR: events
    /// The device's own time for `work`, which enqueues commands and fills in
    /// the events of its first and last: from the first's start to the last's
    /// end, in the device's nanoseconds (profiling events). The host's enqueue
    /// and wait are not in it. `runs` rounds, summarised.
    fn device_time(
        &self,
        runs: usize,
        mut work: impl FnMut(&mut Event, &mut Event) -> ocl::Result<()>,
    ) -> ocl::Result<Summary> {
        self_timed(runs, || {
            let (mut first, mut last) = (Event::empty(), Event::empty());
            work(&mut first, &mut last)?;
            last.wait_for()?;
            let start = first.profiling_info(ProfilingInfo::Start)?.time()?;
            let end = last.profiling_info(ProfilingInfo::End)?.time()?;
            Ok(Duration::from_nanos(end.saturating_sub(start)))
        })
    }
    // ANCHOR_END: events

    /// The device time of `kernel` over `runs` rounds.
    fn time(&self, runs: usize, kernel: &Kernel) -> ocl::Result<Summary> {
        self.device_time(runs, |first, last| {
            // SAFETY: every kernel here was built with arguments that match
            // its signature, and checks its indices against n.
            unsafe { kernel.cmd().enew(&mut *first).enq()? };
            *last = first.clone();
            Ok(())
        })
    }

    // ANCHOR: saxpy
    fn saxpy(&self, n: usize) -> ocl::Result<Measured> {
        let program = self.compile(kernels::SAXPY_CL)?;
        let (x, y) = gpu_reference::saxpy_inputs(n);
        let x_device = self.filled(&x)?;
        let y_device = self.buffer::<f32>(n)?;
        y_device.write(&y).enq()?;
        let kernel = self
            .kernel(&program, "saxpy", n)
            .arg(SAXPY_A)
            .arg(&x_device)
            .arg(&y_device)
            .arg(n as u32)
            .build()?;
        // SAFETY: the kernel's arguments match its signature; the guard `i < n`
        // keeps the rounded-up launch inside the buffers.
        unsafe { kernel.enq()? };
        let mut y_gpu = vec![0.0f32; n];
        y_device.read(&mut y_gpu).enq()?;
        let cpu = gpu_reference::saxpy(SAXPY_A, &x, &y);
        let error = gpu_reference::check_saxpy(&y_gpu, &cpu)?;
        // ANCHOR_END: saxpy
        // Timed after the check, on the same buffers: y keeps changing, which
        // does not matter.
        Ok(Measured {
            problem: Problem::Saxpy,
            size: n,
            work: Problem::Saxpy.work(n),
            agreement: format!(
                "matches the CPU (largest relative error {error:.1e})"
            ),
            timed: "kernel",
            time: self.time(5, &kernel)?,
        })
    }

    fn sum(&self, n: usize) -> ocl::Result<Measured> {
        let program = self.compile(kernels::REDUCE_CL)?;
        let values = gpu_reference::reduce_input(n);
        let groups = gpu_reference::groups_for(n);
        let values_device = self.filled(&values)?;
        let partial_device = self.buffer::<u32>(groups)?;
        let kernel = self
            .kernel(&program, "reduce_sum", n)
            .arg(&values_device)
            .arg(&partial_device)
            .arg(n as u32)
            .build()?;
        // SAFETY: as for saxpy; `partial` has one slot per work-group.
        unsafe { kernel.enq()? };
        let mut partial = vec![0u32; groups];
        partial_device.read(&mut partial).enq()?;
        // One partial sum per work-group: few enough to add on the host.
        let total = gpu_reference::sum(&partial);
        gpu_reference::check_sum(total, gpu_reference::sum(&values))?;
        Ok(Measured {
            problem: Problem::Sum,
            size: n,
            work: Problem::Sum.work(n),
            agreement: format!("{total}, equal to the CPU's"),
            timed: "kernel",
            time: self.time(5, &kernel)?,
        })
    }

    // ANCHOR: scan
    /// The scan in three steps: scan inside each work-group, turn the group
    /// totals into offsets on the host, add each group's offset on the
    /// device.
    fn scan_on_device(
        &self,
        scan_groups: &Kernel,
        add_offsets: &Kernel,
        totals: &Buffer<u32>,
        offsets: &Buffer<u32>,
        events: (&mut Event, &mut Event),
    ) -> ocl::Result<()> {
        // SAFETY: the arguments match the kernels' signatures; every index is
        // checked against n.
        unsafe { scan_groups.cmd().enew(events.0).enq()? };
        let mut group_totals = vec![0u32; totals.len()];
        totals.read(&mut group_totals).enq()?;
        offsets
            .write(&gpu_reference::group_offsets(&group_totals))
            .enq()?;
        unsafe { add_offsets.cmd().enew(events.1).enq()? };
        self.queue.finish()
    }
    // ANCHOR_END: scan

    fn scan(&self, n: usize) -> ocl::Result<Measured> {
        let program = self.compile(kernels::SCAN_CL)?;
        let values = gpu_reference::reduce_input(n);
        let groups = gpu_reference::groups_for(n);
        let values_device = self.filled(&values)?;
        let out = self.buffer::<u32>(n)?;
        let (totals, offsets) =
            (self.buffer::<u32>(groups)?, self.buffer::<u32>(groups)?);
        let scan_groups = self
            .kernel(&program, "scan_groups", n)
            .arg(&values_device)
            .arg(&out)
            .arg(&totals)
            .arg(n as u32)
            .build()?;
        let add_offsets = self
            .kernel(&program, "add_offsets", n)
            .arg(&out)
            .arg(&offsets)
            .arg(n as u32)
            .build()?;
        self.scan_on_device(
            &scan_groups,
            &add_offsets,
            &totals,
            &offsets,
            (&mut Event::empty(), &mut Event::empty()),
        )?;
        let mut gpu = vec![0u32; n];
        out.read(&mut gpu).enq()?;
        gpu_reference::check_scan(
            &gpu,
            &gpu_reference::inclusive_scan(&values),
        )?;
        // From the first kernel's start to the second's end: the totals'
        // round trip through the host is inside, and the label says so.
        let time = self.device_time(5, |first, last| {
            self.scan_on_device(
                &scan_groups,
                &add_offsets,
                &totals,
                &offsets,
                (first, last),
            )
        })?;
        Ok(Measured {
            problem: Problem::Scan,
            size: n,
            work: Problem::Scan.work(n),
            agreement: "every prefix equal to the CPU's".to_string(),
            timed: "kernels and host offsets",
            time,
        })
    }

    /// The one-pass sum: a strided loop per work-item, a tree per
    /// work-group, one atomic add per work-group into the total.
    fn sum_single_pass(&self, n: usize) -> ocl::Result<Measured> {
        let program = self.compile(kernels::REDUCE_SINGLE_PASS_CL)?;
        let values = gpu_reference::reduce_input(n);
        let values_device = self.filled(&values)?;
        let total = self.buffer::<u32>(1)?;
        let units = match self.device.info(DeviceInfo::MaxComputeUnits) {
            Ok(DeviceInfoResult::MaxComputeUnits(units)) => units as usize,
            _ => 1,
        };
        let groups = gpu_reference::groups_for(n)
            .min(units.max(1) * gpu_reference::SINGLE_PASS_GROUPS_PER_UNIT);
        let kernel = Kernel::builder()
            .program(&program)
            .name("reduce_single_pass")
            .queue(self.queue.clone())
            .global_work_size(groups * GROUP_SIZE)
            .local_work_size(GROUP_SIZE)
            .arg(&values_device)
            .arg(&total)
            .arg(n as u32)
            .build()?;
        // The total starts at zero before every launch; the fill is outside
        // the kernel's event, so not timed.
        let time = self.device_time(5, |first, last| {
            total.cmd().fill(0u32, None).enq()?;
            // SAFETY: the arguments match the kernel's signature; the loop
            // stops at n.
            unsafe { kernel.cmd().enew(&mut *first).enq()? };
            *last = first.clone();
            Ok(())
        })?;
        let mut sum = [0u32];
        total.read(&mut sum[..]).enq()?;
        gpu_reference::check_sum(sum[0], gpu_reference::sum(&values))?;
        Ok(Measured {
            problem: Problem::Sum,
            size: n,
            work: Problem::Sum.work(n),
            agreement: format!("{}, equal to the CPU's", sum[0]),
            timed: "one-pass kernel",
            time,
        })
    }

    /// The register-blocked matrix multiply: 64 x 64 of C per work-group of
    /// 16 x 16, 4 x 4 outputs per work-item.
    fn matmul_blocked(&self, side: usize) -> ocl::Result<Measured> {
        let items = side.div_ceil(gpu_reference::BLOCK) * TILE;
        self.run_matmul(
            kernels::MATMUL_BLOCKED_CL,
            "matmul_blocked",
            items,
            side,
            "register-blocked kernel",
        )
    }

    fn matmul(&self, side: usize) -> ocl::Result<Measured> {
        let tiles = side.div_ceil(TILE) * TILE;
        self.run_matmul(
            kernels::MATMUL_CL,
            "matmul_tiled",
            tiles,
            side,
            "kernel",
        )
    }

    /// Runs the matrix multiply `name` from `source` on `items` x `items`
    /// work-items in groups of TILE x TILE, checks C against the CPU and
    /// times the kernel alone.
    fn run_matmul(
        &self,
        source: &str,
        name: &str,
        items: usize,
        side: usize,
        timed: &'static str,
    ) -> ocl::Result<Measured> {
        let program = self.compile(source)?;
        let (a, b) = gpu_reference::matmul_inputs(side);
        let (a_device, b_device) = (self.filled(&a)?, self.filled(&b)?);
        let c_device = self.buffer::<f32>(side * side)?;
        let kernel = Kernel::builder()
            .program(&program)
            .name(name)
            .queue(self.queue.clone())
            .global_work_size([items, items])
            .local_work_size([TILE, TILE])
            .arg(&a_device)
            .arg(&b_device)
            .arg(&c_device)
            .arg(side as u32)
            .build()?;
        // SAFETY: the arguments match the kernel's signature; rows and columns
        // are checked against n inside it.
        unsafe { kernel.enq()? };
        let mut c = vec![0.0f32; side * side];
        c_device.read(&mut c).enq()?;
        let time = self.time(3, &kernel)?;
        Ok(Measured::checked_matmul(&c, &a, &b, side, timed, time)?)
    }
}

impl OpenCl {
    /// One work-item per pixel in 16 x 16 work-groups; no input, one count per
    /// pixel out.
    fn draw_mandelbrot(&self, view: &View) -> ocl::Result<(Vec<u32>, Summary)> {
        let program = self.compile(kernels::MANDELBROT_CL)?;
        let out = self.buffer::<u32>(view.pixels())?;
        let tiles = |n: u32| n.div_ceil(16) as usize * 16;
        let kernel = Kernel::builder()
            .program(&program)
            .name("mandelbrot")
            .queue(self.queue.clone())
            .global_work_size([tiles(view.width), tiles(view.height)])
            .local_work_size([16, 16])
            .arg(&out)
            .arg(view.width)
            .arg(view.height)
            .arg(view.max_iter)
            .arg(view.x_min)
            .arg(view.y_min)
            .arg(view.step)
            .build()?;
        let time = self.time(3, &kernel)?;
        let mut picture = vec![0u32; view.pixels()];
        out.read(&mut picture).enq()?;
        Ok((picture, time))
    }
}

/// A size a device reports, where zero means it does not say.
fn stated_size(bytes: u64) -> Option<usize> {
    usize::try_from(bytes).ok().filter(|&bytes| bytes > 0)
}

impl Backend for OpenCl {
    fn describe(&self) -> String {
        describe(&self.platform, &self.device)
    }

    fn cache_bytes(&self) -> Option<usize> {
        match self.device.info(DeviceInfo::GlobalMemCacheSize) {
            Ok(DeviceInfoResult::GlobalMemCacheSize(bytes)) => {
                stated_size(bytes)
            }
            _ => None,
        }
    }

    fn emulated(&self) -> bool {
        // PoCL and other CPU implementations report themselves as a CPU device.
        matches!(
            self.device.info(DeviceInfo::Type),
            Ok(DeviceInfoResult::Type(kind)) if kind.contains(DeviceType::CPU)
        )
    }

    fn copy_bandwidth(&self, n: usize) -> Result<f64, String> {
        self.check_fits(n)?;
        let copied = || -> ocl::Result<Summary> {
            let (from, to) = (self.buffer::<u32>(n)?, self.buffer::<u32>(n)?);
            self.device_time(COPY_RUNS, |first, last| {
                from.copy(&to, None, None).enew(&mut *first).enq()?;
                *last = first.clone();
                Ok(())
            })
        };
        let time = copied().map_err(|error| format!("copy: {error}"))?;
        Ok(gpu_reference::copy_rate(n, time.median()))
    }

    fn fits(&self, problem: Problem, size: usize) -> Result<(), String> {
        self.check_fits(problem.largest_array(size))
    }

    fn run_tuned(
        &self,
        problem: Problem,
        size: usize,
    ) -> Option<Result<Measured, String>> {
        let ran = match problem {
            Problem::Sum => self.sum_single_pass(size),
            Problem::Matmul => self.matmul_blocked(size),
            Problem::Saxpy | Problem::Scan => return None,
        };
        Some(ran.map_err(|error| format!("OpenCL {problem}: {error}")))
    }

    fn run(&self, problem: Problem, size: usize) -> Result<Measured, String> {
        self.fits(problem, size)?;
        let ran = match problem {
            Problem::Saxpy => self.saxpy(size),
            Problem::Sum => self.sum(size),
            Problem::Scan => self.scan(size),
            Problem::Matmul => self.matmul(size),
        };
        ran.map_err(|error| format!("OpenCL {problem}: {error}"))
    }

    fn mandelbrot(&self, view: &View) -> Result<(Vec<u32>, Summary), String> {
        self.check_fits(view.pixels())?;
        self.draw_mandelbrot(view)
            .map_err(|error| format!("OpenCL mandelbrot: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Mutex, MutexGuard};

    use gpu_reference::{Backend, Problem, View};
    use ocl::DeviceType;
    use ocl::enums::{DeviceInfo, DeviceInfoResult};

    use super::{OpenCl, all_devices, stated_size};

    /// Held by each test while it uses OpenCL. The tests of one process run
    /// on several threads, and PoCL answers wrongly when they first call it at
    /// the same time: a platform without a device, a device that allocates at
    /// most 0 bytes. The listing's program calls it from one thread.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    /// PoCL, the OpenCL implementation on the CPU that `cargo xtask setup`
    /// installs, found by its platform's name (not there is a broken test
    /// set-up, not a skip), with this test's turn at OpenCL.
    fn pocl() -> (MutexGuard<'static, ()>, OpenCl) {
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let devices = all_devices().expect("an OpenCL platform: PoCL");
        let index = devices
            .iter()
            .position(|(platform, _)| {
                platform.name().is_ok_and(|name| {
                    name.contains("Portable Computing Language")
                })
            })
            .expect("PoCL: `cargo xtask setup` installs pocl-opencl-icd");
        (turn, OpenCl::open(index).expect("PoCL opens"))
    }

    /// The most the device allocates at once, as it says itself.
    fn allocation_limit(opencl: &OpenCl) -> u64 {
        match opencl.device.info(DeviceInfo::MaxMemAllocSize) {
            Ok(DeviceInfoResult::MaxMemAllocSize(bytes)) => bytes,
            other => panic!("MaxMemAllocSize: {other:?}"),
        }
    }

    /// The largest `n` whose buffer of four-byte values fits in one
    /// allocation is allowed, one more is refused; the matrix product's
    /// largest buffer is a side squared.
    #[test]
    fn a_buffer_one_value_past_the_allocation_limit_is_refused() {
        let (_turn, opencl) = pocl();
        let limit = allocation_limit(&opencl);
        let largest = usize::try_from(limit / 4).expect("a 64-bit machine");
        assert_eq!(opencl.check_fits(largest), Ok(()));
        assert_eq!(
            opencl.check_fits(largest + 1),
            Err(format!(
                "--size {} needs buffers of {} bytes; this OpenCL device \
                 allocates at most {limit} bytes at once",
                largest + 1,
                (limit / 4 + 1) * 4
            ))
        );
        assert_eq!(opencl.fits(Problem::Saxpy, largest), Ok(()));
        assert!(opencl.fits(Problem::Saxpy, largest + 1).is_err());
        let side = largest.isqrt();
        assert_eq!(opencl.fits(Problem::Matmul, side), Ok(()));
        assert!(opencl.fits(Problem::Matmul, side + 1).is_err());
    }

    /// PoCL is a CPU device: its runs are the CPU's, not a GPU's.
    #[test]
    fn pocl_says_it_is_a_cpu_and_its_runs_are_emulated() {
        let (_turn, opencl) = pocl();
        assert!(matches!(
            opencl.device.info(DeviceInfo::Type),
            Ok(DeviceInfoResult::Type(kind)) if kind.contains(DeviceType::CPU)
        ));
        assert!(opencl.emulated());
    }

    #[test]
    fn the_description_names_platform_and_device() {
        let (_turn, opencl) = pocl();
        let description = opencl.describe();
        let platform = opencl.platform.name().expect("a platform name");
        let device = opencl.device.name().expect("a device name");
        assert!(
            description.starts_with(&format!("{platform} / {device} (")),
            "{description}"
        );
        assert!(description.contains(", driver "), "{description}");
    }

    /// The cache a device reports, where it reports one.
    #[test]
    fn the_cache_is_the_one_the_device_reports() {
        assert_eq!(stated_size(0), None);
        assert_eq!(stated_size(1), Some(1));
        assert_eq!(stated_size(4 << 20), Some(4 << 20));
        let (_turn, opencl) = pocl();
        let reported = match opencl.device.info(DeviceInfo::GlobalMemCacheSize)
        {
            Ok(DeviceInfoResult::GlobalMemCacheSize(bytes)) => bytes,
            other => panic!("GlobalMemCacheSize: {other:?}"),
        };
        assert!(reported > 0, "PoCL reports the CPU's cache");
        assert_eq!(opencl.cache_bytes(), usize::try_from(reported).ok());
    }

    /// A rate, so no particular value; but a copy moves bytes.
    #[test]
    fn a_copy_has_a_positive_rate() {
        let (_turn, opencl) = pocl();
        let rate = opencl.copy_bandwidth(1 << 16).expect("a copy on PoCL");
        assert!(rate.is_finite() && rate > 0.0, "{rate}");
    }

    /// A picture whose sides are not whole work-groups of 16 x 16: every
    /// pixel of the last, partial column and row of groups is drawn too.
    #[test]
    fn the_picture_matches_the_cpus_to_its_last_column_and_row() {
        let view = View::whole_set(37, 21, 200);
        let (_turn, opencl) = pocl();
        let (picture, _) = opencl.mandelbrot(&view).expect("PoCL draws");
        gpu_reference::check_mandelbrot(
            &picture,
            &gpu_reference::mandelbrot(&view),
            view.width,
        )
        .expect("the CPU's picture");
    }
}
