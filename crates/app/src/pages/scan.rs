//! `/scan`: the door's scanner, in the browser (no app to install). Pair the device once with the code the
//! operator's page gave, choose the concert, then scan tickets with the camera or type a damaged ticket's
//! code. Each scan's answer fills the screen (green: let in, with tier, seat and name; red: why not, in
//! words), with a beep; the last scans and the concert's counts sit below. When the network drops, the
//! device decides from its own copy of the concert's tickets and uploads what it let in once it is back
//! (`scanner_offline.rs`). It needs JavaScript: the device's token lives in this browser's storage and
//! every call is made from the page.

use crate::{
    scanner::{self, Counts, PairedDevice, ScanFailed},
    scanner_offline::{self, Pending},
};
use leptos::prelude::*;
use model::{Direction, DoorList, ScanVerdict};

super::lazy_page!(ScanRoute, ScanPage);

/// How many past scans the page lists.
const HISTORY: usize = 8;
/// How often the page uploads waiting scans, in milliseconds; the ticket list is refreshed every
/// `REFRESH_EVERY` of these.
#[cfg(feature = "hydrate")]
const TICK_MS: u32 = 3_000;
#[cfg(feature = "hydrate")]
const REFRESH_EVERY: u32 = 5;

/// A scan's answer as the page shows it: from the server, or decided on this device while offline.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    verdict: ScanVerdict,
    offline: bool,
}

#[component]
fn ScanPage() -> impl IntoView {
    let hydrated = super::hydration_mark();
    let device = RwSignal::new(None::<PairedDevice>);
    Effect::new(move |_| device.set(scanner::stored()));
    view! {
        <main class="page scan" data-hydrated=move || hydrated.get().to_string()>
            <h1>"Door scanner"</h1>
            <noscript><p class="error">"The scanner needs JavaScript."</p></noscript>
            {move || match device.get() {
                None => view! { <PairForm device hydrated /> }.into_any(),
                Some(paired) => view! { <Scanner paired device /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn PairForm(device: RwSignal<Option<PairedDevice>>, hydrated: RwSignal<bool>) -> AnyView {
    let code = RwSignal::new(String::new());
    let pairing = Action::new_local(|code: &String| scanner::pair(code.clone()));
    Effect::new(move |_| {
        if let Some(Ok(paired)) = pairing.value().get() {
            scanner::store(&paired);
            device.set(Some(paired));
        }
    });
    // The admin page's QR code holds the pairing code behind a prefix; a ticket's QR is not one.
    let from_qr = move |text: String| {
        if let Some(read) = text.strip_prefix(model::PAIRING_QR_PREFIX) {
            if !pairing.pending().get_untracked() {
                code.set(read.to_owned());
                pairing.dispatch(read.to_owned());
            }
        }
    };
    view! {
        <form class="pair" on:submit=move |event| {
            event.prevent_default();
            pairing.dispatch(code.get_untracked());
        }>
            <p>"Pair this device once with the code from the box office's admin page."</p>
            <label>
                "Pairing code"
                <input type="text" name="pairing_code" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" bind:value=code required />
            </label>
            <button type="submit" disabled=move || !hydrated.get() || pairing.pending().get()>"Pair this device"</button>
            <p class="or">"Or read the pairing QR code on the admin page with this device's camera:"</p>
            <Camera scan=from_qr label="Scan the pairing QR code" />
            <div aria-live="polite">
                {move || match pairing.value().get() {
                    Some(Err(ScanFailed::Refused(message))) => {
                        Some(view! { <p class="error" role="alert">{message}</p> }.into_any())
                    }
                    Some(Err(failure)) => Some(view! { <p class="error" role="alert">{failure.to_string()}</p> }.into_any()),
                    _ => None,
                }}
            </div>
        </form>
    }
    .into_any()
}

/// One line of the scans so far.
#[derive(Clone, PartialEq)]
struct Past {
    when: String,
    admitted: bool,
    words: String,
}

#[component]
fn Scanner(paired: PairedDevice, device: RwSignal<Option<PairedDevice>>) -> AnyView {
    let concerts = RwSignal::new(Vec::<(i64, String)>::new());
    let concert = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let list = scanner::concerts().await;
            if concert.get_untracked().is_none() {
                concert.set(list.first().map(|(id, _)| *id));
            }
            concerts.set(list);
        });
    });
    let verdict = RwSignal::new(None::<Result<Shown, ScanFailed>>);
    let history = RwSignal::new(Vec::<Past>::new());
    let counts = RwSignal::new(None::<Counts>);
    let busy = RwSignal::new(false);
    let paired = StoredValue::new(paired);
    // The device's copy of the chosen concert's tickets, and the scans waiting to upload.
    let list = RwSignal::new(DoorList::default());
    let listed_at = RwSignal::new(None::<String>);
    let waiting = RwSignal::new(scanner_offline::queued().len());
    let refresh_counts = move || {
        if let Some(id) = concert.get_untracked() {
            leptos::task::spawn_local(async move {
                let device = paired.get_value();
                counts.set(scanner::counts(&device, id).await);
            });
        }
    };
    // Uploads what waits, then (when `refresh`) brings the ticket list up to date; quiet when offline.
    let sync = move |refresh: bool| {
        leptos::task::spawn_local(async move {
            let me = paired.get_value();
            if !scanner_offline::online() {
                return;
            }
            // A revoked device hears it at its next scan, in words; the background stays quiet.
            let left = scanner_offline::upload(&me).await.unwrap_or_else(|_| scanner_offline::queued().len());
            let uploaded = waiting.try_get_untracked().is_some_and(|before| before > left);
            waiting.try_set(left);
            if uploaded {
                refresh_counts();
            }
            // What to ask for, without copying the list (it may hold a stadium's tickets).
            let ask = list.try_with_untracked(|copy| {
                (refresh || !copy.synced).then_some((copy.concert_id, copy.synced.then_some(copy.cursor)))
            });
            let Some(Some((concert_id, since))) = ask else { return };
            if let Ok(page) = scanner_offline::refresh(&me, concert_id, since).await {
                // Written to storage only when something changed: a stadium's list is megabytes.
                let changed = !page.tickets.is_empty() || since.is_none();
                list.try_update(|copy| {
                    scanner_offline::merge(copy, page);
                    if changed {
                        scanner_offline::keep_list(copy);
                    }
                });
                listed_at.try_set(Some(scanner::time_of_day_now()));
            }
        });
    };
    Effect::new(move |_| {
        if let Some(id) = concert.get() {
            list.set(scanner_offline::restore(id));
            listed_at.set(None);
            sync(true);
        }
        refresh_counts();
    });
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let mut tick = 0u32;
            // Ends with the page: its signals are gone then.
            while list.try_get_untracked().is_some() {
                gloo_timers::future::TimeoutFuture::new(TICK_MS).await;
                tick += 1;
                sync(tick.is_multiple_of(REFRESH_EVERY));
            }
        });
    });
    // Decides a scan from the device's copy: the network is down (or the answer never came).
    let decide_offline = move |id: i64, code: &str, nonce: String| -> Result<Shown, ScanFailed> {
        let mut answer = None;
        list.update(|copy| {
            if copy.synced && copy.concert_id == id {
                answer = Some(copy.decide(code, Direction::Entry));
            }
        });
        let verdict = ScanVerdict::from(answer.ok_or(ScanFailed::Offline)?);
        if verdict.admitted() {
            let scanned_at = scanner_offline::now_rfc3339();
            let scan =
                Pending { ticket: code.to_owned(), concert_id: id, nonce, scanned_at, direction: Direction::Entry };
            scanner_offline::enqueue(scan);
            waiting.update(|n| *n += 1);
        }
        Ok(Shown { verdict, offline: true })
    };
    // One scan at a time: a code read while the last is answered is read again on the next frame.
    let scan = move |code: String| {
        let (Some(id), false) = (concert.get_untracked(), busy.get_untracked()) else { return };
        let code = code.trim().to_owned();
        // The admin page's pairing QR in front of the camera is no ticket: not a scan to log.
        if code.is_empty() || code.starts_with(model::PAIRING_QR_PREFIX) {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let nonce = scanner::nonce();
            let online = if scanner_offline::online() {
                Some(scanner::redeem(&paired.get_value(), id, &code, &nonce).await)
            } else {
                None
            };
            let result = match online {
                None | Some(Err(ScanFailed::Offline)) => decide_offline(id, &code, nonce),
                Some(Ok(verdict)) => {
                    if verdict.admitted() {
                        let direction = verdict.direction.unwrap_or_default();
                        list.update(|copy| copy.replay(&code, direction));
                    }
                    Ok(Shown { verdict, offline: false })
                }
                Some(Err(failure)) => Err(failure),
            };
            if let Err(ScanFailed::NotPaired) = &result {
                scanner::forget();
            }
            let (admitted, words) = match &result {
                Ok(Shown { verdict, offline: true }) => {
                    (verdict.admitted(), format!("{} (offline)", headline(verdict)))
                }
                Ok(shown) => (shown.verdict.admitted(), headline(&shown.verdict)),
                Err(failure) => (false, failure.to_string()),
            };
            scanner::beep(admitted);
            let when = scanner::time_of_day_now();
            history.update(|past| {
                past.insert(0, Past { when, admitted, words });
                past.truncate(HISTORY);
            });
            let online = matches!(&result, Ok(Shown { offline: false, .. }));
            verdict.set(Some(result));
            busy.set(false);
            if online {
                refresh_counts();
            }
        });
    };
    let manual = RwSignal::new(String::new());
    let name = paired.with_value(|p| p.name.clone());

    view! {
        <p class="device">
            {format!("This device: {name}. ")}
            <button type="button" class="link" on:click=move |_| {
                scanner::forget();
                device.set(None);
            }>"Unpair"</button>
        </p>
        <label class="concert-choice">
            "Concert"
            <select on:change=move |event| concert.set(event_target_value(&event).parse().ok())>
                {move || {
                    concerts
                        .get()
                        .into_iter()
                        .map(|(id, line)| {
                            view! { <option value=id.to_string() selected=move || concert.get() == Some(id)>{line}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
        <VerdictPanel verdict />
        <p class="door-sync" aria-live="polite">
            {move || {
                let copy = list.with(|copy| copy.synced.then_some((copy.whole, copy.tickets.len())));
                let updated = listed_at.get().map(|at| format!(", updated {at}")).unwrap_or_default();
                match copy {
                    Some((true, n)) => format!("Ticket list on this device: {n} tickets{updated}."),
                    Some((false, _)) => format!(
                        "Too many tickets to keep on this device: offline, tickets are checked by their signed \
                         QR codes and the list of cancelled ones{updated}."
                    ),
                    None => "No ticket list on this device yet: scans need the network.".to_owned(),
                }
            }}
            {move || {
                let words = match waiting.get() {
                    0 => return None,
                    1 => " 1 scan made offline is waiting to upload.".to_owned(),
                    n => format!(" {n} scans made offline are waiting to upload."),
                };
                Some(view! { <strong class="waiting">{words}</strong> })
            }}
        </p>
        <Camera scan label="Start the camera" />
        <form class="manual" on:submit=move |event| {
            event.prevent_default();
            scan(manual.get_untracked());
            manual.set(String::new());
        }>
            <label>
                "Ticket code"
                <input type="text" name="ticket" autocomplete="off" spellcheck="false" bind:value=manual />
            </label>
            <button type="submit" disabled=move || busy.get()>"Check in"</button>
        </form>
        <section class="door-counts" aria-labelledby="door-counts-heading">
            <h2 id="door-counts-heading">"At the door"</h2>
            {move || counts.get().map(|c| view! {
                <p><strong class="checked-in">{c.checked_in}</strong>" checked in of "{c.sold}" sold · "
                   <span class="inside">{c.inside}</span>" inside"</p>
            })}
        </section>
        <section class="last-scans" aria-labelledby="last-scans-heading">
            <h2 id="last-scans-heading">"Last scans"</h2>
            <ol>
                {move || history.get().into_iter().map(|past| view! {
                    <li class=if past.admitted { "ok" } else { "refused" }>
                        <time>{past.when}</time>" "{past.words}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// The verdict's big words.
fn headline(verdict: &ScanVerdict) -> String {
    match (verdict.admitted(), verdict.conflict.is_some()) {
        (true, true) => "Let in (it was in already: recorded as a conflict)".into(),
        (true, false) => verdict.message.clone(),
        (false, _) => verdict.message.clone(),
    }
}

#[component]
fn VerdictPanel(verdict: RwSignal<Option<Result<Shown, ScanFailed>>>) -> AnyView {
    view! {
        <div class="verdict-area" role="status" aria-live="assertive" aria-atomic="true">
            {move || verdict.get().map(|result| match result {
                Ok(Shown { verdict, offline }) => {
                    let class = if verdict.admitted() { "verdict ok" } else { "verdict refused" };
                    let ticket = verdict.ticket.clone().map(|t| {
                        let seat = t.seat.map(|s| format!(", row {} seat {}", s.row, s.number)).unwrap_or_default();
                        let who = t.buyer_name.map(|n| format!(" · {n}")).unwrap_or_default();
                        format!("{}{seat}{who}", t.tier.display_name())
                    });
                    let first = verdict.redeemed.clone().map(|r| {
                        format!("In since {} through {}", scanner::time_of_day(r.at), r.device.name)
                    });
                    view! {
                        <div class=class>
                            <p class="verdict-words">{headline(&verdict)}</p>
                            {ticket.map(|t| view! { <p class="verdict-ticket">{t}</p> })}
                            {first.map(|f| view! { <p class="verdict-first">{f}</p> })}
                            {offline.then(|| view! {
                                <p class="verdict-offline">"Decided offline, from this device's ticket list"</p>
                            })}
                        </div>
                    }
                    .into_any()
                }
                Err(failure) => view! {
                    <div class="verdict refused"><p class="verdict-words">{failure.to_string()}</p></div>
                }
                .into_any(),
            })}
        </div>
    }
    .into_any()
}

/// The camera: started on request (a browser asks for permission), read a few times a second.
#[component]
fn Camera(scan: impl Fn(String) + Copy + Send + Sync + 'static, #[prop(into)] label: String) -> AnyView {
    let video = NodeRef::<leptos::html::Video>::new();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let running = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let (Some(video), Some(canvas)) = (video.get_untracked(), canvas.get_untracked()) else { return };
            leptos::task::spawn_local(async move {
                match scanner::camera::start(&video).await {
                    Err(message) => {
                        problem.try_set(Some(message));
                    }
                    Ok(()) => {
                        problem.try_set(None);
                        running.try_set(true);
                        // The same ticket held up stays in view for many frames: read once until it leaves.
                        let mut last: Option<(String, f64)> = None;
                        // Ends when stopped, or with the component (its signals are gone then).
                        while running.try_get_untracked().unwrap_or(false) {
                            gloo_timers::future::TimeoutFuture::new(200).await;
                            let Some(code) = scanner::camera::read(&video, &canvas) else { continue };
                            let now = js_sys::Date::now();
                            if last.as_ref().is_some_and(|(seen, at)| *seen == code && now - at < 3_000.0) {
                                continue;
                            }
                            last = Some((code.clone(), now));
                            scan(code);
                        }
                        scanner::camera::stop(&video);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (video, canvas, scan);
    };
    view! {
        <section class="camera" aria-label="Camera">
            <video node_ref=video class="camera-view" hidden=move || !running.get() aria-hidden="true"></video>
            <canvas node_ref=canvas hidden></canvas>
            // Drawn or not rather than `hidden`: the buttons' own display would show a hidden one.
            {move || if running.get() {
                view! {
                    <button type="button" class="secondary" on:click=move |_| running.set(false)>"Stop the camera"</button>
                }
                .into_any()
            } else {
                view! { <button type="button" on:click=start>{label.clone()}</button> }.into_any()
            }}
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </section>
    }
    .into_any()
}
