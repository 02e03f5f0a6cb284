//! REQ/REP: a client asks, a server answers, strictly in turn.

use std::thread;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::transport::{
    Rendezvous, Transport, bind, context_for, receive, send, socket,
};

/// How long a side waits for the other before it calls the other dead.
const PATIENCE: Duration = Duration::from_secs(5);

/// What one conversation showed.
#[derive(Debug)]
pub struct Conversation {
    /// The endpoint the server bound (with its real port for tcp).
    pub endpoint: String,
    /// Requests answered with the right square.
    pub answered: u64,
    /// What libzmq said to a second send before the first reply.
    pub second_send: String,
}

// ANCHOR: server
/// Answers each number with its square until `requests` have been served.
fn serve(server: &zmq::Socket, requests: u64) -> Result<()> {
    for _ in 0..requests {
        let request = receive(server, PATIENCE, "request")?;
        let n: u64 = request.parse().context("a request is a number")?;
        send(server, &(n * n).to_string(), "reply")?;
    }
    Ok(())
}
// ANCHOR_END: server

// ANCHOR: client
/// A server thread and a client exchange `requests` numbers and squares over
/// `transport`, then the client breaks the lockstep on purpose.
pub fn run(transport: Transport, requests: u64) -> Result<Conversation> {
    let context = context_for(transport)?;
    let rendezvous = Rendezvous::new(transport)?;
    let server = socket(&context, zmq::REP, PATIENCE)?;
    let endpoint = bind(&server, &rendezvous.address("squares"))?;
    // One more request than the loop below sends: the one the lockstep test
    // makes.
    let server = thread::spawn(move || serve(&server, requests + 1));

    let client = socket(&context, zmq::REQ, PATIENCE)?;
    client.connect(&endpoint)?;
    let mut answered = 0;
    for n in 1..=requests {
        send(&client, &n.to_string(), "request")?;
        let reply: u64 = receive(&client, PATIENCE, "reply")?.parse()?;
        if reply != n * n {
            bail!("asked for {n}², got {reply}");
        }
        answered += 1;
    }

    // A REQ socket must read the reply before it may ask again.
    send(&client, "7", "request")?;
    let second_send = match client.send("8", 0) {
        Err(zmq::Error::EFSM) => "refused with EFSM".to_string(),
        outcome => bail!("REQ let a second request through: {outcome:?}"),
    };
    let reply = receive(&client, PATIENCE, "reply")?;
    if reply != "49" {
        bail!("asked for 7², got {reply}");
    }
    server.join().expect("the server thread does not panic")?;
    Ok(Conversation {
        endpoint,
        answered,
        second_send,
    })
}
// ANCHOR_END: client
