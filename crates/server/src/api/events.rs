//! `GET /api/events`: Server-Sent Events with the catalog's availability, on connect and on every change.

use crate::{live::Live, AppState};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use futures::{Stream, StreamExt};
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

/// Counts a stream as open for as long as it lives.
struct OpenStream;

impl OpenStream {
    fn new() -> OpenStream {
        metrics::gauge!("boxoffice_event_streams_open").increment(1.0);
        OpenStream
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!("boxoffice_event_streams_open").decrement(1.0);
    }
}

/// Server-Sent Events: an `availability` event (the `/api/tickets` array) on connect and after every change.
#[utoipa::path(get, path = "/api/events", tag = "catalog",
    responses((status = 200, content_type = "text/event-stream", body = AvailabilityEvent)))]
async fn availability_events(State(live): State<Live>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let open = OpenStream::new();
    let events = WatchStream::new(live.subscribe())
        .map(move |snapshot| {
            let _counted = &open;
            Ok(Event::default().event("availability").data(&snapshot.json))
        })
        .take_until(live.closed());
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
