//! Starting and stopping sandbank: one listener per vendor, so each vendor keeps its own paths
//! and a client changes only its base URL.
//!
//! [`start`] binds both addresses (port 0 allowed) before it returns, so the URLs it reports
//! accept connections at once. The returned [`RunningServer`] stops both listeners gracefully
//! on [`RunningServer::shutdown`] or when dropped, together with the webhook delivery task.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::answer::{self, Answer, Quick};
use crate::conn::{ConnectionLimits, Deadline, HeadTimed, Phase};
use crate::drain::Drain;
use crate::engine::{Engine, EngineConfig};
use crate::scenario::Scenario;
use crate::unparsed::{Enveloped, Filler};
use crate::vendor::{Refusal, Vendor};

use crate::{admin, faults, gate, limits, vendors};

/// Where and what to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The scenario to load.
    pub scenario: Scenario,
    /// Basiq listener address.
    pub basiq_addr: SocketAddr,
    /// Meld listener address.
    pub meld_addr: SocketAddr,
    /// Engine settings (public URLs, clock).
    pub engine: EngineConfig,
    /// Timeouts and the connection cap of each listener.
    pub connections: ConnectionLimits,
}

impl ServerConfig {
    /// Both vendors on `127.0.0.1`, ports chosen by the OS.
    pub fn ephemeral(scenario: Scenario) -> ServerConfig {
        ServerConfig {
            scenario,
            basiq_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            meld_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            engine: EngineConfig::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

/// A server that is accepting connections.
#[must_use = "dropping a RunningServer stops it at once"]
pub struct RunningServer {
    basiq_url: String,
    meld_url: String,
    engine: Engine,
    /// Dropping or sending on this stops both accept loops.
    stop: watch::Sender<()>,
    tasks: Vec<JoinHandle<io::Result<()>>>,
}

impl RunningServer {
    /// `http://IP:PORT` of the Basiq listener.
    pub fn basiq_url(&self) -> &str {
        &self.basiq_url
    }

    /// `http://IP:PORT` of the Meld listener.
    pub fn meld_url(&self) -> &str {
        &self.meld_url
    }

    /// The engine, for driving the clock or inspecting state from an embedding program.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Stops accepting, lets in-flight requests finish, and waits for both listeners.
    pub async fn shutdown(mut self) -> io::Result<()> {
        let _ = self.stop.send(());
        for task in self.tasks.drain(..) {
            task.await.map_err(io::Error::other)??;
        }
        Ok(())
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_until(self, signal: impl Future<Output = ()>) -> io::Result<()> {
        signal.await;
        self.shutdown().await
    }
}

/// What one listener answers: the vendor's routes (with the body limit their extractors
/// apply) and the admin API. The listener's service passes vendor requests through the gate
/// ([`gate::serve`]) before this router.
pub fn app(engine: &Engine, vendor: &'static dyn Vendor) -> axum::Router {
    let routes = vendor.router(engine.clone());
    let routes = match limits::extractor_limit(engine) {
        Some(limit) => routes.layer(limit),
        None => routes,
    };
    routes.merge(admin::router(engine.clone()))
}

/// What a listener puts into the answers hyper writes for requests it cannot parse: the
/// vendor's error for that status, as a fault rule injecting it would send it.
pub fn unparsed_filler(engine: &Engine, vendor: &'static dyn Vendor) -> Filler {
    let engine = engine.clone();
    Arc::new(move |status| {
        let headers = axum::http::HeaderMap::new();
        let response = vendor.refusal(&engine, &headers, Refusal::Status(status));
        let (parts, body) = response.into_parts();
        (parts.headers, crate::http::ready_bytes(body))
    })
}

/// Binds both listeners and starts serving.
pub async fn start(config: ServerConfig) -> io::Result<RunningServer> {
    let engine = Engine::new(&config.scenario, config.engine);
    let basiq_listener = bind(config.basiq_addr).await?;
    let meld_listener = bind(config.meld_addr).await?;
    let basiq_url = format!("http://{}", basiq_listener.local_addr()?);
    let meld_url = format!("http://{}", meld_listener.local_addr()?);
    let (stop, stopped) = watch::channel(());
    let basiq_base = engine
        .config()
        .basiq_public_url
        .clone()
        .unwrap_or_else(|| basiq_url.clone());
    let bases = vec![
        (vendors::BASIQ.name(), basiq_base),
        (vendors::MELD.name(), meld_url.clone()),
    ];
    let delivery = crate::delivery::worker::run(engine.clone(), bases, stopped.clone());
    let tasks = vec![
        spawn(
            basiq_listener,
            (engine.clone(), vendors::BASIQ),
            unparsed_filler(&engine, vendors::BASIQ),
            config.connections,
            stopped.clone(),
        ),
        spawn(
            meld_listener,
            (engine.clone(), vendors::MELD),
            unparsed_filler(&engine, vendors::MELD),
            config.connections,
            stopped,
        ),
        tokio::spawn(async move {
            delivery.await;
            Ok(())
        }),
    ];
    Ok(RunningServer {
        basiq_url,
        meld_url,
        engine,
        stop,
        tasks,
    })
}

async fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}

/// Accept loop: one HTTP/1.1 connection task per client, at most `limits.max_connections` at
/// once (further clients wait in the listen backlog), all drained on shutdown.
fn spawn(
    listener: TcpListener,
    (engine, vendor): (Engine, &'static dyn Vendor),
    filler: Filler,
    limits: ConnectionLimits,
    mut stopped: watch::Receiver<()>,
) -> JoinHandle<io::Result<()>> {
    let router = app(&engine, vendor);
    tokio::spawn(async move {
        let drain = Arc::new(Drain::default());
        // Each connection holds a slot until it ends, so holding them all means all ended.
        let max = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
        let slots = Arc::new(Semaphore::new(max as usize));
        let mut http = http1::Builder::new();
        // Half-closed reading: hyper does not read ahead for the client's end of stream while a
        // request is in flight, so the read buffer the request's head points into is free to
        // be reused for the next request instead of being reallocated. The header timeout is
        // kept by the connection's stream ([`HeadTimed`]), with one timer per connection.
        http.half_close(true);
        loop {
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                _ = stopped.changed() => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    // Out of file descriptors and the like: keep serving the connections we have.
                    Err(_) => {
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                },
                // Resolves on an explicit stop or when the RunningServer is dropped.
                _ = stopped.changed() => break,
            };
            let phase = Arc::new(Phase::default());
            let service = Listener {
                engine: engine.clone(),
                vendor,
                router: router.clone(),
                peer,
                body_timeout: limits.body_timeout,
                phase: phase.clone(),
            }
            .service();
            let stream = HeadTimed::new(stream, limits.header_timeout, phase);
            let stream = Enveloped::new(stream, filler.clone());
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let connection = crate::drain::watch(drain.clone(), connection);
            tokio::spawn(async move {
                // A client that goes away mid-request (or too slowly) is its own business.
                let _ = connection.await;
                drop(slot);
            });
        }
        drop(listener);
        drain.stop();
        let _all_ended = slots.acquire_many(max).await;
        Ok(())
    })
}

/// The URI without the trailing slashes of its path (`/users/` → `/users`), when it has any:
/// both vendors' gateways answer a route written with one as the route itself.
fn without_trailing_slash(uri: &hyper::Uri) -> Option<hyper::Uri> {
    let path = uri.path();
    if path.len() <= 1 || !path.ends_with('/') {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    let rebuilt = match uri.query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    rebuilt.parse().ok()
}

/// What a listener's connections are served with.
#[derive(Clone)]
struct Listener {
    engine: Engine,
    vendor: &'static dyn Vendor,
    router: axum::Router,
    peer: SocketAddr,
    body_timeout: std::time::Duration,
    /// Told when a request is being served, for the connection's header timeout.
    phase: Arc<Phase>,
}

impl Listener {
    /// The router as a hyper service: vendor requests pass the gate on their way to it, admin
    /// calls learn who is calling (`ConnectInfo`, as the admin API admits loopback callers
    /// only), and each request body gets `body_timeout` to arrive (a late body reads as a
    /// broken one). A response a fault rule marked [`faults::DropConnection`] becomes an
    /// error, which makes hyper close the connection without answering.
    fn service(
        self,
    ) -> impl hyper::service::Service<
        hyper::Request<hyper::body::Incoming>,
        Response = Answer,
        Error = faults::Dropped,
        Future = Reply,
    > + Clone {
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            if let Some(uri) = without_trailing_slash(request.uri()) {
                *request.uri_mut() = uri;
            }
            let serving = Serving::begin(&self.phase);
            let admin = request.uri().path().starts_with("/__admin");
            let next = if admin {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(self.peer));
                Err(request)
            } else {
                match gate::enter(&self.engine, self.vendor, request) {
                    // Hot reads and refusals: answered before the call returns.
                    gate::Entry::Answered(response) => {
                        drop(serving);
                        return Reply::Ready(Some(response));
                    }
                    gate::Entry::Onward(onward) => Ok(onward),
                }
            };
            let router = self.router.clone();
            let engine = self.engine.clone();
            let vendor = self.vendor;
            let body_timeout = self.body_timeout;
            Reply::Later(Box::pin(async move {
                let _serving = serving;
                // The body is wrapped only for the router: a hot read never reads it. The
                // router's future is boxed so that the gate's futures, which hold room for
                // it, stay small to move.
                let route = |request: hyper::Request<hyper::body::Incoming>| {
                    Box::pin(async move {
                        let request = request
                            .map(|body| axum::body::Body::new(Deadline::new(body, body_timeout)));
                        match tower::ServiceExt::oneshot(router, request).await {
                            Ok(response) => response,
                            Err(never) => match never {},
                        }
                    })
                };
                let response = match next {
                    Ok(onward) => onward.finish(engine, vendor, route).await,
                    Err(admin) => answer::from_router(route(admin).await),
                };
                undropped(response)
            }))
        })
    }
}

/// `response`, or the error that closes the connection when a fault rule marked it
/// [`faults::DropConnection`].
fn undropped(response: Answer) -> Result<Answer, faults::Dropped> {
    if faults::drops(&response) {
        return Err(faults::Dropped);
    }
    Ok(response)
}

/// A connection's answer to one request: made during the call (hot reads, refusals at the
/// gate), or still being made (a boxed future, so the answer stays small to move).
enum Reply {
    Ready(Option<Quick>),
    Later(std::pin::Pin<Box<dyn Future<Output = Result<Answer, faults::Dropped>> + Send>>),
}

impl Future for Reply {
    type Output = Result<Answer, faults::Dropped>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            // Polled once: hyper stops polling an answer once it is ready.
            Reply::Ready(ready) => std::task::Poll::Ready(
                ready
                    .take()
                    .map_or(Err(faults::Dropped), |quick| undropped(quick.into_answer())),
            ),
            Reply::Later(later) => later.as_mut().poll(cx),
        }
    }
}

/// A request being served, for its connection's [`Phase`]: the connection waits for the next
/// head once this is dropped, whether the answer was made or the request abandoned.
struct Serving(Arc<Phase>);

impl Serving {
    fn begin(phase: &Arc<Phase>) -> Serving {
        phase.serving();
        Serving(phase.clone())
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.answered();
    }
}
