//! The report model: everything the report shows, read from a project in one
//! pass and kept bilingual ([`Text`]) so one model serves the zh and the en
//! report, the XLSX form and the JSON export.

use super::{ReportError, ReportOptions};
use crate::assess::{self, Applicability, Verdict};
use crate::evidence;
use crate::i18n::{Lang, Text};
use crate::pack::{Answer, Library, Method};
use crate::project::{Kind, Project, State};
use crate::score;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Version of the model's shape (and of the JSON export built from it).
pub const MODEL_SCHEMA: u32 = 1;

/// Everything the report shows. Built by [`super::build_model`]; read by the
/// templates (as `m`), by the XLSX form and by the JSON export.
#[derive(Debug, Clone, Serialize)]
pub struct ReportModel {
    pub schema: u32,
    /// `iovaudit <version>`.
    pub generator: String,
    /// RFC 3339, UTC: the time the report says it was made.
    pub generated_at: String,
    /// `YYYY-MM-DD` of `generated_at`.
    pub report_date: String,
    pub report_number: String,
    pub project: ProjectInfo,
    pub signer: Signer,
    pub summary: Summary,
    /// Answers to the scoping questions, in library order.
    pub scope: Vec<ScopeAnswer>,
    /// Every requirement judged or ruled 不适用, with its reason.
    pub not_applicable: Vec<NaItem>,
    pub packs: Vec<PackReport>,
    pub findings: Vec<FindingRow>,
    pub evidence: Vec<EvidenceRow>,
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
    /// Assessment period: `YYYY-MM-DD` from project creation to approval (or generation).
    pub period_start: String,
    pub period_end: String,
    /// Packs with the version recorded in the project.
    pub packs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub name: Option<String>,
    pub organisation: String,
    pub date: String,
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
    /// 0–100 over every counted requirement of every pack; `None` while nothing is judged.
    pub overall_score: Option<f64>,
    /// The worst pack conclusion.
    pub conclusion: Option<Text>,
    /// True while any applicable requirement is not judged: the conclusion is provisional.
    pub provisional: bool,
    pub counts: Counts,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct NaItem {
    pub pack: String,
    pub requirement: String,
    pub clause: String,
    pub title: Text,
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
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PackReport {
    pub id: String,
    pub title: Text,
    pub doc_number: String,
    pub version: String,
    pub issuer: Text,
    pub score: Option<f64>,
    pub conclusion: Option<Text>,
    pub complete: bool,
    pub tally: Tally,
    pub veto_failed: Vec<String>,
    /// How many of its requirements are inferred (*to be confirmed* mark).
    pub to_confirm: usize,
    /// How many come from an unofficial full text (*to be checked* mark).
    pub fulltext: usize,
    /// SHA-256 of the pack content the project is assessed against.
    pub sha256: String,
    pub sections: Vec<SectionReport>,
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

#[derive(Debug, Clone, Serialize)]
pub struct RequirementRow {
    pub id: String,
    pub pack: String,
    pub section: String,
    pub clause: String,
    pub title: Text,
    pub text: Text,
    pub obligation: Text,
    pub weight: u8,
    pub veto: bool,
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
    pub assessor: Option<String>,
    pub assessed_at: Option<String>,
    /// The verdict was proposed from a mapped requirement (`inferred_from`).
    pub inferred: bool,
    pub inferred_from: Option<String>,
    /// An inferred verdict a person has confirmed.
    pub inferred_confirmed: bool,
    pub methods: Vec<Text>,
    /// Evidence references (`E-001`) in id order.
    pub evidence_refs: Vec<String>,
    pub evidence_ids: Vec<i64>,
    pub evidence_sha256: Vec<String>,
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
    pub status: assess::FindingStatus,
    pub status_label: Text,
    pub note: String,
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
    pub collected_by: String,
    pub revision: i64,
    pub sha256: String,
    pub sm3: String,
    pub requirements: Vec<String>,
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
pub fn date_of(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
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
    use crate::i18n::Lang;
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

pub(crate) fn build(project: &Project, opts: &ReportOptions) -> Result<ReportModel, ReportError> {
    let meta = project.meta()?;
    let lib = project.library();
    let generated_at = match &opts.generated_at {
        Some(s) => normalise_time(s)?,
        None => crate::project::now(),
    };
    let report_date = date_of(&generated_at);
    let statuses = assess::statuses(project)?;
    let packs = project.packs()?;
    let scores = score::score(&packs, &statuses);
    let items = evidence::list(project)?;
    let findings = assess::findings(project)?;
    let answers = assess::scope(project)?;

    let approved = meta.state == State::Approved;
    let ev_by_id: BTreeMap<i64, &evidence::Item> = items.iter().map(|i| (i.id, i)).collect();

    // Scope answers in library order.
    let scope = lib
        .questions
        .iter()
        .filter_map(|q| {
            answers.get(&q.id).map(|a| ScopeAnswer {
                question: q.id.clone(),
                label: q.label.clone(),
                answer: answer_text(lib, &q.id, a),
            })
        })
        .collect();

    let mut not_applicable = Vec::new();
    let mut counts = Counts {
        requirements: 0,
        conform: 0,
        partial: 0,
        nonconform: 0,
        not_applicable: 0,
        unassessed: 0,
        inferred_pending: 0,
        to_confirm: 0,
    };
    let mut pack_reports = Vec::new();
    for (pack, ps) in packs.iter().zip(&scores.packs) {
        let mut sections = Vec::new();
        let mut pack_to_confirm = 0;
        let mut pack_fulltext = 0;
        for (sec, ss) in pack.sections.iter().zip(&ps.sections) {
            let mut rows = Vec::new();
            for req in &sec.requirements {
                let Some(st) = statuses.iter().find(|s| s.requirement == req.id) else {
                    continue;
                };
                counts.requirements += 1;
                let pending =
                    st.recorded.as_ref().is_some_and(|r| !r.confirmed) && st.verdict != Verdict::Na;
                if pending {
                    counts.inferred_pending += 1;
                }
                match st.verdict {
                    Verdict::Conform => counts.conform += 1,
                    Verdict::Partial => counts.partial += 1,
                    Verdict::Nonconform => counts.nonconform += 1,
                    Verdict::Na => counts.not_applicable += 1,
                    Verdict::Unassessed => counts.unassessed += 1,
                }
                if req.to_confirm {
                    counts.to_confirm += 1;
                }
                match req.provenance {
                    crate::pack::Provenance::Inferred => pack_to_confirm += 1,
                    crate::pack::Provenance::Fulltext => pack_fulltext += 1,
                    _ => {}
                }
                let scope_reason = match &st.applicability {
                    Applicability::NotApplicable { reason } => Some(reason.clone()),
                    _ => None,
                };
                let note = st
                    .recorded
                    .as_ref()
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
                rows.push(RequirementRow {
                    id: req.id.clone(),
                    pack: pack.id.clone(),
                    section: sec.id.clone(),
                    clause: req.clause.clone(),
                    title: req.title.clone(),
                    text: req.text.clone(),
                    obligation: req.obligation.label(),
                    weight: req.weight,
                    veto: req.veto,
                    to_confirm: req.to_confirm,
                    provenance: req.provenance,
                    value_basis: value_basis(req),
                    rejudge: rec.filter(|r| !r.confirmed).and_then(|r| r.rejudge.clone()),
                    verdict: st.verdict,
                    verdict_label: st.verdict.label(),
                    justification,
                    assessor: rec.map(|r| r.assessor.clone()),
                    assessed_at: rec.map(|r| r.at.clone()),
                    inferred: rec.is_some_and(|r| r.inferred_from.is_some()),
                    inferred_from: rec.and_then(|r| r.inferred_from.clone()),
                    inferred_confirmed: rec
                        .is_some_and(|r| r.inferred_from.is_some() && r.confirmed),
                    methods: req.methods.iter().map(|m: &Method| m.label()).collect(),
                    evidence_refs: ev_ids.iter().map(|i| evidence_ref(*i)).collect(),
                    evidence_sha256: ev_ids
                        .iter()
                        .filter_map(|i| ev_by_id.get(i).map(|e| e.sha256.clone()))
                        .collect(),
                    evidence_ids: ev_ids,
                });
            }
            sections.push(SectionReport {
                id: sec.id.clone(),
                clause: sec.clause.clone(),
                title: sec.title.clone(),
                score: ss.tally.score,
                tally: (&ss.tally).into(),
                requirements: rows,
            });
        }
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
            score: ps.tally.score,
            conclusion: ps.conclusion.clone(),
            complete: ps.complete,
            tally: (&ps.tally).into(),
            veto_failed: ps.veto_failed.clone(),
            to_confirm: pack_to_confirm,
            fulltext: pack_fulltext,
            sha256: lib
                .pack_file(&pack.id)
                .map(|f| f.sha256.clone())
                .unwrap_or_default(),
            sections,
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
        .map(|f| FindingRow {
            id: f.id,
            reference: finding_ref(f.id),
            requirement: f.requirement.clone(),
            clause: clause_of(&f.requirement),
            title: f.title.clone(),
            severity: f.severity,
            severity_label: f.severity.label(),
            owner: f.owner.clone(),
            due: f.due.clone(),
            status: f.status,
            status_label: f.status.label(),
            note: f.note.clone(),
        })
        .collect();
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
            collected_by: i.collected_by.clone(),
            revision: i.revision,
            sha256: i.sha256.clone(),
            sm3: i.sm3.clone(),
            requirements: i.requirements.clone(),
        })
        .collect();

    let overall = &scores.overall;
    let progress = if overall.applicable == 0 {
        100.0
    } else {
        (overall.judged as f64 / overall.applicable as f64 * 1000.0).round() / 10.0
    };
    let period_end = if approved {
        meta.state_at
            .as_deref()
            .map_or(report_date.clone(), date_of)
    } else {
        report_date.clone()
    };
    let report_number = match &opts.report_number {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ => default_report_number(&meta.name, &meta.assessee, meta.revision, &report_date),
    };
    let organisation = opts
        .signer_org
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| meta.organisation.clone());
    Ok(ReportModel {
        schema: MODEL_SCHEMA,
        generator: format!("iovaudit {}", crate::APP_VERSION),
        generated_at,
        report_date: report_date.clone(),
        report_number,
        project: ProjectInfo {
            name: meta.name.clone(),
            assessee: meta.assessee.clone(),
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
            period_start: date_of(&meta.created_at),
            period_end,
            packs: meta.packs.clone(),
        },
        signer: Signer {
            name: opts.signer_name.clone().filter(|s| !s.trim().is_empty()),
            organisation,
            date: report_date,
        },
        summary: Summary {
            overall_score: overall.score,
            conclusion: scores.conclusion.clone(),
            provisional: !scores.complete,
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
        evidence: evidence_rows,
    })
}

/// `IOV-20261122-1A2B3C4D-R1`: the date, 8 hex digits of the SHA-256 of the
/// project's name and assessee, and the revision. Stable for a project.
fn default_report_number(name: &str, assessee: &str, revision: i64, date: &str) -> String {
    let h = Sha256::digest(format!("{name}\u{1f}{assessee}").as_bytes());
    let tag: String = h.iter().take(4).map(|b| format!("{b:02X}")).collect();
    format!("IOV-{}-{tag}-R{revision}", date.replace('-', ""))
}
