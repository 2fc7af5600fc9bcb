//! `/` (the default concert) and `/concerts/:id` (any other): the concert, its tiers with live
//! availability, the form that holds tickets (checkout follows on `/checkout/:hold`), and every concert on
//! sale.
//!
//! The catalog is rendered once (server-side, then hydrated); afterwards only the numbers change, through
//! the `latest` signal, so a buyer's half-filled form is never thrown away by an update.

use crate::field_problems::{check_before_sending, described_by, invalid, CheckedInput, FieldProblem, FieldProblems};
use crate::{
    components::{
        open_now, ChooseBefore, ConcertHeader, ConcertList, ConcertTime, ConcertsJump, JoinQueueForm, LiveStatusLine,
        SalesOpen, SeatPicker, TierOption, WaitlistForm, WaitlistTier,
    },
    live::LiveStatus,
    server_fns::{get_concert, get_queue_place, get_seat_map, Attempt, JoinQueue, PlaceHold},
    submission::submission_key,
    AppError,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_params_map};
use model::{Concert, FormField, Hold, QueuePlace, QueueStatus, Tier, TierAvailability, MAX_TICKETS_PER_ORDER};

#[component]
pub fn HomePage() -> impl IntoView {
    view! { <BookingPage concert=None /> }
}

/// `/concerts/:id`; an id that is not a number is a page not found.
#[component]
pub fn ConcertPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    move || match id() {
        Some(id) => view! { <BookingPage concert=Some(id) /> }.into_any(),
        None => view! { <super::NotFound /> }.into_any(),
    }
}

#[component]
fn BookingPage(concert: Option<i64>) -> impl IntoView {
    let id = concert;
    let book = ServerAction::<PlaceHold>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(Ok(hold))) = book.value().get() {
            crate::running_hold::remember(&hold);
            navigate(&format!("/checkout/{}", hold.id), Default::default());
        }
    });
    // With a waiting room, also where this browser's visitor stands in it (and, at their turn, the pass).
    let concert = Resource::new(
        || (),
        move |_| async move {
            let concert = get_concert(id).await?;
            let place = match concert.waiting_room {
                Some(_) => get_queue_place(concert.id).await?,
                None => None,
            };
            Ok::<_, AppError>((concert, place))
        },
    );
    // Availability newer than the server-rendered catalog; `None` until the first refresh.
    let latest: RwSignal<Option<Vec<TierAvailability>>> = RwSignal::new(None);

    let status = RwSignal::new(LiveStatus::Connecting);

    // While the live feed is down, the numbers are refreshed after every booking attempt instead. (While it
    // is up, a refresh could land after a newer live snapshot and put an older number back.)
    Effect::new(move |_| {
        if book.version().get() > 0 && status.get_untracked() != LiveStatus::Live {
            spawn_local(async move {
                if let Ok(concert) = get_concert(id).await {
                    latest.set(Some(concert.tiers));
                }
            });
        }
    });

    // Effects run only in the browser: tests wait for the mark.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <ConcertsJump />
            <Suspense fallback=|| view! { <p>"Loading the concert…"</p> }>
                {move || Suspend::new(async move {
                    match concert.await {
                        Ok((concert, place)) => view! { <ConcertView concert place id book latest status /> }.into_any(),
                        Err(error) if error.is_not_found() => view! { <super::NothingHere /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ConcertList current=id />
        </main>
    }
}

#[component]
fn ConcertView(
    concert: Concert,
    /// Where the visitor stands in the concert's waiting room, if it has one.
    place: Option<QueuePlace>,
    /// The concert as the address names it (`None`: the default concert), for its live feed.
    id: Option<i64>,
    book: ServerAction<PlaceHold>,
    latest: RwSignal<Option<Vec<TierAvailability>>>,
    status: RwSignal<LiveStatus>,
) -> impl IntoView {
    // The seats' states as the live feed last gave them, applied to the map's seats whenever either moves.
    let seat_letters: crate::live::SeatLetters = RwSignal::new(None);
    let seat_statuses: StoredValue<Vec<RwSignal<model::SeatStatus>>> = StoredValue::new(Vec::new());
    let apply_letters = move || {
        let Some(letters) = seat_letters.get() else { return };
        seat_statuses.with_value(|statuses| {
            if statuses.len() != letters.len() {
                return;
            }
            for (status, letter) in statuses.iter().zip(letters) {
                match model::SeatStatus::from_letter(letter) {
                    Some(now) if now != status.get_untracked() => status.set(now),
                    _ => {}
                }
            }
        });
    };
    Effect::new(move |_| apply_letters());
    // In the browser only, and only for a concert that exists: an unknown one opens no stream.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::live::follow_availability(id, latest, seat_letters, status);
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, latest, status, seat_letters);
    });
    let pending = book.pending();
    // Read in the browser once hydrated (the server cannot know), so both render nothing at first.
    let running = RwSignal::new(None);
    let concert_id = concert.id;
    Effect::new(move |_| running.set(crate::running_hold::recall(concert_id)));
    let opened = RwSignal::new(open_now(concert.sales_open_at));
    // A sale through a waiting room shows its form only at the visitor's turn (the server refuses the rest).
    let admitted = concert.waiting_room.is_none() || place.as_ref().is_some_and(|p| p.status == QueueStatus::Admitted);
    let room = concert
        .waiting_room
        .map(|_| view! { <WaitingRoomNotice concert=concert.id place sales_open_at=concert.sales_open_at /> });
    let key = submission_key(book.version());
    let tiers = concert.tiers.clone();
    let selected = RwSignal::new(None);
    // A seated concert's map, drawn in the browser (without JavaScript a seated tier is held best available).
    let picked: RwSignal<Vec<usize>> = RwSignal::new(Vec::new());
    let seated = concert.tiers.iter().any(|t| t.seated);
    let map: RwSignal<Option<model::SeatMap>> = RwSignal::new(None);
    Effect::new(move |_| {
        if seated {
            spawn_local(async move { map.set(get_seat_map(concert_id).await.ok().flatten()) });
        }
    });
    let picker = {
        let tiers = concert.tiers.clone();
        move || {
            map.get().map(|map| {
                let statuses: Vec<RwSignal<model::SeatStatus>> =
                    map.seats.iter().map(|s| RwSignal::new(s.state)).collect();
                seat_statuses.set_value(statuses.clone());
                // Untracked: the map is drawn once; later states reach its seats through the effect above.
                untrack(apply_letters);
                view! {
                    <SeatPicker map statuses picked selected_tier=selected tiers=tiers.clone()
                        max=MAX_TICKETS_PER_ORDER />
                }
            })
        }
    };
    let picked_ids = move || {
        map.with(|map| {
            let Some(map) = map else { return String::new() };
            picked.get().iter().filter_map(|i| map.seats.get(*i)).map(|s| s.id.as_str()).collect::<Vec<_>>().join(",")
        })
    };
    let picked_count = move || picked.with(Vec::len);
    // What the buyer will pay for the picked seats, before holding them (each seat at its tier's price).
    let prices: Vec<(Tier, model::Cents)> = concert.tiers.iter().map(|t| (t.tier, t.price_cents)).collect();
    let problems: FieldProblems = RwSignal::new(Vec::new());
    // A refusal from the server (sold out, over the limit) lands below the form: brought into view.
    Effect::new(move |_| {
        if matches!(book.value().get(), Some(Ok(Err(_)) | Err(_))) {
            crate::field_problems::reveal(".result");
        }
    });
    // The total before holding, for a tier and quantity (the seat map says its own, above).
    let quantity = RwSignal::new(1u32);
    let order_total = {
        let prices = prices.clone();
        move || {
            let tier: Tier = selected.get()?;
            let (_, price) = prices.iter().find(|(t, _)| *t == tier)?;
            let count = quantity.get();
            (1..=MAX_TICKETS_PER_ORDER)
                .contains(&count)
                .then(|| format!("{count} × {} = {}", tier.display_name(), model::Cents(price.0 * i64::from(count))))
        }
    };
    let picked_summary = move || {
        map.with(|map| {
            let Some(map) = map else { return String::new() };
            let seats: Vec<&model::MapSeat> = picked.get().iter().filter_map(|i| map.seats.get(*i)).collect();
            let total = seats
                .iter()
                .filter_map(|seat| prices.iter().find(|(tier, _)| *tier == seat.tier).map(|(_, price)| price.0))
                .sum::<i64>();
            let named: Vec<String> =
                seats.iter().map(|s| format!("{} row {} seat {}", s.tier.display_name(), s.row, s.number)).collect();
            let count = seats.len();
            format!(
                "{count} seat{} chosen: {}. Total {}",
                if count == 1 { "" } else { "s" },
                named.join(", "),
                model::Cents(total)
            )
        })
    };
    let title = concert.title();
    // The tiers a waiting list can take buyers for: sold by quantity, sold out while on sale.
    let waitlist_tiers: Vec<WaitlistTier> = concert
        .tiers
        .iter()
        .filter(|t| !t.seated)
        .map(|t| {
            let (code, initial) = (t.tier, (t.available, t.on_sale, t.waiting));
            let now = move || latest_tier(&latest.read(), code);
            let sold_out =
                Signal::derive(move || now().map_or(initial.0 == 0 && initial.1, |t| t.available == 0 && t.on_sale));
            let waiting = Signal::derive(move || now().map_or(initial.2, |t| t.waiting));
            WaitlistTier { tier: code, name: t.name.clone(), sold_out, waiting }
        })
        .collect();
    let options = concert
        .tiers
        .into_iter()
        .map(|tier| {
            let (initial, initially_on_sale, initial_capacity) = (tier.available, tier.on_sale, tier.capacity);
            let code = tier.tier;
            let now = move || latest_tier(&latest.read(), code);
            let available = Signal::derive(move || now().map_or(initial, |t| t.available));
            let on_sale = Signal::derive(move || now().map_or(initially_on_sale, |t| t.on_sale));
            // The operator may change a tier's capacity during the sale.
            let capacity = Signal::derive(move || now().map_or(initial_capacity, |t| t.capacity));
            let initial_waiting = tier.waiting;
            let waiting = Signal::derive(move || now().map_or(initial_waiting, |t| t.waiting));
            view! { <TierOption tier available on_sale capacity waiting selected /> }
        })
        .collect_view();
    let all_sold_out = move || {
        tiers.iter().all(|t| {
            let now = available_now(&latest.read(), t.tier).unwrap_or((t.available, t.on_sale));
            now.0 == 0 || !now.1
        })
    };

    view! {
        <ConcertHeader eyebrow="Live in concert" concert=title />
        <LiveStatusLine status of="availability" />
        {move || {
            running
                .get()
                .map(|hold: crate::running_hold::RunningHold| {
                    view! {
                        <aside class="running-hold notice" role="status">
                            {format!("You have {} held for you. ", hold.tickets)}
                            <a href=format!("/checkout/{}", hold.id)>"Resume checkout"</a>
                        </aside>
                    }
                })
        }}
        {room}
        {concert.sales_open_at.map(|at| view! { <SalesOpen at opened /> })}
        <div class="sale-form" hidden=move || !opened.get() || !admitted>
        <ActionForm action=book>
            <input type="hidden" name="submission" prop:value=key />
            <input type="hidden" name="concert" value=concert.id.to_string() />
            <fieldset class="tiers" aria-describedby=described_by(problems, FormField::Tier)>
                <legend>"Choose your tickets"</legend>
                <FieldProblem problems field=FormField::Tier />
                {options}
            </fieldset>
            {picker}
            <input type="hidden" name="seats" prop:value=picked_ids />
            <p class="chosen-seats" aria-live="polite" hidden=move || picked_count() == 0>
                {picked_summary}
            </p>
            <div class="fields">
                <div class="field" hidden={move || picked_count() > 0}>
                <label>
                    "Quantity"
                    <input
                        type="number"
                        name="quantity"
                        aria-invalid=invalid(problems, FormField::Quantity)
                        aria-describedby=described_by(problems, FormField::Quantity)
                        min="1"
                        max=MAX_TICKETS_PER_ORDER.to_string()
                        value="1"
                        inputmode="numeric"
                        required
                        on:input=move |event| quantity.set(event_target_value(&event).trim().parse().unwrap_or(0))
                    />
                </label>
                <FieldProblem problems field=FormField::Quantity />
                </div>
                <CheckedInput label="Your name" field=FormField::Name problems autocomplete="name" />
                <CheckedInput label="Email" field=FormField::Email problems kind="email" autocomplete="email" />
            </div>
            <p class="purchase-total" aria-live="polite" hidden={move || picked_count() > 0 || order_total().is_none()}>
                "Total: " {order_total.clone()}
            </p>
            // `formnovalidate`: the server's rules answer in words, the same with JavaScript on or off.
            <button
                type="submit"
                formnovalidate
                disabled=move || pending.get() || all_sold_out() || !opened.get() || !admitted
                on:click=move |click| {
                    check_before_sending(&click, problems, |value| {
                        let quantity = (picked_count() == 0).then(|| value(FormField::Quantity));
                        model::hold_form_problems(
                            &value(FormField::Tier),
                            quantity.as_deref(),
                            &value(FormField::Name),
                            &value(FormField::Email),
                        )
                    })
                }
            >
                {move || if pending.get() { "Holding…" } else { "Hold tickets" }}
            </button>
        </ActionForm>
        </div>
        <p class="hint">
            "Tickets are held for you while you pay. Already booked? "
            <a href="/orders">"Find my order"</a>
        </p>
        <div class="result" aria-live="polite">
            {move || book.value().get().is_none().then(crate::query_error::refusal_from_address)}
            {move || book.value().get().map(result_view)}
        </div>
        <div hidden=move || !opened.get() || !admitted>
            <WaitlistForm concert=concert_id tiers=waitlist_tiers />
        </div>
    }
}

/// The concert's waiting room as it concerns this visitor: how to join, where they stand, or their turn.
#[component]
fn WaitingRoomNotice(
    concert: i64,
    place: Option<QueuePlace>,
    sales_open_at: Option<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let join = ServerAction::<JoinQueue>::new();
    let queue_page = format!("/concerts/{concert}/queue");
    let navigate = use_navigate();
    Effect::new({
        let queue_page = queue_page.clone();
        move |_| {
            if let Some(Ok(Ok(_))) = join.value().get() {
                navigate(&queue_page, Default::default());
            }
        }
    });
    let body = match place.as_ref().map(|p| (p.status, p.window_ends_at)) {
        Some((QueueStatus::Admitted, ends)) => {
            view! { <ChooseBefore lead="It's your turn: choose your tickets" ends /> }.into_any()
        }
        Some((QueueStatus::Waiting, _)) => view! {
            <p>"You're in the queue. " <a href=queue_page>"See your place"</a></p>
        }
        .into_any(),
        Some((QueueStatus::Expired, _)) => view! {
            <p>"Your turn to choose tickets has ended. You can join the queue again, at the back."</p>
            <JoinQueueForm concert action=join label="Join the queue again" />
        }
        .into_any(),
        None => view! {
            <p>
                "Tickets for this concert are sold through a waiting room"
                {sales_open_at.map(|at| view! {
                    ", opening on "
                    <ConcertTime at />
                })}
                ". Everyone who joins before then gets a place by lot at the opening; whoever joins later queues in
                the order they arrive."
            </p>
            <JoinQueueForm concert action=join label="Join the queue" />
        }
        .into_any(),
    };
    view! {
        <section class="waiting-room sales-open" aria-labelledby="waiting-room-heading">
            <h2 id="waiting-room-heading">"Waiting room"</h2>
            {body}
        </section>
    }
}

fn result_view(result: Result<Attempt<Hold>, AppError>) -> AnyView {
    let message = match result {
        Ok(Ok(_)) => return view! { <p class="notice">"Tickets held: on to checkout…"</p> }.into_any(),
        Ok(Err(refusal)) => refusal.to_string(),
        Err(failure) => failure.to_string(),
    };
    view! { <p class="error" role="alert">{message}</p> }.into_any()
}

/// A tier as the live feed last said.
fn latest_tier(latest: &Option<Vec<TierAvailability>>, tier: Tier) -> Option<TierAvailability> {
    latest.as_ref()?.iter().find(|t| t.tier == tier).cloned()
}

/// A tier's availability and whether it is on sale, as the live feed last said.
fn available_now(latest: &Option<Vec<TierAvailability>>, tier: Tier) -> Option<(u32, bool)> {
    latest_tier(latest, tier).map(|t| (t.available, t.on_sale))
}
