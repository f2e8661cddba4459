//! The Excel round trip: packs exported and imported back unchanged; a
//! regulator's task list saved by LibreOffice (two-row header, merged
//! category cells, note rows, full-width digits) imported as a valid pack in
//! .xlsx, .xls and .ods; a filled self-check form read back into a project
//! (dry run, conflicts, missing justifications, unknown ids, English
//! verdicts, evidence by id and SHA-256, one transaction); malformed files
//! reported with their cells, never a panic. Fixtures: tests/fixtures/xlsx/
//! (regenerate with scripts/make-xlsx-fixtures.sh).

mod common;
use common::{repo, run, scratch};
use iovaudit::assess::{self, Verdict, VerdictInput};
use iovaudit::excel::{
    self, AnswerOptions, AnswerPlan, ColumnSpec, PackImportOptions, Severity, Workbook,
};
use iovaudit::pack::{self, SourceFile};
use iovaudit::project::Project;
use rust_xlsxwriter::Workbook as XlsxBook;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/xlsx").join(name)
}

fn questions() -> Vec<SourceFile> {
    pack::builtin_sources()
        .into_iter()
        .filter(|s| s.text.contains("[[questions]]"))
        .collect()
}

fn open(path: &Path) -> Workbook {
    Workbook::open(path).expect("open workbook")
}

fn import(path: &Path, id: Option<&str>) -> excel::PackImport {
    let mut wb = open(path);
    let opts = PackImportOptions {
        id: id.map(str::to_string),
        ..Default::default()
    };
    excel::import_pack(&mut wb, &opts, &questions()).expect("import")
}

/// The library made of one imported pack and the question catalogue.
fn load(toml: &str) -> pack::Library {
    let mut set = vec![SourceFile::new("imported.toml", toml)];
    set.extend(questions());
    match pack::load(&set) {
        Ok(l) => l,
        Err(d) => panic!(
            "imported pack does not validate:\n{}",
            d.iter()
                .map(|d| d.render(iovaudit::i18n::Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn rendered(problems: &[excel::Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| p.render(iovaudit::i18n::Lang::En))
        .collect()
}

// ------------------------------------------------------------------ packs

#[test]
fn every_shipped_pack_survives_export_and_import() {
    let lib = pack::builtin().expect("library");
    assert!(lib.packs.len() >= 6);
    for p in &lib.packs {
        let bytes = excel::export_pack(p).expect("export");
        assert_eq!(
            bytes,
            excel::export_pack(p).expect("export"),
            "{}: the same pack gives the same bytes",
            p.id
        );
        let mut wb = Workbook::from_bytes(&format!("{}.xlsx", p.id), bytes).expect("reopen");
        let imp = excel::import_pack(&mut wb, &PackImportOptions::default(), &questions())
            .expect("import");
        let errors: Vec<String> = rendered(&imp.problems);
        assert!(errors.is_empty(), "{}: {errors:#?}", p.id);
        assert_eq!(imp.pack_id, p.id);
        assert_eq!(imp.requirements, p.requirement_count());
        assert!(
            imp.defaults.is_empty(),
            "{}: defaults used {:?}",
            p.id,
            imp.defaults
        );
        let toml = imp.toml.expect("toml");
        assert!(
            !toml.contains("# 默认 / default"),
            "{}: nothing is a default",
            p.id
        );
        let back = load(&toml);
        let q = back.pack(&p.id).expect("the pack");
        // Everything the pack holds: header, scoring, exclusions, sections and
        // every field of every requirement (ids, clauses, titles, texts,
        // evidence, weights, obligation, applies_to, when, methods, veto,
        // themes, provenance, notes, params, deadlines, test methods).
        let mut a = serde_json::to_value(p).expect("json");
        let mut b = serde_json::to_value(q).expect("json");
        for v in [&mut a, &mut b] {
            if let Some(o) = v.as_object_mut() {
                o.remove("file");
            }
        }
        if a != b {
            for (ra, rb) in p.requirements().zip(q.requirements()) {
                let (x, y) = (
                    serde_json::to_value(ra).unwrap_or_default(),
                    serde_json::to_value(rb).unwrap_or_default(),
                );
                assert_eq!(x, y, "{}: requirement {} differs", p.id, ra.id);
            }
            panic!("{}: the pack differs after the round trip", p.id);
        }
    }
}

#[test]
fn task_list_saved_by_libreoffice_becomes_a_valid_pack() {
    let imp = import(&fixture("task-list.xlsx"), Some("TASK"));
    assert!(imp.problems.is_empty(), "{:#?}", rendered(&imp.problems));
    assert_eq!(imp.sheet, "任务清单");
    assert_eq!(imp.header_rows, (3, 4), "two-row header");
    let field = |letter: &str| {
        imp.columns
            .iter()
            .find(|(l, _, _)| l == letter)
            .map(|(_, f, _)| f.as_str())
            .unwrap_or("")
    };
    // Columns out of order, recognised by their Chinese headers.
    assert_eq!(
        ["A", "B", "C", "D", "E", "F", "G", "H"].map(field),
        ["seq", "weight", "category", "text", "title", "evidence", "clause", "note"]
    );
    let skipped: Vec<(u32, String)> = imp
        .skipped
        .iter()
        .map(|s| (s.row, s.reason.en.clone()))
        .collect();
    let rows: Vec<u32> = skipped.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, [1, 2, 8, 11, 12, 14, 16, 17], "{skipped:#?}");
    assert!(skipped[2].1.starts_with("note row"));
    assert!(skipped[3].1.starts_with("blank row"));
    assert!(skipped[4].1.starts_with("section heading row"));
    assert!(skipped[5].1.starts_with("repeated header"));
    assert!(skipped[6].1.starts_with("totals row"));

    let toml = imp.toml.clone().expect("toml");
    let lib = load(&toml);
    let p = lib.pack("TASK").expect("pack");
    assert_eq!(p.doc_number, "沪经信规〔2026〕3号", "from the title row");
    assert_eq!(
        p.title.zh,
        "上海市智能网联汽车网络安全和数据安全检查任务清单（示例）"
    );
    // Sections from the merged category cells, in order; a heading row starts the third.
    let secs: Vec<(&str, &str, usize)> = p
        .sections
        .iter()
        .map(|s| (s.clause.as_str(), s.title.zh.as_str(), s.requirements.len()))
        .collect();
    assert_eq!(
        secs,
        [
            ("一、", "数据安全管理", 3),
            ("二、", "网络安全防护", 2),
            ("三、", "应急处置", 2)
        ]
    );
    let reqs: Vec<_> = p.requirements().collect();
    // Ids from 序号, full-width digits folded.
    let ids: Vec<&str> = reqs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["TASK-001", "TASK-002", "TASK-003", "TASK-004", "TASK-005", "TASK-006", "TASK-007"]
    );
    let weights: Vec<u8> = reqs.iter().map(|r| r.weight).collect();
    assert_eq!(
        weights,
        [3, 4, 3, 5, excel::DEFAULT_WEIGHT, 3, 2],
        "full-width ３ and ２ read"
    );
    assert_eq!(reqs[0].clause, "第三条（一）", "clauses verbatim");
    assert_eq!(
        reqs[0].evidence.zh,
        ["数据分类分级管理制度", "重要数据目录及备案回执"]
    );
    assert_eq!(reqs[1].evidence.zh, ["风险评估报告", "整改记录"]);
    assert_eq!(reqs[4].evidence.zh, ["漏洞管理制度", "漏洞处置记录"]);
    assert_eq!(
        reqs[1].text.zh, "开展数据安全风险评估，每年至少一次，形成评估报告。",
        "stray spaces removed"
    );
    assert_eq!(
        reqs[4].title.zh, "建立漏洞管理机制",
        "a title taken from the text"
    );
    assert!(reqs[1]
        .provenance_note
        .as_deref()
        .is_some_and(|n| n.contains("row 6") && n.contains("含委托第三方开展的评估")));
    for r in &reqs {
        assert_eq!(r.title.en, format!("{}{}", excel::EN_PENDING, r.title.zh));
        assert_eq!(r.obligation, pack::Obligation::Mandatory);
        assert_eq!(r.applies_to, ["ALL"]);
        assert_eq!(r.methods, [pack::Method::Examine]);
    }
    // Every default is marked in the file.
    assert!(toml.contains("obligation = \"mandatory\"   # 默认 / default"));
    assert!(toml.contains("weight = 3   # 默认 / default"));
    let defaults: Vec<&str> = imp.defaults.iter().map(|d| d.en.as_str()).collect();
    assert!(defaults.contains(&"weight = 3: 1"), "{defaults:?}");
    assert!(
        defaults.contains(&"obligation = mandatory: 7"),
        "{defaults:?}"
    );

    // The same sheet saved as .xls and .ods gives the same pack.
    for other in ["task-list.xls", "task-list.ods"] {
        let o = import(&fixture(other), Some("TASK"));
        assert!(
            o.problems.is_empty(),
            "{other}: {:#?}",
            rendered(&o.problems)
        );
        let strip = |t: &str| {
            t.lines()
                .filter(|l| !l.contains("task-list."))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            strip(o.toml.as_deref().unwrap_or("")),
            strip(&toml),
            "{other}"
        );
    }
}

#[test]
fn wrong_types_and_formula_errors_are_reported_with_their_cells() {
    let imp = import(&fixture("wrong-types.xlsx"), Some("WT"));
    assert!(
        imp.toml.is_none(),
        "nothing is written when a row has an error"
    );
    let errors: Vec<String> = imp
        .errors()
        .map(|p| p.render(iovaudit::i18n::Lang::En))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let f = fixture("wrong-types.xlsx").display().to_string();
    assert!(errors[0].starts_with(&format!("{f}:Sheet1!D3: the weight must be a whole number 1–5; this cell holds the date 2024-03-01")), "{errors:#?}");
    assert!(
        errors[1].starts_with(&format!("{f}:Sheet1!C4: formula error #DIV/0!")),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with(&format!("{f}:Sheet1!D5: formula error #DIV/0!")),
        "{errors:#?}"
    );
    // Chinese by default.
    let zh = imp
        .errors()
        .next()
        .map(|p| p.render(iovaudit::i18n::Lang::Zh));
    assert!(zh.is_some_and(|z| z.contains("Sheet1!D3: 权重应为 1–5 的整数，此处是日期 2024-03-01")));
    // A number where text is expected is fine: B2 holds 12345.
    assert!(!errors.iter().any(|e| e.contains("!B2")));
}

#[test]
fn malformed_files_give_clear_errors_never_a_panic() {
    let en = |p: excel::Problem| p.render(iovaudit::i18n::Lang::En);
    let e = en(Workbook::open(&fixture("not-a-zip.xlsx")).expect_err("text"));
    assert!(
        e.contains("not-a-zip.xlsx: not a spreadsheet: the file is plain text"),
        "{e}"
    );
    let e = en(Workbook::open(&fixture("truncated.xlsx")).expect_err("truncated"));
    assert!(
        e.contains("truncated.xlsx: a ZIP file, but not a readable .xlsx/.ods workbook"),
        "{e}"
    );
    let e = en(Workbook::from_bytes("empty.xlsx", Vec::new()).expect_err("empty"));
    assert_eq!(e, "empty.xlsx: the file is empty");
    let e = en(Workbook::open(&repo().join("tests")).expect_err("a folder"));
    assert!(e.contains("a folder"), "{e}");
    let e = en(Workbook::open(&fixture("missing.xlsx")).expect_err("missing"));
    assert!(e.contains("cannot read the file"), "{e}");

    // A missing sheet names the sheets there are.
    let mut wb = open(&fixture("task-list.xlsx"));
    let opts = PackImportOptions {
        sheet: Some("NOPE".into()),
        id: Some("X".into()),
        ..Default::default()
    };
    let e = en(excel::import_pack(&mut wb, &opts, &questions()).expect_err("no sheet"));
    assert!(
        e.ends_with("no sheet named `NOPE` (sheets: 任务清单)"),
        "{e}"
    );

    // Damaged copies of a real workbook: an error or a result, never a panic.
    let good = std::fs::read(fixture("task-list.xlsx")).expect("read");
    for i in 0..24usize {
        let mut bytes = good.clone();
        match i % 3 {
            0 => bytes.truncate(good.len() * (i + 1) / 26),
            1 => {
                let at = (i * 997) % bytes.len();
                bytes[at] ^= 0x5A;
            }
            _ => {
                let at = (i * 389) % bytes.len();
                for b in bytes.iter_mut().skip(at).take(64) {
                    *b = 0;
                }
            }
        }
        if let Ok(mut wb) = Workbook::from_bytes("damaged.xlsx", bytes) {
            let _ = excel::import_pack(&mut wb, &PackImportOptions::default(), &questions());
        }
    }
}

#[test]
fn unknown_columns_can_be_named_by_letter_or_header() {
    let dir = scratch("excel-columns");
    let path = dir.join("own.xlsx");
    let mut book = XlsxBook::new();
    let ws = book.add_worksheet();
    let rows: [[&str; 4]; 3] = [
        ["编号", "要点说明", "条文", "备注"],
        ["1", "建立车辆数据安全管理制度。", "第一条", ""],
        ["2", "定期开展数据安全培训。", "第二条", "每年一次"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).expect("write");
        }
    }
    book.save(&path).expect("save");

    let mut wb = open(&path);
    let opts = PackImportOptions {
        id: Some("OWN".into()),
        ..Default::default()
    };
    let e = excel::import_pack(&mut wb, &opts, &questions()).expect_err("no text column");
    assert!(
        e.message
            .en
            .contains("no 检查项 (title) or 检查内容 (text) column"),
        "{}",
        e.message.en
    );
    assert!(e.message.en.contains("B=要点说明"), "{}", e.message.en);

    let spec = |s: &str| s.parse::<ColumnSpec>().expect("spec");
    let opts = PackImportOptions {
        id: Some("OWN".into()),
        columns: vec![spec("text=要点说明"), spec("clause=C")],
        ..Default::default()
    };
    let imp = excel::import_pack(&mut wb, &opts, &questions()).expect("import");
    assert!(imp.problems.is_empty(), "{:#?}", rendered(&imp.problems));
    let lib = load(imp.toml.as_deref().expect("toml"));
    let p = lib.pack("OWN").expect("pack");
    let reqs: Vec<_> = p.requirements().collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].id, "OWN-002");
    assert_eq!(reqs[1].clause, "第二条");
    assert_eq!(reqs[1].text.zh, "定期开展数据安全培训。");
    assert_eq!(reqs[0].evidence.zh, [excel::EVIDENCE_PENDING]);
    // An unknown field or header is a clear error.
    let opts = PackImportOptions {
        id: Some("OWN".into()),
        columns: vec![spec("colour=B")],
        ..Default::default()
    };
    let e = excel::import_pack(&mut wb, &opts, &questions()).expect_err("bad field");
    assert!(e.message.en.contains("unknown field `colour`"));
    let opts = PackImportOptions {
        id: Some("OWN".into()),
        columns: vec![spec("text=不存在的列")],
        ..Default::default()
    };
    let e = excel::import_pack(&mut wb, &opts, &questions()).expect_err("bad header");
    assert!(e.message.en.contains("no such column"), "{}", e.message.en);
}

#[test]
fn cli_pack_import_and_export() {
    let dir = scratch("excel-cli-pack");
    let out = dir.join("task.toml");
    let o = out.display().to_string();
    let f = fixture("task-list.xlsx").display().to_string();
    let r = run(&["pack", "import-xlsx", &f, "--out", &o, "--id", "TASK"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("第 16 行：合计行"), "{}", r.stdout);
    assert!(
        r.stdout.contains("完成：检查单 TASK，3 个章节，7 项要求"),
        "{}",
        r.stdout
    );
    let v = run(&["pack", "validate", &o]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    // Never overwrites without --force.
    let before = std::fs::read(&out).expect("read");
    let r = run(&["pack", "import-xlsx", &f, "--out", &o, "--id", "OTHER"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).expect("read"), before);
    let r = run(&[
        "pack",
        "import-xlsx",
        &f,
        "--out",
        &o,
        "--id",
        "OTHER",
        "--force",
        "--lang",
        "en",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Done: pack OTHER"), "{}", r.stdout);
    // Errors: located, nothing written, exit 1; a missing sheet or a non-workbook: exit 2.
    let bad = dir.join("bad.toml");
    let b = bad.display().to_string();
    let w = fixture("wrong-types.xlsx").display().to_string();
    let r = run(&["pack", "import-xlsx", &w, "--out", &b, "--id", "WT"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("wrong-types.xlsx:Sheet1!D3: 权重应为"),
        "{}",
        r.stderr
    );
    assert!(!bad.exists());
    let r = run(&["pack", "import-xlsx", &f, "--out", &b, "--sheet", "NOPE"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("没有名为「NOPE」的工作表（现有：任务清单）"),
        "{}",
        r.stderr
    );
    let n = fixture("not-a-zip.xlsx").display().to_string();
    let r = run(&["pack", "import-xlsx", &n, "--out", &b, "--lang", "en"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a spreadsheet"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
    // --json.
    let r = run(&[
        "pack",
        "import-xlsx",
        &w,
        "--out",
        &b,
        "--id",
        "WT",
        "--json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(j["ok"], false);
    assert_eq!(j["problems"][0]["at"]["row"], 3);
    assert_eq!(j["problems"][0]["at"]["col"], 3);

    // Export: a built-in pack, refused over an existing file.
    let x = dir.join("n134.xlsx");
    let xs = x.display().to_string();
    let r = run(&["pack", "export-xlsx", "N134", "--out", &xs]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["pack", "export-xlsx", "N134", "--out", &xs]);
    assert_eq!(r.code, 2);
    let r = run(&["pack", "export-xlsx", "NOPE", "--out", &xs, "--force"]);
    assert_eq!(r.code, 2);
    let back = dir.join("n134.toml");
    let r = run(&[
        "pack",
        "import-xlsx",
        &xs,
        "--out",
        &back.display().to_string(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("N134"), "{}", r.stdout);
}

// ------------------------------------------------------------------ self-check answers

fn demo(name: &str) -> (PathBuf, Project) {
    let dir = scratch(name).join("demo.iovaudit");
    let p = iovaudit::demo::create(&dir, pack::builtin().expect("library")).expect("demo");
    (dir, p)
}

fn plan(p: &Project, path: &Path, overwrite: bool) -> AnswerPlan {
    let mut wb = open(path);
    let opts = AnswerOptions {
        overwrite,
        ..Default::default()
    };
    excel::plan_answers(p, &mut wb, &opts).expect("plan")
}

fn journal_len(p: &Project) -> usize {
    iovaudit::journal::entries(p.conn()).expect("journal").len()
}

#[test]
fn filled_form_from_libreoffice_is_planned_checked_and_applied() {
    let (_, mut p) = demo("excel-form-lo");
    let form = fixture("selfcheck-filled.xlsx");
    // The fixture names demo evidence 1, 2 and 12 by SHA-256 (the demo's files are fixed).
    let sha12 = iovaudit::evidence::get(&p, 12).expect("evidence 12").sha256;
    assert_eq!(
        sha12, "20290e514ce2b1286b641b8331eaee317476f95046d6198af0b5b7aa4bfa0e95",
        "the demo's evidence changed: update tests/fixtures/xlsx/src/selfcheck-filled.fods and rerun scripts/make-xlsx-fixtures.sh"
    );
    let before = assess::recorded_verdicts(&p).expect("verdicts");
    let journal_before = journal_len(&p);

    let pl = plan(&p, &form, false);
    assert_eq!(pl.sheets, ["N134"]);
    assert_eq!(pl.sheets_skipped.len(), 1, "整改项 is not a form");
    let changes: Vec<(&str, Verdict, &[i64])> = pl
        .rows
        .iter()
        .map(|r| (r.requirement.as_str(), r.verdict, r.link.as_slice()))
        .collect();
    assert_eq!(
        changes,
        [
            ("N134-04", Verdict::Conform, &[1][..]),
            ("N134-05", Verdict::Partial, &[][..]),
            ("N134-07", Verdict::Conform, &[12][..]),
            ("N134-08", Verdict::Na, &[][..]),
            ("N134-14", Verdict::Conform, &[][..]),
            ("N134-20", Verdict::Conform, &[][..]),
        ],
        "English verdict words, E-001 and a SHA-256 linked, a full-width id"
    );
    let conflicts: Vec<&str> = pl
        .conflicts
        .iter()
        .map(|c| c.requirement.as_str())
        .collect();
    assert_eq!(conflicts, ["N134-03", "N134-17"]);
    assert_eq!(pl.conflicts[0].recorded.verdict, Verdict::Partial);
    let unchanged: Vec<&str> = pl.unchanged.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(unchanged, ["N134-01", "N134-02", "N134-19", "N134-25"]);
    assert_eq!(pl.empty, 1);
    let f = form.display().to_string();
    let errors: Vec<String> = pl
        .errors()
        .map(|e| e.render(iovaudit::i18n::Lang::En).replace(&f, "F"))
        .collect();
    assert_eq!(
        errors,
        [
            "F:N134!E9: a verdict of 'not conformant' needs a justification (note): not imported",
            "F:N134!D12: unknown verdict `也许` (use 符合, 部分符合, 不符合, 不适用, or conform, partial, nonconform, na)",
            "F:N134!F14: no evidence 99 in the project: row not imported",
            "F:N134!E16: formula error #DIV/0! (note)",
            "F:N134!D21: N134-40 is not applicable because of the scope and cannot be judged 'conformant': not imported (change the scope if it is wrong)",
            "F:N134!H22: unknown requirement id `N999-99`: not imported",
            "F:N134!H23: requirement `BJ50-01` is in pack BJ50, which is not part of this project: not imported",
        ]
    );
    let warnings: Vec<String> = pl
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|e| e.render(iovaudit::i18n::Lang::En).replace(&f, "F"))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[0].starts_with("F:N134!D13: warning: the verdict is empty"));
    assert!(warnings[1]
        .starts_with("F:N134!F15: warning: `见附件《身份认证设计说明》` is not an evidence id"));

    // Planning changed nothing.
    assert_eq!(assess::recorded_verdicts(&p).expect("verdicts"), before);
    assert_eq!(journal_len(&p), journal_before);

    // Apply: the planned rows, in one journal entry; conflicts left alone.
    let applied = excel::apply_answers(&mut p, "企业填表人", &pl).expect("apply");
    assert_eq!((applied.verdicts, applied.links), (6, 2));
    assert_eq!(journal_len(&p), journal_before + 1);
    let after = assess::recorded_verdicts(&p).expect("verdicts");
    assert_eq!(after["N134-05"].verdict, Verdict::Partial);
    assert_eq!(after["N134-05"].note, "IVI 域尚未完成架构评审。");
    assert_eq!(after["N134-05"].assessor, "企业填表人");
    assert_eq!(
        after["N134-03"], before["N134-03"],
        "a conflict is not overwritten"
    );
    assert_eq!(after["N134-17"], before["N134-17"]);
    assert!(
        !after.contains_key("N134-06"),
        "a missing justification is not imported"
    );
    let linked = iovaudit::evidence::for_requirement(&p, "N134-07").expect("links");
    assert_eq!(linked.iter().map(|e| e.id).collect::<Vec<_>>(), [12]);
    let (breaks, _, _) = p.verify_journal().expect("journal");
    assert!(breaks.is_empty());

    // Again: only the conflicts are left; with --overwrite they are applied.
    let again = plan(&p, &form, false);
    assert!(again.rows.is_empty(), "{:?}", again.rows);
    assert_eq!(again.unchanged.len(), 10);
    let over = plan(&p, &form, true);
    assert_eq!(over.rows.len(), 2);
    assert!(over.rows.iter().all(|r| r.overwrites));
    assert_eq!(over.open_conflicts(), 0);
    excel::apply_answers(&mut p, "企业填表人", &over).expect("apply");
    let after = assess::recorded_verdicts(&p).expect("verdicts");
    assert_eq!(after["N134-03"].verdict, Verdict::Conform);
    assert_eq!(after["N134-17"].verdict, Verdict::Nonconform);
    assert_eq!(after["N134-17"].note, "日志平台仅保留 90 天。");
}

/// The self-check form as the report module lays it out (two title rows,
/// header in row 3, bilingual headers, verdict labels with the inferred
/// mark, `E-00n title` evidence lines, SHA-256 lines, the machine columns
/// requirement_id and verdict_code, then 整改项 and 证据清单 sheets), built
/// from the project's state; `edit` changes cells before it is saved.
fn report_like_form(p: &Project, path: &Path, edit: &dyn Fn(&str) -> Option<[String; 3]>) {
    const HEADERS: [&str; 9] = [
        "序号\nNo.",
        "检查项\nRequirement",
        "依据条款\nClause",
        "结论\nVerdict",
        "说明\nJustification",
        "证明材料\nEvidence",
        "SHA-256",
        "要求编号\nrequirement_id",
        "verdict_code",
    ];
    let mut book = XlsxBook::new();
    let statuses = assess::statuses(p).expect("statuses");
    let items = iovaudit::evidence::list(p).expect("evidence");
    let meta = p.meta().expect("meta");
    for (pid, _) in &meta.packs {
        let ws = book.add_worksheet();
        ws.set_name(pid).expect("name");
        ws.merge_range(
            0,
            0,
            0,
            8,
            &format!("车联网网络安全和数据安全自查表 — {pid}"),
            &Default::default(),
        )
        .expect("title");
        ws.merge_range(
            1,
            0,
            1,
            8,
            "被评估单位：示例智能网联汽车有限公司",
            &Default::default(),
        )
        .expect("line");
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string(2, c as u16, *h).expect("header");
        }
        for (row, s) in (3u32..).zip(statuses.iter().filter(|s| &s.pack == pid)) {
            let mut verdict = s.verdict.label().zh;
            let mut note = match (&s.recorded, &s.applicability) {
                (_, assess::Applicability::NotApplicable { reason }) => reason.zh.clone(),
                (Some(r), _) => r.note.clone(),
                _ => String::new(),
            };
            if let Some(r) = s.recorded.as_ref().filter(|r| r.inferred_from.is_some()) {
                verdict.push_str(&format!(
                    "\n（推断自 {}，{}）",
                    r.inferred_from.clone().unwrap_or_default(),
                    if r.confirmed {
                        "已确认"
                    } else {
                        "未确认"
                    }
                ));
            }
            let ev: Vec<&iovaudit::evidence::Item> = items
                .iter()
                .filter(|i| s.evidence.contains(&i.id))
                .collect();
            let mut evidence = ev
                .iter()
                .map(|i| format!("E-{:03} {}", i.id, i.title))
                .collect::<Vec<_>>()
                .join("\n");
            let sha = ev
                .iter()
                .map(|i| i.sha256.clone())
                .collect::<Vec<_>>()
                .join("\n");
            if let Some([v, n, e]) = edit(&s.requirement) {
                verdict = v;
                note = n;
                evidence = e;
            }
            ws.write_number(row, 0, (row - 2) as f64).expect("n");
            ws.write_string(row, 1, format!("{}\n{}", s.title.zh, s.title.en))
                .expect("t");
            ws.write_string(row, 2, &s.clause).expect("c");
            ws.write_string(row, 3, &verdict).expect("v");
            ws.write_string(row, 4, &note).expect("note");
            ws.write_string(row, 5, &evidence).expect("e");
            ws.write_string(row, 6, &sha).expect("s");
            ws.write_string(row, 7, &s.requirement).expect("id");
            ws.write_string(row, 8, s.verdict.as_str()).expect("code");
        }
        ws.set_column_hidden(8).expect("hide");
    }
    let ws = book.add_worksheet();
    ws.set_name("整改项").expect("name");
    for (c, h) in [
        "序号\nNo.",
        "编号\nRef.",
        "对应要求\nRequirement",
        "整改事项\nFinding",
        "状态\nStatus",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).expect("h");
    }
    ws.write_string(3, 2, "N134-19").expect("f");
    let ws = book.add_worksheet();
    ws.set_name("证据清单").expect("name");
    for (c, h) in [
        "编号\nRef.",
        "证据材料\nEvidence",
        "SHA-256",
        "关联要求\nRequirements",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).expect("h");
    }
    book.save(path).expect("save");
}

#[test]
fn a_form_laid_out_like_the_report_reads_back_as_no_change_then_applies_edits() {
    let (dir, mut p) = demo("excel-form-report");
    let form = dir.with_file_name("form.xlsx");
    report_like_form(&p, &form, &|_| None);
    let pl = plan(&p, &form, false);
    assert_eq!(pl.sheets, ["N134", "N103", "GB44495", "SH26"]);
    assert_eq!(
        pl.sheets_skipped.len(),
        2,
        "整改项 and 证据清单 are not forms"
    );
    assert!(
        pl.rows.is_empty(),
        "unchanged form, nothing to do: {:#?}",
        pl.rows
    );
    assert!(pl.conflicts.is_empty(), "{:#?}", pl.conflicts);
    assert!(pl.problems.is_empty(), "{:#?}", rendered(&pl.problems));
    assert!(
        pl.unchanged.len() >= 15,
        "recorded, inferred and scope-N/A rows match"
    );

    // The enterprise fills in a few rows.
    let ev1 = "E-001 网络安全和数据安全管理制度汇编（2026版）".to_string();
    report_like_form(&p, &form, &|id| match id {
        "N134-06" => Some([
            "不符合".into(),
            "车内 CAN 报文未做认证。".into(),
            String::new(),
        ]),
        "N134-11" => Some([
            "partial".into(),
            "用户告知模板已建立，技术支持流程未定。".into(),
            ev1.clone(),
        ]),
        "N134-09" => Some([
            "部分符合".into(),
            "台账缺少第二季度记录。".into(),
            String::new(),
        ]),
        "N103-03" => Some(["符合".into(), String::new(), "#5".into()]),
        _ => None,
    });
    let pl = plan(&p, &form, false);
    assert!(pl.problems.is_empty(), "{:#?}", rendered(&pl.problems));
    let rows: Vec<(&str, Verdict)> = pl
        .rows
        .iter()
        .map(|r| (r.requirement.as_str(), r.verdict))
        .collect();
    assert_eq!(
        rows,
        [
            ("N134-06", Verdict::Nonconform),
            ("N134-11", Verdict::Partial),
            ("N103-03", Verdict::Conform)
        ]
    );
    assert_eq!(pl.rows[1].link, [1]);
    assert_eq!(pl.rows[2].link, [5]);
    assert_eq!(pl.conflicts.len(), 1, "N134-09 was judged by a person");
    // Inferred verdicts are proposed for mapped requirements, as `assess set` does.
    for prop in &pl.proposals {
        assert!(pl.rows.iter().any(|r| r.requirement == prop.from));
    }
    excel::apply_answers(&mut p, "tester", &pl).expect("apply");
    let rec = assess::recorded_verdicts(&p).expect("verdicts");
    assert_eq!(rec["N134-06"].note, "车内 CAN 报文未做认证。");
    assert_eq!(rec["N134-09"].verdict, Verdict::Conform, "conflict kept");
    for prop in &pl.proposals {
        let r = &rec[&prop.requirement];
        assert_eq!((r.verdict, r.confirmed), (prop.verdict, false));
        assert_eq!(r.inferred_from.as_deref(), Some(prop.from.as_str()));
    }
}

#[test]
fn the_report_modules_own_form_reads_back_as_no_change() {
    let (_, p) = demo("excel-form-real");
    let model = iovaudit::report::build_model(&p, &iovaudit::report::ReportOptions::default())
        .expect("model");
    let bytes = iovaudit::report::render_xlsx(&model).expect("xlsx");
    let mut wb = Workbook::from_bytes("自查表.xlsx", bytes).expect("open");
    let pl = excel::plan_answers(&p, &mut wb, &AnswerOptions::default()).expect("plan");
    assert_eq!(pl.sheets, ["N134", "N103", "GB44495", "SH26"]);
    assert!(pl.rows.is_empty(), "{:#?}", pl.rows);
    assert!(pl.conflicts.is_empty(), "{:#?}", pl.conflicts);
    assert!(pl.problems.is_empty(), "{:#?}", rendered(&pl.problems));
    let recorded = assess::recorded_verdicts(&p).expect("verdicts").len();
    assert!(
        pl.unchanged.len() >= recorded,
        "every recorded verdict matches"
    );
}

#[test]
fn an_approved_project_is_not_changed() {
    let dir = scratch("excel-approved").join("p.iovaudit");
    let new = iovaudit::project::NewProject {
        name: "审批后导入".into(),
        assessee: "测试企业".into(),
        kind: iovaudit::project::Kind::SelfCheck,
        organisation: String::new(),
        packs: vec!["N103".into()],
        by: "tester".into(),
    };
    let mut p = Project::init(&dir, &new, pack::builtin().expect("library")).expect("init");
    assess::set_verdict(
        &mut p,
        "tester",
        "N103-01",
        &VerdictInput::new(Verdict::Conform, ""),
    )
    .expect("set");
    assess::submit(&mut p, "tester").expect("submit");
    assess::approve(&mut p, "reviewer").expect("approve");
    let form = dir.with_file_name("form.xlsx");
    report_like_form(&p, &form, &|id| {
        (id == "N103-02").then(|| ["符合".to_string(), String::new(), String::new()])
    });
    let journal = journal_len(&p);
    let pl = plan(&p, &form, false);
    assert_eq!(pl.rows.len(), 1);
    assert!(pl.errors().any(|e| e.message.en.contains("approved")));
    let e = excel::apply_answers(&mut p, "tester", &pl).expect_err("approved");
    assert!(matches!(e, iovaudit::project::ProjectError::Approved));
    assert!(!assess::recorded_verdicts(&p)
        .expect("v")
        .contains_key("N103-02"));
    assert_eq!(journal_len(&p), journal);
}

#[test]
fn cli_assess_import_dry_run_strict_and_apply() {
    let (dir, p) = demo("excel-cli-assess");
    drop(p);
    let d = dir.display().to_string();
    let f = fixture("selfcheck-filled.xlsx").display().to_string();
    let db = || {
        let p = Project::open(&dir).expect("open");
        (assess::recorded_verdicts(&p).expect("v"), journal_len(&p))
    };
    let start = db();
    let r = run(&["assess", "import-xlsx", &d, &f, "--dry-run", "--by", "企业"]);
    assert_eq!(r.code, 1, "row problems: exit 1");
    assert!(r.stdout.contains("将要更改 (6)"), "{}", r.stdout);
    assert!(r.stdout.contains("与已记录的结论冲突 2 项"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("selfcheck-filled.xlsx:N134!E9: 结论「不符合」需要写明理由"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("演练（--dry-run）：项目未做任何更改。"));
    assert_eq!(db(), start, "a dry run changes nothing");
    let r = run(&[
        "assess",
        "import-xlsx",
        &d,
        &f,
        "--strict",
        "--by",
        "企业",
        "--lang",
        "en",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("--strict: there are problems; nothing was imported."),
        "{}",
        r.stdout
    );
    assert_eq!(db(), start);
    let r = run(&["assess", "import-xlsx", &d, &f, "--by", "企业", "--json"]);
    assert_eq!(r.code, 1);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(j["applied"]["verdicts"], 6);
    assert_eq!(j["plan"]["conflicts"].as_array().map(Vec::len), Some(2));
    let (v, n) = db();
    assert_eq!(n, start.1 + 1, "one journal entry");
    assert_eq!(v["N134-04"].assessor, "企业");
    let r = run(&["assess", "import-xlsx", &d, &f, "--sheet", "NOPE"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("没有名为「NOPE」的工作表（现有：N134、整改项）"),
        "{}",
        r.stderr
    );
    let n = fixture("not-a-zip.xlsx").display().to_string();
    let r = run(&["assess", "import-xlsx", &d, &n]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("不是表格文件"), "{}", r.stderr);
    // The CLI's `assess` keeps its other commands.
    let r = run(&["assess", "list", &d, "--pack", "N103"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

// ------------------------------------------------------------------ issue 13: headers

/// Writes `rows` (text cells; "" = empty) into a new sheet of `wb`.
fn sheet_rows(wb: &mut XlsxBook, name: &str, rows: &[&[&str]]) {
    let ws = wb.add_worksheet();
    ws.set_name(name).expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).expect("write");
            }
        }
    }
}

#[test]
fn a_two_row_header_keeps_jiancha_yaodian_as_content() {
    // 检查内容 spans two columns, 检查项 and 检查要点 below it: 要点 is the
    // requirement's content with its deadline, never dropped.
    let dir = scratch("xlsx-two-row-yaodian");
    let f = dir.join("shtask.xlsx");
    let mut wb = XlsxBook::new();
    let ws = wb.add_worksheet();
    ws.set_name("任务清单").expect("name");
    ws.write_string(0, 0, "2026年数据安全检查任务清单")
        .expect("w");
    let fmt = rust_xlsxwriter::Format::new();
    ws.merge_range(1, 0, 2, 0, "序号", &fmt).expect("merge");
    ws.merge_range(1, 1, 2, 1, "类别", &fmt).expect("merge");
    ws.merge_range(1, 2, 1, 3, "检查内容", &fmt).expect("merge");
    ws.write_string(2, 2, "检查项").expect("w");
    ws.write_string(2, 3, "检查要点").expect("w");
    ws.merge_range(1, 4, 2, 4, "依据条款", &fmt).expect("merge");
    let rows: &[[&str; 5]] = &[
        [
            "1",
            "数据安全",
            "重要数据目录备案",
            "11月30日前完成重要数据目录备案并报送主管部门。",
            "第三条",
        ],
        [
            "2",
            "数据安全",
            "数据出境评估",
            "出境前完成安全评估。",
            "第四条",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 3, c as u16, *v).expect("w");
        }
    }
    wb.save(&f).expect("save");
    let imp = import(&f, Some("SHTASK"));
    assert!(!imp.has_errors(), "{:?}", rendered(&imp.problems));
    assert_eq!(imp.header_rows, (2, 3));
    assert!(
        imp.columns.iter().any(|(l, f, _)| l == "D" && f == "text"),
        "{:?}",
        imp.columns
    );
    let lib = load(imp.toml.as_deref().expect("toml"));
    let (_, _, r) = lib.requirement("SHTASK-001").expect("first item");
    assert_eq!(r.title.zh, "重要数据目录备案");
    assert_eq!(r.text.zh, "11月30日前完成重要数据目录备案并报送主管部门。");
}

#[test]
fn two_columns_for_one_field_are_joined_or_the_import_stops_naming_both() {
    let dir = scratch("xlsx-dup-columns");
    // Two title columns: joined, and said so.
    let f = dir.join("dup.xlsx");
    let mut wb = XlsxBook::new();
    sheet_rows(
        &mut wb,
        "清单",
        &[
            &["序号", "检查项", "项目", "检查内容"],
            &["1", "日志留存", "平台日志", "日志留存不少于六个月。"],
        ],
    );
    wb.save(&f).expect("save");
    let imp = import(&f, Some("DUP"));
    assert!(!imp.has_errors(), "{:?}", rendered(&imp.problems));
    let warn = rendered(&imp.problems).join("\n");
    assert!(
        warn.contains("B1") && warn.contains("C1") && warn.contains("joined"),
        "{warn}"
    );
    let lib = load(imp.toml.as_deref().expect("toml"));
    let (_, _, r) = lib.requirement("DUP-001").expect("item");
    assert_eq!(r.title.zh, "日志留存 / 平台日志");
    // Two weight columns: refused, naming both cells, in zh and en.
    let f = dir.join("dup-weight.xlsx");
    let mut wb = XlsxBook::new();
    sheet_rows(
        &mut wb,
        "清单",
        &[&["检查项", "权重", "weight"], &["日志留存", "3", "4"]],
    );
    wb.save(&f).expect("save");
    let mut w = open(&f);
    let e = excel::import_pack(&mut w, &PackImportOptions::default(), &questions())
        .expect_err("two weight columns");
    let en = e.render(iovaudit::i18n::Lang::En);
    assert!(
        en.contains("B1") && en.contains("C1") && en.contains("weight"),
        "{en}"
    );
    assert!(e
        .render(iovaudit::i18n::Lang::Zh)
        .contains("无法确定用哪一列"));
}

/// An English practitioner checklist: a cover sheet first, then the checklist
/// with Test ID / Test Name / Objectives / Category and category-only rows.
fn practitioner_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec!["Test ID", "Test Name", "Objectives", "Category", "Weight"],
        vec!["", "", "", "Logging and monitoring", ""],
        vec![
            "LOG-01",
            "Log retention",
            "Verify that platform logs are kept for six months.",
            "",
            "4",
        ],
        vec![
            "LOG-02",
            "Log integrity",
            "Verify that logs cannot be altered.",
            "",
            "3",
        ],
        vec!["", "", "", "Software updates", ""],
        vec![
            "OTA-01",
            "Signed packages",
            "Verify that update packages are signed and checked.",
            "",
            "5",
        ],
    ]
}

fn check_practitioner(imp: &excel::PackImport, sheet: &str) {
    assert!(!imp.has_errors(), "{:?}", rendered(&imp.problems));
    assert_eq!(imp.sheet, sheet);
    assert_eq!((imp.sections, imp.requirements), (2, 3));
    let lib = load(imp.toml.as_deref().expect("toml"));
    let p = lib.pack("PRAC").expect("pack");
    assert_eq!(p.sections[0].title.zh, "Logging and monitoring");
    assert_eq!(p.sections[1].title.zh, "Software updates");
    let (_, s, r) = lib.requirement("PRAC-LOG-01").expect("LOG-01");
    assert_eq!(s.requirements.len(), 2);
    assert_eq!(r.title.zh, "Log retention");
    assert_eq!(
        r.text.zh,
        "Verify that platform logs are kept for six months."
    );
    assert_eq!(r.weight, 4);
    assert!(lib.requirement("PRAC-OTA-01").is_some());
}

#[test]
fn an_english_practitioner_checklist_imports_without_column_or_sheet() {
    let dir = scratch("xlsx-practitioner");
    let f = dir.join("practitioner.xlsx");
    let mut wb = XlsxBook::new();
    sheet_rows(
        &mut wb,
        "Cover",
        &[
            &["Vendor security checklist"],
            &["Name", "Version"],
            &["Demo", "1.0"],
        ],
    );
    let rows = practitioner_rows();
    let refs: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    sheet_rows(&mut wb, "Checklist", &refs);
    wb.save(&f).expect("save");
    check_practitioner(&import(&f, Some("PRAC")), "Checklist");
}

#[test]
fn a_practitioner_checklist_converted_by_libreoffice_imports() {
    // The oracle is LibreOffice itself (scripts/setup.sh installs it): the
    // test writes CSV, soffice turns it into .xlsx, iovaudit reads that.
    let dir = scratch("xlsx-practitioner-lo");
    let csv = dir.join("practitioner.csv");
    let mut text = String::new();
    for r in practitioner_rows() {
        let cells: Vec<String> = r.iter().map(|c| format!("\"{c}\"")).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(&csv, text).expect("csv");
    let profile = dir.join("lo-profile");
    let out = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&dir)
        .arg(&csv)
        .output()
        .expect(
            "soffice (LibreOffice) is needed: scripts/setup.sh installs libreoffice-calc-nogui",
        );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xlsx = dir.join("practitioner.xlsx");
    assert!(xlsx.is_file(), "LibreOffice wrote no xlsx");
    check_practitioner(&import(&xlsx, Some("PRAC")), "practitioner");
}
