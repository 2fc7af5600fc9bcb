//! A venue's time zone: the operator states a start by the venue's clocks, the concert keeps the instant
//! and the zone, and the pages write the venue's time. A zone the database does not know, and a wall-clock
//! time the venue's clocks skip, are refused by name and create nothing.

use crate::{
    api_admin::admin,
    helpers::{capacities, paid_order_at, spawn_app, TestApp},
};
use reqwest::Method;
use serde_json::{json, Value};

fn concert_body(name: &str, zone: &str, starts_at: &str) -> Value {
    json!({
        "name": name, "venue": "Tempodrom", "time_zone": zone, "starts_at": starts_at,
        "tiers": [{ "tier": "general", "price_cents": 4000, "capacity": 20 }]
    })
}

async fn concert_count(app: &TestApp) -> usize {
    let listed: Value = app.get("/api/concerts").await.json().await.unwrap();
    listed.as_array().expect("a list of concerts").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_stated_by_the_venue_clocks_is_kept_as_its_instant_and_shown_as_the_venue_time() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (status, created) = admin(
        &app,
        Method::POST,
        "/api/admin/concerts",
        Some(concert_body("Berlin Nights", "Europe/Berlin", "2031-06-01T20:00")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["starts_at"], "2031-06-01T18:00:00Z", "20:00 in Berlin's summer is 18:00 UTC");
    assert_eq!(created["zone"], json!({ "name": "Europe/Berlin", "offset_minutes": 120 }));
    let id = created["id"].as_i64().unwrap();

    let page = app.get(&format!("/concerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("Sunday 1 June 2031, 20:00 Berlin time"), "the page writes the venue's time");
    let (code, secret, _) = paid_order_at(&app.client, &app.base, Some(id), 1, "ada@example.org").await;
    let order: Value = app.get(&format!("/api/orders/{code}/{secret}")).await.json().await.unwrap();
    assert_eq!(order["concert"]["zone"]["name"], "Europe/Berlin", "an order carries its venue's zone");
    let order_page = app.get(&format!("/orders/{code}/{secret}")).await.text().await.unwrap();
    let at = order_page.find("order-concert").expect("the order page names its concert");
    assert!(
        order_page[at..at + 300].contains("Sunday 1 June 2031, 20:00 Berlin time"),
        "the order page too: {}",
        &order_page[at..at + 300]
    );

    // A new zone alone keeps the instant (the clocks of the new venue read it differently) ...
    let path = format!("/api/admin/concerts/{id}");
    let (status, moved) = admin(&app, Method::PATCH, &path, Some(json!({ "time_zone": "America/New_York" }))).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        (moved["starts_at"].as_str(), moved["zone"]["offset_minutes"].as_i64()),
        (Some("2031-06-01T18:00:00Z"), Some(-240))
    );
    // ... and a wall-clock start with it is read by the new venue's clocks.
    let patch = json!({ "time_zone": "America/New_York", "starts_at": "2031-06-01T20:00" });
    let (status, moved) = admin(&app, Method::PATCH, &path, Some(patch)).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["starts_at"], "2031-06-02T00:00:00Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_zone_or_a_time_the_clocks_skip_is_refused_by_name_and_creates_nothing() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let before = concert_count(&app).await;
    let cases = [
        (concert_body("Nowhere", "Mars/Olympus", "2031-06-01T20:00"), "“Mars/Olympus”"),
        (concert_body("Spring", "Europe/Berlin", "2031-03-30T02:30"), "does not exist in Europe/Berlin"),
        (concert_body("Autumn", "Europe/Berlin", "2031-10-26T02:30"), "happens twice in Europe/Berlin"),
    ];
    for (body, named) in cases {
        let (status, refused) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
        assert_eq!((status, refused["error"].as_str()), (422, Some("invalid_concert")), "{refused}");
        assert!(refused["message"].as_str().unwrap().contains(named), "{refused}");
    }
    assert_eq!(concert_count(&app).await, before, "no concert was created");
    let default = app.store.default_event_id();
    let (status, refused) = admin(
        &app,
        Method::PATCH,
        &format!("/api/admin/concerts/{default}"),
        Some(json!({ "time_zone": "Atlantis/Capital" })),
    )
    .await;
    assert_eq!((status, refused["error"].as_str()), (422, Some("invalid_concert")), "{refused}");
    let shown: Value = app.get(&format!("/api/concerts/{default}")).await.json().await.unwrap();
    assert_eq!(shown["zone"]["name"], "UTC", "the refused edit changed nothing");
}
