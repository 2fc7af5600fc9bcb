//! An order: what a paid hold (or a direct booking) becomes, with one ticket per seat.
//!
//! The order code is short, for people; the secret is long, for links. Showing an order needs both, and a
//! wrong secret is answered exactly like an unknown code, so nobody learns which codes exist.

use crate::{Cents, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrderStatus {
    #[default]
    Paid,
    /// Cancelled by the buyer and refunded; its tickets went back on sale.
    Cancelled,
}

impl OrderStatus {
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// As a buyer reads it.
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Paid => "Paid",
            OrderStatus::Cancelled => "Cancelled and refunded",
        }
    }

    pub fn parse(code: &str) -> Option<OrderStatus> {
        [OrderStatus::Paid, OrderStatus::Cancelled].into_iter().find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "StoredTicket")]
pub struct Ticket {
    /// Unguessable; what the door scans.
    pub code: String,
    /// 1..=quantity within the order.
    pub number: u32,
    /// Its seat, for a seated tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<TicketSeat>,
    /// What the ticket's QR code carries: its code signed by the shop (`signed_ticket.rs`), so a scanner
    /// without the concert's list can check it. Filled in by the server when it shows an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_code: Option<String>,
    /// The ticket's QR code as an SVG document, filled in by the server when it shows an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
}

/// A ticket's seat: the plan's seat id and the words on the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketSeat {
    pub id: String,
    pub zone: String,
    pub row: String,
    pub number: String,
}

/// A ticket as stored answers hold it: before seats, `seat` was the ticket's number in its order, and
/// answers stored then (kept a day for their idempotency keys) must still read.
#[derive(Deserialize)]
struct StoredTicket {
    code: String,
    #[serde(default)]
    number: Option<u32>,
    #[serde(default)]
    seat: Option<StoredSeat>,
    #[serde(default)]
    signed_code: Option<String>,
    #[serde(default)]
    qr_svg: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StoredSeat {
    Number(u32),
    Seat(TicketSeat),
}

impl From<StoredTicket> for Ticket {
    fn from(stored: StoredTicket) -> Ticket {
        let (number, seat) = match stored.seat {
            Some(StoredSeat::Number(number)) => (number, None),
            Some(StoredSeat::Seat(seat)) => (stored.number.unwrap_or(1), Some(seat)),
            None => (stored.number.unwrap_or(1), None),
        };
        Ticket { code: stored.code, number, seat, signed_code: stored.signed_code, qr_svg: stored.qr_svg }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub code: String,
    pub secret: String,
    /// What the tickets are for.
    pub concert: crate::ConcertTitle,
    pub tier: Tier,
    pub quantity: u32,
    pub unit_price_cents: Cents,
    pub total_cents: Cents,
    pub user_id: String,
    pub buyer_name: Option<String>,
    pub status: OrderStatus,
    /// The last four digits of the card that paid, when a card did (never more of the number).
    pub card_last4: Option<String>,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub tickets: Vec<Ticket>,
}

impl Order {
    /// Where the buyer sees the order again.
    pub fn page_path(&self) -> String {
        format!("/orders/{}/{}", self.code, self.secret)
    }

    /// Where the order's calendar file (`.ics`) is downloaded.
    pub fn calendar_path(&self) -> String {
        format!("/api/orders/{}/{}/calendar.ics", self.code, self.secret)
    }
}
