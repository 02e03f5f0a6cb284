// The three demos of "The browser as a concurrent machine". Each runs only when
// the reader presses its button; nothing is fetched before that. Each publishes
// what it drew (picture, checksum, counts) in data-* attributes, which the
// book's browser test reads.

import { layOut, sharedMemory, threadBlocks } from './shared-memory.js';
import { fetchModule } from '../../wasm-modules.js';

const WASM = new URL('wasm/', import.meta.url);

// Picture::DEMO in listings/ch18-wasm-workers/src/lib.rs (the test recomputes
// the checksum natively from the numbers the page publishes, so a mismatch
// cannot go unnoticed).
const PICTURE = { width: 720, height: 480, maxIter: 2000 };
const BAND_ROWS = 16;

const $ = (id) => document.getElementById(id);
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const seconds = (ms) => (ms / 1000).toFixed(2) + ' s';

async function compile(file) {
  return WebAssembly.compile(await fetchModule(WASM, file));
}

let plainModule = null;
let mainInstance = null;
async function plain() {
  plainModule ??= await compile('ch18_wasm_workers.wasm');
  mainInstance ??= (await WebAssembly.instantiate(plainModule)).exports;
  return { module: plainModule, wasm: mainInstance };
}

/// The checksum of an image, computed by the Rust function on the main thread's
/// instance.
function checksumOf(wasm, pixels) {
  const words = pixels.length / 4;
  const at = wasm.zeroed_words(words);
  new Uint8Array(wasm.memory.buffer, at, pixels.length).set(pixels);
  const sum = wasm.image_checksum(at, pixels.length) >>> 0;
  wasm.free_words(at, words);
  return sum;
}

function publish(element, state, fields) {
  for (const [key, value] of Object.entries(fields)) {
    element.dataset[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  element.dataset.state = state;
}

function failed(status, error) {
  status.textContent = 'Could not run: ' + error.message;
  status.dataset.state = error.missing ? 'missing' : 'error';
  status.dataset.error = error.message;
}

// -----------------------------------------------------------------------------
// Demo 1: the same work on the main thread and in a worker, next to a live
// counter.
// -----------------------------------------------------------------------------

function startCounter() {
  const counter = $('ch18-counter');
  let frames = 0;
  let last = performance.now();
  let longest = 0;
  const tick = (now) => {
    longest = Math.max(longest, now - last);
    last = now;
    frames += 1;
    counter.textContent = String(frames);
    counter.style.setProperty('--turn', `${(frames * 6) % 360}deg`);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // The longest gap between two frames since the last call: how long the page
  // froze.
  return () => {
    const gap = longest;
    longest = 0;
    return gap;
  };
}

// ANCHOR: freeze
async function drawOnMainThread(wasm) {
  const bytes = PICTURE.width * 4 * PICTURE.height;
  const out = wasm.zeroed_words(bytes / 4);
  // The whole picture in one call: until it returns, this thread runs nothing
  // else, so no frame is drawn and no click is handled.
  const { width, height, maxIter } = PICTURE;
  wasm.render_band(width, height, maxIter, 0, height, out);
  const pixels = new Uint8Array(wasm.memory.buffer, out, bytes).slice();
  wasm.free_words(out, bytes / 4);
  return pixels;
}

async function drawInWorker(module) {
  const worker = new Worker(new URL('band-worker.js', import.meta.url));
  const answer = (resolve) => (worker.onmessage = ({ data }) => resolve(data));
  worker.postMessage({ type: 'init', module, picture: PICTURE });
  await new Promise(answer);
  // The main thread only waits for a message: it stays free to draw frames
  // meanwhile.
  worker.postMessage({ first: 0, end: PICTURE.height });
  const { pixels } = await new Promise(answer);
  worker.terminate();
  return pixels;
}
// ANCHOR_END: freeze

function setUpFreezeDemo() {
  const status = $('ch18-freeze-status');
  const pause = startCounter();
  for (const where of ['main', 'worker']) {
    $(`ch18-freeze-${where}`).addEventListener('click', async () => {
      try {
        status.dataset.state = 'running';
        status.textContent = where === 'main'
          ? 'Drawing on the main thread: watch the counter…'
          : 'Drawing in a Web Worker: watch the counter…';
        const { module, wasm } = await plain();
        await nextFrame();
        await nextFrame();
        pause();
        const started = performance.now();
        const pixels = where === 'main' ? await drawOnMainThread(wasm) : await drawInWorker(module);
        const took = performance.now() - started;
        await nextFrame();
        const gap = pause();
        const checksum = checksumOf(wasm, pixels);
        const shown = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.length);
        $('ch18-freeze-canvas').getContext('2d')
          .putImageData(new ImageData(shown, PICTURE.width, PICTURE.height), 0, 0);
        status.textContent = `${where === 'main' ? 'Main thread' : 'Web Worker'}: ` +
          `${seconds(took)} of work; the longest time between two frames was ${seconds(gap)}.`;
        publish(status, 'done', {
          where, picture: PICTURE, checksum: String(checksum), pauseMs: String(Math.round(gap)),
        });
      } catch (error) {
        failed(status, error);
      }
    });
  }
}

// -----------------------------------------------------------------------------
// Demo 2: tiles handed to 1, 2, 4, … workers by message, drawn as they arrive.
// -----------------------------------------------------------------------------

async function startWorkers(count, script, init) {
  const workers = [];
  for (let i = 0; i < count; i += 1) {
    // Module workers, so that a worker can import what the page imports.
    const worker = new Worker(new URL(script, import.meta.url), { type: 'module' });
    workers.push(worker);
  }
  await Promise.all(workers.map((worker, i) => new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.type === 'ready' ? resolve() : reject(data));
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(init(i));
  })));
  return workers;
}

// ANCHOR: tiles
function drawTiles(workers, canvas) {
  const context = canvas.getContext('2d');
  const image = new Uint8ClampedArray(PICTURE.width * 4 * PICTURE.height);
  const bands = [];
  for (let first = 0; first < PICTURE.height; first += BAND_ROWS) {
    bands.push({ first, end: Math.min(first + BAND_ROWS, PICTURE.height) });
  }
  let waiting = bands.length;
  return new Promise((resolve) => {
    const handOut = (worker) => {
      const band = bands.shift();
      if (band) worker.postMessage(band);
    };
    for (const worker of workers) {
      // A worker that sends a band back gets the next one: faster workers take
      // more.
      worker.onmessage = ({ data: { first, end, pixels } }) => {
        handOut(worker);
        const band = new ImageData(pixels, PICTURE.width, end - first);
        context.putImageData(band, 0, first);
        image.set(pixels, first * PICTURE.width * 4);
        waiting -= 1;
        if (waiting === 0) resolve(image);
      };
      handOut(worker);
    }
  });
}
// ANCHOR_END: tiles

function workerCounts() {
  // 1, 2, 4, and the number of logical processors the browser reports, at most
  // 8.
  const cores = Math.min(navigator.hardwareConcurrency || 4, 8);
  return [...new Set([1, 2, 4, cores])].sort((a, b) => a - b);
}

function resultRow(table, cells) {
  const row = table.insertRow();
  for (const cell of cells) row.insertCell().textContent = cell;
}

function setUpTilesDemo() {
  const status = $('ch18-tiles-status');
  const canvas = $('ch18-tiles-canvas');
  const table = $('ch18-tiles-results').tBodies[0];
  $('ch18-tiles-run').addEventListener('click', async () => {
    try {
      table.replaceChildren();
      status.dataset.state = 'running';
      const { module, wasm } = await plain();
      const results = [];
      for (const count of workerCounts()) {
        status.textContent = `Drawing with ${count} worker${count > 1 ? 's' : ''}…`;
        const workers = await startWorkers(count, 'band-worker.js',
          () => ({ type: 'init', module, picture: PICTURE }));
        canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
        const started = performance.now();
        const image = await drawTiles(workers, canvas);
        const ms = performance.now() - started;
        workers.forEach((worker) => worker.terminate());
        const checksum = checksumOf(wasm, image);
        const speedup = results.length ? results[0].ms / ms : 1;
        results.push({ workers: count, ms: Math.round(ms), speedup, checksum: String(checksum) });
        resultRow(table, [count, seconds(ms), speedup.toFixed(2) + '×',
          checksum.toString(16).padStart(8, '0')]);
      }
      status.textContent = `Done: ${navigator.hardwareConcurrency} logical processors ` +
        'reported by this browser. Every run drew the same picture (same checksum).';
      publish(status, 'done', { picture: PICTURE, results });
    } catch (error) {
      failed(status, error);
    }
  });
}

// -----------------------------------------------------------------------------
// Demo 3: one shared WebAssembly.Memory, rows claimed with an atomic fetch_add.
// -----------------------------------------------------------------------------

let sharedModule = null;

// ANCHOR: shared
async function drawShared(count, canvas) {
  sharedModule ??= await compile('ch18_wasm_workers_shared.wasm');
  const memory = sharedMemory();
  const imports = { env: { memory } };
  const wasm = (await WebAssembly.instantiate(sharedModule, imports)).exports;
  const { width, height } = PICTURE;
  // The counter, one claim count per row, and the picture, all in the shared
  // memory; then a stack and thread-locals for each worker, in it too.
  const { next, claims, image } = layOut(wasm, PICTURE);
  const workers = await startWorkers(count, 'shared-worker.js', () => ({
    type: 'init', module: sharedModule, memory, ...threadBlocks(wasm),
  }));
  const started = performance.now();
  const finished = workers.map((worker) => new Promise((resolve) => {
    worker.onmessage = ({ data }) => resolve(data.taken);
    worker.postMessage({ picture: PICTURE, next, claims, image });
  }));
  // While the workers run, show the rows drawn so far, straight from the shared
  // memory.
  const context = canvas.getContext('2d');
  let running = true;
  const show = () => {
    const bytes = width * 4 * height;
    const pixels = new Uint8ClampedArray(memory.buffer, image, bytes).slice();
    context.putImageData(new ImageData(pixels, width, height), 0, 0);
    if (running) requestAnimationFrame(show);
  };
  requestAnimationFrame(show);
  const taken = await Promise.all(finished);
  const ms = performance.now() - started;
  running = false;
  show();
  workers.forEach((worker) => worker.terminate());
  const perRow = new Uint32Array(memory.buffer, claims, height);
  return {
    ms,
    taken,
    eachRowOnce: perRow.every((n) => n === 1),
    counter: new Uint32Array(memory.buffer, next, 1)[0],
    checksum: wasm.image_checksum(image, width * 4 * height) >>> 0,
  };
}
// ANCHOR_END: shared

function explainIsolation(box) {
  box.dataset.state = 'not-isolated';
  box.hidden = false;
  $('ch18-shared-run').disabled = true;
  $('ch18-isolate').addEventListener('click', () => {
    // coi-serviceworker.js (loaded by this page) registers its service worker
    // when this is set, then reloads the page once the worker can add the two
    // headers.
    localStorage.setItem('ch18-isolation', 'on');
    window.location.reload();
  });
}

function setUpSharedDemo() {
  const status = $('ch18-shared-status');
  const canvas = $('ch18-shared-canvas');
  const table = $('ch18-shared-results').tBodies[0];
  if (!window.crossOriginIsolated) {
    explainIsolation($('ch18-isolation'));
    status.dataset.state = 'not-isolated';
    return;
  }
  $('ch18-isolation').dataset.state = 'isolated';
  $('ch18-run-state').textContent = 'This page is cross-origin isolated: the demo can run.';
  $('ch18-shared-run').addEventListener('click', async () => {
    try {
      table.replaceChildren();
      status.dataset.state = 'running';
      const results = [];
      for (const count of workerCounts()) {
        status.textContent = `Drawing with ${count} worker${count > 1 ? 's' : ''} on one memory…`;
        const run = await drawShared(count, canvas);
        const speedup = results.length ? results[0].ms / run.ms : 1;
        const total = run.taken.reduce((a, b) => a + b, 0);
        results.push({ workers: count, ms: Math.round(run.ms), speedup, total,
          taken: run.taken, eachRowOnce: run.eachRowOnce, counter: run.counter,
          checksum: String(run.checksum) });
        resultRow(table, [count, seconds(run.ms), speedup.toFixed(2) + '×',
          run.taken.join(' + ') + ` = ${total}`, run.eachRowOnce ? 'yes' : 'NO',
          run.checksum.toString(16).padStart(8, '0')]);
      }
      status.textContent = `Done: every run claimed all ${PICTURE.height} rows, each once.`;
      publish(status, 'done', { picture: PICTURE, results });
    } catch (error) {
      failed(status, error);
    }
  });
}

setUpFreezeDemo();
setUpTilesDemo();
setUpSharedDemo();
