//! The page's calls to the server. Each is a thin hop: parse with the model's rules, hand to the backend.
//! Endpoints are named (not hashed) so logs and tests can refer to them.
//!
//! Steps that a rule may refuse (hold, pay, cancel, find) answer `Result<_, BookingError>` as data with a
//! 200: a refusal is an answer, not a failure of the call, and the page shows its text. `AppError` is left
//! for the call itself failing. Form fields arrive as optional text so that a missing or wrong value comes
//! back as the model's readable error rather than a decoding failure.

use crate::AppError;
use leptos::prelude::*;
use model::{BookingError, Concert, Hold, Order};

pub type Attempt<T> = Result<T, BookingError>;

#[cfg(feature = "ssr")]
fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

#[cfg(feature = "ssr")]
/// Splits a backend answer into a refusal (data) or a failure of the call.
fn answer<T>(result: Result<T, AppError>) -> Result<Attempt<T>, AppError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(AppError::Booking(refusal)) => Ok(Err(refusal)),
        Err(failure) => Err(failure),
    }
}

#[server(prefix = "/_fn", endpoint = "concert")]
pub async fn get_concert() -> Result<Concert, AppError> {
    crate::backend::backend()?.concert().await
}

#[server(prefix = "/_fn", endpoint = "hold")]
pub async fn place_hold(
    tier: Option<String>,
    quantity: Option<String>,
    name: Option<String>,
    email: Option<String>,
    submission: Option<String>,
) -> Result<Attempt<Hold>, AppError> {
    let request =
        match model::BookingRequest::from_page_form(&text(&tier), &text(&quantity), &text(&name), &text(&email)) {
            Ok(request) => request,
            Err(refusal) => return Ok(Err(refusal)),
        };
    let hold = answer(crate::backend::backend()?.place_hold(request, submission).await)?;
    if let Ok(hold) = &hold {
        redirect_plain_form_posts(&format!("/checkout/{}", hold.id));
    }
    Ok(hold)
}

#[server(prefix = "/_fn", endpoint = "get_hold")]
pub async fn get_hold(id: String) -> Result<Hold, AppError> {
    crate::backend::backend()?.hold(&id).await
}

#[server(prefix = "/_fn", endpoint = "pay")]
pub async fn pay_hold(
    hold: Option<String>,
    card_number: Option<String>,
    expiry: Option<String>,
    cvc: Option<String>,
    submission: Option<String>,
) -> Result<Attempt<Order>, AppError> {
    let today = chrono::Utc::now().date_naive();
    let card = match model::PaymentCard::parse(&text(&card_number), &text(&expiry), &text(&cvc), today) {
        Ok(card) => card,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let order = answer(crate::backend::backend()?.pay(&text(&hold), card, submission).await)?;
    if let Ok(order) = &order {
        redirect_plain_form_posts(&order.page_path());
    }
    Ok(order)
}

#[server(prefix = "/_fn", endpoint = "order")]
pub async fn get_order(code: String, secret: String) -> Result<Order, AppError> {
    crate::backend::backend()?.order(&code, &secret).await
}

#[server(prefix = "/_fn", endpoint = "cancel")]
pub async fn cancel_order(
    code: Option<String>,
    secret: Option<String>,
    submission: Option<String>,
) -> Result<Attempt<Order>, AppError> {
    let order = answer(crate::backend::backend()?.cancel(&text(&code), &text(&secret), submission).await)?;
    if let Ok(order) = &order {
        redirect_plain_form_posts(&order.page_path());
    }
    Ok(order)
}

/// "Find my order": answers only the order's address, never its content, to whoever knows code and email.
#[server(prefix = "/_fn", endpoint = "find_order")]
pub async fn find_order(code: Option<String>, email: Option<String>) -> Result<Attempt<String>, AppError> {
    let path = answer(crate::backend::backend()?.find_order(&text(&code), &text(&email)).await.map(|o| o.page_path()))?;
    if let Ok(path) = &path {
        redirect_plain_form_posts(path);
    }
    Ok(path)
}

/// Without JavaScript the browser posts the form itself and expects a page back: send it to the next step's
/// page. The page's own calls ask for JSON and navigate by themselves.
#[cfg(feature = "ssr")]
fn redirect_plain_form_posts(path: &str) {
    let accepts_html = use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT)?.to_str().ok().map(str::to_owned))
        .is_some_and(|accept| accept.contains("text/html"));
    if accepts_html {
        leptos_axum::redirect(path);
    }
}
