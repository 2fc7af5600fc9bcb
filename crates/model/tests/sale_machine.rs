//! The sale as a state machine under random command sequences: books, holds, payments (approved and
//! declined), cancellations (right and wrong secrets), time passing, capacity changes and pauses, on random
//! small stocks, some commands under idempotency keys that come back. After every command the invariants
//! are checked against the records, independently of the counters the engine keeps:
//! - per tier, `sold` is what its paid orders add up to, `held` what its holds still held add up to, and
//!   `sold + held <= capacity` (so `sold + held + available == capacity` with nothing negative);
//! - every buyer's total of a limited tier is what their held holds and paid orders add up to, within the limit;
//! - a refusal changes nothing; a key that comes back with the same request gets the identical answer, with
//!   another request it is refused, and a cancel under a key with a wrong secret sees nothing of the order.

use chrono::{TimeZone, Utc};
use model::{
    sale::{Answer, Charge, Command, Effect, Key, KeyReused, Rules, Sale, Stock},
    BookingError, BookingRequest, BuyerLimits, Cents, ConcertTitle, HoldStatus, OrderStatus, Quantity, Tier,
};
use proptest::prelude::*;
use std::{collections::BTreeMap, time::Duration};

mod common;
use common::Counter;

const TIERS: [Tier; 3] = [Tier::Vip, Tier::FrontRow, Tier::General];
/// Concerts 1 and 2 exist (2 offers no front row); 3 does not.
const CONCERTS: [i64; 3] = [1, 2, 3];
const MAX_PER_ORDER: u32 = 5;

fn limits() -> BuyerLimits {
    "vip=4,front_row=3,general=none".parse().expect("valid limits")
}

fn tier_of(index: usize) -> Tier {
    TIERS[index % 3]
}

#[derive(Debug, Clone)]
enum Op {
    Book {
        concert: usize,
        tier: usize,
        quantity: u32,
        buyer: u8,
        key: Option<u8>,
    },
    Hold {
        concert: usize,
        tier: usize,
        quantity: u32,
        buyer: u8,
        key: Option<u8>,
    },
    /// Pays the `hold`-th hold placed so far (modulo), approved or declined.
    Pay {
        hold: usize,
        approve: bool,
        key: Option<u8>,
    },
    /// Gives back the `hold`-th hold placed so far (modulo).
    Release {
        hold: usize,
        key: Option<u8>,
    },
    /// Cancels the `order`-th order placed so far, with its secret or a wrong one.
    Cancel {
        order: usize,
        right_secret: bool,
        key: Option<u8>,
    },
    /// A later batch: time moves on and holds that ran out expire (as every batch starts).
    Later {
        minutes: u32,
    },
    SetCapacity {
        concert: usize,
        tier: usize,
        capacity: u32,
    },
    SetOnSale {
        concert: usize,
        tier: usize,
        on_sale: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let key = proptest::option::weighted(0.4, 0u8..3);
    prop_oneof![
        4 => (0usize..3, 0usize..3, 1u32..7, 0u8..3, key.clone())
            .prop_map(|(concert, tier, quantity, buyer, key)| Op::Book { concert, tier, quantity, buyer, key }),
        5 => (0usize..3, 0usize..3, 1u32..7, 0u8..3, key.clone())
            .prop_map(|(concert, tier, quantity, buyer, key)| Op::Hold { concert, tier, quantity, buyer, key }),
        4 => (0usize..8, proptest::bool::weighted(0.8), key.clone())
            .prop_map(|(hold, approve, key)| Op::Pay { hold, approve, key }),
        2 => (0usize..8, key.clone()).prop_map(|(hold, key)| Op::Release { hold, key }),
        2 => (0usize..8, proptest::bool::weighted(0.8), key)
            .prop_map(|(order, right_secret, key)| Op::Cancel { order, right_secret, key }),
        2 => (0u32..15).prop_map(|minutes| Op::Later { minutes }),
        1 => (0usize..3, 0usize..3, 0u32..12).prop_map(|(concert, tier, capacity)| Op::SetCapacity { concert, tier, capacity }),
        1 => (0usize..3, 0usize..3, proptest::bool::weighted(0.7))
            .prop_map(|(concert, tier, on_sale)| Op::SetOnSale { concert, tier, on_sale }),
    ]
}

/// A sale on random small stocks: each existing tier's capacity 0–8.
fn opening(capacities: &[u32; 5]) -> Sale {
    let now = Utc.with_ymd_and_hms(2027, 5, 1, 18, 0, 0).single().expect("a valid time");
    let rules = Rules {
        default_concert: 1,
        max_per_order: MAX_PER_ORDER,
        buyer_limits: limits(),
        hold_for: Duration::from_secs(10 * 60),
        offer_for: Duration::from_secs(30 * 60),
    };
    let mut sale = Sale::new(now, rules);
    for id in [1, 2] {
        let title = ConcertTitle {
            id,
            name: format!("Concert {id}"),
            venue: "Hall".into(),
            starts_at: now,
            zone: Default::default(),
        };
        sale.concerts.insert(id, title);
    }
    let offered = [(1, Tier::Vip), (1, Tier::FrontRow), (1, Tier::General), (2, Tier::Vip), (2, Tier::General)];
    for ((concert, tier), capacity) in offered.into_iter().zip(capacities) {
        let price = Cents(match tier {
            Tier::Vip => 10_000,
            Tier::FrontRow => 5_000,
            Tier::General => 1_000,
        });
        sale.stock.insert((concert, tier), Stock::counted(*capacity, price));
    }
    // Concert 2's sales open half an hour in: `Later` ops move time past it.
    sale.opening.insert(2, now + chrono::Duration::minutes(30));
    sale
}

fn request(concert: usize, tier: usize, quantity: u32, buyer: u8) -> BookingRequest {
    let quantity = Quantity::new(i64::from(quantity));
    let email = format!("buyer{buyer}@example.org");
    BookingRequest::from_buyer(Ok(tier_of(tier)), quantity, "Buyer", &email)
        .expect("a valid request")
        .for_concert(Some(CONCERTS[concert]))
}

/// The command an op stands for, its key's scope, and the fingerprint of what it asks.
fn command(sale: &Sale, placed: &Placed, op: &Op) -> Option<(Command, &'static str, String)> {
    Some(match op {
        Op::Book { concert, tier, quantity, buyer, .. } => (
            Command::Book(request(*concert, *tier, *quantity, *buyer)),
            "book",
            format!("{concert}|{tier}|{quantity}|{buyer}"),
        ),
        Op::Hold { concert, tier, quantity, buyer, .. } => (
            Command::Hold(request(*concert, *tier, *quantity, *buyer)),
            "hold",
            format!("{concert}|{tier}|{quantity}|{buyer}"),
        ),
        Op::Pay { hold, approve, .. } => {
            let hold_id = placed.holds.get(hold % placed.holds.len().max(1))?.clone();
            let charge = if *approve {
                Charge::Approved { card_last4: "4242".into() }
            } else {
                Charge::Declined { card_last4: "0002".into(), reason: "card declined".into() }
            };
            let fingerprint = format!("{hold_id}|{approve}");
            (Command::Pay { hold_id, charge }, "pay", fingerprint)
        }
        Op::Cancel { order, right_secret, .. } => {
            let code = placed.orders.get(order % placed.orders.len().max(1))?.clone();
            let secret = if *right_secret { sale.orders[&code].secret.clone() } else { "wrong".into() };
            let fingerprint = format!("{code}|{secret}");
            (Command::Cancel { code, secret }, "cancel", fingerprint)
        }
        Op::Release { hold, .. } => {
            let hold_id = placed.holds.get(hold % placed.holds.len().max(1))?.clone();
            let fingerprint = hold_id.clone();
            (Command::Release { hold_id }, "release", fingerprint)
        }
        Op::Later { .. } => (Command::Expire, "", String::new()),
        Op::SetCapacity { concert, tier, capacity } => (
            Command::SetCapacity { concert: CONCERTS[*concert], tier: tier_of(*tier), capacity: *capacity },
            "",
            String::new(),
        ),
        Op::SetOnSale { concert, tier, on_sale } => (
            Command::SetOnSale { concert: CONCERTS[*concert], tier: tier_of(*tier), on_sale: *on_sale },
            "",
            String::new(),
        ),
    })
}

fn key_of(op: &Op) -> Option<u8> {
    match op {
        Op::Book { key, .. }
        | Op::Hold { key, .. }
        | Op::Pay { key, .. }
        | Op::Release { key, .. }
        | Op::Cancel { key, .. } => *key,
        _ => None,
    }
}

/// Holds and orders in the order they were placed, for ops to pick from.
#[derive(Default)]
struct Placed {
    holds: Vec<String>,
    orders: Vec<String>,
}

/// What a refusal must leave as it was: the records, and what the store would write (but for the answer
/// remembered under the request's key, which a refusal has too).
fn state(sale: &Sale) -> impl PartialEq + std::fmt::Debug {
    (sale.stock.clone(), sale.holds.clone(), sale.orders.clone(), sale.bought.clone(), writes(&sale.effects))
}

/// The effects that change the shop, without the answers remembered under keys.
fn writes(effects: &[Effect]) -> Vec<Effect> {
    effects.iter().filter(|effect| !matches!(effect, Effect::Remembered(..))).cloned().collect()
}

/// [`state`] without the effects: what a declined card must leave as it was.
fn records(sale: &Sale) -> impl PartialEq + std::fmt::Debug {
    (sale.stock.clone(), sale.holds.clone(), sale.orders.clone(), sale.bought.clone())
}

fn check_invariants(sale: &Sale) -> Result<(), TestCaseError> {
    for ((concert, tier), stock) in &sale.stock {
        let sold: u32 = sale
            .orders
            .values()
            .filter(|o| (o.concert, o.tier) == (*concert, *tier) && o.status == OrderStatus::Paid)
            .map(|o| o.quantity)
            .sum();
        let held: u32 = sale
            .holds
            .values()
            .filter(|h| (h.concert, h.tier) == (*concert, *tier) && h.status == HoldStatus::Held)
            .map(|h| h.quantity)
            .sum();
        prop_assert_eq!((stock.sold, stock.held), (sold, held), "concert {} {}: counters vs records", concert, tier);
        prop_assert!(stock.sold + stock.held <= stock.capacity, "concert {} {} oversold: {:?}", concert, tier, stock);
    }
    let mut totals: BTreeMap<(i64, Tier, String), u32> = BTreeMap::new();
    for hold in sale.holds.values().filter(|h| h.status == HoldStatus::Held) {
        *totals.entry((hold.concert, hold.tier, hold.user_id.clone())).or_default() += hold.quantity;
    }
    for order in sale.orders.values().filter(|o| o.status == OrderStatus::Paid) {
        *totals.entry((order.concert, order.tier, order.user_id.clone())).or_default() += order.quantity;
    }
    totals.retain(|(_, tier, _), total| limits().of(*tier).is_some() && *total > 0);
    for ((concert, tier, buyer), total) in &totals {
        let limit = limits().of(*tier).expect("kept only limited tiers");
        prop_assert!(
            *total <= limit,
            "{} has {} {} of concert {}, over the limit of {}",
            buyer,
            total,
            tier,
            concert,
            limit
        );
    }
    let mut kept = sale.bought.clone();
    kept.retain(|_, total| *total > 0);
    prop_assert_eq!(kept, totals, "the buyers' running totals are what their records add up to");
    for order in sale.orders.values() {
        prop_assert_eq!(order.tickets.len(), order.quantity as usize, "a ticket per seat of {}", &order.code);
    }
    Ok(())
}

fn run(capacities: [u32; 5], ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut sale = opening(&capacities);
    let mut fresh = Counter(0);
    let mut placed = Placed::default();
    // What each key first answered, and for which request: key → (scope, fingerprint, answer). A key is
    // one request's across every scope.
    let mut first: BTreeMap<String, (String, String, Answer)> = BTreeMap::new();
    for op in &ops {
        if let Op::Later { minutes } = op {
            sale.now += chrono::Duration::minutes(i64::from(*minutes));
        }
        let Some((command, scope, fingerprint)) = command(&sale, &placed, op) else { continue };
        let key = key_of(op).map(|k| Key { scope: scope.to_owned(), key: format!("key-{k}"), fingerprint });
        let wrong_secret = matches!(op, Op::Cancel { right_secret: false, .. });
        let (before, records_before, effects_before) = (state(&sale), records(&sale), sale.effects.len());
        let answer = sale.apply(command, key.as_ref(), &mut fresh);
        check_invariants(&sale)?;
        let stored = key.as_ref().and_then(|k| first.get(&k.key));
        match (&key, stored, &answer) {
            (Some(_), _, _) if wrong_secret => {
                let not_found = Answer::Cancelled(Err(BookingError::OrderNotFound));
                prop_assert_eq!(answer, Ok(not_found), "a wrong secret under any key is an unknown order");
                prop_assert_eq!(&before, &state(&sale), "a wrong secret changes nothing");
                continue;
            }
            (Some(key), Some((scope, fingerprint, stored)), _) => {
                if *scope == key.scope && *fingerprint == key.fingerprint {
                    prop_assert_eq!(answer.as_ref(), Ok(stored), "a replay gets the first answer");
                } else {
                    prop_assert_eq!(answer.as_ref(), Err(&KeyReused), "a reused key with another request");
                }
                prop_assert_eq!(&before, &state(&sale), "a replay changes nothing");
                continue;
            }
            _ => {}
        }
        let answer = answer.map_err(|_| TestCaseError::fail("a key never seen cannot be reused"))?;
        if let Some(key) = &key {
            first.insert(key.key.clone(), (key.scope.clone(), key.fingerprint.clone(), answer.clone()));
        }
        let refusal = match &answer {
            Answer::Booked(Err(e)) | Answer::TierChanged(Err(e)) => Some(e.clone()),
            Answer::Held(Err(e)) | Answer::Paid(Err(e)) | Answer::Cancelled(Err(e)) | Answer::Released(Err(e)) => {
                Some(e.clone())
            }
            _ => None,
        };
        match refusal {
            None => {}
            // A declined card is recorded, and changes nothing else.
            Some(BookingError::PaymentDeclined { .. }) => {
                prop_assert_eq!(&records_before, &records(&sale), "a declined card changed the records");
                let recorded = writes(&sale.effects[effects_before..]);
                prop_assert!(
                    matches!(recorded.as_slice(), [Effect::Paid(payment)] if !payment.approved),
                    "a declined card is recorded, once, as declined: {:?}",
                    recorded
                );
            }
            Some(refusal) => prop_assert_eq!(&before, &state(&sale), "{} changed something", refusal),
        }
        let granted_concert = match &answer {
            Answer::Held(Ok(hold)) => Some(hold.concert.id),
            Answer::Booked(Ok(booking)) => Some(booking.concert_id),
            _ => None,
        };
        if let Some(opens) = granted_concert.and_then(|concert| sale.opening.get(&concert)) {
            prop_assert!(sale.now >= *opens, "sold before sales opened at {}: {:?}", opens, answer);
        }
        match &answer {
            Answer::Held(Ok(hold)) => placed.holds.push(hold.id.clone()),
            Answer::Booked(Ok(booking)) => placed.orders.push(booking.id.clone()),
            Answer::Paid(Ok(order)) => placed.orders.push(order.code.clone()),
            _ => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_command_keeps_the_invariants(capacities in [0u32..9, 0u32..9, 0u32..9, 0u32..9, 0u32..9],
                                          ops in proptest::collection::vec(op(), 1..60)) {
        run(capacities, ops)?;
    }
}

/// The same request under the same key, twice: one hold, the same answer; a third with another quantity is refused.
#[test]
fn a_replayed_hold_is_the_first_hold() {
    let mut sale = opening(&[5, 5, 5, 5, 5]);
    let mut fresh = Counter(0);
    let key = |fingerprint: &str| Key { scope: "hold".into(), key: "k".into(), fingerprint: fingerprint.into() };
    let first = sale.apply(Command::Hold(request(0, 0, 2, 1)), Some(&key("2")), &mut fresh);
    let again = sale.apply(Command::Hold(request(0, 0, 2, 1)), Some(&key("2")), &mut fresh);
    assert_eq!(first, again);
    assert_eq!(sale.stock[&(1, Tier::Vip)].held, 2, "one hold");
    let other = sale.apply(Command::Hold(request(0, 0, 3, 1)), Some(&key("3")), &mut fresh);
    assert_eq!(other, Err(KeyReused));
}

/// The buyer limit counts running holds and paid orders, and a hold that ran out gives its share back.
#[test]
fn the_buyer_limit_counts_holds_and_orders_until_they_run_out() {
    let mut sale = opening(&[20, 5, 5, 5, 5]);
    let mut fresh = Counter(0);
    let Ok(Answer::Held(Ok(hold))) = sale.apply(Command::Hold(request(0, 0, 3, 1)), None, &mut fresh) else {
        panic!("held")
    };
    let over = sale.apply(Command::Book(request(0, 0, 2, 1)), None, &mut fresh);
    assert_eq!(over, Ok(Answer::Booked(Err(BookingError::BuyerLimit { tier: Tier::Vip, max: 4, already: 3 }))));
    assert!(matches!(sale.apply(Command::Book(request(0, 0, 1, 1)), None, &mut fresh), Ok(Answer::Booked(Ok(_)))));
    sale.now = hold.expires_at;
    assert_eq!(sale.apply(Command::Expire, None, &mut fresh), Ok(Answer::Expired { holds: 1 }));
    assert!(matches!(sale.apply(Command::Book(request(0, 0, 3, 1)), None, &mut fresh), Ok(Answer::Booked(Ok(_)))));
    let paid = sale.apply(
        Command::Pay { hold_id: hold.id, charge: Charge::Approved { card_last4: "4242".into() } },
        None,
        &mut fresh,
    );
    assert_eq!(paid, Ok(Answer::Paid(Err(BookingError::HoldExpired))));
}
