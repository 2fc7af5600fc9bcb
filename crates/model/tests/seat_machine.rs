//! Reserved seats as a state machine under random command sequences: holds of named seats (some taken,
//! repeated or of another tier), best-available holds and one-step bookings, payments, releases,
//! cancellations, time passing, seats blocked and freed, and the plan replaced (growing, or dropping seats).
//! After every command, checked against the records rather than the engine's counters:
//! - every seat is in exactly one state, and per seated tier `sold + held + blocked + free == capacity`
//!   with `sold`, `held`, `blocked` what the stock says;
//! - a seat is held by a hold exactly when that hold is running and names it, sold to an order exactly when
//!   that order is paid and has a ticket for it; a hold's and an order's seats number its quantity;
//! - a refusal changes nothing; a taken seat's refusal names exactly the named seats that were not free;
//! - best available gives free seats of the tier, adjacent in one row whenever such a run existed, and
//!   leaving no single free seat beside them whenever that was possible.

use chrono::{TimeZone, Utc};
use model::{
    sale::{Answer, Charge, Command, Rules, Sale, SeatState, Stock},
    BookingError, BookingRequest, BuyerLimits, Cents, ConcertTitle, HoldStatus, OrderStatus, PlanCategory, PlanRow,
    PlanSeat, PlanZone, Point, Quantity, SeatingPlan, Size, Tier,
};
use proptest::prelude::*;
use std::{collections::BTreeMap, time::Duration};

mod common;
use common::Counter;

const CONCERT: i64 = 1;
const ROWS: usize = 3;
const PER_ROW: usize = 6;

/// A plan of `rows` rows of `per_row` seats: the first two rows VIP, the rest Front Row; seat `A-1` is
/// at the left of the front row (the stage is at the top).
fn plan(rows: usize, per_row: usize) -> SeatingPlan {
    let category = |name: &str| PlanCategory { name: name.into(), color: None, tier: None };
    let size = Size { width: 10.0 * per_row as f64 + 10.0, height: 10.0 * rows as f64 + 20.0 };
    let rows = (0..rows)
        .map(|r| PlanRow {
            row_number: ((b'A' + r as u8) as char).to_string(),
            position: Point { x: 0.0, y: 10.0 + 10.0 * r as f64 },
            seats: (0..per_row)
                .map(|s| PlanSeat {
                    seat_guid: seat_id(r, s),
                    seat_number: (s + 1).to_string(),
                    position: Point { x: 5.0 + 10.0 * s as f64, y: 0.0 },
                    category: if r < 2 { "vip" } else { "front_row" }.into(),
                })
                .collect(),
        })
        .collect();
    SeatingPlan {
        name: "Club".into(),
        categories: vec![category("vip"), category("front_row")],
        size,
        zones: vec![PlanZone { name: "Floor".into(), position: Point::default(), rows, areas: Vec::new() }],
    }
}

fn seat_id(row: usize, seat: usize) -> String {
    format!("{}-{}", (b'A' + row as u8) as char, seat + 1)
}

fn offered() -> Vec<(Tier, String)> {
    [Tier::Vip, Tier::FrontRow, Tier::General].into_iter().map(|t| (t, t.display_name().to_owned())).collect()
}

fn opening() -> Sale {
    let now = Utc.with_ymd_and_hms(2027, 5, 1, 18, 0, 0).single().expect("a valid time");
    let rules = Rules {
        default_concert: CONCERT,
        max_per_order: 6,
        buyer_limits: "vip=4,front_row=none,general=none".parse::<BuyerLimits>().expect("valid"),
        hold_for: Duration::from_secs(10 * 60),
        offer_for: Duration::from_secs(30 * 60),
    };
    let mut sale = Sale::new(now, rules);
    let title = ConcertTitle {
        id: CONCERT,
        name: "Seated".into(),
        venue: "Club".into(),
        starts_at: now,
        zone: Default::default(),
    };
    sale.concerts.insert(CONCERT, title);
    for (tier, price) in [(Tier::Vip, 10_000), (Tier::FrontRow, 5_000), (Tier::General, 1_000)] {
        sale.stock.insert((CONCERT, tier), Stock::counted(20, Cents(price)));
    }
    let seats = plan(ROWS, PER_ROW).checked(&offered()).expect("a sound plan");
    let answer = sale
        .apply(Command::SetSeating { concert: CONCERT, seats, plan: String::new() }, None, &mut Counter(0))
        .unwrap();
    assert_eq!(answer, Answer::SeatingChanged(Ok(())));
    sale.effects.clear();
    sale
}

#[derive(Debug, Clone)]
enum Op {
    /// Holds (or books) these seats, by (row, seat) in the first plan; `row` 3 is no seat of it.
    Seats {
        seats: Vec<(usize, usize)>,
        book: bool,
        buyer: u8,
    },
    /// Holds (or books) `quantity` of a seated tier, best available.
    Best {
        front_row: bool,
        quantity: u32,
        book: bool,
        buyer: u8,
    },
    Pay {
        hold: usize,
    },
    Release {
        hold: usize,
    },
    Cancel {
        order: usize,
    },
    Later {
        minutes: u32,
    },
    Block {
        row: usize,
        seat: usize,
        blocked: bool,
    },
    /// A new plan: `rows` × `per_row` seats (more or fewer than the first).
    Replan {
        rows: usize,
        per_row: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (proptest::collection::vec((0usize..4, 0usize..PER_ROW + 1), 1..5), proptest::bool::weighted(0.2), 0u8..4)
            .prop_map(|(seats, book, buyer)| Op::Seats { seats, book, buyer }),
        4 => (any::<bool>(), 1u32..6, proptest::bool::weighted(0.2), 0u8..4)
            .prop_map(|(front_row, quantity, book, buyer)| Op::Best { front_row, quantity, book, buyer }),
        4 => (0usize..10).prop_map(|hold| Op::Pay { hold }),
        1 => (0usize..10).prop_map(|hold| Op::Release { hold }),
        1 => (0usize..10).prop_map(|order| Op::Cancel { order }),
        2 => (0u32..15).prop_map(|minutes| Op::Later { minutes }),
        2 => (0usize..ROWS, 0usize..PER_ROW, proptest::bool::weighted(0.6))
            .prop_map(|(row, seat, blocked)| Op::Block { row, seat, blocked }),
        1 => (2usize..5, 4usize..9).prop_map(|(rows, per_row)| Op::Replan { rows, per_row }),
    ]
}

fn buyer(tier: Tier, quantity: u32, buyer: u8) -> BookingRequest {
    let email = format!("buyer{buyer}@example.org");
    BookingRequest::from_buyer(Ok(tier), Quantity::new(i64::from(quantity)), "Buyer", &email)
        .expect("a valid request")
        .for_concert(Some(CONCERT))
}

fn check_invariants(sale: &Sale) -> Result<(), TestCaseError> {
    for tier in [Tier::Vip, Tier::FrontRow] {
        let stock = &sale.stock[&(CONCERT, tier)];
        let seats: Vec<_> = sale.seats.values().filter(|s| s.concert == CONCERT && s.tier == tier).collect();
        if !stock.seated {
            prop_assert!(seats.is_empty(), "{tier:?} is not seated but has seats");
            continue;
        }
        let count = |f: &dyn Fn(&SeatState) -> bool| seats.iter().filter(|s| f(&s.state)).count() as u32;
        let held = count(&|s| matches!(s, SeatState::Held(_)));
        let sold = count(&|s| matches!(s, SeatState::Sold(_)));
        let blocked = count(&|s| *s == SeatState::Blocked);
        let free = count(&|s| *s == SeatState::Free);
        prop_assert_eq!((sold, held, blocked), (stock.sold, stock.held, stock.blocked), "{:?}'s counts", tier);
        prop_assert_eq!(sold + held + blocked + free, stock.capacity, "{:?}: every seat in one state", tier);
        prop_assert_eq!(free, stock.available());
    }
    for ((concert, id), seat) in &sale.seats {
        prop_assert_eq!((*concert, id), (seat.concert, &seat.id));
        match &seat.state {
            SeatState::Held(hold) => {
                let hold = &sale.holds[hold];
                prop_assert!(hold.status == HoldStatus::Held && hold.seats.contains(id), "{id} held by {hold:?}");
            }
            SeatState::Sold(order) => {
                let order = &sale.orders[order];
                prop_assert!(order.status == OrderStatus::Paid && order.seats().contains(id), "{id} sold in {order:?}");
            }
            SeatState::Free | SeatState::Blocked => {}
        }
    }
    for hold in sale.holds.values().filter(|h| sale.stock[&(h.concert, h.tier)].seated || !h.seats.is_empty()) {
        if hold.status == HoldStatus::Held {
            prop_assert_eq!(hold.seats.len() as u32, hold.quantity, "{}'s seats", &hold.id);
            for id in &hold.seats {
                prop_assert_eq!(&sale.seats[&(CONCERT, id.clone())].state, &SeatState::Held(hold.id.clone()));
            }
        }
    }
    for order in sale.orders.values().filter(|o| o.status == OrderStatus::Paid) {
        if sale.stock[&(order.concert, order.tier)].seated {
            prop_assert_eq!(order.seats().len() as u32, order.quantity, "{}'s tickets carry its seats", &order.code);
            for id in order.seats() {
                prop_assert_eq!(&sale.seats[&(CONCERT, id)].state, &SeatState::Sold(order.code.clone()));
            }
        }
    }
    Ok(())
}

/// Checks a best-available answer's seats against the free seats before it.
fn check_best(before: &Sale, tier: Tier, quantity: usize, chosen: &[String]) -> Result<(), TestCaseError> {
    prop_assert_eq!(chosen.len(), quantity);
    let free: Vec<_> = before
        .seats
        .values()
        .filter(|s| s.tier == tier && s.state == SeatState::Free)
        .map(|s| (s.row, s.column))
        .collect();
    let mut rows: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (row, column) in &free {
        rows.entry(*row).or_default().push(*column);
    }
    // Every window of `quantity` adjacent free seats, and whether it leaves a single free seat beside it.
    let mut windows = Vec::new();
    for (row, columns) in &mut rows {
        columns.sort_unstable();
        for run in columns.chunk_by(|a, b| *b == *a + 1) {
            for start in 0..(run.len() + 1).saturating_sub(quantity) {
                let single = start == 1 || run.len() - start - quantity == 1;
                windows.push((*row, run[start], single));
            }
        }
    }
    let places: Vec<(u32, u32)> = chosen
        .iter()
        .map(|id| {
            let seat = &before.seats[&(CONCERT, id.clone())];
            (seat.row, seat.column)
        })
        .collect();
    for (id, place) in chosen.iter().zip(&places) {
        prop_assert!(free.contains(place), "{id} was not a free {tier:?} seat");
    }
    let mut sorted = places.clone();
    sorted.sort_unstable();
    let adjacent = sorted.windows(2).all(|w| w[1].0 == w[0].0 && w[1].1 == w[0].1 + 1);
    if !windows.is_empty() {
        prop_assert!(adjacent, "adjacent seats existed, got {places:?}");
        let (row, first) = sorted[0];
        let picked = windows.iter().find(|w| w.0 == row && w.1 == first).expect("an adjacent pick is a window");
        if windows.iter().any(|w| !w.2) {
            prop_assert!(!picked.2, "it left a single seat where it need not: {places:?}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_seat_is_in_exactly_one_state(ops in proptest::collection::vec(op(), 1..40)) {
        let mut sale = opening();
        let mut fresh = Counter(100);
        let (mut holds, mut orders): (Vec<String>, Vec<(String, String)>) = (Vec::new(), Vec::new());
        check_invariants(&sale)?;
        for op in ops {
            let before = sale.clone();
            let (command, best) = match &op {
                Op::Seats { seats, book, buyer: who } => {
                    let ids: Vec<String> = seats.iter().map(|(r, s)| seat_id(*r, *s)).collect();
                    let tier = if seats[0].0 < 2 { Tier::Vip } else { Tier::FrontRow };
                    let request = buyer(tier, ids.len() as u32, *who).for_seats(ids).expect("1–4 seats");
                    (if *book { Command::Book(request) } else { Command::Hold(request) }, None)
                }
                Op::Best { front_row, quantity, book, buyer: who } => {
                    let tier = if *front_row { Tier::FrontRow } else { Tier::Vip };
                    let request = buyer(tier, *quantity, *who);
                    (if *book { Command::Book(request) } else { Command::Hold(request) }, Some((tier, *quantity)))
                }
                Op::Pay { hold } if !holds.is_empty() => {
                    let charge = Charge::Approved { card_last4: "4242".into() };
                    (Command::Pay { hold_id: holds[hold % holds.len()].clone(), charge }, None)
                }
                Op::Release { hold } if !holds.is_empty() => {
                    (Command::Release { hold_id: holds[hold % holds.len()].clone() }, None)
                }
                Op::Cancel { order } if !orders.is_empty() => {
                    let (code, secret) = orders[order % orders.len()].clone();
                    (Command::Cancel { code, secret }, None)
                }
                Op::Later { minutes } => {
                    sale.now += chrono::Duration::minutes(i64::from(*minutes));
                    (Command::Expire, None)
                }
                Op::Block { row, seat, blocked } => {
                    (Command::SetSeatBlocked { concert: CONCERT, seat: seat_id(*row, *seat), blocked: *blocked }, None)
                }
                Op::Replan { rows, per_row } => {
                    let seats = plan(*rows, *per_row).checked(&offered()).expect("a sound plan");
                    (Command::SetSeating { concert: CONCERT, seats, plan: String::new() }, None)
                }
                _ => continue,
            };
            let answer = sale.apply(command.clone(), None, &mut fresh).expect("no keys here");
            let refused = match &answer {
                Answer::Held(Ok(hold)) => {
                    holds.push(hold.id.clone());
                    if let Some((tier, quantity)) = best {
                        let ids: Vec<String> = hold.seats.iter().map(|s| s.id.clone()).collect();
                        check_best(&before, tier, quantity as usize, &ids)?;
                    }
                    None
                }
                Answer::Booked(Ok(booking)) => {
                    let order = &sale.orders[&booking.id];
                    orders.push((order.code.clone(), order.secret.clone()));
                    if let Some((tier, quantity)) = best {
                        check_best(&before, tier, quantity as usize, &order.seats())?;
                    }
                    None
                }
                Answer::Paid(Ok(order)) => {
                    orders.push((order.code.clone(), order.secret.clone()));
                    None
                }
                Answer::Held(Err(e)) | Answer::Booked(Err(e)) | Answer::Paid(Err(e)) | Answer::Released(Err(e))
                | Answer::Cancelled(Err(e)) | Answer::SeatingChanged(Err(e)) => Some(e.clone()),
                _ => None,
            };
            if let Some(error) = refused {
                let mut unchanged = before.clone();
                unchanged.now = sale.now;
                prop_assert_eq!(&sale, &unchanged, "a refusal ({:?}) changes nothing", error);
                if let (BookingError::SeatTaken { seats }, Op::Seats { seats: named, .. }) = (&error, &op) {
                    let expected: Vec<String> = named
                        .iter()
                        .map(|(r, s)| seat_id(*r, *s))
                        .filter(|id| before.seats.get(&(CONCERT, id.clone())).is_some_and(|s| s.state != SeatState::Free))
                        .collect();
                    prop_assert_eq!(seats, &expected, "the refusal names exactly the seats not free");
                }
            }
            check_invariants(&sale)?;
        }
    }
}
