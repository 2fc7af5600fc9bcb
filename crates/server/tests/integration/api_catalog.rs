//! `GET /api/tickets` and `GET /healthz` over real HTTP.

use crate::helpers::{capacities, spawn_app};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_lists_the_three_tiers_with_prices_and_availability() {
    let app = spawn_app(capacities(100, 500, 5000)).await;
    let response = app.get("/api/tickets").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!([
            {"tier": "vip", "name": "VIP", "price_cents": 10000, "capacity": 100, "available": 100, "on_sale": true, "seated": false, "waiting": 0},
            {"tier": "front_row", "name": "Front Row", "price_cents": 5000, "capacity": 500, "available": 500, "on_sale": true, "seated": false, "waiting": 0},
            {"tier": "general", "name": "General Admission", "price_cents": 1000, "capacity": 5000, "available": 5000, "on_sale": true, "seated": false, "waiting": 0}
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_when_the_database_does() {
    let app = spawn_app(capacities(1, 1, 1)).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    app.store.close().await;
    assert_eq!(app.get("/healthz").await.status(), 503, "a closed database is reported");
}
