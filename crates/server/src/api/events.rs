//! `GET /api/events`: Server-Sent Events with the catalog's availability, on connect and on every change.

use crate::{live::Live, AppState};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
    routing::get,
    Router,
};
use futures::{Stream, StreamExt};
use std::{convert::Infallible, time::Duration};
use tokio_stream::wrappers::WatchStream;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(availability_events))
}

async fn availability_events(State(live): State<Live>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = WatchStream::new(live.subscribe())
        .map(|snapshot| Ok(Event::default().event("availability").data(&snapshot.json)))
        .take_until(live.closed());
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
