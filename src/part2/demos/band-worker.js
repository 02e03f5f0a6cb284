// A Web Worker that draws bands of the picture with its own instance of the
// plain module. It shares nothing with the page: every band arrives as a
// message and leaves as one.

let wasm = null;
let picture = null;

// ANCHOR: worker
self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    // A compiled WebAssembly.Module can be posted; each worker instantiates its
    // own copy, with its own memory.
    wasm = (await WebAssembly.instantiate(data.module)).exports;
    picture = data.picture;
    self.postMessage({ type: 'ready' });
    return;
  }
  const { first, end } = data;
  const bytes = picture.width * 4 * (end - first);
  const out = wasm.zeroed_words(bytes / 4);
  wasm.render_band(picture.width, picture.height, picture.maxIter, first, end, out);
  // Copy the band out of the module's memory and hand the copy over without
  // another copy.
  const pixels = new Uint8ClampedArray(wasm.memory.buffer, out, bytes).slice();
  wasm.free_words(out, bytes / 4);
  self.postMessage({ type: 'band', first, end, pixels }, [pixels.buffer]);
};
// ANCHOR_END: worker
