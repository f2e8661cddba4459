//! `iovaudit pack validate`: every kind of problem is reported as
//! `file:line:column: message`, all of them in one run, with exit status 1;
//! a good set of files passes with exit status 0.

mod common;
use common::{repo, run, scratch};
use std::path::Path;

/// A small valid pack. Line numbers in the tests below refer to this text.
const BASE: &str = r#"schema = 1

[pack]
id = "TEST"
version = "1"
doc_number = "测试〔2026〕1号"
title = { zh = "测试检查单", en = "Test pack" }
issuer = { zh = "测试机关", en = "Test issuer" }
doc_type = "notice"
region = "CN"
status = "in_force"
source = "tests"
provenance = "text"
questions = ["has_ota", "region"]

[scoring]
partial = 0.5
not_applicable = "exclude"
encouraged = "exclude"
veto = "fail_pack"
bands = [
  { min = 90, label = { zh = "符合", en = "Conformant" } },
  { min = 0, label = { zh = "不符合", en = "Not conformant" } },
]

[[sections]]
id = "TEST-S1"
clause = "一、"
title = { zh = "第一部分", en = "Part one" }

[[sections.requirements]]
id = "TEST-01"
clause = "一（一）"
title = { zh = "要求一", en = "Requirement one" }
text = { zh = "企业应当做某事。", en = "The enterprise must do something." }
obligation = "mandatory"
applies_to = ["ALL"]
evidence = { zh = ["制度"], en = ["Policy"] }
methods = ["examine"]
weight = 3
provenance = "text"

[[sections.requirements]]
id = "TEST-02"
clause = "一（二）"
title = { zh = "要求二", en = "Requirement two" }
text = { zh = "开展OTA的企业应当做另一件事。", en = "An enterprise running OTA must do another thing." }
obligation = "conditional"
applies_to = ["OEM"]
when = "has_ota and region in [BJ, SH]"
evidence = { zh = ["记录"], en = ["Records"] }
methods = ["examine", "test"]
weight = 4
provenance = "inferred"
deadlines = [{ kind = "annual", due = "09-30" }, { kind = "retention", period = "P6M" }]
"#;

/// Writes `text` as `name` in a fresh dir beside a copy of the real question catalogue.
fn write_pack(test: &str, name: &str, text: &str) -> std::path::PathBuf {
    let dir = scratch(test);
    std::fs::copy(
        repo().join("checklists/questions.toml"),
        dir.join("questions.toml"),
    )
    .expect("copy questions");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write pack");
    path
}

fn replace(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "test setup: `{from}` not in BASE");
    BASE.replacen(from, to, 1)
}

/// Runs `pack validate` on one file; returns (exit code, stdout lines).
fn validate(path: &Path, lang: &str) -> (i32, Vec<String>) {
    let r = run(&[
        "--lang",
        lang,
        "pack",
        "validate",
        path.to_str().expect("utf-8 path"),
    ]);
    (r.code, r.stdout.lines().map(str::to_string).collect())
}

fn expect(test: &str, text: &str, wanted: &[&str]) {
    let path = write_pack(test, "pack.toml", text);
    let (code, lines) = validate(&path, "en");
    assert_eq!(code, 1, "expected failure, got {lines:#?}");
    let file = path.display().to_string();
    for w in wanted {
        let w = format!("{file}:{w}");
        assert!(
            lines.iter().any(|l| l.starts_with(&w)),
            "missing `{w}` in:\n{}",
            lines.join("\n")
        );
    }
    assert_eq!(
        lines.len(),
        wanted.len(),
        "unexpected extra problems:\n{}",
        lines.join("\n")
    );
}

#[test]
fn valid_pack_passes() {
    let path = write_pack("valid", "pack.toml", BASE);
    let (code, lines) = validate(&path, "zh");
    assert_eq!(code, 0, "{lines:#?}");
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("通过") && l.contains("2 项要求")),
        "{lines:#?}"
    );
}

#[test]
fn syntax_errors_are_located() {
    let text = replace("weight = 3\n", "weight = = 3\n").replacen(
        "provenance = \"inferred\"",
        "provenance = \"inferred",
        1,
    );
    expect(
        "syntax",
        &text,
        &["40:10: TOML syntax error", "54:23: TOML syntax error"],
    );
}

#[test]
fn every_unknown_key_is_reported() {
    let text = replace("weight = 3\n", "wieght = 3\n").replacen(
        "provenance = \"inferred\"",
        "provenance = \"inferred\"\nseverity = \"high\"",
        1,
    );
    expect(
        "unknown",
        &text,
        &["40:1: unknown key `wieght`", "55:1: unknown key `severity`"],
    );
}

#[test]
fn wrong_type_is_reported() {
    expect(
        "wrongtype",
        &replace("weight = 3\n", "weight = \"high\"\n"),
        &["40:10: wrong type or structure"],
    );
}

#[test]
fn duplicate_ids_are_reported() {
    expect(
        "dupid",
        &replace("id = \"TEST-02\"", "id = \"TEST-01\""),
        &["44:6: duplicate requirement id `TEST-01` (first defined at"],
    );
}

#[test]
fn duplicate_ids_across_packs_are_reported() {
    let dir = scratch("dupacross");
    std::fs::copy(
        repo().join("checklists/questions.toml"),
        dir.join("questions.toml"),
    )
    .expect("copy");
    std::fs::write(dir.join("a.toml"), BASE).expect("write");
    let other = BASE
        .replace("id = \"TEST\"", "id = \"TESTB\"")
        .replace("TEST-S1", "TESTB-S1")
        .replace("TEST-02", "TESTB-02");
    std::fs::write(dir.join("b.toml"), other).expect("write");
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "validate",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 1);
    // TEST-01 in b.toml does not start with TESTB- and duplicates a.toml's.
    assert!(
        r.stdout
            .contains("b.toml:32:6: requirement id `TEST-01` must start with `TESTB-`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("b.toml:32:6: duplicate requirement id `TEST-01`"),
        "{}",
        r.stdout
    );
}

#[test]
fn missing_chinese_title_and_clause_are_reported() {
    let text = replace(
        "title = { zh = \"要求一\", en = \"Requirement one\" }",
        "title = { en = \"Requirement one\" }",
    )
    .replacen("clause = \"一（二）\"\n", "", 1);
    expect(
        "missingzh",
        &text,
        &[
            "34:9: missing required key `title.zh` (requirement TEST-01)",
            "43:1: missing required key `clause` (requirement TEST-02)",
        ],
    );
}

#[test]
fn condition_with_undeclared_question_or_option() {
    let text = replace(
        "when = \"has_ota and region in [BJ, SH]\"",
        "when = \"has_boat and region in [BJ, GZ] and l3_plus\"",
    );
    expect(
        "cond",
        &text,
        &[
            "50:9: the condition names the undeclared question `has_boat`",
            "50:37: `GZ` is not an option of `region`",
            // l3_plus exists in questions.toml but this pack does not list it.
            "50:45: the condition names the undeclared question `l3_plus`",
        ],
    );
}

#[test]
fn condition_syntax_error_is_located_inside_the_string() {
    expect(
        "condsyntax",
        &replace("has_ota and region", "has_ota and and region"),
        &["50:21: bad condition"],
    );
}

#[test]
fn weight_out_of_range() {
    expect(
        "weight",
        &replace("weight = 4\n", "weight = 9\n"),
        &["53:10: weight 9 is out of range (1–5) (requirement TEST-02)"],
    );
}

#[test]
fn conditional_without_when() {
    expect(
        "nowhen",
        &replace("when = \"has_ota and region in [BJ, SH]\"\n", ""),
        &["48:14: a conditional requirement needs a `when` condition (requirement TEST-02)"],
    );
}

#[test]
fn malformed_deadlines() {
    expect(
        "deadline",
        &replace(
            "due = \"09-30\" }, { kind = \"retention\", period = \"P6M\"",
            "due = \"09-31\" }, { kind = \"retention\", period = \"6 months\"",
        ),
        &[
            "55:39: `due` must be a month and day",
            "55:81: `period` must be an ISO 8601 duration",
        ],
    );
}

#[test]
fn bands_out_of_order() {
    expect(
        "bands",
        &replace("{ min = 0, label", "{ min = 95, label"),
        &[
            "23:11: bands must be ordered",
            "21:9: the last band must have `min = 0`",
        ],
    );
}

#[test]
fn enterprise_type_must_exist() {
    expect(
        "etype",
        &replace("applies_to = [\"OEM\"]", "applies_to = [\"OEMX\"]"),
        &["49:15: `OEMX` is not an enterprise type"],
    );
}

#[test]
fn mapping_to_missing_requirement() {
    let dir = scratch("mapping");
    std::fs::copy(
        repo().join("checklists/questions.toml"),
        dir.join("questions.toml"),
    )
    .expect("copy");
    std::fs::write(dir.join("test.toml"), BASE).expect("write");
    let mapping = "schema = 1\n\n[[themes]]\nid = \"X08\"\ntitle = { zh = \"漏洞管理\", en = \"Vulnerabilities\" }\n\n[[themes.mappings]]\nfrom = \"TEST-01\"\nto = \"N134-99\"\nrelation = \"equal\"\n\n[[themes.mappings]]\nfrom = \"TEST-01\"\nto = \"N134-09\"\nrelation = \"same\"\n";
    std::fs::write(dir.join("map.toml"), mapping).expect("write");
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "validate",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let file = dir.join("map.toml").display().to_string();
    assert!(
        r.stdout.contains(&format!(
            "{file}:9:6: mapping `to` names the requirement `N134-99`, which does not exist"
        )),
        "{}",
        r.stdout
    );
    // N134-09 resolves against the built-in packs; the relation is wrong.
    assert!(
        r.stdout
            .contains(&format!("{file}:15:12: invalid `relation` value `same`")),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with(&file)).count(),
        2,
        "{}",
        r.stdout
    );
}

#[test]
fn messages_are_chinese_by_default() {
    let path = write_pack("zh", "pack.toml", &replace("weight = 4\n", "weight = 0\n"));
    let (code, lines) = validate(&path, "zh");
    assert_eq!(code, 1);
    assert!(
        lines[0].ends_with("权重 0 超出范围（应为 1–5）（要求 TEST-02）"),
        "{lines:#?}"
    );
}

#[test]
fn unreadable_input_is_a_clear_error() {
    let r = run(&["pack", "validate", "/nonexistent/pack.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("无法读取 /nonexistent/pack.toml"),
        "{}",
        r.stderr
    );
    let dir = scratch("notutf8");
    std::fs::write(dir.join("bad.toml"), [0xff, 0xfe, 0x00]).expect("write");
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "validate",
        dir.join("bad.toml").to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.toml: not valid UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_shipped_checklists_are_clean() {
    let r = run(&[
        "pack",
        "validate",
        repo().join("checklists").to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn json_output_lists_problems() {
    let path = write_pack(
        "json",
        "pack.toml",
        &replace("weight = 4\n", "weight = 7\n"),
    );
    let r = run(&["pack", "validate", "--json", path.to_str().expect("utf-8")]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["schema"], 1);
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["line"], 53);
    assert_eq!(v["problems"][0]["column"], 10);
}
