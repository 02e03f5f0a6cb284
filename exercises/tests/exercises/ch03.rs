use ch03_shared_vs_messages::{count_letters, documents, sequential};
use exercises::ch03::by_joining;
use timeline::Recorder;

#[test]
fn ch03_joining_gives_the_sequential_counts() {
    let docs = documents(7, 3_000);
    let expected = sequential(&docs, &Recorder::new());
    // Zero workers, fewer workers than documents, and more.
    for workers in [0, 1, 2, 3, 7, 10] {
        assert_eq!(by_joining(&docs, workers), expected, "{workers} workers");
    }
}

#[test]
fn ch03_joining_handles_no_documents_and_one() {
    assert_eq!(by_joining(&[], 3), [0; 26]);
    let one = documents(1, 500);
    assert_eq!(by_joining(&one, 8), count_letters(&one[0]));
}
