//! One tier as a choosable card: name, price, and its live availability.

use leptos::prelude::*;
use model::TierAvailability;

/// A radio button dressed as a card. `available` is a signal so the number updates in place (the card is
/// not re-rendered, so a buyer's choice and focus survive every update). `selected` is the form's choice:
/// a sold-out or paused tier cannot be chosen, but the one already chosen stays enabled when it sells out
/// or is paused, so the form still says which tier the buyer meant and the answer names it ("VIP tickets
/// are no longer on sale") instead of "tier is missing" (a disabled radio is not submitted).
#[component]
pub fn TierOption(
    tier: TierAvailability,
    available: Signal<u32>,
    on_sale: Signal<bool>,
    capacity: Signal<u32>,
    /// Buyers on its waiting list.
    waiting: Signal<u32>,
    selected: RwSignal<Option<model::Tier>>,
) -> impl IntoView {
    let seated = tier.seated;
    let (this, code) = (tier.tier, tier.tier.code());
    let id = format!("tier-{code}");
    let label_for = id.clone();
    let sold_out = move || available.get() == 0 || !on_sale.get();
    // A brief highlight when the number changes, so a buyer notices without reading every figure.
    let changed = RwSignal::new(false);
    let mut previous = None;
    Effect::new(move |_| {
        let now = available.get();
        if previous.is_some_and(|before| before != now) {
            changed.set(true);
            set_timeout(move || changed.set(false), std::time::Duration::from_millis(1200));
        }
        previous = Some(now);
    });
    let availability_text = move || match (on_sale.get(), available.get()) {
        (false, _) => "Not on sale right now".to_string(),
        (true, 0) if seated => "Sold out".to_string(),
        // Not a dead end: the waiting list below takes their place.
        (true, 0) => match waiting.get() {
            0 => "Sold out: join the waiting list".to_string(),
            n => format!("Sold out: {n} on the waiting list"),
        },
        (true, n) => format!("{n} of {} left", capacity.get()),
    };
    view! {
        <label class="tier" class:sold-out=sold_out for=label_for data-tier=code>
            <input
                type="radio"
                name="tier"
                id=id
                value=code
                disabled=move || sold_out() && selected.get() != Some(this)
                prop:checked=move || selected.get() == Some(this)
                on:change=move |_| selected.set(Some(this))
                aria-describedby=format!("availability-{code}")
            />
            <span class="tier-name">{tier.name.clone()}</span>
            <span class="tier-price">{tier.price_cents.to_string()}</span>
            <span
                class="tier-availability"
                class:changed=move || changed.get()
                id=format!("availability-{code}")
                aria-live="polite"
            >
                {availability_text}
            </span>
        </label>
    }
}
