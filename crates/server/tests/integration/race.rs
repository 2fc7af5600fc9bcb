//! The oversell guard under contention: 400 buyers for 50 seats at once.
//!
//! `verify_exactly_capacity_sold` is the check; the second test proves it can fail by running the same race
//! against a deliberately broken booking (read, then write) that only this file contains: that booking
//! oversells, and the check catches it.

use crate::helpers::{capacities, check_conservation, fresh_store, spawn_app, tier_counts};
use model::Tier;
use server::Store;
use std::{future::Future, sync::Arc};
use tokio::sync::Barrier;

const SEATS: u32 = 50;
const BUYERS: usize = 400;

#[derive(Debug, Default)]
struct RaceOutcome {
    booked: usize,
    sold_out: usize,
    other: Vec<String>,
}

enum Attempt {
    Booked,
    SoldOut,
    Other(String),
}

/// Starts `BUYERS` attempts, released together by a barrier, each on its own task.
async fn race<F, Fut>(attempt: F) -> RaceOutcome
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Attempt> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(BUYERS));
    let tasks: Vec<_> = (0..BUYERS)
        .map(|buyer| {
            let barrier = barrier.clone();
            let attempt = attempt(buyer);
            tokio::spawn(async move {
                barrier.wait().await;
                attempt.await
            })
        })
        .collect();
    let mut outcome = RaceOutcome::default();
    for task in tasks {
        match task.await.expect("attempt task") {
            Attempt::Booked => outcome.booked += 1,
            Attempt::SoldOut => outcome.sold_out += 1,
            Attempt::Other(what) => outcome.other.push(what),
        }
    }
    outcome
}

/// Exactly `SEATS` answered booked, the rest sold out, nothing else; the database agrees (counter, booking
/// rows and availability) and conservation holds.
async fn verify_exactly_capacity_sold(store: &Store, outcome: &RaceOutcome) -> Result<(), String> {
    let counts = tier_counts(store, Tier::General).await;
    let available = store.tiers().await.map_err(|e| e.to_string())?[2].available;
    let seen = (outcome.booked, outcome.sold_out, outcome.other.len(), counts.sold, counts.booked_rows, available);
    let expected = (SEATS as usize, BUYERS - SEATS as usize, 0, i64::from(SEATS), i64::from(SEATS), 0);
    if seen != expected {
        return Err(format!(
            "(booked, sold out, other, sold, booking rows, available) = {seen:?}, expected {expected:?}; other: {:?}",
            outcome.other.iter().take(3).collect::<Vec<_>>()
        ));
    }
    check_conservation(store).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_seats_four_hundred_buyers_exactly_fifty_sold() {
    let app = Arc::new(spawn_app(capacities(10, 10, SEATS)).await);
    let outcome = race(|buyer| {
        let app = app.clone();
        async move {
            let body = serde_json::json!({"user_id": format!("buyer-{buyer}"), "tier": "general", "quantity": 1});
            match app.client.post(app.url("/api/bookings")).json(&body).send().await {
                Ok(response) if response.status() == 201 => Attempt::Booked,
                Ok(response) if response.status() == 409 => Attempt::SoldOut,
                Ok(response) => {
                    Attempt::Other(format!("{} {}", response.status(), response.text().await.unwrap_or_default()))
                }
                Err(error) => Attempt::Other(error.to_string()),
            }
        }
    })
    .await;
    if let Err(broken) = verify_exactly_capacity_sold(&app.store, &outcome).await {
        panic!("{broken}");
    }
}

/// The classic bug the conditional update exists to prevent: read how many are sold, decide, then write
/// the new count. Used only here, to show the race check catches it.
async fn book_read_then_write(store: Store, buyer: usize) -> Attempt {
    let pool = store.pool();
    let read =
        sqlx::query_as::<_, (i64, i64)>("SELECT capacity, sold FROM tiers WHERE event_id = $1 AND tier = 'general'")
            .bind(store.default_event_id())
            .fetch_one(pool)
            .await;
    let (capacity, sold) = match read {
        Ok(row) => row,
        Err(error) => return Attempt::Other(error.to_string()),
    };
    if capacity - sold < 1 {
        return Attempt::SoldOut;
    }
    // Real handlers do work between the read and the write (pricing, logging); a yield stands in for it.
    tokio::task::yield_now().await;
    let write = async {
        sqlx::query("UPDATE tiers SET sold = $1 WHERE event_id = $2 AND tier = 'general'")
            .bind(sold + 1)
            .bind(store.default_event_id())
            .execute(pool)
            .await?;
        sqlx::query(
            "INSERT INTO orders (id, event_id, tier, user_id, quantity, unit_price_cents, total_cents, created_at)
             VALUES ($1, $2, 'general', $3, 1, 1000, 1000, '2026-01-01T00:00:00Z')",
        )
        .bind(format!("BROKEN-{buyer}"))
        .bind(store.default_event_id())
        .bind(format!("buyer-{buyer}"))
        .execute(pool)
        .await?;
        sqlx::query("INSERT INTO tickets (code, order_id, seat) VALUES ($1, $2, 1)")
            .bind(format!("T-BROKEN-{buyer}"))
            .bind(format!("BROKEN-{buyer}"))
            .execute(pool)
            .await
    };
    match write.await {
        Ok(_) => Attempt::Booked,
        Err(error) => Attempt::Other(error.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_race_check_catches_a_read_then_write_booking() {
    let (store, _dir) = fresh_store(capacities(10, 10, SEATS)).await;
    let outcome = race(|buyer| book_read_then_write(store.clone(), buyer)).await;
    let counts = tier_counts(&store, Tier::General).await;
    // The oversell itself: more buyers told "booked", and more tickets in paid orders, than there are seats.
    assert!(
        outcome.booked > SEATS as usize && counts.booked_quantity > i64::from(SEATS),
        "a read-then-write booking did not oversell: {outcome:?} {counts:?}"
    );
    let verdict = verify_exactly_capacity_sold(&store, &outcome).await;
    assert!(verdict.is_err(), "the race check let an oversell pass: {outcome:?}");
}
