//! Verdicts proposed from tool output (see [`crate::scan`]): stored like
//! mapping inferences — `inferred_from = "evidence:ID"`, `confirmed = 0` —
//! so they count only once a person confirms them (`assess confirm`), and
//! never over a person's verdict.
//!
//! Rules (GB 44495):
//! - 7.1.1.1 and 7.3.1.2: a high-or-critical vulnerability published at
//!   least the pack's `unremediated_high_vuln_age` (6 months) before the scan
//!   day and not marked handled by the report → 不符合, the list of them as
//!   the justification; none → the scan supports 符合. A high-or-critical
//!   finding whose report gives no publication date (Grype) leaves the
//!   requirement to a person. The age comes from the pack's parameter; a
//!   pack without it gets no proposal.
//! - 7.1.1.2: the open ports nmap found against the declared business-port
//!   list (the latest `ports` evidence) → each undeclared port listed,
//!   不符合; all declared → 符合.
//!
//! A proposal is made only for a requirement of the project's packs that is
//! applicable under the scope (open scope questions leave it to a person).

use super::{applicability, find_requirement, recorded_verdict, scope, Applicability, Verdict};
use crate::i18n::Text;
use crate::pack::Requirement;
use crate::project::{Project, Result};
use crate::scan::{self, Kind, Summary, Vulnerability};
use crate::t;
use chrono::{Months, NaiveDate};
use rusqlite::{params, Transaction};
use serde::Serialize;

/// The requirements the vulnerability rule speaks of.
pub const VULNERABILITY_RULE: [&str; 2] = ["GB44495-7.1.1.1", "GB44495-7.3.1.2"];
/// The requirement the port rule speaks of.
pub const PORT_RULE: &str = "GB44495-7.1.1.2";
/// The pack parameter giving the age past which an unhandled high-or-critical
/// vulnerability fails the vulnerability rule.
pub const AGE_PARAM: &str = "unremediated_high_vuln_age";
/// At most this many items are written into a justification (the summary
/// keeps them all).
const NOTE_ITEMS: usize = 50;

/// A stored summary and its evidence id.
type Scan<'a> = (i64, &'a Summary);

/// A verdict a scan supports for one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct ScanProposal {
    pub requirement: String,
    /// What the scan supports; `None` when it cannot say (see `skipped`).
    pub verdict: Option<Verdict>,
    /// `evidence:ID` — what `inferred_from` records.
    pub source: String,
    /// The justification (stored as `zh / en`).
    pub note: Text,
    /// The vulnerabilities or ports the justification names.
    pub items: Vec<String>,
    /// Written as an unconfirmed inferred verdict.
    pub stored: bool,
    /// Why it was not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Text>,
}

/// `evidence:ID` for an evidence id.
pub fn source_of(evidence_id: i64) -> String {
    format!("evidence:{evidence_id}")
}

/// The evidence id in an `inferred_from` value written by this module.
pub fn evidence_source(inferred_from: &str) -> Option<i64> {
    inferred_from.strip_prefix("evidence:")?.parse().ok()
}

/// How to print an `inferred_from` value: `evidence:12` → 证据 #12（工具输出）/
/// evidence #12 (tool output); a requirement id → that id (mapping inference).
pub fn source_label(inferred_from: &str) -> Text {
    match evidence_source(inferred_from) {
        Some(id) => t!("证据 #{id}（工具输出）", "evidence #{id} (tool output)"),
        None => Text::new(inferred_from, inferred_from),
    }
}

/// Whether a proposal for `id` may be written, and the requirement if so.
fn gate<'a>(project: &'a Project, id: &str) -> Result<std::result::Result<&'a Requirement, Text>> {
    let Ok((pack, _, req)) = find_requirement(project, id) else {
        return Ok(Err(t!(
            "{id} 不在本项目的检查单中",
            "{id} is not in the project's packs"
        )));
    };
    let answers = scope(project)?;
    match applicability(project.library(), pack, req, &answers) {
        Applicability::Applicable => {}
        Applicability::NotApplicable { reason } => return Ok(Err(reason)),
        Applicability::Open { questions } => {
            let q = questions.join(", ");
            return Ok(Err(t!(
                "适用性问题未回答（{q}），由评估人判定",
                "scope questions are open ({q}); left to a person"
            )));
        }
    }
    Ok(Ok(req))
}

/// Adds the "a person's verdict is recorded" reason where it applies.
fn keep_person(project: &Project, p: &mut ScanProposal) -> Result<()> {
    if p.skipped.is_some() || p.verdict.is_none() {
        p.stored = false;
        return Ok(());
    }
    let rec = recorded_verdict(project, &p.requirement)?;
    if let Some(r) = rec.filter(|r| r.inferred_from.is_none() || r.confirmed) {
        let v = r.verdict.label();
        p.stored = false;
        p.skipped = Some(Text::new(
            format!("已有评估人的结论「{}」，保留不变", v.zh),
            format!("a person's verdict ('{}') is recorded and kept", v.en),
        ));
    } else {
        p.stored = true;
    }
    Ok(())
}

fn skipped(requirement: &str, source: &str, why: Text) -> ScanProposal {
    ScanProposal {
        requirement: requirement.to_string(),
        verdict: None,
        source: source.to_string(),
        note: Text::default(),
        items: vec![],
        stored: false,
        skipped: Some(why),
    }
}

/// The proposals a newly imported scan supports (nothing is written here;
/// [`store`] writes them inside the import's transaction).
pub fn for_scan(
    project: &Project,
    evidence_id: i64,
    summary: &Summary,
    scan_date: NaiveDate,
    requested: &[String],
) -> Result<Vec<ScanProposal>> {
    let wanted =
        |rid: &str| requested.is_empty() || requested.iter().any(|r| r.eq_ignore_ascii_case(rid));
    let source = source_of(evidence_id);
    let mut out = Vec::new();
    if summary.vulnerability_scan {
        for rid in VULNERABILITY_RULE.iter().filter(|r| wanted(r)) {
            let mut p = match gate(project, rid)? {
                Err(why) => skipped(rid, &source, why),
                Ok(req) => vulnerability_rule(req, evidence_id, summary, scan_date),
            };
            keep_person(project, &mut p)?;
            out.push(p);
        }
    }
    // The port rule compares the latest nmap scan with the latest port list;
    // importing either re-runs it.
    let other = match summary.kind {
        Kind::Nmap if wanted(PORT_RULE) => scan::latest_of_kind(project, Kind::Ports)?,
        Kind::Ports if wanted(PORT_RULE) => scan::latest_of_kind(project, Kind::Nmap)?,
        _ => None,
    };
    let ports: Option<(i64, &Summary, Option<Scan<'_>>)> = match summary.kind {
        Kind::Nmap if wanted(PORT_RULE) => Some((
            evidence_id,
            summary,
            other.as_ref().map(|s| (s.evidence_id, &s.summary)),
        )),
        Kind::Ports => other
            .as_ref()
            .map(|n| (n.evidence_id, &n.summary, Some((evidence_id, summary)))),
        _ => None,
    };
    if let Some((nmap_id, nmap, declared)) = ports {
        let src = source_of(nmap_id);
        let mut p = match (gate(project, PORT_RULE)?, declared) {
            (Err(why), _) => skipped(PORT_RULE, &src, why),
            (Ok(_), None) => skipped(
                PORT_RULE,
                &src,
                t!(
                    "尚未导入业务端口清单（evidence import-scan … --kind ports），无法比对开放端口",
                    "no declared business-port list has been imported (evidence import-scan … --kind ports); the open ports cannot be compared"
                ),
            ),
            (Ok(_), Some((list_id, list))) => port_rule(nmap_id, nmap, list_id, list),
        };
        keep_person(project, &mut p)?;
        out.push(p);
    }
    Ok(out)
}

/// The age limit from the requirement's parameter: the cut-off day (a
/// vulnerability published on or before it is overdue), and its wording.
fn cutoff(req: &Requirement, scan_date: NaiveDate) -> Option<(NaiveDate, Text)> {
    let p = req.params.iter().find(|p| p.key == AGE_PARAM)?;
    if !(p.value.is_finite() && p.value > 0.0 && p.value < 1000.0) {
        return None;
    }
    let unit = p.unit.trim().to_ascii_lowercase();
    let v = p.value;
    let whole = v.fract() == 0.0;
    let (mut day, zh, en) = match unit.trim_end_matches('s') {
        "month" if whole => (
            scan_date.checked_sub_months(Months::new(v as u32))?,
            format!("{v} 个月"),
            format!("{v} months"),
        ),
        "year" if whole => (
            scan_date.checked_sub_months(Months::new(v as u32 * 12))?,
            format!("{v} 年"),
            format!("{v} years"),
        ),
        "day" if whole => (
            scan_date.checked_sub_days(chrono::Days::new(v as u64))?,
            format!("{v} 天"),
            format!("{v} days"),
        ),
        _ => return None,
    };
    // `<` N: an age of N or more fails (published on or before the cut-off);
    // `<=` N: only an age over N fails.
    if p.op.trim() == "<=" {
        day = day.pred_opt()?;
    }
    Some((day, Text::new(zh, en)))
}

fn vuln_item(v: &Vulnerability) -> String {
    let mut s = format!("{} [{}]", v.id, v.severity.as_str());
    if !v.package.is_empty() {
        s.push(' ');
        s.push_str(&v.package);
        if let Some(i) = &v.installed_version {
            s.push(' ');
            s.push_str(i);
        }
    }
    if let Some(f) = &v.fixed_version {
        s.push_str(&format!(" → {f}"));
    }
    if let Some(d) = v.published_date() {
        s.push_str(&format!(", {d}"));
    }
    if let Some(c) = v.cvss {
        s.push_str(&format!(", CVSS {c}"));
    }
    s
}

fn listed(items: &[String]) -> (String, String) {
    let shown = items
        .iter()
        .take(NOTE_ITEMS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    let more = items.len().saturating_sub(NOTE_ITEMS);
    if more == 0 {
        (shown.clone(), shown)
    } else {
        (
            format!("{shown}；另有 {more} 项见扫描摘要"),
            format!("{shown}; {more} more in the scan summary"),
        )
    }
}

fn vulnerability_rule(
    req: &Requirement,
    evidence_id: i64,
    summary: &Summary,
    scan_date: NaiveDate,
) -> ScanProposal {
    let source = source_of(evidence_id);
    let rid = req.id.clone();
    let Some((cut, age)) = cutoff(req, scan_date) else {
        return skipped(
            &rid,
            &source,
            t!(
                "检查单未给出 {rid} 的漏洞时限参数 `{AGE_PARAM}`，无法按时限比对",
                "the pack gives {rid} no `{AGE_PARAM}` parameter; the age rule cannot be applied"
            ),
        );
    };
    let tool = summary.kind.label();
    let mut seen = std::collections::BTreeSet::new();
    let high: Vec<&Vulnerability> = summary
        .vulnerabilities
        .iter()
        .filter(|v| v.severity.high_or_above())
        .filter(|v| seen.insert((v.id.clone(), v.package.clone(), v.installed_version.clone())))
        .collect();
    let open: Vec<&&Vulnerability> = high.iter().filter(|v| !v.handled).collect();
    let overdue: Vec<String> = open
        .iter()
        .filter(|v| v.published_date().is_some_and(|d| d <= cut))
        .map(|v| vuln_item(v))
        .collect();
    let undated: Vec<String> = open
        .iter()
        .filter(|v| v.published_date().is_none())
        .map(|v| vuln_item(v))
        .collect();
    let recent = open.len() - overdue.len() - undated.len();
    let handled = high.len() - open.len();
    let head_zh = format!(
        "扫描结果（证据 #{evidence_id}，{}，扫描日 {scan_date}）",
        tool.zh
    );
    let head_en = format!(
        "The scan (evidence #{evidence_id}, {}, scanned {scan_date})",
        tool.en
    );
    let (age_zh, age_en) = (age.zh, age.en);
    if !overdue.is_empty() {
        let n = overdue.len();
        let (lz, le) = listed(&overdue);
        return ScanProposal {
            requirement: rid,
            verdict: Some(Verdict::Nonconform),
            source,
            note: Text::new(
                format!("{head_zh}中有 {n} 个发布已满 {age_zh}（{cut} 或更早发布）且未处置的高危及以上漏洞：{lz}"),
                format!("{head_en} has {n} high-or-critical vulnerabilit{} published {age_en} or more before the scan (on or before {cut}) and not handled: {le}", if n == 1 { "y" } else { "ies" }),
            ),
            items: overdue,
            stored: false,
            skipped: None,
        };
    }
    if !undated.is_empty() {
        let n = undated.len();
        let (lz, le) = listed(&undated);
        return ScanProposal {
            requirement: rid,
            verdict: None,
            source,
            note: Text::default(),
            items: undated,
            stored: false,
            skipped: Some(Text::new(
                format!("{head_zh}中有 {n} 个未处置的高危及以上漏洞，但报告未给出发布日期，无法判断是否已满 {age_zh}，由评估人判定：{lz}"),
                format!("{head_en} has {n} unhandled high-or-critical vulnerabilit{} without a publication date in the report, so their age against {age_en} is unknown; left to a person: {le}", if n == 1 { "y" } else { "ies" }),
            )),
        };
    }
    ScanProposal {
        requirement: rid,
        verdict: Some(Verdict::Conform),
        source,
        note: Text::new(
            format!("{head_zh}未发现发布已满 {age_zh}且未处置的高危及以上漏洞（高危及以上共 {} 个：{recent} 个发布未满 {age_zh}，{handled} 个已在报告中标记处置）", high.len()),
            format!("{head_en} shows no high-or-critical vulnerability published {age_en} or more before the scan and not handled ({} high or critical: {recent} published less than {age_en} before, {handled} marked handled in the report)", high.len()),
        ),
        items: vec![],
        stored: false,
        skipped: None,
    }
}

/// Which ports the list declares, per protocol: linear in the list and the
/// port space (ranges are added through a difference array).
fn coverage(list: &Summary) -> std::collections::BTreeMap<String, Vec<bool>> {
    let mut diff: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    for d in &list.declared_ports {
        let v = diff
            .entry(d.protocol.to_ascii_lowercase())
            .or_insert_with(|| vec![0; 65537]);
        let hi = d.port_to.unwrap_or(d.port).max(d.port);
        v[usize::from(d.port)] += 1;
        v[usize::from(hi) + 1] -= 1;
    }
    diff.into_iter()
        .map(|(proto, d)| {
            let mut run = 0;
            let cov = d[..65536]
                .iter()
                .map(|x| {
                    run += x;
                    run > 0
                })
                .collect();
            (proto, cov)
        })
        .collect()
}

fn port_rule(nmap_id: i64, nmap: &Summary, list_id: i64, list: &Summary) -> ScanProposal {
    let source = source_of(nmap_id);
    let open = nmap.open_ports();
    let item = |h: &scan::Host, p: &scan::Port| {
        let mut s = format!("{} {}/{}", h.address, p.protocol, p.port);
        let svc: Vec<&str> = [
            p.service.as_deref(),
            p.product.as_deref(),
            p.version.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !svc.is_empty() {
            s.push_str(&format!(" ({})", svc.join(" ")));
        }
        s
    };
    let declared = coverage(list);
    let undeclared: Vec<String> = open
        .iter()
        .filter(|(_, p)| {
            !declared
                .get(p.protocol.to_ascii_lowercase().as_str())
                .is_some_and(|c| c[usize::from(p.port)])
        })
        .map(|(h, p)| item(h, p))
        .collect();
    let head_zh = format!("nmap 扫描（证据 #{nmap_id}）与业务端口清单（证据 #{list_id}）比对");
    let head_en = format!("The nmap scan (evidence #{nmap_id}) against the declared business-port list (evidence #{list_id})");
    let n_open = open.len();
    if !undeclared.is_empty() {
        let n = undeclared.len();
        let (lz, le) = listed(&undeclared);
        return ScanProposal {
            requirement: PORT_RULE.to_string(),
            verdict: Some(Verdict::Nonconform),
            source,
            note: Text::new(
                format!("{head_zh}：{n_open} 个开放端口中有 {n} 个不在清单中：{lz}"),
                format!("{head_en}: {n} of {n_open} open port(s) not declared: {le}"),
            ),
            items: undeclared,
            stored: false,
            skipped: None,
        };
    }
    let all: Vec<String> = open.iter().map(|(h, p)| item(h, p)).collect();
    let (lz, le) = listed(&all);
    ScanProposal {
        requirement: PORT_RULE.to_string(),
        verdict: Some(Verdict::Conform),
        source,
        note: Text::new(
            format!(
                "{head_zh}：{n_open} 个开放端口均在清单中{}",
                if all.is_empty() {
                    String::new()
                } else {
                    format!("：{lz}")
                }
            ),
            format!(
                "{head_en}: all {n_open} open port(s) are declared{}",
                if all.is_empty() {
                    String::new()
                } else {
                    format!(": {le}")
                }
            ),
        ),
        items: all,
        stored: false,
        skipped: None,
    }
}

/// Writes the proposals marked `stored` as unconfirmed inferred verdicts
/// (inside the caller's transaction; [`for_scan`] already kept a person's
/// verdict out).
pub fn store(
    tx: &Transaction<'_>,
    by: &str,
    at: &str,
    proposals: &[ScanProposal],
) -> rusqlite::Result<()> {
    for p in proposals.iter().filter(|p| p.stored) {
        let Some(v) = p.verdict else { continue };
        let note = format!("{} / {}", p.note.zh, p.note.en);
        tx.execute(
            "INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
             ON CONFLICT(requirement) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, assessor = excluded.assessor,
             at = excluded.at, inferred_from = excluded.inferred_from, confirmed = 0, rejudge = NULL
             WHERE verdict.inferred_from IS NOT NULL AND verdict.confirmed = 0",
            params![p.requirement, v.as_str(), note, by, at, p.source],
        )?;
    }
    Ok(())
}
