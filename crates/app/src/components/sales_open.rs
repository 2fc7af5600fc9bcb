//! Before a concert's sales open: when they open, and a countdown to it. At zero it sets `opened`, and
//! the page shows the form without a reload.
//!
//! The form is always rendered and only hidden until then (an attribute, not a branch), so a page that
//! the server rendered a moment before the opening and the browser hydrates a moment after agree on its
//! structure.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Milliseconds since the epoch: the browser's clock there, the server's here.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    return Utc::now().timestamp_millis();
}

/// Whether sales that open at `at` (`None`: at once) are open now.
pub fn open_now(at: Option<DateTime<Utc>>) -> bool {
    at.is_none_or(|at| at.timestamp_millis() <= now_ms())
}

#[component]
pub fn SalesOpen(at: DateTime<Utc>, opened: RwSignal<bool>) -> impl IntoView {
    let left = super::countdown::seconds_until(at, opened);
    let countdown = move || {
        left.get().map(|s| {
            let (days, hours, minutes, seconds) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
            match days {
                0 => format!("Opens in {hours}:{minutes:02}:{seconds:02}"),
                1 => format!("Opens in 1 day, {hours}:{minutes:02}:{seconds:02}"),
                _ => format!("Opens in {days} days"),
            }
        })
    };
    view! {
        <section class="sales-open" hidden=move || opened.get() aria-labelledby="sales-open-heading">
            <h2 id="sales-open-heading">"Tickets go on sale soon"</h2>
            <p>
                "Sales open on "
                <super::ConcertTime at />
                "."
            </p>
            // Announced once a minute at most: a screen reader is not read every second's change.
            <p class="countdown" role="timer" aria-live="off">{countdown}</p>
            <noscript>"Reload this page when sales open to choose your tickets."</noscript>
        </section>
    }
}
