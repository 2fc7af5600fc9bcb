//! What the admin page's live panels share: a chooser of the concert they show (the first one chosen at
//! the start), and reading their figures again whenever the choice changes and every few seconds while
//! the page is open.

use leptos::prelude::*;

/// The concerts to choose from: id and the line that names it.
pub(super) type Concerts = RwSignal<Vec<(i64, String)>>;

/// The chosen concert and the concerts to choose from, read once.
pub(super) fn chosen_concert() -> (RwSignal<Option<i64>>, Concerts) {
    let concerts = RwSignal::new(Vec::<(i64, String)>::new());
    let concert = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let list = crate::scanner::concerts().await;
            if concert.get_untracked().is_none() {
                concert.set(list.first().map(|(id, _)| *id));
            }
            concerts.set(list);
        });
    });
    (concert, concerts)
}

/// Calls `load` when `concert` changes and every `every_ms` until the page is gone.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub(super) fn reload_every(concert: RwSignal<Option<i64>>, every_ms: u32, load: impl Fn() + Copy + 'static) {
    Effect::new(move |_| {
        concert.track();
        load();
    });
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            // Ends with the page: its signals are gone then.
            while concert.try_get_untracked().is_some() {
                gloo_timers::future::TimeoutFuture::new(every_ms).await;
                load();
            }
        });
    });
}

/// The `<select>` of the concert a panel shows.
#[component]
pub(super) fn ConcertChoice(label: &'static str, concert: RwSignal<Option<i64>>, concerts: Concerts) -> impl IntoView {
    view! {
        <label class="concert-choice">
            {label}
            <select on:change=move |event| concert.set(event_target_value(&event).parse().ok())>
                {move || concerts.get().into_iter().map(|(id, line)| view! {
                    <option value=id.to_string() selected=move || concert.get() == Some(id)>{line}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
