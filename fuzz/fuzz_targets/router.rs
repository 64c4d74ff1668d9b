//! Both vendors' listeners in process: arbitrary method, path, query, headers and body, sent
//! to the same routers `sandbank serve` runs (gate, limits, faults, journal and admin API
//! included), on the default scenario with a frozen clock.
//!
//! Input layout: byte 0 picks the vendor (bit 0) and the method; then lines: the request
//! target, header lines (`name: value`) up to an empty line, and the body.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

struct Harness {
    runtime: tokio::runtime::Runtime,
    engine: sandbank::Engine,
    basiq: axum::Router,
    meld: axum::Router,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let scenario = sandbank::scenario::parse(
            sandbank::scenario::DEFAULT_SCENARIO_NAME,
            sandbank::scenario::DEFAULT_SCENARIO,
        )
        .expect("the default scenario is valid");
        let at = "2026-01-15T09:00:00Z".parse().expect("instant");
        let config = sandbank::EngineConfig {
            clock: Some(sandbank::clock::ClockMode::Frozen { at }),
            token_secret: Some(b"fuzzing key".to_vec()),
            ..sandbank::EngineConfig::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let engine = runtime.block_on(async { sandbank::Engine::new(&scenario, config) });
        Harness {
            basiq: sandbank::server::app(&engine, sandbank::vendors::BASIQ),
            meld: sandbank::server::app(&engine, sandbank::vendors::MELD),
            runtime,
            engine,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    let router = if first & 1 == 0 { &h.basiq } else { &h.meld };
    let method = METHODS[(first as usize >> 1) % METHODS.len()];
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let target = lines.next().unwrap_or("/");
    let mut request = Request::builder().method(method).uri(target);
    let mut consumed = target.len() + 1;
    for line in lines.by_ref() {
        consumed += line.len() + 1;
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            request = request.header(name.trim(), value.trim());
        }
    }
    let body = text.as_bytes().get(consumed..).unwrap_or_default().to_vec();
    let Ok(mut request) = request.body(Body::from(body)) else {
        return;
    };
    let peer: SocketAddr = ([127, 0, 0, 1], 40000).into();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let response = h
        .runtime
        .block_on(tower::ServiceExt::oneshot(router.clone(), request));
    let Ok(response) = response;
    let status = response.status().as_u16();
    // Whatever a request is, the answer is an HTTP answer, never a panic or a server error,
    // unless a fault rule (which the admin API can add) asks for one.
    let faults = !h.engine.faults().list().is_empty();
    assert!(status < 500 || faults, "{method} {target}: {status}");
});
