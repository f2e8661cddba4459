//! An assessment project on disk: `NAME.iovaudit/` holding `project.db`
//! (SQLite, WAL, foreign keys on, schema migrations by version), `vault/`
//! (evidence stored by content hash, see [`crate::vault`]) and `exports/`.
//!
//! Owns: opening, creating, locking and migrating a project, and the one
//! write path [`Project::change`] through which every modification goes: it
//! refuses changes to an approved project and appends a journal entry in the
//! same transaction as the change.
//!
//! Invariants: a project is open in at most one process at a time (an
//! exclusive lock on `project.lock`); nothing is written outside the project
//! directory; a database written by a newer version is never opened for writing.

pub mod exports;
pub mod info;
mod schema;

use crate::i18n::Text;
use crate::journal;
use crate::pack::{self, Library};
use crate::t;
use crate::vault::{Vault, VaultError};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use std::fs::File;
use std::path::{Path, PathBuf};

pub use schema::CURRENT as SCHEMA_VERSION;

/// Errors of the project store and everything that changes a project.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: database error: {source}")]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path} is not an iovaudit project (no project.db)")]
    NotAProject { path: PathBuf },
    #[error("{path} already exists and is not empty")]
    Exists { path: PathBuf },
    #[error("{path} is in use by another process (lock file {lock})")]
    Locked { path: PathBuf, lock: PathBuf },
    #[error("{path} was written by a newer version of iovaudit (schema {found}; this version reads up to {supported})")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("the project is approved and locked; reopen it (review reopen) to make changes")]
    Approved,
    /// Display is the English text; [`ProjectError::zh`] the Chinese.
    #[error("{}", .0.en)]
    Invalid(Text),
    #[error("the checklist library has {0} problem(s); run `iovaudit pack validate`")]
    Library(usize),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl ProjectError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            ProjectError::Io { path, source } => format!("{}：{source}", path.display()),
            ProjectError::Db { path, source } => format!("{}：数据库错误：{source}", path.display()),
            ProjectError::NotAProject { path } => format!("{} 不是评估项目（缺少 project.db）", path.display()),
            ProjectError::Exists { path } => format!("{} 已存在且不为空", path.display()),
            ProjectError::Locked { path, lock } => {
                format!("{} 正被另一个进程使用（锁文件 {}）", path.display(), lock.display())
            }
            ProjectError::NewerSchema { path, found, supported } => format!(
                "{} 由更新版本的 iovaudit 写入（数据库版本 {found}，本版本最高支持 {supported}），请升级后再打开",
                path.display()
            ),
            ProjectError::Approved => "项目已批准并锁定；如需修改，请先重新打开（review reopen）".to_string(),
            ProjectError::Invalid(t) => t.zh.clone(),
            ProjectError::Library(n) => format!("检查单库有 {n} 个问题，请运行 `iovaudit pack validate`"),
            ProjectError::Vault(v) => v.zh(),
        }
    }

    pub fn invalid(t: Text) -> ProjectError {
        ProjectError::Invalid(t)
    }
}

pub type Result<T> = std::result::Result<T, ProjectError>;

/// Assessment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    #[serde(rename = "third-party")]
    ThirdParty,
    #[serde(rename = "self-check")]
    SelfCheck,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ThirdParty => "third-party",
            Kind::SelfCheck => "self-check",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "third-party" | "第三方" | "第三方评估" => Some(Kind::ThirdParty),
            "self-check" | "自查" | "自评估" => Some(Kind::SelfCheck),
            _ => None,
        }
    }
    pub fn label(self) -> Text {
        match self {
            Kind::ThirdParty => Text::new("第三方评估", "third-party assessment"),
            Kind::SelfCheck => Text::new("企业自查", "self-check"),
        }
    }
}

/// Review state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    InReview,
    Approved,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::InReview => "in_review",
            State::Approved => "approved",
        }
    }
    fn parse(s: &str) -> State {
        match s {
            "in_review" => State::InReview,
            "approved" => State::Approved,
            _ => State::Draft,
        }
    }
    pub fn label(self) -> Text {
        match self {
            State::Draft => Text::new("草稿", "draft"),
            State::InReview => Text::new("审核中", "in review"),
            State::Approved => Text::new("已批准", "approved"),
        }
    }
}

/// The project's header row.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub name: String,
    pub assessee: String,
    pub kind: Kind,
    pub organisation: String,
    pub created_at: String,
    pub created_by: String,
    pub state: State,
    pub revision: i64,
    pub state_by: Option<String>,
    pub state_at: Option<String>,
    pub snapshot_hash: Option<String>,
    /// Packs in the project with the version they were added at.
    pub packs: Vec<(String, String)>,
}

/// What `init` needs.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: String,
    pub assessee: String,
    pub kind: Kind,
    pub organisation: String,
    pub packs: Vec<String>,
    pub by: String,
}

/// An open project. Holds the lock until dropped.
pub struct Project {
    dir: PathBuf,
    conn: Connection,
    vault: Vault,
    /// The checklists the project is assessed against (stored in it).
    library: Library,
    /// The library of the running program (built-in or `--checklists`).
    current: Library,
    read_only: bool,
    _lock: File,
}

/// The current time, UTC, RFC 3339 with seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Project {
    /// True when opened with [`Project::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn db_path(&self) -> PathBuf {
        self.dir.join("project.db")
    }
    pub fn vault(&self) -> &Vault {
        &self.vault
    }
    /// The checklists the project is assessed against: the content it
    /// stored when it was created or last upgraded, never silently today's.
    pub fn library(&self) -> &Library {
        &self.library
    }
    /// After a pack upgrade: the library the project now keeps.
    pub(crate) fn set_library(&mut self, library: Library) {
        self.library = library;
    }
    /// The checklist library of the running program, for comparison and upgrades.
    pub fn current_library(&self) -> &Library {
        &self.current
    }
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
    pub fn exports_dir(&self) -> PathBuf {
        self.dir.join("exports")
    }

    pub(crate) fn db_err(&self, source: rusqlite::Error) -> ProjectError {
        ProjectError::Db {
            path: self.db_path(),
            source,
        }
    }

    /// Creates a new project in `dir` (which must not exist or be empty).
    pub fn init(dir: &Path, new: &NewProject, library: Library) -> Result<Project> {
        if dir.exists() {
            let empty = std::fs::read_dir(dir)
                .map_err(|e| ProjectError::Io {
                    path: dir.to_path_buf(),
                    source: e,
                })?
                .next()
                .is_none();
            if !empty {
                return Err(ProjectError::Exists {
                    path: dir.to_path_buf(),
                });
            }
        }
        let name = new.name.trim();
        let assessee = new.assessee.trim();
        if name.is_empty() || assessee.is_empty() {
            return Err(ProjectError::invalid(t!(
                "项目名称和被评估单位不能为空",
                "the project name and the assessee must not be empty"
            )));
        }
        if new.packs.is_empty() {
            return Err(ProjectError::invalid(t!(
                "至少选择一个检查单（--packs）",
                "choose at least one pack (--packs)"
            )));
        }
        let mut packs = Vec::new();
        for id in &new.packs {
            let Some(p) = library.pack(id.trim()) else {
                let known = library
                    .packs
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let id = id.trim();
                return Err(ProjectError::invalid(t!(
                    "没有编号为 `{id}` 的检查单（可选：{known}）",
                    "no pack `{id}` (packs: {known})"
                )));
            };
            if !packs.iter().any(|(i, _)| i == &p.id) {
                packs.push((p.id.clone(), p.version.clone()));
            }
        }
        for sub in ["", "vault", "exports"] {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d).map_err(|e| ProjectError::Io { path: d, source: e })?;
        }
        let files = library.files.clone();
        let mut project = Self::open_with(dir, library, true)?;
        let at = now();
        project.change_unchecked(&new.by, "project.init", serde_json::json!({"name": name, "assessee": assessee, "kind": new.kind.as_str(), "packs": packs}), |tx| {
            tx.execute(
                "INSERT INTO project (id, name, assessee, kind, organisation, created_at, created_by) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                params![name, assessee, new.kind.as_str(), new.organisation.trim(), at, new.by],
            )?;
            for (i, (id, version)) in packs.iter().enumerate() {
                tx.execute("INSERT INTO project_pack (pack_id, pack_version, position) VALUES (?1, ?2, ?3)", params![id, version, i as i64])?;
            }
            store_files(tx, &files, &at)?;
            Ok(())
        })?;
        Ok(project)
    }

    /// Opens an existing project for reading only, with `library` as the
    /// running program's library (compared with what the project keeps).
    pub fn open_read_only_with(dir: &Path, library: Library) -> Result<Project> {
        Self::open_inner(dir, library, false, true)
    }

    /// Opens an existing project with the built-in checklist library, for
    /// reading and writing (exclusive lock).
    pub fn open(dir: &Path) -> Result<Project> {
        let library = pack::builtin().map_err(|d| ProjectError::Library(d.len()))?;
        Self::open_with(dir, library, false)
    }

    /// Opens an existing project for reading only (shared lock): several
    /// readers may work at once, but not while a writer has it open.
    /// Every change through it is refused.
    pub fn open_read_only(dir: &Path) -> Result<Project> {
        let library = pack::builtin().map_err(|d| ProjectError::Library(d.len()))?;
        Self::open_inner(dir, library, false, true)
    }

    /// Opens an existing project (or, with `create`, a new empty one) with `library`.
    pub fn open_with(dir: &Path, library: Library, create: bool) -> Result<Project> {
        Self::open_inner(dir, library, create, false)
    }

    fn open_inner(dir: &Path, library: Library, create: bool, read_only: bool) -> Result<Project> {
        let db = dir.join("project.db");
        if !create && !db.is_file() {
            return Err(ProjectError::NotAProject {
                path: dir.to_path_buf(),
            });
        }
        let lock_path = dir.join("project.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| ProjectError::Io {
                path: lock_path.clone(),
                source: e,
            })?;
        let locked = if read_only {
            lock.try_lock_shared()
        } else {
            lock.try_lock()
        };
        match locked {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ProjectError::Locked {
                    path: dir.to_path_buf(),
                    lock: lock_path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(ProjectError::Io {
                    path: lock_path,
                    source: e,
                })
            }
        }
        let dberr = |source| ProjectError::Db {
            path: db.clone(),
            source,
        };
        let mut conn = Connection::open(&db).map_err(dberr)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(dberr)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(dberr)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(dberr)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(dberr)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(dberr)?;
        if version > schema::CURRENT {
            return Err(ProjectError::NewerSchema {
                path: db.clone(),
                found: version,
                supported: schema::CURRENT,
            });
        }
        if version < schema::CURRENT && read_only && !create {
            return Err(ProjectError::invalid(t!(
                "项目由旧版本创建，需要先以可写方式打开一次以升级数据库",
                "the project was made by an older version; open it once for writing to upgrade its database"
            )));
        }
        if version < schema::CURRENT {
            let tx = conn.transaction().map_err(dberr)?;
            for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.execute_batch(m).map_err(dberr)?;
                tx.pragma_update(None, "user_version", (i + 1) as i64)
                    .map_err(dberr)?;
            }
            if version < 5 {
                schema::fill_uuids(&tx).map_err(dberr)?;
            }
            tx.commit().map_err(dberr)?;
        }
        if !create {
            let has: Option<i64> = conn
                .query_row("SELECT id FROM project", [], |r| r.get(0))
                .optional()
                .map_err(dberr)?;
            if has.is_none() {
                return Err(ProjectError::NotAProject {
                    path: dir.to_path_buf(),
                });
            }
        }
        let vault = Vault::open(&dir.join("vault"))?;
        if !read_only {
            // A crash during an ingest may leave a temp file; it belongs to no row.
            let _ = vault.remove_temp_files();
        }
        let stored = if create {
            Vec::new()
        } else {
            read_files(&conn).map_err(dberr)?
        };
        let own = if stored.is_empty() {
            library.clone()
        } else {
            load_files(&db, &stored)?
        };
        let mut project = Project {
            dir: dir.to_path_buf(),
            conn,
            vault,
            library: own,
            current: library,
            read_only,
            _lock: lock,
        };
        if stored.is_empty() && !create && !read_only {
            // Made before projects kept their checklists: adopt the content it
            // was assessed against — the library whose pack versions it
            // records (the current one, or an earlier built-in one) — so an
            // upgrade can then show what changed since.
            let recorded = project.meta()?.packs;
            let (files, basis) = adoption(&project.current, &recorded, &db);
            let packs: Vec<_> = files
                .iter()
                .filter_map(|f| Some((f.pack_id.clone()?, f.version.clone(), f.sha256.clone())))
                .collect();
            let own = load_files(&db, &files)?;
            let at = now();
            project.change_unchecked(
                "iovaudit",
                "pack.adopt",
                serde_json::json!({ "basis": basis, "packs": packs }),
                |tx| {
                    store_files(tx, &files, &at)?;
                    Ok(())
                },
            )?;
            project.library = own;
        }
        Ok(project)
    }

    /// Each pack of the project: the version it is assessed against and the
    /// version the running program's library holds.
    pub fn pack_versions(&self) -> Result<Vec<PackVersion>> {
        let meta = self.meta()?;
        Ok(meta
            .packs
            .iter()
            .map(|(id, recorded)| {
                let own = self.library.pack_file(id);
                let cur = self.current.pack_file(id);
                PackVersion {
                    pack: id.clone(),
                    version: own
                        .and_then(|f| f.version.clone())
                        .unwrap_or_else(|| recorded.clone()),
                    sha256: own.map(|f| f.sha256.clone()),
                    library_version: cur.and_then(|f| f.version.clone()),
                    library_sha256: cur.map(|f| f.sha256.clone()),
                    differs: match (own, cur) {
                        (Some(a), Some(b)) => a.sha256 != b.sha256,
                        (Some(_), None) => true,
                        _ => false,
                    },
                }
            })
            .collect())
    }

    pub fn meta(&self) -> Result<Meta> {
        let mut m = self
            .conn
            .query_row(
                "SELECT name, assessee, kind, organisation, created_at, created_by, state, revision, state_by, state_at, snapshot_hash FROM project",
                [],
                |r| {
                    let kind: String = r.get(2)?;
                    let state: String = r.get(6)?;
                    Ok(Meta {
                        name: r.get(0)?,
                        assessee: r.get(1)?,
                        kind: Kind::parse(&kind).unwrap_or(Kind::ThirdParty),
                        organisation: r.get(3)?,
                        created_at: r.get(4)?,
                        created_by: r.get(5)?,
                        state: State::parse(&state),
                        revision: r.get(7)?,
                        state_by: r.get(8)?,
                        state_at: r.get(9)?,
                        snapshot_hash: r.get(10)?,
                        packs: vec![],
                    })
                },
            )
            .map_err(|e| self.db_err(e))?;
        let mut st = self
            .conn
            .prepare("SELECT pack_id, pack_version FROM project_pack ORDER BY position")
            .map_err(|e| self.db_err(e))?;
        m.packs = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.db_err(e))?;
        Ok(m)
    }

    /// The packs of the project, from its own library, in project order.
    /// A pack the project names but its library lacks is an error, never
    /// silently dropped.
    pub fn packs(&self) -> Result<Vec<&pack::Pack>> {
        let meta = self.meta()?;
        meta.packs
            .iter()
            .map(|(id, _)| {
                self.library.pack(id).ok_or_else(|| {
                    ProjectError::invalid(t!(
                        "项目使用的检查单 `{id}` 不在其检查单库中（项目数据库可能损坏）",
                        "the project uses the pack `{id}`, which its checklist library lacks (the project database may be damaged)"
                    ))
                })
            })
            .collect()
    }

    /// Runs `f` in one transaction with a journal entry; refused when the project is approved.
    pub fn change<T>(
        &mut self,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, ChangeError>,
    ) -> Result<T> {
        let state: String = self
            .conn
            .query_row("SELECT state FROM project", [], |r| r.get(0))
            .map_err(|e| self.db_err(e))?;
        if State::parse(&state) == State::Approved {
            return Err(ProjectError::Approved);
        }
        self.change_unchecked(actor, action, detail, f)
    }

    /// Like [`Project::change`] but also allowed on an approved project (review transitions).
    pub(crate) fn change_unchecked<T>(
        &mut self,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, ChangeError>,
    ) -> Result<T> {
        if self.read_only {
            return Err(ProjectError::invalid(t!(
                "项目以只读方式打开，不能修改",
                "the project is open read-only and cannot be changed"
            )));
        }
        let actor = actor.trim();
        if actor.is_empty() {
            return Err(ProjectError::invalid(t!(
                "必须说明操作人（--by 或 IOVAUDIT_USER）",
                "say who is acting (--by or IOVAUDIT_USER)"
            )));
        }
        let db = self.db_path();
        let dberr = |source| ProjectError::Db {
            path: db.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(dberr)?;
        let out = match f(&tx) {
            Ok(v) => v,
            Err(ChangeError::Db(e)) => return Err(dberr(e)),
            Err(ChangeError::Project(e)) => return Err(e),
        };
        journal::append(&tx, &now(), actor, action, &detail).map_err(dberr)?;
        tx.commit().map_err(dberr)?;
        Ok(out)
    }

    /// Checks the journal chain.
    pub fn verify_journal(&self) -> Result<(Vec<journal::Break>, usize, Option<String>)> {
        journal::verify(&self.conn).map_err(|e| self.db_err(e))
    }
}

/// A project's pack against the running program's library.
#[derive(Debug, Clone, Serialize)]
pub struct PackVersion {
    pub pack: String,
    /// The version the project is assessed against.
    pub version: String,
    pub sha256: Option<String>,
    /// The version in the running program's library (none: not there).
    pub library_version: Option<String>,
    pub library_sha256: Option<String>,
    /// True when the library holds different content.
    pub differs: bool,
}

/// The files a project made before schema 2 adopts, and what they are
/// (`current library` or `checklists-history/<set>`). A pack whose recorded
/// version the current library holds comes from it; otherwise from the
/// newest earlier built-in library holding that version, whose questions and
/// mappings then come along (they match its packs). Falls back to the current
/// library when no such set loads.
fn adoption(
    current: &Library,
    recorded: &[(String, String)],
    db: &Path,
) -> (Vec<pack::LibraryFile>, String) {
    let matches_current = recorded.iter().all(|(id, v)| {
        current
            .pack_file(id)
            .is_some_and(|f| f.version.as_deref() == Some(v.as_str()))
    });
    if matches_current {
        return (current.files.clone(), "current library".into());
    }
    for (set, sources) in pack::history_sources().into_iter().rev() {
        let hist = pack::library_files(&sources);
        let find = |id: &str, v: &str| {
            hist.iter().find(|f| {
                f.pack_id
                    .as_deref()
                    .is_some_and(|p| p.eq_ignore_ascii_case(id))
                    && f.version.as_deref() == Some(v)
            })
        };
        if !recorded.iter().any(|(id, v)| find(id, v).is_some()) {
            continue;
        }
        // The project's packs at their recorded versions (from this set or
        // the current library), with this set's questions, mappings and
        // other packs.
        let mut files: Vec<pack::LibraryFile> = Vec::new();
        for (id, v) in recorded {
            let f = find(id, v).cloned().or_else(|| {
                current
                    .pack_file(id)
                    .filter(|f| f.version.as_deref() == Some(v.as_str()))
                    .cloned()
            });
            match f {
                Some(f) => files.push(f),
                None => return (current.files.clone(), "current library".into()),
            }
        }
        for f in &hist {
            if !files.iter().any(|x| x.name == f.name) {
                files.push(f.clone());
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        if load_files(db, &files).is_ok() {
            return (files, format!("checklists-history/{set}"));
        }
    }
    (current.files.clone(), "current library".into())
}

/// Writes library files into `pack_source`, replacing rows of the same name.
pub(crate) fn store_files(
    tx: &Transaction<'_>,
    files: &[pack::LibraryFile],
    at: &str,
) -> rusqlite::Result<()> {
    for f in files {
        tx.execute(
            "INSERT INTO pack_source (name, role, pack_id, version, sha256, text, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role, pack_id = excluded.pack_id, version = excluded.version,
             sha256 = excluded.sha256, text = excluded.text, stored_at = excluded.stored_at",
            params![f.name, f.role.as_str(), f.pack_id, f.version, f.sha256, f.text, at],
        )?;
    }
    Ok(())
}

/// The library files a project stores, in name order.
pub(crate) fn read_files(conn: &Connection) -> rusqlite::Result<Vec<pack::LibraryFile>> {
    let mut st = conn.prepare(
        "SELECT name, role, pack_id, version, sha256, text FROM pack_source ORDER BY name",
    )?;
    let rows = st.query_map([], |r| {
        let role: String = r.get(1)?;
        Ok(pack::LibraryFile {
            name: r.get(0)?,
            role: pack::FileRole::parse(&role).unwrap_or(pack::FileRole::Pack),
            pack_id: r.get(2)?,
            version: r.get(3)?,
            sha256: r.get(4)?,
            text: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// Builds a library from stored files; a file whose text no longer matches
/// its recorded hash, or a set that does not load, is a clear error.
pub(crate) fn load_files(db: &Path, files: &[pack::LibraryFile]) -> Result<Library> {
    for f in files {
        if pack::text_sha256(&f.text) != f.sha256 {
            let name = &f.name;
            let db = db.display();
            return Err(ProjectError::invalid(t!(
                "{db}：项目保存的检查单 {name} 与其 SHA-256 不符（数据库被改动）",
                "{db}: the stored checklist {name} does not match its SHA-256 (the database was altered)"
            )));
        }
    }
    let sources: Vec<pack::SourceFile> = files
        .iter()
        .map(|f| pack::SourceFile::new(format!("{}#{}", db.display(), f.name), f.text.clone()))
        .collect();
    pack::load_stored(&sources).map_err(|d| {
        let (zh, en) = d
            .first()
            .map(|d| {
                (
                    d.render(crate::i18n::Lang::Zh),
                    d.render(crate::i18n::Lang::En),
                )
            })
            .unwrap_or_default();
        let n = d.len();
        ProjectError::invalid(t!(
            "项目保存的检查单无法读取（{n} 个问题），首个：{zh}",
            "the project's stored checklists cannot be read ({n} problem(s)); first: {en}"
        ))
    })
}

/// An error inside a change closure: a database error or a refusal.
#[derive(Debug)]
pub enum ChangeError {
    Db(rusqlite::Error),
    Project(ProjectError),
}

impl From<rusqlite::Error> for ChangeError {
    fn from(e: rusqlite::Error) -> Self {
        ChangeError::Db(e)
    }
}

impl From<ProjectError> for ChangeError {
    fn from(e: ProjectError) -> Self {
        ChangeError::Project(e)
    }
}
