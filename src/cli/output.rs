//! CLI commands for reports, signing identities, filing packages and
//! verification: `identity new`, `identity show`, `report`, `package export`, `verify`.
//! A PKCS#12 with several keys needs `--key-alias` (alias or certificate fingerprint).
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
    /// Show a PKCS#12 identity, listing every key it holds / 查看签名身份（列出其中每个密钥）
    Show {
        p12: PathBuf,
        /// Show only this key: its alias (friendly name) or certificate fingerprint (SHA-256 or SHA-1, at least 8 hex digits)
        #[arg(long)]
        key_alias: Option<String>,
        /// Read the password from the first line of standard input (an empty line is the empty password)
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
        /// The key to sign with when the PKCS#12 holds several: alias or certificate fingerprint
        #[arg(long)]
        key_alias: Option<String>,
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
    password_with(ctx, from_stdin, confirm, false)
}

/// As [`password`]; with `allow_empty` (opening a file, not making one), an empty line on
/// standard input is the empty password (end of input without a line is still an error).
fn password_with(
    ctx: &Ctx,
    from_stdin: bool,
    confirm: bool,
    allow_empty: bool,
) -> Result<String, i32> {
    if let Ok(p) = std::env::var("IOVAUDIT_PASSWORD") {
        return Ok(p);
    }
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|_| 2)?;
        let p = line.trim_end_matches(['\n', '\r']).to_string();
        if p.is_empty() && (n == 0 || !allow_empty) {
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

fn load_identity(
    ctx: &Ctx,
    p12: &Path,
    key_alias: Option<&str>,
    stdin: bool,
) -> Result<sign::Identity, i32> {
    let pw = password_with(ctx, stdin, false, true)?;
    sign::load_identity_with(p12, &pw, key_alias).map_err(|e| sign_fail(ctx, &e))
}

/// Prints a signing error (and, when a key must be chosen, how to choose it).
fn sign_fail(ctx: &Ctx, e: &sign::SignError) -> i32 {
    eprintln!(
        "{}",
        ctx.lang
            .pick(&format!("错误：{}", e.zh()), &format!("error: {e}"))
    );
    if matches!(
        e,
        sign::SignError::AmbiguousKey { .. } | sign::SignError::KeyNotFound { .. }
    ) {
        eprintln!(
            "{}",
            ctx.lang.pick(
                "提示：用 --key-alias 别名 或 --key-alias 证书指纹（SHA-256/SHA-1，至少 8 位十六进制）选择密钥；`iovaudit identity show 文件` 列出全部密钥",
                "hint: choose the key with --key-alias ALIAS or --key-alias FINGERPRINT (SHA-256/SHA-1, at least 8 hex digits); `iovaudit identity show FILE` lists them"
            )
        );
    }
    1
}

fn print_identity(ctx: &Ctx, id: &sign::Identity) {
    println!("CN: {}", id.subject_cn());
    println!("O:  {}", id.organisation());
    println!("SHA-256: {}", id.fingerprint_sha256());
    println!(
        "{}{}",
        ctx.lang.pick("密钥：", "key: "),
        id.key_description()
    );
    println!(
        "{}{}",
        ctx.lang.pick(
            "证书链（签名者证书之外）：",
            "chain (besides the signer's): "
        ),
        id.chain_len()
    );
    println!("SM2: {}", if id.has_sm2() { "yes" } else { "no" });
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
            key_alias,
            password_stdin,
        } => {
            let pw = match password_with(ctx, password_stdin, false, true) {
                Ok(p) => p,
                Err(c) => return c,
            };
            if key_alias.is_some() {
                return match sign::load_identity_with(&p12, &pw, key_alias.as_deref()) {
                    Ok(id) => {
                        print_identity(ctx, &id);
                        0
                    }
                    Err(e) => sign_fail(ctx, &e),
                };
            }
            let keys = match sign::list_keys(&p12, &pw) {
                Ok(k) => k,
                Err(e) => return sign_fail(ctx, &e),
            };
            if keys.len() == 1 {
                return match sign::load_identity_with(&p12, &pw, None) {
                    Ok(id) => {
                        if let Some(a) = &keys[0].alias {
                            println!("{}{a}", ctx.lang.pick("别名：", "alias: "));
                        }
                        print_identity(ctx, &id);
                        0
                    }
                    Err(e) => sign_fail(ctx, &e),
                };
            }
            println!(
                "{}",
                ctx.lang.pick(
                    &format!(
                        "{}：{} 个密钥（签名时用 --key-alias 选择其一）",
                        p12.display(),
                        keys.len()
                    ),
                    &format!(
                        "{}: {} keys (choose one with --key-alias when signing)",
                        p12.display(),
                        keys.len()
                    )
                )
            );
            for k in &keys {
                println!(
                    "[{}] {}{}",
                    k.index,
                    ctx.lang.pick("别名：", "alias: "),
                    k.alias.as_deref().unwrap_or("-")
                );
                println!("    CN: {}", k.subject_cn);
                println!("    O:  {}", k.organisation);
                println!(
                    "    SHA-256: {}",
                    k.fingerprint_sha256.as_deref().unwrap_or("-")
                );
                println!("    {}{}", ctx.lang.pick("密钥：", "key: "), k.key);
                if let Some(p) = &k.problem {
                    println!(
                        "    {}{p}",
                        ctx.lang.pick("不能用于签名：", "cannot sign: ")
                    );
                }
            }
            0
        }
    }
}

/// `report`, signing with `key_alias` (alias or certificate fingerprint) chosen
/// from the PKCS#12 when it holds several keys.
#[allow(clippy::too_many_arguments)]
pub fn report_cmd_with_key(
    ctx: &Ctx,
    dir: &Path,
    out: &Path,
    template: Option<PathBuf>,
    identity: Option<PathBuf>,
    key_alias: Option<String>,
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
        Some(path) => match load_identity(ctx, path, key_alias.as_deref(), password_stdin) {
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
            key_alias,
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
            let id = match load_identity(ctx, &identity, key_alias.as_deref(), password_stdin) {
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
        // At most `sign::MAX_TRUST_FILE`, PEM or DER; errors name the file.
        Some(t) => match sign::read_trust_file(t) {
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
                    format!("无法读取信任锚：{}", e.zh()),
                    format!("cannot read trust anchor: {e}"),
                )
            }
        },
    };
    let v = if is_pdf {
        // A PDF is verified in memory: at most `sign::MAX_PDF_FILE`.
        let bytes = match sign::read_pdf_file(file) {
            Ok(b) => b,
            Err(e) => return fail(ctx, e.zh(), e.to_string()),
        };
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
        // The file first, so that every reason below is about a named file.
        println!(
            "{}",
            ctx.lang.pick(
                &format!("文件：{}", file.display()),
                &format!("file: {}", file.display())
            )
        );
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
