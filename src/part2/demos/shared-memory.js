// How the shared-memory demo lays out its one memory; the page (ch18-demos.js)
// and the Node check (node-shared-memory.mjs) both use it, so they cannot drift
// apart.

/// The maximum the shared module was linked with (`--max-memory` in the
/// listing's Cargo.toml, [package.metadata.book.wasm]), in 64 KiB pages; a
/// memory handed to it may declare no more.
export const MAX_PAGES = (64 * 1024 * 1024) / (64 * 1024);
const STACK_BYTES = 256 * 1024;

export function sharedMemory() {
  return new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
}

/// The row counter, one claim count per row, and the picture, allocated by
/// `wasm` (an instance on the main thread) in the shared memory.
export function layOut(wasm, { width, height }) {
  return {
    next: wasm.zeroed_words(1),
    claims: wasm.zeroed_words(height),
    image: wasm.zeroed_words(width * height),
  };
}

// ANCHOR: thread
/// A stack (its 16-byte aligned top) and a thread-local block (aligned as the
/// module asks) for one more thread, in the shared memory.
export function threadBlocks(wasm) {
  const aligned = (bytes, align) => {
    const at = wasm.zeroed_words(Math.ceil((bytes + align) / 4));
    return Math.ceil(at / align) * align;
  };
  return {
    stackTop: aligned(STACK_BYTES, 16) + STACK_BYTES,
    tls: aligned(wasm.__tls_size.value, Math.max(wasm.__tls_align.value, 4)),
  };
}

/// What a new thread's instance does first: take its own stack and
/// thread-locals.
export function enterThread(wasm, { stackTop, tls }) {
  wasm.__stack_pointer.value = stackTop;
  if (wasm.__tls_size.value > 0) {
    wasm.__wasm_init_tls(tls);
  }
}
// ANCHOR_END: thread
