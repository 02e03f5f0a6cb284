//! The same transfer over a byte stream (a pipe or a Unix socket): each
//! value as 8 little-endian bytes, buffered, through the kernel.

use std::io::{self, BufReader, BufWriter, Read, Write};

/// Writes `0..count` to `out`.
pub fn produce(out: impl Write, count: u64) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    for value in 0..count {
        out.write_all(&value.to_le_bytes()).map_err(|error| {
            gone(error, format!("the consumer went away after {value} items"))
        })?;
    }
    out.flush()
        .map_err(|error| gone(error, "the consumer went away".to_string()))
}

/// Reads `count` values from `input`, checking that value number `i` is
/// `i`; returns their sum.
pub fn consume(input: impl Read, count: u64) -> io::Result<u64> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut sum = 0;
    for expected in 0..count {
        let mut bytes = [0; 8];
        input.read_exact(&mut bytes).map_err(|error| {
            let why = format!(
                "the producer's stream ended after {expected} of {count} items"
            );
            gone(error, why)
        })?;
        sum += check(u64::from_le_bytes(bytes), expected)?;
    }
    Ok(sum)
}

/// Value number `expected` must be `expected`: anything else means a value
/// was lost, duplicated or reordered on the way.
pub fn check(value: u64, expected: u64) -> io::Result<u64> {
    if value == expected {
        Ok(value)
    } else {
        Err(io::Error::other(format!(
            "item {expected} arrived as {value}: lost, duplicated or reordered"
        )))
    }
}

fn gone(error: io::Error, why: String) -> io::Error {
    match error.kind() {
        io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset => io::Error::other(why),
        _ => error,
    }
}
