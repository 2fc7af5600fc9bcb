//! What the sale keeps: each tier's stock, holds, orders and the charges made, as the engine reads and
//! changes them, and how each is shown to a buyer (a [`Hold`], an [`Order`], a [`Booking`]).

use crate::{Booking, Cents, ConcertTitle, Hold, HoldStatus, Order, OrderStatus, Ticket, TicketSeat, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A concert's id, as the store numbers them.
pub type ConcertId = i64;

/// One tier of one concert: every ticket of it is sold, held, blocked (a seat the operator took off sale)
/// or available, so `sold + held + blocked <= capacity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stock {
    pub capacity: u32,
    pub sold: u32,
    pub held: u32,
    pub on_sale: bool,
    pub price: Cents,
    /// It sells seats of the concert's plan (its capacity is their count), not a quantity.
    #[serde(default)]
    pub seated: bool,
    #[serde(default)]
    pub blocked: u32,
}

impl Stock {
    /// A tier selling a quantity.
    pub fn counted(capacity: u32, price: Cents) -> Stock {
        Stock { capacity, sold: 0, held: 0, on_sale: true, price, seated: false, blocked: 0 }
    }

    /// Tickets neither sold, held nor blocked.
    pub fn available(&self) -> u32 {
        self.capacity.saturating_sub(self.sold).saturating_sub(self.held).saturating_sub(self.blocked)
    }
}

/// A hold as the sale keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldRecord {
    pub id: String,
    pub concert: ConcertId,
    pub tier: Tier,
    pub quantity: u32,
    pub unit_price: Cents,
    pub user_id: String,
    pub buyer_name: Option<String>,
    pub status: HoldStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub order_code: Option<String>,
    /// Its seats, for a seated tier (as many as `quantity`).
    #[serde(default)]
    pub seats: Vec<String>,
    /// The waiting-list entry it is the offer of.
    #[serde(default)]
    pub offer: Option<String>,
}

impl HoldRecord {
    /// Whether it can still be paid at `now`: held, and not past its expiry (expired or not yet).
    pub fn running_at(&self, now: DateTime<Utc>) -> bool {
        self.status == HoldStatus::Held && self.expires_at > now
    }

    pub fn to_hold(&self, concert: ConcertTitle, seats: Vec<TicketSeat>) -> Hold {
        Hold {
            id: self.id.clone(),
            concert,
            tier: self.tier,
            quantity: self.quantity,
            unit_price_cents: self.unit_price,
            total_cents: self.unit_price.times(self.quantity),
            user_id: self.user_id.clone(),
            buyer_name: self.buyer_name.clone(),
            status: self.status,
            created_at: self.created_at,
            expires_at: self.expires_at,
            order_code: self.order_code.clone(),
            seats,
            offer: self.offer.is_some(),
        }
    }
}

/// An order as the sale keeps it: a paid hold, or a one-step booking (no hold, no card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub code: String,
    pub secret: String,
    pub concert: ConcertId,
    pub tier: Tier,
    pub quantity: u32,
    pub unit_price: Cents,
    pub user_id: String,
    pub buyer_name: Option<String>,
    pub status: OrderStatus,
    pub hold_id: Option<String>,
    pub card_last4: Option<String>,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub tickets: Vec<Ticket>,
}

impl OrderRecord {
    pub fn total(&self) -> Cents {
        self.unit_price.times(self.quantity)
    }

    /// The ids of its seats, for a seated tier.
    pub fn seats(&self) -> Vec<String> {
        self.tickets.iter().filter_map(|ticket| ticket.seat.as_ref().map(|seat| seat.id.clone())).collect()
    }

    pub fn to_order(&self, concert: ConcertTitle) -> Order {
        Order {
            code: self.code.clone(),
            secret: self.secret.clone(),
            concert,
            tier: self.tier,
            quantity: self.quantity,
            unit_price_cents: self.unit_price,
            total_cents: self.total(),
            user_id: self.user_id.clone(),
            buyer_name: self.buyer_name.clone(),
            status: self.status,
            card_last4: self.card_last4.clone(),
            created_at: self.created_at,
            cancelled_at: self.cancelled_at,
            tickets: self.tickets.clone(),
        }
    }

    /// The one-step sale's answer: the order without its tickets, with its secret.
    pub fn to_booking(&self) -> Booking {
        Booking {
            concert_id: self.concert,
            id: self.code.clone(),
            secret: Some(self.secret.clone()),
            user_id: self.user_id.clone(),
            tier: self.tier,
            quantity: self.quantity,
            unit_price_cents: self.unit_price,
            total_cents: self.total(),
            created_at: self.created_at,
            status: self.status,
        }
    }
}

/// What the card processor said, decided before the payment step runs (the engine does no IO).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Charge {
    Approved { card_last4: String },
    Declined { card_last4: String, reason: String },
}

/// Money that moved, or was refused: every charge and refund is recorded, declined ones too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub hold_id: Option<String>,
    pub order_code: Option<String>,
    pub kind: PaymentKind,
    pub approved: bool,
    pub amount: Cents,
    pub card_last4: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentKind {
    Charge,
    Refund,
}
