use ch02_drivers_three_ways::{Driver, one_after_another, the_drivers};
use exercises::ch02::interleaved_with_a_timer_queue;
use timeline::Recorder;

#[test]
fn ch02_timer_queue_handles_what_the_event_loop_handles() {
    // The chapter's drivers, eight times quicker.
    let drivers: Vec<Driver> = the_drivers()
        .into_iter()
        .map(|driver| Driver {
            period: driver.period / 8,
            ..driver
        })
        .collect();
    let expected = one_after_another(&drivers, 3, &Recorder::new());
    for _ in 0..5 {
        let recorder = Recorder::new();
        let reports = interleaved_with_a_timer_queue(&drivers, 3, &recorder);
        assert_eq!(reports, expected, "the events each driver handled");
        let schedule = recorder.timeline();
        assert_eq!(schedule.spans().len(), drivers.len() * 3, "one span each");
        assert_eq!(schedule.lanes().len(), 1, "all on the calling thread");
        assert!(
            schedule.overlaps_within_a_lane(),
            "the drivers' waits overlap, as in the event loop"
        );
    }
    let recorder = Recorder::new();
    let none = interleaved_with_a_timer_queue(&drivers, 0, &recorder);
    assert!(none.iter().all(|report| report.handled.is_empty()));
    assert!(recorder.timeline().spans().is_empty());
}
