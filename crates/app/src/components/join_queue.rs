//! The button that joins a concert's waiting room, what the server said if it refused, and the line that
//! tells an admitted visitor until when they may choose.

use crate::server_fns::JoinQueue;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// "`lead` before 12:34." — the end of the visitor's buying window, if known.
#[component]
pub fn ChooseBefore(lead: &'static str, ends: Option<DateTime<Utc>>) -> impl IntoView {
    view! {
        <p role="status">
            {lead}
            {ends.map(|ends| view! {
                " before "
                <time datetime=ends.to_rfc3339()>{model::when::short_date_time(ends)}</time>
            })}
            "."
        </p>
    }
}

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
