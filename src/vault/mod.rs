//! Evidence vault: tamper-evident, content-addressed storage for the evidence
//! files an assessor collects.
//!
//! # What this module owns
//!
//! One directory, the vault *root* (normally `<project>/vault`):
//!
//! ```text
//! <root>/tmp/<pid>-<n>-<nanos>.part      files being ingested (and crash leftovers)
//! <root>/<aa>/<aabbcc…64 hex>            stored files, named by their SHA-256
//! ```
//!
//! A stored file's *vault key* is its path relative to the root with `/`
//! separators (`"aa/aabbcc…"`). Only lowercase hex ever appears in a vault
//! path, whatever the source file was called (non-UTF-8 and very long source
//! names are fine); the original name is the caller's business (the project
//! manifest), not the vault's.
//!
//! Every stored file is hashed with SHA-256 and SM3 (GB/T 32905) in **one
//! streaming read** that also makes the copy: the calling thread reads into
//! fixed-size buffers ([`CHUNK_SIZE`]) from a small recycled pool and hands
//! each to a SHA-256 thread, an SM3 thread and a writer thread, so the two
//! hashes run side by side and memory stays bounded (about 6 MiB of buffers,
//! whatever the file size). Files of at most one buffer are done on the
//! calling thread. While writing, a helper thread `fdatasync`s the temporary
//! file every 16 MiB so the disk works while we hash, rather than all at the
//! end. The engine is in `pipeline.rs`.
//!
//! # Guarantees (what the vault must never do)
//!
//! - **Never writes outside its root.** Digests are validated as 64 hex
//!   digits before they become path components ([`Vault::path_of`]); the
//!   vault refuses to write through `tmp` or shard directories that are
//!   symlinks.
//! - **Never leaves a partial file at a final path.** Content goes to
//!   `root/tmp`, is fsynced, then linked (or renamed) to its final path and
//!   the directory is fsynced. A crash leaves at most a file in `root/tmp`,
//!   which [`Vault::remove_temp_files`] clears (the only files the vault
//!   ever deletes are its own temporary files).
//! - **Never deletes or overwrites a stored file.** Identical content is
//!   stored once (the second ingest reports `deduplicated`); a *different*
//!   file found at a final path is left alone and reported
//!   ([`VaultError::StoredMismatch`]). Stored files are made read-only.
//! - **Never stores a file that changed while it was read**: size, mtime,
//!   ctime and inode are compared before and after, together with the number
//!   of bytes read ([`VaultError::FileChanged`]). (A change that keeps size
//!   and all timestamps identical cannot be seen; timestamps have the
//!   filesystem's granularity.)
//! - **Never panics on bad input**: a missing file, a directory, a FIFO,
//!   an unreadable file, odd names — all are errors naming the path.
//!
//! Source symlinks are **followed**: ingesting a symlink to a regular file
//! stores the target's content. Symlinks inside the vault are never followed
//! for writing and are reported by [`Vault::verify`].
//!
//! Cancellation (an `AtomicBool` the caller sets) is checked after every
//! buffer (1 MiB): the temporary file is removed and the call returns
//! [`VaultError::Cancelled`].
//!
//! [`Vault::verify`] checks presence, size and SHA-256 of every expected
//! file on all cores, and lists anything else stored;
//! [`Vault::verify_with`]`(…, VerifyLevel::Full, …)` recomputes SM3 as well.

mod error;
mod pipeline;

pub use error::VaultError;
pub use pipeline::{HashSel, CHUNK_SIZE};

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use pipeline::{hex, Chunk, Raw};

/// Name of the directory under the root that holds files being written.
const TMP_DIR: &str = "tmp";

/// An evidence vault rooted at one directory. Cheap to share between
/// threads (`&Vault` is all any operation needs).
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    tmp: PathBuf,
}

/// A file now in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    /// SM3 of the content, 64 lowercase hex digits.
    pub sm3: String,
    /// Size in bytes.
    pub size: u64,
    /// Path relative to the vault root, `/`-separated: `"<aa>/<sha256>"`.
    pub vault_key: String,
    /// True if identical content was already stored (nothing new written).
    pub deduplicated: bool,
}

/// Both digests and the size of some content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
}

/// Result of [`hash_file_with`]: only the selected digests are present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedDigests {
    pub sha256: Option<String>,
    pub sm3: Option<String>,
    pub size: u64,
}

/// What the caller (the project manifest) believes is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
}

impl From<&Stored> for Expected {
    fn from(s: &Stored) -> Expected {
        Expected {
            sha256: s.sha256.clone(),
            sm3: s.sm3.clone(),
            size: s.size,
        }
    }
}

impl From<Digests> for Expected {
    fn from(d: Digests) -> Expected {
        Expected {
            sha256: d.sha256,
            sm3: d.sm3,
            size: d.size,
        }
    }
}

/// Outcome of [`Vault::verify`]. `missing` and `modified` are in the order of
/// the expected list; `unexpected` is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Expected entries whose stored file is intact.
    pub ok: usize,
    /// SHA-256 of expected entries with no file in the vault.
    pub missing: Vec<String>,
    /// SHA-256 of expected entries whose stored file differs, and how
    /// (`"size differs: …"`, `"SHA-256 differs"`, `"SM3 differs"`, …).
    pub modified: Vec<(String, String)>,
    /// Paths (relative to the root) of files or directories in the vault that
    /// no expected entry accounts for. Files in `tmp/` are not listed.
    pub unexpected: Vec<PathBuf>,
}

impl VerifyReport {
    /// True if every expected file is intact and nothing else is stored.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.modified.is_empty() && self.unexpected.is_empty()
    }
}

/// How thoroughly [`Vault::verify_with`] checks each stored file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyLevel {
    /// Presence and size only (no content read).
    Size,
    /// Size and SHA-256 (what [`Vault::verify`] does).
    Sha256,
    /// Size, SHA-256 and SM3.
    Full,
}

/// Progress of [`ingest_many`], reported from the worker threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestProgress {
    /// Index of the file in the input slice.
    pub index: usize,
    /// Bytes of that file read so far.
    pub bytes_done: u64,
    /// True on the last report for that file (its result is decided).
    pub file_finished: bool,
    /// Files whose result is decided so far (all threads).
    pub files_finished: usize,
    /// Number of files in the input slice.
    pub files_total: usize,
}

impl Vault {
    /// Opens the vault at `root`, creating `root` and `root/tmp` if missing.
    /// The root itself may be a symlink to a directory; `root/tmp` may not.
    pub fn open(root: &Path) -> Result<Vault, VaultError> {
        let root = std::path::absolute(root).map_err(|e| VaultError::io(root, e))?;
        fs::create_dir_all(&root).map_err(|e| VaultError::io(&root, e))?;
        let meta = fs::metadata(&root).map_err(|e| VaultError::io(&root, e))?;
        if !meta.is_dir() {
            return Err(VaultError::NotADirectory { path: root });
        }
        let tmp = root.join(TMP_DIR);
        ensure_real_dir(&tmp, &root)?;
        Ok(Vault { root, tmp })
    }

    /// The vault root (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The vault key (`"<aa>/<sha256>"`) for a SHA-256 digest. Upper-case
    /// hex is accepted and normalised to lower case.
    pub fn key_of(&self, sha256_hex: &str) -> Result<String, VaultError> {
        let sha = self.check_digest(sha256_hex)?;
        Ok(format!("{}/{}", &sha[..2], sha))
    }

    /// Where content with this SHA-256 is (or would be) stored:
    /// `root/<first 2 hex>/<sha256>`. Anything but 64 hex digits is rejected
    /// with [`VaultError::InvalidDigest`], so the result is always inside the
    /// root.
    pub fn path_of(&self, sha256_hex: &str) -> Result<PathBuf, VaultError> {
        let sha = self.check_digest(sha256_hex)?;
        Ok(self.root.join(&sha[..2]).join(&sha))
    }

    fn check_digest(&self, s: &str) -> Result<String, VaultError> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(s.to_ascii_lowercase())
        } else {
            Err(VaultError::InvalidDigest {
                path: self.root.clone(),
                digest: s.chars().take(80).collect(),
            })
        }
    }

    /// Stores a copy of `src`, hashing it with SHA-256 and SM3 in the same
    /// read. `progress` gets the bytes read so far (on the calling thread);
    /// setting `cancel` stops at the next buffer with
    /// [`VaultError::Cancelled`]. On any error nothing is stored and the
    /// temporary file is removed. Symlinks are followed.
    pub fn ingest(
        &self,
        src: &Path,
        progress: &dyn Fn(u64),
        cancel: &AtomicBool,
    ) -> Result<Stored, VaultError> {
        if cancel.load(Ordering::Relaxed) {
            return Err(VaultError::Cancelled {
                path: src.to_path_buf(),
            });
        }
        let mut source = open_source(src)?;
        let (tmp_file, guard) = self.create_temp()?;
        let raw = write_behind(&tmp_file, |sink| {
            read_source(
                &mut source,
                HashSel::Both,
                Some((sink, guard.path())),
                progress,
                cancel,
            )
        })?;
        tmp_file
            .sync_all()
            .map_err(|e| VaultError::io(guard.path(), e))?;
        drop(tmp_file);
        self.commit(&guard, raw)
        // `guard` drops here: the temporary name is removed in every case
        // (after a hard link the content lives on under its final name).
    }

    fn commit(&self, tmp: &TempGuard, raw: Raw) -> Result<Stored, VaultError> {
        let (Some(sha), Some(sm3)) = (raw.sha256, raw.sm3) else {
            // Cannot happen: ingest always selects both digests.
            return Err(VaultError::io(
                tmp.path(),
                io::Error::other("internal error: a digest was not computed"),
            ));
        };
        let sha = hex(&sha);
        let prefix = &sha[..2];
        let shard = self.root.join(prefix);
        ensure_real_dir(&shard, &self.root)?;
        let final_path = shard.join(&sha);
        let stored = |deduplicated| Stored {
            vault_key: format!("{prefix}/{sha}"),
            sha256: sha.clone(),
            sm3: hex(&sm3),
            size: raw.size,
            deduplicated,
        };
        // A hard link never replaces an existing file, so a concurrent
        // ingest of the same content cannot race us into overwriting.
        match fs::hard_link(tmp.path(), &final_path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return existing(&final_path, raw.size).map(|()| stored(true));
            }
            Err(_) => {
                // Filesystem without hard links (FAT, exFAT…): check, then
                // rename. Only an identical concurrent ingest can slip in
                // between, and it would write the same bytes.
                match fs::symlink_metadata(&final_path) {
                    Ok(_) => return existing(&final_path, raw.size).map(|()| stored(true)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(VaultError::io(&final_path, e)),
                }
                fs::rename(tmp.path(), &final_path).map_err(|e| VaultError::io(&final_path, e))?;
            }
        }
        fsync_dir(&shard)?;
        tmp.remove();
        // Best effort: a read-only file is harder to modify by accident.
        if let Ok(meta) = fs::metadata(&final_path) {
            let mut perms = meta.permissions();
            perms.set_readonly(true);
            let _ = fs::set_permissions(&final_path, perms);
        }
        Ok(stored(false))
    }

    fn create_temp(&self) -> Result<(File, TempGuard), VaultError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut last_err = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let path = self
                .tmp
                .join(format!("{}-{n}-{nanos}.part", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(f) => return Ok((f, TempGuard { path })),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(e) => return Err(VaultError::io(&path, e)),
            }
        }
        Err(VaultError::io(
            &self.tmp,
            last_err.unwrap_or_else(|| io::Error::other("cannot create a temporary file")),
        ))
    }

    /// Crash recovery: deletes everything left in `root/tmp` and returns how
    /// many entries were removed. Call it when no ingest is running (for
    /// instance when a project is opened); an ingest running at the same
    /// time would fail (without storing anything).
    pub fn remove_temp_files(&self) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.tmp)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                continue; // the vault never creates directories here
            }
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }

    /// Checks the vault against what the caller expects: presence, size and
    /// SHA-256 of every expected file ([`VerifyLevel::Sha256`]), plus any
    /// stored file nobody expects. Uses all cores. `progress` gets the
    /// number of expected entries checked so far (on the calling thread).
    ///
    /// SM3 is not recomputed by default: it is 4–5× slower than SHA-256 with
    /// SHA-NI and would make routine checks slower than `sha256sum`. Use
    /// [`Vault::verify_with`] and [`VerifyLevel::Full`] for a check of both.
    pub fn verify(
        &self,
        expected: &[Expected],
        progress: &dyn Fn(usize),
        cancel: &AtomicBool,
    ) -> Result<VerifyReport, VaultError> {
        self.verify_with(expected, VerifyLevel::Sha256, progress, cancel)
    }

    /// [`Vault::verify`] with a chosen thoroughness.
    pub fn verify_with(
        &self,
        expected: &[Expected],
        level: VerifyLevel,
        progress: &dyn Fn(usize),
        cancel: &AtomicBool,
    ) -> Result<VerifyReport, VaultError> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; expected.len()];
        let mut keys = HashSet::with_capacity(expected.len());
        let mut jobs = Vec::with_capacity(expected.len());
        for (i, e) in expected.iter().enumerate() {
            match (self.path_of(&e.sha256), self.key_of(&e.sha256)) {
                (Ok(path), Ok(key)) => {
                    keys.insert(key);
                    jobs.push((i, path));
                }
                _ => outcomes[i] = Some(Outcome::Modified(
                    "记录的 SHA-256 不是 64 位十六进制 / the expected SHA-256 is not 64 hex digits"
                        .into(),
                )),
            }
        }
        let unexpected = self.scan_unexpected(&keys)?;

        let mut done = expected.len() - jobs.len();
        let threads = thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .min(jobs.len())
            .max(1);
        let next = AtomicUsize::new(0);
        thread::scope(|s| {
            let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
            for _ in 0..threads {
                let tx = tx.clone();
                let (jobs, next) = (&jobs, &next);
                s.spawn(move || {
                    let mut buf = Chunk::new();
                    while !cancel.load(Ordering::Relaxed) {
                        let Some((i, path)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        let outcome = check_one(path, &expected[*i], level, &mut buf, cancel);
                        if tx.send((*i, outcome)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            for (i, outcome) in rx {
                outcomes[i] = Some(outcome);
                done += 1;
                progress(done);
            }
        });
        if cancel.load(Ordering::Relaxed) {
            return Err(VaultError::Cancelled {
                path: self.root.clone(),
            });
        }

        let mut report = VerifyReport {
            unexpected,
            ..VerifyReport::default()
        };
        for (e, outcome) in expected.iter().zip(outcomes) {
            match outcome {
                Some(Outcome::Ok) => report.ok += 1,
                Some(Outcome::Missing) => report.missing.push(e.sha256.clone()),
                Some(Outcome::Modified(why)) => report.modified.push((e.sha256.clone(), why)),
                // Only possible if a worker died; do not claim the file is fine.
                None => report
                    .modified
                    .push((e.sha256.clone(), "not checked".into())),
            }
        }
        Ok(report)
    }

    /// Everything under the root that is neither `tmp/` nor an expected key.
    fn scan_unexpected(&self, keys: &HashSet<String>) -> Result<Vec<PathBuf>, VaultError> {
        let mut out = Vec::new();
        let read = |dir: &Path| fs::read_dir(dir).map_err(|e| VaultError::io(dir, e));
        for entry in read(&self.root)? {
            let entry = entry.map_err(|e| VaultError::io(&self.root, e))?;
            let name = entry.file_name();
            let ft = entry
                .file_type()
                .map_err(|e| VaultError::io(&entry.path(), e))?;
            let shard = name.to_str().filter(|n| {
                n.len() == 2 && n.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            });
            match shard {
                _ if name == TMP_DIR && ft.is_dir() => {}
                Some(prefix) if ft.is_dir() => {
                    for inner in read(&entry.path())? {
                        let inner = inner.map_err(|e| VaultError::io(&entry.path(), e))?;
                        let inner_name = inner.file_name();
                        let expected = inner_name
                            .to_str()
                            .is_some_and(|n| keys.contains(&format!("{prefix}/{n}")));
                        if !expected {
                            out.push(Path::new(&name).join(inner_name));
                        }
                    }
                }
                _ => out.push(PathBuf::from(name)),
            }
        }
        out.sort();
        Ok(out)
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    Ok,
    Missing,
    Modified(String),
}

fn check_one(
    path: &Path,
    exp: &Expected,
    level: VerifyLevel,
    buf: &mut Chunk,
    cancel: &AtomicBool,
) -> Outcome {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Outcome::Missing,
        Err(e) => return Outcome::Modified(format!("无法读取 / cannot read: {e}")),
    };
    if !meta.file_type().is_file() {
        return Outcome::Modified("不是普通文件 / not a regular file".into());
    }
    if meta.len() != exp.size {
        return Outcome::Modified(format!(
            "大小不符 / size differs: expected {} bytes, found {}",
            exp.size,
            meta.len()
        ));
    }
    let sel = match level {
        VerifyLevel::Size => return Outcome::Ok,
        VerifyLevel::Sha256 => HashSel::Sha256,
        VerifyLevel::Full => HashSel::Both,
    };
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Outcome::Modified(format!("无法读取 / cannot read: {e}")),
    };
    let raw = if meta.len() > pipeline::PIPELINE_THRESHOLD {
        pipeline::run(&mut file, path, sel, None, &|_| {}, cancel)
    } else {
        pipeline::sequential(&mut file, sel, buf).map_err(|e| VaultError::io(path, e))
    };
    let raw = match raw {
        Ok(r) => r,
        Err(e) => return Outcome::Modified(format!("无法读取 / cannot read: {e}")),
    };
    if raw.size != exp.size {
        return Outcome::Modified(format!(
            "大小不符 / size differs: expected {} bytes, read {}",
            exp.size, raw.size
        ));
    }
    let differs = |got: Option<[u8; 32]>, want: &str| {
        got.is_some_and(|g| !hex(&g).eq_ignore_ascii_case(want))
    };
    match (differs(raw.sha256, &exp.sha256), differs(raw.sm3, &exp.sm3)) {
        (false, false) => Outcome::Ok,
        (true, false) => Outcome::Modified("SHA-256 不符 / SHA-256 differs".into()),
        (false, true) => Outcome::Modified("SM3 不符 / SM3 differs".into()),
        (true, true) => Outcome::Modified("SHA-256 与 SM3 均不符 / SHA-256 and SM3 differ".into()),
    }
}

/// A file at a final path already: identical content if the size matches.
fn existing(final_path: &Path, size: u64) -> Result<(), VaultError> {
    let meta = fs::symlink_metadata(final_path).map_err(|e| VaultError::io(final_path, e))?;
    if meta.file_type().is_file() && meta.len() == size {
        Ok(())
    } else {
        Err(VaultError::StoredMismatch {
            path: final_path.to_path_buf(),
            expected: size,
            found: meta.len(),
        })
    }
}

/// Creates `dir` (one level) if missing, fsyncing `parent` when it does, and
/// makes sure it is a real directory, not a symlink.
fn ensure_real_dir(dir: &Path, parent: &Path) -> Result<(), VaultError> {
    match fs::create_dir(dir) {
        Ok(()) => fsync_dir(parent)?,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(VaultError::io(dir, e)),
    }
    let meta = fs::symlink_metadata(dir).map_err(|e| VaultError::io(dir, e))?;
    if meta.file_type().is_dir() {
        Ok(())
    } else {
        Err(VaultError::NotADirectory {
            path: dir.to_path_buf(),
        })
    }
}

#[cfg(unix)]
fn fsync_dir(dir: &Path) -> Result<(), VaultError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| VaultError::io(dir, e))
}

#[cfg(not(unix))]
fn fsync_dir(_dir: &Path) -> Result<(), VaultError> {
    // Windows cannot open a directory as a file; NTFS journals renames.
    Ok(())
}

/// Bytes written between two background `fdatasync` calls while ingesting.
const SYNC_EVERY: u64 = 16 << 20;

/// Runs `f` with a writer to `file` that, every [`SYNC_EVERY`] bytes, asks a
/// helper thread to `fdatasync` the file. The disk then writes while we are
/// still hashing, instead of all at once in the final `sync_all` (which is
/// still done, and is the one whose error counts).
fn write_behind<T>(file: &File, f: impl FnOnce(&mut (dyn Write + Send)) -> T) -> T {
    struct Behind<'a> {
        file: &'a File,
        pending: u64,
        tx: mpsc::Sender<()>,
    }
    impl Write for Behind<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = (&mut &*self.file).write(buf)?;
            self.pending += n as u64;
            if self.pending >= SYNC_EVERY {
                self.pending = 0;
                let _ = self.tx.send(());
            }
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<()>();
        s.spawn(move || {
            while rx.recv().is_ok() {
                while rx.try_recv().is_ok() {}
                // An error here will show again in the final sync_all.
                let _ = file.sync_data();
            }
        });
        f(&mut Behind {
            file,
            pending: 0,
            tx,
        })
    })
}

/// Removes the temporary file when dropped (on success, after the content
/// was linked to its final name, as well as on every error path).
struct TempGuard {
    path: PathBuf,
}

impl TempGuard {
    fn path(&self) -> &Path {
        &self.path
    }
    fn remove(&self) {
        let _ = fs::remove_file(&self.path);
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        self.remove();
    }
}

/// An opened source file and what it looked like when opened.
struct Source<'a> {
    path: &'a Path,
    file: File,
    before: fs::Metadata,
}

fn open_source(path: &Path) -> Result<Source<'_>, VaultError> {
    // Stat first so a FIFO or device is refused before open() could block.
    let meta = fs::metadata(path).map_err(|e| VaultError::source_io(path, e))?;
    if !meta.is_file() {
        return Err(VaultError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(|e| VaultError::source_io(path, e))?;
    let before = file.metadata().map_err(|e| VaultError::io(path, e))?;
    if !before.is_file() {
        return Err(VaultError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    Ok(Source { path, file, before })
}

fn read_source(
    src: &mut Source<'_>,
    sel: HashSel,
    sink: Option<pipeline::Sink<'_>>,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Raw, VaultError> {
    let raw = pipeline::run(&mut src.file, src.path, sel, sink, progress, cancel)?;
    let after = src
        .file
        .metadata()
        .map_err(|e| VaultError::io(src.path, e))?;
    if raw.size != src.before.len() || !same_version(&src.before, &after) {
        return Err(VaultError::FileChanged {
            path: src.path.to_path_buf(),
        });
    }
    Ok(raw)
}

fn same_version(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (a.dev(), a.ino(), a.ctime(), a.ctime_nsec())
            != (b.dev(), b.ino(), b.ctime(), b.ctime_nsec())
        {
            return false;
        }
    }
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// SHA-256 and SM3 of a file in one read (side by side on two threads for
/// files over [`CHUNK_SIZE`]). Fails with [`VaultError::FileChanged`] if the
/// file changed while it was read. Symlinks are followed.
pub fn hash_file(
    path: &Path,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Digests, VaultError> {
    let d = hash_file_with(path, HashSel::Both, progress, cancel)?;
    Ok(Digests {
        sha256: d.sha256.unwrap_or_default(),
        sm3: d.sm3.unwrap_or_default(),
        size: d.size,
    })
}

/// Like [`hash_file`] but computes only the selected digests.
pub fn hash_file_with(
    path: &Path,
    sel: HashSel,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<SelectedDigests, VaultError> {
    let mut src = open_source(path)?;
    let raw = read_source(&mut src, sel, None, progress, cancel)?;
    Ok(SelectedDigests {
        sha256: raw.sha256.map(|d| hex(&d)),
        sm3: raw.sm3.map(|d| hex(&d)),
        size: raw.size,
    })
}

/// SHA-256 and SM3 of everything `r` yields, in one pass. Errors name the
/// pseudo-path `<reader>`.
pub fn hash_reader(
    mut r: impl Read,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Digests, VaultError> {
    let raw = pipeline::run(
        &mut r,
        Path::new("<reader>"),
        HashSel::Both,
        None,
        progress,
        cancel,
    )?;
    Ok(Digests {
        sha256: raw.sha256.map(|d| hex(&d)).unwrap_or_default(),
        sm3: raw.sm3.map(|d| hex(&d)).unwrap_or_default(),
        size: raw.size,
    })
}

/// Ingests several files in parallel (`threads` files at a time; 0 means one
/// per core) and returns the results in input order. After `cancel` is set,
/// files not finished get [`VaultError::Cancelled`]. Listing the same
/// content twice is fine: one copy is stored, the other result says
/// `deduplicated` (or both say not, if they finished at the same moment on
/// a filesystem without hard links).
pub fn ingest_many(
    vault: &Vault,
    files: &[PathBuf],
    threads: usize,
    progress: &(dyn Fn(IngestProgress) + Sync),
    cancel: &AtomicBool,
) -> Vec<Result<Stored, VaultError>> {
    let total = files.len();
    let threads = if threads == 0 {
        thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        threads
    }
    .min(total)
    .max(1);
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Stored, VaultError>>> = (0..total).map(|_| None).collect();
    thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, finished) = (&next, &finished);
            s.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(index) else { break };
                let last = std::cell::Cell::new(0u64);
                let result = vault.ingest(
                    path,
                    &|bytes_done| {
                        last.set(bytes_done);
                        progress(IngestProgress {
                            index,
                            bytes_done,
                            file_finished: false,
                            files_finished: finished.load(Ordering::Relaxed),
                            files_total: total,
                        })
                    },
                    cancel,
                );
                let files_finished = finished.fetch_add(1, Ordering::Relaxed) + 1;
                progress(IngestProgress {
                    index,
                    bytes_done: last.get(),
                    file_finished: true,
                    files_finished,
                    files_total: total,
                });
                if tx.send((index, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (index, result) in rx {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(result);
            }
        }
    });
    results
        .into_iter()
        .zip(files)
        .map(|(r, path)| {
            r.unwrap_or_else(|| {
                Err(VaultError::Cancelled {
                    path: path.to_path_buf(),
                })
            })
        })
        .collect()
}
