//! A hold: tickets set aside for one buyer until `expires_at`, while they pay.
//!
//! Real ticket shops hold for 10–30 minutes. A held ticket is neither sold nor available; once the hold
//! runs out its tickets count as available again at once, whether or not the sweeper has marked it yet.

use crate::{Cents, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HoldStatus {
    /// Waiting for payment (until `expires_at`).
    Held,
    /// Paid: it became an order.
    Paid,
    /// Ran out unpaid; its tickets went back on sale.
    Expired,
    /// Given back by the buyer before paying; its tickets went back on sale at once.
    Released,
}

impl HoldStatus {
    pub fn code(self) -> &'static str {
        match self {
            HoldStatus::Held => "held",
            HoldStatus::Paid => "paid",
            HoldStatus::Expired => "expired",
            HoldStatus::Released => "released",
        }
    }

    pub fn parse(code: &str) -> Option<HoldStatus> {
        [HoldStatus::Held, HoldStatus::Paid, HoldStatus::Expired, HoldStatus::Released]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hold {
    /// Unguessable: knowing it is what lets a buyer pay the hold.
    pub id: String,
    /// What the tickets are for.
    pub concert: crate::ConcertTitle,
    pub tier: Tier,
    pub quantity: u32,
    pub unit_price_cents: Cents,
    pub total_cents: Cents,
    pub user_id: String,
    pub buyer_name: Option<String>,
    pub status: HoldStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The order it became, once paid.
    pub order_code: Option<String>,
    /// Its seats, for a seated tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<crate::TicketSeat>,
    /// It is a waiting-list offer: tickets that came back, held for this buyer.
    #[serde(default)]
    pub offer: bool,
}

impl Hold {
    /// The status as of `now`: a hold past its expiry is expired even before the sweeper marks it.
    pub fn status_at(&self, now: DateTime<Utc>) -> HoldStatus {
        match self.status {
            HoldStatus::Held if self.expires_at <= now => HoldStatus::Expired,
            status => status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_hold_past_its_expiry_is_expired_before_any_sweep() {
        let now = Utc::now();
        let hold = Hold {
            id: "h".into(),
            concert: crate::ConcertTitle {
                id: 1,
                name: "C".into(),
                venue: "V".into(),
                starts_at: now,
                zone: Default::default(),
            },
            tier: Tier::Vip,
            quantity: 1,
            unit_price_cents: Cents(100),
            total_cents: Cents(100),
            user_id: "a@b.org".into(),
            buyer_name: None,
            status: HoldStatus::Held,
            created_at: now,
            expires_at: now + Duration::seconds(5),
            order_code: None,
            seats: Vec::new(),
            offer: false,
        };
        assert_eq!(hold.status_at(now), HoldStatus::Held);
        assert_eq!(hold.status_at(now + Duration::seconds(5)), HoldStatus::Expired);
        let paid = Hold { status: HoldStatus::Paid, ..hold };
        assert_eq!(paid.status_at(now + Duration::hours(1)), HoldStatus::Paid);
        assert_eq!(HoldStatus::parse("expired"), Some(HoldStatus::Expired));
    }
}
