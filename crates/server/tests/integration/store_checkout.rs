//! The checkout in the store: hold, pay, decline, expiry, cancel, limits, finding an order. Every test ends
//! with the conservation check (`sold + held + available == capacity`, counters agreeing with rows).

use crate::helpers::{assert_conserved, capacities, fresh_store_with, tier_counts};
use model::{BookingError, BookingRequest, BuyerLimits, OrderStatus, Quantity, Tier};
use server::store::{Charge, SaleSettings, StoreError};
use std::time::Duration;

pub fn buyer(email: &str, tier: Tier, quantity: i64) -> BookingRequest {
    BookingRequest::from_buyer(Ok(tier), Quantity::new(quantity), "Ada", email).expect("a valid request")
}

pub fn approved() -> Charge {
    Charge::Approved { card_last4: "4242".into() }
}

pub fn settings(hold_for: Duration) -> SaleSettings {
    SaleSettings { hold_for, ..SaleSettings::default() }
}

fn refusal(error: StoreError) -> BookingError {
    match error {
        StoreError::Rejected(refusal) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_takes_tickets_off_sale_and_paying_turns_it_into_an_order_with_tickets() {
    let (store, _dir) = fresh_store_with(capacities(10, 10, 10), settings(Duration::from_secs(600))).await;
    let hold = store.place_hold(buyer("ada@example.org", Tier::FrontRow, 3), None).await.unwrap();
    assert_eq!((hold.quantity, hold.total_cents.0), (3, 15_000));
    let counts = tier_counts(&store, Tier::FrontRow).await;
    assert_eq!((counts.held, counts.sold), (3, 0));
    assert_conserved(&store).await;

    let order = store.pay_hold(&hold.id, approved(), None).await.unwrap();
    assert_eq!((order.quantity, order.tickets.len(), order.status), (3, 3, OrderStatus::Paid));
    assert_eq!(order.card_last4.as_deref(), Some("4242"));
    let codes: std::collections::HashSet<_> = order.tickets.iter().map(|t| &t.code).collect();
    assert_eq!(codes.len(), 3, "each ticket has its own code");
    let counts = tier_counts(&store, Tier::FrontRow).await;
    assert_eq!((counts.held, counts.sold), (0, 3));
    assert_eq!(store.order(&order.code, &order.secret).await.unwrap().tickets, order.tickets);
    assert!(matches!(store.order(&order.code, "wrong").await, Err(StoreError::NotFound)));
    assert_eq!(store.find_order(&order.code.to_lowercase(), "ADA@example.org").await.unwrap().code, order.code);
    assert!(matches!(store.find_order(&order.code, "eve@example.org").await, Err(StoreError::NotFound)));
    assert_eq!(store.hold(&hold.id).await.unwrap().order_code.as_deref(), Some(order.code.as_str()));
    let charges: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE outcome = 'approved' AND kind = 'charge'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(charges, 1);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_keeps_the_hold_and_the_buyer_may_pay_again() {
    let (store, _dir) = fresh_store_with(capacities(10, 10, 10), settings(Duration::from_secs(600))).await;
    let hold = store.place_hold(buyer("ada@example.org", Tier::General, 2), None).await.unwrap();
    let declined = Charge::Declined { card_last4: "0002".into(), reason: "card declined".into() };
    let error = store.pay_hold(&hold.id, declined, None).await.unwrap_err();
    assert!(matches!(refusal(error), BookingError::PaymentDeclined { .. }));
    assert_eq!(tier_counts(&store, Tier::General).await.held, 2);
    assert_conserved(&store).await;
    store.pay_hold(&hold.id, approved(), None).await.unwrap();
    assert_eq!(tier_counts(&store, Tier::General).await.sold, 2);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_hold_is_available_at_once_and_cannot_be_paid() {
    let (store, _dir) = fresh_store_with(capacities(10, 10, 2), settings(Duration::from_millis(300))).await;
    let hold = store.place_hold(buyer("ada@example.org", Tier::General, 2), None).await.unwrap();
    assert_eq!(store.tiers().await.unwrap()[2].available, 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Not swept yet: the counter still says held, yet availability already counts the tickets as free.
    assert_eq!(tier_counts(&store, Tier::General).await.held, 2);
    assert_eq!(store.tiers().await.unwrap()[2].available, 2);
    assert_conserved(&store).await;

    let error = store.pay_hold(&hold.id, approved(), None).await.unwrap_err();
    assert_eq!(refusal(error), BookingError::HoldExpired);
    let charges: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(store.pool()).await.unwrap();
    assert_eq!(charges, 0, "no charge for an expired hold");
    let counts = tier_counts(&store, Tier::General).await;
    assert_eq!((counts.held, counts.sold), (0, 0), "the write batch swept the hold");
    assert_eq!(store.hold(&hold.id).await.unwrap().status, model::HoldStatus::Expired);
    // The tickets are back on sale for the next buyer.
    store.place_hold(buyer("bob@example.org", Tier::General, 2), None).await.unwrap();
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_marks_expired_holds_without_any_other_write() {
    let (store, _dir) = fresh_store_with(capacities(10, 10, 10), settings(Duration::from_millis(100))).await;
    store.place_hold(buyer("ada@example.org", Tier::Vip, 1), None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(store.holds_past_expiry(chrono::Utc::now()).await.unwrap(), 1);
    store.sweep().await.unwrap();
    assert_eq!(store.holds_past_expiry(chrono::Utc::now()).await.unwrap(), 0);
    assert_eq!(tier_counts(&store, Tier::Vip).await.held, 0);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_an_order_refunds_it_and_returns_its_tickets() {
    let (store, _dir) = fresh_store_with(capacities(10, 10, 10), settings(Duration::from_secs(600))).await;
    let hold = store.place_hold(buyer("ada@example.org", Tier::Vip, 2), None).await.unwrap();
    let order = store.pay_hold(&hold.id, approved(), None).await.unwrap();
    assert!(matches!(
        store.cancel_order(&order.code, "wrong", None).await,
        Err(StoreError::Rejected(BookingError::OrderNotFound))
    ));
    let cancelled = store.cancel_order(&order.code, &order.secret, None).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(store.tiers().await.unwrap()[0].available, 10);
    let again = store.cancel_order(&order.code, &order.secret, None).await.unwrap_err();
    assert_eq!(refusal(again), BookingError::OrderCancelled);
    let refunds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE kind = 'refund'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(refunds, 1, "one refund, however often cancel is asked");
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_over_the_per_tier_limit_is_refused_across_holds_and_orders() {
    let sale =
        SaleSettings { buyer_limits: "vip=4".parse::<BuyerLimits>().unwrap(), ..settings(Duration::from_secs(600)) };
    let (store, _dir) = fresh_store_with(capacities(50, 50, 50), sale).await;
    let hold = store.place_hold(buyer("ada@example.org", Tier::Vip, 2), None).await.unwrap();
    store.pay_hold(&hold.id, approved(), None).await.unwrap();
    store.place_hold(buyer("ada@example.org", Tier::Vip, 1), None).await.unwrap();
    let over = store.place_hold(buyer("ADA@example.org", Tier::Vip, 2), None).await.unwrap_err();
    assert_eq!(refusal(over), BookingError::BuyerLimit { tier: Tier::Vip, max: 4, already: 3 });
    let over = store.book(buyer("ada@example.org", Tier::Vip, 2)).await.unwrap_err();
    assert!(matches!(refusal(over), BookingError::BuyerLimit { .. }), "the one-step booking obeys it too");
    store.place_hold(buyer("ada@example.org", Tier::Vip, 1), None).await.unwrap();
    store.place_hold(buyer("bob@example.org", Tier::Vip, 4), None).await.unwrap();
    store.place_hold(buyer("ada@example.org", Tier::General, 10), None).await.unwrap();
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_order_limit_can_be_lowered() {
    let sale = SaleSettings { max_per_order: 2, ..SaleSettings::default() };
    let (store, _dir) = fresh_store_with(capacities(50, 50, 50), sale).await;
    let over = store.place_hold(buyer("ada@example.org", Tier::General, 3), None).await.unwrap_err();
    assert_eq!(refusal(over), BookingError::QuantityTooLarge { max: 2 });
    assert_eq!(tier_counts(&store, Tier::General).await.held, 0);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_are_kept_a_day_then_forgotten() {
    use server::store::{IdempotencyKey, KEEP_KEYS};
    let (store, _dir) = fresh_store_with(capacities(10, 10, 10), settings(Duration::from_secs(600))).await;
    let key = |name: &str| IdempotencyKey { scope: "hold", key: name.into(), fingerprint: "same".into() };
    let old = store.place_hold(buyer("ada@example.org", Tier::General, 1), Some(key("old"))).await.unwrap();
    let new = store.place_hold(buyer("ada@example.org", Tier::General, 1), Some(key("new"))).await.unwrap();
    // Age one key past the keeping time, as if it had been used a day and a minute ago.
    let aged = chrono::Utc::now().timestamp_millis() - KEEP_KEYS.as_millis() as i64 - 60_000;
    sqlx::query("UPDATE idempotency_keys SET created_at_ms = $1 WHERE key = 'old'")
        .bind(aged)
        .execute(store.pool())
        .await
        .unwrap();
    store.sweep().await.unwrap();
    let replayed = store.place_hold(buyer("ada@example.org", Tier::General, 1), Some(key("new"))).await.unwrap();
    assert_eq!(replayed.id, new.id, "a key within the day still answers with its hold");
    let fresh = store.place_hold(buyer("ada@example.org", Tier::General, 1), Some(key("old"))).await.unwrap();
    assert_ne!(fresh.id, old.id, "a forgotten key is a new request");
    assert_eq!(tier_counts(&store, Tier::General).await.held, 3);
    assert_conserved(&store).await;
}
