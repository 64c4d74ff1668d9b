//! Benchmark baseline: a bare hyper HTTP/1.1 server that answers every request with the same
//! bytes and `Content-Type: application/json`, on the same tokio runtime flavour as sandbank.
//! It is the upper bound sandbank's ratio is measured against (see `bench/run.sh`).
//!
//! Usage: `baseline <ADDR> <BODY_FILE>`; prints `baseline listening on http://IP:PORT`.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let body = Bytes::from(std::fs::read(
        args.next().unwrap_or_else(|| "body.json".into()),
    )?);
    let listener = TcpListener::bind(addr).await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let body = body.clone();
        tokio::spawn(async move {
            let service = service_fn(move |_req: Request<Incoming>| {
                let body = body.clone();
                async move {
                    let mut response = Response::new(http_body_util::Full::new(body));
                    response.headers_mut().insert(
                        "content-type",
                        hyper::header::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
