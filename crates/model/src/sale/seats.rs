//! Reserved seats: a seated tier sells seats, not a count. Every seat is in exactly one state (free,
//! held by one hold, sold to one order, blocked by the operator), and the tier's stock counts them:
//! `sold + held + blocked + free == capacity`, the capacity being the tier's seat count.
//!
//! - **Holding named seats** is all or nothing: one seat not free refuses the whole hold, naming every
//!   seat that was not (`SeatTaken`); a seat of another tier or concert is `SeatNotFound`.
//! - **Best available** (a seated tier asked for a quantity): `n` adjacent seats in one row nearest the
//!   stage, leaving no single empty seat beside them; failing that, `n` adjacent seats; failing that, the
//!   `n` free seats nearest the stage anywhere (as seats.io does).
//! - Paying sells exactly the hold's seats; expiry, release and cancellation free exactly theirs.
//! - The operator blocks and frees single free seats, and replaces a plan only while every seat held or
//!   sold stays in it, in its tier.
//!
//! The batch loads the seats its commands name, the seats of the holds and orders it loads, and for a
//! best-available request every free seat of the tier; the store guards each seat's change in SQL.

use super::{records::ConcertId, Effect, Sale};
use crate::{BookingError, PlannedSeat, TicketSeat, Tier};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where a seat stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeatState {
    Free,
    /// Held by this hold.
    Held(String),
    /// Sold in this order.
    Sold(String),
    Blocked,
}

/// A seat as the batch loaded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatRecord {
    pub id: String,
    pub concert: ConcertId,
    pub tier: Tier,
    pub zone: String,
    pub row_label: String,
    pub number: String,
    /// Its centre on the plan, in hundredths of the plan's unit.
    pub x: i64,
    pub y: i64,
    /// The plan's row, and the seat's place in it from the left: neighbours in a row are adjacent.
    pub row: u32,
    pub column: u32,
    /// Squared distance to the stage's centre: best available prefers the nearest.
    pub distance: u64,
    pub state: SeatState,
}

impl SeatRecord {
    pub fn from_plan(concert: ConcertId, seat: &PlannedSeat) -> SeatRecord {
        SeatRecord {
            id: seat.id.clone(),
            concert,
            tier: seat.tier,
            zone: seat.zone.clone(),
            row_label: seat.row_label.clone(),
            number: seat.number.clone(),
            x: seat.x,
            y: seat.y,
            row: seat.row,
            column: seat.column,
            distance: seat.distance,
            state: SeatState::Free,
        }
    }

    /// What a ticket shows of its seat.
    pub fn to_ticket_seat(&self) -> TicketSeat {
        TicketSeat {
            id: self.id.clone(),
            zone: self.zone.clone(),
            row: self.row_label.clone(),
            number: self.number.clone(),
        }
    }
}

/// `n` seats out of `free` (one tier's free seats), by the best-available rule; `None` if fewer are free.
pub fn best_available<'a>(free: &[&'a SeatRecord], n: usize) -> Option<Vec<&'a SeatRecord>> {
    if n == 0 || free.len() < n {
        return None;
    }
    let mut rows: BTreeMap<u32, Vec<&SeatRecord>> = BTreeMap::new();
    for seat in free {
        rows.entry(seat.row).or_default().push(seat);
    }
    // Every run of adjacent free seats in a row, then every window of `n` in it, scored by its distance;
    // the best window leaving no single seat beside it, and the best of all.
    type Window<'b> = (u64, u32, u32, Vec<&'b SeatRecord>);
    let mut best: [Option<Window>; 2] = [None, None];
    for (row, mut seats) in rows {
        seats.sort_by_key(|seat| seat.column);
        for run in seats.chunk_by(|a, b| b.column == a.column + 1) {
            for start in 0..run.len().saturating_sub(n - 1) {
                let window = &run[start..start + n];
                let (left, right) = (start, run.len() - start - n);
                let leaves_single = left == 1 || right == 1;
                let score = window.iter().map(|seat| seat.distance).sum::<u64>();
                let candidate = (score, row, window[0].column, window.to_vec());
                for (rank, slot) in best.iter_mut().enumerate() {
                    if rank == 0 && leaves_single {
                        continue;
                    }
                    if slot.as_ref().is_none_or(|kept| (score, row, window[0].column) < (kept.0, kept.1, kept.2)) {
                        *slot = Some(candidate.clone());
                    }
                }
            }
        }
    }
    if let Some((.., seats)) = best.into_iter().flatten().next() {
        return Some(seats);
    }
    let mut nearest = free.to_vec();
    nearest.sort_by_key(|seat| (seat.distance, seat.row, seat.column));
    nearest.truncate(n);
    Some(nearest)
}

impl Sale {
    /// The seats a request for a seated tier gets: the ones it names if every one is free, else the best
    /// available `quantity`. Changes nothing.
    pub(super) fn choose_seats(
        &self,
        concert: ConcertId,
        tier: Tier,
        named: &[String],
        quantity: u32,
    ) -> Result<Vec<String>, BookingError> {
        if named.is_empty() {
            let free: Vec<&SeatRecord> = self
                .seats
                .values()
                .filter(|seat| seat.concert == concert && seat.tier == tier && seat.state == SeatState::Free)
                .collect();
            let available = u32::try_from(free.len()).unwrap_or(u32::MAX);
            let chosen = best_available(&free, quantity as usize).ok_or(BookingError::SoldOut { available })?;
            return Ok(chosen.into_iter().map(|seat| seat.id.clone()).collect());
        }
        let mut seen = BTreeSet::new();
        let mut taken = Vec::new();
        for id in named {
            if !seen.insert(id.as_str()) {
                return Err(BookingError::SeatRepeated(id.clone()));
            }
            let seat = self.seats.get(&(concert, id.clone())).filter(|seat| seat.tier == tier);
            let seat = seat.ok_or_else(|| BookingError::SeatNotFound { seat: id.clone(), tier })?;
            if seat.state != SeatState::Free {
                taken.push(id.clone());
            }
        }
        if !taken.is_empty() {
            return Err(BookingError::SeatTaken { seats: taken });
        }
        Ok(named.to_vec())
    }

    /// Moves `seats` of `concert` into `state`, logging each change for the store.
    pub(super) fn move_seats(&mut self, concert: ConcertId, seats: &[String], state: &SeatState) {
        for id in seats {
            let seat = self.seats.get_mut(&(concert, id.clone())).expect("the batch loads every seat it moves");
            seat.state = state.clone();
            self.effects.push(Effect::Seat(concert, id.clone()));
        }
    }

    /// What the tickets of an order with `seats` show of them, in order.
    pub(super) fn ticket_seats(&self, concert: ConcertId, seats: &[String]) -> Vec<TicketSeat> {
        seats.iter().filter_map(|id| self.seats.get(&(concert, id.clone()))).map(SeatRecord::to_ticket_seat).collect()
    }

    /// The operator blocks a free seat (off sale) or frees a blocked one.
    pub(super) fn set_seat_blocked(
        &mut self,
        concert: ConcertId,
        seat: &str,
        blocked: bool,
    ) -> Result<(), BookingError> {
        let record = self.seats.get(&(concert, seat.to_owned()));
        let record = record.ok_or_else(|| BookingError::SeatUnknown(seat.to_owned()))?;
        let tier = record.tier;
        let (from, to) =
            if blocked { (SeatState::Free, SeatState::Blocked) } else { (SeatState::Blocked, SeatState::Free) };
        if record.state == to {
            return Ok(());
        }
        if record.state != from {
            return Err(BookingError::SeatTaken { seats: vec![seat.to_owned()] });
        }
        let stock = self.stock.get_mut(&(concert, tier)).expect("a seat's tier is loaded with it");
        if blocked {
            stock.blocked += 1;
        } else {
            stock.blocked -= 1;
        }
        self.move_seats(concert, &[seat.to_owned()], &to);
        self.effects.push(Effect::Stock(concert, tier));
        Ok(())
    }

    /// A new plan for `concert` (its seats checked by [`crate::SeatingPlan::checked`]): refused if a seat
    /// held or sold would leave it or change tier. The seated tiers' capacities become their seat counts;
    /// a tier seated before and absent from the plan sells a quantity again, with no capacity until set.
    /// The batch loads every seat of the concert for it.
    pub(super) fn set_seating(
        &mut self,
        concert: ConcertId,
        plan: &[PlannedSeat],
        drawing: String,
    ) -> Result<(), BookingError> {
        if !self.concerts.contains_key(&concert) {
            return Err(BookingError::ConcertNotFound);
        }
        if let Some(seat) = plan.iter().find(|seat| !self.stock.contains_key(&(concert, seat.tier))) {
            return Err(BookingError::TierNotOffered(seat.tier));
        }
        let planned: BTreeMap<&str, &PlannedSeat> = plan.iter().map(|seat| (seat.id.as_str(), seat)).collect();
        let in_use = self
            .seats
            .values()
            .filter(|seat| seat.concert == concert && matches!(seat.state, SeatState::Held(_) | SeatState::Sold(_)))
            .filter(|seat| planned.get(seat.id.as_str()).is_none_or(|new| new.tier != seat.tier))
            .count();
        if in_use > 0 {
            return Err(BookingError::SeatsInUse { seats: u32::try_from(in_use).unwrap_or(u32::MAX) });
        }
        let newly_seated = plan.iter().map(|seat| seat.tier).collect::<BTreeSet<Tier>>();
        for tier in newly_seated {
            let stock = &self.stock[&(concert, tier)];
            if !stock.seated && stock.sold + stock.held > 0 {
                return Err(BookingError::TierHasSales(tier));
            }
        }
        let old: BTreeMap<String, SeatRecord> = self
            .seats
            .iter()
            .filter(|((c, _), _)| *c == concert)
            .map(|((_, id), seat)| (id.clone(), seat.clone()))
            .collect();
        self.seats.retain(|(c, _), _| *c != concert);
        for seat in plan {
            let mut record = SeatRecord::from_plan(concert, seat);
            if let Some(kept) = old.get(&seat.id) {
                record.state = kept.state.clone();
            }
            self.seats.insert((concert, seat.id.clone()), record);
        }
        let tiers: Vec<Tier> = self.stock.keys().filter(|(c, _)| *c == concert).map(|(_, tier)| *tier).collect();
        for tier in tiers {
            let seats: Vec<&SeatRecord> =
                self.seats.values().filter(|s| s.concert == concert && s.tier == tier).collect();
            let count = |state: fn(&SeatState) -> bool| {
                u32::try_from(seats.iter().filter(|s| state(&s.state)).count()).unwrap_or(u32::MAX)
            };
            let (blocked, total) = (count(|s| *s == SeatState::Blocked), count(|_| true));
            let stock = self.stock.get_mut(&(concert, tier)).expect("listed above");
            if total > 0 {
                (stock.seated, stock.capacity, stock.blocked) = (true, total, blocked);
            } else if stock.seated {
                (stock.seated, stock.capacity, stock.blocked) = (false, 0, 0);
            }
            self.effects.push(Effect::Stock(concert, tier));
        }
        self.plans.insert(concert, drawing);
        self.effects.push(Effect::Seating(concert));
        Ok(())
    }
}
