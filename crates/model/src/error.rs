//! Why a booking was refused, in words a buyer can read and codes a program can match on.
//!
//! One enum for the whole domain so the API and the page say the same thing for the same mistake; the
//! server maps each variant onto an HTTP status in one place.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum BookingError {
    #[error("tier is missing: choose one of vip, front_row, general")]
    TierMissing,
    #[error("unknown tier `{0}`: choose one of vip, front_row, general")]
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
    #[error("sales of this tier are not open")]
    NotOnSale,
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
            BookingError::NotOnSale => "not_on_sale",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
