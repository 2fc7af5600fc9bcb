//! The door over REST (pretix's check-in API is the model): the operator's scanner devices
//! (`/api/admin/devices`), a device's pairing (`POST /api/devices/pair`), the scan
//! (`POST /api/checkin/redeem`, with the device's token) and the counts (`GET /api/checkin/status`).
//!
//! A scan's answer is 200 whether the ticket is let in or turned away (`status` says which): the scanner
//! shows either. Only a scan that cannot be one (a garbled code, no nonce, a time far off) is a 4xx, and
//! nothing is recorded for it; a missing, wrong or revoked token is 401.

use super::{json_body::JsonBody, openapi::ErrorBody, ApiError};
use crate::{
    store::{devices, fingerprint, scan_key, NotADevice, Store},
    AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use chrono::{DateTime, TimeDelta, Utc};
use model::{DeviceRef, Direction, DoorListPage, Scan, ScanAnswer, ScanVerdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// How far ahead of the server's clock a scan's time may be (a device's clock drifts).
const AHEAD: TimeDelta = TimeDelta::minutes(5);
/// How old an offline scan uploaded now may be.
const BEHIND: TimeDelta = TimeDelta::days(7);

/// The scanners' routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pair))
        .routes(routes!(redeem))
        .routes(routes!(status))
        .routes(routes!(door_list))
}

/// The operator's routes (the admin router puts them behind its token).
pub fn admin_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_device, list_devices))
        .routes(routes!(revoke_device))
        .routes(routes!(set_door))
        .routes(routes!(conflicts))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DeviceBody {
    /// What door staff call it ("Door 1").
    #[schema(min_length = 1, max_length = 80)]
    name: String,
}

/// A new device and its one-time pairing code (shown only here), valid for a day.
#[derive(Serialize, ToSchema)]
struct NewDeviceView {
    id: i64,
    name: String,
    pairing_code: String,
    pairing_expires_at: DateTime<Utc>,
    /// The pairing code as a QR code (SVG) for the scanner page's camera: it reads `boxoffice-pair:<code>`.
    pairing_qr_svg: Option<String>,
}

/// Creates a scanner device; the answer carries its pairing code, which the device trades for its token.
#[utoipa::path(post, path = "/api/admin/devices", tag = "checkin", security(("admin_token" = [])),
    request_body = DeviceBody,
    responses((status = 201, body = NewDeviceView), (status = 401, body = ErrorBody), super::openapi::BodyErrors))]
async fn create_device(
    State(store): State<Store>,
    JsonBody(body): JsonBody<DeviceBody>,
) -> Result<(StatusCode, Json<NewDeviceView>), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > devices::MAX_DEVICE_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_name",
            message: format!("name must be 1 to {} characters of text", devices::MAX_DEVICE_NAME),
        });
    }
    let device = store.create_device(name.to_owned()).await?;
    let view = NewDeviceView {
        id: device.id,
        name: device.name,
        pairing_qr_svg: crate::qr::svg_for(&format!("{}{}", model::PAIRING_QR_PREFIX, device.pairing_code)),
        pairing_code: device.pairing_code,
        pairing_expires_at: device.pairing_expires_at,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// A device as the operator sees it (never its token or pairing code).
#[derive(Serialize, ToSchema)]
struct DeviceView {
    id: i64,
    name: String,
    created_at: DateTime<Utc>,
    paired_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_seen_at: Option<DateTime<Utc>>,
}

impl From<devices::Device> for DeviceView {
    fn from(d: devices::Device) -> DeviceView {
        DeviceView {
            id: d.id,
            name: d.name,
            created_at: d.created_at,
            paired_at: d.paired_at,
            revoked_at: d.revoked_at,
            last_seen_at: d.last_seen_at,
        }
    }
}

/// Every scanner device, newest first.
#[utoipa::path(get, path = "/api/admin/devices", tag = "checkin", security(("admin_token" = [])),
    responses((status = 200, body = Vec<DeviceView>), (status = 401, body = ErrorBody)))]
async fn list_devices(State(store): State<Store>) -> Result<Json<Vec<DeviceView>>, ApiError> {
    Ok(Json(store.devices().await?.into_iter().map(DeviceView::from).collect()))
}

/// Revokes a device: its token scans no more (401 `revoked_device`), its pairing code pairs no more.
#[utoipa::path(delete, path = "/api/admin/devices/{id}", tag = "checkin", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The device's id")),
    responses((status = 200, body = DeviceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_device(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<DeviceView>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    if !store.revoke_device(id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Json(store.device(id).await?.ok_or(ApiError::NotFound)?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PairBody {
    #[schema(max_length = 64)]
    pairing_code: String,
}

/// A paired device's token: shown only here; the device sends it as `Authorization: Bearer <token>`.
#[derive(Serialize, ToSchema)]
struct PairedView {
    device_id: i64,
    name: String,
    token: String,
}

/// Trades a pairing code for the device's token, once per code. An unknown, used, expired or revoked code
/// is one answer (404 `pairing_code_unknown`): a guess learns nothing.
#[utoipa::path(post, path = "/api/devices/pair", tag = "checkin", request_body = PairBody,
    responses((status = 201, body = PairedView), (status = 404, body = ErrorBody), super::openapi::BodyErrors))]
async fn pair(
    State(store): State<Store>,
    JsonBody(body): JsonBody<PairBody>,
) -> Result<(StatusCode, Json<PairedView>), ApiError> {
    let unknown = || ApiError::Refused {
        status: StatusCode::NOT_FOUND,
        code: "pairing_code_unknown",
        message: "that pairing code is not valid: it is used, expired or mistyped; ask for a new one".into(),
    };
    if body.pairing_code.len() > 64 {
        return Err(unknown());
    }
    let paired = store.pair_device(&body.pairing_code.to_ascii_uppercase()).await?.ok_or_else(unknown)?;
    Ok((StatusCode::CREATED, Json(PairedView { device_id: paired.device_id, name: paired.name, token: paired.token })))
}

fn revoked() -> ApiError {
    ApiError::Refused {
        status: StatusCode::UNAUTHORIZED,
        code: "revoked_device",
        message: "this device was revoked by the operator".into(),
    }
}

/// How a request's device is known: read each time (`Checked`), or from this instance's memory of tokens
/// (`ForScan`: only a scan, whose batch checks the device is still paired).
#[derive(Clone, Copy)]
enum Lookup {
    Checked,
    ForScan,
}

/// The device a request's `Authorization: Bearer <token>` names.
async fn device_of(store: &Store, headers: &HeaderMap, lookup: Lookup) -> Result<DeviceRef, ApiError> {
    let token = Some(super::admin::bearer(headers)).filter(|token| !token.is_empty() && token.len() <= 128);
    let unauthorized = |code: &'static str, message: &str| ApiError::Refused {
        status: StatusCode::UNAUTHORIZED,
        code,
        message: message.to_owned(),
    };
    let Some(token) = token else {
        return Err(unauthorized("unauthorized", "send the device's token as `Authorization: Bearer <token>`"));
    };
    let found = match lookup {
        Lookup::Checked => store.authenticate_device(token).await?,
        Lookup::ForScan => store.scanning_device(token).await?,
    };
    match found {
        Ok(device) => Ok(device),
        Err(NotADevice::Unknown) => {
            Err(unauthorized("unauthorized", "that is not a device's token: pair the device again"))
        }
        Err(NotADevice::Revoked) => Err(revoked()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RedeemBody {
    /// The ticket's code as scanned (its QR code's text).
    #[schema(max_length = 400)]
    ticket: String,
    concert_id: i64,
    /// Made by the scanner, new for every scan: a retry with the same nonce gets the first answer.
    #[schema(max_length = 64)]
    nonce: String,
    /// When it was scanned (RFC 3339); the server's clock when absent. At most 5 minutes ahead, 7 days back.
    #[serde(default)]
    scanned_at: Option<DateTime<Utc>>,
    /// Decided on the device while offline: recorded whatever the rules say now (a conflict if they disagree).
    #[serde(default)]
    offline: bool,
    #[serde(default)]
    direction: Direction,
}

/// Scans a ticket in (or out): exactly once, whichever devices and instances scan it at the same instant.
#[utoipa::path(post, path = "/api/checkin/redeem", tag = "checkin", security(("device_token" = [])),
    request_body = RedeemBody,
    responses((status = 200, body = ScanVerdict), (status = 401, body = ErrorBody, description = "`unauthorized` or `revoked_device`"),
              (status = 422, body = ErrorBody, description = "`invalid_ticket_code`, `invalid_nonce`, `invalid_scanned_at`, `idempotency_key_reused`"),
              super::openapi::BodyErrors))]
async fn redeem(
    State(store): State<Store>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RedeemBody>,
) -> Result<Json<ScanVerdict>, ApiError> {
    let device = device_of(&store, &headers, Lookup::ForScan).await?;
    let now = Utc::now();
    let scanned_at = body.scanned_at.unwrap_or(now);
    if scanned_at > now + AHEAD || scanned_at < now - BEHIND {
        return Err(ApiError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_scanned_at",
            message: "scanned_at must be within the last 7 days and not in the future: check the device's clock".into(),
        });
    }
    let scan = Scan::parse(&body.ticket, body.concert_id, &body.nonce, scanned_at, body.offline, body.direction)
        .map_err(|invalid| ApiError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: invalid.code(),
            message: invalid.to_string(),
        })?;
    // Over the scan as sent (a retry without a time is the same scan, whenever it comes).
    let fingerprint = fingerprint::scan(&scan, body.scanned_at);
    let key = scan_key(&device, &scan.nonce, fingerprint);
    let scan = scan.with_signature_checked(&[store.ticket_signer().public()]);
    match store.redeem(device, scan, key).await? {
        ScanAnswer::DeviceRevoked => Err(revoked()),
        answer => Ok(Json(answer.into())),
    }
}

/// A concert's figures at the door.
#[derive(Serialize, ToSchema)]
struct DoorStatus {
    concert_id: i64,
    tiers: Vec<crate::store::DoorFigures>,
}

/// Per tier: tickets sold, checked in, inside now, and conflicts from offline scans. For the concert's
/// scanner devices and the operator (either token).
#[utoipa::path(get, path = "/api/checkin/status", tag = "checkin", security(("device_token" = []), ("admin_token" = [])),
    params(super::concerts::ConcertQuery),
    responses((status = 200, body = DoorStatus), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Json<DoorStatus>, ApiError> {
    if state.admin_token.check(super::admin::bearer(&headers)).is_err() {
        device_of(&state.store, &headers, Lookup::Checked).await?;
    }
    let concert = concert_named(&state.store, &query).await?;
    Ok(Json(DoorStatus { concert_id: concert, tiers: state.store.door_figures(concert).await? }))
}

/// The concert the `concert` query parameter names (the default concert without one), checked to exist.
async fn concert_named(store: &Store, query: &[(String, String)]) -> Result<i64, ApiError> {
    let concert = super::concerts::concert_of(query)?.unwrap_or(store.default_event_id());
    Ok(store.concert_by_id(concert).await?.id)
}

/// The concert's tickets for a scanner's offline copy: all of them, or with `since` (the last answer's
/// `cursor`) those that changed after it. The device's token only (the copy holds the codes that get in).
#[utoipa::path(get, path = "/api/checkin/tickets", tag = "checkin", security(("device_token" = [])),
    params(super::concerts::ConcertQuery,
           ("since" = Option<i64>, Query, description = "The cursor of the last answer merged")),
    responses((status = 200, body = DoorListPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`invalid_since`")))]
async fn door_list(
    State(store): State<Store>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Json<DoorListPage>, ApiError> {
    device_of(&store, &headers, Lookup::Checked).await?;
    let concert = concert_named(&store, &query).await?;
    let since = match query.iter().find(|(name, _)| name == "since") {
        None => 0,
        Some((_, value)) => value.parse::<i64>().ok().filter(|since| *since >= 0).ok_or_else(|| ApiError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_since",
            message: "since must be the cursor of an earlier answer: a whole number, 0 or more".into(),
        })?,
    };
    Ok(Json(store.door_list(concert, since).await?))
}

/// The concert's conflicts from offline scans (a ticket let in offline although it was in already), newest
/// first, at most 200: each names the device that let it in and the ticket's first way in.
#[utoipa::path(get, path = "/api/admin/checkin/conflicts", tag = "checkin", security(("admin_token" = [])),
    params(super::concerts::ConcertQuery),
    responses((status = 200, body = Vec<crate::store::DoorConflict>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn conflicts(
    State(store): State<Store>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Json<Vec<crate::store::DoorConflict>>, ApiError> {
    let concert = concert_named(&store, &query).await?;
    Ok(Json(store.door_conflicts(concert).await?))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DoorSettings {
    /// `true`: a ticket that went out (an exit scan) may come back in; `false` (the default): one entry.
    reentry: bool,
}

/// Sets the concert's re-entry policy.
#[utoipa::path(put, path = "/api/admin/concerts/{id}/checkin", tag = "checkin", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The concert's id")), request_body = DoorSettings,
    responses((status = 200, body = DoorSettings), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              super::openapi::BodyErrors))]
async fn set_door(
    State(store): State<Store>,
    Path(id): Path<String>,
    JsonBody(settings): JsonBody<DoorSettings>,
) -> Result<Json<DoorSettings>, ApiError> {
    let concert: i64 = id.parse().map_err(|_| model::BookingError::ConcertNotFound)?;
    if !store.set_reentry(concert, settings.reentry).await? {
        return Err(model::BookingError::ConcertNotFound.into());
    }
    Ok(Json(settings))
}
