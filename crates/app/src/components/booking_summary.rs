//! A confirmed booking as the buyer sees it: order code, tier, quantity, total.

use leptos::prelude::*;
use model::Booking;

#[component]
pub fn BookingSummary(booking: Booking) -> impl IntoView {
    let link = format!("/bookings/{}", booking.id);
    view! {
        <section class="confirmation" aria-labelledby="confirmation-title">
            <h2 id="confirmation-title">"You're going!"</h2>
            <dl>
                <dt>"Order code"</dt>
                <dd class="order-code">{booking.id.clone()}</dd>
                <dt>"Tickets"</dt>
                <dd class="order-tickets">
                    {format!("{} × {}", booking.quantity, booking.tier.display_name())}
                </dd>
                <dt>"Total"</dt>
                <dd class="order-total">{booking.total_cents.to_string()}</dd>
                <dt>"Booked at"</dt>
                <dd>{model::when::short_date_time(booking.created_at)}</dd>
            </dl>
            <p>"Keep this link to see your booking again: " <a href=link.clone()>{link.clone()}</a></p>
        </section>
    }
}
