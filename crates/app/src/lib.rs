//! The boxoffice page, rendered on the server and hydrated in the browser.
//!
//! `pages/` holds one component per route, `components/` the pieces they share, `server_fns.rs` the calls
//! the page makes to the server, and `backend.rs` (server only) the interface the server crate implements
//! so server functions stay thin calls into its store.

pub mod admin_fns;
#[cfg(feature = "ssr")]
pub mod backend;
mod components;
mod error;
mod field_problems;
mod live;
mod pages;
mod query_error;
mod running_hold;
// Browser-only: on the server its calls are inert and some go unused.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod scanner;
mod scanner_offline;
pub mod server_fns;
mod submission;
mod text;

pub use error::AppError;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

/// The HTML document around the app, rendered by the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    share_page_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // The stylesheet by its hashed name when the build hashed it: in the shell, which only the
                // server renders, as the name is known only there.
                <HashedStylesheet id="leptos" options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Where a page tells the server its nonce. The server's page middleware (`hardening::page_policy`) puts
/// one in each request's extensions, the shell fills it, and the middleware writes the page's policy from
/// it once the page is rendered: the header comes from the server's own layer, not from leptos'
/// `ResponseOptions` (which once, under load in the browser tests, reached the response without it).
#[cfg(feature = "ssr")]
#[derive(Clone, Default, Debug)]
pub struct PageNonce(std::sync::Arc<std::sync::OnceLock<String>>);

#[cfg(feature = "ssr")]
impl PageNonce {
    /// The nonce the page's scripts carry, once the shell has rendered.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// The page's Content-Security-Policy: scripts only from this origin or carrying this response's nonce
/// (leptos puts it on its inline hydration script), the page's own WASM, and nothing framing the page.
/// Responses that are not pages get the server's stricter default (`hardening.rs`).
#[cfg(feature = "ssr")]
fn share_page_nonce() {
    let (Some(nonce), Some(parts)) = (leptos::nonce::use_nonce(), use_context::<http::request::Parts>()) else {
        return;
    };
    if let Some(slot) = parts.extensions.get::<PageNonce>() {
        let _ = slot.0.set(nonce.to_string());
    }
}

/// The Content-Security-Policy of a page whose scripts carry `nonce`.
#[cfg(feature = "ssr")]
pub fn page_content_security_policy(nonce: &str) -> String {
    content_security_policy(&format!("'nonce-{nonce}' 'wasm-unsafe-eval'"))
}

/// boxoffice's Content-Security-Policy: everything from this origin only, nothing framing the page, and
/// scripts from `script_sources` too (a page's nonce and its WASM; none for responses that are not pages).
#[cfg(feature = "ssr")]
pub fn content_security_policy(script_sources: &str) -> String {
    let script_src = if script_sources.is_empty() { "'self'".to_owned() } else { format!("'self' {script_sources}") };
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href="/favicon.ico" />
        <Meta name="description" content="Tickets for the concert, with live availability." />
        <Title text="boxoffice" />
        <Router>
            <Routes fallback=pages::NotFound>
                // Rendered whole once the catalog is read (from memory, so no wait): one chunk, no fallback
                // swapped out by script, and the page reads right before (or without) its WASM.
                <Route path=path!("/") view=pages::HomePage ssr=SsrMode::Async />
                <Route path=path!("/concerts/:id") view=pages::ConcertPage ssr=SsrMode::Async />
                <Route path=path!("/concerts/:id/queue") view={Lazy::<pages::QueueRoute>::new()} ssr=SsrMode::Async />
                // The checkout and the order render whole too: without JavaScript nothing would move a
                // streamed piece into place, and a page that does not exist can still answer 404.
                <Route path=path!("/checkout/:hold") view={Lazy::<pages::CheckoutRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/orders") view={Lazy::<pages::FindOrderRoute>::new()} />
                <Route path=path!("/admin") view={Lazy::<pages::AdminRoute>::new()} />
                <Route path=path!("/scan") view={Lazy::<pages::ScanRoute>::new()} />
                <Route
                    path=path!("/orders/:code/:secret")
                    view={Lazy::<pages::OrderRoute>::new()}
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}

/// The WASM entry point: attaches the server-rendered page to the reactive system.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: lazily loaded routes (the admin page) need their code before hydrating.
    leptos::mount::hydrate_lazy(App);
}
