//! A fresh idempotency key per form submission, so a double click or a retried call is answered once.
//!
//! The key is made in the browser after hydration (the server renders the field empty: without JavaScript
//! a form post carries no key, and the browser itself asks before re-posting) from `crypto.getRandomValues`,
//! and replaced each time the form's action completes, so the next submission is a new one.

use leptos::prelude::*;

/// A key that changes whenever `version` (the action's completed-submission count) does.
pub fn submission_key(version: RwSignal<usize>) -> RwSignal<String> {
    let key = RwSignal::new(String::new());
    Effect::new(move |_| {
        version.track();
        key.set(random_key());
    });
    key
}

#[cfg(feature = "hydrate")]
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Effects never run on the server; this only keeps the signature whole there.
#[cfg(not(feature = "hydrate"))]
fn random_key() -> String {
    String::new()
}
