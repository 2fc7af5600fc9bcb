//! A scanner's own copy of a concert's tickets, so the door keeps deciding when the venue's network drops
//! (pretix's offline mode): downloaded whole once, refreshed by delta, and updated by the device's own
//! scans. The rules are the engine's (`sale/door.rs`) as far as the copy knows: a ticket the device has not
//! heard of is `Invalid`, one in already is `AlreadyRedeemed`. What the device lets in offline is uploaded
//! later as an offline scan, which the server records whatever it would have said (a conflict if the
//! ticket had come in elsewhere meanwhile).
//!
//! A concert too large to download comes as its revocation list instead (the cancelled tickets only,
//! `whole: false`): the device then lets in a ticket it has not heard of when its code is signed by the
//! shop (`signed_ticket.rs`), and remembers it like any other. A signed code also vouches for a ticket sold
//! after the device's last refresh of a whole list.

use crate::{sale::ConcertId, Direction, DoorTicket, ScanAnswer, ScanRefusal, SignedCode, TicketKey, TicketSeat, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A ticket as the door list sends it: who it is for, whether it still counts, and its way in so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedTicket {
    pub code: String,
    pub tier: Tier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<TicketSeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_name: Option<String>,
    /// Its order was cancelled: turned away.
    #[serde(default)]
    pub canceled: bool,
    /// Times it was let in.
    #[serde(default)]
    pub entries: u32,
    #[serde(default)]
    pub inside: bool,
}

/// One answer of the door list: the tickets that changed since the cursor asked for (all of them without
/// one), and the cursor to ask with next time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DoorListPage {
    pub concert_id: ConcertId,
    /// Whether the concert lets a ticket that went out back in.
    pub reentry: bool,
    /// Send it back as `since` for the changes after this answer (it overlaps a little: changes are merged
    /// by code, so a ticket sent twice is harmless, and one committed late is not missed).
    pub cursor: i64,
    /// Every ticket of the concert (changed since the cursor), or only the cancelled ones: the concert has
    /// more tickets than a scanner keeps, and a ticket not listed is decided by its signature.
    #[serde(default = "whole")]
    pub whole: bool,
    /// The keys the shop signs ticket codes with.
    #[serde(default)]
    pub keys: Vec<TicketKey>,
    pub tickets: Vec<ListedTicket>,
}

fn whole() -> bool {
    true
}

/// A scanner's copy of one concert's tickets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DoorList {
    pub concert_id: ConcertId,
    pub reentry: bool,
    /// The cursor of the last answer merged.
    pub cursor: i64,
    /// Whether an answer has been merged (a device with no copy cannot decide offline).
    #[serde(default)]
    pub synced: bool,
    #[serde(default = "whole")]
    pub whole: bool,
    #[serde(default)]
    pub keys: Vec<TicketKey>,
    /// By code: the tickets the server listed, and those the device let in on their signature.
    pub tickets: BTreeMap<String, ListedTicket>,
}

impl DoorList {
    pub fn new(concert_id: ConcertId) -> DoorList {
        DoorList { concert_id, ..DoorList::default() }
    }

    /// Takes in an answer of the door list: each ticket in it replaces the copy's.
    pub fn merge(&mut self, page: DoorListPage) {
        if page.concert_id != self.concert_id {
            return;
        }
        self.reentry = page.reentry;
        self.synced = true;
        self.whole = page.whole;
        if !page.keys.is_empty() {
            self.keys = page.keys;
        }
        self.cursor = self.cursor.max(page.cursor);
        for ticket in page.tickets {
            self.tickets.insert(ticket.code.clone(), ticket);
        }
    }

    /// Decides a scan on the device, as the engine would from what the copy knows, and keeps what it let
    /// in (or out) so the next scan of the ticket is decided on that.
    pub fn decide(&mut self, code: &str, direction: Direction) -> ScanAnswer {
        let concert = self.concert_id;
        let reentry = self.reentry;
        let refused = |reason, ticket| ScanAnswer::Refused { reason, ticket, redeemed: None };
        let signed = SignedCode::parse(code);
        let code = signed.as_ref().map_or(code.trim(), SignedCode::claimed_code).to_owned();
        if !self.tickets.contains_key(&code) {
            // Not listed: a ticket sold since the last refresh, or one of a concert too large to list.
            let Some(claim) = signed.as_ref().and_then(|signed| signed.verify(&self.keys)) else {
                return refused(ScanRefusal::Invalid, None);
            };
            if claim.concert_id != concert {
                return refused(ScanRefusal::WrongConcert, None);
            }
            let vouched = ListedTicket {
                code: claim.code.clone(),
                tier: claim.tier,
                seat: claim.seat.clone(),
                buyer_name: None,
                canceled: false,
                entries: 0,
                inside: false,
            };
            self.tickets.insert(code.clone(), vouched);
        }
        let Some(listed) = self.tickets.get_mut(&code) else {
            return refused(ScanRefusal::Invalid, None);
        };
        let ticket = DoorTicket {
            code: listed.code.clone(),
            concert_id: concert,
            tier: listed.tier,
            seat: listed.seat.clone(),
            buyer_name: listed.buyer_name.clone(),
        };
        if listed.canceled {
            return refused(ScanRefusal::Canceled, Some(ticket));
        }
        match direction {
            Direction::Entry => {
                if listed.entries > 0 && (!reentry || listed.inside) {
                    return refused(ScanRefusal::AlreadyRedeemed, Some(ticket));
                }
                listed.entries += 1;
                listed.inside = true;
            }
            Direction::Exit => {
                if !reentry {
                    return refused(ScanRefusal::NoReentry, Some(ticket));
                }
                if !listed.inside {
                    return refused(ScanRefusal::NotInside, Some(ticket));
                }
                listed.inside = false;
            }
        }
        ScanAnswer::Admitted { ticket, direction, conflict: None }
    }

    /// Applies a scan the device let in earlier and has not uploaded yet (after a refresh replaced the
    /// ticket with the server's view, which does not know it).
    pub fn replay(&mut self, code: &str, direction: Direction) {
        let _ = self.decide(code, direction);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(code: &str, canceled: bool, entries: u32, inside: bool) -> ListedTicket {
        ListedTicket {
            code: code.into(),
            tier: Tier::General,
            seat: None,
            buyer_name: Some("Ada".into()),
            canceled,
            entries,
            inside,
        }
    }

    fn list(reentry: bool, tickets: Vec<ListedTicket>) -> DoorList {
        let mut list = DoorList::new(7);
        list.merge(DoorListPage { concert_id: 7, reentry, cursor: 10, whole: true, keys: vec![], tickets });
        list
    }

    fn reason(answer: &ScanAnswer) -> Option<ScanRefusal> {
        match answer {
            ScanAnswer::Refused { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    #[test]
    fn offline_a_ticket_gets_in_once_and_what_the_copy_does_not_know_is_turned_away() {
        let mut door = list(false, vec![listed("T-a", false, 0, false), listed("T-c", true, 0, false)]);
        assert!(door.synced);
        assert_eq!(reason(&door.decide("T-a", Direction::Entry)), None, "a valid ticket gets in");
        assert_eq!(reason(&door.decide("T-a", Direction::Entry)), Some(ScanRefusal::AlreadyRedeemed));
        assert_eq!(reason(&door.decide("T-c", Direction::Entry)), Some(ScanRefusal::Canceled));
        assert_eq!(reason(&door.decide("T-zz", Direction::Entry)), Some(ScanRefusal::Invalid));
        assert_eq!(reason(&door.decide("T-a", Direction::Exit)), Some(ScanRefusal::NoReentry));
    }

    #[test]
    fn offline_with_reentry_a_ticket_goes_out_and_back_in() {
        let mut door = list(true, vec![listed("T-a", false, 1, true)]);
        assert_eq!(reason(&door.decide("T-a", Direction::Entry)), Some(ScanRefusal::AlreadyRedeemed));
        assert_eq!(reason(&door.decide("T-a", Direction::Exit)), None);
        assert_eq!(reason(&door.decide("T-a", Direction::Exit)), Some(ScanRefusal::NotInside));
        assert_eq!(reason(&door.decide("T-a", Direction::Entry)), None);
        assert_eq!(door.tickets["T-a"].entries, 2);
    }

    #[test]
    fn a_delta_replaces_what_changed_and_keeps_the_rest() {
        let mut door = list(false, vec![listed("T-a", false, 0, false), listed("T-b", false, 0, false)]);
        door.merge(DoorListPage {
            concert_id: 7,
            reentry: false,
            cursor: 20,
            whole: true,
            keys: vec![],
            tickets: vec![listed("T-b", true, 0, false)],
        });
        assert_eq!(door.cursor, 20);
        assert_eq!(reason(&door.decide("T-b", Direction::Entry)), Some(ScanRefusal::Canceled), "cancelled since");
        assert_eq!(reason(&door.decide("T-a", Direction::Entry)), None, "unchanged, kept");
        door.merge(DoorListPage {
            concert_id: 7,
            reentry: false,
            cursor: 15,
            whole: true,
            keys: vec![],
            tickets: vec![],
        });
        assert_eq!(door.cursor, 20, "a cursor never goes back");
        door.merge(DoorListPage {
            concert_id: 8,
            reentry: true,
            cursor: 99,
            whole: true,
            keys: vec![],
            tickets: vec![listed("T-x", false, 0, false)],
        });
        assert!(!door.tickets.contains_key("T-x") && door.cursor == 20, "another concert's answer is not merged");
        // A refresh says T-a is not in (the upload of the device's own scan has not landed): replayed.
        door.merge(DoorListPage {
            concert_id: 7,
            reentry: false,
            cursor: 30,
            whole: true,
            keys: vec![],
            tickets: vec![listed("T-a", false, 0, false)],
        });
        door.replay("T-a", Direction::Entry);
        assert_eq!(reason(&door.decide("T-a", Direction::Entry)), Some(ScanRefusal::AlreadyRedeemed));
    }

    fn signed(shop: &crate::TicketSigner, code: &str, concert: ConcertId) -> String {
        shop.sign(&crate::TicketClaim { code: code.into(), concert_id: concert, tier: Tier::Vip, seat: None })
    }

    #[test]
    fn without_the_whole_list_a_signed_ticket_gets_in_once_and_a_revoked_or_forged_one_does_not() {
        let shop = crate::TicketSigner::from_secret([3; 32]);
        let mut door = DoorList::new(7);
        door.merge(DoorListPage {
            concert_id: 7,
            reentry: false,
            cursor: 10,
            whole: false,
            keys: vec![shop.public()],
            tickets: vec![listed("T-revoked", true, 0, false)],
        });
        let valid = signed(&shop, "T-valid", 7);
        match door.decide(&valid, Direction::Entry) {
            ScanAnswer::Admitted { ticket, .. } => {
                assert_eq!((ticket.code.as_str(), ticket.tier), ("T-valid", Tier::Vip))
            }
            other => panic!("a signed ticket of the concert gets in: {other:?}"),
        }
        assert_eq!(reason(&door.decide(&valid, Direction::Entry)), Some(ScanRefusal::AlreadyRedeemed));
        assert_eq!(reason(&door.decide("T-valid", Direction::Entry)), Some(ScanRefusal::AlreadyRedeemed), "typed");
        let revoked = signed(&shop, "T-revoked", 7);
        assert_eq!(reason(&door.decide(&revoked, Direction::Entry)), Some(ScanRefusal::Canceled));
        // Signed by another key, under this shop's key id.
        let forger = crate::TicketSigner::from_secret([4; 32]);
        let forged = signed(&forger, "T-forged", 7).replacen(&forger.public().id, &shop.public().id, 1);
        assert_eq!(reason(&door.decide(&forged, Direction::Entry)), Some(ScanRefusal::Invalid));
        assert_eq!(
            reason(&door.decide(&signed(&shop, "T-other", 8), Direction::Entry)),
            Some(ScanRefusal::WrongConcert)
        );
        assert_eq!(reason(&door.decide("T-unsigned", Direction::Entry)), Some(ScanRefusal::Invalid), "no signature");
        assert!(!door.tickets.contains_key("T-forged") && !door.tickets.contains_key("T-other"));
    }

    #[test]
    fn a_refresh_keeps_the_keys_when_it_sends_none_and_a_signed_code_of_a_listed_ticket_is_that_ticket() {
        let shop = crate::TicketSigner::from_secret([3; 32]);
        let mut door = list(false, vec![listed("T-a", true, 0, false)]);
        door.merge(DoorListPage {
            concert_id: 7,
            reentry: false,
            cursor: 11,
            whole: true,
            keys: vec![shop.public()],
            tickets: vec![],
        });
        door.merge(DoorListPage {
            concert_id: 7,
            reentry: false,
            cursor: 12,
            whole: true,
            keys: vec![],
            tickets: vec![],
        });
        assert_eq!(door.keys, vec![shop.public()]);
        assert_eq!(reason(&door.decide(&signed(&shop, "T-a", 7), Direction::Entry)), Some(ScanRefusal::Canceled));
        assert_eq!(reason(&door.decide(&signed(&shop, "T-new", 7), Direction::Entry)), None, "sold since the refresh");
    }
}
