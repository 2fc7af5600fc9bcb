//! The store on its own: booking, sold out, a tier not on sale, and conservation after each.

use crate::helpers::{assert_conserved, capacities, fresh_sqlite_store, fresh_store, tier_counts};
use model::{Booking, BookingError, BookingRequest, Quantity, Tier};
use server::StoreError;

fn request(user: &str, tier: &str, quantity: i64) -> BookingRequest {
    BookingRequest::parse(user, tier, Quantity::new(quantity)).expect("a valid request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_holds_the_default_concert_with_the_configured_capacities() {
    let (store, _dir) = fresh_store(capacities(7, 8, 9)).await;
    let concert = store.concert().await.unwrap();
    assert!(!concert.name.is_empty());
    let seen: Vec<_> = concert.tiers.iter().map(|t| (t.tier, t.price_cents.0, t.capacity, t.available)).collect();
    assert_eq!(seen, vec![(Tier::Vip, 10_000, 7, 7), (Tier::FrontRow, 5_000, 8, 8), (Tier::General, 1_000, 9, 9)]);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_keeps_the_existing_capacities() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/db.sqlite", dir.path().display());
    let store = server::Store::open(&url, capacities(5, 5, 5)).await.unwrap();
    store.book(request("a", "vip", 2)).await.unwrap();
    store.close().await;
    let reopened = server::Store::open(&url, capacities(50, 50, 50)).await.unwrap();
    let vip = &reopened.tiers().await.unwrap()[0];
    assert_eq!((vip.capacity, vip.available), (5, 3));
    assert_conserved(&reopened).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_takes_tickets_and_prices_them() {
    let (store, _dir) = fresh_store(capacities(10, 10, 10)).await;
    let booking = store.book(request("ada", "front_row", 3)).await.unwrap();
    assert_eq!(
        (booking.tier, booking.quantity, booking.unit_price_cents.0, booking.total_cents.0),
        (Tier::FrontRow, 3, 5_000, 15_000)
    );
    assert_eq!(booking.secret.as_ref().map(String::len), Some(32), "the answer carries the order's secret");
    assert_eq!(store.booking(&booking.id).await.unwrap(), Booking { secret: None, ..booking }, "a lookup does not");
    assert_eq!(tier_counts(&store, Tier::FrontRow).await.sold, 3);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_more_than_is_left_changes_nothing_and_says_how_many_are_left() {
    let (store, _dir) = fresh_store(capacities(3, 10, 10)).await;
    store.book(request("ada", "vip", 2)).await.unwrap();
    let refused = store.book(request("bob", "vip", 2)).await.unwrap_err();
    assert!(matches!(refused, StoreError::Rejected(BookingError::SoldOut { available: 1 })), "{refused:?}");
    let counts = tier_counts(&store, Tier::Vip).await;
    assert_eq!((counts.sold, counts.booked_rows), (2, 1));
    store.book(request("bob", "vip", 1)).await.unwrap();
    assert!(matches!(
        store.book(request("cy", "vip", 1)).await.unwrap_err(),
        StoreError::Rejected(BookingError::SoldOut { available: 0 })
    ));
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tier_the_concert_does_not_offer_is_refused_without_a_change() {
    let (store, _dir) = fresh_store(capacities(3, 3, 3)).await;
    sqlx::query("DELETE FROM tiers WHERE tier = 'general'").execute(store.pool()).await.unwrap();
    let refused = store.book(request("ada", "general", 1)).await.unwrap_err();
    assert!(matches!(refused, StoreError::Rejected(BookingError::TierNotOffered(Tier::General))), "{refused:?}");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(store.pool()).await.unwrap();
    assert_eq!(rows, 0);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_booking_is_not_found() {
    let (store, _dir) = fresh_store(capacities(3, 3, 3)).await;
    assert!(matches!(store.booking("BX-NOPE").await.unwrap_err(), StoreError::NotFound));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_runs_in_wal_mode_with_full_sync() {
    let (store, _dir) = fresh_sqlite_store(capacities(3, 3, 3)).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(store.pool()).await.unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(store.pool()).await.unwrap();
    assert_eq!((mode.as_str(), sync), ("wal", 2), "2 is FULL");
}
