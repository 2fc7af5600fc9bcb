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

/// `The Midnight Orchestra, Saturday 20 March 2027, 20:00 UTC, Harbor Arena`: what a ticket is for.
pub fn concert_line(concert: &crate::ConcertTitle) -> String {
    format!("{}, {}, {}", concert.name, long_date_time(concert.starts_at), concert.venue)
}

/// `Saturday 20 March 2027, 20:00 UTC`: when a concert starts.
pub fn long_date_time(at: DateTime<Utc>) -> String {
    format!(
        "{} {} {} {}, {:02}:{:02} UTC",
        WEEKDAYS[at.weekday().num_days_from_monday() as usize],
        at.day(),
        MONTHS[at.month0() as usize],
        at.year(),
        at.hour(),
        at.minute()
    )
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
}
