//! A fast producer, a slow consumer, and the channel between them.
//!
//! The producer makes records as fast as it can; the consumer reads them as a
//! `Stream` and pauses now and then. What the channel does when the consumer
//! falls behind decides how much memory the program needs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::{ReceiverStream, UnboundedReceiverStream};

/// The size of one record.
pub const RECORD_BYTES: usize = 1024;

/// One record: a sequence number and a payload derived from it.
pub fn record(number: u32) -> Vec<u8> {
    let mut payload = vec![0; RECORD_BYTES];
    payload[..4].copy_from_slice(&number.to_le_bytes());
    payload
}

/// How many records have been made and how many consumed; their difference is
/// what sits in the channel, and its highest value is the memory the channel
/// needed.
#[derive(Debug, Default)]
pub struct Flow {
    produced: AtomicUsize,
    consumed: AtomicUsize,
    peak_queued: AtomicUsize,
}

// The counts publish no other data, so every access is `Relaxed` (chapter
// 7). `consumed` cannot run ahead of `produced` when `sent` reads it: the
// consumer can have received at most the records already sent, and the
// channel orders each send before its receive, so no later increment can be
// seen early.
impl Flow {
    fn sent(&self) {
        let produced = self.produced.fetch_add(1, Ordering::Relaxed) + 1;
        let queued = produced - self.consumed.load(Ordering::Relaxed);
        self.peak_queued.fetch_max(queued, Ordering::Relaxed);
    }
    fn received(&self) {
        self.consumed.fetch_add(1, Ordering::Relaxed);
    }
    pub fn peak_queued(&self) -> usize {
        self.peak_queued.load(Ordering::Relaxed)
    }
}

/// What the consumer computed: how many records and a checksum over their
/// numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub records: usize,
    pub checksum: u64,
}

/// How the producer and the consumer are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Unbounded,
    Bounded(usize),
}

// ANCHOR: consumer
/// The consumer: reads records as a stream, checks their order, and pauses 1 ms
/// every 1000 records, the way a consumer that writes to a disk or a network
/// does.
pub async fn consume(
    records: impl Stream<Item = Vec<u8>>,
    flow: &Flow,
) -> Summary {
    let mut records = std::pin::pin!(records.enumerate());
    let mut summary = Summary {
        records: 0,
        checksum: 0,
    };
    while let Some((index, record)) = records.next().await {
        flow.received();
        let number =
            u32::from_le_bytes(record[..4].try_into().expect("4 bytes"));
        assert_eq!(
            number as usize, index,
            "records arrive in order, none missing"
        );
        summary.records += 1;
        summary.checksum = summary
            .checksum
            .wrapping_mul(31)
            .wrapping_add(u64::from(number));
        if summary.records.is_multiple_of(1000) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    summary
}
// ANCHOR_END: consumer

// ANCHOR: run
/// Runs a producer of `items` records and the consumer, joined by `channel`.
pub async fn run(items: u32, channel: Channel) -> (Summary, Arc<Flow>) {
    let flow = Arc::new(Flow::default());
    let producer_flow = Arc::clone(&flow);
    let summary = match channel {
        Channel::Unbounded => {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(async move {
                for number in 0..items {
                    // Never waits: if the consumer is behind, the record just
                    // queues up.
                    if sender.send(record(number)).is_err() {
                        return;
                    }
                    producer_flow.sent();
                }
            });
            consume(UnboundedReceiverStream::new(receiver), &flow).await
        }
        Channel::Bounded(capacity) => {
            let (sender, receiver) = mpsc::channel(capacity);
            tokio::spawn(async move {
                for number in 0..items {
                    // Waits while the channel is full: the consumer's pace
                    // becomes ours.
                    if sender.send(record(number)).await.is_err() {
                        return;
                    }
                    producer_flow.sent();
                }
            });
            consume(ReceiverStream::new(receiver), &flow).await
        }
    };
    (summary, flow)
}
// ANCHOR_END: run

/// The summary a plain loop over the records gives.
pub fn expected(items: u32) -> Summary {
    let checksum = (0..items).fold(0_u64, |sum, n| {
        sum.wrapping_mul(31).wrapping_add(u64::from(n))
    });
    Summary {
        records: items as usize,
        checksum,
    }
}
