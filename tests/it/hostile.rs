//! Hostile and buggy input: every case here once crashed, froze or misled the server. Each
//! answers with the vendor's own error envelope, and the server keeps answering afterwards.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::*;

/// How long `/__admin/health` takes to answer at `base`, once.
async fn health_time(base: &str) -> std::time::Duration {
    let asked = std::time::Instant::now();
    let health = get(base, "/__admin/health", &[]).await;
    assert_eq!(health.status, 200);
    asked.elapsed()
}

/// Health answered within 100 ms (the median of `times`, so that one probe slowed by the test
/// machine's other work does not count) and never after a second: nothing froze the server.
fn answered_promptly(mut times: Vec<std::time::Duration>) {
    assert!(!times.is_empty());
    times.sort();
    let median = times[times.len() / 2];
    let slowest = times[times.len() - 1];
    assert!(
        median < std::time::Duration::from_millis(100),
        "median {median:?} of {times:?}"
    );
    assert!(
        slowest < std::time::Duration::from_secs(1),
        "slowest {slowest:?}"
    );
}

/// Points the server's Meld webhook profile at `{base}/hooks`.
async fn meld_profile(server: &sandbank::RunningServer, base: &str) {
    let profile = json!({ "url": format!("{base}/hooks"), "secret": "s" }).to_string();
    let set = send(
        server.meld_url(),
        "PUT",
        "/__admin/meld/webhook",
        &[("content-type", "application/json")],
        profile.as_bytes(),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.render());
}

/// The `next` cursor of the first page of `ea3a81`'s transactions at `limit`, decoded.
async fn first_cursor(server: &sandbank::RunningServer, auth: &str) -> Value {
    let page = get(
        server.basiq_url(),
        "/users/ea3a81/transactions?limit=2",
        &[("authorization", auth)],
    )
    .await
    .json();
    let next = page["links"]["next"].as_str().expect("a next link");
    let text = next.rsplit("next=").next().unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).expect("cursor is base64url"))
        .expect("cursor is JSON")
}

/// A cursor is client input: limits outside 1..=500, unknown ranks, dates that cannot be
/// negated and overlong texts are refused as Basiq refuses a bad `next`, never a panic or a
/// page larger than the cap.
#[tokio::test]
async fn forged_transaction_cursors_are_refused() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let cursor = first_cursor(&server, &auth).await;
    let h = [("authorization", auth.as_str())];
    let forged = [
        ("l", json!(u64::MAX)),
        ("l", json!(usize::MAX / 2 + 1)),
        ("l", json!(501)),
        ("l", json!(0)),
        ("p", json!(7)),
        ("d", json!(i64::MIN)),
    ];
    let page = async |next: &str| {
        get(
            server.basiq_url(),
            &format!("/users/ea3a81/transactions?next={next}"),
            &h,
        )
        .await
    };
    for (field, value) in forged {
        let mut c = cursor.clone();
        c[field] = value.clone();
        let ex = page(&URL_SAFE_NO_PAD.encode(c.to_string())).await;
        assert_eq!(ex.status, 400, "{field} = {value}: {}", ex.render());
        assert_eq!(
            ex.json()["data"][0]["detail"],
            "Next value is not valid",
            "{field} = {value}"
        );
    }
    let ex = page(&"A".repeat(20_000)).await;
    assert_eq!(ex.status, 400, "{}", ex.render());
    // The untouched cursor still pages.
    let ex = page(&URL_SAFE_NO_PAD.encode(cursor.to_string())).await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    assert_eq!(ex.json()["data"].as_array().map(Vec::len), Some(2));
}

/// The server clock stays within years 0000–9999: an advance or a jump past either end is
/// refused with 400 and leaves the clock where it was; near the end, the vendors still answer
/// with RFC 3339 instants.
#[tokio::test]
async fn the_clock_stays_within_rfc_3339_years() {
    let server = default_server().await;
    let url = server.basiq_url();
    let json = [("content-type", "application/json")];
    let max_seconds = i64::MAX / 1000;
    let refused = [
        (
            "/__admin/clock/advance",
            format!(r#"{{"seconds": {max_seconds}}}"#),
        ),
        (
            "/__admin/clock/advance",
            r#"{"seconds": 253402300799}"#.to_owned(),
        ),
        (
            "/__admin/clock/set",
            r#"{"now": "9999-12-31T23:59:59-23:00"}"#.to_owned(),
        ),
        (
            "/__admin/clock/set",
            r#"{"now": "0000-01-01T00:00:00+01:00"}"#.to_owned(),
        ),
    ];
    for (path, body) in refused {
        let ex = send(url, "POST", path, &json, body.as_bytes()).await;
        assert_eq!(ex.status, 400, "{path} {body}: {}", ex.render());
        assert!(
            ex.json()["error"]
                .as_str()
                .is_some_and(|e| e.contains("9999"))
        );
        let clock = get(url, "/__admin/clock", &[]).await.json();
        assert_eq!(clock["now"], "2026-01-15T09:00:00.000Z", "{path} {body}");
    }
    let set = send(
        url,
        "POST",
        "/__admin/clock/set",
        &json,
        br#"{"now": "9999-12-31T23:00:00Z"}"#,
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.render());
    let auth = format!("Bearer {}", server_token(&server).await);
    for path in ["/users/ea3a81", "/users/ea3a81/connections/8fce3b"] {
        let ex = get(url, path, &[("authorization", &auth)]).await;
        assert_eq!(ex.status, 200, "{}", ex.render());
        let text = String::from_utf8_lossy(&ex.body);
        assert!(!text.contains("+10") && !text.contains("10000-"), "{text}");
    }
    let meld = meld_call(&server, "GET", "/bank-linking/connections", None).await;
    assert_eq!(meld.status, 200, "{}", meld.render());
}

/// A scenario duration longer than a century is a located problem, not a panic on every later
/// request when the clock reaches it.
#[test]
fn overlong_scenario_durations_are_refused() {
    for (key, text) in [
        (
            "after",
            "[[basiq.users]]\n[[basiq.users.connections]]\ntransitions = [{ after = \"1000000w\", status = \"invalid\" }]\n",
        ),
        (
            "every",
            "[[basiq.users]]\n[[basiq.users.connections]]\ntransitions = [{ every = \"99999999999d\", addTransactions = 1 }]\n",
        ),
        ("jobStepDuration", "[basiq]\njobStepDuration = \"36501d\"\n"),
    ] {
        let problem = match sandbank::scenario::parse("long.toml", text) {
            Ok(_) => panic!("{key}: accepted"),
            Err(e) => e.to_string(),
        };
        assert!(problem.contains("at most 36500d"), "{key}: {problem}");
        assert!(problem.contains(key), "{key}: {problem}");
    }
    let century = "[basiq]\njobStepDuration = \"36500d\"\n";
    assert!(sandbank::scenario::parse("long.toml", century).is_ok());
}

/// A scripted step dated past the end of time neither fires nor stops anything: requests
/// answer and webhook deliveries go on (the delivery task once died on such a step and never
/// delivered again).
#[tokio::test]
async fn deliveries_survive_a_step_past_the_end_of_time() {
    use sandbank::world::timeline::{Change, Step, Timeline, Trigger};

    let server = default_server().await;
    let (base, inbox) = crate::webhooks::receiver(&[]).await;
    let json_type = [("content-type", "application/json")];
    meld_profile(&server, &base).await;
    server.engine().with_world(|w| {
        let step = Step {
            trigger: Trigger::After(chrono::Duration::MAX),
            every: None,
            times: None,
            change: Change::default(),
        };
        let target = sandbank::meld::part::target("nowhere");
        w.timelines
            .push(Timeline::new(target, vec![step], sandbank::clock::latest()));
    });
    // Several delivery ticks pass over the step.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let list = meld_call(&server, "GET", "/bank-linking/connections", None).await;
    assert_eq!(list.status, 200, "{}", list.render());
    let test = send(
        server.meld_url(),
        "POST",
        "/__admin/meld/webhook/test",
        &json_type,
        b"{}",
    )
    .await;
    assert_eq!(test.status, 202, "{}", test.render());
    let got = inbox.wait_for(1).await;
    assert_eq!(got[0].json()["eventType"], "WEBHOOK_TEST");
}

/// A 60 KB Meld page key is refused at once as any bad key is (its decoding once took seconds
/// of CPU per request, with the cost growing with the square of its length).
#[tokio::test]
async fn overlong_meld_page_keys_are_refused_at_once() {
    let server = default_server().await;
    let key = "2".repeat(60 * 1024);
    let started = std::time::Instant::now();
    for field in ["after", "before"] {
        let ex = meld_call(
            &server,
            "GET",
            &format!("/bank-linking/connections?{field}={key}"),
            None,
        )
        .await;
        assert_eq!(ex.status, 400, "{}", ex.render());
        let errors = ex.json()["errors"].clone();
        assert_eq!(errors, json!([format!("[{field}] is not a valid key")]));
        assert!(ex.header("x-request-id").is_some());
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// Statement uploads with an overlong boundary (RFC 2046 allows 70 characters) are refused as
/// any unreadable body is, and a long body with a legal boundary is read in linear time: while
/// such uploads arrive, `/__admin/health` keeps answering within 100 ms (a 400 KB boundary once
/// froze every listener for 38 s).
#[tokio::test]
async fn hostile_multipart_bodies_freeze_nothing() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let long = format!("{}b", "a".repeat(100_000));
    let legal = format!("{}b", "a".repeat(69));
    let body = format!("--{}", "a".repeat(1_500_000)).into_bytes();
    let started = std::time::Instant::now();
    let uploads = [long, legal].map(|boundary| {
        let (url, auth, body) = (server.basiq_url().to_owned(), auth.clone(), body.clone());
        tokio::spawn(async move {
            let content_type = format!("multipart/form-data; boundary={boundary}");
            send(
                &url,
                "POST",
                "/users/ea3a81/statements",
                &[("authorization", &auth), ("content-type", &content_type)],
                &body,
            )
            .await
        })
    });
    let mut times = Vec::new();
    for _ in 0..5 {
        times.push(health_time(server.meld_url()).await);
    }
    answered_promptly(times);
    for upload in uploads {
        let ex = upload.await.expect("upload task");
        assert_eq!(ex.status, 400, "{}", ex.render());
        assert_eq!(ex.json()["data"][0]["detail"], "Statement is not valid.");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// A server whose connections time out after `ms` milliseconds and that serves at most `max`
/// connections per listener.
async fn impatient(ms: u64, max: usize) -> sandbank::RunningServer {
    let scenario = sandbank::scenario::parse("test.toml", sandbank::scenario::DEFAULT_SCENARIO)
        .expect("default scenario");
    let mut config = sandbank::ServerConfig::ephemeral(scenario);
    config.engine.clock = Some(sandbank::clock::ClockMode::Frozen { at: frozen_at() });
    config.connections = sandbank::conn::ConnectionLimits {
        header_timeout: std::time::Duration::from_millis(ms),
        body_timeout: std::time::Duration::from_millis(ms),
        max_connections: max,
    };
    sandbank::start(config).await.expect("server starts")
}

/// Reads until the server closes the connection (or 5 s pass); what it sent.
async fn read_to_close(stream: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut got = Vec::new();
    let read = stream.read_to_end(&mut got);
    match tokio::time::timeout(std::time::Duration::from_secs(5), read).await {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

/// A client that sends half a request head and stalls, or keeps a connection idle, is cut off
/// after the header timeout; one that stalls mid-body gets the vendor's 400 for an unreadable
/// body. Meanwhile `/__admin/health` answers within 100 ms.
#[tokio::test]
async fn slow_clients_are_cut_off() {
    use tokio::io::AsyncWriteExt as _;
    let server = impatient(300, 64).await;
    let addr = server.basiq_url().trim_start_matches("http://").to_owned();
    let connect = || tokio::net::TcpStream::connect(addr.clone());

    let mut slow_head = connect().await.expect("connect");
    slow_head
        .write_all(b"GET /users/ea3a81 HTTP/1.1\r\nHost: x\r\nAuthor")
        .await
        .expect("write");
    let mut idle = connect().await.expect("connect");
    let mut slow_body = connect().await.expect("connect");
    slow_body
        .write_all(b"POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":")
        .await
        .expect("write");

    let mut times = Vec::new();
    for _ in 0..3 {
        times.push(health_time(server.basiq_url()).await);
    }
    answered_promptly(times);

    let started = std::time::Instant::now();
    assert_eq!(read_to_close(&mut slow_head).await.as_deref(), Some(""));
    assert_eq!(read_to_close(&mut idle).await.as_deref(), Some(""));
    let answer = read_to_close(&mut slow_body).await.expect("closed");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // The token is checked first: Basiq's 403 for a bad token, in its envelope, not a hang.
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    assert!(answer.contains("\"type\":\"list\""), "{answer}");
}

/// The header timeout counts each wait for a head afresh: a kept-alive connection whose
/// requests come more often than the timeout stays open well past it, and is closed once it
/// idles for longer.
#[tokio::test]
async fn the_header_timeout_restarts_with_each_request() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let server = impatient(300, 64).await;
    let addr = server.meld_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let started = std::time::Instant::now();
    let request = b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        stream.write_all(request).await.expect("write");
        let mut got = [0u8; 512];
        let n = stream.read(&mut got).await.expect("read");
        let answer = String::from_utf8_lossy(&got[..n]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    let idled = std::time::Instant::now();
    assert_eq!(read_to_close(&mut stream).await.as_deref(), Some(""));
    let waited = idled.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(250)
            && waited < std::time::Duration::from_secs(3),
        "{waited:?}"
    );
}

/// With every connection slot held by stalled clients, a new client waits, and is served once
/// the header timeout frees a slot.
#[tokio::test]
async fn the_connection_cap_frees_slots_of_stalled_clients() {
    use tokio::io::AsyncWriteExt as _;
    let server = impatient(300, 2).await;
    let addr = server.meld_url().trim_start_matches("http://").to_owned();
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        s.write_all(b"GET /").await.expect("write");
        stalled.push(s);
    }
    let started = std::time::Instant::now();
    let health = get(server.meld_url(), "/__admin/health", &[]).await;
    assert_eq!(health.status, 200);
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(250),
        "served before a slot was free: {waited:?}"
    );
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
}

/// Malformed percent-encoding in a query does not make a parameter vanish (which answered the
/// unfiltered list): the value reaches the parameter's own check and is refused there, in the
/// vendor's envelope.
#[tokio::test]
async fn malformed_percent_encoding_is_refused_not_dropped() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    for query in [
        "filter=%ZZ",
        "filter=transaction.status.eq(%FF)",
        "limit=%+5",
    ] {
        let ex = get(
            server.basiq_url(),
            &format!("/users/ea3a81/transactions?{query}"),
            &[("authorization", &auth)],
        )
        .await;
        assert_eq!(ex.status, 400, "{query}: {}", ex.render());
        assert_eq!(ex.json()["type"], "list", "{query}");
    }
    for (query, param) in [
        ("after=%FF", "[after]"),
        ("status=%ZZ", "[status]"),
        ("limit=%ZZ", "[limit]"),
    ] {
        let ex = meld_call(
            &server,
            "GET",
            &format!("/accounts/customers?{query}"),
            None,
        )
        .await;
        assert_eq!(ex.status, 400, "{query}: {}", ex.render());
        let errors = ex.json()["errors"].to_string();
        assert!(errors.contains(param), "{query}: {errors}");
        assert!(ex.header("meld-version").is_some());
    }
}

/// Path segments that are not UTF-8 once decoded get the vendor's envelope (Meld's headers
/// included), never a plain-text rejection.
#[tokio::test]
async fn undecodable_path_segments_get_the_vendor_envelope() {
    let server = default_server().await;
    for path in [
        "/bank-linking/connections/%FF",
        "/bank-linking/accounts/%C3%28",
        "/accounts/customers/%FF",
        "/institutions/%FF",
        "/bank-linking/investments/holdings/%FF",
    ] {
        let ex = meld_call(&server, "GET", path, None).await;
        assert_eq!(ex.status, 404, "{path}: {}", ex.render());
        assert_eq!(
            ex.header("content-type"),
            Some("application/json"),
            "{path}"
        );
        assert!(ex.header("meld-version").is_some(), "{path}");
        assert!(ex.header("x-request-id").is_some(), "{path}");
        assert!(ex.json()["message"].is_string(), "{path}");
    }
    let auth = format!("Bearer {}", server_token(&server).await);
    for path in ["/users/%FF", "/users/ea3a81/connections/%FF"] {
        let ex = get(server.basiq_url(), path, &[("authorization", &auth)]).await;
        assert_eq!(ex.status, 400, "{path}: {}", ex.render());
        assert_eq!(ex.json()["type"], "list", "{path}");
    }
}

/// Amounts beyond ±1,000,000,000.00 (or beyond `i64` cents) are a located problem, not a
/// balance that wraps when transactions are added up.
#[test]
fn amounts_are_bounded() {
    for amount in [
        "\"1000000000.01\"",
        "\"-92233720368547758.08\"",
        "9223372036854775807",
        "1e14",
    ] {
        let text = format!(
            "[[basiq.users]]\n[[basiq.users.connections]]\n[[basiq.users.connections.accounts]]\nbalance = {amount}\n"
        );
        let problem = match sandbank::scenario::parse("money.toml", &text) {
            Ok(_) => panic!("{amount}: accepted"),
            Err(e) => e.to_string(),
        };
        assert!(
            problem.contains("within ±1000000000.00"),
            "{amount}: {problem}"
        );
    }
    let most = "[[basiq.users]]\n[[basiq.users.connections]]\n[[basiq.users.connections.accounts]]\nbalance = \"-1000000000.00\"\n";
    assert!(sandbank::scenario::parse("money.toml", most).is_ok());
}

/// A JSON key written twice counts once, the last one, at both vendors alike.
#[tokio::test]
async fn duplicate_json_keys_count_once_at_both_vendors() {
    let b = Basiq::start().await;
    let body =
        br#"{"email": "first@example.com", "email": "last@example.com", "mobile": "+61410888999"}"#;
    let ex = send(
        b.server.basiq_url(),
        "POST",
        "/users",
        &[
            ("authorization", &b.server_auth),
            ("content-type", "application/json"),
        ],
        body,
    )
    .await;
    assert_eq!(ex.status, 201, "{}", ex.render());
    assert_eq!(ex.json()["email"], "last@example.com");
    let meld = send(
        b.server.meld_url(),
        "POST",
        "/accounts/customers",
        &[
            ("authorization", &format!("BASIC {MELD_KEY}")),
            ("content-type", "application/json"),
        ],
        br#"{"externalId": "first", "externalId": "dup-last"}"#,
    )
    .await;
    assert!(meld.status < 300, "{}", meld.render());
    assert_eq!(meld.json()["externalId"], "dup-last");
}

/// With an allow-list, webhooks go only to the receivers it names; others are logged as not
/// allowed and never contacted.
#[tokio::test]
async fn webhooks_go_only_where_the_allow_list_says() {
    let (base, inbox) = crate::webhooks::receiver(&[]).await;
    let port = base.rsplit(':').next().unwrap_or_default().to_owned();
    let json_type = [("content-type", "application/json")];
    for (allow, delivered) in [
        (vec!["127.0.0.1:1".to_owned()], false),
        (vec![format!("127.0.0.1:{port}")], true),
    ] {
        let scenario = sandbank::scenario::parse("test.toml", sandbank::scenario::DEFAULT_SCENARIO)
            .expect("default scenario");
        let mut config = sandbank::ServerConfig::ephemeral(scenario);
        config.engine.webhook_allow = Some(allow.clone());
        let server = sandbank::start(config).await.expect("starts");
        meld_profile(&server, &base).await;
        let test = send(
            server.meld_url(),
            "POST",
            "/__admin/meld/webhook/test",
            &json_type,
            b"{}",
        )
        .await;
        assert_eq!(test.status, 202);
        let mut log = json!(null);
        for _ in 0..100 {
            log = get(server.meld_url(), "/__admin/webhooks", &[])
                .await
                .json();
            if log["attempts"].as_array().is_some_and(|a| !a.is_empty()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let first = &log["attempts"][0];
        assert_eq!(first["delivered"], delivered, "{allow:?}: {log}");
        if !delivered {
            assert_eq!(first["error"], "Not allowed by --webhook-allow");
        }
    }
    // Only the allowed server's test event arrived.
    inbox.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(inbox.wait_for(1).await.len(), 1);
}

/// What a client writes is stored within bounds: journal entries keep at most 2 KiB of path
/// and of query, and a token too long to be one sandbank would issue for a real user is
/// verified on every use rather than remembered.
#[tokio::test]
async fn stored_client_input_is_bounded() {
    let server = default_server().await;
    let long = "a".repeat(10_000);
    let ex = meld_call(
        &server,
        "GET",
        &format!("/bank-linking/connections/{long}?q={long}"),
        None,
    )
    .await;
    assert_eq!(ex.status, 404);
    let journal = get(server.basiq_url(), "/__admin/requests", &[])
        .await
        .json();
    let entry = &journal["requests"][0];
    for part in ["path", "query"] {
        let text = entry[part].as_str().unwrap_or_default();
        assert!(
            text.len() <= 2048 && text.ends_with('…'),
            "{part}: {}",
            text.len()
        );
    }

    let user = "u".repeat(100_000);
    let token = basiq_token(&server, &format!("scope=CLIENT_ACCESS&userId={user}")).await;
    for _ in 0..3 {
        let ex = get(
            server.basiq_url(),
            "/users/ea3a81",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
        // Another user's token: Basiq's 401, checked in full each time.
        assert_eq!(ex.status, 401, "{}", ex.render());
    }
    let remembered = server
        .engine()
        .with_world(|w| w.basiq.verified.keys().map(|k| k.len()).max().unwrap_or(0));
    assert!(remembered <= 1024, "{remembered}");
}

/// A scenario that asks for more data than a world may hold (10,000 accounts of a million
/// transactions each) is refused where it goes over the budget, before anything is built; so
/// is a transition that adds more than 10,000 transactions a firing.
#[test]
fn scenarios_over_the_data_budget_are_refused_where_they_go_over() {
    let mut text = String::from("[[basiq.users]]\n[[basiq.users.connections]]\n");
    for _ in 0..10_000 {
        text.push_str(
            "[[basiq.users.connections.accounts]]\nhistory = { transactions = 1000000 }\n",
        );
    }
    let started = std::time::Instant::now();
    let problem = match sandbank::scenario::parse("big.toml", &text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert!(
        problem.contains(
            "basiq.users[0].connections[0].accounts[10]: the scenario asks for more than"
        ),
        "{problem}"
    );
    let adds = "[[meld.customers]]\n[[meld.customers.connections]]\ntransitions = [{ every = \"1s\", addTransactions = 10001 }]\n";
    let problem = match sandbank::scenario::parse("adds.toml", adds) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        problem.contains("transitions[0].addTransactions: at most 10000 transactions a firing"),
        "{problem}"
    );
}

/// A one-second repeat that adds transactions, after the clock jumps a year, neither stalls the
/// next request nor grows the world without bound: each settle adds a bounded number, and over
/// the world's life scripted firings add at most 250,000 transactions per account.
#[tokio::test]
async fn repeating_additions_after_a_long_jump_are_bounded() {
    let scenario = "[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"u1\"\n\
        [[basiq.users.connections]]\nid = \"c1\"\ninstitution = \"AU00000\"\n\
        transitions = [{ every = \"1s\", addTransactions = 100 }]\n\
        [[basiq.users.connections.accounts]]\nhistory = { days = 1 }\n";
    let b = Basiq::on(scenario, "u1").await;
    let count = |b: &Basiq| {
        b.server
            .engine()
            .with_world(|w| w.basiq.users[0].transactions.len())
    };
    let before = count(&b);
    b.advance(365 * 24 * 3600);
    let started = std::time::Instant::now();
    let after = count(&b);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(after > before, "the repeat fired");
    assert!(
        after - before <= 20_000,
        "{} added in one settle",
        after - before
    );
}

/// Events are kept for the 7 days `GET /events` lists and at most 10,000 of them, whatever a
/// repeat firing every second makes; event ids stay unique as old ones go.
#[tokio::test]
async fn basiq_events_are_pruned() {
    let scenario = "[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"u1\"\n\
        [[basiq.users.connections]]\nid = \"c1\"\ninstitution = \"AU00000\"\n\
        transitions = [{ every = \"1s\", times = 30000, addTransactions = 1 }]\n\
        [[basiq.users.connections.accounts]]\nhistory = { days = 1 }\n";
    let mut b = Basiq::on(scenario, "u1").await;
    b.advance(30_000);
    // The delivery task settles in the background too; give it a few settles' worth.
    for _ in 0..4 {
        b.server.engine().with_world(|_| ());
    }
    let (kept, recorded, unique) = b.server.engine().with_world(|w| {
        let ids: std::collections::HashSet<&str> =
            w.basiq.events.iter().map(|e| e.id.as_str()).collect();
        (w.basiq.events.len(), w.basiq.events_recorded, ids.len())
    });
    assert!(recorded > 20_000, "{recorded} recorded");
    assert!(kept <= 12_500, "{kept} kept");
    assert_eq!(unique, kept);
    b.new_server_token().await;
    let listed = b.get("/events").await;
    assert_eq!(listed.status, 200);
    let n = listed.json()["data"].as_array().map_or(0, Vec::len);
    assert!(n <= 12_500, "{n} listed");
}

/// A 200-item Meld import completes, and the next request is answered promptly (it once took
/// minutes: the aggregations the import starts were settled in quadratic time).
#[tokio::test]
async fn a_large_meld_import_settles_promptly() {
    let server = default_server().await;
    let items: Vec<serde_json::Value> = (0..200)
        .map(|i| {
            json!({
                "serviceProvider": "PLAID",
                "accessToken": format!("access-sandbox-{i}"),
                "externalCustomerId": format!("bulk-{i}"),
            })
        })
        .collect();
    let started = std::time::Instant::now();
    let ex = meld_call(
        &server,
        "POST",
        "/bank-linking/connections/import",
        Some(json!({ "connections": items })),
    )
    .await;
    assert_eq!(ex.status, 202, "{}", ex.render());
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(60));
    let list = meld_call(&server, "GET", "/bank-linking/connections?limit=5", None).await;
    assert_eq!(list.status, 200);
    let took = started.elapsed();
    // It once took minutes; a loaded test machine may take several seconds.
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
}

/// Replacing the scenario with a large one is built off the request workers: health keeps
/// answering within 100 ms meanwhile, and the vendor listeners answer as soon as it is loaded.
#[tokio::test]
async fn loading_a_large_scenario_blocks_no_one() {
    let server = default_server().await;
    let big = "[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n\
        [basiq.generated]\nusers = 2000\ntransactions = 200000\n";
    let url = server.basiq_url().to_owned();
    let load = tokio::spawn(async move {
        send(
            &url,
            "POST",
            "/__admin/scenario",
            &[("content-type", "application/toml")],
            big.as_bytes(),
        )
        .await
    });
    let mut times = Vec::new();
    loop {
        times.push(health_time(server.meld_url()).await);
        if load.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let loaded = load.await.expect("load task");
    assert_eq!(loaded.status, 200, "{}", loaded.render());
    answered_promptly(times);
    let users = get(server.basiq_url(), "/__admin/basiq/users", &[])
        .await
        .json();
    assert_eq!(users["users"].as_array().map(Vec::len), Some(2000));
}

/// Requests whose head cannot be parsed — a malformed request line, a URI over 65,534 bytes,
/// a head over the read buffer, too many headers — are answered with the listener's vendor
/// envelope and headers (not an empty body), and the connection is closed.
#[tokio::test]
async fn unparseable_request_heads_get_the_vendor_envelope() {
    use tokio::io::AsyncWriteExt as _;
    let server = default_server().await;
    let many_headers: String = (0..150).map(|i| format!("x-h{i}: a\r\n")).collect();
    let cases = [
        (400, "G@T / HTTP/1.1\r\nhost: x\r\n\r\n".to_owned()),
        (
            414,
            format!("GET /{} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(70_000)),
        ),
        (
            431,
            format!(
                "GET / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
                "a".repeat(500_000)
            ),
        ),
        (
            431,
            format!("GET / HTTP/1.1\r\nhost: x\r\n{many_headers}\r\n"),
        ),
    ];
    for base in [server.basiq_url(), server.meld_url()] {
        let addr = base.trim_start_matches("http://");
        for (status, request) in &cases {
            let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            // The server may answer and close before it has read everything.
            let _ = stream.write_all(request.as_bytes()).await;
            let got = read_to_close(&mut stream)
                .await
                .expect("answered and closed");
            let (head, body) = got.split_once("\r\n\r\n").expect("a head and a body");
            let first = head.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!("HTTP/1.1 {status} ")),
                "{base}: {head}"
            );
            let head = head.to_ascii_lowercase();
            assert!(
                head.contains("\r\ncontent-type: application/json"),
                "{head}"
            );
            assert!(
                head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())),
                "{head}"
            );
            let body: Value = serde_json::from_str(body).expect("a JSON body");
            if base == server.basiq_url() {
                assert_eq!(body["type"], "list", "{body}");
                assert_eq!(body["data"][0]["type"], "error", "{body}");
                assert_eq!(body["data"][0]["code"], "parameter-not-valid", "{body}");
            } else {
                assert!(head.contains("\r\nmeld-version: "), "{head}");
                let id = head
                    .split("\r\nx-request-id: ")
                    .nth(1)
                    .and_then(|rest| rest.split("\r\n").next())
                    .expect("x-request-id");
                assert_eq!(body["requestId"], id, "{body}");
                assert_eq!(body["code"], "BAD_REQUEST", "{body}");
            }
        }
    }
    // Still answering.
    assert_eq!(
        get(server.meld_url(), "/__admin/health", &[]).await.status,
        200
    );
}
