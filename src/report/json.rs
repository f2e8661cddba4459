//! The machine-readable result, shaped after OSCAL *assessment-results*
//! (metadata → results → per-requirement findings with observations and
//! relevant evidence; evidence files as back-matter resources). Field names
//! are snake_case like every JSON document of iovaudit; the shape is
//! documented in `docs/cli-json.md` ("Assessment results").

use super::model::ReportModel;
use serde_json::{json, Value};

pub(crate) fn render(m: &ReportModel) -> Value {
    let requirements: Vec<Value> = m
        .packs
        .iter()
        .flat_map(|p| p.sections.iter())
        .flat_map(|s| s.requirements.iter())
        .map(|r| {
            let evidence: Vec<Value> = r
                .evidence_ids
                .iter()
                .filter_map(|id| m.evidence.iter().find(|e| e.id == *id))
                .map(|e| {
                    json!({
                        "href": format!("#{}", e.reference),
                        "evidence_id": e.id,
                        "sha256": e.sha256,
                        "sm3": e.sm3,
                    })
                })
                .collect();
            let observation = if r.justification.zh.is_empty() && r.assessor.is_none() {
                vec![]
            } else {
                vec![json!({
                    "description": r.justification,
                    "by": r.assessor,
                    "collected": r.assessed_at,
                    "methods": r.methods,
                    "relevant_evidence": evidence,
                })]
            };
            json!({
                "requirement_id": r.id,
                "pack": r.pack,
                "section": r.section,
                "clause": r.clause,
                "title": r.title,
                "to_confirm": r.to_confirm,
                "weight": r.weight,
                "veto": r.veto,
                "target": {
                    "status": r.verdict.as_str(),
                    "label": r.verdict_label,
                    "inferred": if r.inferred {
                        json!({ "from": r.inferred_from, "confirmed": r.inferred_confirmed })
                    } else {
                        Value::Null
                    },
                },
                "observations": observation,
                "evidence": r.evidence_refs,
            })
        })
        .collect();
    let packs: Vec<Value> = m
        .packs
        .iter()
        .map(|p| {
            json!({
                "pack": p.id,
                "title": p.title,
                "doc_number": p.doc_number,
                "version": p.version,
                "score": p.score,
                "conclusion": p.conclusion,
                "complete": p.complete,
                "tally": p.tally,
                "veto_failed": p.veto_failed,
                "sections": p.sections.iter().map(|s| json!({
                    "section": s.id, "clause": s.clause, "title": s.title, "score": s.score, "tally": s.tally,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let resources: Vec<Value> = m
        .evidence
        .iter()
        .map(|e| {
            json!({
                "id": e.reference,
                "evidence_id": e.id,
                "title": e.title,
                "original_name": e.original_name,
                "size": e.size,
                "method": e.method,
                "collected_at": e.collected_at,
                "collected_by": e.collected_by,
                "revision": e.revision,
                "hashes": [
                    {"algorithm": "SHA-256", "value": e.sha256},
                    {"algorithm": "SM3", "value": e.sm3},
                ],
                "requirements": e.requirements,
            })
        })
        .collect();
    json!({
        "schema": 1,
        "kind": "iovaudit.assessment_results",
        "metadata": {
            "title": m.project.name,
            "report_number": m.report_number,
            "generated_at": m.generated_at,
            "generator": m.generator,
            "assessee": m.project.assessee,
            "organisation": m.signer.organisation,
            "assessment_type": m.project.kind,
            "state": m.project.state,
            "revision": m.project.revision,
            "approved": m.project.approved,
            "approved_by": if m.project.approved { json!(m.project.state_by) } else { Value::Null },
            "approved_at": if m.project.approved { json!(m.project.state_at) } else { Value::Null },
            "snapshot_hash": m.project.snapshot_hash,
            "signer": m.signer,
        },
        "results": [{
            "title": m.project.name,
            "start": m.project.period_start,
            "end": m.project.period_end,
            "reviewed_controls": m.packs.iter().map(|p| json!({"pack": p.id, "version": p.version})).collect::<Vec<_>>(),
            "scope": m.scope,
            "summary": m.summary,
            "packs": packs,
            "requirements": requirements,
            "not_applicable": m.not_applicable,
            "findings": m.findings,
        }],
        "back_matter": { "resources": resources },
    })
}
