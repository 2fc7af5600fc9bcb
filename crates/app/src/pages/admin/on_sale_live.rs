//! A concert's on-sale as it runs, on the operator's page: the queue and the sales now, charts of the last
//! half hour, redrawn every two seconds, and the waiting room's rate and cap, changeable while it runs.

use super::bar_chart::{BarChart, Series};
use crate::admin_fns::{admin_live, admin_set_waiting_room};
use leptos::prelude::*;
use model::{LiveSales, WaitingRoom};

/// How often the figures are fetched again while the page is open.
const EVERY: std::time::Duration = std::time::Duration::from_secs(2);

#[component]
pub fn OnSaleLive(
    concert: i64,
    token: RwSignal<String>,
    /// Shown (and fetched every 2 s) from the start: a concert with a waiting room. The others open on a click.
    open: bool,
) -> AnyView {
    let open = RwSignal::new(open);
    let fetch = Action::new(move |_: &()| admin_live(token.get_untracked(), concert));
    let live: RwSignal<Option<LiveSales>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(Ok(figures))) = fetch.value().get() {
            live.set(Some(figures));
        }
    });
    // Only while shown; the dispatch untracked, so the figures coming back do not start it all again.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        untrack(|| fetch.dispatch(()));
        if let Ok(handle) = set_interval_with_handle(move || drop(untrack(|| fetch.dispatch(()))), EVERY) {
            on_cleanup(move || handle.clear());
        }
    });
    let problem = move || match fetch.value().get() {
        Some(Ok(Err(failure)) | Err(failure)) => {
            Some(view! { <p class="error" role="alert">{failure.to_string()}</p> })
        }
        _ => None,
    };
    let figure = move |read: fn(&LiveSales) -> String| move || live.read().as_ref().map(read).unwrap_or_default();
    let sold = Signal::derive(move || {
        let minutes = live.read().as_ref().map(|l| l.minutes.clone()).unwrap_or_default();
        vec![Series { name: "tickets sold", class: "sold", values: minutes.iter().map(|m| m.tickets_sold).collect() }]
    });
    let sold_summary = Signal::derive(move || {
        live.read().as_ref().map_or(String::new(), |l| {
            let last = l.minutes.last().map_or(0, |m| m.tickets_sold);
            let peak = l.minutes.iter().map(|m| m.tickets_sold).max().unwrap_or(0);
            format!("{last} this minute, at most {peak} a minute in the last 30 minutes")
        })
    });
    let queue = Signal::derive(move || {
        let minutes = live.read().as_ref().map(|l| l.minutes.clone()).unwrap_or_default();
        vec![
            Series { name: "joined", class: "joined", values: minutes.iter().map(|m| m.joined).collect() },
            Series { name: "admitted", class: "admitted", values: minutes.iter().map(|m| m.admitted).collect() },
        ]
    });
    let queue_summary = Signal::derive(move || {
        live.read().as_ref().map_or(String::new(), |l| {
            let (joined, admitted) = l.minutes.last().map_or((0, 0), |m| (m.joined, m.admitted));
            format!("{joined} joined and {admitted} admitted this minute")
        })
    });
    let has_room = move || live.read().as_ref().is_some_and(|l| l.queue.is_some());
    let room = Memo::new(move |_| live.read().as_ref().and_then(|l| l.queue.map(|q| q.room)));

    view! {
        <button
            type="button"
            class="secondary"
            aria-expanded=move || open.get().to_string()
            aria-controls=format!("on-sale-live-{concert}")
            on:click=move |_| open.update(|open| *open = !*open)
        >
            {move || if open.get() { "Hide the live view" } else { "Show the live view" }}
        </button>
        <section
            class="on-sale-live"
            id=format!("on-sale-live-{concert}")
            aria-label=format!("On-sale, live: concert {concert}")
            hidden=move || !open.get()
        >
            <dl class="live-figures" data-live-concert=concert>
                <Show when=has_room>
                    <div><dt>"Waiting"</dt><dd data-figure="waiting">{figure(|l| l.queue.map_or(0, |q| q.waiting).to_string())}</dd></div>
                    <div><dt>"Admitted so far"</dt><dd data-figure="admitted">{figure(|l| l.queue.map_or(0, |q| q.admitted_through).to_string())}</dd></div>
                    <div><dt>"Buying now"</dt><dd data-figure="buying">{figure(|l| l.queue.map_or(0, |q| q.buying).to_string())}</dd></div>
                </Show>
                <div><dt>"Sold, last 5 min"</dt><dd data-figure="sold-recently">{figure(|l| l.sold_in_last(5).to_string())}</dd></div>
                <div><dt>"Tickets left"</dt><dd data-figure="left">{figure(|l| l.tiers.iter().map(|t| t.available).sum::<u32>().to_string())}</dd></div>
                <div><dt>"Held, expiring in 2 min"</dt><dd data-figure="expiring">{figure(|l| l.expiring_soon.to_string())}</dd></div>
            </dl>
            <BarChart title="Tickets sold per minute" summary=sold_summary series=sold />
            <Show when=has_room>
                <BarChart title="Waiting room per minute" summary=queue_summary series=queue />
            </Show>
            {problem}
            // Drawn once the room is known, not at every refresh: what the operator is typing stays.
            <Show when=move || room.read().is_some()>
                <RoomControls concert token room />
            </Show>
        </section>
    }
    .into_any()
}

/// The running room's rate and cap.
#[component]
fn RoomControls(concert: i64, token: RwSignal<String>, room: Memo<Option<WaitingRoom>>) -> AnyView {
    let now = room.get_untracked().unwrap_or_default();
    let rate = RwSignal::new(now.rate_per_minute.to_string());
    let cap = RwSignal::new(now.max_buying.map(|m| m.to_string()).unwrap_or_default());
    let change = Action::new(move |(rate, cap): &(String, String)| {
        let room = room.get_untracked().unwrap_or_default();
        admin_set_waiting_room(token.get_untracked(), concert, room, rate.clone(), cap.clone())
    });
    let said = move || {
        change.value().get().map(|result| match result {
            Ok(Ok(room)) => view! { <p class="notice" role="status">{format!("Admitting {} a minute now.", room.rate_per_minute)}</p> }.into_any(),
            Ok(Err(failure)) | Err(failure) => view! { <p class="error" role="alert">{failure.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <form class="inline room-controls" on:submit=move |event| {
            event.prevent_default();
            change.dispatch((rate.get_untracked(), cap.get_untracked()));
        }>
            <label>"Admit per minute" <input type="number" min="1" inputmode="numeric" bind:value=rate /></label>
            <label>"At most buying at once" <input type="number" min="1" inputmode="numeric" placeholder="no cap" bind:value=cap /></label>
            <button type="submit" class="secondary">"Change the waiting room"</button>
        </form>
        <div aria-live="polite">{said}</div>
    }
    .into_any()
}
