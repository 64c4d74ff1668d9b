//! What one client connection may cost: how long its request head may take to arrive (which is
//! also how long an idle keep-alive connection is kept), how long a request body may take, and
//! how many connections a listener serves at once. A client that trickles bytes or never
//! finishes holds a connection only until these run out, so slow clients cannot starve the
//! others.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// How long a request head (request line and headers) may take, counted from when the server
/// starts waiting for it: a new connection's first request, or the next one on a kept-alive
/// connection, which is closed when none comes in time.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request body may take to arrive in full.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections one listener serves at once; further clients wait to be accepted.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The bounds of one listener's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// See [`DEFAULT_HEADER_TIMEOUT`].
    pub header_timeout: Duration,
    /// See [`DEFAULT_BODY_TIMEOUT`].
    pub body_timeout: Duration,
    /// See [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The body read did not finish within the body timeout.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(Duration);

/// A request body that fails once its deadline passes. The timer is made only if the body is
/// read while data is still to come, so a request without a body costs one clock reading.
pub struct Deadline<B> {
    inner: B,
    limit: Duration,
    at: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<B> Deadline<B> {
    /// `inner`, which must arrive within `limit` from now.
    pub fn new(inner: B, limit: Duration) -> Self {
        Deadline {
            inner,
            limit,
            at: Instant::now() + limit,
            timer: None,
        }
    }
}

impl<B> Body for Deadline<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let at = this.at;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut(this.limit))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether a connection is between requests (waiting for a head) or serving one, shared by the
/// connection's service, which knows, and its [`HeadTimed`] stream, which enforces the header
/// timeout. An even count is "waiting for a head", an odd one "serving"; each flip is a new
/// phase, so the stream can tell one wait for a head from the next.
#[derive(Debug, Default)]
pub struct Phase(AtomicU32);

impl Phase {
    /// A request's head has arrived and its answer is being made.
    pub fn serving(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The answer is made; whatever the client sends next is the next request's head.
    pub fn answered(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn now(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A connection's stream that fails its reads once a request head has been awaited for longer
/// than the header timeout. The wait starts at the first read of a head phase that finds no
/// data, so the time an answer takes to write never counts. One timer serves the connection's
/// whole life: it is re-armed only when it fires early (a later head's deadline), not once
/// per request.
pub struct HeadTimed<IO> {
    io: IO,
    limit: Duration,
    phase: Arc<Phase>,
    /// The phase the deadline belongs to, and the deadline.
    waiting: Option<(u32, Instant)>,
    timer: Option<Pin<Box<Sleep>>>,
    /// The task the timer was last polled by, which it wakes when it fires.
    armed: Option<std::task::Waker>,
}

impl<IO> HeadTimed<IO> {
    /// `io`, whose request heads must arrive within `limit`, phases told by `phase`.
    pub fn new(io: IO, limit: Duration, phase: Arc<Phase>) -> Self {
        HeadTimed {
            io,
            limit,
            phase,
            waiting: None,
            timer: None,
            armed: None,
        }
    }

    /// `Pending` while the head may still come, an error once its time is up.
    fn wait(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let phase = self.phase.now();
        if phase % 2 == 1 {
            // Serving: a body read has the body timeout of its own.
            return Poll::Pending;
        }
        let deadline = match self.waiting {
            Some((of, deadline)) if of == phase => deadline,
            _ => {
                let deadline = Instant::now() + self.limit;
                self.waiting = Some((phase, deadline));
                deadline
            }
        };
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        let early = timer.deadline() > deadline;
        let armed = self.armed.as_ref().is_some_and(|w| w.will_wake(cx.waker()));
        if armed && !early && !timer.is_elapsed() {
            // The timer will wake this task no later than the deadline.
            return Poll::Pending;
        }
        if early || timer.is_elapsed() {
            if Instant::now() >= deadline {
                return timed_out(self.limit);
            }
            timer.as_mut().reset(deadline);
        }
        if timer.as_mut().poll(cx).is_ready() {
            return timed_out(self.limit);
        }
        self.armed = Some(cx.waker().clone());
        Poll::Pending
    }
}

fn timed_out(limit: Duration) -> Poll<std::io::Result<()>> {
    Poll::Ready(Err(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        HeadTimedOut(limit),
    )))
}

/// A request head did not arrive within the header timeout.
#[derive(Debug, thiserror::Error)]
#[error("no request head arrived within {0:?}")]
pub struct HeadTimedOut(Duration);

impl<IO: AsyncRead + Unpin> AsyncRead for HeadTimed<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => this.wait(cx),
            ready => ready,
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for HeadTimed<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
