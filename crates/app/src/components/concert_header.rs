//! The concert's heading (what, when, where) and the line saying whether its live updates arrive: the
//! concert's page and its queue's page show both.

use crate::live::LiveStatus;
use leptos::prelude::*;
use model::ConcertTitle;

#[component]
pub fn ConcertHeader(eyebrow: &'static str, concert: ConcertTitle) -> impl IntoView {
    view! {
        <header class="concert">
            <p class="eyebrow">{eyebrow}</p>
            <h1>{concert.name}</h1>
            <p class="concert-when">
                <super::ConcertTime at=concert.starts_at zone=concert.zone />
                " · "
                {concert.venue}
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
