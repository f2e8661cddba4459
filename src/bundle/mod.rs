//! Bundles (`.iovbundle`): a project (or the part assigned to someone) carried
//! to a colleague's laptop and back without a network.
//!
//! A bundle is the [`crypto`] layer (Argon2id + STREAM over AES-256-GCM or
//! SM4-GCM) around a plain sequence of entries:
//!
//! ```text
//! 'F' | name length u16 | name (UTF-8) | size u64 | bytes     one per file
//! 'M' | length u32 | manifest JSON                             once, after the files
//! 'Z'                                                          end
//! ```
//!
//! Files: `project.db` (a consistent snapshot made with SQLite's backup API)
//! and, with evidence, `vault/<aa>/<sha256>`. The manifest lists every file
//! with its size and SHA-256, the project (uuid, name), the part exported
//! and the journal head. Reading checks everything and writes into a
//! temporary folder beside the target, renamed into place only after the
//! last chunk authenticated: a wrong password, a truncated file or one
//! flipped byte leaves nothing behind.
//!
//! Invariant: memory is constant in the bundle size (one chunk, one copy
//! buffer); the core never reads the password from anywhere itself.

pub mod clone;
pub mod crypto;

use crate::i18n::Text;
use crate::project::{self, Project, ProjectError, Result};
use crate::t;
use crypto::{Algorithm, CryptoError, DecryptReader, EncryptWriter, Header, KdfParams};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Progress and cancel for the long operations (export, import, merge):
/// `progress(done, total)` in bytes, called once per copy buffer; when
/// `cancel` is set the operation stops at the next buffer and leaves
/// nothing behind. [`Watch::none`] for callers that need neither.
#[derive(Clone, Copy)]
pub struct Watch<'a> {
    pub progress: &'a (dyn Fn(u64, u64) + Sync),
    pub cancel: &'a AtomicBool,
}

static NEVER: AtomicBool = AtomicBool::new(false);

fn no_progress(_: u64, _: u64) {}

impl Watch<'static> {
    /// No progress, never cancelled.
    pub fn none() -> Watch<'static> {
        Watch {
            progress: &no_progress,
            cancel: &NEVER,
        }
    }
}

impl Watch<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The error of a cancelled operation.
pub fn cancelled_error() -> ProjectError {
    ProjectError::invalid(t!(
        "操作已取消，未写入任何内容",
        "cancelled; nothing was written"
    ))
}

/// The bundle format written by this build.
pub const FORMAT: &str = "iovaudit-bundle/1";

/// What to put in a bundle.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only the part assigned to this assessor.
    pub for_assignee: Option<String>,
    /// Only these requirements (ids, section or pack ids, or globs).
    pub requirements: Vec<String>,
    /// Carry the evidence files the part needs.
    pub with_evidence: bool,
    /// SM4-GCM instead of AES-256-GCM.
    pub sm4: bool,
    /// Argon2id cost (default: 64 MiB, 3 passes).
    pub kdf: Option<KdfParams>,
}

/// One file in a bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// The part of the project a bundle was made for.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Part {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The requirements of the part (empty: the whole project).
    pub requirements: Vec<String>,
}

/// The manifest inside a bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub app_version: String,
    pub made_at: String,
    pub made_by: String,
    pub project_uuid: String,
    pub project_name: String,
    pub assessee: String,
    pub schema: i64,
    pub part: Part,
    pub with_evidence: bool,
    pub journal_head: Option<String>,
    pub journal_entries: usize,
    pub verdicts: i64,
    pub evidence: i64,
    pub findings: i64,
    pub files: Vec<FileEntry>,
}

/// What `show` finds (after decrypting and checking everything).
#[derive(Debug, Clone, Serialize)]
pub struct BundleInfo {
    pub file: PathBuf,
    pub algorithm: Algorithm,
    pub kdf: KdfParams,
    pub bytes: u64,
    pub manifest: Manifest,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ProjectError + '_ {
    move |e| ProjectError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// The requirements of the part, resolved against the project's packs.
pub fn part_requirements(project: &Project, opts: &ExportOptions) -> Result<Vec<String>> {
    let mut patterns = opts.requirements.clone();
    if let Some(a) = &opts.for_assignee {
        let mine = crate::assess::merge::assigned_to(project, a)?;
        if mine.is_empty() {
            return Err(ProjectError::invalid(t!(
                "没有分配给 {a} 的要求（iovaudit assign DIR {a} 模式…）",
                "nothing is assigned to {a} (iovaudit assign DIR {a} PATTERN…)"
            )));
        }
        patterns.extend(mine);
    }
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for p in project.packs()? {
        for s in &p.sections {
            for r in &s.requirements {
                if patterns
                    .iter()
                    .any(|pat| crate::assess::merge::pattern_matches(pat, &p.id, &s.id, &r.id))
                {
                    out.push(r.id.clone());
                }
            }
        }
    }
    if out.is_empty() {
        let pats = patterns.join(", ");
        return Err(ProjectError::invalid(t!(
            "没有要求匹配 {pats}",
            "no requirement matches {pats}"
        )));
    }
    Ok(out)
}

/// Writes a bundle of `project` to `out` (through a temporary file and a
/// rename). Returns the manifest.
pub fn export(
    project: &Project,
    by: &str,
    password: &[u8],
    out: &Path,
    opts: &ExportOptions,
) -> Result<Manifest> {
    export_with(project, by, password, out, opts, Watch::none())
}

/// [`export`] with progress and cancel.
pub fn export_with(
    project: &Project,
    by: &str,
    password: &[u8],
    out: &Path,
    opts: &ExportOptions,
    watch: Watch<'_>,
) -> Result<Manifest> {
    if password.is_empty() {
        return Err(ProjectError::invalid(t!(
            "密码不能为空",
            "the password must not be empty"
        )));
    }
    if out.exists() {
        return Err(ProjectError::Exists {
            path: out.to_path_buf(),
        });
    }
    let requirements = part_requirements(project, opts)?;
    let meta = project.meta()?;
    let conn = project.conn();
    let dberr = |e| project.db_err(e);
    let uuid: String = conn
        .query_row("SELECT COALESCE(uuid, '') FROM project", [], |r| r.get(0))
        .map_err(dberr)?;
    let count = |sql: &str| -> Result<i64> { conn.query_row(sql, [], |r| r.get(0)).map_err(dberr) };
    // A consistent snapshot of the database, beside the output file.
    let snap = crate::fsio::temp_beside(out);
    let guard = RemoveOnDrop(snap.clone());
    conn.backup(rusqlite::MAIN_DB, &snap, None).map_err(dberr)?;
    // The evidence files the part needs.
    let mut shas: Vec<String> = Vec::new();
    if opts.with_evidence {
        let mut st = conn
            .prepare(
                "SELECT DISTINCT r.sha256, r.evidence_id FROM evidence_revision r ORDER BY r.sha256",
            )
            .map_err(dberr)?;
        let rows: Vec<(String, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|r| r.collect())
            .map_err(dberr)?;
        let linked: Option<std::collections::BTreeSet<i64>> = if requirements.is_empty() {
            None
        } else {
            let mut st = conn
                .prepare("SELECT requirement, evidence_id FROM evidence_link")
                .map_err(dberr)?;
            let links: Vec<(String, i64)> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(|r| r.collect())
                .map_err(dberr)?;
            Some(
                links
                    .into_iter()
                    .filter(|(r, _)| requirements.contains(r))
                    .map(|(_, e)| e)
                    .collect(),
            )
        };
        for (sha, ev) in rows {
            if linked.as_ref().is_none_or(|l| l.contains(&ev)) && !shas.contains(&sha) {
                shas.push(sha);
            }
        }
    }
    let (breaks, entries, head) = project.verify_journal()?;
    let _ = breaks;
    let file = crate::fsio::AtomicFile::create(out).map_err(io_err(out))?;
    let header = Header::new(
        if opts.sm4 {
            Algorithm::Sm4Gcm
        } else {
            Algorithm::Aes256Gcm
        },
        opts.kdf.unwrap_or_default(),
    );
    let mut w = EncryptWriter::new(file, password, header).map_err(io_err(out))?;
    let mut files = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut sources = vec![snap.clone()];
    for sha in &shas {
        sources.push(project.vault().path_of(sha)?);
    }
    let total: u64 = sources
        .iter()
        .map(|s| std::fs::metadata(s).map(|m| m.len()).unwrap_or(0))
        .sum();
    let mut count_bytes = Counter {
        watch,
        done: 0,
        total,
    };
    let failed = |path: &Path, e: std::io::Error| {
        if watch.cancelled() {
            cancelled_error()
        } else {
            io_err(path)(e)
        }
    };
    files.push(
        write_entry(&mut w, "project.db", &snap, &mut buf, &mut count_bytes)
            .map_err(|e| failed(out, e))?,
    );
    drop(guard);
    for (sha, src) in shas.iter().zip(sources.iter().skip(1)) {
        let name = format!("vault/{}/{}", &sha[..2], sha);
        let e = write_entry(&mut w, &name, src, &mut buf, &mut count_bytes)
            .map_err(|e| failed(src, e))?;
        if &e.sha256 != sha {
            let s = src.display();
            return Err(ProjectError::invalid(t!(
                "证据库文件 {s} 的内容与其 SHA-256 不符（请运行 evidence verify）",
                "the vault file {s} does not match its SHA-256 (run evidence verify)"
            )));
        }
        files.push(e);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        app_version: crate::APP_VERSION.into(),
        made_at: project::now(),
        made_by: by.to_string(),
        project_uuid: uuid,
        project_name: meta.name.clone(),
        assessee: meta.assessee.clone(),
        schema: project::SCHEMA_VERSION,
        part: Part {
            assignee: opts.for_assignee.clone(),
            requirements,
        },
        with_evidence: opts.with_evidence,
        journal_head: head,
        journal_entries: entries,
        verdicts: count("SELECT COUNT(*) FROM verdict")?,
        evidence: count("SELECT COUNT(*) FROM evidence")?,
        findings: count("SELECT COUNT(*) FROM finding")?,
        files,
    };
    let json = serde_json::to_vec(&manifest).map_err(|e| io_err(out)(std::io::Error::other(e)))?;
    (|| -> std::io::Result<()> {
        w.write_all(b"M")?;
        w.write_all(&(json.len() as u32).to_be_bytes())?;
        w.write_all(&json)?;
        w.write_all(b"Z")?;
        let f = w.finish()?;
        f.commit()?;
        Ok(())
    })()
    .map_err(io_err(out))?;
    Ok(manifest)
}

struct RemoveOnDrop(PathBuf);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Counts bytes for a [`Watch`] and stops when it is cancelled.
struct Counter<'a> {
    watch: Watch<'a>,
    done: u64,
    total: u64,
}

impl Counter<'_> {
    fn add(&mut self, n: u64) -> std::io::Result<()> {
        if self.watch.cancelled() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "cancelled",
            ));
        }
        self.done += n;
        (self.watch.progress)(self.done, self.total.max(self.done));
        Ok(())
    }
}

fn write_entry(
    w: &mut impl Write,
    name: &str,
    src: &Path,
    buf: &mut [u8],
    counter: &mut Counter<'_>,
) -> std::io::Result<FileEntry> {
    let mut f = std::fs::File::open(src)?;
    let size = f.metadata()?.len();
    w.write_all(b"F")?;
    w.write_all(&(name.len() as u16).to_be_bytes())?;
    w.write_all(name.as_bytes())?;
    w.write_all(&size.to_be_bytes())?;
    let mut h = Sha256::new();
    let mut left = size;
    while left > 0 {
        let want = (buf.len() as u64).min(left) as usize;
        let n = f.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::Error::other(format!(
                "{} changed while it was being read",
                src.display()
            )));
        }
        h.update(&buf[..n]);
        w.write_all(&buf[..n])?;
        left -= n as u64;
        counter.add(n as u64)?;
    }
    Ok(FileEntry {
        name: name.to_string(),
        size,
        sha256: crate::journal::hex(&h.finalize()),
    })
}

/// The bilingual message of a decryption failure, naming the file.
fn crypto_error(file: &Path, e: CryptoError) -> ProjectError {
    let f = file.display();
    match e {
        CryptoError::Io(source) => ProjectError::Io {
            path: file.to_path_buf(),
            source,
        },
        CryptoError::NotABundle => ProjectError::invalid(t!(
            "{f} 不是 iovaudit 数据包（.iovbundle）",
            "{f} is not an iovaudit bundle (.iovbundle)"
        )),
        CryptoError::Unsupported(what) => ProjectError::invalid(t!(
            "{f}：不支持的数据包格式（{what}）",
            "{f}: unsupported bundle format ({what})"
        )),
        CryptoError::BadPassword => ProjectError::invalid(t!(
            "{f}：密码错误，或数据包头部被改动；未写入任何内容",
            "{f}: wrong password, or the bundle header was altered; nothing was written"
        )),
        CryptoError::Damaged { index, offset } => ProjectError::invalid(t!(
            "{f}：数据包已损坏或被改动（第 {index} 块，字节偏移 {offset}，认证失败）；未写入任何内容",
            "{f}: the bundle is damaged or was altered (chunk {index} at byte offset {offset} does not authenticate); nothing was written"
        )),
        CryptoError::Truncated { offset } => ProjectError::invalid(t!(
            "{f}：数据包不完整（在字节 {offset} 处截断）；未写入任何内容",
            "{f}: the bundle is truncated (ends at byte {offset}); nothing was written"
        )),
    }
}

fn malformed(file: &Path, what: &str) -> ProjectError {
    let f = file.display();
    ProjectError::invalid(t!(
        "{f}：数据包内容格式错误（{what}）；未写入任何内容",
        "{f}: the bundle's content is malformed ({what}); nothing was written"
    ))
}

/// Where each entry goes while reading.
enum Sink<'a> {
    /// Read and hash only (`show`).
    Discard,
    /// Write files under this folder (a temporary one).
    Folder(&'a Path),
}

struct Plain<'a, R: Read> {
    r: DecryptReader<R>,
    file: &'a Path,
    bytes: u64,
}

impl<R: Read> Plain<'_, R> {
    fn exact(&mut self, buf: &mut [u8]) -> Result<()> {
        let mut n = 0;
        while n < buf.len() {
            let k = self
                .r
                .read_plain(&mut buf[n..])
                .map_err(|e| crypto_error(self.file, e))?;
            if k == 0 {
                return Err(malformed(self.file, "unexpected end"));
            }
            n += k;
        }
        self.bytes += buf.len() as u64;
        Ok(())
    }
}

/// Valid entry names: `project.db` and `vault/<aa>/<sha256>`.
fn valid_name(name: &str) -> bool {
    if name == "project.db" {
        return true;
    }
    let parts: Vec<&str> = name.split('/').collect();
    let hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    parts.len() == 3
        && parts[0] == "vault"
        && parts[1].len() == 2
        && parts[2].len() == 64
        && hex(parts[1])
        && hex(parts[2])
        && parts[2].starts_with(parts[1])
}

/// Decrypts and checks a whole bundle, writing entries per `sink`.
fn read_bundle(
    file: &Path,
    password: &[u8],
    sink: Sink<'_>,
    watch: Watch<'_>,
) -> Result<BundleInfo> {
    let f = std::fs::File::open(file).map_err(io_err(file))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let r = DecryptReader::new(std::io::BufReader::with_capacity(256 * 1024, f), password)
        .map_err(|e| crypto_error(file, e))?;
    let algorithm = r.header().algorithm;
    let kdf = r.header().kdf;
    let mut p = Plain { r, file, bytes: 0 };
    let mut seen: Vec<FileEntry> = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let manifest: Manifest = loop {
        let mut tag = [0u8; 1];
        p.exact(&mut tag)?;
        match tag[0] {
            b'F' => {
                let mut l = [0u8; 2];
                p.exact(&mut l)?;
                let mut name = vec![0u8; u16::from_be_bytes(l) as usize];
                p.exact(&mut name)?;
                let name = String::from_utf8(name).map_err(|_| malformed(file, "file name"))?;
                if !valid_name(&name) || seen.iter().any(|e| e.name == name) {
                    return Err(malformed(file, &format!("entry `{name}`")));
                }
                let mut s = [0u8; 8];
                p.exact(&mut s)?;
                let size = u64::from_be_bytes(s);
                let mut out = match &sink {
                    Sink::Discard => None,
                    Sink::Folder(dir) => {
                        let path = dir.join(&name);
                        if let Some(parent) = path.parent() {
                            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
                        }
                        let f = std::fs::File::create_new(&path).map_err(io_err(&path))?;
                        Some((std::io::BufWriter::new(f), path))
                    }
                };
                let mut h = Sha256::new();
                let mut left = size;
                while left > 0 {
                    let want = (buf.len() as u64).min(left) as usize;
                    if watch.cancelled() {
                        return Err(cancelled_error());
                    }
                    p.exact(&mut buf[..want])?;
                    (watch.progress)(p.bytes.min(total), total);
                    h.update(&buf[..want]);
                    if let Some((w, path)) = out.as_mut() {
                        w.write_all(&buf[..want]).map_err(io_err(path))?;
                    }
                    left -= want as u64;
                }
                if let Some((w, path)) = out {
                    let f = w.into_inner().map_err(|e| io_err(&path)(e.into_error()))?;
                    f.sync_all().map_err(io_err(&path))?;
                }
                let sha256 = crate::journal::hex(&h.finalize());
                if name.starts_with("vault/") && !name.ends_with(&sha256) {
                    return Err(malformed(file, &format!("{name} does not match its hash")));
                }
                seen.push(FileEntry { name, size, sha256 });
            }
            b'M' => {
                let mut l = [0u8; 4];
                p.exact(&mut l)?;
                let len = u32::from_be_bytes(l) as usize;
                if len > 64 * 1024 * 1024 {
                    return Err(malformed(file, "manifest size"));
                }
                let mut m = vec![0u8; len];
                p.exact(&mut m)?;
                let mut z = [0u8; 1];
                p.exact(&mut z)?;
                if z[0] != b'Z' {
                    return Err(malformed(file, "end mark"));
                }
                break serde_json::from_slice(&m)
                    .map_err(|e| malformed(file, &format!("manifest: {e}")))?;
            }
            _ => return Err(malformed(file, "entry tag")),
        }
    };
    // Nothing may follow, and the last chunk must have authenticated.
    let mut one = [0u8; 1];
    match p.r.read_plain(&mut one) {
        Ok(0) if p.r.finished() => {}
        Ok(_) => return Err(malformed(file, "data after the end mark")),
        Err(e) => return Err(crypto_error(file, e)),
    }
    if manifest.format != FORMAT {
        return Err(malformed(file, &format!("format {}", manifest.format)));
    }
    if manifest.files != seen {
        return Err(malformed(
            file,
            "the manifest does not list the files it holds",
        ));
    }
    if !seen.iter().any(|e| e.name == "project.db") {
        return Err(malformed(file, "no project.db"));
    }
    Ok(BundleInfo {
        file: file.to_path_buf(),
        algorithm,
        kdf,
        bytes: total,
        manifest,
    })
}

/// Decrypts and checks a bundle without writing anything.
pub fn show(file: &Path, password: &[u8]) -> Result<BundleInfo> {
    read_bundle(file, password, Sink::Discard, Watch::none())
}

/// A folder removed when dropped unless kept.
pub(crate) struct TempDir {
    pub path: PathBuf,
    keep: bool,
}

impl TempDir {
    pub(crate) fn beside(target: &Path) -> Result<TempDir> {
        let path = crate::fsio::temp_beside(target);
        std::fs::create_dir_all(&path).map_err(io_err(&path))?;
        Ok(TempDir { path, keep: false })
    }
    fn keep(mut self) -> PathBuf {
        self.keep = true;
        self.path.clone()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Decrypts a bundle into a fresh temporary folder (`project.db` +
/// `vault/`) beside `target`; removed when the returned value is dropped.
pub(crate) fn extract(
    file: &Path,
    password: &[u8],
    target: &Path,
    watch: Watch<'_>,
) -> Result<(TempDir, BundleInfo)> {
    let tmp = TempDir::beside(target)?;
    let info = read_bundle(file, password, Sink::Folder(&tmp.path), watch)?;
    Ok((tmp, info))
}

/// Makes a project at `out` (which must not exist) from a bundle. Nothing is
/// left behind on any failure.
pub fn import(file: &Path, password: &[u8], out: &Path, by: &str) -> Result<BundleInfo> {
    import_with(file, password, out, by, Watch::none())
}

/// [`import`] with progress and cancel (while decrypting).
pub fn import_with(
    file: &Path,
    password: &[u8],
    out: &Path,
    by: &str,
    watch: Watch<'_>,
) -> Result<BundleInfo> {
    if out.exists() {
        return Err(ProjectError::Exists {
            path: out.to_path_buf(),
        });
    }
    let (tmp, info) = extract(file, password, out, watch)?;
    for sub in ["vault", "exports"] {
        let d = tmp.path.join(sub);
        std::fs::create_dir_all(&d).map_err(io_err(&d))?;
    }
    {
        // The copy must open as a project (schema, stored checklists).
        let library = crate::pack::builtin().map_err(|d| ProjectError::Library(d.len()))?;
        let mut p = Project::open_with(&tmp.path, library, false)?;
        let m = &info.manifest;
        let detail = serde_json::json!({
            "bundle": file.file_name().map(|n| n.to_string_lossy().into_owned()),
            "made_by": m.made_by, "made_at": m.made_at,
            "journal_head": m.journal_head, "part": m.part,
        });
        p.change_unchecked(by, "bundle.import", detail, |_| Ok(()))?;
    }
    let _ = std::fs::remove_file(tmp.path.join("project.lock"));
    let path = tmp.keep();
    if let Err(e) = std::fs::rename(&path, out) {
        let _ = std::fs::remove_dir_all(&path);
        return Err(io_err(out)(e));
    }
    Ok(info)
}

/// The text of a [`Text`]-carrying error, for callers that only need a message.
pub fn message(e: &ProjectError) -> Text {
    Text::new(e.zh(), e.to_string())
}

/// Decrypts a bundle into a temporary folder inside the project (removed
/// afterwards) and merges it (see [`crate::assess::merge`]). A dry run
/// writes nothing but that temporary folder.
pub fn merge_file(
    project: &mut Project,
    by: &str,
    file: &Path,
    password: &[u8],
    opts: &crate::assess::merge::MergeOptions,
) -> Result<crate::assess::merge::MergeReport> {
    merge_file_with(project, by, file, password, opts, Watch::none())
}

/// [`merge_file`] with progress and cancel (while decrypting; the merge
/// itself is one transaction).
pub fn merge_file_with(
    project: &mut Project,
    by: &str,
    file: &Path,
    password: &[u8],
    opts: &crate::assess::merge::MergeOptions,
    watch: Watch<'_>,
) -> Result<crate::assess::merge::MergeReport> {
    let target = project.dir().join("bundle-merge");
    let (tmp, _info) = extract(file, password, &target, watch)?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::assess::merge::merge_copy(project, by, &tmp.path, &source, opts)
}
