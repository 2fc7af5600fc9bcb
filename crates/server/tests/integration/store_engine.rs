//! The engine behind the store: a batch decides exactly as the same commands one at a time (so what the
//! writer loads for a batch covers every command in it), and an answer stored by an earlier version of the
//! store still replays.

use crate::helpers::{assert_conserved, capacities, fresh_store, tier_counts};
use model::{
    sale::{Answer, Charge, Command, KeyReused},
    BookingRequest, Hold, HoldStatus, Quantity, Tier,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use server::{store::IdempotencyKey, Store};

const BUYERS: [&str; 4] = ["ann@example.org", "bo@example.org", "cy@example.org", "di@example.org"];

fn request(user: &str, tier: Tier, quantity: i64) -> BookingRequest {
    BookingRequest::parse(user, tier.code(), Quantity::new(quantity)).expect("a valid request")
}

/// A command of the batch, naming holds and orders made beforehand by their index (each store has its own
/// codes for them).
#[derive(Debug, Clone)]
enum Step {
    Book(BookingRequest),
    Hold(BookingRequest),
    Pay(usize),
    Release(usize),
    Cancel { order: usize, right_secret: bool },
    SetCapacity(Tier, u32),
    SetOnSale(Tier, bool),
    Join(BookingRequest),
}

fn random_steps(rng: &mut StdRng, holds: usize, orders: usize) -> Vec<Step> {
    let tier = |rng: &mut StdRng| Tier::ALL[rng.random_range(0..Tier::ALL.len())];
    (0..60)
        .map(|_| match rng.random_range(0..12) {
            0..=2 => Step::Book(request(BUYERS[rng.random_range(0..4)], tier(rng), rng.random_range(1..=4))),
            3..=5 => Step::Hold(request(BUYERS[rng.random_range(0..4)], tier(rng), rng.random_range(1..=4))),
            6 => match rng.random_bool(0.5) {
                true => Step::Pay(rng.random_range(0..holds)),
                false => Step::Release(rng.random_range(0..holds)),
            },
            7 => Step::Cancel { order: rng.random_range(0..orders), right_secret: rng.random_bool(0.8) },
            8 => Step::SetCapacity(tier(rng), rng.random_range(0..=14)),
            9 => Step::SetOnSale(tier(rng), rng.random_bool(0.7)),
            _ => Step::Join(request(BUYERS[rng.random_range(0..4)], tier(rng), rng.random_range(1..=4))),
        })
        .collect()
}

/// The same holds and orders on a new store: what the batch's payments and cancellations name.
async fn set_up(store: &Store) -> (Vec<Hold>, Vec<(String, String)>) {
    let mut holds = Vec::new();
    let mut orders = Vec::new();
    for (n, buyer) in BUYERS.iter().enumerate() {
        holds.push(store.place_hold(request(buyer, Tier::ALL[n % 3], 1), None).await.expect("a hold"));
        let booking = store.book(request(buyer, Tier::ALL[(n + 1) % 3], 1)).await.expect("a booking");
        orders.push((booking.id, booking.secret.expect("a new booking has its secret")));
    }
    (holds, orders)
}

fn command(step: &Step, store: &Store, holds: &[Hold], orders: &[(String, String)]) -> Command {
    let concert = store.default_event_id();
    match step.clone() {
        Step::Book(request) => Command::Book(request),
        Step::Hold(request) => Command::Hold(request),
        Step::Pay(hold) => {
            Command::Pay { hold_id: holds[hold].id.clone(), charge: Charge::Approved { card_last4: "4242".into() } }
        }
        Step::Release(hold) => Command::Release { hold_id: holds[hold].id.clone() },
        Step::Cancel { order, right_secret } => Command::Cancel {
            code: orders[order].0.clone(),
            secret: if right_secret { orders[order].1.clone() } else { "0".repeat(32) },
        },
        Step::SetCapacity(tier, capacity) => Command::SetCapacity { concert, tier, capacity },
        Step::SetOnSale(tier, on_sale) => Command::SetOnSale { concert, tier, on_sale },
        Step::Join(request) => Command::JoinWaitlist(request),
    }
}

/// An answer without its codes, secrets and times (each store draws its own).
fn summary(answer: &Result<Answer, KeyReused>) -> String {
    fn refusal(error: &model::BookingError) -> String {
        match error {
            model::BookingError::HoldAlreadyPaid { .. } => "HoldAlreadyPaid".into(),
            other => format!("{other:?}"),
        }
    }
    match answer {
        Err(KeyReused) => "key reused".into(),
        Ok(Answer::Booked(Ok(b))) => format!("booked {} {} for {}", b.quantity, b.tier, b.user_id),
        Ok(Answer::Held(Ok(h))) => format!("held {} {} for {}", h.quantity, h.tier, h.user_id),
        Ok(Answer::Paid(Ok(o))) => format!("paid {} {} ({} tickets)", o.quantity, o.tier, o.tickets.len()),
        Ok(Answer::Cancelled(Ok(o))) => format!("cancelled {} {} ({:?})", o.quantity, o.tier, o.status),
        Ok(Answer::Released(Ok(h))) => format!("released {} {} ({:?})", h.quantity, h.tier, h.status),
        Ok(
            Answer::Booked(Err(e))
            | Answer::Held(Err(e))
            | Answer::Paid(Err(e))
            | Answer::Cancelled(Err(e))
            | Answer::Released(Err(e)),
        ) => refusal(e),
        Ok(Answer::TierChanged(result)) => format!("tier changed: {:?}", result.as_ref().map_err(refusal)),
        Ok(Answer::Expired { holds }) => format!("expired {holds}"),
        Ok(Answer::Joined(result)) => {
            format!("joined: {:?}", result.as_ref().map(|v| v.visitor.place).map_err(refusal))
        }
        Ok(Answer::Admitted(result)) => format!("admitted: {:?}", result.as_ref().map_err(refusal)),
        Ok(Answer::RoomChanged(result)) => format!("room changed: {:?}", result.as_ref().map_err(refusal)),
        Ok(Answer::SeatingChanged(result)) => format!("seating changed: {:?}", result.as_ref().map_err(refusal)),
        Ok(Answer::Scanned(answer)) => format!("scanned: {answer:?}"),
        Ok(Answer::Waitlisted(result)) => {
            format!("waitlisted: {:?}", result.as_ref().map(|w| (w.place, w.quantity)).map_err(refusal))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_decides_exactly_as_the_same_commands_one_at_a_time() {
    for seed in 0..4 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (batched, _batched_db) = fresh_store(capacities(6, 8, 10)).await;
        let (single, _single_db) = fresh_store(capacities(6, 8, 10)).await;
        let (batched_holds, batched_orders) = set_up(&batched).await;
        let (single_holds, single_orders) = set_up(&single).await;
        let steps = random_steps(&mut rng, batched_holds.len(), batched_orders.len());

        let commands =
            steps.iter().map(|step| (command(step, &batched, &batched_holds, &batched_orders), None)).collect();
        let in_one_batch: Vec<String> =
            batched.decide_batch(commands).await.expect("the batch commits").iter().map(summary).collect();
        let mut one_at_a_time = Vec::new();
        for step in &steps {
            let command = command(step, &single, &single_holds, &single_orders);
            let answer = single.decide_batch(vec![(command, None)]).await.expect("a batch of one commits");
            one_at_a_time.push(summary(&answer[0]));
        }
        for (n, (batch, alone)) in in_one_batch.iter().zip(&one_at_a_time).enumerate() {
            assert_eq!(batch, alone, "seed {seed}, command {n} ({:?}) decided differently in a batch", steps[n]);
        }
        for tier in Tier::ALL {
            assert_eq!(tier_counts(&batched, tier).await, tier_counts(&single, tier).await, "seed {seed}: {tier}");
        }
        assert_conserved(&batched).await;
        assert_conserved(&single).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_stored_by_the_first_version_still_replays() {
    let (store, _db) = fresh_store(capacities(5, 5, 5)).await;
    let first = store.place_hold(request("ann@example.org", Tier::Vip, 2), None).await.unwrap();
    // As the store before the engine kept a hold's answer: the writer's enum, bare, in serde's JSON.
    let stored = serde_json::json!({ "Held": { "Ok": first } }).to_string();
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, outcome, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind("hold")
    .bind("old-key")
    .bind("the-fingerprint")
    .bind(stored)
    .bind(chrono::Utc::now().timestamp_millis())
    .execute(store.pool())
    .await
    .unwrap();
    let key = IdempotencyKey { scope: "hold", key: "old-key".into(), fingerprint: "the-fingerprint".into() };
    let again = store.place_hold(request("ann@example.org", Tier::Vip, 2), Some(key)).await.unwrap();
    assert_eq!(again, first, "the stored hold comes back as it was answered");
    assert_eq!(again.status, HoldStatus::Held);
    assert_eq!(tier_counts(&store, Tier::Vip).await.held, 2, "the replay held nothing more");
    assert_conserved(&store).await;
}
