//! Several assessors, one engagement: who is assigned what, and bringing a
//! colleague's copy of the project back (`bundle merge`).
//!
//! Merge rules (a three-way merge whose base is each side's history):
//! - a verdict (or scope answer) is a version `(value, note, by, at)`; every
//!   version a copy ever held is in its `verdict_history` / `scope_history`;
//! - theirs equal to ours: nothing; theirs already in our history: ours is
//!   newer, kept; ours in their history: theirs is newer, taken; only theirs
//!   exists: taken; both changed since they parted: a **conflict**, listed
//!   with both sides and resolved only as the caller says (`--take`,
//!   `--take-req ID=ours|theirs`); an unresolved conflict refuses the merge;
//! - findings and calendar events by UUID (a finding both sides changed:
//!   the later `updated_at` wins); evidence by UUID, else by content hash
//!   (see `evidence::merge_*`), files stored once; links added; assignments
//!   and project information: missing keys taken, differing ones by the
//!   later time;
//! - their history joins ours, so merging the same bundle again finds
//!   nothing to do and writes nothing;
//! - their journal is kept as received (`journal_import`, its own chain,
//!   verified before anything is written), and the merge is one journal
//!   entry naming that chain's head hash, its entry count and every
//!   resolution.

use crate::i18n::Text;
use crate::project::{now, Project, ProjectError, Result};
use crate::t;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

// ------------------------------------------------------------ assignments

/// One assignment: a pattern (requirement, section or pack id, or a glob
/// with `*`) and the assessor it goes to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assignment {
    pub pattern: String,
    pub assignee: String,
    pub set_by: String,
    pub set_at: String,
}

/// True when `pattern` names the requirement `req` (of section `section`,
/// pack `pack`): equal to one of the three ids (case-insensitive), or a glob
/// (`*` any run of characters) matching the requirement id.
pub fn pattern_matches(pattern: &str, pack: &str, section: &str, req: &str) -> bool {
    let p = pattern.trim();
    if p.contains('*') {
        return glob(&p.to_ascii_uppercase(), &req.to_ascii_uppercase());
    }
    p.eq_ignore_ascii_case(req) || p.eq_ignore_ascii_case(section) || p.eq_ignore_ascii_case(pack)
}

fn glob(p: &str, s: &str) -> bool {
    let parts: Vec<&str> = p.split('*').collect();
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(k) = rest.find(part) {
            rest = &rest[k + part.len()..];
        } else {
            return false;
        }
    }
    rest.is_empty()
}

/// How specific a matching pattern is: requirement > glob > section > pack.
fn specificity(pattern: &str, pack: &str, section: &str, req: &str) -> u32 {
    let p = pattern.trim();
    if p.eq_ignore_ascii_case(req) {
        4000
    } else if p.contains('*') {
        1000 + p.len() as u32
    } else if p.eq_ignore_ascii_case(section) {
        500
    } else if p.eq_ignore_ascii_case(pack) {
        100
    } else {
        0
    }
}

pub fn assignments(project: &Project) -> Result<Vec<Assignment>> {
    let mut st = project
        .conn()
        .prepare("SELECT pattern, assignee, set_by, set_at FROM assignment ORDER BY pattern")
        .map_err(|e| project.db_err(e))?;
    let rows = st
        .query_map([], |r| {
            Ok(Assignment {
                pattern: r.get(0)?,
                assignee: r.get(1)?,
                set_by: r.get(2)?,
                set_at: r.get(3)?,
            })
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    Ok(rows)
}

/// Each requirement of the project's packs → its assessor (the most
/// specific matching pattern wins).
pub fn assignees(project: &Project) -> Result<BTreeMap<String, String>> {
    let list = assignments(project)?;
    let mut out = BTreeMap::new();
    if list.is_empty() {
        return Ok(out);
    }
    for p in project.packs()? {
        for s in &p.sections {
            for r in &s.requirements {
                let best = list
                    .iter()
                    .filter(|a| pattern_matches(&a.pattern, &p.id, &s.id, &r.id))
                    .max_by_key(|a| specificity(&a.pattern, &p.id, &s.id, &r.id));
                if let Some(a) = best {
                    out.insert(r.id.clone(), a.assignee.clone());
                }
            }
        }
    }
    Ok(out)
}

/// The requirements assigned to `name`.
pub fn assigned_to(project: &Project, name: &str) -> Result<Vec<String>> {
    Ok(assignees(project)?
        .into_iter()
        .filter(|(_, a)| a == name.trim())
        .map(|(r, _)| r)
        .collect())
}

/// Assigns what each pattern names to `assignee` (journalled `assign.set`).
/// A pattern must name at least one requirement of the project.
pub fn assign(
    project: &mut Project,
    by: &str,
    assignee: &str,
    patterns: &[String],
) -> Result<usize> {
    let assignee = assignee.trim().to_string();
    if assignee.is_empty() {
        return Err(ProjectError::invalid(t!(
            "评估人姓名不能为空",
            "the assessor's name must not be empty"
        )));
    }
    let n = check_patterns(project, patterns)?;
    let at = now();
    let pats: Vec<String> = patterns.iter().map(|p| p.trim().to_string()).collect();
    project.change(
        by,
        "assign.set",
        serde_json::json!({"assignee": assignee, "patterns": pats, "requirements": n}),
        |tx| {
            for p in &pats {
                tx.execute(
                    "INSERT INTO assignment (pattern, assignee, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(pattern) DO UPDATE SET assignee = excluded.assignee, set_by = excluded.set_by, set_at = excluded.set_at",
                    params![p, assignee, by, at],
                )?;
            }
            Ok(())
        },
    )?;
    Ok(n)
}

/// Removes the assignments of these patterns (journalled `assign.clear`).
pub fn clear_assignments(project: &mut Project, by: &str, patterns: &[String]) -> Result<usize> {
    let have: BTreeSet<String> = assignments(project)?
        .into_iter()
        .map(|a| a.pattern)
        .collect();
    let pats: Vec<String> = patterns.iter().map(|p| p.trim().to_string()).collect();
    for p in &pats {
        if !have.contains(p) {
            return Err(ProjectError::invalid(t!(
                "没有模式为 `{p}` 的分配",
                "no assignment with the pattern `{p}`"
            )));
        }
    }
    project.change(
        by,
        "assign.clear",
        serde_json::json!({"patterns": pats}),
        |tx| {
            for p in &pats {
                tx.execute("DELETE FROM assignment WHERE pattern = ?1", params![p])?;
            }
            Ok(())
        },
    )?;
    Ok(pats.len())
}

fn check_patterns(project: &Project, patterns: &[String]) -> Result<usize> {
    if patterns.is_empty() {
        return Err(ProjectError::invalid(t!(
            "至少给出一个要求、章节或检查单编号（或 N134-* 之类的模式）",
            "give at least one requirement, section or pack id (or a pattern such as N134-*)"
        )));
    }
    let mut total = BTreeSet::new();
    for pat in patterns {
        let mut n = 0;
        for p in project.packs()? {
            for s in &p.sections {
                for r in &s.requirements {
                    if pattern_matches(pat, &p.id, &s.id, &r.id) {
                        total.insert(r.id.clone());
                        n += 1;
                    }
                }
            }
        }
        if n == 0 {
            let pat = pat.trim();
            return Err(ProjectError::invalid(t!(
                "`{pat}` 不对应本项目的任何要求、章节或检查单",
                "`{pat}` names no requirement, section or pack of this project"
            )));
        }
    }
    Ok(total.len())
}

/// Progress of one assessor.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AssessorProgress {
    pub assessor: String,
    pub assigned: usize,
    /// Judged (a verdict recorded, or not applicable by scope).
    pub done: usize,
}

/// Progress per assessor over the requirements assigned to each; the
/// unassigned requirements under an empty name.
pub fn progress(project: &Project) -> Result<Vec<AssessorProgress>> {
    let who = assignees(project)?;
    if who.is_empty() {
        return Ok(Vec::new());
    }
    let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in super::statuses(project)? {
        let a = who.get(&s.requirement).cloned().unwrap_or_default();
        let e = m.entry(a).or_default();
        e.0 += 1;
        if s.verdict != super::Verdict::Unassessed {
            e.1 += 1;
        }
    }
    Ok(m.into_iter()
        .map(|(assessor, (assigned, done))| AssessorProgress {
            assessor,
            assigned,
            done,
        })
        .collect())
}

// ------------------------------------------------------------------ merge

/// Which side wins a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Take {
    Ours,
    Theirs,
}

impl Take {
    pub fn parse(s: &str) -> Option<Take> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ours" | "我方" | "本方" => Some(Take::Ours),
            "theirs" | "对方" => Some(Take::Theirs),
            _ => None,
        }
    }
}

/// How to resolve conflicts.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// For every conflict not named in `per_item`.
    pub take: Option<Take>,
    /// Per requirement id or scope question id.
    pub per_item: BTreeMap<String, Take>,
    pub dry_run: bool,
}

/// One side of a conflict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Side {
    /// The verdict code, or the scope answer (JSON).
    pub value: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// A conflict: both sides changed the same item since they parted.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Conflict {
    /// `verdict` or `scope`.
    pub kind: String,
    /// The requirement or question id.
    pub item: String,
    pub ours: Side,
    pub theirs: Side,
    /// How it is resolved (none: not yet; the merge is refused).
    pub resolution: Option<Take>,
}

/// What a merge does (or, with `dry_run`, would do).
#[derive(Debug, Clone, Serialize, Default)]
pub struct MergeReport {
    pub dry_run: bool,
    /// Nothing to do: the bundle was merged before (or holds nothing new).
    pub unchanged: bool,
    pub verdicts_taken: Vec<String>,
    pub scope_taken: Vec<String>,
    pub conflicts: Vec<Conflict>,
    pub findings_added: Vec<String>,
    pub findings_updated: Vec<String>,
    pub events_added: usize,
    pub assignments_taken: Vec<String>,
    pub info_taken: Vec<String>,
    pub evidence: crate::evidence::MergeEvidence,
    pub journal_head: Option<String>,
    pub journal_entries: usize,
    pub journal_already_imported: bool,
}

type VRow = (String, String, String, String); // value, note, by, at

fn verdict_rows(c: &Connection) -> rusqlite::Result<BTreeMap<String, VRow>> {
    let mut st = c.prepare("SELECT requirement, verdict, note, assessor, at FROM verdict")?;
    let rows = st.query_map([], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    })?;
    rows.collect()
}

fn scope_rows(c: &Connection) -> rusqlite::Result<BTreeMap<String, VRow>> {
    let mut st =
        c.prepare("SELECT question, value, basis, answered_by, answered_at FROM scope_answer")?;
    let rows = st.query_map([], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    })?;
    rows.collect()
}

fn history(c: &Connection, sql: &str) -> rusqlite::Result<BTreeSet<(String, VRow)>> {
    let mut st = c.prepare(sql)?;
    let rows = st.query_map([], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    })?;
    rows.collect()
}

/// The three-way decision for one item.
enum Decide {
    Keep,
    Take,
    Conflict,
}

fn decide(
    item: &str,
    ours: Option<&VRow>,
    theirs: &VRow,
    our_hist: &BTreeSet<(String, VRow)>,
    their_hist: &BTreeSet<(String, VRow)>,
    same: impl Fn(&VRow, &VRow) -> bool,
) -> Decide {
    let seen =
        |h: &BTreeSet<(String, VRow)>, v: &VRow| h.iter().any(|(i, x)| i == item && same(x, v));
    match ours {
        Some(o) if same(o, theirs) => Decide::Keep,
        _ if seen(our_hist, theirs) => Decide::Keep,
        None => Decide::Take,
        Some(o) if seen(their_hist, o) => Decide::Take,
        Some(_) => Decide::Conflict,
    }
}

fn side(v: &VRow) -> Side {
    Side {
        value: v.0.clone(),
        note: v.1.clone(),
        by: v.2.clone(),
        at: v.3.clone(),
    }
}

fn theirs_err(path: &Path) -> impl Fn(rusqlite::Error) -> ProjectError + '_ {
    move |e| ProjectError::Db {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Merges the project copy in `their_dir` (a decrypted bundle: `project.db`
/// and optionally `vault/`) into `project`. `source` names the bundle in
/// messages and the journal.
pub fn merge_copy(
    project: &mut Project,
    by: &str,
    their_dir: &Path,
    source: &str,
    opts: &MergeOptions,
) -> Result<MergeReport> {
    let their_db = their_dir.join("project.db");
    let te = theirs_err(&their_db);
    let theirs = Connection::open_with_flags(&their_db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(&te)?;
    let version: i64 = theirs
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(&te)?;
    if version != crate::project::SCHEMA_VERSION {
        let cur = crate::project::SCHEMA_VERSION;
        return Err(ProjectError::invalid(t!(
            "{source}：数据包的数据库版本为 {version}，本程序为 {cur}；请双方使用同一版本的 iovaudit",
            "{source}: the bundle's database is schema {version}, this program's is {cur}; use the same iovaudit version on both sides"
        )));
    }
    let conn = project.conn();
    let oe = |e| project.db_err(e);
    let our_uuid: Option<String> = conn
        .query_row("SELECT uuid FROM project", [], |r| r.get(0))
        .map_err(oe)?;
    let their_uuid: Option<String> = theirs
        .query_row("SELECT uuid FROM project", [], |r| r.get(0))
        .map_err(&te)?;
    if our_uuid != their_uuid {
        let (a, b) = (our_uuid.unwrap_or_default(), their_uuid.unwrap_or_default());
        return Err(ProjectError::invalid(t!(
            "{source} 来自另一个项目（{b}），不能合并到本项目（{a}）",
            "{source} comes from another project ({b}) and cannot be merged into this one ({a})"
        )));
    }
    // Their journal must verify on its own.
    let (breaks, n, head) = crate::journal::verify(&theirs).map_err(&te)?;
    if !breaks.is_empty() {
        let b = &breaks[0];
        let (seq, action) = (b.seq, b.action.clone());
        return Err(ProjectError::invalid(t!(
            "{source}：对方的操作日志校验失败（第 {seq} 条 {action}），拒绝合并",
            "{source}: the other copy's journal does not verify (entry {seq}, {action}); merge refused"
        )));
    }
    let head = head.unwrap_or_default();
    let already: bool = conn
        .query_row(
            "SELECT 1 FROM journal_chain WHERE head_hash = ?1",
            params![head],
            |_| Ok(()),
        )
        .optional()
        .map_err(oe)?
        .is_some();
    let mut rep = MergeReport {
        dry_run: opts.dry_run,
        journal_head: Some(head.clone()),
        journal_entries: n,
        journal_already_imported: already,
        ..Default::default()
    };

    // Verdicts.
    let ours_v = verdict_rows(conn).map_err(oe)?;
    let theirs_v = verdict_rows(&theirs).map_err(&te)?;
    let vh = "SELECT requirement, verdict, note, assessor, at FROM verdict_history";
    let our_vh = history(conn, vh).map_err(oe)?;
    let their_vh = history(&theirs, vh).map_err(&te)?;
    let same = |a: &VRow, b: &VRow| a == b;
    let inferred = |c: &Connection| -> rusqlite::Result<BTreeSet<String>> {
        let mut st = c.prepare("SELECT requirement FROM verdict WHERE confirmed = 0")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect()
    };
    let our_inf = inferred(conn).map_err(oe)?;
    let their_inf = inferred(&theirs).map_err(&te)?;
    let mut take_v: Vec<String> = Vec::new();
    for (req, tv) in &theirs_v {
        match decide(req, ours_v.get(req), tv, &our_vh, &their_vh, same) {
            Decide::Keep => {}
            Decide::Take => take_v.push(req.clone()),
            // An unconfirmed inference never stands against a person's
            // verdict; two inferences: the later one.
            Decide::Conflict if our_inf.contains(req) || their_inf.contains(req) => {
                let (oi, ti) = (our_inf.contains(req), their_inf.contains(req));
                if oi && (!ti || tv.3 > ours_v[req].3) {
                    take_v.push(req.clone());
                }
            }
            Decide::Conflict => {
                let resolution = opts.per_item.get(req).copied().or(opts.take);
                if resolution == Some(Take::Theirs) {
                    take_v.push(req.clone());
                }
                rep.conflicts.push(Conflict {
                    kind: "verdict".into(),
                    item: req.clone(),
                    ours: side(&ours_v[req]),
                    theirs: side(tv),
                    resolution,
                });
            }
        }
    }
    rep.verdicts_taken = take_v
        .iter()
        .filter(|r| !rep.conflicts.iter().any(|c| &c.item == *r))
        .cloned()
        .collect();

    // Scope answers (value and basis compared; the time and person identify the version).
    let ours_s = scope_rows(conn).map_err(oe)?;
    let theirs_s = scope_rows(&theirs).map_err(&te)?;
    let sh = "SELECT question, value, '', answered_by, answered_at FROM scope_history";
    let our_sh = history(conn, sh).map_err(oe)?;
    let their_sh = history(&theirs, sh).map_err(&te)?;
    let same_s = |a: &VRow, b: &VRow| a.0 == b.0 && a.2 == b.2 && a.3 == b.3;
    let same_value = |a: &VRow, b: &VRow| a.0 == b.0;
    let mut take_s: Vec<String> = Vec::new();
    for (q, tv) in &theirs_s {
        if ours_s.get(q).is_some_and(|o| same_value(o, tv)) {
            continue;
        }
        match decide(q, ours_s.get(q), tv, &our_sh, &their_sh, same_s) {
            Decide::Keep => {}
            Decide::Take => {
                take_s.push(q.clone());
                rep.scope_taken.push(q.clone());
            }
            Decide::Conflict => {
                let resolution = opts.per_item.get(q).copied().or(opts.take);
                if resolution == Some(Take::Theirs) {
                    take_s.push(q.clone());
                }
                rep.conflicts.push(Conflict {
                    kind: "scope".into(),
                    item: q.clone(),
                    ours: side(&ours_s[q]),
                    theirs: side(tv),
                    resolution,
                });
            }
        }
    }

    // Findings by uuid.
    let fcols = "uuid, requirement, title, severity, owner, due, status, note, created_by, created_at, updated_at, description, threat, impact, likelihood, recommendation, time_limit";
    let read_f =
        |c: &Connection| -> rusqlite::Result<BTreeMap<String, Vec<rusqlite::types::Value>>> {
            let mut st = c.prepare(&format!(
                "SELECT {fcols} FROM finding WHERE uuid IS NOT NULL"
            ))?;
            let n = st.column_count();
            let rows = st.query_map([], |r| {
                let vals: Vec<rusqlite::types::Value> =
                    (0..n).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
                let key = match &vals[0] {
                    rusqlite::types::Value::Text(s) => s.clone(),
                    _ => String::new(),
                };
                Ok((key, vals))
            })?;
            rows.collect()
        };
    let ours_f = read_f(conn).map_err(oe)?;
    let theirs_f = read_f(&theirs).map_err(&te)?;
    let text_at = |v: &[rusqlite::types::Value], i: usize| match &v[i] {
        rusqlite::types::Value::Text(s) => s.clone(),
        _ => String::new(),
    };
    let mut f_insert = Vec::new();
    let mut f_update = Vec::new();
    for (u, tv) in &theirs_f {
        match ours_f.get(u) {
            None => f_insert.push(tv.clone()),
            Some(ov) if ov != tv && text_at(tv, 10) > text_at(ov, 10) => f_update.push(tv.clone()),
            _ => {}
        }
    }
    rep.findings_added = f_insert.iter().map(|v| text_at(v, 0)).collect();
    rep.findings_updated = f_update.iter().map(|v| text_at(v, 0)).collect();

    // Calendar events by uuid.
    let ecols = "uuid, kind, date, note, recorded_by, recorded_at";
    let read_e =
        |c: &Connection| -> rusqlite::Result<BTreeMap<String, Vec<rusqlite::types::Value>>> {
            let mut st = c.prepare(&format!(
                "SELECT {ecols} FROM calendar_event WHERE uuid IS NOT NULL"
            ))?;
            let rows = st.query_map([], |r| {
                let vals: Vec<rusqlite::types::Value> =
                    (0..6).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
                let key = match &vals[0] {
                    rusqlite::types::Value::Text(s) => s.clone(),
                    _ => String::new(),
                };
                Ok((key, vals))
            })?;
            rows.collect()
        };
    let ours_e = read_e(conn).map_err(oe)?;
    let e_insert: Vec<_> = read_e(&theirs)
        .map_err(&te)?
        .into_iter()
        .filter(|(u, _)| !ours_e.contains_key(u))
        .map(|(_, v)| v)
        .collect();
    rep.events_added = e_insert.len();

    // Assignments and project information: missing or later.
    let kv = |c: &Connection,
              sql: &str|
     -> rusqlite::Result<BTreeMap<String, (String, String, String)>> {
        let mut st = c.prepare(sql)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?;
        rows.collect()
    };
    let aq = "SELECT pattern, assignee, set_by, set_at FROM assignment";
    let ours_a = kv(conn, aq).map_err(oe)?;
    let take_a: Vec<(String, (String, String, String))> = kv(&theirs, aq)
        .map_err(&te)?
        .into_iter()
        .filter(|(k, v)| ours_a.get(k).is_none_or(|o| o.0 != v.0 && v.2 > o.2))
        .collect();
    rep.assignments_taken = take_a.iter().map(|(k, _)| k.clone()).collect();
    let iq = "SELECT key, value, set_by, set_at FROM project_info";
    let ours_i = kv(conn, iq).map_err(oe)?;
    let take_i: Vec<(String, (String, String, String))> = kv(&theirs, iq)
        .map_err(&te)?
        .into_iter()
        .filter(|(k, v)| ours_i.get(k).is_none_or(|o| o.0 != v.0 && v.2 > o.2))
        .collect();
    rep.info_taken = take_i.iter().map(|(k, _)| k.clone()).collect();

    // Evidence.
    let ev_plan = crate::evidence::merge_evidence_plan(
        project,
        &theirs,
        &their_db,
        &their_dir.join("vault"),
    )?;
    rep.evidence = ev_plan.summary();

    let their_hist_new = their_vh.iter().any(|h| !our_vh.contains(h))
        || their_sh.iter().any(|h| !our_sh.contains(h));
    rep.unchanged = already
        && rep.verdicts_taken.is_empty()
        && rep.conflicts.is_empty()
        && rep.scope_taken.is_empty()
        && f_insert.is_empty()
        && f_update.is_empty()
        && e_insert.is_empty()
        && take_a.is_empty()
        && take_i.is_empty()
        && rep.evidence.is_empty()
        && !their_hist_new;
    if opts.dry_run || rep.unchanged {
        return Ok(rep);
    }
    let open: Vec<&Conflict> = rep
        .conflicts
        .iter()
        .filter(|c| c.resolution.is_none())
        .collect();
    if !open.is_empty() {
        let ids = open
            .iter()
            .map(|c| c.item.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let n = open.len();
        return Err(ProjectError::invalid(t!(
            "有 {n} 处冲突未解决（{ids}）：用 --take ours|theirs 或 --take-req 编号=ours|theirs 指定；--dry-run 可先查看",
            "{n} conflict(s) unresolved ({ids}): choose with --take ours|theirs or --take-req ID=ours|theirs; see them first with --dry-run"
        )));
    }
    // Refused before any file is stored (Project::change would refuse too).
    if project.meta()?.state == crate::project::State::Approved {
        return Err(ProjectError::Approved);
    }
    // Files first (a row is inserted only once its file is in the vault).
    let files = crate::evidence::merge_evidence_files(project, &ev_plan)?;
    let resolutions: Vec<serde_json::Value> = rep
        .conflicts
        .iter()
        .map(|c| serde_json::json!({"kind": c.kind, "item": c.item, "take": c.resolution, "ours": c.ours, "theirs": c.theirs}))
        .collect();
    let detail = serde_json::json!({
        "source": source,
        "chain_head": head,
        "chain_entries": n,
        "resolutions": resolutions,
        "verdicts_taken": rep.verdicts_taken,
        "scope_taken": rep.scope_taken,
        "findings_added": rep.findings_added.len(),
        "findings_updated": rep.findings_updated.len(),
        "evidence": rep.evidence,
        "files_stored": files,
    });
    let at = now();
    let by_s = by.to_string();
    project.change(by, "bundle.merge", detail, |tx| {
        let get_v = |req: &str| -> rusqlite::Result<Vec<rusqlite::types::Value>> {
            theirs.query_row(
                "SELECT requirement, verdict, note, assessor, at, inferred_from, confirmed, rejudge, observation FROM verdict WHERE requirement = ?1",
                params![req],
                |r| (0..9).map(|i| r.get(i)).collect(),
            )
        };
        for req in &take_v {
            let v = get_v(req)?;
            tx.execute(
                "INSERT OR REPLACE INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed, rejudge, observation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params_from_iter(v),
            )?;
        }
        for q in &take_s {
            let v: Vec<rusqlite::types::Value> = theirs.query_row(
                "SELECT question, value, answered_by, answered_at, basis FROM scope_answer WHERE question = ?1",
                params![q],
                |r| (0..5).map(|i| r.get(i)).collect(),
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO scope_answer (question, value, answered_by, answered_at, basis) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params_from_iter(v),
            )?;
        }
        for (req, v) in &their_vh {
            tx.execute("INSERT OR IGNORE INTO verdict_history VALUES (?1, ?2, ?3, ?4, ?5)", params![req, v.0, v.1, v.2, v.3])?;
        }
        for (q, v) in &their_sh {
            tx.execute("INSERT OR IGNORE INTO scope_history VALUES (?1, ?2, ?3, ?4)", params![q, v.0, v.2, v.3])?;
        }
        for v in &f_insert {
            tx.execute(
                &format!("INSERT INTO finding ({fcols}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"),
                rusqlite::params_from_iter(v.iter()),
            )?;
        }
        for v in &f_update {
            tx.execute(
                "UPDATE finding SET requirement = ?2, title = ?3, severity = ?4, owner = ?5, due = ?6, status = ?7, note = ?8, created_by = ?9, created_at = ?10,
                 updated_at = ?11, description = ?12, threat = ?13, impact = ?14, likelihood = ?15, recommendation = ?16, time_limit = ?17 WHERE uuid = ?1",
                rusqlite::params_from_iter(v.iter()),
            )?;
        }
        for v in &e_insert {
            tx.execute(&format!("INSERT INTO calendar_event ({ecols}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"), rusqlite::params_from_iter(v.iter()))?;
        }
        for (k, (a, b, c)) in &take_a {
            tx.execute("INSERT OR REPLACE INTO assignment (pattern, assignee, set_by, set_at) VALUES (?1, ?2, ?3, ?4)", params![k, a, b, c])?;
        }
        for (k, (a, b, c)) in &take_i {
            tx.execute("INSERT OR REPLACE INTO project_info (key, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4)", params![k, a, b, c])?;
        }
        crate::evidence::merge_evidence_rows(tx, &ev_plan)?;
        if !already {
            crate::journal::import_chain(tx, &theirs, their_uuid_or(&theirs), &at, &by_s)?;
        }
        Ok(())
    })?;
    Ok(rep)
}

fn their_uuid_or(c: &Connection) -> String {
    c.query_row("SELECT COALESCE(uuid, '') FROM project", [], |r| r.get(0))
        .unwrap_or_default()
}

/// The previous cycle's verdicts (after `project clone`), by requirement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Previous {
    pub verdict: super::Verdict,
    pub note: String,
    pub assessor: String,
    pub at: String,
}

pub fn previous_verdicts(project: &Project) -> Result<BTreeMap<String, Previous>> {
    let mut st = project
        .conn()
        .prepare("SELECT requirement, verdict, note, assessor, at FROM previous_verdict")
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, Previous)> = st
        .query_map([], |r| {
            let v: String = r.get(1)?;
            Ok((
                r.get(0)?,
                Previous {
                    verdict: super::Verdict::parse(&v).unwrap_or(super::Verdict::Unassessed),
                    note: r.get(2)?,
                    assessor: r.get(3)?,
                    at: r.get(4)?,
                },
            ))
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    Ok(rows.into_iter().collect())
}

/// A conflict's two sides, worded for a person.
pub fn describe(c: &Conflict) -> Text {
    let (o, th) = (&c.ours, &c.theirs);
    let item = &c.item;
    Text::new(
        format!(
            "{item}：本方 {}（{}，{}）「{}」 ↔ 对方 {}（{}，{}）「{}」",
            o.value, o.by, o.at, o.note, th.value, th.by, th.at, th.note
        ),
        format!(
            "{item}: ours {} ({}, {}) \"{}\" ↔ theirs {} ({}, {}) \"{}\"",
            o.value, o.by, o.at, o.note, th.value, th.by, th.at, th.note
        ),
    )
}
