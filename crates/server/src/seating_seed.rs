//! `--seating-plan`: the default concert gets a seating plan at start, once (`make run` shows a seated
//! VIP and Front Row this way).

use crate::store::{Store, StoreError};
use model::{BookingError, SeatingPlan};
use std::path::Path;

/// Gives the default concert the plan in `path` unless it has one. A plan that cannot apply (a tier
/// already sold by quantity) is reported and the server starts without it; a file that is no plan is an
/// error, since the operator asked for it.
pub async fn seat_default_concert(store: &Store, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let concert = store.default_event_id();
    if store.seating_plan(concert).await?.is_some() {
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("the seating plan {}: {e}", path.display()))?;
    let plan: SeatingPlan =
        serde_json::from_str(&text).map_err(|e| format!("the seating plan {}: {e}", path.display()))?;
    match store.set_seating_plan(concert, &plan).await {
        Ok(tiers) => {
            tracing::info!(seats = tiers.values().sum::<u32>(), plan = %path.display(), "the default concert is seated")
        }
        Err(StoreError::Rejected(BookingError::InvalidSeatingPlan(problem))) => {
            return Err(format!("the seating plan {}: {problem}", path.display()).into())
        }
        Err(StoreError::Rejected(refused)) => {
            tracing::warn!(%refused, plan = %path.display(), "the default concert keeps selling by quantity")
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
