//! The admin page's calls to the server. Each sends the operator's token in its body (never in a URL, so it
//! stays out of logs) and the server checks it before anything else.
//!
//! A wrong token or a refused change is an answer, not a failure of the call: it comes back as data
//! (`Ok(Err(..))`) with a 200, and the page shows its text, as in `server_fns.rs`.

use crate::AppError;
use leptos::prelude::*;
use model::{Concert, ConcertSales};

/// What an admin call came to: done, or refused (wrong token, broken rule) with the reason.
pub type AdminAttempt<T> = Result<T, AppError>;

/// Splits a backend answer into a refusal (data) or a failure of the call.
#[cfg(feature = "ssr")]
fn answer<T>(result: Result<T, AppError>) -> Result<AdminAttempt<T>, AppError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(refusal @ (AppError::Booking(_) | AppError::AdminDenied(_) | AppError::NotFound)) => Ok(Err(refusal)),
        Err(failure) => Err(failure),
    }
}

#[server(prefix = "/_fn", endpoint = "admin_overview")]
pub async fn admin_overview(token: String) -> Result<AdminAttempt<Vec<ConcertSales>>, AppError> {
    answer(crate::backend::admin()?.overview(&token).await)
}

/// Prices are in dollars and a tier left without a capacity is not offered.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/_fn", endpoint = "admin_create_concert")]
pub async fn admin_create_concert(
    token: String,
    name: Option<String>,
    venue: Option<String>,
    time_zone: Option<String>,
    starts_at: Option<String>,
    sales_open_at: Option<String>,
    vip_price: Option<String>,
    vip_capacity: Option<String>,
    front_row_price: Option<String>,
    front_row_capacity: Option<String>,
    general_price: Option<String>,
    general_capacity: Option<String>,
) -> Result<AdminAttempt<Concert>, AppError> {
    use crate::server_fns::text;
    let tiers = [
        ("vip", &vip_price, &vip_capacity),
        ("front_row", &front_row_price, &front_row_capacity),
        ("general", &general_price, &general_capacity),
    ];
    let offers = tiers
        .into_iter()
        .filter(|(_, _, capacity)| !text(capacity).trim().is_empty())
        .map(|(tier, price, capacity)| {
            let capacity = text(capacity).trim().parse::<i64>().map_err(|_| {
                model::BookingError::ConcertInvalid(format!(
                    "the capacity of {} must be a whole number",
                    model::Tier::parse(tier).map(|t| t.display_name()).unwrap_or(tier)
                ))
            })?;
            Ok(model::TierOffer { tier, price_cents: model::parse_dollars(&text(price))?, capacity })
        })
        .collect::<Result<Vec<_>, model::BookingError>>();
    // The form's times are the venue's wall-clock times.
    let zone = model::parse_time_zone(&text(&time_zone));
    let now = chrono::Utc::now();
    answer(
        match zone
            .and_then(|zone| {
                let starts_at = model::parse_start_in(&text(&starts_at), zone);
                model::NewConcert::parse(
                    &text(&name),
                    &text(&venue),
                    starts_at,
                    offers.as_deref().map_err(Clone::clone),
                    now,
                )
                .map(|concert| concert.in_time_zone(zone))
                .map(|concert| (concert, zone))
            })
            .and_then(|(concert, zone)| {
                // Left empty: on sale at once.
                let opens = Some(text(&sales_open_at))
                    .filter(|at| !at.trim().is_empty())
                    .map(|at| model::parse_start_in(&at, zone));
                concert.opening_at(opens)
            }) {
            Ok(concert) => crate::backend::admin()?.create_concert(&token, concert).await,
            Err(refusal) => Err(refusal.into()),
        },
    )
}

#[server(prefix = "/_fn", endpoint = "admin_set_capacity")]
pub async fn admin_set_capacity(
    token: String,
    concert: i64,
    tier: String,
    capacity: String,
) -> Result<AdminAttempt<()>, AppError> {
    let capacity = capacity.trim().parse::<u32>().ok().filter(|c| *c <= model::MAX_TIER_CAPACITY).ok_or_else(|| {
        model::BookingError::ConcertInvalid(format!(
            "capacity must be a whole number from 0 to {}",
            model::MAX_TIER_CAPACITY
        ))
    });
    answer(match (model::Tier::parse(&tier), capacity) {
        (Ok(tier), Ok(capacity)) => crate::backend::admin()?.set_capacity(&token, concert, tier, capacity).await,
        (Err(refusal), _) | (_, Err(refusal)) => Err(refusal.into()),
    })
}

#[server(prefix = "/_fn", endpoint = "admin_set_on_sale")]
pub async fn admin_set_on_sale(
    token: String,
    concert: i64,
    tier: String,
    on_sale: bool,
) -> Result<AdminAttempt<()>, AppError> {
    answer(match model::Tier::parse(&tier) {
        Ok(tier) => crate::backend::admin()?.set_on_sale(&token, concert, tier, on_sale).await,
        Err(refusal) => Err(refusal.into()),
    })
}

#[server(prefix = "/_fn", endpoint = "admin_orders_csv")]
pub async fn admin_orders_csv(token: String, concert: i64) -> Result<AdminAttempt<String>, AppError> {
    answer(crate::backend::admin()?.orders_csv(&token, concert).await)
}

#[server(prefix = "/_fn", endpoint = "admin_live")]
pub async fn admin_live(token: String, concert: i64) -> Result<AdminAttempt<model::LiveSales>, AppError> {
    answer(crate::backend::admin()?.live_sales(&token, concert).await)
}

/// The room's rate and cap as the operator typed them (an empty cap: none); the rest stays.
#[server(prefix = "/_fn", endpoint = "admin_set_waiting_room")]
pub async fn admin_set_waiting_room(
    token: String,
    concert: i64,
    room: model::WaitingRoom,
    rate: String,
    max_buying: String,
) -> Result<AdminAttempt<model::WaitingRoom>, AppError> {
    let invalid = |what: &str| model::BookingError::ConcertInvalid(what.to_owned());
    let rate = rate.trim().parse::<u32>().map_err(|_| invalid("the rate must be a whole number of visitors a minute"));
    let max_buying = match max_buying.trim() {
        "" => Ok(None),
        text => text.parse::<u32>().map(Some).map_err(|_| invalid("the cap must be a whole number, or empty for none")),
    };
    answer(match (rate, max_buying) {
        (Ok(rate_per_minute), Ok(max_buying)) => {
            let room = model::WaitingRoom { rate_per_minute, max_buying, ..room };
            crate::backend::admin()?.set_waiting_room(&token, concert, room).await
        }
        (Err(refusal), _) | (_, Err(refusal)) => Err(refusal.into()),
    })
}

/// A seating plan pasted as JSON (pretix's format): its seats per tier, or the first problem with it.
#[server(prefix = "/_fn", endpoint = "admin_set_seating")]
pub async fn admin_set_seating(
    token: String,
    concert: i64,
    plan: String,
) -> Result<AdminAttempt<Vec<(model::Tier, u32)>>, AppError> {
    answer(crate::backend::admin()?.set_seating(&token, concert, &plan).await)
}

#[server(prefix = "/_fn", endpoint = "admin_set_seat_blocked")]
pub async fn admin_set_seat_blocked(
    token: String,
    concert: i64,
    seat: String,
    blocked: bool,
) -> Result<AdminAttempt<()>, AppError> {
    answer(crate::backend::admin()?.set_seat_blocked(&token, concert, seat.trim().to_owned(), blocked).await)
}

/// A concert's new name, venue, time zone and start (the venue's time), and the prices (dollars) of tiers whose field was sent: a
/// tier with buyers has its price field disabled, so it is not sent and keeps its price.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/_fn", endpoint = "admin_edit_concert")]
pub async fn admin_edit_concert(
    token: String,
    concert: i64,
    name: Option<String>,
    venue: Option<String>,
    time_zone: Option<String>,
    starts_at: Option<String>,
    vip_price: Option<String>,
    front_row_price: Option<String>,
    general_price: Option<String>,
) -> Result<AdminAttempt<Concert>, AppError> {
    use crate::server_fns::text;
    let prices = [("vip", vip_price), ("front_row", front_row_price), ("general", general_price)]
        .into_iter()
        .filter_map(|(tier, price)| price.map(|price| (tier, price)))
        .map(|(tier, price)| Ok(model::PriceOffer { tier, price_cents: model::parse_dollars(&price)? }))
        .collect::<Result<Vec<_>, model::BookingError>>();
    let edit = prices.and_then(|prices| {
        let zone = model::parse_time_zone(&text(&time_zone))?;
        model::ConcertEdit::parse(
            &text(&name),
            &text(&venue),
            model::parse_start_in(&text(&starts_at), zone),
            &prices,
            chrono::Utc::now(),
        )
        .map(|edit| edit.in_time_zone(zone))
    });
    answer(match edit {
        Ok(edit) => crate::backend::admin()?.change_concert(&token, model::ConcertChange::Edit(concert, edit)).await,
        Err(refusal) => Err(refusal.into()),
    })
}

/// Puts a concert on the shop (`true`) or takes it off.
#[server(prefix = "/_fn", endpoint = "admin_set_published")]
pub async fn admin_set_published(
    token: String,
    concert: i64,
    published: bool,
) -> Result<AdminAttempt<Concert>, AppError> {
    answer(crate::backend::admin()?.change_concert(&token, model::ConcertChange::Publish(concert, published)).await)
}
