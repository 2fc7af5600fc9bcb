//! The page's calls to the server. Each is a thin hop: parse with the model's rules, hand to the backend.
//! Endpoints are named (not hashed) so logs and tests can refer to them.
//!
//! Steps that a rule may refuse (hold, pay, cancel, find) answer `Result<_, BookingError>` as data with a
//! 200: a refusal is an answer, not a failure of the call, and the page shows its text. `AppError` is left
//! for the call itself failing. Form fields arrive as optional text so that a missing or wrong value comes
//! back as the model's readable error rather than a decoding failure.

use crate::AppError;
use leptos::prelude::*;
use model::{BookingError, Concert, Hold, Order, QueuePlace};

pub type Attempt<T> = Result<T, BookingError>;

#[cfg(feature = "ssr")]
pub(crate) fn text(value: &Option<String>) -> String {
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
pub async fn get_concert(id: Option<i64>) -> Result<Concert, AppError> {
    crate::backend::backend()?.concert(id).await
}

#[server(prefix = "/_fn", endpoint = "seat_map")]
pub async fn get_seat_map(concert: i64) -> Result<Option<model::SeatMap>, AppError> {
    crate::backend::backend()?.seat_map(concert).await
}

#[server(prefix = "/_fn", endpoint = "concerts")]
pub async fn list_concerts() -> Result<Vec<Concert>, AppError> {
    crate::backend::backend()?.concerts().await
}

#[server(prefix = "/_fn", endpoint = "hold")]
pub async fn place_hold(
    concert: Option<String>,
    tier: Option<String>,
    quantity: Option<String>,
    name: Option<String>,
    email: Option<String>,
    /// The seats chosen on the map, their ids separated by commas (none: a quantity, or the best available).
    seats: Option<String>,
    submission: Option<String>,
) -> Result<Attempt<Hold>, AppError> {
    let seats: Vec<String> =
        text(&seats).split(',').map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned).collect();
    // With seats chosen, the quantity is their count.
    let quantity = if seats.is_empty() { text(&quantity) } else { seats.len().to_string() };
    let request = model::BookingRequest::from_page_form(&text(&tier), &quantity, &text(&name), &text(&email))
        .and_then(|request| request.for_seats(seats));
    let held = match request {
        Ok(request) => {
            // A concert id that is not a number names no concert.
            let concert = text(&concert);
            let concert = if concert.is_empty() { Ok(None) } else { concert.parse().map(Some) };
            match concert {
                Ok(concert) => crate::backend::backend()?.place_hold(request.for_concert(concert), submission).await,
                Err(_) => Err(model::BookingError::ConcertNotFound.into()),
            }
        }
        Err(refusal) => Err(refusal.into()),
    };
    let hold = answer(held)?;
    match &hold {
        Ok(hold) => redirect_plain_form_posts(&format!("/checkout/{}", hold.id)),
        refused => send_refusal_back(refused),
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
    let paid = match model::PaymentCard::parse(&text(&card_number), &text(&expiry), &text(&cvc), today) {
        Ok(card) => crate::backend::backend()?.pay(&text(&hold), card, submission).await,
        Err(refusal) => Err(refusal.into()),
    };
    let order = answer(paid)?;
    match &order {
        Ok(order) => redirect_plain_form_posts(&order.page_path()),
        refused => send_refusal_back(refused),
    }
    Ok(order)
}

/// Gives the hold back; without JavaScript the browser goes on to the concert's page.
#[server(prefix = "/_fn", endpoint = "release")]
pub async fn release_hold(hold: Option<String>, submission: Option<String>) -> Result<Attempt<Hold>, AppError> {
    let released = answer(crate::backend::backend()?.release(&text(&hold), submission).await)?;
    match &released {
        Ok(hold) => redirect_plain_form_posts(&format!("/concerts/{}", hold.concert.id)),
        refused => send_refusal_back(refused),
    }
    Ok(released)
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
    match &order {
        Ok(order) => redirect_plain_form_posts(&order.page_path()),
        refused => send_refusal_back(refused),
    }
    Ok(order)
}

/// "Find my order": answers only the order's address, never its content, to whoever knows code and email.
#[server(prefix = "/_fn", endpoint = "find_order")]
pub async fn find_order(code: Option<String>, email: Option<String>) -> Result<Attempt<String>, AppError> {
    let path = answer(crate::backend::backend()?.find_order(&text(&code), &text(&email)).await.map(|o| o.page_path()))?;
    match &path {
        Ok(path) => redirect_plain_form_posts(path),
        refused => send_refusal_back(refused),
    }
    Ok(path)
}

/// Joins a sold-out tier's waiting list; without JavaScript the browser goes back to the concert's page,
/// which reads the place from its address (`?waitlisted=`).
#[server(prefix = "/_fn", endpoint = "join_waitlist")]
pub async fn join_waitlist(
    concert: Option<String>,
    tier: Option<String>,
    quantity: Option<String>,
    name: Option<String>,
    email: Option<String>,
    submission: Option<String>,
) -> Result<Attempt<model::sale::Waiting>, AppError> {
    let request = model::BookingRequest::from_page_form(&text(&tier), &text(&quantity), &text(&name), &text(&email));
    let joined = match (request, text(&concert).parse::<i64>()) {
        (Ok(request), Ok(concert)) => {
            crate::backend::backend()?.join_waitlist(request.for_concert(Some(concert)), submission).await
        }
        (Err(refusal), _) => Err(refusal.into()),
        (_, Err(_)) => Err(BookingError::ConcertNotFound.into()),
    };
    let waiting = answer(joined)?;
    match (&waiting, plain_form_post()) {
        (Ok(waiting), Some(back)) => {
            leptos_axum::redirect(&format!("{back}?waitlisted={}&tier={}", waiting.place, waiting.tier.code()))
        }
        (refused, _) => send_refusal_back(refused),
    }
    Ok(waiting)
}

/// Find my orders: mails the address the links of its orders. The answer is the same whether or not it
/// has any; without JavaScript the browser comes back to `/orders?asked=1`, which says so.
#[server(prefix = "/_fn", endpoint = "find_orders")]
pub async fn find_orders(email: Option<String>) -> Result<Attempt<()>, AppError> {
    let asked = match model::BuyerEmail::parse(&text(&email)) {
        Ok(email) => crate::backend::backend()?.ask_for_orders(email.as_str()).await,
        Err(refusal) => Err(refusal.into()),
    };
    let asked = answer(asked)?;
    match &asked {
        Ok(()) => redirect_plain_form_posts("/orders?asked=1"),
        refused => send_refusal_back(refused),
    }
    Ok(asked)
}

/// Joins the concert's waiting room (keeping the place the visitor's cookie names, if any); without
/// JavaScript the browser goes on to the queue's page.
#[server(prefix = "/_fn", endpoint = "join_queue")]
pub async fn join_queue(concert: Option<String>) -> Result<Attempt<QueuePlace>, AppError> {
    let joined = match text(&concert).parse::<i64>() {
        Ok(concert) => crate::backend::backend()?.join_queue(concert).await,
        Err(_) => Err(BookingError::ConcertNotFound.into()),
    };
    let place = answer(joined)?;
    match &place {
        Ok(place) => redirect_plain_form_posts(&format!("/concerts/{}/queue", place.concert_id)),
        refused => send_refusal_back(refused),
    }
    Ok(place)
}

/// Where this browser's visitor stands in the concert's waiting room (`None`: not in it). Once admitted,
/// the answer also carries the pass (a cookie) the hold needs.
#[server(prefix = "/_fn", endpoint = "queue_place")]
pub async fn get_queue_place(concert: i64) -> Result<Option<QueuePlace>, AppError> {
    crate::backend::backend()?.queue_place(concert).await
}

/// Without JavaScript the browser posts the form itself and expects a page back: send it to the next step's
/// page. The page's own calls ask for JSON and navigate by themselves.
#[cfg(feature = "ssr")]
fn redirect_plain_form_posts(path: &str) {
    if plain_form_post().is_some() {
        leptos_axum::redirect(path);
    }
}

/// A refusal of a plain form post goes back to the form's page with its code in `?error=`, which the page
/// shows, in the shop's words for that code, where the JavaScript version shows it.
#[cfg(feature = "ssr")]
fn send_refusal_back<T>(attempt: &Attempt<T>) {
    if let (Err(refusal), Some(back)) = (attempt, plain_form_post()) {
        leptos_axum::redirect(&format!("{back}?{}", refusal.to_query()));
    }
}

/// Where a plain form post (the browser posting the form itself, wanting HTML back) returns to: the page it
/// came from, if this is one.
#[cfg(feature = "ssr")]
fn plain_form_post() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let accept = parts.headers.get(http::header::ACCEPT)?.to_str().ok()?;
    if !accept.contains("text/html") {
        return None;
    }
    let header = |name| parts.headers.get(name).and_then(|value: &http::HeaderValue| value.to_str().ok());
    Some(own_page(header(http::header::REFERER), header(http::header::HOST)))
}

/// The path of the page in `referer` if that page is on this site (its authority is the request's `Host`),
/// else `/`: a redirect from here only ever leads to this site, never to another host, and never to a
/// `//host` path that a browser would read as one.
#[cfg(feature = "ssr")]
fn own_page(referer: Option<&str>, host: Option<&str>) -> String {
    let Some(uri) = referer.and_then(|referer| referer.parse::<http::Uri>().ok()) else { return "/".to_owned() };
    let ours = uri.authority().is_some_and(|authority| host.is_some_and(|host| authority.as_str() == host));
    let path = uri.path();
    if ours && path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}
