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

#[test]
fn an_absurd_length_is_refused_before_allocating() {
    let mut stream = (MAX_FRAME + 1).to_le_bytes().to_vec();
    stream.extend([0; 16]);
    let error = read_frame::<Job>(&mut Cursor::new(stream)).unwrap_err();
    assert!(error.to_string().contains("frame of"), "{error}");
}
