//! What the operator sees of a sale: per-tier figures and order lines (for the admin API and its CSV).

use crate::{Cents, ConcertTitle, OrderStatus, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One tier's sales. `sold + held + available == capacity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierSales {
    pub tier: Tier,
    pub capacity: u32,
    pub sold: u32,
    /// In holds that have not run out.
    pub held: u32,
    /// Seats the operator took off sale (a seated tier's).
    #[serde(default)]
    pub blocked: u32,
    pub available: u32,
    pub on_sale: bool,
    /// What one ticket costs now.
    pub price_cents: Cents,
    /// What the paid orders of this tier add up to.
    pub revenue_cents: Cents,
}

/// An order as a line of the operator's list (no secret, no tickets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub tier: Tier,
    pub quantity: u32,
    pub total_cents: Cents,
    pub status: OrderStatus,
    pub user_id: String,
    pub buyer_name: Option<String>,
    pub card_last4: Option<String>,
}

/// One concert as the operator's page shows it: per-tier figures and the newest orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcertSales {
    pub concert: ConcertTitle,
    pub tiers: Vec<TierSales>,
    pub recent_orders: Vec<OrderLine>,
    /// Its waiting room, if it has one: the page opens its live view by itself then.
    #[serde(default)]
    pub waiting_room: Option<crate::WaitingRoom>,
    /// Listed on the shop (the operator can take a concert with no buyers off it).
    pub published: bool,
}

/// How many minutes the operator's live view looks back.
pub const LIVE_MINUTES: usize = 30;

/// One minute of an on-sale, as the operator's charts draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaleMinute {
    /// The minute's start (UTC, whole minutes).
    pub at: DateTime<Utc>,
    /// Tickets in the paid orders of that minute.
    pub tickets_sold: u32,
    pub orders: u32,
    /// Visitors who joined the waiting room in that minute.
    pub joined: u32,
    /// Visitors admitted in that minute.
    pub admitted: u32,
}

/// A waiting room's figures now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueFigures {
    pub room: crate::WaitingRoom,
    pub joined: u64,
    pub admitted_through: u64,
    /// Admitted visitors whose buying window is running.
    pub buying: u64,
    /// Joined and not admitted yet.
    pub waiting: u64,
}

/// A concert's on-sale as the operator watches it: the tiers now, the queue now, and the last
/// [`LIVE_MINUTES`] minute by minute (oldest first, every minute present).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveSales {
    pub at: DateTime<Utc>,
    pub tiers: Vec<TierSales>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueFigures>,
    /// Tickets in running holds that run out within the next two minutes.
    pub expiring_soon: u32,
    pub minutes: Vec<SaleMinute>,
}

impl LiveSales {
    /// Every minute of the window ending at `now`, from `counted` (minute start → figures; other
    /// minutes count zero): the charts get a full axis whatever happened.
    pub fn minutes_until(
        now: DateTime<Utc>,
        counted: &std::collections::BTreeMap<DateTime<Utc>, SaleMinute>,
    ) -> Vec<SaleMinute> {
        let this_minute = now
            - chrono::Duration::seconds(now.timestamp().rem_euclid(60))
            - chrono::Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos()));
        (0..LIVE_MINUTES as i64)
            .rev()
            .map(|back| {
                let at = this_minute - chrono::Duration::minutes(back);
                counted.get(&at).copied().map_or(SaleMinute { at, ..SaleMinute::default() }, |m| SaleMinute { at, ..m })
            })
            .collect()
    }

    /// Tickets sold in the last `minutes` minutes (the current one included).
    pub fn sold_in_last(&self, minutes: usize) -> u32 {
        self.minutes.iter().rev().take(minutes).map(|m| m.tickets_sold).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_has_every_minute_oldest_first_with_the_counted_ones_filled_in() {
        let now = Utc.with_ymd_and_hms(2027, 5, 1, 12, 0, 42).unwrap();
        let sold_at = Utc.with_ymd_and_hms(2027, 5, 1, 11, 58, 0).unwrap();
        let counted =
            [(sold_at, SaleMinute { at: sold_at, tickets_sold: 7, orders: 3, joined: 0, admitted: 2 })].into();
        let minutes = LiveSales::minutes_until(now, &counted);
        assert_eq!(minutes.len(), LIVE_MINUTES);
        assert_eq!(minutes.last().unwrap().at, Utc.with_ymd_and_hms(2027, 5, 1, 12, 0, 0).unwrap());
        assert_eq!(minutes[0].at, Utc.with_ymd_and_hms(2027, 5, 1, 11, 31, 0).unwrap());
        assert_eq!(minutes[LIVE_MINUTES - 3].tickets_sold, 7);
        assert_eq!(minutes.iter().map(|m| m.tickets_sold).sum::<u32>(), 7, "the rest count zero");
        let live = LiveSales { at: now, tiers: vec![], queue: None, expiring_soon: 0, minutes };
        assert_eq!((live.sold_in_last(2), live.sold_in_last(3)), (0, 7), "the current minute and the one before");
    }
}
