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

/// Starts following the availability of `concert` (`None`: the default one); stops when the component
/// that started it is cleaned up (the buyer went to another page).
#[cfg(feature = "hydrate")]
pub fn follow_availability(
    concert: Option<i64>,
    latest: leptos::prelude::RwSignal<Option<Vec<model::TierAvailability>>>,
    status: leptos::prelude::RwSignal<LiveStatus>,
) {
    use leptos::prelude::Set;
    follow(concert, "availability", status, move |tiers| latest.set(Some(tiers)));
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
    follow(Some(concert), "queue", status, move |latest| counters.set(Some(latest)));
}

/// Feeds each `event` of the concert's live feed, read as `T`, to `on_data` until the page is left.
#[cfg(feature = "hydrate")]
fn follow<T: serde::de::DeserializeOwned + 'static>(
    concert: Option<i64>,
    event: &'static str,
    status: leptos::prelude::RwSignal<LiveStatus>,
    on_data: impl Fn(T) + 'static,
) {
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
    let address = match concert {
        Some(id) => format!("/api/events?concert={id}"),
        None => "/api/events".to_owned(),
    };
    leptos::task::spawn_local(async move {
        while !left.load(Ordering::Relaxed) {
            if let Ok(mut source) = EventSource::new(&address) {
                if let Ok(mut events) = source.subscribe(event) {
                    // gloo reports no error while the browser is reconnecting by itself, so the connection's
                    // state is also checked every second to show "Reconnecting…" while it is down.
                    while !left.load(Ordering::Relaxed) {
                        let tick = gloo_timers::future::TimeoutFuture::new(1_000);
                        match select(events.next(), tick).await {
                            Either::Left((Some(Ok((_, message))), _)) => {
                                let text = message.data().as_string();
                                if let Some(data) = text.and_then(|text| serde_json::from_str(&text).ok()) {
                                    on_data(data);
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
