//! The three ticket tiers, their prices, and the capacities a new concert starts with.

use crate::{BookingError, Cents};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A ticket tier. Serialised in snake_case (`vip`, `front_row`, `general`) in JSON and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    Vip,
    FrontRow,
    General,
}

impl Tier {
    /// Every tier, most expensive first: the order the page and the API list them in.
    pub const ALL: [Tier; 3] = [Tier::Vip, Tier::FrontRow, Tier::General];

    /// The code used in JSON, URLs, forms and the database.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Vip => "vip",
            Tier::FrontRow => "front_row",
            Tier::General => "general",
        }
    }

    /// The name a buyer reads.
    pub fn display_name(self) -> &'static str {
        match self {
            Tier::Vip => "VIP",
            Tier::FrontRow => "Front Row",
            Tier::General => "General Admission",
        }
    }

    /// The list price a new concert starts with.
    pub fn default_price(self) -> Cents {
        match self {
            Tier::Vip => Cents(10_000),
            Tier::FrontRow => Cents(5_000),
            Tier::General => Cents(1_000),
        }
    }

    /// Parses a tier code, trimming surrounding whitespace (forms send what people type).
    pub fn parse(text: &str) -> Result<Tier, BookingError> {
        let code = text.trim();
        if code.is_empty() {
            return Err(BookingError::TierMissing);
        }
        Tier::ALL
            .into_iter()
            .find(|tier| tier.code() == code)
            .ok_or_else(|| BookingError::UnknownTier(code.chars().take(40).collect()))
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How many tickets of each tier a new concert offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacities {
    pub vip: u32,
    pub front_row: u32,
    pub general: u32,
}

impl Default for Capacities {
    fn default() -> Self {
        Capacities { vip: 100, front_row: 500, general: 5000 }
    }
}

impl Capacities {
    pub fn of(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Vip => self.vip,
            Tier::FrontRow => self.front_row,
            Tier::General => self.general,
        }
    }

    fn set(&mut self, tier: Tier, capacity: u32) {
        match tier {
            Tier::Vip => self.vip = capacity,
            Tier::FrontRow => self.front_row = capacity,
            Tier::General => self.general = capacity,
        }
    }
}

/// Parses `vip=100,front_row=500,general=5000`; tiers left out keep their defaults.
impl FromStr for Capacities {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut capacities = Capacities::default();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (tier, capacity) =
                pair.split_once('=').ok_or_else(|| format!("`{pair}` is not of the form tier=capacity"))?;
            let tier = Tier::parse(tier).map_err(|e| e.to_string())?;
            let capacity =
                capacity.trim().parse::<u32>().ok().filter(|c| *c <= crate::MAX_TIER_CAPACITY).ok_or_else(|| {
                    format!(
                        "capacity of {tier} must be a whole number from 0 to {}, got `{capacity}`",
                        crate::MAX_TIER_CAPACITY
                    )
                })?;
            capacities.set(tier, capacity);
        }
        Ok(capacities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_parse_and_serde() {
        for tier in Tier::ALL {
            assert_eq!(Tier::parse(tier.code()).unwrap(), tier);
            let json = serde_json::to_string(&tier).unwrap();
            assert_eq!(json, format!("\"{}\"", tier.code()));
        }
    }

    #[test]
    fn unknown_tier_is_named_in_the_error() {
        let err = Tier::parse("balcony").unwrap_err();
        assert_eq!(err, BookingError::UnknownTier("balcony".into()));
        assert!(err.to_string().contains("balcony"));
    }

    #[test]
    fn prices_match_the_price_list() {
        assert_eq!(Tier::Vip.default_price(), Cents(10_000));
        assert_eq!(Tier::FrontRow.default_price(), Cents(5_000));
        assert_eq!(Tier::General.default_price(), Cents(1_000));
    }

    #[test]
    fn capacities_parse_with_defaults_for_missing_tiers() {
        let c: Capacities = "general=1, vip=7".parse().unwrap();
        assert_eq!(c, Capacities { vip: 7, front_row: 500, general: 1 });
        assert!("vip".parse::<Capacities>().is_err());
        assert!("vip=-1".parse::<Capacities>().is_err());
        assert!("vip=1000000000".parse::<Capacities>().is_ok());
        assert!("vip=1000000001".parse::<Capacities>().unwrap_err().contains("0 to 1000000000"));
        assert!("balcony=3".parse::<Capacities>().is_err());
    }
}
