//! The hosted-page stand-ins — Meld's connect widget and Basiq's Consent UI — clicked through by
//! a real headless Chromium driven over the WebDriver protocol (ChromeDriver from Debian's
//! `chromium-driver`).
//!
//! They need Chromium and ChromeDriver, so a plain `cargo test` reports them as ignored;
//! `cargo test -- --include-ignored` (what `.ci/run` runs, after installing both) runs them, and
//! then a missing browser fails them.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use serde_json::{Value, json};

use crate::support::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The W3C WebDriver key under which an element reference comes back.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A ChromeDriver process and one browser session; both end on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    profile: PathBuf,
}

impl Browser {
    /// Starts ChromeDriver and a headless session.
    async fn start() -> Browser {
        let present =
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
        assert!(
            present,
            "{CHROMEDRIVER} and {CHROMIUM} are required (apt-get install chromium chromium-driver)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                let ready = get(&base, "/status", &[]).await;
                if ready.status == 200 && ready.json()["value"]["ready"] == true {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("sandbank-chromium-{port}"));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            profile,
        };
        let created = browser.command("POST", "/session", capabilities).await;
        browser.session = created["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_owned();
        browser
    }

    async fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let ex = send(
            &self.base,
            method,
            path,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await;
        let value = ex.json()["value"].clone();
        assert_eq!(ex.status, 200, "WebDriver {method} {path}: {value}");
        value
    }

    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    async fn goto(&self, url: &str) {
        self.command("POST", &self.path("/url"), json!({ "url": url }))
            .await;
    }

    /// The element matching `css`, waiting up to five seconds for it to appear.
    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let ex = send(
                &self.base,
                "POST",
                &self.path("/element"),
                &[("content-type", "application/json")],
                json!({ "using": "css selector", "value": css })
                    .to_string()
                    .as_bytes(),
            )
            .await;
            if ex.status == 200 {
                return ex.json()["value"][ELEMENT]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
            }
            assert!(Instant::now() < deadline, "no element matches {css}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            "POST",
            &self.path(&format!("/element/{element}/click")),
            json!({}),
        )
        .await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command(
            "POST",
            &self.path(&format!("/element/{element}/clear")),
            json!({}),
        )
        .await;
        self.command(
            "POST",
            &self.path(&format!("/element/{element}/value")),
            json!({ "text": text }),
        )
        .await;
    }

    /// The text of the element matching `css`; when the page reloads between finding the element
    /// and reading it, it is found again (for up to five seconds).
    async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let element = self.find(css).await;
            let ex = send(
                &self.base,
                "GET",
                &self.path(&format!("/element/{element}/text")),
                &[],
                b"",
            )
            .await;
            if ex.status == 200 {
                return ex.json()["value"].as_str().unwrap_or_default().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "{css} stays stale: {}",
                ex.render()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to five seconds for the element matching `css` to read `expected` (pages that
    /// refresh themselves get there on their own).
    async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = self.text(css).await;
            if text == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} reads {text:?}, not {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn sign_in(&self, user: &str, password: &str) {
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click("#submit").await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

async fn meld_post(server: &sandbank::RunningServer, path: &str, body: Value) -> Value {
    let auth = format!("BASIC {MELD_KEY}");
    let ex = send(
        server.meld_url(),
        "POST",
        path,
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(ex.status, 201, "{}", ex.render());
    ex.json()
}

async fn status_of(server: &sandbank::RunningServer, id: &str) -> String {
    let auth = format!("BASIC {MELD_KEY}");
    let ex = get(
        server.meld_url(),
        &format!("/bank-linking/connections/{id}"),
        &[("authorization", auth.as_str())],
    )
    .await;
    ex.json()["status"].as_str().unwrap_or_default().to_owned()
}

/// Connect through the picker (a wrong password first), then repair the default scenario's
/// broken connection straight from its credentials form.
#[tokio::test]
#[ignore = "drives headless Chromium; run with `cargo test -- --include-ignored`"]
async fn widget_in_a_real_browser() {
    let browser = Browser::start().await;
    let server = default_server().await;

    let started = meld_post(
        &server,
        "/bank-linking/connect/start",
        json!({ "externalCustomerId": "browser-user", "products": ["BALANCES", "TRANSACTIONS"] }),
    )
    .await;
    let id = started["id"].as_str().unwrap_or_default().to_owned();
    browser
        .goto(started["widgetUrl"].as_str().unwrap_or_default())
        .await;
    browser.wait_for_text("h1", "Select your bank").await;
    browser.click("#institution-WQ7mPh3yLsXbRt9cKdNe2A").await;
    browser.wait_for_text("h1", "Platypus Bank").await;
    browser.sign_in("user_good", "wrong").await;
    assert_eq!(
        browser.text("#error").await,
        "The credentials you entered were incorrect. Please try again."
    );
    assert_eq!(status_of(&server, &id).await, "IN_PROGRESS");
    browser.sign_in("user_good", "pass_good").await;
    assert_eq!(browser.text("#result").await, "Connected to Platypus Bank.");
    assert_eq!(status_of(&server, &id).await, "ACTIVE");

    let repair = meld_post(
        &server,
        "/bank-linking/connect/repair",
        json!({ "connectionId": "WQ6RcQ8hZb2kPm4nTx7vYs" }),
    )
    .await;
    browser
        .goto(repair["widgetUrl"].as_str().unwrap_or_default())
        .await;
    browser.wait_for_text("h1", "Finbank Profiles - A").await;
    browser.sign_in("demo", "go").await;
    assert_eq!(
        browser.text("#result").await,
        "Connected to Finbank Profiles - A."
    );
    assert_eq!(status_of(&server, "WQ6RcQ8hZb2kPm4nTx7vYs").await, "ACTIVE");
    browser
        .command("DELETE", &browser.path(""), json!({}))
        .await;
}

/// The application's redirect target in the Consent UI test: a page that records the query
/// string each visit arrived with.
async fn landing() -> (String, Arc<Mutex<Vec<String>>>) {
    let visits = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route(
            "/done",
            axum::routing::get(
                |State(visits): State<Arc<Mutex<Vec<String>>>>, RawQuery(q): RawQuery| async move {
                    if let Ok(mut v) = visits.lock() {
                        v.push(q.unwrap_or_default());
                    }
                    Html("<!doctype html><title>app</title><h1>Back at the application</h1>")
                },
            ),
        )
        .with_state(visits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("landing binds");
    let addr = listener.local_addr().expect("landing address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/done"), visits)
}

async fn basiq_call(server: &sandbank::RunningServer, method: &str, path: &str) -> Exchange {
    let token = server_token(server).await;
    let auth = format!("Bearer {token}");
    send(
        server.basiq_url(),
        method,
        path,
        &[
            ("authorization", auth.as_str()),
            ("accept", "application/json"),
        ],
        b"",
    )
    .await
}

async fn advance(server: &sandbank::RunningServer, seconds: i64) {
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(seconds));
}

/// The query the application's page was last reached with, waiting for it.
async fn landed(visits: &Arc<Mutex<Vec<String>>>, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(q) = visits.lock().ok().and_then(|v| v.get(n - 1).cloned()) {
            return q;
        }
        assert!(Instant::now() < deadline, "the application was not reached");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The job the Consent UI reported, once the server clock let it finish: every step succeeded.
async fn finished_job(server: &sandbank::RunningServer, query: &str) -> Value {
    let job = query
        .split('&')
        .find_map(|p| p.strip_prefix("jobIds="))
        .unwrap_or_default()
        .to_owned();
    advance(server, 30).await;
    let ex = basiq_call(server, "GET", &format!("/jobs/{job}")).await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    let body = ex.json();
    let steps: Vec<(String, String)> = body["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["title"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        steps.iter().all(|(_, status)| status == "success"),
        "{steps:?}"
    );
    body
}

/// The institution of the connection a job worked on (its `links.source`).
async fn institution_of(server: &sandbank::RunningServer, job: &Value) -> String {
    let source = job["links"]["source"].as_str().unwrap_or_default();
    let path = source.trim_start_matches("https://au-api.basiq.io");
    let ex = basiq_call(server, "GET", path).await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    ex.json()["institution"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Basiq's Consent UI stand-in, clicked through: gavinBelson at Hooli Bank from an auth link's
/// public URL (consent, picker, credentials), then jared at Pied Piper Bank from a CLIENT_ACCESS
/// token with the bank preselected, answering the SMS code wrongly and then rightly. Each ends
/// at the application's redirect URL with the job id and state, and the API sees the
/// connections and their jobs.
#[tokio::test]
#[ignore = "drives headless Chromium; run with `cargo test -- --include-ignored`"]
async fn consent_ui_in_a_real_browser() {
    let browser = Browser::start().await;
    let (redirect, visits) = landing().await;
    let server = server(&format!(
        "[basiq]\napiKeys = [\"{BASIQ_KEY}\"]\nredirectUrl = \"{redirect}\"\n\
         [[basiq.users]]\nid = \"u1\"\nmobile = \"+61410888999\"\n"
    ))
    .await;

    // 1. From an auth link, through the picker.
    let link = basiq_call(&server, "POST", "/users/u1/auth_link").await;
    assert_eq!(link.status, 201, "{}", link.render());
    let public = link.json()["links"]["public"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = public
        .split_once("/consent/")
        .map(|(_, rest)| format!("/consent/{rest}"))
        .unwrap_or_default();
    browser
        .goto(&format!("{}{path}&state=first", server.basiq_url()))
        .await;
    // The link's SMS code first (the scenario's `authLinkCode`, 123456 by default).
    browser.wait_for_text("h1", "Verify your mobile").await;
    browser.type_into("#code", "654321").await;
    browser.click("#verify").await;
    browser
        .wait_for_text(
            "#error",
            "That code is not correct. Check the SMS and try again.",
        )
        .await;
    browser.type_into("#code", "123456").await;
    browser.click("#verify").await;
    browser
        .wait_for_text("h1", "Share your financial data")
        .await;
    browser.click("#agree").await;
    browser.wait_for_text("h1", "Select your bank").await;
    browser.click("#institution-AU00000").await;
    browser.wait_for_text("h1", "Hooli Bank").await;
    browser.type_into("#loginId", "gavinBelson").await;
    browser.type_into("#password", "hooli2016").await;
    browser.click("#submit").await;
    browser
        .wait_for_text("#connecting", "Connecting to Hooli Bank…")
        .await;
    advance(&server, 1).await;
    browser.wait_for_text("h1", "Back at the application").await;
    let query = landed(&visits, 1).await;
    assert!(query.ends_with("&state=first"), "{query}");
    let job = finished_job(&server, &query).await;
    assert_eq!(institution_of(&server, &job).await, "AU00000");
    // The link is used up.
    let again = basiq_call(&server, "GET", "/users/u1/auth_link").await;
    assert_eq!(again.status, 410, "{}", again.render());

    // 2. From a token, the bank preselected, with an MFA challenge.
    let token = basiq_token(&server, "scope=CLIENT_ACCESS&userId=u1").await;
    browser
        .goto(&format!(
            "{}/consent/home?token={token}&action=connect&state=second&institutionId=AU00002",
            server.basiq_url()
        ))
        .await;
    browser.click("#agree").await;
    browser.wait_for_text("h1", "Pied Piper Bank").await;
    browser.type_into("#loginId", "jared").await;
    browser.type_into("#password", "django").await;
    browser.click("#submit").await;
    browser
        .wait_for_text("#connecting", "Connecting to Pied Piper Bank…")
        .await;
    advance(&server, 1).await;
    browser.type_into("#answer0", "0000").await;
    browser.click("#submit").await;
    browser
        .wait_for_text("#error", "MFA response is not valid.")
        .await;
    browser.type_into("#answer0", "1234").await;
    browser.click("#submit").await;
    browser.wait_for_text("h1", "Back at the application").await;
    let query = landed(&visits, 2).await;
    assert!(query.ends_with("&state=second"), "{query}");
    let job = finished_job(&server, &query).await;
    assert_eq!(institution_of(&server, &job).await, "AU00002");
    let titles: Vec<&str> = job["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "verify-credentials",
            "mfa-challenge",
            "retrieve-accounts",
            "retrieve-transactions"
        ]
    );

    let connections = basiq_call(&server, "GET", "/users/u1/connections")
        .await
        .json();
    let statuses: Vec<&str> = connections["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert_eq!(statuses, ["active", "active"]);
    browser
        .command("DELETE", &browser.path(""), json!({}))
        .await;
}
