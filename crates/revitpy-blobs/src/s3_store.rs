//! Blobs as objects in an S3-compatible bucket: `<bucket>/ab/cd/<sha256>`,
//! through `object_store` (Apache Arrow's), which signs requests, retries
//! and speaks multipart uploads.
//!
//! Uploads are still spooled to a local folder first (the server scans
//! every package before it stores it); [`BlobStore::put_file`] then sends
//! that file, as one PUT up to [`MULTIPART_FROM`] bytes and as a multipart
//! upload beyond. An object is visible only once complete (S3 commits a PUT
//! or a multipart upload atomically), and the version that references it is
//! committed only after that. Downloads are presigned URLs (the server
//! redirects; the bytes never pass through it).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::signer::Signer;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::file_store::{STALE_TEMP, clean_stale_temps};
use crate::{BlobError, BlobKey, BlobLocation, BlobStatus, BlobStore, OrphanRule};

/// Files up to this size go in one PUT; larger ones as a multipart upload
/// in parts of this size (S3's minimum part is 5 MiB).
pub const MULTIPART_FROM: usize = 8 * 1024 * 1024;

/// How long a presigned download URL is valid: long enough for a slow
/// client to start, short enough that a leaked one soon stops working.
pub const PRESIGNED_FOR: Duration = Duration::from_secs(15 * 60);

/// Where the bucket is (`S3_BUCKET`, `S3_ENDPOINT`, `S3_REGION`; credentials
/// from the standard `AWS_*` variables).
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    /// An S3-compatible server's URL (MinIO, Ceph, moto...); AWS when unset.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// The local folder uploads are spooled in before they are sent.
    pub spool: PathBuf,
    /// Access key id and secret; `None`: the `AWS_*` variables (or the
    /// instance's role).
    pub credentials: Option<(String, String)>,
}

pub struct S3Store {
    s3: Arc<AmazonS3>,
    bucket: String,
    spool: PathBuf,
}

fn storage(what: &str, e: object_store::Error) -> BlobError {
    BlobError::Storage(format!("{what}: {e}"))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BlobError + '_ {
    move |source| BlobError::Io { path: path.to_owned(), source }
}

fn object(key: &BlobKey) -> ObjectPath {
    ObjectPath::from(key.relative_path())
}

impl S3Store {
    /// Connects (lazily: no request is made here; [`BlobStore::check`] makes one).
    pub fn open(config: &S3Config) -> Result<Self, BlobError> {
        // The TLS stack is rustls with ring's primitives, as everywhere in
        // the registry; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        fs_err::create_dir_all(&config.spool).map_err(io(&config.spool))?;
        clean_stale_temps(&config.spool)?;
        // Bounded waits: a bucket that does not answer is a 503 within
        // seconds, not after object_store's default three minutes of retries.
        let retry = object_store::RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
            ..object_store::RetryConfig::default()
        };
        let client = object_store::ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(3))
            .with_timeout(Duration::from_secs(60));
        let mut builder = AmazonS3Builder::from_env()
            .with_retry(retry)
            .with_client_options(client)
            .with_bucket_name(&config.bucket)
            .with_region(config.region.clone().unwrap_or_else(|| "us-east-1".to_owned()));
        if let Some((id, secret)) = &config.credentials {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
        }
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                // Path-style URLs: what S3-compatible servers answer to.
                .with_virtual_hosted_style_request(false);
        }
        let s3 = builder.build().map_err(|e| storage(&format!("S3 bucket {}", config.bucket), e))?;
        Ok(Self { s3: Arc::new(s3), bucket: config.bucket.clone(), spool: config.spool.clone() })
    }

    async fn meta(&self, key: &BlobKey) -> Result<Option<object_store::ObjectMeta>, BlobError> {
        match self.s3.head(&object(key)).await {
            Ok(m) => Ok(Some(m)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(storage(&format!("s3://{}/{}", self.bucket, key.relative_path()), e)),
        }
    }

    /// Sends a local file as the object `key`.
    async fn upload(&self, key: &BlobKey, file: &Path) -> Result<(), BlobError> {
        let mut f = tokio::fs::File::open(file).await.map_err(io(file))?;
        let size = f.metadata().await.map_err(io(file))?.len();
        let what = format!("s3://{}/{}", self.bucket, key.relative_path());
        if size <= MULTIPART_FROM as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            f.read_to_end(&mut bytes).await.map_err(io(file))?;
            self.s3.put(&object(key), PutPayload::from(bytes)).await.map_err(|e| storage(&what, e))?;
            return Ok(());
        }
        let upload = self.s3.put_multipart(&object(key)).await.map_err(|e| storage(&what, e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, MULTIPART_FROM);
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = match f.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(io(file)(e));
                }
            };
            if n == 0 {
                break;
            }
            // Waits while too many parts are in flight (memory stays at a
            // few parts whatever the file's size).
            if let Err(e) = writer.wait_for_capacity(4).await {
                let _ = writer.abort().await;
                return Err(storage(&what, e));
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(|e| storage(&what, e))?;
        Ok(())
    }

    async fn remove_orphan(&self, key: &BlobKey, rule: OrphanRule) -> Result<bool, BlobError> {
        let Some(meta) = self.meta(key).await? else {
            return Ok(false);
        };
        let stored: SystemTime = meta.last_modified.into();
        let remove = match rule {
            OrphanRule::Any => true,
            OrphanRule::OlderThan(age) => stored.elapsed().is_ok_and(|e| e > age),
            // Not judged on S3: an upload of the same bytes that found the
            // object young did not store it again (see `put_file`), and
            // last-modified times have a second's resolution, so "not
            // stored since" cannot be told here. The file of a refused
            // upload is left for `fsck --repair` (an hour later).
            OrphanRule::NotStoredSince(_) => false,
        };
        if remove {
            self.delete(key).await?;
        }
        Ok(remove)
    }
}

#[async_trait]
impl BlobStore for S3Store {
    async fn put_file(&self, key: &BlobKey, temp_file: &Path) -> Result<bool, BlobError> {
        // Same bytes already stored: as the file store does, make the object
        // young again when it is old enough for `fsck --repair` to take it
        // for an orphan (S3 has no "touch": the bytes are sent again).
        let existing = self.meta(key).await?;
        let fresh = existing
            .as_ref()
            .is_some_and(|m| SystemTime::from(m.last_modified).elapsed().is_ok_and(|age| age < STALE_TEMP / 2));
        if !fresh {
            self.upload(key, temp_file).await?;
        }
        let _ = fs_err::tokio::remove_file(temp_file).await;
        Ok(existing.is_none())
    }

    fn temp_dir(&self) -> &Path {
        &self.spool
    }

    async fn locate(&self, key: &BlobKey) -> Result<BlobLocation, BlobError> {
        let meta = self.meta(key).await?.ok_or_else(|| BlobError::NotFound(key.clone()))?;
        let url = self
            .s3
            .signed_url(object_store::signer::Method::GET, &object(key), PRESIGNED_FOR)
            .await
            .map_err(|e| storage("presigning a download", e))?;
        Ok(BlobLocation::Url { url: url.to_string(), size: meta.size })
    }

    async fn fetch_to(&self, key: &BlobKey, dest: &Path) -> Result<u64, BlobError> {
        let what = format!("s3://{}/{}", self.bucket, key.relative_path());
        let got = match self.s3.get(&object(key)).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(key.clone())),
            Err(e) => return Err(storage(&what, e)),
        };
        let mut out = fs_err::tokio::File::create(dest).await.map_err(io(dest))?;
        let mut stream = got.into_stream();
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| storage(&what, e))?;
            tokio::io::AsyncWriteExt::write_all(&mut out, &chunk).await.map_err(io(dest))?;
            written += chunk.len() as u64;
        }
        tokio::io::AsyncWriteExt::flush(&mut out).await.map_err(io(dest))?;
        Ok(written)
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        Ok(self.meta(key).await?.is_some())
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.s3.delete(&object(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(storage(&format!("s3://{}/{}", self.bucket, key.relative_path()), e)),
        }
    }

    /// On S3 the age is judged from the object's last-modified time and the
    /// object then deleted: two requests, not one atomic step as the file
    /// store's rename aside. An upload of the very same bytes that lands
    /// between them loses its object; the caller holds the metadata store's
    /// write lock, so no version is committed meanwhile, and
    /// `fsck` reports a version whose file is missing. The window is one
    /// round trip, for bytes that were an orphan an hour old.
    fn remove_orphan_blocking(&self, key: &BlobKey, rule: OrphanRule) -> Result<bool, BlobError> {
        // Called on a blocking thread (under the store's lock), never on
        // the runtime's own threads.
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|e| BlobError::Storage(format!("removing an orphan needs the server's runtime: {e}")))?;
        handle.block_on(self.remove_orphan(key, rule))
    }

    async fn stored_at(&self, key: &BlobKey) -> Result<Option<SystemTime>, BlobError> {
        Ok(self.meta(key).await?.map(|m| m.last_modified.into()))
    }

    async fn list(&self, verify: bool) -> Result<Vec<BlobStatus>, BlobError> {
        let mut listing = self.s3.list(None);
        let mut out = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| storage(&format!("listing s3://{}", self.bucket), e))?;
            // Only `ab/cd/<sha256>` objects whose folders match are blobs.
            let Some(key) = meta.location.filename().and_then(BlobKey::parse) else {
                continue;
            };
            if meta.location.as_ref() != key.relative_path() {
                continue;
            }
            let intact = if verify {
                let what = format!("s3://{}/{}", self.bucket, key.relative_path());
                let mut stream = self.s3.get(&meta.location).await.map_err(|e| storage(&what, e))?.into_stream();
                let mut hasher = Sha256::new();
                while let Some(chunk) = stream.next().await {
                    hasher.update(chunk.map_err(|e| storage(&what, e))?);
                }
                hex::encode(hasher.finalize()) == key.as_str()
            } else {
                true
            };
            let old = SystemTime::from(meta.last_modified).elapsed().is_ok_and(|age| age > STALE_TEMP);
            out.push(BlobStatus { key, size: meta.size, old, intact });
        }
        out.sort_by(|x, y| x.key.cmp(&y.key));
        Ok(out)
    }

    async fn check(&self) -> Result<(), BlobError> {
        // A HEAD of an object that is never there: NotFound means the
        // bucket answered (and the credentials were accepted).
        let probe = ObjectPath::from(".health");
        match self.s3.head(&probe).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(storage(&format!("S3 bucket {}", self.bucket), e)),
        }
    }
}
