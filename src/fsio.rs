//! Writing output files so that a failure never leaves half a file:
//! everything is written beside the target under a temporary name, synced
//! and renamed into place. Used by the CLI and the desktop app.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A fresh name beside `path` for writing before the final rename
/// (`.NAME.PID.N.partial`; never an existing file).
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let dir = path.parent().unwrap_or(Path::new(""));
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let cand = dir.join(format!(".{name}.{pid}.{n}.partial"));
        if !cand.exists() {
            return cand;
        }
        n += 1;
    }
}

/// A file being written under a temporary name; [`AtomicFile::commit`]
/// syncs it and renames it to the target. Dropped without commit, the
/// temporary file is removed.
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Starts writing `target` (its folder must exist).
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        let tmp = temp_beside(target);
        let file = std::fs::File::create_new(&tmp)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    /// Flushes, syncs and renames into place.
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        if let Some(w) = self.file.take() {
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
        }
        std::fs::rename(&self.tmp, &self.target)?;
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(self.target.clone())
    }
}

fn gone() -> std::io::Error {
    std::io::Error::other("the file was already committed")
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().ok_or_else(gone)?.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().ok_or_else(gone)?.flush()
    }
}

impl std::io::Seek for AtomicFile {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.as_mut().ok_or_else(gone)?.seek(pos)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit().map(|_| ())
}

/// Like [`write_atomic`], but the file is readable by its owner only
/// (mode 0600 on Unix): for key containers.
pub fn write_atomic_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&f.tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.commit().map(|_| ())
}

/// Creates `dir` (and parents) if missing; a new `dir` is private to its
/// owner (mode 0700 on Unix).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// `dir/stem.ext`, or `dir/stem-2.ext`, `-3`, … — the first that does not exist.
pub fn unused_name(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2u32..)
        .map(|n| dir.join(format!("{stem}-{n}.{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("iovaudit-fsio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(unused_name(&dir, "a", "txt"), dir.join("a-2.txt"));
        write_atomic_private(&dir.join("k.p12"), b"key").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("k.p12"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_file(dir.join("k.p12")).unwrap();
        // Dropped without commit: nothing left behind.
        drop(AtomicFile::create(&dir.join("b.txt")).unwrap());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
