//! The framing: messages come back as they were sent, a clean end between
//! messages is `None`, and a stream cut inside a message is an error.

use std::io::Cursor;

use ch15_process_pool::frame::{MAX_FRAME, read_frame, write_frame};
use ch15_process_pool::protocol::{Job, Reply, Request, jobs};

#[test]
fn messages_round_trip_in_order() {
    let mut stream = Vec::new();
    let sent: Vec<Request> = jobs(300, 1000)
        .into_iter()
        .map(Request::Work)
        .chain([Request::Stop])
        .collect();
    for request in &sent {
        write_frame(&mut stream, request).expect("writing to a Vec works");
    }
    let mut input = Cursor::new(stream);
    let mut received = Vec::new();
    while let Some(request) = read_frame::<Request>(&mut input).expect("valid")
    {
        received.push(request);
    }
    assert_eq!(received, sent);
}

#[test]
fn a_stream_cut_inside_a_message_is_an_error_at_every_cut() {
    let mut stream = Vec::new();
    let reply = Reply {
        id: 70_000,
        primes: 1 << 40,
    };
    write_frame(&mut stream, &reply).expect("writing to a Vec works");
    assert!(stream.len() > 5);
    for cut in 1..stream.len() {
        let result = read_frame::<Reply>(&mut Cursor::new(&stream[..cut]));
        assert!(result.is_err(), "cut at {cut} of {}", stream.len());
    }
    let whole = read_frame::<Reply>(&mut Cursor::new(&stream[..]));
    assert_eq!(whole.expect("whole frame"), Some(reply));
    let empty = read_frame::<Reply>(&mut Cursor::new(&[][..]));
    assert_eq!(empty.expect("a clean end"), None);
}

/// The limit is inclusive on both sides: a body of exactly MAX_FRAME bytes
/// (a byte vector of MAX_FRAME - 3 and its three-byte length) goes through.
#[test]
fn a_frame_of_exactly_the_limit_is_written_and_read() {
    let largest = vec![7_u8; MAX_FRAME as usize - 3];
    let mut stream = Vec::new();
    write_frame(&mut stream, &largest).expect("a frame of MAX_FRAME bytes");
    assert_eq!(stream.len(), 4 + MAX_FRAME as usize);
    let read =
        read_frame::<Vec<u8>>(&mut Cursor::new(stream)).expect("read back");
    assert_eq!(read, Some(largest));
}

#[test]
fn an_absurd_length_is_refused_before_allocating() {
    let mut stream = (MAX_FRAME + 1).to_le_bytes().to_vec();
    stream.extend([0; 16]);
    let error = read_frame::<Job>(&mut Cursor::new(stream)).unwrap_err();
    assert!(error.to_string().contains("frame of"), "{error}");
}
