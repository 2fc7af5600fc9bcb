//! Limits an on-sale sets: how many tickets of a tier one buyer may hold or own across orders.
//!
//! Scalpers buy many small orders; a per-buyer cap (by email, across unexpired holds and paid orders)
//! stops that without bothering anyone else. The per-order cap is [`crate::MAX_TICKETS_PER_ORDER`].

use crate::Tier;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerLimits {
    vip: Option<u32>,
    front_row: Option<u32>,
    general: Option<u32>,
}

impl Default for BuyerLimits {
    /// VIP is scarce: 4 per buyer. The other tiers are limited only by the per-order cap.
    fn default() -> Self {
        BuyerLimits { vip: Some(4), front_row: None, general: None }
    }
}

impl BuyerLimits {
    pub fn unlimited() -> Self {
        BuyerLimits { vip: None, front_row: None, general: None }
    }

    /// The most tickets of `tier` one buyer may have, if limited.
    pub fn of(&self, tier: Tier) -> Option<u32> {
        match tier {
            Tier::Vip => self.vip,
            Tier::FrontRow => self.front_row,
            Tier::General => self.general,
        }
    }

    fn set(&mut self, tier: Tier, limit: Option<u32>) {
        match tier {
            Tier::Vip => self.vip = limit,
            Tier::FrontRow => self.front_row = limit,
            Tier::General => self.general = limit,
        }
    }
}

/// Parses `vip=4,general=20`; `none` for a tier lifts its limit; tiers left out keep their defaults.
impl FromStr for BuyerLimits {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut limits = BuyerLimits::default();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (tier, limit) =
                pair.split_once('=').ok_or_else(|| format!("`{pair}` is not of the form tier=limit"))?;
            let tier = Tier::parse(tier).map_err(|e| e.to_string())?;
            let limit =
                match limit.trim() {
                    "none" => None,
                    n => Some(n.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("the limit for {tier} must be a whole number ≥ 1 or `none`, got `{n}`")
                    })?),
                };
            limits.set(tier, limit);
        }
        Ok(limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_with_defaults() {
        assert_eq!(BuyerLimits::default().of(Tier::Vip), Some(4));
        let limits: BuyerLimits = "vip=none, general=6".parse().unwrap();
        assert_eq!((limits.of(Tier::Vip), limits.of(Tier::General), limits.of(Tier::FrontRow)), (None, Some(6), None));
        assert!("vip=0".parse::<BuyerLimits>().is_err());
        assert!("vip".parse::<BuyerLimits>().is_err());
    }
}
