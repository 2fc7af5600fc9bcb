//! The buyer's running hold, remembered in this browser (`localStorage`), so the concert page can lead
//! back to its checkout: a buyer who went back from checkout was otherwise locked out by their own hold
//! ("you already hold or bought 3") until it ran out. Only the hold's id and what it is for are kept,
//! and only in the browser that made it; whoever has the id may pay or give back the hold anyway.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningHold {
    pub id: String,
    pub concert: i64,
    /// `2 × VIP`
    pub tickets: String,
    pub expires_at_ms: i64,
}

#[cfg(feature = "hydrate")]
const KEY: &str = "boxoffice.running-hold";

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Remembers `hold` as the running one (replacing any other).
pub fn remember(hold: &model::Hold) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(text)) = (
        storage(),
        serde_json::to_string(&RunningHold {
            id: hold.id.clone(),
            concert: hold.concert.id,
            tickets: format!("{} × {}", hold.quantity, hold.tier.display_name()),
            expires_at_ms: hold.expires_at.timestamp_millis(),
        }),
    ) {
        let _ = storage.set_item(KEY, &text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = hold;
}

/// The running hold for `concert`, if this browser made one that has not run out.
pub fn recall(concert: i64) -> Option<RunningHold> {
    #[cfg(feature = "hydrate")]
    {
        let text = storage()?.get_item(KEY).ok()??;
        let hold: RunningHold = serde_json::from_str(&text).ok()?;
        (hold.concert == concert && hold.expires_at_ms > js_sys::Date::now() as i64).then_some(hold)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = concert;
        None
    }
}

/// Forgets hold `id` (paid, given back or run out).
pub fn forget(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        if storage
            .get_item(KEY)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str::<RunningHold>(&t).ok())
            .is_some_and(|h| h.id == id)
        {
            let _ = storage.remove_item(KEY);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}
