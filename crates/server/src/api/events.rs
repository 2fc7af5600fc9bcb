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
    OpenApiRouter::new().routes(routes!(availability_events)).routes(routes!(catalog_events))
}

/// Server-Sent Events for a page that shows every concert (the operator's): a `changed` event with the ids
/// of the concerts whose availability or tickets sold changed (`[1, 4]`), all of them on connect. The page fetches what it
/// shows of them; one stream serves any number of concerts, where a stream each would soon exhaust the
/// browser's few connections to a host.
#[utoipa::path(get, path = "/api/events/catalog", tag = "catalog",
    responses((status = 200, content_type = "text/event-stream", body = AvailabilityEvent)))]
async fn catalog_events(State(live): State<Live>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let open = live.open_stream();
    let mut last: std::collections::HashMap<i64, (Arc<str>, i64)> = std::collections::HashMap::new();
    let events = WatchStream::new(live.subscribe())
        .flat_map(move |snapshot| {
            let now = snapshot.sales_marks();
            let mut changed: Vec<i64> =
                now.iter().filter(|(id, mark)| last.get(*id) != Some(*mark)).map(|(id, _)| *id).collect();
            changed.sort_unstable();
            last = now;
            let event = (!changed.is_empty()).then(|| {
                open.sent(1);
                Ok(Event::default().event("changed").data(serde_json::json!(changed).to_string()))
            });
            futures::stream::iter(event)
        })
        .take_until(live.closed());
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
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
/// works out how many are still ahead of it; for a seated concert a `seats` event: all its seats' states on
/// connect (`{"states": "ffhs…"}`, a letter each in the order of `/api/concerts/{id}/seats`: free, held, sold,
/// blocked), then only those that changed (`{"changed": [[index, letter], …]}`).
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
    store.listed_concert(concert).await?;
    let open = live.open_stream();
    let (mut last, mut last_queue): (Option<Arc<str>>, Option<Arc<str>>) = (None, None);
    let mut last_seats: Option<Arc<str>> = None;
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
            if let Some(letters) = snapshot.seats_of(concert).filter(|now| last_seats.as_ref() != Some(now)) {
                let data = seats_event(last_seats.as_deref(), &letters);
                last_seats = Some(letters);
                events.push(Ok(Event::default().event("seats").data(data)));
            }
            open.sent(events.len() as u64);
            futures::stream::iter(events)
        })
        .take_until(live.closed());
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// A `seats` event: the seats that changed since `before` as `{"changed": [[index, letter], …]}`, or all of
/// them as `{"states": "ffhs…"}` (one letter a seat in plan order: free, held, sold, blocked) on connect,
/// after a new plan, or when that is shorter.
fn seats_event(before: Option<&str>, now: &str) -> String {
    let changed: Option<Vec<(usize, char)>> = before.filter(|b| b.len() == now.len()).map(|before| {
        before.chars().zip(now.chars()).enumerate().filter(|(_, (a, b))| a != b).map(|(i, (_, b))| (i, b)).collect()
    });
    match changed {
        Some(changed) if changed.len() * 10 < now.len() => serde_json::json!({ "changed": changed }).to_string(),
        _ => serde_json::json!({ "states": now }).to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_seats_that_changed_travel() {
        let before = "f".repeat(100);
        let mut now = before.clone();
        now.replace_range(3..4, "h");
        now.replace_range(40..41, "s");
        assert_eq!(super::seats_event(Some(&before), &now), r#"{"changed":[[3,"h"],[40,"s"]]}"#);
        assert_eq!(super::seats_event(None, "fh"), r#"{"states":"fh"}"#, "all of them on connect");
        assert_eq!(super::seats_event(Some("ff"), "hh"), r#"{"states":"hh"}"#, "all of them when shorter");
    }
}
