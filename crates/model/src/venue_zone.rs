//! The venue's time zone. A concert starts at the venue's wall-clock time: the operator states it so and the
//! page shows it so, with the buyer's own time beside it when theirs differs.
//!
//! The zone database (chrono-tz) is used only where a zone name is read or an offset worked out, which the
//! server does: a page receives the offset already worked out ([`ZoneAt`]), so the database never reaches its
//! WASM.

use crate::BookingError;
use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The zone of a concert nobody gave one (and of every concert created before zones existed).
pub const UTC: &str = "UTC";

/// An IANA zone name (`Europe/Berlin`), checked against the database.
pub fn parse_time_zone(name: &str) -> Result<Tz, BookingError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(Tz::UTC);
    }
    name.parse::<Tz>().map_err(|_| {
        BookingError::ConcertInvalid(format!(
            "the time zone must be a place's zone such as Europe/Berlin or America/New_York, not “{name}”"
        ))
    })
}

/// A venue's zone at one instant (a concert's start): its name and how far its clocks are from UTC then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZoneAt {
    /// The IANA name, e.g. `Europe/Berlin`.
    pub name: String,
    /// Minutes east of UTC at that instant (Berlin in summer: 120).
    pub offset_minutes: i32,
}

impl Default for ZoneAt {
    fn default() -> Self {
        ZoneAt { name: UTC.to_owned(), offset_minutes: 0 }
    }
}

impl ZoneAt {
    /// The zone `name` at `at`. A stored name the database does not know (it was checked when stored, so
    /// only a newer database dropping it could do this) reads as UTC rather than hiding the concert.
    pub fn of(name: &str, at: DateTime<Utc>) -> ZoneAt {
        let Ok(zone) = parse_time_zone(name) else { return ZoneAt::default() };
        let offset = zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc() / 60;
        ZoneAt { name: zone.name().to_owned(), offset_minutes: offset }
    }

    pub fn is_utc(&self) -> bool {
        self.offset_minutes == 0 && matches!(self.name.as_str(), "UTC" | "Etc/UTC" | "Etc/GMT" | "GMT")
    }

    /// What a buyer calls the zone: the city of its name (`America/New_York` → `New York`).
    pub fn place(&self) -> String {
        self.name.rsplit('/').next().unwrap_or(&self.name).replace('_', " ")
    }
}

/// A start as RFC 3339 with its offset (`2027-05-01T20:00:00Z`, an instant), or as a form's wall-clock time
/// (`2027-05-01T20:00`), read in the venue's `zone`. A wall-clock time the zone's clocks skip (spring
/// forward) or show twice (fall back) is refused in words: guessing would move a concert by an hour.
pub fn parse_start_in(value: &str, zone: Tz) -> Result<DateTime<Utc>, BookingError> {
    let value = value.trim();
    let invalid = |problem: String| BookingError::ConcertInvalid(problem);
    if value.is_empty() {
        return Err(invalid("the start is missing: when does the concert begin?".into()));
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Ok(instant.with_timezone(&Utc));
    }
    let wall = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| invalid("the start must be a date and time such as 2027-05-01T20:00:00Z".into()))?;
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(..) => Err(invalid(format!(
            "{value} happens twice in {} (the clocks go back that night): choose another time",
            zone.name()
        ))),
        LocalResult::None => Err(invalid(format!(
            "{value} does not exist in {} (the clocks go forward that night): choose another time",
            zone.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_wall_clock_start_is_read_in_the_venue_zone() {
        let berlin = parse_time_zone("Europe/Berlin").unwrap();
        assert_eq!(parse_start_in("2031-06-01T20:00", berlin).unwrap(), at("2031-06-01T18:00:00Z"));
        assert_eq!(parse_start_in("2031-12-01T20:00", berlin).unwrap(), at("2031-12-01T19:00:00Z"));
        // An instant keeps its own offset, whatever the zone.
        assert_eq!(parse_start_in("2031-06-01T20:00:00Z", berlin).unwrap(), at("2031-06-01T20:00:00Z"));
        assert_eq!(parse_start_in("2031-06-01T20:00", Tz::UTC).unwrap(), at("2031-06-01T20:00:00Z"));
    }

    #[test]
    fn a_time_the_clocks_skip_or_repeat_is_refused() {
        let berlin = parse_time_zone("Europe/Berlin").unwrap();
        let skipped = parse_start_in("2031-03-30T02:30", berlin).unwrap_err().to_string();
        assert!(skipped.contains("does not exist in Europe/Berlin"), "{skipped}");
        let twice = parse_start_in("2031-10-26T02:30", berlin).unwrap_err().to_string();
        assert!(twice.contains("happens twice in Europe/Berlin"), "{twice}");
    }

    #[test]
    fn zones_are_checked_and_their_offset_follows_the_season() {
        assert!(parse_time_zone("Mars/Olympus").unwrap_err().to_string().contains("“Mars/Olympus”"));
        assert_eq!(parse_time_zone("").unwrap(), Tz::UTC);
        let summer = ZoneAt::of("Europe/Berlin", at("2031-06-01T18:00:00Z"));
        assert_eq!(summer, ZoneAt { name: "Europe/Berlin".into(), offset_minutes: 120 });
        assert_eq!(ZoneAt::of("Europe/Berlin", at("2031-12-01T18:00:00Z")).offset_minutes, 60);
        assert_eq!(ZoneAt::of("America/New_York", at("2031-06-01T18:00:00Z")).place(), "New York");
        assert_eq!(ZoneAt::of("Nowhere/Gone", at("2031-06-01T18:00:00Z")), ZoneAt::default());
        assert!(ZoneAt::default().is_utc());
        assert!(!summer.is_utc());
    }
}
