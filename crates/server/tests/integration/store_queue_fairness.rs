//! The pre-queue's draw is fair: over many on-sales, whoever joined first is no likelier to be placed
//! first, and every order of three visitors comes up. A statistical check (chi-squared) on the real draw
//! and the real ranking in SQL, on either database; its threshold is the 1-in-10,000 level, so a fair draw
//! fails it about once in ten thousand runs.

use crate::helpers::{capacities, fresh_store};
use chrono::{Duration, Utc};
use model::{NewConcert, TierOffer, WaitingRoom};
use std::collections::HashMap;

const RUNS: usize = 120;

/// Pearson's statistic of `observed` counts against equal expected counts.
fn chi_squared(observed: &[usize], total: usize) -> f64 {
    let expected = total as f64 / observed.len() as f64;
    observed.iter().map(|&o| (o as f64 - expected).powi(2) / expected).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_the_prequeue_early_gives_no_advantage_and_every_order_is_drawn() {
    let (store, _db) = fresh_store(capacities(5, 5, 5)).await;
    let opens = Utc::now() + Duration::seconds(6);
    let room = WaitingRoom { rate_per_minute: 600, prequeue_minutes: 5, window_minutes: 10, max_buying: None };
    let offers = [TierOffer { tier: "general", price_cents: 2_500, capacity: 10 }];
    let concert = || {
        NewConcert::parse("Fair Night", "Blue Hall", Ok(Utc::now() + Duration::days(30)), Ok(&offers), Utc::now())
            .and_then(|c| c.opening_at(Some(Ok(opens))))
            .and_then(|c| c.with_waiting_room(Some(room)))
            .unwrap()
    };
    // Each run: a concert of its own, three visitors joining one after another.
    let runs = futures::future::join_all((0..RUNS).map(|_| async {
        let concert = store.create_concert(concert()).await.unwrap().id;
        let mut visitors = Vec::new();
        for _ in 0..3 {
            let visitor = store.join_queue(concert, None).await.unwrap();
            assert_eq!(visitor.place, None, "joined before the opening (the setup took too long otherwise)");
            visitors.push(visitor.visitor);
        }
        (concert, visitors)
    }))
    .await;
    tokio::time::sleep((opens - Utc::now()).to_std().unwrap_or_default()).await;

    let mut orders: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut first_joiner_placed = [0usize; 3];
    for (concert, visitors) in &runs {
        store.admit(*concert).await.unwrap();
        let mut places = Vec::new();
        for visitor in visitors {
            places.push(store.queue_place(*concert, visitor, Utc::now()).await.unwrap().place.expect("placed"));
        }
        let mut sorted = places.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![1, 2, 3], "the pre-queue's places are a permutation");
        first_joiner_placed[places[0] as usize - 1] += 1;
        *orders.entry(places).or_default() += 1;
    }
    assert_eq!(orders.len(), 6, "every order of three visitors comes up in {RUNS} draws: {orders:?}");
    let counts: Vec<usize> = orders.values().copied().collect();
    // The 1-in-10,000 critical values of chi-squared with 5 and 2 degrees of freedom.
    assert!(chi_squared(&counts, RUNS) < 25.74, "the six orders are not equally likely: {orders:?}");
    assert!(
        chi_squared(&first_joiner_placed, RUNS) < 18.42,
        "the first to join is placed 1st, 2nd, 3rd this often: {first_joiner_placed:?}"
    );
}
