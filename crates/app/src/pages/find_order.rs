//! `/orders`: "find my order" by its code and the email it was bought with, or, without the code, every
//! order of the email by mail (the page answers the same whether or not the address bought anything).

use crate::server_fns::{FindOrder, FindOrders};
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
            <MailMyOrders />
        </main>
    }
}

/// Lost the code? Every order of the address, by mail: the links travel only there.
#[component]
fn MailMyOrders() -> impl IntoView {
    let ask = ServerAction::<FindOrders>::new();
    let query = leptos_router::hooks::use_query_map();
    let asked_plainly = move || query.read().get("asked").is_some();
    let result = move || match ask.value().get() {
        Some(Ok(Ok(()))) => Some(view! { <p class="notice">{model::mail::ORDERS_LOOKUP_ANSWER}</p> }.into_any()),
        Some(Ok(Err(refusal))) => Some(view! { <p class="error" role="alert">{refusal.to_string()}</p> }.into_any()),
        Some(Err(failure)) => Some(view! { <p class="error" role="alert">{failure.to_string()}</p> }.into_any()),
        None => asked_plainly().then(|| view! { <p class="notice">{model::mail::ORDERS_LOOKUP_ANSWER}</p> }.into_any()),
    };
    view! {
        <section class="mail-my-orders" aria-labelledby="mail-orders-heading">
            <h2 id="mail-orders-heading">"No code at hand?"</h2>
            <p>"We'll mail every order of your address to it, each with its link."</p>
            <ActionForm action=ask>
                <div class="fields">
                    // Not "Email": that is the field of the form above.
                    <label>"Address to mail them to" <input type="email" name="email" autocomplete="email" required /></label>
                </div>
                <button type="submit" formnovalidate disabled=move || ask.pending().get()>"Mail me my orders"</button>
            </ActionForm>
            <div class="mail-orders-result" aria-live="polite">{result}</div>
        </section>
    }
}
