//! Chapter 15's exercise, solved: a frame decoder for bytes that arrive in
//! pieces.

use std::io;

use ch15_process_pool::frame::MAX_FRAME;
use serde::de::DeserializeOwned;

// ANCHOR: decode
/// `read_frame` turned inside out: instead of asking the pipe for as many
/// bytes as it needs, it is given whatever bytes have arrived and takes out
/// what they complete.
pub fn decode_frames<T: DeserializeOwned>(
    buffer: &mut Vec<u8>,
) -> io::Result<Vec<T>> {
    let mut messages = Vec::new();
    let mut taken = 0; // bytes of complete frames, from the front
    while let Some(header) = buffer[taken..].first_chunk::<4>() {
        let length = u32::from_le_bytes(*header);
        if length > MAX_FRAME {
            // Refuse at once: waiting for the body would mean buffering
            // whatever garbage follows.
            return Err(io::Error::other(format!("frame of {length} bytes")));
        }
        let end = taken + 4 + length as usize;
        let Some(body) = buffer.get(taken + 4..end) else {
            break; // the rest of this frame has not arrived yet
        };
        messages.push(postcard::from_bytes(body).map_err(io::Error::other)?);
        taken = end;
    }
    buffer.drain(..taken);
    Ok(messages)
}
// ANCHOR_END: decode
