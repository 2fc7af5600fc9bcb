//! The seat map: the plan drawn as SVG, each seat a control the buyer picks (click, tap, or the keyboard:
//! arrow keys move between seats, Space or Enter picks), coloured by tier and state, with the stage and a
//! legend. Picked seats go to the hold form as one field; the states follow the live feed.
//!
//! One seat is in the tab order at a time (a roving tabindex), so a 2,000-seat hall is one Tab stop.

use leptos::{ev, prelude::*};
use model::{Cents, SeatMap, SeatStatus, Tier, TierAvailability};

/// The buyer's picks, by index into the map's seats; at most `max` of one tier.
#[component]
pub fn SeatPicker(
    map: SeatMap,
    /// Each seat's state, live (index-aligned with `map.seats`).
    statuses: Vec<RwSignal<SeatStatus>>,
    picked: RwSignal<Vec<usize>>,
    /// The form's tier: picking a seat of another tier starts a new choice in that tier.
    selected_tier: RwSignal<Option<Tier>>,
    tiers: Vec<TierAvailability>,
    max: u32,
) -> impl IntoView {
    let seats = StoredValue::new(map.seats.clone());
    let statuses = StoredValue::new(statuses);
    let focused = RwSignal::new(0usize);
    // A zoom step (0–3) as a class: the page's content security policy allows no inline styles.
    let zoom = RwSignal::new(0u8);
    let price_of = {
        let tiers = tiers.clone();
        move |tier: Tier| tiers.iter().find(|t| t.tier == tier).map(|t| t.price_cents).unwrap_or(Cents(0))
    };
    let toggle = move |index: usize| {
        let seat_tier = seats.with_value(|s| s[index].tier);
        let free = statuses.with_value(|s| s[index].get_untracked()) == SeatStatus::Free;
        picked.update(|picked| {
            if let Some(at) = picked.iter().position(|i| *i == index) {
                picked.remove(at);
                return;
            }
            if !free {
                return;
            }
            if selected_tier.get_untracked() != Some(seat_tier) {
                picked.clear();
            }
            if picked.len() < max as usize {
                picked.push(index);
            }
        });
        selected_tier.set(Some(seat_tier));
    };
    // A seat whose state changed under a pick (someone else held it) is no longer picked.
    Effect::new(move |_| {
        let taken: Vec<usize> =
            picked.get().into_iter().filter(|i| statuses.with_value(|s| s[*i].get()) != SeatStatus::Free).collect();
        if !taken.is_empty() {
            picked.update(|p| p.retain(|i| !taken.contains(i)));
        }
    });
    let move_focus = move |event: ev::KeyboardEvent, index: usize| {
        let next = seats.with_value(|s| match event.key().as_str() {
            "ArrowRight" => Some((index + 1).min(s.len() - 1)),
            "ArrowLeft" => Some(index.saturating_sub(1)),
            "ArrowDown" => nearest_in_row(s, index, 1),
            "ArrowUp" => nearest_in_row(s, index, -1),
            "Home" => Some(0),
            "End" => Some(s.len() - 1),
            _ => None,
        });
        match (next, event.key().as_str()) {
            (Some(next), _) => {
                event.prevent_default();
                focused.set(next);
                focus_seat(next);
            }
            (None, " " | "Enter") => {
                event.prevent_default();
                toggle(index);
            }
            _ => {}
        }
    };
    let radius = seat_radius(&map);
    let circles = map
        .seats
        .iter()
        .enumerate()
        .map(|(index, seat)| {
            let status = statuses.with_value(|s| s[index]);
            let mine = move || picked.with(|p| p.contains(&index));
            let tier_code = seat.tier.code();
            let words = format!(
                "{}, row {}, seat {}, {}",
                seat.tier.display_name(),
                seat.row,
                seat.number,
                price_of(seat.tier)
            );
            let label = move || {
                let state = if mine() { "chosen" } else { state_words(status.get()) };
                format!("{words}, {state}")
            };
            let class = move || {
                let state = if mine() { "yours" } else { status.get().code() };
                format!("seat tier-{tier_code} {state}")
            };
            view! {
                <circle
                    id=format!("seat-{index}")
                    data-seat=seat.id.clone()
                    cx=seat.x
                    cy=seat.y
                    r=radius
                    class=class
                    role="checkbox"
                    aria-checked=move || mine().to_string()
                    aria-disabled=move || (status.get() != SeatStatus::Free && !mine()).to_string()
                    aria-label=label
                    tabindex=move || if focused.get() == index { "0" } else { "-1" }
                    on:click=move |_| {
                        focused.set(index);
                        toggle(index);
                    }
                    on:keydown=move |event| move_focus(event, index)
                >
                    <title>{format!("Row {}, seat {}", seat.row.clone(), seat.number.clone())}</title>
                </circle>
            }
        })
        .collect_view();
    let areas = map
        .areas
        .iter()
        .map(|area| {
            view! {
                <g class="area" aria-hidden="true">
                    <rect x=area.x y=area.y width=area.width height=area.height rx="6" />
                    {area.label.clone().map(|label| view! {
                        <text x=area.x + area.width / 2.0 y=area.y + area.height / 2.0 dominant-baseline="middle" text-anchor="middle">
                            {label}
                        </text>
                    })}
                </g>
            }
        })
        .collect_view();
    let seated: Vec<Tier> = {
        let mut seen: Vec<Tier> = map.seats.iter().map(|s| s.tier).collect();
        seen.sort_by_key(|t| std::cmp::Reverse(price_of(*t).0));
        seen.dedup();
        seen
    };
    let legend = seated
        .into_iter()
        .map(|tier| {
            view! {
                <li><span class=format!("swatch tier-{}", tier.code())></span>
                    {format!("{} {}", tier.display_name(), price_of(tier))}</li>
            }
        })
        .collect_view();
    let view_box = format!("0 0 {} {}", map.width, map.height);
    view! {
        <figure class="seat-map">
            <figcaption>
                <ul class="legend">
                    {legend}
                    <li><span class="swatch yours"></span>"Your choice"</li>
                    <li><span class="swatch held"></span>"Held"</li>
                    <li><span class="swatch sold"></span>"Sold"</li>
                    <li><span class="swatch blocked"></span>"Not for sale"</li>
                </ul>
                <span class="zoom">
                    <button type="button" aria-label="Zoom out" on:click=move |_| zoom.update(|z| *z = z.saturating_sub(1))>"−"</button>
                    <button type="button" aria-label="Zoom in" on:click=move |_| zoom.update(|z| *z = (*z + 1).min(3))>"+"</button>
                </span>
            </figcaption>
            <div class="seat-map-scroll">
                <svg
                    viewBox=view_box
                    role="group"
                    aria-label="Seat map: arrow keys move between seats, Space picks one"
                    class=move || format!("zoom-{}", zoom.get())
                >
                    {areas}
                    {circles}
                </svg>
            </div>
        </figure>
    }
}

fn state_words(status: SeatStatus) -> &'static str {
    match status {
        SeatStatus::Free => "available",
        SeatStatus::Held => "held by someone else",
        SeatStatus::Sold => "sold",
        SeatStatus::Blocked => "not for sale",
    }
}

/// Seats are drawn a little under half their usual spacing across, so neighbours do not touch.
fn seat_radius(map: &SeatMap) -> f64 {
    let mut gaps: Vec<f64> = map
        .seats
        .windows(2)
        .filter(|pair| pair[0].row == pair[1].row && pair[0].zone == pair[1].zone)
        .map(|pair| (pair[1].x - pair[0].x).abs())
        .filter(|gap| *gap > 0.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).map_or(8.0, |usual| usual * 0.42)
}

/// The seat in the row `step` rows on (in plan order) nearest across to seat `index`.
fn nearest_in_row(seats: &[model::MapSeat], index: usize, step: i32) -> Option<usize> {
    let here = &seats[index];
    let same_row = |a: &model::MapSeat, b: &model::MapSeat| a.row == b.row && a.zone == b.zone;
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for (i, seat) in seats.iter().enumerate() {
        match rows.last_mut() {
            Some((_, end)) if same_row(&seats[*end], seat) => *end = i,
            _ => rows.push((i, i)),
        }
    }
    let row = rows.iter().position(|(start, end)| (*start..=*end).contains(&index))?;
    let target = usize::try_from(row as i64 + i64::from(step)).ok().filter(|r| *r < rows.len())?;
    let (start, end) = rows[target];
    (start..=end).min_by(|a, b| (seats[*a].x - here.x).abs().total_cmp(&(seats[*b].x - here.x).abs()))
}

fn focus_seat(index: usize) {
    #[cfg(feature = "hydrate")]
    if let Some(element) = leptos::prelude::document().get_element_by_id(&format!("seat-{index}")) {
        use leptos::wasm_bindgen::JsCast;
        if let Ok(element) = element.dyn_into::<leptos::web_sys::SvgElement>() {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = index;
}
