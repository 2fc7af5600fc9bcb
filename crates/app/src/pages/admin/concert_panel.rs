//! One concert on the admin page: its tiers with their figures and controls, and its newest orders.

use crate::{
    admin_fns::AdminAttempt,
    admin_fns::{admin_orders_csv, admin_set_capacity, admin_set_on_sale},
    AppError,
};
use leptos::prelude::*;
use model::{ConcertSales, OrderLine, TierSales};

/// A table's header row.
pub(super) fn column_headings(columns: &[&'static str]) -> impl IntoView {
    let cells = columns.iter().map(|column| view! { <th scope="col">{*column}</th> }).collect_view();
    view! {
        <thead>
            <tr>{cells}</tr>
        </thead>
    }
}

/// What a control's call came to, as a line the operator reads (`None`: it worked).
fn problem(result: Result<AdminAttempt<()>, AppError>) -> Option<String> {
    match result {
        Ok(Ok(())) => None,
        Ok(Err(refusal)) => Some(refusal.to_string()),
        Err(failure) => Some(failure.to_string()),
    }
}

#[component]
pub fn ConcertPanel(sales: Memo<Option<ConcertSales>>, token: RwSignal<String>, on_change: Callback<()>) -> AnyView {
    // The list only holds concerts it has, so the panel's first figures are there.
    let first = sales.get_untracked().expect("a panel is made for a concert in the list");
    let concert = first.concert.id;
    let has_room = first.waiting_room.is_some();
    let read = move |figure: fn(&ConcertSales) -> String| move || sales.with(|s| s.as_ref().map(figure));
    // Redrawn only when the operator changed the concert (an edit, taken off or put back on the shop),
    // not with every sale: the form follows the sales by itself.
    let form_state = Memo::new(move |_| sales.with(|s| s.as_ref().map(|s| (s.concert.clone(), s.published))));
    let tiers = Signal::derive(move || sales.with(|s| s.as_ref().map(|s| s.tiers.clone()).unwrap_or_default()));
    let settings = move || {
        form_state.get().map(|(concert, published)| {
            view! { <super::concert_settings::ConcertSettings concert tiers published token on_change /> }
        })
    };
    let heading = format!("concert-{concert}");
    let labelled_by = heading.clone();
    let tier_codes = move || sales.with(|s| s.as_ref().map(|s| s.tiers.iter().map(|t| t.tier).collect::<Vec<_>>()));
    let orders = move || {
        sales.with(|s| {
            let lines = s.as_ref().map(|s| s.recent_orders.clone()).unwrap_or_default();
            if lines.is_empty() {
                view! { <tr><td colspan="6">"No orders yet."</td></tr> }.into_any()
            } else {
                lines.into_iter().map(order_row).collect_view().into_any()
            }
        })
    };
    view! {
        <section class="admin-concert" aria-labelledby=labelled_by data-concert=concert>
            <h2 id=heading>{read(|s| model::when::concert_line(&s.concert))}</h2>
            {move || sales.with(|s| s.as_ref().is_some_and(|s| !s.published)).then_some(view! {
                <p class="notice unpublished">"Not on the shop: buyers cannot see or buy it."</p>
            })}
            {settings}
            <super::on_sale_live::OnSaleLive concert token open=has_room />
            <table class="admin-tiers">
                {column_headings(&["Tier", "Sold", "Held", "Available", "Revenue", "Capacity", "Sales"])}
                <tbody>
                    <For each=move || tier_codes().unwrap_or_default() key=|tier| *tier let:tier>
                        <TierRow
                            concert
                            tier=Memo::new(move |_| sales.with(|s| s.as_ref().and_then(|s| s.tiers.iter().find(|t| t.tier == tier).cloned())))
                            token
                            on_change
                        />
                    </For>
                </tbody>
                <Totals sales />
            </table>
            <h3>"Newest orders"</h3>
            <table class="admin-orders">
                {column_headings(&["Code", "Booked at", "Tickets", "Total", "Status", "Buyer"])}
                <tbody>{orders}</tbody>
            </table>
            <CsvExport concert token />
            <super::seating_admin::SeatingAdmin concert token on_change />
        </section>
    }
    .into_any()
}

/// The concert's figures added up: tickets sold, held and left, and its revenue.
#[component]
fn Totals(sales: Memo<Option<ConcertSales>>) -> impl IntoView {
    let sum = move |figure: fn(&TierSales) -> u32| {
        move || sales.with(|s| s.as_ref().map_or(0, |s| s.tiers.iter().map(figure).sum::<u32>()))
    };
    let revenue = move || {
        sales
            .with(|s| model::Cents(s.as_ref().map_or(0, |s| s.tiers.iter().map(|t| t.revenue_cents.0).sum())))
            .to_string()
    };
    view! {
        <tfoot>
            <tr class="totals">
                <th scope="row">"Total"</th>
                <td class="sold">{sum(|t| t.sold)}</td>
                <td class="held">{sum(|t| t.held)}</td>
                <td class="available">{sum(|t| t.available)}</td>
                <td class="revenue">{revenue}</td>
                <td>{sum(|t| t.capacity)}</td>
                <td></td>
            </tr>
        </tfoot>
    }
}

#[component]
fn TierRow(concert: i64, tier: Memo<Option<TierSales>>, token: RwSignal<String>, on_change: Callback<()>) -> AnyView {
    let first = tier.get_untracked().expect("a row is made for a tier the concert has");
    let code = first.tier.code().to_owned();
    let name = first.tier.display_name();
    // What the operator types stays theirs: new figures do not overwrite the field.
    let capacity = RwSignal::new(first.capacity.to_string());
    let set_capacity = Action::new(move |(code, capacity): &(String, String)| {
        admin_set_capacity(token.get_untracked(), concert, code.clone(), capacity.clone())
    });
    let set_on_sale = Action::new(move |(code, on_sale): &(String, bool)| {
        admin_set_on_sale(token.get_untracked(), concert, code.clone(), *on_sale)
    });
    // A change that worked shows in the fetched figures; one that was refused says why here.
    let message = RwSignal::new(None::<String>);
    let settle = move |result: Result<AdminAttempt<()>, AppError>| match problem(result) {
        None => {
            message.set(None);
            on_change.run(());
        }
        refused => message.set(refused),
    };
    Effect::new(move |_| set_capacity.value().get().map(settle));
    Effect::new(move |_| set_on_sale.value().get().map(settle));
    let figure = move |read: fn(&TierSales) -> String| move || tier.with(|t| t.as_ref().map(read).unwrap_or_default());
    let on_sale = move || tier.with(|t| t.as_ref().is_some_and(|t| t.on_sale));
    let (pause_code, capacity_code) = (code.clone(), code.clone());
    let label = format!("Capacity of {name}");
    view! {
        <tr data-tier=code.clone()>
            <th scope="row">
                {name}
                // How much of the tier is gone, at a glance.
                <progress class="sold-bar" max=figure(|t| t.capacity.max(1).to_string()) value=figure(|t| t.sold.to_string())
                    aria-label=figure(move |t| format!("{}: {} of {} sold", t.tier.display_name(), t.sold, t.capacity))></progress>
            </th>
            <td class="sold">{figure(|t| t.sold.to_string())}</td>
            <td class="held">{figure(|t| t.held.to_string())}</td>
            <td class="available">{figure(|t| t.available.to_string())}</td>
            <td>{figure(|t| t.revenue_cents.to_string())}</td>
            <td>
                <form class="inline" on:submit=move |event| {
                    event.prevent_default();
                    set_capacity.dispatch((capacity_code.clone(), capacity.get_untracked()));
                }>
                    <input type="number" min="0" inputmode="numeric" aria-label=label bind:value=capacity />
                    <button type="submit" class="secondary">"Set"</button>
                </form>
            </td>
            <td>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| {
                        set_on_sale.dispatch((pause_code.clone(), !on_sale()));
                    }
                >
                    {move || if on_sale() { "Pause" } else { "Resume" }}
                </button>
                {move || (!on_sale()).then_some(view! { <span class="paused">"Paused"</span> })}
            </td>
        </tr>
        {move || message.get().map(|text| view! {
            <tr><td colspan="7"><p class="error" role="alert">{text}</p></td></tr>
        })}
    }
    .into_any()
}

fn order_row(line: OrderLine) -> AnyView {
    let buyer = match &line.buyer_name {
        Some(name) => format!("{name} <{}>", line.user_id),
        None => line.user_id.clone(),
    };
    view! {
        <tr>
            <td><code>{line.code}</code></td>
            <td>{model::when::short_date_time(line.created_at)}</td>
            <td>{format!("{} × {}", line.quantity, line.tier.display_name())}</td>
            <td>{line.total_cents.to_string()}</td>
            <td>{line.status.label()}</td>
            <td>{buyer}</td>
        </tr>
    }
    .into_any()
}

/// Fetches the concert's orders as CSV (with the token, which a plain link could not send) and offers the
/// file as a download link.
#[component]
fn CsvExport(concert: i64, token: RwSignal<String>) -> AnyView {
    let export = Action::new(move |_: &()| admin_orders_csv(token.get_untracked(), concert));
    let file = format!("orders-{concert}.csv");
    view! {
        <p class="csv">
            <button type="button" class="secondary" on:click=move |_| { export.dispatch(()); }>"Export orders as CSV"</button>
            {move || export.value().get().map(|result| match result {
                Ok(Ok(csv)) => {
                    let href = format!("data:text/csv;charset=utf-8,{}", crate::text::url_escape(&csv));
                    view! { " " <a href=href download=file.clone()>{format!("Save {file}")}</a> }.into_any()
                }
                Ok(Err(failure)) | Err(failure) => view! { <span class="error" role="alert">{failure.to_string()}</span> }.into_any(),
            })}
        </p>
    }
    .into_any()
}
