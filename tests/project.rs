//! The assessment engine end to end through the library API: project store,
//! locking, migrations, scope and applicability, verdicts and inference,
//! findings, review and locking, snapshot hash, journal tamper detection,
//! and scoring against hand-computed examples.

mod common;
use common::{repo, scratch};
use iovaudit::assess::{
    self, Applicability, FindingInput, FindingStatus, Severity, Verdict, VerdictInput,
};
use iovaudit::pack::{self, SourceFile};
use iovaudit::project::{Kind, NewProject, Project, ProjectError, State};
use iovaudit::score;
use rusqlite::Connection;
use std::path::Path;

fn new(packs: &[&str]) -> NewProject {
    NewProject {
        name: "测试项目".into(),
        assessee: "测试企业".into(),
        kind: Kind::SelfCheck,
        organisation: String::new(),
        packs: packs.iter().map(|s| s.to_string()).collect(),
        by: "tester".into(),
    }
}

fn init(name: &str, packs: &[&str]) -> (std::path::PathBuf, Project) {
    let dir = scratch(name).join("p.iovaudit");
    let p = Project::init(&dir, &new(packs), pack::builtin().expect("library")).expect("init");
    (dir, p)
}

fn scope(p: &mut Project, pairs: &[(&str, &str)]) {
    let v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assess::set_scope(p, "tester", &v).expect("scope");
}

fn invalid_zh(e: ProjectError) -> String {
    match e {
        ProjectError::Invalid(t) => t.zh,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn init_refuses_bad_input() {
    let dir = scratch("init_bad");
    std::fs::write(dir.join("x"), "x").expect("write");
    let lib = pack::builtin().expect("library");
    assert!(matches!(
        Project::init(&dir, &new(&["N134"]), lib.clone()),
        Err(ProjectError::Exists { .. })
    ));
    let e = Project::init(&dir.join("a"), &new(&["NOPE"]), lib.clone())
        .err()
        .expect("unknown pack refused");
    assert!(invalid_zh(e).contains("NOPE"));
    let e = Project::init(&dir.join("b"), &new(&[]), lib)
        .err()
        .expect("no pack refused");
    assert!(invalid_zh(e).contains("至少选择一个检查单"));
    assert!(matches!(
        Project::open(&dir.join("nothing")),
        Err(ProjectError::NotAProject { .. })
    ));
}

#[test]
fn a_second_opener_gets_a_clear_in_use_error() {
    let (dir, _p) = init("lock", &["N134"]);
    match Project::open(&dir) {
        Err(ProjectError::Locked { lock, .. }) => assert!(lock.ends_with("project.lock")),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a second open succeeded while the first holds the lock"),
    }
    drop(_p);
    Project::open(&dir).expect("free again after the first is closed");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let (dir, p) = init("newer", &["N134"]);
    drop(p);
    let c = Connection::open(dir.join("project.db")).expect("open db");
    c.pragma_update(None, "user_version", 99)
        .expect("set version");
    drop(c);
    match Project::open(&dir) {
        Err(e @ ProjectError::NewerSchema { found: 99, .. }) => {
            assert!(e.zh().contains("更新版本"))
        }
        Err(e) => panic!("expected NewerSchema, got {e}"),
        Ok(_) => panic!("opened a newer database"),
    }
}

#[test]
fn database_settings_wal_and_foreign_keys() {
    let (_dir, p) = init("pragmas", &["N134"]);
    let mode: String = p
        .conn()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    let fk: i64 = p
        .conn()
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .expect("fk");
    assert_eq!(fk, 1);
    let v: i64 = p
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(v, iovaudit::project::SCHEMA_VERSION);
}

#[test]
fn scope_answers_are_typed_and_rule_requirements_out_with_a_reason() {
    let (_dir, mut p) = init("scope", &["N134", "BJ50"]);
    for (k, v, needle) in [
        ("has_ota", "maybe", "是/否"),
        ("platform_level", "7", "1–5"),
        ("enterprise_type", "OEM,CAR", "`CAR`"),
        ("nope", "1", "没有适用性问题"),
    ] {
        let e = assess::set_scope(&mut p, "tester", &[(k.into(), v.into())]).expect_err("refused");
        let msg = invalid_zh(e);
        assert!(msg.contains(needle), "{k}={v}: {msg}");
    }
    scope(
        &mut p,
        &[
            ("enterprise_type", "PLT"),
            ("region", "SH"),
            ("has_ota", "否"),
        ],
    );
    let st = assess::statuses(&p).expect("statuses");
    let get = |id: &str| st.iter().find(|s| s.requirement == id).expect(id);
    // N134-26 (OTA) is for OEMs with OTA: ruled out.
    match &get("N134-26").applicability {
        Applicability::NotApplicable { reason } => {
            assert!(reason.zh.starts_with("不适用"), "{}", reason.zh)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(get("N134-26").verdict, Verdict::Na);
    // The whole Beijing pack is out for a Shanghai-only enterprise.
    match &get("BJ50-01").applicability {
        Applicability::NotApplicable { reason } => {
            assert!(reason.zh.contains("北京"), "{}", reason.zh)
        }
        other => panic!("{other:?}"),
    }
    // N134-01 applies to everyone.
    assert_eq!(get("N134-01").applicability, Applicability::Applicable);
    // A question not answered yet keeps the requirement applicable and says so.
    assert!(
        matches!(&get("N134-24").applicability, Applicability::Open { questions } if questions.contains(&"telecom_service".to_string()))
    );
    // A scope-ruled-out requirement cannot be judged.
    let e = assess::set_verdict(
        &mut p,
        "tester",
        "N134-26",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect_err("refused");
    assert!(invalid_zh(e).contains("自动判为不适用"));
}

#[test]
fn verdicts_need_justification_and_record_who_and_when() {
    let (_dir, mut p) = init("verdicts", &["N134"]);
    for v in [Verdict::Partial, Verdict::Nonconform, Verdict::Na] {
        let e = assess::set_verdict(&mut p, "tester", "N134-01", &VerdictInput::new(v, "  "))
            .expect_err("justification required");
        assert!(invalid_zh(e).contains("必须写明理由"));
    }
    assess::set_verdict(
        &mut p,
        "王审核",
        "N134-01",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("conform needs no note");
    let r = assess::recorded_verdict(&p, "N134-01")
        .expect("db")
        .expect("recorded");
    assert_eq!(r.assessor, "王审核");
    assert!(r.at.ends_with('Z'));
    let e = assess::set_verdict(
        &mut p,
        "tester",
        "BJ50-01",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect_err("not in project");
    assert!(invalid_zh(e).contains("不在本项目中"));
    assess::set_verdict(
        &mut p,
        "tester",
        "N134-01",
        &VerdictInput::new(Verdict::Unassessed, ""),
    )
    .expect("clear");
    assert!(assess::recorded_verdict(&p, "N134-01")
        .expect("db")
        .is_none());
}

#[test]
fn mapped_requirements_get_inferred_verdicts_until_confirmed() {
    let lib = pack::builtin().expect("library");
    // Find an `equal` mapping between N134 and SH26 in the shipped mappings.
    let (from, to) = lib
        .themes
        .iter()
        .flat_map(|t| t.mappings.iter())
        .find(|m| {
            m.relation == pack::Relation::Equal
                && (m.from.starts_with("SH26") && m.to.starts_with("N134"))
        })
        .map(|m| (m.to.clone(), m.from.clone()))
        .expect("an equal mapping SH26 = N134 exists");
    let (_dir, mut p) = init("infer", &["N134", "SH26"]);
    scope(
        &mut p,
        &[
            ("enterprise_type", "OEM,PLT"),
            ("region", "SH"),
            ("shares_data", "yes"),
            ("important_data", "yes"),
        ],
    );
    let props = assess::set_verdict(
        &mut p,
        "tester",
        &from,
        &VerdictInput::new(Verdict::Nonconform, "缺少合作方评估记录"),
    )
    .expect("set");
    assert!(
        props
            .iter()
            .any(|x| x.requirement == to && x.verdict == Verdict::Nonconform),
        "{props:?}"
    );
    let r = assess::recorded_verdict(&p, &to)
        .expect("db")
        .expect("inferred row");
    assert_eq!(r.inferred_from.as_deref(), Some(from.as_str()));
    assert!(!r.confirmed);
    // Unconfirmed inferences do not count in the score and block submission.
    let s = score::score(
        &p.packs().expect("packs"),
        &assess::statuses(&p).expect("st"),
    );
    let sh = s.packs.iter().find(|x| x.pack == "SH26").expect("SH26");
    assert_eq!(sh.tally.inferred_pending, 1);
    assert_eq!(sh.tally.nonconform, 0);
    let e = assess::submit(&mut p, "tester").expect_err("blocked");
    assert!(invalid_zh(e).contains("推断结论未经确认"));
    assess::confirm(&mut p, "reviewer", &to).expect("confirm");
    assert!(
        assess::recorded_verdict(&p, &to)
            .expect("db")
            .expect("row")
            .confirmed
    );
    // A person's verdict is never overwritten by a later inference.
    assess::set_verdict(
        &mut p,
        "tester",
        &to,
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("person");
    assess::set_verdict(
        &mut p,
        "tester",
        &from,
        &VerdictInput::new(Verdict::Nonconform, "仍缺少记录"),
    )
    .expect("again");
    assert_eq!(
        assess::recorded_verdict(&p, &to)
            .expect("db")
            .expect("row")
            .verdict,
        Verdict::Conform
    );
}

#[test]
fn findings_lifecycle() {
    let (_dir, mut p) = init("findings", &["N134"]);
    let id = assess::add_finding(
        &mut p,
        "tester",
        &FindingInput {
            requirement: Some("N134-19".into()),
            title: Some("开展实战演练".into()),
            severity: Some(Severity::High),
            owner: Some("安全部".into()),
            due: Some("2026-12-31".into()),
            ..Default::default()
        },
    )
    .expect("add");
    let bad = FindingInput {
        due: Some("31/12/2026".into()),
        ..Default::default()
    };
    assert!(
        invalid_zh(assess::update_finding(&mut p, "tester", id, &bad).expect_err("bad date"))
            .contains("日期")
    );
    assess::update_finding(
        &mut p,
        "tester",
        id,
        &FindingInput {
            status: Some(FindingStatus::Fixed),
            ..Default::default()
        },
    )
    .expect("fixed");
    let f = assess::findings(&p).expect("list");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, FindingStatus::Fixed);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        invalid_zh(assess::update_finding(&mut p, "tester", 99, &bad).expect_err("missing"))
            .contains("99")
    );
}

#[test]
fn approval_locks_the_project_and_reopening_makes_a_new_revision() {
    let (dir, mut p) = init("review", &["N134"]);
    assess::set_verdict(
        &mut p,
        "tester",
        "N134-01",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("set");
    assert!(
        assess::approve(&mut p, "boss").is_err(),
        "approve straight from draft is refused"
    );
    assess::submit(&mut p, "tester").expect("submit");
    let h1 = assess::approve(&mut p, "boss").expect("approve");
    assert_eq!(h1.len(), 64);
    assert_eq!(
        assess::snapshot_hash(&p).expect("hash"),
        h1,
        "the snapshot hash is reproducible"
    );
    let meta = p.meta().expect("meta");
    assert_eq!(meta.state, State::Approved);
    assert_eq!(meta.snapshot_hash.as_deref(), Some(h1.as_str()));
    // Every kind of change is refused.
    assert!(matches!(
        assess::set_verdict(
            &mut p,
            "x",
            "N134-02",
            &VerdictInput::new(Verdict::Conform, "")
        ),
        Err(ProjectError::Approved)
    ));
    assert!(matches!(
        assess::set_scope(&mut p, "x", &[("has_ota".into(), "yes".into())]),
        Err(ProjectError::Approved)
    ));
    assert!(matches!(
        assess::add_finding(
            &mut p,
            "x",
            &FindingInput {
                requirement: Some("N134-01".into()),
                title: Some("t".into()),
                ..Default::default()
            }
        ),
        Err(ProjectError::Approved)
    ));
    let src = scratch("review_src").join("f.txt");
    std::fs::write(&src, "x").expect("write");
    let never = std::sync::atomic::AtomicBool::new(false);
    assert!(matches!(
        iovaudit::evidence::add(&mut p, "x", &[src], &Default::default(), &|_| {}, &never),
        Err(ProjectError::Approved)
    ));
    drop(p);
    let mut p = Project::open(&dir).expect("reopen the folder");
    assess::reopen(&mut p, "boss").expect("reopen");
    let meta = p.meta().expect("meta");
    assert_eq!((meta.state, meta.revision), (State::Draft, 2));
    assess::set_verdict(
        &mut p,
        "tester",
        "N134-02",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("editable again");
    assert_ne!(assess::snapshot_hash(&p).expect("hash"), h1);
    let actions: Vec<String> = iovaudit::journal::entries(p.conn())
        .expect("journal")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.ends_with(&[
            "review.submit".into(),
            "review.approve".into(),
            "review.reopen".into(),
            "assess.set".into()
        ]),
        "{actions:?}"
    );
}

fn journal_breaks(dir: &Path) -> Vec<iovaudit::journal::Break> {
    let p = Project::open(dir).expect("open");
    p.verify_journal().expect("verify").0
}

#[test]
fn the_journal_detects_edits_deletions_and_reordering() {
    let (dir, mut p) = init("journal", &["N134"]);
    for id in ["N134-01", "N134-02", "N134-03", "N134-04"] {
        assess::set_verdict(
            &mut p,
            "tester",
            id,
            &VerdictInput::new(Verdict::Conform, ""),
        )
        .expect("set");
    }
    let (b, n, head) = p.verify_journal().expect("verify");
    assert!(b.is_empty());
    assert_eq!(n, 5);
    assert!(head.is_some());
    drop(p);
    let db = dir.join("project.db");

    // Edit: change the detail of entry 3.
    let backup = std::fs::read(&db).expect("backup");
    let c = Connection::open(&db).expect("db");
    c.execute(
        "UPDATE journal SET detail = replace(detail, 'N134-02', 'N134-09') WHERE seq = 3",
        [],
    )
    .expect("edit");
    drop(c);
    let b = journal_breaks(&dir);
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(
        (b[0].seq, b[0].kind),
        (3, iovaudit::journal::BreakKind::Edited)
    );

    // Deletion of entry 3.
    std::fs::write(&db, &backup).expect("restore");
    let _ = std::fs::remove_file(dir.join("project.db-wal"));
    let c = Connection::open(&db).expect("db");
    c.execute("DELETE FROM journal WHERE seq = 3", [])
        .expect("delete");
    drop(c);
    let b = journal_breaks(&dir);
    assert!(
        b.iter()
            .any(|x| x.seq == 4 && x.kind == iovaudit::journal::BreakKind::Unlinked),
        "{b:?}"
    );

    // Reordering: swap the contents of entries 2 and 3 (keeping their seq).
    std::fs::write(&db, &backup).expect("restore");
    let _ = std::fs::remove_file(dir.join("project.db-wal"));
    let c = Connection::open(&db).expect("db");
    c.execute_batch(
        "UPDATE journal SET seq = -2 WHERE seq = 2; UPDATE journal SET seq = 2 WHERE seq = 3; UPDATE journal SET seq = 3 WHERE seq = -2;",
    )
    .expect("swap");
    drop(c);
    let b = journal_breaks(&dir);
    assert!(!b.is_empty(), "reordering must be detected");
    assert!(
        b.iter().all(|x| x.seq == 2 || x.seq == 3 || x.seq == 4),
        "{b:?}"
    );
}

/// A pack with known weights for hand-computed scores.
const SCORE_PACK: &str = r#"schema = 1
[pack]
id = "SC"
version = "1"
doc_number = "测试"
title = { zh = "计分测试", en = "Scoring test" }
issuer = { zh = "测试", en = "Test" }
doc_type = "notice"
region = "CN"
status = "in_force"
source = "tests"
provenance = "text"
questions = ["has_ota"]
[scoring]
partial = 0.5
not_applicable = "exclude"
encouraged = "exclude"
veto = "fail_pack"
bands = [
  { min = 90, label = { zh = "符合", en = "Conformant" } },
  { min = 60, label = { zh = "基本符合", en = "Largely conformant" } },
  { min = 0, label = { zh = "不符合", en = "Not conformant" } },
]
[[sections]]
id = "SC-S1"
clause = "一"
title = { zh = "一", en = "One" }
[[sections.requirements]]
id = "SC-01"
clause = "1"
title = { zh = "甲", en = "A" }
text = { zh = "甲", en = "A" }
obligation = "mandatory"
applies_to = ["ALL"]
evidence = { zh = ["x"] }
methods = ["examine"]
weight = 4
provenance = "text"
[[sections.requirements]]
id = "SC-02"
clause = "2"
title = { zh = "乙", en = "B" }
text = { zh = "乙", en = "B" }
obligation = "mandatory"
applies_to = ["ALL"]
evidence = { zh = ["x"] }
methods = ["examine"]
weight = 2
provenance = "text"
[[sections.requirements]]
id = "SC-03"
clause = "3"
title = { zh = "丙", en = "C" }
text = { zh = "丙", en = "C" }
obligation = "encouraged"
applies_to = ["ALL"]
evidence = { zh = ["x"] }
methods = ["examine"]
weight = 5
provenance = "text"
[[sections]]
id = "SC-S2"
clause = "二"
title = { zh = "二", en = "Two" }
[[sections.requirements]]
id = "SC-04"
clause = "4"
title = { zh = "丁", en = "D" }
text = { zh = "丁", en = "D" }
obligation = "mandatory"
applies_to = ["ALL"]
evidence = { zh = ["x"] }
methods = ["examine"]
weight = 3
veto = true
provenance = "text"
[[sections.requirements]]
id = "SC-05"
clause = "5"
title = { zh = "戊", en = "E" }
text = { zh = "戊", en = "E" }
obligation = "conditional"
applies_to = ["ALL"]
when = "has_ota"
evidence = { zh = ["x"] }
methods = ["examine"]
weight = 5
provenance = "text"
[[sections.requirements]]
id = "SC-06"
clause = "6"
title = { zh = "己", en = "F" }
text = { zh = "己", en = "F" }
obligation = "mandatory"
applies_to = ["ALL"]
evidence = { zh = ["x"] }
methods = ["examine"]
weight = 1
provenance = "text"
"#;

fn score_library() -> pack::Library {
    let q = std::fs::read_to_string(repo().join("checklists/questions.toml")).expect("questions");
    pack::load(&[
        SourceFile::new("questions.toml", q),
        SourceFile::new("sc.toml", SCORE_PACK),
    ])
    .expect("valid test pack")
}

#[test]
fn scoring_matches_hand_computed_examples() {
    let dir = scratch("score").join("p.iovaudit");
    let mut p = Project::init(&dir, &new(&["SC"]), score_library()).expect("init");
    scope(&mut p, &[("has_ota", "no")]); // SC-05 (weight 5) becomes 不适用
    assess::set_verdict(
        &mut p,
        "t",
        "SC-01",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("v");
    assess::set_verdict(
        &mut p,
        "t",
        "SC-02",
        &VerdictInput::new(Verdict::Partial, "部分"),
    )
    .expect("v");
    assess::set_verdict(
        &mut p,
        "t",
        "SC-03",
        &VerdictInput::new(Verdict::Nonconform, "鼓励项不计分"),
    )
    .expect("v");
    assess::set_verdict(
        &mut p,
        "t",
        "SC-04",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("v");
    // SC-06 (weight 1) left unassessed.
    let s = score::score(
        &p.packs().expect("packs"),
        &assess::statuses(&p).expect("st"),
    );
    let ps = &s.packs[0];
    // Judged: SC-01 4×1 + SC-02 2×0.5 + SC-04 3×1 = 8 of 9 → 88.9; SC-03 encouraged, SC-05 N/A, SC-06 open.
    assert_eq!(ps.tally.score, Some(88.9));
    assert_eq!(
        (
            ps.tally.judged,
            ps.tally.applicable,
            ps.tally.not_applicable
        ),
        (3, 4, 1)
    );
    assert_eq!(
        ps.conclusion.as_ref().map(|c| c.zh.as_str()),
        Some("基本符合")
    );
    assert!(!ps.complete);
    // Sections: S1 = (4 + 1) / 6 = 83.3; S2 = 3 / 3 = 100.
    assert_eq!(ps.sections[0].tally.score, Some(83.3));
    assert_eq!(ps.sections[1].tally.score, Some(100.0));
    assess::set_verdict(
        &mut p,
        "t",
        "SC-06",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("v");
    let s = score::score(
        &p.packs().expect("packs"),
        &assess::statuses(&p).expect("st"),
    );
    // 9 of 10 → 90.0: the top band, and complete.
    assert_eq!(s.packs[0].tally.score, Some(90.0));
    assert_eq!(
        s.packs[0].conclusion.as_ref().map(|c| c.zh.as_str()),
        Some("符合")
    );
    assert!(s.complete);
    // Veto: SC-04 不符合 → 6 of 10 = 60.0 would be 基本符合, but the veto forces 不符合.
    assess::set_verdict(
        &mut p,
        "t",
        "SC-04",
        &VerdictInput::new(Verdict::Nonconform, "一票否决项不符合"),
    )
    .expect("v");
    let s = score::score(
        &p.packs().expect("packs"),
        &assess::statuses(&p).expect("st"),
    );
    assert_eq!(s.packs[0].tally.score, Some(60.0));
    assert_eq!(s.packs[0].veto_failed, vec!["SC-04".to_string()]);
    assert_eq!(
        s.packs[0].conclusion.as_ref().map(|c| c.zh.as_str()),
        Some("不符合")
    );
    assert_eq!(s.conclusion.as_ref().map(|c| c.zh.as_str()), Some("不符合"));
}

#[test]
fn the_demo_project_is_complete_and_consistent() {
    let dir = scratch("demo").join("demo.iovaudit");
    let p = iovaudit::demo::create(&dir, pack::builtin().expect("library")).expect("demo");
    assert!(iovaudit::evidence::list(&p).expect("evidence").len() >= 10);
    assert_eq!(assess::findings(&p).expect("findings").len(), 3);
    assert!(p.verify_journal().expect("journal").0.is_empty());
    let never = std::sync::atomic::AtomicBool::new(false);
    assert!(iovaudit::evidence::verify(&p, &|_| {}, &never)
        .expect("verify")
        .is_ok());
    let st = assess::statuses(&p).expect("statuses");
    assert!(
        st.iter().any(|s| s
            .recorded
            .as_ref()
            .is_some_and(|r| r.inferred_from.is_some())),
        "the demo shows inferred verdicts"
    );
    // Nothing of the demo's temporary source folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("tmp")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("iovaudit-demo-{}-", std::process::id()))
        })
        .collect();
    assert!(leftovers.is_empty());
}
