//! tantivy's `RamDirectory` with locks that wait properly.
//!
//! Why: tantivy emulates a RAM directory's locks with lock files, and a
//! blocking lock (the meta lock that a reader reload and the writer's file
//! garbage collection both take) is retried every 100 ms. Measured at
//! 100,000 docs, one `apply` in fifteen then took 100 ms instead of 1.5 ms.
//! Here a lock is a name in a set under a mutex, and a waiter wakes as soon
//! as the holder lets go. Everything else is the plain `RamDirectory`.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, RamDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// How long a blocking lock is waited for, as long as tantivy's own retries.
const BLOCKING_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, Default)]
pub(crate) struct LockingRamDirectory {
    inner: RamDirectory,
    locks: Arc<Locks>,
}

#[derive(Debug, Default)]
struct Locks {
    held: Mutex<HashSet<PathBuf>>,
    released: Condvar,
}

/// Releases its lock when dropped (tantivy drops the `DirectoryLock`).
struct Held {
    locks: Arc<Locks>,
    path: PathBuf,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.locks.held.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.path);
        self.locks.released.notify_all();
    }
}

impl Directory for LockingRamDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        let held = self.locks.held.lock().unwrap_or_else(PoisonError::into_inner);
        let mut held = if lock.is_blocking {
            let (held, timeout) = self
                .locks
                .released
                .wait_timeout_while(held, BLOCKING_LOCK_TIMEOUT, |h| h.contains(&lock.filepath))
                .unwrap_or_else(PoisonError::into_inner);
            if timeout.timed_out() {
                return Err(LockError::LockBusy);
            }
            held
        } else if held.contains(&lock.filepath) {
            return Err(LockError::LockBusy);
        } else {
            held
        };
        held.insert(lock.filepath.clone());
        Ok(DirectoryLock::from(Box::new(Held { locks: Arc::clone(&self.locks), path: lock.filepath.clone() })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_exclude_and_release() {
        let dir = LockingRamDirectory::default();
        let lock = Lock { filepath: PathBuf::from(".x.lock"), is_blocking: false };
        let held = dir.acquire_lock(&lock).unwrap();
        assert!(matches!(dir.acquire_lock(&lock), Err(LockError::LockBusy)));
        drop(held);
        let _again = dir.acquire_lock(&lock).unwrap();
    }

    #[test]
    fn a_blocking_lock_waits_for_the_holder() {
        let dir = LockingRamDirectory::default();
        let lock = Lock { filepath: PathBuf::from(".y.lock"), is_blocking: true };
        let held = dir.acquire_lock(&lock).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| dir.acquire_lock(&lock).is_ok());
            std::thread::sleep(Duration::from_millis(20));
            drop(held);
            assert!(waiter.join().unwrap());
        });
    }
}
