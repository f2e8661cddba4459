//! A filled self-check form → verdicts, notes and evidence links of a
//! project. [`plan_answers`] reads and checks everything and changes nothing;
//! [`apply_answers`] applies a plan in one transaction (one journal entry).

use super::sheet::{find_header, Fields, Header, Sheet, Val, Workbook};
use super::text::{collapse, fold_width, lines, norm_token, one_line};
use super::{ColumnSpec, Location, Problem, Severity};
use crate::assess::{self, Applicability, Recorded, Verdict};
use crate::i18n::Text;
use crate::pack::Relation;
use crate::project::{now, Project, ProjectError, State};
use crate::t;
use rusqlite::params;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AF {
    Id,
    Verdict,
    Note,
    Evidence,
    Sha256,
    VerdictCode,
    Observation,
}

static FIELDS: Fields<AF> = Fields {
    defs: &[
        (
            AF::Id,
            &[
                "要求编号",
                "要求标识",
                "requirement_id",
                "requirement id",
                "req id",
                "requirement no",
                "id",
                "编号",
            ],
        ),
        (AF::VerdictCode, &["verdict_code"]),
        (
            AF::Verdict,
            &[
                "结论",
                "评估结论",
                "检查结论",
                "判定",
                "判定结果",
                "检查结果",
                "评估结果",
                "符合情况",
                "符合性",
                "自查结论",
                "自查结果",
                "自评结论",
                "verdict",
                "result",
                "conclusion",
            ],
        ),
        (
            AF::Note,
            &[
                "说明",
                "理由",
                "判定理由",
                "情况说明",
                "自查情况说明",
                "备注",
                "justification",
                "note",
                "notes",
                "remarks",
                "comment",
                "comments",
                "explanation",
            ],
        ),
        (
            AF::Evidence,
            &[
                "证明材料",
                "证据",
                "材料",
                "佐证材料",
                "证据材料",
                "证据编号",
                "evidence",
                "evidence ref",
                "documents",
            ],
        ),
        (
            AF::Sha256,
            &["sha-256", "sha256", "哈希", "哈希值", "文件哈希", "hash"],
        ),
        (
            AF::Observation,
            &[
                "现状描述",
                "现状",
                "现场情况",
                "observation",
                "observations",
                "current state",
            ],
        ),
    ],
    names: &[
        ("id", AF::Id),
        ("verdict", AF::Verdict),
        ("note", AF::Note),
        ("evidence", AF::Evidence),
        ("sha256", AF::Sha256),
        ("observation", AF::Observation),
    ],
};

/// How to read the form.
#[derive(Debug, Clone, Default)]
pub struct AnswerOptions {
    /// Sheets to read; default: every sheet with a requirement-id and a verdict column.
    pub sheets: Vec<String>,
    /// Columns named by the user (`verdict=D`, `id=要求编号`).
    pub columns: Vec<ColumnSpec>,
    /// Replace verdicts a person already recorded (otherwise they are conflicts).
    pub overwrite: bool,
}

/// One row that will change the project.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRow {
    pub at: Location,
    pub requirement: String,
    pub verdict: Verdict,
    pub note: String,
    /// 现状描述 from the form's observation column (None: the form has none,
    /// and the recorded observation is kept).
    pub observation: Option<String>,
    /// False when only evidence links are added (the verdict and note are already recorded).
    pub set_verdict: bool,
    /// Evidence ids to link (not linked yet).
    pub link: Vec<i64>,
    /// What was recorded before, if anything.
    pub previous: Option<Recorded>,
    /// True when this replaces a person's verdict (only with `overwrite`).
    pub overwrites: bool,
}

/// A row whose verdict differs from one a person already recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub at: Location,
    pub requirement: String,
    pub recorded: Recorded,
    pub verdict: Verdict,
    pub note: String,
}

/// A verdict proposed for a mapped requirement, as `assess set` would.
#[derive(Debug, Clone, Serialize)]
pub struct ProposedInference {
    pub requirement: String,
    pub verdict: Verdict,
    pub from: String,
    pub relation: Relation,
}

/// Everything an import would do, and every problem found. Nothing is changed until [`apply_answers`].
#[derive(Debug, Clone, Serialize)]
pub struct AnswerPlan {
    pub file: String,
    pub sha256: String,
    pub overwrite: bool,
    /// Sheets read as forms.
    pub sheets: Vec<String>,
    /// Sheets not read, and why.
    pub sheets_skipped: Vec<(String, Text)>,
    /// Rows to apply.
    pub rows: Vec<PlannedRow>,
    /// Rows that match what is recorded.
    pub unchanged: Vec<(Location, String)>,
    /// Rows that differ from a person's recorded verdict (applied only with `overwrite`).
    pub conflicts: Vec<Conflict>,
    /// Verdicts proposed for mapped requirements (marked inferred).
    pub proposals: Vec<ProposedInference>,
    /// Rows with a requirement id but an empty verdict (skipped).
    pub empty: usize,
    pub problems: Vec<Problem>,
}

impl AnswerPlan {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    /// Conflicts left unresolved (not overwritten).
    pub fn open_conflicts(&self) -> usize {
        if self.overwrite {
            0
        } else {
            self.conflicts.len()
        }
    }
}

/// What [`apply_answers`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub verdicts: usize,
    pub links: usize,
    pub proposals: usize,
    pub journal_action: String,
}

fn parse_verdict(s: &str) -> Option<Verdict> {
    let s = fold_width(s);
    let s = collapse(&s);
    if let Some(v) = Verdict::parse(&s) {
        return Some(v);
    }
    let l = s.to_lowercase();
    let dashed = l.replace([' ', '_'], "-");
    if let Some(v) = Verdict::parse(&dashed) {
        return Some(v);
    }
    let v = match dashed.as_str() {
        "conformant" | "compliant" | "conforming" | "ok" => Verdict::Conform,
        "partially-conformant" | "partial-compliance" | "partially-compliant" | "partly" => {
            Verdict::Partial
        }
        "not-conformant" | "non-conformant" | "nonconformant" | "not-compliant" | "failed" => {
            Verdict::Nonconform
        }
        "not-applicable" | "n.a." | "n-a" | "inapplicable" => Verdict::Na,
        "not-assessed" | "not-evaluated" => Verdict::Unassessed,
        _ => {
            // `符合 Conform`, `不符合（见说明）`: the first word.
            let first: String = s
                .split(|c: char| c.is_whitespace() || "（(／/，,".contains(c))
                .next()
                .unwrap_or("")
                .to_string();
            if first != s && !first.is_empty() {
                return parse_verdict(&first);
            }
            return None;
        }
    };
    Some(v)
}

/// An evidence reference in a cell line.
#[derive(Debug, Clone, PartialEq)]
enum Ref {
    Id(i64),
    Sha(String),
}

fn refs_in(line: &str) -> Vec<Ref> {
    let folded = fold_width(line);
    let mut out = Vec::new();
    for tok in folded.split(|c: char| c.is_whitespace() || "，,；;、()（）[]【】:：".contains(c))
    {
        let tok = tok.trim_matches(|c: char| c == '.' || c == '。');
        if tok.len() == 64 && tok.chars().all(|c| c.is_ascii_hexdigit()) {
            out.push(Ref::Sha(tok.to_ascii_lowercase()));
            continue;
        }
        let num = tok
            .strip_prefix('#')
            .or_else(|| tok.strip_prefix("E-"))
            .or_else(|| tok.strip_prefix("e-"))
            .or_else(|| tok.strip_prefix("证据"));
        if let Some(n) = num {
            if !n.is_empty() && n.len() <= 9 && n.chars().all(|c| c.is_ascii_digit()) {
                if let Ok(i) = n.parse::<i64>() {
                    out.push(Ref::Id(i));
                }
            }
        }
    }
    out
}

fn looks_like_requirement_id(s: &str) -> bool {
    let s = norm_token(s);
    let Some((p, rest)) = s.split_once('-') else {
        return false;
    };
    let mut pc = p.chars();
    matches!(pc.next(), Some('A'..='Z'))
        && pc.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// The column whose values are most often ids of requirements in `known`.
fn id_column_by_values(sheet: &Sheet, from: u32, known: &BTreeSet<String>) -> Option<(u32, usize)> {
    let mut best: Option<(u32, usize)> = None;
    for c in 0..sheet.width() {
        let mut hits = 0;
        for r in from..sheet.height() {
            if let Val::Text(s) = sheet.get(r, c) {
                let id = norm_token(s).to_ascii_uppercase();
                if looks_like_requirement_id(&id) && known.contains(&id) {
                    hits += 1;
                }
            }
        }
        if hits > 0 && best.is_none_or(|(_, b)| hits > b) {
            best = Some((c, hits));
        }
    }
    best
}

/// Reads the form in `wb` against `project` and says what an import would do.
/// Changes nothing. A file-level failure (no such sheet, no form in the
/// workbook) is an `Err`; problems with rows are in [`AnswerPlan::problems`]
/// and those rows are not planned.
pub fn plan_answers(
    project: &Project,
    wb: &mut Workbook,
    opts: &AnswerOptions,
) -> Result<AnswerPlan, Problem> {
    let file = wb.file.clone();
    let dberr = |e: ProjectError| {
        let (zh, en) = (e.zh(), e.to_string());
        Problem::error(Location::file(&file), Text::new(zh, en))
    };
    let lib = project.library();
    let packs = project.packs().map_err(dberr)?;
    // Requirement ids in the project, upper case → canonical.
    let mut in_project: HashMap<String, String> = HashMap::new();
    for p in &packs {
        for r in p.requirements() {
            in_project.insert(r.id.to_ascii_uppercase(), r.id.clone());
        }
    }
    let known: BTreeSet<String> = lib
        .packs
        .iter()
        .flat_map(|p| p.requirements().map(|r| r.id.to_ascii_uppercase()))
        .collect();
    let answers = assess::scope(project).map_err(dberr)?;
    let recorded = assess::recorded_verdicts(project).map_err(dberr)?;
    let mut linked: HashMap<String, BTreeSet<i64>> = HashMap::new();
    let mut by_sha: HashMap<String, i64> = HashMap::new();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    {
        let conn = project.conn();
        let q = |sql: &str| -> rusqlite::Result<Vec<(String, i64)>> {
            let mut st = conn.prepare(sql)?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            rows.collect()
        };
        let db = |e: rusqlite::Error| {
            let e = e.to_string();
            Problem::error(
                Location::file(&file),
                t!(
                    "读取项目数据库出错：{e}",
                    "error reading the project database: {e}"
                ),
            )
        };
        for (req, ev) in q("SELECT requirement, evidence_id FROM evidence_link").map_err(db)? {
            linked.entry(req).or_default().insert(ev);
        }
        for (sha, ev) in q("SELECT sha256, evidence_id FROM evidence_revision").map_err(db)? {
            by_sha.entry(sha.to_ascii_lowercase()).or_insert(ev);
        }
        for (_, ev) in q("SELECT '', id FROM evidence").map_err(db)? {
            ids.insert(ev);
        }
    }

    let mut plan = AnswerPlan {
        file: file.clone(),
        sha256: wb.sha256.clone(),
        overwrite: opts.overwrite,
        sheets: Vec::new(),
        sheets_skipped: Vec::new(),
        rows: Vec::new(),
        unchanged: Vec::new(),
        conflicts: Vec::new(),
        proposals: Vec::new(),
        empty: 0,
        problems: Vec::new(),
    };
    if let Ok(meta) = project.meta() {
        if meta.state == State::Approved {
            plan.problems.push(Problem::error(
                Location::file(&file),
                t!(
                    "项目已批准并锁定，不能导入；如需修改请先重新打开（review reopen）",
                    "the project is approved and locked; reopen it (review reopen) before importing"
                ),
            ));
        }
    }

    let names: Vec<String> = if opts.sheets.is_empty() {
        wb.sheet_names.clone()
    } else {
        let mut v = Vec::new();
        for s in &opts.sheets {
            v.push(wb.find_sheet(s).ok_or_else(|| wb.no_sheet(s))?);
        }
        v
    };

    // Requirement → first row that answered it.
    let mut seen: HashMap<String, Location> = HashMap::new();
    let mut bad_reqs: BTreeSet<String> = BTreeSet::new();
    for name in &names {
        let sheet = wb.sheet(name)?;
        let header = match find_header(&sheet, &FIELDS, &opts.columns)? {
            Some(h) => h,
            None => {
                plan.sheets_skipped.push((
                    name.clone(),
                    t!("没有可识别的表头", "no recognisable header"),
                ));
                continue;
            }
        };
        let mut header = header;
        // The requirement-id column: by header, checked against the values.
        let from = header.data_start();
        let by_values = id_column_by_values(&sheet, from, &known);
        let given_id = opts
            .columns
            .iter()
            .any(|c| FIELDS.field_by_name(&c.field) == Some(AF::Id));
        match (header.col(AF::Id), by_values) {
            (Some(c), Some((vc, hits))) if c != vc && !given_id => {
                let own = id_column_by_values_in(&sheet, from, c, &known);
                if hits > own {
                    header.columns.retain(|(_, f)| *f != AF::Id);
                    header.columns.push((vc, AF::Id));
                }
            }
            (None, Some((vc, _))) => header.columns.push((vc, AF::Id)),
            _ => {}
        }
        let (Some(id_col), Some(v_col)) = (header.col(AF::Id), header.col(AF::Verdict)) else {
            let missing = match (header.col(AF::Id), header.col(AF::Verdict)) {
                (None, None) => t!(
                    "没有要求编号列和结论列",
                    "no requirement-id and no verdict column"
                ),
                (None, _) => t!("没有要求编号列", "no requirement-id column"),
                _ => t!("没有结论列", "no verdict column"),
            };
            plan.sheets_skipped.push((name.clone(), missing));
            continue;
        };
        plan.sheets.push(name.clone());
        read_form(
            &sheet,
            &header,
            id_col,
            v_col,
            RowCtx {
                project,
                in_project: &in_project,
                answers: &answers,
                recorded: &recorded,
                linked: &linked,
                by_sha: &by_sha,
                ids: &ids,
                overwrite: opts.overwrite,
            },
            &mut plan,
            &mut seen,
            &mut bad_reqs,
        );
    }
    if plan.sheets.is_empty() {
        let why = plan
            .sheets_skipped
            .iter()
            .map(|(n, w)| format!("{n}（{}）", w.zh))
            .collect::<Vec<_>>()
            .join("；");
        let why_en = plan
            .sheets_skipped
            .iter()
            .map(|(n, w)| format!("{n} ({})", w.en))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Problem::error(
            Location::file(&file),
            Text::new(
                format!("没有找到自查表：需要一列要求编号（如 要求编号 / Requirement ID，值如 N134-17）和一列结论（结论 / Verdict）。各工作表：{why}；可用 --column id=列 --column verdict=列 指定"),
                format!("no self-check form found: a sheet needs a requirement-id column (要求编号 / Requirement ID, values like N134-17) and a verdict column (结论 / Verdict). Sheets: {why_en}; name them with --column id=COLUMN --column verdict=COLUMN"),
            ),
        ));
    }
    // A requirement answered twice with different content: neither row is used.
    if !bad_reqs.is_empty() {
        plan.rows.retain(|r| !bad_reqs.contains(&r.requirement));
        plan.conflicts
            .retain(|r| !bad_reqs.contains(&r.requirement));
        plan.unchanged.retain(|(_, r)| !bad_reqs.contains(r));
    }
    plan.proposals = proposals(project, &plan, &answers, &recorded, &in_project);
    plan.problems
        .sort_by_key(|p| (p.at.sheet.clone(), p.at.row, p.at.col));
    Ok(plan)
}

fn id_column_by_values_in(sheet: &Sheet, from: u32, c: u32, known: &BTreeSet<String>) -> usize {
    (from..sheet.height())
        .filter(|r| match sheet.get(*r, c) {
            Val::Text(s) => known.contains(&norm_token(s).to_ascii_uppercase()),
            _ => false,
        })
        .count()
}

#[derive(Clone, Copy)]
struct RowCtx<'a> {
    project: &'a Project,
    in_project: &'a HashMap<String, String>,
    answers: &'a assess::Answers,
    recorded: &'a BTreeMap<String, Recorded>,
    linked: &'a HashMap<String, BTreeSet<i64>>,
    by_sha: &'a HashMap<String, i64>,
    ids: &'a BTreeSet<i64>,
    overwrite: bool,
}

fn cell_text(
    sheet: &Sheet,
    row: u32,
    col: Option<u32>,
    errs: &mut Vec<Problem>,
    what: &Text,
) -> String {
    let Some(c) = col else {
        return String::new();
    };
    match sheet.get(row, c) {
        Val::Error(e) => {
            errs.push(Problem::error(
                sheet.loc(row, c),
                Text::new(
                    format!("公式错误 {e}（{}）", what.zh),
                    format!("formula error {e} ({})", what.en),
                ),
            ));
            String::new()
        }
        v => v.text(),
    }
}

#[allow(clippy::too_many_arguments)]
fn read_form(
    sheet: &Sheet,
    header: &Header<AF>,
    id_col: u32,
    v_col: u32,
    cx: RowCtx<'_>,
    plan: &mut AnswerPlan,
    seen: &mut HashMap<String, Location>,
    bad_reqs: &mut BTreeSet<String>,
) {
    let note_col = header.col(AF::Note);
    let ev_col = header.col(AF::Evidence);
    let sha_col = header.col(AF::Sha256);
    let obs_col = header.col(AF::Observation);
    let lib = cx.project.library();
    for r in header.data_start()..sheet.height() {
        let mut errs: Vec<Problem> = Vec::new();
        let raw_id = match sheet.get(r, id_col) {
            Val::Error(e) => {
                errs.push(Problem::error(
                    sheet.loc(r, id_col),
                    t!(
                        "公式错误 {e}（要求编号）",
                        "formula error {e} (requirement id)"
                    ),
                ));
                String::new()
            }
            v => v.text(),
        };
        let verdict_raw = cell_text(sheet, r, Some(v_col), &mut errs, &t!("结论", "verdict"));
        let note_raw = cell_text(sheet, r, note_col, &mut errs, &t!("说明", "note"));
        let ev_raw = cell_text(sheet, r, ev_col, &mut errs, &t!("证明材料", "evidence"));
        let sha_raw = cell_text(sheet, r, sha_col, &mut errs, &t!("SHA-256", "SHA-256"));
        let observation = obs_col
            .map(|c| {
                lines(&cell_text(
                    sheet,
                    r,
                    Some(c),
                    &mut errs,
                    &t!("现状描述", "observation"),
                ))
                .join("\n")
            })
            // An empty cell keeps what is recorded (a form exported without
            // observations must not erase them).
            .filter(|o| !o.is_empty());
        // A banner or note row (one text merged across the row) answers nothing.
        let cells = sheet.row_cells(r);
        let banner = cells.len() > 1
            && cells.iter().all(|(_, v)| v.text() == cells[0].1.text())
            && sheet.region(r, cells[0].0).is_some();
        if banner {
            continue;
        }
        let id = norm_token(&raw_id).to_ascii_uppercase();
        let note = lines(&note_raw).join("\n");
        let vlines = lines(&verdict_raw);
        let vfirst = vlines.first().cloned().unwrap_or_default();
        let inferred_mark =
            verdict_raw.contains("推断自") || verdict_raw.to_lowercase().contains("inferred from");
        let has_other =
            !note.is_empty() || !collapse(&ev_raw).is_empty() || !collapse(&sha_raw).is_empty();

        if id.is_empty() {
            if !vfirst.is_empty() || !errs.is_empty() {
                if !vfirst.is_empty() {
                    errs.push(Problem::error(
                        sheet.loc(r, id_col),
                        t!(
                            "有结论「{vfirst}」但没有要求编号，未导入",
                            "a verdict ({vfirst}) but no requirement id: not imported"
                        ),
                    ));
                }
                plan.problems.extend(errs);
            }
            continue;
        }
        let Some(rid) = cx.in_project.get(&id).cloned() else {
            let msg = if let Some((p, _, _)) = lib.requirement(&id) {
                let p = p.id.clone();
                t!(
                    "要求 `{id}` 属于检查单 {p}，但该检查单不在本项目中，未导入",
                    "requirement `{id}` is in pack {p}, which is not part of this project: not imported"
                )
            } else {
                t!(
                    "未知的要求编号 `{id}`，未导入",
                    "unknown requirement id `{id}`: not imported"
                )
            };
            if !vfirst.is_empty() || has_other {
                errs.push(Problem::error(sheet.loc(r, id_col), msg));
            } else {
                errs.push(Problem::warning(sheet.loc(r, id_col), msg));
            }
            plan.problems.extend(errs);
            continue;
        };
        let row_at = sheet.loc_row(r);
        // Duplicates.
        if let Some(prev) = seen.get(&rid) {
            let prev_s = prev.render();
            errs.push(Problem::error(
                sheet.loc(r, id_col),
                t!(
                    "要求 {rid} 在 {prev_s} 已出现；同一要求出现两次，两行都未导入",
                    "requirement {rid} already appears at {prev_s}; a requirement answered twice: neither row is imported"
                ),
            ));
            bad_reqs.insert(rid.clone());
            plan.problems.extend(errs);
            continue;
        }
        seen.insert(rid.clone(), row_at.clone());

        if vfirst.is_empty() {
            plan.empty += 1;
            if has_other {
                errs.push(Problem::warning(
                    sheet.loc(r, v_col),
                    t!(
                        "结论为空：本行的说明和证明材料未导入",
                        "the verdict is empty: this row's note and evidence are not imported"
                    ),
                ));
            }
            plan.problems.extend(errs);
            continue;
        }
        let Some(verdict) = parse_verdict(&vfirst) else {
            errs.push(Problem::error(
                sheet.loc(r, v_col),
                t!(
                    "无法识别的结论「{vfirst}」（可填：符合、部分符合、不符合、不适用，或 conform、partial、nonconform、na）",
                    "unknown verdict `{vfirst}` (use 符合, 部分符合, 不符合, 不适用, or conform, partial, nonconform, na)"
                ),
            ));
            plan.problems.extend(errs);
            continue;
        };
        if verdict == Verdict::Unassessed {
            plan.empty += 1;
            plan.problems.extend(errs);
            continue;
        }

        // Applicability from the scope.
        let Ok((pack, _, req)) = assess::find_requirement(cx.project, &rid) else {
            continue;
        };
        let scoped_out = matches!(
            assess::applicability(lib, pack, req, cx.answers),
            Applicability::NotApplicable { .. }
        );
        if scoped_out {
            if verdict == Verdict::Na {
                plan.unchanged.push((row_at, rid));
            } else {
                let v = verdict.label();
                errs.push(Problem::error(
                    sheet.loc(r, v_col),
                    Text::new(
                        format!("要求 {rid} 已按适用范围判为不适用，不能判为「{}」，未导入（如范围有误请修改 scope）", v.zh),
                        format!("{rid} is not applicable because of the scope and cannot be judged '{}': not imported (change the scope if it is wrong)", v.en),
                    ),
                ));
            }
            plan.problems.extend(errs);
            continue;
        }
        let note_broken = note_col.is_some_and(|c| matches!(sheet.get(r, c), Val::Error(_)));
        if verdict.needs_justification() && note.is_empty() && !note_broken {
            let v = verdict.label();
            let at = match note_col {
                Some(c) => sheet.loc(r, c),
                None => sheet.loc(r, v_col),
            };
            errs.push(Problem::error(
                at,
                Text::new(
                    format!("结论「{}」需要写明理由（说明），未导入", v.zh),
                    format!(
                        "a verdict of '{}' needs a justification (note): not imported",
                        v.en
                    ),
                ),
            ));
        }

        // Evidence references.
        let mut link: BTreeSet<i64> = BTreeSet::new();
        for (col, raw) in [(ev_col, &ev_raw), (sha_col, &sha_raw)] {
            let Some(col) = col else { continue };
            for l in lines(raw) {
                let refs = refs_in(&l);
                if refs.is_empty() {
                    let shown: String = one_line(&l).chars().take(40).collect();
                    errs.push(Problem::warning(
                        sheet.loc(r, col),
                        t!(
                            "「{shown}」不是证据编号（#12 / E-012）或 SHA-256，未关联（请先用 evidence add 加入证据库）",
                            "`{shown}` is not an evidence id (#12 / E-012) or a SHA-256; not linked (add the file with evidence add first)"
                        ),
                    ));
                    continue;
                }
                for rf in refs {
                    match rf {
                        Ref::Id(i) if cx.ids.contains(&i) => {
                            link.insert(i);
                        }
                        Ref::Id(i) => errs.push(Problem::error(
                            sheet.loc(r, col),
                            t!(
                                "没有编号为 {i} 的证据，本行未导入",
                                "no evidence {i} in the project: row not imported"
                            ),
                        )),
                        Ref::Sha(h) => match cx.by_sha.get(&h) {
                            Some(i) => {
                                link.insert(*i);
                            }
                            None => {
                                let short = &h[..12];
                                errs.push(Problem::error(
                                    sheet.loc(r, col),
                                    t!(
                                        "证据库中没有 SHA-256 为 {short}… 的文件，本行未导入",
                                        "no evidence with SHA-256 {short}… in the project: row not imported"
                                    ),
                                ))
                            }
                        },
                    }
                }
            }
        }
        let new_links: Vec<i64> = link
            .iter()
            .copied()
            .filter(|i| !cx.linked.get(&rid).is_some_and(|s| s.contains(i)))
            .collect();

        if errs.iter().any(|e| e.severity == Severity::Error) {
            plan.problems.extend(errs);
            bad_reqs.insert(rid);
            continue;
        }
        plan.problems.extend(errs);

        // Against what is recorded.
        let previous = cx.recorded.get(&rid).cloned();
        let person = previous
            .as_ref()
            .is_some_and(|p| p.inferred_from.is_none() || p.confirmed);
        let same = previous.as_ref().is_some_and(|p| {
            p.verdict == verdict
                && lines(&p.note).join("\n") == note
                && observation.as_ref().is_none_or(|o| *o == p.observation)
        });
        let same_inferred = inferred_mark
            && previous
                .as_ref()
                .is_some_and(|p| p.verdict == verdict && p.inferred_from.is_some());
        let set_verdict = !(same || same_inferred);
        if set_verdict && person {
            if let Some(rec) = &previous {
                plan.conflicts.push(Conflict {
                    at: row_at.clone(),
                    requirement: rid.clone(),
                    recorded: rec.clone(),
                    verdict,
                    note: note.clone(),
                });
            }
            if !cx.overwrite {
                continue;
            }
        }
        if !set_verdict && new_links.is_empty() {
            plan.unchanged.push((row_at, rid));
            continue;
        }
        plan.rows.push(PlannedRow {
            at: row_at,
            requirement: rid,
            verdict,
            note,
            observation,
            set_verdict,
            link: new_links,
            previous,
            overwrites: set_verdict && person,
        });
    }
}

fn proposals(
    project: &Project,
    plan: &AnswerPlan,
    answers: &assess::Answers,
    recorded: &BTreeMap<String, Recorded>,
    in_project: &HashMap<String, String>,
) -> Vec<ProposedInference> {
    let lib = project.library();
    let set_here: BTreeSet<&str> = plan
        .rows
        .iter()
        .filter(|r| r.set_verdict)
        .map(|r| r.requirement.as_str())
        .collect();
    let mut out: Vec<ProposedInference> = Vec::new();
    for row in plan.rows.iter().filter(|r| r.set_verdict) {
        let rid = &row.requirement;
        for (_, m) in lib.mappings_of(rid) {
            let (other, rel) = if &m.from == rid {
                (&m.to, m.relation)
            } else {
                (&m.from, m.relation.reversed())
            };
            if !in_project.contains_key(&other.to_ascii_uppercase())
                || set_here.contains(other.as_str())
            {
                continue;
            }
            let Some(v) = assess::implied(rel, row.verdict) else {
                continue;
            };
            if recorded
                .get(other)
                .is_some_and(|r| r.inferred_from.is_none() || r.confirmed)
            {
                continue;
            }
            if let Some((op, _, oreq)) = lib.requirement(other) {
                if matches!(
                    assess::applicability(lib, op, oreq, answers),
                    Applicability::NotApplicable { .. }
                ) {
                    continue;
                }
            }
            if !out.iter().any(|p| &p.requirement == other) {
                out.push(ProposedInference {
                    requirement: other.clone(),
                    verdict: v,
                    from: rid.clone(),
                    relation: rel,
                });
            }
        }
    }
    out
}

/// Applies `plan` to `project` in one transaction with one journal entry
/// (`assess.import_xlsx`): the planned verdicts and notes, the evidence
/// links, and the proposed inferences. All or nothing: a refusal (approved
/// project, no actor) or a database error leaves the project as it was.
/// Rows with problems and unresolved conflicts are not in the plan's rows.
pub fn apply_answers(
    project: &mut Project,
    by: &str,
    plan: &AnswerPlan,
) -> Result<Applied, ProjectError> {
    let at = now();
    let detail = serde_json::json!({
        "file": plan.file,
        "sha256": plan.sha256,
        "rows": plan.rows.iter().map(|r| serde_json::json!({
            "requirement": r.requirement,
            "verdict": if r.set_verdict { Some(r.verdict.as_str()) } else { None },
            "note": if r.set_verdict { Some(&r.note) } else { None },
            "observation": if r.set_verdict { r.observation.as_ref() } else { None },
            "link": r.link,
            "replaced": r.previous.as_ref().filter(|_| r.set_verdict).map(|p| p.verdict.as_str()),
            "at": r.at.render(),
        })).collect::<Vec<_>>(),
        "proposed": plan.proposals,
        "skipped_conflicts": if plan.overwrite { 0 } else { plan.conflicts.len() },
    });
    let mut verdicts = 0;
    let mut links = 0;
    let action = "assess.import_xlsx";
    project.change(by, action, detail, |tx| {
        for r in &plan.rows {
            if r.set_verdict {
                tx.execute(
                    "INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed, observation) VALUES (?1, ?2, ?3, ?4, ?5, NULL, 1, COALESCE(?6, ''))
                     ON CONFLICT(requirement) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, assessor = excluded.assessor,
                     at = excluded.at, inferred_from = NULL, confirmed = 1, observation = COALESCE(?6, verdict.observation)",
                    params![r.requirement, r.verdict.as_str(), r.note, by.trim(), at, r.observation],
                )?;
                verdicts += 1;
            }
            for ev in &r.link {
                links += tx.execute(
                    "INSERT OR IGNORE INTO evidence_link (requirement, evidence_id, linked_by, linked_at) VALUES (?1, ?2, ?3, ?4)",
                    params![r.requirement, ev, by.trim(), at],
                )?;
            }
        }
        for p in &plan.proposals {
            let t = assess::inference_note(&p.from, p.relation, p.verdict);
            let n = format!("{} / {}", t.zh, t.en);
            tx.execute(
                "INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
                 ON CONFLICT(requirement) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, assessor = excluded.assessor,
                 at = excluded.at, inferred_from = excluded.inferred_from, confirmed = 0",
                params![p.requirement, p.verdict.as_str(), n, by.trim(), at, p.from],
            )?;
        }
        Ok(())
    })?;
    Ok(Applied {
        verdicts,
        links,
        proposals: plan.proposals.len(),
        journal_action: action.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_words() {
        assert_eq!(parse_verdict("符合"), Some(Verdict::Conform));
        assert_eq!(
            parse_verdict("Partially conformant"),
            Some(Verdict::Partial)
        );
        assert_eq!(parse_verdict("Not applicable"), Some(Verdict::Na));
        assert_eq!(parse_verdict("NONCONFORM"), Some(Verdict::Nonconform));
        assert_eq!(parse_verdict("不符合（见说明）"), Some(Verdict::Nonconform));
        assert_eq!(parse_verdict("符合 Conform"), Some(Verdict::Conform));
        assert_eq!(parse_verdict("也许"), None);
    }

    #[test]
    fn references() {
        assert_eq!(refs_in("E-001 安全管理制度"), vec![Ref::Id(1)]);
        assert_eq!(refs_in("#12, #3"), vec![Ref::Id(12), Ref::Id(3)]);
        let h = "a".repeat(64);
        assert_eq!(refs_in(&h), vec![Ref::Sha(h.clone())]);
        assert!(refs_in("见《数据安全管理制度》").is_empty());
    }
}
