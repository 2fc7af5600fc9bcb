//! The answer stored under an idempotency key, as text in `idempotency_keys.outcome`, so a retry gets the
//! first answer again, byte for byte in what the HTTP answer is made of.
//!
//! Versions (a stored answer lives [`KEEP_KEYS`](super::KEEP_KEYS), so a new version must read every older
//! one written within that time):
//! - **2** (now): `{"version":2,"answer":A}`, A being a [`model::sale::Answer`] in serde's JSON form:
//!   `{"Booked":{"Ok":Booking}}`, `{"Held":{"Ok":Hold}}`, `{"Paid":{"Ok":Order}}`, `{"Cancelled":{"Ok":Order}}`,
//!   `{"Released":{"Ok":Hold}}`,
//!   or `{"<kind>":{"Err":BookingError}}` for a refusal (which is answered again as the same refusal).
//! - **1** (before the sales engine): the bare A, without the envelope; the writer's answer enum then had
//!   the same variants for the same four kinds.

use model::sale::Answer;
use serde::{Deserialize, Serialize};

const VERSION: u32 = 2;

#[derive(Serialize)]
struct Envelope<'a> {
    version: u32,
    answer: &'a Answer,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Versioned { version: u32, answer: Answer },
    First(Answer),
}

pub fn encode(answer: &Answer) -> String {
    serde_json::to_string(&Envelope { version: VERSION, answer })
        .expect("an answer serialises: no maps with non-string keys")
}

pub fn decode(stored: &str) -> Result<Answer, String> {
    match serde_json::from_str(stored).map_err(|e| format!("a stored answer unreadable: {e}"))? {
        Stored::Versioned { version: VERSION, answer } => Ok(answer),
        Stored::Versioned { version, .. } => Err(format!("a stored answer of unknown version {version}")),
        Stored::First(answer) => Ok(answer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::BookingError;

    #[test]
    fn an_answer_reads_back_as_written() {
        let answer = Answer::Held(Err(BookingError::SoldOut { available: 2 }));
        let stored = encode(&answer);
        assert!(stored.starts_with(r#"{"version":2,"answer":"#), "{stored}");
        assert_eq!(decode(&stored), Ok(answer));
    }

    #[test]
    fn a_first_version_answer_still_reads() {
        // As the writer stored it before the engine: the bare enum.
        let stored = r#"{"Paid":{"Err":"HoldExpired"}}"#;
        assert_eq!(decode(stored), Ok(Answer::Paid(Err(BookingError::HoldExpired))));
    }

    #[test]
    fn an_unknown_version_is_an_error_not_a_guess() {
        let stored = r#"{"version":3,"answer":{"Paid":{"Err":"HoldExpired"}}}"#;
        assert_eq!(decode(stored), Err("a stored answer of unknown version 3".to_owned()));
    }
}
