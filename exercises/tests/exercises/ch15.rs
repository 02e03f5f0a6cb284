use ch15_process_pool::frame::{MAX_FRAME, write_frame};
use ch15_process_pool::protocol::{Reply, Request, jobs};
use exercises::ch15::decode_frames;

/// A conversation's worth of messages, and where each frame ends in their
/// encoding.
fn messages() -> (Vec<Request>, Vec<u8>, Vec<usize>) {
    let mut messages: Vec<Request> =
        jobs(5, 1_000).into_iter().map(Request::Work).collect();
    messages.insert(2, Request::Stop);
    // A job with every number as large as it gets.
    let mut large = jobs(1, 1)[0];
    large.id = u32::MAX;
    large.start = u64::MAX - 1;
    large.end = u64::MAX;
    large.crash = true;
    messages.push(Request::Work(large));
    messages.push(Request::Stop);
    let mut bytes = Vec::new();
    let mut ends = Vec::new();
    for message in &messages {
        write_frame(&mut bytes, message).expect("a Vec takes any frame");
        ends.push(bytes.len());
    }
    (messages, bytes, ends)
}

#[test]
fn ch15_messages_survive_any_cut() {
    let (messages, bytes, ends) = messages();
    // The bytes arrive in two pieces, cut anywhere.
    for cut in 0..=bytes.len() {
        let mut buffer = bytes[..cut].to_vec();
        let mut got: Vec<Request> =
            decode_frames(&mut buffer).expect("valid frames");
        let complete = ends.iter().filter(|&&end| end <= cut).count();
        assert_eq!(
            got.len(),
            complete,
            "messages complete in the first {cut} bytes"
        );
        buffer.extend_from_slice(&bytes[cut..]);
        got.extend(decode_frames::<Request>(&mut buffer).expect("valid"));
        assert_eq!(got, messages, "cut after {cut} bytes");
        assert!(buffer.is_empty(), "nothing left after the last frame");
    }
}

#[test]
fn ch15_messages_survive_any_piece_size() {
    let (messages, bytes, _) = messages();
    for piece in [1, 2, 3, 5, 13, 64, bytes.len()] {
        let mut buffer = Vec::new();
        let mut got = Vec::new();
        for arrived in bytes.chunks(piece) {
            buffer.extend_from_slice(arrived);
            got.extend(decode_frames::<Request>(&mut buffer).expect("valid"));
        }
        assert_eq!(got, messages, "pieces of {piece} bytes");
        assert!(buffer.is_empty());
    }
    // Replies too, and messages of no bytes at all.
    let replies = [Reply { id: 3, primes: 168 }, Reply { id: 0, primes: 0 }];
    let mut buffer = Vec::new();
    for reply in &replies {
        write_frame(&mut buffer, reply).expect("a Vec takes any frame");
    }
    let got: Vec<Reply> = decode_frames(&mut buffer).expect("valid");
    assert_eq!(got, replies);
    let mut buffer = Vec::new();
    for _ in 0..3 {
        write_frame(&mut buffer, &()).expect("a Vec takes any frame");
    }
    assert_eq!(buffer.len(), 12, "three empty bodies");
    let units: Vec<()> = decode_frames(&mut buffer).expect("valid");
    assert_eq!(units.len(), 3);
    assert!(buffer.is_empty());
}

#[test]
fn ch15_bad_frames_are_refused() {
    // A length over the limit is refused as soon as it is read, without
    // waiting for a body that may never come.
    let mut buffer = (MAX_FRAME + 1).to_le_bytes().to_vec();
    assert!(decode_frames::<Request>(&mut buffer).is_err());
    // A body that is not a Request: variant 7 does not exist.
    let mut buffer = vec![1, 0, 0, 0, 7];
    assert!(decode_frames::<Request>(&mut buffer).is_err());
    // An incomplete header is not an error: the rest may still come.
    let mut buffer = vec![1, 0];
    let none: Vec<Request> = decode_frames(&mut buffer).expect("no error");
    assert!(none.is_empty());
    assert_eq!(buffer, [1, 0], "the partial header is kept");
}
