//! Pieces the pages share.

mod booking_summary;
mod tier_option;

pub use booking_summary::BookingSummary;
pub use tier_option::TierOption;
