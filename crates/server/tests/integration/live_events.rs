//! `GET /api/events`: the current availability on connect, every change after, coalesced.

use crate::helpers::{capacities, spawn_app, TestApp};
use futures::StreamExt;
use model::{Tier, TierAvailability};
use serde_json::json;
use std::time::{Duration, Instant};

/// Reads `availability` events from an open stream.
struct EventReader {
    body: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl EventReader {
    async fn open(app: &TestApp) -> EventReader {
        EventReader::open_at(app, "/api/events").await
    }

    async fn open_at(app: &TestApp, path: &str) -> EventReader {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        EventReader { body: response.bytes_stream().boxed(), buffer: String::new() }
    }

    /// The next availability event, or `None` if none arrives within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Vec<TierAvailability>> {
        let data = self.next_named("availability", wait).await?;
        Some(serde_json::from_str(&data).expect("availability JSON"))
    }

    /// The data of the next event called `name`, or `None` if none arrives within `wait`.
    async fn next_named(&mut self, name: &str, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                if frame.lines().any(|line| line == format!("event: {name}")) {
                    let data = frame.lines().find_map(|line| line.strip_prefix("data: ")).expect("data line");
                    return Some(data.to_owned());
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next()).await.ok()??.ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn available(tiers: &[TierAvailability], tier: Tier) -> u32 {
    tiers.iter().find(|t| t.tier == tier).expect("tier present").available
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_gets_the_current_availability_then_each_booking() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let mut events = EventReader::open(&app).await;
    let first = events.next(Duration::from_secs(2)).await.expect("a snapshot on connect");
    assert_eq!(available(&first, Tier::Vip), 10);

    let booked = app.post_json("/api/bookings", json!({"user_id": "a", "tier": "vip", "quantity": 3})).await;
    assert_eq!(booked.status(), 201);
    let update = events.next(Duration::from_secs(2)).await.expect("an update after the booking");
    assert_eq!((available(&update, Tier::Vip), available(&update, Tier::General)), (7, 10));
}

/// The operator's page follows every concert on one stream: it names the concerts that changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_stream_names_every_concert_on_connect_then_only_those_that_changed() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let body = json!({ "name": "Second", "venue": "Hall", "starts_at": "2031-06-01T20:00:00Z",
                       "tiers": [{ "tier": "general", "price_cents": 1000, "capacity": 5 }] });
    let (status, second) =
        crate::api_admin::admin(&app, reqwest::Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!(status, 201, "{second}");
    let (first, second) = (app.store.default_event_id(), second["id"].as_i64().unwrap());
    let mut events = EventReader::open_at(&app, "/api/events/catalog").await;
    let mut named: Vec<i64> = Vec::new();
    // The second concert may reach the live snapshot a moment after the stream opened.
    while !named.contains(&second) {
        let data = events.next_named("changed", Duration::from_secs(5)).await.expect("the concerts on connect");
        named.extend(serde_json::from_str::<Vec<i64>>(&data).unwrap());
    }
    assert!(named.contains(&first), "{named:?}");
    let held = app
        .post_json("/api/holds", json!({ "concert_id": second, "tier": "general", "quantity": 1, "name": "Ada", "email": "ada@example.org" }))
        .await;
    assert_eq!(held.status(), 201);
    let data = events.next_named("changed", Duration::from_secs(5)).await.expect("a change after the hold");
    assert_eq!(serde_json::from_str::<Vec<i64>>(&data).unwrap(), vec![second], "only the concert that changed");
    // Paying leaves the availability as it was (held became sold), and the operator's figures still move.
    let hold: serde_json::Value = held.json().await.unwrap();
    let card = json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let paid = app.post_json(&format!("/api/holds/{}/payment", hold["id"].as_str().unwrap()), card).await;
    assert_eq!(paid.status(), 201);
    let data = events.next_named("changed", Duration::from_secs(5)).await.expect("a change after the payment");
    assert_eq!(serde_json::from_str::<Vec<i64>>(&data).unwrap(), vec![second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_bookings_is_coalesced_to_at_most_ten_updates_a_second() {
    let app = spawn_app(capacities(10, 10, 500)).await;
    let mut events = EventReader::open(&app).await;
    events.next(Duration::from_secs(2)).await.expect("a snapshot on connect");

    let started = Instant::now();
    for buyer in 0..200 {
        let body = json!({"user_id": format!("b{buyer}"), "tier": "general", "quantity": 1});
        assert_eq!(app.post_json("/api/bookings", body).await.status(), 201);
    }
    let mut updates = 0;
    let mut last_seen = 500;
    while last_seen > 300 {
        let update = events.next(Duration::from_secs(2)).await.expect("updates until the last booking shows");
        last_seen = available(&update, Tier::General);
        updates += 1;
    }
    let elapsed = started.elapsed();
    // One update per 100 ms window, plus the windows at either end.
    let allowed = (elapsed.as_millis() / 100) as usize + 2;
    assert!(updates <= allowed, "{updates} updates in {elapsed:?}, at most {allowed} allowed");
    assert_eq!(last_seen, 300, "the final state arrives");
}
