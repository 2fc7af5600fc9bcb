//! The time left on a hold. The server renders the clock time it runs out; in the browser it counts down
//! each second and sets `expired` at zero, which the checkout page turns into "start again".

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Whole seconds left until `deadline`, counted each second in the browser: `None` until the browser has
/// taken over from the server-rendered text. At zero it sets `reached`.
pub fn seconds_until(deadline: DateTime<Utc>, reached: RwSignal<bool>) -> RwSignal<Option<i64>> {
    let left: RwSignal<Option<i64>> = RwSignal::new(None);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let deadline_ms = deadline.timestamp_millis() as f64;
            let tick = move || {
                let seconds = ((deadline_ms - js_sys::Date::now()) / 1000.0).ceil().max(0.0) as i64;
                left.set(Some(seconds));
                if seconds == 0 {
                    reached.set(true);
                }
            };
            tick();
            if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
                on_cleanup(move || handle.clear());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (deadline, reached);
    });
    left
}

#[component]
pub fn Countdown(expires_at: DateTime<Utc>, expired: RwSignal<bool>) -> impl IntoView {
    let left = seconds_until(expires_at, expired);
    let text = move || match (expired.get(), left.get()) {
        (true, _) => "Your hold has expired".to_owned(),
        (false, Some(seconds)) => format!("{}:{:02} left to pay", seconds / 60, seconds % 60),
        (false, None) => format!("Held for you until {}", model::when::short_date_time(expires_at)),
    };
    view! {
        // The last minute is marked (`urgent`), so the buyer sees time running out.
        <p
            class="countdown"
            class:urgent=move || left.get().is_some_and(|s| s <= 60) && !expired.get()
            data-seconds-left=move || left.get().map(|s| s.to_string())
            role="timer"
            // Once the hold has expired the checkout's notice says so: the timer steps aside.
            hidden=move || expired.get()
        >
            <time datetime=expires_at.to_rfc3339()>{text}</time>
        </p>
    }
}
