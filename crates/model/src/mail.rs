//! The shop's mails as the rules see them: which orders get one, the states an outbox row goes through,
//! and when a failed delivery is tried again. Sending is the server's (`crates/server/src/mail/`); the row
//! is written in the same transaction as the order it tells of, so a committed order always has its mail
//! and a rolled-back one never does.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The one answer to "find my orders", on the page and in the API, whether or not the address has orders:
/// nobody learns whose address bought what.
pub const ORDERS_LOOKUP_ANSWER: &str =
    "If this address has orders, a mail with a link to each is on its way. It can take a few minutes.";

/// What a mail tells its buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// The order and its tickets, after payment.
    OrderConfirmed,
    /// The order was cancelled and refunded.
    OrderCancelled,
    /// Tickets came back and are held for a waiting-list entry: pay them by the offer's end.
    WaitlistOffer,
    /// The buyer asked for their orders: every order of the address, with its link.
    OrdersFound,
}

impl MailKind {
    pub fn code(self) -> &'static str {
        match self {
            MailKind::OrderConfirmed => "order_confirmed",
            MailKind::OrderCancelled => "order_cancelled",
            MailKind::WaitlistOffer => "waitlist_offer",
            MailKind::OrdersFound => "orders_found",
        }
    }

    pub fn parse(code: &str) -> Option<MailKind> {
        [MailKind::OrderConfirmed, MailKind::OrderCancelled, MailKind::WaitlistOffer, MailKind::OrdersFound]
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

/// Where an outbox row is: `queued` → `sending` → `sent`, or → `retrying` (→ `sending` …) → `failed` once a
/// day has passed without a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    Queued,
    /// Claimed by a sender until its lease runs out; a sender that died meanwhile leaves it to be claimed
    /// again (the same Message-ID lets the receiving side see the same message).
    Sending,
    Sent,
    Retrying,
    Failed,
}

impl MailStatus {
    pub const ALL: [MailStatus; 5] =
        [MailStatus::Queued, MailStatus::Sending, MailStatus::Sent, MailStatus::Retrying, MailStatus::Failed];

    pub fn code(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Retrying => "retrying",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<MailStatus> {
        MailStatus::ALL.into_iter().find(|status| status.code() == code)
    }
}

/// The waits after the first, second, … failed delivery; the last repeats.
pub const RETRY_WAITS_SECONDS: [i64; 5] = [10, 30, 60, 300, 900];
/// A mail not delivered this long after it was queued is given up (and shown as failed to the operator).
pub const GIVE_UP_AFTER_HOURS: i64 = 24;
/// How long a sender holds a claimed row before another may take it.
pub const SENDING_LEASE_SECONDS: i64 = 120;

/// What a failed delivery leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// After the `attempts`-th failed delivery (1 for the first) of a mail queued at `queued_at`.
pub fn after_failure(attempts: u32, queued_at: DateTime<Utc>, now: DateTime<Utc>) -> AfterFailure {
    let index = (attempts.max(1) as usize - 1).min(RETRY_WAITS_SECONDS.len() - 1);
    let next = now + Duration::seconds(RETRY_WAITS_SECONDS[index]);
    if next - queued_at >= Duration::hours(GIVE_UP_AFTER_HOURS) {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(next)
    }
}

/// Whom an order's mails go to: its buyer, when the buyer is an email address (a hold's buyer always is; a
/// booking through the API may name its buyer otherwise, and gets no mail).
pub fn recipient(user_id: &str) -> Option<String> {
    crate::BuyerEmail::parse(user_id).ok().map(|email| email.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_stay_and_a_day_ends_them() {
        let queued = Utc::now();
        let waits: Vec<i64> = (1..=7)
            .map(|attempt| match after_failure(attempt, queued, queued) {
                AfterFailure::RetryAt(at) => (at - queued).num_seconds(),
                AfterFailure::GiveUp => -1,
            })
            .collect();
        assert_eq!(waits, vec![10, 30, 60, 300, 900, 900, 900]);
        let late = queued + Duration::hours(GIVE_UP_AFTER_HOURS) - Duration::seconds(600);
        assert_eq!(after_failure(9, queued, late), AfterFailure::GiveUp, "the next try would fall after a day");
        assert!(matches!(after_failure(9, queued, late - Duration::seconds(600)), AfterFailure::RetryAt(_)));
    }

    #[test]
    fn only_a_buyer_with_an_address_gets_mail() {
        assert_eq!(recipient("Ada@Example.org").as_deref(), Some("ada@example.org"));
        assert_eq!(recipient("buyer-17"), None);
        assert_eq!(MailStatus::parse("retrying"), Some(MailStatus::Retrying));
        assert_eq!(MailKind::parse(MailKind::OrderCancelled.code()), Some(MailKind::OrderCancelled));
    }
}
