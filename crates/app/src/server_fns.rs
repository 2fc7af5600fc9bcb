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

/// What a booking attempt from the page comes to: booked, or refused by a rule (sold out, a wrong
/// quantity…). Refusals are answers, not failures of the call, so they travel as data with a 200 and
/// `AppError` is left for the call itself failing.
pub type BookingAttempt = Result<Booking, model::BookingError>;

/// Books from the page's form. Every field arrives as text (and may be absent, as an unchosen radio
/// button is) so that a wrong value comes back as the model's readable error rather than a decoding failure.
#[server(prefix = "/_fn", endpoint = "book")]
pub async fn book_tickets(
    tier: Option<String>,
    quantity: Option<String>,
    name: Option<String>,
    email: Option<String>,
) -> Result<BookingAttempt, AppError> {
    let field = |value: &Option<String>| value.clone().unwrap_or_default();
    let request =
        match model::BookingRequest::from_page_form(&field(&tier), &field(&quantity), &field(&name), &field(&email)) {
            Ok(request) => request,
            Err(refusal) => return Ok(Err(refusal)),
        };
    match crate::backend::backend()?.book(request).await {
        Ok(booking) => {
            redirect_plain_form_posts(&booking);
            Ok(Ok(booking))
        }
        Err(AppError::Booking(refusal)) => Ok(Err(refusal)),
        Err(failure) => Err(failure),
    }
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
