//! The button that joins a concert's waiting room, and what the server said if it refused.

use crate::server_fns::JoinQueue;
use leptos::prelude::*;

#[component]
pub fn JoinQueueForm(concert: i64, action: ServerAction<JoinQueue>, label: &'static str) -> impl IntoView {
    let pending = action.pending();
    let refusal = move || {
        let message = match action.value().get()? {
            Ok(Ok(_)) => return None,
            Ok(Err(refusal)) => refusal.to_string(),
            Err(failure) => failure.to_string(),
        };
        Some(view! { <p class="error" role="alert">{message}</p> })
    };
    view! {
        <ActionForm action>
            <input type="hidden" name="concert" value=concert.to_string() />
            <button type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Joining…" } else { label }}
            </button>
        </ActionForm>
        <div class="result" aria-live="polite">
            {move || action.value().get().is_none().then(crate::query_error::refusal_from_address)}
            {refusal}
        </div>
    }
}
