//! Owner-only files and folders. An account's data (token index, profile,
//! database, its WAL) must not be readable by other users of the device or
//! of the machine, whatever the process umask says.

use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents as owner-only (0700 on Unix), and
/// tightens `dir` itself if it already existed with wider permissions.
pub(crate) fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// Makes sure the file at `path` exists and is owner-only (0600 on Unix)
/// before another library (SQLite) opens it: SQLite gives its WAL and
/// shared-memory files the permissions of the database file.
pub(crate) fn ensure_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?;
    restrict(path, 0o600)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_folders_are_owner_only_and_old_ones_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a/b/c");
        create_private_dir_all(&nested).unwrap();
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);

        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir_all(&open).unwrap();
        assert_eq!(mode(&open), 0o700);
    }

    #[test]
    fn files_are_owner_only_and_keep_their_content() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("db.sqlite");
        std::fs::write(&path, b"keep").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        ensure_private_file(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"keep");

        let fresh = root.path().join("fresh.sqlite");
        ensure_private_file(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(std::fs::metadata(&fresh).unwrap().len(), 0);
    }
}
