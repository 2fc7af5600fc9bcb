//! Why a booking was refused, in words a buyer can read and codes a program can match on.
//!
//! One enum for the whole domain so the API and the page say the same thing for the same mistake; the
//! server maps each variant onto an HTTP status in one place.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum BookingError {
    #[error("choose a tier: VIP, Front Row or General Admission")]
    TierMissing,
    #[error("there is no “{0}” tier: choose VIP, Front Row or General Admission")]
    UnknownTier(String),
    #[error("quantity is missing: say how many tickets you want")]
    QuantityMissing,
    #[error("quantity must be a number")]
    QuantityNotANumber,
    #[error("quantity must be a whole number of tickets")]
    QuantityNotWhole,
    #[error("quantity must be at least 1 (got {0})")]
    QuantityTooSmall(i64),
    #[error("quantity must be at most {max} tickets per order")]
    QuantityTooLarge { max: u32 },
    #[error("user_id is missing or empty")]
    UserMissing,
    #[error("user_id must be at most {max} characters")]
    UserTooLong { max: usize },
    #[error("user_id must not contain control characters")]
    UserInvalid,
    #[error("please enter your name")]
    NameMissing,
    #[error("name must be at most {max} characters of text")]
    NameInvalid { max: usize },
    #[error("please enter your email address")]
    EmailMissing,
    #[error("that email address does not look right")]
    EmailInvalid,
    #[error("not enough tickets left: {available} available")]
    SoldOut { available: u32 },
    /// Before tiers were named in it; kept so answers stored then still read (see `stored_answer.rs`).
    #[error("sales of this tier are not open")]
    NotOnSale,
    #[error("{} tickets are no longer on sale", .0.display_name())]
    TierPaused(crate::Tier),
    #[error("sales for this concert open on {}", crate::when::long_date_time(*.sales_open_at))]
    NotOnSaleYet { sales_open_at: chrono::DateTime<chrono::Utc> },
    #[error("at most {max} {} tickets per buyer; you already hold or bought {already}", .tier.display_name())]
    BuyerLimit { tier: crate::Tier, max: u32, already: u32 },
    #[error("no hold with that id")]
    HoldNotFound,
    #[error("your hold has expired and its tickets went back on sale; please start again")]
    HoldExpired,
    #[error("you gave these tickets back, so they went back on sale; please start again")]
    HoldReleased,
    #[error("this hold is already paid: order {order_code}")]
    HoldAlreadyPaid { order_code: String },
    #[error("please enter the card number")]
    CardNumberMissing,
    #[error("that card number is not valid; check the digits")]
    CardNumberInvalid,
    #[error("enter the card's expiry as MM/YY")]
    CardExpiryInvalid,
    #[error("this card has expired")]
    CardExpired,
    #[error("the security code (CVC) is the 3 or 4 digits on the card")]
    CardCvcInvalid,
    #[error("the payment was declined: {reason}; you were not charged")]
    PaymentDeclined { reason: String },
    #[error("the payment processor did not answer in time; you were not charged, please try again")]
    PaymentUnavailable,
    #[error("no order with that code")]
    OrderNotFound,
    #[error("this order is already cancelled")]
    OrderCancelled,
    #[error("capacity cannot go below the {taken} tickets already sold or held")]
    CapacityBelowTaken { taken: u32 },
    #[error("no concert with that id is on sale")]
    ConcertNotFound,
    #[error("this concert has no {0} tickets")]
    TierNotOffered(crate::Tier),
    #[error("{0}")]
    ConcertInvalid(String),
    /// A change the concert's sold or held tickets forbid (a price, unpublishing); says which.
    #[error("{0}")]
    ConcertHasSales(String),
    #[error("this concert has no waiting room")]
    NoWaitingRoom,
    #[error("the waiting room opens on {}", crate::when::long_date_time(*.opens_at))]
    QueueNotOpenYet { opens_at: chrono::DateTime<chrono::Utc> },
    #[error("this concert's sale goes through its waiting room: join the queue first")]
    QueueRequired,
    #[error("your turn to buy has ended; please join the queue again")]
    QueueTokenExpired,
    #[error("that waiting-room pass is not valid for this concert")]
    QueueTokenInvalid,
    #[error("no visitor with that id in this concert's waiting room")]
    VisitorNotFound,
    #[error("the seating plan is not valid: {0}")]
    InvalidSeatingPlan(String),
    #[error("{} taken a moment ago; please choose others", seats_words(.seats))]
    SeatTaken { seats: Vec<String> },
    #[error("seat {seat} is not a {} seat of this concert", .tier.display_name())]
    SeatNotFound { seat: String, tier: crate::Tier },
    #[error("there is no seat {0} in this concert's plan")]
    SeatUnknown(String),
    #[error("seat {0} is chosen twice")]
    SeatRepeated(String),
    #[error("{seats} seats held or sold would leave the plan or change tier; block seats instead")]
    SeatsInUse { seats: u32 },
    #[error("{} tickets are already sold or held: a plan can seat a tier only before its sales", .0.display_name())]
    TierHasSales(crate::Tier),
    #[error("{} is seated: its capacity is its seats (block or add seats instead)", .0.display_name())]
    TierSeated(crate::Tier),
    #[error("this concert has no seating plan")]
    NoSeatingPlan,
    #[error("quantity must be the number of seats chosen ({seats}), or left out")]
    SeatsQuantity { seats: u32 },
    #[error("choose seats or ask for the best available, not both")]
    SeatsAndBest,
    #[error("{available} tickets are still on sale: buy them now instead of joining the waiting list")]
    TicketsAvailable { available: u32 },
    #[error("you are already on the waiting list for {} tickets", .0.display_name())]
    AlreadyWaiting(crate::Tier),
    #[error("{} has reserved seats: choose seats when some come free instead of joining a waiting list", .0.display_name())]
    WaitlistSeated(crate::Tier),
}

/// "seat A-1 was", "seats were".
fn seats_words(seats: &[String]) -> String {
    match seats {
        [one] => format!("seat {one} was"),
        many => format!("seats {} were", many.join(", ")),
    }
}

impl BookingError {
    /// The stable machine-readable code of the API's `{"error": code}`.
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::UnknownTier(_) => "unknown_tier",
            BookingError::TierMissing => "invalid_tier",
            BookingError::QuantityMissing
            | BookingError::QuantityNotANumber
            | BookingError::QuantityNotWhole
            | BookingError::QuantityTooSmall(_)
            | BookingError::QuantityTooLarge { .. } => "invalid_quantity",
            BookingError::UserMissing | BookingError::UserTooLong { .. } | BookingError::UserInvalid => "invalid_user",
            BookingError::NameMissing | BookingError::NameInvalid { .. } => "invalid_name",
            BookingError::EmailMissing | BookingError::EmailInvalid => "invalid_email",
            BookingError::SoldOut { .. } => "sold_out",
            BookingError::NotOnSale | BookingError::TierPaused(_) => "not_on_sale",
            BookingError::NotOnSaleYet { .. } => "not_on_sale_yet",
            BookingError::BuyerLimit { .. } => "buyer_limit",
            BookingError::HoldNotFound => "hold_not_found",
            BookingError::HoldExpired => "hold_expired",
            BookingError::HoldReleased => "hold_released",
            BookingError::HoldAlreadyPaid { .. } => "hold_already_paid",
            BookingError::CardNumberMissing
            | BookingError::CardNumberInvalid
            | BookingError::CardExpiryInvalid
            | BookingError::CardExpired
            | BookingError::CardCvcInvalid => "invalid_card",
            BookingError::PaymentDeclined { .. } => "payment_declined",
            BookingError::PaymentUnavailable => "payment_unavailable",
            BookingError::OrderNotFound => "order_not_found",
            BookingError::OrderCancelled => "order_cancelled",
            BookingError::CapacityBelowTaken { .. } => "capacity_below_taken",
            BookingError::ConcertNotFound => "concert_not_found",
            BookingError::TierNotOffered(_) => "tier_not_offered",
            BookingError::ConcertInvalid(_) => "invalid_concert",
            BookingError::ConcertHasSales(_) => "concert_has_sales",
            BookingError::NoWaitingRoom => "no_waiting_room",
            BookingError::QueueNotOpenYet { .. } => "queue_not_open_yet",
            BookingError::QueueRequired => "queue_required",
            BookingError::QueueTokenExpired => "queue_token_expired",
            BookingError::QueueTokenInvalid => "queue_token_invalid",
            BookingError::VisitorNotFound => "visitor_not_found",
            BookingError::InvalidSeatingPlan(_) => "invalid_seating_plan",
            BookingError::SeatTaken { .. } => "seat_taken",
            BookingError::SeatNotFound { .. } | BookingError::SeatUnknown(_) => "seat_not_found",
            BookingError::SeatRepeated(_) => "invalid_seats",
            BookingError::SeatsInUse { .. } | BookingError::TierHasSales(_) => "seats_in_use",
            BookingError::TierSeated(_) => "tier_seated",
            BookingError::NoSeatingPlan => "no_seating_plan",
            BookingError::SeatsQuantity { .. } => "invalid_quantity",
            BookingError::SeatsAndBest => "invalid_seats",
            BookingError::TicketsAvailable { .. } => "tickets_available",
            BookingError::AlreadyWaiting(_) => "already_waiting",
            BookingError::WaitlistSeated(_) => "waitlist_seated",
        }
    }
}

impl BookingError {
    /// The refusal as a plain form post carries it back to its page's address: its code, and for sold out
    /// how many are left. Only that: text in an address is anyone's to write, so the page shows the shop's
    /// own words for the code ([`BookingError::words_for`]), never text from the address.
    pub fn to_query(&self) -> String {
        match self {
            BookingError::SoldOut { available } => format!("error=sold_out&available={available}"),
            other => format!("error={}", other.code()),
        }
    }

    /// The shop's words for a refusal carried by [`BookingError::to_query`]; `None` for a code it never
    /// sends.
    pub fn words_for(code: &str, available: Option<u32>) -> Option<String> {
        let words = match code {
            "sold_out" => {
                return Some(match available {
                    Some(available) => BookingError::SoldOut { available }.to_string(),
                    None => "not enough tickets left for that order".to_owned(),
                })
            }
            "not_on_sale" => "those tickets are no longer on sale",
            "not_on_sale_yet" => "sales for this concert have not opened yet",
            "buyer_limit" => "that would take you over the limit of tickets per buyer",
            "invalid_quantity" => {
                return Some(format!("choose how many tickets you want, from 1 to {}", crate::MAX_TICKETS_PER_ORDER))
            }
            "invalid_tier" | "unknown_tier" => "choose one of the ticket types shown",
            "invalid_name" => "please enter your name",
            "invalid_email" => "please enter your email address as name@example.org",
            "invalid_user" => "please enter your email address",
            "hold_not_found" => "that hold was not found; please start again",
            "hold_expired" => "your hold has expired and its tickets went back on sale; please start again",
            "hold_already_paid" => "this hold is already paid",
            "hold_released" => "you gave these tickets back, so they went back on sale; please start again",
            "invalid_card" => "check the card number, its expiry (MM/YY) and the security code",
            "payment_declined" => "the payment was declined; you were not charged",
            "payment_unavailable" => {
                "the payment processor did not answer in time; you were not charged, please try again"
            }
            "order_not_found" => "no order with that code",
            "order_cancelled" => "this order is already cancelled",
            "concert_not_found" => "no concert with that id is on sale",
            "tier_not_offered" => "this concert does not offer those tickets",
            "queue_not_open_yet" => "the waiting room has not opened yet; come back a little before sales open",
            "queue_required" => "this concert's sale goes through its waiting room: join the queue first",
            "queue_token_expired" => "your turn to buy has ended; please join the queue again",
            "queue_token_invalid" => "that waiting-room pass is not valid for this concert",
            "seat_taken" => "a seat you chose was taken a moment ago; please choose others",
            "seat_not_found" | "invalid_seats" => "choose your seats on the map",
            "tickets_available" => "tickets are on sale again: buy them now instead of joining the waiting list",
            "already_waiting" => "you are already on the waiting list for those tickets",
            "waitlist_seated" => "tickets with reserved seats have no waiting list: choose seats when some come free",
            _ => return None,
        };
        Some(words.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_travels_by_code_and_comes_back_in_the_shops_words() {
        let sold_out = BookingError::SoldOut { available: 2 };
        assert_eq!(sold_out.to_query(), "error=sold_out&available=2");
        assert_eq!(BookingError::words_for("sold_out", Some(2)), Some(sold_out.to_string()));
        let declined = BookingError::PaymentDeclined { reason: "insufficient funds".into() };
        assert_eq!(declined.to_query(), "error=payment_declined", "no free text in the address");
        assert!(BookingError::words_for("payment_declined", None).unwrap().contains("declined"));
        assert_eq!(BookingError::words_for("call 555-0100 for a refund", None), None, "no words from the address");
    }

    #[test]
    fn sold_out_carries_what_is_left() {
        let err = BookingError::SoldOut { available: 3 };
        assert_eq!(err.code(), "sold_out");
        assert!(err.to_string().contains('3'));
    }

    #[test]
    fn quantity_errors_share_one_code() {
        assert_eq!(BookingError::QuantityNotWhole.code(), "invalid_quantity");
        assert_eq!(BookingError::QuantityTooLarge { max: 10 }.code(), "invalid_quantity");
    }
}
