// The shared-memory module outside the browser: Node's worker_threads instead of Web
// Workers, the same memory layout and the same Rust function. Run by the book's tests:
//   node node-shared-memory.mjs <path to ch18_wasm_workers_shared.wasm> <workers>
// It prints one JSON line: rows taken by each worker, whether each row was taken once,
// and the picture's checksum, which the test compares with the native Rust one.

import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { enterThread, layOut, sharedMemory, threadBlocks } from './shared-memory.js';

const PICTURE = { width: 720, height: 480, maxIter: 2000 };

// ANCHOR: main
if (isMainThread) {
  const [file, count = '4'] = process.argv.slice(2);
  const module = new WebAssembly.Module(readFileSync(file));
  const memory = sharedMemory();
  const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const { next, claims, image } = layOut(wasm, PICTURE);
  const runs = [];
  for (let i = 0; i < Number(count); i += 1) {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: {
        module, memory, picture: PICTURE, next, claims, image, ...threadBlocks(wasm),
      },
    });
    runs.push(new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }));
  }
  const taken = await Promise.all(runs);
  const perRow = new Uint32Array(memory.buffer, claims, PICTURE.height);
  console.log(JSON.stringify({
    workers: Number(count),
    taken,
    total: taken.reduce((a, b) => a + b, 0),
    eachRowOnce: perRow.every((n) => n === 1),
    checksum: wasm.image_checksum(image, PICTURE.width * 4 * PICTURE.height) >>> 0,
  }));
} else {
  const { module, memory, picture, next, claims, image } = workerData;
  const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports;
  enterThread(wasm, workerData);
  parentPort.postMessage(wasm.claim_and_render_rows(
    picture.width, picture.height, picture.maxIter, next, claims, image));
}
// ANCHOR_END: main
