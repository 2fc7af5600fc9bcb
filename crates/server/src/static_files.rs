//! What goes over the wire small and is fetched once: the site's files under `/pkg` (the page's WASM, its
//! JavaScript and CSS) served from the brotli or gzip copy `make build` writes beside each, as the
//! browser's `Accept-Encoding` allows; cached for good when their names carry their content's hash (a new
//! build is new names, so nothing stale is ever used); and every other answer big enough to gain
//! compressed as it goes out, pages revalidated on each visit.

use crate::router::AppState;
use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::prelude::LeptosOptions;
use std::path::Path;
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate, SizeAbove},
        CompressionLayer,
    },
    services::ServeDir,
};

/// A hashed file's lifetime in caches: a year, the longest RFC 9111 caches are asked to keep anything.
const HASHED: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Revalidated on every use (a 304 when unchanged): pages, and files whose names a new build keeps.
const REVALIDATED: HeaderValue = HeaderValue::from_static("no-cache");
/// Smaller answers gain less from compression than its headers and CPU cost (most API answers).
const MIN_COMPRESSED_BYTES: u16 = 1024;

/// `/pkg/…` from the site's pkg folder, precompressed copies first.
pub fn assets(options: &LeptosOptions) -> Router<AppState> {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let lifetime = if options.hash_files { HASHED } else { REVALIDATED };
    Router::new().nest_service(&format!("/{}", options.site_pkg_dir), files).layer(middleware::from_fn(
        move |request: Request, next: Next| {
            let lifetime = lifetime.clone();
            async move {
                let mut response = next.run(request).await;
                // Only a file found: a 404 cached for a year would outlive the deploy that adds the file.
                if matches!(response.status(), StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED)
                {
                    response.headers_mut().insert(header::CACHE_CONTROL, lifetime);
                }
                response
            }
        },
    ))
}

/// Compression of what the handlers answer: pages, server functions' and the API's JSON. Not event
/// streams (each event must leave when it happens, not when a compressor's buffer fills), not images, not
/// what is compressed already (`/pkg`'s precompressed files carry their `Content-Encoding`).
pub fn compression() -> CompressionLayer<impl Predicate> {
    let worth_it = SizeAbove::new(MIN_COMPRESSED_BYTES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::GRPC);
    CompressionLayer::new().br(true).gzip(true).compress_when(worth_it)
}

/// Pages are revalidated on every visit (they show live stock); a response that chose its own caching
/// keeps it.
pub async fn revalidate_pages(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if html && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, REVALIDATED);
    }
    response
}

/// The address of the site's stylesheet, hashed as `leptos_meta::HashedStylesheet` names it, for pages
/// rendered outside leptos.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let hashes = std::env::current_exe().ok().filter(|_| options.hash_files).and_then(|exe| {
        // Beside the binary, where cargo-leptos writes it and leptos reads it.
        std::fs::read_to_string(exe.with_file_name(options.hash_file.as_ref())).ok()
    });
    let hash = hashes
        .iter()
        .flat_map(|hashes| hashes.lines())
        .find_map(|line| line.trim().strip_prefix("css:").map(|hash| format!(".{}", hash.trim())))
        .unwrap_or_default();
    format!("/{}/{}{hash}.css", options.site_pkg_dir, options.output_name)
}
