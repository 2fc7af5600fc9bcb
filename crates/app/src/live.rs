//! Follows `/api/events` in the browser and feeds each availability snapshot, or a waiting room's
//! counters, into the page's signals.
//!
//! The browser's EventSource reconnects by itself after a dropped connection; if it gives up (state
//! `Closed`, e.g. the server answered with an error while restarting) we open a new one after a pause.

/// What the page tells the buyer about its live updates.
/// The server renders every page as `Connecting`; only the browser moves on from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum LiveStatus {
    Connecting,
    Live,
    Reconnecting,
}

impl LiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "Connecting…",
            LiveStatus::Live => "Live",
            LiveStatus::Reconnecting => "Reconnecting…",
        }
    }
}

/// The seats of a seated concert as the live feed last gave them: a letter each, in plan order.
pub type SeatLetters = leptos::prelude::RwSignal<Option<Vec<char>>>;

/// A `seats` event: all the states, or the ones that changed.
#[derive(serde::Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct SeatsEvent {
    states: Option<String>,
    changed: Option<Vec<(usize, char)>>,
}

/// Starts following the availability of `concert` (`None`: the default one), and its seats' states if it
/// is seated (on the same stream); stops when the component that started it is cleaned up (the buyer
/// went to another page).
#[cfg(feature = "hydrate")]
pub fn follow_availability(
    concert: Option<i64>,
    latest: leptos::prelude::RwSignal<Option<Vec<model::TierAvailability>>>,
    seats: SeatLetters,
    status: leptos::prelude::RwSignal<LiveStatus>,
) {
    use leptos::prelude::{Set, Update};
    let on_tiers = move |text: &str| match serde_json::from_str(text) {
        Ok(tiers) => {
            latest.set(Some(tiers));
            true
        }
        Err(_) => false,
    };
    let on_seats = move |text: &str| match serde_json::from_str::<SeatsEvent>(text) {
        Ok(SeatsEvent { states: Some(states), .. }) => {
            seats.set(Some(states.chars().collect()));
            true
        }
        Ok(SeatsEvent { changed: Some(changed), .. }) => {
            seats.update(|known| {
                if let Some(known) = known {
                    for (index, letter) in changed {
                        if let Some(slot) = known.get_mut(index) {
                            *slot = letter;
                        }
                    }
                }
            });
            true
        }
        _ => false,
    };
    follow_events(feed_of(concert), status, vec![("availability", Box::new(on_tiers)), ("seats", Box::new(on_seats))]);
}

/// Starts following the counters of `concert`'s waiting room: one broadcast for every waiting page,
/// each working out its own place from it.
#[cfg(feature = "hydrate")]
pub fn follow_queue(
    concert: i64,
    counters: leptos::prelude::RwSignal<Option<model::QueueCounters>>,
    status: leptos::prelude::RwSignal<LiveStatus>,
) {
    use leptos::prelude::Set;
    let on_counters = move |text: &str| match serde_json::from_str(text) {
        Ok(latest) => {
            counters.set(Some(latest));
            true
        }
        Err(_) => false,
    };
    follow_events(feed_of(Some(concert)), status, vec![("queue", Box::new(on_counters))]);
}

/// Starts following which concerts' availability changes (every concert, on one connection): `changed`
/// gets their ids, all of them on connect.
#[cfg(feature = "hydrate")]
pub fn follow_catalog(status: leptos::prelude::RwSignal<LiveStatus>, changed: impl Fn(Vec<i64>) + 'static) {
    let on_changed = move |text: &str| match serde_json::from_str::<Vec<i64>>(text) {
        Ok(ids) => {
            changed(ids);
            true
        }
        Err(_) => false,
    };
    follow_events("/api/events/catalog".to_owned(), status, vec![("changed", Box::new(on_changed))]);
}

/// The live feed of `concert` (`None`: the default one).
#[cfg(feature = "hydrate")]
fn feed_of(concert: Option<i64>) -> String {
    match concert {
        Some(id) => format!("/api/events?concert={id}"),
        None => "/api/events".to_owned(),
    }
}

/// What to do with one kind of event's data; `false` when it did not read.
#[cfg(feature = "hydrate")]
type OnEvent = Box<dyn Fn(&str) -> bool>;

/// Feeds each of the `events` of the live feed at `address`, on one connection, to its handler until the
/// page is left.
#[cfg(feature = "hydrate")]
fn follow_events(address: String, status: leptos::prelude::RwSignal<LiveStatus>, events: Vec<(&'static str, OnEvent)>) {
    use futures::{
        future::{select, Either},
        StreamExt,
    };
    use gloo_net::eventsource::{futures::EventSource, State};
    use leptos::prelude::{on_cleanup, Set};
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };

    let left = Arc::new(AtomicBool::new(false));
    on_cleanup({
        let left = left.clone();
        move || left.store(true, Ordering::Relaxed)
    });
    leptos::task::spawn_local(async move {
        while !left.load(Ordering::Relaxed) {
            if let Ok(mut source) = EventSource::new(&address) {
                let streams: Vec<_> = events.iter().filter_map(|(name, _)| source.subscribe(*name).ok()).collect();
                if streams.len() == events.len() {
                    let mut merged = futures::stream::select_all(streams);
                    // gloo reports no error while the browser is reconnecting by itself, so the connection's
                    // state is also checked every second to show "Reconnecting…" while it is down.
                    while !left.load(Ordering::Relaxed) {
                        let tick = gloo_timers::future::TimeoutFuture::new(1_000);
                        match select(merged.next(), tick).await {
                            Either::Left((Some(Ok((name, message))), _)) => {
                                let text = message.data().as_string().unwrap_or_default();
                                let handled =
                                    events.iter().find(|(event, _)| *event == name).is_some_and(|(_, on)| on(&text));
                                if handled {
                                    status.set(LiveStatus::Live);
                                }
                            }
                            Either::Left((None, _)) => break,
                            Either::Left((Some(Err(_)), _)) | Either::Right(_) => match source.state() {
                                State::Open => {}
                                State::Connecting => status.set(LiveStatus::Reconnecting),
                                State::Closed => break,
                            },
                        }
                    }
                }
                source.close();
            }
            status.set(LiveStatus::Reconnecting);
            gloo_timers::future::TimeoutFuture::new(2_000).await;
        }
    });
}
