//! The `pack list` / `pack show` / `pack questions` contract: human output in
//! Chinese by default and English on request, stable JSON, and the
//! *to be confirmed* mark wherever an inferred requirement is shown.

mod common;
use common::run;
use serde_json::Value;

#[test]
fn pack_list_shows_all_seven_packs_in_chinese() {
    let r = run(&["pack", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for id in ["N134", "N103", "BJ50", "SH26", "P148", "GB44495", "GB44496"] {
        assert!(
            r.stdout.lines().any(|l| l.starts_with(&format!("{id}  "))),
            "{id} missing:\n{}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("工信部网安〔2021〕134号"));
    assert!(r.stdout.contains("共 7 个检查单"));
    insta::assert_snapshot!("pack_list_zh", r.stdout);
}

#[test]
fn pack_list_in_english() {
    let r = run(&["--lang", "en", "pack", "list"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("7 packs,"));
    insta::assert_snapshot!("pack_list_en", r.stdout);
}

#[test]
fn pack_list_json_is_stable() {
    let r = run(&["pack", "list", "--json"]);
    assert_eq!(r.code, 0);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["schema"], 1);
    let packs = v["packs"].as_array().expect("packs");
    assert_eq!(packs.len(), 7);
    for p in packs {
        let total = p["requirements"].as_u64().expect("count");
        let prov = &p["provenance"];
        let sum = prov["text"].as_u64().unwrap_or(0)
            + prov["secondary"].as_u64().unwrap_or(0)
            + prov["inferred"].as_u64().unwrap_or(0)
            + prov["fulltext"].as_u64().unwrap_or(0);
        assert_eq!(total, sum, "provenance counts add up for {}", p["id"]);
        assert!(p["title"]["zh"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(p["title"]["en"].as_str().is_some_and(|s| !s.is_empty()));
    }
    insta::assert_snapshot!("pack_list_json", r.stdout);
}

#[test]
fn pack_show_prints_the_tree() {
    let r = run(&["pack", "show", "n134"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("三、 加强车联网网络安全防护") || r.stdout.contains("三、"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("N134-17"));
    assert_eq!(
        r.stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("N134-") && !l.contains("[N134-S"))
            .count(),
        41 // N134-01…40 and the encouraged N134-41 (issue 16)
    );
}

#[test]
fn inferred_requirements_carry_the_to_be_confirmed_mark_everywhere() {
    let lib = iovaudit::pack::builtin().expect("library");
    let inferred: Vec<(&str, &str)> = lib
        .packs
        .iter()
        .flat_map(|p| p.requirements().map(move |r| (p.id.as_str(), r)))
        .filter(|(_, r)| r.provenance == iovaudit::pack::Provenance::Inferred)
        .map(|(p, r)| (p, r.id.as_str()))
        .collect();
    assert!(
        !inferred.is_empty(),
        "the library has inferred items (BJ50-17, …)"
    );
    for (pack, id) in &inferred {
        let tree = run(&["pack", "show", pack]).stdout;
        let line = tree
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{id} ")))
            .expect("listed");
        assert!(line.contains("⚠ 待与正式文本核对"), "{line}");
    }
    let one = run(&["--lang", "en", "pack", "show", inferred[0].1]).stdout;
    assert!(
        one.contains("to be confirmed against the official text"),
        "{one}"
    );
    let json: Value = serde_json::from_str(&run(&["pack", "show", inferred[0].1, "--json"]).stdout)
        .expect("json");
    assert_eq!(json["requirement"]["to_confirm"], true);
    assert_eq!(json["requirement"]["provenance"], "inferred");
}

#[test]
fn full_text_requirements_say_so_and_not_inferred() {
    let lib = iovaudit::pack::builtin().expect("library");
    let gb = lib.pack("GB44495").expect("GB44495");
    let tree = run(&["pack", "show", "GB44495"]).stdout;
    for r in gb.requirements() {
        assert_eq!(
            r.provenance,
            iovaudit::pack::Provenance::Fulltext,
            "{}",
            r.id
        );
        let line = tree
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{} ", r.id)))
            .expect("listed");
        assert!(line.contains("依据非官方全文"), "{line}");
        assert!(!line.contains("⚠ 待与正式文本核对"), "{line}");
    }
    let n = gb.requirement_count();
    assert!(tree.contains(&format!("非官方全文待核 {n}")), "{tree}");
    let en = run(&["--lang", "en", "pack", "show", "GB44495-7.4.7"]).stdout;
    assert!(
        en.contains("from an unofficial full text, to be checked against the official text"),
        "{en}"
    );
    assert!(!en.contains("inferred"), "{en}");
    let json: Value =
        serde_json::from_str(&run(&["pack", "show", "GB44495-7.4.7", "--json"]).stdout)
            .expect("json");
    assert_eq!(json["requirement"]["provenance"], "fulltext");
    // The 3600 s capture carries its own basis.
    let p = &json["requirement"]["params"][0];
    assert_eq!(p["value"], 3600.0, "{p}");
    assert_eq!(p["provenance"], "fulltext", "{p}");
}

#[test]
fn requirement_detail_shows_parameters_deadlines_and_mappings() {
    let r = run(&["pack", "show", "N134-17"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("保存不少于6个月"), "{}", r.stdout);
    assert!(r.stdout.contains("相关要求"), "{}", r.stdout);
    // Periods of one read naturally in both languages; per-value basis is shown.
    let r = run(&["--lang", "en", "pack", "show", "N134-13"]);
    assert!(r.stdout.contains("every year (when"), "{}", r.stdout);
    assert!(!r.stdout.contains("every 1 year"), "{}", r.stdout);
    assert!(
        r.stdout.contains("[basis: secondary source"),
        "{}",
        r.stdout
    );
    let r = run(&["pack", "show", "N134-13"]);
    assert!(r.stdout.contains("每年一次（当"), "{}", r.stdout);
    let r = run(&["pack", "show", "BJ50-23"]);
    assert!(r.stdout.contains("每年9月30日前"), "{}", r.stdout);
    let v: Value =
        serde_json::from_str(&run(&["pack", "show", "SH26-18", "--json"]).stdout).expect("json");
    let d = &v["requirement"]["deadlines"][0];
    assert_eq!(d["kind"], "triggered");
    assert_eq!(d["within"], "P3M");
}

#[test]
fn pack_show_json_has_the_whole_tree() {
    let r = run(&["pack", "show", "SH26", "--json"]);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["schema"], 1);
    assert_eq!(v["pack"]["id"], "SH26");
    let n: usize = v["pack"]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["requirements"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(n, 39);
    let dues: Vec<&str> = v["pack"]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["requirements"].as_array().into_iter().flatten())
        .flat_map(|r| r["deadlines"].as_array().into_iter().flatten())
        .filter_map(|d| d["due"].as_str().or(d["date"].as_str()))
        .collect();
    // 03-10 is yearly in the text; 7月31日 and 11月30日 are dates of the 2026 list (issue 16).
    for due in ["03-10", "2026-07-31", "2026-11-30"] {
        assert!(dues.contains(&due), "SH26 has a {due} deadline: {dues:?}");
    }
}

#[test]
fn unknown_id_is_a_clear_error() {
    let r = run(&["pack", "show", "XYZ"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("没有编号为 `XYZ` 的检查单或要求"),
        "{}",
        r.stderr
    );
}

#[test]
fn questions_are_listed() {
    let r = run(&["pack", "questions", "--json"]);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let ids: Vec<&str> = v["questions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|q| q["id"].as_str())
        .collect();
    for q in [
        "enterprise_type",
        "region",
        "platform_level",
        "has_ota",
        "l3_plus",
        "important_data",
        "exports_data",
        "pia_required",
        "pilot_participant",
    ] {
        assert!(ids.contains(&q), "{q}");
    }
}

#[test]
fn a_broken_checklists_dir_is_refused_with_its_problems() {
    let dir = common::scratch("brokendir");
    std::fs::copy(
        common::repo().join("checklists/questions.toml"),
        dir.join("questions.toml"),
    )
    .expect("copy");
    std::fs::write(dir.join("x.toml"), "schema = 1\n[pack]\nid = \"X\"\n").expect("write");
    let r = run(&["--checklists", dir.to_str().expect("utf-8"), "pack", "list"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("x.toml:2:1: 缺少必填字段 `version`"),
        "{}",
        r.stderr
    );
}

#[test]
fn output_piped_into_head_ends_quietly() {
    let bin = env!("CARGO_BIN_EXE_iovaudit");
    let out = std::process::Command::new("sh")
        .arg("-c")
        // 180 KB of JSON: more than a pipe holds, so the writer meets the closed pipe.
        .arg(format!("'{bin}' pack show GB44495 --json | head -n 1"))
        .env_remove("IOVAUDIT_CHECKLISTS")
        .output()
        .expect("sh");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with('{'));
}
