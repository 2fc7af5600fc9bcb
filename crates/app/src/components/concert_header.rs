//! The concert's heading (what, when, where) and the line saying whether its live updates arrive: the
//! concert's page and its queue's page show both.

use crate::live::LiveStatus;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn ConcertHeader(eyebrow: &'static str, name: String, starts_at: DateTime<Utc>, venue: String) -> impl IntoView {
    view! {
        <header class="concert">
            <p class="eyebrow">{eyebrow}</p>
            <h1>{name}</h1>
            <p class="concert-when">
                <time datetime=starts_at.to_rfc3339()>{model::when::long_date_time(starts_at)}</time>
                " · "
                {venue}
            </p>
        </header>
    }
}

/// "Live", "Connecting…" or "Reconnecting…", and (for a screen reader) what the updates are of.
#[component]
pub fn LiveStatusLine(status: RwSignal<LiveStatus>, of: &'static str) -> impl IntoView {
    view! {
        <p class="live-status" data-status=move || format!("{:?}", status.get()).to_lowercase()>
            <span class="live-dot" aria-hidden="true"></span>
            {move || status.get().label()}
            <span class="visually-hidden">{format!(" {of} updates")}</span>
        </p>
    }
}
