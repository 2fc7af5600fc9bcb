//! One component per route.

mod admin;
mod checkout;
mod find_order;
mod home;
mod not_found;
mod order;

pub use admin::AdminRoute;
pub use checkout::CheckoutPage;
pub use find_order::FindOrderPage;
pub use home::{ConcertPage, HomePage};
pub use not_found::NotFound;
pub use order::OrderPage;

/// `true` once the page runs in the browser (effects run only there): pages put it on `main` as
/// `data-hydrated`, so tests know when the WASM has taken over.
pub(crate) fn hydration_mark() -> leptos::prelude::RwSignal<bool> {
    use leptos::prelude::*;
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}
