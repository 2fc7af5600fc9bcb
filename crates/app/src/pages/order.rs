//! `/orders/:code/:secret`: an order with its tickets' QR codes, and the way to cancel it.

use crate::{
    components::OrderSummary,
    server_fns::{get_order, CancelOrder},
    submission::submission_key,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use model::{Order, OrderStatus};

super::lazy_page!(OrderRoute, OrderPage);

#[component]
fn OrderPage() -> impl IntoView {
    let hydrated = super::hydration_mark();
    let params = use_params_map();
    let order = Resource::new(
        move || {
            let params = params.read();
            (params.get("code").unwrap_or_default(), params.get("secret").unwrap_or_default())
        },
        |(code, secret)| get_order(code, secret),
    );
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"← All tickets"</a></p>
            <Suspense fallback=|| view! { <p>"Looking up your order…"</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Ok(order) => view! { <OrderView order /> }.into_any(),
                        Err(error) if error.is_not_found() => view! { <super::NothingHere /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn OrderView(order: Order) -> impl IntoView {
    let cancel = ServerAction::<CancelOrder>::new();
    let key = submission_key(cancel.version());
    let current = RwSignal::new(order.clone());
    Effect::new(move |_| {
        if let Some(Ok(Ok(cancelled))) = cancel.value().get() {
            current.set(cancelled);
        }
    });
    let message = move || match cancel.value().get() {
        Some(Ok(Err(refusal))) => Some(refusal.to_string()),
        Some(Err(failure)) => Some(failure.to_string()),
        _ => None,
    };
    let pending = cancel.pending();
    let (code, secret) = (StoredValue::new(order.code.clone()), StoredValue::new(order.secret.clone()));
    // Cancelling refunds at once and cannot be undone, so it takes two steps: the first is a link to this
    // page with `?cancel=confirm` (so it works without JavaScript too), which shows what will be refunded.
    let query = use_query_map();
    let confirming = move || query.read().get("cancel").as_deref() == Some("confirm");
    let confirm_path = format!("{}?cancel=confirm", order.page_path());
    let here = StoredValue::new(order.page_path());
    let calendar = StoredValue::new(order.calendar_path());
    let refund = StoredValue::new(format!(
        "Cancel order {}: {} × {}, and refund {} to the card it was paid with?",
        order.code,
        order.quantity,
        order.tier.display_name(),
        order.total_cents
    ));
    view! {
        {move || view! { <OrderSummary order=current.get() /> }}
        <Show when=move || current.read().status == OrderStatus::Paid>
            <p class="order-actions">
                <a href=calendar.get_value() download="">"Add to calendar"</a>
            </p>
            <Show
                when=confirming
                fallback={
                    let confirm_path = confirm_path.clone();
                    move || view! { <a class="button-secondary" href=confirm_path.clone()>"Cancel this order…"</a> }
                }
            >
                <section class="confirm-cancel" aria-labelledby="confirm-cancel-title">
                    <h2 id="confirm-cancel-title">"Cancel this order?"</h2>
                    <p>{refund.get_value()}</p>
                    <ActionForm action=cancel attr:class="cancel">
                        <input type="hidden" name="code" value=code.get_value() />
                        <input type="hidden" name="secret" value=secret.get_value() />
                        <input type="hidden" name="submission" prop:value=key />
                        <button type="submit" class="secondary" disabled=move || pending.get()>
                            {move || if pending.get() { "Cancelling…" } else { "Yes, cancel and refund" }}
                        </button>
                    </ActionForm>
                    <a href=here.get_value()>"Keep my order"</a>
                </section>
            </Show>
        </Show>
        <div class="result" aria-live="polite">
            {move || message().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </div>
    }
}
