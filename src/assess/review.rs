//! Review and sign-off: draft → in review → approved. Approval locks the
//! project and records a snapshot hash of everything the report will
//! contain; reopening starts a new revision. Every transition is journalled.

use super::{findings, recorded_verdicts, scope, scope_records, statuses, Applicability, Verdict};
use crate::i18n::Text;
use crate::project::{now, Project, ProjectError, Result, State};
use crate::t;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Everything the report rests on, as canonical JSON (object keys sorted).
pub fn snapshot(project: &Project) -> Result<serde_json::Value> {
    let meta = project.meta()?;
    let answers = scope(project)?;
    let verdicts = recorded_verdicts(project)?;
    let effective: Vec<_> = statuses(project)?
        .iter()
        .map(|s| json!({"requirement": s.requirement, "verdict": s.verdict.as_str(), "evidence": s.evidence}))
        .collect();
    let mut st = project
        .conn()
        .prepare(
            "SELECT e.id, e.title, e.method, r.revision, r.original_name, r.size, r.sha256, r.sm3, e.doc_version, e.issuer
             FROM evidence e JOIN evidence_revision r ON r.evidence_id = e.id ORDER BY e.id, r.revision",
        )
        .map_err(|e| project.db_err(e))?;
    let evidence: Vec<serde_json::Value> = st
        .query_map([], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "title": r.get::<_, String>(1)?, "method": r.get::<_, String>(2)?,
                "revision": r.get::<_, i64>(3)?, "original_name": r.get::<_, String>(4)?, "size": r.get::<_, i64>(5)?,
                "sha256": r.get::<_, String>(6)?, "sm3": r.get::<_, String>(7)?,
                "doc_version": r.get::<_, String>(8)?, "issuer": r.get::<_, String>(9)?,
            }))
        })
        .and_then(|r| r.collect())
        .map_err(|e| project.db_err(e))?;
    Ok(json!({
        "project": {"name": meta.name, "assessee": meta.assessee, "kind": meta.kind, "organisation": meta.organisation, "revision": meta.revision, "packs": meta.packs},
        "scope": answers,
        "scope_records": scope_records(project)?,
        "info": crate::project::info::info(project)?,
        "verdicts": verdicts,
        "effective": effective,
        "evidence": evidence,
        "findings": findings(project)?,
    }))
}

/// One judged requirement that rests on no linked evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WithoutEvidence {
    pub requirement: String,
    pub verdict: Verdict,
    pub veto: bool,
    /// The recorded reason why no evidence is linked (empty = none).
    pub evidence_reason: String,
    /// True when this item blocks approval (`require_evidence` is set, the
    /// verdict is 符合/不符合 or the item is a judged veto item, and no
    /// reason is recorded).
    pub blocks: bool,
}

/// What the review would say about the project now: verdicts without
/// evidence (a warning), and, when the project requires evidence, the items
/// that block approval.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Readiness {
    pub require_evidence: bool,
    /// Judged requirements (符合, 部分符合, 不符合) with no linked evidence.
    pub without_evidence: Vec<WithoutEvidence>,
    /// Inferred verdicts awaiting confirmation (block submission).
    pub unconfirmed: Vec<String>,
    /// Verdicts to judge again after a pack upgrade (block submission).
    pub rejudge: Vec<String>,
}

impl Readiness {
    /// The requirements that block approval under `require_evidence`.
    pub fn evidence_blockers(&self) -> Vec<&str> {
        self.without_evidence
            .iter()
            .filter(|w| w.blocks)
            .map(|w| w.requirement.as_str())
            .collect()
    }

    /// The warnings and refusals, worded for people.
    pub fn messages(&self) -> Vec<Text> {
        let mut out = Vec::new();
        let plain: Vec<&str> = self
            .without_evidence
            .iter()
            .filter(|w| !w.blocks && w.evidence_reason.is_empty())
            .map(|w| w.requirement.as_str())
            .collect();
        if !plain.is_empty() {
            let (n, list) = (plain.len(), plain.join(", "));
            out.push(t!(
                "{n} 项结论没有关联证据（{list}）",
                "{n} verdict(s) have no linked evidence ({list})"
            ));
        }
        let b = self.evidence_blockers();
        if !b.is_empty() {
            let (n, list) = (b.len(), b.join(", "));
            out.push(t!(
                "本项目要求证据：{n} 项符合/不符合或否决项结论既无关联证据也未记录理由（{list}），批准前请关联证据或用 assess set --evidence-reason 说明理由",
                "this project requires evidence: {n} conformant/non-conformant or veto verdict(s) have neither linked evidence nor a recorded reason ({list}); link evidence or give a reason with assess set --evidence-reason before approval"
            ));
        }
        out
    }
}

/// The readiness of the project for review and approval. The evidence rule
/// (with `require_evidence`): every applicable requirement judged 符合 or
/// 不符合, and every judged veto item, needs at least one linked evidence
/// item or a recorded `evidence_reason`; the observation does not count as a
/// reason.
pub fn readiness(project: &Project) -> Result<Readiness> {
    let require = crate::project::info::info(project)?.require_evidence;
    let mut r = Readiness {
        require_evidence: require,
        ..Default::default()
    };
    for s in statuses(project)? {
        let Some(rec) = &s.recorded else { continue };
        if matches!(s.applicability, Applicability::NotApplicable { .. }) {
            continue;
        }
        if !rec.confirmed {
            if rec.rejudge.is_some() {
                r.rejudge.push(s.requirement.clone());
            } else {
                r.unconfirmed.push(s.requirement.clone());
            }
        }
        let judged = matches!(
            s.verdict,
            Verdict::Conform | Verdict::Partial | Verdict::Nonconform
        );
        if judged && s.evidence.is_empty() {
            let strict = matches!(s.verdict, Verdict::Conform | Verdict::Nonconform) || s.veto;
            r.without_evidence.push(WithoutEvidence {
                requirement: s.requirement.clone(),
                verdict: s.verdict,
                veto: s.veto,
                evidence_reason: rec.evidence_reason.clone(),
                blocks: require && strict && rec.evidence_reason.trim().is_empty(),
            });
        }
    }
    Ok(r)
}

/// SHA-256 of the canonical snapshot.
pub fn snapshot_hash(project: &Project) -> Result<String> {
    let v = snapshot(project)?;
    Ok(crate::journal::hex(&Sha256::digest(
        v.to_string().as_bytes(),
    )))
}

fn transition(
    project: &mut Project,
    by: &str,
    from: &[State],
    to: State,
    action: &str,
) -> Result<Option<String>> {
    let meta = project.meta()?;
    if !from.contains(&meta.state) {
        let (cur, want) = (meta.state.label(), to.label());
        return Err(ProjectError::invalid(Text::new(
            format!("项目当前为「{}」，不能转为「{}」", cur.zh, want.zh),
            format!("the project is {} and cannot become {}", cur.en, want.en),
        )));
    }
    if to == State::InReview {
        // Only requirements of the project's packs count: verdicts kept as
        // history for requirements an upgrade removed do not block.
        let live: std::collections::HashSet<String> = statuses(project)?
            .into_iter()
            .map(|s| s.requirement)
            .collect();
        let pending: Vec<(String, bool)> = recorded_verdicts(project)?
            .into_iter()
            .filter(|(k, r)| !r.confirmed && live.contains(k))
            .map(|(k, r)| (k, r.rejudge.is_some()))
            .collect();
        let rejudge: Vec<&str> = pending
            .iter()
            .filter(|(_, r)| *r)
            .map(|(k, _)| k.as_str())
            .collect();
        let inferred: Vec<&str> = pending
            .iter()
            .filter(|(_, r)| !*r)
            .map(|(k, _)| k.as_str())
            .collect();
        if !inferred.is_empty() {
            let n = inferred.len();
            let list = inferred.join(", ");
            return Err(ProjectError::invalid(t!(
                "还有 {n} 项推断结论未经确认（{list}），请先确认或重新判定",
                "{n} inferred verdict(s) are not confirmed yet ({list}); confirm or judge them first"
            )));
        }
        if !rejudge.is_empty() {
            let n = rejudge.len();
            let list = rejudge.join(", ");
            return Err(ProjectError::invalid(t!(
                "检查单升级后还有 {n} 项结论待重新判定（{list}），请重新判定或确认原结论仍然成立",
                "{n} verdict(s) must be judged again after a checklist upgrade ({list}); judge them or confirm the earlier verdict still holds"
            )));
        }
    }
    if to == State::Approved {
        let r = readiness(project)?;
        let b = r.evidence_blockers();
        if !b.is_empty() {
            let (n, list) = (b.len(), b.join(", "));
            return Err(ProjectError::invalid(t!(
                "本项目要求证据（require_evidence）：{n} 项符合/不符合或否决项结论既无关联证据也未记录理由（{list}）；请关联证据或用 assess set --evidence-reason 说明理由后再批准",
                "this project requires evidence (require_evidence): {n} conformant/non-conformant or veto verdict(s) have neither linked evidence nor a recorded reason ({list}); link evidence or record a reason with assess set --evidence-reason, then approve"
            )));
        }
    }
    let hash = if to == State::Approved {
        Some(snapshot_hash(project)?)
    } else {
        None
    };
    let at = now();
    let new_revision = if to == State::Draft {
        meta.revision + 1
    } else {
        meta.revision
    };
    let detail = json!({"from": meta.state.as_str(), "to": to.as_str(), "revision": new_revision, "snapshot_hash": hash});
    let h = hash.clone();
    project.change_unchecked(by, action, detail, |tx| {
        tx.execute(
            "UPDATE project SET state = ?1, state_by = ?2, state_at = ?3, snapshot_hash = ?4, revision = ?5",
            params![to.as_str(), by, at, h, new_revision],
        )?;
        Ok(())
    })?;
    Ok(hash)
}

/// draft → in review.
pub fn submit(project: &mut Project, by: &str) -> Result<()> {
    transition(
        project,
        by,
        &[State::Draft],
        State::InReview,
        "review.submit",
    )
    .map(|_| ())
}

/// in review → approved; returns the snapshot hash.
pub fn approve(project: &mut Project, by: &str) -> Result<String> {
    let h = transition(
        project,
        by,
        &[State::InReview],
        State::Approved,
        "review.approve",
    )?;
    h.ok_or_else(|| {
        ProjectError::invalid(t!(
            "内部错误：未生成快照哈希",
            "internal error: no snapshot hash"
        ))
    })
}

/// in review or approved → draft, as a new revision.
pub fn reopen(project: &mut Project, by: &str) -> Result<()> {
    transition(
        project,
        by,
        &[State::InReview, State::Approved],
        State::Draft,
        "review.reopen",
    )
    .map(|_| ())
}
