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
    pub available: u32,
    pub on_sale: bool,
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
}
