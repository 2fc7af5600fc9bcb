//! The live feed's fan-out budget: with many streams open, each is sent fewer frames, so that all of
//! them together stay within `BOXOFFICE_LIVE_FRAMES_PER_SECOND`; `/metrics` shows the streams, the frames
//! and the interval.

use crate::helpers::{fresh_database, ServerProcess};
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;

const STREAMS: usize = 40;
/// Frames a second for all streams: 40 streams get one frame each every 2 s.
const BUDGET: &str = "20";

/// The value of the unlabelled metric `name` in `/metrics`.
async fn metric(client: &reqwest::Client, server: &ServerProcess, name: &str) -> f64 {
    let text = client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let line = text.lines().find(|line| line.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("no {name}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_open_streams_share_a_budget_of_frames() {
    let database = fresh_database().await;
    let env = [("BOXOFFICE_LIVE_FRAMES_PER_SECOND", BUDGET)];
    let server = ServerProcess::start_with(&database.url, "vip=5,front_row=5,general=1000", &env, None).await;
    let client = reqwest::Client::new();
    let mut streams = Vec::new();
    for _ in 0..STREAMS {
        let response = client.get(server.url("/api/events")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        streams.push(response.bytes_stream().boxed());
    }

    // Bookings every 50 ms for 4 s: unbudgeted, each stream would be sent a frame every 100 ms.
    let booking = tokio::spawn({
        let (client, url) = (client.clone(), server.url("/api/bookings"));
        async move {
            for buyer in 0..80 {
                let body = json!({"user_id": format!("b{buyer}"), "tier": "general", "quantity": 1});
                assert_eq!(client.post(&url).json(&body).send().await.unwrap().status(), 201);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    });
    let mut watched = streams.swap_remove(0);
    let mut text = String::new();
    let window = tokio::time::Instant::now() + Duration::from_secs(4);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(window, watched.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    booking.await.unwrap();
    let frames = text.matches("event: availability").count();
    // The first frame on connect, then one per 2 s interval (and one either side of the window).
    assert!((2..=4).contains(&frames), "{frames} frames in 4 s with {STREAMS} streams sharing {BUDGET}/s");

    assert_eq!(metric(&client, &server, "boxoffice_event_streams_open").await, STREAMS as f64);
    assert_eq!(metric(&client, &server, "boxoffice_live_interval_seconds").await, 2.0);
    let sent = metric(&client, &server, "boxoffice_live_frames_total").await;
    assert!(sent >= STREAMS as f64 && sent <= (STREAMS * 5) as f64, "{sent} frames sent to {STREAMS} streams");
}
