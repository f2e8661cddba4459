//! Argument parsing and dispatch for the `iovaudit` CLI. Each command calls
//! the core and hands the result to a printer in `render.rs`.
//!
//! Exit status: 0 success; 1 the data checked has problems; 2 the command
//! could not run (bad arguments, unreadable files).

mod bundle;
mod calendar;
mod excel;
mod output;
mod project;
mod render;
mod scan;

use clap::{Parser, Subcommand};
use iovaudit::i18n::Lang;
use iovaudit::pack::{self, Library};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "iovaudit",
    version,
    about = "车联网安全合规评估工作台 / IoV Compliance Audit Workbench",
    long_about = "车联网安全合规评估工作台（命令行）。\nIoV Compliance Audit Workbench (command line): checklists, assessment, signed reports."
)]
struct Cli {
    /// Output language: zh (default) or en / 输出语言
    #[arg(long, global = true, default_value = "zh")]
    lang: Lang,

    /// Read checklists from this directory instead of the built-in library
    /// (also IOVAUDIT_CHECKLISTS) / 使用此目录中的检查单
    #[arg(long, global = true, value_name = "DIR")]
    checklists: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checklist packs: list, show, validate / 检查单
    #[command(subcommand)]
    Pack(PackCmd),
    /// Assessment projects / 评估项目
    #[command(subcommand)]
    Project(project::ProjectCmd),
    /// Scope: answers to the packs' scoping questions / 适用范围
    #[command(subcommand)]
    Scope(project::ScopeCmd),
    /// Evidence vault / 证据
    #[command(subcommand)]
    Evidence(project::EvidenceCmd),
    /// Verdicts / 判定
    #[command(subcommand)]
    Assess(excel::AssessCmd),
    /// Findings (整改项)
    #[command(subcommand)]
    Finding(project::FindingCmd),
    /// Scores per section, pack and overall / 评分
    Score {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Review and sign-off / 审核与批准
    #[command(subcommand)]
    Review(project::ReviewCmd),
    /// The hash-chained activity journal / 操作日志
    #[command(subcommand)]
    Journal(project::JournalCmd),
    /// A project's state at a glance / 项目概况
    Status {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Create a complete demo project with real evidence files / 创建演示项目
    Demo { dir: PathBuf },
    /// Signing identities / 签名身份
    #[command(subcommand)]
    Identity(output::IdentityCmd),
    /// Render the report (PDF; signed with --identity), and XLSX/JSON exports / 生成报告
    Report {
        dir: PathBuf,
        #[arg(long, required_unless_present = "docx")]
        out: Option<PathBuf>,
        /// A template folder, or a name under report-templates/ (default: the built-in template)
        #[arg(long)]
        template: Option<PathBuf>,
        /// Sign with this PKCS#12 identity (or with a token: --pkcs11-module …)
        #[arg(long, conflicts_with = "pkcs11_module")]
        identity: Option<PathBuf>,
        /// The key to sign with when the PKCS#12 holds several: alias or certificate fingerprint
        #[arg(long)]
        key_alias: Option<String>,
        #[arg(long)]
        xlsx: Option<PathBuf>,
        #[arg(long)]
        json: Option<PathBuf>,
        /// The editable Word report (not the signed deliverable) / 可编辑的 Word 报告
        #[arg(long)]
        docx: Option<PathBuf>,
        /// Seal image (PNG) for the signature page
        #[arg(long)]
        seal: Option<PathBuf>,
        /// Report number
        #[arg(long)]
        number: Option<String>,
        /// Read the password from the first line of standard input (an empty line is the empty password)
        #[arg(long)]
        password_stdin: bool,
        /// Sign with a key on a token (PKCS#11) instead of a PKCS#12
        #[command(flatten)]
        token: output::TokenArgs,
    },
    /// Filing package (报送包)
    #[command(subcommand)]
    Package(output::PackageCmd),
    /// Compliance calendar: dated obligations, trigger events, iCalendar export / 合规日历
    Calendar(calendar::CalendarArgs),
    /// Encrypted bundles for colleagues: export, import, show, merge / 数据包（离线协作）
    #[command(subcommand)]
    Bundle(bundle::BundleCmd),
    /// Assign requirements, sections or packs to an assessor / 分配评估任务
    Assign(bundle::AssignArgs),
    /// Verify a signed PDF or a filing package / 校验报告或报送包
    Verify {
        file: PathBuf,
        /// Trust anchor: CA certificate(s), PEM
        #[arg(long)]
        trust: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PackCmd {
    /// List the packs / 列出检查单
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a pack's sections and requirements, or one requirement / 显示检查单或单个要求
    Show {
        /// Pack id (e.g. N134) or requirement id (e.g. N134-17)
        id: String,
        /// Also print each requirement's paraphrase, evidence and parameters
        #[arg(long)]
        full: bool,
        #[arg(long)]
        json: bool,
    },
    /// Check checklist files and report every problem as file:line:column / 校验检查单文件
    Validate {
        /// Files or directories
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Turn a checklist spreadsheet into a pack (TOML) / 从 Excel 导入检查单
    ImportXlsx(excel::PackImportXlsx),
    /// Write a pack as a spreadsheet that imports back / 导出检查单为 Excel
    ExportXlsx(excel::PackExportXlsx),
    /// Write a pack as an OSCAL 1.1.2 catalog (JSON) that imports back / 导出检查单为 OSCAL 目录
    ExportOscal(excel::PackExportOscal),
    /// Turn an OSCAL catalog or resolved profile into a pack (TOML) / 从 OSCAL 目录导入检查单
    ImportOscal(excel::PackImportOscal),
    /// Turn a CISO Assistant framework library (YAML or Excel) into a pack (TOML) / 从 CISO Assistant 框架库导入检查单
    ImportCiso(excel::PackImportCiso),
    /// List the scoping questions / 列出适用性问题
    Questions {
        #[arg(long)]
        json: bool,
    },
}

pub fn run() -> i32 {
    let cli = Cli::parse();
    let lang = cli.lang;
    let checklists = cli
        .checklists
        .clone()
        .or_else(|| std::env::var_os("IOVAUDIT_CHECKLISTS").map(PathBuf::from));
    let ctx = project::Ctx { lang, checklists };
    match cli.command {
        Command::Project(c) => project::project(&ctx, c),
        Command::Scope(c) => project::scope(&ctx, c),
        Command::Evidence(c) => project::evidence(&ctx, c),
        Command::Assess(excel::AssessCmd::Core(c)) => project::assess_cmd(&ctx, c),
        Command::Assess(excel::AssessCmd::ImportXlsx(a)) => excel::assess_import(a, &ctx),
        Command::Finding(c) => project::finding(&ctx, c),
        Command::Score { dir, json } => project::score_cmd(&ctx, &dir, json),
        Command::Review(c) => project::review(&ctx, c),
        Command::Journal(c) => project::journal_cmd(&ctx, c),
        Command::Status { dir, json } => project::status(&ctx, &dir, json),
        Command::Demo { dir } => project::demo(&ctx, &dir),
        Command::Identity(c) => output::identity(&ctx, c),
        Command::Report {
            dir,
            out,
            template,
            identity,
            key_alias,
            xlsx,
            json,
            docx,
            seal,
            number,
            password_stdin,
            token,
        } => output::report_cmd_with_key(
            &ctx,
            &dir,
            out.as_deref(),
            template,
            identity,
            key_alias,
            xlsx,
            json,
            docx,
            seal,
            number,
            password_stdin,
            token,
        ),
        Command::Package(c) => output::package_cmd(&ctx, c),
        Command::Calendar(a) => calendar::run(&ctx, a),
        Command::Bundle(c) => bundle::bundle_cmd(&ctx, c),
        Command::Assign(a) => bundle::assign_cmd(&ctx, a),
        Command::Verify { file, trust, json } => output::verify_cmd(&ctx, &file, trust, json),
        Command::Pack(cmd) => match cmd {
            PackCmd::Validate { paths, json } => validate(&paths, json, lang),
            PackCmd::List { json } => with_library(cli.checklists, lang, |lib| {
                render::pack_list(lib, json, lang);
                0
            }),
            PackCmd::Show { id, full, json } => with_library(cli.checklists, lang, |lib| {
                if let Some(p) = lib.pack(&id) {
                    render::pack_show(lib, p, full, json, lang);
                    0
                } else if let Some(found) = lib.requirement(&id) {
                    render::requirement_show(lib, found, json, lang);
                    0
                } else {
                    let ids: Vec<&str> = lib.packs.iter().map(|p| p.id.as_str()).collect();
                    let ids = ids.join(", ");
                    eprintln!(
                        "{}",
                        lang.pick(
                            &format!("错误：没有编号为 `{id}` 的检查单或要求（检查单：{ids}）"),
                            &format!("error: no pack or requirement `{id}` (packs: {ids})"),
                        )
                    );
                    2
                }
            }),
            PackCmd::ImportXlsx(a) => excel::pack_import(a, cli.checklists, lang),
            PackCmd::ExportXlsx(a) => excel::pack_export(a, cli.checklists, lang),
            PackCmd::ExportOscal(a) => excel::pack_export_oscal(a, cli.checklists, lang),
            PackCmd::ImportOscal(a) => excel::pack_import_oscal(a, cli.checklists, lang),
            PackCmd::ImportCiso(a) => excel::pack_import_ciso(a, cli.checklists, lang),
            PackCmd::Questions { json } => with_library(cli.checklists, lang, |lib| {
                render::questions(lib, json, lang);
                0
            }),
        },
    }
}

/// Loads the library (built-in, or `--checklists DIR` / `IOVAUDIT_CHECKLISTS`)
/// and runs `f` on it; a library with problems is reported, not used.
fn with_library(dir: Option<PathBuf>, lang: Lang, f: impl FnOnce(&Library) -> i32) -> i32 {
    let checklists = dir.or_else(|| std::env::var_os("IOVAUDIT_CHECKLISTS").map(PathBuf::from));
    match (project::Ctx { lang, checklists }).library() {
        Ok(lib) => f(&lib),
        Err(code) => code,
    }
}

fn validate(paths: &[PathBuf], json: bool, lang: Lang) -> i32 {
    let given = match pack::read_sources(paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "{}",
                lang.pick(&format!("错误：{}", e.zh()), &format!("error: {e}"))
            );
            return 2;
        }
    };
    let checked = given.len();
    let set = pack::validation_set(given, paths);
    let (lib, diags) = pack::check(&set);
    render::validation(&lib, &diags, checked, json, lang);
    if diags.is_empty() {
        0
    } else {
        1
    }
}
