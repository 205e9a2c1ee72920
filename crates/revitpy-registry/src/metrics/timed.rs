//! Store and blob-store wrappers that time every call into
//! `revitpy_store_operation_duration_seconds` and
//! `revitpy_storage_operation_duration_seconds`. They forward everything
//! unchanged; the server wraps its parts in them only when metrics are on.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use revitpy_blobs::{BlobError, BlobKey, BlobLocation, BlobStatus, BlobStore, OrphanRule};
use revitpy_store::*;

use super::Metrics;

pub struct TimedStore {
    inner: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

impl TimedStore {
    pub fn new(inner: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }
}

pub struct TimedBlobs {
    inner: Arc<dyn BlobStore>,
    metrics: Arc<Metrics>,
}

impl TimedBlobs {
    pub fn new(inner: Arc<dyn BlobStore>, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }
}

#[async_trait]
impl Store for TimedStore {
    async fn check(&self) -> StoreResult<()> {
        let started = Instant::now();
        let answer = self.inner.check().await;
        self.metrics.store_call("check", started.elapsed());
        answer
    }

    async fn serial(&self) -> StoreResult<i64> {
        let started = Instant::now();
        let answer = self.inner.serial().await;
        self.metrics.store_call("serial", started.elapsed());
        answer
    }

    async fn create_token(&self, new: NewToken) -> StoreResult<TokenRecord> {
        let started = Instant::now();
        let answer = self.inner.create_token(new).await;
        self.metrics.store_call("create_token", started.elapsed());
        answer
    }

    async fn authenticate(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let started = Instant::now();
        let answer = self.inner.authenticate(token_hash).await;
        self.metrics.store_call("authenticate", started.elapsed());
        answer
    }

    async fn list_tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRecord>> {
        let started = Instant::now();
        let answer = self.inner.list_tokens(user).await;
        self.metrics.store_call("list_tokens", started.elapsed());
        answer
    }

    async fn token(&self, id: i64) -> StoreResult<Option<TokenRecord>> {
        let started = Instant::now();
        let answer = self.inner.token(id).await;
        self.metrics.store_call("token", started.elapsed());
        answer
    }

    async fn revoke_token(&self, id: i64) -> StoreResult<bool> {
        let started = Instant::now();
        let answer = self.inner.revoke_token(id).await;
        self.metrics.store_call("revoke_token", started.elapsed());
        answer
    }

    async fn package(&self, normalized_name: &str) -> StoreResult<Option<PackageRecord>> {
        let started = Instant::now();
        let answer = self.inner.package(normalized_name).await;
        self.metrics.store_call("package", started.elapsed());
        answer
    }

    async fn versions(&self, package_id: i64) -> StoreResult<Vec<VersionRecord>> {
        let started = Instant::now();
        let answer = self.inner.versions(package_id).await;
        self.metrics.store_call("versions", started.elapsed());
        answer
    }

    async fn package_detail(&self, normalized_name: &str) -> StoreResult<Option<PackageDetailRecord>> {
        let started = Instant::now();
        let answer = self.inner.package_detail(normalized_name).await;
        self.metrics.store_call("package_detail", started.elapsed());
        answer
    }

    async fn packages_with_latest(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageWithLatest>> {
        let started = Instant::now();
        let answer = self.inner.packages_with_latest(normalized_names).await;
        self.metrics.store_call("packages_with_latest", started.elapsed());
        answer
    }

    async fn index_page(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageDetailRecord>> {
        let started = Instant::now();
        let answer = self.inner.index_page(after_id, limit).await;
        self.metrics.store_call("index_page", started.elapsed());
        answer
    }

    async fn index_packages(&self, normalized_names: &[String]) -> StoreResult<Vec<PackageDetailRecord>> {
        let started = Instant::now();
        let answer = self.inner.index_packages(normalized_names).await;
        self.metrics.store_call("index_packages", started.elapsed());
        answer
    }

    async fn all_packages_with_latest(&self, after_id: i64, limit: usize) -> StoreResult<Vec<PackageWithLatest>> {
        let started = Instant::now();
        let answer = self.inner.all_packages_with_latest(after_id, limit).await;
        self.metrics.store_call("all_packages_with_latest", started.elapsed());
        answer
    }

    async fn check_publish(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version: &str,
        canonical: &str,
    ) -> StoreResult<()> {
        let started = Instant::now();
        let answer = self.inner.check_publish(actor, normalized_name, version, canonical).await;
        self.metrics.store_call("check_publish", started.elapsed());
        answer
    }

    async fn publish(&self, actor: &Actor, release: Release) -> StoreResult<Published> {
        let started = Instant::now();
        let answer = self.inner.publish(actor, release).await;
        self.metrics.store_call("publish", started.elapsed());
        answer
    }

    async fn publish_batch(&self, actor: &Actor, batch: Vec<Release>) -> StoreResult<Vec<Published>> {
        let started = Instant::now();
        let answer = self.inner.publish_batch(actor, batch).await;
        self.metrics.store_call("publish_batch", started.elapsed());
        answer
    }

    async fn set_yanked(
        &self,
        actor: &Actor,
        normalized_name: &str,
        version_id: i64,
        yanked: bool,
        reason: Option<String>,
    ) -> StoreResult<i64> {
        let started = Instant::now();
        let answer = self.inner.set_yanked(actor, normalized_name, version_id, yanked, reason).await;
        self.metrics.store_call("set_yanked", started.elapsed());
        answer
    }

    async fn add_key(&self, user: &str, key_id: &str, public_key: &str) -> StoreResult<KeyRecord> {
        let started = Instant::now();
        let answer = self.inner.add_key(user, key_id, public_key).await;
        self.metrics.store_call("add_key", started.elapsed());
        answer
    }

    async fn list_keys(&self, user: Option<&str>) -> StoreResult<Vec<KeyRecord>> {
        let started = Instant::now();
        let answer = self.inner.list_keys(user).await;
        self.metrics.store_call("list_keys", started.elapsed());
        answer
    }

    async fn key(&self, id: i64) -> StoreResult<Option<KeyRecord>> {
        let started = Instant::now();
        let answer = self.inner.key(id).await;
        self.metrics.store_call("key", started.elapsed());
        answer
    }

    async fn index_roots(&self) -> StoreResult<Vec<String>> {
        let started = Instant::now();
        let answer = self.inner.index_roots().await;
        self.metrics.store_call("index_roots", started.elapsed());
        answer
    }

    async fn add_index_root(&self, version: i64, envelope: &str) -> StoreResult<bool> {
        let started = Instant::now();
        let answer = self.inner.add_index_root(version, envelope).await;
        self.metrics.store_call("add_index_root", started.elapsed());
        answer
    }

    async fn live_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>> {
        let started = Instant::now();
        let answer = self.inner.live_key(key_id).await;
        self.metrics.store_call("live_key", started.elapsed());
        answer
    }

    async fn revoke_key(&self, id: i64) -> StoreResult<bool> {
        let started = Instant::now();
        let answer = self.inner.revoke_key(id).await;
        self.metrics.store_call("revoke_key", started.elapsed());
        answer
    }

    async fn set_require_signature(&self, actor: &Actor, package_id: i64, required: bool) -> StoreResult<()> {
        let started = Instant::now();
        let answer = self.inner.set_require_signature(actor, package_id, required).await;
        self.metrics.store_call("set_require_signature", started.elapsed());
        answer
    }

    async fn check_signer(&self, actor: &Actor, normalized_name: &str, key_id: Option<&str>) -> StoreResult<()> {
        let started = Instant::now();
        let answer = self.inner.check_signer(actor, normalized_name, key_id).await;
        self.metrics.store_call("check_signer", started.elapsed());
        answer
    }

    async fn set_scan(
        &self,
        version_id: i64,
        status: ScanStatus,
        report: serde_json::Value,
    ) -> StoreResult<Option<i64>> {
        let started = Instant::now();
        let answer = self.inner.set_scan(version_id, status, report).await;
        self.metrics.store_call("set_scan", started.elapsed());
        answer
    }

    async fn owners(&self, package_id: i64) -> StoreResult<Vec<String>> {
        let started = Instant::now();
        let answer = self.inner.owners(package_id).await;
        self.metrics.store_call("owners", started.elapsed());
        answer
    }

    async fn add_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64> {
        let started = Instant::now();
        let answer = self.inner.add_owners(actor, package_id, users).await;
        self.metrics.store_call("add_owners", started.elapsed());
        answer
    }

    async fn remove_owners(&self, actor: &Actor, package_id: i64, users: &[String]) -> StoreResult<i64> {
        let started = Instant::now();
        let answer = self.inner.remove_owners(actor, package_id, users).await;
        self.metrics.store_call("remove_owners", started.elapsed());
        answer
    }

    async fn changes_since(&self, serial: i64, limit: usize) -> StoreResult<Vec<Change>> {
        let started = Instant::now();
        let answer = self.inner.changes_since(serial, limit).await;
        self.metrics.store_call("changes_since", started.elapsed());
        answer
    }

    async fn add_downloads(&self, counts: &[(i64, u64)]) -> StoreResult<()> {
        let started = Instant::now();
        let answer = self.inner.add_downloads(counts).await;
        self.metrics.store_call("add_downloads", started.elapsed());
        answer
    }

    async fn stats(&self) -> StoreResult<Stats> {
        let started = Instant::now();
        let answer = self.inner.stats().await;
        self.metrics.store_call("stats", started.elapsed());
        answer
    }

    async fn referenced_blobs(&self) -> StoreResult<Vec<BlobReference>> {
        let started = Instant::now();
        let answer = self.inner.referenced_blobs().await;
        self.metrics.store_call("referenced_blobs", started.elapsed());
        answer
    }

    async fn blob_referenced(&self, sha256: &str) -> StoreResult<bool> {
        let started = Instant::now();
        let answer = self.inner.blob_referenced(sha256).await;
        self.metrics.store_call("blob_referenced", started.elapsed());
        answer
    }

    fn connections(&self) -> Option<Connections> {
        self.inner.connections()
    }

    async fn remove_if_unreferenced(&self, sha256: &str, remove: RemoveBlob) -> StoreResult<bool> {
        let started = Instant::now();
        let answer = self.inner.remove_if_unreferenced(sha256, remove).await;
        self.metrics.store_call("remove_if_unreferenced", started.elapsed());
        answer
    }
}

#[async_trait]
impl BlobStore for TimedBlobs {
    async fn put_file(&self, key: &BlobKey, temp_file: &Path) -> Result<bool, BlobError> {
        let started = Instant::now();
        let answer = self.inner.put_file(key, temp_file).await;
        self.metrics.blob_call("put_file", started.elapsed());
        answer
    }

    fn temp_dir(&self) -> &Path {
        self.inner.temp_dir()
    }

    async fn locate(&self, key: &BlobKey) -> Result<BlobLocation, BlobError> {
        let started = Instant::now();
        let answer = self.inner.locate(key).await;
        self.metrics.blob_call("locate", started.elapsed());
        answer
    }

    async fn fetch_to(&self, key: &BlobKey, dest: &Path) -> Result<u64, BlobError> {
        let started = Instant::now();
        let answer = self.inner.fetch_to(key, dest).await;
        self.metrics.blob_call("fetch_to", started.elapsed());
        answer
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        let started = Instant::now();
        let answer = self.inner.exists(key).await;
        self.metrics.blob_call("exists", started.elapsed());
        answer
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let started = Instant::now();
        let answer = self.inner.delete(key).await;
        self.metrics.blob_call("delete", started.elapsed());
        answer
    }

    fn remove_orphan_blocking(&self, key: &BlobKey, rule: OrphanRule) -> Result<bool, BlobError> {
        self.inner.remove_orphan_blocking(key, rule)
    }

    async fn stored_at(&self, key: &BlobKey) -> Result<Option<std::time::SystemTime>, BlobError> {
        let started = Instant::now();
        let answer = self.inner.stored_at(key).await;
        self.metrics.blob_call("stored_at", started.elapsed());
        answer
    }

    async fn list(&self, verify: bool) -> Result<Vec<BlobStatus>, BlobError> {
        let started = Instant::now();
        let answer = self.inner.list(verify).await;
        self.metrics.blob_call("list", started.elapsed());
        answer
    }

    async fn check(&self) -> Result<(), BlobError> {
        let started = Instant::now();
        let answer = self.inner.check().await;
        self.metrics.blob_call("check", started.elapsed());
        answer
    }
}
