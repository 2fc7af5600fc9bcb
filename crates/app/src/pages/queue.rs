//! `/concerts/:id/queue`: a concert's waiting room as its visitor sees it — the pre-queue before the
//! opening, then their place, how many are ahead and the wait, live; at their turn the page fetches the
//! pass and goes on to the tickets by itself.
//!
//! The page follows one broadcast (the room's counters) and works out its own place from it
//! (`QueuePlace::seen_with`); it asks the server only when the counters bring news only the server has
//! (`QueuePlace::news_in`): its drawn place, or its turn. The visitor is a cookie, so a reload, another
//! tab or a server restart shows the same place.

use crate::{
    components::{ChooseBefore, ConcertHeader, ConcertTime, JoinQueueForm, LiveStatusLine},
    live::LiveStatus,
    server_fns::{get_concert, get_queue_place, JoinQueue},
    AppError,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::{Concert, QueueCounters, QueuePlace, QueueStatus};

super::lazy_page!(QueueRoute, QueuePage);

#[component]
fn QueuePage() -> impl IntoView {
    let hydrated = super::hydration_mark();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let room = Resource::new(id, |id| async move {
        let id = id.ok_or(AppError::NotFound)?;
        let concert = get_concert(Some(id)).await?;
        let place = match concert.waiting_room {
            Some(_) => get_queue_place(id).await?,
            None => None,
        };
        Ok::<_, AppError>((concert, place))
    });
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <Suspense fallback=|| view! { <p>"Finding your place…"</p> }>
                {move || Suspend::new(async move {
                    match room.await {
                        Ok((concert, _)) if concert.waiting_room.is_none() => {
                            let page = format!("/concerts/{}", concert.id);
                            view! {
                                <h1>{concert.name}</h1>
                                <p>"This concert's tickets are sold without a queue. " <a href=page>"Choose your tickets"</a></p>
                            }
                                .into_any()
                        }
                        Ok((concert, place)) => view! { <Queue concert place /> }.into_any(),
                        Err(error) if error.is_not_found() => view! { <super::NothingHere /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Queue(concert: Concert, place: Option<QueuePlace>) -> impl IntoView {
    let concert_id = concert.id;
    let concert_page = format!("/concerts/{concert_id}");
    let window_minutes = concert.waiting_room.map_or(0, |room| room.window_minutes);
    let place = RwSignal::new(place);
    let counters: RwSignal<Option<QueueCounters>> = RwSignal::new(None);
    let status = RwSignal::new(LiveStatus::Connecting);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::live::follow_queue(concert_id, counters, status);
    });
    let join = ServerAction::<JoinQueue>::new();
    Effect::new(move |_| {
        if let Some(Ok(Ok(joined))) = join.value().get() {
            place.set(Some(joined));
        }
    });
    ask_when_the_counters_bring_news(concert_id, concert_page.clone(), place, counters);
    let shown = move || {
        let place = place.get()?;
        Some(match counters.get() {
            Some(counters) => place.seen_with(counters),
            None => place,
        })
    };

    view! {
        <p><a href=concert_page.clone()>"← The concert"</a></p>
        <ConcertHeader eyebrow="Waiting room" concert=concert.title() />
        <LiveStatusLine status of="queue" />
        <section class="queue" aria-labelledby="queue-heading">
            {move || match shown() {
                None => view! {
                    <h2 id="queue-heading">"Join the queue"</h2>
                    <p>
                        "Everyone who joins before sales open gets a place by lot at the opening, so there is no
                        need to hurry; whoever joins later queues in the order they arrive."
                    </p>
                    <JoinQueueForm concert=concert_id action=join label="Join the queue" />
                }
                .into_any(),
                Some(place) => view! { <Standing place window_minutes concert_page=concert_page.clone() join /> }.into_any(),
            }}
        </section>
        <noscript>
            <p class="hint">"This page does not update by itself without JavaScript: reload it to see your place."</p>
        </noscript>
    }
}

/// Where the visitor stands, in words.
#[component]
fn Standing(
    place: QueuePlace,
    window_minutes: u32,
    concert_page: String,
    join: ServerAction<JoinQueue>,
) -> impl IntoView {
    let opens = place.sales_open_at;
    match (place.status, place.place) {
        (QueueStatus::Waiting, None) => view! {
            <h2 id="queue-heading">"You're in the pre-queue"</h2>
            <p role="status">
                "When sales open on "
                <ConcertTime at=opens />
                ", everyone in the pre-queue gets a place by lot. Keep this page open: it shows your place then."
            </p>
        }
        .into_any(),
        (QueueStatus::Waiting, Some(number)) => {
            let ahead = place.ahead.unwrap_or(0);
            let wait = match place.minutes_to_wait() {
                Some(0) | None => "less than a minute".to_owned(),
                Some(1) => "about a minute".to_owned(),
                Some(minutes) => format!("about {minutes} minutes"),
            };
            view! {
                <h2 id="queue-heading">"You're in the queue"</h2>
                <div role="status" aria-atomic="true">
                <dl class="queue-place">
                    <dt>"Your place"</dt>
                    <dd data-place=number.to_string()>{number}</dd>
                    <dt>"Ahead of you"</dt>
                    <dd data-ahead=ahead.to_string()>{ahead}</dd>
                    <dt>"Estimated wait"</dt>
                    <dd>{wait}</dd>
                </dl>
                </div>
                <p class="hint">
                    {format!(
                        "Keep this page open: at your turn it takes you to the tickets, and you have {window_minutes} minutes to choose them."
                    )}
                </p>
            }
            .into_any()
        }
        (QueueStatus::Admitted, _) => {
            let ends = place.window_ends_at;
            view! {
                <h2 id="queue-heading">"It's your turn"</h2>
                <ChooseBefore lead="Choose your tickets" ends />
                <p><a class="button" href=concert_page>"Choose your tickets"</a></p>
            }
            .into_any()
        }
        (QueueStatus::Expired, _) => view! {
            <h2 id="queue-heading">"Your turn has ended"</h2>
            <p>"Your time to choose tickets is over. You can join the queue again, at the back."</p>
            <JoinQueueForm concert=place.concert_id action=join label="Join the queue again" />
        }
        .into_any(),
    }
}

/// Fetches the visitor's place again when the counters say the server has news for them; at their turn
/// (the answer carries the pass) goes on to the concert's form.
fn ask_when_the_counters_bring_news(
    concert: i64,
    concert_page: String,
    place: RwSignal<Option<QueuePlace>>,
    counters: RwSignal<Option<QueueCounters>>,
) {
    let asking = StoredValue::new(false);
    // The counter this page heard before the latest broadcast: how many the same broadcast admitted
    // before it, which paces its call.
    let heard_through = StoredValue::new(0u64);
    // Bumped after a failed call, so the page asks again without waiting for the next broadcast.
    let retry = RwSignal::new(0u32);
    let navigate = use_navigate();
    Effect::new(move |_| {
        retry.track();
        let (Some(now), Some(current)) = (counters.get(), place.get_untracked()) else { return };
        let heard_before = heard_through.get_value();
        heard_through.set_value(heard_before.max(now.admitted_through));
        if asking.get_value() || !current.news_in(now) {
            return;
        }
        asking.set_value(true);
        let (navigate, concert_page) = (navigate.clone(), concert_page.clone());
        let ask = move || {
            leptos::task::spawn_local(async move {
                match get_queue_place(concert).await {
                    Ok(Some(fresh)) => {
                        let admitted = fresh.status == QueueStatus::Admitted;
                        place.set(Some(fresh));
                        asking.set_value(false);
                        if admitted {
                            navigate(&concert_page, Default::default());
                        }
                    }
                    _ => set_timeout(
                        move || {
                            asking.set_value(false);
                            retry.update(|n| *n += 1);
                        },
                        std::time::Duration::from_secs(2),
                    ),
                }
            })
        };
        // The whole pre-queue learns of the draw at the same moment: spread its calls over a few seconds;
        // a turn waits for its share of the broadcast's admissions at the rate.
        let pause = match current.place {
            None => std::time::Duration::from_millis(spread_ms(5_000)),
            Some(_) => current.turn_pacing(heard_before),
        };
        set_timeout(ask, pause);
    });
}

/// A random pause of up to `most` milliseconds.
fn spread_ms(most: u64) -> u64 {
    #[cfg(feature = "hydrate")]
    return (js_sys::Math::random() * most as f64) as u64;
    #[cfg(not(feature = "hydrate"))]
    return most / 2;
}
