//! The room: one task that owns the event counter and fans every event out to
//! all watchers.

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

/// One event as every watcher receives it, a JSON text frame on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Numbered by the room, from 1 and without gaps: watchers can check that
    /// none is missing.
    pub seq: u64,
    pub from: String,
    pub text: String,
}

/// What the room answers to a publisher.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    pub seq: u64,
    /// How many watchers the event was handed to.
    pub receivers: usize,
}

struct Publish {
    from: String,
    text: String,
    reply: oneshot::Sender<Published>,
}

/// A cheap handle to the room, cloned into every request handler and connection
/// task.
#[derive(Clone)]
pub struct Room {
    inbox: mpsc::Sender<Publish>,
    fanout: broadcast::Sender<Event>,
}

// ANCHOR: room
impl Room {
    /// Starts the room's task. `backlog` events may wait for the slowest
    /// watcher before it falls behind. The task ends, returning how many events
    /// it published, once every `Room` handle is gone.
    pub fn start(backlog: usize) -> (Room, JoinHandle<u64>) {
        let (inbox, mut requests) = mpsc::channel::<Publish>(64);
        let (fanout, _) = broadcast::channel(backlog);
        let room = Room {
            inbox,
            fanout: fanout.clone(),
        };
        let task = tokio::spawn(async move {
            // The room's state lives in this task alone, so no lock guards it:
            // every publication is handled here, one at a time, in the order it
            // arrived.
            let mut seq = 0;
            while let Some(Publish { from, text, reply }) =
                requests.recv().await
            {
                seq += 1;
                // `send` fails only when nobody watches; the event is then
                // simply unseen.
                let receivers =
                    fanout.send(Event { seq, from, text }).unwrap_or(0);
                // The publisher may have given up waiting; that is its choice.
                let _ = reply.send(Published { seq, receivers });
            }
            seq
        });
        (room, task)
    }

    /// Numbers an event and hands it to every current watcher.
    pub async fn publish(
        &self,
        from: String,
        text: String,
    ) -> Option<Published> {
        let (reply, answer) = oneshot::channel();
        self.inbox.send(Publish { from, text, reply }).await.ok()?;
        answer.await.ok()
    }

    /// A new watcher's queue: it receives every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.fanout.subscribe()
    }

    /// How many watchers are subscribed right now.
    pub fn watchers(&self) -> usize {
        self.fanout.receiver_count()
    }
}
// ANCHOR_END: room
