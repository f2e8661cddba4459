//! The Excel commands: `pack import-xlsx`, `pack export-xlsx` and
//! `assess import-xlsx`. Each parses its arguments, calls `iovaudit::excel`,
//! and prints (zh by default, `--lang en`, or `--json`).
//!
//! Wiring — the lines to add to src/cli/mod.rs:
//!
//! ```text
//! // next to `mod project; mod render;`
//! mod excel;
//!
//! // in `enum Command`, replace `Assess(project::AssessCmd),` by
//!     Assess(excel::AssessCmd),
//!
//! // in `enum PackCmd`, two more variants
//!     /// Turn a checklist spreadsheet into a pack (TOML) / 从 Excel 导入检查单
//!     ImportXlsx(excel::PackImportXlsx),
//!     /// Write a pack as a spreadsheet that imports back / 导出检查单为 Excel
//!     ExportXlsx(excel::PackExportXlsx),
//!
//! // in `run()`, replace `Command::Assess(c) => project::assess_cmd(&ctx, c),` by
//!         Command::Assess(excel::AssessCmd::Core(c)) => project::assess_cmd(&ctx, c),
//!         Command::Assess(excel::AssessCmd::ImportXlsx(a)) => excel::assess_import(a, lang),
//!
//! // in the `Command::Pack(cmd) => match cmd { … }` arms
//!             PackCmd::ImportXlsx(a) => excel::pack_import(a, cli.checklists, lang),
//!             PackCmd::ExportXlsx(a) => excel::pack_export(a, cli.checklists, lang),
//! ```
//!
//! Exit status: 0 done, nothing to report; 1 the data has problems (rows
//! not imported, conflicts left, a pack that does not validate); 2 the
//! command could not run (unreadable file, not a workbook, no such sheet,
//! the output exists without --force, the project cannot be opened).

use clap::{Args, Subcommand};
use iovaudit::excel::{
    self, AnswerOptions, AnswerPlan, ColumnSpec, PackImport, PackImportOptions, Problem, Workbook,
};
use iovaudit::i18n::{Lang, Text};
use iovaudit::pack::{self, SourceFile};
use iovaudit::project::Project;
use std::path::PathBuf;

/// `assess` with the Excel import added to the project commands.
#[derive(Subcommand)]
pub enum AssessCmd {
    #[command(flatten)]
    Core(super::project::AssessCmd),
    /// Read verdicts, notes and evidence references from a filled self-check form / 从 Excel 自查表导入结论
    ImportXlsx(AssessImportXlsx),
}

#[derive(Args)]
pub struct PackImportXlsx {
    /// The spreadsheet (.xlsx, .xls, .ods) / 表格文件
    pub file: PathBuf,
    /// Where to write the pack; an existing file is kept unless --force / 输出的检查单文件
    #[arg(long, value_name = "PACK.toml")]
    pub out: PathBuf,
    /// The sheet to read (default: the first with a recognisable header) / 工作表
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Name a column: FIELD=LETTER or FIELD=HEADER, e.g. title=C, clause=依据条款 (repeatable);
    /// fields: seq category title text clause evidence weight note id title_en text_en evidence_en …
    #[arg(long = "column", value_name = "FIELD=COLUMN")]
    pub columns: Vec<ColumnSpec>,
    /// The pack id, e.g. SHTASK (default: from the pack sheet or the file name) / 检查单标识
    #[arg(long)]
    pub id: Option<String>,
    /// Replace the output file if it exists / 覆盖已有文件
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PackExportXlsx {
    /// Pack id (e.g. N134) / 检查单标识
    pub id: String,
    /// The workbook to write; an existing file is kept unless --force / 输出文件
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: PathBuf,
    /// Replace the output file if it exists / 覆盖已有文件
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct AssessImportXlsx {
    /// The project folder / 项目目录
    pub dir: PathBuf,
    /// The filled form (.xlsx, .xls, .ods) / 已填写的自查表
    pub file: PathBuf,
    /// Show what would change; change nothing / 演练，不做更改
    #[arg(long)]
    pub dry_run: bool,
    /// Replace verdicts already recorded by a person (otherwise listed as conflicts) / 覆盖已有结论
    #[arg(long)]
    pub overwrite: bool,
    /// Apply nothing when any row has a problem / 有任何问题则不导入
    #[arg(long)]
    pub strict: bool,
    /// Read only this sheet (repeatable; default: every sheet that is a form) / 工作表
    #[arg(long = "sheet", value_name = "NAME")]
    pub sheets: Vec<String>,
    /// Name a column: id=H, verdict=结论, note=E, evidence=F, sha256=G (repeatable)
    #[arg(long = "column", value_name = "FIELD=COLUMN")]
    pub columns: Vec<ColumnSpec>,
    /// Who performs the import (recorded in the journal) / 操作人
    #[arg(long, env = "IOVAUDIT_USER")]
    pub by: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn say(lang: Lang, zh: &str, en: &str) -> String {
    lang.pick(zh, en).to_string()
}

fn fail(p: &Problem, lang: Lang) {
    let prefix = lang.pick("错误：", "error: ");
    eprintln!("{prefix}{}", p.render(lang));
}

fn print_json<T: serde::Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

fn t(text: &Text, lang: Lang) -> String {
    text.get(lang).to_string()
}

/// The question catalogue the imported pack is checked against: from
/// `--checklists DIR` (or IOVAUDIT_CHECKLISTS) when given, else the built-in one.
fn questions(dir: Option<PathBuf>) -> Result<Vec<SourceFile>, String> {
    let is_q = |s: &SourceFile| {
        s.text
            .lines()
            .any(|l| l.trim_start().starts_with("[[questions]]"))
    };
    let dir = dir.or_else(|| std::env::var_os("IOVAUDIT_CHECKLISTS").map(PathBuf::from));
    match dir {
        Some(d) => {
            let all = pack::read_sources(std::slice::from_ref(&d)).map_err(|e| e.zh())?;
            Ok(all.into_iter().filter(is_q).collect())
        }
        None => Ok(pack::builtin_sources().into_iter().filter(is_q).collect()),
    }
}

// ------------------------------------------------------------------ pack import-xlsx

pub fn pack_import(a: PackImportXlsx, checklists: Option<PathBuf>, lang: Lang) -> i32 {
    if !a.force && a.out.exists() {
        let p = Problem::error(
            excel::Location::file(&a.out.display().to_string()),
            iovaudit::t!(
                "文件已存在，未覆盖（如需覆盖请加 --force）",
                "the file exists and was not overwritten (add --force to replace it)"
            ),
        );
        fail(&p, lang);
        return 2;
    }
    let qs = match questions(checklists) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("{}{e}", lang.pick("错误：", "error: "));
            return 2;
        }
    };
    let mut wb = match Workbook::open(&a.file) {
        Ok(wb) => wb,
        Err(p) => {
            fail(&p, lang);
            return 2;
        }
    };
    if let Some(s) = &a.sheet {
        if wb.find_sheet(s).is_none() {
            fail(&wb.no_sheet(s), lang);
            return 2;
        }
    }
    let opts = PackImportOptions {
        sheet: a.sheet.clone(),
        columns: a.columns.clone(),
        id: a.id.clone(),
    };
    let imp = match excel::import_pack(&mut wb, &opts, &qs) {
        Ok(i) => i,
        Err(p) => {
            fail(&p, lang);
            return 1;
        }
    };
    let written = match (&imp.toml, imp.has_errors()) {
        (Some(text), false) => match excel::write_output(&a.out, text.as_bytes(), a.force) {
            Ok(()) => true,
            Err(p) => {
                fail(&p, lang);
                return 2;
            }
        },
        _ => false,
    };
    if a.json {
        let mut v = serde_json::to_value(&imp).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("toml");
            o.insert("ok".into(), serde_json::Value::Bool(written));
            o.insert(
                "out".into(),
                serde_json::Value::String(a.out.display().to_string()),
            );
        }
        print_json(&v);
    } else {
        print_pack_import(&imp, &a, written, lang);
    }
    if written {
        0
    } else {
        1
    }
}

fn print_pack_import(imp: &PackImport, a: &PackImportXlsx, written: bool, lang: Lang) {
    let (h0, h1) = imp.header_rows;
    let head = if h0 == 0 {
        say(lang, "无表头行", "no header row")
    } else if h0 == h1 {
        format!(
            "{}{h0}{}",
            lang.pick("表头第 ", "header row "),
            lang.pick(" 行", "")
        )
    } else {
        format!(
            "{}{h0}–{h1}{}",
            lang.pick("表头第 ", "header rows "),
            lang.pick(" 行", "")
        )
    };
    let cols = imp
        .columns
        .iter()
        .map(|(l, f, h)| {
            if h.is_empty() {
                format!("{l}={f}")
            } else {
                format!("{l}={f}({})", h.replace('\n', " "))
            }
        })
        .collect::<Vec<_>>()
        .join("  ");
    match lang {
        Lang::Zh => println!(
            "{}：工作表「{}」，{head}；识别的列：{cols}",
            imp.file, imp.sheet
        ),
        Lang::En => println!(
            "{}: sheet \"{}\", {head}; columns: {cols}",
            imp.file, imp.sheet
        ),
    }
    if !imp.skipped.is_empty() {
        println!(
            "{}",
            lang.pick(
                &format!("跳过 {} 行（不是检查项）：", imp.skipped.len()),
                &format!("{} row(s) skipped (not requirements):", imp.skipped.len())
            )
        );
        for s in &imp.skipped {
            let row = s.row;
            println!(
                "  {}{row}{}：{}",
                lang.pick("第 ", "row "),
                lang.pick(" 行", ""),
                t(&s.reason, lang)
            );
        }
    }
    if !imp.defaults.is_empty() {
        println!(
            "{}",
            lang.pick(
                "表格未给出、已填默认值（在文件中标为「默认 / default」）：",
                "not in the sheet, filled with defaults (marked \"default\" in the file):"
            )
        );
        for d in &imp.defaults {
            println!("  {}", t(d, lang));
        }
    }
    for p in &imp.problems {
        if p.severity == excel::Severity::Warning {
            println!("{}", p.render(lang));
        }
    }
    let errors: Vec<&Problem> = imp.errors().collect();
    for p in &errors {
        eprintln!("{}", p.render(lang));
    }
    let (n, s, id, out) = (
        imp.requirements,
        imp.sections,
        imp.pack_id.clone(),
        a.out.display().to_string(),
    );
    if written {
        println!(
            "{}",
            lang.pick(
                &format!("完成：检查单 {id}，{s} 个章节，{n} 项要求，已写入 {out}（已通过检查单校验）。"),
                &format!("Done: pack {id}, {s} section(s), {n} requirement(s), written to {out} (passes pack validation)."),
            )
        );
    } else {
        eprintln!(
            "{}",
            lang.pick(
                &format!("发现 {} 个问题，未写入 {out}。", errors.len()),
                &format!("{} problem(s) found; {out} was not written.", errors.len()),
            )
        );
    }
}

// ------------------------------------------------------------------ pack export-xlsx

/// The pack `id` of the library, or a message listing the packs there are.
fn pack_or_say<'a>(
    lib: &'a iovaudit::pack::Library,
    id: &str,
    lang: Lang,
) -> Option<&'a iovaudit::pack::Pack> {
    let p = lib.pack(id);
    if p.is_none() {
        let ids = lib
            .packs
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "{}",
            lang.pick(
                &format!("错误：没有编号为 `{id}` 的检查单（检查单：{ids}）"),
                &format!("error: no pack `{id}` (packs: {ids})"),
            )
        );
    }
    p
}

pub fn pack_export(a: PackExportXlsx, checklists: Option<PathBuf>, lang: Lang) -> i32 {
    super::with_library(checklists, lang, |lib| {
        let Some(p) = pack_or_say(lib, &a.id, lang) else {
            return 2;
        };
        let bytes = match excel::export_pack(p) {
            Ok(b) => b,
            Err(e) => {
                fail(&e, lang);
                return 2;
            }
        };
        if let Err(e) = excel::write_output(&a.out, &bytes, a.force) {
            fail(&e, lang);
            return 2;
        }
        let (id, n, out) = (
            p.id.clone(),
            p.requirement_count(),
            a.out.display().to_string(),
        );
        println!(
            "{}",
            lang.pick(
                &format!("已导出检查单 {id}（{n} 项要求）到 {out}。"),
                &format!("Exported pack {id} ({n} requirements) to {out}."),
            )
        );
        0
    })
}

// ------------------------------------------------------------------ assess import-xlsx

pub fn assess_import(a: AssessImportXlsx, ctx: &super::project::Ctx) -> i32 {
    let lang = ctx.lang;
    let lib = match ctx.library() {
        Ok(l) => l,
        Err(c) => return c,
    };
    let by =
        a.by.clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default();
    // A dry run only reads: a shared lock, so it works beside other readers.
    let opened = if a.dry_run {
        Project::open_read_only_with(&a.dir, lib)
    } else {
        Project::open_with(&a.dir, lib, false)
    };
    let mut project = match opened {
        Ok(p) => p,
        Err(e) => {
            let msg = match lang {
                Lang::Zh => format!("错误：{}", e.zh()),
                Lang::En => format!("error: {e}"),
            };
            eprintln!("{msg}");
            return 2;
        }
    };
    let mut wb = match Workbook::open(&a.file) {
        Ok(wb) => wb,
        Err(p) => {
            fail(&p, lang);
            return 2;
        }
    };
    for s in &a.sheets {
        if wb.find_sheet(s).is_none() {
            fail(&wb.no_sheet(s), lang);
            return 2;
        }
    }
    let opts = AnswerOptions {
        sheets: a.sheets.clone(),
        columns: a.columns.clone(),
        overwrite: a.overwrite,
    };
    let plan = match excel::plan_answers(&project, &mut wb, &opts) {
        Ok(p) => p,
        Err(p) => {
            fail(&p, lang);
            return 1;
        }
    };
    let errors = plan.errors().count();
    let blocked = a.strict && errors > 0;
    let nothing = plan.rows.is_empty() && plan.proposals.is_empty();
    let applied = if a.dry_run || blocked || nothing {
        None
    } else {
        match excel::apply_answers(&mut project, &by, &plan) {
            Ok(x) => Some(x),
            Err(e) => {
                let msg = match lang {
                    Lang::Zh => format!("错误：{}（未做任何更改）", e.zh()),
                    Lang::En => format!("error: {e} (nothing was changed)"),
                };
                eprintln!("{msg}");
                return 1;
            }
        }
    };
    if a.json {
        print_json(&serde_json::json!({
            "dry_run": a.dry_run,
            "strict": a.strict,
            "applied": applied,
            "plan": plan,
        }));
    } else {
        print_plan(&plan, a.dry_run, blocked, applied.as_ref(), lang);
    }
    if errors > 0 || plan.open_conflicts() > 0 {
        1
    } else {
        0
    }
}

fn verdict_word(v: iovaudit::assess::Verdict, lang: Lang) -> String {
    v.label().get(lang).to_string()
}

fn print_plan(
    plan: &AnswerPlan,
    dry_run: bool,
    blocked: bool,
    applied: Option<&excel::Applied>,
    lang: Lang,
) {
    let read = plan.sheets.join("、");
    let skipped = plan
        .sheets_skipped
        .iter()
        .map(|(n, w)| format!("{n}（{}）", w.get(lang)))
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "));
    match lang {
        Lang::Zh => {
            print!("{}：读取工作表 {read}", plan.file);
            if !skipped.is_empty() {
                print!("；未读取 {skipped}");
            }
            println!();
        }
        Lang::En => {
            print!("{}: read sheet(s) {read}", plan.file);
            if !skipped.is_empty() {
                print!("; not read: {skipped}");
            }
            println!();
        }
    }
    let changes: Vec<_> = plan.rows.iter().collect();
    if !changes.is_empty() {
        let head = if dry_run {
            say(lang, "将要更改", "would change")
        } else {
            say(lang, "更改", "changes")
        };
        println!("{head} ({}):", changes.len());
        for r in changes {
            let before = r
                .previous
                .as_ref()
                .map(|p| verdict_word(p.verdict, lang))
                .unwrap_or_else(|| say(lang, "未评估", "not assessed"));
            let mut line = if r.set_verdict {
                format!(
                    "  {:<14} {before} → {}",
                    r.requirement,
                    verdict_word(r.verdict, lang)
                )
            } else {
                format!(
                    "  {:<14} {}",
                    r.requirement,
                    say(lang, "（结论不变）", "(verdict unchanged)")
                )
            };
            if r.overwrites {
                line.push_str(lang.pick("（覆盖）", " (overwrite)"));
            }
            if !r.link.is_empty() {
                let ids = r
                    .link
                    .iter()
                    .map(|i| format!("#{i}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                line.push_str(&format!(
                    "  {} {ids}",
                    lang.pick("关联证据", "link evidence")
                ));
            }
            line.push_str(&format!("  [{}]", r.at.render()));
            println!("{line}");
        }
    }
    if !plan.conflicts.is_empty() {
        if plan.overwrite {
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "覆盖已记录的结论 {} 项（--overwrite）：",
                        plan.conflicts.len()
                    ),
                    &format!(
                        "{} recorded verdict(s) overwritten (--overwrite):",
                        plan.conflicts.len()
                    ),
                )
            );
        } else {
            println!(
                "{}",
                lang.pick(
                    &format!("与已记录的结论冲突 {} 项（未导入；加 --overwrite 覆盖）：", plan.conflicts.len()),
                    &format!("{} conflict(s) with recorded verdicts (not imported; add --overwrite to replace):", plan.conflicts.len()),
                )
            );
        }
        for c in &plan.conflicts {
            let rec = &c.recorded;
            println!(
                "  {:<14} {}: {}（{}, {}）  {}: {}{}  [{}]",
                c.requirement,
                lang.pick("已记录", "recorded"),
                verdict_word(rec.verdict, lang),
                rec.assessor,
                rec.at,
                lang.pick("表格", "sheet"),
                verdict_word(c.verdict, lang),
                if c.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", c.note.replace('\n', " "))
                },
                c.at.render()
            );
        }
    }
    if !plan.proposals.is_empty() {
        println!(
            "{}",
            lang.pick(
                &format!("由映射推断的结论 {} 项（待确认）：", plan.proposals.len()),
                &format!(
                    "{} verdict(s) inferred from mappings (to be confirmed):",
                    plan.proposals.len()
                ),
            )
        );
        for p in &plan.proposals {
            println!(
                "  {:<14} {}  ← {} ({})",
                p.requirement,
                verdict_word(p.verdict, lang),
                p.from,
                p.relation.label().get(lang)
            );
        }
    }
    let (u, e) = (plan.unchanged.len(), plan.empty);
    println!(
        "{}",
        lang.pick(
            &format!("与已记录一致 {u} 项；结论为空（跳过）{e} 项。"),
            &format!(
                "{u} row(s) match what is recorded; {e} row(s) with an empty verdict skipped."
            ),
        )
    );
    for p in &plan.problems {
        if p.severity == excel::Severity::Warning {
            println!("{}", p.render(lang));
        } else {
            eprintln!("{}", p.render(lang));
        }
    }
    let errors = plan.errors().count();
    if errors > 0 {
        eprintln!(
            "{}",
            lang.pick(
                &format!("{errors} 行有问题，未导入（见上）。"),
                &format!("{errors} row problem(s); those rows were not imported (see above)."),
            )
        );
    }
    if dry_run {
        println!(
            "{}",
            lang.pick(
                "演练（--dry-run）：项目未做任何更改。",
                "Dry run: the project was not changed."
            )
        );
    } else if blocked {
        println!(
            "{}",
            lang.pick(
                "--strict：存在问题，未导入任何内容。",
                "--strict: there are problems; nothing was imported."
            )
        );
    } else if let Some(x) = applied {
        let (v, l, p) = (x.verdicts, x.links, x.proposals);
        println!(
            "{}",
            lang.pick(
                &format!("已导入：{v} 条结论，{l} 个证据关联，{p} 条推断结论（操作日志：assess.import_xlsx）。"),
                &format!("Imported: {v} verdict(s), {l} evidence link(s), {p} inferred verdict(s) (journal: assess.import_xlsx)."),
            )
        );
    } else {
        println!(
            "{}",
            lang.pick("没有需要导入的更改。", "Nothing to import.")
        );
    }
}

// ------------------------------------------------------------------ OSCAL and CISO Assistant

#[derive(Args)]
pub struct PackExportOscal {
    /// Pack id (e.g. N134) / 检查单标识
    pub id: String,
    /// The catalog to write (JSON); an existing file is kept unless --force / 输出文件
    #[arg(long, value_name = "catalog.json")]
    pub out: PathBuf,
    /// metadata.last-modified (RFC 3339; default: the pack's effective or issue date)
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// Replace the output file if it exists / 覆盖已有文件
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct PackImportOscal {
    /// An OSCAL catalog or resolved profile (JSON) / OSCAL 目录
    pub file: PathBuf,
    /// Where to write the pack; an existing file is kept unless --force / 输出的检查单文件
    #[arg(long, value_name = "PACK.toml")]
    pub out: PathBuf,
    /// The pack id (default: the one iovaudit recorded, else from the title) / 检查单标识
    #[arg(long)]
    pub id: Option<String>,
    /// Replace the output file if it exists / 覆盖已有文件
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PackImportCiso {
    /// A CISO Assistant framework library (.yaml, or .xlsx with library_meta / <name>_meta / <name>_content) / CISO Assistant 框架库
    pub file: PathBuf,
    /// Where to write the pack; an existing file is kept unless --force / 输出的检查单文件
    #[arg(long, value_name = "PACK.toml")]
    pub out: PathBuf,
    /// The pack id (default: from the library's ref_id) / 检查单标识
    #[arg(long)]
    pub id: Option<String>,
    /// Replace the output file if it exists / 覆盖已有文件
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

fn fail_text(t: &Text, lang: Lang) {
    eprintln!("{}{}", lang.pick("错误：", "error: "), t.get(lang));
}

fn exists_refused(out: &std::path::Path, force: bool, lang: Lang) -> bool {
    if !force && (out.exists() || out.symlink_metadata().is_ok()) {
        let p = Problem::error(
            excel::Location::file(&out.display().to_string()),
            iovaudit::t!(
                "文件已存在，未覆盖（如需覆盖请加 --force）",
                "the file exists and was not overwritten (add --force to replace it)"
            ),
        );
        fail(&p, lang);
        return true;
    }
    false
}

pub fn pack_export_oscal(a: PackExportOscal, checklists: Option<PathBuf>, lang: Lang) -> i32 {
    super::with_library(checklists, lang, |lib| {
        let Some(p) = pack_or_say(lib, &a.id, lang) else {
            return 2;
        };
        if let Some(t) = &a.time {
            if chrono::DateTime::parse_from_rfc3339(t.trim()).is_err() {
                eprintln!(
                    "{}",
                    lang.pick(
                        &format!("错误：--time 应为 RFC 3339 时间，如 2026-11-22T10:00:00Z（而不是 `{t}`）"),
                        &format!("error: --time must be RFC 3339, such as 2026-11-22T10:00:00Z (not `{t}`)"),
                    )
                );
                return 2;
            }
        }
        let v = iovaudit::oscal::export_catalog(p, a.time.as_deref());
        let bytes = match serde_json::to_vec_pretty(&v) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}{e}", lang.pick("错误：", "error: "));
                return 2;
            }
        };
        if let Err(e) = excel::write_output(&a.out, &bytes, a.force) {
            fail(&e, lang);
            return 2;
        }
        let (id, n, out) = (
            p.id.clone(),
            p.requirement_count(),
            a.out.display().to_string(),
        );
        println!(
            "{}",
            lang.pick(
                &format!("已导出检查单 {id}（{n} 项要求）为 OSCAL 1.1.2 目录 {out}。"),
                &format!("Exported pack {id} ({n} requirements) as the OSCAL 1.1.2 catalog {out}."),
            )
        );
        0
    })
}

/// What an import printed: defaults, skipped entries, problems, and the result line.
struct ImportReport<'a> {
    file: String,
    pack_id: &'a str,
    sections: usize,
    requirements: usize,
    skipped: Vec<(String, Text)>,
    defaults: &'a [Text],
    problems: &'a [Text],
    toml: Option<&'a String>,
}

fn finish_import(
    r: ImportReport<'_>,
    out: &std::path::Path,
    force: bool,
    json: Option<serde_json::Value>,
    lang: Lang,
) -> i32 {
    let written = match r.toml {
        Some(text) => match excel::write_output(out, text.as_bytes(), force) {
            Ok(()) => true,
            Err(p) => {
                fail(&p, lang);
                return 2;
            }
        },
        None => false,
    };
    if let Some(mut v) = json {
        if let Some(o) = v.as_object_mut() {
            o.remove("toml");
            o.insert("ok".into(), serde_json::Value::Bool(written));
            o.insert(
                "out".into(),
                serde_json::Value::String(out.display().to_string()),
            );
        }
        print_json(&serde_json::json!({ "schema": 1, "import": v }));
        return if written { 0 } else { 1 };
    }
    if !r.skipped.is_empty() {
        println!(
            "{}",
            lang.pick(
                &format!("未导入 {} 项：", r.skipped.len()),
                &format!("{} entr(ies) not imported:", r.skipped.len())
            )
        );
        for (at, why) in &r.skipped {
            println!("  {at}: {}", t(why, lang));
        }
    }
    if !r.defaults.is_empty() {
        println!(
            "{}",
            lang.pick(
                "来源未给出、已填默认值（在文件中标为「默认 / default」）：",
                "not in the source, filled with defaults (marked \"default\" in the file):"
            )
        );
        for d in r.defaults {
            println!("  {}", t(d, lang));
        }
    }
    for p in r.problems {
        eprintln!("{}", t(p, lang));
    }
    let (id, s, n, o, f) = (
        r.pack_id,
        r.sections,
        r.requirements,
        out.display().to_string(),
        r.file,
    );
    if written {
        println!(
            "{}",
            lang.pick(
                &format!("完成：{f} → 检查单 {id}，{s} 个章节，{n} 项要求，已写入 {o}（已通过检查单校验）。"),
                &format!("Done: {f} → pack {id}, {s} section(s), {n} requirement(s), written to {o} (passes pack validation)."),
            )
        );
        0
    } else {
        eprintln!(
            "{}",
            lang.pick(
                &format!("发现 {} 个问题，未写入 {o}。", r.problems.len()),
                &format!(
                    "{} problem(s) found; {o} was not written.",
                    r.problems.len()
                ),
            )
        );
        1
    }
}

pub fn pack_import_oscal(a: PackImportOscal, checklists: Option<PathBuf>, lang: Lang) -> i32 {
    if exists_refused(&a.out, a.force, lang) {
        return 2;
    }
    let qs = match questions(checklists) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("{}{e}", lang.pick("错误：", "error: "));
            return 2;
        }
    };
    let shown = a.file.display().to_string();
    let bytes = match std::fs::metadata(&a.file).and_then(|m| {
        if m.len() > iovaudit::oscal::MAX_INPUT_BYTES as u64 {
            Err(std::io::Error::other(format!(
                "{} bytes > {}",
                m.len(),
                iovaudit::oscal::MAX_INPUT_BYTES
            )))
        } else {
            std::fs::read(&a.file)
        }
    }) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "{}",
                lang.pick(
                    &format!("错误：无法读取 {shown}：{e}"),
                    &format!("error: cannot read {shown}: {e}")
                )
            );
            return 2;
        }
    };
    let opts = iovaudit::oscal::CatalogImportOptions { id: a.id.clone() };
    let imp = match iovaudit::oscal::import_catalog(&shown, &bytes, &opts, &qs) {
        Ok(i) => i,
        Err(e) => {
            fail_text(&e, lang);
            return 1;
        }
    };
    let json = a
        .json
        .then(|| serde_json::to_value(&imp).unwrap_or_default());
    finish_import(
        ImportReport {
            file: shown,
            pack_id: &imp.pack_id,
            sections: imp.sections,
            requirements: imp.requirements,
            skipped: imp.skipped.clone(),
            defaults: &imp.defaults,
            problems: &imp.problems,
            toml: imp.toml.as_ref(),
        },
        &a.out,
        a.force,
        json,
        lang,
    )
}

pub fn pack_import_ciso(a: PackImportCiso, checklists: Option<PathBuf>, lang: Lang) -> i32 {
    if exists_refused(&a.out, a.force, lang) {
        return 2;
    }
    let qs = match questions(checklists) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("{}{e}", lang.pick("错误：", "error: "));
            return 2;
        }
    };
    let opts = pack::ciso::CisoImportOptions { id: a.id.clone() };
    let imp = match pack::ciso::import_ciso(&a.file, &opts, &qs) {
        Ok(i) => i,
        Err(e) => {
            fail_text(&e, lang);
            return 1;
        }
    };
    let json = a
        .json
        .then(|| serde_json::to_value(&imp).unwrap_or_default());
    finish_import(
        ImportReport {
            file: imp.file.clone(),
            pack_id: &imp.pack_id,
            sections: imp.sections,
            requirements: imp.requirements,
            skipped: Vec::new(),
            defaults: &imp.defaults,
            problems: &imp.problems,
            toml: imp.toml.as_ref(),
        },
        &a.out,
        a.force,
        json,
        lang,
    )
}
