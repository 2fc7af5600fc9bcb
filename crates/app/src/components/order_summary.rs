//! A paid (or cancelled) order as the buyer sees it: code, tickets with their QR codes, total.

use leptos::prelude::*;
use model::{Order, OrderStatus};

#[component]
pub fn OrderSummary(order: Order) -> impl IntoView {
    let cancelled = order.status == OrderStatus::Cancelled;
    let link = order.page_path();
    let tickets = order
        .tickets
        .iter()
        .map(|ticket| {
            let label = format!("QR code of ticket {}", ticket.code);
            let svg = ticket.qr_svg.clone().unwrap_or_default();
            view! {
                <li class="ticket">
                    <div class="qr" role="img" aria-label=label inner_html=svg></div>
                    <p>
                        {ticket_words(order.tier, ticket, order.quantity)}
                        <br />
                        <code class="ticket-code">{ticket.code.clone()}</code>
                    </p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="confirmation" class:cancelled=cancelled aria-labelledby="confirmation-title">
            <h2 id="confirmation-title">
                {if cancelled { "Order cancelled and refunded" } else { "You're going!" }}
            </h2>
            <dl>
                <dt>"Order code"</dt>
                <dd class="order-code">{order.code.clone()}</dd>
                <dt>"Concert"</dt>
                <dd class="order-concert"><super::ConcertLine concert=order.concert.clone() /></dd>
                <dt>"Tickets"</dt>
                <dd class="order-tickets">{format!("{} × {}", order.quantity, order.tier.display_name())}</dd>
                <dt>"Total"</dt>
                <dd class="order-total">{order.total_cents.to_string()}</dd>
                <dt>"Status"</dt>
                <dd class="order-status">{order.status.label()}</dd>
                {order.card_last4.clone().map(|last4| view! { <dt>"Paid with"</dt> <dd>{format!("card ending {last4}")}</dd> })}
                <dt>"Booked at"</dt>
                <dd>{model::when::short_date_time(order.created_at)}</dd>
            </dl>
            <p>"Keep this link to see your order again: " <a href=link.clone()>{link.clone()}</a></p>
            <ul class="tickets">{(!cancelled).then_some(tickets)}</ul>
        </section>
    }
}

/// "VIP · ticket 1 of 2", with its seat for a seated tier: "VIP · Floor, row A, seat 12".
fn ticket_words(tier: model::Tier, ticket: &model::Ticket, of: u32) -> String {
    match &ticket.seat {
        Some(seat) => format!("{} · {}, row {}, seat {}", tier.display_name(), seat.zone, seat.row, seat.number),
        None => format!("{} · ticket {} of {of}", tier.display_name(), ticket.number),
    }
}
