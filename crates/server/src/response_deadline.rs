//! Every response ends by its deadline, body included.
//!
//! tower-http's `TimeoutLayer` times a request only until its headers go out: a page streamed in pieces
//! (leptos' out-of-order rendering) whose last piece never comes would hold its connection open for ever.
//! This layer gives each response one deadline, counted from the request's arrival, and cuts off a body
//! still running then: the client sees an incomplete response (an error), the connection closes, and the
//! log says which request it was. Bodies of known length are complete already and pass through untouched;
//! event streams are meant to last and are left alone.

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use http_body::{Body as _, Frame, SizeHint};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};
use tokio::time::{Instant, Sleep};

/// Middleware (`axum::middleware::from_fn_with_state`) bounding the whole response by `timeout`.
pub async fn bound_whole_response(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    let deadline = Instant::now() + timeout;
    let response = next.run(request).await;
    if response.body().size_hint().exact().is_some() || is_event_stream(&response) {
        return response;
    }
    response.map(|body| Body::new(DeadlineBody { body, deadline: Box::pin(tokio::time::sleep_until(deadline)) }))
}

fn is_event_stream(response: &Response) -> bool {
    let event_stream = HeaderValue::from_static("text/event-stream");
    response.headers().get(header::CONTENT_TYPE).is_some_and(|value| value == event_stream)
}

/// The error a cut-off body ends with.
#[derive(Debug, thiserror::Error)]
#[error("the response was still being written at its deadline")]
pub struct DeadlinePassed;

struct DeadlineBody {
    body: Body,
    deadline: Pin<Box<Sleep>>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            tracing::error!("response cut off: its body was still running at the request's deadline");
            metrics::counter!("boxoffice_responses_cut_off_total").increment(1);
            return Poll::Ready(Some(Err(axum::Error::new(DeadlinePassed))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{middleware, routing::get, Router};
    use futures::{stream, StreamExt};

    /// A page whose first piece goes out and whose last never comes, one event stream, and a plain answer.
    async fn serve(timeout: Duration) -> String {
        let stuck = || async {
            let first = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"<html>first piece"))]);
            Body::from_stream(first.chain(stream::pending()))
        };
        let events = || async {
            let response = Response::new(Body::from_stream(stream::pending::<Result<Bytes, std::io::Error>>()));
            let (mut parts, body) = response.into_parts();
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
            Response::from_parts(parts, body)
        };
        let router = Router::new()
            .route("/stuck", get(stuck))
            .route("/events", get(events))
            .route("/plain", get(|| async { "done" }))
            .layer(middleware::from_fn_with_state(timeout, bound_whole_response));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        tokio::spawn(async move { axum::serve(listener, router).await.expect("serves") });
        base
    }

    #[tokio::test]
    async fn a_body_still_running_at_the_deadline_is_cut_off() {
        let base = serve(Duration::from_millis(300)).await;
        let response = reqwest::get(format!("{base}/stuck")).await.expect("the headers arrive");
        assert_eq!(response.status(), 200);
        let body = tokio::time::timeout(Duration::from_secs(5), response.text())
            .await
            .expect("the body ends by the deadline, not never");
        let error = body.expect_err("a cut-off body is an error, not a complete page");
        assert!(format!("{error:?}").to_lowercase().contains("body"), "a body error: {error:?}");
    }

    #[tokio::test]
    async fn complete_answers_and_event_streams_are_left_alone() {
        let base = serve(Duration::from_millis(300)).await;
        assert_eq!(reqwest::get(format!("{base}/plain")).await.unwrap().text().await.unwrap(), "done");
        let mut events = reqwest::get(format!("{base}/events")).await.expect("the stream opens");
        let still_open = tokio::time::timeout(Duration::from_secs(1), events.chunk()).await;
        assert!(still_open.is_err(), "an event stream outlives the deadline: {still_open:?}");
    }
}
