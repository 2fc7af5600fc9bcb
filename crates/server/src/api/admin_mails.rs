//! `GET /api/admin/mails`: the outbox as the operator watches it: how many mails are queued, being sent,
//! sent, waiting for another try or given up, and the newest with why the last try failed.

use super::{
    admin::{recent_limit, Pairs, Recent},
    openapi::ErrorBody,
    ApiError,
};
use crate::{store::outbox::MailLine, store::Store, AppState};
use axum::{
    extract::{Query, State},
    Json,
};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(mails))
}

#[derive(Serialize, ToSchema)]
struct Mails {
    /// Mails in each state: `queued`, `sending`, `sent`, `retrying`, `failed` (every state, 0 included).
    counts: BTreeMap<&'static str, i64>,
    /// The newest first.
    recent: Vec<MailLine>,
}

/// The buyers' mails: counts by state and the newest.
#[utoipa::path(get, path = "/api/admin/mails", tag = "admin", security(("admin_token" = [])),
    params(Recent),
    responses((status = 200, body = Mails), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mails(State(store): State<Store>, Query(query): Query<Pairs>) -> Result<Json<Mails>, ApiError> {
    let limit = recent_limit(&query)?;
    let counts = store.mail_counts().await?.into_iter().map(|(status, count)| (status.code(), count)).collect();
    Ok(Json(Mails { counts, recent: store.recent_mails(i64::from(limit)).await? }))
}
