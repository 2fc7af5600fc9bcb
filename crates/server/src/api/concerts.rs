//! `GET /api/concerts` and `GET /api/concerts/{id}`: every concert on sale, or one, with live availability.

use super::{openapi::ErrorBody, ApiError};
use crate::{store::Store, AppState};
use axum::{
    extract::{Path, State},
    Json,
};
use model::{BookingError, Concert};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_concerts)).routes(routes!(show_concert))
}

/// Every concert on sale (not yet started) with its tiers: the default concert first, then by date.
#[utoipa::path(get, path = "/api/concerts", tag = "catalog",
    responses((status = 200, body = Vec<Concert>), (status = 503, body = ErrorBody)))]
async fn list_concerts(State(store): State<Store>) -> Result<Json<Vec<Concert>>, ApiError> {
    Ok(Json(store.concerts().await?))
}

/// One concert with its tiers and their live availability.
#[utoipa::path(get, path = "/api/concerts/{id}", tag = "catalog", params(("id" = String, Path, description = "The concert's id")),
    responses((status = 200, body = Concert), super::openapi::LookupErrors))]
async fn show_concert(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Concert>, ApiError> {
    Ok(Json(store.listed_concert(concert_id(&id)?).await?))
}

/// The `concert` query parameter of the routes that act on one concert.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents what `concert_of` reads
pub(super) struct ConcertQuery {
    /// The concert's id; the default concert when left out.
    concert: Option<i64>,
}

/// The `concert` query parameter: absent, or a concert id (anything else names no concert: 404).
/// A concert id in a path, read as text so that `/api/concerts/abc` is a 404 like any unknown concert, not
/// a decoder's 400.
pub(super) fn concert_id(text: &str) -> Result<i64, ApiError> {
    Ok(text.parse().map_err(|_| BookingError::ConcertNotFound)?)
}

pub(super) fn concert_of(query: &[(String, String)]) -> Result<Option<i64>, ApiError> {
    match query.iter().rev().find(|(name, _)| name == "concert") {
        None => Ok(None),
        Some((_, text)) => Ok(Some(text.parse().map_err(|_| BookingError::ConcertNotFound)?)),
    }
}
