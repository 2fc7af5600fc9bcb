//! The waiting list as a state machine: random joins, holds, payments, releases, cancellations, time passing
//! (holds and offers running out), capacity changes and pauses on two small tiers, one limited per buyer.
//! After every command, checked against the records (not the engine's counters):
//! - conservation: `sold` is what the paid orders add up to, `held` what the holds still held add up to
//!   (offers included), `sold + held <= capacity`; every buyer's total within the limit;
//! - an offered entry has exactly one hold, held, of its quantity and buyer, and every held offer belongs
//!   to an offered entry, every paid one to a bought entry;
//! - a tier's `waiting` is its entries still waiting;
//! - no tickets sit available on a tier on sale while a waiting entry fits in them;
//! - an entry still waiting was never passed over for a later one that wanted as many or fewer… than it;
//! - a refusal changes nothing.

use chrono::{TimeZone, Utc};
use model::{
    sale::{Answer, Charge, Command, EntryState, Rules, Sale, Stock},
    BookingError, BookingRequest, BuyerLimits, Cents, ConcertTitle, HoldStatus, OrderStatus, Quantity, Tier,
};
use proptest::prelude::*;
use std::{collections::BTreeMap, time::Duration};

mod common;
use common::Counter;

const CONCERT: i64 = 1;
const TIERS: [Tier; 2] = [Tier::Vip, Tier::General];
const VIP_LIMIT: u32 = 3;

#[derive(Debug, Clone)]
enum Op {
    Join {
        tier: usize,
        quantity: u32,
        buyer: u8,
    },
    Hold {
        tier: usize,
        quantity: u32,
        buyer: u8,
    },
    /// Pays the `hold`-th hold the sale knows (offers included), approved or declined.
    Pay {
        hold: usize,
        approve: bool,
    },
    Release {
        hold: usize,
    },
    Cancel {
        order: usize,
    },
    /// A later batch: time moves on and holds and offers that ran out expire.
    Later {
        minutes: u32,
    },
    SetCapacity {
        tier: usize,
        capacity: u32,
    },
    SetOnSale {
        tier: usize,
        on_sale: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..2, 1u32..4, 0u8..5).prop_map(|(tier, quantity, buyer)| Op::Join { tier, quantity, buyer }),
        3 => (0usize..2, 1u32..4, 0u8..5).prop_map(|(tier, quantity, buyer)| Op::Hold { tier, quantity, buyer }),
        3 => (0usize..8, proptest::bool::weighted(0.8)).prop_map(|(hold, approve)| Op::Pay { hold, approve }),
        1 => (0usize..8).prop_map(|hold| Op::Release { hold }),
        2 => (0usize..8).prop_map(|order| Op::Cancel { order }),
        2 => (0u32..40).prop_map(|minutes| Op::Later { minutes }),
        1 => (0usize..2, 0u32..8).prop_map(|(tier, capacity)| Op::SetCapacity { tier, capacity }),
        1 => (0usize..2, proptest::bool::weighted(0.7)).prop_map(|(tier, on_sale)| Op::SetOnSale { tier, on_sale }),
    ]
}

fn opening(capacities: [u32; 2]) -> Sale {
    let now = Utc.with_ymd_and_hms(2027, 5, 1, 18, 0, 0).single().expect("a valid time");
    let rules = Rules {
        default_concert: CONCERT,
        max_per_order: 4,
        buyer_limits: format!("vip={VIP_LIMIT},front_row=none,general=none").parse::<BuyerLimits>().expect("limits"),
        hold_for: Duration::from_secs(10 * 60),
        offer_for: Duration::from_secs(30 * 60),
    };
    let mut sale = Sale::new(now, rules);
    let title = ConcertTitle {
        id: CONCERT,
        name: "Concert".into(),
        venue: "Hall".into(),
        starts_at: now,
        zone: Default::default(),
    };
    sale.concerts.insert(CONCERT, title);
    for (tier, capacity) in TIERS.into_iter().zip(capacities) {
        sale.stock.insert((CONCERT, tier), Stock::counted(capacity, Cents(1_000)));
        sale.lines.insert((CONCERT, tier), Default::default());
    }
    sale
}

fn request(tier: usize, quantity: u32, buyer: u8) -> BookingRequest {
    BookingRequest::from_buyer(
        Ok(TIERS[tier]),
        Quantity::new(i64::from(quantity)),
        "Buyer",
        &format!("b{buyer}@example.org"),
    )
    .expect("a valid request")
    .for_concert(Some(CONCERT))
}

fn nth<T: Clone>(items: Vec<T>, n: usize) -> Option<T> {
    let len = items.len();
    (len > 0).then(|| items[n % len].clone())
}

fn command(sale: &mut Sale, op: &Op) -> Option<Command> {
    Some(match op {
        Op::Join { tier, quantity, buyer } => Command::JoinWaitlist(request(*tier, *quantity, *buyer)),
        Op::Hold { tier, quantity, buyer } => Command::Hold(request(*tier, *quantity, *buyer)),
        Op::Pay { hold, approve } => {
            let hold_id = nth(sale.holds.keys().cloned().collect(), *hold)?;
            let charge = if *approve {
                Charge::Approved { card_last4: "4242".into() }
            } else {
                Charge::Declined { card_last4: "0002".into(), reason: "declined".into() }
            };
            Command::Pay { hold_id, charge }
        }
        Op::Release { hold } => Command::Release { hold_id: nth(sale.holds.keys().cloned().collect(), *hold)? },
        Op::Cancel { order } => {
            let code: String = nth(sale.orders.keys().cloned().collect(), *order)?;
            Command::Cancel { secret: sale.orders[&code].secret.clone(), code }
        }
        Op::Later { minutes } => {
            sale.now += chrono::Duration::minutes(i64::from(*minutes));
            Command::Expire
        }
        Op::SetCapacity { tier, capacity } => {
            Command::SetCapacity { concert: CONCERT, tier: TIERS[*tier], capacity: *capacity }
        }
        Op::SetOnSale { tier, on_sale } => {
            Command::SetOnSale { concert: CONCERT, tier: TIERS[*tier], on_sale: *on_sale }
        }
    })
}

fn refusal(answer: &Answer) -> Option<&BookingError> {
    match answer {
        Answer::Held(Err(e))
        | Answer::Paid(Err(e))
        | Answer::Released(Err(e))
        | Answer::Cancelled(Err(e))
        | Answer::TierChanged(Err(e))
        | Answer::Waitlisted(Err(e)) => Some(e),
        _ => None,
    }
}

fn check(sale: &Sale, before: &Sale) -> Result<(), TestCaseError> {
    for tier in TIERS {
        let place = (CONCERT, tier);
        let stock = &sale.stock[&place];
        let sold: u32 =
            sale.orders.values().filter(|o| o.tier == tier && o.status == OrderStatus::Paid).map(|o| o.quantity).sum();
        let held: u32 =
            sale.holds.values().filter(|h| h.tier == tier && h.status == HoldStatus::Held).map(|h| h.quantity).sum();
        prop_assert_eq!(stock.sold, sold, "{} sold is its paid orders", tier);
        prop_assert_eq!(stock.held, held, "{} held is its held holds, offers included", tier);
        prop_assert!(stock.sold + stock.held <= stock.capacity, "{} oversold: {:?}", tier, stock);

        let waiting: Vec<_> =
            sale.entries.values().filter(|e| e.tier == tier && e.state == EntryState::Waiting).collect();
        prop_assert_eq!(sale.lines[&place].waiting as usize, waiting.len(), "{} waiting count", tier);
        if stock.on_sale {
            for entry in &waiting {
                prop_assert!(
                    entry.quantity > stock.available(),
                    "{} idles {} tickets while entry {} waits for {}",
                    tier,
                    stock.available(),
                    entry.place,
                    entry.quantity
                );
            }
        }
        let offered_now: Vec<_> = sale
            .entries
            .values()
            .filter(|e| {
                e.tier == tier
                    && e.state != EntryState::Waiting
                    && e.hold.is_some()
                    && before.entries.get(&e.id).is_some_and(|was| was.state == EntryState::Waiting)
            })
            .collect();
        for offered in &offered_now {
            for passed in waiting.iter().filter(|w| w.place < offered.place) {
                prop_assert!(
                    passed.quantity > offered.quantity,
                    "entry {} (for {}) was passed over for the later {} (for {})",
                    passed.place,
                    passed.quantity,
                    offered.place,
                    offered.quantity
                );
            }
        }
    }
    for entry in sale.entries.values() {
        let holds: Vec<_> = sale.holds.values().filter(|h| h.offer.as_deref() == Some(entry.id.as_str())).collect();
        match entry.state {
            EntryState::Waiting => {
                prop_assert!(holds.is_empty() && entry.hold.is_none(), "a waiting entry has no offer")
            }
            EntryState::Offered => {
                prop_assert_eq!(holds.len(), 1, "an offered entry has one hold");
                let hold = holds[0];
                prop_assert_eq!(entry.hold.as_deref(), Some(hold.id.as_str()));
                prop_assert_eq!(hold.status, HoldStatus::Held, "an offered entry's hold is held");
                prop_assert_eq!((hold.quantity, &hold.user_id), (entry.quantity, &entry.user_id));
            }
            EntryState::Bought => {
                prop_assert!(holds.len() == 1 && holds[0].status == HoldStatus::Paid, "a bought entry's offer is paid")
            }
            EntryState::Lapsed | EntryState::Declined => prop_assert!(
                holds.iter().all(|h| matches!(h.status, HoldStatus::Expired | HoldStatus::Released)),
                "a lapsed or declined entry holds nothing"
            ),
        }
        let in_line = sale
            .entries
            .values()
            .filter(|e| e.tier == entry.tier && e.user_id == entry.user_id && e.state.in_line())
            .count();
        prop_assert!(in_line <= 1, "a buyer is in a tier's line once");
    }
    let mut totals: BTreeMap<&str, u32> = BTreeMap::new();
    for hold in sale.holds.values().filter(|h| h.tier == Tier::Vip && h.status == HoldStatus::Held) {
        *totals.entry(&hold.user_id).or_default() += hold.quantity;
    }
    for order in sale.orders.values().filter(|o| o.tier == Tier::Vip && o.status == OrderStatus::Paid) {
        *totals.entry(&order.user_id).or_default() += order.quantity;
    }
    for (user, total) in totals {
        prop_assert!(total <= VIP_LIMIT, "{} has {} VIP tickets", user, total);
        prop_assert_eq!(sale.bought.get(&(CONCERT, Tier::Vip, user.to_owned())).copied().unwrap_or(0), total);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn offers_keep_stock_and_order(capacities in [0u32..5, 0u32..5], ops in proptest::collection::vec(op(), 1..60)) {
        let mut sale = opening(capacities);
        let mut fresh = Counter(0);
        for op in &ops {
            let before = sale.clone();
            let Some(command) = command(&mut sale, op) else { continue };
            let answer = sale.apply(command, None, &mut fresh).expect("no keys here");
            if let Some(error) = refusal(&answer) {
                if !matches!(error, BookingError::PaymentDeclined { .. }) {
                    prop_assert_eq!(&sale.stock, &before.stock, "a refusal ({}) moves no stock", error);
                    prop_assert_eq!(&sale.entries, &before.entries, "a refusal ({}) changes no entry", error);
                    prop_assert_eq!(&sale.holds, &before.holds, "a refusal ({}) changes no hold", error);
                }
            }
            check(&sale, &before)?;
        }
    }
}

/// The story, step by step: returned tickets go to the first entry, then the next when its offer
/// lapses, and the offer keeps them from everyone else.
#[test]
fn returned_tickets_go_to_the_first_then_to_the_next_when_the_offer_lapses() {
    let mut sale = opening([2, 0]);
    let mut fresh = Counter(0);
    let mut run = |sale: &mut Sale, command| sale.apply(command, None, &mut fresh).expect("no keys");
    let Answer::Held(Ok(first_hold)) = run(&mut sale, Command::Hold(request(0, 2, 0))) else { panic!("held") };
    let Answer::Paid(Ok(order)) =
        run(&mut sale, Command::Pay { hold_id: first_hold.id, charge: Charge::Approved { card_last4: "4242".into() } })
    else {
        panic!("paid")
    };
    let Answer::Waitlisted(Ok(ada)) = run(&mut sale, Command::JoinWaitlist(request(0, 2, 1))) else {
        panic!("ada joins")
    };
    let Answer::Waitlisted(Ok(bob)) = run(&mut sale, Command::JoinWaitlist(request(0, 2, 2))) else {
        panic!("bob joins")
    };
    assert_eq!((ada.place, bob.place), (1, 2));
    assert_eq!(
        run(&mut sale, Command::JoinWaitlist(request(0, 1, 1))),
        Answer::Waitlisted(Err(BookingError::AlreadyWaiting(Tier::Vip)))
    );

    let secret = sale.orders[&order.code].secret.clone();
    run(&mut sale, Command::Cancel { code: order.code.clone(), secret });
    let offer = |sale: &Sale, id: &str| sale.entries[id].hold.clone();
    let ada_hold = offer(&sale, &ada.id).expect("Ada, first in line, gets the returned tickets");
    assert_eq!(sale.entries[&ada.id].state, EntryState::Offered);
    assert_eq!(sale.stock[&(CONCERT, Tier::Vip)].held, 2, "the offer is held");
    assert_eq!(
        run(&mut sale, Command::Hold(request(0, 1, 3))),
        Answer::Held(Err(BookingError::SoldOut { available: 0 })),
        "nobody else takes the offered tickets"
    );
    assert!(offer(&sale, &bob.id).is_none(), "Bob waits");

    sale.now += chrono::Duration::minutes(31);
    run(&mut sale, Command::Expire);
    assert_eq!(sale.entries[&ada.id].state, EntryState::Lapsed, "Ada's offer ran out");
    let bob_hold = offer(&sale, &bob.id).expect("the next in line gets them");
    assert!(sale.holds[&bob_hold].offer.is_some());
    let Answer::Paid(Ok(_)) =
        run(&mut sale, Command::Pay { hold_id: bob_hold, charge: Charge::Approved { card_last4: "4242".into() } })
    else {
        panic!("Bob pays his offer")
    };
    assert_eq!(sale.entries[&bob.id].state, EntryState::Bought);
    assert!(matches!(
        run(&mut sale, Command::Pay { hold_id: ada_hold, charge: Charge::Approved { card_last4: "4242".into() } }),
        Answer::Paid(Err(BookingError::HoldExpired))
    ));
}

#[test]
fn only_a_tier_that_cannot_serve_the_buyer_has_a_list() {
    let mut sale = opening([0, 3]);
    let mut fresh = Counter(0);
    assert_eq!(
        sale.apply(Command::JoinWaitlist(request(1, 2, 1)), None, &mut fresh).unwrap(),
        Answer::Waitlisted(Err(BookingError::TicketsAvailable { available: 3 }))
    );
    let Answer::Waitlisted(Ok(_)) = sale.apply(Command::JoinWaitlist(request(1, 4, 1)), None, &mut fresh).unwrap()
    else {
        panic!("four wanted, three left: the buyer may wait")
    };
}
