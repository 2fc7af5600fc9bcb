//! The `?error=` a plain form post (JavaScript off) is sent back with when a rule refused it: shown where
//! the JavaScript version shows the refusal. The address carries a code, never text: the words are the
//! shop's own for that code, so a link cannot put words on the page in the shop's voice.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The refusal in the address, if any, as a view.
pub fn refusal_from_address() -> impl IntoView {
    let query = use_query_map();
    move || {
        let query = query.read();
        let available = query.get("available").and_then(|n| n.parse::<u32>().ok());
        let code = query.get("error")?;
        // An expired hold's page says so in its own notice: once is enough.
        if code == model::BookingError::HoldExpired.code() {
            return None;
        }
        let words = model::BookingError::words_for(&code, available)?;
        Some(view! { <p class="error" role="alert">{words}</p> })
    }
}
