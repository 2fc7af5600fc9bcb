//! An order as an iCalendar event (RFC 5545), for the buyer's "Add to calendar": the concert's name,
//! venue and start, the order's tickets in the description, cancelled when the order is.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use model::{Order, OrderStatus};

/// How long the event is shown in a calendar: boxoffice keeps when a concert starts, not when it ends.
const SHOWN_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(3);

/// The `.ics` file of `order`. Its UID is the order's code, so importing it again updates the one event
/// (a cancellation included) instead of adding a second.
pub fn order_calendar(order: &Order) -> String {
    let concert = &order.concert;
    let seats: Vec<String> = order
        .tickets
        .iter()
        .filter_map(|ticket| ticket.seat.as_ref())
        .map(|seat| format!("{}, row {}, seat {}", seat.zone, seat.row, seat.number))
        .collect();
    let mut description = format!("{} × {} — order {}", order.quantity, order.tier.display_name(), order.code);
    if !seats.is_empty() {
        description.push_str(&format!("\nSeats: {}", seats.join("; ")));
    }
    let mut event = Event::new();
    event
        .uid(&format!("{}@boxoffice", order.code))
        .summary(&concert.name)
        .location(&concert.venue)
        .starts(concert.starts_at)
        .ends(concert.starts_at + SHOWN_FOR)
        // The order's own time, not the clock's: the same order gives the same file.
        .timestamp(order.cancelled_at.unwrap_or(order.created_at))
        .description(&description)
        .status(if order.status == OrderStatus::Cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed });
    let mut calendar = Calendar::new();
    calendar.push(event.done());
    calendar.done().to_string()
}
