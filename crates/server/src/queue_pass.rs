//! The waiting room's pass: a token this shop signs (JWT, HS256, via `jsonwebtoken`) when a visitor is
//! admitted, naming the concert, the visitor, their place and the end of their buying window. A program
//! sends it as `Queue-Token`; the page keeps it in an `HttpOnly` cookie per concert. Here it is only read
//! and checked; whether it admits a hold or booking is the engine's rule (`model::sale` `queue.rs`), so
//! the API and the page's server functions cannot differ.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use model::Admission;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The request header a program sends its pass in.
pub const HEADER: &str = "queue-token";
/// Shortest signing key taken from the environment.
pub const MIN_KEY_CHARS: usize = 32;

/// The page's cookie holding its pass for `concert`.
pub fn pass_cookie(concert: i64) -> String {
    format!("boxoffice_queue_pass_{concert}")
}

/// The page's cookie holding who it is in the queue of `concert`.
pub fn visitor_cookie(concert: i64) -> String {
    format!("boxoffice_queue_visitor_{concert}")
}

/// A cookie only this shop's pages send back, never readable by a script.
pub fn cookie(name: String, value: &str, until: Option<DateTime<Utc>>) -> axum::http::HeaderValue {
    let mut cookie = cookie::Cookie::build((name, value.to_owned()))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(cookie::SameSite::Lax);
    if let Some(until) = until {
        let seconds = (until - chrono::Utc::now()).num_seconds().max(0);
        cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
    }
    axum::http::HeaderValue::from_str(&cookie.build().to_string()).expect("a cookie of visible ASCII")
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The visitor.
    sub: String,
    concert: i64,
    place: u64,
    /// The end of the buying window, in seconds since the epoch (JWT's `exp`).
    exp: i64,
}

/// Signs and reads passes; cheap to clone.
#[derive(Clone)]
pub struct QueuePasses(Arc<Keys>);

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for QueuePasses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueuePasses(…)")
    }
}

impl QueuePasses {
    pub fn new(secret: &str) -> QueuePasses {
        let mut validation = Validation::new(Algorithm::HS256);
        // The engine compares the window's end with the batch's moment itself, so an expired pass is told
        // apart from a forged one (`queue_token_expired`, not `queue_token_invalid`).
        validation.validate_exp = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        QueuePasses(Arc::new(Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        }))
    }

    /// A pass for `visitor` at `place` in the queue of `concert`, valid until `expires_at` (to the second,
    /// rounded down).
    pub fn issue(&self, concert: i64, visitor: &str, place: u64, expires_at: DateTime<Utc>) -> String {
        let claims = Claims { sub: visitor.to_owned(), concert, place, exp: expires_at.timestamp() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.0.encoding).expect("HS256 signs any claims")
    }

    /// What `token` shows: missing, forged (any token this shop did not sign, or cannot read), or signed.
    pub fn read(&self, token: Option<&str>) -> Admission {
        let Some(token) = token else { return Admission::Missing };
        match decode::<Claims>(token, &self.0.decoding, &self.0.validation) {
            Ok(data) => match DateTime::from_timestamp(data.claims.exp, 0) {
                Some(expires_at) => Admission::Signed {
                    concert: data.claims.concert,
                    visitor: data.claims.sub,
                    place: data.claims.place,
                    expires_at,
                },
                None => Admission::Forged,
            },
            Err(_) => Admission::Forged,
        }
    }
}

/// Where a request's pass may be: its `Queue-Token` header, or the page's cookie for the concert.
#[derive(Debug, Default)]
pub struct PassSources {
    header: Option<String>,
    cookies: Vec<(String, String)>,
}

impl PassSources {
    pub fn of(headers: &axum::http::HeaderMap) -> PassSources {
        let header = headers.get(HEADER).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned());
        let cookies = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|line| cookie::Cookie::split_parse(line.to_owned()).flatten().collect::<Vec<_>>())
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect();
        PassSources { header, cookies }
    }

    /// The pass for `concert`: the header if sent, else the page's cookie.
    pub fn for_concert(&self, concert: i64) -> Option<&str> {
        self.header.as_deref().or_else(|| self.cookie(&pass_cookie(concert)))
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Most characters a `Queue-Token` header may have (a pass is about 250).
pub const MAX_HEADER_CHARS: usize = 4096;

/// The API's extractor: a `Queue-Token` header that cannot be a pass (too long, not visible ASCII, sent
/// twice) is refused with 400 `invalid_queue_token` whether or not the concert has a room, as the OpenAPI
/// document says; the cookies are the page's.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PassSources {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(HEADER).iter();
        let (first, second) = (values.next(), values.next());
        let readable = first.and_then(|v| v.to_str().ok()).map(str::trim);
        let valid = readable
            .is_some_and(|v| !v.is_empty() && v.len() <= MAX_HEADER_CHARS && v.bytes().all(|b| b.is_ascii_graphic()));
        if first.is_some() && (second.is_some() || !valid) {
            use axum::response::IntoResponse;
            let body = serde_json::json!({
                "error": "invalid_queue_token",
                "message": format!("send one Queue-Token header of 1 to {MAX_HEADER_CHARS} visible ASCII characters"),
            });
            return Err((axum::http::StatusCode::BAD_REQUEST, axum::Json(body)).into_response());
        }
        Ok(PassSources::of(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_reads_back_signed_and_anything_else_is_forged_or_missing() {
        let passes = QueuePasses::new("a signing key of at least thirty-two characters");
        let ends = DateTime::from_timestamp(2_000_000_000, 0).unwrap();
        let pass = passes.issue(7, "v_1", 3, ends);
        assert_eq!(
            passes.read(Some(&pass)),
            Admission::Signed { concert: 7, visitor: "v_1".into(), place: 3, expires_at: ends }
        );
        assert_eq!(passes.read(None), Admission::Missing);
        assert_eq!(passes.read(Some("not a token")), Admission::Forged);
        // Signed with another key, or altered: forged.
        let other = QueuePasses::new("another signing key, thirty-two characters long").issue(7, "v_1", 3, ends);
        assert_eq!(passes.read(Some(&other)), Admission::Forged);
        let mut altered = pass.clone();
        altered.insert(altered.len() - 2, 'x');
        assert_eq!(passes.read(Some(&altered)), Admission::Forged);
        // An expired pass still reads as signed: the engine says it expired.
        let old = passes.issue(7, "v_1", 3, DateTime::from_timestamp(1_000, 0).unwrap());
        assert!(matches!(passes.read(Some(&old)), Admission::Signed { .. }));
    }

    #[test]
    fn the_header_comes_before_the_cookie_and_each_concert_has_its_own() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "a=1; boxoffice_queue_pass_2=two; boxoffice_queue_pass_3=three".parse().unwrap(),
        );
        let sources = PassSources::of(&headers);
        assert_eq!(sources.for_concert(2), Some("two"));
        assert_eq!(sources.for_concert(4), None);
        headers.insert(HEADER, "header".parse().unwrap());
        assert_eq!(PassSources::of(&headers).for_concert(3), Some("header"));
    }
}
