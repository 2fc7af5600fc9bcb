//! A concert's settings on the admin page: edit its name, venue, start and the prices of tiers nobody has
//! taken, and take it off the shop or put it back. The server decides (the rules are the model's); a
//! refusal says why beside the form, a change redraws the figures.

use crate::admin_fns::{AdminEditConcert, AdminSetPublished};
use leptos::prelude::*;
use model::{ConcertTitle, TierSales};

/// A price as the form shows it: dollars, with cents only when there are some.
fn dollars(cents: model::Cents) -> String {
    match cents.0 % 100 {
        0 => (cents.0 / 100).to_string(),
        rest => format!("{}.{rest:02}", cents.0 / 100),
    }
}

#[component]
pub fn ConcertSettings(
    concert: ConcertTitle,
    /// The tiers' figures as they move: a tier whose first ticket goes while the form is open locks its price
    /// field then, without redrawing what the operator typed.
    tiers: Signal<Vec<TierSales>>,
    published: bool,
    token: RwSignal<String>,
    on_change: Callback<()>,
) -> AnyView {
    let id = concert.id;
    let edit = ServerAction::<AdminEditConcert>::new();
    let publish = ServerAction::<AdminSetPublished>::new();
    Effect::new(move |_| {
        if matches!(edit.value().get(), Some(Ok(Ok(_)))) || matches!(publish.value().get(), Some(Ok(Ok(_)))) {
            on_change.run(());
        }
    });
    let taken_of = move |tier: Option<model::Tier>| {
        tiers.with(|all| {
            all.iter().filter(|t| tier.is_none_or(|tier| t.tier == tier)).map(|t| t.sold + t.held).sum::<u32>()
        })
    };
    let taken = move || taken_of(None);
    let prices = tiers
        .get_untracked()
        .into_iter()
        .map(|tier| {
            let name = tier.tier.display_name();
            let code = tier.tier;
            let taken = move || taken_of(Some(code));
            let hint = format!("price-hint-{id}-{}", tier.tier.code());
            let described = hint.clone();
            view! {
                <label>
                    {format!("Price of {name} ($)")}
                    <input
                        name=format!("{}_price", tier.tier.code())
                        value=dollars(tier.price_cents)
                        inputmode="decimal"
                        disabled={move || taken() > 0}
                        aria-describedby={move || (taken() > 0).then(|| described.clone())}
                    />
                    {move || (taken() > 0).then(|| view! {
                        <span class="hint" id=hint.clone()>{format!("{} sold or held: the price stays", taken())}</span>
                    })}
                </label>
            }
        })
        .collect_view();
    let starts = model::when::venue_field_value(concert.starts_at, &concert.zone);
    let zone_id = format!("zone-{id}");
    let message = move || {
        let refusal = |result: Option<Result<Result<model::Concert, crate::AppError>, crate::AppError>>| match result {
            Some(Ok(Err(refusal)) | Err(refusal)) => Some(refusal.to_string()),
            _ => None,
        };
        refusal(edit.value().get()).or_else(|| refusal(publish.value().get()))
    };
    view! {
        <details class="concert-settings">
            <summary>"Edit this concert"</summary>
            <div class="concert-settings-body">
                <ActionForm action=edit>
                    <input type="hidden" name="token" prop:value=token />
                    <input type="hidden" name="concert" value=id.to_string() />
                    <div class="fields">
                        <label>"Name" <input name="name" value=concert.name.clone() required /></label>
                        <label>"Venue" <input name="venue" value=concert.venue.clone() required /></label>
                        <super::time_zone_field::TimeZoneField id=zone_id value=concert.zone.name.clone() />
                        <label>
                            "Starts at (the venue's time)"
                            <input type="datetime-local" name="starts_at" value=starts required />
                        </label>
                        {prices}
                    </div>
                    <button type="submit" formnovalidate disabled=move || edit.pending().get()>"Save changes"</button>
                </ActionForm>
                <ActionForm action=publish attr:class="publish">
                    <input type="hidden" name="token" prop:value=token />
                    <input type="hidden" name="concert" value=id.to_string() />
                    <input type="hidden" name="published" value=(!published).to_string() />
                    {if published {
                        view! {
                            <p class="hint">
                                {move || if taken() > 0 {
                                    "It has buyers: it stays on the shop.".to_owned()
                                } else {
                                    "Nobody has bought or held a ticket yet: it can come off the shop.".to_owned()
                                }}
                            </p>
                            <button type="submit" class="secondary" disabled={move || publish.pending().get() || taken() > 0}>
                                "Take off the shop"
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button type="submit" disabled=move || publish.pending().get()>"Put back on the shop"</button>
                        }
                            .into_any()
                    }}
                </ActionForm>
                <div class="result" aria-live="polite">
                    {move || message().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                </div>
            </div>
        </details>
    }
    .into_any()
}
