//! The waiting room as a state machine under random sequences of joins (new visitors and returning
//! ones), time passing, admission ticks and holds with every kind of proof. After every step:
//! - places are unique; once the pre-queue is placed its places are exactly 1..=its size, and everyone who
//!   joined after the opening is placed after it, in arrival order;
//! - `admitted_through` never passes the last visitor, never exceeds what the rates in force allowed
//!   (the operator changes rate and cap as the sale runs), and no admission leaves more than
//!   `max_buying` with a window running;
//! - a hold needs a signed token for its concert with the window running once sales are open, and before
//!   the opening only the opening itself refuses.

use chrono::{DateTime, TimeZone, Utc};
use model::{
    sale::{Answer, Command, Effect, Fresh, Joined, Queue, Rules, Sale, Stock},
    Admission, BookingError, BookingRequest, BuyerLimits, Cents, ConcertTitle, Quantity, QueueStatus, Tier,
    WaitingRoom,
};
use proptest::prelude::*;
use std::time::Duration;

const CONCERT: i64 = 1;
const OTHER: i64 = 2;

struct Draws {
    n: u64,
    draws: std::vec::IntoIter<i64>,
}

impl Fresh for Draws {
    fn hold_id(&mut self) -> String {
        self.n += 1;
        format!("h_{}", self.n)
    }
    fn order_code(&mut self) -> String {
        self.hold_id()
    }
    fn order_secret(&mut self) -> String {
        self.hold_id()
    }
    fn ticket_code(&mut self) -> String {
        self.hold_id()
    }
    fn visitor_id(&mut self) -> String {
        self.n += 1;
        format!("v_{}", self.n)
    }
    fn waitlist_id(&mut self) -> String {
        self.hold_id()
    }
    fn draw(&mut self) -> i64 {
        self.draws.next().unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// A new visitor joins.
    Join,
    /// A visitor who joined before joins again.
    Rejoin(usize),
    /// Time passes.
    Wait(u32),
    Admit,
    /// The operator sets a new rate and cap while the room runs.
    SetRoom(u32, Option<u32>),
    /// A hold with a proof: 0 none, 1 forged, 2 another concert's, 3 the visitor's own (expiring as the
    /// engine would be told by the store), 4 an expired one.
    Hold(u8, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Join),
        1 => (0usize..50).prop_map(Op::Rejoin),
        3 => (0u32..90_000).prop_map(Op::Wait),
        3 => Just(Op::Admit),
        2 => (0u8..5, 0usize..50).prop_map(|(proof, who)| Op::Hold(proof, who)),
        1 => (1u32..400, prop::option::of(1u32..20)).prop_map(|(rate, cap)| Op::SetRoom(rate, cap)),
    ]
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 5, 1, 11, 55, 0).unwrap()
}

fn sale(room: WaitingRoom, now: DateTime<Utc>) -> Sale {
    let rules = Rules {
        default_concert: CONCERT,
        max_per_order: 10,
        buyer_limits: BuyerLimits::default(),
        hold_for: Duration::from_secs(600),
        offer_for: Duration::from_secs(30 * 60),
    };
    let mut sale = Sale::new(now, rules);
    for concert in [CONCERT, OTHER] {
        sale.concerts.insert(
            concert,
            ConcertTitle {
                id: concert,
                name: "Show".into(),
                venue: "Hall".into(),
                starts_at: start(),
                zone: Default::default(),
            },
        );
        sale.stock.insert((concert, Tier::General), Stock::counted(10_000, Cents(1000)));
    }
    let opens_at = Utc.with_ymd_and_hms(2027, 5, 1, 12, 0, 0).unwrap();
    sale.opening.insert(CONCERT, opens_at);
    sale.queues.insert(
        CONCERT,
        Queue {
            room,
            opens_at,
            joined: 0,
            prequeue: 0,
            placed: false,
            admitted_through: 0,
            advanced_at: None,
            admitted_window_ago: 0,
        },
    );
    sale
}

fn room() -> impl Strategy<Value = WaitingRoom> {
    (1u32..400, 0u32..10, 1u32..5, prop::option::of(1u32..20)).prop_map(|(rate, prequeue, window, max_buying)| {
        WaitingRoom { rate_per_minute: rate, prequeue_minutes: prequeue, window_minutes: window, max_buying }
    })
}

fn hold(visitor: usize, admission: Admission) -> Command {
    let mut request = BookingRequest::from_buyer(
        Ok(Tier::General),
        Quantity::new(1),
        "Buyer",
        &format!("buyer{visitor}@example.org"),
    )
    .expect("a valid request")
    .for_concert(Some(CONCERT));
    request.admission = admission;
    Command::Hold(request)
}

/// What the store keeps of the queue and hands the engine back: places drawn at the opening, the history
/// of admissions (for who is admitted since one window ago).
#[derive(Default)]
struct Kept {
    /// Every visitor by id: (draw, place, joined in arrival order).
    visitors: Vec<(String, i64, Option<u64>)>,
    /// (when, admitted_through) after each tick that admitted.
    admissions: Vec<(DateTime<Utc>, u64)>,
}

impl Kept {
    /// The store's ranking at the opening: the pre-queue by draw (ties by id), places 1, 2, …
    fn place_prequeue(&mut self) {
        let mut unplaced: Vec<usize> = (0..self.visitors.len()).filter(|i| self.visitors[*i].2.is_none()).collect();
        unplaced.sort_by_key(|i| (self.visitors[*i].1, self.visitors[*i].0.clone()));
        for (rank, i) in unplaced.into_iter().enumerate() {
            self.visitors[i].2 = Some(rank as u64 + 1);
        }
    }

    fn through_at(&self, at: DateTime<Utc>) -> u64 {
        self.admissions.iter().filter(|(when, _)| *when <= at).map(|(_, through)| *through).max().unwrap_or(0)
    }

    /// When `place` was admitted.
    fn admitted_at(&self, place: u64) -> Option<DateTime<Utc>> {
        self.admissions.iter().find(|(_, through)| *through >= place).map(|(when, _)| *when)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_queue_keeps_its_invariants(
        room in room(),
        ops in prop::collection::vec(op(), 1..80),
        draws in prop::collection::vec(any::<i64>(), 80),
    ) {
        let mut now = start();
        let mut fresh = Draws { n: 0, draws: draws.into_iter() };
        let mut kept = Kept::default();
        let mut queue = sale(room, now).queues[&CONCERT].clone();
        // Visitor-milliseconds the rates in force allowed since the opening (rate per minute × ms).
        let mut allowed: u128 = 0;
        for op in ops {
            let room = queue.room;
            let mut sale = sale(room, now);
            sale.queues.insert(CONCERT, Queue { admitted_window_ago: kept.through_at(now - room.window()), ..queue.clone() });
            for (id, draw, place) in &kept.visitors {
                sale.visitors.insert(id.clone(), model::sale::Visitor { id: id.clone(), concert: CONCERT, draw: *draw, joined_at: now, place: *place });
            }
            let before = sale.clone();
            match op {
                Op::Wait(ms) => {
                    let later = now + chrono::Duration::milliseconds(i64::from(ms));
                    let counted = (later - now.max(queue.opens_at)).num_milliseconds().max(0) as u128;
                    allowed += counted * u128::from(room.rate_per_minute);
                    now = later;
                }
                Op::SetRoom(rate, cap) => {
                    let new = WaitingRoom { rate_per_minute: rate, max_buying: cap, ..room };
                    let answer = sale.apply(Command::SetWaitingRoom { concert: CONCERT, room: new }, None, &mut fresh).unwrap();
                    prop_assert_eq!(answer, Answer::RoomChanged(Ok(new)));
                    prop_assert_eq!(sale.queues[&CONCERT].room, new);
                    if sale.effects.contains(&Effect::QueuePlaced(CONCERT)) {
                        kept.place_prequeue();
                    }
                    let through = sale.queues[&CONCERT].admitted_through;
                    if through > before.queues[&CONCERT].admitted_through {
                        kept.admissions.push((now, through));
                    }
                }
                Op::Join | Op::Rejoin(_) => {
                    let again = match op { Op::Rejoin(i) if !kept.visitors.is_empty() => Some(kept.visitors[i % kept.visitors.len()].0.clone()), _ => None };
                    let answer = sale.apply(Command::JoinQueue { concert: CONCERT, visitor: again.clone() }, None, &mut fresh).unwrap();
                    let opens_queue_at = queue.opens_at - room.prequeue();
                    match answer {
                        Answer::Joined(Ok(Joined { visitor, place: shown })) => {
                            prop_assert!(now >= opens_queue_at);
                            let queue_now = &sale.queues[&CONCERT];
                            let admitted = visitor.place.is_some_and(|place| place <= queue_now.admitted_through);
                            prop_assert_eq!(shown.is_none(), admitted, "the engine shows every place but an admitted one");
                            if let Some(shown) = &shown {
                                prop_assert_eq!(shown.place, visitor.place);
                                prop_assert_eq!(shown.status, QueueStatus::Waiting);
                                prop_assert_eq!(shown.admitted_through, queue_now.admitted_through);
                                prop_assert_eq!(shown.ahead, visitor.place.map(|p| p - queue_now.admitted_through - 1));
                                prop_assert_eq!((shown.rate_per_minute, shown.sales_open_at), (room.rate_per_minute, queue.opens_at));
                            }
                            let returning = again.as_ref().and_then(|id| before.visitors.get(id));
                            let turn_over = returning.is_some_and(|known| {
                                known.place.is_some_and(|place| place <= kept.through_at(now - room.window()))
                            });
                            if let (Some(id), false) = (&again, turn_over) {
                                prop_assert_eq!(&visitor.id, id, "a returning visitor keeps their place");
                                prop_assert_eq!(&sale.queues[&CONCERT], &before.queues[&CONCERT]);
                            } else {
                                if let Some(id) = &again {
                                    prop_assert_ne!(&visitor.id, id, "a visitor whose turn is over joins anew");
                                }
                                prop_assert_eq!(visitor.place.is_none(), now < queue.opens_at, "a place only after the opening");
                                if let Some(place) = visitor.place {
                                    prop_assert_eq!(place, before.queues[&CONCERT].joined + 1, "after the opening, in arrival order");
                                }
                                kept.visitors.push((visitor.id.clone(), visitor.draw, visitor.place));
                            }
                        }
                        Answer::Joined(Err(BookingError::QueueNotOpenYet { opens_at })) => {
                            prop_assert!(now < opens_queue_at);
                            prop_assert_eq!(opens_at, opens_queue_at);
                            prop_assert_eq!(&sale, &before, "a refusal changes nothing");
                        }
                        other => prop_assert!(false, "unexpected {:?}", other),
                    }
                }
                Op::Admit => {
                    let answer = sale.apply(Command::Admit { concert: CONCERT }, None, &mut fresh).unwrap();
                    let Answer::Admitted(Ok(admitted)) = answer else { panic!("{answer:?}") };
                    if sale.effects.contains(&Effect::QueuePlaced(CONCERT)) {
                        prop_assert!(now >= queue.opens_at);
                        kept.place_prequeue();
                    }
                    if admitted > 0 {
                        kept.admissions.push((now, sale.queues[&CONCERT].admitted_through));
                        if let Some(max) = room.max_buying {
                            let buying = sale.queues[&CONCERT].admitted_through - kept.through_at(now - room.window());
                            prop_assert!(buying <= u64::from(max), "admitted up to {} buying, at most {}", buying, max);
                        }
                    }
                }
                Op::Hold(proof, who) => {
                    let admission = match (proof, kept.visitors.get(who % kept.visitors.len().max(1))) {
                        (1, _) => Admission::Forged,
                        (2, _) => Admission::Signed { concert: OTHER, visitor: "v".into(), place: 1, expires_at: now + chrono::Duration::hours(1) },
                        (3, Some((id, _, Some(place)))) => match kept.admitted_at(*place) {
                            Some(at) => Admission::Signed { concert: CONCERT, visitor: id.clone(), place: *place, expires_at: at + room.window() },
                            None => Admission::Missing,
                        },
                        (4, _) => Admission::Signed { concert: CONCERT, visitor: "v".into(), place: 1, expires_at: now },
                        _ => Admission::Missing,
                    };
                    let answer = sale.apply(hold(who, admission.clone()), None, &mut fresh).unwrap();
                    let Answer::Held(result) = answer else { panic!("{answer:?}") };
                    let expected = if now < queue.opens_at {
                        Err("not_on_sale_yet")
                    } else {
                        match &admission {
                            Admission::Missing => Err("queue_required"),
                            Admission::Forged => Err("queue_token_invalid"),
                            Admission::Signed { concert, .. } if *concert != CONCERT => Err("queue_token_invalid"),
                            Admission::Signed { expires_at, .. } if *expires_at <= now => Err("queue_token_expired"),
                            Admission::Signed { .. } => Ok(()),
                        }
                    };
                    prop_assert_eq!(result.as_ref().map(drop).map_err(BookingError::code), expected);
                }
            }
            if !matches!(op, Op::Wait(_)) {
                queue = sale.queues[&CONCERT].clone();
            }
            // Places are unique, the pre-queue's 1..=its size once placed, the rest after it.
            let mut places: Vec<u64> = kept.visitors.iter().filter_map(|v| v.2).collect();
            let count = places.len();
            places.sort_unstable();
            places.dedup();
            prop_assert_eq!(places.len(), count, "places are unique");
            if queue.placed {
                prop_assert_eq!(places, (1..=queue.joined).collect::<Vec<_>>(), "every visitor placed, 1..=joined");
            }
            prop_assert_eq!(queue.joined, kept.visitors.len() as u64);
            // Admission within the queue, the rate and the cap.
            prop_assert!(queue.admitted_through <= queue.joined);
            prop_assert!(
                u128::from(queue.admitted_through) <= allowed / 60_000,
                "{} admitted where the rates allowed {}", queue.admitted_through, allowed / 60_000
            );
        }
    }
}
