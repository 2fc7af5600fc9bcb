//! The whole HTTP surface: the leptos page and its server functions, the REST API, static files, and
//! the middleware around them.

use crate::{
    api, body_limit, hardening,
    live::Live,
    observability::{self, track_latency},
    response_deadline, static_files,
    store::Store,
};
use app::{
    backend::{SharedAdmin, SharedBackend},
    shell, App,
};
use axum::{
    body::Body,
    extract::FromRef,
    http::{HeaderName, Request, StatusCode},
    middleware,
    response::Html,
    routing::get,
    Router,
};
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// What every handler can reach: one shared allocation, since axum clones the state for every request
/// (cloning the parts themselves, the leptos options' strings among them, showed in the bookings profile).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

pub struct Parts {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub live: Live,
    /// The admin API's token; the admin area is off without one.
    pub admin_token: api::admin::AdminToken,
    /// Signs and reads the waiting room's passes.
    pub passes: crate::queue_pass::QueuePasses,
}

impl From<Parts> for AppState {
    fn from(parts: Parts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What an extractor takes out of the state: only the part it names is cloned.
macro_rules! part {
    ($part:ident: $type:ty) => {
        impl FromRef<AppState> for $type {
            fn from_ref(state: &AppState) -> $type {
                state.0.$part.clone()
            }
        }
    };
}
part!(leptos_options: LeptosOptions);
part!(store: Store);
part!(live: Live);
part!(admin_token: api::admin::AdminToken);
part!(passes: crate::queue_pass::QueuePasses);

/// The app with its middleware. `rate_limit` is posts per second per client IP (0: no limit); it needs
/// the router served with `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn build_router(state: AppState, rate_limit: u32) -> Router {
    observability::metrics();
    let mut routes = page_routes();
    if !state.admin_token.is_on() {
        // The admin area is off: its page is not served at all (the API's routes answer 404 on their own).
        routes.retain(|route| route.path() != ADMIN_PAGE);
    }
    let backend: SharedBackend =
        Arc::new(crate::page_backend::PageBackend { store: state.store.clone(), passes: state.passes.clone() });
    let admin: SharedAdmin =
        Arc::new(crate::page_admin::PageAdmin { store: state.store.clone(), token: state.admin_token.clone() });
    let leptos_options = state.leptos_options.clone();
    let request_id = HeaderName::from_static("x-request-id");
    let [csp, nosniff, referrer, frames] = hardening::security_headers();
    let mut router = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(backend.clone());
                provide_context(admin.clone());
            },
            move || shell(leptos_options.clone()),
        )
        .merge(api::router(state.admin_token.clone()))
        .merge(admin_page_when_off(&state.admin_token, &state.leptos_options))
        .merge(static_files::assets(&state.leptos_options))
        .route_layer(middleware::from_fn(track_latency))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state);
    // Inside the rate limit: a client over its limit is refused before its body is read.
    router = router.layer(middleware::from_fn(body_limit::limit_request_bodies));
    if let Some(limit) = hardening::rate_limit(rate_limit) {
        router = router.layer(limit);
    }
    // Outermost first: every response, even a refusal by the layers below, has an id and the headers.
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                // The path only: order pages carry their secret in it, and no secret is ever logged.
                let route = redacted_path(request.uri().path());
                tracing::info_span!("request", method = %request.method(), path = %route, request_id = %id)
            }))
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(csp)
            .layer(middleware::from_fn(hardening::page_policy))
            .layer(nosniff)
            .layer(referrer)
            .layer(frames)
            .layer(static_files::compression())
            .layer(middleware::from_fn(static_files::revalidate_pages))
            .layer(middleware::from_fn_with_state(hardening::REQUEST_TIMEOUT, response_deadline::bound_whole_response))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, hardening::REQUEST_TIMEOUT))
            .layer(middleware::from_fn(hardening::one_host))
            .layer(middleware::from_fn(hardening::same_origin_posts)),
    )
}

const ADMIN_PAGE: &str = "/admin";

/// With the admin area off, `/admin` is a plain 404 page: no token form, and no WASM that would hydrate
/// the admin page over it.
fn admin_page_when_off(token: &api::admin::AdminToken, options: &LeptosOptions) -> Router<AppState> {
    if token.is_on() {
        return Router::new();
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not found</title>\
         <link rel=\"stylesheet\" href=\"{}\"></head><body><main class=\"page\">\
         <h1>Page not found</h1><p><a href=\"/\">Back to the tickets</a></p></main></body></html>",
        static_files::stylesheet_href(options)
    );
    Router::new().route(
        ADMIN_PAGE,
        get(move || {
            let page = page.clone();
            async move { (StatusCode::NOT_FOUND, Html(page)) }
        }),
    )
}

/// The page's routes, listed once per process and before any router exists. Listing renders the app with
/// a process-wide flag up that makes every page resource first polled meanwhile wait for ever (leptos_server
/// `SuppressResourceLoad`, leptos issue #4773): listed again beside a router already serving pages, as
/// integration tests building a router each did, it left a page now and then streaming without its end.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// A path fit for a log line: the parts after `/orders/{code}/`, `/checkout/`, `/holds/` (secrets, hold
/// ids) become `…`.
fn redacted_path(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    for i in 0..parts.len() {
        let secret_follows = match parts[i] {
            "checkout" | "holds" | "queue" => Some(1),
            "orders" if i + 2 < parts.len() => Some(2),
            _ => None,
        };
        if let Some(offset) = secret_follows {
            if let Some(part) = parts.get_mut(i + offset) {
                *part = "…";
            }
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_paths_are_not_logged() {
        assert_eq!(super::redacted_path("/orders/BX-1/abc"), "/orders/BX-1/…");
        assert_eq!(super::redacted_path("/api/orders/BX-1/abc/cancel"), "/api/orders/BX-1/…/cancel");
        assert_eq!(super::redacted_path("/api/holds/h_1/payment"), "/api/holds/…/payment");
        assert_eq!(super::redacted_path("/checkout/h_1"), "/checkout/…");
        assert_eq!(super::redacted_path("/api/tickets"), "/api/tickets");
        assert_eq!(super::redacted_path("/api/concerts/2/queue/v_1"), "/api/concerts/2/queue/…");
        assert_eq!(super::redacted_path("/api/concerts/2/queue"), "/api/concerts/2/queue");
    }
}
