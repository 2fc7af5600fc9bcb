//! A booking request as the rules accept it, the booking that results, and what the catalog shows.

use crate::{BookingError, BuyerEmail, BuyerName, Cents, Quantity, Tier, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A request that passed every rule: the one type both the REST API and the page's server function hand
/// to the store. Built only through [`BookingRequest::parse`] or [`BookingRequest::from_page_form`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRequest {
    /// The concert; `None` is the default concert (the first one), as the system we replace had only one.
    #[serde(default)]
    pub concert_id: Option<i64>,
    pub user_id: UserId,
    pub buyer_name: Option<BuyerName>,
    pub tier: Tier,
    pub quantity: Quantity,
    /// The seats asked for, for a seated tier (as many as `quantity`); none: the best available.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<String>,
    /// The waiting room's proof of admission the request came with (its `Queue-Token`). Not part of the
    /// request's serialisation, so not of its idempotency fingerprint: a retry with a renewed token is the
    /// same request, and its stored answer replays.
    #[serde(skip)]
    pub admission: crate::Admission,
}

impl BookingRequest {
    /// The API's request: `user_id`, `tier`, and an already parsed quantity. The first rule broken is the
    /// one reported, in field order, so a client fixes its request top to bottom.
    pub fn parse(
        user_id: &str,
        tier: &str,
        quantity: Result<Quantity, BookingError>,
    ) -> Result<BookingRequest, BookingError> {
        Ok(BookingRequest {
            concert_id: None,
            user_id: UserId::parse(user_id)?,
            buyer_name: None,
            tier: Tier::parse(tier)?,
            quantity: quantity?,
            seats: Vec::new(),
            admission: crate::Admission::Missing,
        })
    }

    /// The page's form: every field arrives as text. The buyer is identified by their email.
    pub fn from_page_form(tier: &str, quantity: &str, name: &str, email: &str) -> Result<BookingRequest, BookingError> {
        let tier = Tier::parse(tier);
        BookingRequest::from_buyer(tier, Quantity::parse(quantity), name, email)
    }

    /// The same request for the seats `seats` (their count is its quantity; none: the best available).
    pub fn for_seats(self, seats: Vec<String>) -> Result<BookingRequest, BookingError> {
        if seats.is_empty() {
            return Ok(self);
        }
        let count = i64::try_from(seats.len()).unwrap_or(i64::MAX);
        Ok(BookingRequest { quantity: Quantity::new(count)?, seats, ..self })
    }

    /// The same request for the concert `concert_id` (`None`: the default concert).
    pub fn for_concert(self, concert_id: Option<i64>) -> BookingRequest {
        BookingRequest { concert_id, ..self }
    }

    /// A named buyer's request (the page's form, the API's holds): checked tier, quantity, name, email.
    pub fn from_buyer(
        tier: Result<Tier, BookingError>,
        quantity: Result<Quantity, BookingError>,
        name: &str,
        email: &str,
    ) -> Result<BookingRequest, BookingError> {
        let tier = tier?;
        let quantity = quantity?;
        let buyer_name = BuyerName::parse(name)?;
        let email = BuyerEmail::parse(email)?;
        Ok(BookingRequest {
            concert_id: None,
            user_id: email.into(),
            buyer_name: Some(buyer_name),
            tier,
            quantity,
            seats: Vec::new(),
            admission: crate::Admission::Missing,
        })
    }
}

/// A confirmed booking, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Booking {
    pub concert_id: i64,
    /// The order code: unguessable, safe to show the buyer and to look the booking up by.
    pub id: String,
    /// With the code, opens the order's page (`/orders/{id}/{secret}`) and its tickets. Only the answer to
    /// the booking carries it; a lookup by code alone does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub user_id: String,
    pub tier: Tier,
    pub quantity: u32,
    pub unit_price_cents: Cents,
    pub total_cents: Cents,
    pub created_at: DateTime<Utc>,
    /// `paid`, or `cancelled` once its order is (answers stored before the field existed read as paid).
    #[serde(default)]
    pub status: crate::OrderStatus,
}

/// One tier of the catalog with its live stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierAvailability {
    pub tier: Tier,
    pub name: String,
    pub price_cents: Cents,
    pub capacity: u32,
    pub available: u32,
    /// `false` while the operator has paused the tier's sales.
    pub on_sale: bool,
    /// It sells the seats of the concert's plan (`GET /api/concerts/{id}/seats`): its capacity is their count.
    #[serde(default)]
    pub seated: bool,
    /// Buyers on its waiting list, not yet offered tickets.
    #[serde(default)]
    pub waiting: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_request_reports_the_first_broken_rule() {
        let ok = BookingRequest::parse("u1", "vip", Quantity::new(2)).unwrap();
        assert_eq!((ok.tier, ok.quantity.get(), ok.user_id.as_str()), (Tier::Vip, 2, "u1"));
        assert_eq!(BookingRequest::parse("", "balcony", Quantity::new(0)), Err(BookingError::UserMissing));
        assert_eq!(
            BookingRequest::parse("u1", "balcony", Quantity::new(0)),
            Err(BookingError::UnknownTier("balcony".into()))
        );
        assert_eq!(BookingRequest::parse("u1", "vip", Quantity::new(0)), Err(BookingError::QuantityTooSmall(0)));
    }

    #[test]
    fn page_form_identifies_the_buyer_by_email() {
        let req = BookingRequest::from_page_form("general", "2", "Ada", "Ada@Example.org").unwrap();
        assert_eq!(req.user_id.as_str(), "ada@example.org");
        assert_eq!(req.buyer_name.unwrap().as_str(), "Ada");
        assert_eq!(
            BookingRequest::from_page_form("general", "11", "Ada", "ada@example.org"),
            Err(BookingError::QuantityTooLarge { max: 10 })
        );
        assert_eq!(BookingRequest::from_page_form("general", "1", "Ada", "nope"), Err(BookingError::EmailInvalid));
    }
}
