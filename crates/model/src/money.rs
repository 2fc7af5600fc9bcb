//! Money as integer US cents: never floats, so totals are exact and sums never drift.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in US cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cents(pub i64);

impl Cents {
    /// The price of `quantity` items at this unit price. Quantities are capped at
    /// [`crate::MAX_TICKETS_PER_ORDER`], so this cannot overflow for any real price.
    pub fn times(self, quantity: u32) -> Cents {
        Cents(self.0 * i64::from(quantity))
    }
}

/// Shown as dollars with thousands separators: `$1,234.50`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
        for (i, digit) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_dollars_and_cents() {
        assert_eq!(Cents(10_000).to_string(), "$100.00");
        assert_eq!(Cents(5).to_string(), "$0.05");
        assert_eq!(Cents(123_456_789).to_string(), "$1,234,567.89");
        assert_eq!(Cents(-1050).to_string(), "-$10.50");
    }

    #[test]
    fn multiplies_exactly() {
        assert_eq!(Cents(5_000).times(3), Cents(15_000));
    }
}
