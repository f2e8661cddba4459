//! The next cycle: `project clone` starts next year's assessment of the same
//! enterprise from this one. Carried: scope answers, packs (then moved to
//! the running library's newest content through the pack upgrade), project
//! information, assignments, calendar events and open findings; with
//! `--with-evidence` the evidence records and files (links are not carried:
//! they belong to last cycle's judgement). Verdicts are reset; last cycle's
//! confirmed verdicts and notes are kept in `previous_verdict` as reference.
//! The new project has a new UUID and a new journal whose first entry
//! (`project.clone`) names the source's snapshot hash.

use super::TempDir;
use crate::pack::Library;
use crate::project::{now, Project, ProjectError, Result};
use rusqlite::params;
use serde::Serialize;
use std::path::Path;

/// What `clone_project` did.
#[derive(Debug, Clone, Serialize)]
pub struct CloneReport {
    pub source_snapshot: String,
    pub previous_verdicts: usize,
    pub open_findings: usize,
    pub evidence: usize,
    /// Packs moved to the library's newest content: (pack, from, to).
    pub upgraded: Vec<(String, String, String)>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ProjectError + '_ {
    move |e| ProjectError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Makes `out` (which must not exist) the next cycle of `src`.
pub fn clone_project(
    src: &Project,
    out: &Path,
    by: &str,
    with_evidence: bool,
    library: Library,
) -> Result<CloneReport> {
    if by.trim().is_empty() {
        return Err(ProjectError::invalid(crate::t!(
            "必须说明操作人（--by 或 IOVAUDIT_USER）",
            "say who is acting (--by or IOVAUDIT_USER)"
        )));
    }
    if out.exists() {
        return Err(ProjectError::Exists {
            path: out.to_path_buf(),
        });
    }
    let snapshot = crate::assess::snapshot_hash(src)?;
    let meta = src.meta()?;
    let source_uuid: String = src
        .conn()
        .query_row("SELECT COALESCE(uuid, '') FROM project", [], |r| r.get(0))
        .map_err(|e| src.db_err(e))?;
    let tmp = TempDir::beside(out)?;
    let db = tmp.path.join("project.db");
    src.conn()
        .backup(rusqlite::MAIN_DB, &db, None)
        .map_err(|e| src.db_err(e))?;
    let dberr = |e| ProjectError::Db {
        path: db.clone(),
        source: e,
    };
    let (prev, open, evidence, shas) = {
        let mut c = rusqlite::Connection::open(&db).map_err(dberr)?;
        let tx = c.transaction().map_err(dberr)?;
        let run = |sql: &str| tx.execute_batch(sql).map_err(dberr);
        run("DELETE FROM previous_verdict")?;
        let prev = tx
            .execute(
                "INSERT INTO previous_verdict (requirement, verdict, note, assessor, at, source)
                 SELECT requirement, verdict, note, assessor, at, ?1 FROM verdict WHERE confirmed = 1 AND verdict <> 'unassessed'",
                params![snapshot],
            )
            .map_err(dberr)?;
        run("DELETE FROM verdict; DELETE FROM verdict_history;
             DELETE FROM scope_history; INSERT OR IGNORE INTO scope_history SELECT question, value, answered_by, answered_at FROM scope_answer;
             DELETE FROM finding WHERE status <> 'open';
             DELETE FROM evidence_link;
             DELETE FROM journal_import; DELETE FROM journal_chain; DELETE FROM journal;")?;
        if !with_evidence {
            run("DELETE FROM evidence_summary; DELETE FROM evidence_revision; DELETE FROM evidence;")?;
        }
        let open: i64 = tx
            .query_row("SELECT COUNT(*) FROM finding", [], |r| r.get(0))
            .map_err(dberr)?;
        let evidence: i64 = tx
            .query_row("SELECT COUNT(*) FROM evidence", [], |r| r.get(0))
            .map_err(dberr)?;
        let shas: Vec<String> = {
            let mut st = tx
                .prepare("SELECT DISTINCT sha256 FROM evidence_revision")
                .map_err(dberr)?;
            let rows = st
                .query_map([], |r| r.get(0))
                .and_then(|r| r.collect::<rusqlite::Result<Vec<String>>>())
                .map_err(dberr)?;
            rows
        };
        let at = now();
        let uuid = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "UPDATE project SET uuid = ?1, created_at = ?2, created_by = ?3, state = 'draft', revision = 1,
             state_by = NULL, state_at = NULL, snapshot_hash = NULL",
            params![uuid, at, by.trim()],
        )
        .map_err(dberr)?;
        crate::journal::append(
            &tx,
            &at,
            by.trim(),
            "project.clone",
            &serde_json::json!({
                "source_snapshot": snapshot, "source_uuid": source_uuid, "source_name": meta.name,
                "source_revision": meta.revision, "with_evidence": with_evidence,
                "previous_verdicts": prev, "open_findings": open, "evidence": evidence,
            }),
        )
        .map_err(dberr)?;
        tx.commit().map_err(dberr)?;
        (prev, open as usize, evidence as usize, shas)
    };
    for sub in ["vault", "exports"] {
        let d = tmp.path.join(sub);
        std::fs::create_dir_all(&d).map_err(io(&d))?;
    }
    for sha in &shas {
        let from = src.vault().path_of(sha)?;
        let dir = tmp.path.join("vault").join(&sha[..2]);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let to = dir.join(sha);
        std::fs::copy(&from, &to).map_err(io(&from))?;
        let got = crate::vault::hash_file(&to, &|_| {}, &std::sync::atomic::AtomicBool::new(false))
            .map_err(ProjectError::Vault)?
            .sha256;
        if &got != sha {
            let f = from.display();
            return Err(ProjectError::invalid(crate::t!(
                "证据库文件 {f} 与其 SHA-256 不符（请运行 evidence verify）",
                "the vault file {f} does not match its SHA-256 (run evidence verify)"
            )));
        }
    }
    let mut upgraded = Vec::new();
    {
        let mut p = Project::open_with(&tmp.path, library, false)?;
        for v in p.pack_versions()? {
            if v.differs && v.library_version.is_some() {
                crate::assess::upgrade_pack(&mut p, by.trim(), &v.pack, false)?;
                upgraded.push((
                    v.pack.clone(),
                    v.version.clone(),
                    v.library_version.clone().unwrap_or_default(),
                ));
            }
        }
    }
    let _ = std::fs::remove_file(tmp.path.join("project.lock"));
    let path = tmp.keep();
    if let Err(e) = std::fs::rename(&path, out) {
        let _ = std::fs::remove_dir_all(&path);
        return Err(io(out)(e));
    }
    Ok(CloneReport {
        source_snapshot: snapshot,
        previous_verdicts: prev,
        open_findings: open,
        evidence,
        upgraded,
    })
}
