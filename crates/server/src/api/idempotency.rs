//! The `Idempotency-Key` header of mutating requests: read, checked, and claimed while the request runs.
//!
//! Same key, same request → the stored answer (replayed by the store); same key, another request → 422;
//! same key while the first request is still running → 409.

use super::ApiError;
use crate::store::{IdempotencyKey, InFlightGuard, Store};
use axum::{extract::FromRequestParts, http::request::Parts, http::StatusCode};

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;

/// The header's value, if the request has one.
pub struct KeyHeader(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for KeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(HEADER).iter();
        let Some(value) = values.next() else { return Ok(KeyHeader(None)) };
        if values.next().is_some() {
            // Taking the first (or the last) would guess which request the client meant to retry.
            return Err(ApiError::BadBody {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_idempotency_key",
                message: "send one Idempotency-Key header, not several".to_owned(),
            });
        }
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_CHARS && k.bytes().all(|b| b.is_ascii_graphic()));
        match key {
            Some(key) => Ok(KeyHeader(Some(key.to_owned()))),
            None => Err(ApiError::BadBody {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_idempotency_key",
                message: format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
            }),
        }
    }
}

impl KeyHeader {
    /// Claims the key for `scope` and the request's `fingerprint`. The guard keeps it in flight until
    /// dropped; a key already in flight is refused with 409.
    pub fn claim(
        self,
        store: &Store,
        scope: &'static str,
        fingerprint: String,
    ) -> Result<(Option<IdempotencyKey>, Option<InFlightGuard>), ApiError> {
        let Some(key) = self.0 else { return Ok((None, None)) };
        let key = IdempotencyKey { scope, key, fingerprint };
        let guard = store.in_flight().claim(&key).ok_or(ApiError::KeyInFlight)?;
        Ok((Some(key), Some(guard)))
    }
}
