//! The section rule `any_fail_fails_all` as GB44495 declares it for clause 5
//! (the operating procedure fails the whole clause-5 check when one check
//! point fails), computed through the real CLI and project store.

mod common;
use common::{run, scratch};
use serde_json::Value;

fn score(dir: &str) -> Value {
    let r = run(&["score", dir, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

fn section<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["score"]["packs"][0]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["section"] == id)
        .unwrap_or_else(|| panic!("{id}"))
}

#[test]
fn one_failed_check_point_fails_clause_5() {
    let root = scratch("scoring_groups");
    let dir = root.join("p.iovaudit");
    let d = dir.to_str().expect("utf-8");
    let r = run(&[
        "project",
        "init",
        d,
        "--name",
        "n",
        "--assessee",
        "a",
        "--packs",
        "GB44495",
        "--by",
        "x",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lib = iovaudit::pack::builtin().expect("library");
    let gb = lib.pack("GB44495").expect("GB44495");
    let rule = gb
        .scoring
        .groups
        .first()
        .expect("GB44495 declares a section rule");
    let sec = gb
        .sections
        .iter()
        .find(|s| s.id == rule.section)
        .expect("rule names a section");
    let ids: Vec<&str> = sec.requirements.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.len() >= 10, "clause 5 has the ten check points");
    for id in &ids[..3] {
        assert_eq!(run(&["assess", "set", d, id, "符合", "--by", "x"]).code, 0);
    }
    let before = score(d);
    let s = section(&before, &sec.id);
    assert_eq!(s["tally"]["score"], 100.0, "{s}");
    assert!(before["score"]["packs"][0].get("group_failed").is_none());
    // One check point fails: the whole section earns nothing.
    let r = run(&[
        "assess",
        "set",
        d,
        ids[3],
        "不符合",
        "--note",
        "未建立漏洞管理机制",
        "--by",
        "x",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = score(d);
    let s = section(&after, &sec.id);
    assert_eq!(s["tally"]["score"], 0.0, "{s}");
    assert_eq!(s["tally"]["judged"], 4);
    assert_eq!(
        after["score"]["packs"][0]["group_failed"][0],
        sec.id.as_str()
    );
    // Other sections are not touched by the rule.
    let r = run(&["assess", "set", d, "GB44495-6.1", "符合", "--by", "x"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let later = score(d);
    let s6 = section(&later, "GB44495-S6");
    assert_eq!(s6["tally"]["score"], 100.0, "{s6}");
}
