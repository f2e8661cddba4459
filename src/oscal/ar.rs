//! A project's results as an OSCAL 1.1.2 `assessment-results` document.
//!
//! Mapping (every UUID is version 5 in the project's namespace, so the same
//! state gives the same document):
//! - metadata: parties (the assessing organisation, the assessee, every
//!   person named as assessor, approver, signer, preparer or evidence
//!   collector), roles and responsible parties; report number, state,
//!   revision and snapshot hash as props;
//! - one result per revision: reviewed controls = one control selection per
//!   pack listing its requirements; scope answers and the summary as props;
//! - one observation per requirement judged or with evidence: methods,
//!   justification, `relevant-evidence` pointing at back-matter resources;
//! - one finding per judged requirement: target `objective-id` `<req>_obj`,
//!   `satisfied` / `not-satisfied` (符合 and 不适用 are satisfied with reason
//!   `pass` / `other`; 部分符合 and 不符合 not-satisfied, reason `fail`),
//!   `implementation-status` `implemented` / `partial` / `not-applicable`, our
//!   verdict code and label in props;
//! - one risk per remediation item (整改项), linked from the finding of its requirement;
//! - back-matter: one resource per evidence file, `rlinks` to
//!   `evidence/<sha256>` (the filing package's path) with the SHA-256 and SM3 hashes.

use super::{
    bilingual, datetime, one_line, project_namespace, prop, prop_class, props_bi, uuid_in,
};
use crate::assess::{FindingStatus, Verdict};
use crate::i18n::Text;
use crate::report::{ReportModel, RequirementRow};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Our verdict code as the report model names it.
fn verdict_code(v: Verdict) -> &'static str {
    match v {
        Verdict::Conform => "conform",
        Verdict::Partial => "partial",
        Verdict::Nonconform => "nonconform",
        Verdict::Na => "na",
        Verdict::Unassessed => "unassessed",
    }
}

/// OSCAL's observation method for one of our method labels.
fn method_code(t: &Text) -> &'static str {
    match t.en.as_str() {
        "examine" => "EXAMINE",
        "interview" => "INTERVIEW",
        "test" => "TEST",
        _ => "UNKNOWN",
    }
}

/// Props with `None`s and empty lists dropped; `None` when nothing is left
/// (OSCAL arrays have at least one item).
fn props(v: Vec<Option<Value>>) -> Option<Value> {
    let v: Vec<Value> = v.into_iter().flatten().collect();
    (!v.is_empty()).then_some(Value::Array(v))
}

fn put(o: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        o.insert(k.to_string(), v);
    }
}

struct Parties {
    ns: uuid::Uuid,
    list: Vec<Value>,
    /// name → uuid, for people.
    people: BTreeMap<String, String>,
}

impl Parties {
    fn org(&mut self, key: &str, name: &str, remarks: &str) -> Option<String> {
        let name = one_line(name);
        if name.is_empty() {
            return None;
        }
        let id = uuid_in(&self.ns, &format!("party:{key}:{name}"));
        if !self.list.iter().any(|p| p["uuid"] == id.as_str()) {
            self.list.push(json!({
                "uuid": id, "type": "organization", "name": name, "remarks": remarks,
            }));
        }
        Some(id)
    }

    fn person(&mut self, name: &str, org: Option<&str>) -> Option<String> {
        let name = one_line(name);
        if name.is_empty() {
            return None;
        }
        if let Some(id) = self.people.get(&name) {
            return Some(id.clone());
        }
        let id = uuid_in(&self.ns, &format!("party:person:{name}"));
        let mut p = json!({ "uuid": id, "type": "person", "name": name });
        if let Some(o) = org {
            p["member-of-organizations"] = json!([o]);
        }
        self.list.push(p);
        self.people.insert(name, id.clone());
        Some(id)
    }
}

/// The project's results as an OSCAL `assessment-results` document.
pub fn assessment_results(m: &ReportModel) -> Value {
    let pj = &m.project;
    let ns = project_namespace(&pj.name, &pj.assessee, &pj.created_at, &pj.created_by);
    let id = |what: &str| uuid_in(&ns, what);
    let generated = datetime(&m.generated_at).unwrap_or_else(|| m.generated_at.clone());

    // Parties and roles.
    let mut parties = Parties {
        ns,
        list: Vec::new(),
        people: BTreeMap::new(),
    };
    let org_name = if m.signer.organisation.trim().is_empty() {
        pj.organisation.clone()
    } else {
        m.signer.organisation.clone()
    };
    let org = parties.org("assessor", &org_name, "评估机构 / assessing organisation");
    let assessee = parties.org("assessee", &pj.assessee, "被评估单位 / assessee");
    let mut roles: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "assessor",
            "评估方 / Assessor",
            org.iter().cloned().collect(),
        ),
        (
            "assessee",
            "被评估单位 / Assessee",
            assessee.iter().cloned().collect(),
        ),
        ("preparer", "项目创建人 / Preparer", Vec::new()),
        ("approver", "批准人 / Approver", Vec::new()),
        ("signer", "签署人 / Signer", Vec::new()),
        (
            "evidence-collector",
            "证据采集人 / Evidence collector",
            Vec::new(),
        ),
    ];
    let mut add_role = |role: &str, who: Option<String>| {
        if let (Some(r), Some(w)) = (roles.iter_mut().find(|r| r.0 == role), who) {
            if !r.2.contains(&w) {
                r.2.push(w);
            }
        }
    };
    add_role("preparer", parties.person(&pj.created_by, org.as_deref()));
    if pj.approved {
        if let Some(by) = &pj.state_by {
            add_role("approver", parties.person(by, org.as_deref()));
        }
    }
    if let Some(s) = &m.signer.name {
        add_role("signer", parties.person(s, org.as_deref()));
    }
    let rows: Vec<&RequirementRow> = m
        .packs
        .iter()
        .flat_map(|p| p.sections.iter())
        .flat_map(|s| s.requirements.iter())
        .collect();
    for r in &rows {
        if let Some(a) = &r.assessor {
            add_role("assessor", parties.person(a, org.as_deref()));
        }
    }
    for e in &m.evidence {
        add_role(
            "evidence-collector",
            parties.person(&e.collected_by, org.as_deref()),
        );
    }
    let role_list: Vec<Value> = roles
        .iter()
        .map(|(rid, title, _)| json!({ "id": rid, "title": title }))
        .collect();
    let responsible: Vec<Value> = roles
        .iter()
        .filter(|r| !r.2.is_empty())
        .map(|(rid, _, who)| json!({ "role-id": rid, "party-uuids": who }))
        .collect();

    let mut metadata = Map::new();
    metadata.insert(
        "title".into(),
        json!(format!(
            "{} 评估结果 / Assessment results: {}",
            one_line(&pj.name),
            one_line(&pj.name)
        )),
    );
    metadata.insert("last-modified".into(), json!(generated));
    metadata.insert("version".into(), json!(one_line(&m.report_number)));
    metadata.insert("oscal-version".into(), json!(super::OSCAL_VERSION));
    put(
        &mut metadata,
        "props",
        props(
            [
                prop("report-number", &m.report_number),
                prop("generator", &m.generator),
                prop(
                    "assessment-type",
                    serde_json::to_value(pj.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .as_deref()
                        .unwrap_or(""),
                ),
                prop(
                    "state",
                    serde_json::to_value(pj.state)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .as_deref()
                        .unwrap_or(""),
                ),
                prop("revision", &pj.revision.to_string()),
                prop("approved", if pj.approved { "true" } else { "false" }),
                pj.state_at
                    .as_deref()
                    .filter(|_| pj.approved)
                    .and_then(|t| prop("approved-at", t)),
                pj.snapshot_hash
                    .as_deref()
                    .and_then(|h| prop("snapshot-hash", h)),
                prop("signing-date", &m.signer.date),
            ]
            .into_iter()
            .chain(
                props_bi("assessment-type-label", &pj.kind_label)
                    .into_iter()
                    .map(Some),
            )
            .chain(
                props_bi("state-label", &pj.state_label)
                    .into_iter()
                    .map(Some),
            )
            .collect(),
        ),
    );
    metadata.insert("roles".into(), json!(role_list));
    if !parties.list.is_empty() {
        metadata.insert("parties".into(), json!(parties.list));
    }
    if !responsible.is_empty() {
        metadata.insert("responsible-parties".into(), json!(responsible));
    }

    // Back-matter: evidence files, and what stands for the assessment plan.
    let plan_uuid = id("resource:assessment-plan");
    let mut resources: Vec<Value> = vec![json!({
        "uuid": plan_uuid,
        "title": "评估方案：本文件所列检查单与适用范围 / Assessment plan: the packs and scope listed in this document",
        "description": "iovaudit 不单独导出评估方案；评估依据为 reviewed-controls 中的检查单（版本与 SHA-256 见其 props），适用范围为结果的 scope props。\n\niovaudit does not export a separate assessment plan: the assessment rests on the packs in reviewed-controls (version and SHA-256 in their props) under the scope answers in the result's scope props.",
    })];
    let mut ev_uuid: BTreeMap<i64, String> = BTreeMap::new();
    for e in &m.evidence {
        let u = id(&format!("evidence:{}", e.id));
        ev_uuid.insert(e.id, u.clone());
        let mut r = Map::new();
        r.insert("uuid".into(), json!(u));
        r.insert(
            "title".into(),
            json!(one_line(&format!("{} {}", e.reference, e.title))),
        );
        put(
            &mut r,
            "props",
            props(
                [
                    prop("evidence-id", &e.id.to_string()),
                    prop("reference", &e.reference),
                    prop("original-name", &e.original_name),
                    prop("size", &e.size.to_string()),
                    prop("method", &e.method),
                    prop("collected-at", &e.collected_at),
                    prop("collected-by", &e.collected_by),
                    prop("revision", &e.revision.to_string()),
                    prop("doc-version", &e.doc_version),
                    prop("issuer", &e.issuer),
                ]
                .into_iter()
                .chain(
                    props_bi("method-label", &e.method_label)
                        .into_iter()
                        .map(Some),
                )
                .chain(e.requirements.iter().map(|q| prop("requirement", q)))
                .collect(),
            ),
        );
        r.insert(
            "rlinks".into(),
            json!([{
                "href": format!("evidence/{}", e.sha256),
                "hashes": [
                    { "algorithm": "SHA-256", "value": e.sha256 },
                    { "algorithm": "SM3", "value": e.sm3 },
                ],
            }]),
        );
        r.insert(
            "remarks".into(),
            json!("证据文件在附带证据的报送包中位于 evidence/<SHA-256>；哈希为 SHA-256 与 SM3（GB/T 32905）。\n\nIn a filing package exported with evidence the file is at evidence/<SHA-256>; hashes are SHA-256 and SM3 (GB/T 32905)."),
        );
        resources.push(Value::Object(r));
    }

    // Risks from the remediation items, by requirement.
    let mut risks: Vec<Value> = Vec::new();
    let mut risks_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let obs_uuid = |req: &str| id(&format!("observation:{req}"));
    let has_observation =
        |r: &RequirementRow| r.verdict != Verdict::Unassessed || !r.evidence_ids.is_empty();
    for f in &m.findings {
        let u = id(&format!("risk:{}", f.id));
        risks_of
            .entry(f.requirement.as_str())
            .or_default()
            .push(u.clone());
        let severity = serde_json::to_value(f.severity)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let status = match f.status {
            FindingStatus::Open => "open",
            FindingStatus::Fixed => "remediating",
            FindingStatus::Verified => "closed",
        };
        let status_code = serde_json::to_value(f.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        // The problem as described (问题描述), else the note, else the title.
        let text = [&f.description, &f.note, &f.title]
            .into_iter()
            .find(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        let mut r = Map::new();
        r.insert("uuid".into(), json!(u));
        r.insert(
            "title".into(),
            json!(one_line(&format!("{} {}", f.reference, f.title))),
        );
        r.insert("description".into(), json!(f.title));
        r.insert("statement".into(), json!(text));
        r.insert("status".into(), json!(status));
        put(
            &mut r,
            "props",
            props(
                [
                    prop("reference", &f.reference),
                    prop("requirement", &f.requirement),
                    prop("clause", &f.clause),
                    prop("severity", &severity),
                    prop("status", &status_code),
                    prop("owner", &f.owner),
                    f.due.as_deref().and_then(|d| prop("due", d)),
                    prop("threat", &f.threat),
                    prop("recommendation", &f.recommendation),
                    prop("time-limit", &f.time_limit),
                    prop(
                        "risk",
                        serde_json::to_value(f.risk)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .as_deref()
                            .unwrap_or(""),
                    ),
                ]
                .into_iter()
                .chain(
                    props_bi("severity-label", &f.severity_label)
                        .into_iter()
                        .map(Some),
                )
                .chain(
                    props_bi("status-label", &f.status_label)
                        .into_iter()
                        .map(Some),
                )
                .chain(props_bi("risk-label", &f.risk_label).into_iter().map(Some))
                .chain(
                    f.impact
                        .iter()
                        .flat_map(|t| props_bi("impact", t))
                        .map(Some),
                )
                .chain(
                    f.likelihood
                        .iter()
                        .flat_map(|t| props_bi("likelihood", t))
                        .map(Some),
                )
                .collect(),
            ),
        );
        let mut facets =
            vec![json!({ "name": "severity", "system": super::NS, "value": severity })];
        for (name, t) in [("impact", &f.impact), ("likelihood", &f.likelihood)] {
            if let Some(t) = t.as_ref().filter(|t| super::is_line(&t.en)) {
                facets.push(json!({ "name": name, "system": super::NS, "value": t.en }));
            }
        }
        if let Some(o) = &org {
            r.insert(
                "characterizations".into(),
                json!([{
                    "origin": { "actors": [{ "type": "party", "actor-uuid": o }] },
                    "facets": facets,
                }]),
            );
        }
        if let Some(d) = f.due.as_deref().and_then(datetime) {
            // The end of the due day, China Standard Time.
            r.insert(
                "deadline".into(),
                json!(d.replace("T00:00:00+08:00", "T23:59:59+08:00")),
            );
        }
        if !f.owner.trim().is_empty()
            || f.due.is_some()
            || !f.recommendation.trim().is_empty()
            || !f.time_limit.trim().is_empty()
        {
            let due = f.due.clone().unwrap_or_default();
            let mut d = format!(
                "责任人：{}；期限：{}；整改时限：{}\n\nOwner: {}; due: {}; time limit: {}",
                f.owner, due, f.time_limit, f.owner, due, f.time_limit
            );
            if !f.recommendation.trim().is_empty() {
                d = format!("{}\n\n{d}", f.recommendation.trim());
            }
            let lifecycle = if f.recommendation.trim().is_empty() {
                "planned"
            } else {
                "recommendation"
            };
            r.insert(
                "remediations".into(),
                json!([{
                    "uuid": id(&format!("remediation:{}", f.id)),
                    "lifecycle": lifecycle,
                    "title": format!("整改 / Remediation {}", f.reference),
                    "description": d,
                }]),
            );
        }
        if rows
            .iter()
            .any(|r| r.id == f.requirement && has_observation(r))
        {
            r.insert(
                "related-observations".into(),
                json!([{ "observation-uuid": obs_uuid(&f.requirement) }]),
            );
        }
        risks.push(Value::Object(r));
    }

    // Observations and findings.
    let mut observations: Vec<Value> = Vec::new();
    let mut findings: Vec<Value> = Vec::new();
    for r in &rows {
        let code = verdict_code(r.verdict);
        let judged = r.verdict != Verdict::Unassessed;
        let actor = r
            .assessor
            .as_ref()
            .and_then(|a| parties.people.get(&one_line(a)).cloned());
        let origins = actor.as_ref().map(|a| {
            json!([{ "actors": [{ "type": "party", "actor-uuid": a, "role-id": "assessor" }] }])
        });
        if has_observation(r) {
            let mut o = Map::new();
            o.insert("uuid".into(), json!(obs_uuid(&r.id)));
            o.insert(
                "title".into(),
                json!(one_line(&format!("{} {}", r.id, r.title.zh))),
            );
            let description = if !r.observation.trim().is_empty() {
                // 现状描述: what was found; the justification goes in remarks.
                if !r.justification.zh.trim().is_empty() {
                    o.insert("remarks".into(), json!(bilingual(&r.justification)));
                }
                r.observation.clone()
            } else if r.justification.zh.trim().is_empty() {
                if judged {
                    format!(
                        "判定：{}\n\nVerdict: {}",
                        r.verdict_label.zh, r.verdict_label.en
                    )
                } else {
                    "尚未判定；已关联证据见 relevant-evidence。\n\nNot judged yet; linked evidence in relevant-evidence.".to_string()
                }
            } else {
                bilingual(&r.justification)
            };
            o.insert("description".into(), json!(description));
            let mut methods: Vec<&str> = r.methods.iter().map(method_code).collect();
            methods.dedup();
            if methods.is_empty() {
                methods.push("UNKNOWN");
            }
            o.insert("methods".into(), json!(methods));
            o.insert("types".into(), json!(["control-objective"]));
            let collected = r
                .assessed_at
                .as_deref()
                .and_then(datetime)
                .unwrap_or_else(|| generated.clone());
            o.insert("collected".into(), json!(collected));
            put(&mut o, "origins", origins.clone());
            let ev: Vec<Value> = r
                .evidence_ids
                .iter()
                .filter_map(|eid| {
                    let e = m.evidence.iter().find(|e| e.id == *eid)?;
                    let u = ev_uuid.get(eid)?;
                    Some(json!({
                        "href": format!("#{u}"),
                        "description": one_line(&format!("{} {}", e.reference, e.title)),
                        "props": [
                            { "name": "reference", "ns": super::NS, "value": e.reference },
                            { "name": "sha256", "ns": super::NS, "value": e.sha256 },
                            { "name": "sm3", "ns": super::NS, "value": e.sm3 },
                        ],
                    }))
                })
                .collect();
            if !ev.is_empty() {
                o.insert("relevant-evidence".into(), json!(ev));
            }
            put(
                &mut o,
                "props",
                props(vec![prop("requirement", &r.id), prop("verdict", code)]),
            );
            observations.push(Value::Object(o));
        }
        if !judged {
            continue;
        }
        let (state, reason, implementation) = match r.verdict {
            Verdict::Conform => ("satisfied", "pass", Some("implemented")),
            Verdict::Partial => ("not-satisfied", "fail", Some("partial")),
            Verdict::Nonconform => ("not-satisfied", "fail", None),
            _ => ("satisfied", "other", Some("not-applicable")),
        };
        let mut target = json!({
            "type": "objective-id",
            "target-id": format!("{}_obj", r.id),
            "status": {
                "state": state,
                "reason": reason,
                "remarks": format!("{} / {}", r.verdict_label.zh, r.verdict_label.en),
            },
        });
        if let Some(i) = implementation {
            target["implementation-status"] = json!({ "state": i });
        }
        let mut f = Map::new();
        f.insert("uuid".into(), json!(id(&format!("finding:{}", r.id))));
        f.insert(
            "title".into(),
            json!(one_line(&format!("{} {}", r.id, r.title.zh))),
        );
        let description = if r.justification.zh.trim().is_empty() {
            format!(
                "{}：{}\n\n{}: {}",
                r.title.zh, r.verdict_label.zh, r.title.en, r.verdict_label.en
            )
        } else {
            bilingual(&r.justification)
        };
        f.insert("description".into(), json!(description));
        let mut fp: Vec<Option<Value>> = vec![
            prop("verdict", code),
            prop("pack", &r.pack),
            prop("section", &r.section),
            prop("clause", &r.clause),
            prop("weight", &r.weight.to_string()),
            prop("veto", if r.veto { "true" } else { "false" }),
            prop("provenance", r.provenance.as_str()),
            prop("to-confirm", if r.to_confirm { "true" } else { "false" }),
        ];
        fp.extend(
            props_bi("verdict-label", &r.verdict_label)
                .into_iter()
                .map(Some),
        );
        fp.extend(props_bi("title", &r.title).into_iter().map(Some));
        if r.inferred {
            fp.push(
                r.inferred_from
                    .as_deref()
                    .and_then(|x| prop("inferred-from", x)),
            );
            fp.push(prop(
                "inferred-confirmed",
                if r.inferred_confirmed {
                    "true"
                } else {
                    "false"
                },
            ));
        }
        if let Some(t) = &r.rejudge {
            fp.extend(props_bi("rejudge", t).into_iter().map(Some));
        }
        if let Some(a) = &r.assessor {
            fp.push(prop("assessor", a));
        }
        if let Some(a) = &r.assessed_at {
            fp.push(prop("assessed-at", a));
        }
        put(&mut f, "props", props(fp));
        f.insert("target".into(), target);
        put(&mut f, "origins", origins);
        if has_observation(r) {
            f.insert(
                "related-observations".into(),
                json!([{ "observation-uuid": obs_uuid(&r.id) }]),
            );
        }
        if let Some(rs) = risks_of.get(r.id.as_str()) {
            let rs: Vec<Value> = rs.iter().map(|u| json!({ "risk-uuid": u })).collect();
            f.insert("related-risks".into(), json!(rs));
        }
        f.insert(
            "remarks".into(),
            json!(format!(
                "{}（{}）\n\n{} ({})",
                r.verdict_label.zh, r.obligation.zh, r.verdict_label.en, r.obligation.en
            )),
        );
        findings.push(Value::Object(f));
    }

    // Reviewed controls: one selection per pack.
    let selections: Vec<Value> = m
        .packs
        .iter()
        .map(|p| {
            let ids: Vec<Value> = p
                .sections
                .iter()
                .flat_map(|s| s.requirements.iter())
                .filter(|r| super::is_token(&r.id))
                .map(|r| json!({ "control-id": r.id }))
                .collect();
            let mut s = Map::new();
            s.insert(
                "description".into(),
                json!(format!("{} {}\n\n{}", p.id, p.title.zh, p.title.en)),
            );
            put(
                &mut s,
                "props",
                props(
                    [
                        prop("pack", &p.id),
                        prop("version", &p.version),
                        prop("doc-number", &p.doc_number),
                        prop("sha256", &p.sha256),
                        p.score.and_then(|x| prop("score", &format!("{x:.1}"))),
                        prop("complete", if p.complete { "true" } else { "false" }),
                    ]
                    .into_iter()
                    .chain(
                        p.conclusion
                            .iter()
                            .flat_map(|c| props_bi("conclusion", c))
                            .map(Some),
                    )
                    .chain(p.veto_failed.iter().map(|v| prop("veto-failed", v)))
                    .collect(),
                ),
            );
            if ids.is_empty() {
                s.insert("include-all".into(), json!({}));
            } else {
                s.insert("include-controls".into(), json!(ids));
            }
            Value::Object(s)
        })
        .collect();
    let reviewed = if selections.is_empty() {
        json!({ "control-selections": [{ "include-all": {} }] })
    } else {
        json!({
            "description": "评估所依据的检查单（每个检查单的要求即 OSCAL 控制项）。\n\nThe packs assessed against (each pack's requirements are the controls).",
            "control-selections": selections,
        })
    };

    // The result's props: the summary and the scope.
    let s = &m.summary;
    let c = &s.counts;
    let mut rp: Vec<Option<Value>> = vec![
        s.overall_score
            .and_then(|x| prop("overall-score", &format!("{x:.1}"))),
        prop("provisional", if s.provisional { "true" } else { "false" }),
        prop("progress", &format!("{:.1}", s.progress)),
        prop("findings-open", &s.findings_open.to_string()),
        prop("findings-total", &s.findings_total.to_string()),
        prop("evidence-total", &s.evidence_total.to_string()),
    ];
    if let Some(cn) = &s.conclusion {
        rp.extend(props_bi("conclusion", cn).into_iter().map(Some));
    }
    for (k, n) in [
        ("requirements", c.requirements),
        ("conform", c.conform),
        ("partial", c.partial),
        ("nonconform", c.nonconform),
        ("na", c.not_applicable),
        ("unassessed", c.unassessed),
        ("inferred-pending", c.inferred_pending),
        ("to-confirm", c.to_confirm),
    ] {
        rp.push(prop_class("count", Some(k), &n.to_string()));
    }
    for a in &m.scope {
        let class = super::is_token(&a.question).then_some(a.question.as_str());
        if let Some(mut p) = prop_class("scope", class, &format!("{}：{}", a.label.zh, a.answer.zh))
        {
            p["remarks"] = json!(format!(
                "{}：{}\n\n{}: {}",
                a.label.zh, a.answer.zh, a.label.en, a.answer.en
            ));
            rp.push(Some(p));
        }
    }
    let start = datetime(&pj.created_at).unwrap_or_else(|| generated.clone());
    let end = if pj.approved {
        pj.state_at
            .as_deref()
            .and_then(datetime)
            .unwrap_or_else(|| generated.clone())
    } else {
        generated.clone()
    };
    let conclusion = s
        .conclusion
        .as_ref()
        .map(|c| (c.zh.clone(), c.en.clone()))
        .unwrap_or_else(|| ("尚未形成".into(), "not yet reached".into()));
    let mut result = Map::new();
    result.insert(
        "uuid".into(),
        json!(id(&format!("result:R{}", pj.revision))),
    );
    result.insert(
        "title".into(),
        json!(format!(
            "{}（第 {} 版）/ revision {}",
            one_line(&pj.name),
            pj.revision,
            pj.revision
        )),
    );
    result.insert(
        "description".into(),
        json!(format!(
            "被评估单位：{}；评估结论：{}；已判定 {}/{} 项。\n\nAssessee: {}; conclusion: {}; {} of {} requirements judged.",
            pj.assessee,
            conclusion.0,
            c.requirements - c.unassessed,
            c.requirements,
            pj.assessee,
            conclusion.1,
            c.requirements - c.unassessed,
            c.requirements
        )),
    );
    result.insert("start".into(), json!(start));
    result.insert("end".into(), json!(end));
    put(&mut result, "props", props(rp));
    result.insert("reviewed-controls".into(), reviewed);
    if !observations.is_empty() {
        result.insert("observations".into(), json!(observations));
    }
    if !risks.is_empty() {
        result.insert("risks".into(), json!(risks));
    }
    if !findings.is_empty() {
        result.insert("findings".into(), json!(findings));
    }

    json!({
        "assessment-results": {
            "uuid": id("assessment-results"),
            "metadata": Value::Object(metadata),
            "import-ap": {
                "href": format!("#{plan_uuid}"),
                "remarks": "没有单独的评估方案文件；见 back-matter 中的说明。/ No separate assessment plan file; see the back-matter resource.",
            },
            "results": [Value::Object(result)],
            "back-matter": { "resources": resources },
        }
    })
}
