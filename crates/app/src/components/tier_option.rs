//! One tier as a choosable card: name, price, and its live availability.

use leptos::prelude::*;
use model::TierAvailability;

/// A radio button dressed as a card. `available` is a signal so the number updates in place (the card is
/// not re-rendered, so a buyer's choice and focus survive every update).
#[component]
pub fn TierOption(tier: TierAvailability, available: Signal<u32>) -> impl IntoView {
    let code = tier.tier.code();
    let id = format!("tier-{code}");
    let label_for = id.clone();
    let sold_out = move || available.get() == 0;
    let availability_text = move || match available.get() {
        0 => "Sold out".to_string(),
        n => format!("{n} of {} left", tier.capacity),
    };
    view! {
        <label class="tier" class:sold-out=sold_out for=label_for data-tier=code>
            <input
                type="radio"
                name="tier"
                id=id
                value=code
                disabled=sold_out
                aria-describedby=format!("availability-{code}")
            />
            <span class="tier-name">{tier.name.clone()}</span>
            <span class="tier-price">{tier.price_cents.to_string()}</span>
            <span class="tier-availability" id=format!("availability-{code}") aria-live="polite">
                {availability_text}
            </span>
        </label>
    }
}
