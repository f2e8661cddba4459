//! The report model: everything the report shows, read from a project in one
//! pass and kept bilingual ([`Text`]) so one model serves the zh and the en
//! report, the XLSX form and the JSON export.
//!
//! Rules the model keeps so the printed report adds up:
//! - every count uses one basis: the *scored requirements* (a pack's
//!   encouraged items are excluded unless the pack includes them, as
//!   `score.rs` does); encouraged items left out are counted apart;
//! - a conclusion and a pooled score are printed only when every applicable
//!   requirement is judged ([`Summary::complete`]); before that the report
//!   says how many are judged;
//! - the scoring worksheet ([`PackReport::worksheet`]) lists the weight and
//!   credit of every judged requirement so each printed score can be
//!   recomputed from the pages;
//! - every printed date is the project's time zone's calendar date
//!   (`crate::timefmt`), never the first ten characters of a UTC string;
//! - the report prints no variable names and no modelling notes: a 不适用 by
//!   scope is explained with the question's text and the answer's label, an
//!   inferred verdict names the direction of the inference.

use super::{ReportError, ReportOptions};
use crate::assess::{self, Applicability, Verdict};
use crate::evidence;
use crate::i18n::{Lang, Text};
use crate::pack::{Answer, Library, Method, Relation};
use crate::project::info::{Info, TeamRole};
use crate::project::{Kind, Project, State};
use crate::score;
use crate::timefmt::{self, Tz};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Version of the model's shape (and of the JSON export built from it).
pub const MODEL_SCHEMA: u32 = 2;

/// Everything the report shows. Built by [`super::build_model`]; read by the
/// templates (as `m`), by the XLSX form and by the JSON export.
#[derive(Debug, Clone, Serialize)]
pub struct ReportModel {
    pub schema: u32,
    /// `iovaudit <version>`.
    pub generator: String,
    /// RFC 3339, UTC: the time the report says it was made.
    pub generated_at: String,
    /// `YYYY-MM-DD`: the calendar date of `generated_at` in the report's time zone.
    pub report_date: String,
    /// `report_date` as printed: 2026年12月6日 / 6 December 2026.
    pub report_date_text: Text,
    /// The IANA zone every date and time of the report is given in.
    pub time_zone: String,
    /// `Asia/Shanghai (UTC+08:00)`: stated wherever a time is printed.
    pub time_zone_label: String,
    pub report_number: String,
    pub project: ProjectInfo,
    /// Project information (parties, team, objects, schedule…), as recorded.
    pub info: Info,
    pub signer: Signer,
    /// The 编制/审核/批准 block: each role once, with names and date.
    pub signoff: Vec<SignRole>,
    pub summary: Summary,
    /// Answers to the scoping questions, in library order.
    pub scope: Vec<ScopeAnswer>,
    /// Every requirement judged or ruled 不适用, with its reason.
    pub not_applicable: Vec<NaItem>,
    pub packs: Vec<PackReport>,
    pub findings: Vec<FindingRow>,
    /// Every requirement judged 不符合 or 部分符合, with its finding's analysis when one exists.
    pub problems: Vec<ProblemRow>,
    pub evidence: Vec<EvidenceRow>,
    /// The next dated obligations of the project's packs (compliance calendar).
    pub obligations: Vec<ObligationRow>,
    /// How the risk level follows from impact and likelihood (the one wording, `assess::risk_rule`).
    pub risk_rule: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectInfo {
    pub name: String,
    pub assessee: String,
    /// The assessing organisation (测评机构) as recorded in the project.
    pub organisation: String,
    pub kind: Kind,
    pub kind_label: Text,
    pub state: State,
    pub state_label: Text,
    pub approved: bool,
    pub revision: i64,
    pub created_at: String,
    pub created_by: String,
    /// Who approved (or submitted / reopened) last, and when.
    pub state_by: Option<String>,
    pub state_at: Option<String>,
    /// SHA-256 of the approved snapshot (`review approve`); `None` unless approved.
    pub snapshot_hash: Option<String>,
    /// Assessment period: `YYYY-MM-DD` (the schedule recorded in the project
    /// information, else project creation to approval or generation).
    pub period_start: String,
    pub period_end: String,
    pub period_start_text: Text,
    pub period_end_text: Text,
    /// Packs with the version recorded in the project.
    pub packs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub name: Option<String>,
    pub organisation: String,
    pub date: String,
    pub date_text: Text,
}

/// One line of the 编制/审核/批准 block.
#[derive(Debug, Clone, Serialize)]
pub struct SignRole {
    /// `author`, `reviewer` or `approver`.
    pub role: String,
    pub label: Text,
    /// Names (from the team list; else who did it in the project), `、`-joined.
    pub names: String,
    /// The date of the step (submission for 编制, approval for 审核 and 批准); empty while not done.
    pub date_text: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub requirements: usize,
    pub conform: usize,
    pub partial: usize,
    pub nonconform: usize,
    pub not_applicable: usize,
    pub unassessed: usize,
    pub inferred_pending: usize,
    pub to_confirm: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// 0–100 over every scored requirement of every pack (the pooled score);
    /// printed only when `complete`.
    pub overall_score: Option<f64>,
    /// The worst pack conclusion; printed only when `complete`.
    pub conclusion: Option<Text>,
    /// True while any applicable requirement is not judged: the conclusion is provisional.
    pub provisional: bool,
    /// Every applicable scored requirement is judged (confirmed): a conclusion exists.
    pub complete: bool,
    /// The counts on the one basis the report uses: scored requirements
    /// (conform + partial + nonconform + unassessed = applicable; + not_applicable = requirements).
    pub counts: Counts,
    /// Judged and applicable scored requirements.
    pub judged: usize,
    pub applicable: usize,
    /// Σ weight and Σ weight × credit over every judged requirement of every pack.
    pub weight_judged: f64,
    pub earned: f64,
    /// Encouraged requirements not scored (outside the basis), by the packs' rules.
    pub encouraged_excluded: usize,
    /// Judged / applicable, percent.
    pub progress: f64,
    pub findings_open: usize,
    pub findings_total: usize,
    pub evidence_total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeAnswer {
    pub question: String,
    pub label: Text,
    pub answer: Text,
    pub answered_by: String,
    pub answered_at_text: Text,
    /// On what the answer rests (document, interview…), as recorded.
    pub basis: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NaItem {
    pub pack: String,
    pub requirement: String,
    pub clause: String,
    pub title: Text,
    /// Why: for a scope ruling, the questions and answers in the user's words.
    pub reason: Text,
    /// True when the scope rules it out; false for an assessor's 不适用.
    pub by_scope: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub conform: usize,
    pub partial: usize,
    pub nonconform: usize,
    pub not_applicable: usize,
    pub unassessed: usize,
    pub inferred_pending: usize,
    pub judged: usize,
    pub applicable: usize,
    pub weight_judged: f64,
    pub earned: f64,
}

impl From<&score::Tally> for Tally {
    fn from(t: &score::Tally) -> Self {
        Tally {
            conform: t.conform,
            partial: t.partial,
            nonconform: t.nonconform,
            not_applicable: t.not_applicable,
            unassessed: t.unassessed,
            inferred_pending: t.inferred_pending,
            judged: t.judged,
            applicable: t.applicable,
            weight_judged: t.weight_judged,
            earned: (t.earned * 1000.0).round() / 1000.0,
        }
    }
}

/// How a pack scores, as its file declares (printed in 方法与判定准则).
#[derive(Debug, Clone, Serialize)]
pub struct Rules {
    /// Credit of 部分符合 (e.g. 0.5).
    pub partial: f64,
    /// Encouraged requirements are scored.
    pub encouraged_scored: bool,
    /// A veto requirement judged 不符合 puts the pack in its lowest band.
    pub veto_fails_pack: bool,
    /// Bands, best first: lower bound and label.
    pub bands: Vec<(f64, Text)>,
    /// Clauses where one 不符合 fails the whole clause (`any_fail_fails_all`).
    pub group_clauses: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackReport {
    pub id: String,
    pub title: Text,
    pub doc_number: String,
    pub version: String,
    pub issuer: Text,
    /// `YYYY-MM-DD` the document was issued, when known.
    pub issued: Option<String>,
    pub issued_text: Option<Text>,
    pub region: Text,
    pub score: Option<f64>,
    pub conclusion: Option<Text>,
    pub complete: bool,
    pub tally: Tally,
    pub veto_failed: Vec<String>,
    /// Clauses failed as a whole by an `any_fail_fails_all` rule.
    pub group_failed: Vec<String>,
    /// How many of its requirements are inferred (*to be confirmed* mark).
    pub to_confirm: usize,
    /// How many come from an unofficial full text (*to be checked* mark).
    pub fulltext: usize,
    /// Encouraged requirements the pack does not score.
    pub encouraged_excluded: usize,
    /// An example requirement id (`N134-01`), for the numbering note.
    pub example_id: String,
    pub rules: Rules,
    /// SHA-256 of the pack content the project is assessed against.
    pub sha256: String,
    pub sections: Vec<SectionReport>,
    /// Weight and credit of every judged scored requirement, by section.
    pub worksheet: Vec<WorksheetSection>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionReport {
    pub id: String,
    pub clause: String,
    pub title: Text,
    pub score: Option<f64>,
    pub tally: Tally,
    pub requirements: Vec<RequirementRow>,
}

/// One section of the scoring worksheet.
#[derive(Debug, Clone, Serialize)]
pub struct WorksheetSection {
    pub clause: String,
    pub title: Text,
    pub rows: Vec<WorksheetRow>,
    pub weight_judged: f64,
    pub earned: f64,
    pub score: Option<f64>,
    /// One 不符合 failed the whole clause: every row earns 0.
    pub group_failed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorksheetRow {
    pub id: String,
    pub weight: u8,
    pub verdict_label: Text,
    /// 1, the pack's partial credit, or 0.
    pub credit: f64,
    /// weight × credit (0 when the clause failed as a whole).
    pub earned: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementRow {
    pub id: String,
    /// The note recorded with the verdict as it is stored (also an inferred
    /// verdict's), for the self-check form, which must read back unchanged.
    pub recorded_note: String,
    pub pack: String,
    pub section: String,
    pub clause: String,
    pub title: Text,
    pub text: Text,
    pub obligation: Text,
    pub weight: u8,
    pub veto: bool,
    /// Scored under the pack's rules (false for an encouraged item the pack excludes).
    pub scored: bool,
    /// The requirement's content is inferred or from an unofficial full text.
    pub to_confirm: bool,
    /// `text`, `secondary`, `inferred` or `fulltext`: which mark to print.
    pub provenance: crate::pack::Provenance,
    /// Parameters and deadlines with a basis of their own (provenance, source, note).
    pub value_basis: Vec<Text>,
    /// Set while the verdict waits to be judged again after a pack upgrade.
    pub rejudge: Option<Text>,
    pub verdict: Verdict,
    pub verdict_label: Text,
    /// The assessor's justification (说明), or the scope's reason for 不适用.
    pub justification: Text,
    /// 现状描述: what the assessor found.
    pub observation: String,
    pub assessor: Option<String>,
    pub assessed_at: Option<String>,
    pub assessed_at_text: Option<Text>,
    pub inferred: bool,
    pub inferred_from: Option<String>,
    pub inferred_confirmed: bool,
    /// The inference in words, naming its direction.
    pub inference: Option<Text>,
    pub methods: Vec<Text>,
    pub evidence_refs: Vec<String>,
    pub evidence_sha256: Vec<String>,
    pub evidence_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: i64,
    /// `F-001`.
    pub reference: String,
    pub requirement: String,
    pub clause: String,
    pub title: String,
    pub severity: assess::Severity,
    pub severity_label: Text,
    pub owner: String,
    pub due: Option<String>,
    pub due_text: Option<Text>,
    pub status: assess::FindingStatus,
    pub status_label: Text,
    pub note: String,
    pub description: String,
    pub threat: String,
    pub impact: Option<Text>,
    pub likelihood: Option<Text>,
    /// From impact × likelihood, else the severity.
    pub risk: assess::Severity,
    pub risk_label: Text,
    pub recommendation: String,
    pub time_limit: String,
}

/// A requirement judged 不符合 or 部分符合 (问题清单).
#[derive(Debug, Clone, Serialize)]
pub struct ProblemRow {
    pub requirement: String,
    pub clause: String,
    pub title: Text,
    pub verdict_label: Text,
    /// The finding's description, else the observation, else the justification.
    pub description: String,
    pub risk_label: Option<Text>,
    pub recommendation: String,
    pub time_limit: String,
    /// Findings raised on the requirement (`F-001`).
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    pub id: i64,
    /// `E-001`.
    pub reference: String,
    pub title: String,
    pub original_name: String,
    pub size: i64,
    /// `12.3 KB`.
    pub size_text: String,
    pub method: String,
    pub method_label: Text,
    pub collected_at: String,
    pub collected_at_text: Text,
    pub collected_by: String,
    pub revision: i64,
    pub doc_version: String,
    pub issuer: String,
    pub sha256: String,
    pub sm3: String,
    pub requirements: Vec<String>,
    /// What the file's parsed tool output says (SBOM, vulnerability or port
    /// scan), one line; `None` for other files.
    pub tool_output: Option<Text>,
    /// A signed PDF's signature status as recorded at ingest.
    pub signature: Option<Text>,
}

/// A dated obligation from the compliance calendar.
#[derive(Debug, Clone, Serialize)]
pub struct ObligationRow {
    pub date: String,
    pub date_text: Text,
    pub requirement: String,
    pub doc_number: String,
    pub title: Text,
    pub status_label: Text,
}

/// `E-001` for evidence 1.
pub fn evidence_ref(id: i64) -> String {
    format!("E-{id:03}")
}

/// `F-001` for finding 1.
pub fn finding_ref(id: i64) -> String {
    format!("F-{id:03}")
}

/// Bytes in words: `950 B`, `12.3 KB`, `4.0 MB`.
pub fn size_text(n: i64) -> String {
    let n = n.max(0) as f64;
    if n < 1024.0 {
        format!("{n} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KB", n / 1024.0)
    } else if n < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MB", n / 1024.0 / 1024.0)
    } else {
        format!("{:.2} GB", n / 1024.0 / 1024.0 / 1024.0)
    }
}

/// The date part of an RFC 3339 time (or the text itself when it is shorter).
/// Only for values that already are calendar dates; instants go through [`Clock`].
pub fn date_of(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
}

/// Dates as the report prints them: in one time zone, in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub tz: Tz,
}

impl Clock {
    /// `YYYY-MM-DD` of an instant (or a calendar date as it is).
    pub fn date(&self, instant: &str) -> String {
        timefmt::local_date(instant, self.tz)
    }
    /// 2026年12月6日 / 6 December 2026 of an instant or a calendar date.
    pub fn text(&self, instant: &str) -> Text {
        let d = self.date(instant);
        Text::new(
            timefmt::format_date(&d, Lang::Zh),
            timefmt::format_date(&d, Lang::En),
        )
    }
}

fn method_label(m: &str) -> Text {
    match crate::evidence::parse_method(m) {
        Some(x) => x.label(),
        None => Text::new(m, m),
    }
}

fn answer_text(lib: &Library, qid: &str, a: &Answer) -> Text {
    let q = lib.question(qid);
    let opt = |id: &str, lang: Lang| {
        q.and_then(|q| q.options.iter().find(|o| o.id == id))
            .map_or(id.to_string(), |o| o.label.get(lang).to_string())
    };
    let one = |lang: Lang| match a {
        Answer::Bool(b) => lang
            .pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .to_string(),
        Answer::Int(n) => n.to_string(),
        Answer::Choice(c) => opt(c, lang),
        Answer::Multi(m) => m
            .iter()
            .map(|x| opt(x, lang))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", ")),
    };
    Text::new(one(Lang::Zh), one(Lang::En))
}

/// 「question」的回答为「answer」 for each answered question, in the user's words.
fn answers_in_words(lib: &Library, questions: &[&str], answers: &assess::Answers) -> Text {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for q in questions {
        let Some(a) = answers.get(*q) else { continue };
        let Some(question) = lib.question(q) else {
            continue;
        };
        let ans = answer_text(lib, q, a);
        let label = without_identifier_asides(&question.label);
        zh.push(format!("「{}」的回答为「{}」", label.zh, ans.zh));
        en.push(format!(
            "the answer to “{}” is “{}”",
            label.get(Lang::En),
            ans.en
        ));
    }
    Text::new(zh.join("，"), en.join("; "))
}

/// Why the scope rules `req` out, in the user's words (the question's text and
/// the answer's label, never a variable name); `None` when it does not.
fn scope_basis(
    lib: &Library,
    pack: &crate::pack::Pack,
    req: &crate::pack::Requirement,
    answers: &assess::Answers,
) -> Option<Text> {
    use crate::pack::Truth;
    let get = |q: &str| answers.get(q).cloned();
    if let Some(w) = &pack.applies_when {
        if w.eval(&get) == Truth::False {
            let b = answers_in_words(lib, &w.questions(), answers);
            return Some(Text::new(
                format!(
                    "{}，《{}》（{}）整体不适用。",
                    b.zh, pack.title.zh, pack.doc_number
                ),
                format!(
                    "{}{}, so “{}” ({}) does not apply as a whole.",
                    upper_first(&b.en),
                    "",
                    pack.title.get(Lang::En),
                    pack.doc_number
                ),
            ));
        }
    }
    if !req.applies_to.iter().any(|t| t == "ALL") {
        if let Some(Answer::Multi(types)) = answers.get("enterprise_type") {
            if !req.applies_to.iter().any(|t| types.contains(t)) {
                let q = lib.question("enterprise_type");
                let label = |id: &str, lang: Lang| {
                    q.and_then(|q| q.options.iter().find(|o| o.id == id))
                        .map_or(id.to_string(), |o| o.label.get(lang).to_string())
                };
                let to_zh: Vec<String> =
                    req.applies_to.iter().map(|t| label(t, Lang::Zh)).collect();
                let to_en: Vec<String> =
                    req.applies_to.iter().map(|t| label(t, Lang::En)).collect();
                let b = answers_in_words(lib, &["enterprise_type"], answers);
                return Some(Text::new(
                    format!(
                        "本项要求的义务主体为{}；{}，不属于上述主体。",
                        to_zh.join("、"),
                        b.zh
                    ),
                    format!(
                        "This requirement binds: {}. {}, which is none of these.",
                        to_en.join("; "),
                        upper_first(&b.en)
                    ),
                ));
            }
        }
    }
    if let Some(w) = &req.when {
        if w.eval(&get) == Truth::False {
            let b = answers_in_words(lib, &w.questions(), answers);
            return Some(Text::new(
                format!("{}，本项要求的适用情形不存在。", b.zh),
                format!(
                    "{}: the situation this requirement covers does not arise.",
                    upper_first(&b.en)
                ),
            ));
        }
    }
    None
}

/// A question's label without an aside that names a variable (`（…与只记最高
/// 级别的 platform_level 不同）`, `(… \`region\` …)`): such asides are notes for
/// the assessor, and the report prints no variable names.
fn without_identifier_asides(t: &Text) -> Text {
    without_asides(t, &|aside| {
        aside
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.contains('_') && w.chars().any(|c| c.is_ascii_lowercase()))
    })
}

/// A requirement's text without the pack author's asides about sources
/// (`（种子标注为…）`, `(the seed says …)`): modelling notes are for the assessor.
fn without_modelling_asides(t: &Text) -> Text {
    without_asides(t, &|aside| {
        ["种子", "本检查单", "seed", "this pack"]
            .iter()
            .any(|k| aside.contains(k))
    })
}

/// `t` without the parenthesised asides `drop` picks.
fn without_asides(t: &Text, drop: &dyn Fn(&str) -> bool) -> Text {
    let clean = |s: &str| -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(open) = rest.find(['（', '(']) {
            let (head, tail) = rest.split_at(open);
            let close_ch = if tail.starts_with('（') { '）' } else { ')' };
            let Some(close) = tail.find(close_ch) else {
                break;
            };
            let aside = &tail[..close + close_ch.len_utf8()];
            out.push_str(head);
            if !drop(aside) {
                out.push_str(aside);
            }
            rest = &tail[close + close_ch.len_utf8()..];
        }
        out.push_str(rest);
        out.trim_end().to_string()
    };
    Text::new(clean(&t.zh), clean(&t.en))
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// How the relation between the source `from` and the requirement `to` reads,
/// from the library's mappings (`from` RELATION `to`).
fn relation_between(lib: &Library, from: &str, to: &str) -> Option<Relation> {
    lib.themes
        .iter()
        .flat_map(|t| t.mappings.iter())
        .find_map(|m| {
            if m.from == from && m.to == to {
                Some(m.relation)
            } else if m.from == to && m.to == from {
                Some(m.relation.reversed())
            } else {
                None
            }
        })
}

/// The inference in words, naming its direction:
/// 由 N134-01 推断：N134-01 要求更严，其“符合”可推及本项.
fn inference_text(rel: Option<Relation>, from: &str, v: Verdict, confirmed: bool) -> Text {
    let Text { zh, en } = crate::assess::inference_wording(from, rel, v);
    // A sentence of its own in the report: capitalised.
    let en = en.chars().next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(en.chars().skip(1)).collect()
    });
    let (czh, cen) = if confirmed {
        ("（已经评估人员确认）", " (confirmed by an assessor)")
    } else {
        ("（尚未确认，不计分）", " (not yet confirmed; not scored)")
    };
    Text::new(format!("{zh}{czh}"), format!("{en}{cen}"))
}

/// Checks and normalises `generated_at` (RFC 3339) to UTC seconds.
pub(crate) fn normalise_time(s: &str) -> Result<String, ReportError> {
    let t = chrono::DateTime::parse_from_rfc3339(s.trim()).map_err(|_| {
        ReportError::Invalid(Text::new(
            format!("报告时间应为 RFC 3339 格式，如 2026-11-22T10:00:00Z（而不是 `{s}`）"),
            format!("the report time must be RFC 3339, such as 2026-11-22T10:00:00Z (not `{s}`)"),
        ))
    })?;
    Ok(t.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Parameters and deadlines that carry a basis of their own, in both languages.
fn value_basis(req: &crate::pack::Requirement) -> Vec<Text> {
    // Only a basis that says more than the requirement's own provenance.
    let own = |o: &crate::pack::ValueOrigin| {
        o.source.is_some() || o.note.is_some() || o.provenance.is_some_and(|p| p != req.provenance)
    };
    let params = req
        .params
        .iter()
        .filter(|p| own(&p.origin))
        .map(|p| Text::new(p.describe(Lang::Zh), p.describe(Lang::En)));
    let deadlines = req
        .deadlines
        .iter()
        .filter(|d| own(&d.origin))
        .map(|d| Text::new(d.describe(Lang::Zh), d.describe(Lang::En)));
    params.chain(deadlines).collect()
}

/// Details the report needs beside the assessment state, each from the
/// module that owns its table.
struct Extra {
    /// question → (answered_by, answered_at, basis).
    scope: BTreeMap<String, (String, String, String)>,
    /// Last submission: (actor, at).
    submitted: Option<(String, String)>,
    /// evidence id → its parsed tool output, one line.
    tool_output: BTreeMap<i64, Text>,
    /// evidence id → a signed PDF's recorded signature status.
    signature: BTreeMap<i64, Text>,
}

fn read_extra(project: &Project) -> Result<Extra, ReportError> {
    let scope = crate::assess::scope_records(project)?
        .into_iter()
        .map(|r| (r.question, (r.answered_by, r.answered_at, r.basis)))
        .collect();
    let submitted = crate::journal::last_of(project.conn(), "review.submit")
        .map_err(|e| ReportError::Project(project.db_err(e)))?;
    let tool_output = crate::scan::summaries(project)?
        .into_iter()
        .map(|s| (s.evidence_id, s.summary.digest()))
        .collect();
    let signature =
        crate::evidence::summary_rows(project, &[crate::evidence::SIGNATURE_KIND], None)?
            .into_iter()
            .filter_map(|r| {
                serde_json::from_str::<crate::sign::evidence_status::PdfSignatureStatus>(&r.summary)
                    .ok()
                    .map(|st| (r.evidence_id, st.summary))
            })
            .collect();
    Ok(Extra {
        scope,
        submitted,
        tool_output,
        signature,
    })
}

pub(crate) fn build(project: &Project, opts: &ReportOptions) -> Result<ReportModel, ReportError> {
    let meta = project.meta()?;
    let lib = project.library();
    let info = crate::project::info::info(project)?;
    let system = opts
        .time_zone
        .as_deref()
        .and_then(timefmt::parse_zone)
        .unwrap_or(timefmt::UTC);
    let tz = info.zone(system);
    let clock = Clock { tz };
    let generated_at = match &opts.generated_at {
        Some(s) => normalise_time(s)?,
        None => crate::project::now(),
    };
    let report_date = clock.date(&generated_at);
    let statuses = assess::statuses(project)?;
    let packs = project.packs()?;
    let scores = score::score(&packs, &statuses);
    let items = evidence::list(project)?;
    let findings = assess::findings(project)?;
    let answers = assess::scope(project)?;
    let extra = read_extra(project)?;

    let approved = meta.state == State::Approved;
    let ev_by_id: BTreeMap<i64, &evidence::Item> = items.iter().map(|i| (i.id, i)).collect();

    // Scope answers in library order.
    let scope = lib
        .questions
        .iter()
        .filter_map(|q| {
            answers.get(&q.id).map(|a| {
                let (by, at, basis) = extra.scope.get(&q.id).cloned().unwrap_or_default();
                ScopeAnswer {
                    question: q.id.clone(),
                    label: without_identifier_asides(&q.label),
                    answer: answer_text(lib, &q.id, a),
                    answered_by: by,
                    answered_at_text: if at.is_empty() {
                        Text::default()
                    } else {
                        clock.text(&at)
                    },
                    basis,
                }
            })
        })
        .collect();

    let mut not_applicable = Vec::new();
    let mut to_confirm_total = 0;
    let mut requirements_total = 0;
    let mut encouraged_total = 0;
    let mut pack_reports = Vec::new();
    for (pack, ps) in packs.iter().zip(&scores.packs) {
        let mut sections = Vec::new();
        let mut worksheet = Vec::new();
        let mut pack_to_confirm = 0;
        let mut pack_fulltext = 0;
        let mut pack_encouraged = 0;
        let encouraged_scored = pack.scoring.encouraged == crate::pack::Inclusion::Include;
        for (sec, ss) in pack.sections.iter().zip(&ps.sections) {
            let mut rows = Vec::new();
            let group_failed = ps.group_failed.iter().any(|g| g == &sec.id);
            let mut ws_rows = Vec::new();
            for req in &sec.requirements {
                let Some(st) = statuses.iter().find(|s| s.requirement == req.id) else {
                    continue;
                };
                let scored =
                    req.obligation != crate::pack::Obligation::Encouraged || encouraged_scored;
                if scored {
                    requirements_total += 1;
                    if req.to_confirm {
                        to_confirm_total += 1;
                    }
                } else {
                    pack_encouraged += 1;
                }
                match req.provenance {
                    crate::pack::Provenance::Inferred => pack_to_confirm += 1,
                    crate::pack::Provenance::Fulltext => pack_fulltext += 1,
                    _ => {}
                }
                let scope_reason = match &st.applicability {
                    Applicability::NotApplicable { .. } => {
                        Some(scope_basis(lib, pack, req, &answers).unwrap_or_else(|| {
                            Text::new(
                                "依据适用性问题的回答，本项不适用。",
                                "Not applicable by the answers to the scoping questions.",
                            )
                        }))
                    }
                    _ => None,
                };
                // An inferred verdict's note is the tool's own wording of the
                // mapping; the report words the inference itself (`inference`).
                let note = st
                    .recorded
                    .as_ref()
                    .filter(|r| r.inferred_from.is_none())
                    .map(|r| Text::new(r.note.clone(), r.note.clone()));
                let justification = scope_reason
                    .clone()
                    .or(note)
                    .unwrap_or_else(|| Text::new("", ""));
                if st.verdict == Verdict::Na {
                    not_applicable.push(NaItem {
                        pack: pack.id.clone(),
                        requirement: req.id.clone(),
                        clause: req.clause.clone(),
                        title: req.title.clone(),
                        reason: justification.clone(),
                        by_scope: scope_reason.is_some(),
                    });
                }
                let mut ev_ids = st.evidence.clone();
                ev_ids.sort_unstable();
                let rec = if scope_reason.is_some() {
                    None
                } else {
                    st.recorded.as_ref()
                };
                let pending = rec.is_some_and(|r| !r.confirmed);
                if scored && !pending {
                    let credit = match st.verdict {
                        Verdict::Conform => Some(1.0),
                        Verdict::Partial => Some(pack.scoring.partial),
                        Verdict::Nonconform => Some(0.0),
                        _ => None,
                    };
                    if let Some(c) = credit {
                        let earned = if group_failed {
                            0.0
                        } else {
                            f64::from(req.weight) * c
                        };
                        ws_rows.push(WorksheetRow {
                            id: req.id.clone(),
                            weight: req.weight,
                            verdict_label: st.verdict.label(),
                            credit: if group_failed { 0.0 } else { c },
                            earned,
                        });
                    }
                }
                let inferred_from = rec.and_then(|r| r.inferred_from.clone());
                let inference = rec.and_then(|r| {
                    r.inferred_from.as_ref().map(|from| {
                        inference_text(
                            relation_between(lib, from, &req.id),
                            from,
                            r.verdict,
                            r.confirmed,
                        )
                    })
                });
                rows.push(RequirementRow {
                    id: req.id.clone(),
                    recorded_note: rec.map(|r| r.note.clone()).unwrap_or_default(),
                    pack: pack.id.clone(),
                    section: sec.id.clone(),
                    clause: req.clause.clone(),
                    title: req.title.clone(),
                    text: without_modelling_asides(&req.text),
                    obligation: req.obligation.label(),
                    weight: req.weight,
                    veto: req.veto,
                    scored,
                    to_confirm: req.to_confirm,
                    provenance: req.provenance,
                    value_basis: value_basis(req),
                    rejudge: rec.filter(|r| !r.confirmed).and_then(|r| r.rejudge.clone()),
                    verdict: st.verdict,
                    verdict_label: st.verdict.label(),
                    justification,
                    observation: rec.map(|r| r.observation.clone()).unwrap_or_default(),
                    assessor: rec.map(|r| r.assessor.clone()),
                    assessed_at: rec.map(|r| r.at.clone()),
                    assessed_at_text: rec.map(|r| clock.text(&r.at)),
                    inferred: inferred_from.is_some(),
                    inferred_from,
                    inferred_confirmed: rec
                        .is_some_and(|r| r.inferred_from.is_some() && r.confirmed),
                    inference,
                    methods: req.methods.iter().map(|m: &Method| m.label()).collect(),
                    evidence_refs: ev_ids.iter().map(|i| evidence_ref(*i)).collect(),
                    evidence_sha256: ev_ids
                        .iter()
                        .filter_map(|i| ev_by_id.get(i).map(|e| e.sha256.clone()))
                        .collect(),
                    evidence_ids: ev_ids,
                });
            }
            let t: Tally = (&ss.tally).into();
            worksheet.push(WorksheetSection {
                clause: sec.clause.clone(),
                title: sec.title.clone(),
                rows: ws_rows,
                weight_judged: t.weight_judged,
                earned: t.earned,
                score: ss.tally.score,
                group_failed,
            });
            sections.push(SectionReport {
                id: sec.id.clone(),
                clause: sec.clause.clone(),
                title: sec.title.clone(),
                score: ss.tally.score,
                tally: t,
                requirements: rows,
            });
        }
        encouraged_total += pack_encouraged;
        let group_clauses = pack
            .scoring
            .groups
            .iter()
            .filter(|g| g.rule == crate::pack::GroupKind::AnyFailFailsAll)
            .filter_map(|g| pack.sections.iter().find(|s| s.id == g.section))
            .map(|s| s.clause.clone())
            .collect();
        let example_id = pack
            .sections
            .iter()
            .flat_map(|s| s.requirements.iter())
            .next()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        pack_reports.push(PackReport {
            id: pack.id.clone(),
            title: pack.title.clone(),
            doc_number: pack.doc_number.clone(),
            version: meta
                .packs
                .iter()
                .find(|(id, _)| id == &pack.id)
                .map_or_else(|| pack.version.clone(), |(_, v)| v.clone()),
            issuer: pack.issuer.clone(),
            issued: pack.issued.clone(),
            issued_text: pack.issued.as_deref().map(|d| clock.text(d)),
            region: pack.region.label(),
            score: ps.tally.score,
            conclusion: ps.conclusion.clone(),
            complete: ps.complete,
            tally: (&ps.tally).into(),
            veto_failed: ps.veto_failed.clone(),
            group_failed: ps
                .group_failed
                .iter()
                .filter_map(|g| pack.sections.iter().find(|s| &s.id == g))
                .map(|s| s.clause.clone())
                .collect(),
            to_confirm: pack_to_confirm,
            fulltext: pack_fulltext,
            encouraged_excluded: pack_encouraged,
            example_id,
            rules: Rules {
                partial: pack.scoring.partial,
                encouraged_scored,
                veto_fails_pack: pack.scoring.veto == crate::pack::VetoRule::FailPack,
                bands: pack
                    .scoring
                    .bands
                    .iter()
                    .map(|b| (b.min, b.label.clone()))
                    .collect(),
                group_clauses,
            },
            sha256: lib
                .pack_file(&pack.id)
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
            sections,
            worksheet,
        });
    }

    let clause_of = |rid: &str| {
        statuses
            .iter()
            .find(|s| s.requirement == rid)
            .map(|s| s.clause.clone())
            .unwrap_or_default()
    };
    let finding_rows: Vec<FindingRow> = findings
        .iter()
        .map(|f| {
            let risk = f.risk();
            FindingRow {
                id: f.id,
                reference: finding_ref(f.id),
                requirement: f.requirement.clone(),
                clause: clause_of(&f.requirement),
                title: f.title.clone(),
                severity: f.severity,
                severity_label: f.severity.label(),
                owner: f.owner.clone(),
                due: f.due.clone(),
                due_text: f.due.as_deref().map(|d| clock.text(d)),
                status: f.status,
                status_label: f.status.label(),
                note: f.note.clone(),
                description: f.description.clone(),
                threat: f.threat.clone(),
                impact: f.impact.map(|s| s.label()),
                likelihood: f.likelihood.map(|s| s.label()),
                risk,
                risk_label: risk.label(),
                recommendation: f.recommendation.clone(),
                time_limit: f.time_limit.clone(),
            }
        })
        .collect();

    // 问题清单: every requirement judged 不符合 or 部分符合 (confirmed or not).
    let mut problems = Vec::new();
    for p in &pack_reports {
        for s in &p.sections {
            for r in &s.requirements {
                if !matches!(r.verdict, Verdict::Nonconform | Verdict::Partial) {
                    continue;
                }
                let fs: Vec<&FindingRow> = finding_rows
                    .iter()
                    .filter(|f| f.requirement == r.id)
                    .collect();
                let first = |get: &dyn Fn(&FindingRow) -> String| {
                    fs.iter().map(|f| get(f)).find(|s| !s.trim().is_empty())
                };
                let description = first(&|f| f.description.clone())
                    .or_else(|| Some(r.observation.clone()).filter(|s| !s.trim().is_empty()))
                    .or_else(|| first(&|f| f.title.clone()))
                    .unwrap_or_else(|| r.justification.zh.clone());
                let risk = fs.iter().map(|f| f.risk).min_by_key(|s| match s {
                    assess::Severity::High => 0,
                    assess::Severity::Medium => 1,
                    assess::Severity::Low => 2,
                });
                problems.push(ProblemRow {
                    requirement: r.id.clone(),
                    clause: r.clause.clone(),
                    title: r.title.clone(),
                    verdict_label: r.verdict_label.clone(),
                    description,
                    risk_label: risk.map(|s| s.label()),
                    recommendation: first(&|f| f.recommendation.clone()).unwrap_or_default(),
                    time_limit: first(&|f| f.time_limit.clone()).unwrap_or_default(),
                    findings: fs.iter().map(|f| f.reference.clone()).collect(),
                });
            }
        }
    }

    let evidence_rows: Vec<EvidenceRow> = items
        .iter()
        .map(|i| EvidenceRow {
            id: i.id,
            reference: evidence_ref(i.id),
            title: i.title.clone(),
            original_name: i.original_name.clone(),
            size: i.size,
            size_text: size_text(i.size),
            method: i.method.clone(),
            method_label: method_label(&i.method),
            collected_at: i.collected_at.clone(),
            collected_at_text: clock.text(&i.collected_at),
            collected_by: i.collected_by.clone(),
            revision: i.revision,
            doc_version: i.doc_version.clone(),
            issuer: i.issuer.clone(),
            sha256: i.sha256.clone(),
            sm3: i.sm3.clone(),
            requirements: i.requirements.clone(),
            tool_output: extra.tool_output.get(&i.id).cloned(),
            signature: extra.signature.get(&i.id).cloned(),
        })
        .collect();

    // The next dated obligations (one per deadline), from the report date on.
    let obligations = match chrono::NaiveDate::parse_from_str(&report_date, "%Y-%m-%d") {
        Ok(today) => {
            let cal = crate::calendar::calendar(
                project,
                &crate::calendar::Options {
                    today,
                    from: None,
                    to: None,
                },
            )?;
            cal.items
                .iter()
                .filter(|o| o.next && o.date.as_str() >= report_date.as_str())
                .take(12)
                .map(|o| ObligationRow {
                    date: o.date.clone(),
                    date_text: clock.text(&o.date),
                    requirement: o.source.requirement.clone(),
                    doc_number: o.source.doc_number.clone(),
                    title: o.source.title.clone(),
                    status_label: o.status.label(),
                })
                .collect()
        }
        Err(_) => Vec::new(),
    };

    let overall = &scores.overall;
    let progress = if overall.applicable == 0 {
        100.0
    } else {
        (overall.judged as f64 / overall.applicable as f64 * 1000.0).round() / 10.0
    };
    let period_start = info
        .schedule
        .start
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| clock.date(&meta.created_at));
    let period_end = info
        .schedule
        .end
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| {
            if approved {
                meta.state_at
                    .as_deref()
                    .map_or(report_date.clone(), |s| clock.date(s))
            } else {
                report_date.clone()
            }
        });
    let report_number = match &opts.report_number {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ if !info.report_number.trim().is_empty() => info.report_number.trim().to_string(),
        _ => default_report_number(&meta.name, &meta.assessee, meta.revision, &report_date),
    };
    let organisation = opts
        .signer_org
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| Some(info.assessor_org.name.clone()).filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| meta.organisation.clone());

    // 编制 / 审核 / 批准: names from the team list, dates from the review steps.
    let approved_at = if approved {
        meta.state_at.clone()
    } else {
        None
    };
    let sign_date = approved_at.as_deref().map(|s| clock.text(s));
    let names = |kind: TeamRole, fallback: Option<&str>| {
        let n: Vec<&str> = info.signers(kind).map(|m| m.name.as_str()).collect();
        if n.is_empty() {
            fallback.unwrap_or("").to_string()
        } else {
            n.join("、")
        }
    };
    let submitted = extra
        .submitted
        .as_ref()
        .filter(|_| matches!(meta.state, State::InReview | State::Approved));
    let signoff = vec![
        SignRole {
            role: "author".into(),
            label: TeamRole::Author.label(),
            names: names(TeamRole::Author, submitted.map(|s| s.0.as_str())),
            date_text: submitted.map(|s| clock.text(&s.1)).unwrap_or_default(),
        },
        SignRole {
            role: "reviewer".into(),
            label: TeamRole::Reviewer.label(),
            names: names(
                TeamRole::Reviewer,
                if approved {
                    meta.state_by.as_deref()
                } else {
                    None
                },
            ),
            date_text: sign_date.clone().unwrap_or_default(),
        },
        SignRole {
            role: "approver".into(),
            label: TeamRole::Approver.label(),
            names: names(
                TeamRole::Approver,
                if approved {
                    meta.state_by.as_deref()
                } else {
                    None
                },
            ),
            date_text: sign_date.clone().unwrap_or_default(),
        },
    ];
    let signer_date = approved_at
        .as_deref()
        .map_or(report_date.clone(), |s| clock.date(s));

    let counts = Counts {
        requirements: requirements_total,
        conform: overall.conform,
        partial: overall.partial,
        nonconform: overall.nonconform,
        not_applicable: overall.not_applicable,
        unassessed: overall.unassessed,
        inferred_pending: overall.inferred_pending,
        to_confirm: to_confirm_total,
    };
    Ok(ReportModel {
        schema: MODEL_SCHEMA,
        generator: format!("iovaudit {}", crate::APP_VERSION),
        generated_at: generated_at.clone(),
        report_date_text: clock.text(&report_date),
        report_date: report_date.clone(),
        time_zone: tz.name().to_string(),
        time_zone_label: timefmt::zone_label(tz, Some(&generated_at)),
        report_number,
        project: ProjectInfo {
            name: meta.name.clone(),
            assessee: if info.assessee.name.trim().is_empty() {
                meta.assessee.clone()
            } else {
                info.assessee.name.clone()
            },
            organisation: meta.organisation.clone(),
            kind: meta.kind,
            kind_label: meta.kind.label(),
            state: meta.state,
            state_label: meta.state.label(),
            approved,
            revision: meta.revision,
            created_at: meta.created_at.clone(),
            created_by: meta.created_by.clone(),
            state_by: meta.state_by.clone(),
            state_at: meta.state_at.clone(),
            snapshot_hash: if approved {
                meta.snapshot_hash.clone()
            } else {
                None
            },
            period_start_text: clock.text(&period_start),
            period_end_text: clock.text(&period_end),
            period_start,
            period_end,
            packs: meta.packs.clone(),
        },
        info,
        signer: Signer {
            name: opts.signer_name.clone().filter(|s| !s.trim().is_empty()),
            organisation,
            date_text: clock.text(&signer_date),
            date: signer_date,
        },
        signoff,
        summary: Summary {
            overall_score: overall.score,
            conclusion: scores.conclusion.clone(),
            provisional: !scores.complete,
            complete: scores.complete && overall.judged > 0,
            judged: overall.judged,
            applicable: overall.applicable,
            weight_judged: overall.weight_judged,
            earned: (overall.earned * 1000.0).round() / 1000.0,
            encouraged_excluded: encouraged_total,
            progress,
            findings_open: finding_rows
                .iter()
                .filter(|f| f.status == assess::FindingStatus::Open)
                .count(),
            findings_total: finding_rows.len(),
            evidence_total: evidence_rows.len(),
            counts,
        },
        scope,
        not_applicable,
        packs: pack_reports,
        findings: finding_rows,
        problems,
        evidence: evidence_rows,
        obligations,
        risk_rule: assess::risk_rule(),
    })
}

/// `IOV-20261122-1A2B3C4D-R1`: the date, 8 hex digits of the SHA-256 of the
/// project's name and assessee, and the revision. Stable for a project.
fn default_report_number(name: &str, assessee: &str, revision: i64, date: &str) -> String {
    let h = Sha256::digest(format!("{name}\u{1f}{assessee}").as_bytes());
    let tag: String = h.iter().take(4).map(|b| format!("{b:02X}")).collect();
    format!("IOV-{}-{tag}-R{revision}", date.replace('-', ""))
}
