//! Moving a project to a newer content of one of its packs.
//!
//! A project keeps the checklists it is assessed against (see
//! [`crate::project`]); the running program's library may hold a different
//! content of a pack. [`diff`] says what changed, requirement by requirement;
//! [`upgrade_pack`] applies it in one journalled transaction:
//! - verdicts on unchanged requirements stay as they are;
//! - verdicts on changed requirements stay but wait to be judged again
//!   (*to re-judge*: not scored, blocking review, like an unconfirmed
//!   inference);
//! - a requirement that `replaces` earlier ids takes over their verdict
//!   (to re-judge), their evidence links and their findings;
//! - verdicts, links and findings of removed requirements stay in the
//!   project as history and are listed.
//!
//! Refused on an approved project (reopen first).

use super::{recorded_verdicts, Recorded, Verdict};
use crate::i18n::Text;
use crate::pack::{Library, LibraryFile, Pack, Requirement};
use crate::project::{now, store_files, Project, ProjectError, Result, State};
use crate::t;
use rusqlite::params;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// What differs in a requirement kept under the same id.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changed {
    pub requirement: String,
    /// Which parts changed: text, title, clause, weight, veto, applicability,
    /// evidence, methods, params, deadlines, test.
    pub fields: Vec<&'static str>,
    /// The same, in words (zh and en), for views.
    pub label: Text,
}

/// A requirement of the new content that takes the place of earlier ids.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Replacement {
    pub requirement: String,
    pub replaces: Vec<String>,
}

/// The difference between the content of a pack the project keeps and the
/// content the library holds.
#[derive(Debug, Clone, Serialize)]
pub struct PackDiff {
    pub pack: String,
    pub from_version: String,
    pub to_version: String,
    pub from_sha256: String,
    pub to_sha256: String,
    /// New ids that replace nothing.
    pub added: Vec<String>,
    /// Old ids neither kept nor replaced.
    pub removed: Vec<String>,
    pub changed: Vec<Changed>,
    pub replaced: Vec<Replacement>,
    pub unchanged: usize,
}

impl PackDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.replaced.is_empty()
            && self.from_sha256 == self.to_sha256
    }
}

/// What an upgrade did to the project's assessment.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeOutcome {
    pub diff: PackDiff,
    /// Requirements whose verdict now waits to be judged again.
    pub rejudge: Vec<String>,
    /// Verdicts carried from a replaced id: (new id, old id).
    pub carried: Vec<(String, String)>,
    /// Removed requirements that keep a verdict, links or findings as history.
    pub history: Vec<HistoryItem>,
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryItem {
    pub requirement: String,
    pub verdict: Option<Verdict>,
    pub evidence_links: usize,
    pub findings: usize,
}

fn changed_fields(a: &Requirement, b: &Requirement) -> Vec<&'static str> {
    let mut f = Vec::new();
    if a.text != b.text {
        f.push("text");
    }
    if a.title != b.title {
        f.push("title");
    }
    if a.clause != b.clause {
        f.push("clause");
    }
    if a.weight != b.weight {
        f.push("weight");
    }
    if a.veto != b.veto {
        f.push("veto");
    }
    if a.obligation != b.obligation
        || a.applies_to != b.applies_to
        || a.when.as_ref().map(|c| c.source()) != b.when.as_ref().map(|c| c.source())
    {
        f.push("applicability");
    }
    if a.evidence.zh != b.evidence.zh || a.evidence.en != b.evidence.en {
        f.push("evidence");
    }
    if a.methods != b.methods {
        f.push("methods");
    }
    if js(&a.params) != js(&b.params) {
        f.push("params");
    }
    if js(&a.deadlines) != js(&b.deadlines) {
        f.push("deadlines");
    }
    if js(&a.test) != js(&b.test) {
        f.push("test");
    }
    f
}

/// Values whose types have no `PartialEq` are compared as JSON.
fn js<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The requirement-by-requirement difference between two contents of a pack.
pub fn diff(old: &Pack, old_file: &LibraryFile, new: &Pack, new_file: &LibraryFile) -> PackDiff {
    let old_ids: BTreeMap<&str, &Requirement> =
        old.requirements().map(|r| (r.id.as_str(), r)).collect();
    let new_ids: BTreeMap<&str, &Requirement> =
        new.requirements().map(|r| (r.id.as_str(), r)).collect();
    let mut replaced = Vec::new();
    let mut replaced_old: HashSet<&str> = HashSet::new();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for r in new.requirements() {
        match old_ids.get(r.id.as_str()) {
            Some(o) => {
                let fields = changed_fields(o, r);
                if fields.is_empty() {
                    unchanged += 1;
                } else {
                    let (zh, en) = field_names(&fields);
                    changed.push(Changed {
                        requirement: r.id.clone(),
                        fields,
                        label: Text::new(zh, en),
                    });
                }
            }
            None => {
                let reps: Vec<String> = r
                    .replaces
                    .iter()
                    .filter(|x| old_ids.contains_key(x.as_str()))
                    .cloned()
                    .collect();
                if reps.is_empty() {
                    added.push(r.id.clone());
                } else {
                    for x in &reps {
                        if let Some((k, _)) = old_ids.get_key_value(x.as_str()) {
                            replaced_old.insert(k);
                        }
                    }
                    replaced.push(Replacement {
                        requirement: r.id.clone(),
                        replaces: reps,
                    });
                }
            }
        }
    }
    let removed = old
        .requirements()
        .map(|r| r.id.as_str())
        .filter(|id| !new_ids.contains_key(id) && !replaced_old.contains(id))
        .map(str::to_string)
        .collect();
    PackDiff {
        pack: new.id.clone(),
        from_version: old.version.clone(),
        to_version: new.version.clone(),
        from_sha256: old_file.sha256.clone(),
        to_sha256: new_file.sha256.clone(),
        added,
        removed,
        changed,
        replaced,
        unchanged,
    }
}

/// The stored files the project would keep after upgrading `pack`: the new
/// content of that pack, today's questions and mappings, and today's content
/// of every pack the project does not use; the project's other packs stay
/// as they are.
fn upgraded_files(project: &Project, pack: &str) -> Result<Vec<LibraryFile>> {
    let uses: Vec<String> = project
        .meta()?
        .packs
        .into_iter()
        .map(|(id, _)| id.to_ascii_uppercase())
        .collect();
    let mut out: Vec<LibraryFile> = project
        .library()
        .files
        .iter()
        .filter(|f| {
            f.pack_id.as_deref().is_some_and(|id| {
                uses.contains(&id.to_ascii_uppercase()) && !id.eq_ignore_ascii_case(pack)
            })
        })
        .cloned()
        .collect();
    for f in &project.current_library().files {
        let keep_own = f.pack_id.as_deref().is_some_and(|id| {
            uses.contains(&id.to_ascii_uppercase()) && !id.eq_ignore_ascii_case(pack)
        });
        if !keep_own {
            out.push(f.clone());
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The difference for one of the project's packs between its own content and
/// the running program's library.
pub fn pack_diff(project: &Project, pack: &str) -> Result<PackDiff> {
    let (old, old_file, new, new_file) = both(project, pack)?;
    Ok(diff(old, old_file, new, new_file))
}

fn both<'a>(
    project: &'a Project,
    pack: &str,
) -> Result<(&'a Pack, &'a LibraryFile, &'a Pack, &'a LibraryFile)> {
    let uses = project.meta()?.packs;
    if !uses.iter().any(|(id, _)| id.eq_ignore_ascii_case(pack)) {
        let list = uses
            .iter()
            .map(|(i, _)| i.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ProjectError::invalid(t!(
            "项目未使用检查单 `{pack}`（项目使用：{list}）",
            "the project does not use the pack `{pack}` (it uses: {list})"
        )));
    }
    let own = project.library();
    let cur = project.current_library();
    let (Some(old), Some(old_file)) = (own.pack(pack), own.pack_file(pack)) else {
        return Err(ProjectError::invalid(t!(
            "项目保存的检查单中没有 `{pack}`",
            "the project's stored checklists have no pack `{pack}`"
        )));
    };
    let (Some(new), Some(new_file)) = (cur.pack(pack), cur.pack_file(pack)) else {
        return Err(ProjectError::invalid(t!(
            "当前检查单库中没有 `{pack}`，无法升级",
            "the current checklist library has no pack `{pack}` to upgrade to"
        )));
    };
    Ok((old, old_file, new, new_file))
}

fn reason(diff: &PackDiff, what: Text) -> String {
    let t = Text::new(
        format!(
            "检查单 {} 由 {} 升级为 {}：{}",
            diff.pack, diff.from_version, diff.to_version, what.zh
        ),
        format!(
            "pack {} upgraded from {} to {}: {}",
            diff.pack, diff.from_version, diff.to_version, what.en
        ),
    );
    serde_json::to_string(&t).unwrap_or_default()
}

fn field_names(fields: &[&str]) -> (String, String) {
    let zh: Vec<&str> = fields
        .iter()
        .map(|f| match *f {
            "text" => "要求内容",
            "title" => "标题",
            "clause" => "条款",
            "weight" => "权重",
            "veto" => "一票否决",
            "applicability" => "适用性",
            "evidence" => "证明材料",
            "methods" => "评估方法",
            "params" => "参数",
            "deadlines" => "期限",
            "test" => "试验方法",
            other => other,
        })
        .collect();
    (zh.join("、"), fields.join(", "))
}

/// Shows (`dry_run`) or applies the upgrade of one pack to the content of
/// the running program's library.
pub fn upgrade_pack(
    project: &mut Project,
    by: &str,
    pack: &str,
    dry_run: bool,
) -> Result<UpgradeOutcome> {
    let diff = pack_diff(project, pack)?;
    let verdicts = recorded_verdicts(project)?;
    let links = super::link_counts(project)?;
    let finding_counts = super::finding_counts(project)?;
    let has_verdict = |id: &str| {
        verdicts
            .get(id)
            .is_some_and(|r: &Recorded| r.verdict != Verdict::Unassessed)
    };

    let mut rejudge: Vec<String> = diff
        .changed
        .iter()
        .filter(|c| has_verdict(&c.requirement))
        .map(|c| c.requirement.clone())
        .collect();
    let mut carried = Vec::new();
    for r in &diff.replaced {
        if let Some(old) = r.replaces.iter().find(|o| has_verdict(o)) {
            carried.push((r.requirement.clone(), old.clone()));
            rejudge.push(r.requirement.clone());
        }
    }
    let history: Vec<HistoryItem> = diff
        .removed
        .iter()
        .filter_map(|id| {
            let v = verdicts.get(id).map(|r| r.verdict);
            let l = links.get(id).copied().unwrap_or(0);
            let f = finding_counts.get(id).copied().unwrap_or(0);
            (v.is_some() || l > 0 || f > 0).then(|| HistoryItem {
                requirement: id.clone(),
                verdict: v,
                evidence_links: l,
                findings: f,
            })
        })
        .collect();
    let outcome = UpgradeOutcome {
        diff,
        rejudge,
        carried,
        history,
        dry_run,
    };
    if dry_run {
        return Ok(outcome);
    }
    if project.meta()?.state == State::Approved {
        return Err(ProjectError::Approved);
    }
    if outcome.diff.from_sha256 == outcome.diff.to_sha256 {
        let p = &outcome.diff.pack;
        return Err(ProjectError::invalid(t!(
            "项目的检查单 {p} 已与当前检查单库一致，无需升级",
            "the project's pack {p} already matches the current library; nothing to upgrade"
        )));
    }
    // The new set must load as a whole before anything is written.
    let files = upgraded_files(project, pack)?;
    let new_library: Library = crate::project::load_files(&project.db_path(), &files)?;

    let d = &outcome.diff;
    let at = now();
    let detail = serde_json::json!({
        "pack": d.pack, "from": d.from_version, "to": d.to_version,
        "from_sha256": d.from_sha256, "to_sha256": d.to_sha256,
        "added": d.added, "removed": d.removed, "changed": d.changed, "replaced": d.replaced,
        "rejudge": outcome.rejudge, "carried": outcome.carried,
    });
    let changed_reasons: Vec<(String, String)> = d
        .changed
        .iter()
        .filter(|c| has_verdict(&c.requirement))
        .map(|c| {
            let (zh, en) = field_names(&c.fields);
            (
                c.requirement.clone(),
                reason(
                    d,
                    Text::new(
                        format!("本要求的{zh}已改变"),
                        format!("this requirement's {en} changed"),
                    ),
                ),
            )
        })
        .collect();
    let carried_rows: Vec<(String, String, String)> = outcome
        .carried
        .iter()
        .map(|(new, old)| {
            (
                new.clone(),
                old.clone(),
                reason(
                    d,
                    Text::new(
                        format!("本要求取代 {old}，结论由其沿用"),
                        format!("this requirement replaces {old}; its verdict was carried over"),
                    ),
                ),
            )
        })
        .collect();
    let replaced = d.replaced.clone();
    let pack_id = d.pack.clone();
    let version = d.to_version.clone();
    project.change(by, "pack.upgrade", detail, |tx| {
        for (rid, why) in &changed_reasons {
            tx.execute(
                "UPDATE verdict SET confirmed = 0, rejudge = ?2 WHERE requirement = ?1",
                params![rid, why],
            )?;
        }
        for (new, old, why) in &carried_rows {
            tx.execute(
                "INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed, rejudge)
                 SELECT ?1, verdict, note, assessor, at, NULL, 0, ?3 FROM verdict WHERE requirement = ?2",
                params![new, old, why],
            )?;
        }
        for r in &replaced {
            for old in &r.replaces {
                tx.execute(
                    "INSERT OR IGNORE INTO evidence_link (requirement, evidence_id, linked_by, linked_at)
                     SELECT ?1, evidence_id, ?3, ?4 FROM evidence_link WHERE requirement = ?2",
                    params![r.requirement, old, by, at],
                )?;
            }
        }
        // A finding follows its requirement to the first requirement that replaces it.
        let mut moved: HashSet<&str> = HashSet::new();
        for r in &replaced {
            for old in &r.replaces {
                if moved.insert(old.as_str()) {
                    tx.execute(
                        "UPDATE finding SET requirement = ?1, updated_at = ?3 WHERE requirement = ?2",
                        params![r.requirement, old, at],
                    )?;
                }
            }
        }
        tx.execute(
            "UPDATE project_pack SET pack_version = ?2 WHERE pack_id = ?1",
            params![pack_id, version],
        )?;
        tx.execute("DELETE FROM pack_source", [])?;
        store_files(tx, &files, &at)?;
        Ok(())
    })?;
    project.set_library(new_library);
    Ok(outcome)
}
