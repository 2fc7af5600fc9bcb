//! The `?error=` a plain form post (JavaScript off) is sent back with when a rule refused it: shown where
//! the JavaScript version shows the refusal, so both kinds of buyer read the same words.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The refusal in the address, if any, as a view.
pub fn refusal_from_address() -> impl IntoView {
    let query = use_query_map();
    move || query.read().get("error").map(|message| view! { <p class="error" role="alert">{message}</p> })
}
