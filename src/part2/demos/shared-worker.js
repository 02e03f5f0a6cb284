// A Web Worker that runs the shared-memory module on the one memory every
// worker shares, taking rows from the atomic counter until none are left.

import { enterThread } from './shared-memory.js';

let wasm = null;

// ANCHOR: worker
self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    // The same memory object the page and the other workers hold: no copy is
    // made.
    const instance = await WebAssembly.instantiate(data.module, {
      env: { memory: data.memory },
    });
    wasm = instance.exports;
    // A thread of WebAssembly is an instance with its own stack and
    // thread-locals, carved out of the shared memory by the page.
    enterThread(wasm, data);
    self.postMessage({ type: 'ready' });
    return;
  }
  const { picture, next, claims, image } = data;
  const taken = wasm.claim_and_render_rows(
    picture.width, picture.height, picture.maxIter, next, claims, image);
  self.postMessage({ type: 'done', taken });
};
// ANCHOR_END: worker
