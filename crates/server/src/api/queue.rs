//! The waiting room over REST: `POST /api/concerts/{id}/queue` joins it, `GET /api/concerts/{id}/queue/{visitor}`
//! tells where the visitor stands and, once admitted, hands them their pass.
//!
//! The page keeps who it is and its pass in `HttpOnly` cookies (so a script on the page cannot read the
//! pass); a program keeps the visitor id and sends the pass as `Queue-Token`.

use super::{concerts::concert_id, openapi::ErrorBody, ApiError};
use crate::{
    queue_pass::{cookie, pass_cookie, visitor_cookie, PassSources, QueuePasses},
    store::Store,
    AppState,
};
use axum::{
    extract::{Path, State},
    http::{header::SET_COOKIE, HeaderMap, StatusCode},
    Json,
};
use chrono::{DateTime, Utc};
use model::{QueuePlace, QueueStatus};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(join_queue)).routes(routes!(show_place))
}

/// A visitor's place, with their pass once admitted.
#[derive(Serialize, ToSchema)]
struct PlaceWithPass {
    #[serde(flatten)]
    place: QueuePlace,
    /// The pass, once admitted and while the window runs: send it as `Queue-Token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_expires_at: Option<DateTime<Utc>>,
}

/// Joins the concert's waiting room: from `prequeue_minutes` before its sales open (the pre-queue, placed
/// by lot at the opening), or after (placed in arrival order). Joining again with the visitor's cookie
/// keeps the place.
#[utoipa::path(post, path = "/api/concerts/{id}/queue", tag = "waiting room",
    params(("id" = String, Path, description = "The concert's id")),
    responses((status = 201, body = QueuePlace, description = "Joined"),
              (status = 200, body = QueuePlace, description = "Already in the queue: the same place"),
              (status = 404, body = ErrorBody, description = "No such concert, or it has no waiting room"),
              (status = 409, body = ErrorBody, description = "The waiting room has not opened yet (`opens_at`)"),
              (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn join_queue(
    State(store): State<Store>,
    sources: PassSources,
    Path(id): Path<String>,
) -> Result<(StatusCode, HeaderMap, Json<QueuePlace>), ApiError> {
    let concert = concert_id(&id)?;
    let known = sources.cookie(&visitor_cookie(concert)).map(str::to_owned);
    let place = store.join_queue(concert, known.clone()).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SET_COOKIE,
        cookie(visitor_cookie(concert), &place.visitor, Some(place.sales_open_at + chrono::Duration::days(1))),
    );
    let status = if known.as_deref() == Some(place.visitor.as_str()) { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, headers, Json(place)))
}

/// Where the visitor stands: their place (none in the pre-queue until the opening), how many are ahead,
/// and once admitted their pass, valid until their buying window ends.
#[utoipa::path(get, path = "/api/concerts/{id}/queue/{visitor}", tag = "waiting room",
    params(("id" = String, Path, description = "The concert's id"), ("visitor" = String, Path, description = "The visitor's id")),
    responses((status = 200, body = PlaceWithPass), super::openapi::LookupErrors))]
async fn show_place(
    State(store): State<Store>,
    State(passes): State<QueuePasses>,
    Path((id, visitor)): Path<(String, String)>,
) -> Result<(HeaderMap, Json<PlaceWithPass>), ApiError> {
    let concert = concert_id(&id)?;
    let place = store.queue_place(concert, &visitor, Utc::now()).await?;
    let mut headers = HeaderMap::new();
    let (token, token_expires_at) = match (place.status, place.place, place.window_ends_at) {
        (QueueStatus::Admitted, Some(number), Some(ends)) => {
            let token = passes.issue(concert, &visitor, number, ends);
            headers.insert(SET_COOKIE, cookie(pass_cookie(concert), &token, Some(ends)));
            (Some(token), Some(ends))
        }
        _ => (None, None),
    };
    Ok((headers, Json(PlaceWithPass { place, token, token_expires_at })))
}
