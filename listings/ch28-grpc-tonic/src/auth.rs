//! A shared token, checked on every call before the handler runs.

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// The metadata key (an HTTP/2 header) the token travels in.
const KEY: &str = "authorization";

fn bearer(token: &str) -> Result<MetadataValue<Ascii>, Status> {
    format!("Bearer {token}").parse().map_err(|_| {
        Status::invalid_argument("a token must be printable ASCII")
    })
}

// ANCHOR: require
/// The server side: a call without the right token is refused with
/// UNAUTHENTICATED before any handler code runs.
#[derive(Clone)]
pub struct RequireToken {
    expected: MetadataValue<Ascii>,
}

impl RequireToken {
    pub fn new(token: &str) -> Result<Self, Status> {
        Ok(Self {
            expected: bearer(token)?,
        })
    }
}

impl Interceptor for RequireToken {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        match request.metadata().get(KEY) {
            Some(token) if *token == self.expected => Ok(request),
            Some(_) => Err(Status::unauthenticated("wrong token")),
            None => Err(Status::unauthenticated("no token")),
        }
    }
}
// ANCHOR_END: require

// ANCHOR: attach
/// The client side: adds the token (if any) to every outgoing call.
#[derive(Clone)]
pub struct AttachToken {
    value: Option<MetadataValue<Ascii>>,
}

impl AttachToken {
    pub fn new(token: Option<&str>) -> Result<Self, Status> {
        Ok(Self {
            value: token.map(bearer).transpose()?,
        })
    }
}

impl Interceptor for AttachToken {
    fn call(
        &mut self,
        mut request: Request<()>,
    ) -> Result<Request<()>, Status> {
        if let Some(value) = &self.value {
            request.metadata_mut().insert(KEY, value.clone());
        }
        Ok(request)
    }
}
// ANCHOR_END: attach
