//! The page for an address that leads nowhere, and the same words inside a page whose concert, hold or
//! order does not exist; either way the answer's status is 404.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="page">
            <NothingHere />
        </main>
    }
}

/// "Page not found", with the status set to 404 when rendered on the server.
#[component]
pub fn NothingHere() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Page not found"</h1>
        <p><a href="/">"Back to the tickets"</a></p>
    }
}
