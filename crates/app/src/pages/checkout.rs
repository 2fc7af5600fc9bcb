//! `/checkout/:hold`: the held tickets, the time left, and the payment form.
//!
//! A declined card leaves the hold as it is, so the buyer can try another; a hold that runs out (on the
//! countdown, or as the server answers) replaces the form with "start again".

use crate::field_problems::{check_before_sending, CheckedInput, FieldProblems};
use crate::{
    components::Countdown,
    server_fns::{get_hold, Attempt, PayHold, ReleaseHold},
    submission::submission_key,
    AppError,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::{BookingError, FormField, Hold, HoldStatus, TEST_CARDS};

super::lazy_page!(CheckoutRoute, CheckoutPage);

#[component]
fn CheckoutPage() -> impl IntoView {
    let hydrated = super::hydration_mark();
    let params = use_params_map();
    let hold = Resource::new(move || params.read().get("hold").unwrap_or_default(), get_hold);
    view! {
        <main class="page" data-hydrated=move || hydrated.get().to_string()>
            <p><a href="/">"← All tickets"</a></p>
            <Suspense fallback=|| view! { <p>"Finding your hold…"</p> }>
                {move || Suspend::new(async move {
                    match hold.await {
                        Ok(hold) => view! { <Checkout hold /> }.into_any(),
                        Err(error) if error.is_not_found() => view! { <super::NothingHere /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Checkout(hold: Hold) -> impl IntoView {
    let pay = ServerAction::<PayHold>::new();
    let hold_id_for_forget = StoredValue::new(hold.id.clone());
    let release = ServerAction::<ReleaseHold>::new();
    let key = submission_key(pay.version());
    let release_key = submission_key(release.version());
    let concert_page = format!("/concerts/{}", hold.concert.id);
    let released_now = {
        let (navigate, concert_page) = (use_navigate(), concert_page.clone());
        move || {
            if let Some(Ok(Ok(released))) = release.value().get() {
                crate::running_hold::forget(&released.id);
                navigate(&concert_page, Default::default());
            }
        }
    };
    Effect::new(move |_| released_now());
    let expired = RwSignal::new(hold.status == HoldStatus::Expired);
    let navigate = use_navigate();
    Effect::new(move |_| match pay.value().get() {
        Some(Ok(Ok(order))) => {
            crate::running_hold::forget(hold_id_for_forget.get_value().as_str());
            navigate(&order.page_path(), Default::default())
        }
        Some(Ok(Err(BookingError::HoldExpired))) => expired.set(true),
        _ => {}
    });
    let pending = pay.pending();
    let problems: FieldProblems = RwSignal::new(Vec::new());
    // A refusal from the server (a declined card, say) lands below the form: brought into view, as a
    // phone's screen may end above it.
    Effect::new(move |_| {
        if matches!(pay.value().get(), Some(Ok(Err(_)) | Err(_))) {
            crate::field_problems::reveal(".checkout .result");
        }
    });
    let paid_already = hold.status == HoldStatus::Paid;
    if hold.status != HoldStatus::Held {
        let id = hold.id.clone();
        Effect::new(move |_| crate::running_hold::forget(&id));
    }
    let released_already = hold.status == HoldStatus::Released;
    let pay_label = format!("Pay {}", hold.total_cents);
    let hold_id = StoredValue::new(hold.id.clone());
    let pay_label = StoredValue::new(pay_label);
    let hints = TEST_CARDS
        .iter()
        .map(|(number, outcome)| view! { <li><code>{*number}</code>" — "{*outcome}</li> })
        .collect_view();

    view! {
        <section class="checkout" aria-labelledby="checkout-title">
            <h1 id="checkout-title">"Checkout"</h1>
            {hold.offer.then(|| view! {
                <p class="notice offer-notice">
                    "Tickets came back and we held them for you from the waiting list. Pay before the time runs
                    out, or they pass to the next person in line."
                </p>
            })}
            <dl>
                <dt>"Concert"</dt>
                <dd class="hold-concert"><crate::components::ConcertLine concert=hold.concert.clone() /></dd>
                <dt>"Tickets"</dt>
                <dd class="hold-tickets">{format!("{} × {}", hold.quantity, hold.tier.display_name())}</dd>
                <dt>"Total"</dt>
                <dd class="hold-total">{hold.total_cents.to_string()}</dd>
                <dt>"For"</dt>
                <dd>{format!("{} ({})", hold.buyer_name.clone().unwrap_or_default(), hold.user_id)}</dd>
            </dl>
            {if paid_already {
                view! {
                    <p class="notice">"This hold is paid. " <a href="/orders">"Find your order"</a></p>
                }
                    .into_any()
            } else if released_already {
                view! {
                    <div class="expired">
                        <p>"You gave these tickets back and they went back on sale."</p>
                        <a class="button" href=concert_page.clone()>"Start again"</a>
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <Countdown expires_at=hold.expires_at expired />
                    <Show
                        when=move || !expired.get()
                        fallback={
                            let concert_page = concert_page.clone();
                            move || view! {
                                <div class="expired" role="alert">
                                    <p>"Your hold has expired and the tickets went back on sale."</p>
                                    <a class="button" href=concert_page.clone()>"Start again"</a>
                                </div>
                            }
                        }
                    >
                        <ActionForm action=pay>
                            <input type="hidden" name="hold" value=hold_id.get_value() />
                            <input type="hidden" name="submission" prop:value=key />
                            <div class="fields">
                                <CheckedInput label="Card number" field=FormField::CardNumber problems
                                    autocomplete="cc-number" inputmode="numeric" wide=true />
                                <CheckedInput label="Expiry (MM/YY)" field=FormField::Expiry problems
                                    autocomplete="cc-exp" placeholder="MM/YY" />
                                <CheckedInput label="CVC" field=FormField::Cvc problems
                                    autocomplete="cc-csc" inputmode="numeric" />
                            </div>
                            <button
                                type="submit"
                                formnovalidate
                                disabled=move || pending.get()
                                on:click=move |click| {
                                    check_before_sending(&click, problems, |value| {
                                        model::card_form_problems(
                                            &value(FormField::CardNumber),
                                            &value(FormField::Expiry),
                                            &value(FormField::Cvc),
                                            // The browser's clock (chrono cannot read it in WASM).
                                            chrono::DateTime::from_timestamp_millis(crate::components::now_ms())
                                                .unwrap_or_default()
                                                .date_naive(),
                                        )
                                    })
                                }
                            >
                                {move || if pending.get() { "Paying…".to_owned() } else { pay_label.get_value() }}
                            </button>
                        </ActionForm>
                        <ActionForm action=release attr:class="release">
                            <input type="hidden" name="hold" value=hold_id.get_value() />
                            <input type="hidden" name="submission" prop:value=release_key />
                            <button type="submit" class="secondary" disabled=move || release.pending().get()>
                                {move || if release.pending().get() { "Giving them back…" } else { "Give these tickets back" }}
                            </button>
                        </ActionForm>
                    </Show>
                    <aside class="test-cards">
                        <p>"This is a demo: no real card is charged. Test cards (any future expiry, any CVC):"</p>
                        <ul>{hints.clone()}</ul>
                    </aside>
                }
                    .into_any()
            }}
            <div class="result" aria-live="polite">
                {move || pay.value().get().is_none().then(crate::query_error::refusal_from_address)}
                {move || pay.value().get().and_then(refusal_text)}
                {move || release.value().get().and_then(refusal_text)}</div>
        </section>
    }
}

/// The text of a refusal or failure (of paying, or of giving the hold back); a success navigates away
/// instead.
fn refusal_text<T>(result: Result<Attempt<T>, AppError>) -> Option<AnyView> {
    let message = match result {
        Ok(Ok(_)) => return None,
        // The expired hold's notice says it already, once.
        Ok(Err(BookingError::HoldExpired)) => return None,
        Ok(Err(refusal)) => refusal.to_string(),
        Err(failure) => failure.to_string(),
    };
    Some(view! { <p class="error" role="alert">{message}</p> }.into_any())
}
