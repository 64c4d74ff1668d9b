//! The delivery task: every few milliseconds it settles the world at the server time, takes the
//! deliveries that are due and sends each from its own task, so a slow receiver holds up only
//! its own deliveries and never a request.

use std::panic::AssertUnwindSafe;
use std::time::Duration as StdDuration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::{Outcome, Send, TIMEOUT_SECONDS};
use crate::engine::Engine;

/// Most bytes of a receiver's answer read before the connection is dropped.
pub const RESPONSE_LIMIT: usize = 64 * 1024;

/// How often the task looks for due deliveries.
const TICK: StdDuration = StdDuration::from_millis(20);

/// Runs until `stopped` fires. `bases` holds each vendor's public URL (payload links start
/// with it).
pub async fn run(
    engine: Engine,
    bases: Vec<(&'static str, String)>,
    mut stopped: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(TICK) => {}
        }
        for world in engine.worlds() {
            // A panic while settling one world must not end deliveries for every world for the
            // rest of the process: that world's tick is skipped and tried again on the next one
            // (the world's lock recovers from the poisoning, and the panic is printed).
            let tick = std::panic::catch_unwind(AssertUnwindSafe(|| {
                engine.in_world(world.clone(), || {
                    engine.with_world_at(|w, now| super::due(w, now, &bases))
                })
            }));
            let Ok(due) = tick else { continue };
            for send in due {
                let (engine, world) = (engine.clone(), world.clone());
                tokio::spawn(async move {
                    let outcome = attempt(&send, engine.config().webhook_allow.as_deref()).await;
                    engine.in_world(world, || {
                        engine.with_world_at(|w, now| super::finish(w, &send.id, outcome, now))
                    });
                });
            }
        }
    }
}

/// One HTTP/1.1 POST with the vendor's headers, to a receiver the allow-list admits.
async fn attempt(send: &Send, allow: Option<&[String]>) -> Outcome {
    let limit = StdDuration::from_secs(TIMEOUT_SECONDS);
    match tokio::time::timeout(limit, post(send, allow)).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::Timeout,
    }
}

async fn post(send: &Send, allow: Option<&[String]>) -> Outcome {
    let Ok(uri) = send.url.parse::<Uri>() else {
        return Outcome::CouldNotConnect;
    };
    if uri.scheme_str() != Some("http") {
        // Receivers are local test servers; TLS is out of scope.
        return Outcome::CouldNotConnect;
    }
    let (Some(host), port) = (uri.host(), uri.port_u16().unwrap_or(80)) else {
        return Outcome::CouldNotConnect;
    };
    if !super::allowed(allow, host, port) {
        return Outcome::NotAllowed;
    }
    let Ok(stream) = TcpStream::connect((host.trim_matches(['[', ']']), port)).await else {
        return Outcome::CouldNotConnect;
    };
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        return Outcome::CouldNotConnect;
    };
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let authority = uri.authority().map_or(host, |a| a.as_str());
    let mut request = Request::post(path).header("host", authority);
    for (name, value) in &send.headers {
        request = request.header(*name, value);
    }
    let Ok(request) = request.body(Full::new(send.body.clone())) else {
        return Outcome::CouldNotConnect;
    };
    match sender.send_request(request).await {
        Ok(response) => {
            let status = response.status();
            // Read the body so the receiver's answer is complete; its content is not kept, and
            // no more than RESPONSE_LIMIT bytes of it are read.
            let _: Option<Bytes> = Limited::new(response.into_body(), RESPONSE_LIMIT)
                .collect()
                .await
                .ok()
                .map(|b| b.to_bytes());
            Outcome::Answered(
                status.as_u16(),
                status.canonical_reason().unwrap_or("").to_owned(),
            )
        }
        Err(_) => Outcome::CouldNotConnect,
    }
}
