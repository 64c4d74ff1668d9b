//! Soak: a long run of mixed requests over both vendors against a running sandbank, checking
//! every answer's status and envelope and sampling the server's resident memory.
//!
//! Usage: `soak <BASIQ_URL> <MELD_URL> <SERVER_PID> [REQUESTS] [CONNECTIONS]` (defaults
//! 1,000,000 and 8). The mix reads (users, connections, accounts, filtered and paged
//! transactions, Meld lists with keys), mints tokens, creates and deletes Basiq users and Meld
//! customers, and sends requests the vendors refuse (unknown ids, bad limits, missing auth),
//! each with the status and envelope the vendor answers with. Prints the requests sent, every
//! unexpected answer (the first few in full), and RSS at start, middle and end; exits non-zero
//! when any answer was unexpected.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

const BASIQ_KEY: &str = "Basic c2FuZGJhbms6c2FuZGJveA==";
const MELD_KEY: &str = "BASIC sk_sb_sandbank";

/// Which envelope an answer must have.
#[derive(Clone, Copy)]
enum Shape {
    /// Basiq: an object with `type` (a resource, a list, or the error list).
    Basiq,
    /// Meld: an object; errors carry `code`, `message` and `requestId`.
    Meld,
    /// A JSON object (Basiq's token answer).
    Object,
    /// No body (204).
    Empty,
}

struct Totals {
    sent: AtomicU64,
    unexpected: AtomicU64,
}

/// One connection to one listener.
struct Client {
    sender: SendRequest<Full<Bytes>>,
    authority: String,
}

impl Client {
    async fn connect(base: &str) -> Client {
        let authority = base.trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&authority).await.expect("connect");
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        Client { sender, authority }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Option<(u16, Bytes)> {
        self.sender.ready().await.ok()?;
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.authority);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .ok()?;
        let response = self.sender.send_request(request).await.ok()?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.ok()?.to_bytes();
        Some((status, body))
    }
}

/// Checks one answer; records and shows it when it is not what the vendor sends.
fn check(
    totals: &Totals,
    what: &str,
    got: Option<&(u16, Bytes)>,
    want: u16,
    shape: Shape,
) -> Option<Value> {
    totals.sent.fetch_add(1, Ordering::Relaxed);
    let fine = got.and_then(|(status, body)| {
        if *status != want {
            return None;
        }
        match shape {
            Shape::Empty => body.is_empty().then_some(Value::Null),
            Shape::Object => serde_json::from_slice::<Value>(body)
                .ok()
                .filter(Value::is_object),
            Shape::Basiq => serde_json::from_slice::<Value>(body)
                .ok()
                .filter(|v| v["type"].is_string()),
            Shape::Meld => serde_json::from_slice::<Value>(body)
                .ok()
                .filter(|v| v.is_object() && (want < 400 || v["requestId"].is_string())),
        }
    });
    if fine.is_none() {
        let n = totals.unexpected.fetch_add(1, Ordering::Relaxed);
        if n < 10 {
            let shown = got.map(|(s, b)| format!("{s} {}", String::from_utf8_lossy(b)));
            eprintln!("unexpected answer to {what} (wanted {want}): {shown:?}");
        }
    }
    fine
}

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn token(basiq: &mut Client, totals: &Totals) -> String {
    let got = basiq
        .send(
            "POST",
            "/token",
            &[
                ("authorization", BASIQ_KEY),
                ("basiq-version", "3.0"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "scope=SERVER_ACCESS",
        )
        .await;
    let body = check(totals, "POST /token", got.as_ref(), 200, Shape::Object);
    let token = body
        .and_then(|b| b["access_token"].as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("Bearer {token}")
}

/// One round of the mix on one pair of connections.
async fn round(basiq: &mut Client, meld: &mut Client, auth: &str, n: u64, totals: &Totals) {
    let a = [("authorization", auth)];
    let json = [
        ("authorization", auth),
        ("content-type", "application/json"),
    ];
    let m = [("authorization", MELD_KEY)];
    let mjson = [
        ("authorization", MELD_KEY),
        ("content-type", "application/json"),
    ];
    let reads: [(&str, u16); 6] = [
        ("/users/ea3a81", 200),
        ("/users/ea3a81/connections/8fce3b", 200),
        ("/users/ea3a81/accounts", 200),
        (
            "/users/ea3a81/transactions?filter=transaction.status.eq('posted')&limit=5",
            200,
        ),
        ("/users/nobody", 404),
        ("/users/ea3a81/transactions?limit=501", 400),
    ];
    for (path, want) in reads {
        let got = basiq.send("GET", path, &a, "").await;
        check(totals, path, got.as_ref(), want, Shape::Basiq);
    }
    let got = basiq.send("GET", "/users/ea3a81", &[], "").await;
    check(
        totals,
        "GET /users/ea3a81 (no token)",
        got.as_ref(),
        403,
        Shape::Basiq,
    );
    // Paging: the second page of a small first page.
    let got = basiq
        .send("GET", "/users/ea3a81/transactions?limit=2", &a, "")
        .await;
    let page = check(
        totals,
        "transactions page 1",
        got.as_ref(),
        200,
        Shape::Basiq,
    );
    if let Some(next) = page.as_ref().and_then(|p| p["links"]["next"].as_str()) {
        let path = &next[next.find("/users/").unwrap_or(0)..];
        let got = basiq.send("GET", path, &a, "").await;
        check(
            totals,
            "transactions page 2",
            got.as_ref(),
            200,
            Shape::Basiq,
        );
    }
    // A user created and deleted.
    let email = format!("{{\"email\": \"soak{n}@example.com\"}}");
    let got = basiq.send("POST", "/users", &json, &email).await;
    let user = check(totals, "POST /users", got.as_ref(), 201, Shape::Basiq);
    if let Some(id) = user.as_ref().and_then(|u| u["id"].as_str()) {
        let path = format!("/users/{id}");
        let got = basiq.send("DELETE", &path, &a, "").await;
        check(
            totals,
            "DELETE /users/{id}",
            got.as_ref(),
            204,
            Shape::Empty,
        );
    }

    let meld_reads: [(&str, u16); 5] = [
        ("/bank-linking/connections?limit=2", 200),
        ("/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o", 200),
        ("/institutions?limit=5", 200),
        ("/bank-linking/connections/nope", 404),
        ("/bank-linking/connections?limit=0", 400),
    ];
    for (path, want) in meld_reads {
        let got = meld.send("GET", path, &m, "").await;
        check(totals, path, got.as_ref(), want, Shape::Meld);
    }
    let got = meld.send("GET", "/bank-linking/connections", &[], "").await;
    check(totals, "Meld list (no key)", got.as_ref(), 401, Shape::Meld);
    // Key paging: the page after the first item.
    let got = meld
        .send("GET", "/bank-linking/connections?limit=1", &m, "")
        .await;
    let page = check(totals, "Meld page 1", got.as_ref(), 200, Shape::Meld);
    if let Some(key) = page
        .as_ref()
        .and_then(|p| p["connections"][0]["key"].as_str())
    {
        let path = format!("/bank-linking/connections?limit=1&after={key}");
        let got = meld.send("GET", &path, &m, "").await;
        check(totals, "Meld page 2", got.as_ref(), 200, Shape::Meld);
    }
    // A customer created and deleted.
    let body = format!("{{\"externalId\": \"soak-{n}\"}}");
    let got = meld
        .send("POST", "/accounts/customers", &mjson, &body)
        .await;
    let customer = check(totals, "POST customer", got.as_ref(), 201, Shape::Meld);
    if let Some(id) = customer.as_ref().and_then(|c| c["id"].as_str()) {
        let path = format!("/accounts/customers/{id}");
        let got = meld.send("DELETE", &path, &m, "").await;
        check(totals, "DELETE customer", got.as_ref(), 200, Shape::Meld);
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(basiq_url), Some(meld_url), Some(pid)) = (args.first(), args.get(1), args.get(2))
    else {
        eprintln!("usage: soak <BASIQ_URL> <MELD_URL> <SERVER_PID> [REQUESTS] [CONNECTIONS]");
        std::process::exit(2);
    };
    let requests: u64 = args
        .get(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let connections: u64 = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(8);
    let totals = Arc::new(Totals {
        sent: AtomicU64::new(0),
        unexpected: AtomicU64::new(0),
    });
    let started = Instant::now();
    let rss_start = rss_kib(pid);
    let rss_middle = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (basiq_url, meld_url, pid) = (basiq_url.clone(), meld_url.clone(), pid.clone());
        let (totals, rss_middle) = (totals.clone(), rss_middle.clone());
        tasks.push(tokio::spawn(async move {
            let mut basiq = Client::connect(&basiq_url).await;
            let mut meld = Client::connect(&meld_url).await;
            let mut auth = token(&mut basiq, &totals).await;
            let mut n = c;
            while totals.sent.load(Ordering::Relaxed) < requests {
                if n % 500 == c {
                    auth = token(&mut basiq, &totals).await;
                }
                round(&mut basiq, &mut meld, &auth, n, &totals).await;
                if totals.sent.load(Ordering::Relaxed) >= requests / 2 {
                    let _ = rss_middle.compare_exchange(
                        0,
                        rss_kib(&pid),
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                }
                n += connections;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let sent = totals.sent.load(Ordering::Relaxed);
    let unexpected = totals.unexpected.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "requests: {sent} in {seconds:.1} s ({:.0} req/s) over {connections} connection pairs",
        sent as f64 / seconds
    );
    println!("unexpected answers: {unexpected}");
    println!(
        "server RSS: start {} MiB, middle {} MiB, end {} MiB",
        rss_start / 1024,
        rss_middle.load(Ordering::Relaxed) / 1024,
        rss_kib(pid) / 1024
    );
    if unexpected > 0 {
        std::process::exit(1);
    }
}
