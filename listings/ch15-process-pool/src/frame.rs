//! Messages on a byte stream: each one is its length (4 bytes, little
//! endian) followed by its postcard encoding.
//!
//! A pipe carries bytes, not messages; the length prefix is what lets the
//! reader know where one message ends and the next begins.

use std::io::{self, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// No message of this protocol comes near this; a larger length means the
/// stream is corrupt, and refusing it avoids allocating garbage.
pub const MAX_FRAME: u32 = 1 << 20;

// ANCHOR: frame
pub fn write_frame<T: Serialize>(
    out: &mut impl Write,
    message: &T,
) -> io::Result<()> {
    let body = postcard::to_allocvec(message).map_err(io::Error::other)?;
    let length = u32::try_from(body.len())
        .ok()
        .filter(|&length| length <= MAX_FRAME)
        .ok_or_else(|| io::Error::other("message too long for one frame"))?;
    out.write_all(&length.to_le_bytes())?;
    out.write_all(&body)?;
    out.flush() // a message the peer never sees is no message at all
}

/// The next message, or `None` if the peer closed the stream between two
/// messages. A stream that ends inside a message is an error.
pub fn read_frame<T: DeserializeOwned>(
    input: &mut impl Read,
) -> io::Result<Option<T>> {
    let mut length = [0; 4];
    let mut filled = 0;
    while filled < length.len() {
        match input.read(&mut length[filled..])? {
            0 if filled == 0 => return Ok(None),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => filled += n,
        }
    }
    let length = u32::from_le_bytes(length);
    if length > MAX_FRAME {
        return Err(io::Error::other(format!("frame of {length} bytes")));
    }
    let mut body = vec![0; length as usize];
    input.read_exact(&mut body)?;
    postcard::from_bytes(&body)
        .map(Some)
        .map_err(io::Error::other)
}
// ANCHOR_END: frame
