//! The waiting list over REST, on both databases: joining only a tier that cannot serve the buyer, returned
//! tickets offered to the first in line as a hold (counted as held: nobody racing for them gets them), the
//! offer passing to the next when it runs out, its mail linking to the checkout that pays it; bad joins
//! changing nothing; and find my orders answering the same whether or not the address bought anything.

use crate::helpers::{
    assert_conserved, capacities, json_of, paid_order_at, spawn_app, spawn_app_with, tier_counts, TestApp, ADMIN_TOKEN,
};
use model::Tier;
use serde_json::{json, Value};
use server::store::SaleSettings;
use std::time::Duration;

fn join(email: &str, quantity: u32) -> Value {
    json!({ "tier": "general", "quantity": quantity, "email": email, "name": "Waiting Buyer" })
}

async fn waitlist(app: &TestApp) -> Vec<Value> {
    let url = app.url(&format!("/api/admin/waitlist?concert={}", app.store.default_event_id()));
    json_of(app.client.get(url).bearer_auth(ADMIN_TOKEN)).await.as_array().expect("a list").clone()
}

/// The outbox's offers as `(recipient, hold)`.
async fn offer_mails(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT recipient, hold_id FROM outbox WHERE kind = 'waitlist_offer' ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

async fn rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM waitlist").fetch_one(app.store.pool()).await.unwrap()
}

fn path(app: &TestApp) -> String {
    format!("/api/concerts/{}/waitlist", app.store.default_event_id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returned_tickets_are_offered_in_order_and_pass_on_when_an_offer_runs_out() {
    let sale = SaleSettings { offer_for: Duration::from_secs(2), ..SaleSettings::default() };
    let app = spawn_app_with(capacities(5, 5, 2), sale).await;
    let refused = app.post_json(&path(&app), join("early@example.org", 2)).await;
    assert_eq!(refused.status(), 409, "two of two left: buy them");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "tickets_available");
    assert_eq!(rows(&app).await, 0, "a refused join writes nothing");

    let (code, secret, _) = paid_order_at(&app.client, &app.base, None, 2, "first@example.org").await;
    let ada = app.post_json(&path(&app), join("Ada@Example.org", 2)).await;
    assert_eq!(ada.status(), 201);
    let ada: Value = ada.json().await.unwrap();
    assert_eq!(ada["place"], 1);
    let bob: Value = json_of(app.client.post(app.url(&path(&app))).json(&join("bob@example.org", 2))).await;
    assert_eq!(bob["place"], 2);
    let again = app.post_json(&path(&app), join("ada@example.org", 1)).await;
    assert_eq!(again.status(), 409, "one place a buyer");
    assert_eq!(again.json::<Value>().await.unwrap()["error"], "already_waiting");
    let tickets: Value = app.get("/api/tickets").await.json().await.unwrap();
    assert_eq!(tickets[2]["waiting"], 2, "the page shows how many wait");
    assert_conserved(&app.store).await;

    // The order comes back: its two tickets are held for Ada, first in line.
    let cancelled = app.post_json(&format!("/api/orders/{code}/{secret}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), 200);
    let line = waitlist(&app).await;
    assert_eq!((line[0]["email"].as_str(), line[0]["state"].as_str()), (Some("ada@example.org"), Some("offered")));
    assert_eq!(line[1]["state"], "waiting");
    let ada_hold = line[0]["hold_id"].as_str().expect("the offer's hold").to_owned();
    let hold: Value = json_of(app.client.get(app.url(&format!("/api/holds/{ada_hold}")))).await;
    assert_eq!((hold["offer"].as_bool(), hold["quantity"].as_u64()), (Some(true), Some(2)));
    assert_eq!(tier_counts(&app.store, Tier::General).await.held, 2, "the offer is held stock");
    assert_eq!(offer_mails(&app).await, vec![("ada@example.org".to_owned(), ada_hold.clone())]);
    assert_conserved(&app.store).await;

    // Ada lets it run out: it passes to Bob, with his own mail.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let late = app.post_json(&format!("/api/holds/{ada_hold}/payment"), card()).await;
    assert_eq!(late.status(), 410, "Ada's offer ran out");
    let line = waitlist(&app).await;
    assert_eq!((line[0]["state"].as_str(), line[1]["state"].as_str()), (Some("lapsed"), Some("offered")));
    let bob_hold = line[1]["hold_id"].as_str().expect("Bob's offer").to_owned();
    assert_eq!(offer_mails(&app).await[1], ("bob@example.org".to_owned(), bob_hold.clone()));
    let paid = app.post_json(&format!("/api/holds/{bob_hold}/payment"), card()).await;
    assert_eq!(paid.status(), 201, "Bob pays his offer");
    assert_eq!(waitlist(&app).await[1]["state"], "bought");
    let tickets: Value = app.get("/api/tickets").await.json().await.unwrap();
    assert_eq!((tickets[2]["available"].as_u64(), tickets[2]["waiting"].as_u64()), (Some(0), Some(0)));
    assert_conserved(&app.store).await;
}

fn card() -> Value {
    json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyers_racing_for_an_offered_ticket_get_none_of_it_and_the_offered_buyer_pays() {
    let app = spawn_app(capacities(5, 5, 1)).await;
    let (code, secret, _) = paid_order_at(&app.client, &app.base, None, 1, "first@example.org").await;
    let joined = app.post_json(&path(&app), join("ada@example.org", 1)).await;
    assert_eq!(joined.status(), 201);
    let cancel = app.client.post(app.url(&format!("/api/orders/{code}/{secret}/cancel"))).json(&json!({})).send();
    // Ten buyers ask for the ticket as it comes back, ten more once it is back; the offer takes it in the
    // cancel's own batch.
    let racers = |from: u32| {
        futures::future::join_all((from..from + 10).map(|n| {
            let request =
                json!({ "tier": "general", "quantity": 1, "name": "Racer", "email": format!("r{n}@example.org") });
            app.client.post(app.url("/api/holds")).json(&request).send()
        }))
    };
    let (cancelled, mut raced) = tokio::join!(cancel, racers(0));
    assert_eq!(cancelled.unwrap().status(), 200);
    raced.extend(racers(10).await);
    let statuses: Vec<u16> = raced.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    let won = statuses.iter().filter(|s| **s == 201).count();
    let offered = waitlist(&app).await[0]["state"] == "offered";
    // A racer's hold may land before the cancel's batch (the ticket was sold then): it is refused either way.
    assert_eq!(won, 0, "nobody but the offered buyer gets the returned ticket: {statuses:?}");
    assert!(offered, "Ada holds the offer");
    let hold = waitlist(&app).await[0]["hold_id"].as_str().unwrap().to_owned();
    assert_eq!(app.post_json(&format!("/api/holds/{hold}/payment"), card()).await.status(), 201);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_join_is_refused_in_words_and_changes_nothing() {
    let app = spawn_app(capacities(5, 5, 0)).await;
    let concert = app.store.default_event_id();
    let cases = [
        (
            format!("/api/concerts/{concert}/waitlist"),
            json!({ "tier": "general", "quantity": 0, "email": "a@b.org", "name": "A" }),
            422,
            "invalid_quantity",
        ),
        (
            format!("/api/concerts/{concert}/waitlist"),
            json!({ "tier": "balcony", "quantity": 1, "email": "a@b.org", "name": "A" }),
            422,
            "unknown_tier",
        ),
        (
            format!("/api/concerts/{concert}/waitlist"),
            json!({ "tier": "general", "quantity": 1, "email": "nope", "name": "A" }),
            422,
            "invalid_email",
        ),
        (
            format!("/api/concerts/{concert}/waitlist"),
            json!({ "tier": "general", "quantity": "two", "email": "a@b.org", "name": "A" }),
            422,
            "invalid_field",
        ),
        (
            format!("/api/concerts/{concert}/waitlist"),
            json!({ "tier": "general", "quantity": 1, "email": "a@b.org", "name": "A", "x": 1 }),
            422,
            "invalid_field",
        ),
        (
            format!("/api/concerts/{concert}/waitlist"),
            json!({ "tier": "vip", "quantity": 5, "email": "a@b.org", "name": "A" }),
            409,
            "buyer_limit",
        ),
        (
            "/api/concerts/9999/waitlist".to_owned(),
            json!({ "tier": "general", "quantity": 1, "email": "a@b.org", "name": "A" }),
            404,
            "concert_not_found",
        ),
        (
            "/api/concerts/nine/waitlist".to_owned(),
            json!({ "tier": "general", "quantity": 1, "email": "a@b.org", "name": "A" }),
            404,
            "concert_not_found",
        ),
    ];
    for (path, body, status, error) in cases {
        let response = app.post_json(&path, body.clone()).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], error, "{body}: {answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "a refusal says why");
    }
    let malformed = app.client.post(app.url(&path(&app))).header("content-type", "application/json").body("{").send();
    assert_eq!(malformed.await.unwrap().status(), 400);
    let unauthorised = app.get(&format!("/api/admin/waitlist?concert={concert}")).await;
    assert_eq!(unauthorised.status(), 401, "the list names buyers: the operator's only");
    assert_eq!(rows(&app).await, 0);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_my_orders_mails_an_address_with_orders_and_answers_everyone_the_same() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    paid_order_at(&app.client, &app.base, None, 1, "ada@example.org").await;
    paid_order_at(&app.client, &app.base, None, 2, "ada@example.org").await;
    let ask = |email: &str| app.post_json("/api/orders/lookup", json!({ "email": email }));
    let found = ask("ADA@example.org ").await;
    assert_eq!(found.status(), 202);
    let found: Value = found.json().await.unwrap();
    let unknown = ask("nobody@example.org").await;
    assert_eq!(unknown.status(), 202);
    assert_eq!(unknown.json::<Value>().await.unwrap(), found, "the same answer whether or not it bought");
    assert!(!found.to_string().contains("BX-"), "no order shows on the page");
    assert_eq!(ask("ada@example.org").await.status(), 202, "asked again at once");
    let queued: Vec<(String,)> = sqlx::query_as("SELECT recipient FROM outbox WHERE kind = 'orders_found'")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(queued, vec![("ada@example.org".to_owned(),)], "one mail, to the address with orders, once");
    let bad = ask("not an address").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_email");
}
