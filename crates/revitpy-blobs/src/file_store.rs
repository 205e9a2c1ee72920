//! Blobs as files in a folder: `<root>/ab/cd/<sha256>`, uploads staged in
//! `<root>/tmp/`.

use std::io::Read;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::{BlobError, BlobKey, BlobLocation, BlobStatus, BlobStore, OrphanRule};

pub struct FileStore {
    root: PathBuf,
    tmp: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BlobError + '_ {
    move |source| BlobError::Io { path: path.to_owned(), source }
}

impl FileStore {
    /// Opens (creating) a store rooted at `root`. Temporary files left by a
    /// crash are removed once they are an hour old: a younger one may belong
    /// to an upload in flight in a running server (`fsck` and `reindex` open
    /// the store beside it).
    pub fn open(root: &Path) -> Result<Self, BlobError> {
        let tmp = root.join("tmp");
        fs_err::create_dir_all(&tmp).map_err(io(&tmp))?;
        clean_stale_temps(&tmp)?;
        Ok(Self { root: root.to_owned(), tmp })
    }

    fn path_of(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.relative_path())
    }
}

/// Removes the temporary files in `dir` a crash left, once they are
/// [`STALE_TEMP`] old (a younger one may be an upload in flight).
pub(crate) fn clean_stale_temps(dir: &Path) -> Result<(), BlobError> {
    for entry in fs_err::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        if older_than(&entry.path(), STALE_TEMP) {
            let _ = fs_err::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Age past which a temporary upload file is a crash's leftover.
pub const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(3600);

/// True when the file was last modified longer ago than `age`.
pub fn older_than(path: &Path, age: std::time::Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

/// fsync a folder so a rename into it survives a crash (no-op where the OS
/// cannot open folders, as on Windows).
fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// The sha256 of a file's bytes, in lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, BlobError> {
    let mut f = fs_err::File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f).await.expect("blob task panicked")
}

#[async_trait]
impl BlobStore for FileStore {
    async fn put_file(&self, key: &BlobKey, temp_file: &Path) -> Result<bool, BlobError> {
        let target = self.path_of(key);
        let temp = temp_file.to_owned();
        blocking(move || {
            let dir = target.parent().expect("blob paths have a parent").to_owned();
            // Same bytes already stored (content addressing): drop the copy,
            // and mark the stored file as just written. `fsck --repair`
            // deletes only old unreferenced files: an old orphan that this
            // upload is about to reference must look young from now on. If
            // fsck removed it a moment ago, store this copy instead.
            match std::fs::OpenOptions::new().write(true).open(&target) {
                Ok(existing) => {
                    existing.set_modified(std::time::SystemTime::now()).map_err(io(&target))?;
                    drop(existing);
                    let _ = fs_err::remove_file(&temp);
                    return Ok(false);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&target)(e)),
            }
            // A handle with write access: Windows refuses to flush a read-only one.
            fs_err::OpenOptions::new().write(true).open(&temp).map_err(io(&temp))?.sync_all().map_err(io(&temp))?;
            fs_err::create_dir_all(&dir).map_err(io(&dir))?;
            fs_err::rename(&temp, &target).map_err(io(&target))?;
            sync_dir(&dir);
            Ok(true)
        })
        .await
    }

    fn temp_dir(&self) -> &Path {
        &self.tmp
    }

    async fn locate(&self, key: &BlobKey) -> Result<BlobLocation, BlobError> {
        let path = self.path_of(key);
        match tokio::fs::metadata(&path).await {
            Ok(m) => Ok(BlobLocation::File { path, size: m.len() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BlobError::NotFound(key.clone())),
            Err(source) => Err(BlobError::Io { path, source }),
        }
    }

    async fn fetch_to(&self, key: &BlobKey, dest: &Path) -> Result<u64, BlobError> {
        let path = self.path_of(key);
        match tokio::fs::copy(&path, dest).await {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !path.exists() => {
                Err(BlobError::NotFound(key.clone()))
            }
            Err(e) => Err(io(dest)(e)),
        }
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        Ok(tokio::fs::try_exists(self.path_of(key)).await.unwrap_or(false))
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        let path = self.path_of(key);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(BlobError::Io { path, source }),
        }
    }

    async fn stored_at(&self, key: &BlobKey) -> Result<Option<std::time::SystemTime>, BlobError> {
        let path = self.path_of(key);
        match tokio::fs::metadata(&path).await {
            Ok(m) => Ok(Some(m.modified().map_err(io(&path))?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    fn remove_orphan_blocking(&self, key: &BlobKey, rule: OrphanRule) -> Result<bool, BlobError> {
        let path = self.path_of(key);
        // Move it out of the store first (atomic), then judge its age: an
        // upload that refreshed the age before the move is seen here, and
        // one after the move finds no file and stores its own copy.
        let aside = self.tmp.join(format!("orphan-{}", key.as_str()));
        match fs_err::rename(&path, &aside) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io(&path)(e)),
        }
        let keep = match rule {
            OrphanRule::Any => false,
            OrphanRule::OlderThan(age) => !older_than(&aside, age),
            OrphanRule::NotStoredSince(at) => {
                fs_err::metadata(&aside).and_then(|m| m.modified()).map_err(io(&aside))? > at
            }
        };
        if keep {
            // Put it back, unless an upload stored a fresh copy meanwhile.
            if path.exists() {
                fs_err::remove_file(&aside).map_err(io(&aside))?;
            } else {
                fs_err::rename(&aside, &path).map_err(io(&path))?;
            }
            return Ok(false);
        }
        fs_err::remove_file(&aside).map_err(io(&aside))?;
        Ok(true)
    }

    async fn list(&self, verify: bool) -> Result<Vec<BlobStatus>, BlobError> {
        let root = self.root.clone();
        blocking(move || {
            let mut out = Vec::new();
            for a in fs_err::read_dir(&root).map_err(io(&root))? {
                let a = a.map_err(io(&root))?;
                let a_name = a.file_name().to_string_lossy().into_owned();
                if a_name == "tmp" || !a.file_type().map_err(io(&a.path()))?.is_dir() {
                    continue;
                }
                for b in fs_err::read_dir(a.path()).map_err(io(&a.path()))? {
                    let b = b.map_err(io(&a.path()))?;
                    if !b.file_type().map_err(io(&b.path()))?.is_dir() {
                        continue;
                    }
                    for f in fs_err::read_dir(b.path()).map_err(io(&b.path()))? {
                        let f = f.map_err(io(&b.path()))?;
                        let name = f.file_name().to_string_lossy().into_owned();
                        let Some(key) = BlobKey::parse(&name) else {
                            continue;
                        };
                        let size = f.metadata().map_err(io(&f.path()))?.len();
                        let intact = !verify || sha256_file(&f.path())? == key.as_str();
                        let old = older_than(&f.path(), STALE_TEMP);
                        out.push(BlobStatus { key, size, old, intact });
                    }
                }
            }
            out.sort_by(|x, y| x.key.cmp(&y.key));
            Ok(out)
        })
        .await
    }

    async fn check(&self) -> Result<(), BlobError> {
        let tmp = self.tmp.clone();
        blocking(move || {
            let probe = tmp.join(".health");
            fs_err::write(&probe, b"ok").map_err(io(&probe))?;
            fs_err::remove_file(&probe).map_err(io(&probe))?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_locate_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path()).unwrap();
        let bytes = b"package bytes";
        let key = BlobKey::parse(&hex::encode(Sha256::digest(bytes))).unwrap();
        let tmp = store.temp_dir().join("upload-1");
        std::fs::write(&tmp, bytes).unwrap();
        store.put_file(&key, &tmp).await.unwrap();
        assert!(!tmp.exists());
        let BlobLocation::File { path, size } = store.locate(&key).await.unwrap() else {
            panic!("a folder's blobs are files")
        };
        assert_eq!(size, bytes.len() as u64);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        // The same bytes again: no error, one blob.
        std::fs::write(&tmp, bytes).unwrap();
        store.put_file(&key, &tmp).await.unwrap();
        let listed = store.list(true).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].intact);
        // Corrupt it: verify notices.
        std::fs::write(&path, b"tampered").unwrap();
        assert!(!store.list(true).await.unwrap()[0].intact);
        store.delete(&key).await.unwrap();
        assert!(matches!(store.locate(&key).await, Err(BlobError::NotFound(_))));
        store.check().await.unwrap();
    }

    #[test]
    fn keys_are_validated() {
        assert!(BlobKey::parse(&"a".repeat(64)).is_some());
        assert!(BlobKey::parse(&"A".repeat(64)).is_none());
        assert!(BlobKey::parse("../../etc/passwd").is_none());
        assert!(BlobKey::parse(&"g".repeat(64)).is_none());
    }

    fn stored(store: &FileStore, bytes: &[u8], name: &str) -> (BlobKey, PathBuf) {
        let key = BlobKey::parse(&hex::encode(Sha256::digest(bytes))).unwrap();
        let tmp = store.temp_dir().join(name);
        std::fs::write(&tmp, bytes).unwrap();
        (key.clone(), store.path_of(&key))
    }

    fn make_old(path: &Path) {
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options().write(true).open(path).unwrap().set_modified(two_hours_ago).unwrap();
    }

    /// The review's race: an old orphan that an upload is about to reference
    /// must not look old to `fsck --repair`.
    #[tokio::test]
    async fn storing_the_same_bytes_again_refreshes_an_old_orphan() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path()).unwrap();
        let (key, path) = stored(&store, b"orphan bytes", "upload-1");
        store.put_file(&key, &store.temp_dir().join("upload-1")).await.unwrap();
        make_old(&path);
        assert!(store.list(false).await.unwrap()[0].old);
        // An upload of the same bytes reuses the file...
        stored(&store, b"orphan bytes", "upload-2");
        assert!(!store.put_file(&key, &store.temp_dir().join("upload-2")).await.unwrap());
        // ...and from then on it is young: fsck's rule keeps it.
        assert!(!store.list(false).await.unwrap()[0].old);
        assert!(!store.remove_orphan_blocking(&key, OrphanRule::OlderThan(STALE_TEMP)).unwrap());
        assert!(path.exists());
    }

    #[tokio::test]
    async fn orphan_rules() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path()).unwrap();
        let (key, path) = stored(&store, b"lost upload", "upload-1");
        store.put_file(&key, &store.temp_dir().join("upload-1")).await.unwrap();
        let at = store.stored_at(&key).await.unwrap().unwrap();
        // Stored again by another upload after `at`: kept.
        std::thread::sleep(std::time::Duration::from_millis(20));
        stored(&store, b"lost upload", "upload-2");
        store.put_file(&key, &store.temp_dir().join("upload-2")).await.unwrap();
        assert!(!store.remove_orphan_blocking(&key, OrphanRule::NotStoredSince(at)).unwrap());
        assert!(path.exists());
        // Not stored since: removed.
        let at = store.stored_at(&key).await.unwrap().unwrap();
        assert!(store.remove_orphan_blocking(&key, OrphanRule::NotStoredSince(at)).unwrap());
        assert!(!path.exists());
        // Young and old, with and without force.
        stored(&store, b"lost upload", "upload-3");
        store.put_file(&key, &store.temp_dir().join("upload-3")).await.unwrap();
        assert!(!store.remove_orphan_blocking(&key, OrphanRule::OlderThan(STALE_TEMP)).unwrap());
        make_old(&path);
        assert!(store.remove_orphan_blocking(&key, OrphanRule::OlderThan(STALE_TEMP)).unwrap());
        stored(&store, b"lost upload", "upload-4");
        store.put_file(&key, &store.temp_dir().join("upload-4")).await.unwrap();
        assert!(store.remove_orphan_blocking(&key, OrphanRule::Any).unwrap());
        // Nothing left aside in tmp/, and a missing blob is not an error.
        assert!(!store.remove_orphan_blocking(&key, OrphanRule::Any).unwrap());
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }
}
