//! `pack import-ciso`: CISO Assistant framework libraries, in the YAML form
//! CISO Assistant stores and in the Excel form its `convert_library_v2.py`
//! reads (`library_meta` / `<name>_meta` / `<name>_content`), become packs
//! that `pack validate` accepts. The fixtures are small libraries written by
//! the tests in those formats (no framework content of CISO Assistant).

mod common;

use common::{repo, run, scratch};
use iovaudit::pack::ciso::{import_ciso, CisoImportOptions};
use iovaudit::pack::{self, SourceFile};
use rust_xlsxwriter::Workbook as XlsxBook;
use std::path::Path;

fn questions() -> Vec<SourceFile> {
    pack::builtin_sources()
        .into_iter()
        .filter(|s| s.text.contains("[[questions]]"))
        .collect()
}

fn load(toml: &str, id: &str) -> pack::Library {
    let mut set = vec![SourceFile::new(format!("{id}.toml"), toml.to_string())];
    set.extend(questions());
    let (lib, diags) = pack::check(&set);
    assert!(diags.is_empty(), "{diags:?}\n{toml}");
    lib
}

const YAML: &str = r#"urn: urn:example:risk:library:iov-demo-controls
locale: en
ref_id: IOV-DEMO
name: IoV demo controls
description: A small framework written for the iovaudit tests
copyright: CC0
version: 3
provider: Example Lab
packager: tester
translations:
  zh:
    name: 车联网演示控制项
objects:
  framework:
    urn: urn:example:risk:framework:iov-demo-controls
    ref_id: IOV-DEMO
    name: IoV demo controls
    description: Demo
    translations:
      zh:
        name: 车联网演示控制项
    requirement_nodes:
    - urn: urn:example:risk:req_node:iov-demo:1
      assessable: false
      depth: 1
      ref_id: '1'
      name: Logging
      translations:
        zh:
          name: 日志
    - urn: urn:example:risk:req_node:iov-demo:1.1
      assessable: true
      depth: 2
      parent_urn: urn:example:risk:req_node:iov-demo:1
      ref_id: '1.1'
      name: Log retention
      description: Keep platform logs for at least six months.
      typical_evidence: |-
        log retention policy
        oldest retrievable log entry
      importance: mandatory
      weight: 4
      translations:
        zh:
          name: 日志留存
          description: 平台日志留存不少于六个月。
          typical_evidence: |-
            日志留存策略
            最早可检索日志
    - urn: urn:example:risk:req_node:iov-demo:1.2
      assessable: true
      depth: 2
      parent_urn: urn:example:risk:req_node:iov-demo:1
      ref_id: '1.2'
      description: Review the logs every week.
      importance: recommended
      weight: 9
    - urn: urn:example:risk:req_node:iov-demo:2
      assessable: false
      depth: 1
      ref_id: '2'
      name: Updates
    - urn: urn:example:risk:req_node:iov-demo:2.1
      assessable: true
      depth: 2
      ref_id: '2.1'
      name: Signed update packages
      description: Verify the signature of every update package before install.
      annotation: Covers OTA and workshop updates.
"#;

#[test]
fn a_yaml_library_becomes_a_valid_pack() {
    let dir = scratch("ciso-yaml");
    let f = dir.join("iov-demo.yaml");
    std::fs::write(&f, YAML).expect("write");
    let imp = import_ciso(&f, &CisoImportOptions::default(), &questions()).expect("import");
    assert!(imp.problems.is_empty(), "{:?}", imp.problems);
    assert_eq!(imp.format, "yaml");
    assert_eq!(imp.pack_id, "IOVDEMO");
    assert_eq!((imp.sections, imp.requirements), (2, 3));
    let toml = imp.toml.expect("toml");
    let lib = load(&toml, "IOVDEMO");
    let p = lib.pack("IOVDEMO").expect("pack");
    assert_eq!(p.title.zh, "车联网演示控制项");
    assert_eq!(p.title.en, "IoV demo controls");
    assert_eq!(p.version, "3");
    assert_eq!(p.sections[0].title.zh, "日志");
    assert_eq!(p.sections[0].clause, "1");
    let (_, _, r) = lib.requirement("IOVDEMO-1.1").expect("1.1");
    assert_eq!(r.title.zh, "日志留存");
    assert_eq!(r.text.en, "Keep platform logs for at least six months.");
    assert_eq!(r.text.zh, "平台日志留存不少于六个月。");
    assert_eq!(r.evidence.zh, vec!["日志留存策略", "最早可检索日志"]);
    assert_eq!(
        r.evidence.en,
        vec!["log retention policy", "oldest retrievable log entry"]
    );
    assert_eq!(r.weight, 4);
    assert_eq!(r.obligation, pack::Obligation::Mandatory);
    // No name: the title comes from the description; `recommended` → encouraged; weight kept in 1–5.
    let (_, _, r) = lib.requirement("IOVDEMO-1.2").expect("1.2");
    assert_eq!(r.obligation, pack::Obligation::Encouraged);
    assert_eq!(r.weight, 5);
    assert!(
        r.title.en.starts_with("1.2 Review the logs every week"),
        "{}",
        r.title.en
    );
    assert!(r.text.zh.starts_with("（待译）"));
    let (_, s, r) = lib.requirement("IOVDEMO-2.1").expect("2.1");
    assert!(s.title.zh.starts_with("（待译）Updates"));
    assert!(r
        .provenance_note
        .as_deref()
        .is_some_and(|n| n.contains("Covers OTA") && n.contains("requirement_nodes[4]")));
    assert!(toml.contains("# 默认 / default"));

    // Through the CLI, then `pack validate`.
    let out = dir.join("IOVDEMO.toml");
    let r = run(&[
        "pack",
        "import-ciso",
        f.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let q = repo().join("checklists/questions.toml");
    let r = run(&[
        "pack",
        "validate",
        out.to_str().expect("utf-8"),
        q.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

fn write_workbook(path: &Path, bad_depth: bool) {
    let mut wb = XlsxBook::new();
    let meta: &[(&str, &str)] = &[
        ("type", "library"),
        ("urn", "urn:example:risk:library:iov-xl"),
        ("version", "2"),
        ("locale", "zh"),
        ("ref_id", "IOVXL"),
        ("name", "车联网表格框架"),
        ("name[en]", "IoV workbook framework"),
        ("description", "测试用"),
        ("copyright", "CC0"),
        ("provider", "示例实验室"),
        ("packager", "tester"),
    ];
    let s = wb.add_worksheet().set_name("library_meta").expect("name");
    for (i, (k, v)) in meta.iter().enumerate() {
        s.write_string(i as u32, 0, *k).expect("w");
        s.write_string(i as u32, 1, *v).expect("w");
    }
    let fm: &[(&str, &str)] = &[
        ("type", "framework"),
        ("urn", "urn:example:risk:framework:iov-xl"),
        ("ref_id", "IOVXL"),
        ("name", "车联网表格框架"),
        ("name[en]", "IoV workbook framework"),
        ("description", "测试用"),
        ("base_urn", "urn:example:risk:req_node:iov-xl"),
    ];
    let s = wb.add_worksheet().set_name("iovxl_meta").expect("name");
    for (i, (k, v)) in fm.iter().enumerate() {
        s.write_string(i as u32, 0, *k).expect("w");
        s.write_string(i as u32, 1, *v).expect("w");
    }
    let s = wb.add_worksheet().set_name("iovxl_content").expect("name");
    let head = [
        "assessable",
        "depth",
        "ref_id",
        "name",
        "name[en]",
        "description",
        "description[en]",
        "typical_evidence",
        "importance",
        "weight",
    ];
    for (c, h) in head.iter().enumerate() {
        s.write_string(0, c as u16, *h).expect("w");
    }
    let rows: &[[&str; 10]] = &[
        [
            "",
            "1",
            "A",
            "数据安全",
            "Data security",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "x",
            "2",
            "A.1",
            "数据分类分级",
            "Data classification",
            "建立数据分类分级制度并形成目录。",
            "Classify data and keep a catalogue.",
            "数据分类分级制度\n重要数据目录",
            "mandatory",
            "5",
        ],
        [
            "x",
            "2",
            "A.2",
            "出境评估",
            "Export assessment",
            "数据出境前完成安全评估。",
            "Assess before exporting data.",
            "",
            "",
            "",
        ],
        [
            "",
            "1",
            "B",
            "网络安全",
            "Network security",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "x",
            if bad_depth { "two" } else { "2" },
            "B.1",
            "漏洞管理",
            "Vulnerability handling",
            "建立漏洞管理流程。",
            "Run a vulnerability process.",
            "",
            "nice to have",
            "2",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if c == 1 || c == 9 {
                if let Ok(n) = v.parse::<f64>() {
                    s.write_number(r as u32 + 1, c as u16, n).expect("w");
                    continue;
                }
            }
            if !v.is_empty() {
                s.write_string(r as u32 + 1, c as u16, *v).expect("w");
            }
        }
    }
    wb.save(path).expect("save");
}

#[test]
fn an_excel_library_becomes_a_valid_pack() {
    let dir = scratch("ciso-xlsx");
    let f = dir.join("iovxl.xlsx");
    write_workbook(&f, false);
    let imp = import_ciso(&f, &CisoImportOptions::default(), &questions()).expect("import");
    assert!(imp.problems.is_empty(), "{:?}", imp.problems);
    assert_eq!(imp.format, "xlsx");
    assert_eq!(
        (imp.pack_id.as_str(), imp.sections, imp.requirements),
        ("IOVXL", 2, 3)
    );
    let lib = load(&imp.toml.expect("toml"), "IOVXL");
    // `pack import-xlsx` points at the right command instead of misreading it.
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "import-xlsx",
        f.to_str().expect("utf-8"),
        "--out",
        dir.join("x.toml").to_str().expect("utf-8"),
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("pack import-ciso"), "{}", r.stderr);
    let p = lib.pack("IOVXL").expect("pack");
    assert_eq!(p.title.zh, "车联网表格框架");
    assert_eq!(p.title.en, "IoV workbook framework");
    assert_eq!(p.issuer.zh, "示例实验室");
    assert_eq!(p.sections[1].title.en, "Network security");
    let (_, _, r) = lib.requirement("IOVXL-A.1").expect("A.1");
    assert_eq!(r.title.en, "Data classification");
    assert_eq!(r.text.zh, "建立数据分类分级制度并形成目录。");
    assert_eq!(r.evidence.zh, vec!["数据分类分级制度", "重要数据目录"]);
    assert_eq!(r.weight, 5);
    let (_, _, r) = lib.requirement("IOVXL-B.1").expect("B.1");
    assert_eq!(r.obligation, pack::Obligation::Encouraged);
    assert_eq!(r.weight, 2);
}

#[test]
fn bad_libraries_are_refused_naming_file_and_entry() {
    let dir = scratch("ciso-bad");
    let qs = questions();
    let o = CisoImportOptions::default();
    // A bad depth cell is named by sheet and cell.
    let f = dir.join("bad.xlsx");
    write_workbook(&f, true);
    let e = import_ciso(&f, &o, &qs).expect_err("bad depth");
    assert!(
        e.en.contains("iovxl_content!B6") && e.en.contains("depth"),
        "{e:?}"
    );
    assert!(e.zh.contains("depth 应为"), "{e:?}");
    // Not a framework library.
    let y = dir.join("matrix.yaml");
    std::fs::write(
        &y,
        "urn: x\nlocale: en\nref_id: M\nobjects:\n  risk_matrix:\n    urn: y\n",
    )
    .expect("w");
    let e = import_ciso(&y, &o, &qs).expect_err("no framework");
    assert!(e.en.contains("matrix.yaml: objects.framework"), "{e:?}");
    // Broken YAML.
    let y = dir.join("broken.yaml");
    std::fs::write(&y, "objects: [unclosed\n").expect("w");
    let e = import_ciso(&y, &o, &qs).expect_err("broken");
    assert!(
        e.en.contains("broken.yaml") && e.en.contains("not valid YAML"),
        "{e:?}"
    );
    // A node that is not a mapping, and a bad weight.
    let y = dir.join("nodes.yaml");
    std::fs::write(&y, "ref_id: N\nobjects:\n  framework:\n    requirement_nodes:\n    - assessable: true\n      depth: 1\n      name: a\n      weight: heavy\n").expect("w");
    let e = import_ciso(&y, &o, &qs).expect_err("weight");
    assert!(e.en.contains("requirement_nodes[0].weight"), "{e:?}");
    // An alias bomb stays within the parser's budget (no hang, no memory blow-up).
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("l{}", i - 1)
        };
        bomb.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let y = dir.join("bomb.yaml");
    std::fs::write(&y, bomb).expect("w");
    let e = import_ciso(&y, &o, &qs).expect_err("bomb");
    assert!(e.en.contains("not valid YAML"), "{e:?}");
    // Not a workbook of CISO Assistant; English from the CLI.
    let x = dir.join("plain.xlsx");
    let mut wb = XlsxBook::new();
    wb.add_worksheet().write_string(0, 0, "hello").expect("w");
    wb.save(&x).expect("save");
    let r = run(&[
        "--lang",
        "en",
        "pack",
        "import-ciso",
        x.to_str().expect("utf-8"),
        "--out",
        dir.join("o.toml").to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("plain.xlsx") && r.stderr.contains("no library_meta sheet"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{}",
        r.stderr
    );
}
