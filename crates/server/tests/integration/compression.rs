//! What goes over the wire small: the site's files from their precompressed copies, cached for good only
//! when hashed; pages and large JSON compressed as they go out; event streams never.

use crate::helpers::{capacities, spawn_app_serving, TestApp, ADMIN_TOKEN, TEST_CONNECTION_LIMITS};
use leptos::prelude::LeptosOptions;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};
use server::store::SaleSettings;

const WASM: &str = "/pkg/boxoffice.0123abcd.wasm";

/// An app serving a site folder of the test's making: one hashed module with a brotli and a gzip copy
/// whose bytes say which copy was sent.
async fn app_with_site(hash_files: bool) -> (TestApp, tempfile::TempDir) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let file = pkg.join("boxoffice.0123abcd.wasm");
    std::fs::write(&file, b"the module as built").unwrap();
    std::fs::write(file.with_extension("wasm.br"), b"the brotli copy").unwrap();
    std::fs::write(file.with_extension("wasm.gz"), b"the gzip copy").unwrap();
    let options = LeptosOptions::builder()
        .output_name("boxoffice")
        .site_root(site.path().to_str().unwrap())
        .hash_files(hash_files)
        .build();
    let sale = SaleSettings::default();
    let app = spawn_app_serving(capacities(5, 5, 5), sale, 0, Some(ADMIN_TOKEN), TEST_CONNECTION_LIMITS, options).await;
    (app, site)
}

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header(ACCEPT_ENCODING, accept).send().await.unwrap()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<&str> {
    response.headers().get(name).and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn the_sites_files_go_out_as_their_precompressed_copies_and_hashed_ones_are_cached_for_good() {
    let (app, _site) = app_with_site(true).await;
    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), "the brotli copy"),
        ("gzip", Some("gzip"), "the gzip copy"),
        ("identity", None, "the module as built"),
    ] {
        let response = get(&app, WASM, accept).await;
        assert_eq!(response.status(), 200, "{accept}");
        assert_eq!(header(&response, CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(header(&response, CACHE_CONTROL), Some("public, max-age=31536000, immutable"), "{accept}");
        assert_eq!(response.text().await.unwrap(), body, "{accept}");
    }
    // A file not there is not cached for a year: the next deploy may add it.
    let missing = get(&app, "/pkg/boxoffice.ffff.wasm", "br").await;
    assert_eq!((missing.status().as_u16(), header(&missing, CACHE_CONTROL)), (404, None));
}

#[tokio::test]
async fn files_whose_names_a_build_keeps_are_revalidated() {
    let (app, _site) = app_with_site(false).await;
    let response = get(&app, WASM, "br").await;
    assert_eq!((response.status().as_u16(), header(&response, CACHE_CONTROL)), (200, Some("no-cache")));
}

#[tokio::test]
async fn pages_and_large_json_are_compressed_small_answers_and_event_streams_are_not() {
    // Unhashed: a page names hashed files from the hash file beside the binary, which a test binary lacks.
    let (app, _site) = app_with_site(false).await;
    let page = get(&app, "/", "gzip").await;
    assert_eq!((page.status().as_u16(), header(&page, CONTENT_ENCODING)), (200, Some("gzip")));
    assert_eq!(header(&page, CACHE_CONTROL), Some("no-cache"), "pages are revalidated");
    assert_eq!(&page.bytes().await.unwrap()[..2], [0x1f, 0x8b], "a gzip stream");

    let document = get(&app, "/api/openapi.json", "br").await;
    assert_eq!((document.status().as_u16(), header(&document, CONTENT_ENCODING)), (200, Some("br")));

    let health = get(&app, "/healthz", "gzip, br").await;
    assert_eq!((health.status().as_u16(), header(&health, CONTENT_ENCODING)), (200, None));

    // Each event must leave when it happens, not when a compressor's buffer is full.
    let events = get(&app, "/api/events", "gzip, br").await;
    assert_eq!(events.status(), 200);
    assert_eq!(header(&events, reqwest::header::CONTENT_TYPE), Some("text/event-stream"));
    assert_eq!(header(&events, CONTENT_ENCODING), None);
}
