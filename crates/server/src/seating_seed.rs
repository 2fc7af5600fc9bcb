//! `--seating-plan`: the default concert gets a seating plan at start, once (`make run` shows a seated
//! VIP and Front Row this way).

use crate::store::{Store, StoreError};
use model::{SeatingPlan, Tier};
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
    let offered: Vec<(Tier, String)> = store.concert().await?.tiers.iter().map(|t| (t.tier, t.name.clone())).collect();
    let seats = plan.checked(&offered).map_err(|e| format!("the seating plan {}: {e}", path.display()))?;
    let count = seats.len();
    // Kept as the API keeps an uploaded plan: re-serialised, so that what `GET …/seating` serves is the schema's.
    match store.set_seating(concert, seats, serde_json::to_string(&plan)?).await {
        Ok(()) => tracing::info!(seats = count, plan = %path.display(), "the default concert is seated"),
        Err(StoreError::Rejected(refused)) => {
            tracing::warn!(%refused, plan = %path.display(), "the default concert keeps selling by quantity")
        }
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
