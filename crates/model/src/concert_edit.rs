//! The operator's changes to a concert already on the shop: its name, venue and start at any time (the
//! tickets follow: pages, calendar files and the door read them from the concert), a tier's price only while
//! none of its tickets is sold or held (a buyer pays what the page showed them, and every ticket of a tier
//! costs the same), and taking it off the shop (unpublishing) only while nothing is sold or held.

use crate::{concert::invalid, concert::text, BookingError, Cents, Tier, MAX_PRICE};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A tier's price as a request states it, before the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceOffer<'a> {
    pub tier: &'a str,
    pub price_cents: i64,
}

/// A concert's new name, venue, start and (some of) its tiers' prices, each already read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcertEdit {
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    /// The venue's IANA zone (see [`ConcertEdit::in_time_zone`]).
    pub time_zone: String,
    pub prices: Vec<(Tier, Cents)>,
}

/// The operator's change to concert `.0`, as the store applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConcertChange {
    Edit(i64, ConcertEdit),
    /// Listed on the shop (`true`) or taken off it.
    Publish(i64, bool),
}

impl ConcertChange {
    pub fn concert(&self) -> i64 {
        match self {
            ConcertChange::Edit(id, _) | ConcertChange::Publish(id, _) => *id,
        }
    }
}

/// A tier as the rules need it: its price now, and how many of its tickets buyers have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierTaken {
    pub tier: Tier,
    pub price: Cents,
    pub sold: u32,
    pub held: u32,
}

/// The concert as stored when a change is decided (read inside the change's transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConcert {
    pub sales_open_at: Option<DateTime<Utc>>,
    /// The concert the shop's home page shows: it stays listed.
    pub is_default: bool,
    pub tiers: Vec<TierTaken>,
}

impl StoredConcert {
    /// Sold and held tickets of every tier together.
    pub fn taken(&self) -> u32 {
        self.tiers.iter().map(|t| t.sold + t.held).sum()
    }
}

impl ConcertEdit {
    /// Reads an edit; the first broken rule is reported, in field order.
    pub fn parse(
        name: &str,
        venue: &str,
        starts_at: Result<DateTime<Utc>, BookingError>,
        prices: &[PriceOffer<'_>],
        now: DateTime<Utc>,
    ) -> Result<ConcertEdit, BookingError> {
        let name = text("name", name)?;
        let venue = text("venue", venue)?;
        let starts_at = starts_at?;
        if starts_at <= now {
            return Err(invalid("the start must be in the future"));
        }
        let mut read: Vec<(Tier, Cents)> = Vec::with_capacity(prices.len());
        for offer in prices {
            let tier = Tier::parse(offer.tier)?;
            if read.iter().any(|(t, _)| *t == tier) {
                return Err(invalid(format!("{} is listed twice", tier.display_name())));
            }
            if !(0..=MAX_PRICE.0).contains(&offer.price_cents) {
                return Err(invalid(format!(
                    "the price of {} must be between $0.00 and {MAX_PRICE}",
                    tier.display_name()
                )));
            }
            read.push((tier, Cents(offer.price_cents)));
        }
        read.sort_by_key(|(tier, _)| *tier);
        Ok(ConcertEdit { name, venue, starts_at, time_zone: crate::venue_zone::UTC.to_owned(), prices: read })
    }

    /// The venue is in `zone` (already read: the start was read in it too).
    pub fn in_time_zone(self, zone: chrono_tz::Tz) -> ConcertEdit {
        ConcertEdit { time_zone: zone.name().to_owned(), ..self }
    }

    /// The prices this edit changes, if the concert as stored allows it: every priced tier exists, a price
    /// changes only on a tier with nothing sold or held, and the start stays after the sales open.
    pub fn against(&self, stored: &StoredConcert) -> Result<Vec<(Tier, Cents)>, BookingError> {
        if let Some(opens) = stored.sales_open_at.filter(|opens| self.starts_at <= *opens) {
            return Err(invalid(format!(
                "the start must be after sales open ({})",
                crate::when::long_date_time(opens)
            )));
        }
        let mut changed = Vec::new();
        for (tier, price) in &self.prices {
            let Some(now) = stored.tiers.iter().find(|t| t.tier == *tier) else {
                return Err(invalid(format!("this concert has no {} tier", tier.display_name())));
            };
            if now.price == *price {
                continue;
            }
            let taken = now.sold + now.held;
            if taken > 0 {
                return Err(BookingError::ConcertHasSales(format!(
                    "the price of {} cannot change: {taken} of its tickets {} sold or held",
                    tier.display_name(),
                    if taken == 1 { "is" } else { "are" }
                )));
            }
            changed.push((*tier, *price));
        }
        Ok(changed)
    }
}

/// Whether the concert may leave the shop: not the home page's, and with nothing sold or held (its buyers
/// would keep tickets for a concert nobody can find).
pub fn check_unpublish(stored: &StoredConcert) -> Result<(), BookingError> {
    if stored.is_default {
        return Err(invalid("the concert on the shop's home page cannot be unpublished"));
    }
    match stored.taken() {
        0 => Ok(()),
        taken => Err(BookingError::ConcertHasSales(format!(
            "a concert with tickets sold or held cannot be unpublished ({taken} {})",
            if taken == 1 { "ticket" } else { "tickets" }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn stored(tiers: &[(Tier, i64, u32, u32)]) -> StoredConcert {
        StoredConcert {
            sales_open_at: None,
            is_default: false,
            tiers: tiers
                .iter()
                .map(|&(tier, price, sold, held)| TierTaken { tier, price: Cents(price), sold, held })
                .collect(),
        }
    }

    fn edit(prices: &[(&str, i64)]) -> ConcertEdit {
        let now = Utc::now();
        let offers: Vec<PriceOffer<'_>> =
            prices.iter().map(|&(tier, price_cents)| PriceOffer { tier, price_cents }).collect();
        ConcertEdit::parse("Night Jazz", "Blue Hall", Ok(now + Duration::days(9)), &offers, now).unwrap()
    }

    #[test]
    fn a_price_changes_only_on_a_tier_nobody_has_taken() {
        let concert = stored(&[(Tier::Vip, 10_000, 0, 0), (Tier::FrontRow, 5_000, 2, 0), (Tier::General, 1_000, 0, 1)]);
        assert_eq!(edit(&[("vip", 12_000)]).against(&concert), Ok(vec![(Tier::Vip, Cents(12_000))]));
        let sold = edit(&[("front_row", 4_000)]).against(&concert).unwrap_err().to_string();
        assert!(sold.contains("Front Row") && sold.contains("2 of its tickets are sold or held"), "{sold}");
        let held = edit(&[("general", 900)]).against(&concert).unwrap_err().to_string();
        assert!(held.contains("1 of its tickets is"), "{held}");
        // The same price sent back is no change, sold or not.
        assert_eq!(edit(&[("front_row", 5_000), ("general", 1_000)]).against(&concert), Ok(vec![]));
        let missing = stored(&[(Tier::General, 1_000, 0, 0)]);
        assert!(edit(&[("vip", 1)]).against(&missing).unwrap_err().to_string().contains("no VIP tier"));
    }

    #[test]
    fn the_start_stays_in_the_future_and_after_the_opening() {
        let now = Utc::now();
        let past = ConcertEdit::parse("A", "Hall", Ok(now - Duration::hours(1)), &[], now).unwrap_err();
        assert!(past.to_string().contains("future"), "{past}");
        let mut concert = stored(&[]);
        concert.sales_open_at = Some(now + Duration::days(10));
        let early = edit(&[]).against(&concert).unwrap_err().to_string();
        assert!(early.contains("after sales open"), "{early}");
        let blank = ConcertEdit::parse(" ", "Hall", Ok(now + Duration::days(1)), &[], now).unwrap_err();
        assert!(blank.to_string().contains("name"), "{blank}");
        let negative = [PriceOffer { tier: "vip", price_cents: -5 }];
        let refused = ConcertEdit::parse("A", "Hall", Ok(now + Duration::days(1)), &negative, now).unwrap_err();
        assert!(refused.to_string().contains("price of VIP"), "{refused}");
    }

    #[test]
    fn only_an_untouched_concert_that_is_not_the_home_pages_is_unpublished() {
        assert_eq!(check_unpublish(&stored(&[(Tier::Vip, 1, 0, 0)])), Ok(()));
        let held = check_unpublish(&stored(&[(Tier::Vip, 1, 0, 1)])).unwrap_err().to_string();
        assert!(held.contains("(1 ticket)"), "{held}");
        let mut home = stored(&[]);
        home.is_default = true;
        assert!(check_unpublish(&home).unwrap_err().to_string().contains("home page"));
    }
}
