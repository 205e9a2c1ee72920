//! Extractors whose rejections use the API's error shape, so a malformed
//! query, path or body is a `{"detail"}` 400 like every other client error.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiQuery<T>(pub T);
pub struct ApiPath<T>(pub T);
pub struct ApiJson<T>(pub T);
/// A raw body (axum's 2 MB default limit), refused in the API's shape.
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| ApiError::bad_request(format!("bad query parameters: {}", e.body_text())))
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| ApiError::bad_request(format!("bad path: {}", e.body_text())))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|e: JsonRejection| ApiError::new(e.status(), format!("bad JSON body: {}", e.body_text())))?;
        // Every body of this API is an object; serde would also read a
        // struct from an array of its fields (`[["alice"]]`), found by fuzzing.
        if !value.is_object() {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad JSON body: expected a JSON object"));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("bad JSON body: {e}")))
    }
}

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|e: BytesRejection| ApiError::new(e.status(), format!("bad body: {}", e.body_text())))
    }
}
