//! The checkout over REST, one request at a time: each step's status code and JSON, and nothing changed by
//! a refused step.

use crate::helpers::{assert_conserved, capacities, spawn_app_with, tier_counts};
use model::Tier;
use serde_json::{json, Value};
use server::store::SaleSettings;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hold_pay_show_and_cancel_over_rest() {
    let app = spawn_app_with(capacities(10, 10, 10), SaleSettings::default()).await;
    let bad = app.post_json("/api/holds", json!({ "tier": "vip", "quantity": 1, "name": "Ada" })).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_email");

    let held = app
        .post_json("/api/holds", json!({ "tier": "vip", "quantity": 2, "name": "Ada", "email": "ada@example.org" }))
        .await;
    assert_eq!(held.status(), 201);
    let hold: Value = held.json().await.unwrap();
    assert_eq!((hold["status"].as_str(), hold["total_cents"].as_i64()), (Some("held"), Some(20_000)));
    let id = hold["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/holds/{id}")).await.json::<Value>().await.unwrap()["status"], "held");
    assert_eq!(app.get("/api/holds/h_nope").await.status(), 404);

    let pay_path = format!("/api/holds/{id}/payment");
    let pay = |card: &'static str, cvc: &'static str| {
        app.post_json(&pay_path, json!({ "card_number": card, "expiry": "12/35", "cvc": cvc }))
    };
    let invalid = pay("4242 4242 4242 4241", "123").await;
    assert_eq!(invalid.status(), 422);
    assert_eq!(invalid.json::<Value>().await.unwrap()["error"], "invalid_card");
    let declined = pay("4000 0000 0000 0002", "123").await;
    assert_eq!(declined.status(), 402);
    assert_eq!(declined.json::<Value>().await.unwrap()["error"], "payment_declined");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 2);

    let paid = pay("4242 4242 4242 4242", "123").await;
    assert_eq!(paid.status(), 201);
    let order: Value = paid.json().await.unwrap();
    let (code, secret) = (order["code"].as_str().unwrap(), order["secret"].as_str().unwrap());
    assert_eq!((order["status"].as_str(), order["card_last4"].as_str()), (Some("paid"), Some("4242")));
    assert!(!order.to_string().contains("4242424242424242"), "the card number is not echoed");

    let shown: Value = app.get(&format!("/api/orders/{code}/{secret}")).await.json().await.unwrap();
    assert_eq!(shown["tickets"].as_array().unwrap().len(), 2);
    assert!(shown["tickets"][0]["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let wrong = app.get(&format!("/api/orders/{code}/{}", "0".repeat(32))).await;
    assert_eq!(wrong.status(), 404, "a wrong secret is not found, not forbidden");

    let cancelled = app.post_json(&format!("/api/orders/{code}/{secret}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), 200);
    assert_eq!(cancelled.json::<Value>().await.unwrap()["status"], "cancelled");
    let again = app.post_json(&format!("/api/orders/{code}/{secret}/cancel"), json!({})).await;
    assert_eq!(
        (again.status().as_u16(), again.json::<Value>().await.unwrap()["error"].as_str()),
        (409, Some("order_cancelled"))
    );
    let counts = tier_counts(&app.store, Tier::Vip).await;
    assert_eq!((counts.sold, counts.held), (0, 0));
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_an_expired_hold_is_410_and_charges_nothing() {
    let sale = SaleSettings { hold_for: Duration::from_millis(200), ..SaleSettings::default() };
    let app = spawn_app_with(capacities(10, 10, 10), sale).await;
    let hold: Value = app
        .post_json("/api/holds", json!({ "tier": "general", "quantity": 1, "name": "Ada", "email": "ada@example.org" }))
        .await
        .json()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = hold["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/holds/{id}")).await.json::<Value>().await.unwrap()["status"], "expired");
    let paid = app
        .post_json(
            &format!("/api/holds/{id}/payment"),
            json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" }),
        )
        .await;
    assert_eq!(paid.status(), 410);
    assert_eq!(paid.json::<Value>().await.unwrap()["error"], "hold_expired");
    let charges: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(charges, 0);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_idempotency_key_is_400() {
    let app = spawn_app_with(capacities(10, 10, 10), SaleSettings::default()).await;
    let response = app
        .client
        .post(app.url("/api/bookings"))
        .header("idempotency-key", "has spaces in it")
        .json(&json!({ "user_id": "u", "tier": "vip", "quantity": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_idempotency_key");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.sold, 0);
}

/// A paid order of two tickets over REST: its code, secret and ticket codes.
async fn paid_order(app: &crate::helpers::TestApp, email: &str) -> (String, String, Vec<String>) {
    crate::helpers::paid_order_at(&app.client, &app.base, None, 2, email).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_cancel_with_a_wrong_secret_is_not_found_and_shows_nothing_of_the_order() {
    let app = spawn_app_with(capacities(10, 10, 10), SaleSettings::default()).await;
    let (code, secret, tickets) = paid_order(&app, "ada@example.org").await;
    let client = app.client.clone();
    let cancel = |secret: String, key: &'static str| {
        let (url, client) = (app.url(&format!("/api/orders/{code}/{secret}/cancel")), client.clone());
        async move {
            let response = client.post(url).header("idempotency-key", key).json(&json!({})).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, first) = cancel(secret.clone(), "cancel-1").await;
    assert_eq!(status, 200, "{first}");

    let wrong_secret = "0".repeat(32);
    let (status, answer) = cancel(wrong_secret, "cancel-1").await;
    assert_eq!(status, 404, "the owner's key with a wrong secret: {answer}");
    assert_eq!(serde_json::from_str::<Value>(&answer).unwrap()["error"], "order_not_found");
    assert!(!answer.contains(&secret), "the secret is not replayed to a wrong secret: {answer}");
    assert!(tickets.iter().all(|ticket| !answer.contains(ticket.as_str())), "nor the tickets: {answer}");

    let (status, replayed) = cancel(secret.clone(), "cancel-1").await;
    assert_eq!((status, replayed), (200, first), "the right secret with the same key gets the first answer");

    let (other_code, other_secret, _) = paid_order(&app, "bob@example.org").await;
    let reused = app
        .client
        .post(app.url(&format!("/api/orders/{other_code}/{other_secret}/cancel")))
        .header("idempotency-key", "cancel-1")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 422, "the key belongs to another cancellation");
    assert_eq!(tier_counts(&app.store, Tier::General).await.sold, 2, "only the first order was cancelled");
    assert_conserved(&app.store).await;
}

/// The per-buyer limit cannot be evaded by writing the same address another way: an invisible character
/// is refused, another case or Unicode form of it is the same buyer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_buyer_limit_is_not_evaded_by_varying_the_email() {
    let app = spawn_app_with(capacities(20, 10, 10), SaleSettings::default()).await;
    let hold = |email: &'static str, quantity: u32| {
        app.post_json("/api/holds", json!({ "tier": "vip", "quantity": quantity, "name": "Zoë", "email": email }))
    };
    assert_eq!(hold("zoë@example.org", 4).await.status(), 201);
    let invisible = hold("zo\u{200b}ë@example.org", 4).await;
    assert_eq!(invisible.status(), 422);
    assert_eq!(invisible.json::<Value>().await.unwrap()["error"], "invalid_email");
    for same_buyer in ["ZOË@EXAMPLE.ORG", "zoe\u{308}@example.org", "  zoë@example.org "] {
        let again = hold(same_buyer, 1).await;
        assert_eq!(again.status(), 409, "{same_buyer:?} is the same buyer");
        assert_eq!(again.json::<Value>().await.unwrap()["error"], "buyer_limit");
    }
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 4);
    assert_conserved(&app.store).await;
}

/// A key is one request's across the whole API: used for a hold, then for a one-step booking, the booking
/// is refused as a reused key, not made as a second purchase.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_across_endpoints_is_reused_not_a_second_purchase() {
    let app = spawn_app_with(capacities(10, 10, 10), SaleSettings::default()).await;
    let send = |path: &'static str, body: Value| {
        app.client.post(app.url(path)).header("idempotency-key", "one-key").json(&body).send()
    };
    let held =
        send("/api/holds", json!({ "tier": "general", "quantity": 2, "name": "Ada", "email": "ada@example.org" }))
            .await
            .unwrap();
    assert_eq!(held.status(), 201);
    let booked =
        send("/api/bookings", json!({ "user_id": "ada@example.org", "tier": "general", "quantity": 2 })).await.unwrap();
    assert_eq!(booked.status(), 422, "the key was a hold's");
    assert_eq!(booked.json::<Value>().await.unwrap()["error"], "idempotency_key_reused");
    let counts = tier_counts(&app.store, Tier::General).await;
    assert_eq!((counts.held, counts.sold), (2, 0), "the hold only: nothing booked under its key");
    assert_conserved(&app.store).await;
}

/// A buyer gives a hold back: its tickets are on sale at once, it cannot be paid, and the buyer's limit no
/// longer counts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_hold_returns_its_tickets_at_once_and_cannot_be_paid() {
    let app = spawn_app_with(capacities(10, 10, 10), SaleSettings::default()).await;
    let body = json!({ "tier": "vip", "quantity": 4, "name": "Ada", "email": "ada@example.org" });
    let held: Value = app.post_json("/api/holds", body.clone()).await.json().await.unwrap();
    let id = held["id"].as_str().unwrap();
    let over = app
        .post_json("/api/holds", json!({ "tier": "vip", "quantity": 1, "name": "Ada", "email": "ada@example.org" }))
        .await;
    assert_eq!(over.json::<Value>().await.unwrap()["error"], "buyer_limit", "the hold counts against the limit");

    let released = app.post_json(&format!("/api/holds/{id}/release"), json!({})).await;
    assert_eq!(released.status(), 200);
    assert_eq!(released.json::<Value>().await.unwrap()["status"], "released");
    let counts = tier_counts(&app.store, Tier::Vip).await;
    assert_eq!((counts.held, counts.sold), (0, 0), "the tickets are back on sale at once");
    assert_eq!(app.get(&format!("/api/holds/{id}")).await.json::<Value>().await.unwrap()["status"], "released");

    let pay = app
        .post_json(
            &format!("/api/holds/{id}/payment"),
            json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" }),
        )
        .await;
    assert_eq!(pay.status(), 409, "a released hold cannot be paid");
    assert_eq!(pay.json::<Value>().await.unwrap()["error"], "hold_released");
    let again = app.post_json(&format!("/api/holds/{id}/release"), json!({})).await;
    assert_eq!(
        (again.status().as_u16(), again.json::<Value>().await.unwrap()["error"].clone()),
        (409, json!("hold_released"))
    );
    assert_eq!(app.post_json("/api/holds/h_nope/release", json!({})).await.status(), 404);

    let anew = app.post_json("/api/holds", body).await;
    assert_eq!(anew.status(), 201, "the buyer may hold again: the released hold no longer counts");
    let payments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(payments, 0, "nothing was charged");
    assert_conserved(&app.store).await;
}
