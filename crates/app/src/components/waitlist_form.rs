//! "Join the waiting list": shown under a concert's form while one of its tiers is sold out, instead of a
//! dead end. Tickets that come back are held for the first in line and mailed to them with a link to pay.

use crate::{server_fns::JoinWaitlist, submission::submission_key};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::{Tier, MAX_TICKETS_PER_ORDER};

/// One sold-out tier as the form offers it: its name, and how many wait for it (live).
#[derive(Clone)]
pub struct WaitlistTier {
    pub tier: Tier,
    pub name: String,
    pub sold_out: Signal<bool>,
    pub waiting: Signal<u32>,
}

#[component]
pub fn WaitlistForm(concert: i64, tiers: Vec<WaitlistTier>) -> impl IntoView {
    let join = ServerAction::<JoinWaitlist>::new();
    let key = submission_key(join.version());
    let open = {
        let tiers = tiers.clone();
        move || tiers.iter().any(|t| t.sold_out.get())
    };
    let choices = tiers
        .into_iter()
        .map(|t| {
            let label = move || match t.waiting.get() {
                0 => format!("{} (nobody waiting yet)", t.name),
                1 => format!("{} (1 person waiting)", t.name),
                n => format!("{} ({n} people waiting)", t.name),
            };
            let hidden = move || !t.sold_out.get();
            view! { <option value=t.tier.code() hidden=hidden disabled=hidden>{label}</option> }
        })
        .collect_view();
    // Without JavaScript the server sends the browser back here with the place in the address.
    let query = use_query_map();
    let joined_plainly = move || {
        let query = query.read();
        let place = query.get("waitlisted")?.parse::<u32>().ok()?;
        let tier = Tier::parse(&query.get("tier")?).ok()?;
        Some(joined_words(place, tier))
    };
    let result = move || match join.value().get() {
        Some(Ok(Ok(waiting))) => {
            Some(view! { <p class="notice">{joined_words(waiting.place, waiting.tier)}</p> }.into_any())
        }
        Some(Ok(Err(refusal))) => Some(view! { <p class="error" role="alert">{refusal.to_string()}</p> }.into_any()),
        Some(Err(failure)) => Some(view! { <p class="error" role="alert">{failure.to_string()}</p> }.into_any()),
        None => joined_plainly().map(|words| view! { <p class="notice">{words}</p> }.into_any()),
    };
    view! {
        <section class="waitlist" id="waitlist" aria-labelledby="waitlist-heading" hidden=move || !open()>
            <h2 id="waitlist-heading">"Sold out? Join the waiting list"</h2>
            <p>
                "When tickets come back, we hold them for the first in line and mail you a link to pay. The
                mail says until when they are yours; after that they pass to the next person."
            </p>
            <ActionForm action=join>
                <input type="hidden" name="submission" prop:value=key />
                <input type="hidden" name="concert" value=concert.to_string() />
                // Labels of their own (not the hold form's "Email"), and the select's label apart from it, so
                // its options' text is not part of its name.
                <div class="fields">
                    <div class="field">
                        <label for="waitlist-tier">"Tickets to wait for"</label>
                        <select id="waitlist-tier" name="tier" required>{choices}</select>
                    </div>
                    <label>
                        "How many to wait for"
                        <input type="number" name="quantity" min="1" max=MAX_TICKETS_PER_ORDER.to_string() value="1"
                            inputmode="numeric" required />
                    </label>
                    <label>"Name on the waiting list" <input name="name" autocomplete="name" required /></label>
                    <label>"Address for the offer mail" <input type="email" name="email" autocomplete="email" required /></label>
                </div>
                <button type="submit" formnovalidate disabled=move || join.pending().get()>
                    {move || if join.pending().get() { "Joining…" } else { "Join the waiting list" }}
                </button>
            </ActionForm>
            <div class="waitlist-result" aria-live="polite">{result}</div>
        </section>
    }
}

fn joined_words(place: u32, tier: Tier) -> String {
    format!(
        "You're on the waiting list for {} tickets: number {place} in line. We'll mail you when tickets come back.",
        tier.display_name()
    )
}
