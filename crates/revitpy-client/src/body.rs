//! Reading response bodies through a cap, chunk by chunk, so no answer can
//! be larger in memory (or on disk) than the caller allows.

use reqwest::Response;

pub(crate) enum BodyError {
    /// More than the cap: announced by `Content-Length`, or seen on the way.
    TooLarge,
    Network(reqwest::Error),
    Write(std::io::Error),
}

/// The whole body, refused past `cap` bytes (before reading, when the
/// registry announces the length).
pub(crate) async fn read_capped(r: &mut Response, cap: u64) -> Result<Vec<u8>, BodyError> {
    if r.content_length().is_some_and(|n| n > cap) {
        return Err(BodyError::TooLarge);
    }
    let mut out = Vec::new();
    copy_capped(r, &mut out, cap).await?;
    Ok(out)
}

/// At most `cap` bytes of the body; the rest is never read (for error
/// bodies, where only the start is shown).
pub(crate) async fn read_prefix(r: &mut Response, cap: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        let room = cap.saturating_sub(out.len() as u64) as usize;
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() as u64 >= cap {
            break;
        }
    }
    out
}

/// Streams the body into `out`, calling `progress` with the bytes so far;
/// refused past `cap` bytes. Returns the number of bytes written.
pub(crate) async fn copy_capped(
    r: &mut Response,
    out: &mut (impl std::io::Write + Send),
    cap: u64,
) -> Result<u64, BodyError> {
    copy_with_progress(r, out, cap, |_| {}).await
}

pub(crate) async fn copy_with_progress(
    r: &mut Response,
    out: &mut (impl std::io::Write + Send),
    cap: u64,
    mut progress: impl FnMut(u64) + Send,
) -> Result<u64, BodyError> {
    if r.content_length().is_some_and(|n| n > cap) {
        return Err(BodyError::TooLarge);
    }
    let mut total = 0u64;
    while let Some(chunk) = r.chunk().await.map_err(BodyError::Network)? {
        total += chunk.len() as u64;
        if total > cap {
            return Err(BodyError::TooLarge);
        }
        out.write_all(&chunk).map_err(BodyError::Write)?;
        progress(total);
    }
    Ok(total)
}
