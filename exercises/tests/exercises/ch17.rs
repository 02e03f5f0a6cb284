use std::fs;

use exercises::ch17::{inside_id, outside_id};

#[test]
fn ch17_the_wardens_map() {
    // What the warden writes as uid 1000: root inside is 1000 outside.
    let map = "0 1000 1";
    assert_eq!(inside_id(map, 1000), Some(0));
    assert_eq!(inside_id(map, 999), None);
    assert_eq!(inside_id(map, 1001), None);
    assert_eq!(inside_id(map, 0), None, "root outside is nobody inside");
    assert_eq!(outside_id(map, 0), Some(1000));
    assert_eq!(outside_id(map, 1), None);
    assert_eq!(outside_id(map, 1000), None);
}

#[test]
fn ch17_several_ranges_as_the_kernel_prints_them() {
    // A rootless container's map: 65536 subordinate ids, then the user's
    // own id as 65536, in the kernel's column layout.
    let map =
        "         0     100000      65536\n     65536       1000          1\n";
    assert_eq!(inside_id(map, 100_000), Some(0));
    assert_eq!(inside_id(map, 165_535), Some(65_535));
    assert_eq!(inside_id(map, 165_536), None, "one past the first range");
    assert_eq!(inside_id(map, 99_999), None);
    assert_eq!(inside_id(map, 1000), Some(65_536));
    assert_eq!(outside_id(map, 0), Some(100_000));
    assert_eq!(outside_id(map, 65_535), Some(165_535));
    assert_eq!(outside_id(map, 65_536), Some(1000));
    assert_eq!(outside_id(map, 65_537), None);
    assert_eq!(inside_id("", 0), None, "an empty map maps nothing");
}

#[test]
fn ch17_maps_that_reach_the_last_id() {
    // The initial namespace maps every id to itself, 2^32 - 1 of them.
    let identity = "         0          0 4294967295\n";
    for id in [0, 1, 1000, 65_534, u32::MAX - 1] {
        assert_eq!(inside_id(identity, id), Some(id));
        assert_eq!(outside_id(identity, id), Some(id));
    }
    assert_eq!(inside_id(identity, u32::MAX), None, "not in the range");
    // Shifted by one: the ranges end past u32::MAX.
    let shifted = "1 0 4294967295";
    assert_eq!(inside_id(shifted, u32::MAX - 1), Some(u32::MAX));
    assert_eq!(outside_id(shifted, u32::MAX), Some(u32::MAX - 1));
    assert_eq!(outside_id(shifted, 0), None);
    let shifted = "0 1 4294967295";
    assert_eq!(outside_id(shifted, u32::MAX - 1), Some(u32::MAX));
    assert_eq!(inside_id(shifted, 0), None);
}

#[test]
fn ch17_this_process_is_mapped_in_its_own_namespace() {
    // Read from inside, a namespace's own map has its ids in the first
    // column: whatever namespace the test runs in, its uid is there.
    let map = fs::read_to_string("/proc/self/uid_map").expect("Linux");
    let status = fs::read_to_string("/proc/self/status").expect("Linux");
    let uid: u32 = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|real| real.parse().ok())
        .expect("a Uid: line");
    let outside = outside_id(&map, uid).expect("our own uid is mapped");
    assert_eq!(inside_id(&map, outside), Some(uid), "there and back");
}
