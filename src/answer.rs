//! What the vendor listeners answer with: a response whose body is the bytes of a hot read held
//! as they are, or any other body the router made. Bytes in hand need no boxing, so a hot
//! read's answer costs no allocation of its own; [`into_router`] turns an answer back into the
//! router's type. An answer made while a request is handed over travels the gate's layers as a
//! [`Quick`], which is cheap to move, and becomes a response when it is written.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{Response, StatusCode};
use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// A vendor listener's response body.
#[derive(Debug)]
pub enum Body {
    /// Whole, in hand (empty once written).
    Bytes(Bytes),
    /// Made by the router.
    Other(axum::body::Body),
}

/// A vendor listener's response.
pub type Answer = Response<Body>;

/// A JSON response whose body is in hand.
pub fn json(status: StatusCode, body: Bytes) -> Answer {
    let mut response = Response::new(Body::Bytes(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, crate::http::JSON);
    response
}

/// An answer made while a request is handed over (a hot read, a refusal at the gate), moved
/// through the gate's layers before it is written. A response is some 150 bytes, copied at
/// each move; this is a JSON body in hand with its status, or any other response, boxed.
#[derive(Debug)]
pub enum Quick {
    /// `Content-Type: application/json` and these bytes, with this status.
    Json(StatusCode, Bytes),
    /// Any other response.
    Made(Box<Answer>),
}

impl Quick {
    /// Its status.
    pub fn status(&self) -> StatusCode {
        match self {
            Quick::Json(status, _) => *status,
            Quick::Made(response) => response.status(),
        }
    }

    /// Whether it closes the connection instead of answering ([`crate::faults::drops`]).
    pub fn drops(&self) -> bool {
        match self {
            Quick::Json(..) => false,
            Quick::Made(response) => crate::faults::drops(response),
        }
    }

    /// The response it stands for.
    pub fn into_answer(self) -> Answer {
        match self {
            Quick::Json(status, body) => json(status, body),
            Quick::Made(response) => *response,
        }
    }
}

impl From<Answer> for Quick {
    fn from(response: Answer) -> Quick {
        Quick::Made(Box::new(response))
    }
}

/// A router's response as a listener's.
pub fn from_router(response: axum::response::Response) -> Answer {
    response.map(Body::Other)
}

/// A listener's response as the router's type (for a route sharing a hot read's answer).
pub fn into_router(response: Answer) -> axum::response::Response {
    response.map(|body| match body {
        Body::Bytes(bytes) => axum::body::Body::from(bytes),
        Body::Other(body) => body,
    })
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.get_mut() {
            Body::Bytes(bytes) if bytes.is_empty() => Poll::Ready(None),
            Body::Bytes(bytes) => Poll::Ready(Some(Ok(Frame::data(std::mem::take(bytes))))),
            Body::Other(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Bytes(bytes) => bytes.is_empty(),
            Body::Other(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Bytes(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Body::Other(body) => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn bytes_in_hand_are_written_once_with_their_length() {
        let body = Body::Bytes(Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(7));
        let collected = body.collect().await.map(|c| c.to_bytes());
        assert_eq!(collected.ok().as_deref(), Some(&b"{\"a\":1}"[..]));
        let empty = Body::Bytes(Bytes::new());
        assert!(http_body::Body::is_end_stream(&empty));
    }

    /// Asserts `response` is a JSON answer with this status and body.
    async fn assert_json(response: Answer, status: StatusCode, body: &[u8]) {
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let collected = response.into_body().collect().await.map(|c| c.to_bytes());
        assert_eq!(collected.ok().as_deref(), Some(body));
    }

    #[tokio::test]
    async fn a_response_goes_to_the_router_type_and_back_unchanged() {
        let response = json(StatusCode::OK, Bytes::from_static(b"[]"));
        assert_json(from_router(into_router(response)), StatusCode::OK, b"[]").await;
    }

    #[tokio::test]
    async fn a_quick_answer_is_the_response_it_stands_for() {
        let quick = Quick::Json(StatusCode::CREATED, Bytes::from_static(b"{}"));
        assert_eq!(quick.status(), StatusCode::CREATED);
        assert!(!quick.drops());
        assert_json(quick.into_answer(), StatusCode::CREATED, b"{}").await;

        let mut dropped = json(StatusCode::OK, Bytes::new());
        dropped
            .extensions_mut()
            .insert(crate::faults::DropConnection);
        let made = Quick::from(dropped);
        assert_eq!(made.status(), StatusCode::OK);
        assert!(made.drops());
        assert!(crate::faults::drops(&made.into_answer()));
    }
}
