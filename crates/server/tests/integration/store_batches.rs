//! Group commit: requests that share a batch each get their own answer, and a batch that fails leaves
//! nothing behind while the writer goes on with the next one.

use crate::helpers::{assert_conserved, capacities, fresh_store, fresh_store_with, tier_counts};
use model::{Booking, BookingError, BookingRequest, Quantity, Tier};
use server::{
    store::{Dialect, SaleSettings},
    Store, StoreError,
};

fn request(user: &str, tier: &str, quantity: i64) -> BookingRequest {
    BookingRequest::parse(user, tier, Quantity::new(quantity)).expect("a valid request")
}

/// Makes the database fail the insert of `user`'s booking, as a full disk or an I/O error would fail a
/// statement halfway through a batch.
async fn fail_inserts_for(store: &Store, user: &str) {
    let statements = match store.dialect() {
        Dialect::Sqlite => vec![format!(
            "CREATE TRIGGER simulated_disk_failure BEFORE INSERT ON orders WHEN NEW.user_id = '{user}'
             BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END"
        )],
        Dialect::Postgres => vec![
            format!(
                "CREATE FUNCTION simulated_disk_failure() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.user_id = '{user}' THEN RAISE EXCEPTION 'simulated disk failure'; END IF;
                 RETURN NEW; END $$"
            ),
            "CREATE TRIGGER simulated_disk_failure BEFORE INSERT ON orders
             FOR EACH ROW EXECUTE FUNCTION simulated_disk_failure()"
                .to_owned(),
        ],
    };
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement)).execute(store.pool()).await.expect("trigger created");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_mixing_booked_sold_out_and_not_offered_answers_each_in_order() {
    let (store, _dir) = fresh_store(capacities(5, 5, 3)).await;
    sqlx::query("DELETE FROM tiers WHERE tier = 'front_row'").execute(store.pool()).await.unwrap();
    let outcomes = store
        .book_batch(vec![
            request("a", "general", 2),
            request("b", "general", 2),
            request("c", "general", 1),
            request("d", "front_row", 1),
            request("e", "vip", 4),
            request("f", "general", 1),
        ])
        .await
        .expect("the batch commits");
    let summary: Vec<_> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Ok(booking) => format!("booked {} {}", booking.quantity, booking.tier),
            Err(refusal) => format!("{refusal:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            "booked 2 general",
            "SoldOut { available: 1 }",
            "booked 1 general",
            "TierNotOffered(FrontRow)",
            "booked 4 vip",
            "SoldOut { available: 0 }",
        ]
    );
    for outcome in outcomes.iter().flatten() {
        let stored = store.booking(&outcome.id).await.unwrap();
        assert_eq!(stored, Booking { secret: None, ..outcome.clone() }, "each booking is stored as answered");
    }
    assert_eq!(tier_counts(&store, Tier::General).await.sold, 3);
    assert_eq!(tier_counts(&store, Tier::Vip).await.sold, 4);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_mid_batch_fails_every_request_in_it_writes_nothing_and_the_next_batch_works() {
    let (store, _dir) = fresh_store(capacities(5, 5, 5)).await;
    fail_inserts_for(&store, "unlucky").await;

    let failed = store
        .book_batch(vec![request("first", "vip", 2), request("unlucky", "vip", 1), request("third", "general", 1)])
        .await;
    assert!(matches!(failed, Err(StoreError::BatchFailed(_))), "{failed:?}");
    for tier in Tier::ALL {
        let counts = tier_counts(&store, tier).await;
        assert_eq!((counts.sold, counts.booked_rows), (0, 0), "{tier}: nothing of the failed batch was written");
    }

    let next = store.book(request("fourth", "vip", 2)).await.expect("the writer recovers");
    assert_eq!(next.quantity, 2);
    assert_eq!(tier_counts(&store, Tier::Vip).await.sold, 2);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_with_one_failing_each_see_the_truth() {
    let (store, _dir) = fresh_store(capacities(500, 5, 5)).await;
    fail_inserts_for(&store, "unlucky").await;
    let attempts: Vec<_> = (0..300)
        .map(|i| {
            let store = store.clone();
            let user = if i == 150 { "unlucky".to_owned() } else { format!("buyer-{i}") };
            tokio::spawn(async move { store.book(request(&user, "vip", 1)).await })
        })
        .collect();
    let mut booked_ids = Vec::new();
    let mut failed = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(booking) => booked_ids.push(booking.id),
            Err(StoreError::BatchFailed(_)) => failed += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(failed >= 1, "the unlucky request fails");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(store.pool()).await.unwrap();
    assert_eq!(stored as usize, booked_ids.len(), "exactly the acknowledged bookings are stored");
    for id in &booked_ids {
        store.booking(id).await.expect("every acknowledged booking is stored");
    }
    assert!(matches!(
        store.book(request("x", "general", 9)).await,
        Err(StoreError::Rejected(BookingError::SoldOut { available: 5 }))
    ));
    assert_conserved(&store).await;
}

/// A run of plain bookings is decided together (one read per tier, one update per tier, multi-row inserts):
/// each still gets the answer it would get alone, in order, across concerts and tiers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_of_bookings_over_two_concerts_answers_each_as_if_alone() {
    let sale = SaleSettings { max_per_order: 4, buyer_limits: "vip=none".parse().unwrap(), ..SaleSettings::default() };
    let (store, _dir) = fresh_store_with(capacities(3, 5, 2), sale).await;
    let offers = [model::TierOffer { tier: "general", price_cents: 700, capacity: 4 }];
    let later = chrono::Utc::now() + chrono::Duration::days(9);
    let jazz = store
        .create_concert(model::NewConcert::parse("Jazz", "Hall", Ok(later), Ok(&offers), chrono::Utc::now()).unwrap())
        .await
        .unwrap()
        .id;
    store.set_on_sale(store.default_event_id(), Tier::FrontRow, false).await.unwrap();
    let at = |concert: Option<i64>, user: &str, tier: &str, quantity: i64| {
        request(user, tier, quantity).for_concert(concert)
    };
    let outcomes = store
        .book_batch(vec![
            at(None, "a", "general", 2),
            at(Some(jazz), "b", "general", 3),
            at(None, "c", "general", 1),
            at(Some(jazz), "d", "general", 2),
            at(None, "e", "vip", 5),
            at(None, "f", "front_row", 1),
            at(Some(jazz), "g", "vip", 1),
            at(Some(404), "h", "general", 1),
            at(None, "i", "vip", 3),
            at(Some(jazz), "j", "general", 1),
        ])
        .await
        .expect("the batch commits");
    let summary: Vec<String> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Ok(b) => format!("{} {} {} at {}", b.concert_id, b.quantity, b.tier, b.unit_price_cents.0),
            Err(refusal) => format!("{refusal:?}"),
        })
        .collect();
    let default = store.default_event_id();
    assert_eq!(
        summary,
        vec![
            format!("{default} 2 general at 1000"),
            format!("{jazz} 3 general at 700"),
            "SoldOut { available: 0 }".to_owned(),
            "SoldOut { available: 1 }".to_owned(),
            "QuantityTooLarge { max: 4 }".to_owned(),
            "TierPaused(FrontRow)".to_owned(),
            "TierNotOffered(Vip)".to_owned(),
            "ConcertNotFound".to_owned(),
            format!("{default} 3 vip at 10000"),
            format!("{jazz} 1 general at 700"),
        ]
    );
    let booked: Vec<&Booking> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let codes: std::collections::HashSet<&str> = booked.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(codes.len(), booked.len(), "every order has its own code");
    assert_eq!((tier_counts(&store, Tier::General).await.sold, tier_counts(&store, Tier::Vip).await.sold), (2, 3));
    assert_eq!(crate::helpers::tier_counts_of(&store, jazz, Tier::General).await.ticket_rows, 4);
    assert_conserved(&store).await;
}
