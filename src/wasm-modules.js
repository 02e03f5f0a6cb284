// Fetching the book's WebAssembly modules, for the pages that run Rust in the
// browser (the browser chapter's demos, the scheduler puzzles). `cargo xtask
// build` compiles them from the listings that declare them; a machine without a
// wasm32 compiler gets the rest of the book, and these pages say why a demo
// cannot start and what to install.

/// What the page says when a module was not built.
export function notBuilt(file, status) {
  return `${file} was not built with this copy of the book (HTTP ${status}). ` +
    '`cargo xtask build` compiles the WebAssembly modules when the machine has a ' +
    "wasm32 compiler: rustup's standard-library sources (`rustup component add " +
    "rust-src`) or Debian's rustc-web, cargo-web, rust-web-src and lld (`cargo " +
    'xtask setup` installs them as root). Without one it builds the rest of the ' +
    'book and prints a warning; install either, then build again.';
}

/// The bytes of a module next to `base`, or an error whose `missing` is true
/// when the build left it out.
export async function fetchModule(base, file) {
  const response = await fetch(new URL(file, base));
  if (!response.ok) {
    const error = new Error(notBuilt(file, response.status));
    error.missing = true;
    throw error;
  }
  return response.arrayBuffer();
}
