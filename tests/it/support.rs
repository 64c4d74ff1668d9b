//! Test support: a server on ephemeral ports, a real HTTP/1.1 client, and exchanges rendered
//! for snapshots (status, chosen headers, pretty body) with the runtime ids redacted.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use sandbank::clock::ClockMode;
use sandbank::{RunningServer, ServerConfig};
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// The Basiq key of the default scenario.
pub const BASIQ_KEY: &str = "c2FuZGJhbms6c2FuZGJveA==";
/// The Meld key of the default scenario.
pub const MELD_KEY: &str = "sk_sb_sandbank";
/// Where the test clock stands.
pub const FROZEN_AT: &str = "2026-01-15T09:00:00Z";

/// The instant the test clock stands at.
pub fn frozen_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(FROZEN_AT)
        .map(|d| d.with_timezone(&Utc))
        .expect("valid test instant")
}

/// Starts the embedded default scenario with a frozen clock and Basiq links on Basiq's own host.
pub async fn default_server() -> RunningServer {
    server(sandbank::scenario::DEFAULT_SCENARIO).await
}

/// Starts `scenario` (TOML text) with a frozen clock and Basiq links on Basiq's own host.
pub async fn server(scenario: &str) -> RunningServer {
    let scenario =
        sandbank::scenario::parse("test.toml", scenario).expect("test scenario is valid");
    let mut config = ServerConfig::ephemeral(scenario);
    config.engine.clock = Some(ClockMode::Frozen { at: frozen_at() });
    config.engine.basiq_public_url = Some("https://au-api.basiq.io".to_owned());
    // Snapshots hold the ids minted while serving.
    config.engine.reproducible_ids = true;
    sandbank::start(config).await.expect("server starts")
}

/// One request/response pair.
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Bytes,
}

impl Exchange {
    /// The body as JSON (panics with the body text when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} {}: body is not JSON ({e}): {:?}",
                self.method, self.path, self.body
            )
        })
    }

    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Rendered for a snapshot: request line, status, the headers a client relies on, body.
    pub fn render(&self) -> String {
        let mut out = format!("{} {}\n\nHTTP {}\n", self.method, self.path, self.status);
        for name in ["content-type", "meld-version", "x-request-id"] {
            if let Some(v) = self.headers.get(name) {
                let shown = if name == "x-request-id" {
                    "[request-id]"
                } else {
                    v.as_str()
                };
                out.push_str(&format!("{name}: {shown}\n"));
            }
        }
        out.push('\n');
        if !self.body.is_empty() {
            let mut value = self.json();
            redact(&mut value);
            out.push_str(&serde_json::to_string_pretty(&value).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

/// Replaces ids minted per request (tokens, correlation and request ids).
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match k.as_str() {
                    "correlationId" => *v = Value::String("[correlation-id]".into()),
                    "access_token" => *v = Value::String("[token]".into()),
                    "requestId" => *v = Value::String("[request-id]".into()),
                    _ => redact(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Sends one request over a fresh HTTP/1.1 connection.
pub async fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Exchange {
    let authority = base.trim_start_matches("http://");
    let stream = TcpStream::connect(authority).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", authority);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body)))
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Exchange {
        method: method.to_owned(),
        path: path.to_owned(),
        status,
        headers,
        body,
    }
}

/// A Meld API call with the default key and a JSON body (empty when `None`).
pub async fn meld_call(
    server: &RunningServer,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Exchange {
    let auth = format!("BASIC {MELD_KEY}");
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    send(
        server.meld_url(),
        method,
        path,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        text.as_bytes(),
    )
    .await
}

/// `GET` with headers.
pub async fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> Exchange {
    send(base, "GET", path, headers, b"").await
}

/// Mints a Basiq token with the default key; `form` is the body (e.g. `scope=SERVER_ACCESS`).
pub async fn basiq_token(server: &RunningServer, form: &str) -> String {
    let ex = send(
        server.basiq_url(),
        "POST",
        "/token",
        &[
            ("authorization", &format!("Basic {BASIQ_KEY}")),
            ("basiq-version", "3.0"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    )
    .await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    ex.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A server token for the default application.
pub async fn server_token(server: &RunningServer) -> String {
    basiq_token(server, "scope=SERVER_ACCESS").await
}

/// Snapshot of rendered exchanges, stored under the top-level `snapshots/`.
#[macro_export]
macro_rules! snap {
    ($name:expr, $value:expr) => {{
        let value = $value;
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, value));
    }};
}

/// Renders several exchanges one after another.
pub fn render_all(exchanges: &[Exchange]) -> String {
    exchanges
        .iter()
        .map(Exchange::render)
        .collect::<Vec<_>>()
        .join("\n----\n\n")
}

/// A Basiq session on a running server: a SERVER token and a CLIENT token for one user.
pub struct Basiq {
    pub server: sandbank::RunningServer,
    pub server_auth: String,
    pub client_auth: String,
}

impl Basiq {
    /// The default scenario, with a CLIENT token for its user `ea3a81`.
    pub async fn start() -> Basiq {
        Basiq::on(sandbank::scenario::DEFAULT_SCENARIO, "ea3a81").await
    }

    /// `scenario` (TOML text), with a CLIENT token for `user`.
    pub async fn on(scenario: &str, user: &str) -> Basiq {
        let server = server(scenario).await;
        let server_auth = format!("Bearer {}", server_token(&server).await);
        let client_auth = format!(
            "Bearer {}",
            basiq_token(&server, &format!("scope=CLIENT_ACCESS&userId={user}")).await
        );
        Basiq {
            server,
            server_auth,
            client_auth,
        }
    }

    /// A new SERVER token, for when the clock has moved past the first one's hour.
    pub async fn new_server_token(&mut self) {
        self.server_auth = format!("Bearer {}", server_token(&self.server).await);
    }

    pub async fn post(&self, auth: &str, path: &str, body: Value) -> Exchange {
        let headers = [
            ("authorization", auth),
            ("content-type", "application/json"),
        ];
        send(
            self.server.basiq_url(),
            "POST",
            path,
            &headers,
            body.to_string().as_bytes(),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Exchange {
        get(
            self.server.basiq_url(),
            path,
            &[("authorization", &self.server_auth)],
        )
        .await
    }

    /// Connects the default scenario's user `ea3a81`; the job id.
    pub async fn connect(&self, login: &str, password: &str, institution: &str) -> String {
        self.connect_user("ea3a81", login, password, institution)
            .await
    }

    /// Connects `user`; the job id.
    pub async fn connect_user(
        &self,
        user: &str,
        login: &str,
        password: &str,
        institution: &str,
    ) -> String {
        let body =
            json!({"loginId": login, "password": password, "institution": {"id": institution}});
        let ex = self
            .post(
                &self.server_auth,
                &format!("/users/{user}/connections"),
                body,
            )
            .await;
        assert_eq!(ex.status, 202, "{}", ex.render());
        ex.json()["id"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn job(&self, id: &str) -> Value {
        self.get(&format!("/jobs/{id}")).await.json()
    }

    pub fn advance(&self, seconds: i64) {
        self.server
            .engine()
            .clock()
            .advance(Duration::seconds(seconds));
    }

    pub async fn connection_of(&self, job: &str) -> Value {
        let source = self.job(job).await["links"]["source"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.get(&source.replace("https://au-api.basiq.io", ""))
            .await
            .json()
    }
}

/// The `id` of every item of a Basiq list body's `data`.
pub fn ids(body: &Value) -> Vec<String> {
    values(body, "id")
}

/// The string `key` of every item of a Basiq list body's `data`.
pub fn values(body: &Value, key: &str) -> Vec<String> {
    body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `entity.eventType` of every event of a `GET /events` body, in its order.
pub fn event_kinds(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    format!(
                        "{}.{}",
                        e["entity"].as_str().unwrap_or(""),
                        e["eventType"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn steps(job: &Value) -> Vec<(String, String)> {
    job["steps"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| {
                    (
                        s["title"].as_str().unwrap_or("").to_owned(),
                        s["status"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn statuses(job: &Value) -> Vec<String> {
    steps(job).into_iter().map(|(_, s)| s).collect()
}

/// A Basiq money string (`"-12.50"`) in cents.
pub fn cents(v: &Value) -> i64 {
    let text = v.as_str().unwrap_or_default();
    let (whole, frac) = text.split_once('.').unwrap_or((text, "00"));
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let whole: i64 = whole.trim_start_matches('-').parse().unwrap_or(0);
    sign * (whole * 100 + frac.parse::<i64>().unwrap_or(0))
}
