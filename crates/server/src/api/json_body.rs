//! The API's JSON body: axum's `Json`, with its rejections answered as our JSON errors (`error.rs`).

use super::ApiError;
use axum::extract::FromRequest;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct JsonBody<T>(pub T);
