//! Draining a listener's connections when the server stops: each connection is asked to
//! finish the request it is serving and close (an idle one closes at once). A connection
//! checks one flag each time it wakes and leaves its waker with the listener only when that
//! waker changes, so serving a request costs next to nothing; stopping wakes every connection
//! so that each sees the flag.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Waker};

/// One listener's stop signal and the wakers of the connections that wait on it.
#[derive(Debug, Default)]
pub struct Drain {
    stopping: AtomicBool,
    waiting: Mutex<Waiting>,
}

#[derive(Debug, Default)]
struct Waiting {
    next: u64,
    wakers: HashMap<u64, Waker>,
}

impl Drain {
    /// Asks every connection watched by this drain to close once its request is answered.
    pub fn stop(&self) {
        let wakers = {
            let mut waiting = self.lock();
            self.stopping.store(true, Ordering::Release);
            std::mem::take(&mut waiting.wakers)
        };
        for waker in wakers.into_values() {
            waker.wake();
        }
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What a connection needs to be drained: a way to ask it to close once idle.
pub trait Closable: Future {
    /// Finish the request in flight, then close.
    fn close_when_idle(self: Pin<&mut Self>);
}

impl<I, S> Closable for hyper::server::conn::http1::Connection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S::ResBody: hyper::body::Body + 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn close_when_idle(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

/// Runs `connection` to its end, asking it to close once `drain` is stopped.
pub async fn watch<C: Closable>(drain: Arc<Drain>, connection: C) -> C::Output {
    let mut connection = std::pin::pin!(connection);
    let mut watcher = Watcher {
        drain,
        id: None,
        waker: None,
        asked: false,
    };
    std::future::poll_fn(|cx| {
        if watcher.should_close(cx) {
            connection.as_mut().close_when_idle();
        }
        connection.as_mut().poll(cx)
    })
    .await
}

/// One connection's registration with its drain.
struct Watcher {
    drain: Arc<Drain>,
    id: Option<u64>,
    waker: Option<Waker>,
    asked: bool,
}

impl Watcher {
    /// True the first time the connection is polled after the drain stopped.
    fn should_close(&mut self, cx: &mut Context<'_>) -> bool {
        if self.asked {
            return false;
        }
        if !self.drain.stopping.load(Ordering::Acquire) {
            if self.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                return false;
            }
            // A new waker: leave it with the drain, unless the drain stopped meanwhile (the
            // flag is set under the same lock the wakers are taken under).
            let mut waiting = self.drain.lock();
            if !self.drain.stopping.load(Ordering::Acquire) {
                let id = *self.id.get_or_insert_with(|| {
                    waiting.next += 1;
                    waiting.next
                });
                waiting.wakers.insert(id, cx.waker().clone());
                self.waker = Some(cx.waker().clone());
                return false;
            }
        }
        self.asked = true;
        true
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.drain.lock().wakers.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Poll;

    /// A connection stand-in that finishes once asked to close.
    struct Idle {
        asked: bool,
    }

    impl Future for Idle {
        type Output = &'static str;
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<&'static str> {
            if self.asked {
                Poll::Ready("closed")
            } else {
                Poll::Pending
            }
        }
    }

    impl Closable for Idle {
        fn close_when_idle(mut self: Pin<&mut Self>) {
            self.asked = true;
        }
    }

    #[tokio::test]
    async fn stopping_wakes_and_closes_every_watched_connection() {
        let drain = Arc::new(Drain::default());
        let tasks: Vec<_> = (0..3)
            .map(|_| tokio::spawn(watch(drain.clone(), Idle { asked: false })))
            .collect();
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(tasks.iter().all(|t| !t.is_finished()));
        assert_eq!(drain.lock().wakers.len(), 3);
        drain.stop();
        for task in tasks {
            let out = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
            assert_eq!(out.expect("woken").expect("task"), "closed");
        }
        // A connection that starts after the stop closes at once.
        assert_eq!(watch(drain, Idle { asked: false }).await, "closed");
    }
}
