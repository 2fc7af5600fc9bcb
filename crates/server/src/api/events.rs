//! `GET /api/events`: Server-Sent Events with the catalog's availability, on connect and on every change.

use super::ApiError;
use crate::{live::Live, store::Store, AppState};
use axum::{
    extract::{Query, State},
    response::sse::{Event, KeepAlive, Sse},
};
use futures::{Stream, StreamExt};
use std::sync::Arc;
use std::{convert::Infallible, time::Duration};
use tokio_stream::wrappers::WatchStream;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(availability_events))
}

/// One event of the stream, as an SSE client sees it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes what `Event` writes
struct AvailabilityEvent {
    /// Always `availability`.
    event: String,
    /// The `/api/tickets` array, as JSON text.
    #[schema(content_media_type = "application/json")]
    data: String,
}

/// Server-Sent Events: an `availability` event (the concert's tiers, as in `/api/concerts/{id}`) on connect
/// and after every change to that concert; for a concert with a waiting room also a `queue` event
/// (`{admitted_through, joined, placed}`) on connect and after every change, from which each waiting page
/// works out how many are still ahead of it.
#[utoipa::path(get, path = "/api/events", tag = "catalog", params(super::concerts::ConcertQuery),
    responses((status = 200, content_type = "text/event-stream", body = AvailabilityEvent), super::openapi::LookupErrors))]
async fn availability_events(
    State(live): State<Live>,
    State(store): State<Store>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let concert = super::concerts::concert_of(&query)?.unwrap_or(store.default_event_id());
    // Asked of the store, not the live snapshot: a concert created a moment ago is in the store (read your
    // writes) before the live task has read it; its first event follows as soon as that task has.
    store.concert_by_id(concert).await?;
    let open = live.open_stream();
    let (mut last, mut last_queue): (Option<Arc<str>>, Option<Arc<str>>) = (None, None);
    let events = WatchStream::new(live.subscribe())
        // Other concerts' changes wake every stream; only a change to this concert's tiers, or to its
        // waiting room's counters, is sent.
        .flat_map(move |snapshot| {
            let mut events = Vec::new();
            if let Some(json) = snapshot.json_of(concert).filter(|json| last.as_ref() != Some(json)) {
                last = Some(json.clone());
                events.push(Ok(Event::default().event("availability").data(&*json)));
            }
            if let Some(json) = snapshot.queue_json_of(concert).filter(|json| last_queue.as_ref() != Some(json)) {
                last_queue = Some(json.clone());
                events.push(Ok(Event::default().event("queue").data(&*json)));
            }
            open.sent(events.len() as u64);
            futures::stream::iter(events)
        })
        .take_until(live.closed());
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
