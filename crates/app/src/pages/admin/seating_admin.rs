//! A concert's seating on the admin page: paste a plan (pretix's seating-plan JSON) to seat its tiers,
//! and block or free single seats.

use crate::admin_fns::{admin_set_seat_blocked, admin_set_seating};
use leptos::prelude::*;

#[component]
pub fn SeatingAdmin(concert: i64, token: RwSignal<String>, on_change: Callback<()>) -> AnyView {
    let plan = RwSignal::new(String::new());
    let seat = RwSignal::new(String::new());
    let upload = Action::new(move |plan: &String| admin_set_seating(token.get_untracked(), concert, plan.clone()));
    let block = Action::new(move |(seat, blocked): &(String, bool)| {
        admin_set_seat_blocked(token.get_untracked(), concert, seat.clone(), *blocked)
    });
    let (plan_id, seat_id) = (format!("plan-{concert}"), format!("seat-{concert}"));
    let uploaded = move || {
        upload.value().get().map(|result| match result {
            Ok(Ok(tiers)) => {
                on_change.run(());
                let counts: Vec<String> =
                    tiers.iter().map(|(tier, seats)| format!("{seats} {} seats", tier.display_name())).collect();
                view! { <p class="notice" role="status">{format!("Seated: {}.", counts.join(", "))}</p> }.into_any()
            }
            Ok(Err(refusal)) | Err(refusal) => {
                view! { <p class="error" role="alert">{refusal.to_string()}</p> }.into_any()
            }
        })
    };
    let blocked = move || {
        block.value().get().map(|result| match result {
            Ok(Ok(())) => {
                on_change.run(());
                view! { <p class="notice" role="status">"Done."</p> }.into_any()
            }
            Ok(Err(refusal)) | Err(refusal) => {
                view! { <p class="error" role="alert">{refusal.to_string()}</p> }.into_any()
            }
        })
    };
    view! {
        <details class="seating-admin">
            <summary>"Seating plan"</summary>
            <form on:submit=move |event| {
                event.prevent_default();
                upload.dispatch(plan.get_untracked());
            }>
                <label for=plan_id.clone()>"Plan (JSON in pretix's seating-plan format; a category's \"tier\" names the tier it sells)"</label>
                <textarea id=plan_id rows="6" spellcheck="false" bind:value=plan></textarea>
                <button type="submit" class="secondary">"Seat this concert"</button>
            </form>
            {uploaded}
            <form class="inline" on:submit=move |event| event.prevent_default()>
                <label for=seat_id.clone()>"Seat id"</label>
                <input id=seat_id type="text" bind:value=seat />
                <button type="button" class="secondary" on:click=move |_| { block.dispatch((seat.get_untracked(), true)); }>
                    "Block"
                </button>
                <button type="button" class="secondary" on:click=move |_| { block.dispatch((seat.get_untracked(), false)); }>
                    "Free"
                </button>
            </form>
            {blocked}
        </details>
    }
    .into_any()
}
