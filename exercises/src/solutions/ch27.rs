//! Chapter 27's exercise, solved: the consumer's loop, without the broker.

// ANCHOR: consume
/// One run of a consumer over `log`: from the stored offset, process, then
/// store the next offset every `commit_every` records and at the end. A kill
/// between processing and storing means records processed twice, never
/// records skipped.
pub fn consume(
    log: &[u64],
    stored: &mut usize,
    mut process: impl FnMut(u64),
    commit_every: usize,
    kill_after: Option<usize>,
) {
    if kill_after == Some(0) {
        return;
    }
    let mut offset = *stored;
    let mut done = 0;
    while offset < log.len() {
        process(log[offset]); // process first …
        offset += 1;
        done += 1;
        if kill_after == Some(done) {
            return; // killed: what was not stored is forgotten
        }
        if offset.is_multiple_of(commit_every) || offset == log.len() {
            *stored = offset; // … then store where to start next time
        }
    }
}
// ANCHOR_END: consume
