//! Check-in as a state machine under random command sequences: scans of real, unknown and other concerts'
//! tickets from several devices, online and offline, in and out, retried with their nonce, and orders
//! cancelled between them, at a concert with or without re-entry. After every command, checked against a
//! reference that knows only what happened:
//! - a new online scan gets exactly the answer the rules give (so a ticket is let in once per time out, and
//!   never twice online); a refused scan changes no ticket;
//! - an offline scan is always recorded: admitted, as a conflict exactly when the rules would have refused
//!   it for being in already, naming the other way in;
//! - a retried scan (the same device and nonce) gets its first answer and changes nothing;
//! - each ticket's entries are the entries it was admitted, it is inside as the last admitted scan left it,
//!   and its first entry is the earliest of them (the first scan wins);
//! - every new scan is logged once, a retry not at all;
//! - a revoked device's scans, new or retried, are `DeviceRevoked`: not decided, logged or remembered.

use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use model::{
    sale::{Answer, Command, DoorRecord, Effect, Key, Rules, Sale, ScanOutcome, Stock},
    BookingRequest, BuyerLimits, Cents, ConcertTitle, DeviceRef, Direction, DoorTicket, OrderStatus, Quantity, Scan,
    ScanAnswer, ScanRefusal, Tier,
};
use proptest::prelude::*;
use std::{collections::BTreeMap, time::Duration};

mod common;
use common::Counter;

const DOOR: i64 = 1;
const ELSEWHERE: i64 = 2;
const ORDERS: usize = 4;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 5, 1, 18, 0, 0).single().expect("a valid time")
}

/// A sale with `ORDERS` paid orders of two tickets each: the first three for the door's concert, the last
/// for another; every ticket loaded for the door as the store would load it.
fn opening(reentry: bool) -> (Sale, Vec<(String, String)>) {
    let rules = Rules {
        default_concert: DOOR,
        max_per_order: 6,
        buyer_limits: "vip=none,front_row=none,general=none".parse::<BuyerLimits>().expect("valid"),
        hold_for: Duration::from_secs(600),
        offer_for: Duration::from_secs(30 * 60),
    };
    let mut sale = Sale::new(start(), rules);
    for id in [DOOR, ELSEWHERE] {
        let title = ConcertTitle {
            id,
            name: format!("Concert {id}"),
            venue: "Hall".into(),
            starts_at: start(),
            zone: Default::default(),
        };
        sale.concerts.insert(id, title);
        sale.stock.insert((id, Tier::General), Stock::counted(100, Cents(1_000)));
    }
    if reentry {
        sale.reentry.insert(DOOR);
    }
    let mut fresh = Counter(0);
    let mut orders = Vec::new();
    for n in 0..ORDERS {
        let concert = if n + 1 == ORDERS { ELSEWHERE } else { DOOR };
        let request = BookingRequest::from_buyer(Ok(Tier::General), Quantity::new(2), "Buyer", "b@example.org")
            .expect("a valid request")
            .for_concert(Some(concert));
        let Ok(Answer::Booked(Ok(booking))) = sale.apply(Command::Book(request), None, &mut fresh) else {
            panic!("the booking is sold");
        };
        let order = &sale.orders[&booking.id];
        orders.push((order.code.clone(), order.secret.clone()));
        for ticket in &order.tickets {
            let record = DoorRecord {
                ticket: DoorTicket {
                    code: ticket.code.clone(),
                    concert_id: concert,
                    tier: Tier::General,
                    seat: None,
                    buyer_name: Some("Buyer".into()),
                },
                order: order.code.clone(),
                order_status: OrderStatus::Paid,
                entries: 0,
                inside: false,
                first_entry: None,
            };
            sale.tickets.insert(ticket.code.clone(), record);
        }
    }
    sale.active_devices.extend((0..3).map(|n| device(n).id));
    sale.effects.clear();
    (sale, orders)
}

#[derive(Debug, Clone)]
enum Op {
    /// A new scan of ticket `ticket` (`2 * ORDERS` is a code that is no ticket) at `concert`.
    Scan {
        ticket: usize,
        elsewhere: bool,
        device: usize,
        offline: bool,
        exit: bool,
        earlier_minutes: i64,
    },
    /// One of the scans so far sent again with its nonce.
    Retry {
        scan: usize,
    },
    Cancel {
        order: usize,
    },
    /// The operator revokes a device (as the store loads it for the next batch: not active).
    Revoke {
        device: usize,
    },
    Later {
        minutes: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..=2 * ORDERS, proptest::bool::weighted(0.1), 0usize..3, proptest::bool::weighted(0.3),
              proptest::bool::weighted(0.3), 0i64..30)
            .prop_map(|(ticket, elsewhere, device, offline, exit, earlier_minutes)| Op::Scan {
                ticket, elsewhere, device, offline, exit, earlier_minutes
            }),
        3 => (0usize..40).prop_map(|scan| Op::Retry { scan }),
        1 => (0..ORDERS).prop_map(|order| Op::Cancel { order }),
        // Only the third device is ever revoked: the other two keep scanning to the end.
        1 => Just(Op::Revoke { device: 2 }),
        2 => (0i64..10).prop_map(|minutes| Op::Later { minutes }),
    ]
}

/// What happened to one ticket, as the reference keeps it.
#[derive(Debug, Clone, Default)]
struct Seen {
    entries: u32,
    inside: bool,
    first: Option<DateTime<Utc>>,
}

fn device(n: usize) -> DeviceRef {
    DeviceRef { id: n as i64 + 1, name: format!("Door {}", n + 1) }
}

fn key(device: &DeviceRef, scan: &Scan) -> Key {
    Key { scope: "checkin".into(), key: format!("{}:{}", device.id, scan.nonce), fingerprint: format!("{scan:?}") }
}

/// What the rules say of a new scan, from the reference alone.
fn expected(seen: &Seen, reentry: bool, scan: &Scan, known: bool, own_concert: i64, cancelled: bool) -> Expect {
    if !known {
        return Expect::Refused(ScanRefusal::Invalid);
    }
    if own_concert != scan.concert {
        return Expect::Refused(ScanRefusal::WrongConcert);
    }
    if cancelled {
        return Expect::Refused(ScanRefusal::Canceled);
    }
    match scan.direction {
        Direction::Entry => {
            let in_already = seen.entries > 0 && (!reentry || seen.inside);
            match (in_already, scan.offline) {
                (false, _) => Expect::Admitted,
                (true, true) => Expect::Conflict,
                (true, false) => Expect::Refused(ScanRefusal::AlreadyRedeemed),
            }
        }
        Direction::Exit if !reentry => Expect::Refused(ScanRefusal::NoReentry),
        Direction::Exit if !seen.inside && !scan.offline => Expect::Refused(ScanRefusal::NotInside),
        Direction::Exit => Expect::Admitted,
    }
}

#[derive(Debug, PartialEq)]
enum Expect {
    Admitted,
    Conflict,
    Refused(ScanRefusal),
}

fn check_tickets(sale: &Sale, seen: &BTreeMap<String, Seen>) -> Result<(), TestCaseError> {
    for (code, record) in &sale.tickets {
        let reference = seen.get(code).cloned().unwrap_or_default();
        prop_assert_eq!(record.entries, reference.entries, "{}'s entries", code);
        prop_assert_eq!(record.inside, reference.inside, "{} inside", code);
        prop_assert_eq!(record.first_entry.as_ref().map(|f| f.at), reference.first, "{}'s first entry", code);
        prop_assert!(!record.inside || record.entries > 0, "{code} is inside without having come in");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_ticket_gets_in_once_per_time_out(reentry in any::<bool>(), ops in proptest::collection::vec(op(), 1..60)) {
        let (mut sale, orders) = opening(reentry);
        let codes: Vec<(String, i64, String)> =
            sale.tickets.values().map(|r| (r.ticket.code.clone(), r.ticket.concert_id, r.order.clone())).collect();
        let mut fresh = Counter(1_000);
        let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
        let mut cancelled = std::collections::BTreeSet::new();
        let mut sent: Vec<(DeviceRef, Scan, ScanAnswer)> = Vec::new();
        let mut revoked = std::collections::BTreeSet::new();
        for (step, op) in ops.into_iter().enumerate() {
            sale.effects.clear();
            match op {
                Op::Scan { ticket, elsewhere, device: n, offline, exit, earlier_minutes } => {
                    let (code, own, order) = codes.get(ticket).cloned()
                        .unwrap_or_else(|| ("T-none".into(), DOOR, String::new()));
                    let known = ticket < codes.len();
                    let concert = if elsewhere { if own == DOOR { ELSEWHERE } else { DOOR } } else { own };
                    let scanned_at = sale.now - Span::minutes(if offline { earlier_minutes } else { 0 });
                    let direction = if exit { Direction::Exit } else { Direction::Entry };
                    let scan = Scan::parse(&code, concert, &format!("n{step}"), scanned_at, offline, direction)
                        .expect("a well-formed scan");
                    let reference = seen.entry(code.clone()).or_default();
                    let reentry_here = reentry && concert == DOOR;
                    let want = expected(reference, reentry_here, &scan, known, own, cancelled.contains(&order));
                    let device = device(n);
                    let before = sale.tickets.clone();
                    let Ok(Answer::Scanned(answer)) = sale.apply(
                        Command::Redeem { device: device.clone(), scan: scan.clone() }, Some(&key(&device, &scan)), &mut fresh,
                    ) else { panic!("a scan is answered as one") };
                    if revoked.contains(&n) {
                        prop_assert_eq!(answer, ScanAnswer::DeviceRevoked);
                        prop_assert_eq!(&sale.tickets, &before, "a revoked device's scan changes no ticket");
                        prop_assert!(sale.effects.is_empty(), "a revoked device's scan leaves nothing: {:?}", sale.effects);
                        check_tickets(&sale, &seen)?;
                        continue;
                    }
                    let first_before = reference.first;
                    match (&want, &answer) {
                        (Expect::Admitted, ScanAnswer::Admitted { conflict: None, direction: d, ticket }) => {
                            prop_assert_eq!(*d, direction);
                            prop_assert_eq!(&ticket.code, &code);
                        }
                        (Expect::Conflict, ScanAnswer::Admitted { conflict: Some(other), .. }) => {
                            prop_assert_eq!(Some(other.at), first_before, "a conflict names the first way in");
                        }
                        (Expect::Refused(reason), ScanAnswer::Refused { reason: got, redeemed, .. }) => {
                            prop_assert_eq!(reason, got);
                            if *reason == ScanRefusal::AlreadyRedeemed {
                                prop_assert_eq!(redeemed.as_ref().map(|r| r.at), first_before);
                            }
                            prop_assert_eq!(&sale.tickets, &before, "a refused scan changes no ticket");
                        }
                        _ => prop_assert!(false, "{:?} for {:?}, expected {:?}", answer, scan, want),
                    }
                    if want == Expect::Admitted || want == Expect::Conflict {
                        let at = if offline { scanned_at } else { sale.now };
                        match direction {
                            Direction::Entry => {
                                reference.entries += 1;
                                reference.inside = true;
                                reference.first = Some(reference.first.map_or(at, |first| first.min(at)));
                            }
                            Direction::Exit => reference.inside = false,
                        }
                    }
                    let logged: Vec<_> = sale.effects.iter().filter_map(|e| match e {
                        Effect::Scanned(log) => Some(log),
                        _ => None,
                    }).collect();
                    prop_assert_eq!(logged.len(), 1, "every scan is logged once");
                    let outcome = match &want {
                        Expect::Admitted => ScanOutcome::Admitted,
                        Expect::Conflict => ScanOutcome::Conflict,
                        Expect::Refused(reason) => ScanOutcome::Refused(*reason),
                    };
                    prop_assert_eq!(logged[0].outcome, outcome);
                    prop_assert_eq!(&logged[0].device, &device);
                    sent.push((device, scan, answer));
                }
                Op::Retry { scan } => {
                    let Some((device, scan, first)) = sent.get(scan).cloned() else { continue };
                    let before = sale.tickets.clone();
                    let again = sale.apply(
                        Command::Redeem { device: device.clone(), scan: scan.clone() }, Some(&key(&device, &scan)), &mut fresh,
                    );
                    let want = if revoked.contains(&((device.id - 1) as usize)) { ScanAnswer::DeviceRevoked } else { first };
                    prop_assert_eq!(again, Ok(Answer::Scanned(want)), "a retried scan gets its first answer");
                    prop_assert_eq!(&sale.tickets, &before, "a retry changes nothing");
                    prop_assert!(sale.effects.is_empty(), "a retry is not logged again: {:?}", sale.effects);
                }
                Op::Cancel { order } => {
                    let (code, secret) = orders[order].clone();
                    let answer = sale.apply(Command::Cancel { code: code.clone(), secret }, None, &mut fresh);
                    if matches!(answer, Ok(Answer::Cancelled(Ok(_)))) {
                        cancelled.insert(code);
                    }
                }
                Op::Revoke { device: n } => {
                    sale.active_devices.remove(&device(n).id);
                    revoked.insert(n);
                }
                Op::Later { minutes } => sale.now += Span::minutes(minutes),
            }
            check_tickets(&sale, &seen)?;
            if !reentry {
                for (code, record) in &sale.tickets {
                    let _ = code;
                    prop_assert!(record.entries <= 1 || sent.iter().any(|(_, s, _)| s.offline && s.ticket == record.ticket.code),
                        "a single-entry ticket came in twice without an offline scan: {:?}", record);
                }
            }
        }
    }
}
