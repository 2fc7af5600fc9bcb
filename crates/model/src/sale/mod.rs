//! The sales rules as one state machine: what a newcomer reads to learn how a ticket is sold.
//!
//! A [`Sale`] is the part of the shop's state that a batch of commands touches (the tiers' stock, the holds
//! and orders it names, each buyer's running total per tier, the idempotency answers it names), loaded by
//! the store, and the moment `now`. Each command is decided against it and changes it, so the next command
//! in the batch sees the result; what changed is logged as [`Effect`]s for the store to persist. No IO, no
//! SQL, no clock: codes come from a [`Fresh`] the caller supplies, the time from `now`, a card's verdict
//! with the command. A batch starts with [`Command::Expire`]: holds count (in stock and in buyers' totals)
//! until they are expired, so every hold that ran out must be loaded and expired first.
//!
//! Every step either refuses (a [`BookingError`], and nothing changes, except that a declined card's
//! payment is recorded) or does all it says. The invariants, after every step: per tier
//! `sold + held <= capacity`, `sold` is what the tier's paid orders add up to, `held` what its holds not
//! yet expired add up to, and no buyer has more of a limited tier than the limit. For a waiting room
//! (`queue.rs`): places are unique, the pre-queue's are 1..=its size, `admitted_through` never passes the
//! last visitor, and a hold or booking of a concert whose room is on and open carries its admission.
//!
//! The server's writer runs it once per batch: load a `Sale` for the whole batch, apply each command,
//! persist the effects, commit (see ARCHITECTURE.md).

mod door;
mod queue;
mod records;
mod seats;
mod steps;
mod waitlist;

pub use door::{DoorRecord, ScanLog, ScanOutcome};
pub use queue::{Joined, Queue, Visitor};
pub use records::{Charge, ConcertId, HoldRecord, OrderRecord, Payment, PaymentKind, Stock};
pub use seats::{best_available, SeatRecord, SeatState};
pub use waitlist::{EntryState, Line, Waiting, WaitlistEntry};

use crate::{Booking, BookingError, BookingRequest, BuyerLimits, ConcertTitle, Hold, Order, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, time::Duration};

/// The sale's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The concert of requests that name none.
    pub default_concert: ConcertId,
    /// Most tickets in one order.
    pub max_per_order: u32,
    /// Most tickets of a tier one buyer may have across running holds and paid orders.
    pub buyer_limits: BuyerLimits,
    /// How long a hold keeps its tickets.
    pub hold_for: Duration,
    /// How long a waiting-list offer keeps its tickets for its buyer.
    pub offer_for: Duration,
}

/// New unguessable codes, made by the caller (the engine draws no randomness of its own).
pub trait Fresh {
    fn hold_id(&mut self) -> String;
    fn order_code(&mut self) -> String;
    fn order_secret(&mut self) -> String;
    fn ticket_code(&mut self) -> String;
    /// A waiting-room visitor's id: unguessable, since it shows their place and fetches their token.
    fn visitor_id(&mut self) -> String;
    /// A waiting-list entry's id: unguessable, since it is the entry's answer to its buyer.
    fn waitlist_id(&mut self) -> String;
    /// A pre-queue visitor's draw: uniformly random, so their place owes nothing to when they joined.
    fn draw(&mut self) -> i64;
}

/// What a batch sees of the shop, and what it has done to it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub now: DateTime<Utc>,
    pub rules: Rules,
    /// Concerts the batch names (a request for another is `ConcertNotFound`).
    pub concerts: BTreeMap<ConcertId, ConcertTitle>,
    /// When sales open, for the batch's concerts whose sales open at a set time.
    pub opening: BTreeMap<ConcertId, DateTime<Utc>>,
    pub stock: BTreeMap<(ConcertId, Tier), Stock>,
    pub holds: BTreeMap<String, HoldRecord>,
    pub orders: BTreeMap<String, OrderRecord>,
    /// Tickets each buyer has of each limited tier: running holds and paid orders.
    pub bought: BTreeMap<(ConcertId, Tier, String), u32>,
    /// The waiting rooms of the batch's concerts that have one on.
    pub queues: BTreeMap<ConcertId, Queue>,
    /// Waiting-room visitors the batch names, and those it adds.
    pub visitors: BTreeMap<String, Visitor>,
    /// Seats of seated tiers the batch needs (see `seats.rs`), by concert and seat id.
    pub seats: BTreeMap<(ConcertId, String), SeatRecord>,
    /// Seating plans the batch replaced: the JSON for the map.
    pub plans: BTreeMap<ConcertId, String>,
    /// Tickets the batch's scans name, as the door keeps them (see `door.rs`), by code.
    pub tickets: BTreeMap<String, DoorRecord>,
    /// The batch's concerts that let a ticket that went out back in.
    pub reentry: std::collections::BTreeSet<ConcertId>,
    /// The scanning devices of the batch's scans that are paired and not revoked (a scan from any other is
    /// refused): the batch is where a revocation takes effect, whatever a caller's cache believes.
    pub active_devices: std::collections::BTreeSet<i64>,
    /// The waiting lists of the batch's tiers (every loaded tier has one, mostly empty).
    pub lines: BTreeMap<(ConcertId, Tier), Line>,
    /// Waiting-list entries the batch needs: the joins' buyers', the offers of its holds, and the first
    /// waiting of each tier that may get tickets back (see `waitlist.rs`).
    pub entries: BTreeMap<String, WaitlistEntry>,
    /// Answers stored under idempotency keys: (scope, key) → (fingerprint, answer).
    pub answers: BTreeMap<(String, String), (String, Answer)>,
    /// What the steps so far changed, in order: what the store writes.
    pub effects: Vec<Effect>,
}

/// One command to the sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A one-step sale: stock straight to sold, a paid order without a card.
    Book(BookingRequest),
    /// Tickets set aside for the buyer until they pay or the hold runs out.
    Hold(BookingRequest),
    Pay {
        hold_id: String,
        charge: Charge,
    },
    Cancel {
        code: String,
        secret: String,
    },
    /// The buyer gives a running hold back before paying (whoever has its id may, as they may pay it).
    Release {
        hold_id: String,
    },
    /// Expire every hold that ran out (each batch starts with this).
    Expire,
    SetCapacity {
        concert: ConcertId,
        tier: Tier,
        capacity: u32,
    },
    SetOnSale {
        concert: ConcertId,
        tier: Tier,
        on_sale: bool,
    },
    /// A visitor joins the concert's waiting room; `visitor` is who they were, if they joined before.
    JoinQueue {
        concert: ConcertId,
        visitor: Option<String>,
    },
    /// An admission tick of the concert's waiting room.
    Admit {
        concert: ConcertId,
    },
    /// The operator changes a running waiting room's settings (its rate, cap, window or pre-queue).
    SetWaitingRoom {
        concert: ConcertId,
        room: crate::WaitingRoom,
    },
    /// The operator blocks a free seat, or frees a blocked one.
    SetSeatBlocked {
        concert: ConcertId,
        seat: String,
        blocked: bool,
    },
    /// The operator gives the concert a seating plan (its seats checked by `SeatingPlan::checked`).
    SetSeating {
        concert: ConcertId,
        seats: Vec<crate::PlannedSeat>,
        /// The plan's JSON as uploaded, kept for drawing the map.
        plan: String,
    },
    /// A buyer joins the waiting list of a tier that cannot serve them (see `waitlist.rs`).
    JoinWaitlist(BookingRequest),
    /// A scanner device scanned a ticket at the door (its nonce is the command's idempotency key).
    Redeem {
        device: crate::DeviceRef,
        scan: crate::Scan,
    },
}

/// What a command came to; stored under its idempotency key to answer a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Booked(Result<Booking, BookingError>),
    Held(Result<Hold, BookingError>),
    Paid(Result<Order, BookingError>),
    Cancelled(Result<Order, BookingError>),
    Released(Result<Hold, BookingError>),
    Expired { holds: u32 },
    TierChanged(Result<(), BookingError>),
    Joined(Result<Joined, BookingError>),
    Admitted(Result<u64, BookingError>),
    RoomChanged(Result<crate::WaitingRoom, BookingError>),
    SeatingChanged(Result<(), BookingError>),
    Scanned(crate::ScanAnswer),
    Waitlisted(Result<Waiting, BookingError>),
}

/// A change a step made, for the store to persist (the records themselves are in the [`Sale`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A tier's stock, capacity or sale state changed.
    Stock(ConcertId, Tier),
    HoldPlaced(String),
    HoldPaid {
        hold: String,
        order: String,
    },
    HoldExpired(String),
    HoldReleased(String),
    /// A new paid order with its tickets.
    OrderPlaced(String),
    OrderCancelled(String),
    Paid(Payment),
    /// An answer stored under (scope, key).
    Remembered(String, String),
    /// A new waiting-room visitor.
    QueueJoined(String),
    /// A waiting room's counters changed.
    Queue(ConcertId),
    /// A waiting room's pre-queue gets its places: the ranks of its draws.
    QueuePlaced(ConcertId),
    /// Places up to this one are admitted as of the batch's moment.
    Admitted(ConcertId, u64),
    /// A waiting room's settings changed.
    RoomSet(ConcertId),
    /// A seat's state changed (the store guards it against the state it loaded).
    Seat(ConcertId, String),
    /// The concert's seating plan was replaced: its seats are the batch's.
    Seating(ConcertId),
    /// A ticket's way through the door changed (the store guards it against what it loaded).
    Door(String),
    /// A scan, for the door's log.
    Scanned(ScanLog),
    /// A new waiting-list entry.
    WaitlistJoined(String),
    /// A waiting-list entry's state changed (the store guards it against the state it came from).
    Entry(String),
    /// A tier's waiting-list counters changed.
    Line(ConcertId, Tier),
}

/// An idempotency key with the fingerprint of the request it came with. `scope` is the kind of request
/// (`hold`, `pay`, …): a key is one request's whatever its scope, so the same key in two scopes is reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

/// The same key came back with a different request: refused, not replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyReused;

impl Sale {
    /// An empty view of the shop at `now`.
    pub fn new(now: DateTime<Utc>, rules: Rules) -> Sale {
        Sale {
            now,
            rules,
            concerts: BTreeMap::new(),
            opening: BTreeMap::new(),
            stock: BTreeMap::new(),
            holds: BTreeMap::new(),
            orders: BTreeMap::new(),
            bought: BTreeMap::new(),
            queues: BTreeMap::new(),
            visitors: BTreeMap::new(),
            seats: BTreeMap::new(),
            plans: BTreeMap::new(),
            tickets: BTreeMap::new(),
            reentry: std::collections::BTreeSet::new(),
            active_devices: std::collections::BTreeSet::new(),
            lines: BTreeMap::new(),
            entries: BTreeMap::new(),
            answers: BTreeMap::new(),
            effects: Vec::new(),
        }
    }

    /// Decides `command`, replaying the stored answer of a key seen before with the same request.
    ///
    /// A stored answer goes only to whoever may see it: a cancellation's (the order, its secret and its
    /// tickets) only to the holder of the order's secret, whatever key they send.
    pub fn apply(&mut self, command: Command, key: Option<&Key>, fresh: &mut impl Fresh) -> Result<Answer, KeyReused> {
        if let (Command::Cancel { code, secret }, Some(_)) = (&command, key) {
            if !self.orders.get(code).is_some_and(|order| secret_matches(&order.secret, secret)) {
                return Ok(Answer::Cancelled(Err(BookingError::OrderNotFound)));
            }
        }
        if let Command::Redeem { device, .. } = &command {
            if !self.active_devices.contains(&device.id) {
                return Ok(Answer::Scanned(crate::ScanAnswer::DeviceRevoked));
            }
        }
        if let Some(key) = key {
            if let Some((fingerprint, answer)) = self.answers.get(&(key.scope.clone(), key.key.clone())) {
                return if *fingerprint == key.fingerprint { Ok(answer.clone()) } else { Err(KeyReused) };
            }
            // A key names one request across the whole API (as Stripe's and pretix's do): used before for
            // another kind of request, it is refused, not taken as a new one.
            if self.answers.keys().any(|(scope, used)| *used == key.key && *scope != key.scope) {
                return Err(KeyReused);
            }
        }
        let answer = match command {
            Command::Book(request) => Answer::Booked(self.book(&request, fresh)),
            Command::Hold(request) => Answer::Held(self.hold(&request, fresh)),
            Command::Pay { hold_id, charge } => Answer::Paid(self.pay(&hold_id, &charge, fresh)),
            Command::Cancel { code, secret } => Answer::Cancelled(self.cancel(&code, &secret, fresh)),
            Command::Release { hold_id } => Answer::Released(self.release(&hold_id, fresh)),
            Command::Expire => Answer::Expired { holds: self.expire(fresh) },
            Command::SetCapacity { concert, tier, capacity } => {
                Answer::TierChanged(self.set_capacity(concert, tier, capacity, fresh))
            }
            Command::SetOnSale { concert, tier, on_sale } => {
                Answer::TierChanged(self.set_on_sale(concert, tier, on_sale, fresh))
            }
            Command::JoinWaitlist(request) => Answer::Waitlisted(self.join_waitlist(&request, fresh)),
            Command::JoinQueue { concert, visitor } => {
                Answer::Joined(self.join_queue(concert, visitor.as_deref(), fresh))
            }
            Command::Admit { concert } => Answer::Admitted(self.admit(concert)),
            Command::SetWaitingRoom { concert, room } => Answer::RoomChanged(self.set_waiting_room(concert, room)),
            Command::SetSeatBlocked { concert, seat, blocked } => {
                Answer::SeatingChanged(self.set_seat_blocked(concert, &seat, blocked))
            }
            Command::SetSeating { concert, seats, plan } => {
                Answer::SeatingChanged(self.set_seating(concert, &seats, plan))
            }
            Command::Redeem { device, scan } => Answer::Scanned(self.redeem(&device, &scan)),
        };
        if let Some(key) = key {
            self.answers.insert((key.scope.clone(), key.key.clone()), (key.fingerprint.clone(), answer.clone()));
            self.effects.push(Effect::Remembered(key.scope.clone(), key.key.clone()));
        }
        Ok(answer)
    }
}

/// Whether `given` is the `stored` secret, compared in constant time, so an answer's timing tells nothing
/// of how much of a guess was right.
pub fn secret_matches(stored: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(stored.as_bytes().ct_eq(given.as_bytes()))
}
