//! The GB 44496—2024 pack (software update, as amended by Amendment No. 1)
//! against the structure of the standard: one requirement per clause of
//! clauses 4 and 5, the clause 6 test attached to each clause 5 item, the OTA
//! items conditional on `has_ota`, the 10-year record keeping, the clause 9
//! dates, nothing inferred, and the mappings to N103, GB44495 and SH26.

use iovaudit::pack::{
    builtin, DeadlineRule, DocType, Library, Obligation, Pack, Provenance, Relation, Requirement,
};

const PACK: &str = "GB44496";

/// Clause 4 (软件升级保障要求) as printed: 4.1.1–4.1.4, 4.2.1–4.2.9,
/// 4.3.1–4.3.5, 4.4.1–4.4.4, 4.5.1–4.5.2.
fn clause_4() -> Vec<String> {
    let mut v = Vec::new();
    for (sub, n) in [(1, 4), (2, 9), (3, 5), (4, 4), (5, 2)] {
        for i in 1..=n {
            v.push(format!("4.{sub}.{i}"));
        }
    }
    v
}

/// Clause 5 (车辆要求): 5.1.1–5.1.4 general, 5.2.1–5.2.10 additional for OTA.
fn clause_5() -> Vec<String> {
    let mut v = Vec::new();
    for (sub, n) in [(1, 4), (2, 10)] {
        for i in 1..=n {
            v.push(format!("5.{sub}.{i}"));
        }
    }
    v
}

/// The clause 6 test of each clause 5 requirement (6.1 only says which tests apply).
const TESTS: &[(&str, &str)] = &[
    ("5.1.1", "6.2"),
    ("5.1.2", "6.3"),
    ("5.1.3", "6.3"),
    ("5.1.4", "6.4"),
    ("5.2.1", "6.5"),
    ("5.2.2", "6.6"),
    ("5.2.3", "6.7"),
    ("5.2.4", "6.8"),
    ("5.2.5", "6.9"),
    ("5.2.6", "6.10"),
    ("5.2.7", "6.11"),
    ("5.2.8", "6.12"),
    ("5.2.9", "6.13"),
    ("5.2.10", "6.5、6.12"),
];

fn lib() -> Library {
    builtin().unwrap_or_else(|d| panic!("built-in library does not load: {d:#?}"))
}

fn pack(lib: &Library) -> &Pack {
    lib.pack(PACK).expect("GB44496 pack")
}

fn req<'a>(p: &'a Pack, clause: &str) -> &'a Requirement {
    let id = format!("{PACK}-{clause}");
    p.requirements()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no requirement {id}"))
}

#[test]
fn pack_metadata() {
    let lib = lib();
    let p = pack(&lib);
    assert_eq!(p.doc_type, DocType::NationalStandard);
    assert_eq!(p.doc_number, "GB 44496—2024");
    assert_eq!(p.version, "2026.1");
    assert_eq!(p.provenance, Provenance::Fulltext);
    let note = p.note.as_ref().expect("pack note");
    assert!(note.zh.contains("openstd.samr.gov.cn"));
    assert!(note.zh.contains("M类、N类"), "scope after the amendment");
    for r in p.requirements() {
        assert_eq!(r.applies_to, vec!["OEM".to_string()], "{}", r.id);
    }
}

#[test]
fn one_requirement_per_clause_of_4_and_5() {
    let lib = lib();
    let p = pack(&lib);
    for c in clause_4().iter().chain(clause_5().iter()) {
        let r = req(p, c);
        assert_eq!(&r.clause, c, "{} clause", r.id);
    }
    // Nothing in clauses 4 and 5 that the standard does not have.
    let expected: Vec<String> = clause_4().into_iter().chain(clause_5()).collect();
    for r in p.requirements() {
        if r.clause.starts_with("4.") || r.clause.starts_with("5.") {
            assert!(
                expected.contains(&r.clause),
                "unexpected clause {}",
                r.clause
            );
        }
    }
    assert_eq!(expected.len(), 24 + 14);
    // Clause 7 (same type), 8 (owner's manual) and 9 (implementation) as items.
    for c in ["7.1.1", "7.1.2", "8", "9"] {
        req(p, c);
    }
    // Sections per clause 4.x / 5.x / 7 / 8 / 9.
    let sections: Vec<&str> = p.sections.iter().map(|s| s.clause.as_str()).collect();
    assert_eq!(
        sections,
        ["4.1", "4.2", "4.3", "4.4", "4.5", "5.1", "5.2", "7", "8", "9"]
    );
}

#[test]
fn clause_5_items_carry_their_clause_6_test() {
    let lib = lib();
    let p = pack(&lib);
    for c in clause_5() {
        let r = req(p, &c);
        let want = TESTS.iter().find(|(k, _)| *k == c).expect("test table").1;
        let t = r
            .test
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no test", r.id));
        assert_eq!(t.clause, want, "{}", r.id);
        assert!(t.clause.starts_with("6."));
        assert!(!t.text.zh.is_empty() && !t.text.en.is_empty());
    }
    // 6.2 uses GB 44495 8.3.4.2.2 (OTA) and 8.3.4.3 (offline); 6.4 uses 8.3.5.4.
    let t = req(p, "5.1.1").test.as_ref().unwrap();
    for c in ["GB 44495", "8.3.4.2.2", "8.3.4.3"] {
        assert!(
            t.text.zh.contains(c) && t.text.en.contains(c),
            "6.2 names {c}"
        );
    }
    let t = req(p, "5.1.4").test.as_ref().unwrap();
    assert!(t.text.zh.contains("8.3.5.4") && t.text.en.contains("8.3.5.4"));
    // Amendment No. 1: 检查 → 检验 in 6.5–6.10, 6.12 and 6.13.
    for c in [
        "5.2.1", "5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6", "5.2.8", "5.2.9",
    ] {
        let t = &req(p, c).test.as_ref().unwrap().text.zh;
        assert!(
            t.contains("检验") && !t.contains("检查"),
            "{c}: amended wording 检验 expected in {t}"
        );
    }
}

/// Clause 6 has test methods for the vehicle (clause 5) only; clause 4
/// (assurance requirements) has none, so its items carry no `test` rather
/// than an invented one.
#[test]
fn clause_4_items_have_no_invented_test() {
    let lib = lib();
    let p = pack(&lib);
    for c in clause_4() {
        assert!(
            req(p, &c).test.is_none(),
            "{c}: clause 6 has no test for clause 4"
        );
    }
}

#[test]
fn ota_items_are_conditional_on_has_ota() {
    let lib = lib();
    let p = pack(&lib);
    for c in clause_5()
        .into_iter()
        .filter(|c| c.starts_with("5.2."))
        .chain(["4.5.1".to_string(), "4.5.2".to_string()])
    {
        let r = req(p, &c);
        assert_eq!(r.obligation, Obligation::Conditional, "{}", r.id);
        assert_eq!(
            r.when.as_ref().map(|w| w.source()),
            Some("has_ota"),
            "{}",
            r.id
        );
    }
    // The obligation rule: mandatory never has `when`; conditional always has one.
    for r in p.requirements() {
        match r.obligation {
            Obligation::Mandatory => assert!(r.when.is_none(), "{}", r.id),
            Obligation::Conditional => assert!(r.when.is_some(), "{}", r.id),
            other => panic!("{}: unexpected obligation {other:?}", r.id),
        }
    }
}

#[test]
fn ten_year_record_keeping() {
    let lib = lib();
    let p = pack(&lib);
    let r = req(p, "4.1.2");
    let param = r
        .params
        .iter()
        .find(|x| x.key == "record_retention")
        .expect("record_retention param");
    assert_eq!(param.op, ">=");
    assert_eq!(param.value, 10.0);
    assert_eq!(param.unit, "year");
    assert_eq!(param.origin.provenance, Some(Provenance::Fulltext));
    assert!(
        r.deadlines
            .iter()
            .any(|d| matches!(&d.rule, DeadlineRule::Retention { period } if period == "P10Y")),
        "retention deadline P10Y"
    );
}

#[test]
fn clause_9_dates_by_approval_stage() {
    let lib = lib();
    let p = pack(&lib);
    let r = req(p, "9");
    let dated: Vec<(String, String)> = r
        .deadlines
        .iter()
        .filter_map(|d| match &d.rule {
            DeadlineRule::Once { date } => {
                assert_eq!(d.origin.provenance, Some(Provenance::Fulltext));
                Some((
                    date.clone(),
                    d.when
                        .as_ref()
                        .expect("dated by stage")
                        .source()
                        .to_string(),
                ))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        dated,
        vec![
            // Amendment No. 1: new types from the 7th month after 2026-01-01.
            (
                "2026-07-01".to_string(),
                "approval_stage == new_type".to_string()
            ),
            // Types already approved: from the 25th month.
            (
                "2028-01-01".to_string(),
                "approval_stage == existing_type".to_string()
            ),
        ]
    );
    assert_eq!(p.effective.as_deref(), Some("2026-01-01"));
}

#[test]
fn same_type_criteria_apply_only_to_type_extensions() {
    let lib = lib();
    let p = pack(&lib);
    for (c, ota) in [("7.1.1", "not has_ota"), ("7.1.2", "has_ota")] {
        let r = req(p, c);
        assert_eq!(r.obligation, Obligation::Conditional, "{c}");
        let w = r.when.as_ref().expect("when").source();
        assert_eq!(w, format!("type_extension and {ota}"), "{c}");
        // The amended criterion b): test report issued no more than three years ago.
        let age = r
            .params
            .iter()
            .find(|x| x.key == "test_report_age")
            .expect("three-year criterion");
        assert_eq!(
            (age.op.as_str(), age.value, age.unit.as_str()),
            ("<=", 3.0, "year")
        );
        assert_eq!(age.origin.provenance, Some(Provenance::Fulltext));
    }
}

#[test]
fn nothing_is_inferred() {
    let lib = lib();
    let p = pack(&lib);
    let counts = p.provenance_counts();
    assert_eq!(counts.inferred, 0);
    assert_eq!(counts.fulltext, p.requirement_count());
    for r in p.requirements() {
        assert_eq!(r.provenance, Provenance::Fulltext, "{}", r.id);
        // Full-text content is still to be checked once against the official copy.
        assert!(r.to_confirm, "{}: fulltext carries the to-check mark", r.id);
        for x in &r.params {
            assert_ne!(x.origin.provenance, Some(Provenance::Inferred), "{}", r.id);
        }
        for d in &r.deadlines {
            assert_ne!(d.origin.provenance, Some(Provenance::Inferred), "{}", r.id);
        }
    }
}

#[test]
fn mapped_to_n103_gb44495_and_sh26() {
    let lib = lib();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for t in &lib.themes {
        for m in &t.mappings {
            let (ours, other) = if m.from.starts_with("GB44496-") {
                (&m.from, &m.to)
            } else if m.to.starts_with("GB44496-") {
                (&m.to, &m.from)
            } else {
                continue;
            };
            assert!(lib.requirement(ours).is_some(), "{ours}");
            assert!(lib.requirement(other).is_some(), "{other}");
            assert!(m.note.is_some(), "{ours} ↔ {other}: note on what differs");
            let to_pack = other.split('-').next().unwrap();
            *seen.entry(to_pack).or_default() += 1;
        }
    }
    for want in ["N103", "GB44495", "SH26"] {
        assert!(
            seen.get(want).copied().unwrap_or(0) > 0,
            "no mapping to {want}: {seen:?}"
        );
    }
    // GB 44496 6.2 tests 5.1.1 with GB 44495's 7.3.2.2 test for the OTA route.
    let m = lib
        .mappings_of("GB44496-5.1.1")
        .map(|(_, m)| m)
        .find(|m| m.to == "GB44495-7.3.2.2")
        .expect("5.1.1 → GB44495-7.3.2.2");
    assert_eq!(m.relation, Relation::Superset);
}
