//! `POST /api/bookings` and `GET /api/bookings/{id}` on the happy path and when stock runs short.

use crate::helpers::{assert_conserved, capacities, spawn_app};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_two_vip_answers_201_with_the_booking_and_takes_two_off_availability() {
    let app = spawn_app(capacities(100, 500, 5000)).await;
    let response = app.post_json("/api/bookings", json!({"user_id": "u-17", "tier": "vip", "quantity": 2})).await;
    assert_eq!(response.status(), 201);
    let booking: Value = response.json().await.unwrap();
    assert_eq!(booking["user_id"], "u-17");
    assert_eq!(booking["tier"], "vip");
    assert_eq!(booking["quantity"], 2);
    assert_eq!(booking["unit_price_cents"], 10_000);
    assert_eq!(booking["total_cents"], 20_000);
    let created_at = booking["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).unwrap().offset().local_minus_utc() == 0, "UTC");

    let tickets: Value = app.get("/api/tickets").await.json().await.unwrap();
    assert_eq!(tickets[0]["available"], 98);

    let id = booking["id"].as_str().unwrap();
    let again = app.get(&format!("/api/bookings/{id}")).await;
    assert_eq!(again.status(), 200);
    let mut without_secret = booking.clone();
    let secret = without_secret.as_object_mut().unwrap().remove("secret");
    assert_eq!(secret.and_then(|s| s.as_str().map(str::len)), Some(32), "the answer carries the order's secret");
    assert_eq!(again.json::<Value>().await.unwrap(), without_secret, "a lookup by code alone does not");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_booking_is_404_with_a_json_error() {
    let app = spawn_app(capacities(1, 1, 1)).await;
    let response = app.get("/api/bookings/BX-AAAAA-AAAAA").await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_more_than_is_left_is_409_sold_out_with_what_is_available() {
    let app = spawn_app(capacities(3, 1, 1)).await;
    assert_eq!(
        app.post_json("/api/bookings", json!({"user_id": "a", "tier": "vip", "quantity": 2})).await.status(),
        201
    );
    let response = app.post_json("/api/bookings", json!({"user_id": "b", "tier": "vip", "quantity": 2})).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!((body["error"].as_str(), body["available"].as_u64()), (Some("sold_out"), Some(1)));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_booking_is_still_shown_with_its_status() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let booked: Value = app
        .post_json("/api/bookings", json!({ "user_id": "u1", "tier": "general", "quantity": 2 }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(booked["status"], "paid");
    let (id, secret) = (booked["id"].as_str().unwrap(), booked["secret"].as_str().unwrap());
    let cancelled = app.post_json(&format!("/api/orders/{id}/{secret}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), 200);
    let shown = app.get(&format!("/api/bookings/{id}")).await;
    assert_eq!(shown.status(), 200, "a cancelled booking does not vanish");
    let shown: Value = shown.json().await.unwrap();
    assert_eq!((shown["status"].as_str(), shown["quantity"].as_u64()), (Some("cancelled"), Some(2)));
    assert!(shown.get("secret").is_none(), "a lookup by code never shows the secret");
    assert_conserved(&app.store).await;
}
