//! The upload's multipart body, read with bounds on every part of it.
//!
//! axum's `Multipart` (multer underneath) buffers a part's headers until it
//! finds their end, with no limit but the whole body's: 100 MB of "headers"
//! were held in memory per upload. multer has no option for it, so the body
//! stream is wrapped here: while multer looks for the next part's headers,
//! the bytes it pulls are counted, and past [`MAX_PART_HEADER_BYTES`] the
//! stream fails. (Bytes of the last chunk may belong to the part's data, so
//! the bound is that many bytes plus one chunk, which hyper keeps small.)
//! The whole body and the `metadata` field have limits of their own
//! (multer's constraints), and the file field is counted by the caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::body::Body;
use futures_util::StreamExt;
use multer::{Constraints, Multipart, SizeLimit};

/// Longest run of part headers (boundary line, `Content-Disposition`,
/// `Content-Type`...): real clients send a few hundred bytes.
pub const MAX_PART_HEADER_BYTES: usize = 64 * 1024;

#[derive(Default)]
struct HeaderPhase {
    active: AtomicBool,
    pulled: AtomicUsize,
}

/// Why the body stream stopped early.
#[derive(Debug, thiserror::Error)]
#[error("a multipart part's headers are longer than {MAX_PART_HEADER_BYTES} bytes")]
pub struct HeadersTooLong;

pub struct UploadBody {
    inner: Multipart<'static>,
    phase: Arc<HeaderPhase>,
}

impl UploadBody {
    /// `whole_limit`: the most the body may hold; `field_limits`: per named
    /// field.
    pub fn new(body: Body, boundary: String, whole_limit: u64, field_limits: &[(&str, u64)]) -> Self {
        let phase = Arc::new(HeaderPhase::default());
        let watch = phase.clone();
        let stream = body.into_data_stream().map(move |chunk| {
            let chunk = chunk.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            if watch.active.load(Ordering::Relaxed) {
                let before = watch.pulled.fetch_add(chunk.len(), Ordering::Relaxed);
                if before > MAX_PART_HEADER_BYTES {
                    return Err(Box::new(HeadersTooLong) as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(chunk)
        });
        let mut sizes = SizeLimit::new().whole_stream(whole_limit);
        for (name, limit) in field_limits {
            sizes = sizes.for_field(*name, *limit);
        }
        let inner = Multipart::with_constraints(stream, boundary, Constraints::new().size_limit(sizes));
        Self { inner, phase }
    }

    /// The next part, its headers read under the bound.
    pub async fn next_field(&mut self) -> Result<Option<multer::Field<'static>>, multer::Error> {
        self.phase.pulled.store(0, Ordering::Relaxed);
        self.phase.active.store(true, Ordering::Relaxed);
        let next = self.inner.next_field().await;
        self.phase.active.store(false, Ordering::Relaxed);
        next
    }
}

/// True when `T` is anywhere in the chain of causes of `e` (a body error
/// arrives wrapped: multer's, around axum's, around the cause).
pub fn caused_by<T: std::error::Error + 'static>(e: &multer::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = match e {
        multer::Error::StreamReadFailed(source) => Some(source.as_ref()),
        _ => None,
    };
    while let Some(c) = cause {
        if c.is::<T>() {
            return true;
        }
        cause = c.source();
    }
    false
}
