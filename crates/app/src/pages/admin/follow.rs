//! Keeps the operator's figures live. Each concert's availability stream (the one buyers' pages follow)
//! says at once when its stock moves (a hold, a release, an expiry, a capacity or a pause); a payment moves
//! no stock, so the figures are also read again every few seconds. Either way the overview is reloaded at
//! most every two seconds.

use crate::live::LiveStatus;
use leptos::prelude::*;

/// Follows `concerts` (those not followed yet) and calls `refresh` when their figures may have moved.
/// Streams live as long as the page (`owner`), not the panels a reload redraws.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn follow_sales(
    owner: &Owner,
    followed: StoredValue<std::collections::BTreeSet<i64>>,
    concerts: Vec<i64>,
    status: RwSignal<LiveStatus>,
    dirty: RwSignal<bool>,
) {
    #[cfg(feature = "hydrate")]
    owner.with(|| {
        for concert in concerts {
            if !followed.try_update_value(|known| known.insert(concert)).unwrap_or(false) {
                continue;
            }
            let latest = RwSignal::new(None::<Vec<model::TierAvailability>>);
            let seats: crate::live::SeatLetters = RwSignal::new(None);
            crate::live::follow_availability(Some(concert), latest, seats, status);
            // The first snapshot is what the overview already shows; a later one that differs is a change
            // (the same snapshot sent again, after a reconnection say, is not).
            let seen = StoredValue::new(None::<Vec<model::TierAvailability>>);
            Effect::new(move |_| {
                let Some(now) = latest.get() else { return };
                if seen.get_value().is_some_and(|before| before != now) {
                    dirty.set(true);
                }
                seen.set_value(Some(now));
            });
        }
    });
}

/// Reloads the overview every two seconds while something moved, and every ten seconds regardless (for
/// payments and revenue, which move no stock), unless the operator is in the middle of a change.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn reload_when_moved(dirty: RwSignal<bool>, refresh: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        let ticks = StoredValue::new(0u32);
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let tick = ticks.get_value() + 1;
                ticks.set_value(tick);
                // Not while the operator is changing something or watching an on-sale's live view (which
                // reads its own figures): a reload redraws the panels and would take away what they are
                // typing or reading (it comes once they are done).
                let busy = document()
                    .query_selector(
                        ".admin-concert details[open], .admin-concert :focus, .admin-concert .on-sale-live:not([hidden])",
                    )
                    .ok()
                    .flatten()
                    .is_some();
                if !busy && (dirty.get_untracked() || tick % 5 == 0) {
                    dirty.set(false);
                    refresh.run(());
                }
            },
            std::time::Duration::from_secs(2),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
}
