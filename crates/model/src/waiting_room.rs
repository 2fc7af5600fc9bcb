//! The waiting room of an on-sale: the operator's settings, a visitor's place as shown to them, and the
//! proof of admission a hold or booking carries. The rules themselves are the engine's
//! (`sale/queue.rs`).

use crate::BookingError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most visitors admitted per minute the operator can set (above it a waiting room admits everyone).
pub const MAX_RATE_PER_MINUTE: u32 = 1_000_000;
/// Longest pre-queue, in minutes before the opening (a day).
pub const MAX_PREQUEUE_MINUTES: u32 = 24 * 60;
/// Longest buying window, in minutes.
pub const MAX_WINDOW_MINUTES: u32 = 24 * 60;

/// A concert's waiting room, as the operator sets it (`POST /api/admin/concerts`, `waiting_room`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingRoom {
    /// Visitors admitted per minute, in place order.
    pub rate_per_minute: u32,
    /// How long before the opening visitors may join the pre-queue.
    pub prequeue_minutes: u32,
    /// How long an admitted visitor may start holding tickets (a hold made in it may be paid after).
    pub window_minutes: u32,
    /// At most this many admitted visitors with their window running at once (`None`: the rate alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_buying: Option<u32>,
}

impl Default for WaitingRoom {
    fn default() -> Self {
        WaitingRoom { rate_per_minute: 600, prequeue_minutes: 30, window_minutes: 10, max_buying: None }
    }
}

impl WaitingRoom {
    /// The settings if each is in range, else the first that is not, named.
    pub fn checked(self) -> Result<WaitingRoom, BookingError> {
        let invalid = |what: String| Err(BookingError::ConcertInvalid(what));
        if !(1..=MAX_RATE_PER_MINUTE).contains(&self.rate_per_minute) {
            return invalid(format!("waiting_room.rate_per_minute must be 1 to {MAX_RATE_PER_MINUTE}"));
        }
        if self.prequeue_minutes > MAX_PREQUEUE_MINUTES {
            return invalid(format!("waiting_room.prequeue_minutes must be 0 to {MAX_PREQUEUE_MINUTES}"));
        }
        if !(1..=MAX_WINDOW_MINUTES).contains(&self.window_minutes) {
            return invalid(format!("waiting_room.window_minutes must be 1 to {MAX_WINDOW_MINUTES}"));
        }
        if self.max_buying == Some(0) {
            return invalid("waiting_room.max_buying must be at least 1".to_owned());
        }
        Ok(self)
    }

    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.window_minutes))
    }

    pub fn prequeue(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.prequeue_minutes))
    }
}

/// Where a visitor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueStatus {
    /// In the pre-queue (no place until the opening draws them) or behind the admitted.
    Waiting,
    /// Their buying window is running.
    Admitted,
    /// Admitted, and their buying window has ended.
    Expired,
}

/// A visitor's place, as the queue page and `GET /api/concerts/{id}/queue/{visitor}` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePlace {
    pub concert_id: i64,
    pub visitor: String,
    /// 1 for the first; `None` in the pre-queue, before the opening draws the places.
    pub place: Option<u64>,
    /// Visitors before them not yet admitted.
    pub ahead: Option<u64>,
    pub status: QueueStatus,
    /// Places up to this one are admitted: what the live feed broadcasts, each page working out its own.
    pub admitted_through: u64,
    pub rate_per_minute: u32,
    pub sales_open_at: DateTime<Utc>,
    /// When an admitted visitor's window ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ends_at: Option<DateTime<Utc>>,
}

/// The longest a page paces its call at its turn ([`QueuePlace::turn_pacing`]).
pub const MAX_TURN_PACING: std::time::Duration = std::time::Duration::from_secs(5);

/// Visitors before `place` not yet admitted, while places up to `admitted_through` are.
pub fn ahead_of(place: u64, admitted_through: u64) -> u64 {
    place.saturating_sub(admitted_through).saturating_sub(1)
}

impl QueuePlace {
    /// The place as the live feed's latest counters show it: each page works out its own from the one
    /// broadcast, so 50,000 waiting pages cost one message per update and no queries.
    pub fn seen_with(&self, counters: QueueCounters) -> QueuePlace {
        let admitted_through = self.admitted_through.max(counters.admitted_through);
        QueuePlace { admitted_through, ahead: self.place.map(|p| ahead_of(p, admitted_through)), ..self.clone() }
    }

    /// Whether the counters bring this waiting visitor news only the server can give: their place (the
    /// pre-queue has been drawn) or their turn (and the pass that comes with it).
    pub fn news_in(&self, counters: QueueCounters) -> bool {
        self.status == QueueStatus::Waiting
            && match self.place {
                None => counters.placed,
                Some(place) => place <= counters.admitted_through,
            }
    }

    /// How long a page whose turn the counters show waits before asking for its pass: the time the rate
    /// gives the visitors between the counter it heard before (`heard_through`) and its place. Under a
    /// crowd the live feed broadcasts every few seconds, so one broadcast admits a thousand at once; paced
    /// like this their calls reach the server at the rate admission meant, not as one burst. At most
    /// [`MAX_TURN_PACING`] (the longest pause between broadcasts).
    pub fn turn_pacing(&self, heard_through: u64) -> std::time::Duration {
        let Some(place) = self.place else { return std::time::Duration::ZERO };
        let before = ahead_of(place, heard_through.max(self.admitted_through));
        let seconds = before as f64 * 60.0 / f64::from(self.rate_per_minute.max(1));
        std::time::Duration::from_secs_f64(seconds.min(MAX_TURN_PACING.as_secs_f64()))
    }

    /// Minutes until admission at the concert's rate, rounded up; `None` when not waiting behind others.
    pub fn minutes_to_wait(&self) -> Option<u64> {
        let ahead = self.ahead.filter(|_| self.status == QueueStatus::Waiting)?;
        Some(ahead.div_ceil(u64::from(self.rate_per_minute.max(1))))
    }
}

/// A waiting room's counters, as the live feed broadcasts them to every waiting page (`queue` events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounters {
    /// Places up to this one are admitted.
    pub admitted_through: u64,
    /// Visitors who joined so far.
    pub joined: u64,
    /// Whether the pre-queue has been placed (the opening has passed and admission begun).
    pub placed: bool,
}

/// What a hold or booking shows of its admission: the server checks the token's signature and names what
/// it found; the engine decides whether that admits this request (`sale/queue.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Admission {
    /// No token came with the request.
    #[default]
    Missing,
    /// A token came whose signature does not check out, or that cannot be read.
    Forged,
    /// A token this shop signed.
    Signed { concert: i64, visitor: String, place: u64, expires_at: DateTime<Utc> },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(place: Option<u64>, admitted_through: u64) -> QueuePlace {
        QueuePlace {
            concert_id: 1,
            visitor: "v".into(),
            place,
            ahead: place.map(|p| ahead_of(p, admitted_through)),
            status: QueueStatus::Waiting,
            admitted_through,
            rate_per_minute: 10,
            sales_open_at: DateTime::<Utc>::UNIX_EPOCH,
            window_ends_at: None,
        }
    }

    fn counters(admitted_through: u64, placed: bool) -> QueueCounters {
        QueueCounters { admitted_through, joined: 100, placed }
    }

    #[test]
    fn a_page_works_out_its_place_from_the_broadcast_counters() {
        let place = waiting(Some(25), 0);
        assert_eq!(place.ahead, Some(24));
        assert_eq!(place.minutes_to_wait(), Some(3), "24 ahead at 10 a minute: 3 minutes, rounded up");
        let later = place.seen_with(counters(20, true));
        assert_eq!((later.ahead, later.admitted_through), (Some(4), 20));
        assert_eq!(later.minutes_to_wait(), Some(1));
        let stale = later.seen_with(counters(5, true));
        assert_eq!(stale.ahead, Some(4), "an older broadcast never moves a visitor back");
    }

    #[test]
    fn the_server_is_asked_only_when_the_counters_bring_news() {
        assert!(!waiting(Some(25), 0).news_in(counters(24, true)));
        assert!(waiting(Some(25), 0).news_in(counters(25, true)), "their turn: the page fetches its pass");
        assert!(!waiting(None, 0).news_in(counters(0, false)), "the pre-queue is not drawn yet");
        assert!(waiting(None, 0).news_in(counters(0, true)), "drawn: the page fetches its place");
        let admitted = QueuePlace { status: QueueStatus::Admitted, ..waiting(Some(3), 3) };
        assert!(!admitted.news_in(counters(9, true)), "already admitted: nothing to ask");
    }

    #[test]
    fn a_turn_is_paced_by_the_visitors_the_same_broadcast_admitted_before_it() {
        let slow = QueuePlace { rate_per_minute: 20, ..waiting(Some(25), 0) };
        assert_eq!(slow.turn_pacing(24), std::time::Duration::ZERO, "first of the jump: at once");
        assert_eq!(slow.turn_pacing(23), std::time::Duration::from_secs(3), "one before it at 20/min");
        assert_eq!(slow.turn_pacing(0), MAX_TURN_PACING, "never longer than between broadcasts");
        let fast = QueuePlace { rate_per_minute: 60_000, ..waiting(Some(2_001), 0) };
        assert_eq!(fast.turn_pacing(1_000), std::time::Duration::from_secs(1), "1,000 before it at 1,000/s");
        assert_eq!(fast.turn_pacing(3_000), std::time::Duration::ZERO, "heard after its turn: at once");
        assert_eq!(waiting(None, 0).turn_pacing(0), std::time::Duration::ZERO, "no place: nothing to pace");
    }
}
