//! `/orders`: "find my order" by its code and the email it was bought with.

use crate::server_fns::FindOrder;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

super::lazy_page!(FindOrderRoute, FindOrderPage);

#[component]
fn FindOrderPage() -> impl IntoView {
    let hydrated = super::hydration_mark();
    let find = ServerAction::<FindOrder>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(Ok(path))) = find.value().get() {
            navigate(&path, Default::default());
        }
    });
    let message = move || match find.value().get() {
        Some(Ok(Err(refusal))) => Some(refusal.to_string()),
        Some(Err(failure)) => Some(failure.to_string()),
        _ => None,
    };
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"← All tickets"</a></p>
            <h1>"Find my order"</h1>
            <ActionForm action=find>
                <div class="fields">
                    <label>"Order code" <input name="code" placeholder="BX-XXXXX-XXXXX" required /></label>
                    <label>"Email" <input type="email" name="email" autocomplete="email" required /></label>
                </div>
                <button type="submit" formnovalidate disabled=move || find.pending().get()>"Find my order"</button>
            </ActionForm>
            <div class="result" aria-live="polite">
                {move || find.value().get().is_none().then(crate::query_error::refusal_from_address)}
                {move || message().map(|text| view! { <p class="error" role="alert">{text}</p> })}
            </div>
        </main>
    }
}
