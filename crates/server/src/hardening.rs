//! What keeps accidents and attackers out: security headers, a request timeout, a per-IP rate limit on
//! writes, and a same-origin check on browser posts.
//!
//! Cross-site requests: the page's forms and server functions are refused when a browser says they come
//! from another site (`Origin` not this host, or `Sec-Fetch-Site: cross-site`). Programs that send neither
//! header (the REST API's clients) are unaffected. We chose this over same-site cookies because boxoffice
//! has no session cookie to protect: the check guards the writes themselves.

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, Method, Response, StatusCode, Version},
    middleware::Next,
    response::IntoResponse,
    Json,
};
use governor::middleware::NoOpMiddleware;
use serde_json::json;
use std::{sync::Arc, time::Duration};
use tower_governor::{
    governor::GovernorConfigBuilder, key_extractor::PeerIpKeyExtractor, GovernorError, GovernorLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;

/// Longest a request may take: past it, a request still without its headers is answered 503, and a body
/// still being written is cut off (`response_deadline.rs`). Event streams are meant to last and are exempt.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The headers every response gets unless it set its own. The Content-Security-Policy here allows no script
/// but this origin's; pages get theirs from `page_policy`, which adds the response's nonce for leptos' inline
/// hydration script and the page's WASM, so no inline script runs without that nonce.
pub fn security_headers() -> [SetResponseHeaderLayer<HeaderValue>; 4] {
    let policy = HeaderValue::from_str(&app::content_security_policy("")).expect("the policy is plain ASCII");
    [
        SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, policy),
        SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            // Order pages carry their secret in the address: never send it to another site.
            HeaderValue::from_static("same-origin"),
        ),
        SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ]
}

/// A page's Content-Security-Policy, which admits its inline hydration script by the nonce leptos put on
/// it: the request carries a slot for the nonce, the shell fills it (`app::PageNonce`), and the page's
/// policy replaces the default here once the page is rendered. A page that did not fill the slot keeps the
/// default, under which its inline script does not run.
pub async fn page_policy(mut request: Request, next: Next) -> axum::response::Response {
    let nonce = app::PageNonce::default();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let page =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if let (true, Some(nonce)) = (page, nonce.get()) {
        if let Ok(policy) = HeaderValue::from_str(&app::page_content_security_policy(nonce)) {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    response
}

/// RFC 9112 §3.2: an HTTP/1.1 request carries exactly one `Host`; one without it, or with two, is 400
/// (which host it meant decides, for one, the same-origin check below).
pub async fn one_host(request: Request, next: Next) -> axum::response::Response {
    if request.version() == Version::HTTP_11 && request.headers().get_all(header::HOST).iter().count() != 1 {
        let body = json!({ "error": "invalid_host", "message": "an HTTP/1.1 request needs exactly one Host header" });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    next.run(request).await
}

/// Refuses a browser's post that says it comes from another site.
pub async fn same_origin_posts(request: Request, next: Next) -> axum::response::Response {
    if request.method() == Method::POST && is_cross_site(&request) {
        let body = json!({ "error": "cross_site_request", "message": "requests from other sites are not accepted" });
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").is_some_and(|site| site == "cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return false };
    let origin_host = origin.split_once("://").map(|(_, host)| host).unwrap_or(origin);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    origin == "null" || !origin_host.eq_ignore_ascii_case(host)
}

pub type RateLimit = GovernorLayer<PeerIpKeyExtractor, NoOpMiddleware, Body>;

/// `per_second` posts per second per client IP (bursts of as many), answered 429 with `Retry-After` beyond
/// that. Reads (pages, the catalog, event streams) are not limited. `None` for 0: the limit is off.
pub fn rate_limit(per_second: u32) -> Option<RateLimit> {
    let config = GovernorConfigBuilder::default()
        .period(Duration::from_secs(1) / per_second.max(1))
        .burst_size(per_second)
        .methods(vec![Method::POST])
        .key_extractor(PeerIpKeyExtractor)
        .finish()?;
    let config = Arc::new(config);
    let limiter = config.limiter().clone();
    // The limiter keeps a entry per IP; forget the idle ones now and then.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    });
    Some(GovernorLayer::new(config).error_handler(rate_limited))
}

fn rate_limited(error: GovernorError) -> Response<Body> {
    let (status, retry_after, code, message) = match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let seconds = wait_time.max(1);
            let message = format!("too many requests from your address; retry in {seconds} s");
            (StatusCode::TOO_MANY_REQUESTS, Some(seconds), "rate_limited", message)
        }
        GovernorError::UnableToExtractKey => {
            (StatusCode::INTERNAL_SERVER_ERROR, None, "internal", "could not tell the client's address".into())
        }
        GovernorError::Other { code, msg, .. } => (code, None, "internal", msg.unwrap_or_default()),
    };
    let mut response = Response::builder().status(status).header(header::CONTENT_TYPE, "application/json");
    if let Some(seconds) = retry_after {
        response = response.header(header::RETRY_AFTER, seconds);
    }
    response
        .body(Body::from(json!({ "error": code, "message": message }).to_string()))
        .expect("a response from valid parts")
}
