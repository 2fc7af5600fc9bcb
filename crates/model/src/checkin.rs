//! The door's vocabulary: a scan as a scanner sends it (parsed once, valid if it exists), and what the door
//! answers, in words door staff read at a glance and codes the scanner matches on.
//!
//! The rules that decide a scan are the sales engine's (`sale/door.rs`), with the stock and the orders they
//! depend on; this file holds only the values both sides of the wire agree on.

use crate::{sale::ConcertId, TicketSeat, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest ticket code a scan may carry: a plain code is 38 characters, a signed one (with a seat) about
/// 230 (`signed_ticket.rs`).
pub const MAX_TICKET_CODE: usize = 400;
/// What a pairing code's QR code holds before the code: the scanner's camera tells it from a ticket by it.
pub const PAIRING_QR_PREFIX: &str = "boxoffice-pair:";
/// The longest nonce a scanner may make (a UUID is 36 characters).
pub const MAX_NONCE: usize = 64;

/// A scan as a scanner device sends it, checked: the code and the nonce are printable ASCII of bounded
/// length, so nothing a camera misread can reach the store as anything but a code that matches nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    pub ticket: String,
    pub concert: ConcertId,
    /// Made by the scanner, once per scan: the same nonce again is the same scan retried, and gets the same
    /// answer instead of `already_redeemed`.
    pub nonce: String,
    /// When the ticket was scanned, as the device's clock says (an offline scan is uploaded later).
    pub scanned_at: DateTime<Utc>,
    /// Decided on the device without the server (the network was down): the scan happened, so it is recorded
    /// whatever the server would have said, and a disagreement is kept as a conflict for the operator.
    pub offline: bool,
    pub direction: Direction,
}

/// Which way through the door: leaving counts only where the concert lets people back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Direction {
    #[default]
    Entry,
    Exit,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Entry => "entry",
            Direction::Exit => "exit",
        }
    }
}

/// A scan that cannot be one, refused before it is decided (answered 422, nothing recorded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanInvalid {
    #[error("ticket is missing: scan or type a ticket code")]
    TicketMissing,
    #[error("ticket must be at most {MAX_TICKET_CODE} characters")]
    TicketTooLong,
    #[error("ticket must be printable characters without spaces")]
    TicketGarbled,
    #[error("nonce is missing: send a new one with every scan")]
    NonceMissing,
    #[error("nonce must be 1 to {MAX_NONCE} printable characters without spaces")]
    NonceInvalid,
}

impl ScanInvalid {
    pub fn code(&self) -> &'static str {
        match self {
            ScanInvalid::TicketMissing => "ticket_missing",
            ScanInvalid::TicketTooLong | ScanInvalid::TicketGarbled => "invalid_ticket_code",
            ScanInvalid::NonceMissing | ScanInvalid::NonceInvalid => "invalid_nonce",
        }
    }
}

/// Printable ASCII without spaces: what our codes and any sensible nonce are made of.
fn printable(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_graphic())
}

impl Scan {
    /// A scan from its parts as received; the code is trimmed (a scanner may add a newline) and nothing else.
    pub fn parse(
        ticket: &str,
        concert: ConcertId,
        nonce: &str,
        scanned_at: DateTime<Utc>,
        offline: bool,
        direction: Direction,
    ) -> Result<Scan, ScanInvalid> {
        let ticket = ticket.trim();
        if ticket.is_empty() {
            return Err(ScanInvalid::TicketMissing);
        }
        if ticket.len() > MAX_TICKET_CODE {
            return Err(ScanInvalid::TicketTooLong);
        }
        if !printable(ticket) {
            return Err(ScanInvalid::TicketGarbled);
        }
        if nonce.is_empty() {
            return Err(ScanInvalid::NonceMissing);
        }
        if nonce.len() > MAX_NONCE || !printable(nonce) {
            return Err(ScanInvalid::NonceInvalid);
        }
        Ok(Scan { ticket: ticket.to_owned(), concert, nonce: nonce.to_owned(), scanned_at, offline, direction })
    }

    /// The scan naming the plain code of a signed one that a key of `keys` signed. Any other text is left
    /// as it came: a plain code is looked up as it is, and a forged signed code then matches no ticket.
    pub fn with_signature_checked(mut self, keys: &[crate::TicketKey]) -> Scan {
        if let Some(claim) = crate::SignedCode::parse(&self.ticket).as_ref().and_then(|signed| signed.verify(keys)) {
            self.ticket = claim.code.clone();
        }
        self
    }
}

/// The scanner device a scan came from, as the door records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRef {
    pub id: i64,
    pub name: String,
}

/// A ticket as the door shows it: enough for staff to see it is the right person's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DoorTicket {
    pub code: String,
    pub concert_id: ConcertId,
    pub tier: Tier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<TicketSeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
}

/// A ticket's first way in: when, and through which device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redeemed {
    pub at: DateTime<Utc>,
    pub device: DeviceRef,
}

/// Why the door turned a ticket away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ScanRefusal {
    /// In already (and the concert does not let anyone in twice, or they have not gone out since).
    AlreadyRedeemed,
    /// No ticket has this code.
    Invalid,
    /// Its order was cancelled and refunded.
    Canceled,
    /// Its order is not paid. Every order is paid when made today; the reason is kept for the scanner's
    /// contract (pretix's), so a scanner written for it needs no change when unpaid orders come.
    Unpaid,
    /// A ticket of another concert.
    WrongConcert,
    /// Scanned out while not in.
    NotInside,
    /// Scanned out at a concert that lets nobody back in.
    NoReentry,
}

impl ScanRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ScanRefusal::AlreadyRedeemed => "already_redeemed",
            ScanRefusal::Invalid => "invalid",
            ScanRefusal::Canceled => "canceled",
            ScanRefusal::Unpaid => "unpaid",
            ScanRefusal::WrongConcert => "wrong_concert",
            ScanRefusal::NotInside => "not_inside",
            ScanRefusal::NoReentry => "no_reentry",
        }
    }

    /// What the scanner shows in big letters.
    pub fn words(self) -> &'static str {
        match self {
            ScanRefusal::AlreadyRedeemed => "Already checked in",
            ScanRefusal::Invalid => "Not a valid ticket",
            ScanRefusal::Canceled => "Ticket cancelled",
            ScanRefusal::Unpaid => "Ticket not paid",
            ScanRefusal::WrongConcert => "Ticket for another concert",
            ScanRefusal::NotInside => "Not checked in: cannot leave",
            ScanRefusal::NoReentry => "No re-entry at this concert",
        }
    }
}

/// What the door answered a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanAnswer {
    /// Let them through (or out). `conflict` is set for an offline scan the server disagrees with: the
    /// ticket was already in, through `conflict`'s device, so the operator is shown both.
    Admitted { ticket: DoorTicket, direction: Direction, conflict: Option<Redeemed> },
    /// Turned away; `ticket` when the code is a ticket, `redeemed` its first way in when that is the reason.
    Refused { reason: ScanRefusal, ticket: Option<DoorTicket>, redeemed: Option<Redeemed> },
    /// The device was revoked (or is no device the batch knows): the scan is not decided, not logged, and
    /// not remembered under its key, so revoking a scanner stops even the retries of its earlier scans.
    DeviceRevoked,
}

/// A scan's answer on the wire (`POST /api/checkin/redeem`'s body, and what the scanner shows of a scan it
/// decided offline): `ok`, or `error` with the reason's code; `message` is what the scanner shows in big
/// letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScanVerdict {
    /// `ok` or `error`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<DoorTicket>,
    /// The ticket's first way in, for `already_redeemed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed: Option<Redeemed>,
    /// An offline scan admitted on the device although the ticket was in already: the other way in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Redeemed>,
}

impl ScanVerdict {
    pub fn admitted(&self) -> bool {
        self.status == "ok"
    }
}

impl From<ScanAnswer> for ScanVerdict {
    fn from(answer: ScanAnswer) -> ScanVerdict {
        let refused = |reason: &str, message: &str| ScanVerdict {
            status: "error".into(),
            reason: Some(reason.into()),
            message: message.into(),
            direction: None,
            ticket: None,
            redeemed: None,
            conflict: None,
        };
        match answer {
            ScanAnswer::Admitted { ticket, direction, conflict } => ScanVerdict {
                status: "ok".into(),
                reason: None,
                message: match (direction, &conflict) {
                    (_, Some(_)) => "Checked in offline; it was in already: recorded as a conflict".into(),
                    (Direction::Entry, None) => "Valid: let in".into(),
                    (Direction::Exit, None) => "Checked out".into(),
                },
                direction: Some(direction),
                ticket: Some(ticket),
                redeemed: None,
                conflict,
            },
            ScanAnswer::Refused { reason, ticket, redeemed } => {
                ScanVerdict { ticket, redeemed, ..refused(reason.code(), reason.words()) }
            }
            ScanAnswer::DeviceRevoked => refused("revoked_device", "This scanner was revoked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(ticket: &str, nonce: &str) -> Result<Scan, ScanInvalid> {
        Scan::parse(ticket, 1, nonce, DateTime::UNIX_EPOCH, false, Direction::Entry)
    }

    #[test]
    fn a_scan_is_refused_before_the_door_for_what_no_camera_reads() {
        assert_eq!(parse("  0123abcd\n", "n-1").unwrap().ticket, "0123abcd");
        assert_eq!(parse("   ", "n"), Err(ScanInvalid::TicketMissing));
        assert_eq!(parse(&"a".repeat(MAX_TICKET_CODE + 1), "n"), Err(ScanInvalid::TicketTooLong));
        assert_eq!(parse("ab cd", "n"), Err(ScanInvalid::TicketGarbled));
        assert_eq!(parse("abcé", "n"), Err(ScanInvalid::TicketGarbled));
        assert_eq!(parse("abc", ""), Err(ScanInvalid::NonceMissing));
        assert_eq!(parse("abc", &"n".repeat(MAX_NONCE + 1)), Err(ScanInvalid::NonceInvalid));
        assert_eq!(parse("abc", "a b"), Err(ScanInvalid::NonceInvalid));
    }
}
