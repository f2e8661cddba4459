//! `iovaudit evidence import-scan DIR FILE --kind …`: test-tool output as
//! evidence (the rules live in `iovaudit::scan` and
//! `iovaudit::assess::proposals`; this file parses and prints), and the
//! printer of a stored scan summary for `evidence show`.

use super::project::{json_out, open, Ctx};
use clap::Args;
use iovaudit::assess::proposals::ScanProposal;
use iovaudit::i18n::{Lang, Text};
use iovaudit::scan::{self, ImportOptions, Kind, StoredSummary, Summary};
use serde_json::json;
use std::path::PathBuf;

/// Rows of vulnerabilities or ports printed before "… N more".
const ROWS: usize = 40;

#[derive(Args)]
pub struct ImportScanArgs {
    /// Project folder / 项目目录
    dir: PathBuf,
    /// The tool output file / 工具输出文件
    file: PathBuf,
    /// cyclonedx | spdx | trivy | grype | nmap | ports | auto
    #[arg(long, default_value = "auto")]
    kind: String,
    /// Link to this requirement (repeatable); limits the proposals to it / 关联要求
    #[arg(long = "requirement")]
    requirements: Vec<String>,
    /// The scan day, YYYY-MM-DD (default: the day in the file, else today) / 扫描日期
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    title: Option<String>,
    #[arg(long, default_value = "")]
    note: String,
    #[arg(long)]
    json: bool,
    /// Who performs the action (recorded in the journal) / 操作人
    #[arg(long, env = "IOVAUDIT_USER")]
    by: Option<String>,
}

fn t<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}

fn err(ctx: &Ctx, e: &Text) -> i32 {
    eprintln!(
        "{}",
        t(
            ctx.lang,
            &format!("错误：{}", e.zh),
            &format!("error: {}", e.en)
        )
    );
    2
}

pub fn import_scan(ctx: &Ctx, a: ImportScanArgs) -> i32 {
    let kind = match Kind::parse(&a.kind) {
        Ok(k) => k,
        Err(e) => return err(ctx, &e),
    };
    let mut p = match open(ctx, &a.dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let by =
        a.by.clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default();
    let opts = ImportOptions {
        kind,
        requirements: a.requirements,
        date: a.date,
        title: a.title,
        note: a.note,
    };
    let out = match scan::import(&mut p, &by, &a.file, &opts) {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    if a.json {
        // Written straight from the struct: a large summary is not copied
        // into a `serde_json::Value` first.
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            schema: u8,
            import: &'a scan::ImportOutcome,
        }
        let doc = Doc {
            schema: 1,
            import: &out,
        };
        match serde_json::to_string_pretty(&doc) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: {e}"),
        }
        return 0;
    }
    let lang = ctx.lang;
    let dedup = if out.deduplicated {
        t(
            lang,
            "（内容已存在，未重复存储）",
            " (same content already stored)",
        )
    } else {
        ""
    };
    println!(
        "#{}  {}  {} B  SHA-256 {}{dedup}",
        out.evidence_id, out.file, out.size, out.sha256
    );
    if !out.requirements.is_empty() {
        println!(
            "{}{}",
            t(lang, "关联：", "linked: "),
            out.requirements.join(", ")
        );
    }
    print_summary(lang, &out.summary);
    let from = match out.scan_date_from {
        "option" => t(lang, "--date", "--date"),
        "file" => t(lang, "取自文件", "from the file"),
        _ => t(lang, "今天", "today"),
    };
    println!(
        "{}{} ({from})",
        t(lang, "比对基准日：", "scan day for the age rule: "),
        out.scan_date
    );
    print_proposals(lang, &out.proposals);
    0
}

fn print_proposals(lang: Lang, props: &[ScanProposal]) {
    if props.is_empty() {
        println!(
            "{}",
            t(
                lang,
                "没有可据此推断的结论。",
                "no verdict follows from this file."
            )
        );
        return;
    }
    println!(
        "{}",
        t(
            lang,
            "建议结论（推断，须由评估人确认后才计分：assess confirm）：",
            "Proposed verdicts (inferred; they count only once a person confirms them: assess confirm):"
        )
    );
    for p in props {
        let v = p
            .verdict
            .map(|v| v.label().get(lang).to_string())
            .unwrap_or_else(|| t(lang, "（不提出）", "(none)").to_string());
        let state = if p.stored {
            t(
                lang,
                "已记录为推断结论，待确认",
                "stored as inferred, unconfirmed",
            )
        } else {
            t(lang, "未记录", "not stored")
        };
        println!(
            "  {:<18} {}  [{state}]  {}{}",
            p.requirement,
            v,
            t(lang, "依据 ", "from "),
            iovaudit::assess::proposals::source_label(&p.source).get(lang)
        );
        if !p.note.zh.is_empty() {
            println!("      {}", p.note.get(lang));
        }
        if let Some(why) = &p.skipped {
            println!("      {}", why.get(lang));
        }
    }
}

/// Prints a summary (shared by import-scan and `evidence show`).
pub fn print_summary(lang: Lang, s: &Summary) {
    let mut head = vec![s.kind.label().get(lang).to_string()];
    if let Some(v) = &s.format_version {
        head.push(format!("{} {v}", t(lang, "格式版本", "format")));
    }
    if let Some(tool) = &s.tool {
        head.push(tool.clone());
    }
    if let Some(at) = &s.scanned_at {
        head.push(format!("{}{at}", t(lang, "生成于 ", "made ")));
    }
    println!("{}", head.join(" · "));
    if let Some(target) = &s.target {
        println!("{}{target}", t(lang, "对象：", "target: "));
    }
    if matches!(s.kind, Kind::Cyclonedx | Kind::Spdx) || !s.components.is_empty() {
        let with_purl = s.components.iter().filter(|c| c.purl.is_some()).count();
        println!(
            "{}",
            t(
                lang,
                &format!("组件：{} 个（{with_purl} 个带 purl）", s.components.len()),
                &format!(
                    "components: {} ({with_purl} with a purl)",
                    s.components.len()
                )
            )
        );
    }
    if s.vulnerability_scan {
        let counts: Vec<String> = s
            .severity_counts()
            .iter()
            .map(|(sev, open, handled)| {
                if *handled > 0 {
                    format!(
                        "{} {open}{}",
                        sev.as_str(),
                        t(
                            lang,
                            &format!("（另 {handled} 个已处置）"),
                            &format!(" (+{handled} handled)")
                        )
                    )
                } else {
                    format!("{} {open}", sev.as_str())
                }
            })
            .collect();
        println!(
            "{}{}{}",
            t(lang, "漏洞：", "vulnerabilities: "),
            s.vulnerabilities.len(),
            if counts.is_empty() {
                String::new()
            } else {
                format!(" — {}", counts.join(", "))
            }
        );
        let mut vs: Vec<&scan::Vulnerability> = s.vulnerabilities.iter().collect();
        vs.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.id.cmp(&b.id)));
        if !vs.is_empty() {
            println!(
                "  {:<20} {:<10} {:<28} {:<14} {:<14} {:<11} {:<5} {}",
                "ID",
                t(lang, "等级", "severity"),
                t(lang, "组件", "package"),
                t(lang, "版本", "installed"),
                t(lang, "修复版本", "fixed in"),
                t(lang, "发布日期", "published"),
                "CVSS",
                t(lang, "处置", "handled")
            );
        }
        for v in vs.iter().take(ROWS) {
            println!(
                "  {:<20} {:<10} {:<28} {:<14} {:<14} {:<11} {:<5} {}",
                v.id,
                v.severity.as_str(),
                v.package,
                v.installed_version.as_deref().unwrap_or("—"),
                v.fixed_version.as_deref().unwrap_or("—"),
                v.published_date()
                    .map_or_else(|| "—".to_string(), |d| d.to_string()),
                v.cvss.map_or_else(|| "—".to_string(), |c| c.to_string()),
                if v.handled {
                    v.handled_by.clone().unwrap_or_else(|| "✓".into())
                } else {
                    String::new()
                }
            );
        }
        if vs.len() > ROWS {
            let more = vs.len() - ROWS;
            println!(
                "  {}",
                t(
                    lang,
                    &format!("……另有 {more} 个（--json 查看全部）"),
                    &format!("… {more} more (--json shows all)")
                )
            );
        }
    }
    if s.kind == Kind::Nmap {
        let open = s.open_ports();
        println!(
            "{}",
            t(
                lang,
                &format!("主机：{} 个，开放端口：{} 个", s.hosts.len(), open.len()),
                &format!("hosts: {}, open ports: {}", s.hosts.len(), open.len())
            )
        );
        for (h, p) in open.iter().take(ROWS) {
            let svc: Vec<&str> = [
                p.service.as_deref(),
                p.product.as_deref(),
                p.version.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            println!(
                "  {:<16} {:>5}/{:<4} {}",
                h.address,
                p.port,
                p.protocol,
                svc.join(" ")
            );
        }
        if open.len() > ROWS {
            println!("  … {}", open.len() - ROWS);
        }
    }
    if s.kind == Kind::Ports {
        println!(
            "{}",
            t(
                lang,
                &format!("声明的业务端口：{} 行", s.declared_ports.len()),
                &format!(
                    "declared business ports: {} line(s)",
                    s.declared_ports.len()
                )
            )
        );
        for d in s.declared_ports.iter().take(ROWS) {
            let port = match d.port_to {
                Some(to) => format!("{}-{to}", d.port),
                None => d.port.to_string(),
            };
            println!("  {:>11}/{:<4} {}", port, d.protocol, d.purpose);
        }
        if s.declared_ports.len() > ROWS {
            println!("  … {}", s.declared_ports.len() - ROWS);
        }
    }
}

/// Prints a stored summary, or nothing when there is none (text mode).
pub fn print_stored(lang: Lang, s: Option<&StoredSummary>, json: bool) {
    if json {
        json_out(&json!({"schema": 1, "scan_summary": s}));
        return;
    }
    if let Some(s) = s {
        println!(
            "{}",
            t(
                lang,
                &format!("扫描摘要（第 {} 版，解析于 {}）：", s.revision, s.made_at),
                &format!(
                    "scan summary (revision {}, parsed {}):",
                    s.revision, s.made_at
                )
            )
        );
        print_summary(lang, &s.summary);
    }
}
