//! Evidence in a project: files ingested into the vault (see [`crate::vault`])
//! and their records — title, method, who collected them and when, original
//! name and path, size, SHA-256 and SM3 — with revisions and links to
//! requirements.
//!
//! Invariants: a row is written only after its file is durably in the vault
//! (so no row ever points at nothing); replacing a file adds a revision and
//! keeps the old one; nothing here deletes a vault file; files inside the
//! project folder itself are refused as evidence.

use crate::assess::find_requirement;
use crate::i18n::Text;
use crate::pack::Method;
use crate::project::{now, Project, ProjectError, Result};
use crate::t;
use crate::vault::{self, Expected, IngestProgress, Stored, VaultError};
use rusqlite::params;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// How an item of evidence was obtained.
pub fn parse_method(s: &str) -> Option<Method> {
    match s.trim().to_ascii_lowercase().as_str() {
        "examine" | "查阅" | "文档审查" => Some(Method::Examine),
        "interview" | "访谈" => Some(Method::Interview),
        "test" | "测试" | "技术检测" => Some(Method::Test),
        _ => None,
    }
}

fn method_str(m: Method) -> &'static str {
    match m {
        Method::Examine => "examine",
        Method::Interview => "interview",
        Method::Test => "test",
    }
}

#[derive(Debug, Clone)]
pub struct AddOptions {
    pub requirements: Vec<String>,
    pub method: Method,
    /// Title for a single file; otherwise each file's name.
    pub title: Option<String>,
    pub note: String,
    /// When the evidence was collected (RFC 3339); default now.
    pub collected_at: Option<String>,
    /// Files hashed in parallel; 0 = all cores.
    pub threads: usize,
    /// The document's own version (文档版本), e.g. V2.1.
    pub doc_version: String,
    /// Who issued the document (出具方/发布方), e.g. the assessed party's security department.
    pub issuer: String,
}

impl Default for AddOptions {
    fn default() -> Self {
        AddOptions {
            requirements: vec![],
            method: Method::Examine,
            title: None,
            note: String::new(),
            collected_at: None,
            threads: 0,
            doc_version: String::new(),
            issuer: String::new(),
        }
    }
}

#[derive(Debug)]
pub struct AddReport {
    /// (evidence id, source path, what was stored)
    pub added: Vec<(i64, PathBuf, Stored)>,
    /// Files that could not be added, each with the reason; nothing of them was recorded.
    pub failed: Vec<(PathBuf, VaultError)>,
}

/// Expands folders into their files (recursively, sorted); other paths pass through.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        // An unreadable folder surfaces as a failed file, not a silent skip.
        out.push(dir.to_path_buf());
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let is_link = std::fs::symlink_metadata(&p)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if p.is_dir() && !is_link {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn inside(project_dir: &Path, p: &Path) -> bool {
    match (std::fs::canonicalize(project_dir), std::fs::canonicalize(p)) {
        (Ok(d), Ok(f)) => f.starts_with(d),
        _ => false,
    }
}

fn modified_at(p: &Path) -> Option<String> {
    let m = std::fs::metadata(p).ok()?.modified().ok()?;
    let dt: chrono::DateTime<chrono::Utc> = m.into();
    Some(dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Ingests files and folders and records them; links each to `opts.requirements`.
pub fn add(
    project: &mut Project,
    by: &str,
    paths: &[PathBuf],
    opts: &AddOptions,
    progress: &(dyn Fn(IngestProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<AddReport> {
    let mut reqs = Vec::new();
    for r in &opts.requirements {
        reqs.push(find_requirement(project, r)?.2.id.clone());
    }
    if by.trim().is_empty() {
        return Err(ProjectError::invalid(t!(
            "必须说明操作人（--by 或 IOVAUDIT_USER）",
            "say who is acting (--by or IOVAUDIT_USER)"
        )));
    }
    let files = expand(paths);
    let mut failed = Vec::new();
    let mut todo = Vec::new();
    for f in files {
        if inside(project.dir(), &f) {
            let shown = f.display().to_string();
            return Err(ProjectError::invalid(t!(
                "{shown} 位于项目文件夹内，不能作为证据添加",
                "{shown} is inside the project folder and cannot be added as evidence"
            )));
        }
        todo.push(f);
    }
    if project.meta()?.state == crate::project::State::Approved {
        return Err(ProjectError::Approved);
    }
    if project.is_read_only() {
        return Err(ProjectError::invalid(t!(
            "项目以只读方式打开，不能修改",
            "the project is open read-only and cannot be changed"
        )));
    }
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let results = vault::ingest_many(project.vault(), &todo, threads, progress, cancel);
    let mut ok: Vec<(PathBuf, Stored)> = Vec::new();
    for (path, r) in todo.into_iter().zip(results) {
        match r {
            Ok(s) => ok.push((path, s)),
            Err(e) => failed.push((path, e)),
        }
    }
    if ok.is_empty() {
        return Ok(AddReport {
            added: vec![],
            failed,
        });
    }
    let at = now();
    let collected_at = opts.collected_at.clone().unwrap_or_else(|| at.clone());
    let single_title = if ok.len() == 1 {
        opts.title.clone()
    } else {
        None
    };
    let rows: Vec<(String, String, String, Option<String>)> = ok
        .iter()
        .map(|(p, _)| {
            let name = p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            let title = single_title.clone().unwrap_or_else(|| name.clone());
            (
                title,
                name,
                abs.to_string_lossy().into_owned(),
                modified_at(p),
            )
        })
        .collect();
    let detail = serde_json::json!({
        "files": ok.iter().zip(&rows).map(|((_, s), r)| serde_json::json!({"name": r.1, "sha256": s.sha256, "size": s.size})).collect::<Vec<_>>(),
        "requirements": reqs,
        "method": method_str(opts.method),
        "doc_version": opts.doc_version.trim(),
        "issuer": opts.issuer.trim(),
    });
    let method = method_str(opts.method);
    // Signed PDFs: their signature status, computed outside the transaction
    // (parsing can take seconds) and stored with the revision.
    let signatures: Vec<Option<String>> = ok
        .iter()
        .map(|(_, s)| signature_status_json(project, &s.sha256))
        .collect();
    let ids = project.change(by, "evidence.add", detail, |tx| {
        let mut ids = Vec::new();
        for (((_, s), (title, name, abs, mtime)), sig) in ok.iter().zip(&rows).zip(&signatures) {
            tx.execute(
                "INSERT INTO evidence (title, method, note, collected_at, collected_by, doc_version, issuer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![title, method, opts.note, collected_at, by, opts.doc_version.trim(), opts.issuer.trim()],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO evidence_revision (evidence_id, revision, original_name, original_path, size, modified_at, sha256, sm3, added_at, added_by)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id, name, abs, s.size as i64, mtime, s.sha256, s.sm3, at, by],
            )?;
            if let Some(sig) = sig {
                store_summary(tx, id, 1, SIGNATURE_KIND, sig, &at)?;
            }
            for r in &reqs {
                tx.execute(
                    "INSERT OR IGNORE INTO evidence_link (requirement, evidence_id, linked_by, linked_at) VALUES (?1, ?2, ?3, ?4)",
                    params![r, id, by, at],
                )?;
            }
            ids.push(id);
        }
        Ok(ids)
    })?;
    let added = ids
        .into_iter()
        .zip(ok)
        .map(|(id, (p, s))| (id, p, s))
        .collect();
    Ok(AddReport { added, failed })
}

/// One evidence item with its current revision.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub title: String,
    pub method: String,
    pub note: String,
    pub collected_at: String,
    pub collected_by: String,
    pub revision: i64,
    pub original_name: String,
    pub original_path: String,
    pub size: i64,
    pub modified_at: Option<String>,
    pub sha256: String,
    pub sm3: String,
    pub requirements: Vec<String>,
    /// The document's own version (文档版本); empty when not recorded.
    pub doc_version: String,
    /// Who issued the document; empty when not recorded.
    pub issuer: String,
}

const ITEM_SQL: &str = "SELECT e.id, e.title, e.method, e.note, e.collected_at, e.collected_by,
        r.revision, r.original_name, r.original_path, r.size, r.modified_at, r.sha256, r.sm3,
        (SELECT group_concat(requirement, ' ') FROM evidence_link l WHERE l.evidence_id = e.id),
        e.doc_version, e.issuer
    FROM evidence e
    JOIN evidence_revision r ON r.evidence_id = e.id
     AND r.revision = (SELECT max(revision) FROM evidence_revision WHERE evidence_id = e.id)";

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let links: Option<String> = r.get(13)?;
    Ok(Item {
        id: r.get(0)?,
        title: r.get(1)?,
        method: r.get(2)?,
        note: r.get(3)?,
        collected_at: r.get(4)?,
        collected_by: r.get(5)?,
        revision: r.get(6)?,
        original_name: r.get(7)?,
        original_path: r.get(8)?,
        size: r.get(9)?,
        modified_at: r.get(10)?,
        sha256: r.get(11)?,
        sm3: r.get(12)?,
        requirements: links
            .map(|l| l.split(' ').map(str::to_string).collect())
            .unwrap_or_default(),
        doc_version: r.get(14)?,
        issuer: r.get(15)?,
    })
}

/// Every evidence item, by id.
pub fn list(project: &Project) -> Result<Vec<Item>> {
    let mut st = project
        .conn()
        .prepare(&format!("{ITEM_SQL} ORDER BY e.id"))
        .map_err(|e| project.db_err(e))?;
    st.query_map([], item_row)
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))
}

/// What a page of the evidence list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Id,
    Title,
    /// The original file name of the current revision.
    Name,
    /// The size of the current revision.
    Size,
    CollectedAt,
    Revision,
}

/// Which page of the evidence list to return, sorted and filtered in SQL.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// Rows skipped (after filtering and sorting).
    pub offset: u64,
    /// Rows returned, 1 to [`PAGE_LIMIT_MAX`].
    pub limit: u64,
    pub sort: SortKey,
    pub descending: bool,
    /// Substring searched (ASCII letters case-insensitively) in `#id`, title,
    /// original name and path, collector, collection time, SHA-256, SM3,
    /// note and the linked requirement ids. Empty = no filter.
    pub search: String,
    /// Only evidence linked to this requirement id (exact), if set.
    pub requirement: Option<String>,
}

impl Default for PageQuery {
    fn default() -> Self {
        PageQuery {
            offset: 0,
            limit: 50,
            sort: SortKey::Id,
            descending: false,
            search: String::new(),
            requirement: None,
        }
    }
}

/// The largest page [`page`] returns.
pub const PAGE_LIMIT_MAX: u64 = 1000;

/// One page of the evidence list.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub items: Vec<Item>,
    /// Rows matching the filter (all pages).
    pub total: u64,
    /// Evidence items in the project, filter or not.
    pub all: u64,
    /// The offset of the first item returned.
    pub offset: u64,
}

/// A page of the evidence list: filtered, sorted and cut in SQL, so the cost
/// is a few scans of single tables plus `limit` rows, whatever the project's
/// size (100,000 items: tens of milliseconds). Ties are broken by id, so
/// consecutive pages neither repeat nor skip rows.
pub fn page(project: &Project, q: &PageQuery) -> Result<Page> {
    if q.limit == 0 || q.limit > PAGE_LIMIT_MAX {
        let n = q.limit;
        return Err(ProjectError::invalid(t!(
            "每页条数 {n} 无效：应为 1 到 {PAGE_LIMIT_MAX}",
            "page size {n} is invalid: it must be 1 to {PAGE_LIMIT_MAX}"
        )));
    }
    let offset = i64::try_from(q.offset).map_err(|_| {
        let n = q.offset;
        ProjectError::invalid(t!("起始位置 {n} 无效", "offset {n} is invalid"))
    })?;
    let conn = project.conn();
    let db = |e| project.db_err(e);
    // Every filter is "id IN (a set of ids)", each set found by scanning one
    // table: no per-row join while searching.
    let mut sets: Vec<String> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let needle = q.search.trim();
    if !needle.is_empty() {
        let mut pat = String::from("%");
        for c in needle.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pat.push('\\');
            }
            pat.push(c);
        }
        pat.push('%');
        args.push(pat.into());
        let k = args.len();
        // The hashes (lowercase hex) are read only for a needle that could be
        // part of one: they are most of the bytes a search scans.
        let hashes = if needle.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!(r"OR sha256 LIKE ?{k} ESCAPE '\' OR sm3 LIKE ?{k} ESCAPE '\'")
        } else {
            String::new()
        };
        // LIKE: ASCII letters case-insensitively, everything else exactly.
        // A file field matches only in the item's current revision.
        sets.push(format!(
            r"SELECT id FROM evidence WHERE ('#' || id) LIKE ?{k} ESCAPE '\' OR title LIKE ?{k} ESCAPE '\'
                  OR collected_by LIKE ?{k} ESCAPE '\' OR collected_at LIKE ?{k} ESCAPE '\' OR note LIKE ?{k} ESCAPE '\'
              UNION SELECT evidence_id FROM evidence_revision r
                WHERE (original_name LIKE ?{k} ESCAPE '\' OR original_path LIKE ?{k} ESCAPE '\' {hashes})
                  AND r.revision = (SELECT max(revision) FROM evidence_revision WHERE evidence_id = r.evidence_id)
              UNION SELECT evidence_id FROM evidence_link WHERE requirement LIKE ?{k} ESCAPE '\'"
        ));
    }
    if let Some(req) = q
        .requirement
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        args.push(req.to_string().into());
        let k = args.len();
        sets.push(format!(
            "SELECT evidence_id FROM evidence_link WHERE requirement = ?{k}"
        ));
    }
    // The table a sort key lives in: the items, or their current revisions
    // (one row per item: SQLite takes the bare columns of an aggregate query
    // from the row holding the max()).
    const CUR: &str = "(SELECT evidence_id AS id, max(revision) AS revision, original_name, size
        FROM evidence_revision GROUP BY evidence_id)";
    let (table, key) = match q.sort {
        SortKey::Id => ("evidence", "id"),
        SortKey::Title => ("evidence", "title"),
        SortKey::CollectedAt => ("evidence", "collected_at"),
        SortKey::Name => (CUR, "original_name"),
        SortKey::Size => (CUR, "size"),
        SortKey::Revision => (CUR, "revision"),
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    let order = if q.sort == SortKey::Id {
        format!("id {dir}")
    } else {
        format!("{key} {dir}, id {dir}")
    };
    let all: i64 = conn
        .prepare_cached("SELECT count(*) FROM evidence")
        .and_then(|mut st| st.query_row([], |r| r.get(0)))
        .map_err(db)?;
    let page_ids = |filter: &str, mut args: Vec<rusqlite::types::Value>| -> Result<Vec<i64>> {
        let n = args.len();
        args.push((q.limit as i64).into());
        args.push(offset.into());
        conn.prepare(&format!(
            "SELECT id FROM {table} {filter} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
            n + 1,
            n + 2
        ))
        .and_then(|mut st| {
            st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
                .and_then(|rows| rows.collect())
        })
        .map_err(db)
    };
    let (total, ids) = if sets.is_empty() {
        (all, page_ids("", vec![])?)
    } else {
        // The matching ids, found once (the count is their number), then the
        // page of them in the order asked for.
        let sql: Vec<String> = sets
            .iter()
            .map(|s| format!("SELECT * FROM ({s})"))
            .collect();
        let mut matched: Vec<i64> = conn
            .prepare(&sql.join(" INTERSECT "))
            .and_then(|mut st| {
                st.query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
                    .and_then(|rows| rows.collect())
            })
            .map_err(db)?;
        let total = matched.len() as i64;
        let ids = if q.sort == SortKey::Id {
            matched.sort_unstable();
            if q.descending {
                matched.reverse();
            }
            let from = (offset as usize).min(matched.len());
            let to = from.saturating_add(q.limit as usize).min(matched.len());
            matched[from..to].to_vec()
        } else {
            let list = serde_json::to_string(&matched).unwrap_or_else(|_| "[]".into());
            page_ids(
                "WHERE id IN (SELECT value FROM json_each(?1))",
                vec![list.into()],
            )?
        };
        (total, ids)
    };
    let mut items = Vec::with_capacity(ids.len());
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(",");
        let mut st = conn
            .prepare(&format!("{ITEM_SQL} WHERE e.id IN ({marks})"))
            .map_err(db)?;
        let mut by_id: std::collections::HashMap<i64, Item> = st
            .query_map(rusqlite::params_from_iter(ids.iter()), item_row)
            .and_then(|rows| rows.map(|r| r.map(|i| (i.id, i))).collect())
            .map_err(db)?;
        items.extend(ids.iter().filter_map(|id| by_id.remove(id)));
    }
    Ok(Page {
        items,
        total: total as u64,
        all: all as u64,
        offset: q.offset,
    })
}

/// Test and benchmark support (not a user operation): records `n` more
/// evidence items titled and named `name(i)`, each pointing at a file that is
/// already in the vault (the current revisions of the existing items, in
/// turn), in one transaction with one journal entry. Makes a project of
/// 100,000 items in seconds without 100,000 fsyncs; the vault invariant holds
/// (no row points at nothing). Returns the ids added.
#[doc(hidden)]
pub fn record_copies(
    project: &mut Project,
    by: &str,
    n: usize,
    name: &dyn Fn(usize) -> String,
) -> Result<Vec<i64>> {
    let stored: Vec<(String, String, i64)> = {
        let mut st = project
            .conn()
            .prepare(
                "SELECT r.sha256, r.sm3, r.size FROM evidence e JOIN evidence_revision r ON r.evidence_id = e.id
                 AND r.revision = (SELECT max(revision) FROM evidence_revision WHERE evidence_id = e.id) ORDER BY e.id",
            )
            .map_err(|e| project.db_err(e))?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|r| r.collect())
            .map_err(|e| project.db_err(e))?
    };
    if stored.is_empty() {
        return Err(ProjectError::invalid(t!(
            "项目中还没有证据文件可供复制",
            "the project has no evidence file to copy"
        )));
    }
    for (sha, _, _) in &stored {
        let f = project
            .vault()
            .path_of(sha)
            .map_err(|e| ProjectError::invalid(failure_text(&e)))?;
        if !f.is_file() {
            let shown = f.display().to_string();
            return Err(ProjectError::invalid(t!(
                "证据库中缺少文件 {shown}",
                "the vault file {shown} is missing"
            )));
        }
    }
    let at = now();
    let detail = serde_json::json!({"copies": n});
    project.change(by, "evidence.add", detail, |tx| {
        let mut ids = Vec::with_capacity(n);
        let mut ins_e = tx.prepare(
            "INSERT INTO evidence (title, method, note, collected_at, collected_by) VALUES (?1, 'examine', '', ?2, ?3)",
        )?;
        let mut ins_r = tx.prepare(
            "INSERT INTO evidence_revision (evidence_id, revision, original_name, original_path, size, modified_at, sha256, sm3, added_at, added_by)
             VALUES (?1, 1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8)",
        )?;
        for i in 0..n {
            let (sha, sm3, size) = &stored[i % stored.len()];
            let nm = name(i);
            ins_e.execute(params![nm, at, by])?;
            let id = tx.last_insert_rowid();
            ins_r.execute(params![id, nm, format!("/copies/{nm}"), size, sha, sm3, at, by])?;
            ids.push(id);
        }
        Ok(ids)
    })
}

/// The evidence linked to one requirement.
pub fn for_requirement(project: &Project, requirement: &str) -> Result<Vec<Item>> {
    let mut st = project
        .conn()
        .prepare_cached(&format!("{ITEM_SQL} WHERE e.id IN (SELECT evidence_id FROM evidence_link WHERE requirement = ?1) ORDER BY e.id"))
        .map_err(|e| project.db_err(e))?;
    st.query_map(params![requirement], item_row)
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))
}

/// One item, or a clear error.
pub fn get(project: &Project, id: i64) -> Result<Item> {
    let mut st = project
        .conn()
        .prepare(&format!("{ITEM_SQL} WHERE e.id = ?1"))
        .map_err(|e| project.db_err(e))?;
    let mut rows = st
        .query_map(params![id], item_row)
        .map_err(|e| project.db_err(e))?;
    match rows.next() {
        Some(r) => r.map_err(|e| project.db_err(e)),
        None => Err(ProjectError::invalid(t!(
            "没有编号为 {id} 的证据",
            "no evidence {id}"
        ))),
    }
}

/// Changes to an item's record (None = unchanged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemUpdate {
    pub title: Option<String>,
    pub note: Option<String>,
    pub doc_version: Option<String>,
    pub issuer: Option<String>,
}

/// Updates an item's title, note, document version or issuer (journalled
/// `evidence.set` with the changed fields; nothing written when nothing changes).
pub fn set_details(project: &mut Project, by: &str, id: i64, upd: &ItemUpdate) -> Result<Item> {
    let cur = get(project, id)?;
    let pick = |new: &Option<String>, old: &str| -> String {
        new.as_deref()
            .map_or_else(|| old.to_string(), |v| v.trim().to_string())
    };
    let title = pick(&upd.title, &cur.title);
    if title.is_empty() {
        return Err(ProjectError::invalid(t!(
            "证据 {id} 的标题不能为空",
            "the title of evidence {id} cannot be empty"
        )));
    }
    let note = pick(&upd.note, &cur.note);
    let doc_version = pick(&upd.doc_version, &cur.doc_version);
    let issuer = pick(&upd.issuer, &cur.issuer);
    let mut changed = serde_json::Map::new();
    for (k, new, old) in [
        ("title", &title, &cur.title),
        ("note", &note, &cur.note),
        ("doc_version", &doc_version, &cur.doc_version),
        ("issuer", &issuer, &cur.issuer),
    ] {
        if new != old {
            changed.insert(k.to_string(), serde_json::json!(new));
        }
    }
    if changed.is_empty() {
        return Ok(cur);
    }
    let detail = serde_json::json!({"evidence": id, "changed": changed});
    project.change(by, "evidence.set", detail, |tx| {
        tx.execute(
            "UPDATE evidence SET title = ?2, note = ?3, doc_version = ?4, issuer = ?5 WHERE id = ?1",
            params![id, title, note, doc_version, issuer],
        )?;
        Ok(())
    })?;
    get(project, id)
}

/// Links evidence to a requirement (idempotent).
pub fn link(project: &mut Project, by: &str, id: i64, requirement: &str) -> Result<()> {
    get(project, id)?;
    let rid = find_requirement(project, requirement)?.2.id.clone();
    let at = now();
    project.change(by, "evidence.link", serde_json::json!({"evidence": id, "requirement": rid}), |tx| {
        tx.execute(
            "INSERT OR IGNORE INTO evidence_link (requirement, evidence_id, linked_by, linked_at) VALUES (?1, ?2, ?3, ?4)",
            params![rid, id, by, at],
        )?;
        Ok(())
    })
}

/// Removes a link (the evidence itself stays).
pub fn unlink(project: &mut Project, by: &str, id: i64, requirement: &str) -> Result<()> {
    let rid = find_requirement(project, requirement)?.2.id.clone();
    project.change(
        by,
        "evidence.unlink",
        serde_json::json!({"evidence": id, "requirement": rid}),
        |tx| {
            let n = tx.execute(
                "DELETE FROM evidence_link WHERE requirement = ?1 AND evidence_id = ?2",
                params![rid, id],
            )?;
            if n == 0 {
                return Err(ProjectError::invalid(t!(
                    "证据 {id} 未关联到 {rid}",
                    "evidence {id} is not linked to {rid}"
                ))
                .into());
            }
            Ok(())
        },
    )
}

/// Replaces an item's file with a new revision; the old revision and its file stay.
pub fn replace(
    project: &mut Project,
    by: &str,
    id: i64,
    path: &Path,
    cancel: &AtomicBool,
) -> Result<Stored> {
    let cur = get(project, id)?;
    if inside(project.dir(), path) {
        let shown = path.display().to_string();
        return Err(ProjectError::invalid(t!(
            "{shown} 位于项目文件夹内，不能作为证据添加",
            "{shown} is inside the project folder and cannot be added as evidence"
        )));
    }
    if project.meta()?.state == crate::project::State::Approved {
        return Err(ProjectError::Approved);
    }
    if project.is_read_only() {
        return Err(ProjectError::invalid(t!(
            "项目以只读方式打开，不能修改",
            "the project is open read-only and cannot be changed"
        )));
    }
    let stored = project.vault().ingest(path, &|_| {}, cancel)?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let abs = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned();
    let at = now();
    let rev = cur.revision + 1;
    let mtime = modified_at(path);
    let detail = serde_json::json!({"evidence": id, "revision": rev, "name": name, "sha256": stored.sha256, "previous_sha256": cur.sha256});
    let sig = signature_status_json(project, &stored.sha256);
    project.change(by, "evidence.replace", detail, |tx| {
        tx.execute(
            "INSERT INTO evidence_revision (evidence_id, revision, original_name, original_path, size, modified_at, sha256, sm3, added_at, added_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![id, rev, name, abs, stored.size as i64, mtime, stored.sha256, stored.sm3, at, by],
        )?;
        if let Some(sig) = &sig {
            store_summary(tx, id, rev, SIGNATURE_KIND, sig, &at)?;
        }
        Ok(())
    })?;
    Ok(stored)
}

// ---- Summaries parsed from evidence files (table `evidence_summary`) ----
// This module owns the table. `scan` asks it to store the summaries of tool
// output (kinds cyclonedx, spdx, trivy, grype, nmap, ports); the signature
// status of a signed PDF (kind `pdf-signature`) is stored here, at ingest.

/// The `evidence_summary.kind` of a signed PDF's signature status.
pub const SIGNATURE_KIND: &str = crate::sign::evidence_status::KIND;

/// One stored summary: what a reader made of one revision of an evidence file.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub evidence_id: i64,
    pub revision: i64,
    pub kind: String,
    /// JSON, as the writer of `kind` made it.
    pub summary: String,
    pub made_at: String,
}

/// Stores (or replaces) a summary inside the caller's transaction.
pub(crate) fn store_summary(
    conn: &rusqlite::Connection,
    evidence_id: i64,
    revision: i64,
    kind: &str,
    summary: &str,
    made_at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO evidence_summary (evidence_id, revision, kind, summary, made_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (evidence_id, revision, kind) DO UPDATE SET summary = excluded.summary, made_at = excluded.made_at",
        params![evidence_id, revision, kind, summary, made_at],
    )?;
    Ok(())
}

/// For each evidence item (or only `evidence_id`), the summaries of its
/// latest revision that has one of `kinds`, by evidence id.
pub fn summary_rows(
    project: &Project,
    kinds: &[&str],
    evidence_id: Option<i64>,
) -> Result<Vec<SummaryRow>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    // Numbered, so that both IN lists use the same parameters.
    let marks = (1..=kinds.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let n = kinds.len() + 1;
    let sql = format!(
        "SELECT s.evidence_id, s.revision, s.kind, s.summary, s.made_at FROM evidence_summary s
         WHERE s.kind IN ({marks}) AND (?{n} IS NULL OR s.evidence_id = ?{n})
           AND s.revision = (SELECT max(t.revision) FROM evidence_summary t
                             WHERE t.evidence_id = s.evidence_id AND t.kind IN ({marks}))
         ORDER BY s.evidence_id, s.kind"
    );
    let mut values: Vec<rusqlite::types::Value> = kinds
        .iter()
        .map(|k| rusqlite::types::Value::Text((*k).to_string()))
        .collect();
    values.push(evidence_id.map_or(
        rusqlite::types::Value::Null,
        rusqlite::types::Value::Integer,
    ));
    let mut st = project
        .conn()
        .prepare(&sql)
        .map_err(|e| project.db_err(e))?;
    let rows = st
        .query_map(rusqlite::params_from_iter(values), |r| {
            Ok(SummaryRow {
                evidence_id: r.get(0)?,
                revision: r.get(1)?,
                kind: r.get(2)?,
                summary: r.get(3)?,
                made_at: r.get(4)?,
            })
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    Ok(rows)
}

/// The signature status recorded for a signed PDF's latest revision, if it
/// is one (a row that does not parse — written by a later version — is `None`).
pub fn signature_status(
    project: &Project,
    evidence_id: i64,
) -> Result<Option<crate::sign::evidence_status::PdfSignatureStatus>> {
    Ok(summary_rows(project, &[SIGNATURE_KIND], Some(evidence_id))?
        .into_iter()
        .next()
        .and_then(|r| serde_json::from_str(&r.summary).ok()))
}

/// The signature status of a stored file as JSON, if it is a signed PDF.
fn signature_status_json(project: &Project, sha256: &str) -> Option<String> {
    let path = project.vault().path_of(sha256).ok()?;
    let status = crate::sign::evidence_status::status_of_file(&path)?;
    serde_json::to_string(&status).ok()
}

/// `evidence verify`: every recorded signature status checked again on the
/// stored bytes (files already reported as modified are skipped).
fn recheck_signatures(
    project: &Project,
    modified: &[(String, String)],
) -> Result<Vec<(i64, i64, Text, Text)>> {
    let mut st = project
        .conn()
        .prepare(
            "SELECT s.evidence_id, s.revision, s.summary, r.sha256 FROM evidence_summary s
             JOIN evidence_revision r ON r.evidence_id = s.evidence_id AND r.revision = s.revision
             WHERE s.kind = ?1 ORDER BY s.evidence_id, s.revision",
        )
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(i64, i64, String, String)> = st
        .query_map(params![SIGNATURE_KIND], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    let mut changes = Vec::new();
    for (id, rev, json, sha) in rows {
        if modified.iter().any(|(s, _)| *s == sha) {
            continue;
        }
        let before: Option<crate::sign::evidence_status::PdfSignatureStatus> =
            serde_json::from_str(&json).ok();
        let now = project
            .vault()
            .path_of(&sha)
            .ok()
            .and_then(|p| crate::sign::evidence_status::status_of_file(&p));
        let unknown = || t!("无法读取", "unreadable");
        match (&before, &now) {
            (Some(b), Some(n)) if b.status == n.status => {}
            _ => changes.push((
                id,
                rev,
                before.map_or_else(unknown, |b| b.summary),
                now.map_or_else(unknown, |n| n.summary),
            )),
        }
    }
    Ok(changes)
}

/// The result of re-hashing the vault against the records.
#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyOutcome {
    pub checked: usize,
    pub ok: usize,
    /// (sha256, evidence names that use it)
    pub missing: Vec<(String, Vec<String>)>,
    /// (sha256, what differs, evidence names)
    pub modified: Vec<(String, String, Vec<String>)>,
    /// Files in the vault that no record refers to.
    pub unexpected: Vec<String>,
    /// Signed PDFs whose signature status, checked again now, differs from
    /// the one recorded when they were added: (evidence id, revision,
    /// recorded, now).
    pub signature_changes: Vec<(i64, i64, Text, Text)>,
}

impl VerifyOutcome {
    pub fn is_ok(&self) -> bool {
        if !self.signature_changes.is_empty() {
            return false;
        }
        self.missing.is_empty() && self.modified.is_empty() && self.unexpected.is_empty()
    }
}

/// Re-hashes every stored file (all revisions) and compares with the records.
pub fn verify(
    project: &Project,
    progress: &dyn Fn(usize),
    cancel: &AtomicBool,
) -> Result<VerifyOutcome> {
    let mut st = project
        .conn()
        .prepare("SELECT r.sha256, r.sm3, r.size, e.id, r.revision, r.original_name FROM evidence_revision r JOIN evidence e ON e.id = r.evidence_id ORDER BY r.sha256")
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, String, i64, i64, i64, String)> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut expected: Vec<Expected> = Vec::new();
    for (sha, sm3, size, id, rev, name) in rows {
        let label = format!("#{id} r{rev} {name}");
        if !names.contains_key(&sha) {
            expected.push(Expected {
                sha256: sha.clone(),
                sm3,
                size: size as u64,
            });
        }
        names.entry(sha).or_default().push(label);
    }
    let report = project.vault().verify_with(
        &expected,
        crate::vault::VerifyLevel::Full,
        progress,
        cancel,
    )?;
    let who = |sha: &str| names.get(sha).cloned().unwrap_or_default();
    let signature_changes = recheck_signatures(project, &report.modified)?;
    Ok(VerifyOutcome {
        signature_changes,
        checked: expected.len(),
        ok: report.ok,
        missing: report.missing.iter().map(|s| (s.clone(), who(s))).collect(),
        modified: report
            .modified
            .iter()
            .map(|(s, what)| (s.clone(), what.clone(), who(s)))
            .collect(),
        unexpected: report
            .unexpected
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
    })
}

/// A short description of a vault error for a file, in both languages.
pub fn failure_text(e: &VaultError) -> Text {
    Text::new(e.zh(), e.to_string())
}

// ------------------------------------------------------------------ preview

/// What a viewer can show of an evidence file without leaving the app.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Preview {
    /// An image, as a `data:` URL a viewer can show as-is.
    Image { data_url: String, name: String },
    /// A PDF: its page count and the text of its first pages.
    Pdf {
        pages: usize,
        text: String,
        name: String,
    },
    /// A text file (UTF-8, lossy), cut at [`PREVIEW_TEXT_MAX`] bytes.
    Text {
        text: String,
        truncated: bool,
        name: String,
    },
    /// Nothing to show, and why.
    None { name: String, reason: Text },
}

/// Images larger than this are not previewed (bytes).
pub const PREVIEW_IMAGE_MAX: u64 = 16 * 1024 * 1024;
/// PDFs larger than this are not parsed for a preview (bytes).
pub const PREVIEW_PDF_MAX: u64 = 64 * 1024 * 1024;
/// Text previews stop after this many bytes.
pub const PREVIEW_TEXT_MAX: usize = 64 * 1024;
/// A PDF with more objects than this is not previewed.
pub const PREVIEW_PDF_MAX_OBJECTS: usize = 200_000;
/// No stream of a previewed PDF (object streams, page contents) may
/// decompress to more than this many bytes.
pub const PREVIEW_PDF_MAX_STREAM: usize = 16 * 1024 * 1024;
/// All object streams of a previewed PDF together may inflate to at most
/// this many bytes.
pub const PREVIEW_PDF_MAX_INFLATED: usize = 128 * 1024 * 1024;
/// Bounds of the preview parse; the stack leaves room for lopdf's nesting
/// limit (100 levels) in debug builds too.
const PREVIEW_PDF_LIMITS: crate::sign::PdfLimits = crate::sign::PdfLimits {
    max_objects: PREVIEW_PDF_MAX_OBJECTS,
    max_stream: PREVIEW_PDF_MAX_STREAM,
    max_inflated: PREVIEW_PDF_MAX_INFLATED,
    stack: 64 * 1024 * 1024,
};

/// Page count and the text of the first pages of a PDF, parsed with the
/// bounded loader shared with signature verification
/// (`crate::sign::with_pdf`): every stream decompresses to at most
/// [`PREVIEW_PDF_MAX_STREAM`], object streams all together to at most
/// [`PREVIEW_PDF_MAX_INFLATED`], at most [`PREVIEW_PDF_MAX_OBJECTS`] objects
/// are kept, nesting is bounded by lopdf, and the parser runs on its own
/// thread with a known stack, one PDF at a time; a panic there is a
/// refusal, never a crash of the caller.
pub fn pdf_preview(bytes: Vec<u8>) -> std::result::Result<(usize, String), Text> {
    use crate::sign::PdfLoadError;
    let r = crate::sign::with_pdf(&bytes, &PREVIEW_PDF_LIMITS, |doc| {
        let pages = doc.get_pages().len();
        let first: Vec<u32> = (1..=pages.min(3) as u32).collect();
        let text = doc
            .extract_text_with_limit(&first, PREVIEW_PDF_MAX_STREAM)
            .unwrap_or_default();
        (pages, text)
    });
    r.map_err(|e| match e {
        PdfLoadError::TooManyObjects(_) => t!(
            "该 PDF 对象过多（超过 {PREVIEW_PDF_MAX_OBJECTS} 个），不在应用内预览",
            "this PDF has too many objects (over {PREVIEW_PDF_MAX_OBJECTS}); not previewed in the app"
        ),
        PdfLoadError::Parse(e) => t!("无法解析该 PDF：{e}", "this PDF cannot be parsed: {e}"),
        PdfLoadError::Crashed => t!(
            "无法解析该 PDF（解析器出错）",
            "this PDF cannot be parsed (the parser failed)"
        ),
        e => e.text(),
    })
}

fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A preview of evidence item `id` (its current revision), read from the
/// vault — never from the original location, which may have changed.
/// Reading is bounded: big files get [`Preview::None`] with the reason.
pub fn preview(project: &Project, id: i64) -> Result<Preview> {
    use std::io::Read;
    let item = get(project, id)?;
    let name = item.original_name.clone();
    let path = project
        .vault()
        .path_of(&item.sha256)
        .map_err(|e| ProjectError::invalid(failure_text(&e)))?;
    // The size on disk, not the recorded one: a replaced vault file must not
    // be read without limit.
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let unreadable = |e: std::io::Error| {
        let shown = path.display().to_string();
        ProjectError::invalid(t!(
            "无法读取证据库文件 {shown}：{e}",
            "cannot read the vault file {shown}: {e}"
        ))
    };
    let too_big = |limit: u64| Preview::None {
        name: name.clone(),
        reason: t!(
            "文件较大（{size} 字节，超过 {limit} 字节），不在应用内预览",
            "the file is large ({size} bytes, over {limit}); not previewed in the app"
        ),
    };
    let ext = extension(&name);
    let image_mime = match ext.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "bmp" => Some("image/bmp"),
        _ => None,
    };
    if let Some(mime) = image_mime {
        if size > PREVIEW_IMAGE_MAX {
            return Ok(too_big(PREVIEW_IMAGE_MAX));
        }
        use base64::Engine;
        let bytes = std::fs::read(&path).map_err(unreadable)?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        return Ok(Preview::Image {
            data_url: format!("data:{mime};base64,{b64}"),
            name,
        });
    }
    if ext == "pdf" {
        if size > PREVIEW_PDF_MAX {
            return Ok(too_big(PREVIEW_PDF_MAX));
        }
        let bytes = std::fs::read(&path).map_err(unreadable)?;
        return Ok(match pdf_preview(bytes) {
            Ok((pages, text)) => Preview::Pdf { pages, text, name },
            Err(reason) => Preview::None { name, reason },
        });
    }
    let textual = matches!(
        ext.as_str(),
        "txt"
            | "log"
            | "csv"
            | "tsv"
            | "json"
            | "xml"
            | "md"
            | "yaml"
            | "yml"
            | "toml"
            | "ini"
            | "conf"
            | "cfg"
            | "html"
            | "htm"
            | "sql"
            | "pem"
            | "crt"
    );
    if !textual {
        return Ok(Preview::None {
            name,
            reason: t!(
                "此类文件（.{ext}）不在应用内预览；哈希与存证不受影响",
                "files of this type (.{ext}) are not previewed in the app; hashing and storage are unaffected"
            ),
        });
    }
    let mut buf = Vec::with_capacity(PREVIEW_TEXT_MAX.min(size as usize));
    std::fs::File::open(&path)
        .and_then(|f| f.take(PREVIEW_TEXT_MAX as u64).read_to_end(&mut buf))
        .map_err(unreadable)?;
    let truncated = size > buf.len() as u64;
    // Cut at a character boundary so the last character is not mangled.
    let text = match std::str::from_utf8(&buf) {
        Ok(s) => s.to_string(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&buf[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(&buf).into_owned(),
    };
    Ok(Preview::Text {
        text,
        truncated,
        name,
    })
}

// ---------------------------------------------------------------- merge
// (issue 14: `bundle merge`; called by `assess::merge::merge_copy`)

/// What a merge does with the other copy's evidence.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct MergeEvidence {
    /// Evidence records taken (new to this copy).
    pub added: usize,
    /// Their records whose file this copy already holds as evidence: one
    /// record kept, their links point at it.
    pub matched_by_hash: usize,
    pub revisions_added: usize,
    pub links_added: usize,
    /// Files to store (not yet in this vault).
    pub files_to_store: usize,
    /// Their records left out because the bundle does not carry the file
    /// (exported without `--with-evidence`): titles.
    pub skipped_no_file: Vec<String>,
}

impl MergeEvidence {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.revisions_added == 0 && self.links_added == 0
    }
}

type Vals = Vec<rusqlite::types::Value>;

/// Where a link of theirs goes here.
#[derive(Debug, Clone)]
enum MergeTarget {
    Local(i64),
    New(usize),
}

/// The evidence part of a merge, computed before anything is written.
#[derive(Debug, Clone, Default)]
pub struct MergeEvidencePlan {
    /// (uuid, title, method, note, collected_at, collected_by, doc_version, issuer) and revisions
    /// (original_name, original_path, size, modified_at, sha256, sm3, added_at, added_by).
    new: Vec<(Vals, Vec<Vals>)>,
    add_revs: Vec<(i64, Vec<Vals>)>,
    links: Vec<(String, MergeTarget, String, String)>,
    files: Vec<(String, PathBuf)>,
    summary: MergeEvidence,
}

impl MergeEvidencePlan {
    pub fn summary(&self) -> MergeEvidence {
        self.summary.clone()
    }
}

const MERGE_REV_COLS: &str =
    "original_name, original_path, size, modified_at, sha256, sm3, added_at, added_by";

fn merge_revisions(c: &rusqlite::Connection, id: i64) -> rusqlite::Result<Vec<Vals>> {
    let mut st = c.prepare(&format!(
        "SELECT {MERGE_REV_COLS} FROM evidence_revision WHERE evidence_id = ?1 ORDER BY revision"
    ))?;
    let rows = st.query_map(params![id], |r| (0..8).map(|i| r.get(i)).collect())?;
    rows.collect()
}

fn merge_text(v: &rusqlite::types::Value) -> String {
    match v {
        rusqlite::types::Value::Text(s) => s.clone(),
        _ => String::new(),
    }
}

/// Plans the merge of the evidence of `theirs` (a copy's database; its files
/// under `their_vault`, when the bundle carries them).
pub fn merge_evidence_plan(
    project: &Project,
    theirs: &rusqlite::Connection,
    their_db: &Path,
    their_vault: &Path,
) -> Result<MergeEvidencePlan> {
    let te = |e| ProjectError::Db {
        path: their_db.to_path_buf(),
        source: e,
    };
    let conn = project.conn();
    let oe = |e| project.db_err(e);
    // Ours: uuid → id, and latest sha256 → id.
    let mut by_uuid: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_sha: BTreeMap<String, i64> = BTreeMap::new();
    let mut our_shas: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    {
        let mut st = conn
            .prepare("SELECT e.id, COALESCE(e.uuid, ''), r.sha256 FROM evidence e JOIN evidence_revision r ON r.evidence_id = e.id ORDER BY e.id, r.revision")
            .map_err(oe)?;
        let rows: Vec<(i64, String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|r| r.collect())
            .map_err(oe)?;
        for (id, u, sha) in rows {
            by_uuid.insert(u, id);
            our_shas.entry(id).or_default().push(sha);
        }
        for (id, shas) in &our_shas {
            if let Some(last) = shas.last() {
                by_sha.entry(last.clone()).or_insert(*id);
            }
        }
    }
    let mut our_links: std::collections::BTreeSet<(String, i64)> = Default::default();
    {
        let mut st = conn
            .prepare("SELECT requirement, evidence_id FROM evidence_link")
            .map_err(oe)?;
        let rows: Vec<(String, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|r| r.collect())
            .map_err(oe)?;
        our_links.extend(rows);
    }
    let mut plan = MergeEvidencePlan::default();
    let mut map: BTreeMap<i64, MergeTarget> = BTreeMap::new();
    let mut files_seen: std::collections::BTreeSet<String> = Default::default();
    // Is the file here, or carried by the bundle?
    let mut available = |sha: &str, plan: &mut MergeEvidencePlan| -> Result<bool> {
        if project.vault().path_of(sha)?.is_file() {
            return Ok(true);
        }
        let p = their_vault.join(sha.get(..2).unwrap_or("")).join(sha);
        if p.is_file() {
            if files_seen.insert(sha.to_string()) {
                plan.files.push((sha.to_string(), p));
            }
            return Ok(true);
        }
        Ok(false)
    };
    let mut st = theirs
        .prepare("SELECT id, COALESCE(uuid, ''), title, method, note, collected_at, collected_by, doc_version, issuer FROM evidence ORDER BY id")
        .map_err(te)?;
    let rows: Vec<(i64, Vals)> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (1..9)
                    .map(|i| r.get(i))
                    .collect::<rusqlite::Result<Vals>>()?,
            ))
        })
        .and_then(|r| r.collect())
        .map_err(te)?;
    for (their_id, row) in rows {
        let revs = merge_revisions(theirs, their_id).map_err(te)?;
        let shas: Vec<String> = revs.iter().map(|r| merge_text(&r[4])).collect();
        let uuid = merge_text(&row[0]);
        if let Some(&local) = by_uuid.get(&uuid) {
            let have = our_shas.get(&local).cloned().unwrap_or_default();
            let mut extra = Vec::new();
            for (rv, sha) in revs.iter().zip(&shas) {
                if !have.contains(sha) && available(sha, &mut plan)? {
                    extra.push(rv.clone());
                }
            }
            if !extra.is_empty() {
                plan.summary.revisions_added += extra.len();
                plan.add_revs.push((local, extra));
            }
            map.insert(their_id, MergeTarget::Local(local));
            continue;
        }
        if let Some(&local) = shas.last().and_then(|s| by_sha.get(s)) {
            plan.summary.matched_by_hash += 1;
            map.insert(their_id, MergeTarget::Local(local));
            continue;
        }
        let mut ok = !revs.is_empty();
        for sha in &shas {
            ok = ok && available(sha, &mut plan)?;
        }
        if !ok {
            plan.summary.skipped_no_file.push(merge_text(&row[1]));
            continue;
        }
        plan.summary.added += 1;
        plan.new.push((row, revs));
        map.insert(their_id, MergeTarget::New(plan.new.len() - 1));
    }
    let mut st = theirs
        .prepare("SELECT requirement, evidence_id, linked_by, linked_at FROM evidence_link ORDER BY requirement, evidence_id")
        .map_err(te)?;
    let links: Vec<(String, i64, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .and_then(|r| r.collect())
        .map_err(te)?;
    for (req, eid, lb, la) in links {
        match map.get(&eid) {
            Some(MergeTarget::Local(l)) if our_links.contains(&(req.clone(), *l)) => {}
            Some(t) => {
                if let MergeTarget::Local(l) = t {
                    our_links.insert((req.clone(), *l));
                }
                plan.links.push((req, t.clone(), lb, la));
            }
            None => {}
        }
    }
    plan.summary.links_added = plan.links.len();
    plan.summary.files_to_store = plan.files.len();
    Ok(plan)
}

/// Stores the files a merge needs in the vault (before any row refers to
/// them); each is checked against the hash it is stored under.
pub fn merge_evidence_files(project: &Project, plan: &MergeEvidencePlan) -> Result<usize> {
    let cancel = AtomicBool::new(false);
    for (sha, path) in &plan.files {
        let s = project.vault().ingest(path, &|_| {}, &cancel)?;
        if &s.sha256 != sha {
            let p = path.display();
            return Err(ProjectError::invalid(t!(
                "{p} 的内容与其 SHA-256 不符",
                "{p} does not match its SHA-256"
            )));
        }
    }
    Ok(plan.files.len())
}

/// Writes the evidence rows of a merge (inside the merge's transaction).
pub fn merge_evidence_rows(
    tx: &rusqlite::Transaction<'_>,
    plan: &MergeEvidencePlan,
) -> rusqlite::Result<()> {
    let mut new_ids = Vec::new();
    for (row, revs) in &plan.new {
        tx.execute(
            "INSERT INTO evidence (uuid, title, method, note, collected_at, collected_by, doc_version, issuer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params_from_iter(row.iter()),
        )?;
        let id = tx.last_insert_rowid();
        for (i, r) in revs.iter().enumerate() {
            merge_insert_revision(tx, id, i as i64 + 1, r)?;
        }
        new_ids.push(id);
    }
    for (id, revs) in &plan.add_revs {
        let max: i64 = tx.query_row(
            "SELECT COALESCE(MAX(revision), 0) FROM evidence_revision WHERE evidence_id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        for (i, r) in revs.iter().enumerate() {
            merge_insert_revision(tx, *id, max + 1 + i as i64, r)?;
        }
    }
    for (req, t, by, at) in &plan.links {
        let id = match t {
            MergeTarget::Local(l) => *l,
            MergeTarget::New(i) => new_ids[*i],
        };
        tx.execute(
            "INSERT OR IGNORE INTO evidence_link (requirement, evidence_id, linked_by, linked_at) VALUES (?1, ?2, ?3, ?4)",
            params![req, id, by, at],
        )?;
    }
    Ok(())
}

fn merge_insert_revision(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    rev: i64,
    r: &Vals,
) -> rusqlite::Result<()> {
    let mut vals: Vals = vec![id.into(), rev.into()];
    vals.extend(r.iter().cloned());
    tx.execute(
        &format!("INSERT INTO evidence_revision (evidence_id, revision, {MERGE_REV_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        rusqlite::params_from_iter(vals),
    )?;
    Ok(())
}
