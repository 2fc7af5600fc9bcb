//! Each sales step as a rule over the [`Sale`]: book, hold, pay, release, cancel, expire, and the operator's
//! capacity and pause. A step checks everything before it changes anything, so a refusal changes nothing
//! (a declined card only has its payment recorded).
//!
//! The order of the checks is the order a buyer fixes things in: the per-order cap, the per-buyer limit,
//! then the concert and tier, then whether the concert's sales have opened, then the waiting room's proof of
//! admission, then whether the tier is on sale (not paused), then whether enough is left.

use super::{
    records::{Charge, ConcertId, HoldRecord, OrderRecord, Payment, PaymentKind, Stock},
    Effect, Fresh, Sale, SeatState,
};
use crate::{Booking, BookingError, BookingRequest, Cents, Hold, HoldStatus, Order, OrderStatus, Ticket, Tier};

/// Where tickets taken off sale go.
#[derive(Clone, Copy)]
enum Into {
    Sold,
    Held,
}

impl Sale {
    pub(super) fn concert_of(&self, request: &BookingRequest) -> ConcertId {
        request.concert_id.unwrap_or(self.rules.default_concert)
    }

    /// The concert's title; present for every concert the batch loaded, which a hold or order names.
    fn title(&self, concert: ConcertId) -> crate::ConcertTitle {
        self.concerts.get(&concert).cloned().expect("the store loads the concert of every hold and order it loads")
    }

    /// What `request` would have of its tier once granted: refused if that breaks a limit.
    pub(super) fn check_limits(&self, concert: ConcertId, request: &BookingRequest) -> Result<(), BookingError> {
        let wanted = request.quantity.get();
        if wanted > self.rules.max_per_order {
            return Err(BookingError::QuantityTooLarge { max: self.rules.max_per_order });
        }
        let Some(max) = self.rules.buyer_limits.of(request.tier) else { return Ok(()) };
        let already = self.bought_by(concert, request.tier, request.user_id.as_str());
        if already.saturating_add(wanted) > max {
            return Err(BookingError::BuyerLimit { tier: request.tier, max, already });
        }
        Ok(())
    }

    pub(super) fn bought_by(&self, concert: ConcertId, tier: Tier, user: &str) -> u32 {
        self.bought.get(&(concert, tier, user.to_owned())).copied().unwrap_or(0)
    }

    pub(super) fn add_bought(&mut self, concert: ConcertId, tier: Tier, user: &str, quantity: i64) {
        if self.rules.buyer_limits.of(tier).is_none() {
            return;
        }
        let total = self.bought.entry((concert, tier, user.to_owned())).or_insert(0);
        *total = u32::try_from(i64::from(*total) + quantity).expect("a buyer's total never goes below zero");
    }

    /// The limits, then the stock: moves `quantity` off sale into `into` and returns the price and, for a
    /// seated tier, the seats (the caller moves them once it knows the hold or order), or refuses.
    fn take(&mut self, request: &BookingRequest, into: Into) -> Result<(ConcertId, Cents, Vec<String>), BookingError> {
        let concert = self.concert_of(request);
        self.check_limits(concert, request)?;
        let quantity = request.quantity.get();
        if !self.stock.contains_key(&(concert, request.tier)) {
            return Err(if self.concerts.contains_key(&concert) {
                BookingError::TierNotOffered(request.tier)
            } else {
                BookingError::ConcertNotFound
            });
        }
        if let Some(&sales_open_at) = self.opening.get(&concert).filter(|at| self.now < **at) {
            return Err(BookingError::NotOnSaleYet { sales_open_at });
        }
        self.check_admission(concert, &request.admission)?;
        let stock = self.stock.get_mut(&(concert, request.tier)).expect("looked up above");
        if !stock.on_sale {
            return Err(BookingError::TierPaused(request.tier));
        }
        let seats = match (stock.seated, request.seats.first()) {
            (true, _) => self.choose_seats(concert, request.tier, &request.seats, quantity)?,
            (false, Some(seat)) => return Err(BookingError::SeatNotFound { seat: seat.clone(), tier: request.tier }),
            (false, None) => Vec::new(),
        };
        let stock = self.stock.get_mut(&(concert, request.tier)).expect("looked up above");
        if stock.available() < quantity {
            return Err(BookingError::SoldOut { available: stock.available() });
        }
        match into {
            Into::Sold => stock.sold += quantity,
            Into::Held => stock.held += quantity,
        }
        let price = stock.price;
        self.effects.push(Effect::Stock(concert, request.tier));
        self.add_bought(concert, request.tier, request.user_id.as_str(), i64::from(quantity));
        Ok((concert, price, seats))
    }

    /// A new paid order of `quantity` tickets, one code per seat.
    #[allow(clippy::too_many_arguments)]
    fn place_order(
        &mut self,
        fresh: &mut impl Fresh,
        concert: ConcertId,
        tier: Tier,
        quantity: u32,
        unit_price: Cents,
        user_id: &str,
        buyer_name: Option<String>,
        paid_by: Option<(&str, &str)>,
        seats: &[String],
    ) -> String {
        let code = fresh.order_code();
        let mut places = self.ticket_seats(concert, seats).into_iter();
        let tickets = (1..=quantity)
            .map(|number| Ticket {
                code: fresh.ticket_code(),
                number,
                seat: places.next(),
                signed_code: None,
                qr_svg: None,
            })
            .collect();
        self.move_seats(concert, seats, &SeatState::Sold(code.clone()));
        let order = OrderRecord {
            code: code.clone(),
            secret: fresh.order_secret(),
            concert,
            tier,
            quantity,
            unit_price,
            user_id: user_id.to_owned(),
            buyer_name,
            status: OrderStatus::Paid,
            hold_id: paid_by.map(|(hold, _)| hold.to_owned()),
            card_last4: paid_by.map(|(_, last4)| last4.to_owned()),
            created_at: self.now,
            cancelled_at: None,
            tickets,
        };
        self.orders.insert(code.clone(), order);
        self.effects.push(Effect::OrderPlaced(code.clone()));
        code
    }

    pub(super) fn book(&mut self, request: &BookingRequest, fresh: &mut impl Fresh) -> Result<Booking, BookingError> {
        let (concert, price, seats) = self.take(request, Into::Sold)?;
        let name = request.buyer_name.as_ref().map(|n| n.as_str().to_owned());
        let (tier, quantity, user) = (request.tier, request.quantity.get(), request.user_id.as_str());
        let code = self.place_order(fresh, concert, tier, quantity, price, user, name, None, &seats);
        Ok(self.orders[&code].to_booking())
    }

    pub(super) fn hold(&mut self, request: &BookingRequest, fresh: &mut impl Fresh) -> Result<Hold, BookingError> {
        let (concert, price, seats) = self.take(request, Into::Held)?;
        let hold = HoldRecord {
            id: fresh.hold_id(),
            concert,
            tier: request.tier,
            quantity: request.quantity.get(),
            unit_price: price,
            user_id: request.user_id.as_str().to_owned(),
            buyer_name: request.buyer_name.as_ref().map(|n| n.as_str().to_owned()),
            status: HoldStatus::Held,
            created_at: self.now,
            expires_at: self.now + self.rules.hold_for,
            order_code: None,
            seats,
            offer: None,
        };
        self.move_seats(concert, &hold.seats, &SeatState::Held(hold.id.clone()));
        let shown = self.shown(&hold);
        self.effects.push(Effect::HoldPlaced(hold.id.clone()));
        self.holds.insert(hold.id.clone(), hold);
        Ok(shown)
    }

    /// A running hold paid by an approved card becomes a paid order: its tickets move from held to sold. A
    /// declined card is recorded and the hold stays; an expired or paid hold is refused and nothing is charged.
    pub(super) fn pay(
        &mut self,
        hold_id: &str,
        charge: &Charge,
        fresh: &mut impl Fresh,
    ) -> Result<Order, BookingError> {
        let hold = self.running_hold(hold_id)?.clone();
        let (card_last4, declined) = match charge {
            Charge::Approved { card_last4 } => (card_last4, None),
            Charge::Declined { card_last4, reason } => (card_last4, Some(reason)),
        };
        let mut payment = Payment {
            hold_id: Some(hold.id.clone()),
            order_code: None,
            kind: PaymentKind::Charge,
            approved: declined.is_none(),
            amount: hold.unit_price.times(hold.quantity),
            card_last4: Some(card_last4.clone()),
            at: self.now,
        };
        if let Some(reason) = declined {
            self.effects.push(Effect::Paid(payment));
            return Err(BookingError::PaymentDeclined { reason: reason.clone() });
        }
        let stock = self.stock.get_mut(&(hold.concert, hold.tier)).expect("a hold's tier is loaded with it");
        stock.held -= hold.quantity;
        stock.sold += hold.quantity;
        self.effects.push(Effect::Stock(hold.concert, hold.tier));
        let code = self.place_order(
            fresh,
            hold.concert,
            hold.tier,
            hold.quantity,
            hold.unit_price,
            &hold.user_id,
            hold.buyer_name.clone(),
            Some((&hold.id, card_last4)),
            &hold.seats,
        );
        payment.order_code = Some(code.clone());
        self.effects.push(Effect::Paid(payment));
        let paid = self.holds.get_mut(hold_id).expect("read above");
        paid.status = HoldStatus::Paid;
        paid.order_code = Some(code.clone());
        self.offer_ended(&hold, super::EntryState::Bought);
        self.effects.push(Effect::HoldPaid { hold: hold.id, order: code.clone() });
        Ok(self.orders[&code].to_order(self.title(hold.concert)))
    }

    /// A hold as its buyer sees it, with its seats.
    pub(super) fn shown(&self, hold: &HoldRecord) -> Hold {
        hold.to_hold(self.title(hold.concert), self.ticket_seats(hold.concert, &hold.seats))
    }

    /// Hold `hold_id` if it can still be paid or given back, or why not.
    fn running_hold(&self, hold_id: &str) -> Result<&HoldRecord, BookingError> {
        let hold = self.holds.get(hold_id).ok_or(BookingError::HoldNotFound)?;
        match hold.status {
            HoldStatus::Paid => {
                Err(BookingError::HoldAlreadyPaid { order_code: hold.order_code.clone().unwrap_or_default() })
            }
            HoldStatus::Released => Err(BookingError::HoldReleased),
            _ if !hold.running_at(self.now) => Err(BookingError::HoldExpired),
            _ => Ok(hold),
        }
    }

    /// A running hold is given back: its tickets go back on sale at once and it can no longer be paid.
    pub(super) fn release(&mut self, hold_id: &str, fresh: &mut impl Fresh) -> Result<Hold, BookingError> {
        let hold = self.running_hold(hold_id)?.clone();
        let (concert, tier, quantity, user) = (hold.concert, hold.tier, hold.quantity, hold.user_id.clone());
        let seats = hold.seats.clone();
        let stock = self.stock.get_mut(&(concert, tier)).expect("a hold's tier is loaded with it");
        stock.held -= quantity;
        self.add_bought(concert, tier, &user, -i64::from(quantity));
        self.move_seats(concert, &seats, &SeatState::Free);
        let released = self.holds.get_mut(hold_id).expect("read above");
        released.status = HoldStatus::Released;
        self.effects.extend([Effect::Stock(concert, tier), Effect::HoldReleased(hold_id.to_owned())]);
        self.offer_ended(&hold, super::EntryState::Declined);
        let shown = self.shown(&self.holds[hold_id]);
        self.offer_returned(concert, tier, fresh);
        Ok(shown)
    }

    /// A paid order is refunded and its tickets go back on sale. A wrong secret is an unknown order.
    pub(super) fn cancel(&mut self, code: &str, secret: &str, fresh: &mut impl Fresh) -> Result<Order, BookingError> {
        let order = self.orders.get(code).filter(|o| super::secret_matches(&o.secret, secret));
        let order = order.ok_or(BookingError::OrderNotFound)?;
        if order.status == OrderStatus::Cancelled {
            return Err(BookingError::OrderCancelled);
        }
        let (concert, tier, quantity, user) = (order.concert, order.tier, order.quantity, order.user_id.clone());
        let seats = order.seats();
        let refund = Payment {
            hold_id: order.hold_id.clone(),
            order_code: Some(code.to_owned()),
            kind: PaymentKind::Refund,
            approved: true,
            amount: order.total(),
            card_last4: order.card_last4.clone(),
            at: self.now,
        };
        let stock = self.stock.get_mut(&(concert, tier)).expect("an order's tier is loaded with it");
        stock.sold -= quantity;
        self.add_bought(concert, tier, &user, -i64::from(quantity));
        self.move_seats(concert, &seats, &SeatState::Free);
        self.cancel_at_door(code);
        let order = self.orders.get_mut(code).expect("read above");
        order.status = OrderStatus::Cancelled;
        order.cancelled_at = Some(self.now);
        self.effects.extend([
            Effect::Stock(concert, tier),
            Effect::OrderCancelled(code.to_owned()),
            Effect::Paid(refund),
        ]);
        self.offer_returned(concert, tier, fresh);
        Ok(self.orders[code].to_order(self.title(concert)))
    }

    /// Every loaded hold that ran out is expired and its tickets go back on sale; returns how many.
    pub(super) fn expire(&mut self, fresh: &mut impl Fresh) -> u32 {
        let now = self.now;
        let expired: Vec<HoldRecord> =
            self.holds.values().filter(|h| h.status == HoldStatus::Held && !h.running_at(now)).cloned().collect();
        for hold in &expired {
            let stock = self.stock.get_mut(&(hold.concert, hold.tier)).expect("a hold's tier is loaded with it");
            stock.held -= hold.quantity;
            self.add_bought(hold.concert, hold.tier, &hold.user_id, -i64::from(hold.quantity));
            self.move_seats(hold.concert, &hold.seats, &SeatState::Free);
            self.holds.get_mut(&hold.id).expect("listed above").status = HoldStatus::Expired;
            self.effects.extend([Effect::Stock(hold.concert, hold.tier), Effect::HoldExpired(hold.id.clone())]);
            self.offer_ended(hold, super::EntryState::Lapsed);
        }
        let returned: std::collections::BTreeSet<(ConcertId, Tier)> =
            expired.iter().map(|hold| (hold.concert, hold.tier)).collect();
        for (concert, tier) in returned {
            self.offer_returned(concert, tier, fresh);
        }
        u32::try_from(expired.len()).unwrap_or(u32::MAX)
    }

    /// Never below what is sold or held.
    pub(super) fn set_capacity(
        &mut self,
        concert: ConcertId,
        tier: Tier,
        capacity: u32,
        fresh: &mut impl Fresh,
    ) -> Result<(), BookingError> {
        let stock = self.tier_mut(concert, tier)?;
        if stock.seated {
            return Err(BookingError::TierSeated(tier));
        }
        let taken = stock.sold + stock.held;
        if capacity < taken {
            return Err(BookingError::CapacityBelowTaken { taken });
        }
        stock.capacity = capacity;
        self.effects.push(Effect::Stock(concert, tier));
        self.offer_returned(concert, tier, fresh);
        Ok(())
    }

    /// Pausing stops new holds and bookings; running holds can still be paid.
    pub(super) fn set_on_sale(
        &mut self,
        concert: ConcertId,
        tier: Tier,
        on_sale: bool,
        fresh: &mut impl Fresh,
    ) -> Result<(), BookingError> {
        self.tier_mut(concert, tier)?.on_sale = on_sale;
        self.effects.push(Effect::Stock(concert, tier));
        self.offer_returned(concert, tier, fresh);
        Ok(())
    }

    fn tier_mut(&mut self, concert: ConcertId, tier: Tier) -> Result<&mut Stock, BookingError> {
        self.stock.get_mut(&(concert, tier)).ok_or(BookingError::TierNotOffered(tier))
    }
}
