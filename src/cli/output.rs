//! CLI commands for reports, signing identities, filing packages and
//! verification: `identity new`, `identity show`, `identity import`, `report`,
//! `package export`, `verify`.
//! A PKCS#12 with several keys needs `--key-alias` (alias or certificate fingerprint).
//! A key on a token (USB key, HSM) is used through its PKCS#11 module
//! (`--pkcs11-module PATH --pkcs11-token LABEL --pkcs11-key LABEL [--cert FILE]`).
//! Passwords come from IOVAUDIT_PASSWORD, standard input (--password-stdin)
//! or a prompt; token PINs from IOVAUDIT_PIN, standard input (--pin-stdin) or
//! a prompt — never from the command line.

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
    /// Import a key and its certificate chain made elsewhere (RSA, P-256 or SM2) / 导入外部签发的密钥与证书链
    Import {
        /// The private key: PEM or DER (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC 1 EC)
        #[arg(long)]
        key: PathBuf,
        /// The key's certificate and the certificates above it (PEM in any order, or one DER)
        #[arg(long)]
        cert: PathBuf,
        /// FILE.p12 (RSA/P-256), or the identity folder (signer.p12 + ca.pem; an SM2 pair goes beside signer.p12)
        #[arg(long)]
        out: PathBuf,
        /// Read the password from the first line of standard input (it also decrypts an encrypted key)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show a PKCS#12 identity, listing every key it holds; or the tokens of a PKCS#11 module / 查看签名身份（列出其中每个密钥）或 PKCS#11 令牌
    Show {
        /// The PKCS#12 file (not with --pkcs11-module)
        #[arg(
            required_unless_present = "pkcs11_module",
            conflicts_with = "pkcs11_module"
        )]
        p12: Option<PathBuf>,
        /// List the tokens of this PKCS#11 module (with --pkcs11-token: that token's keys and certificates)
        #[arg(long, value_name = "PATH")]
        pkcs11_module: Option<PathBuf>,
        /// The token to list (asks for its PIN: IOVAUDIT_PIN, --pin-stdin or a prompt)
        #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
        pkcs11_token: Option<String>,
        /// Read the token PIN from the first line of standard input
        #[arg(long, requires = "pkcs11_module")]
        pin_stdin: bool,
        /// Show only this key: its alias (friendly name) or certificate fingerprint (SHA-256 or SHA-1, at least 8 hex digits)
        #[arg(long)]
        key_alias: Option<String>,
        /// Read the password from the first line of standard input (an empty line is the empty password)
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A signing key on a token (USB key, smart card, HSM), through PKCS#11.
#[derive(clap::Args, Clone, Default)]
pub struct TokenArgs {
    /// Sign with a key on a token: its PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so) / 令牌的 PKCS#11 模块
    #[arg(long, value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,
    /// The token's label / 令牌标签
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub pkcs11_token: Option<String>,
    /// The private key's label on the token (or its CKA_ID in hex) / 私钥标签
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub pkcs11_key: Option<String>,
    /// The key's certificate when it is not on the token (PEM, may carry the chain, or DER) / 证书文件
    #[arg(long, value_name = "FILE", requires = "pkcs11_module")]
    pub cert: Option<PathBuf>,
    /// Read the token PIN from the first line of standard input (else IOVAUDIT_PIN, else a prompt)
    #[arg(long, requires = "pkcs11_module")]
    pub pin_stdin: bool,
}

#[derive(Subcommand)]
pub enum PackageCmd {
    /// Write the filing package (报送包) / 导出报送包
    Export {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Sign with this PKCS#12 identity (or with a token: --pkcs11-module …)
        #[arg(
            long,
            required_unless_present = "pkcs11_module",
            conflicts_with = "pkcs11_module"
        )]
        identity: Option<PathBuf>,
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
        #[command(flatten)]
        token: TokenArgs,
    },
}

/// The token PIN: IOVAUDIT_PIN, else standard input (when asked or not a terminal), else a
/// prompt. An empty PIN is allowed (a token with a PIN pad asks on the device).
fn token_pin(ctx: &Ctx, from_stdin: bool) -> Result<String, i32> {
    if let Ok(p) = std::env::var("IOVAUDIT_PIN") {
        return Ok(p);
    }
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|_| 2)?;
        if n == 0 {
            eprintln!(
                "{}",
                ctx.lang.pick(
                    "错误：未从标准输入读到令牌 PIN（也可用环境变量 IOVAUDIT_PIN）",
                    "error: no token PIN on standard input (IOVAUDIT_PIN also works)"
                )
            );
            return Err(2);
        }
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    rpassword::prompt_password(ctx.lang.pick("令牌 PIN：", "Token PIN: ")).map_err(|_| 2)
}

/// Opens the token key named by `t` (module, token and key all given).
fn load_token(ctx: &Ctx, t: &TokenArgs) -> Result<sign::Identity, i32> {
    let Some(module) = &t.pkcs11_module else {
        return Err(2);
    };
    let (Some(token), Some(key)) = (&t.pkcs11_token, &t.pkcs11_key) else {
        eprintln!(
            "{}",
            ctx.lang.pick(
                "错误：使用 --pkcs11-module 签名时还须给出 --pkcs11-token 令牌标签 和 --pkcs11-key 私钥标签（`iovaudit identity show --pkcs11-module 模块 --pkcs11-token 令牌` 列出它们）",
                "error: signing with --pkcs11-module also needs --pkcs11-token LABEL and --pkcs11-key LABEL (`iovaudit identity show --pkcs11-module MODULE --pkcs11-token TOKEN` lists them)"
            )
        );
        return Err(2);
    };
    let pin = token_pin(ctx, t.pin_stdin)?;
    let spec = sign::TokenKeySpec {
        module: module.clone(),
        token: token.clone(),
        key: key.clone(),
        cert: t.cert.clone(),
    };
    sign::load_token_identity(&spec, &pin).map_err(|e| sign_fail(ctx, &e))
}

/// The signing identity: a PKCS#12 (`p12`) or a token key (`t`), or none.
pub fn load_signer(
    ctx: &Ctx,
    p12: Option<&Path>,
    key_alias: Option<&str>,
    password_stdin: bool,
    t: &TokenArgs,
) -> Result<Option<sign::Identity>, i32> {
    match (p12, &t.pkcs11_module) {
        (Some(_), Some(_)) => Err(fail(
            ctx,
            "--identity 与 --pkcs11-module 只能选其一".into(),
            "give either --identity or --pkcs11-module, not both".into(),
        )),
        (Some(p), None) => load_identity(ctx, p, key_alias, password_stdin).map(Some),
        (None, Some(_)) => load_token(ctx, t).map(Some),
        (None, None) => Ok(None),
    }
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
        sign::SignError::TokenKey { .. } | sign::SignError::TokenNotFound { .. }
    ) {
        eprintln!(
            "{}",
            ctx.lang.pick(
                "提示：`iovaudit identity show --pkcs11-module 模块` 列出令牌，再加 --pkcs11-token 令牌标签 列出其中的私钥与证书",
                "hint: `iovaudit identity show --pkcs11-module MODULE` lists the tokens; add --pkcs11-token LABEL to list a token's keys and certificates"
            )
        );
    }
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
    if id.has_sm2() {
        println!(
            "SM2: yes{}",
            match id.sm2_chain_len() {
                0 => String::new(),
                n => ctx
                    .lang
                    .pick(
                        &format!("（证书链 {n} 张，已逐级验证）"),
                        &format!(" (chain of {n}, every link checked)"),
                    )
                    .to_string(),
            }
        );
    } else {
        println!("SM2: no");
    }
}

/// `identity show --pkcs11-module M [--pkcs11-token T]`.
fn show_tokens(ctx: &Ctx, module: &Path, token: Option<&str>, pin_stdin: bool) -> i32 {
    let yes_no = |b: bool| {
        if b {
            ctx.lang.pick("是", "yes")
        } else {
            ctx.lang.pick("否", "no")
        }
    };
    let Some(token) = token else {
        let tokens = match sign::list_tokens(module) {
            Ok(t) => t,
            Err(e) => return sign_fail(ctx, &e),
        };
        println!(
            "{}",
            ctx.lang.pick(
                &format!("{}：{} 个令牌", module.display(), tokens.len()),
                &format!("{}: {} token(s)", module.display(), tokens.len())
            )
        );
        for t in &tokens {
            println!(
                "[{}] {}{}",
                t.slot,
                ctx.lang.pick("标签：", "label: "),
                t.label
            );
            println!(
                "    {}{} / {}",
                ctx.lang.pick("厂商/型号：", "manufacturer/model: "),
                t.manufacturer,
                t.model
            );
            println!("    {}{}", ctx.lang.pick("序列号：", "serial: "), t.serial);
            println!(
                "    {}{}",
                ctx.lang.pick("需要 PIN：", "PIN required: "),
                yes_no(t.login_required)
            );
        }
        return 0;
    };
    let pin = match token_pin(ctx, pin_stdin) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let c = match sign::list_token_objects(module, token, Some(&pin)) {
        Ok(c) => c,
        Err(e) => return sign_fail(ctx, &e),
    };
    println!(
        "{}{} ({} / {}, {}{})",
        ctx.lang.pick("令牌：", "token: "),
        c.token.label,
        c.token.manufacturer,
        c.token.model,
        ctx.lang.pick("序列号 ", "serial "),
        c.token.serial
    );
    println!(
        "{}",
        ctx.lang.pick(
            &format!(
                "私钥 {} 个（签名时用 --pkcs11-key 标签 选择）：",
                c.keys.len()
            ),
            &format!(
                "{} private key(s) (choose one with --pkcs11-key LABEL):",
                c.keys.len()
            )
        )
    );
    for k in &c.keys {
        println!("  - {}{}", ctx.lang.pick("标签：", "label: "), k.label);
        println!("    CKA_ID: {}", if k.id.is_empty() { "-" } else { &k.id });
        println!("    {}{}", ctx.lang.pick("密钥：", "key: "), k.key);
        if let Some(p) = &k.problem {
            println!(
                "    {}{p}",
                ctx.lang.pick("不能用于签名：", "cannot sign: ")
            );
        }
    }
    println!(
        "{}",
        ctx.lang.pick(
            &format!("证书 {} 张：", c.certs.len()),
            &format!("{} certificate(s):", c.certs.len())
        )
    );
    for x in &c.certs {
        println!("  - {}{}", ctx.lang.pick("标签：", "label: "), x.label);
        println!("    CKA_ID: {}", if x.id.is_empty() { "-" } else { &x.id });
        println!("    CN: {}", x.subject_cn);
        println!("    O:  {}", x.organisation);
        println!("    SHA-256: {}", x.fingerprint_sha256);
    }
    0
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
        IdentityCmd::Import {
            key,
            cert,
            out,
            password_stdin,
        } => {
            let pw = match password(ctx, password_stdin, true) {
                Ok(p) => p,
                Err(c) => return c,
            };
            let beside_existing = out.join(sign::P12_FILE).is_file();
            if !beside_existing && pw.chars().count() < 8 {
                return fail(
                    ctx,
                    "口令至少 8 个字符".into(),
                    "the password must have at least 8 characters".into(),
                );
            }
            match sign::import_identity(&key, &cert, &out, &pw) {
                Ok(imp) => {
                    println!("CN: {}", imp.subject_cn);
                    println!("O:  {}", imp.organisation);
                    println!("SHA-256: {}", imp.fingerprint_sha256);
                    println!("{}{}", ctx.lang.pick("密钥：", "key: "), imp.key);
                    println!(
                        "{}{}",
                        ctx.lang.pick(
                            "上级证书（已逐级验证签名）：",
                            "certificates above it (every link checked): "
                        ),
                        imp.chain_len
                    );
                    for f in &imp.files {
                        println!("{}{}", ctx.lang.pick("已写入：", "written: "), f.display());
                    }
                    0
                }
                Err(e) => sign_fail(ctx, &e),
            }
        }
        IdentityCmd::Show {
            p12,
            key_alias,
            password_stdin,
            pkcs11_module,
            pkcs11_token,
            pin_stdin,
        } => {
            if let Some(module) = &pkcs11_module {
                return show_tokens(ctx, module, pkcs11_token.as_deref(), pin_stdin);
            }
            let Some(p12) = p12 else {
                return 2;
            };
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
                    let p = p.get(ctx.lang);
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
    out: Option<&Path>,
    template: Option<PathBuf>,
    identity: Option<PathBuf>,
    key_alias: Option<String>,
    xlsx: Option<PathBuf>,
    json_out: Option<PathBuf>,
    docx: Option<PathBuf>,
    seal: Option<PathBuf>,
    number: Option<String>,
    password_stdin: bool,
    token: TokenArgs,
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
    let id = match load_signer(
        ctx,
        identity.as_deref(),
        key_alias.as_deref(),
        password_stdin,
        &token,
    ) {
        Ok(i) => i,
        Err(c) => return c,
    };
    let opts = ReportOptions {
        lang: ctx.lang,
        template,
        report_number: number,
        seal_png: seal,
        time_zone: Some(super::project::system_zone().name().to_string()),
        ..Default::default()
    };
    let pdf = match (&id, out) {
        (_, None) => None,
        (Some(id), Some(_)) => match package::signed_report(&p, id, &opts) {
            Ok(b) => Some(b),
            Err(e) => return fail(ctx, e.zh(), e.to_string()),
        },
        (None, Some(_)) => {
            let mut opts = opts.clone();
            if opts.generated_at.is_none() {
                opts.generated_at = package::document_time(&p).ok();
            }
            match report::build_model(&p, &opts).and_then(|m| report::render_pdf(&m, &opts)) {
                Ok(r) => Some(r.bytes),
                Err(e) => return fail(ctx, e.zh(), e.to_string()),
            }
        }
    };
    if let (Some(out), Some(pdf)) = (out, pdf) {
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
    }
    if xlsx.is_some() || json_out.is_some() || docx.is_some() {
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
        if let Some(d) = docx {
            match report::render_docx(&model, &opts) {
                Ok(b) => {
                    if let Err(c) = write_out(ctx, &d, &b) {
                        return c;
                    }
                    println!(
                        "{}{}",
                        ctx.lang.pick(
                            "Word 报告（可编辑，非签署件）：",
                            "Word report (editable, not the signed copy): "
                        ),
                        d.display()
                    );
                }
                Err(e) => return fail(ctx, e.zh(), e.to_string()),
            }
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
            token,
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
            let id = match load_signer(
                ctx,
                identity.as_deref(),
                key_alias.as_deref(),
                password_stdin,
                &token,
            ) {
                Ok(Some(i)) => i,
                Ok(None) => {
                    return fail(
                        ctx,
                        "报送包须签名：请给出 --identity 文件.p12 或 --pkcs11-module …".into(),
                        "a filing package must be signed: give --identity FILE.p12 or --pkcs11-module …".into(),
                    )
                }
                Err(c) => return c,
            };
            let opts = ExportOptions {
                with_evidence,
                report: ReportOptions {
                    lang: ctx.lang,
                    template,
                    report_number: number,
                    seal_png: seal,
                    time_zone: Some(super::project::system_zone().name().to_string()),
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
    if is_pdf {
        // A PDF is verified in memory: at most `sign::MAX_PDF_FILE`.
        let bytes = match sign::read_pdf_file(file) {
            Ok(b) => b,
            Err(e) => return fail(ctx, e.zh(), e.to_string()),
        };
        return verify_pdf_cmd(ctx, file, &bytes, &trust_der, json);
    }
    let v = package::verify_package_from(std::io::BufReader::new(fh), len, &trust_der);
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

/// `verify FILE.pdf`: every signature of a PDF, judged like pyHanko judges
/// (see `sign::validate_pdf`); exit 0 when every one passes, else 1.
fn verify_pdf_cmd(ctx: &Ctx, file: &Path, bytes: &[u8], trust: &[Vec<u8>], json: bool) -> i32 {
    let l = ctx.lang;
    let pick = |zh: &str, en: &str| l.pick(zh, en).to_string();
    let v = match sign::validate_pdf(bytes, trust) {
        Ok(v) => v,
        Err(e) => {
            let verdict = iovaudit::i18n::Text::new(
                format!("未通过：无法检查该 PDF 的签名：{}", e.zh()),
                format!("FAILED: the signatures of this PDF cannot be checked: {e}"),
            );
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "schema": 1,
                        "file": file.display().to_string(),
                        "verification": {"kind": "pdf", "ok": false, "trusted": false,
                            "error": {"zh": e.zh(), "en": e.to_string()}, "verdict": verdict},
                    }))
                    .unwrap_or_default()
                );
            } else {
                println!(
                    "{}",
                    pick(
                        &format!("文件：{}", file.display()),
                        &format!("file: {}", file.display())
                    )
                );
                println!("✘ {}", pick(&e.zh(), &e.to_string()));
                println!();
                println!("{}", verdict.get(l));
            }
            return 1;
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "schema": 1,
                "file": file.display().to_string(),
                "verification": {
                    "kind": "pdf",
                    "ok": v.ok,
                    "trusted": v.trust_checked && v.ok,
                    "verdict": v.verdict,
                    "revisions": v.revisions,
                    "recovered": v.recovered,
                    "notes": v.notes,
                    "signatures": v.signatures,
                },
            }))
            .unwrap_or_default()
        );
        return if v.ok { 0 } else { 1 };
    }
    println!(
        "{}",
        pick(
            &format!("文件：{}", file.display()),
            &format!("file: {}", file.display())
        )
    );
    println!(
        "{}",
        pick(
            &format!(
                "修订版本：{} 个；签名：{} 个",
                v.revisions,
                v.signatures.len()
            ),
            &format!(
                "revisions: {}; signatures: {}",
                v.revisions,
                v.signatures.len()
            )
        )
    );
    for n in &v.notes {
        println!("⚠ {}", n.get(l));
    }
    for (i, s) in v.signatures.iter().enumerate() {
        print_signature(ctx, i + 1, s, !trust.is_empty());
    }
    println!();
    println!("{}", v.verdict.get(l));
    if v.ok {
        0
    } else {
        1
    }
}

fn print_signature(ctx: &Ctx, n: usize, s: &sign::SignatureCheck, trust_given: bool) {
    let l = ctx.lang;
    let pick = |zh: &str, en: &str| l.pick(zh, en).to_string();
    let mark = |ok: bool| if ok { "✔" } else { "✘" };
    println!();
    let kind = match s.kind {
        sign::SignatureKind::Signature => pick("签名", "signature"),
        sign::SignatureKind::DocumentTimestamp => pick("文档时间戳", "document timestamp"),
    };
    let field = if s.field.is_empty() {
        "-".to_string()
    } else {
        s.field.clone()
    };
    println!(
        "{} [{n}] {kind} {field} — /{} — {}",
        mark(s.status == sign::SignatureStatus::Valid),
        s.subfilter,
        s.status.text().get(l)
    );
    match &s.signer {
        Some(who) => println!(
            "    {}{} ({}{}; SHA-256 {})",
            pick("签署人：", "signer: "),
            who.subject,
            pick("签发者 ", "issuer "),
            who.issuer,
            who.cert_sha256
        ),
        None => println!("    {}", pick("签署人：未知", "signer: unknown")),
    }
    // Coverage and what came after.
    let c = &s.coverage;
    let cov = match (c.byte_range_ok, c.revision, c.entire_file) {
        (false, _, _) => pick(
            "签名范围（/ByteRange）无效",
            "the signed range (/ByteRange) is invalid",
        ),
        (true, None, _) => pick(
            "签名范围不是一个完整的修订版本",
            "the signed range is not a whole revision",
        ),
        (true, Some(_), true) => pick("覆盖整个文件", "covers the entire file"),
        (true, Some(k), false) => l
            .pick(
                &format!("覆盖第 {k} 版（共 {} 版）", c.revisions),
                &format!("covers revision {k} of {}", c.revisions),
            )
            .to_string(),
    };
    println!("    {} {}{cov}", mark(c.ok()), pick("范围：", "coverage: "));
    for ch in &c.later_changes {
        let tag = if ch.allowed {
            pick("允许", "allowed")
        } else {
            pick("不允许", "not allowed")
        };
        println!(
            "        {} {}{}",
            if ch.allowed { "·" } else { "✘" },
            ch.what.get(l),
            l.pick(&format!("（{tag}）"), &format!(" ({tag})"))
        );
    }
    let alg = format!("{} / {}", s.digest_algorithm, s.signature_algorithm);
    let attrs = if s.signed_attributes {
        pick("有签名属性", "signed attributes")
    } else {
        pick("无签名属性", "no signed attributes")
    };
    println!(
        "    {} {}{} {}, {} {} ({alg}, {attrs})",
        mark(s.intact()),
        pick("完整性：", "integrity: "),
        pick("摘要", "digest"),
        mark(s.digest_ok),
        pick("签名值", "signature value"),
        mark(s.signature_ok),
    );
    let chain = match s.trusted {
        Some(true) => format!(
            "✔ {}",
            pick("证书链连到所给信任锚", "chains to the given trust anchor")
        ),
        Some(false) => format!(
            "✘ {}",
            pick(
                "证书链不能连到所给信任锚",
                "does not chain to the given trust anchor"
            )
        ),
        None if trust_given => format!("✘ {}", pick("未能检查", "could not be checked")),
        None => format!(
            "– {}",
            pick(
                "未指定信任锚（--trust），未检查",
                "no trust anchor given (--trust); not checked"
            )
        ),
    };
    println!("    {}{chain}", pick("信任：", "trust: "));
    if let Some(t) = &s.claimed_time {
        println!(
            "    {}{t}",
            pick(
                "签署时间（/M，签署人声明）：",
                "signing time (/M, claimed by the signer): "
            )
        );
    }
    if let Some(t) = &s.cms_signing_time {
        println!(
            "    {}{t}",
            pick(
                "签署时间（CMS 属性，签署人声明）：",
                "signing time (CMS attribute, claimed): "
            )
        );
    }
    if let Some(ts) = &s.timestamp {
        println!(
            "    {} {}{} ({} {})",
            mark(ts.ok()),
            pick("时间戳：", "timestamp: "),
            ts.time.as_deref().unwrap_or("?"),
            pick("时间戳机构", "TSA"),
            ts.tsa
        );
    }
    for n in &s.notes {
        println!("    ⚠ {}", n.get(l));
    }
    for p in &s.problems {
        println!("    ✘ {}", p.get(l));
    }
}
