//! The team commands of the CLI: `bundle export|import|show|merge`,
//! `assign`, and `project clone` (called from project.rs). The password of a
//! bundle comes from IOVAUDIT_PASSWORD, `--password-stdin` (first line) or a
//! prompt; the core never reads it itself.

use super::project::{json_out, open, open_ro, By, Ctx};
use clap::{Args, Subcommand};
use iovaudit::assess::merge::{self, MergeOptions, Take};
use iovaudit::bundle::{self, ExportOptions};
use iovaudit::project::ProjectError;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Args, Clone)]
pub struct Password {
    /// Read the bundle password from the first line of standard input
    /// (else IOVAUDIT_PASSWORD, else a prompt) / 从标准输入读取密码
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
pub enum BundleCmd {
    /// Write an encrypted bundle of the project (or one person's part) / 导出加密数据包
    Export {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Only the part assigned to this assessor / 仅导出分配给此评估人的部分
        #[arg(long = "for", value_name = "NAME", conflicts_with = "requirements")]
        for_name: Option<String>,
        /// Only these requirements (ids, section/pack ids, globs such as N134-*)
        #[arg(long, num_args = 1..)]
        requirements: Vec<String>,
        /// Carry the evidence files too / 包含证据文件
        #[arg(long)]
        with_evidence: bool,
        /// SM4-GCM instead of AES-256-GCM (commercial cryptography) / 使用 SM4-GCM
        #[arg(long)]
        sm4: bool,
        #[command(flatten)]
        password: Password,
        #[command(flatten)]
        by: By,
    },
    /// Make a project folder from a bundle / 从数据包创建项目
    Import {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        password: Password,
        #[command(flatten)]
        by: By,
    },
    /// Decrypt, check and list a bundle without writing anything / 查看数据包
    Show {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        password: Password,
    },
    /// Bring a colleague's bundle back into the project / 合并同事的数据包
    Merge {
        dir: PathBuf,
        file: PathBuf,
        /// Show what would happen, change nothing / 仅显示
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
        /// Resolve every conflict: ours | theirs
        #[arg(long)]
        take: Option<String>,
        /// Resolve one conflict: ID=ours|theirs (requirement or scope question id); repeatable
        #[arg(long = "take-req", value_name = "ID=ours|theirs")]
        take_req: Vec<String>,
        #[command(flatten)]
        password: Password,
        #[command(flatten)]
        by: By,
    },
}

fn say(ctx: &Ctx, zh: &str, en: &str) {
    println!("{}", ctx.lang.pick(zh, en));
}

fn fail(ctx: &Ctx, zh: String, en: String) -> i32 {
    eprintln!(
        "{}",
        ctx.lang
            .pick(&format!("错误：{zh}"), &format!("error: {en}"))
    );
    2
}

/// The bundle password: IOVAUDIT_PASSWORD, `--password-stdin`, or a prompt
/// (asked twice when `confirm`).
fn password(ctx: &Ctx, p: &Password, confirm: bool) -> Result<Vec<u8>, i32> {
    if p.password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| {
            fail(
                ctx,
                format!("无法读取标准输入：{e}"),
                format!("cannot read standard input: {e}"),
            )
        })?;
        return Ok(line.trim_end_matches(['\r', '\n']).as_bytes().to_vec());
    }
    if let Ok(v) = std::env::var("IOVAUDIT_PASSWORD") {
        return Ok(v.into_bytes());
    }
    if !std::io::stdin().is_terminal() {
        return Err(fail(
            ctx,
            "需要数据包密码：设置 IOVAUDIT_PASSWORD，或使用 --password-stdin".into(),
            "a bundle password is needed: set IOVAUDIT_PASSWORD or use --password-stdin".into(),
        ));
    }
    let a = rpassword::prompt_password(ctx.lang.pick("数据包密码：", "Bundle password: "))
        .map_err(|_| 2)?;
    if confirm {
        let b = rpassword::prompt_password(ctx.lang.pick("再次输入密码：", "Repeat password: "))
            .map_err(|_| 2)?;
        if a != b {
            return Err(fail(
                ctx,
                "两次输入的密码不一致".into(),
                "the passwords do not match".into(),
            ));
        }
    }
    Ok(a.into_bytes())
}

pub fn bundle_cmd(ctx: &Ctx, cmd: BundleCmd) -> i32 {
    match cmd {
        BundleCmd::Export {
            dir,
            out,
            for_name,
            requirements,
            with_evidence,
            sm4,
            password: pw,
            by,
        } => {
            let p = match open_ro(ctx, &dir) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let pass = match password(ctx, &pw, true) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let opts = ExportOptions {
                for_assignee: for_name,
                requirements,
                with_evidence,
                sm4,
                kdf: None,
            };
            match bundle::export(&p, &by.name(), &pass, &out, &opts) {
                Ok(m) => {
                    let files = m.files.len();
                    let bytes: u64 = m.files.iter().map(|f| f.size).sum();
                    let part = m.part.requirements.len();
                    say(
                        ctx,
                        &format!(
                            "已写入 {}（{} 个文件，{} 字节明文；{}）",
                            out.display(),
                            files,
                            bytes,
                            if part == 0 {
                                "整个项目".to_string()
                            } else {
                                format!("{part} 项要求")
                            }
                        ),
                        &format!(
                            "wrote {} ({files} file(s), {bytes} plaintext bytes; {})",
                            out.display(),
                            if part == 0 {
                                "the whole project".to_string()
                            } else {
                                format!("{part} requirement(s)")
                            }
                        ),
                    );
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        BundleCmd::Import {
            file,
            out,
            password: pw,
            by,
        } => {
            let pass = match password(ctx, &pw, false) {
                Ok(p) => p,
                Err(c) => return c,
            };
            match bundle::import(&file, &pass, &out, &by.name()) {
                Ok(info) => {
                    let m = &info.manifest;
                    say(
                        ctx,
                        &format!(
                            "已由数据包创建项目 {}（{}，{} 导出于 {}）",
                            out.display(),
                            m.project_name,
                            m.made_by,
                            m.made_at
                        ),
                        &format!(
                            "created project {} from the bundle ({}, exported by {} at {})",
                            out.display(),
                            m.project_name,
                            m.made_by,
                            m.made_at
                        ),
                    );
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        BundleCmd::Show {
            file,
            json,
            password: pw,
        } => {
            let pass = match password(ctx, &pw, false) {
                Ok(p) => p,
                Err(c) => return c,
            };
            match bundle::show(&file, &pass) {
                Ok(info) => {
                    if json {
                        json_out(&json!({"schema": 1, "bundle": info}));
                        return 0;
                    }
                    let m = &info.manifest;
                    say(
                        ctx,
                        &format!(
                            "数据包 {}：{}，Argon2id（{} KiB，{} 轮），已校验完整",
                            file.display(),
                            info.algorithm.name(),
                            info.kdf.m_cost,
                            info.kdf.t_cost
                        ),
                        &format!(
                            "bundle {}: {}, Argon2id ({} KiB, {} passes), verified intact",
                            file.display(),
                            info.algorithm.name(),
                            info.kdf.m_cost,
                            info.kdf.t_cost
                        ),
                    );
                    say(
                        ctx,
                        &format!(
                            "项目：{}（{}），UUID {}",
                            m.project_name, m.assessee, m.project_uuid
                        ),
                        &format!(
                            "project: {} ({}), uuid {}",
                            m.project_name, m.assessee, m.project_uuid
                        ),
                    );
                    say(
                        ctx,
                        &format!(
                            "导出：{} 于 {}（iovaudit {}，数据库版本 {}）",
                            m.made_by, m.made_at, m.app_version, m.schema
                        ),
                        &format!(
                            "made by {} at {} (iovaudit {}, schema {})",
                            m.made_by, m.made_at, m.app_version, m.schema
                        ),
                    );
                    if let Some(a) = &m.part.assignee {
                        say(ctx, &format!("分配给：{a}"), &format!("for: {a}"));
                    }
                    if !m.part.requirements.is_empty() {
                        say(
                            ctx,
                            &format!("要求：{}", m.part.requirements.join(", ")),
                            &format!("requirements: {}", m.part.requirements.join(", ")),
                        );
                    }
                    say(ctx, &format!("判定 {} 条，证据 {} 项，问题 {} 个；日志 {} 条，末条哈希 {}", m.verdicts, m.evidence, m.findings, m.journal_entries, m.journal_head.as_deref().unwrap_or("-")), &format!("{} verdict(s), {} evidence item(s), {} finding(s); journal {} entries, head {}", m.verdicts, m.evidence, m.findings, m.journal_entries, m.journal_head.as_deref().unwrap_or("-")));
                    for f in &m.files {
                        println!("  {:<75} {:>12}  {}", f.name, f.size, f.sha256);
                    }
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
        BundleCmd::Merge {
            dir,
            file,
            dry_run,
            json,
            take,
            take_req,
            password: pw,
            by,
        } => {
            let mut opts = MergeOptions {
                dry_run,
                ..Default::default()
            };
            if let Some(t) = take {
                match Take::parse(&t) {
                    Some(t) => opts.take = Some(t),
                    None => {
                        return fail(
                            ctx,
                            format!("--take 应为 ours 或 theirs，而不是 `{t}`"),
                            format!("--take takes ours or theirs, not `{t}`"),
                        )
                    }
                }
            }
            for tr in take_req {
                let parsed = tr
                    .split_once('=')
                    .and_then(|(id, t)| Take::parse(t).map(|t| (id.trim().to_string(), t)));
                match parsed {
                    Some((id, t)) if !id.is_empty() => {
                        opts.per_item.insert(id, t);
                    }
                    _ => {
                        return fail(
                            ctx,
                            format!("--take-req 应写作 编号=ours|theirs，而不是 `{tr}`"),
                            format!("--take-req takes ID=ours|theirs, not `{tr}`"),
                        )
                    }
                }
            }
            let pass = match password(ctx, &pw, false) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let mut p = match if dry_run {
                open_ro(ctx, &dir)
            } else {
                open(ctx, &dir)
            } {
                Ok(p) => p,
                Err(c) => return c,
            };
            match merge_bundle(&mut p, &by.name(), &file, &pass, &opts) {
                Ok(rep) => {
                    if json {
                        json_out(&json!({"schema": 1, "merge": rep}));
                        return 0;
                    }
                    print_merge(ctx, &rep);
                    0
                }
                Err(e) => ctx.fail(&e),
            }
        }
    }
}

/// Decrypts the bundle into a temporary folder inside the project and merges it.
fn merge_bundle(
    p: &mut iovaudit::project::Project,
    by: &str,
    file: &Path,
    pass: &[u8],
    opts: &MergeOptions,
) -> Result<merge::MergeReport, ProjectError> {
    iovaudit::bundle::merge_file(p, by, file, pass, opts)
}

fn print_merge(ctx: &Ctx, r: &merge::MergeReport) {
    if r.unchanged {
        say(
            ctx,
            "没有需要合并的内容（此数据包已合并过）；未做任何修改",
            "nothing to merge (this bundle was merged before); nothing changed",
        );
        return;
    }
    if r.dry_run {
        say(
            ctx,
            "（试运行：未做任何修改）",
            "(dry run: nothing changed)",
        );
    }
    say(
        ctx,
        &format!(
            "采用对方判定 {} 条：{}",
            r.verdicts_taken.len(),
            r.verdicts_taken.join(", ")
        ),
        &format!(
            "verdicts taken from them: {} {}",
            r.verdicts_taken.len(),
            r.verdicts_taken.join(", ")
        ),
    );
    if !r.scope_taken.is_empty() {
        say(
            ctx,
            &format!("采用对方适用范围回答：{}", r.scope_taken.join(", ")),
            &format!("scope answers taken: {}", r.scope_taken.join(", ")),
        );
    }
    say(
        ctx,
        &format!(
            "问题：新增 {}，更新 {}",
            r.findings_added.len(),
            r.findings_updated.len()
        ),
        &format!(
            "findings: {} added, {} updated",
            r.findings_added.len(),
            r.findings_updated.len()
        ),
    );
    let e = &r.evidence;
    say(ctx, &format!("证据：新增 {}，按哈希合并 {}，新修订 {}，新关联 {}，存入文件 {}", e.added, e.matched_by_hash, e.revisions_added, e.links_added, e.files_to_store), &format!("evidence: {} added, {} matched by hash, {} revision(s), {} link(s), {} file(s) to store", e.added, e.matched_by_hash, e.revisions_added, e.links_added, e.files_to_store));
    for t in &e.skipped_no_file {
        say(
            ctx,
            &format!("  未合并（数据包不含文件，请用 --with-evidence 导出）：{t}"),
            &format!("  not merged (the bundle lacks the file; export with --with-evidence): {t}"),
        );
    }
    if !r.conflicts.is_empty() {
        say(
            ctx,
            &format!("冲突 {} 处：", r.conflicts.len()),
            &format!("{} conflict(s):", r.conflicts.len()),
        );
        for c in &r.conflicts {
            let how = match c.resolution {
                Some(Take::Ours) => ctx.lang.pick("→ 保留本方", "→ keep ours"),
                Some(Take::Theirs) => ctx.lang.pick("→ 采用对方", "→ take theirs"),
                None => ctx.lang.pick("→ 未解决", "→ unresolved"),
            };
            println!("  [{}] {} {how}", c.kind, merge::describe(c).get(ctx.lang));
        }
    }
    say(
        ctx,
        &format!(
            "对方日志：{} 条，末条哈希 {}{}",
            r.journal_entries,
            r.journal_head.as_deref().unwrap_or("-"),
            if r.journal_already_imported {
                "（已导入过）"
            } else {
                ""
            }
        ),
        &format!(
            "their journal: {} entries, head {}{}",
            r.journal_entries,
            r.journal_head.as_deref().unwrap_or("-"),
            if r.journal_already_imported {
                " (imported before)"
            } else {
                ""
            }
        ),
    );
}

/// `iovaudit assign DIR NAME PATTERN…` / `assign DIR --clear PATTERN…` / `assign DIR`.
#[derive(Args)]
pub struct AssignArgs {
    dir: PathBuf,
    /// NAME PATTERN… (or, with --clear, PATTERN…); nothing: list the assignments
    args: Vec<String>,
    /// Remove the assignments of these patterns / 取消分配
    #[arg(long)]
    clear: bool,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    by: By,
}

pub fn assign_cmd(ctx: &Ctx, a: AssignArgs) -> i32 {
    if a.args.is_empty() {
        let p = match open_ro(ctx, &a.dir) {
            Ok(p) => p,
            Err(c) => return c,
        };
        let (list, progress) = match (merge::assignments(&p), merge::progress(&p)) {
            (Ok(l), Ok(g)) => (l, g),
            (Err(e), _) | (_, Err(e)) => return ctx.fail(&e),
        };
        if a.json {
            json_out(&json!({"schema": 1, "assignments": list, "progress": progress}));
            return 0;
        }
        for x in &list {
            println!("{:<20} {}", x.pattern, x.assignee);
        }
        for g in &progress {
            let who = if g.assessor.is_empty() {
                ctx.lang.pick("（未分配）", "(unassigned)").to_string()
            } else {
                g.assessor.clone()
            };
            say(
                ctx,
                &format!("{who}：{}/{} 已判定", g.done, g.assigned),
                &format!("{who}: {}/{} judged", g.done, g.assigned),
            );
        }
        return 0;
    }
    let mut p = match open(ctx, &a.dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let by = a.by.name();
    if a.clear {
        return match merge::clear_assignments(&mut p, &by, &a.args) {
            Ok(n) => {
                say(
                    ctx,
                    &format!("已取消 {n} 项分配"),
                    &format!("cleared {n} assignment(s)"),
                );
                0
            }
            Err(e) => ctx.fail(&e),
        };
    }
    let name = a.args[0].clone();
    let patterns = a.args[1..].to_vec();
    match merge::assign(&mut p, &by, &name, &patterns) {
        Ok(n) => {
            say(
                ctx,
                &format!("已将 {n} 项要求分配给 {name}"),
                &format!("assigned {n} requirement(s) to {name}"),
            );
            0
        }
        Err(e) => ctx.fail(&e),
    }
}

/// `project clone DIR --out NEW [--with-evidence]`.
pub fn clone_cmd(ctx: &Ctx, dir: &Path, out: &Path, with_evidence: bool, by: &str) -> i32 {
    let lib = match ctx.library() {
        Ok(l) => l,
        Err(c) => return c,
    };
    let p = match open_ro(ctx, dir) {
        Ok(p) => p,
        Err(c) => return c,
    };
    match bundle::clone::clone_project(&p, out, by, with_evidence, lib) {
        Ok(r) => {
            say(
                ctx,
                &format!("已创建下一周期项目 {}：沿用上一周期判定 {} 条作参考，未关闭问题 {} 个，证据 {} 项；来源快照 {}", out.display(), r.previous_verdicts, r.open_findings, r.evidence, r.source_snapshot),
                &format!("created the next cycle {}: {} previous verdict(s) kept as reference, {} open finding(s), {} evidence item(s); source snapshot {}", out.display(), r.previous_verdicts, r.open_findings, r.evidence, r.source_snapshot),
            );
            for (pk, from, to) in &r.upgraded {
                say(
                    ctx,
                    &format!("  检查单 {pk}：{from} → {to}"),
                    &format!("  pack {pk}: {from} → {to}"),
                );
            }
            0
        }
        Err(e) => ctx.fail(&e),
    }
}
