//! CLI commands for reports, signing identities, filing packages and
//! verification: `identity new`, `report`, `package export`, `verify`.
//! Passwords come from IOVAUDIT_PASSWORD, standard input (--password-stdin)
//! or a prompt — never from the command line.

use super::project::Ctx;
use clap::Subcommand;
use iovaudit::i18n::Lang;
use iovaudit::package::{self, ExportOptions};
use iovaudit::project::Project;
use iovaudit::report::{self, ReportOptions};
use iovaudit::sign::{self, KeyAlgo, NewIdentity};
use serde_json::json;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum IdentityCmd {
    /// Create a local CA and a signing certificate (for self-checks) / 创建本地 CA 与签名证书
    New {
        #[arg(long)]
        name: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        out: PathBuf,
        /// rsa (RSA-3072) | p256 (ECDSA P-256)
        #[arg(long, default_value = "rsa")]
        algo: String,
        /// Also create an SM2 key and certificate for the manifest's SM2/SM3 signature
        #[arg(long)]
        sm2: bool,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show a PKCS#12 identity / 查看签名身份
    Show {
        p12: PathBuf,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum PackageCmd {
    /// Write the filing package (报送包) / 导出报送包
    Export {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        identity: PathBuf,
        /// Include the evidence files themselves
        #[arg(long)]
        with_evidence: bool,
        #[arg(long)]
        template: Option<PathBuf>,
        #[arg(long)]
        seal: Option<PathBuf>,
        #[arg(long)]
        number: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// The password: IOVAUDIT_PASSWORD, else stdin (when asked or not a terminal), else a prompt.
fn password(ctx: &Ctx, from_stdin: bool, confirm: bool) -> Result<String, i32> {
    if let Ok(p) = std::env::var("IOVAUDIT_PASSWORD") {
        return Ok(p);
    }
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|_| 2)?;
        let p = line.trim_end_matches(['\n', '\r']).to_string();
        if p.is_empty() {
            eprintln!(
                "{}",
                ctx.lang.pick(
                    "错误：未从标准输入读到口令",
                    "error: no password on standard input"
                )
            );
            return Err(2);
        }
        return Ok(p);
    }
    let p = rpassword::prompt_password(ctx.lang.pick("口令：", "Password: ")).map_err(|_| 2)?;
    if confirm {
        let again =
            rpassword::prompt_password(ctx.lang.pick("再次输入口令：", "Repeat password: "))
                .map_err(|_| 2)?;
        if again != p {
            eprintln!(
                "{}",
                ctx.lang
                    .pick("错误：两次输入的口令不一致", "error: the passwords differ")
            );
            return Err(2);
        }
    }
    Ok(p)
}

fn load_identity(ctx: &Ctx, p12: &Path, stdin: bool) -> Result<sign::Identity, i32> {
    let pw = password(ctx, stdin, false)?;
    sign::load_identity(p12, &pw).map_err(|e| {
        eprintln!(
            "{}",
            ctx.lang
                .pick(&format!("错误：{}", e.zh()), &format!("error: {e}"))
        );
        1
    })
}

fn fail(ctx: &Ctx, zh: String, en: String) -> i32 {
    eprintln!(
        "{}",
        ctx.lang
            .pick(&format!("错误：{zh}"), &format!("error: {en}"))
    );
    1
}

fn write_out(ctx: &Ctx, path: &Path, bytes: &[u8]) -> Result<(), i32> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(fail(
                ctx,
                format!("目录不存在：{}", parent.display()),
                format!("no such folder: {}", parent.display()),
            ));
        }
    }
    // Written beside the target and renamed, so a failure never leaves half a file.
    iovaudit::fsio::write_atomic(path, bytes).map_err(|e| {
        fail(
            ctx,
            format!("无法写入 {}：{e}", path.display()),
            format!("cannot write {}: {e}", path.display()),
        )
    })
}

/// `--template` takes a folder, or a name: `default` is the built-in template,
/// any other name is looked up as `report-templates/NAME` in the current folder.
fn resolve_template(ctx: &Ctx, t: Option<PathBuf>) -> Result<Option<PathBuf>, i32> {
    let Some(t) = t else { return Ok(None) };
    if t.is_dir() {
        return Ok(Some(t));
    }
    let name = t.to_string_lossy().into_owned();
    if name == "default" {
        return Ok(None);
    }
    let candidate = Path::new("report-templates").join(&name);
    if !name.contains(['/', '\\']) && candidate.is_dir() {
        return Ok(Some(candidate));
    }
    Err(fail(
        ctx,
        format!("找不到报告模板 `{name}`（应为模板文件夹，或 report-templates/ 下的模板名；内置模板名为 default）"),
        format!("no report template `{name}` (give a template folder, or a name under report-templates/; the built-in one is `default`)"),
    ))
}

pub fn identity(ctx: &Ctx, cmd: IdentityCmd) -> i32 {
    match cmd {
        IdentityCmd::New {
            name,
            org,
            out,
            algo,
            sm2,
            password_stdin,
        } => {
            let algo = match algo.as_str() {
                "rsa" | "rsa3072" => KeyAlgo::Rsa3072,
                "p256" | "ecdsa" => KeyAlgo::P256,
                _ => {
                    return fail(
                        ctx,
                        "--algo 应为 rsa 或 p256".into(),
                        "--algo must be rsa or p256".into(),
                    )
                }
            };
            let pw = match password(ctx, password_stdin, true) {
                Ok(p) => p,
                Err(c) => return c,
            };
            if pw.chars().count() < 8 {
                return fail(
                    ctx,
                    "口令至少 8 个字符".into(),
                    "the password must have at least 8 characters".into(),
                );
            }
            if let Err(e) = std::fs::create_dir_all(&out) {
                return fail(
                    ctx,
                    format!("无法创建 {}：{e}", out.display()),
                    format!("cannot create {}: {e}", out.display()),
                );
            }
            match sign::new_identity(
                &NewIdentity {
                    name,
                    org,
                    algo,
                    sm2,
                },
                &out,
                &pw,
            ) {
                Ok(files) => {
                    println!(
                        "{}{}",
                        ctx.lang
                            .pick("签名身份（PKCS#12）：", "signing identity (PKCS#12): "),
                        files.p12.display()
                    );
                    println!(
                        "{}{}",
                        ctx.lang.pick(
                            "CA 证书（交给接收方作为信任锚）：",
                            "CA certificate (give it to the receiver as trust anchor): "
                        ),
                        files.ca_pem.display()
                    );
                    if let Some(c) = files.sm2_cert {
                        println!(
                            "{}{}",
                            ctx.lang.pick("SM2 证书：", "SM2 certificate: "),
                            c.display()
                        );
                    }
                    0
                }
                Err(e) => fail(ctx, e.zh(), e.to_string()),
            }
        }
        IdentityCmd::Show {
            p12,
            password_stdin,
        } => match load_identity(ctx, &p12, password_stdin) {
            Ok(id) => {
                println!("CN: {}", id.subject_cn());
                println!("O:  {}", id.organisation());
                println!("SHA-256: {}", id.fingerprint_sha256());
                println!("SM2: {}", if id.has_sm2() { "yes" } else { "no" });
                0
            }
            Err(c) => c,
        },
    }
}

#[allow(clippy::too_many_arguments)]
pub fn report_cmd(
    ctx: &Ctx,
    dir: &Path,
    out: &Path,
    template: Option<PathBuf>,
    identity: Option<PathBuf>,
    xlsx: Option<PathBuf>,
    json_out: Option<PathBuf>,
    seal: Option<PathBuf>,
    number: Option<String>,
    password_stdin: bool,
) -> i32 {
    let template = match resolve_template(ctx, template) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let lib = match ctx.library() {
        Ok(l) => l,
        Err(c) => return c,
    };
    let p = match Project::open_read_only_with(dir, lib) {
        Ok(p) => p,
        Err(e) => return fail(ctx, e.zh(), e.to_string()),
    };
    let id = match &identity {
        Some(path) => match load_identity(ctx, path, password_stdin) {
            Ok(i) => Some(i),
            Err(c) => return c,
        },
        None => None,
    };
    let opts = ReportOptions {
        lang: ctx.lang,
        template,
        report_number: number,
        seal_png: seal,
        ..Default::default()
    };
    let pdf = match &id {
        Some(id) => match package::signed_report(&p, id, &opts) {
            Ok(b) => b,
            Err(e) => return fail(ctx, e.zh(), e.to_string()),
        },
        None => {
            let mut opts = opts.clone();
            if opts.generated_at.is_none() {
                opts.generated_at = package::document_time(&p).ok();
            }
            match report::build_model(&p, &opts).and_then(|m| report::render_pdf(&m, &opts)) {
                Ok(r) => r.bytes,
                Err(e) => return fail(ctx, e.zh(), e.to_string()),
            }
        }
    };
    if let Err(c) = write_out(ctx, out, &pdf) {
        return c;
    }
    let signed = if id.is_some() {
        ctx.lang.pick("（已签名）", " (signed)")
    } else {
        ""
    };
    println!(
        "{}{}{signed}",
        ctx.lang.pick("报告：", "report: "),
        out.display()
    );
    if xlsx.is_some() || json_out.is_some() {
        let mut opts = opts.clone();
        opts.generated_at = package::document_time(&p).ok();
        let model = match report::build_model(&p, &opts) {
            Ok(m) => m,
            Err(e) => return fail(ctx, e.zh(), e.to_string()),
        };
        if let Some(x) = xlsx {
            match report::render_xlsx(&model) {
                Ok(b) => {
                    if let Err(c) = write_out(ctx, &x, &b) {
                        return c;
                    }
                    println!("XLSX: {}", x.display());
                }
                Err(e) => return fail(ctx, e.zh(), e.to_string()),
            }
        }
        if let Some(j) = json_out {
            let v = report::render_json(&model);
            let b = serde_json::to_vec_pretty(&v).unwrap_or_default();
            if let Err(c) = write_out(ctx, &j, &b) {
                return c;
            }
            println!("JSON: {}", j.display());
        }
    }
    0
}

pub fn package_cmd(ctx: &Ctx, cmd: PackageCmd) -> i32 {
    match cmd {
        PackageCmd::Export {
            dir,
            out,
            identity,
            with_evidence,
            template,
            seal,
            number,
            password_stdin,
        } => {
            let template = match resolve_template(ctx, template) {
                Ok(t) => t,
                Err(c) => return c,
            };
            let lib = match ctx.library() {
                Ok(l) => l,
                Err(c) => return c,
            };
            let p = match Project::open_read_only_with(&dir, lib) {
                Ok(p) => p,
                Err(e) => return fail(ctx, e.zh(), e.to_string()),
            };
            let id = match load_identity(ctx, &identity, password_stdin) {
                Ok(i) => i,
                Err(c) => return c,
            };
            let opts = ExportOptions {
                with_evidence,
                report: ReportOptions {
                    lang: ctx.lang,
                    template,
                    report_number: number,
                    seal_png: seal,
                    ..Default::default()
                },
            };
            if let Some(parent) = out.parent().filter(|x| !x.as_os_str().is_empty()) {
                if !parent.is_dir() {
                    return fail(
                        ctx,
                        format!("目录不存在：{}", parent.display()),
                        format!("no such folder: {}", parent.display()),
                    );
                }
            }
            // Written beside the target and renamed, so a failure never leaves half a package.
            let file = match iovaudit::fsio::AtomicFile::create(&out) {
                Ok(f) => f,
                Err(e) => {
                    return fail(
                        ctx,
                        format!("无法写入 {}：{e}", out.display()),
                        format!("cannot write {}: {e}", out.display()),
                    )
                }
            };
            let res = package::export_to(&p, &id, &opts, file).and_then(|f| {
                f.commit()
                    .map(|_| ())
                    .map_err(|e| package::PackageError::Zip(format!("{}: {e}", out.display())))
            });
            match res {
                Ok(()) => {
                    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
                    println!(
                        "{}{}（{} KiB）",
                        ctx.lang.pick("报送包：", "filing package: "),
                        out.display(),
                        size / 1024
                    );
                    if p.meta()
                        .map(|m| m.state != iovaudit::project::State::Approved)
                        .unwrap_or(true)
                    {
                        eprintln!("{}", ctx.lang.pick("注意：项目尚未批准，报告带“草稿”水印", "note: the project is not approved; the report carries a DRAFT watermark"));
                    }
                    0
                }
                // An uncommitted AtomicFile removes its temporary file when dropped.
                Err(e) => fail(ctx, e.zh(), e.to_string()),
            }
        }
    }
}

pub fn verify_cmd(ctx: &Ctx, file: &Path, trust: Option<PathBuf>, json: bool) -> i32 {
    let mut fh = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "{}",
                ctx.lang.pick(
                    &format!("错误：无法读取 {}：{e}", file.display()),
                    &format!("error: cannot read {}: {e}", file.display())
                )
            );
            return 2;
        }
    };
    let len = fh.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = [0u8; 4];
    let is_pdf = std::io::Read::read_exact(&mut fh, &mut head).is_ok() && &head == b"%PDF";
    let _ = std::io::Seek::seek(&mut fh, std::io::SeekFrom::Start(0));
    let trust_der = match &trust {
        None => vec![],
        Some(t) => match std::fs::read_to_string(t)
            .map_err(|e| e.to_string())
            .and_then(|s| sign::pem_to_der_certs(&s).map_err(|e| e.to_string()))
        {
            Ok(c) if !c.is_empty() => c,
            Ok(_) => {
                return fail(
                    ctx,
                    format!("{} 中没有证书", t.display()),
                    format!("{} holds no certificate", t.display()),
                )
            }
            Err(e) => {
                return fail(
                    ctx,
                    format!("无法读取信任锚 {}：{e}", t.display()),
                    format!("cannot read trust anchor {}: {e}", t.display()),
                )
            }
        },
    };
    let v = if is_pdf {
        // A PDF is verified in memory; refuse absurd sizes rather than exhaust it.
        if len > 2 * 1024 * 1024 * 1024 {
            return fail(
                ctx,
                format!("{} 过大（{len} 字节）", file.display()),
                format!("{} is too large ({len} bytes)", file.display()),
            );
        }
        let mut bytes = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut fh, &mut bytes) {
            return fail(
                ctx,
                format!("无法读取 {}：{e}", file.display()),
                format!("cannot read {}: {e}", file.display()),
            );
        }
        package::verify_pdf(&bytes, &trust_der)
    } else {
        package::verify_package_from(std::io::BufReader::new(fh), len, &trust_der)
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"schema": 1, "file": file.display().to_string(), "verification": v})
            )
            .unwrap_or_default()
        );
    } else {
        for c in &v.checks {
            let mark = if c.ok { "✔" } else { "✘" };
            println!("{mark} {}", c.what.get(ctx.lang));
            for d in &c.detail {
                println!("    {d}");
            }
        }
        println!();
        println!("{}", v.verdict.get(ctx.lang));
    }
    let _ = Lang::Zh;
    if v.ok {
        0
    } else {
        1
    }
}
