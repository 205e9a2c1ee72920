//! Every call whose behaviour differs between Windows and Unix lives here:
//! the lock file, the atomic replace, folder syncing and removal. Nothing in
//! this module uses `std::os::*`; the differences are handled by the standard
//! library (`File::lock`: `LockFileEx` on Windows, `flock` on Unix) and by
//! `tempfile` (`persist`: `MoveFileExW(MOVEFILE_REPLACE_EXISTING)` on Windows,
//! `rename` on Unix). What still differs is written down where it matters.

use std::io::ErrorKind;
use std::path::Path;

use crate::CacheError;

/// A lock on `root/.lock`, held for the length of one cache operation.
///
/// Shared by `get` and `insert`, exclusive for `cleanup` and `verify`. Each
/// guard opens its own handles: both `flock` and `LockFileEx` lock per open
/// handle, so two guards in one process (two threads, two `Cache`s) exclude
/// each other exactly as two processes do. The data files are never locked:
/// on Windows a locked byte range cannot be read through another handle.
///
/// Neither `flock` nor `LockFileEx` promises to prefer a waiting exclusive
/// locker, so a steady stream of lookups could keep a cleanup waiting for
/// ever. A second file, the gate (`root/.lock.gate`), orders them: every
/// locker passes the gate exclusively on its way in; a reader releases it as
/// soon as it holds `.lock` shared, a cleanup keeps it until it is done. So
/// once a cleanup is at the gate, new readers queue behind it while the
/// readers already inside finish. No deadlock: a reader holding the gate
/// waits for `.lock` only while a cleanup holds `.lock`, and a cleanup takes
/// `.lock` only while it holds the gate, so the two cannot both be waiting.
pub(crate) struct LockGuard {
    main: fs_err::File,
    /// Held (by cleanup and verify) until the guard drops.
    gate: Option<fs_err::File>,
}

impl LockGuard {
    pub(crate) fn shared(main: &Path, gate: &Path) -> Result<Self, CacheError> {
        let gate = lock_exclusive(gate)?;
        let main = open_lock_file(main)?;
        main.lock_shared().map_err(CacheError::Io)?;
        unlock(gate);
        Ok(Self { main, gate: None })
    }

    pub(crate) fn exclusive(main: &Path, gate: &Path) -> Result<Self, CacheError> {
        let gate = lock_exclusive(gate)?;
        let main = lock_exclusive(main)?;
        Ok(Self { main, gate: Some(gate) })
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.main.unlock();
        if let Some(gate) = self.gate.take() {
            unlock(gate);
        }
    }
}

fn lock_exclusive(path: &Path) -> Result<fs_err::File, CacheError> {
    let file = open_lock_file(path)?;
    file.lock().map_err(CacheError::Io)?;
    Ok(file)
}

/// Closing the handle releases its lock too, but Windows documents that the
/// release on close may be delayed: unlock explicitly first.
fn unlock(file: fs_err::File) {
    let _ = file.unlock();
}

/// Opens (creating) the lock file. Read and write access: `LockFileEx` needs
/// one of them; the file's content is never read or written.
pub(crate) fn open_lock_file(path: &Path) -> Result<fs_err::File, CacheError> {
    fs_err::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(CacheError::Io)
}

/// Moves a finished download over `target`, replacing what is there in one
/// step: a reader opens either the old complete file or the new one.
///
/// On Windows the replace fails while another program holds `target` open
/// without `FILE_SHARE_DELETE`; the caller then checks whether `target`
/// already holds the right bytes (content addressing makes that enough).
pub(crate) fn persist(temp: tempfile::NamedTempFile, target: &Path) -> Result<(), CacheError> {
    let from = temp.path().to_owned();
    temp.persist(target).map(drop).map_err(|e| CacheError::Persist { from, to: target.to_owned(), source: e.error })
}

/// fsyncs a folder so a rename into it survives a crash. A no-op where the
/// OS cannot open folders (Windows), where NTFS journals the rename itself.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Removes a file; `Ok(false)` when it was already gone. On Windows a file
/// that another program holds open without `FILE_SHARE_DELETE` cannot be
/// removed: that is an error the caller reports or skips. (Files opened by
/// Rust's standard library share delete access, so a reader of a cached
/// package built with it never blocks a cleanup.)
pub(crate) fn remove_file_if_exists(path: &Path) -> Result<bool, CacheError> {
    match fs_err::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(CacheError::Io(e)),
    }
}
