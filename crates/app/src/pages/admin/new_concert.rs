//! The form that creates a concert: name, venue, its time zone, start (the venue's time), and a price and capacity per tier offered.

use crate::admin_fns::AdminCreateConcert;
use leptos::prelude::*;
use model::Tier;

#[component]
pub fn NewConcertForm(token: RwSignal<String>, on_created: Callback<()>) -> AnyView {
    let create = ServerAction::<AdminCreateConcert>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(Ok(_))) = create.value().get() {
            // Emptied, so a second click cannot create the same concert again (the store refuses a twin too).
            if let Some(form) = form.get() {
                form.reset();
            }
            on_created.run(());
        }
    });
    let tiers = Tier::ALL
        .into_iter()
        .map(|tier| {
            let code = tier.code();
            let price = (tier.default_price().0 / 100).to_string();
            view! {
                <tr>
                    <th scope="row">{tier.display_name()}</th>
                    <td>
                        <input name=format!("{code}_price") value=price inputmode="decimal"
                            aria-label=format!("Price of {} in dollars", tier.display_name()) />
                    </td>
                    <td>
                        <input name=format!("{code}_capacity") inputmode="numeric"
                            aria-label=format!("Capacity of {}", tier.display_name()) />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="admin-new" aria-labelledby="new-concert-title">
            <h2 id="new-concert-title">"New concert"</h2>
            <ActionForm action=create node_ref=form>
                <input type="hidden" name="token" prop:value=token />
                <div class="fields">
                    <label>"Name" <input name="name" required /></label>
                    <label>"Venue" <input name="venue" required /></label>
                    <super::time_zone_field::TimeZoneField id="new-concert-zone".to_owned() value="UTC".to_owned() />
                    <label>"Starts at (the venue's time)" <input type="datetime-local" name="starts_at" required /></label>
                    <label>
                        "Sales open at (the venue's time, optional)"
                        <input type="datetime-local" name="sales_open_at" aria-describedby="sales-open-hint" />
                    </label>
                    <p id="sales-open-hint" class="hint">"Left empty, tickets are on sale at once."</p>
                </div>
                <table class="admin-tiers">
                    {super::concert_panel::column_headings(&["Tier", "Price ($)", "Capacity (empty: not offered)"])}
                    <tbody>{tiers}</tbody>
                </table>
                <button type="submit" formnovalidate disabled=move || create.pending().get()>"Create concert"</button>
            </ActionForm>
            <div class="result" aria-live="polite">
                {move || create.value().get().map(|result| match result {
                    Ok(Ok(concert)) => {
                        let path = concert.page_path();
                        view! { <p class="notice">"Created " <a href=path>{concert.name}</a> ", on sale now."</p> }.into_any()
                    }
                    Ok(Err(refusal)) => view! { <p class="error" role="alert">{refusal.to_string()}</p> }.into_any(),
                    Err(failure) => view! { <p class="error" role="alert">{failure.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
    .into_any()
}
