//! Logs and metrics: what an operator watches on the night of an on-sale.
//!
//! Logs are `tracing` lines (JSON with `LOG_FORMAT=json`), each request's lines in a span carrying its
//! `x-request-id`; bodies are never logged, so no card number, secret or ticket code reaches a log. Metrics
//! are Prometheus text at `/metrics` (the `metrics` facade with its Prometheus exporter, no extra listener):
//! request latency by route, sales steps by tier and outcome, write batch sizes, available tickets per
//! tier, open event streams.

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{sync::OnceLock, time::Instant};
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Starts logging: plain text, or JSON objects when `json` (one per line, for a log collector).
pub fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let fmt = tracing_subscriber::fmt::layer();
    if json {
        registry.with(fmt.json().flatten_event(true).with_current_span(true).with_span_list(false)).init();
    } else {
        registry.with(fmt).init();
    }
}

/// The process's metrics recorder, installed on first use (it is global: one per process).
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), LATENCY_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full("boxoffice_write_batch_size".into()), BATCH_BUCKETS))
            .expect("bucket lists are non-empty")
            .install_recorder()
            .expect("nothing else installs a metrics recorder");
        metrics::describe_histogram!("http_request_duration_seconds", metrics::Unit::Seconds, "HTTP latency by route");
        metrics::describe_counter!(
            "boxoffice_sales_total",
            "Sales steps (book, hold, pay, cancel) by tier and outcome"
        );
        metrics::describe_histogram!("boxoffice_write_batch_size", "Commands committed per write transaction");
        metrics::describe_histogram!(
            "boxoffice_write_phase_seconds",
            metrics::Unit::Seconds,
            "Time a write batch spent in each phase: load, decide, persist, commit, and the log's sync (SQLite) that its answers wait for"
        );
        metrics::describe_gauge!("boxoffice_tickets_available", "Tickets available per tier");
        metrics::describe_gauge!("boxoffice_event_streams_open", "Open /api/events streams");
        metrics::describe_counter!("boxoffice_live_frames_total", "Frames sent on all event streams");
        metrics::describe_gauge!(
            "boxoffice_live_interval_seconds",
            "The live feed's pause between publications, grown with the open streams to keep within the budget"
        );
        metrics::describe_gauge!("boxoffice_admission_leader", "1 while this instance runs the waiting rooms' admission");
        handle
    })
}

/// Records each request's latency under its route pattern (never the concrete path, which holds secrets).
pub async fn track_latency(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route.unwrap_or_else(|| "unmatched".into())),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Counts one sales step's outcome (`ok` or the refusal's code).
pub fn count_sale(step: &'static str, tier: Option<model::Tier>, outcome: &'static str) {
    let tier = tier.map(|t| t.code()).unwrap_or("none");
    metrics::counter!("boxoffice_sales_total", "step" => step, "tier" => tier, "outcome" => outcome).increment(1);
}
