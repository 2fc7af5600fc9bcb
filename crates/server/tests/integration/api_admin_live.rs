//! The operator's live view (`GET /api/admin/live`) and changing a running waiting room
//! (`PUT /api/admin/waiting_room`): the figures match what happened, minute by minute; a new rate takes
//! effect at once; bad changes are refused by name and change nothing.

use crate::{
    api_admin::admin,
    helpers::{capacities, json_of, spawn_app},
};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_view_counts_the_on_sale_and_the_room_changes_while_it_runs() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let body = json!({
        "name": "Live Night", "venue": "Blue Hall",
        "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "sales_open_at": (Utc::now() + Duration::milliseconds(1_000)).to_rfc3339(),
        "waiting_room": { "enabled": true, "rate_per_minute": 600, "prequeue_minutes": 5, "window_minutes": 10 },
        "tiers": [{ "tier": "general", "price_cents": 2500, "capacity": 40 }]
    });
    let (status, created) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let concert = created["id"].as_i64().unwrap();
    let mut visitors = Vec::new();
    for _ in 0..5 {
        let joined = json_of(app.client.post(app.url(&format!("/api/concerts/{concert}/queue")))).await;
        visitors.push(joined["visitor"].as_str().unwrap().to_owned());
    }
    // Wait for the first visitor's turn, then buy 3 tickets with the pass.
    let token = loop {
        let shown: Value =
            app.get(&format!("/api/concerts/{concert}/queue/{}", visitors[0])).await.json().await.unwrap();
        if let Some(token) = shown["token"].as_str() {
            break token.to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let hold =
        json!({ "concert_id": concert, "tier": "general", "quantity": 3, "name": "Ada", "email": "ada@example.org" });
    let held = json_of(app.client.post(app.url("/api/holds")).header("queue-token", &token).json(&hold)).await;
    let card = json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let paid = app.post_json(&format!("/api/holds/{}/payment", held["id"].as_str().unwrap()), card).await;
    assert_eq!(paid.status(), 201);
    let second = app.client.post(app.url("/api/holds")).header("queue-token", &token).json(&hold);
    assert_eq!(second.send().await.unwrap().status(), 201, "a running hold of 3, about to count as expiring");

    let (status, live) = admin(&app, Method::GET, &format!("/api/admin/live?concert={concert}"), None).await;
    assert_eq!(status, 200, "{live}");
    let general = &live["tiers"][0];
    assert_eq!((general["sold"].as_u64(), general["held"].as_u64()), (Some(3), Some(3)), "{live}");
    let queue = &live["queue"];
    assert_eq!(queue["joined"], 5, "{live}");
    let admitted = queue["admitted_through"].as_u64().unwrap();
    assert!(admitted >= 1 && queue["waiting"].as_u64() == Some(5 - admitted), "{live}");
    assert_eq!(queue["buying"].as_u64(), Some(admitted), "every admitted window is still running");
    assert_eq!(live["expiring_soon"], 0, "a ten-minute hold is not about to run out");
    let minutes = live["minutes"].as_array().unwrap();
    assert_eq!(minutes.len(), model::LIVE_MINUTES);
    let total = |field: &str| minutes.iter().map(|m| m[field].as_u64().unwrap()).sum::<u64>();
    assert_eq!((total("tickets_sold"), total("orders"), total("joined")), (3, 1, 5), "{minutes:?}");
    assert_eq!(total("admitted"), admitted, "{minutes:?}");

    // The operator slows the room down while it runs, and lifts the cap; the concert shows it.
    let path = format!("/api/admin/waiting_room?concert={concert}");
    let (status, room) = admin(&app, Method::PUT, &path, Some(json!({ "rate_per_minute": 1, "max_buying": 2 }))).await;
    assert_eq!(status, 200, "{room}");
    assert_eq!((room["rate_per_minute"].as_u64(), room["max_buying"].as_u64()), (Some(1), Some(2)));
    assert_eq!(room["window_minutes"], 10, "a field left out stays");
    let (_, room) = admin(&app, Method::PUT, &path, Some(json!({ "max_buying": null }))).await;
    assert!(room.get("max_buying").is_none(), "null lifts the cap: {room}");
    let shown: Value = app.get(&format!("/api/concerts/{concert}")).await.json().await.unwrap();
    assert_eq!(shown["waiting_room"]["rate_per_minute"], 1, "{shown}");

    for (body, status, code) in [
        (json!({ "rate_per_minute": 0 }), 422, "invalid_concert"),
        (json!({ "window_minutes": 100_000 }), 422, "invalid_concert"),
        (json!({ "rate": 5 }), 422, "invalid_field"),
        (json!({ "rate_per_minute": "fast" }), 422, "invalid_field"),
    ] {
        let (got, refused) = admin(&app, Method::PUT, &path, Some(body.clone())).await;
        assert_eq!((got, refused["error"].as_str()), (status, Some(code)), "{body}: {refused}");
    }
    let (_, refused) = admin(&app, Method::PUT, &path, Some(json!({ "rate_per_minute": 0 }))).await;
    assert!(refused["message"].as_str().unwrap().contains("rate_per_minute"), "named: {refused}");
    let shown: Value = app.get(&format!("/api/concerts/{concert}")).await.json().await.unwrap();
    assert_eq!(shown["waiting_room"]["rate_per_minute"], 1, "a refused change changes nothing");
    let (status, refused) = admin(&app, Method::PUT, "/api/admin/waiting_room?concert=1", Some(json!({}))).await;
    assert_eq!((status, refused["error"].as_str()), (404, Some("no_waiting_room")));
    let (status, _) = admin(&app, Method::GET, "/api/admin/live?concert=999", None).await;
    assert_eq!(status, 404);
    let anonymous = app.client.get(app.url(&format!("/api/admin/live?concert={concert}"))).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
