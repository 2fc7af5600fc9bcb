//! Check-in: each ticket gets in exactly once (or, where the concert allows re-entry, once per time out).
//!
//! - A scan of a code that is no ticket is `Invalid`; a ticket of another concert `WrongConcert`; of a
//!   cancelled order `Canceled`. Each is refused and logged, and changes no ticket.
//! - **Entry**: a ticket not yet in is let in; one already in is refused `AlreadyRedeemed`, naming when
//!   and through which device it went in. At a concert with re-entry a ticket that went out may come in
//!   again; elsewhere one entry is all there is.
//! - **Exit** (re-entry concerts only): a ticket inside goes out.
//! - **Offline scans** (decided on the device while the network was down, uploaded later) happened: they
//!   are recorded whatever the rules say now. One the rules would refuse is admitted as a **conflict**
//!   naming the other way in, for the operator; the earlier of the two stays the ticket's first entry
//!   (the first scan wins).
//! - A retried scan (the same device and nonce) gets the first answer again: it is the sale's idempotency
//!   key, so two scanners can never both be told `ok` for one entry, and one scanner retrying is never
//!   told `already_redeemed` for its own scan.
//!
//! The batch loads each scanned ticket's door record (the store guards its change in SQL against the
//! state it loaded, so two batches or two instances never both let a ticket in).

use super::{records::ConcertId, Effect, Sale};
use crate::{DeviceRef, Direction, DoorTicket, OrderStatus, Redeemed, Scan, ScanAnswer, ScanRefusal};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A ticket as the door keeps it: whose it is, and whether it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorRecord {
    pub ticket: DoorTicket,
    /// Its order's code (a cancellation in the same batch turns its tickets away at once).
    pub order: String,
    pub order_status: OrderStatus,
    /// Times it was let in.
    pub entries: u32,
    pub inside: bool,
    /// Its first way in (set once it has been in).
    pub first_entry: Option<Redeemed>,
}

/// One scan as the door log keeps it: every scan is logged, refused ones too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanLog {
    /// The code as scanned (bounded by `Scan::parse`), a ticket's or not.
    pub ticket: String,
    pub concert: ConcertId,
    pub device: DeviceRef,
    pub nonce: String,
    pub direction: Direction,
    pub outcome: ScanOutcome,
    pub scanned_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub offline: bool,
}

/// How a scan ended, as the log and the operator's figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanOutcome {
    Admitted,
    /// An offline scan admitted on the device that the rules would have refused.
    Conflict,
    Refused(ScanRefusal),
}

impl ScanOutcome {
    pub fn code(self) -> &'static str {
        match self {
            ScanOutcome::Admitted => "ok",
            ScanOutcome::Conflict => "conflict",
            ScanOutcome::Refused(reason) => reason.code(),
        }
    }
}

impl Sale {
    pub(super) fn redeem(&mut self, device: &DeviceRef, scan: &Scan) -> ScanAnswer {
        let answer = self.decide_scan(device, scan);
        let outcome = match &answer {
            ScanAnswer::Admitted { conflict: Some(_), .. } => ScanOutcome::Conflict,
            ScanAnswer::Admitted { .. } => ScanOutcome::Admitted,
            ScanAnswer::Refused { reason, .. } => ScanOutcome::Refused(*reason),
            // Not a scan the door decided (`apply` answers it before the rules): nothing to log.
            ScanAnswer::DeviceRevoked => return answer,
        };
        self.effects.push(Effect::Scanned(ScanLog {
            ticket: scan.ticket.clone(),
            concert: scan.concert,
            device: device.clone(),
            nonce: scan.nonce.clone(),
            direction: scan.direction,
            outcome,
            scanned_at: scan.scanned_at,
            recorded_at: self.now,
            offline: scan.offline,
        }));
        answer
    }

    fn decide_scan(&mut self, device: &DeviceRef, scan: &Scan) -> ScanAnswer {
        let refused = |reason, ticket, redeemed| ScanAnswer::Refused { reason, ticket, redeemed };
        let reentry = self.reentry.contains(&scan.concert);
        let now = self.now;
        let Some(record) = self.tickets.get_mut(&scan.ticket) else {
            return refused(ScanRefusal::Invalid, None, None);
        };
        let ticket = record.ticket.clone();
        if ticket.concert_id != scan.concert {
            return refused(ScanRefusal::WrongConcert, Some(ticket), None);
        }
        match record.order_status {
            OrderStatus::Paid => {}
            OrderStatus::Cancelled => return refused(ScanRefusal::Canceled, Some(ticket), None),
        }
        // The device's clock is the only witness of an offline scan; an online one is when the server saw it.
        let at = if scan.offline { scan.scanned_at } else { now };
        let this = Redeemed { at, device: device.clone() };
        let code = scan.ticket.clone();
        match scan.direction {
            Direction::Entry => {
                let already_in = record.first_entry.is_some() && (!reentry || record.inside);
                if already_in && !scan.offline {
                    return refused(ScanRefusal::AlreadyRedeemed, Some(ticket), record.first_entry.clone());
                }
                let conflict = if already_in { record.first_entry.clone() } else { None };
                record.entries += 1;
                record.inside = true;
                match &record.first_entry {
                    Some(first) if first.at <= at => {}
                    _ => record.first_entry = Some(this),
                }
                self.effects.push(Effect::Door(code));
                ScanAnswer::Admitted { ticket, direction: Direction::Entry, conflict }
            }
            Direction::Exit => {
                if !reentry {
                    return refused(ScanRefusal::NoReentry, Some(ticket), None);
                }
                if !record.inside && !scan.offline {
                    return refused(ScanRefusal::NotInside, Some(ticket), None);
                }
                if record.inside {
                    record.inside = false;
                    self.effects.push(Effect::Door(code));
                }
                ScanAnswer::Admitted { ticket, direction: Direction::Exit, conflict: None }
            }
        }
    }

    /// A cancelled order's tickets the batch loaded for the door are turned away by its later scans.
    pub(super) fn cancel_at_door(&mut self, order: &str) {
        for record in self.tickets.values_mut().filter(|r| r.order == order) {
            record.order_status = OrderStatus::Cancelled;
        }
    }
}
