//! What a keyed request asked, as the digest its idempotency key is stored with: the same key with the same
//! request replays the stored answer, with any other request it is refused. The API and the page's forms
//! take their fingerprints from here, so one request is one fingerprint whichever way it came.
//!
//! Each is SHA-256 over the request's fields, named, in a fixed order, as a JSON array (so no value can run
//! into the next). Every field and path parameter is in it, the order's secret included: only the digest is
//! stored, and a 128-bit secret cannot be found from its digest. Card data is the one exception: card
//! numbers and CVCs are few enough to be found from a digest by trying them all (and a CVC may not be kept
//! in any form), so a payment's fingerprint has what is stored anyway (the last four digits) and the
//! expiry, beside the hold's id, itself a secret.

use model::{BookingRequest, PaymentCard};
use sha2::{Digest, Sha256};

/// A one-step booking: `POST /api/bookings`.
pub fn booking(request: &BookingRequest) -> String {
    digest(&with_seats(
        request,
        vec![
            ("concert_id", request.concert_id.map(|id| id.to_string()).unwrap_or_default()),
            ("user_id", request.user_id.as_str().to_owned()),
            ("tier", request.tier.code().to_owned()),
            ("quantity", request.quantity.get().to_string()),
        ],
    ))
}

/// A hold: `POST /api/holds`, the page's hold form.
pub fn hold(request: &BookingRequest) -> String {
    digest(&with_seats(
        request,
        vec![
            ("concert_id", request.concert_id.map(|id| id.to_string()).unwrap_or_default()),
            ("tier", request.tier.code().to_owned()),
            ("quantity", request.quantity.get().to_string()),
            ("email", request.user_id.as_str().to_owned()),
            ("name", request.buyer_name.as_ref().map(|name| name.as_str().to_owned()).unwrap_or_default()),
        ],
    ))
}

/// The request's seats, if it names any: added only then, so that a request without seats keeps the
/// fingerprint it had before seats existed (its key's stored answer still replays).
fn with_seats<'a>(request: &BookingRequest, mut fields: Vec<(&'a str, String)>) -> Vec<(&'a str, String)> {
    if !request.seats.is_empty() {
        fields.push(("seats", serde_json::to_string(&request.seats).expect("strings always serialise")));
    }
    fields
}

/// A hold's payment: `POST /api/holds/{id}/payment`, the page's payment form.
pub fn payment(hold_id: &str, card: &PaymentCard) -> String {
    let (month, year) = card.expiry;
    digest(&[
        ("hold", hold_id.to_owned()),
        ("card_last4", card.number.last4().to_owned()),
        ("expiry", format!("{month:02}/{year}")),
    ])
}

/// A hold given back: `POST /api/holds/{id}/release`, the checkout page's button.
pub fn release(hold_id: &str) -> String {
    digest(&[("hold", hold_id.to_owned())])
}

/// A cancellation: `POST /api/orders/{code}/{secret}/cancel`, the order page's cancel button.
pub fn cancellation(code: &str, secret: &str) -> String {
    digest(&[("code", code.to_owned()), ("secret", secret.to_owned())])
}

/// A scan at the door: `POST /api/checkin/redeem` (its device is in its key). `scanned_at` as sent: a
/// retry that leaves it out, as its first try did, is the same scan.
pub fn scan(scan: &model::Scan, scanned_at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    digest(&[
        ("ticket", scan.ticket.clone()),
        ("concert_id", scan.concert.to_string()),
        ("nonce", scan.nonce.clone()),
        ("scanned_at", scanned_at.map(|at| at.to_rfc3339()).unwrap_or_default()),
        ("offline", scan.offline.to_string()),
        ("direction", scan.direction.code().to_owned()),
    ])
}

fn digest(fields: &[(&str, String)]) -> String {
    let canonical = serde_json::to_string(fields).expect("pairs of strings always serialise");
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_changes_the_fingerprint_and_the_secret_is_not_in_it() {
        let secret = "0123456789abcdef0123456789abcdef";
        let base = cancellation("BX-1", secret);
        assert_ne!(base, cancellation("BX-1", "0123456789abcdef0123456789abcdee"), "the secret counts");
        assert_ne!(base, cancellation("BX-2", secret), "the code counts");
        assert!(!base.contains(secret), "only a digest is kept");
        assert_eq!(base, cancellation("BX-1", secret), "the same request, the same fingerprint");
        assert_ne!(cancellation("BX-1a", "b"), cancellation("BX-1", "ab"), "no value runs into the next");
    }

    #[test]
    fn a_hold_differs_by_any_field() {
        let request = |name: &str, quantity: &str| {
            BookingRequest::from_page_form("vip", quantity, name, "ada@example.org").expect("a valid form")
        };
        let base = hold(&request("Ada", "2"));
        assert_ne!(base, hold(&request("Ada L.", "2")), "the name counts");
        assert_ne!(base, hold(&request("Ada", "3")), "the quantity counts");
        assert_ne!(base, hold(&request("Ada", "2").for_concert(Some(2))), "the concert counts");
        assert_eq!(base, hold(&request("Ada", "2")));
    }
}
