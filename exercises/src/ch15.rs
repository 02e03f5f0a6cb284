//! Chapter 15's exercise: a frame decoder for bytes that arrive in pieces.
//!
//! Write `decode_frames`: the reading side of
//! `ch15_process_pool::frame`'s format for a reader that cannot block, which
//! is handed bytes as they arrive and must find the messages in them. Check
//! it with `cargo exercise ch15`.

use std::io;

use serde::de::DeserializeOwned;

/// Takes every complete frame (as `write_frame` makes them: a 4-byte
/// little-endian length, then that many bytes of postcard) off the front of
/// `buffer` and returns their messages in order, leaving a frame that has
/// not fully arrived in `buffer` for the next call. A length over
/// `MAX_FRAME` or a body that does not decode is an error.
pub fn decode_frames<T: DeserializeOwned>(
    buffer: &mut Vec<u8>,
) -> io::Result<Vec<T>> {
    // Your code here: `postcard::from_bytes` decodes one body.
    todo!()
}
