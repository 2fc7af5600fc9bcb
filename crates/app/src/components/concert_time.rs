//! A time as the venue's clocks read it, with the buyer's own beside it once the page knows the buyer's
//! zone. The server cannot know it, so the server-rendered page (and a page without JavaScript) shows the
//! venue's time alone; the browser adds its own reading after hydration.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use model::{ConcertTitle, ZoneAt};

/// `Sunday 1 June 2031, 20:00 Berlin time (14:00 your time)`. `zone` is the venue's at `at`; a time whose
/// venue offset is not known (a sales opening, which may fall on the other side of a clock change from the
/// start) is given with UTC as its zone, and reads `… 10:00 UTC (12:00 your time)`.
#[component]
pub fn ConcertTime(at: DateTime<Utc>, #[prop(optional)] zone: ZoneAt) -> impl IntoView {
    let venue = model::when::venue_date_time(at, &zone);
    let yours = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| yours.set(model::when::buyer_time(at, &zone, buyer_offset_minutes(at))));
    view! {
        <time datetime=at.to_rfc3339()>{venue}</time>
        <span class="your-time">{move || yours.get().map(|time| format!(" ({time})"))}</span>
    }
}

/// `The Midnight Orchestra, Saturday 20 March 2027, 20:00 UTC, Harbor Arena`: what a ticket is for.
#[component]
pub fn ConcertLine(concert: ConcertTitle) -> impl IntoView {
    view! {
        {format!("{}, ", concert.name)}
        <ConcertTime at=concert.starts_at zone=concert.zone />
        {format!(", {}", concert.venue)}
    }
}

/// Minutes east of UTC on the buyer's clocks at `at` (the browser knows its zone's rules, summer time too).
#[cfg(feature = "hydrate")]
fn buyer_offset_minutes(at: DateTime<Utc>) -> i32 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
    -(date.get_timezone_offset() as i32)
}
