//! The project commands of the CLI: project, scope, evidence, assess,
//! finding, score, review, journal, status and demo. Each parses its
//! arguments, calls the core, and prints (zh by default, `--lang en`, or JSON).

use clap::{Args, Subcommand};
use iovaudit::assess::{self, Applicability, FindingInput, FindingStatus, Severity, Verdict};
use iovaudit::evidence::{self, AddOptions};
use iovaudit::i18n::{Lang, Text};
use iovaudit::project::{Kind, NewProject, Project, ProjectError};
use iovaudit::{journal, score};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Who is acting: --by, else IOVAUDIT_USER, else the login name.
#[derive(Args, Clone)]
pub struct By {
    /// Who performs the action (recorded in the journal) / 操作人
    #[arg(long, env = "IOVAUDIT_USER")]
    by: Option<String>,
}

impl By {
    pub(crate) fn name(&self) -> String {
        self.by
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default()
    }
}

#[derive(Subcommand)]
pub enum ProjectCmd {
    /// Create a project folder / 创建评估项目
    Init {
        dir: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        assessee: String,
        /// third-party | self-check
        #[arg(long, default_value = "third-party")]
        kind: String,
        /// Pack ids, comma-separated (e.g. N134,N103,SH26)
        #[arg(long, value_delimiter = ',', required = true)]
        packs: Vec<String>,
        /// Assessing organisation / 评估机构
        #[arg(long, default_value = "")]
        org: String,
        #[command(flatten)]
        by: By,
    },
    /// Start the next cycle from this project / 以本项目开始下一评估周期
    ///
    /// Scope answers, packs (moved to the library's newest content), assignments
    /// and open findings are carried; verdicts are reset, last cycle's kept as reference.
    Clone {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Carry the evidence records and files / 包含证据
        #[arg(long)]
        with_evidence: bool,
        #[command(flatten)]
        by: By,
    },
    /// Move the project to the library's content of a pack / 将项目的检查单升级为当前检查单库中的版本
    ///
    /// Shows what changed (added, removed, changed, replaced requirements) and, unless
    /// --dry-run, applies it in one journalled step: verdicts on changed or replacing
    /// requirements are kept but must be judged again; removed ones stay as history.
    UpgradePack {
        dir: PathBuf,
        /// Pack id, e.g. GB44495
        pack: String,
        /// Only show the difference; change nothing / 仅显示差异
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        by: By,
    },
    /// Show, set or import the project information (report number, parties, team, tools, objects…) / 项目信息
    ///
    /// `project info DIR` shows it; `project info DIR set PATH VALUE` sets one field
    /// (e.g. assessee.credit_code, schedule.start, time_zone, team — lists take JSON);
    /// `project info DIR import FILE.toml|FILE.json` replaces all of it from a file.
    Info {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<InfoAction>,
    },
}

#[derive(Subcommand)]
pub enum InfoAction {
    /// Set one field by its dotted path / 设置一项
    Set {
        /// e.g. assessee.name, assessee.credit_code, schedule.start, objects.platforms, require_evidence
        path: String,
        value: String,
        #[command(flatten)]
        by: By,
    },
    /// Replace the whole information from a TOML or JSON file / 从文件导入
    Import {
        file: PathBuf,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Subcommand)]
pub enum ScopeCmd {
    /// Answer scoping questions: KEY=VALUE… / 回答适用性问题
    Set {
        dir: PathBuf,
        #[arg(required = true)]
        answers: Vec<String>,
        /// On what evidence or interview the answers rest / 回答依据
        #[arg(long)]
        basis: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// Show the answers and the open questions / 显示适用范围
    Show {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum EvidenceCmd {
    /// Add files or folders to the vault / 添加证据
    Add {
        dir: PathBuf,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Link to this requirement (repeatable)
        #[arg(long = "requirement")]
        requirements: Vec<String>,
        /// examine | interview | test
        #[arg(long, default_value = "examine")]
        method: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// The document's own version, e.g. V2.1 / 文档版本
        #[arg(long, default_value = "")]
        doc_version: String,
        /// Who issued the document / 出具方
        #[arg(long, default_value = "")]
        issuer: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        by: By,
    },
    /// Change an item's title, note, document version or issuer / 修改证据信息
    Set {
        dir: PathBuf,
        evidence: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// The document's own version / 文档版本
        #[arg(long)]
        doc_version: Option<String>,
        /// Who issued the document / 出具方
        #[arg(long)]
        issuer: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// One item: details, revisions' hashes, signature status of a signed PDF, parsed tool output / 查看证据
    Show {
        dir: PathBuf,
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// List evidence / 列出证据
    List {
        dir: PathBuf,
        #[arg(long)]
        requirement: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Re-hash the whole vault against the records / 校验证据库
    Verify {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Link evidence to a requirement / 关联证据与要求
    Link {
        dir: PathBuf,
        evidence: i64,
        requirement: String,
        #[command(flatten)]
        by: By,
    },
    /// Remove a link / 取消关联
    Unlink {
        dir: PathBuf,
        evidence: i64,
        requirement: String,
        #[command(flatten)]
        by: By,
    },
    /// Import test-tool output (CycloneDX/SPDX SBOM, Trivy/Grype report, nmap XML, business-port CSV) as evidence with its parsed summary and proposed verdicts / 导入检测工具输出
    ImportScan(super::scan::ImportScanArgs),
    /// Replace an item's file with a new revision (the old one is kept) / 替换为新版本
    Replace {
        dir: PathBuf,
        evidence: i64,
        path: PathBuf,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Subcommand)]
pub enum AssessCmd {
    /// Record a verdict: 符合|部分符合|不符合|不适用|未评估 (or conform|partial|nonconform|na|unassessed) / 判定
    Set {
        dir: PathBuf,
        requirement: String,
        verdict: String,
        /// Justification (required for partial, nonconform, na) / 判定理由
        #[arg(long, default_value = "")]
        note: String,
        /// What was found / 现状描述
        #[arg(long)]
        observation: Option<String>,
        /// Why no evidence is linked (needed before approval when the project requires evidence) / 无证据的理由
        #[arg(long)]
        evidence_reason: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// Confirm an inferred verdict / 确认推断结论
    Confirm {
        dir: PathBuf,
        requirement: String,
        #[command(flatten)]
        by: By,
    },
    /// List requirements with their verdicts / 列出判定
    List {
        dir: PathBuf,
        #[arg(long)]
        pack: Option<String>,
        /// unassessed | nonconform | inferred | rejudge | to-confirm | na
        #[arg(long)]
        filter: Option<String>,
        /// Only the requirements assigned to NAME / 仅列出分配给此人的要求
        #[arg(long, alias = "assignee", value_name = "NAME")]
        mine: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// The analysis of a finding (the risk analysis and problem list of the
/// report): the same flags on `finding add` and `finding update`.
#[derive(Args)]
pub struct FindingAnalysis {
    /// Problem description / 问题描述
    #[arg(long)]
    description: Option<String>,
    /// Threat / 威胁
    #[arg(long)]
    threat: Option<String>,
    /// Impact: high | medium | low / 影响程度
    #[arg(long)]
    impact: Option<String>,
    /// Likelihood: high | medium | low / 发生可能性
    #[arg(long)]
    likelihood: Option<String>,
    /// Recommendation / 整改建议
    #[arg(long)]
    recommendation: Option<String>,
    /// Suggested time limit, e.g. 30日内 / 建议整改期限
    #[arg(long)]
    time_limit: Option<String>,
}

/// A finding's analysis as the core takes it, after checking the levels.
struct Analysis {
    description: Option<String>,
    threat: Option<String>,
    impact: Option<Option<Severity>>,
    likelihood: Option<Option<Severity>>,
    recommendation: Option<String>,
    time_limit: Option<String>,
}

impl FindingAnalysis {
    fn check(self, ctx: &Ctx) -> Result<Analysis, i32> {
        Ok(Analysis {
            impact: level_arg(ctx, "--impact", self.impact)?,
            likelihood: level_arg(ctx, "--likelihood", self.likelihood)?,
            description: self.description,
            threat: self.threat,
            recommendation: self.recommendation,
            time_limit: self.time_limit,
        })
    }
}

#[derive(Subcommand)]
pub enum FindingCmd {
    /// Add a finding / 新增整改项
    Add {
        dir: PathBuf,
        #[arg(long)]
        requirement: String,
        #[arg(long)]
        title: String,
        /// high | medium | low
        #[arg(long, default_value = "medium")]
        severity: String,
        #[arg(long)]
        owner: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        analysis: FindingAnalysis,
        #[command(flatten)]
        by: By,
    },
    /// List findings / 列出整改项
    List {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Update a finding / 更新整改项
    Update {
        dir: PathBuf,
        id: i64,
        /// open | fixed | verified
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        severity: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        analysis: FindingAnalysis,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Subcommand)]
pub enum ReviewCmd {
    /// draft → in review / 提交审核
    Submit {
        dir: PathBuf,
        #[command(flatten)]
        by: By,
    },
    /// in review → approved (locks the project) / 批准
    Approve {
        dir: PathBuf,
        #[command(flatten)]
        by: By,
    },
    /// back to draft, as a new revision / 重新打开
    Reopen {
        dir: PathBuf,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Subcommand)]
pub enum JournalCmd {
    /// Check the hash chain / 校验操作日志
    Verify {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Print the journal / 显示操作日志
    List {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub struct Ctx {
    pub lang: Lang,
    /// `--checklists DIR` / IOVAUDIT_CHECKLISTS: the library to use instead of the built-in one.
    pub checklists: Option<PathBuf>,
}

impl Ctx {
    /// The running program's checklist library: `--checklists DIR` (or
    /// IOVAUDIT_CHECKLISTS) when given, else the built-in one. Problems are
    /// printed and give exit code 1 (2 when the directory cannot be read).
    pub fn library(&self) -> Result<iovaudit::pack::Library, i32> {
        use iovaudit::pack;
        let loaded = match &self.checklists {
            None => pack::builtin(),
            Some(d) => match pack::read_sources(std::slice::from_ref(d)) {
                Ok(src) => pack::load(&src),
                Err(e) => {
                    eprintln!(
                        "{}",
                        self.t(&format!("错误：{}", e.zh()), &format!("error: {e}"))
                    );
                    return Err(2);
                }
            },
        };
        loaded.map_err(|diags| {
            for d in &diags {
                eprintln!("{}", d.render(self.lang));
            }
            let n = diags.len();
            eprintln!(
                "{}",
                self.t(
                    &format!("错误：检查单库有 {n} 个问题，无法使用"),
                    &format!("error: the checklist library has {n} problem(s) and cannot be used"),
                )
            );
            1
        })
    }

    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }
    fn text<'a>(&self, t: &'a Text) -> &'a str {
        t.get(self.lang)
    }
    pub(crate) fn fail(&self, e: &ProjectError) -> i32 {
        let msg = match self.lang {
            Lang::Zh => format!("错误：{}", e.zh()),
            Lang::En => format!("error: {e}"),
        };
        eprintln!("{msg}");
        match e {
            ProjectError::Locked { .. }
            | ProjectError::NotAProject { .. }
            | ProjectError::Io { .. }
            | ProjectError::Exists { .. }
            | ProjectError::NewerSchema { .. } => 2,
            _ => 1,
        }
    }
}

pub(crate) fn json_out(v: &serde_json::Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

pub(crate) fn open(ctx: &Ctx, dir: &Path) -> Result<Project, i32> {
    let lib = ctx.library()?;
    Project::open_with(dir, lib, false).map_err(|e| ctx.fail(&e))
}

/// For commands that only read: a shared lock, so several can run at once.
pub(crate) fn open_ro(ctx: &Ctx, dir: &Path) -> Result<Project, i32> {
    let lib = ctx.library()?;
    Project::open_read_only_with(dir, lib).map_err(|e| ctx.fail(&e))
}

pub fn project(ctx: &Ctx, cmd: ProjectCmd) -> i32 {
    match cmd {
        ProjectCmd::Clone {
            dir,
            out,
            with_evidence,
            by,
        } => super::bundle::clone_cmd(ctx, &dir, &out, with_evidence, &by.name()),
        ProjectCmd::UpgradePack {
            dir,
            pack,
            dry_run,
            json,
            by,
        } => upgrade_pack(ctx, &dir, &pack, dry_run, json, &by.name()),
        ProjectCmd::Info { dir, json, action } => info_cmd(ctx, &dir, json, action),
        ProjectCmd::Init {
            dir,
            name,
            assessee,
            kind,
            packs,
            org,
            by,
        } => {
            let Some(kind) = Kind::parse(&kind) else {
                eprintln!(
                    "{}",
                    ctx.t(
                        "错误：--kind 应为 third-party 或 self-check",
                        "error: --kind must be third-party or self-check"
                    )
                );
                return 2;
            };
            let lib = match ctx.library() {
                Ok(l) => l,
                Err(code) => return code,
            };
            let new = NewProject {
                name,
                assessee,
                kind,
                organisation: org,
                packs,
                by: by.name(),
            };
            match Project::init(&dir, &new, lib) {
                Ok(p) => {
                    let n: usize = p
                        .packs()
                        .map(|ps| ps.iter().map(|x| x.requirement_count()).sum())
                        .unwrap_or(0);
                    println!(
                        "{}",
                        ctx.t(
                            &format!("已创建项目 {}（{} 项要求）", dir.display(), n),
                            &format!("created project {} ({n} requirements)", dir.display())
                        )
                    );
                    println!("{}", ctx.t("下一步：iovaudit scope set DIR enterprise_type=OEM region=SH …（iovaudit pack questions 查看问题）", "next: iovaudit scope set DIR enterprise_type=OEM region=SH … (see iovaudit pack questions)"));
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
    }
}

pub fn scope(ctx: &Ctx, cmd: ScopeCmd) -> i32 {
    match cmd {
        ScopeCmd::Set {
            dir,
            answers,
            basis,
            by,
        } => {
            let mut pairs = Vec::new();
            for a in &answers {
                let Some((k, v)) = a.split_once('=') else {
                    eprintln!(
                        "{}",
                        ctx.t(
                            &format!("错误：`{a}` 应写成 问题=回答（如 has_ota=yes）"),
                            &format!("error: `{a}` must be KEY=VALUE (e.g. has_ota=yes)")
                        )
                    );
                    return 2;
                };
                pairs.push((k.trim().to_string(), v.trim().to_string()));
            }
            let mut p = match open(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            match assess::set_scope_with(&mut p, &by.name(), &pairs, basis.as_deref()) {
                Ok(()) => {
                    let na = assess::statuses(&p)
                        .map(|s| {
                            s.iter()
                                .filter(|x| {
                                    matches!(x.applicability, Applicability::NotApplicable { .. })
                                })
                                .count()
                        })
                        .unwrap_or(0);
                    println!("{}", ctx.t(&format!("已记录 {} 个回答；{na} 项要求因适用范围判为不适用", pairs.len()), &format!("recorded {} answer(s); {na} requirement(s) are not applicable because of the scope", pairs.len())));
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        ScopeCmd::Show { dir, json } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let answers = match assess::scope(&p) {
                Ok(a) => a,
                Err(e) => return ctx.fail(&e),
            };
            let used: Vec<String> = {
                let mut v = vec!["enterprise_type".to_string()];
                for pk in p.packs().unwrap_or_default() {
                    for q in &pk.questions {
                        if !v.contains(q) {
                            v.push(q.clone());
                        }
                    }
                }
                v
            };
            if json {
                let open_q: Vec<&String> =
                    used.iter().filter(|q| !answers.contains_key(*q)).collect();
                let records = match assess::scope_records(&p) {
                    Ok(r) => r,
                    Err(e) => return ctx.fail(&e),
                };
                json_out(
                    &json!({"schema": 1, "answers": answers, "open": open_q, "records": records}),
                );
                return 0;
            }
            for q in &used {
                let label = p
                    .library()
                    .question(q)
                    .map(|x| ctx.text(&x.label).to_string())
                    .unwrap_or_default();
                match answers.get(q) {
                    Some(a) => println!(
                        "{q} = {}    {label}",
                        serde_json::to_string(a).unwrap_or_default()
                    ),
                    None => println!("{q} = {}    {label}", ctx.t("（未回答）", "(not answered)")),
                }
            }
            0
        }
    }
}

fn human_size(n: i64) -> String {
    let n = n as f64;
    if n >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", n / 1024.0 / 1024.0 / 1024.0)
    } else if n >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / 1024.0 / 1024.0)
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n} B")
    }
}

pub fn evidence(ctx: &Ctx, cmd: EvidenceCmd) -> i32 {
    match cmd {
        EvidenceCmd::Add {
            dir,
            paths,
            requirements,
            method,
            title,
            note,
            doc_version,
            issuer,
            json,
            by,
        } => {
            let Some(method) = evidence::parse_method(&method) else {
                eprintln!(
                    "{}",
                    ctx.t(
                        "错误：--method 应为 examine、interview 或 test",
                        "error: --method must be examine, interview or test"
                    )
                );
                return 2;
            };
            let mut p = match open(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let opts = AddOptions {
                requirements,
                method,
                title,
                note,
                doc_version,
                issuer,
                ..Default::default()
            };
            let cancel = AtomicBool::new(false);
            let tty = std::io::stderr().is_terminal();
            let last = AtomicUsize::new(0);
            let progress = |pr: iovaudit::vault::IngestProgress| {
                if tty
                    && pr.file_finished
                    && pr.files_finished != last.swap(pr.files_finished, Ordering::Relaxed)
                {
                    eprint!("\r{}/{}", pr.files_finished, pr.files_total);
                }
            };
            let report = match evidence::add(&mut p, &by.name(), &paths, &opts, &progress, &cancel)
            {
                Ok(r) => r,
                Err(e) => return ctx.fail(&e),
            };
            if tty {
                eprintln!();
            }
            if json {
                json_out(&json!({
                    "schema": 1,
                    "added": report.added.iter().map(|(id, path, s)| json!({"id": id, "path": path.to_string_lossy(), "size": s.size, "sha256": s.sha256, "sm3": s.sm3, "deduplicated": s.deduplicated})).collect::<Vec<_>>(),
                    "failed": report.failed.iter().map(|(path, e)| json!({"path": path.to_string_lossy(), "error": {"zh": e.zh(), "en": e.to_string()}})).collect::<Vec<_>>(),
                }));
            } else {
                for (id, path, s) in &report.added {
                    let dedup = if s.deduplicated {
                        ctx.t(
                            "（内容已存在，未重复存储）",
                            " (same content already stored)",
                        )
                    } else {
                        ""
                    };
                    println!(
                        "#{id}  {}  {}  SHA-256 {}{dedup}",
                        path.display(),
                        human_size(s.size as i64),
                        s.sha256
                    );
                }
                for (_, e) in &report.failed {
                    let why = evidence::failure_text(e);
                    eprintln!("{}{}", ctx.t("未添加：", "not added: "), ctx.text(&why));
                }
                println!(
                    "{}",
                    ctx.t(
                        &format!(
                            "已添加 {} 个文件，失败 {} 个",
                            report.added.len(),
                            report.failed.len()
                        ),
                        &format!(
                            "{} file(s) added, {} failed",
                            report.added.len(),
                            report.failed.len()
                        )
                    )
                );
            }
            if report.failed.is_empty() {
                0
            } else {
                1
            }
        }
        EvidenceCmd::List {
            dir,
            requirement,
            json,
        } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let items = match &requirement {
                Some(r) => assess::find_requirement(&p, r)
                    .and_then(|(_, _, req)| evidence::for_requirement(&p, &req.id)),
                None => evidence::list(&p),
            };
            let items = match items {
                Ok(i) => i,
                Err(e) => return ctx.fail(&e),
            };
            let signatures: std::collections::BTreeMap<i64, iovaudit::i18n::Text> =
                evidence::summary_rows(&p, &[evidence::SIGNATURE_KIND], None)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|r| {
                        serde_json::from_str::<iovaudit::sign::evidence_status::PdfSignatureStatus>(
                            &r.summary,
                        )
                        .ok()
                        .map(|st| (r.evidence_id, st.summary))
                    })
                    .collect();
            if json {
                let items: Vec<serde_json::Value> = items
                    .iter()
                    .map(|i| {
                        let mut v = json!(i);
                        if let Some(t) = signatures.get(&i.id) {
                            v["signature_status"] = json!(t);
                        }
                        v
                    })
                    .collect();
                json_out(&json!({"schema": 1, "evidence": items}));
                return 0;
            }
            for i in &items {
                println!(
                    "#{:<5} {}  [{}] r{}  {}  {}",
                    i.id,
                    i.title,
                    i.method,
                    i.revision,
                    human_size(i.size),
                    i.original_name
                );
                println!("       SHA-256 {}", i.sha256);
                println!("       SM3     {}", i.sm3);
                if let Some(t) = signatures.get(&i.id) {
                    println!(
                        "       {}{}",
                        ctx.t("签名：", "signatures: "),
                        t.get(ctx.lang)
                    );
                }
                if !i.requirements.is_empty() {
                    println!(
                        "       {}{}",
                        ctx.t("关联：", "linked: "),
                        i.requirements.join(", ")
                    );
                }
            }
            println!(
                "{}",
                ctx.t(
                    &format!("共 {} 项证据", items.len()),
                    &format!("{} evidence item(s)", items.len())
                )
            );
            0
        }
        EvidenceCmd::Show { dir, id, json } => evidence_show(ctx, &dir, id, json),
        EvidenceCmd::Verify { dir, json } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let cancel = AtomicBool::new(false);
            let out = match evidence::verify(&p, &|_| {}, &cancel) {
                Ok(o) => o,
                Err(e) => return ctx.fail(&e),
            };
            if json {
                json_out(&json!({"schema": 1, "ok": out.is_ok(), "result": out}));
            } else {
                for (sha, who) in &out.missing {
                    println!("{}{sha}  {}", ctx.t("缺失  ", "missing   "), who.join("; "));
                }
                for (sha, what, who) in &out.modified {
                    println!(
                        "{}{sha}  {what}  {}",
                        ctx.t("已改动 ", "modified  "),
                        who.join("; ")
                    );
                }
                for f in &out.unexpected {
                    println!("{}{f}", ctx.t("多余  ", "unexpected "));
                }
                for (id, rev, before, now) in &out.signature_changes {
                    println!(
                        "{}#{id} r{rev}  {} → {}",
                        ctx.t("签名状态变化 ", "signature status changed "),
                        before.get(ctx.lang),
                        now.get(ctx.lang)
                    );
                }
                if out.is_ok() {
                    println!(
                        "{}",
                        ctx.t(
                            &format!(
                                "通过：{} 个文件的大小、SHA-256 与 SM3 均与记录一致",
                                out.checked
                            ),
                            &format!(
                                "OK: size, SHA-256 and SM3 of all {} file(s) match the records",
                                out.checked
                            )
                        )
                    );
                } else {
                    println!(
                        "{}",
                        ctx.t(
                            &format!(
                                "失败：{} 个一致，{} 个缺失，{} 个被改动，{} 个多余文件",
                                out.ok,
                                out.missing.len(),
                                out.modified.len(),
                                out.unexpected.len()
                            ),
                            &format!(
                                "FAILED: {} ok, {} missing, {} modified, {} unexpected",
                                out.ok,
                                out.missing.len(),
                                out.modified.len(),
                                out.unexpected.len()
                            )
                        )
                    );
                }
            }
            if out.is_ok() {
                0
            } else {
                1
            }
        }
        EvidenceCmd::Link {
            dir,
            evidence: id,
            requirement,
            by,
        } => simple(
            ctx,
            &dir,
            |p| evidence::link(p, &by.name(), id, &requirement),
            "已关联",
            "linked",
        ),
        EvidenceCmd::Unlink {
            dir,
            evidence: id,
            requirement,
            by,
        } => simple(
            ctx,
            &dir,
            |p| evidence::unlink(p, &by.name(), id, &requirement),
            "已取消关联",
            "unlinked",
        ),
        EvidenceCmd::ImportScan(a) => super::scan::import_scan(ctx, a),
        EvidenceCmd::Set {
            dir,
            evidence: id,
            title,
            note,
            doc_version,
            issuer,
            by,
        } => {
            let upd = evidence::ItemUpdate {
                title,
                note,
                doc_version,
                issuer,
            };
            simple(
                ctx,
                &dir,
                |p| evidence::set_details(p, &by.name(), id, &upd).map(|_| ()),
                "已更新证据信息",
                "evidence details updated",
            )
        }
        EvidenceCmd::Replace {
            dir,
            evidence: id,
            path,
            by,
        } => {
            let cancel = AtomicBool::new(false);
            simple(
                ctx,
                &dir,
                |p| evidence::replace(p, &by.name(), id, &path, &cancel).map(|_| ()),
                "已添加新版本（旧版本保留）",
                "new revision added (the old one is kept)",
            )
        }
    }
}

fn simple(
    ctx: &Ctx,
    dir: &Path,
    f: impl FnOnce(&mut Project) -> iovaudit::project::Result<()>,
    zh: &str,
    en: &str,
) -> i32 {
    let mut p = match open(ctx, dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    match f(&mut p) {
        Ok(()) => {
            println!("{}", ctx.t(zh, en));
            0
        }
        Err(e) => ctx.fail(&e),
    }
}

fn verdict_cell(ctx: &Ctx, s: &assess::Status) -> String {
    let mut v = ctx.text(&s.verdict.label()).to_string();
    if let Some(r) = &s.recorded {
        if r.rejudge.is_some() && !r.confirmed {
            v.push_str(ctx.t("（待重新判定）", " (to re-judge)"));
        } else if r.inferred_from.is_some() && !r.confirmed {
            v.push_str(ctx.t("（推断，待确认）", " (inferred, unconfirmed)"));
        }
    }
    v
}

pub fn assess_cmd(ctx: &Ctx, cmd: AssessCmd) -> i32 {
    match cmd {
        AssessCmd::Set {
            dir,
            requirement,
            verdict,
            note,
            observation,
            evidence_reason,
            by,
        } => {
            let Some(v) = Verdict::parse(&verdict) else {
                eprintln!("{}", ctx.t(&format!("错误：无法识别的结论 `{verdict}`（可用：符合、部分符合、不符合、不适用、未评估）"), &format!("error: unknown verdict `{verdict}` (use conform, partial, nonconform, na, unassessed)")));
                return 2;
            };
            let mut p = match open(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let input = assess::VerdictInput {
                verdict: v,
                note,
                observation,
                evidence_reason,
            };
            match assess::set_verdict(&mut p, &by.name(), &requirement, &input) {
                Ok(props) => {
                    println!("{} {}", requirement, ctx.text(&v.label()));
                    for pr in props {
                        println!(
                            "{}",
                            ctx.t(
                                &format!("  → 推断 {}：{}（依据映射，待确认：iovaudit assess confirm）", pr.requirement, pr.verdict.label().zh),
                                &format!("  → inferred {}: {} (from a mapping; confirm with iovaudit assess confirm)", pr.requirement, pr.verdict.label().en)
                            )
                        );
                    }
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        AssessCmd::Confirm {
            dir,
            requirement,
            by,
        } => simple(
            ctx,
            &dir,
            |p| assess::confirm(p, &by.name(), &requirement),
            "已确认",
            "confirmed",
        ),
        AssessCmd::List {
            dir,
            pack,
            filter,
            mine,
            json,
        } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let all = match assess::statuses(&p) {
                Ok(s) => s,
                Err(e) => return ctx.fail(&e),
            };
            let keep = |s: &&assess::Status| {
                pack.as_ref()
                    .is_none_or(|pk| s.pack.eq_ignore_ascii_case(pk))
                    && match filter.as_deref() {
                        None => true,
                        Some("unassessed") => s.verdict == Verdict::Unassessed,
                        Some("nonconform") => {
                            matches!(s.verdict, Verdict::Nonconform | Verdict::Partial)
                        }
                        Some("inferred") => s
                            .recorded
                            .as_ref()
                            .is_some_and(|r| r.inferred_from.is_some() && !r.confirmed),
                        Some("to-confirm") => s.to_confirm,
                        Some("rejudge") => s
                            .recorded
                            .as_ref()
                            .is_some_and(|r| r.rejudge.is_some() && !r.confirmed),
                        Some("na") => s.verdict == Verdict::Na,
                        Some(_) => true,
                    }
            };
            let (who, previous) = match (
                assess::merge::assignees(&p),
                assess::merge::previous_verdicts(&p),
            ) {
                (Ok(w), Ok(pv)) => (w, pv),
                (Err(e), _) | (_, Err(e)) => return ctx.fail(&e),
            };
            let list: Vec<&assess::Status> = all
                .iter()
                .filter(keep)
                .filter(|s| {
                    mine.as_ref()
                        .is_none_or(|m| who.get(&s.requirement) == Some(m))
                })
                .collect();
            if json {
                let previous: std::collections::BTreeMap<_, _> = previous
                    .iter()
                    .filter(|(k, _)| list.iter().any(|s| &s.requirement == *k))
                    .collect();
                json_out(
                    &json!({"schema": 1, "requirements": list, "assignees": who, "previous": previous}),
                );
                return 0;
            }
            for s in &list {
                let mut line = format!(
                    "{:<16} {:<12} {:<10} {}",
                    s.requirement,
                    s.clause,
                    verdict_cell(ctx, s),
                    ctx.text(&s.title)
                );
                if let Some(m) = s.provenance.mark(ctx.lang) {
                    line.push_str(&format!("  {m}"));
                }
                println!("{line}");
                match &s.applicability {
                    Applicability::NotApplicable { reason } => {
                        println!("{:<17}{}", "", ctx.text(reason))
                    }
                    Applicability::Open { questions } if s.verdict == Verdict::Unassessed => {
                        println!(
                            "{:<17}{}{}",
                            "",
                            ctx.t("适用范围未答：", "open scope questions: "),
                            questions.join(", ")
                        )
                    }
                    _ => {}
                }
                if let Some(pv) = previous.get(&s.requirement) {
                    println!(
                        "{:<17}{}{}（{}，{}）{}",
                        "",
                        ctx.t("上一周期：", "last cycle: "),
                        ctx.text(&pv.verdict.label()),
                        pv.assessor,
                        pv.at,
                        pv.note
                    );
                }
                if let Some(r) = &s.recorded {
                    if let Some(why) = r.rejudge.as_ref().filter(|_| !r.confirmed) {
                        println!("{:<17}{}", "", ctx.text(why));
                    }
                    if !r.note.is_empty() {
                        println!("{:<17}{}", "", r.note);
                    }
                }
            }
            println!(
                "{}",
                ctx.t(
                    &format!("共 {} 项", list.len()),
                    &format!("{} requirement(s)", list.len())
                )
            );
            0
        }
    }
}

pub fn finding(ctx: &Ctx, cmd: FindingCmd) -> i32 {
    match cmd {
        FindingCmd::Add {
            dir,
            requirement,
            title,
            severity,
            owner,
            due,
            note,
            analysis,
            by,
        } => {
            let a = match analysis.check(ctx) {
                Ok(a) => a,
                Err(c) => return c,
            };
            let Some(sev) = Severity::parse(&severity) else {
                eprintln!(
                    "{}",
                    ctx.t(
                        "错误：--severity 应为 high、medium 或 low",
                        "error: --severity must be high, medium or low"
                    )
                );
                return 2;
            };
            let mut p = match open(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let input = FindingInput {
                requirement: Some(requirement),
                title: Some(title),
                severity: Some(sev),
                owner,
                due,
                note,
                status: None,
                description: a.description,
                threat: a.threat,
                impact: a.impact,
                likelihood: a.likelihood,
                recommendation: a.recommendation,
                time_limit: a.time_limit,
            };
            match assess::add_finding(&mut p, &by.name(), &input) {
                Ok(id) => {
                    println!(
                        "{}",
                        ctx.t(
                            &format!("已新增整改项 #{id}"),
                            &format!("finding #{id} added")
                        )
                    );
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        FindingCmd::List { dir, json } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let fs = match assess::findings(&p) {
                Ok(f) => f,
                Err(e) => return ctx.fail(&e),
            };
            if json {
                json_out(&json!({"schema": 1, "findings": fs}));
                return 0;
            }
            for f in &fs {
                println!(
                    "#{:<3} [{}|{}] {}  {}  {}{}  {}{}",
                    f.id,
                    ctx.text(&f.severity.label()),
                    ctx.text(&f.status.label()),
                    f.requirement,
                    f.title,
                    ctx.t("责任人：", "owner: "),
                    if f.owner.is_empty() { "-" } else { &f.owner },
                    ctx.t("期限：", "due: "),
                    f.due.as_deref().unwrap_or("-")
                );
            }
            println!(
                "{}",
                ctx.t(
                    &format!("共 {} 项整改项", fs.len()),
                    &format!("{} finding(s)", fs.len())
                )
            );
            0
        }
        FindingCmd::Update {
            dir,
            id,
            status,
            severity,
            owner,
            due,
            title,
            note,
            analysis,
            by,
        } => {
            let a = match analysis.check(ctx) {
                Ok(a) => a,
                Err(c) => return c,
            };
            let status = match status.as_deref().map(FindingStatus::parse) {
                Some(None) => {
                    eprintln!(
                        "{}",
                        ctx.t(
                            "错误：--status 应为 open、fixed 或 verified",
                            "error: --status must be open, fixed or verified"
                        )
                    );
                    return 2;
                }
                Some(s) => s,
                None => None,
            };
            let severity = match severity.as_deref().map(Severity::parse) {
                Some(None) => {
                    eprintln!(
                        "{}",
                        ctx.t(
                            "错误：--severity 应为 high、medium 或 low",
                            "error: --severity must be high, medium or low"
                        )
                    );
                    return 2;
                }
                Some(s) => s,
                None => None,
            };
            let input = FindingInput {
                requirement: None,
                title,
                severity,
                owner,
                due,
                status,
                note,
                description: a.description,
                threat: a.threat,
                impact: a.impact,
                likelihood: a.likelihood,
                recommendation: a.recommendation,
                time_limit: a.time_limit,
            };
            simple(
                ctx,
                &dir,
                |p| assess::update_finding(p, &by.name(), id, &input),
                "已更新",
                "updated",
            )
        }
    }
}

/// `--impact` / `--likelihood`: high, medium, low (or 高/中/低); empty or
/// `none` clears. Exit code 2 on anything else.
fn level_arg(ctx: &Ctx, flag: &str, v: Option<String>) -> Result<Option<Option<Severity>>, i32> {
    let Some(v) = v else { return Ok(None) };
    let t = v.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(Some(None));
    }
    match Severity::parse(t) {
        Some(s) => Ok(Some(Some(s))),
        None => {
            eprintln!(
                "{}",
                ctx.t(
                    &format!("错误：{flag} 应为 high、medium 或 low（高/中/低），而不是 `{t}`"),
                    &format!("error: {flag} must be high, medium or low, not `{t}`")
                )
            );
            Err(2)
        }
    }
}

/// The system time zone: `TZ` (an IANA name) or the OS's configured zone,
/// else UTC. Read here, in the CLI, and passed to the core.
pub(crate) fn system_zone() -> iovaudit::timefmt::Tz {
    iovaudit::timefmt::system_zone(
        std::env::var("TZ").ok().as_deref(),
        iana_time_zone::get_timezone().ok().as_deref(),
    )
}

fn flatten_info(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_info(&p, x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten_info(&format!("{prefix}.{i}"), x, out);
            }
        }
        Value::Null | Value::Bool(false) => {}
        Value::String(s) if s.is_empty() => {}
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn info_cmd(ctx: &Ctx, dir: &Path, json: bool, action: Option<InfoAction>) -> i32 {
    use iovaudit::project::info;
    match action {
        None => {
            let p = match open_ro(ctx, dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let i = match info::info(&p) {
                Ok(i) => i,
                Err(e) => return ctx.fail(&e),
            };
            if json {
                json_out(&json!({"schema": 1, "info": i}));
                return 0;
            }
            let mut rows = Vec::new();
            flatten_info("", &serde_json::to_value(&i).unwrap_or_default(), &mut rows);
            if rows.is_empty() {
                println!(
                    "{}",
                    ctx.t(
                        "尚未填写项目信息（iovaudit project info DIR set PATH VALUE，或 import FILE.toml）",
                        "no project information yet (iovaudit project info DIR set PATH VALUE, or import FILE.toml)"
                    )
                );
            }
            for (k, v) in &rows {
                println!("{k} = {v}");
            }
            let tz = i.zone(system_zone());
            println!(
                "{}{}",
                ctx.t("日期所用时区：", "dates are shown in: "),
                iovaudit::timefmt::zone_label(tz, None)
            );
            for pr in &i.problems() {
                eprintln!("{}{}", ctx.t("警告：", "warning: "), ctx.text(pr));
            }
            0
        }
        Some(InfoAction::Set { path, value, by }) => simple(
            ctx,
            dir,
            |p| info::set_field(p, &by.name(), &path, &value),
            "已更新项目信息",
            "project information updated",
        ),
        Some(InfoAction::Import { file, by }) => {
            let new = match info::parse_file(&file) {
                Ok(i) => i,
                Err(e) => return ctx.fail(&e),
            };
            simple(
                ctx,
                dir,
                |p| info::set(p, &by.name(), &new),
                "已导入项目信息",
                "project information imported",
            )
        }
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{v:.1}"))
}

pub fn score_cmd(ctx: &Ctx, dir: &Path, json: bool) -> i32 {
    let p = match open_ro(ctx, dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let (packs, statuses) = match (p.packs(), assess::statuses(&p)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return ctx.fail(&e),
    };
    let s = score::score(&packs, &statuses);
    if json {
        json_out(&json!({"schema": 1, "score": s}));
        return 0;
    }
    print_scores(ctx, &s, true);
    0
}

fn print_scores(ctx: &Ctx, s: &score::Scores, sections: bool) {
    for ps in &s.packs {
        let t = &ps.tally;
        let concl = ps.conclusion.as_ref().map_or(
            ctx.t("尚无结论", "no conclusion yet").to_string(),
            |c| ctx.text(c).to_string(),
        );
        let prov = if ps.complete {
            ""
        } else {
            ctx.t("（暂定）", " (provisional)")
        };
        println!(
            "{}  {}  {}{}  {}{}/{}  {}{} {}{} {}{} {}{} {}{}",
            ps.pack,
            pct(t.score),
            concl,
            prov,
            ctx.t("进度 ", "progress "),
            t.judged,
            t.applicable,
            ctx.t("符合 ", "conform "),
            t.conform,
            ctx.t("部分 ", "partial "),
            t.partial,
            ctx.t("不符合 ", "nonconform "),
            t.nonconform,
            ctx.t("不适用 ", "n/a "),
            t.not_applicable,
            ctx.t(
                "待确认（推断或重判） ",
                "pending (inferred or to re-judge) "
            ),
            t.inferred_pending
        );
        if !ps.veto_failed.is_empty() {
            println!(
                "    {}{}",
                ctx.t("一票否决项不符合：", "veto requirement(s) not conformant: "),
                ps.veto_failed.join(", ")
            );
        }
        if sections {
            for sec in &ps.sections {
                println!(
                    "    {:<10} {:>6}  {}/{}  {}",
                    sec.clause,
                    pct(sec.tally.score),
                    sec.tally.judged,
                    sec.tally.applicable,
                    ctx.text(&sec.title)
                );
            }
        }
    }
    let concl = s.conclusion.as_ref().map_or(
        ctx.t("尚无结论", "no conclusion yet").to_string(),
        |c| ctx.text(c).to_string(),
    );
    println!(
        "{}{}  {}{}  {}{}/{}",
        ctx.t("总体得分 ", "Overall score "),
        pct(s.overall.score),
        concl,
        if s.complete {
            ""
        } else {
            ctx.t("（暂定）", " (provisional)")
        },
        ctx.t("进度 ", "progress "),
        s.overall.judged,
        s.overall.applicable
    );
}

pub fn review(ctx: &Ctx, cmd: ReviewCmd) -> i32 {
    match cmd {
        ReviewCmd::Submit { dir, by } => simple(
            ctx,
            &dir,
            |p| {
                assess::submit(p, &by.name())?;
                warn_readiness(ctx, p);
                Ok(())
            },
            "已提交审核",
            "submitted for review",
        ),
        ReviewCmd::Approve { dir, by } => {
            let mut p = match open(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            match assess::approve(&mut p, &by.name()) {
                Ok(h) => {
                    warn_readiness(ctx, &p);
                    println!(
                        "{}",
                        ctx.t(
                            &format!("已批准并锁定。快照哈希（SHA-256）：{h}"),
                            &format!("approved and locked. Snapshot hash (SHA-256): {h}")
                        )
                    );
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        ReviewCmd::Reopen { dir, by } => simple(
            ctx,
            &dir,
            |p| assess::reopen(p, &by.name()),
            "已重新打开为新修订版",
            "reopened as a new revision",
        ),
    }
}

/// Prints the readiness warnings (verdicts without evidence) on stderr.
fn warn_readiness(ctx: &Ctx, p: &Project) {
    if let Ok(r) = assess::readiness(p) {
        for m in r.messages() {
            eprintln!("{}{}", ctx.t("警告：", "warning: "), ctx.text(&m));
        }
    }
}

pub fn journal_cmd(ctx: &Ctx, cmd: JournalCmd) -> i32 {
    match cmd {
        JournalCmd::Verify { dir, json } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let (breaks, n, head) = match p.verify_journal() {
                Ok(r) => r,
                Err(e) => return ctx.fail(&e),
            };
            if json {
                json_out(
                    &json!({"schema": 1, "ok": breaks.is_empty(), "entries": n, "head": head, "breaks": breaks}),
                );
            } else {
                for b in &breaks {
                    let what = match b.kind {
                        journal::BreakKind::Edited => ctx.t("内容被修改", "was edited"),
                        journal::BreakKind::Unlinked => ctx.t("与前一条不衔接（前面的记录被删除或顺序被调换）", "does not follow the entry before it (an entry was deleted or entries were reordered)"),
                        journal::BreakKind::Gap => ctx.t("序号不连续（记录缺失）", "sequence numbers skip (entries missing)"),
                    };
                    println!(
                        "{} #{} ({} {}) {what}",
                        ctx.t("记录", "entry"),
                        b.seq,
                        b.at,
                        b.action
                    );
                }
                if breaks.is_empty() {
                    let head = head.unwrap_or_default();
                    println!(
                        "{}",
                        ctx.t(
                            &format!("通过：{n} 条记录的哈希链完整；链头 {head}"),
                            &format!("OK: the hash chain of {n} entries is intact; head {head}")
                        )
                    );
                } else {
                    println!(
                        "{}",
                        ctx.t(
                            &format!("失败：哈希链有 {} 处断裂", breaks.len()),
                            &format!("FAILED: {} break(s) in the hash chain", breaks.len())
                        )
                    );
                }
            }
            if breaks.is_empty() {
                0
            } else {
                1
            }
        }
        JournalCmd::List { dir, json } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let es = match journal::entries(p.conn()) {
                Ok(e) => e,
                Err(e) => {
                    return ctx.fail(&ProjectError::Db {
                        path: p.db_path(),
                        source: e,
                    })
                }
            };
            if json {
                json_out(&json!({"schema": 1, "entries": es}));
            } else {
                // Times in the project's zone (else the system's), zone stated.
                let tz = iovaudit::project::info::time_zone(&p, system_zone())
                    .unwrap_or_else(|_| system_zone());
                for e in es {
                    println!(
                        "#{:<4} {}  {:<18} {}  {}",
                        e.seq,
                        iovaudit::timefmt::local_datetime_secs(&e.at, tz),
                        e.action,
                        e.actor,
                        e.detail
                    );
                }
            }
            0
        }
    }
}

pub fn status(ctx: &Ctx, dir: &Path, json: bool) -> i32 {
    let p = match open_ro(ctx, dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let run = || -> iovaudit::project::Result<i32> {
        let meta = p.meta()?;
        let statuses = assess::statuses(&p)?;
        let packs = p.packs()?;
        let s = score::score(&packs, &statuses);
        let ev = evidence::list(&p)?;
        let fs = assess::findings(&p)?;
        let (breaks, n, head) = p.verify_journal()?;
        let answers = assess::scope(&p)?;
        let open_findings = fs
            .iter()
            .filter(|f| f.status == FindingStatus::Open)
            .count();
        let versions = p.pack_versions()?;
        let assessors = assess::merge::progress(&p)?;
        if json {
            json_out(
                &json!({"schema": 1, "project": meta, "pack_versions": versions, "scope_answered": answers.len(), "score": s, "evidence": ev.len(), "findings": fs.len(), "open_findings": open_findings, "journal": {"entries": n, "head": head, "intact": breaks.is_empty()}, "assessors": assessors}),
            );
            return Ok(0);
        }
        for g in &assessors {
            let who = if g.assessor.is_empty() {
                ctx.t("（未分配）", "(unassigned)").to_string()
            } else {
                g.assessor.clone()
            };
            println!(
                "{}",
                ctx.t(
                    &format!("评估人 {who}：已判定 {}/{}", g.done, g.assigned),
                    &format!("assessor {who}: {}/{} judged", g.done, g.assigned)
                )
            );
        }
        println!("{}", meta.name);
        println!(
            "{}{}  ·  {}  ·  {}{}",
            ctx.t("被评估单位：", "Assessee: "),
            meta.assessee,
            ctx.text(&meta.kind.label()),
            ctx.t("评估机构：", "Assessor: "),
            if meta.organisation.is_empty() {
                "-"
            } else {
                &meta.organisation
            }
        );
        println!(
            "{}{}  ·  {}{}",
            ctx.t("状态：", "State: "),
            ctx.text(&meta.state.label()),
            ctx.t("修订版 ", "revision "),
            meta.revision
        );
        if let Some(h) = &meta.snapshot_hash {
            println!("{}{h}", ctx.t("快照哈希：", "Snapshot hash: "));
        }
        println!(
            "{}{}",
            ctx.t("检查单：", "Packs: "),
            versions
                .iter()
                .map(|v| format!("{} {}", v.pack, v.version))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for v in versions.iter().filter(|v| v.differs) {
            let lib = v.library_version.clone().unwrap_or_else(|| "-".into());
            println!(
                "  {}",
                ctx.t(
                    &format!("⚠ 检查单库中的 {} 为 {lib} 版，与项目所用的 {} 版内容不同；项目继续按其保存的 {} 版评估。查看差异：iovaudit project upgrade-pack DIR {} --dry-run", v.pack, v.version, v.version, v.pack),
                    &format!("⚠ the library holds {} {lib}, which differs from the {} the project is assessed against; the project keeps using its stored {}. See the difference: iovaudit project upgrade-pack DIR {} --dry-run", v.pack, v.version, v.version, v.pack)
                )
            );
        }
        let pending = statuses
            .iter()
            .filter(|s| {
                s.recorded
                    .as_ref()
                    .is_some_and(|r| r.rejudge.is_some() && !r.confirmed)
            })
            .count();
        if pending > 0 {
            println!(
                "  {}",
                ctx.t(
                    &format!("待重新判定（检查单升级后）：{pending} 项（assess list DIR --filter rejudge）"),
                    &format!("to re-judge after a checklist upgrade: {pending} (assess list DIR --filter rejudge)")
                )
            );
        }
        println!(
            "{}{}",
            ctx.t("已回答适用性问题：", "Scope answers: "),
            answers.len()
        );
        println!();
        print_scores(ctx, &s, false);
        println!();
        println!(
            "{}{}  ·  {}{}（{}{}）  ·  {}{} {}",
            ctx.t("证据 ", "Evidence "),
            ev.len(),
            ctx.t("整改项 ", "findings "),
            fs.len(),
            ctx.t("待整改 ", "open "),
            open_findings,
            ctx.t("操作日志 ", "journal "),
            n,
            if breaks.is_empty() {
                ctx.t("（哈希链完整）", "(chain intact)")
            } else {
                ctx.t("（哈希链断裂！）", "(CHAIN BROKEN!)")
            }
        );
        Ok(0)
    };
    match run() {
        Ok(c) => c,
        Err(e) => ctx.fail(&e),
    }
}

fn upgrade_pack(ctx: &Ctx, dir: &Path, pack: &str, dry_run: bool, json: bool, by: &str) -> i32 {
    let opened = if dry_run {
        open_ro(ctx, dir)
    } else {
        open(ctx, dir)
    };
    let mut p = match opened {
        Ok(p) => p,
        Err(c) => return c,
    };
    let out = match assess::upgrade_pack(&mut p, by, pack, dry_run) {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    if json {
        json_out(&json!({"schema": 1, "upgrade": out}));
        return 0;
    }
    let d = &out.diff;
    println!(
        "{}",
        ctx.t(
            &format!(
                "检查单 {}：项目版本 {} → 检查单库版本 {}",
                d.pack, d.from_version, d.to_version
            ),
            &format!(
                "pack {}: project version {} → library version {}",
                d.pack, d.from_version, d.to_version
            )
        )
    );
    println!(
        "  SHA-256 {} → {}",
        short(&d.from_sha256),
        short(&d.to_sha256)
    );
    let list = |label_zh: &str, label_en: &str, ids: &[String]| {
        if !ids.is_empty() {
            println!("{}{}", ctx.t(label_zh, label_en), counted(ctx, ids));
        }
    };
    list("新增", "Added", &d.added);
    list("删除", "Removed", &d.removed);
    for c in &d.changed {
        println!(
            "{} {}{}{}",
            ctx.t("改变", "Changed"),
            c.requirement,
            ctx.t("：", ": "),
            ctx.text(&c.label)
        );
    }
    for r in &d.replaced {
        println!(
            "{} {} ← {}",
            ctx.t("取代", "Replaces"),
            r.requirement,
            r.replaces.join(", ")
        );
    }
    println!("{}{}", ctx.t("未变：", "Unchanged: "), d.unchanged);
    println!();
    let verb = |zh: &str, en: &str| {
        if dry_run {
            ctx.t(&format!("将{zh}"), &format!("would {en}"))
                .to_string()
        } else {
            ctx.t(zh, en).to_string()
        }
    };
    if !out.rejudge.is_empty() {
        println!(
            "{}{}",
            verb("标记为待重新判定", "mark to re-judge"),
            counted(ctx, &out.rejudge)
        );
    }
    for (new, old) in &out.carried {
        println!("  {} {old} → {new}", verb("沿用结论", "carry the verdict"));
    }
    for h in &out.history {
        println!(
            "  {} {}：{} {}，{} {}，{} {}",
            ctx.t("保留为历史", "kept as history"),
            h.requirement,
            ctx.t("结论", "verdict"),
            h.verdict
                .map(|v| ctx.text(&v.label()).to_string())
                .unwrap_or_else(|| "-".into()),
            ctx.t("证据关联", "evidence links"),
            h.evidence_links,
            ctx.t("整改项", "findings"),
            h.findings
        );
    }
    if dry_run {
        println!(
            "{}",
            ctx.t("（试运行，未作任何修改）", "(dry run: nothing was changed)")
        );
    } else {
        println!(
            "{}",
            ctx.t("已升级并记入操作日志。", "Upgraded and journalled.")
        );
    }
    0
}

/// "（3）：A, B, C" in Chinese, " (3): A, B, C" in English.
fn counted(ctx: &Ctx, ids: &[String]) -> String {
    let (n, list) = (ids.len(), ids.join(", "));
    match ctx.lang {
        Lang::Zh => format!("（{n}）：{list}"),
        Lang::En => format!(" ({n}): {list}"),
    }
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

pub fn demo(ctx: &Ctx, dir: &Path) -> i32 {
    let lib = match iovaudit::pack::builtin() {
        Ok(l) => l,
        Err(_) => return 1,
    };
    match iovaudit::demo::create(dir, lib) {
        Ok(p) => {
            drop(p);
            println!(
                "{}",
                ctx.t(
                    &format!("已创建演示项目：{}", dir.display()),
                    &format!("demo project created: {}", dir.display())
                )
            );
            println!();
            status(ctx, dir, false)
        }
        Err(e) => ctx.fail(&e),
    }
}

/// `evidence show`: one item with its signature status and parsed tool output.
fn evidence_show(ctx: &Ctx, dir: &Path, id: i64, json: bool) -> i32 {
    let p = match open_ro(ctx, dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let item = match evidence::get(&p, id) {
        Ok(i) => i,
        Err(e) => return ctx.fail(&e),
    };
    let signature = match evidence::signature_status(&p, id) {
        Ok(s) => s,
        Err(e) => return ctx.fail(&e),
    };
    let scan = match iovaudit::scan::summary_of(&p, id) {
        Ok(s) => s,
        Err(e) => return ctx.fail(&e),
    };
    if json {
        json_out(&json!({
            "schema": 1,
            "evidence": item,
            "signature_status": signature,
            "scan_summary": scan,
        }));
        return 0;
    }
    println!(
        "#{} {}  [{}] r{}",
        item.id, item.title, item.method, item.revision
    );
    println!("  {}{}", ctx.t("文件：", "file: "), item.original_name);
    println!("  {}{}", ctx.t("大小：", "size: "), human_size(item.size));
    println!("  SHA-256 {}", item.sha256);
    println!("  SM3     {}", item.sm3);
    println!(
        "  {}{}  {}",
        ctx.t("收集：", "collected: "),
        item.collected_at,
        item.collected_by
    );
    if !item.doc_version.is_empty() {
        println!(
            "  {}{}",
            ctx.t("文档版本：", "document version: "),
            item.doc_version
        );
    }
    if !item.issuer.is_empty() {
        println!("  {}{}", ctx.t("出具方：", "issuer: "), item.issuer);
    }
    if !item.note.is_empty() {
        println!("  {}{}", ctx.t("说明：", "note: "), item.note);
    }
    if !item.requirements.is_empty() {
        println!(
            "  {}{}",
            ctx.t("关联：", "linked: "),
            item.requirements.join(", ")
        );
    }
    if let Some(st) = &signature {
        println!(
            "  {}{}",
            ctx.t("签名：", "signatures: "),
            st.summary.get(ctx.lang)
        );
        for sig in &st.signatures {
            println!(
                "    {}  {}  {}  {}",
                sig.field, sig.signer, sig.subfilter, sig.status
            );
        }
    }
    super::scan::print_stored(ctx.lang, scan.as_ref(), false);
    0
}
