//! A folder for an index that the store can rebuild: writes without fsync,
//! and a marker that says so until a checkpoint.
//!
//! Why: tantivy syncs every file of every commit (`sync_data` on each
//! segment file, `meta.json` and `.managed.json`, then the folder): about
//! eight fsyncs per commit, and the registry commits on every publish so
//! that a search right after it sees the version. The server's index is
//! derived: the store holds the truth and the index records the serial it
//! reflects, so after a crash it only has to be *correct or detectably
//! not*, never durable. Writes therefore go to the page cache only, and the
//! folder carries [`DIRTY_MARKER`] whenever some file that `meta.json`
//! may reference has not reached the disk:
//!
//! - before any write (a new file or an atomic replace), the marker is
//!   created and the folder synced, once until the next checkpoint;
//! - [`DeferredSyncDirectory::checkpoint`] syncs every file and the folder,
//!   then removes the marker (and syncs the folder again);
//! - an index opened with the marker present is checked file by file
//!   (tantivy's checksums) and rebuilt from the store if any is damaged;
//!   a `meta.json` that survived older than its files only means a longer
//!   catch-up from the recorded serial.
//!
//! Reads, deletes, locks and watches are `MmapDirectory`'s own.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

/// Present while the folder may hold files that were never synced.
pub const DIRTY_MARKER: &str = "unsynced-writes";

#[derive(Clone, Debug)]
pub(crate) struct DeferredSyncDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    /// `true` while the marker is known to be on disk. Writers take the
    /// read side (so they run together); a checkpoint takes the write side,
    /// so no write can slip between its sync pass and the marker's removal.
    marked: Arc<RwLock<bool>>,
}

impl DeferredSyncDirectory {
    pub(crate) fn open(root: &Path) -> Result<Self, tantivy::directory::error::OpenDirectoryError> {
        let inner = MmapDirectory::open(root)?;
        let marked = root.join(DIRTY_MARKER).exists();
        Ok(Self { inner, root: root.to_owned(), marked: Arc::new(RwLock::new(marked)) })
    }

    /// Whether the folder holds writes that never reached the disk.
    pub(crate) fn is_dirty(&self) -> bool {
        *self.marked.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `write` with the marker on disk. The common case (already
    /// marked) costs one uncontended read lock.
    fn marked_write<T>(&self, write: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
        loop {
            {
                let marked = self.marked.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                if *marked {
                    return write();
                }
            }
            let mut marked = self.marked.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !*marked {
                File::create(self.root.join(DIRTY_MARKER))?;
                sync_dir(&self.root)?;
                *marked = true;
            }
        }
    }

    /// Makes every file in the folder durable, then drops the marker. A
    /// no-op when nothing was written since the last checkpoint.
    pub(crate) fn checkpoint(&self) -> io::Result<()> {
        let mut marked = self.marked.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !*marked {
            return Ok(());
        }
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            if entry.file_type()?.is_file() && entry.file_name() != DIRTY_MARKER {
                match File::open(entry.path()) {
                    Ok(file) => file.sync_all()?,
                    // Deleted by tantivy's garbage collection meanwhile.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        sync_dir(&self.root)?;
        std::fs::remove_file(self.root.join(DIRTY_MARKER))?;
        sync_dir(&self.root)?;
        *marked = false;
        Ok(())
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Windows cannot open a folder as a file, and needs no folder sync.
    if cfg!(windows) {
        return Ok(());
    }
    File::open(dir)?.sync_all()
}

/// A file written by tantivy: flushed to the OS when finished, not synced.
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for DeferredSyncDirectory {
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
        let full = self.root.join(path);
        let file = self.marked_write(|| OpenOptions::new().write(true).create_new(true).open(&full)).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                OpenWriteError::FileAlreadyExists(path.to_owned())
            } else {
                OpenWriteError::wrap_io_error(e, path.to_owned())
            }
        })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let full = self.root.join(path);
        self.marked_write(|| {
            // Same folder, so the rename is atomic; no sync (see module docs).
            let mut temp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(&self.root)?;
            temp.write_all(data)?;
            temp.persist(&full).map_err(|e| e.error)?;
            Ok(())
        })
    }

    fn sync_directory(&self) -> io::Result<()> {
        // Deferred to `checkpoint`.
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
