//! Checkout races over a live server, in the manner of pretix's `concurrency_tests`: many requests at once
//! for the last tickets, for one hold, with one idempotency key, and payments racing a hold's expiry.
//! Each guard these rely on was removed once to watch its test fail (see the closing note of issue 3).

use crate::helpers::{assert_conserved, capacities, spawn_app_with, tier_counts, TestApp};
use futures::future::join_all;
use model::Tier;
use serde_json::{json, Value};
use server::store::SaleSettings;
use std::{collections::HashMap, time::Duration};

const APPROVED: &str = "4242424242424242";

fn sale(hold_for: Duration) -> SaleSettings {
    SaleSettings { hold_for, buyer_limits: model::BuyerLimits::unlimited(), ..SaleSettings::default() }
}

async fn post(app: &TestApp, path: &str, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn hold_body(email: &str, quantity: u32) -> Value {
    json!({ "tier": "general", "quantity": quantity, "name": "Ada", "email": email })
}

fn card(number: &str) -> Value {
    json!({ "card_number": number, "expiry": "12/35", "cvc": "123" })
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.store.pool()).await.unwrap()
}

fn tally(statuses: impl IntoIterator<Item = u16>) -> HashMap<u16, usize> {
    let mut tally = HashMap::new();
    for status in statuses {
        *tally.entry(status).or_default() += 1;
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_buyers_for_the_last_twenty_tickets_make_exactly_twenty_holds() {
    let app = spawn_app_with(capacities(0, 0, 20), sale(Duration::from_secs(600))).await;
    let attempts = (0..200).map(|i| {
        let app = &app;
        async move { post(app, "/api/holds", None, hold_body(&format!("buyer{i}@example.org"), 1)).await }
    });
    let answers = join_all(attempts).await;
    let statuses = tally(answers.iter().map(|(status, _)| *status));
    assert_eq!(statuses, HashMap::from([(201, 20), (409, 180)]), "{statuses:?}");
    assert!(answers.iter().filter(|(s, _)| *s == 409).all(|(_, body)| body["error"] == "sold_out"));
    assert_eq!(tier_counts(&app.store, Tier::General).await.held, 20);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_payments_of_one_hold_charge_it_once() {
    let app = spawn_app_with(capacities(0, 0, 20), sale(Duration::from_secs(600))).await;
    let (_, hold) = post(&app, "/api/holds", None, hold_body("ada@example.org", 2)).await;
    let path = format!("/api/holds/{}/payment", hold["id"].as_str().unwrap());
    let answers = join_all((0..20).map(|_| post(&app, &path, None, card(APPROVED)))).await;
    let statuses = tally(answers.iter().map(|(status, _)| *status));
    assert_eq!(statuses, HashMap::from([(201, 1), (409, 19)]), "{statuses:?}");
    assert!(answers.iter().filter(|(s, _)| *s == 409).all(|(_, body)| body["error"] == "hold_already_paid"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments WHERE outcome = 'approved'").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 1);
    assert_eq!(tier_counts(&app.store, Tier::General).await.sold, 2);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payments_racing_expiry_either_pay_or_charge_nothing() {
    let hold_for = Duration::from_millis(1000);
    let app = spawn_app_with(capacities(0, 0, 60), sale(hold_for)).await;
    let holds =
        join_all((0..60).map(|i| post(&app, "/api/holds", None, hold_body(&format!("b{i}@example.org"), 1)))).await;
    let started = tokio::time::Instant::now();
    // A third pays well before expiry, a third right at it, a third well after.
    let payments = holds.iter().enumerate().map(|(i, (status, hold))| {
        assert_eq!(*status, 201);
        let at = match i % 3 {
            0 => Duration::ZERO,
            1 => hold_for - Duration::from_millis(20) + Duration::from_millis((i as u64 % 5) * 10),
            _ => hold_for + Duration::from_millis(500),
        };
        let path = format!("/api/holds/{}/payment", hold["id"].as_str().unwrap());
        let app = &app;
        async move {
            tokio::time::sleep_until(started + at).await;
            (i % 3, post(app, &path, None, card(APPROVED)).await.0)
        }
    });
    let answers = join_all(payments).await;
    for (group, status) in &answers {
        assert!(*status == 201 || *status == 410, "payment answered {status}");
        match group {
            0 => assert_eq!(*status, 201, "paid well before expiry"),
            2 => assert_eq!(*status, 410, "paid well after expiry"),
            _ => {}
        }
    }
    let paid = answers.iter().filter(|(_, status)| *status == 201).count() as i64;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments WHERE outcome = 'approved'").await, paid, "a charge per 201");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, paid, "an order per 201");
    assert_eq!(tier_counts(&app.store, Tier::General).await.sold, paid);
    app.store.sweep().await.unwrap();
    assert_eq!(app.store.tiers().await.unwrap()[2].available as i64, 60 - paid);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_idempotency_key_sent_fifty_times_at_once_makes_one_hold_and_one_charge() {
    let app = spawn_app_with(capacities(0, 0, 100), sale(Duration::from_secs(600))).await;
    let body = hold_body("ada@example.org", 3);
    let answers = join_all((0..50).map(|_| post(&app, "/api/holds", Some("hold-key-1"), body.clone()))).await;
    let created: Vec<&Value> = answers.iter().filter(|(s, _)| *s == 201).map(|(_, b)| b).collect();
    assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 409), "{:?}", tally(answers.iter().map(|(s, _)| *s)));
    assert!(!created.is_empty());
    assert!(created.iter().all(|hold| hold["id"] == created[0]["id"]), "every 201 names the same hold");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM holds").await, 1);
    assert_eq!(tier_counts(&app.store, Tier::General).await.held, 3);

    let path = format!("/api/holds/{}/payment", created[0]["id"].as_str().unwrap());
    let answers = join_all((0..50).map(|_| post(&app, &path, Some("pay-key-1"), card(APPROVED)))).await;
    let orders: Vec<&Value> = answers.iter().filter(|(s, _)| *s == 201).map(|(_, b)| b).collect();
    assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 409));
    assert!(!orders.is_empty() && orders.iter().all(|order| order["code"] == orders[0]["code"]));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments").await, 1, "one charge");
    assert_eq!(tier_counts(&app.store, Tier::General).await.sold, 3);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_still_running_is_409_and_a_key_reused_for_another_request_is_422() {
    let app = spawn_app_with(capacities(0, 0, 100), sale(Duration::from_secs(600))).await;
    let (_, hold) = post(&app, "/api/holds", None, hold_body("ada@example.org", 1)).await;
    let path = format!("/api/holds/{}/payment", hold["id"].as_str().unwrap());
    // The processor-timeout card keeps the first request running for a while.
    let slow = post(&app, &path, Some("k"), card("4000000000000119"));
    let second = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        post(&app, &path, Some("k"), card("4000000000000119")).await
    };
    let ((first, body), (second, second_body)) = tokio::join!(slow, second);
    assert_eq!((first, body["error"].as_str()), (503, Some("payment_unavailable")));
    assert_eq!((second, second_body["error"].as_str()), (409, Some("idempotency_key_in_use")));

    let (status, body) = post(&app, "/api/holds", Some("h"), hold_body("ada@example.org", 1)).await;
    assert_eq!(status, 201);
    let (again, same) = post(&app, "/api/holds", Some("h"), hold_body("ada@example.org", 1)).await;
    assert_eq!((again, &same), (201, &body), "a retry gets the stored answer");
    let (status, other) = post(&app, "/api/holds", Some("h"), hold_body("ada@example.org", 2)).await;
    assert_eq!((status, other["error"].as_str()), (422, Some("idempotency_key_reused")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM holds").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments").await, 0, "a processor timeout charges nothing");
    assert_conserved(&app.store).await;
}
