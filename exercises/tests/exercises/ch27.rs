use exercises::ch27::consume;

/// The log: record `i` is `1000 + i`, so a value is never its offset.
fn the_log(records: u64) -> Vec<u64> {
    (1000..1000 + records).collect()
}

#[test]
fn ch27_a_restarted_consumer_loses_nothing() {
    let log = the_log(120);
    for commit_every in [1, 3, 10, 50, 200] {
        for kill_after in 0..=log.len() + 1 {
            let (mut stored, mut processed) = (0, Vec::new());
            consume(
                &log,
                &mut stored,
                |record| processed.push(record),
                commit_every,
                Some(kill_after),
            );
            let killed_at = kill_after.min(log.len());
            assert_eq!(processed, log[..killed_at], "before the kill");
            // The last offset stored before the kill: the last multiple of
            // the interval, unless the run got to the end and stored that.
            let expected_store = if kill_after > log.len() {
                log.len()
            } else if kill_after == 0 {
                0
            } else {
                (kill_after - 1) / commit_every * commit_every
            };
            let stored_at_kill = stored;
            consume(
                &log,
                &mut stored,
                |record| processed.push(record),
                commit_every,
                None,
            );
            assert_eq!(stored, log.len(), "the restart reaches the end");
            let mut expected = log[..killed_at].to_vec();
            expected.extend_from_slice(&log[expected_store..]);
            assert_eq!(
                processed, expected,
                "killed after {kill_after}, storing every {commit_every}: \
                 every record at least once, the repeats only those after \
                 the last stored offset"
            );
            assert_eq!(
                stored_at_kill, expected_store,
                "the offset stored when killed after {kill_after} records, \
                 storing every {commit_every}"
            );
        }
    }
}

#[test]
fn ch27_a_consumer_at_the_end_does_nothing() {
    let log = the_log(10);
    let (mut stored, mut processed) = (10, Vec::new());
    consume(&log, &mut stored, |r| processed.push(r), 3, None);
    assert_eq!((stored, processed.len()), (10, 0));
    let (mut stored, mut processed) = (4, Vec::new());
    consume(&log, &mut stored, |r| processed.push(r), 3, None);
    assert_eq!((stored, processed), (10, log[4..].to_vec()));
}
