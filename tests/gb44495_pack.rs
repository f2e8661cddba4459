//! The GB 44495—2024 pack (as amended by Amendment No. 1) is clause-exact:
//! one requirement per leaf clause of clauses 5, 6 and 7, each clause 7 item
//! carrying its own clause 8 test, nothing left `inferred`, the clause-5
//! scoring rule, the clause-10 dates and the numeric parameters as data, and
//! every id of the previous pack version either kept or replaced.
//!
//! The expected clause lists below are written from the standard's structure
//! (research/gb44495-fulltext.md), not read from the pack.

use iovaudit::pack::{DeadlineRule, GroupKind, Library, Obligation, Pack, Provenance, Requirement};
use std::collections::BTreeSet;

/// Clause 5: 5.1 and the nine check points of 5.2 (operating procedure
/// 2.3.1–2.3.10): dash n of 5.2 is `5.2-n`, bullet m under the fourth dash is `5.2-4.m`.
const CLAUSE_5: [&str; 10] = [
    "5.1", "5.2-1", "5.2-2", "5.2-3", "5.2-4.1", "5.2-4.2", "5.2-4.3", "5.2-4.4", "5.2-4.5",
    "5.2-5",
];

const CLAUSE_6: [&str; 11] = [
    "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9", "6.10", "6.11",
];

/// The 38 leaf clauses of clause 7.
const CLAUSE_7: [&str; 38] = [
    // 7.1 external connections
    "7.1.1.1", "7.1.1.2", "7.1.2.1", "7.1.2.2", "7.1.2.3", "7.1.2.4", "7.1.3.1", "7.1.3.2",
    "7.1.4.1", "7.1.4.2", "7.1.4.3", "7.1.4.4", // 7.2 communications
    "7.2.1", "7.2.2", "7.2.3", "7.2.4", "7.2.5", "7.2.6", "7.2.7", "7.2.8", "7.2.9", "7.2.10",
    "7.2.11", "7.2.12", // 7.3 software update
    "7.3.1.1", "7.3.1.2", "7.3.2.1", "7.3.2.2", "7.3.2.3", "7.3.3.1", "7.3.3.2",
    // 7.4 data security
    "7.4.1", "7.4.2", "7.4.3", "7.4.4", "7.4.5", "7.4.6", "7.4.7",
];

/// Clause 9 (same type, reference items) and clause 10 (implementation).
const CLAUSE_9_10: [&str; 4] = ["9.1", "9.2", "9.3", "10"];

/// Every requirement id of the previous pack version (2026.1).
const OLD_IDS: [&str; 40] = [
    "GB44495-5-01",
    "GB44495-5-02",
    "GB44495-5-03",
    "GB44495-5-04",
    "GB44495-5-05",
    "GB44495-5-06",
    "GB44495-5-07",
    "GB44495-5-08",
    "GB44495-6.1",
    "GB44495-6.2",
    "GB44495-6.3",
    "GB44495-6.4",
    "GB44495-6.5",
    "GB44495-6.6",
    "GB44495-6.7",
    "GB44495-6.8",
    "GB44495-7.1.1-01",
    "GB44495-7.1.1-02",
    "GB44495-7.1.2",
    "GB44495-7.1.3",
    "GB44495-7.1.4-01",
    "GB44495-7.1.4-02",
    "GB44495-7.2-01",
    "GB44495-7.2-02",
    "GB44495-7.2.5",
    "GB44495-7.2-03",
    "GB44495-7.2-04",
    "GB44495-7.2-05",
    "GB44495-7.2.10",
    "GB44495-7.2-06",
    "GB44495-7.3.1.1",
    "GB44495-7.3.1-01",
    "GB44495-7.3.2",
    "GB44495-7.3.3.1",
    "GB44495-7.3.3.2",
    "GB44495-7.4.1",
    "GB44495-7.4.2",
    "GB44495-7.4-01",
    "GB44495-7.4-02",
    "GB44495-7.4-03",
];

/// Old ids kept because the new item is the same clause with the same content.
const KEPT: [&str; 15] = [
    "GB44495-6.1",
    "GB44495-6.2",
    "GB44495-6.3",
    "GB44495-6.4",
    "GB44495-6.5",
    "GB44495-6.6",
    "GB44495-6.7",
    "GB44495-6.8",
    "GB44495-7.2.5",
    "GB44495-7.2.10",
    "GB44495-7.3.1.1",
    "GB44495-7.3.3.1",
    "GB44495-7.3.3.2",
    "GB44495-7.4.1",
    "GB44495-7.4.2",
];

/// Old ids deliberately dropped (mapping to nothing in the standard). Empty:
/// even old 7.2-04 (in-vehicle message authentication + segregation) lives
/// on in 7.2.9 for its segregation part; only its SecOC demand was dropped,
/// which the pack note says.
const DROPPED: [&str; 0] = [];

fn library() -> Library {
    iovaudit::pack::builtin().expect("built-in library")
}

fn gb(lib: &Library) -> &Pack {
    lib.pack("GB44495").expect("GB44495 pack")
}

fn req<'a>(p: &'a Pack, id: &str) -> &'a Requirement {
    p.requirements()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn when_of(r: &Requirement) -> Option<String> {
    r.when
        .as_ref()
        .map(|c| serde_json::to_value(c).expect("json"))
        .and_then(|v| v.as_str().map(str::to_string))
}

#[test]
fn one_requirement_per_leaf_clause() {
    let lib = library();
    let p = gb(&lib);
    let expected: Vec<String> = CLAUSE_5
        .iter()
        .chain(&CLAUSE_6)
        .chain(&CLAUSE_7)
        .chain(&CLAUSE_9_10)
        .map(|c| format!("GB44495-{c}"))
        .collect();
    let have: Vec<&str> = p.requirements().map(|r| r.id.as_str()).collect();
    for id in &expected {
        assert!(have.contains(&id.as_str()), "no requirement {id}");
    }
    // Nothing beyond the leaf clauses (no group items, no "-01" counters).
    assert_eq!(
        have.len(),
        expected.len(),
        "unexpected requirements: {:?}",
        have.iter()
            .filter(|h| !expected.iter().any(|e| e == *h))
            .collect::<Vec<_>>()
    );
    // Ids of clauses 6, 7, 9, 10 carry their clause verbatim; clause 5 check points cite 5.1 or 5.2.
    for r in p.requirements() {
        let tail = r.id.strip_prefix("GB44495-").expect("prefix");
        if tail.starts_with("5.2") {
            assert_eq!(r.clause, "5.2", "{}", r.id);
        } else {
            assert_eq!(r.clause, tail, "{}", r.id);
        }
        assert_eq!(r.applies_to, ["OEM"], "{}", r.id);
    }
    assert_eq!(p.version, "2026.2");
}

#[test]
fn every_clause_7_item_carries_its_clause_8_test() {
    let lib = library();
    let p = gb(&lib);
    for c in CLAUSE_7 {
        let r = req(p, &format!("GB44495-{c}"));
        // 7.x.rest is tested by 8.3.(x+1).rest
        let mut parts = c.split('.').skip(1);
        let x: u32 = parts.next().unwrap().parse().unwrap();
        let rest: Vec<&str> = parts.collect();
        let want = format!("8.3.{}.{}", x + 1, rest.join("."));
        let t = r.test.as_ref().unwrap_or_else(|| panic!("{c} has no test"));
        assert_eq!(t.clause, want, "test clause of {c}");
        assert!(!t.text.zh.trim().is_empty(), "{c}: test zh");
        assert!(!t.text.en.trim().is_empty(), "{c}: test en");
    }
    // Clause 6 items carry the 8.2 document inspection.
    for c in CLAUSE_6 {
        let r = req(p, &format!("GB44495-{c}"));
        let t = r.test.as_ref().unwrap_or_else(|| panic!("{c} has no test"));
        assert!(t.clause.starts_with("8.2"), "{c}: {}", t.clause);
    }
    // The conditions of the tests that have them.
    let t = |id: &str| req(p, id).test.as_ref().unwrap().text.zh.clone();
    assert!(t("GB44495-7.4.7").contains("3600"));
    let cloud = t("GB44495-7.2.1");
    assert!(cloud.contains("a)") && cloud.contains("b)") && cloud.contains("c)"));
    assert!(t("GB44495-7.2.10").contains("静止") && t("GB44495-7.2.10").contains("运动"));
}

#[test]
fn nothing_is_inferred_and_the_full_text_is_the_provenance() {
    let lib = library();
    let p = gb(&lib);
    assert_eq!(p.provenance, Provenance::Fulltext);
    for r in p.requirements() {
        assert_ne!(r.provenance, Provenance::Inferred, "{} is inferred", r.id);
        assert_eq!(r.provenance, Provenance::Fulltext, "{}", r.id);
        for v in &r.params {
            assert_ne!(v.origin.provenance, Some(Provenance::Inferred), "{}", r.id);
        }
        for d in &r.deadlines {
            assert_ne!(d.origin.provenance, Some(Provenance::Inferred), "{}", r.id);
        }
    }
    let note = &p.note.as_ref().expect("pack note");
    assert!(note.zh.contains("openstd.samr.gov.cn"));
    assert!(note.zh.contains("M类、N类"));
}

#[test]
fn clause_5_is_scored_as_one_check() {
    let lib = library();
    let p = gb(&lib);
    let s5 = p
        .sections
        .iter()
        .find(|s| s.clause == "5")
        .expect("clause 5 section");
    assert_eq!(s5.title.zh, "汽车信息安全保障要求", "amended title");
    let ids: Vec<&str> = s5.requirements.iter().map(|r| r.id.as_str()).collect();
    let want: Vec<String> = CLAUSE_5.iter().map(|c| format!("GB44495-{c}")).collect();
    assert_eq!(ids, want);
    let g = p
        .scoring
        .groups
        .iter()
        .find(|g| g.section == s5.id)
        .expect("scoring group for clause 5");
    assert_eq!(g.rule, GroupKind::AnyFailFailsAll);
    assert!(g.note.is_some());
}

#[test]
fn clause_10_dates_are_data() {
    let lib = library();
    let p = gb(&lib);
    let r = req(p, "GB44495-10");
    assert_eq!(r.obligation, Obligation::Mandatory);
    assert!(r.when.is_none());
    let mut got: Vec<(String, String, Option<Provenance>)> = r
        .deadlines
        .iter()
        .map(|d| {
            let DeadlineRule::Once { date } = &d.rule else {
                panic!("clause 10 deadline is not `once`: {:?}", d.rule)
            };
            let when = d
                .when
                .as_ref()
                .map(|c| serde_json::to_value(c).expect("json"))
                .and_then(|v| v.as_str().map(str::to_string))
                .expect("deadline when");
            (date.clone(), when, d.origin.provenance)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "2026-07-01".to_string(),
                "approval_stage == new_type".to_string(),
                Some(Provenance::Fulltext)
            ),
            (
                "2028-01-01".to_string(),
                "approval_stage == existing_type".to_string(),
                Some(Provenance::Fulltext)
            ),
        ]
    );
}

#[test]
fn numeric_parameters_are_data() {
    let lib = library();
    let p = gb(&lib);
    let has = |id: &str, key: &str, op: &str, value: f64, unit: &str| {
        let r = req(p, id);
        let v = r
            .params
            .iter()
            .find(|v| v.key == key)
            .unwrap_or_else(|| panic!("{id}: no param {key}"));
        assert_eq!(
            (v.op.as_str(), v.value, v.unit.as_str()),
            (op, value, unit),
            "{id} {key}"
        );
        assert_eq!(
            v.origin.provenance,
            Some(Provenance::Fulltext),
            "{id} {key}"
        );
    };
    has(
        "GB44495-7.4.7",
        "traffic_capture_duration",
        ">=",
        3600.0,
        "second",
    );
    for id in ["GB44495-7.1.2.3", "GB44495-7.2.12", "GB44495-7.3.2.3"] {
        has(id, "log_retention", ">=", 6.0, "month");
    }
    for id in ["GB44495-7.1.1.1", "GB44495-7.3.1.2"] {
        has(id, "unremediated_high_vuln_age", "<", 6.0, "month");
    }
    for id in ["GB44495-9.1", "GB44495-9.2"] {
        has(id, "test_report_age", "<=", 3.0, "year");
    }
}

#[test]
fn scoping_questions_decide_applicability() {
    let lib = library();
    let p = gb(&lib);
    let cases: [(&[&str], &str); 9] = [
        (
            &["7.1.2.1", "7.1.2.2", "7.1.2.3", "7.1.2.4"],
            "has_remote_control",
        ),
        (&["7.1.3.1", "7.1.3.2"], "has_third_party_apps"),
        (&["7.1.4.2", "7.1.4.3"], "has_external_media"),
        (&["7.2.2"], "has_v2x"),
        (&["7.3.2.1", "7.3.2.2", "7.3.2.3"], "has_ota"),
        (&["7.3.3.1"], "offline_update_onboard"),
        (&["7.3.3.2"], "offline_update_direct"),
        (&["7.4.5"], "stores_security_logs"),
        (&["9.1", "9.2", "9.3"], "type_extension"),
    ];
    let mut conditional = BTreeSet::new();
    for (clauses, q) in cases {
        for c in clauses {
            let id = format!("GB44495-{c}");
            let r = req(p, &id);
            assert_eq!(r.obligation, Obligation::Conditional, "{id}");
            assert_eq!(when_of(r).as_deref(), Some(q), "{id}");
            conditional.insert(id);
        }
    }
    for id in ["GB44495-7.3.1.1", "GB44495-7.3.1.2"] {
        let r = req(p, id);
        assert_eq!(r.obligation, Obligation::Conditional, "{id}");
        let w = when_of(r).expect("when");
        assert!(
            w.contains("has_ota") && w.contains("offline_update_onboard"),
            "{id}: {w}"
        );
        conditional.insert(id.to_string());
    }
    // Everything else binds unconditionally.
    for r in p.requirements().filter(|r| !conditional.contains(&r.id)) {
        assert_eq!(r.obligation, Obligation::Mandatory, "{}", r.id);
        assert!(r.when.is_none(), "{}", r.id);
    }
    for q in [
        "approval_stage",
        "type_extension",
        "has_remote_control",
        "has_third_party_apps",
        "has_external_media",
        "has_v2x",
        "has_ota",
        "offline_update_onboard",
        "offline_update_direct",
        "stores_security_logs",
    ] {
        assert!(p.questions.iter().any(|x| x == q), "pack does not list {q}");
    }
}

#[test]
fn every_old_id_is_kept_replaced_or_dropped() {
    let lib = library();
    let p = gb(&lib);
    let ids: BTreeSet<&str> = p.requirements().map(|r| r.id.as_str()).collect();
    let replaced: BTreeSet<&str> = p
        .requirements()
        .flat_map(|r| r.replaces.iter().map(String::as_str))
        .collect();
    for old in OLD_IDS {
        let kept = ids.contains(old);
        let repl = replaced.contains(old);
        let dropped = DROPPED.contains(&old);
        assert_eq!(
            [kept, repl, dropped].iter().filter(|b| **b).count(),
            1,
            "{old}: kept {kept}, replaced {repl}, dropped {dropped}"
        );
        assert_eq!(kept, KEPT.contains(&old), "{old}: kept list");
    }
    // `replaces` names only ids of the previous version, never a current id.
    for r in p.requirements() {
        for old in &r.replaces {
            assert!(
                OLD_IDS.contains(&old.as_str()),
                "{}: unknown old id {old}",
                r.id
            );
            assert!(
                !ids.contains(old.as_str()),
                "{}: replaces a live id {old}",
                r.id
            );
        }
    }
    // The ids that looked like clause numbers but were groups are gone.
    for gone in ["GB44495-7.1.2", "GB44495-7.1.3", "GB44495-7.3.2"] {
        assert!(!ids.contains(gone), "{gone}");
    }
}
