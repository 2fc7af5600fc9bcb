//! How many tickets one order may take: a whole number from 1 to [`MAX_TICKETS_PER_ORDER`].

use crate::BookingError;
use serde::{Deserialize, Serialize};

/// The most tickets one order may hold, as on the seed system's form.
pub const MAX_TICKETS_PER_ORDER: u32 = 10;

/// A valid ticket count for one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Quantity(u32);

impl Quantity {
    /// Accepts 1..=[`MAX_TICKETS_PER_ORDER`].
    pub fn new(count: i64) -> Result<Quantity, BookingError> {
        if count < 1 {
            return Err(BookingError::QuantityTooSmall(count));
        }
        if count > i64::from(MAX_TICKETS_PER_ORDER) {
            return Err(BookingError::QuantityTooLarge { max: MAX_TICKETS_PER_ORDER });
        }
        Ok(Quantity(count as u32))
    }

    /// JSON numbers arrive as floats when they have a fraction or exceed i64: `1.5` is refused as not
    /// whole, `1e30` as too large, and `2.0` is taken as 2.
    pub fn from_f64(count: f64) -> Result<Quantity, BookingError> {
        if !count.is_finite() || count.fract() != 0.0 {
            return Err(BookingError::QuantityNotWhole);
        }
        if count > i64::MAX as f64 {
            return Err(BookingError::QuantityTooLarge { max: MAX_TICKETS_PER_ORDER });
        }
        if count < i64::MIN as f64 {
            return Err(BookingError::QuantityTooSmall(i64::MIN));
        }
        Quantity::new(count as i64)
    }

    /// Parses what a buyer typed into a form field.
    pub fn parse(text: &str) -> Result<Quantity, BookingError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BookingError::QuantityMissing);
        }
        if let Ok(count) = text.parse::<i64>() {
            return Quantity::new(count);
        }
        match text.parse::<f64>() {
            Ok(count) => Quantity::from_f64(count),
            Err(_) => Err(BookingError::QuantityNotANumber),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let count = i64::deserialize(deserializer)?;
        Quantity::new(count).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_the_order_limit() {
        assert_eq!(Quantity::new(1).unwrap().get(), 1);
        assert_eq!(Quantity::new(10).unwrap().get(), 10);
    }

    #[test]
    fn refuses_zero_negative_and_over_the_limit() {
        assert_eq!(Quantity::new(0), Err(BookingError::QuantityTooSmall(0)));
        assert_eq!(Quantity::new(-3), Err(BookingError::QuantityTooSmall(-3)));
        assert_eq!(Quantity::new(11), Err(BookingError::QuantityTooLarge { max: 10 }));
        assert_eq!(Quantity::new(i64::MAX), Err(BookingError::QuantityTooLarge { max: 10 }));
    }

    #[test]
    fn refuses_fractions_and_huge_floats() {
        assert_eq!(Quantity::from_f64(1.5), Err(BookingError::QuantityNotWhole));
        assert_eq!(Quantity::from_f64(f64::NAN), Err(BookingError::QuantityNotWhole));
        assert_eq!(Quantity::from_f64(1e30), Err(BookingError::QuantityTooLarge { max: 10 }));
        assert_eq!(Quantity::from_f64(-1e30), Err(BookingError::QuantityTooSmall(i64::MIN)));
        assert_eq!(Quantity::from_f64(2.0).unwrap().get(), 2);
    }

    #[test]
    fn parses_form_text() {
        assert_eq!(Quantity::parse(" 3 ").unwrap().get(), 3);
        assert_eq!(Quantity::parse(""), Err(BookingError::QuantityMissing));
        assert_eq!(Quantity::parse("two"), Err(BookingError::QuantityNotANumber));
        assert_eq!(Quantity::parse("2.5"), Err(BookingError::QuantityNotWhole));
        assert_eq!(Quantity::parse("11"), Err(BookingError::QuantityTooLarge { max: 10 }));
        assert_eq!(Quantity::parse("99999999999999999999999"), Err(BookingError::QuantityTooLarge { max: 10 }));
    }

    #[test]
    fn deserialising_applies_the_same_rules() {
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Quantity>("4").is_ok());
    }
}
