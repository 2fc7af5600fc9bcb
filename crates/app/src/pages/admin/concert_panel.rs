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
pub fn ConcertPanel(sales: ConcertSales, token: RwSignal<String>, on_change: Callback<()>) -> AnyView {
    let concert = sales.concert.id;
    let has_room = sales.waiting_room.is_some();
    let published = sales.published;
    let settings = view! {
        <super::concert_settings::ConcertSettings concert=sales.concert.clone() tiers=sales.tiers.clone() published
            token on_change />
    };
    let title = model::when::concert_line(&sales.concert);
    let heading = format!("concert-{concert}");
    let labelled_by = heading.clone();
    let totals = totals_row(&sales.tiers);
    let tiers = sales.tiers.into_iter().map(|tier| view! { <TierRow concert tier token on_change /> }).collect_view();
    let no_orders = sales.recent_orders.is_empty();
    let orders = sales.recent_orders.into_iter().map(order_row).collect_view();
    view! {
        <section class="admin-concert" aria-labelledby=labelled_by data-concert=concert>
            <h2 id=heading>{title}</h2>
            {(!published).then_some(view! {
                <p class="notice unpublished">"Not on the shop: buyers cannot see or buy it."</p>
            })}
            {settings}
            <super::on_sale_live::OnSaleLive concert token open=has_room />
            <table class="admin-tiers">
                {column_headings(&["Tier", "Sold", "Held", "Available", "Revenue", "Capacity", "Sales"])}
                <tbody>{tiers}</tbody>
                {totals}
            </table>
            <h3>"Newest orders"</h3>
            <table class="admin-orders">
                {column_headings(&["Code", "Booked at", "Tickets", "Total", "Status", "Buyer"])}
                <tbody>
                    {orders}
                    {no_orders.then_some(view! { <tr><td colspan="6">"No orders yet."</td></tr> })}
                </tbody>
            </table>
            <CsvExport concert token />
            <super::seating_admin::SeatingAdmin concert token on_change />
        </section>
    }
    .into_any()
}

/// The concert's figures added up: tickets sold, held and left, and its revenue.
fn totals_row(tiers: &[TierSales]) -> impl IntoView {
    let sum = |figure: fn(&TierSales) -> u32| tiers.iter().map(figure).sum::<u32>();
    let revenue = model::Cents(tiers.iter().map(|t| t.revenue_cents.0).sum());
    view! {
        <tfoot>
            <tr class="totals">
                <th scope="row">"Total"</th>
                <td class="sold">{sum(|t| t.sold)}</td>
                <td class="held">{sum(|t| t.held)}</td>
                <td class="available">{sum(|t| t.available)}</td>
                <td class="revenue">{revenue.to_string()}</td>
                <td>{sum(|t| t.capacity)}</td>
                <td></td>
            </tr>
        </tfoot>
    }
}

#[component]
fn TierRow(concert: i64, tier: TierSales, token: RwSignal<String>, on_change: Callback<()>) -> AnyView {
    let code = tier.tier.code().to_owned();
    let name = tier.tier.display_name();
    let capacity = RwSignal::new(tier.capacity.to_string());
    let set_capacity = Action::new(move |(code, capacity): &(String, String)| {
        admin_set_capacity(token.get_untracked(), concert, code.clone(), capacity.clone())
    });
    let set_on_sale = Action::new(move |(code, on_sale): &(String, bool)| {
        admin_set_on_sale(token.get_untracked(), concert, code.clone(), *on_sale)
    });
    // A change that worked shows in the reloaded figures; one that was refused says why here (a reload
    // would redraw the row and lose the message).
    let message = RwSignal::new(None::<String>);
    let settle = move |result: Result<AdminAttempt<()>, AppError>| match problem(result) {
        None => on_change.run(()),
        refused => message.set(refused),
    };
    Effect::new(move |_| set_capacity.value().get().map(settle));
    Effect::new(move |_| set_on_sale.value().get().map(settle));
    let on_sale = tier.on_sale;
    let (pause_code, capacity_code) = (code.clone(), code.clone());
    let label = format!("Capacity of {name}");
    view! {
        <tr data-tier=code.clone()>
            <th scope="row">
                {name}
                // How much of the tier is gone, at a glance.
                <progress class="sold-bar" max=tier.capacity.max(1).to_string() value=tier.sold.to_string()
                    aria-label=format!("{name}: {} of {} sold", tier.sold, tier.capacity)></progress>
            </th>
            <td class="sold">{tier.sold}</td>
            <td class="held">{tier.held}</td>
            <td class="available">{tier.available}</td>
            <td>{tier.revenue_cents.to_string()}</td>
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
                        set_on_sale.dispatch((pause_code.clone(), !on_sale));
                    }
                >
                    {if on_sale { "Pause" } else { "Resume" }}
                </button>
                {(!on_sale).then_some(view! { <span class="paused">"Paused"</span> })}
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
