//! Generates the message types and the client and server code from
//! `proto/numbers.proto` with Debian's `protoc`; a missing `protoc` stops the
//! build with a message saying how to get it.

// ANCHOR: build
fn main() {
    println!("cargo:rerun-if-changed=proto/numbers.proto");
    if let Err(error) = tonic_prost_build::compile_protos("proto/numbers.proto")
    {
        panic!(
            "protoc failed ({error}); `cargo xtask setup` will install protoc"
        );
    }
}
// ANCHOR_END: build
