//! Answers to requests that never reach a route. When a request head cannot be parsed — a
//! malformed request line or header (400), a URI over 65,534 bytes (414), a head over the
//! read buffer or with too many headers (431) — hyper answers by itself with an empty body
//! and closes the connection. [`Enveloped`] sits between hyper and the socket and puts the
//! listener's vendor envelope (and its headers) into exactly those answers, so a client sees
//! the same kind of error body there as everywhere else.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{HeaderMap, StatusCode};
use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What goes into an automatic answer with a given status: extra headers and the body.
pub type Filler = Arc<dyn Fn(StatusCode) -> (HeaderMap, Bytes) + Send + Sync>;

/// The statuses hyper answers by itself when a request head cannot be parsed.
const AUTOMATIC: [u16; 3] = [400, 414, 431];

/// The head hyper writes for an automatic answer ends with these lines (then its `date`).
const AUTOMATIC_MARK: &[u8] = b"\r\nconnection: close\r\ncontent-length: 0\r\n";

/// The status of `buf` when it is, whole, one of hyper's automatic answers.
fn automatic_status(buf: &[u8]) -> Option<StatusCode> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let code: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    if !AUTOMATIC.contains(&code) || !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head_only = memchr::memmem::find(buf, b"\r\n\r\n") == Some(buf.len() - 4);
    let marked = memchr::memmem::find(buf, AUTOMATIC_MARK).is_some();
    (head_only && marked)
        .then(|| StatusCode::from_u16(code).ok())
        .flatten()
}

/// `head` (one automatic answer) rewritten to carry `headers` and `body`.
fn fill(head: &[u8], headers: &HeaderMap, body: &[u8]) -> Bytes {
    let mark = memchr::memmem::find(head, AUTOMATIC_MARK).unwrap_or(0);
    let (start, end) = head.split_at(mark + AUTOMATIC_MARK.len());
    let start = &start[..start.len() - b"content-length: 0\r\n".len()];
    let mut out = BytesMut::with_capacity(head.len() + body.len() + 128);
    out.extend_from_slice(start);
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    out.extend_from_slice(end);
    out.extend_from_slice(body);
    out.freeze()
}

/// A connection whose automatic answers carry the vendor's envelope; everything else passes
/// through untouched.
pub struct Enveloped<IO> {
    io: IO,
    filler: Filler,
    /// A rewritten answer not yet fully written to `io`.
    pending: Bytes,
}

impl<IO> Enveloped<IO> {
    /// `io`, with automatic answers filled in by `filler`.
    pub fn new(io: IO, filler: Filler) -> Self {
        Enveloped {
            io,
            filler,
            pending: Bytes::new(),
        }
    }
}

impl<IO: AsyncWrite + Unpin> Enveloped<IO> {
    /// Writes what is pending; ready once nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            match Pin::new(&mut self.io).poll_write(cx, &self.pending) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    let _ = self.pending.split_to(n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` as written if it is an automatic answer, queuing its filled-in form.
    fn intercept(&mut self, buf: &[u8]) -> bool {
        let Some(status) = automatic_status(buf) else {
            return false;
        };
        let (headers, body) = (self.filler)(status);
        self.pending = fill(buf, &headers, &body);
        true
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Enveloped<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Enveloped<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Poll::Ready(Err(e)) = this.drain(cx) {
            return Poll::Ready(Err(e));
        }
        if !this.pending.is_empty() {
            return Poll::Pending;
        }
        if this.intercept(buf) {
            // Accepted whole; what replaces it goes out now or with the flush that follows.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next()) {
            return Pin::new(this).poll_write(cx, only);
        }
        if let Poll::Ready(Err(e)) = this.drain(cx) {
            return Poll::Ready(Err(e));
        }
        if !this.pending.is_empty() {
            return Poll::Pending;
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.io).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
        content-length: 0\r\ndate: Wed, 02 Dec 2026 16:14:47 GMT\r\n\r\n";

    #[test]
    fn only_hyper_s_own_empty_answers_are_recognised() {
        assert_eq!(
            automatic_status(HEAD),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        // A route's answer: a body follows, or it keeps the connection, or another status.
        let with_body = [HEAD, b"{}"].concat();
        assert_eq!(automatic_status(&with_body), None);
        assert_eq!(
            automatic_status(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        let ok =
            String::from_utf8_lossy(HEAD).replace("431 Request Header Fields Too Large", "200 OK");
        assert_eq!(automatic_status(ok.as_bytes()), None);
        assert_eq!(automatic_status(b"HTTP/1.1 4"), None);
    }

    #[test]
    fn the_filled_answer_keeps_hyper_s_head_and_counts_its_body() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().expect("value"));
        let filled = fill(HEAD, &headers, b"{\"a\":1}");
        assert_eq!(
            String::from_utf8_lossy(&filled),
            "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
             content-type: application/json\r\ncontent-length: 7\r\n\
             date: Wed, 02 Dec 2026 16:14:47 GMT\r\n\r\n{\"a\":1}"
        );
    }
}
