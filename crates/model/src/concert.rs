//! Concerts: what the catalog lists, and the rules an operator's new concert must pass.
//!
//! A concert offers some of the three tiers, each with its own price and capacity. A new concert is
//! *parsed* like a booking request: a [`NewConcert`] that exists has a name, a venue, a start in the future
//! and at least one tier, each at most once, with a price and capacity inside the limits below.

use crate::{BookingError, Cents, Tier, TierAvailability};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest concert name or venue, in characters.
pub const MAX_CONCERT_TEXT: usize = 120;
/// Highest ticket price: $10,000.
pub const MAX_PRICE: Cents = Cents(1_000_000);
/// Most tickets one tier can offer, however it is set (a new concert, the operator's capacity field and API,
/// the first concert's `BOXOFFICE_CAPACITY`): far above any venue, far below any counter's range.
pub const MAX_TIER_CAPACITY: u32 = 1_000_000_000;

/// What identifies a concert to a buyer: on every hold and order, so a ticket says what it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConcertTitle {
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    /// The venue's zone at the start, so the page can write the venue's time without a zone database.
    #[serde(default)]
    pub zone: crate::ZoneAt,
}

/// A concert on sale and its tiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Concert {
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    /// The venue's zone at the start.
    #[serde(default)]
    pub zone: crate::ZoneAt,
    /// When holds and bookings open; absent: on sale since it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_open_at: Option<DateTime<Utc>>,
    /// Its waiting room, when the operator turned one on: holds and bookings then need a pass from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_room: Option<crate::WaitingRoom>,
    /// Listed on the shop; `false`: the operator took it off (buyers see no such concert).
    #[serde(default = "listed")]
    pub published: bool,
    pub tiers: Vec<TierAvailability>,
}

fn listed() -> bool {
    true
}

fn utc() -> String {
    crate::venue_zone::UTC.to_owned()
}

impl Concert {
    /// Where the concert's booking page is. The default concert's is `/`.
    pub fn page_path(&self) -> String {
        format!("/concerts/{}", self.id)
    }

    pub fn title(&self) -> ConcertTitle {
        ConcertTitle {
            id: self.id,
            name: self.name.clone(),
            venue: self.venue.clone(),
            starts_at: self.starts_at,
            zone: self.zone.clone(),
        }
    }
}

/// One tier a new concert offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTier {
    pub tier: Tier,
    pub price_cents: Cents,
    pub capacity: u32,
}

/// A concert the operator creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConcert {
    pub name: String,
    pub venue: String,
    pub starts_at: DateTime<Utc>,
    /// The venue's IANA zone (see [`NewConcert::in_time_zone`]); `UTC` unless the operator gave one.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// When holds and bookings open (see [`NewConcert::opening_at`]); `None`: at once.
    pub sales_open_at: Option<DateTime<Utc>>,
    /// Its waiting room (see [`NewConcert::with_waiting_room`]); `None`: off.
    #[serde(default)]
    pub waiting_room: Option<crate::WaitingRoom>,
    pub tiers: Vec<NewTier>,
}

/// A tier as a request states it, before the rules: price and capacity as whatever number was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierOffer<'a> {
    pub tier: &'a str,
    pub price_cents: i64,
    pub capacity: i64,
}

pub(crate) fn invalid(problem: impl Into<String>) -> BookingError {
    BookingError::ConcertInvalid(problem.into())
}

pub(crate) fn text(field: &str, value: &str) -> Result<String, BookingError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(format!("{field} is missing")));
    }
    if value.chars().count() > MAX_CONCERT_TEXT || value.chars().any(char::is_control) {
        return Err(invalid(format!("{field} must be at most {MAX_CONCERT_TEXT} characters of text")));
    }
    Ok(value.to_owned())
}

/// A start time as RFC 3339 (`2027-05-01T20:00:00Z`), or as a form's `2027-05-01T20:00`, read as UTC (see
/// [`crate::parse_start_in`] for a venue's zone).
pub fn parse_start(value: &str) -> Result<DateTime<Utc>, BookingError> {
    crate::parse_start_in(value, chrono_tz::Tz::UTC)
}

/// Dollars as a form states them (`100`, `12.50`, `$1,000`) in cents.
pub fn parse_dollars(value: &str) -> Result<i64, BookingError> {
    let digits: String = value.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
    let (whole, cents) = digits.split_once('.').unwrap_or((&digits, "00"));
    let whole_ok = !whole.is_empty() && whole.len() <= 9 && whole.bytes().all(|b| b.is_ascii_digit());
    let cents_ok = matches!(cents.len(), 1 | 2) && cents.bytes().all(|b| b.is_ascii_digit());
    if !whole_ok || !cents_ok {
        return Err(invalid(format!("a price must be an amount in dollars such as 49.50, not “{}”", value.trim())));
    }
    let cents: i64 = format!("{cents:0<2}").parse().unwrap_or(0);
    Ok(whole.parse::<i64>().unwrap_or(0) * 100 + cents)
}

impl NewConcert {
    /// Applies every rule; the first broken one is reported, naming the field, in field order (the start and
    /// the tiers arrive already read, or with why they could not be).
    pub fn parse(
        name: &str,
        venue: &str,
        starts_at: Result<DateTime<Utc>, BookingError>,
        offers: Result<&[TierOffer<'_>], BookingError>,
        now: DateTime<Utc>,
    ) -> Result<NewConcert, BookingError> {
        let name = text("name", name)?;
        let venue = text("venue", venue)?;
        let starts_at = starts_at?;
        let offers = offers?;
        if starts_at <= now {
            return Err(invalid("the start must be in the future"));
        }
        if offers.is_empty() {
            return Err(invalid("a concert needs at least one tier"));
        }
        let mut tiers: Vec<NewTier> = Vec::with_capacity(offers.len());
        for offer in offers {
            let tier = Tier::parse(offer.tier)?;
            if tiers.iter().any(|t| t.tier == tier) {
                return Err(invalid(format!("{} is listed twice", tier.display_name())));
            }
            if !(0..=MAX_PRICE.0).contains(&offer.price_cents) {
                return Err(invalid(format!(
                    "the price of {} must be between $0.00 and {MAX_PRICE}",
                    tier.display_name()
                )));
            }
            let capacity = u32::try_from(offer.capacity).ok().filter(|c| *c <= MAX_TIER_CAPACITY).ok_or_else(|| {
                invalid(format!("the capacity of {} must be between 0 and {MAX_TIER_CAPACITY}", tier.display_name()))
            })?;
            tiers.push(NewTier { tier, price_cents: Cents(offer.price_cents), capacity });
        }
        tiers.sort_by_key(|t| t.tier);
        Ok(NewConcert { name, venue, starts_at, time_zone: utc(), sales_open_at: None, waiting_room: None, tiers })
    }

    /// The venue is in `zone` (already read: its start and opening were read in it too).
    pub fn in_time_zone(self, zone: chrono_tz::Tz) -> NewConcert {
        NewConcert { time_zone: zone.name().to_owned(), ..self }
    }

    /// Sales open at `at` (already read, or why it could not be), which must be before the concert starts;
    /// `None` opens them at once. A time already past is the same as none: on sale at once.
    pub fn opening_at(self, at: Option<Result<DateTime<Utc>, BookingError>>) -> Result<NewConcert, BookingError> {
        let Some(at) = at else { return Ok(self) };
        let at = at.map_err(|_| invalid("the sales opening must be a date and time such as 2027-04-01T10:00:00Z"))?;
        if at >= self.starts_at {
            return Err(invalid("sales must open before the concert starts"));
        }
        Ok(NewConcert { sales_open_at: Some(at), ..self })
    }

    /// Sales go through `room` (if any), which needs a set opening: the pre-queue is drawn at it.
    pub fn with_waiting_room(self, room: Option<crate::WaitingRoom>) -> Result<NewConcert, BookingError> {
        let Some(room) = room else { return Ok(self) };
        if self.sales_open_at.is_none() {
            return Err(invalid("a waiting room needs a set sales opening: its pre-queue is drawn then"));
        }
        Ok(NewConcert { waiting_room: Some(room.checked()?), ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn offer(tier: &str, price_cents: i64, capacity: i64) -> TierOffer<'_> {
        TierOffer { tier, price_cents, capacity }
    }

    #[test]
    fn a_valid_concert_keeps_its_tiers_in_catalog_order() {
        let now = Utc::now();
        let concert = NewConcert::parse(
            " Night Jazz ",
            "Blue Hall",
            Ok(now + Duration::days(30)),
            Ok(&[offer("general", 2_500, 300), offer("vip", 9_000, 20)]),
            now,
        )
        .unwrap();
        assert_eq!(concert.name, "Night Jazz");
        assert_eq!(concert.tiers.iter().map(|t| t.tier).collect::<Vec<_>>(), vec![Tier::Vip, Tier::General]);
        assert_eq!(concert.tiers[0].price_cents, Cents(9_000));
    }

    #[test]
    fn each_rule_names_its_field() {
        let now = Utc::now();
        let later = now + Duration::days(1);
        let vip = [offer("vip", 100, 1)];
        let problem = |result: Result<NewConcert, BookingError>| result.unwrap_err().to_string();
        // Fields are checked in order: a missing name is reported before a bad start.
        assert!(problem(NewConcert::parse("", "Hall", parse_start("soon"), Ok(&vip), now)).contains("name"));
        assert!(problem(NewConcert::parse("A", "Hall", parse_start("soon"), Ok(&vip), now)).contains("start"));
        assert!(problem(NewConcert::parse("", "Hall", Ok(later), Ok(&vip), now)).contains("name"));
        assert!(problem(NewConcert::parse("A", " ", Ok(later), Ok(&vip), now)).contains("venue"));
        assert!(problem(NewConcert::parse("A", "Hall", Ok(now), Ok(&vip), now)).contains("future"));
        assert!(problem(NewConcert::parse("A", "Hall", Ok(later), Ok(&[]), now)).contains("at least one tier"));
        assert!(problem(NewConcert::parse("A", "Hall", Ok(later), Ok(&[offer("vip", 1, 1), offer("vip", 1, 1)]), now))
            .contains("twice"));
        assert!(problem(NewConcert::parse("A", "Hall", Ok(later), Ok(&[offer("vip", -1, 1)]), now)).contains("price"));
        assert!(problem(NewConcert::parse("A", "Hall", Ok(later), Ok(&[offer("vip", 1, 1_000_000_001)]), now))
            .contains("capacity"));
        assert!(
            problem(NewConcert::parse("A", "Hall", Ok(later), Ok(&[offer("vip", 1, -1)]), now)).contains("capacity")
        );
        assert_eq!(
            NewConcert::parse("A", "Hall", Ok(later), Ok(&[offer("balcony", 1, 1)]), now),
            Err(BookingError::UnknownTier("balcony".into()))
        );
        assert!(problem(NewConcert::parse(&"x".repeat(121), "Hall", Ok(later), Ok(&vip), now)).contains("name"));
    }

    #[test]
    fn sales_open_before_the_concert_starts() {
        let now = Utc::now();
        let concert =
            NewConcert::parse("A", "Hall", Ok(now + Duration::days(2)), Ok(&[offer("vip", 100, 1)]), now).unwrap();
        let opens = now + Duration::days(1);
        assert_eq!(concert.clone().opening_at(Some(Ok(opens))).unwrap().sales_open_at, Some(opens));
        assert_eq!(concert.clone().opening_at(None).unwrap().sales_open_at, None);
        let late = concert.clone().opening_at(Some(Ok(now + Duration::days(3)))).unwrap_err();
        assert!(late.to_string().contains("before the concert starts"), "{late}");
        let unreadable = concert.opening_at(Some(parse_start("tomorrow"))).unwrap_err();
        assert!(unreadable.to_string().contains("sales opening"), "{unreadable}");
    }

    #[test]
    fn starts_and_prices_read_as_people_type_them() {
        assert_eq!(parse_start("2027-05-01T20:00").unwrap().to_rfc3339(), "2027-05-01T20:00:00+00:00");
        assert_eq!(parse_start("2027-05-01T22:00:00+02:00").unwrap().to_rfc3339(), "2027-05-01T20:00:00+00:00");
        assert!(parse_start("next friday").is_err());
        assert_eq!(parse_dollars("100"), Ok(10_000));
        assert_eq!(parse_dollars("$1,000.5"), Ok(100_050));
        assert_eq!(parse_dollars("12.05"), Ok(1_205));
        for bad in ["", "-1", "1.234", "ten", "1e3", "12."] {
            assert!(parse_dollars(bad).is_err(), "{bad} should be refused");
        }
    }
}
