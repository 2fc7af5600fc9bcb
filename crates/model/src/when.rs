//! Dates as buyers read them. Written out by hand rather than with chrono's `format`, whose strftime
//! machinery would otherwise be compiled into the page's WASM for two strings.

use chrono::{DateTime, Datelike, Timelike, Utc};

const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `The Midnight Orchestra, Saturday 20 March 2027, 20:00 UTC, Harbor Arena`: what a ticket is for, at the
/// venue's time.
pub fn concert_line(concert: &crate::ConcertTitle) -> String {
    format!("{}, {}, {}", concert.name, venue_date_time(concert.starts_at, &concert.zone), concert.venue)
}

/// `Saturday 20 March 2027, 21:00 Berlin time` (or `… 20:00 UTC`): when something happens, by the venue's
/// clocks.
pub fn venue_date_time(at: DateTime<Utc>, zone: &crate::ZoneAt) -> String {
    if zone.is_utc() {
        return long_date_time(at);
    }
    let local = shifted(at, zone.offset_minutes);
    format!("{}, {:02}:{:02} {} time", date(local), local.hour(), local.minute(), zone.place())
}

/// `15:00 your time`, or `Sunday 21 March, 04:00 your time` when the buyer's date differs from the venue's:
/// the same instant by the buyer's clocks (`buyer_offset_minutes` east of UTC), or nothing when those clocks
/// read as the venue's.
pub fn buyer_time(at: DateTime<Utc>, venue: &crate::ZoneAt, buyer_offset_minutes: i32) -> Option<String> {
    if buyer_offset_minutes == venue.offset_minutes {
        return None;
    }
    let theirs = shifted(at, buyer_offset_minutes);
    let venues = shifted(at, venue.offset_minutes);
    let clock = format!("{:02}:{:02} your time", theirs.hour(), theirs.minute());
    if theirs.date_naive() == venues.date_naive() {
        return Some(clock);
    }
    let day = WEEKDAYS[theirs.weekday().num_days_from_monday() as usize];
    Some(format!("{day} {} {}, {clock}", theirs.day(), MONTHS[theirs.month0() as usize]))
}

/// The wall-clock reading `offset_minutes` east of UTC, kept in a `DateTime<Utc>` only to read its fields.
fn shifted(at: DateTime<Utc>, offset_minutes: i32) -> DateTime<Utc> {
    at + chrono::Duration::minutes(i64::from(offset_minutes))
}

/// `Saturday 20 March 2027`.
fn date(at: DateTime<Utc>) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS[at.weekday().num_days_from_monday() as usize],
        at.day(),
        MONTHS[at.month0() as usize],
        at.year()
    )
}

/// `Saturday 20 March 2027, 20:00 UTC`: when a concert starts.
pub fn long_date_time(at: DateTime<Utc>) -> String {
    format!("{}, {:02}:{:02} UTC", date(at), at.hour(), at.minute())
}

/// `2031-06-01T20:00`: the venue's wall-clock time as a `datetime-local` field holds it.
pub fn venue_field_value(at: DateTime<Utc>, zone: &crate::ZoneAt) -> String {
    let local = shifted(at, zone.offset_minutes);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", local.year(), local.month(), local.day(), local.hour(), local.minute())
}

/// `2026-11-28 14:05 UTC`: when something was booked.
pub fn short_date_time(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", at.year(), at.month(), at.day(), at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn writes_dates_as_people_read_them() {
        let at = Utc.with_ymd_and_hms(2027, 3, 20, 20, 0, 0).unwrap();
        assert_eq!(long_date_time(at), "Saturday 20 March 2027, 20:00 UTC");
        assert_eq!(short_date_time(Utc.with_ymd_and_hms(2026, 1, 5, 9, 7, 0).unwrap()), "2026-01-05 09:07 UTC");
    }

    #[test]
    fn the_venue_time_comes_first_and_the_buyer_time_only_when_it_differs() {
        let at = Utc.with_ymd_and_hms(2031, 6, 1, 18, 0, 0).unwrap();
        let berlin = crate::ZoneAt { name: "Europe/Berlin".into(), offset_minutes: 120 };
        assert_eq!(venue_date_time(at, &berlin), "Sunday 1 June 2031, 20:00 Berlin time");
        assert_eq!(venue_date_time(at, &crate::ZoneAt::default()), "Sunday 1 June 2031, 18:00 UTC");
        assert_eq!(venue_field_value(at, &berlin), "2031-06-01T20:00");
        assert_eq!(buyer_time(at, &berlin, 120), None);
        assert_eq!(buyer_time(at, &berlin, -240).as_deref(), Some("14:00 your time"));
        // Tokyo is already on Monday when Berlin's concert starts on Sunday evening.
        let late = Utc.with_ymd_and_hms(2031, 6, 1, 20, 30, 0).unwrap();
        assert_eq!(buyer_time(late, &berlin, 540).as_deref(), Some("Monday 2 June, 05:30 your time"));
        // India's half hour.
        assert_eq!(buyer_time(at, &berlin, 330).as_deref(), Some("23:30 your time"));
    }
}
