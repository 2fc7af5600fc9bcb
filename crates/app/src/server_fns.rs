//! The page's calls to the server. Each is a thin hop: parse with the model's rules, hand to the backend.
//! Endpoints are named (not hashed) so logs and tests can refer to them.

use crate::AppError;
use leptos::prelude::*;
use model::{Booking, Concert};

#[server(prefix = "/_fn", endpoint = "concert")]
pub async fn get_concert() -> Result<Concert, AppError> {
    crate::backend::backend()?.concert().await
}

#[server(prefix = "/_fn", endpoint = "booking")]
pub async fn get_booking(id: String) -> Result<Booking, AppError> {
    crate::backend::backend()?.booking(&id).await
}

/// Books from the page's form. Every field arrives as text so that a wrong value comes back as the
/// model's readable error rather than a decoding failure.
#[server(prefix = "/_fn", endpoint = "book")]
pub async fn book_tickets(tier: String, quantity: String, name: String, email: String) -> Result<Booking, AppError> {
    let request = model::BookingRequest::from_page_form(&tier, &quantity, &name, &email)?;
    let booking = crate::backend::backend()?.book(request).await?;
    redirect_plain_form_posts(&booking);
    Ok(booking)
}

/// Without JavaScript the browser posts the form itself and expects a page back: send it to the booking's
/// own page, which is also the address the buyer can come back to. The page's own calls ask for JSON.
#[cfg(feature = "ssr")]
fn redirect_plain_form_posts(booking: &Booking) {
    let accepts_html = use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT)?.to_str().ok().map(str::to_owned))
        .is_some_and(|accept| accept.contains("text/html"));
    if accepts_html {
        leptos_axum::redirect(&format!("/bookings/{}", booking.id));
    }
}
