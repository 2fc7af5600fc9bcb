//! `boxoffice`: starts the server. Everything it does is in the library; this file only wires it up.

use clap::Parser;
use leptos::prelude::get_configuration;
use server::{build_router, live::Live, AppState, Config, Parts, Store};

// jemalloc, not the system's malloc: glibc's spent a quarter of the page's CPU time in its arenas (locks,
// consolidation) and kept what a burst of connections freed; jemalloc renders the page ≈ 15 % faster and its
// background thread returns idle memory to the system within seconds (bench/RESULTS.md).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::parse();
    server::observability::init_tracing(config.log_format.eq_ignore_ascii_case("json"));
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_addr = config.addr;
    // A binary cargo-leptos built with `hash-files` serves the hashed names it built beside it, without
    // the environment having to say so again.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() && option_env!("LEPTOS_HASH_FILES") == Some("true") {
        leptos_options.hash_files = true;
    }

    let store = Store::open_with(&config.database_url, config.capacity, config.sale()).await?;
    if let Some(path) = &config.seating_plan {
        server::seating_seed::seat_default_concert(&store, path).await?;
    }
    server::sweeper::start(store.clone());
    server::mail::start(store.clone(), config.mail()?);
    let fan_out = server::live::FanOut { frames_per_second: config.live_frames_per_second };
    let live = Live::start_with(store.clone(), fan_out).await?;
    let admin_token = server::api::admin::AdminToken::new(config.admin_token.clone());
    let signing_key = match &config.queue_signing_key {
        Some(key) if key.chars().count() < server::queue_pass::MIN_KEY_CHARS => {
            return Err(format!(
                "BOXOFFICE_QUEUE_SIGNING_KEY must be at least {} characters",
                server::queue_pass::MIN_KEY_CHARS
            )
            .into())
        }
        Some(key) => key.clone(),
        None => store.queue_signing_key().await?,
    };
    let passes = server::queue_pass::QueuePasses::new(&signing_key);
    server::admission::start(store.clone());
    let state = AppState::from(Parts { leptos_options, store: store.clone(), live: live.clone(), admin_token, passes });
    let router = build_router(state, config.rate_limit);

    let limits = config.connection_limits(server::connections::descriptor_budget());
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(
        max_connections = limits.max_connections,
        per_client = limits.max_per_client,
        header_timeout_seconds = limits.header_timeout.as_secs(),
        "serving http://{}",
        listener.local_addr()?
    );
    server::connections::serve(listener, router, limits, async move {
        shutdown_signal().await;
        live.close();
    })
    .await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish and the database closes cleanly.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
