//! A body over the limit gets its 413 JSON error, and the client gets to read it: whether the client
//! declared the size, streamed the body in chunks, or stopped sending half-way.

use crate::helpers::{capacities, spawn_app, tier_counts};
use model::Tier;
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A booking whose `user_id` makes it 5 MB.
fn five_megabyte_booking() -> String {
    format!(r#"{{"user_id": "{}", "tier": "vip", "quantity": 1}}"#, "x".repeat(5 * 1024 * 1024))
}

async fn assert_too_large(response: reqwest::Response) {
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers().get("connection").map(|v| v.to_str().unwrap()), Some("close"));
    let body: Value = response.json().await.expect("a JSON error");
    assert_eq!(body["error"], "payload_too_large");
    assert!(body["message"].as_str().unwrap().contains("65536 bytes"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_megabyte_body_from_an_http_client_gets_its_413_and_a_close() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    for _ in 0..3 {
        let sent = app
            .client
            .post(app.url("/api/bookings"))
            .header("content-type", "application/json")
            .body(five_megabyte_booking())
            .send()
            .await;
        assert_too_large(sent.expect("the answer reaches the client")).await;
    }
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.sold, 0);
}

/// A simple client: writes its whole request, then reads the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_all_five_megabytes_before_reading_gets_its_413() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let body = five_megabyte_booking();
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "POST /api/bookings HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(body.as_bytes()).await.expect("the server reads the body instead of resetting the connection");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), socket.read_to_end(&mut answer)).await;
    read.expect("answered and closed").expect("the answer arrives whole");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.to_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.sold, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_limit_gets_its_413() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        five_megabyte_booking().into_bytes().chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let sent = app
        .client
        .post(app.url("/api/holds"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await;
    assert_too_large(sent.expect("the answer reaches the client")).await;
    let sent = app
        .client
        .post(app.url("/_fn/hold"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("tier=vip&quantity=1&name={}", "x".repeat(200 * 1024)))
        .send()
        .await;
    assert_eq!(sent.expect("the page's calls are bounded too").status(), 413);
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_sending_half_way_is_answered_within_the_drain_time() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let head = "POST /api/bookings HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
                content-length: 100000000\r\n\r\n";
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&vec![b' '; 100 * 1024]).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), socket.read_to_end(&mut answer)).await;
    read.expect("answered and closed within the drain time").expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
}

/// A client that waits for `100 Continue` before sending is refused at once, not invited to upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_expecting_100_continue_is_refused_without_sending_its_body() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let head = "POST /api/bookings HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
                content-length: 5000000\r\nexpect: 100-continue\r\n\r\n";
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), socket.read_to_end(&mut answer)).await;
    read.expect("answered at once, not after a drain").expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "refused, not invited to send: {answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
}
