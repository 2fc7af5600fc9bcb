//! The waiting room's rules: joining, the pre-queue's draw, admission in place order at the concert's
//! rate, and the proof of admission every hold and booking needs while the room is on.
//!
//! - **Joining** opens `prequeue_minutes` before the sale. Whoever joins before the opening is in the
//!   pre-queue: they get a random draw (from the caller, the engine draws no randomness) and no place
//!   yet. At the opening the pre-queue's places are its draws' ranks (1, 2, …), so joining early gives no
//!   advantage; whoever joins after the opening is placed after everyone before them, in arrival order.
//!   A visitor who joins again (their id) keeps their place, unless their turn came and went (admitted
//!   more than a window ago): then they join again at the back.
//! - **Admission** moves the queue's counter: places up to `admitted_through` are admitted. Each tick
//!   admits `rate_per_minute` per minute elapsed since the last, never past the last visitor (an empty
//!   queue banks no credit for a later crowd), and never more than `max_buying` with their window running.
//! - **Changing the settings** while the room runs: what the old rate earned up to the change is admitted
//!   first, and the new rate counts from the change on, so a change neither doubles nor takes back time
//!   already counted (the fraction of a visitor the old rate had earned is dropped: never ahead of a rate).
//! - **Proof**: once sales are open, a hold or booking for a concert with its room on needs a token
//!   this shop signed for that concert, its window still running.

use super::{records::ConcertId, Effect, Fresh, Sale};
use crate::{ahead_of, Admission, BookingError, QueuePlace, QueueStatus, WaitingRoom};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A concert's queue as the batch loaded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub room: WaitingRoom,
    pub opens_at: DateTime<Utc>,
    /// Visitors who joined, pre-queue and after.
    pub joined: u64,
    /// Of them, those who joined before the opening: their places are 1..=prequeue, by draw.
    pub prequeue: u64,
    /// Whether the pre-queue's places have been drawn.
    pub placed: bool,
    pub admitted_through: u64,
    /// The moment admission has been counted up to.
    pub advanced_at: Option<DateTime<Utc>>,
    /// `admitted_through` as it stood one window ago: who was admitted since still has a window running.
    pub admitted_window_ago: u64,
}

/// A visitor as the batch loaded or made them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    pub id: String,
    pub concert: ConcertId,
    pub draw: i64,
    pub joined_at: DateTime<Utc>,
    pub place: Option<u64>,
}

/// A join's answer: the visitor, and where they stand when the engine knows it whole, which spares the
/// join a read: always for a new visitor; for a returning one admitted already, only the store knows when
/// their window started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    pub visitor: Visitor,
    pub place: Option<QueuePlace>,
}

impl Queue {
    /// Where `visitor` stands while not admitted; `None` once admitted.
    fn waiting_place(&self, visitor: &Visitor) -> Option<QueuePlace> {
        if visitor.place.is_some_and(|place| place <= self.admitted_through) {
            return None;
        }
        Some(QueuePlace {
            concert_id: visitor.concert,
            visitor: visitor.id.clone(),
            place: visitor.place,
            ahead: visitor.place.map(|place| ahead_of(place, self.admitted_through)),
            status: QueueStatus::Waiting,
            admitted_through: self.admitted_through,
            rate_per_minute: self.room.rate_per_minute,
            sales_open_at: self.opens_at,
            window_ends_at: None,
        })
    }
}

impl Sale {
    /// `visitor` joins the queue of `concert` (or, already in it, is told their place again).
    pub(super) fn join_queue(
        &mut self,
        concert: ConcertId,
        visitor: Option<&str>,
        fresh: &mut impl Fresh,
    ) -> Result<Joined, BookingError> {
        let now = self.now;
        let Some(queue) = self.queues.get_mut(&concert) else {
            return Err(if self.concerts.contains_key(&concert) {
                BookingError::NoWaitingRoom
            } else {
                BookingError::ConcertNotFound
            });
        };
        let known = visitor.and_then(|id| self.visitors.get(id)).filter(|known| known.concert == concert);
        // Admitted more than a window ago, their turn is over: they join again at the back.
        let turn_over = |known: &&Visitor| known.place.is_some_and(|place| place <= queue.admitted_window_ago);
        if let Some(known) = known.filter(|known| !turn_over(known)) {
            return Ok(Joined { place: queue.waiting_place(known), visitor: known.clone() });
        }
        let opens_queue_at = queue.opens_at - queue.room.prequeue();
        if now < opens_queue_at {
            return Err(BookingError::QueueNotOpenYet { opens_at: opens_queue_at });
        }
        let before_opening = now < queue.opens_at;
        queue.joined += 1;
        let place = if before_opening {
            queue.prequeue += 1;
            None
        } else {
            Some(queue.joined)
        };
        let joined = Visitor { id: fresh.visitor_id(), concert, draw: fresh.draw(), joined_at: now, place };
        let place = queue.waiting_place(&joined);
        self.visitors.insert(joined.id.clone(), joined.clone());
        self.effects.push(Effect::QueueJoined(joined.id.clone()));
        self.effects.push(Effect::Queue(concert));
        Ok(Joined { visitor: joined, place })
    }

    /// One admission tick for `concert`: how many it admitted.
    pub(super) fn admit(&mut self, concert: ConcertId) -> Result<u64, BookingError> {
        let now = self.now;
        let queue = self.queues.get_mut(&concert).ok_or(BookingError::NoWaitingRoom)?;
        if now < queue.opens_at {
            return Ok(0);
        }
        if !queue.placed {
            // The flag is one of the counters: persisted with them even when this tick admits nobody.
            queue.placed = true;
            self.effects.push(Effect::QueuePlaced(concert));
            self.effects.push(Effect::Queue(concert));
        }
        let since = queue.advanced_at.unwrap_or(queue.opens_at);
        let rate = i64::from(queue.room.rate_per_minute);
        let elapsed_ms = (now - since).num_milliseconds().max(0);
        let earned = u64::try_from(elapsed_ms.saturating_mul(rate) / 60_000).unwrap_or(0);
        let waiting = queue.joined - queue.admitted_through;
        let buying = queue.admitted_through.saturating_sub(queue.admitted_window_ago);
        let room = queue.room.max_buying.map_or(u64::MAX, |max| u64::from(max).saturating_sub(buying));
        let admitted = earned.min(waiting).min(room);
        if admitted == earned {
            // The time those admissions used (rounded up, so admission never runs ahead of the rate); the
            // rest of the elapsed time counts towards the next.
            let used_ms = (i64::try_from(earned).unwrap_or(i64::MAX).saturating_mul(60_000) + rate - 1) / rate;
            queue.advanced_at = Some(since + chrono::Duration::milliseconds(used_ms));
        } else {
            // Held back by the queue's end or the cap: no credit is banked for later.
            queue.advanced_at = Some(now);
        }
        if admitted > 0 || queue.advanced_at != Some(since) {
            queue.admitted_through += admitted;
            self.effects.push(Effect::Queue(concert));
        }
        if admitted > 0 {
            self.effects.push(Effect::Admitted(concert, queue.admitted_through));
        }
        Ok(admitted)
    }

    /// The operator's new settings for the running room of `concert`.
    pub(super) fn set_waiting_room(
        &mut self,
        concert: ConcertId,
        room: WaitingRoom,
    ) -> Result<WaitingRoom, BookingError> {
        let room = room.checked()?;
        if !self.queues.contains_key(&concert) {
            return Err(if self.concerts.contains_key(&concert) {
                BookingError::NoWaitingRoom
            } else {
                BookingError::ConcertNotFound
            });
        }
        self.admit(concert)?;
        let now = self.now;
        let queue = self.queues.get_mut(&concert).expect("checked above");
        if now >= queue.opens_at && queue.advanced_at != Some(now) {
            queue.advanced_at = Some(now);
            self.effects.push(Effect::Queue(concert));
        }
        queue.room = room;
        self.effects.push(Effect::RoomSet(concert));
        Ok(room)
    }

    /// Whether `admission` lets a hold or booking for `concert` through now.
    pub(super) fn check_admission(&self, concert: ConcertId, admission: &Admission) -> Result<(), BookingError> {
        let Some(queue) = self.queues.get(&concert) else { return Ok(()) };
        if self.now < queue.opens_at {
            return Ok(());
        }
        match admission {
            Admission::Missing => Err(BookingError::QueueRequired),
            Admission::Forged => Err(BookingError::QueueTokenInvalid),
            Admission::Signed { concert: other, .. } if *other != concert => Err(BookingError::QueueTokenInvalid),
            Admission::Signed { expires_at, .. } if *expires_at <= self.now => Err(BookingError::QueueTokenExpired),
            Admission::Signed { .. } => Ok(()),
        }
    }
}
