//! The waiting list: buyers who came after a tier sold out, in the order they joined, and the offers that
//! turn returned tickets into their sales.
//!
//! A buyer may join a tier's list only while it cannot serve them (fewer tickets left than they want).
//! Whenever tickets come back to a tier (a hold that ran out or was given back, an order cancelled, a
//! raised capacity, a tier back on sale), [`Sale::offer_returned`] runs down its list in order: the first
//! entry that fits in what came back gets an **offer**, a hold of its tickets in its buyer's name for
//! [`Rules::offer_for`](super::Rules), counted as held like any hold so nobody else takes them; the next
//! fitting entry gets the rest, and so on. An offer paid is bought; one that runs out or is given back
//! lapses, and its tickets go down the list again. An entry a larger request than what is left is passed
//! over (and keeps its place), so a returned pair is not kept idle for a buyer who wants four.
//!
//! The invariants, after every step: an offered entry has exactly one hold, held, of its quantity and
//! buyer, and every hold of an offer belongs to an offered entry; a tier's `waiting` is its entries still
//! waiting; tickets never sit available on a tier on sale while a waiting entry fits in them; and an
//! entry still waiting was never passed over for a later one that wanted as many or more.

use super::{records::ConcertId, Effect, Fresh, HoldRecord, Sale};
use crate::{BookingError, BookingRequest, HoldStatus, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A tier's list, as its row keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Entries still waiting (not yet offered, lapsed or bought).
    pub waiting: u32,
    /// Places handed out so far: the next entry's place is one more.
    pub joined: u64,
}

/// Where a waiting-list entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    Waiting,
    /// Tickets are held for it (its `hold`) until the offer runs out.
    Offered,
    /// Its offer was paid.
    Bought,
    /// Its offer ran out, or it was passed over for good (the buyer reached the tier's limit meanwhile).
    Lapsed,
    /// Its buyer gave the offered tickets back.
    Declined,
}

impl EntryState {
    pub const ALL: [EntryState; 5] =
        [EntryState::Waiting, EntryState::Offered, EntryState::Bought, EntryState::Lapsed, EntryState::Declined];

    pub fn code(self) -> &'static str {
        match self {
            EntryState::Waiting => "waiting",
            EntryState::Offered => "offered",
            EntryState::Bought => "bought",
            EntryState::Lapsed => "lapsed",
            EntryState::Declined => "declined",
        }
    }

    pub fn parse(code: &str) -> Option<EntryState> {
        EntryState::ALL.into_iter().find(|state| state.code() == code)
    }

    /// Still in the line: waiting, or holding an offer.
    pub fn in_line(self) -> bool {
        matches!(self, EntryState::Waiting | EntryState::Offered)
    }
}

/// One buyer on one tier's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    /// Unguessable: it is the entry's answer to its buyer.
    pub id: String,
    pub concert: ConcertId,
    pub tier: Tier,
    /// The order of joining within the tier's list (1, 2, …).
    pub place: u64,
    pub quantity: u32,
    pub user_id: String,
    pub buyer_name: Option<String>,
    pub joined_at: DateTime<Utc>,
    pub state: EntryState,
    /// The hold of its offer, once offered.
    pub hold: Option<String>,
}

/// The answer to a buyer who joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Waiting {
    pub id: String,
    /// How many are waiting up to and including them, as they joined.
    pub place: u32,
    pub concert_id: ConcertId,
    pub tier: Tier,
    pub quantity: u32,
}

impl Sale {
    /// The buyer joins the tier's list, if the tier cannot serve them now and they are not on it already.
    pub(super) fn join_waitlist(
        &mut self,
        request: &BookingRequest,
        fresh: &mut impl Fresh,
    ) -> Result<Waiting, BookingError> {
        let concert = self.concert_of(request);
        self.check_limits(concert, request)?;
        let (tier, quantity, user) = (request.tier, request.quantity.get(), request.user_id.as_str());
        let Some(stock) = self.stock.get(&(concert, tier)) else {
            return Err(if self.concerts.contains_key(&concert) {
                BookingError::TierNotOffered(tier)
            } else {
                BookingError::ConcertNotFound
            });
        };
        if let Some(&sales_open_at) = self.opening.get(&concert).filter(|at| self.now < **at) {
            return Err(BookingError::NotOnSaleYet { sales_open_at });
        }
        if stock.seated {
            return Err(BookingError::WaitlistSeated(tier));
        }
        if !stock.on_sale {
            return Err(BookingError::TierPaused(tier));
        }
        if stock.available() >= quantity {
            return Err(BookingError::TicketsAvailable { available: stock.available() });
        }
        if self
            .entries
            .values()
            .any(|e| e.concert == concert && e.tier == tier && e.user_id == user && e.state.in_line())
        {
            return Err(BookingError::AlreadyWaiting(tier));
        }
        let line = self.lines.entry((concert, tier)).or_default();
        line.joined += 1;
        line.waiting += 1;
        let entry = WaitlistEntry {
            id: fresh.waitlist_id(),
            concert,
            tier,
            place: line.joined,
            quantity,
            user_id: user.to_owned(),
            buyer_name: request.buyer_name.as_ref().map(|name| name.as_str().to_owned()),
            joined_at: self.now,
            state: EntryState::Waiting,
            hold: None,
        };
        let waiting = Waiting { id: entry.id.clone(), place: line.waiting, concert_id: concert, tier, quantity };
        self.effects.extend([Effect::WaitlistJoined(entry.id.clone()), Effect::Line(concert, tier)]);
        self.entries.insert(entry.id.clone(), entry);
        Ok(waiting)
    }

    /// Tickets came back to the tier: offer them down its list, in order, to each entry that fits.
    pub(super) fn offer_returned(&mut self, concert: ConcertId, tier: Tier, fresh: &mut impl Fresh) {
        if self.lines.get(&(concert, tier)).is_none_or(|line| line.waiting == 0) {
            return;
        }
        let mut waiting: Vec<(u64, String)> = self
            .entries
            .values()
            .filter(|e| e.concert == concert && e.tier == tier && e.state == EntryState::Waiting)
            .map(|e| (e.place, e.id.clone()))
            .collect();
        waiting.sort();
        for (_, id) in waiting {
            let Some(stock) = self.stock.get(&(concert, tier)) else { return };
            let (available, price) = (stock.available(), stock.price);
            if !stock.on_sale || stock.seated || available == 0 {
                return;
            }
            let entry = &self.entries[&id];
            if entry.quantity > available {
                continue;
            }
            let (quantity, user) = (entry.quantity, entry.user_id.clone());
            let over_limit = self
                .rules
                .buyer_limits
                .of(tier)
                .is_some_and(|max| self.bought_by(concert, tier, &user).saturating_add(quantity) > max);
            let state = if over_limit {
                EntryState::Lapsed
            } else {
                let hold = HoldRecord {
                    id: fresh.hold_id(),
                    concert,
                    tier,
                    quantity,
                    unit_price: price,
                    user_id: user.clone(),
                    buyer_name: entry.buyer_name.clone(),
                    status: HoldStatus::Held,
                    created_at: self.now,
                    expires_at: self.now + self.rules.offer_for,
                    order_code: None,
                    seats: Vec::new(),
                    offer: Some(id.clone()),
                };
                self.stock.get_mut(&(concert, tier)).expect("read above").held += quantity;
                self.add_bought(concert, tier, &user, i64::from(quantity));
                self.effects.extend([Effect::Stock(concert, tier), Effect::HoldPlaced(hold.id.clone())]);
                self.entries.get_mut(&id).expect("listed above").hold = Some(hold.id.clone());
                self.holds.insert(hold.id.clone(), hold);
                EntryState::Offered
            };
            self.entries.get_mut(&id).expect("listed above").state = state;
            self.lines.get_mut(&(concert, tier)).expect("checked above").waiting -= 1;
            self.effects.extend([Effect::Entry(id), Effect::Line(concert, tier)]);
        }
    }

    /// The offer `hold` ended as `state` (bought, lapsed or declined), if it was an offer.
    pub(super) fn offer_ended(&mut self, hold: &HoldRecord, state: EntryState) {
        let Some(entry) = hold.offer.as_ref().and_then(|id| self.entries.get_mut(id)) else { return };
        if entry.state == EntryState::Offered {
            entry.state = state;
            self.effects.push(Effect::Entry(entry.id.clone()));
        }
    }
}
