//! The Meld connect widget stand-in, clicked through by a real headless Chromium driven over
//! the WebDriver protocol (ChromeDriver from Debian's `chromium-driver`).
//!
//! `.ci/run` installs Chromium and sets `SANDBANK_BROWSER_TESTS=required`, so in CI a missing
//! browser fails the test; on a machine without Chromium the test says so and passes.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    /// Starts ChromeDriver and a headless session, or `None` when the machine has no browser
    /// (and the run does not require one).
    async fn start() -> Option<Browser> {
        let present =
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
        if !present {
            assert!(
                std::env::var("SANDBANK_BROWSER_TESTS").as_deref() != Ok("required"),
                "Chromium and ChromeDriver are required (apt-get install chromium chromium-driver)"
            );
            eprintln!("browser test skipped: {CHROMEDRIVER} or {CHROMIUM} is not installed");
            return None;
        }
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
        Some(browser)
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

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.command(
            "GET",
            &self.path(&format!("/element/{element}/text")),
            json!({}),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
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
async fn widget_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
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
    assert_eq!(browser.text("h1").await, "Select your bank");
    browser.click("#institution-WQ7mPh3yLsXbRt9cKdNe2A").await;
    assert_eq!(browser.text("h1").await, "Platypus Bank");
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
    assert_eq!(browser.text("h1").await, "Finbank Profiles - A");
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
