//! The operator edits a concert and takes it off the shop: what changes reaches buyers at once (pages,
//! orders, calendar files), a price never moves under a buyer's hold (also when holds race the edit), a
//! concert with buyers stays listed, and bad changes are refused by name and change nothing.

use crate::{
    api_admin::admin,
    helpers::{assert_conserved, capacities, paid_order_at, spawn_app, TestApp},
};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

async fn new_concert(app: &TestApp, name: &str) -> i64 {
    let body = json!({
        "name": name, "venue": "Blue Hall", "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "tiers": [{ "tier": "vip", "price_cents": 12000, "capacity": 30 }, { "tier": "general", "price_cents": 2500, "capacity": 40 }]
    });
    let (status, created) = admin(app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn hold(app: &TestApp, concert: i64, tier: &str, email: &str) -> reqwest::Response {
    app.post_json(
        "/api/holds",
        json!({ "concert_id": concert, "tier": tier, "quantity": 1, "name": "Ada", "email": email }),
    )
    .await
}

fn price(concert: &Value, tier: &str) -> i64 {
    concert["tiers"].as_array().unwrap().iter().find(|t| t["tier"] == tier).unwrap()["price_cents"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reaches_the_concert_its_orders_and_their_calendar_files() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let concert = new_concert(&app, "Night Jazz").await;
    let (code, secret, _) = paid_order_at(&app.client, &app.base, Some(concert), 1, "ada@example.org").await;
    let later = (Utc::now() + Duration::days(90)).with_timezone(&Utc);
    let patch = json!({ "name": "Night Jazz (moved)", "venue": "Green Hall", "starts_at": later.to_rfc3339(),
                        "tiers": [{ "tier": "vip", "price_cents": 15000 }] });
    let (status, edited) = admin(&app, Method::PATCH, &format!("/api/admin/concerts/{concert}"), Some(patch)).await;
    assert_eq!(status, 200, "{edited}");
    let shown: Value = app.get(&format!("/api/concerts/{concert}")).await.json().await.unwrap();
    assert_eq!((shown["name"].as_str(), shown["venue"].as_str()), (Some("Night Jazz (moved)"), Some("Green Hall")));
    assert_eq!(shown["starts_at"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().unwrap(), later);
    assert_eq!(price(&shown, "vip"), 15000, "VIP had no buyer: its price changed");
    let order: Value = app.get(&format!("/api/orders/{code}/{secret}")).await.json().await.unwrap();
    assert_eq!(order["concert"]["venue"], "Green Hall", "the order shows the concert as it now is");
    let calendar = app.get(&format!("/api/orders/{code}/{secret}/calendar.ics")).await.text().await.unwrap();
    assert!(calendar.contains("LOCATION:Green Hall") && calendar.contains(&later.format("%Y%m%dT%H%M%SZ").to_string()));
    // A new hold is for the concert as edited, at the new price.
    let held: Value = hold(&app, concert, "vip", "bo@example.org").await.json().await.unwrap();
    assert_eq!(
        (held["total_cents"].as_i64(), held["concert"]["name"].as_str()),
        (Some(15000), Some("Night Jazz (moved)"))
    );
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_stays_while_a_buyer_has_its_tickets_and_bad_edits_change_nothing() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let concert = new_concert(&app, "Night Jazz").await;
    assert_eq!(hold(&app, concert, "general", "ada@example.org").await.status(), 201);
    let path = format!("/api/admin/concerts/{concert}");
    let before: Value = app.get(&format!("/api/concerts/{concert}")).await.json().await.unwrap();

    let (status, refused) =
        admin(&app, Method::PATCH, &path, Some(json!({ "tiers": [{ "tier": "general", "price_cents": 100 }] }))).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("concert_has_sales")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("General Admission"), "{refused}");
    let past = (Utc::now() - Duration::days(1)).to_rfc3339();
    for (patch, want_status, want_error) in [
        (json!({ "starts_at": past }), 422, "invalid_concert"),
        (json!({ "starts_at": "next friday" }), 422, "invalid_concert"),
        (json!({ "name": " " }), 422, "invalid_concert"),
        (json!({ "tiers": [{ "tier": "vip", "price_cents": -5 }] }), 422, "invalid_concert"),
        (json!({ "tiers": [{ "tier": "front_row", "price_cents": 5 }] }), 422, "invalid_concert"),
        (json!({ "tiers": [{ "tier": "balcony", "price_cents": 5 }] }), 422, "unknown_tier"),
        (json!({ "colour": "red" }), 422, "invalid_field"),
        (json!({ "name": 5 }), 422, "invalid_field"),
    ] {
        let (status, body) = admin(&app, Method::PATCH, &path, Some(patch.clone())).await;
        assert_eq!((status, body["error"].as_str()), (want_status, Some(want_error)), "{patch}: {body}");
    }
    let (status, _) = admin(&app, Method::PATCH, "/api/admin/concerts/999", Some(json!({ "name": "X" }))).await;
    assert_eq!(status, 404);
    let forged =
        app.client.patch(app.url(&path)).bearer_auth("forged").json(&json!({ "name": "X" })).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    let after: Value = app.get(&format!("/api/concerts/{concert}")).await.json().await.unwrap();
    assert_eq!(after, before, "nothing changed");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn holds_racing_a_price_change_all_pay_the_tiers_one_price() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    for round in 0..5 {
        let concert = new_concert(&app, &format!("Race {round}")).await;
        let path = format!("/api/admin/concerts/{concert}");
        let holds =
            (0..12).map(|i| {
                let app = &app;
                async move {
                    hold(app, concert, "general", &format!("b{i}@example.org")).await.json::<Value>().await.unwrap()
                }
            });
        let edit =
            admin(&app, Method::PATCH, &path, Some(json!({ "tiers": [{ "tier": "general", "price_cents": 999 }] })));
        let (holds, (status, _)) = tokio::join!(futures::future::join_all(holds), edit);
        let shown: Value = app.get(&format!("/api/concerts/{concert}")).await.json().await.unwrap();
        let now = price(&shown, "general");
        assert!(holds.iter().all(|h| h["total_cents"].as_i64() == Some(now)), "round {round}: {holds:?} vs {now}");
        assert_eq!(status == 200, now == 999, "round {round}: the edit's answer says what happened");
    }
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpublished_concert_is_gone_for_buyers_and_comes_back() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let concert = new_concert(&app, "Quiet Night").await;
    let (status, off) = admin(&app, Method::POST, &format!("/api/admin/concerts/{concert}/unpublish"), None).await;
    assert_eq!((status, off["published"].as_bool()), (200, Some(false)), "{off}");
    let listed: Value = app.get("/api/concerts").await.json().await.unwrap();
    assert!(listed.as_array().unwrap().iter().all(|c| c["id"] != concert), "not listed");
    assert_eq!(app.get(&format!("/api/concerts/{concert}")).await.status(), 404);
    assert_eq!(app.get(&format!("/concerts/{concert}")).await.status(), 404, "its page is gone");
    let refused = hold(&app, concert, "vip", "ada@example.org").await;
    assert_eq!(refused.status(), 404);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "concert_not_found");

    let (status, on) = admin(&app, Method::POST, &format!("/api/admin/concerts/{concert}/publish"), None).await;
    assert_eq!((status, on["published"].as_bool()), (200, Some(true)));
    assert_eq!(hold(&app, concert, "vip", "ada@example.org").await.status(), 201);
    // Now it has a buyer: it stays on the shop.
    let (status, refused) = admin(&app, Method::POST, &format!("/api/admin/concerts/{concert}/unpublish"), None).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("concert_has_sales")), "{refused}");
    let home = app.store.default_event_id();
    let (status, refused) = admin(&app, Method::POST, &format!("/api/admin/concerts/{home}/unpublish"), None).await;
    assert_eq!((status, refused["error"].as_str()), (422, Some("invalid_concert")), "{refused}");
    assert_eq!(app.get(&format!("/api/concerts/{concert}")).await.status(), 200);
    assert_conserved(&app.store).await;
}
