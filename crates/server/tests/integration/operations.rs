//! What an operator relies on: readiness, metrics, request ids, security headers, the rate limit and the
//! same-origin check on posts.

use crate::helpers::{assert_conserved, capacities, spawn_app, spawn_app_limited, tier_counts};
use model::Tier;
use serde_json::{json, Value};
use server::store::SaleSettings;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_when_migrations_are_applied_and_metrics_count_what_happened() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
    let first_scrape = app.get("/metrics").await.text().await.unwrap();
    let gauge = format!(r#"boxoffice_tickets_available{{concert="{}",tier="vip"}} 10"#, app.store.default_event_id());
    assert!(first_scrape.contains(&gauge), "availability is in the first scrape, before any sale: {first_scrape}");

    let booked = app.post_json("/api/bookings", json!({ "user_id": "u1", "tier": "front_row", "quantity": 1 })).await;
    assert_eq!(booked.status(), 201);
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    for expected in [
        r#"boxoffice_sales_total{step="book",tier="front_row",outcome="ok"}"#,
        r#"http_request_duration_seconds_bucket{method="POST",route="/api/bookings",status="201""#,
        "boxoffice_write_batch_size_count",
        "boxoffice_tickets_available",
    ] {
        assert!(text.contains(expected), "metrics lack {expected}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_a_request_id_and_the_security_headers() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    for path in ["/", "/api/tickets", "/nowhere"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert!(headers.get("x-request-id").is_some_and(|id| id.len() >= 32), "{path}: request id");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
    // A page's policy allows its inline hydration script by this response's nonce, and only by it: every
    // page, the not-found page too (it hydrates like the others).
    for path in ["/orders", "/concerts/99", "/"] {
        let page = app.get(path).await;
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\">")), "{path}: the script's nonce");
    }
    let csp = app.get("/").await.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_ne!(app.get("/").await.headers()["content-security-policy"].to_str().unwrap(), csp, "a new nonce each time");
    let mine = app.client.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(mine.headers()["x-request-id"], "trace-me-42", "a caller's id is kept for its logs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_from_another_site_is_refused_and_changes_nothing() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let form = [("tier", "vip"), ("quantity", "1"), ("name", "Ada"), ("email", "ada@example.org")];
    let cross = app.client.post(app.url("/_fn/hold")).header("origin", "https://evil.example").form(&form);
    let refused = cross.send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "cross_site_request");
    let fetch_meta = app.client.post(app.url("/api/holds")).header("sec-fetch-site", "cross-site");
    let refused = fetch_meta.json(&json!({ "tier": "vip", "quantity": 1, "name": "A", "email": "a@b.org" }));
    assert_eq!(refused.send().await.unwrap().status(), 403);
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 0);

    let host = app.base.trim_start_matches("http://").to_owned();
    let same = app.client.post(app.url("/_fn/hold")).header("origin", format!("http://{host}")).form(&form);
    assert_eq!(same.send().await.unwrap().status(), 200, "the page's own posts pass");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_beyond_the_rate_limit_are_429_with_retry_after_while_reads_go_on() {
    let app = spawn_app_limited(capacities(100, 100, 100), SaleSettings::default(), 3).await;
    let mut statuses = Vec::new();
    let mut last = None;
    for i in 0..6 {
        let body = json!({ "user_id": format!("u{i}"), "tier": "general", "quantity": 1 });
        let response = app.post_json("/api/bookings", body).await;
        statuses.push(response.status().as_u16());
        last = Some(response);
    }
    assert_eq!(&statuses[..3], &[201, 201, 201], "{statuses:?}");
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    let limited = last.filter(|r| r.status() == 429).expect("the last of a quick burst is limited");
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert_eq!(limited.json::<Value>().await.unwrap()["error"], "rate_limited");
    assert_eq!(app.get("/api/tickets").await.status(), 200, "reads are not limited");
    let sold = tier_counts(&app.store, Tier::General).await.sold;
    assert_eq!(sold as usize, statuses.iter().filter(|s| **s == 201).count(), "a 429 books nothing");
    assert_conserved(&app.store).await;
}

/// Sends `head` (a request without a body) over a raw connection and returns the status line's code.
async fn raw_status(app: &crate::helpers::TestApp, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.read_to_end(&mut answer))
        .await
        .expect("answered and closed")
        .expect("read");
    String::from_utf8_lossy(&answer).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_host_or_with_two_is_400() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let none = raw_status(&app, "GET /api/tickets HTTP/1.1\r\nconnection: close\r\n\r\n").await;
    assert!(none.starts_with("HTTP/1.1 400") && none.contains("invalid_host"), "{none}");
    let two = raw_status(&app, "GET /api/tickets HTTP/1.1\r\nhost: a\r\nhost: b\r\nconnection: close\r\n\r\n").await;
    assert!(two.starts_with("HTTP/1.1 400") && two.contains("invalid_host"), "{two}");
    let one = raw_status(&app, "GET /api/tickets HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n").await;
    assert!(one.starts_with("HTTP/1.1 200"), "{one}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_idempotency_keys_on_one_request_are_400() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let response = app
        .client
        .post(app.url("/api/holds"))
        .header("idempotency-key", "first")
        .header("idempotency-key", "second")
        .json(&json!({ "tier": "vip", "quantity": 1, "name": "Ada", "email": "ada@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_idempotency_key");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 0);
}
