//! A topic as a set of append-only logs: records go to a partition chosen by
//! key, each gets the next offset there, and a consumer reads from whatever
//! offset it likes.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use rskafka::chrono::DateTime;
use rskafka::client::partition::{
    Compression, OffsetAt, PartitionClient, UnknownTopicHandling,
};
use rskafka::client::{Client, ClientBuilder};
use rskafka::record::{Record, RecordAndOffset};

/// How long a fetch waits on the broker for records to arrive.
pub const FETCH_WAIT_MS: i32 = 100;

/// Connects to the broker at `address` (`host:port`).
pub async fn connect(address: &str) -> Result<Client> {
    ClientBuilder::new(vec![address.to_string()])
        .build()
        .await
        .with_context(|| format!("cannot reach the broker at {address}"))
}

/// Creates `topic` with `partitions` partitions and a replication factor of 1:
/// the one broker holds the only copy of each partition (in memory, here), so
/// there is no in-sync replica to take over, and its death loses the log.
pub async fn create_topic(
    client: &Client,
    topic: &str,
    partitions: i32,
) -> Result<()> {
    let controller = client.controller_client()?;
    controller
        .create_topic(topic, partitions, 1, 5_000)
        .await
        .with_context(|| format!("cannot create topic {topic}"))
}

/// A client for one partition of `topic`.
pub async fn partition(
    client: &Client,
    topic: &str,
    partition: i32,
) -> Result<PartitionClient> {
    Ok(client
        .partition_client(topic, partition, UnknownTopicHandling::Retry)
        .await?)
}

/// A record with a key and a text value, stamped now.
pub fn record(key: &str, value: &str) -> Record {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Record {
        key: Some(key.as_bytes().to_vec()),
        value: Some(value.as_bytes().to_vec()),
        headers: BTreeMap::new(),
        timestamp: DateTime::from_timestamp_millis(
            i64::try_from(now.as_millis()).unwrap_or(0),
        )
        .unwrap_or_default(),
    }
}

/// The text of a record's value.
pub fn value(record: &RecordAndOffset) -> String {
    String::from_utf8_lossy(record.record.value.as_deref().unwrap_or_default())
        .into_owned()
}

// ANCHOR: read_from
/// Every record of `partition` from `offset` to the end of the log as it is
/// now. Reading changes nothing on the broker: the next reader may start
/// anywhere again.
pub async fn read_from(
    partition: &PartitionClient,
    mut offset: i64,
) -> Result<Vec<RecordAndOffset>> {
    let end = partition.get_offset(OffsetAt::Latest).await?;
    let mut records = Vec::new();
    let mut empty_fetches = 0;
    while offset < end {
        let (batch, _high_watermark) = partition
            .fetch_records(offset, 1..1_000_000, FETCH_WAIT_MS)
            .await?;
        // A fetch may start at the beginning of a stored batch, before
        // `offset`.
        let fresh: Vec<_> =
            batch.into_iter().filter(|r| r.offset >= offset).collect();
        if fresh.is_empty() {
            empty_fetches += 1;
            if empty_fetches > 50 {
                bail!(
                    "the broker returned nothing from offset {offset} up to {end}"
                );
            }
        }
        for record in fresh {
            // A log has no holes: a jump in offsets would be a silent loss.
            if record.offset != offset {
                bail!(
                    "asked for offset {offset}, the broker sent {}",
                    record.offset
                );
            }
            offset = record.offset + 1;
            records.push(record);
        }
    }
    Ok(records)
}
// ANCHOR_END: read_from

// ANCHOR: partition_for
/// The partition for `key`: a fixed hash (FNV-1a) of its bytes, modulo the
/// partitions. Same key, same partition, so one key's records keep their order.
pub fn partition_for(key: &str, partitions: i32) -> i32 {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    i32::try_from(hash % u64::try_from(partitions).unwrap_or(1)).unwrap_or(0)
}
// ANCHOR_END: partition_for

/// Customers whose orders the demonstration sends.
const CUSTOMERS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

// ANCHOR: partitions_and_offsets
/// Sends `orders` orders for each customer, round after round, keyed by
/// customer, to a topic of `partitions` partitions; reads every partition back
/// from offset 0, then one partition from the middle.
pub async fn partitions_and_offsets(
    address: &str,
    partitions: i32,
    orders: u32,
) -> Result<()> {
    let client = connect(address).await?;
    create_topic(&client, "orders", partitions).await?;
    let mut logs = Vec::new();
    for number in 0..partitions {
        logs.push(partition(&client, "orders", number).await?);
    }
    println!(
        "topic \"orders\", {partitions} partitions: {} customers × {orders} orders, \
         partition = fnv1a(customer) mod {partitions}",
        CUSTOMERS.len()
    );
    for order in 0..orders {
        for customer in CUSTOMERS {
            let log =
                &logs[usize::try_from(partition_for(customer, partitions))?];
            let value = format!("{customer}#{order}");
            // Awaited one at a time (rskafka asks for acks=all): the next
            // order is sent only once the broker has stored this one, so
            // no retry can put a customer's orders out of order.
            log.produce(
                vec![record(customer, &value)],
                Compression::NoCompression,
            )
            .await?;
        }
    }

    // Where each customer's orders landed, in log order.
    let mut seen: HashMap<String, Vec<(i32, u32)>> = HashMap::new();
    for (number, log) in (0..).zip(&logs) {
        let records = read_from(log, 0).await?;
        let shown: Vec<String> = records
            .iter()
            .map(|r| format!("{}:{}", r.offset, value(r)))
            .collect();
        println!("  partition {number}, {} records:", records.len());
        for line in shown.chunks(8) {
            println!("    {}", line.join("  "));
        }
        for r in &records {
            let text = value(r);
            let (customer, order) =
                text.split_once('#').context("customer#order")?;
            let entry = seen.entry(customer.to_string()).or_default();
            entry.push((number, order.parse()?));
        }
    }
    let in_order = each_in_one_partition_in_order(&seen, orders);
    println!(
        "each customer's orders are in one partition, in the order sent: {in_order}"
    );
    if !in_order {
        bail!("a customer's orders were split or reordered");
    }

    // A consumer may start anywhere; the records before it stay where they are.
    let middle = logs
        .iter()
        .position(|log| log.partition() == partition_for("alice", partitions));
    let log = &logs[middle.context("alice's partition")?];
    let from = 3;
    let tail: Vec<String> =
        read_from(log, from).await?.iter().map(value).collect();
    println!(
        "a consumer starting at partition {}, offset {from}: {}",
        log.partition(),
        tail.join(" ")
    );
    let again = read_from(log, 0).await?.len();
    println!(
        "reading removed nothing: partition {} from offset 0 \
         still holds {again} records",
        log.partition()
    );
    Ok(())
}
// ANCHOR_END: partitions_and_offsets

/// Whether each customer's `orders` orders, as `(partition, order)` in log
/// order, all sit in one partition and come as 0, 1, 2, ….
fn each_in_one_partition_in_order(
    seen: &HashMap<String, Vec<(i32, u32)>>,
    orders: u32,
) -> bool {
    CUSTOMERS.iter().all(|customer| {
        let got = seen.get(*customer).cloned().unwrap_or_default();
        let one_partition = got.windows(2).all(|pair| pair[0].0 == pair[1].0);
        let sequence: Vec<u32> = got.iter().map(|&(_, order)| order).collect();
        one_partition && sequence == (0..orders).collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every customer's three orders in partition `partition_of(customer)`.
    fn placed(
        partition_of: impl Fn(&str) -> i32,
    ) -> HashMap<String, Vec<(i32, u32)>> {
        CUSTOMERS
            .iter()
            .map(|customer| {
                let partition = partition_of(customer);
                (
                    customer.to_string(),
                    (0..3).map(|order| (partition, order)).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_split_or_reordered_customer_fails_the_check() {
        let good = placed(|customer| partition_for(customer, 3));
        assert!(each_in_one_partition_in_order(&good, 3));
        // Too few orders, or too many expected.
        assert!(!each_in_one_partition_in_order(&good, 4));

        let mut split = good.clone();
        split.get_mut(CUSTOMERS[0]).expect("a customer")[2].0 += 1;
        assert!(!each_in_one_partition_in_order(&split, 3));

        let mut reordered = good.clone();
        reordered
            .get_mut(CUSTOMERS[1])
            .expect("a customer")
            .swap(0, 1);
        assert!(!each_in_one_partition_in_order(&reordered, 3));

        let mut missing = good;
        missing.remove(CUSTOMERS[2]);
        assert!(!each_in_one_partition_in_order(&missing, 3));
    }
}
