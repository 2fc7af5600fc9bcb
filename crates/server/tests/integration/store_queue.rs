//! The waiting room through the store, on either database: the pre-queue gets no place until the opening,
//! then a permutation of 1..=its size; later visitors come after it in arrival order; admission follows the
//! rate; holds need a pass once sales are open.

use crate::helpers::{capacities, fresh_store};
use chrono::{Duration, Utc};
use model::{Admission, BookingError, BookingRequest, NewConcert, Quantity, QueueStatus, TierOffer, WaitingRoom};
use server::store::StoreError;

fn concert_opening_in(seconds: i64, room: WaitingRoom) -> NewConcert {
    let offers = [TierOffer { tier: "general", price_cents: 2_500, capacity: 100 }];
    NewConcert::parse("Queue Night", "Blue Hall", Ok(Utc::now() + Duration::days(30)), Ok(&offers), Utc::now())
        .unwrap()
        .opening_at(Some(Ok(Utc::now() + Duration::seconds(seconds))))
        .unwrap()
        .with_waiting_room(Some(room))
        .unwrap()
}

fn hold_for(concert: i64, admission: Admission) -> BookingRequest {
    let mut request = BookingRequest::from_buyer(Ok(model::Tier::General), Quantity::new(1), "Ann", "ann@example.org")
        .unwrap()
        .for_concert(Some(concert));
    request.admission = admission;
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prequeue_is_placed_at_the_opening_and_admitted_at_the_rate() {
    let (store, _db) = fresh_store(capacities(5, 5, 5)).await;
    let room = WaitingRoom { rate_per_minute: 60, prequeue_minutes: 5, window_minutes: 1, max_buying: None };
    let concert = store.create_concert(concert_opening_in(2, room)).await.unwrap();
    assert_eq!(concert.waiting_room, Some(room), "the concert shows its waiting room");

    let mut early = Vec::new();
    for _ in 0..5 {
        let visitor = store.join_queue(concert.id, None).await.unwrap();
        assert_eq!(visitor.place, None, "no place before the opening");
        early.push(visitor.visitor);
    }
    let again = store.join_queue(concert.id, Some(early[0].clone())).await.unwrap();
    assert_eq!(again.visitor, early[0], "joining again keeps one's place");
    let before = store.queue_place(concert.id, &early[0], Utc::now()).await.unwrap();
    assert_eq!((before.place, before.status), (None, QueueStatus::Waiting));

    // Before the opening a hold is refused for the opening itself, not for the queue.
    let refused = store.place_hold(hold_for(concert.id, Admission::Missing), None).await.unwrap_err();
    assert!(matches!(refused, StoreError::Rejected(BookingError::NotOnSaleYet { .. })), "{refused:?}");

    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let late = store.join_queue(concert.id, None).await.unwrap();
    assert_eq!(late.place, Some(6), "after the opening, after the whole pre-queue");
    store.admit(concert.id).await.unwrap();
    let mut places = Vec::new();
    for visitor in &early {
        places.push(store.queue_place(concert.id, visitor, Utc::now()).await.unwrap().place.expect("placed"));
    }
    places.sort_unstable();
    assert_eq!(places, vec![1, 2, 3, 4, 5], "the pre-queue's places are a permutation of 1..=5");

    // Sales are open: no pass, a forged one, another concert's, an expired one are refused; a good one holds.
    let cases = [
        (Admission::Missing, "queue_required"),
        (Admission::Forged, "queue_token_invalid"),
        (
            Admission::Signed {
                concert: 1,
                visitor: late.visitor.clone(),
                place: 6,
                expires_at: Utc::now() + Duration::minutes(1),
            },
            "queue_token_invalid",
        ),
        (
            Admission::Signed { concert: concert.id, visitor: late.visitor.clone(), place: 6, expires_at: Utc::now() },
            "queue_token_expired",
        ),
    ];
    for (admission, code) in cases {
        match store.place_hold(hold_for(concert.id, admission.clone()), None).await {
            Err(StoreError::Rejected(error)) => assert_eq!(error.code(), code, "{admission:?}"),
            other => panic!("expected {code} for {admission:?}, got {other:?}"),
        }
    }
    let pass = Admission::Signed {
        concert: concert.id,
        visitor: late.visitor.clone(),
        place: 6,
        expires_at: Utc::now() + Duration::minutes(1),
    };
    store.place_hold(hold_for(concert.id, pass), None).await.expect("a pass for this concert holds");

    // One a second: over a second after the opening at least one admitted, never more than a second's worth.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    store.admit(concert.id).await.unwrap();
    let first = store.queue_place(concert.id, &early[0], Utc::now()).await.unwrap();
    let since_open = (Utc::now() - concert.sales_open_at.unwrap()).num_milliseconds() as u64;
    assert!(first.admitted_through >= 1, "admitted {}", first.admitted_through);
    assert!(first.admitted_through <= since_open / 1_000, "admitted {} in {since_open} ms", first.admitted_through);
    let admitted_place = |place: u64| place <= first.admitted_through;
    let status = if admitted_place(first.place.unwrap()) { QueueStatus::Admitted } else { QueueStatus::Waiting };
    assert_eq!(first.status, status);
    assert_eq!(first.ahead, Some(first.place.unwrap().saturating_sub(first.admitted_through + 1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concert_without_a_room_is_not_queued_for_and_the_room_needs_an_opening() {
    let (store, _db) = fresh_store(capacities(5, 5, 5)).await;
    let refused = store.join_queue(1, None).await.unwrap_err();
    assert!(matches!(refused, StoreError::Rejected(BookingError::NoWaitingRoom)), "{refused:?}");
    let offers = [TierOffer { tier: "general", price_cents: 2_500, capacity: 100 }];
    let no_opening =
        NewConcert::parse("Queue Night", "Blue Hall", Ok(Utc::now() + Duration::days(30)), Ok(&offers), Utc::now())
            .unwrap()
            .with_waiting_room(Some(WaitingRoom::default()));
    assert_eq!(no_opening.unwrap_err().code(), "invalid_concert");
    // Joining more than the pre-queue's time before the opening is refused, saying when it opens.
    let room = WaitingRoom { prequeue_minutes: 1, ..WaitingRoom::default() };
    let concert = store.create_concert(concert_opening_in(3_600, room)).await.unwrap();
    match store.join_queue(concert.id, None).await {
        Err(StoreError::Rejected(BookingError::QueueNotOpenYet { opens_at })) => {
            assert_eq!(opens_at, concert.sales_open_at.unwrap() - Duration::minutes(1))
        }
        other => panic!("expected queue_not_open_yet, got {other:?}"),
    }
}

/// At a slow rate the tick at the opening draws the pre-queue's places and admits nobody yet: the drawn
/// state is stored all the same (the broadcast says so, so waiting pages fetch their places), and whoever
/// joins next is placed after the pre-queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_draw_is_kept_even_when_the_opening_tick_admits_nobody() {
    let (store, _db) = fresh_store(capacities(5, 5, 5)).await;
    let room = WaitingRoom { rate_per_minute: 1, prequeue_minutes: 5, window_minutes: 1, max_buying: None };
    let concert = store.create_concert(concert_opening_in(1, room)).await.unwrap();
    let early = [store.join_queue(concert.id, None).await.unwrap(), store.join_queue(concert.id, None).await.unwrap()];
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(store.admit(concert.id).await.unwrap(), 0, "one a minute: nobody yet");
    let counters = store.queue_counters().await.unwrap();
    let (_, counters) = counters.iter().find(|(id, _)| *id == concert.id).expect("the room's counters");
    assert_eq!((counters.placed, counters.joined, counters.admitted_through), (true, 2, 0));
    let mut places = Vec::new();
    for visitor in &early {
        places.push(store.queue_place(concert.id, &visitor.visitor, Utc::now()).await.unwrap().place.expect("drawn"));
    }
    places.sort_unstable();
    assert_eq!(places, vec![1, 2]);
    assert_eq!(store.join_queue(concert.id, None).await.unwrap().place, Some(3), "after the pre-queue");
    store.admit(concert.id).await.unwrap();
    assert_eq!(store.join_queue(concert.id, None).await.unwrap().place, Some(4), "the draw is not run twice");
}

/// A join answers from the engine without reading the queue back: what it says must be what a read says,
/// in the pre-queue, after the opening, for a returning visitor waiting, and (read back) for one admitted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joins_answer_is_what_the_store_then_shows() {
    let (store, _db) = fresh_store(capacities(5, 5, 5)).await;
    let room = WaitingRoom { rate_per_minute: 60, prequeue_minutes: 5, window_minutes: 1, max_buying: None };
    let concert = store.create_concert(concert_opening_in(1, room)).await.unwrap();
    let agrees = |joined: &model::QueuePlace, read: &model::QueuePlace, when: &str| {
        assert_eq!(joined, read, "{when}: the join's answer and the stored place differ");
    };
    let early = store.join_queue(concert.id, None).await.unwrap();
    agrees(&early, &store.queue_place(concert.id, &early.visitor, Utc::now()).await.unwrap(), "pre-queue");

    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    store.admit(concert.id).await.unwrap();
    let mut late = Vec::new();
    for _ in 0..3 {
        let joined = store.join_queue(concert.id, None).await.unwrap();
        agrees(
            &joined,
            &store.queue_place(concert.id, &joined.visitor, Utc::now()).await.unwrap(),
            "after the opening",
        );
        late.push(joined);
    }
    assert_eq!(late.iter().map(|j| j.place).collect::<Vec<_>>(), [Some(2), Some(3), Some(4)]);

    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    store.admit(concert.id).await.unwrap();
    for joined in [&early, &late[0], &late[2]] {
        let again = store.join_queue(concert.id, Some(joined.visitor.clone())).await.unwrap();
        let read = store.queue_place(concert.id, &joined.visitor, Utc::now()).await.unwrap();
        agrees(&again, &read, "joining again");
        assert_eq!(again.visitor, joined.visitor, "joining again keeps one's place");
    }
    let first = store.queue_place(concert.id, &early.visitor, Utc::now()).await.unwrap();
    assert_eq!(first.status, QueueStatus::Admitted, "the first place is admitted two seconds in at one a second");
    assert!(first.window_ends_at.is_some(), "an admitted visitor's window is read back: {first:?}");
}
