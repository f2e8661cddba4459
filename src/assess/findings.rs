//! Findings (整改项): a deficiency linked to a requirement, with severity,
//! owner, due date and status open → fixed → verified.

use super::find_requirement;
use crate::i18n::Text;
use crate::project::{now, Project, ProjectError, Result};
use crate::t;
use rusqlite::params;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "high" | "高" | "严重" => Some(Severity::High),
            "medium" | "中" | "一般" => Some(Severity::Medium),
            "low" | "低" | "轻微" => Some(Severity::Low),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
    pub fn label(self) -> Text {
        match self {
            Severity::High => Text::new("高", "high"),
            Severity::Medium => Text::new("中", "medium"),
            Severity::Low => Text::new("低", "low"),
        }
    }

    /// The risk level of an impact and a likelihood: the one risk matrix
    /// (see [`RISK_MATRIX`]).
    pub fn risk_of(impact: Severity, likelihood: Severity) -> Severity {
        let idx = |s: Severity| match s {
            Severity::High => 0,
            Severity::Medium => 1,
            Severity::Low => 2,
        };
        RISK_MATRIX[idx(impact)][idx(likelihood)]
    }
}

/// The risk matrix (风险矩阵): rows = impact (影响) high, medium, low;
/// columns = likelihood (可能性) high, medium, low. A high impact is at
/// least a medium risk; high × high, high × medium and medium × high are
/// high; low × low, low × medium and medium × low are low.
pub const RISK_MATRIX: [[Severity; 3]; 3] = [
    [Severity::High, Severity::High, Severity::Medium],
    [Severity::High, Severity::Medium, Severity::Low],
    [Severity::Medium, Severity::Low, Severity::Low],
];

/// How the risk level is derived, worded once for the CLI, the app and
/// reports (方法与判定准则).
pub fn risk_rule() -> Text {
    let cell = |i: Severity, l: Severity| Severity::risk_of(i, l).label();
    let levels = [Severity::High, Severity::Medium, Severity::Low];
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for i in levels {
        for l in levels {
            let (il, ll, r) = (i.label(), l.label(), cell(i, l));
            zh.push(format!("影响{}×可能性{}→{}", il.zh, ll.zh, r.zh));
            en.push(format!(
                "impact {} × likelihood {} → {}",
                il.en, ll.en, r.en
            ));
        }
    }
    Text::new(
        format!(
            "风险等级由影响程度与发生可能性按风险矩阵确定：{}；未评估影响或可能性的问题，以其严重程度作为风险等级。",
            zh.join("，")
        ),
        format!(
            "The risk level follows from impact and likelihood by the risk matrix: {}; a finding whose impact or likelihood is not assessed takes its severity as its risk level.",
            en.join(", ")
        ),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Open,
    Fixed,
    Verified,
}

impl FindingStatus {
    pub fn parse(s: &str) -> Option<FindingStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" | "待整改" | "未整改" => Some(FindingStatus::Open),
            "fixed" | "已整改" => Some(FindingStatus::Fixed),
            "verified" | "已验证" => Some(FindingStatus::Verified),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Fixed => "fixed",
            FindingStatus::Verified => "verified",
        }
    }
    pub fn label(self) -> Text {
        match self {
            FindingStatus::Open => Text::new("待整改", "open"),
            FindingStatus::Fixed => Text::new("已整改", "fixed"),
            FindingStatus::Verified => Text::new("已验证", "verified"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: i64,
    pub requirement: String,
    pub title: String,
    pub severity: Severity,
    pub owner: String,
    pub due: Option<String>,
    pub status: FindingStatus,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// 问题描述
    pub description: String,
    /// 威胁
    pub threat: String,
    /// 影响程度
    pub impact: Option<Severity>,
    /// 发生可能性
    pub likelihood: Option<Severity>,
    /// 整改建议
    pub recommendation: String,
    /// Suggested time limit (建议整改期限), free text such as 30日内.
    pub time_limit: String,
    /// [`Finding::risk`], for consumers of the serialised form.
    pub risk: Severity,
}

impl Finding {
    /// The risk level: impact × likelihood by the risk matrix when both are
    /// assessed, else the severity.
    pub fn risk(&self) -> Severity {
        match (self.impact, self.likelihood) {
            (Some(i), Some(l)) => Severity::risk_of(i, l),
            _ => self.severity,
        }
    }
}

/// Fields of a new finding or of an update (None = unchanged).
#[derive(Debug, Clone, Default)]
pub struct FindingInput {
    pub requirement: Option<String>,
    pub title: Option<String>,
    pub severity: Option<Severity>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub status: Option<FindingStatus>,
    pub note: Option<String>,
    pub description: Option<String>,
    pub threat: Option<String>,
    /// Some(None) clears.
    pub impact: Option<Option<Severity>>,
    /// Some(None) clears.
    pub likelihood: Option<Option<Severity>>,
    pub recommendation: Option<String>,
    pub time_limit: Option<String>,
}

fn check_due(due: &Option<String>) -> Result<()> {
    if let Some(d) = due {
        if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            return Err(ProjectError::invalid(t!(
                "整改期限应为日期，如 2026-12-31（而不是 `{d}`）",
                "the due date must be a date such as 2026-12-31 (not `{d}`)"
            )));
        }
    }
    Ok(())
}

pub fn add_finding(project: &mut Project, by: &str, input: &FindingInput) -> Result<i64> {
    let req = input.requirement.as_deref().unwrap_or("");
    let (_, _, r) = find_requirement(project, req)?;
    let rid = r.id.clone();
    let title = input.title.as_deref().unwrap_or("").trim().to_string();
    if title.is_empty() {
        return Err(ProjectError::invalid(t!(
            "整改项需要标题（--title）",
            "a finding needs a title (--title)"
        )));
    }
    check_due(&input.due)?;
    let severity = input.severity.unwrap_or(Severity::Medium);
    let at = now();
    let text = |o: &Option<String>| o.as_deref().unwrap_or("").trim().to_string();
    let (description, threat, recommendation, time_limit) = (
        text(&input.description),
        text(&input.threat),
        text(&input.recommendation),
        text(&input.time_limit),
    );
    let impact = input.impact.flatten();
    let likelihood = input.likelihood.flatten();
    let detail = serde_json::json!({"requirement": rid, "title": title, "severity": severity.as_str(), "owner": input.owner, "due": input.due,
        "description": description, "threat": threat, "impact": impact.map(Severity::as_str), "likelihood": likelihood.map(Severity::as_str),
        "recommendation": recommendation, "time_limit": time_limit});
    project.change(by, "finding.add", detail, |tx| {
        tx.execute(
            "INSERT INTO finding (requirement, title, severity, owner, due, status, note, created_by, created_at, updated_at,
                                  description, threat, impact, likelihood, recommendation, time_limit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                rid,
                title,
                severity.as_str(),
                input.owner.clone().unwrap_or_default(),
                input.due,
                input.status.unwrap_or(FindingStatus::Open).as_str(),
                input.note.clone().unwrap_or_default(),
                by,
                at,
                description,
                threat,
                impact.map(Severity::as_str),
                likelihood.map(Severity::as_str),
                recommendation,
                time_limit
            ],
        )?;
        Ok(tx.last_insert_rowid())
    })
}

pub fn update_finding(
    project: &mut Project,
    by: &str,
    id: i64,
    input: &FindingInput,
) -> Result<()> {
    let mut f = findings(project)?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(|| ProjectError::invalid(t!("没有编号为 {id} 的整改项", "no finding {id}")))?;
    if let Some(r) = &input.requirement {
        f.requirement = find_requirement(project, r)?.2.id.clone();
    }
    if let Some(t) = &input.title {
        f.title = t.trim().to_string();
    }
    if let Some(s) = input.severity {
        f.severity = s;
    }
    if let Some(o) = &input.owner {
        f.owner = o.clone();
    }
    if input.due.is_some() {
        check_due(&input.due)?;
        f.due = input.due.clone();
    }
    if let Some(s) = input.status {
        f.status = s;
    }
    if let Some(n) = &input.note {
        f.note = n.clone();
    }
    for (src, dst) in [
        (&input.description, &mut f.description),
        (&input.threat, &mut f.threat),
        (&input.recommendation, &mut f.recommendation),
        (&input.time_limit, &mut f.time_limit),
    ] {
        if let Some(v) = src {
            *dst = v.trim().to_string();
        }
    }
    if let Some(i) = input.impact {
        f.impact = i;
    }
    if let Some(l) = input.likelihood {
        f.likelihood = l;
    }
    let at = now();
    let detail = serde_json::json!({"id": id, "requirement": f.requirement, "title": f.title, "severity": f.severity.as_str(), "owner": f.owner, "due": f.due, "status": f.status.as_str(), "note": f.note,
        "description": f.description, "threat": f.threat, "impact": f.impact.map(Severity::as_str), "likelihood": f.likelihood.map(Severity::as_str),
        "recommendation": f.recommendation, "time_limit": f.time_limit});
    project.change(by, "finding.update", detail, |tx| {
        tx.execute(
            "UPDATE finding SET requirement = ?2, title = ?3, severity = ?4, owner = ?5, due = ?6, status = ?7, note = ?8, updated_at = ?9,
             description = ?10, threat = ?11, impact = ?12, likelihood = ?13, recommendation = ?14, time_limit = ?15 WHERE id = ?1",
            params![id, f.requirement, f.title, f.severity.as_str(), f.owner, f.due, f.status.as_str(), f.note, at,
                f.description, f.threat, f.impact.map(Severity::as_str), f.likelihood.map(Severity::as_str), f.recommendation, f.time_limit],
        )?;
        Ok(())
    })
}

pub fn findings(project: &Project) -> Result<Vec<Finding>> {
    let mut st = project
        .conn()
        .prepare("SELECT id, requirement, title, severity, owner, due, status, note, created_by, created_at, updated_at,
                  description, threat, impact, likelihood, recommendation, time_limit FROM finding ORDER BY id")
        .map_err(|e| project.db_err(e))?;
    st.query_map([], |r| {
        let sev: String = r.get(3)?;
        let status: String = r.get(6)?;
        let level = |v: Option<String>| v.as_deref().and_then(Severity::parse);
        let mut f = Finding {
            id: r.get(0)?,
            requirement: r.get(1)?,
            title: r.get(2)?,
            severity: Severity::parse(&sev).unwrap_or(Severity::Medium),
            owner: r.get(4)?,
            due: r.get(5)?,
            status: FindingStatus::parse(&status).unwrap_or(FindingStatus::Open),
            note: r.get(7)?,
            created_by: r.get(8)?,
            created_at: r.get(9)?,
            updated_at: r.get(10)?,
            description: r.get(11)?,
            threat: r.get(12)?,
            impact: level(r.get(13)?),
            likelihood: level(r.get(14)?),
            recommendation: r.get(15)?,
            time_limit: r.get(16)?,
            risk: Severity::Medium,
        };
        f.risk = f.risk();
        Ok(f)
    })
    .and_then(|r| r.collect())
    .map_err(|e| project.db_err(e))
}

/// How many findings each requirement id has (including ids no longer in
/// the project's packs).
pub(crate) fn finding_counts(
    project: &Project,
) -> Result<std::collections::BTreeMap<String, usize>> {
    let mut out = std::collections::BTreeMap::new();
    for f in findings(project)? {
        *out.entry(f.requirement).or_insert(0) += 1;
    }
    Ok(out)
}
