//! Reading a refused request's body before answering, so that the client
//! reads the answer instead of a reset connection. Its own module: the
//! rate limiter (a layer) and the upload route (a handler) both need it,
//! and neither should depend on the other.

/// Reads and drops a body; true when it ended within `cap` bytes.
pub(crate) async fn drain(mut stream: axum::body::BodyDataStream, cap: u64) -> bool {
    use futures_util::StreamExt;
    let mut seen: u64 = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                seen += c.len() as u64;
                if seen > cap {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}
