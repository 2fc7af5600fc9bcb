//! A concert's seating on the admin page: paste a plan (pretix's seating-plan JSON) to seat its tiers,
//! and block or free single seats.

use crate::admin_fns::{admin_set_seat_blocked, admin_set_seating};
use leptos::prelude::*;

/// What each concert's seating controls last did, kept by the admin page across the figures' redraw.
#[derive(Clone, Copy, Default)]
pub struct SeatingNotices(pub RwSignal<std::collections::BTreeMap<i64, String>>);

#[component]
pub fn SeatingAdmin(concert: i64, token: RwSignal<String>, on_change: Callback<()>) -> AnyView {
    let plan = RwSignal::new(String::new());
    let seat = RwSignal::new(String::new());
    let upload = Action::new(move |plan: &String| admin_set_seating(token.get_untracked(), concert, plan.clone()));
    let block = Action::new(move |(seat, blocked): &(String, bool)| {
        admin_set_seat_blocked(token.get_untracked(), concert, seat.clone(), *blocked)
    });
    let (plan_id, seat_id) = (format!("plan-{concert}"), format!("seat-{concert}"));
    // A change that worked reloads the figures, which redraws this panel: its notice is kept by the page.
    let notices = use_context::<SeatingNotices>();
    let notice = move || notices.and_then(|n| n.0.with(|all| all.get(&concert).cloned()));
    let succeeded = move |text: String| {
        if let Some(notices) = notices {
            notices.0.update(|all| {
                all.insert(concert, text);
            });
        }
        on_change.run(());
    };
    let refused = RwSignal::new(None::<String>);
    Effect::new(move |_| match upload.value().get() {
        Some(Ok(Ok(tiers))) => {
            let counts: Vec<String> =
                tiers.iter().map(|(tier, seats)| format!("{seats} {} seats", tier.display_name())).collect();
            refused.set(None);
            succeeded(format!("Seated: {}.", counts.join(", ")));
        }
        Some(Ok(Err(refusal)) | Err(refusal)) => refused.set(Some(refusal.to_string())),
        None => {}
    });
    Effect::new(move |_| match block.value().get() {
        Some(Ok(Ok(()))) => {
            refused.set(None);
            succeeded("Done.".to_owned());
        }
        Some(Ok(Err(refusal)) | Err(refusal)) => refused.set(Some(refusal.to_string())),
        None => {}
    });
    let said = move || match (refused.get(), notice()) {
        (Some(refusal), _) => Some(view! { <p class="error" role="alert">{refusal}</p> }.into_any()),
        (None, Some(text)) => Some(view! { <p class="notice" role="status">{text}</p> }.into_any()),
        (None, None) => None,
    };
    view! {
        <details class="seating-admin" open=move || notice().is_some()>
            <summary>"Seating plan"</summary>
            <form on:submit=move |event| {
                event.prevent_default();
                upload.dispatch(plan.get_untracked());
            }>
                <label for=plan_id.clone()>"Plan (JSON in pretix's seating-plan format; a category's \"tier\" names the tier it sells)"</label>
                <textarea id=plan_id rows="6" spellcheck="false" bind:value=plan></textarea>
                <button type="submit" class="secondary">"Seat this concert"</button>
            </form>
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
            {said}
        </details>
    }
    .into_any()
}
