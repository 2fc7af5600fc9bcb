//! Request bodies over the limit get their 413, and the client gets to read it.
//!
//! Answering 413 and closing while the client is still sending leaves its unread bytes in the socket; the
//! close then resets the connection, and a client still writing sees a broken pipe instead of the answer.
//! So, as nginx's lingering close does, a body over the limit is read and thrown away (up to
//! [`DRAIN_BYTES`], for at most [`DRAIN_TIME`]) before the 413 goes out with `Connection: close`; a client
//! that asked `Expect: 100-continue` has sent nothing yet and is answered at once, without being invited
//! to send. A body of declared length within the limit goes on untouched (hyper holds the client to the
//! length it declared); a chunked one is gathered here, up to the limit, and handed on whole.

use crate::api::{
    seating::{is_plan_upload, MAX_PLAN_BYTES},
    ApiError, MAX_BODY_BYTES,
};
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body::Body as _;
use http_body_util::BodyExt;
use std::time::Duration;

/// Most of an oversized body read (and thrown away) so that its sender can read the 413.
pub const DRAIN_BYTES: usize = 16 * 1024 * 1024;
/// Longest an oversized body is read for, however slowly it comes.
pub const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Middleware: bodies within [`MAX_BODY_BYTES`] (a seating plan's: [`MAX_PLAN_BYTES`]) go on, gathered;
/// others are answered 413 once drained.
pub async fn limit_request_bodies(request: Request, next: Next) -> Response {
    let declared = request.body().size_hint().exact();
    let limit = if is_plan_upload(request.method(), request.uri().path()) { MAX_PLAN_BYTES } else { MAX_BODY_BYTES };
    if request.body().is_end_stream() || declared.is_some_and(|length| length <= limit as u64) {
        return next.run(request).await;
    }
    let waits_to_send =
        request.headers().get(header::EXPECT).is_some_and(|e| e.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let (parts, mut body) = request.into_parts();
    if declared.is_some() && waits_to_send {
        return too_large();
    }
    let mut gathered = Vec::new();
    // A declared length over the limit needs no reading to be refused.
    if declared.is_none() {
        loop {
            match body.frame().await {
                None => return next.run(Request::from_parts(parts, Body::from(Bytes::from(gathered)))).await,
                Some(Err(error)) => return unreadable(error),
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        gathered.extend_from_slice(data);
                    }
                }
            }
            if gathered.len() > limit {
                break;
            }
        }
    }
    drain(body).await;
    too_large()
}

/// Reads and discards what is left of `body`, within [`DRAIN_BYTES`] and [`DRAIN_TIME`].
async fn drain(mut body: Body) {
    let mut left = DRAIN_BYTES;
    let reading = async {
        while let Some(Ok(frame)) = body.frame().await {
            left = left.saturating_sub(frame.data_ref().map_or(0, Bytes::len));
            if left == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, reading).await;
}

fn too_large() -> Response {
    let error = ApiError::payload_too_large();
    // Whatever of the body was not drained is still on its way: this connection carries nothing more.
    ([(header::CONNECTION, HeaderValue::from_static("close"))], error).into_response()
}

fn unreadable(error: axum::Error) -> Response {
    tracing::debug!(%error, "request body could not be read");
    ApiError::BadBody {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_body",
        message: "the request body could not be read to its end".to_owned(),
    }
    .into_response()
}
