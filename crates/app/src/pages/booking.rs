//! `/bookings/:id`: a booking looked up again by its order code.

use crate::{components::BookingSummary, server_fns::get_booking};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BookingPage() -> impl IntoView {
    let params = use_params_map();
    let booking = Resource::new(move || params.read().get("id").unwrap_or_default(), get_booking);
    view! {
        <main class="page">
            <p><a href="/">"← All tickets"</a></p>
            <Suspense fallback=|| view! { <p>"Looking up your booking…"</p> }>
                {move || Suspend::new(async move {
                    match booking.await {
                        Ok(booking) => view! { <BookingSummary booking /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
