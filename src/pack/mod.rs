//! Checklist packs: the model of a pack (sections → requirements), the
//! shared scoping questions, cross-pack mappings, and the loader and
//! validator that turn `checklists/*.toml` into a [`Library`].
//!
//! Owns: reading and checking checklist data. Never writes files, never
//! panics on a malformed file: every problem becomes a [`Diagnostic`] with
//! file, line and column. The format is documented in
//! `docs/checklist-format.md`.

pub mod ciso;
pub mod condition;
pub mod diag;
mod lint;
pub mod model;
mod raw;
mod validate;

pub use condition::{Answer, Condition, QuestionKind, Truth};
pub use diag::{Diagnostic, SourceFile};
pub use model::*;
pub use validate::{check, load, load_stored, SCHEMA};

use std::path::{Path, PathBuf};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_checklists.rs"));
}

/// An error reading checklist files from disk (before any content is checked).
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not valid UTF-8 text")]
    NotUtf8 { path: PathBuf },
    #[error("{path}: no .toml checklist files found")]
    Empty { path: PathBuf },
    #[error("{path}: {size} bytes is too large for a checklist file (at most {max})")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
}

/// The largest checklist file read (the built-in packs are under 200 KB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl PackError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            PackError::Read { path, source } => format!("无法读取 {}：{source}", path.display()),
            PackError::NotUtf8 { path } => format!("{}：不是有效的 UTF-8 文本", path.display()),
            PackError::Empty { path } => format!("{}：未找到任何 .toml 检查单文件", path.display()),
            PackError::TooLarge { path, size, max } => format!(
                "{}：文件大小 {size} 字节，超过检查单文件上限（{max} 字节）",
                path.display()
            ),
        }
    }
}

/// What a file of a checklist library holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRole {
    Pack,
    Questions,
    Mappings,
}

impl FileRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FileRole::Pack => "pack",
            FileRole::Questions => "questions",
            FileRole::Mappings => "mappings",
        }
    }
    pub fn parse(s: &str) -> Option<FileRole> {
        match s {
            "pack" => Some(FileRole::Pack),
            "questions" => Some(FileRole::Questions),
            "mappings" => Some(FileRole::Mappings),
            _ => None,
        }
    }
}

/// One file of a checklist library with the name and hash a project stores
/// it under: `pack/<ID>.toml`, `questions.toml` or `mappings/<file>.toml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LibraryFile {
    pub name: String,
    pub role: FileRole,
    /// For a pack: its id and version.
    pub pack_id: Option<String>,
    pub version: Option<String>,
    /// SHA-256 of the text, lowercase hex.
    pub sha256: String,
    #[serde(skip)]
    pub text: String,
}

/// SHA-256 of a text, lowercase hex.
pub fn text_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of a library as a project stores them (files that are none of
/// the three kinds are left out; they carry nothing the library uses).
pub fn library_files(sources: &[SourceFile]) -> Vec<LibraryFile> {
    let mut out: Vec<LibraryFile> = Vec::new();
    for s in sources {
        let base = s
            .name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(s.name.as_str())
            .to_string();
        let (name, role, pack_id, version) = match sniff(&s.text) {
            Kind::Pack => {
                let id = pack_id(&s.text);
                let version = pack_version(&s.text);
                (
                    format!("pack/{}.toml", id.clone().unwrap_or(base)),
                    FileRole::Pack,
                    id,
                    version,
                )
            }
            Kind::Questions => (
                "questions.toml".to_string(),
                FileRole::Questions,
                None,
                None,
            ),
            Kind::Mappings => (format!("mappings/{base}"), FileRole::Mappings, None, None),
            Kind::Other => continue,
        };
        if out.iter().any(|f| f.name == name) {
            continue;
        }
        out.push(LibraryFile {
            name,
            role,
            pack_id,
            version,
            sha256: text_sha256(&s.text),
            text: s.text.clone(),
        });
    }
    out
}

/// The built-in checklist files, compiled into the binary from `checklists/`.
pub fn builtin_sources() -> Vec<SourceFile> {
    builtin::FILES
        .iter()
        .map(|(name, text)| SourceFile::new(format!("<builtin>/checklists/{name}"), *text))
        .collect()
}

/// Earlier built-in libraries (folder name, files), oldest first, for
/// adopting projects made before projects stored their checklists.
pub fn history_sources() -> Vec<(String, Vec<SourceFile>)> {
    builtin::HISTORY
        .iter()
        .map(|(set, files)| {
            (
                set.to_string(),
                files
                    .iter()
                    .map(|(name, text)| {
                        SourceFile::new(format!("<builtin>/checklists-history/{set}/{name}"), *text)
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Loads the built-in library. It is checked by the test suite, so an error
/// here means a broken build; callers still get the diagnostics, not a panic.
pub fn builtin() -> Result<Library, Vec<Diagnostic>> {
    load(&builtin_sources())
}

/// Reads `.toml` files: each path is a file, or a directory searched
/// recursively. Files are returned in path order, named as the user gave them.
pub fn read_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, PackError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| PackError::Read {
            path: p.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            let before = files.len();
            collect_dir(p, &mut files)?;
            if files.len() == before {
                return Err(PackError::Empty { path: p.clone() });
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    files
        .into_iter()
        .map(|path| {
            let read_err = |e| PackError::Read {
                path: path.clone(),
                source: e,
            };
            let file = std::fs::File::open(&path).map_err(read_err)?;
            let size = file.metadata().map_err(read_err)?.len();
            if size > MAX_FILE_BYTES {
                return Err(PackError::TooLarge {
                    path: path.clone(),
                    size,
                    max: MAX_FILE_BYTES,
                });
            }
            let mut bytes = Vec::new();
            // Read at most one byte past the limit, in case the file grows.
            std::io::Read::read_to_end(
                &mut std::io::Read::take(file, MAX_FILE_BYTES + 1),
                &mut bytes,
            )
            .map_err(read_err)?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(PackError::TooLarge {
                    path: path.clone(),
                    size: bytes.len() as u64,
                    max: MAX_FILE_BYTES,
                });
            }
            let text =
                String::from_utf8(bytes).map_err(|_| PackError::NotUtf8 { path: path.clone() })?;
            Ok(SourceFile::new(path.display().to_string(), text))
        })
        .collect()
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PackError> {
    let rd = std::fs::read_dir(dir).map_err(|e| PackError::Read {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_dir(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Files to validate together with what they need from elsewhere: when the
/// given files include no question catalogue, the nearest `questions.toml`
/// beside or above them (else the built-in one) is added; when they include
/// mappings but not the packs those name, the other built-in packs are added
/// (a given pack replaces the built-in pack with the same id).
pub fn validation_set(given: Vec<SourceFile>, paths: &[PathBuf]) -> Vec<SourceFile> {
    let kinds: Vec<Kind> = given.iter().map(|s| sniff(&s.text)).collect();
    let mut set = given;
    if !kinds.contains(&Kind::Questions) {
        let near = paths.iter().find_map(|p| {
            let start = if p.is_dir() {
                Some(p.as_path())
            } else {
                p.parent()
            };
            start
                .into_iter()
                .flat_map(|s| s.ancestors())
                .take(3)
                .map(|d| d.join("questions.toml"))
                .find(|q| q.is_file())
        });
        let q = near.and_then(|q| {
            std::fs::read_to_string(&q)
                .ok()
                .map(|t| SourceFile::new(q.display().to_string(), t))
        });
        match q {
            Some(q) => set.push(q),
            None => set.extend(
                builtin_sources()
                    .into_iter()
                    .filter(|s| sniff(&s.text) == Kind::Questions),
            ),
        }
    }
    if kinds.contains(&Kind::Mappings) {
        let given_ids: Vec<String> = set.iter().filter_map(|s| pack_id(&s.text)).collect();
        set.extend(builtin_sources().into_iter().filter(|s| {
            sniff(&s.text) == Kind::Pack
                && pack_id(&s.text).is_some_and(|id| !given_ids.contains(&id))
        }));
    }
    set
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Questions,
    Pack,
    Mappings,
    Other,
}

/// A cheap look at which kind of file this is, without validating it.
fn sniff(text: &str) -> Kind {
    let has = |h: &str| text.lines().any(|l| l.trim_start().starts_with(h));
    if has("[pack]") {
        Kind::Pack
    } else if has("[[questions]]") {
        Kind::Questions
    } else if has("[[themes]]") {
        Kind::Mappings
    } else {
        Kind::Other
    }
}

fn pack_id(text: &str) -> Option<String> {
    let v: toml::Table = toml::from_str(text).ok()?;
    v.get("pack")?.get("id")?.as_str().map(str::to_string)
}

fn pack_version(text: &str) -> Option<String> {
    let v: toml::Table = toml::from_str(text).ok()?;
    v.get("pack")?.get("version")?.as_str().map(str::to_string)
}
