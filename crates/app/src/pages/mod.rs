//! One component per route. Every page but the concert's is a lazily loaded route: `cargo leptos build
//! --split` puts its code in a WASM chunk of its own, fetched when the page is opened, so the first page a
//! buyer opens downloads only what it needs.

/// Declares `$route`, the lazily loaded route of the page component `$page`.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <$page /> })
            }
        }
    };
}
pub(crate) use lazy_page;

mod admin;
mod checkout;
mod find_order;
mod home;
mod not_found;
mod order;
mod queue;
mod scan;

pub use admin::AdminRoute;
pub use checkout::CheckoutRoute;
pub use find_order::FindOrderRoute;
pub use home::{ConcertPage, HomePage};
pub use not_found::{NotFound, NothingHere};
pub use order::OrderRoute;
pub use queue::QueueRoute;
pub use scan::ScanRoute;

/// `true` once the page runs in the browser (effects run only there): pages put it on `main` as
/// `data-hydrated`, so tests know when the WASM has taken over.
pub(crate) fn hydration_mark() -> leptos::prelude::RwSignal<bool> {
    use leptos::prelude::*;
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}
