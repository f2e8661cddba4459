//! Assessment: the project's scope (answers to the packs' scoping
//! questions), applicability, verdicts, inferred verdicts from cross-pack
//! mappings, findings (整改项) and the review workflow.
//!
//! Owns the rules: a justification is required for 部分符合, 不符合 and a
//! manual 不适用; a requirement made not applicable by the scope cannot be
//! judged; an inferred verdict never overwrites a person's verdict; an
//! approved project accepts no change (enforced by [`Project::change`]).

mod findings;
pub mod merge;
pub mod proposals;
mod review;
mod upgrade;
pub use findings::*;
pub use review::*;
pub use upgrade::*;

use crate::i18n::{Lang, Text};
use crate::pack::{Answer, Library, Pack, QuestionKind, Relation, Requirement, Section, Truth};
use crate::project::{now, ChangeError, Project, ProjectError, Result};
use crate::t;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeMap;

/// The five verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 符合
    Conform,
    /// 部分符合
    Partial,
    /// 不符合
    Nonconform,
    /// 不适用
    Na,
    /// 未评估
    Unassessed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conform => "conform",
            Verdict::Partial => "partial",
            Verdict::Nonconform => "nonconform",
            Verdict::Na => "na",
            Verdict::Unassessed => "unassessed",
        }
    }

    /// Accepts the Chinese names, the codes and common English words.
    pub fn parse(s: &str) -> Option<Verdict> {
        let l = s.trim().to_ascii_lowercase();
        Some(match l.as_str() {
            "符合" | "conform" | "conforms" | "compliant" | "pass" | "yes" => Verdict::Conform,
            "部分符合" | "partial" | "partially" | "partially-compliant" => Verdict::Partial,
            "不符合" | "nonconform" | "non-conform" | "noncompliant" | "non-compliant" | "fail"
            | "no" => Verdict::Nonconform,
            "不适用" | "na" | "n/a" | "not-applicable" | "not_applicable" => Verdict::Na,
            "未评估" | "unassessed" | "not-assessed" | "none" => Verdict::Unassessed,
            _ => return None,
        })
    }

    pub fn label(self) -> Text {
        match self {
            Verdict::Conform => Text::new("符合", "conformant"),
            Verdict::Partial => Text::new("部分符合", "partially conformant"),
            Verdict::Nonconform => Text::new("不符合", "not conformant"),
            Verdict::Na => Text::new("不适用", "not applicable"),
            Verdict::Unassessed => Text::new("未评估", "not assessed"),
        }
    }

    pub fn needs_justification(self) -> bool {
        matches!(self, Verdict::Partial | Verdict::Nonconform | Verdict::Na)
    }
}

// ------------------------------------------------------------------ scope

/// The project's answers, by question id.
pub type Answers = BTreeMap<String, Answer>;

pub fn scope(project: &Project) -> Result<Answers> {
    let mut st = project
        .conn()
        .prepare("SELECT question, value FROM scope_answer")
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    Ok(rows
        .into_iter()
        .filter_map(|(q, v)| serde_json::from_str::<Answer>(&v).ok().map(|a| (q, a)))
        .collect())
}

/// Parses `raw` as an answer to question `qid`, or says what is wrong.
pub fn parse_answer(lib: &Library, qid: &str, raw: &str) -> Result<Answer> {
    let Some(q) = lib.question(qid) else {
        let known = lib
            .questions
            .iter()
            .map(|q| q.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ProjectError::invalid(t!(
            "没有适用性问题 `{qid}`（可用：{known}）",
            "no scoping question `{qid}` (questions: {known})"
        )));
    };
    let v = raw.trim();
    let bad = |zh: String, en: String| ProjectError::invalid(Text::new(zh, en));
    match q.kind {
        QuestionKind::Bool => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "是" | "有" => Ok(Answer::Bool(true)),
            "false" | "no" | "n" | "0" | "否" | "无" => Ok(Answer::Bool(false)),
            _ => Err(bad(
                format!("问题 `{qid}` 的回答应为 是/否（yes/no），而不是 `{v}`"),
                format!("`{qid}` takes yes or no, not `{v}`"),
            )),
        },
        QuestionKind::Int => {
            let n: i64 = v.parse().map_err(|_| {
                bad(
                    format!("问题 `{qid}` 的回答应为整数，而不是 `{v}`"),
                    format!("`{qid}` takes an integer, not `{v}`"),
                )
            })?;
            let (lo, hi) = (q.min.unwrap_or(i64::MIN), q.max.unwrap_or(i64::MAX));
            if n < lo || n > hi {
                return Err(bad(
                    format!("问题 `{qid}` 的回答应在 {lo}–{hi} 之间"),
                    format!("`{qid}` must be between {lo} and {hi}"),
                ));
            }
            Ok(Answer::Int(n))
        }
        QuestionKind::Choice | QuestionKind::Multi => {
            let mut picked = Vec::new();
            for part in v
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let Some(o) = q.options.iter().find(|o| o.id.eq_ignore_ascii_case(part)) else {
                    let opts = q
                        .options
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(bad(
                        format!("`{part}` 不是问题 `{qid}` 的选项（可选：{opts}）"),
                        format!("`{part}` is not an option of `{qid}` (options: {opts})"),
                    ));
                };
                if !picked.contains(&o.id) {
                    picked.push(o.id.clone());
                }
            }
            match (q.kind, picked.len()) {
                (_, 0) => Err(bad(
                    format!("问题 `{qid}` 需要至少一个选项"),
                    format!("`{qid}` needs at least one option"),
                )),
                (QuestionKind::Choice, 1) => Ok(Answer::Choice(picked.remove(0))),
                (QuestionKind::Choice, _) => Err(bad(
                    format!("问题 `{qid}` 只能选一项"),
                    format!("`{qid}` takes one option"),
                )),
                _ => Ok(Answer::Multi(picked)),
            }
        }
    }
}

/// One recorded answer with who gave it, when, and on what basis.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScopeRecord {
    pub question: String,
    pub answer: Answer,
    pub answered_by: String,
    pub answered_at: String,
    /// On what evidence or interview the answer rests (may be empty).
    pub basis: String,
}

/// Every recorded answer with who gave it and on what basis, by question id.
pub fn scope_records(project: &Project) -> Result<Vec<ScopeRecord>> {
    let mut st = project
        .conn()
        .prepare("SELECT question, value, answered_by, answered_at, basis FROM scope_answer ORDER BY question")
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, String, String, String, String)> = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    Ok(rows
        .into_iter()
        .filter_map(|(question, v, answered_by, answered_at, basis)| {
            let answer = serde_json::from_str::<Answer>(&v).ok()?;
            Some(ScopeRecord {
                question,
                answer,
                answered_by,
                answered_at,
                basis,
            })
        })
        .collect())
}

/// Records answers (`KEY=VALUE`, already split).
pub fn set_scope(project: &mut Project, by: &str, answers: &[(String, String)]) -> Result<()> {
    set_scope_with(project, by, answers, None)
}

/// Records answers with the basis they rest on (`None` keeps each
/// question's recorded basis; `Some("")` clears it).
pub fn set_scope_with(
    project: &mut Project,
    by: &str,
    answers: &[(String, String)],
    basis: Option<&str>,
) -> Result<()> {
    let mut parsed = Vec::new();
    for (k, v) in answers {
        parsed.push((k.clone(), parse_answer(project.library(), k, v)?));
    }
    let basis = basis.map(|b| b.trim().to_string());
    let mut detail = serde_json::json!(parsed
        .iter()
        .map(|(k, a)| (k.clone(), serde_json::to_value(a).unwrap_or_default()))
        .collect::<serde_json::Map<_, _>>());
    if let Some(b) = &basis {
        detail = serde_json::json!({"answers": detail, "basis": b});
    }
    let at = now();
    project.change(by, "scope.set", detail, |tx| {
        for (k, a) in &parsed {
            let json = serde_json::to_string(a).map_err(|e| ChangeError::Project(ProjectError::invalid(Text::new(e.to_string(), e.to_string()))))?;
            tx.execute(
                "INSERT INTO scope_answer (question, value, answered_by, answered_at, basis) VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ''))
                 ON CONFLICT(question) DO UPDATE SET value = excluded.value, answered_by = excluded.answered_by, answered_at = excluded.answered_at,
                 basis = COALESCE(?5, scope_answer.basis)",
                params![k, json, by, at, basis],
            )?;
        }
        Ok(())
    })
}

/// Whether a requirement applies, given the answers.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Applicability {
    Applicable,
    /// Not applicable because of the scope; `reason` says which answer.
    NotApplicable {
        reason: Text,
    },
    /// Applicable as far as known, but these questions are still open.
    Open {
        questions: Vec<String>,
    },
}

fn answer_text(lib: &Library, qid: &str, a: &Answer, lang: Lang) -> String {
    let q = lib.question(qid);
    let opt = |id: &str| {
        q.and_then(|q| q.options.iter().find(|o| o.id == id))
            .map_or(id.to_string(), |o| o.label.get(lang).to_string())
    };
    match a {
        Answer::Bool(b) => lang
            .pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .to_string(),
        Answer::Int(n) => n.to_string(),
        Answer::Choice(c) => opt(c),
        Answer::Multi(m) => m
            .iter()
            .map(|x| opt(x))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", ")),
    }
}

fn because(lib: &Library, cond_questions: &[&str], answers: &Answers) -> Text {
    let part = |lang: Lang| {
        cond_questions
            .iter()
            .filter_map(|q| {
                let a = answers.get(*q)?;
                let label = lib
                    .question(q)
                    .map_or(q.to_string(), |x| x.label.get(lang).to_string());
                Some(format!(
                    "{label}{}{}",
                    lang.pick("：", ": "),
                    answer_text(lib, q, a, lang)
                ))
            })
            .collect::<Vec<_>>()
            .join(lang.pick("；", "; "))
    };
    Text::new(part(Lang::Zh), part(Lang::En))
}

/// Applicability of `req` (in `pack`) under `answers`.
pub fn applicability(
    lib: &Library,
    pack: &Pack,
    req: &Requirement,
    answers: &Answers,
) -> Applicability {
    let get = |q: &str| answers.get(q).cloned();
    let mut open: Vec<String> = Vec::new();
    if let Some(w) = &pack.applies_when {
        match w.eval(&get) {
            Truth::False => {
                let b = because(lib, &w.questions(), answers);
                let region = pack.region.label();
                return Applicability::NotApplicable {
                    reason: Text::new(
                        format!("不适用：检查单 {}（{}）的适用条件「{}」不满足（{}）", pack.id, region.zh, w.source(), b.zh),
                        format!("not applicable: pack {} ({}) applies when `{}`, which does not hold ({})", pack.id, region.en, w.source(), b.en),
                    ),
                };
            }
            Truth::Unknown => open.extend(w.questions().iter().map(|s| s.to_string())),
            Truth::True => {}
        }
    }
    if !req.applies_to.iter().any(|t| t == "ALL") {
        match answers.get("enterprise_type") {
            Some(Answer::Multi(types)) => {
                if !req.applies_to.iter().any(|t| types.contains(t)) {
                    let b = because(lib, &["enterprise_type"], answers);
                    let to = req.applies_to.join("、");
                    return Applicability::NotApplicable {
                        reason: Text::new(
                            format!("不适用：本要求适用于 {to}（{}）", b.zh),
                            format!(
                                "not applicable: this requirement binds {} ({})",
                                req.applies_to.join(", "),
                                b.en
                            ),
                        ),
                    };
                }
            }
            _ => open.push("enterprise_type".to_string()),
        }
    }
    if let Some(w) = &req.when {
        match w.eval(&get) {
            Truth::False => {
                let b = because(lib, &w.questions(), answers);
                return Applicability::NotApplicable {
                    reason: Text::new(
                        format!("不适用：适用条件「{}」不满足（{}）", w.source(), b.zh),
                        format!(
                            "not applicable: the condition `{}` does not hold ({})",
                            w.source(),
                            b.en
                        ),
                    ),
                };
            }
            Truth::Unknown => {
                for q in w.questions() {
                    if !answers.contains_key(q) && !open.iter().any(|o| o == q) {
                        open.push(q.to_string());
                    }
                }
            }
            Truth::True => {}
        }
    }
    if open.is_empty() {
        Applicability::Applicable
    } else {
        open.dedup();
        Applicability::Open { questions: open }
    }
}

// ------------------------------------------------------------------ verdicts

/// A recorded verdict row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recorded {
    pub verdict: Verdict,
    pub note: String,
    pub assessor: String,
    pub at: String,
    /// Set when the verdict was proposed from a mapped requirement's verdict.
    pub inferred_from: Option<String>,
    /// False while an inferred verdict awaits a person's confirmation, or
    /// while a verdict carried over a pack upgrade waits to be judged again.
    pub confirmed: bool,
    /// Set when a pack upgrade changed or replaced the requirement: why the
    /// verdict must be judged again (cleared by a new verdict or `confirm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejudge: Option<Text>,
    /// 现状描述: what the assessor found, beside the justification (`note`).
    pub observation: String,
    /// Why the verdict rests on no linked evidence (e.g. 现场观察，未留存书面材料).
    /// With `require_evidence`, a 符合/不符合 or veto item needs linked
    /// evidence or this reason before approval. Empty = none recorded.
    pub evidence_reason: String,
}

fn rejudge_of(v: Option<String>) -> Option<Text> {
    v.map(|s| serde_json::from_str::<Text>(&s).unwrap_or_else(|_| Text::new(s.clone(), s)))
}

/// Everything known about one requirement in the project.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub pack: String,
    pub section: String,
    pub requirement: String,
    pub clause: String,
    pub title: Text,
    pub weight: u8,
    pub veto: bool,
    pub obligation: crate::pack::Obligation,
    pub to_confirm: bool,
    pub provenance: crate::pack::Provenance,
    pub applicability: Applicability,
    /// The verdict that counts: 不适用 when the scope rules the requirement out.
    pub verdict: Verdict,
    pub recorded: Option<Recorded>,
    pub evidence: Vec<i64>,
}

pub fn recorded_verdicts(project: &Project) -> Result<BTreeMap<String, Recorded>> {
    let mut st = project
        .conn()
        .prepare("SELECT requirement, verdict, note, assessor, at, inferred_from, confirmed, rejudge, observation FROM verdict")
        .map_err(|e| project.db_err(e))?;
    let reasons = evidence_reasons(project)?;
    let rows = st
        .query_map([], |r| {
            let v: String = r.get(1)?;
            Ok((
                r.get::<_, String>(0)?,
                Recorded {
                    verdict: Verdict::parse(&v).unwrap_or(Verdict::Unassessed),
                    note: r.get(2)?,
                    assessor: r.get(3)?,
                    at: r.get(4)?,
                    inferred_from: r.get(5)?,
                    confirmed: r.get::<_, i64>(6)? != 0,
                    rejudge: rejudge_of(r.get(7)?),
                    observation: r.get(8)?,
                    evidence_reason: String::new(),
                },
            ))
        })
        .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| project.db_err(e))?;
    Ok(rows
        .into_iter()
        .map(|(k, mut r)| {
            if let Some(why) = reasons.get(&k) {
                r.evidence_reason = why.clone();
            }
            (k, r)
        })
        .collect())
}

/// The key of `project_info` holding the evidence reasons (requirement →
/// why its verdict rests on no linked evidence). Kept there, as JSON, until
/// the verdict table has a column for it; owned by this module.
pub const EVIDENCE_REASONS_KEY: &str = "evidence_reasons";

/// Recorded reasons for verdicts without linked evidence, by requirement.
pub fn evidence_reasons(project: &Project) -> Result<BTreeMap<String, String>> {
    let v: Option<String> = project
        .conn()
        .query_row(
            "SELECT value FROM project_info WHERE key = ?1",
            params![EVIDENCE_REASONS_KEY],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| project.db_err(e))?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// How many evidence links each requirement id has (including ids no
/// longer in the project's packs).
pub(crate) fn link_counts(project: &Project) -> Result<BTreeMap<String, usize>> {
    Ok(links(project)?
        .into_iter()
        .map(|(k, v)| (k, v.len()))
        .collect())
}

fn links(project: &Project) -> Result<BTreeMap<String, Vec<i64>>> {
    let mut st = project
        .conn()
        .prepare(
            "SELECT requirement, evidence_id FROM evidence_link ORDER BY requirement, evidence_id",
        )
        .map_err(|e| project.db_err(e))?;
    let rows: Vec<(String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    let mut m: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (req, ev) in rows {
        m.entry(req).or_default().push(ev);
    }
    Ok(m)
}

/// The status of every requirement of the project's packs, in pack order.
pub fn statuses(project: &Project) -> Result<Vec<Status>> {
    let answers = scope(project)?;
    let recorded = recorded_verdicts(project)?;
    let links = links(project)?;
    let lib = project.library();
    let mut out = Vec::new();
    for pack in project.packs()? {
        for section in &pack.sections {
            for r in &section.requirements {
                out.push(status_of(
                    lib, pack, section, r, &answers, &recorded, &links,
                ));
            }
        }
    }
    Ok(out)
}

fn status_of(
    lib: &Library,
    pack: &Pack,
    section: &Section,
    r: &Requirement,
    answers: &Answers,
    recorded: &BTreeMap<String, Recorded>,
    links: &BTreeMap<String, Vec<i64>>,
) -> Status {
    let applicability = applicability(lib, pack, r, answers);
    let rec = recorded.get(&r.id).cloned();
    let verdict = match (&applicability, &rec) {
        (Applicability::NotApplicable { .. }, _) => Verdict::Na,
        (_, Some(rec)) => rec.verdict,
        (_, None) => Verdict::Unassessed,
    };
    Status {
        pack: pack.id.clone(),
        section: section.id.clone(),
        requirement: r.id.clone(),
        clause: r.clause.clone(),
        title: r.title.clone(),
        weight: r.weight,
        veto: r.veto,
        obligation: r.obligation,
        to_confirm: r.to_confirm,
        provenance: r.provenance,
        applicability,
        verdict,
        recorded: rec,
        evidence: links.get(&r.id).cloned().unwrap_or_default(),
    }
}

/// A verdict proposed for a mapped requirement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Proposal {
    pub requirement: String,
    pub verdict: Verdict,
    pub from: String,
    pub relation: Relation,
}

/// What a verdict on the `from` side of a relation says about the other side
/// (the one rule of mapping inference; Excel import uses it too).
pub fn implied(relation: Relation, verdict: Verdict) -> Option<Verdict> {
    // `relation` reads "this is RELATION of other".
    match (relation, verdict) {
        (Relation::Equal, v @ (Verdict::Conform | Verdict::Partial | Verdict::Nonconform)) => {
            Some(v)
        }
        // this ⊆ other: other demands more; failing this fails other.
        (Relation::Subset, Verdict::Nonconform) => Some(Verdict::Nonconform),
        // this ⊇ other: meeting this meets other.
        (Relation::Superset, Verdict::Conform) => Some(Verdict::Conform),
        _ => None,
    }
}

/// The requirement `id` must be in one of the project's packs.
pub fn find_requirement<'a>(
    project: &'a Project,
    id: &str,
) -> Result<(&'a Pack, &'a Section, &'a Requirement)> {
    let packs = project.packs()?;
    for p in packs {
        for s in &p.sections {
            if let Some(r) = s
                .requirements
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(id))
            {
                return Ok((p, s, r));
            }
        }
    }
    let in_lib = project
        .library()
        .requirement(id)
        .map(|(p, _, _)| p.id.clone());
    Err(ProjectError::invalid(match in_lib {
        Some(p) => t!(
            "要求 `{id}` 属于检查单 {p}，但该检查单不在本项目中",
            "requirement `{id}` is in pack {p}, which is not part of this project"
        ),
        None => t!("没有编号为 `{id}` 的要求", "no requirement `{id}`"),
    }))
}

/// What a person records for one requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictInput {
    pub verdict: Verdict,
    /// Justification (判定理由): required for 部分符合, 不符合 and 不适用.
    pub note: String,
    /// 现状描述: what was found (None = keep the recorded one; Some("") clears it).
    pub observation: Option<String>,
    /// Why no evidence is linked (None = leave as it is; Some("") clears it).
    pub evidence_reason: Option<String>,
}

impl VerdictInput {
    pub fn new(verdict: Verdict, note: impl Into<String>) -> Self {
        VerdictInput {
            verdict,
            note: note.into(),
            observation: None,
            evidence_reason: None,
        }
    }
    pub fn observation(mut self, observation: impl Into<String>) -> Self {
        self.observation = Some(observation.into());
        self
    }
    pub fn evidence_reason(mut self, reason: impl Into<String>) -> Self {
        self.evidence_reason = Some(reason.into());
        self
    }
}

/// How an inferred verdict reads, naming the direction unambiguously:
/// `from` is the requirement judged, `rel` reads "`from` is REL of this one".
pub fn inference_note(from: &str, rel: Relation, verdict: Verdict) -> Text {
    inference_wording(from, Some(rel), verdict)
}

/// The one wording of where an inferred verdict comes from, naming the
/// direction unambiguously: a mapping (`rel` known), another requirement
/// whose relation is no longer in the library (`None`), or tool output
/// imported as evidence (`from` = `evidence:ID`, see [`proposals`]).
pub fn inference_wording(from: &str, rel: Option<Relation>, verdict: Verdict) -> Text {
    let v = verdict.label();
    if proposals::evidence_source(from).is_some() {
        let src = proposals::source_label(from);
        return Text::new(
            format!("由{}的解析结果推断为「{}」", src.zh, v.zh),
            format!("proposed as '{}' from the parsed {}", v.en, src.en),
        );
    }
    match rel {
        Some(Relation::Superset) => Text::new(
            format!("由 {from} 推断：{from} 要求更严，其「{}」可推及本项", v.zh),
            format!("inferred from {from}: {from} is the stricter requirement, so its '{}' carries over to this one", v.en),
        ),
        Some(Relation::Subset) => Text::new(
            format!("由 {from} 推断：本项要求更严，{from}「{}」则本项亦然", v.zh),
            format!("inferred from {from}: this requirement is the stricter one, so {from} being '{}' makes this one so too", v.en),
        ),
        Some(_) => Text::new(
            format!("由 {from} 推断：两项要求等同，结论「{}」相同", v.zh),
            format!("inferred from {from}: the two requirements are equivalent, so the verdict '{}' is the same", v.en),
        ),
        None => Text::new(
            format!("由 {from} 的判定推断为「{}」", v.zh),
            format!("inferred as '{}' from the verdict on {from}", v.en),
        ),
    }
}

/// Records a person's verdict and proposes verdicts for mapped requirements
/// (marked inferred, never over a person's verdict). Returns the proposals.
pub fn set_verdict(
    project: &mut Project,
    by: &str,
    id: &str,
    input: &VerdictInput,
) -> Result<Vec<Proposal>> {
    let verdict = input.verdict;
    let note = input.note.as_str();
    let observation = input.observation.as_deref().map(|o| o.trim().to_string());
    let (pack, section, req) = find_requirement(project, id)?;
    let rid = req.id.clone();
    let answers = scope(project)?;
    if let Applicability::NotApplicable { reason } =
        applicability(project.library(), pack, req, &answers)
    {
        return Err(ProjectError::invalid(Text::new(
            format!("要求 {rid} 已按适用范围自动判为不适用，不能另行判定（{}）；如范围有误，请修改 scope", reason.zh),
            format!("{rid} is not applicable because of the scope and cannot be judged ({}); change the scope if it is wrong", reason.en),
        )));
    }
    let _ = section;
    let note = note.trim().to_string();
    if verdict.needs_justification() && note.is_empty() {
        let v = verdict.label();
        return Err(ProjectError::invalid(Text::new(
            format!("判定为「{}」时必须写明理由（--note）", v.zh),
            format!("a verdict of '{}' needs a justification (--note)", v.en),
        )));
    }
    // Proposals for mapped requirements in the project's packs.
    let in_project: Vec<String> = project
        .packs()?
        .iter()
        .flat_map(|p| p.requirements().map(|r| r.id.clone()))
        .collect();
    let recorded = recorded_verdicts(project)?;
    let mut proposals = Vec::new();
    if verdict != Verdict::Unassessed {
        for (_, m) in project.library().mappings_of(&rid) {
            let (other, rel) = if m.from == rid {
                (&m.to, m.relation)
            } else {
                (&m.from, m.relation.reversed())
            };
            if !in_project.contains(other) {
                continue;
            }
            let Some(v) = implied(rel, verdict) else {
                continue;
            };
            // Never over a person's verdict, nor over a scope-based 不适用.
            if recorded
                .get(other)
                .is_some_and(|r| r.inferred_from.is_none() || r.confirmed)
            {
                continue;
            }
            if let Some((op, _, oreq)) = project.library().requirement(other) {
                if matches!(
                    applicability(project.library(), op, oreq, &answers),
                    Applicability::NotApplicable { .. }
                ) {
                    continue;
                }
            }
            if !proposals.iter().any(|p: &Proposal| &p.requirement == other) {
                proposals.push(Proposal {
                    requirement: other.clone(),
                    verdict: v,
                    from: rid.clone(),
                    relation: rel,
                });
            }
        }
    }
    let at = now();
    // The evidence reason, if it changes.
    let mut reasons = evidence_reasons(project)?;
    let reason_change = if verdict == Verdict::Unassessed {
        reasons.remove(&rid).map(|_| ())
    } else {
        match input.evidence_reason.as_deref().map(str::trim) {
            Some("") => reasons.remove(&rid).map(|_| ()),
            Some(why) => {
                let old = reasons.insert(rid.clone(), why.to_string());
                (old.as_deref() != Some(why)).then_some(())
            }
            None => None,
        }
    };
    let reasons_json = serde_json::to_string(&reasons).unwrap_or_else(|_| "{}".to_string());
    let mut detail = serde_json::json!({"requirement": rid, "verdict": verdict.as_str(), "note": note, "proposed": proposals});
    if let Some(o) = &observation {
        detail["observation"] = serde_json::json!(o);
    }
    if reason_change.is_some() {
        detail["evidence_reason"] = serde_json::json!(reasons.get(&rid));
    }
    project.change(by, "assess.set", detail, |tx| {
        if verdict == Verdict::Unassessed {
            tx.execute("DELETE FROM verdict WHERE requirement = ?1", params![rid])?;
        } else {
            tx.execute(
                "INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed, observation) VALUES (?1, ?2, ?3, ?4, ?5, NULL, 1, COALESCE(?6, ''))
                 ON CONFLICT(requirement) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, assessor = excluded.assessor,
                 at = excluded.at, inferred_from = NULL, confirmed = 1, rejudge = NULL, observation = COALESCE(?6, verdict.observation)",
                params![rid, verdict.as_str(), note, by, at, observation],
            )?;
        }
        if reason_change.is_some() {
            tx.execute(
                "INSERT INTO project_info (key, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                params![EVIDENCE_REASONS_KEY, reasons_json, by.trim(), at],
            )?;
        }
        for p in &proposals {
            let t = inference_note(&p.from, p.relation, p.verdict);
            let n = format!("{} / {}", t.zh, t.en);
            tx.execute(
                "INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
                 ON CONFLICT(requirement) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, assessor = excluded.assessor,
                 at = excluded.at, inferred_from = excluded.inferred_from, confirmed = 0",
                params![p.requirement, p.verdict.as_str(), n, by, at, p.from],
            )?;
        }
        Ok(())
    })?;
    Ok(proposals)
}

/// A person confirms an inferred verdict, which then counts as theirs.
pub fn confirm(project: &mut Project, by: &str, id: &str) -> Result<()> {
    let (_, _, req) = find_requirement(project, id)?;
    let rid = req.id.clone();
    let rec = recorded_verdicts(project)?.remove(&rid);
    match rec {
        Some(r) if (r.inferred_from.is_some() || r.rejudge.is_some()) && !r.confirmed => {}
        _ => {
            return Err(ProjectError::invalid(t!(
                "要求 {rid} 没有待确认的推断结论或待重新判定的结论",
                "{rid} has no inferred verdict awaiting confirmation and no verdict to re-judge"
            )));
        }
    }
    let at = now();
    project.change(
        by,
        "assess.confirm",
        serde_json::json!({"requirement": rid}),
        |tx| {
            tx.execute(
                "UPDATE verdict SET confirmed = 1, rejudge = NULL, assessor = ?2, at = ?3 WHERE requirement = ?1",
                params![rid, by, at],
            )?;
            Ok(())
        },
    )
}

/// The recorded verdict of one requirement, if any.
pub fn recorded_verdict(project: &Project, id: &str) -> Result<Option<Recorded>> {
    project
        .conn()
        .query_row(
            "SELECT verdict, note, assessor, at, inferred_from, confirmed, rejudge, observation FROM verdict WHERE requirement = ?1",
            params![id],
            |r| {
                let v: String = r.get(0)?;
                Ok(Recorded {
                    verdict: Verdict::parse(&v).unwrap_or(Verdict::Unassessed),
                    note: r.get(1)?,
                    assessor: r.get(2)?,
                    at: r.get(3)?,
                    inferred_from: r.get(4)?,
                    confirmed: r.get::<_, i64>(5)? != 0,
                    rejudge: rejudge_of(r.get(6)?),
                    observation: r.get(7)?,
                    evidence_reason: String::new(),
                })
            },
        )
        .optional()
        .map_err(|e| project.db_err(e))
        .and_then(|rec| {
            Ok(match rec {
                Some(mut r) => {
                    if let Some(why) = evidence_reasons(project)?.remove(id) {
                        r.evidence_reason = why;
                    }
                    Some(r)
                }
                None => None,
            })
        })
}
