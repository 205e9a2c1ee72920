//! The two middleware halves that count requests: the inner one (a route
//! layer, so it runs after routing) puts the matched route's template on the
//! response; the outer one sees every answer, including those no route
//! matched and those layers wrote, and records it under that template.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::{Metrics, UNMATCHED};

/// Route layer: carries the route template out on the response.
pub async fn tag_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(m) = matched {
        response.extensions_mut().insert(m);
    }
    response
}

/// Outer layer: one count and one latency per answer.
pub async fn record_requests(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let response = next.run(request).await;
    let route = response.extensions().get::<MatchedPath>().map_or(UNMATCHED, |m| m.as_str());
    metrics.request(route, method, response.status().as_u16(), started.elapsed());
    response
}

/// HTTP allows any token as a method: only the standard ones get a label
/// of their own, so a client cannot create series at will.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
