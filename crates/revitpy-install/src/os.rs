//! Everything that differs between operating systems lives here, so the rest
//! of the client builds and behaves the same on Windows, where Revit runs.

use std::path::Path;

/// Writes a private file (the token): only its owner may read it. On Unix
/// that is mode 0600; on Windows files under the user's profile are already
/// private to the user.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_private_file(path, contents, true)
}

/// As [`write_private`], for a file that must not exist yet (a private
/// key): an existing file at `path` is an error, never replaced.
pub fn write_private_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_private_file(path, contents, false)
}

fn write_private_file(path: &Path, contents: &[u8], replace: bool) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent)?;
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    restrict(tmp.path())?;
    std::io::Write::write_all(&mut tmp, contents)?;
    tmp.as_file().sync_all()?;
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(unix)]
#[allow(clippy::disallowed_methods)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Starts `revitpy-install` again with `args`, detached, with its standard
/// streams closed, so the command that started it returns at once.
pub fn spawn_detached(args: &[&str]) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        // DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP: no console, not killed with ours.
        cmd.creation_flags(0x0000_0008 | 0x0000_0200);
    }
    cmd.spawn().map(|_| ())
}

fn open_lock_file(path: &Path) -> Result<std::fs::File, String> {
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Opens (creating) `path` and takes an exclusive lock on it, held until
/// the returned file is dropped. Lock files are never the data files.
pub fn lock_file(path: &Path) -> Result<std::fs::File, String> {
    let file = open_lock_file(path)?;
    file.lock().map_err(|e| format!("locking {}: {e}", path.display()))?;
    Ok(file)
}

/// As [`lock_file`], but `None` at once when another process holds the lock.
pub fn try_lock_file(path: &Path) -> Result<Option<std::fs::File>, String> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("locking {}: {e}", path.display())),
    }
}
