//! The filing package (报送包): one zip a regulator receives, holding the
//! signed PDF report, the self-check XLSX, the JSON results, `manifest.json`
//! (every file with size, SHA-256 and SM3; the evidence list; packs; app
//! version; the project's snapshot hash), its detached CMS signature
//! `manifest.json.p7s`, an optional SM2/SM3 signature, the certificates,
//! `SHA256SUMS`, `VERIFY.txt` with commands for standard tools, and with
//! `with_evidence` the evidence files themselves.
//!
//! Export is deterministic: the same project state and identity give the
//! same bytes (fixed entry order, times and permissions; the document time
//! is the project's last state change, not the clock).
//!
//! Verify trusts nothing in the package: the zip is checked entry by entry
//! before use ([`safezip`]), every listed file is re-hashed, nothing unlisted
//! may be present, and signatures are checked against the trust anchors the
//! receiver gives. Invariant: verify never writes anything.

pub mod safezip;

use crate::i18n::Text;
use crate::project::{Project, ProjectError};
use crate::report::{self, ReportOptions};
use crate::sign::{self, Identity, PdfSignOptions, Stamp};
use crate::{journal, t};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sm3::Sm3;
use std::collections::BTreeMap;
use std::io::Write;

pub const MANIFEST: &str = "manifest.json";
pub const MANIFEST_P7S: &str = "manifest.json.p7s";
pub const MANIFEST_SM2: &str = "manifest.json.sm2.sig";

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error("report: {0}")]
    Report(#[from] report::ReportError),
    #[error("signing: {0}")]
    Sign(#[from] sign::SignError),
    #[error("zip: {0}")]
    Zip(String),
}

impl PackageError {
    pub fn zh(&self) -> String {
        match self {
            PackageError::Project(e) => e.zh(),
            PackageError::Report(e) => format!("报告：{}", e.zh()),
            PackageError::Sign(e) => format!("签名：{}", e.zh()),
            PackageError::Zip(s) => format!("zip：{s}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub sm3: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceRef {
    pub id: i64,
    pub revision: i64,
    pub title: String,
    pub original_name: String,
    pub size: i64,
    pub sha256: String,
    pub sm3: String,
    /// Path of the file in the package, when the evidence itself is included.
    pub path: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub schema: u32,
    pub generator: String,
    pub created_at: String,
    pub project: serde_json::Value,
    pub packs: Vec<(String, String)>,
    pub files: Vec<FileEntry>,
    pub evidence: Vec<EvidenceRef>,
    pub signer: serde_json::Value,
}

pub fn sha256_hex(b: &[u8]) -> String {
    journal::hex(&Sha256::digest(b))
}

pub fn sm3_hex(b: &[u8]) -> String {
    journal::hex(&Sm3::digest(b))
}

fn entry(path: &str, bytes: &[u8]) -> FileEntry {
    FileEntry {
        path: path.to_string(),
        size: bytes.len() as u64,
        sha256: sha256_hex(bytes),
        sm3: sm3_hex(bytes),
    }
}

/// Options of [`export`].
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    pub with_evidence: bool,
    pub report: ReportOptions,
}

/// The time the package speaks for: the project's last state change
/// (approval), else its last journal entry.
pub fn document_time(project: &Project) -> Result<String, ProjectError> {
    let meta = project.meta()?;
    if let Some(t) = meta.state_at {
        return Ok(t);
    }
    let last: Option<String> = project
        .conn()
        .query_row("SELECT max(at) FROM journal", [], |r| r.get(0))
        .map_err(|e| ProjectError::Db {
            path: project.db_path(),
            source: e,
        })?;
    Ok(last.unwrap_or(meta.created_at))
}

/// Renders and signs the report; returns the signed PDF bytes.
pub fn signed_report(
    project: &Project,
    id: &Identity,
    opts: &ReportOptions,
) -> Result<Vec<u8>, PackageError> {
    let mut opts = opts.clone();
    let at = match &opts.generated_at {
        Some(t) => t.clone(),
        None => document_time(project)?,
    };
    opts.generated_at = Some(at.clone());
    if opts.signer_name.is_none() {
        opts.signer_name = Some(id.subject_cn());
    }
    if opts.signer_org.is_none() {
        opts.signer_org = Some(id.organisation());
    }
    let model = report::build_model(project, &opts).map_err(PackageError::Report)?;
    let pdf = report::render_pdf(&model, &opts).map_err(PackageError::Report)?;
    let date = at.get(..10).unwrap_or(&at).to_string();
    let sopts = PdfSignOptions {
        reason: "车联网安全合规评估报告签署 / IoV compliance assessment report".into(),
        location: opts.signer_org.clone().unwrap_or_default(),
        signing_time: at.clone(),
        stamp: Some(Stamp {
            page: pdf.signature_page,
            rect_pt: pdf.stamp_rect_pt,
            lines: vec![
                "Digitally signed / 数字签名".into(),
                id.subject_cn(),
                id.organisation(),
                date,
            ],
        }),
    };
    sign::sign_pdf(&pdf.bytes, id, &sopts).map_err(PackageError::Sign)
}

fn verify_txt(has_sm2: bool) -> String {
    let mut s = String::from(
        "iovaudit 报送包校验说明 / How to verify this filing package\n\
         ==========================================================\n\n\
         一键校验 / With iovaudit:\n    iovaudit verify PACKAGE.zip --trust ca.pem\n\n\
         用标准工具校验（解压后在本目录执行）/ With standard tools (unzip, then run here):\n\n\
         1. 清单签名（CMS，RSA/ECDSA）/ Manifest signature:\n\
         \x20   openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -CAfile certs/ca.pem -purpose any -out /dev/null\n\
         \x20   （应输出 Verification successful / expect: Verification successful）\n\n\
         2. 文件哈希 / File hashes (SHA-256; SM3 values are in manifest.json):\n\
         \x20   sha256sum -c SHA256SUMS\n\
         \x20   openssl dgst -sm3 report.pdf     # 与 manifest.json 中的 sm3 比对 / compare with manifest.json\n\n\
         3. 报告 PDF 签名 / PDF signature (PAdES):\n\
         \x20   pdfsig report.pdf\n\
         \x20   pyhanko sign validate --pretty-print --trust-replace --trust certs/ca.pem report.pdf\n\n",
    );
    if has_sm2 {
        s.push_str(
            "4. SM2/SM3 清单签名（用户标识 1234567812345678）/ SM2 signature over the manifest:\n\
             \x20   openssl x509 -in certs/signer-sm2.pem -pubkey -noout > sm2-pub.pem\n\
             \x20   openssl dgst -sm3 -sigopt distid:1234567812345678 -verify sm2-pub.pem -signature manifest.json.sm2.sig manifest.json\n\n",
        );
    }
    s.push_str(
        "注意：请使用评估机构另行提供的 CA 证书作为信任锚，而不是包内的 certs/ca.pem，才能确认签署人身份。\n\
         Note: to establish who signed, use the CA certificate obtained from the assessing organisation, not the copy inside the package.\n",
    );
    s
}

/// What goes into the zip: bytes in memory, or an evidence file streamed from the vault.
enum Content {
    Bytes(Vec<u8>),
    Vault {
        path: std::path::PathBuf,
        sha256: String,
        sm3: String,
    },
}

/// Builds the filing package into `out` (a file or a buffer). Evidence files
/// are streamed from the vault and re-hashed on the way; a file that no
/// longer matches its record aborts the export (the caller discards `out`).
pub fn export_to<W: std::io::Write + std::io::Seek>(
    project: &Project,
    id: &Identity,
    opts: &ExportOptions,
    out: W,
) -> Result<W, PackageError> {
    let at = document_time(project)?;
    let mut ropts = opts.report.clone();
    ropts.generated_at = Some(at.clone());
    let pdf = signed_report(project, id, &ropts)?;
    let model = report::build_model(project, &ropts).map_err(PackageError::Report)?;
    let xlsx = report::render_xlsx(&model).map_err(PackageError::Report)?;
    let json = serde_json::to_vec_pretty(&report::render_json(&model))
        .map_err(|e| PackageError::Zip(e.to_string()))?;

    let mut files: BTreeMap<String, Content> = BTreeMap::new();
    let mut listed: BTreeMap<String, FileEntry> = BTreeMap::new();
    fn put(
        files: &mut BTreeMap<String, Content>,
        listed: &mut BTreeMap<String, FileEntry>,
        name: &str,
        bytes: Vec<u8>,
    ) {
        listed.insert(name.to_string(), entry(name, &bytes));
        files.insert(name.to_string(), Content::Bytes(bytes));
    }
    put(&mut files, &mut listed, "report.pdf", pdf);
    put(&mut files, &mut listed, "self-check.xlsx", xlsx);
    put(&mut files, &mut listed, "results.json", json);
    put(
        &mut files,
        &mut listed,
        "certs/signer.pem",
        id.cert_pem().into_bytes(),
    );
    put(
        &mut files,
        &mut listed,
        "certs/ca.pem",
        id.chain_pem().join("").into_bytes(),
    );
    if let Some(p) = id.sm2_cert_pem() {
        put(
            &mut files,
            &mut listed,
            "certs/signer-sm2.pem",
            p.into_bytes(),
        );
    }
    put(
        &mut files,
        &mut listed,
        "VERIFY.txt",
        verify_txt(id.has_sm2()).into_bytes(),
    );

    let dberr = |e| ProjectError::Db {
        path: project.db_path(),
        source: e,
    };
    let mut st = project
        .conn()
        .prepare("SELECT e.id, r.revision, e.title, r.original_name, r.size, r.sha256, r.sm3 FROM evidence e JOIN evidence_revision r ON r.evidence_id = e.id ORDER BY e.id, r.revision")
        .map_err(dberr)?;
    let rows: Vec<EvidenceRef> = st
        .query_map([], |r| {
            Ok(EvidenceRef {
                id: r.get(0)?,
                revision: r.get(1)?,
                title: r.get(2)?,
                original_name: r.get(3)?,
                size: r.get(4)?,
                sha256: r.get(5)?,
                sm3: r.get(6)?,
                path: None,
            })
        })
        .and_then(|r| r.collect())
        .map_err(dberr)?;
    let mut evidence_refs = Vec::new();
    for mut e in rows {
        if opts.with_evidence {
            let path = format!("evidence/{}", e.sha256);
            if !files.contains_key(&path) {
                let src = project
                    .vault()
                    .path_of(&e.sha256)
                    .map_err(ProjectError::from)?;
                listed.insert(
                    path.clone(),
                    FileEntry {
                        path: path.clone(),
                        size: e.size as u64,
                        sha256: e.sha256.clone(),
                        sm3: e.sm3.clone(),
                    },
                );
                files.insert(
                    path.clone(),
                    Content::Vault {
                        path: src,
                        sha256: e.sha256.clone(),
                        sm3: e.sm3.clone(),
                    },
                );
            }
            e.path = Some(path);
        }
        evidence_refs.push(e);
    }

    let mut sums = String::new();
    for f in listed.values() {
        sums.push_str(&format!("{}  {}\n", f.sha256, f.path));
    }
    put(&mut files, &mut listed, "SHA256SUMS", sums.into_bytes());

    let meta = project.meta()?;
    let manifest = Manifest {
        schema: 1,
        generator: format!("iovaudit {}", crate::APP_VERSION),
        created_at: at,
        project: serde_json::json!({
            "name": meta.name, "assessee": meta.assessee, "kind": meta.kind, "organisation": meta.organisation,
            "revision": meta.revision, "state": meta.state, "snapshot_hash": meta.snapshot_hash,
        }),
        packs: meta.packs.clone(),
        files: listed.into_values().collect(),
        evidence: evidence_refs,
        signer: serde_json::json!({"subject_cn": id.subject_cn(), "organisation": id.organisation(), "fingerprint_sha256": id.fingerprint_sha256(), "sm2": id.has_sm2()}),
    };
    let mbytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| PackageError::Zip(e.to_string()))?;
    // Signed at the document time, so the same state gives the same bytes.
    let when = chrono::DateTime::parse_from_rfc3339(&manifest.created_at)
        .ok()
        .map(std::time::SystemTime::from);
    let p7s = sign::sign_detached_at(&mbytes, id, when).map_err(PackageError::Sign)?;
    if id.has_sm2() {
        let sig = sign::sm2_sign(&mbytes, id).map_err(PackageError::Sign)?;
        files.insert(MANIFEST_SM2.into(), Content::Bytes(sig));
    }
    files.insert(MANIFEST.into(), Content::Bytes(mbytes));
    files.insert(MANIFEST_P7S.into(), Content::Bytes(p7s));
    write_zip(&files, out)
}

/// Builds the filing package in memory (small projects, tests).
pub fn export(
    project: &Project,
    id: &Identity,
    opts: &ExportOptions,
) -> Result<Vec<u8>, PackageError> {
    export_to(project, id, opts, std::io::Cursor::new(Vec::new())).map(|c| c.into_inner())
}

/// Writes entries in name order with fixed times and permissions.
fn write_zip<W: std::io::Write + std::io::Seek>(
    files: &BTreeMap<String, Content>,
    out: W,
) -> Result<W, PackageError> {
    let zerr = |e: &dyn std::fmt::Display| PackageError::Zip(e.to_string());
    let mut w = zip::ZipWriter::new(out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(false);
    for (name, content) in files {
        match content {
            Content::Bytes(bytes) => {
                w.start_file(name.as_str(), opts).map_err(|e| zerr(&e))?;
                w.write_all(bytes).map_err(|e| zerr(&e))?;
            }
            Content::Vault { path, sha256, sm3 } => {
                let mut f = std::fs::File::open(path).map_err(|e| ProjectError::Io {
                    path: path.clone(),
                    source: e,
                })?;
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                w.start_file(name.as_str(), opts.large_file(size >= 0xFFFF_FFFF))
                    .map_err(|e| zerr(&e))?;
                let (mut h1, mut h2) = (Sha256::new(), Sm3::new());
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n =
                        std::io::Read::read(&mut f, &mut buf).map_err(|e| ProjectError::Io {
                            path: path.clone(),
                            source: e,
                        })?;
                    if n == 0 {
                        break;
                    }
                    h1.update(&buf[..n]);
                    h2.update(&buf[..n]);
                    w.write_all(&buf[..n]).map_err(|e| zerr(&e))?;
                }
                if &journal::hex(&h1.finalize()) != sha256 || &journal::hex(&h2.finalize()) != sm3 {
                    let shown = path.display().to_string();
                    return Err(PackageError::Project(ProjectError::invalid(Text::new(
                        format!("证据库中的文件已被改动，不能打包：{shown}（请运行 evidence verify）"),
                        format!("a vault file was modified and cannot be packaged: {shown} (run evidence verify)"),
                    ))));
                }
            }
        }
    }
    w.finish().map_err(|e| zerr(&e))
}

// ------------------------------------------------------------------ verify

/// One thing that was checked.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub what: Text,
    pub ok: bool,
    /// Details (file names, reasons).
    pub detail: Vec<String>,
}

/// The result of verifying a package or a PDF.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub kind: &'static str,
    pub ok: bool,
    /// Whether signer identities were checked against trust anchors given by the receiver.
    pub trusted: bool,
    pub checks: Vec<Check>,
    pub verdict: Text,
}

fn check(what: Text, ok: bool, detail: Vec<String>) -> Check {
    Check { what, ok, detail }
}

fn conclude(kind: &'static str, checks: Vec<Check>, trust_given: bool) -> Verification {
    let ok = checks.iter().all(|c| c.ok);
    let verdict = match (ok, trust_given) {
        (true, true) => t!("通过：所有签名有效且签署人证书链接到所给信任锚，所有文件完整", "PASSED: every signature is valid and chains to the given trust anchor; every file is intact"),
        (true, false) => t!(
            "完整性通过：签名与哈希均有效；未指定信任锚（命令行 --trust，或应用中勾选的签发机构），签署人身份未核验",
            "INTEGRITY PASSED: signatures and hashes are valid; no trust anchor given (--trust on the command line, or a trusted issuer ticked in the app), so the signer's identity is not established"
        ),
        (false, _) => {
            let n = checks.iter().filter(|c| !c.ok).count();
            t!("未通过：{n} 项检查失败", "FAILED: {n} check(s) failed")
        }
    };
    Verification {
        kind,
        ok,
        trusted: trust_given && ok,
        checks,
        verdict,
    }
}

fn pdf_checks(pdf: &[u8], trust: &[Vec<u8>], label: &str) -> Vec<Check> {
    match sign::verify_pdf(pdf, trust) {
        Err(e) => vec![check(Text::new(format!("{label} 的签名"), format!("signature of {label}")), false, vec![format!("{} / {}", e.zh(), e)])],
        Ok(sigs) if sigs.is_empty() => vec![check(Text::new(format!("{label} 的签名"), format!("signature of {label}")), false, vec!["no signature / 未签名".into()])],
        Ok(sigs) => sigs
            .into_iter()
            .map(|s| {
                // With trust anchors given, the chain must be positively trusted.
                let trusted_ok = if trust.is_empty() { s.trusted != Some(false) } else { s.trusted == Some(true) };
                let ok = s.is_valid() && s.covers_whole_file && trusted_ok && s.problems.is_empty();
                let mut detail = vec![format!("签署人 / signer: {}", s.signer_cn), format!("SubFilter: {}", s.subfilter)];
                if let Some(t) = &s.signing_time {
                    detail.push(format!("签署时间 / time: {t}"));
                }
                if !s.covers_whole_file {
                    detail.push("the signature does not cover the whole file (content was appended after signing) / 签名未覆盖整个文件".into());
                }
                if !s.digest_ok {
                    detail.push("the document was modified after signing (digest mismatch) / 签名后文件被改动".into());
                }
                if !s.signature_ok {
                    detail.push("the signature value is invalid / 签名值无效".into());
                }
                if s.trusted == Some(false) {
                    detail.push("the signer's certificate does not chain to the trust anchor / 签署人证书不能链接到信任锚".into());
                }
                detail.extend(s.problems.iter().map(|t| format!("{} / {}", t.zh, t.en)));
                check(Text::new(format!("{label} 的 PAdES 签名"), format!("PAdES signature of {label}")), ok, detail)
            })
            .collect(),
    }
}

/// Verifies a signed PDF on its own.
pub fn verify_pdf(pdf: &[u8], trust: &[Vec<u8>]) -> Verification {
    conclude("pdf", pdf_checks(pdf, trust, "PDF"), !trust.is_empty())
}

/// Verifies a filing package.
pub fn verify_package(zip_bytes: &[u8], trust: &[Vec<u8>]) -> Verification {
    verify_package_from(
        std::io::Cursor::new(zip_bytes),
        zip_bytes.len() as u64,
        trust,
    )
}

/// Verifies a filing package read from `reader` (`len` bytes), streaming
/// large entries: memory stays bounded whatever the archive holds.
pub fn verify_package_from<R: std::io::Read + std::io::Seek>(
    reader: R,
    len: u64,
    trust: &[Vec<u8>],
) -> Verification {
    let mut checks = Vec::new();
    let entries = match safezip::read_from(reader, len) {
        Ok(e) => {
            checks.push(check(
                t!(
                    "zip 结构安全（无路径穿越、符号链接、重名、zip 炸弹）",
                    "zip structure is safe (no traversal, symlinks, duplicates, zip bomb)"
                ),
                true,
                vec![],
            ));
            e
        }
        Err(r) => {
            checks.push(check(
                t!("zip 结构安全", "zip structure is safe"),
                false,
                vec![r.zh, r.en],
            ));
            return conclude("package", checks, !trust.is_empty());
        }
    };
    let files = &entries.files;
    let Some(mbytes) = files.get(MANIFEST) else {
        checks.push(check(
            t!("包含 manifest.json", "contains manifest.json"),
            false,
            vec![],
        ));
        return conclude("package", checks, !trust.is_empty());
    };
    let manifest: Manifest = match serde_json::from_slice(mbytes) {
        Ok(m) => m,
        Err(e) => {
            checks.push(check(
                t!("manifest.json 格式正确", "manifest.json is well-formed"),
                false,
                vec![e.to_string()],
            ));
            return conclude("package", checks, !trust.is_empty());
        }
    };
    // The manifest's CMS signature.
    match files.get(MANIFEST_P7S) {
        None => checks.push(check(
            t!(
                "清单签名 manifest.json.p7s",
                "manifest signature manifest.json.p7s"
            ),
            false,
            vec!["missing / 缺失".into()],
        )),
        Some(p7s) => match sign::verify_detached(mbytes, p7s, trust) {
            Ok(r) => {
                let trusted_ok = if trust.is_empty() {
                    r.trusted != Some(false)
                } else {
                    r.trusted == Some(true)
                };
                // The signer must be the one the manifest names.
                let named = manifest
                    .signer
                    .get("fingerprint_sha256")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let same_signer =
                    !r.signer_cert_der.is_empty() && sha256_hex(&r.signer_cert_der) == named;
                let ok = r.is_valid() && trusted_ok && same_signer && r.problems.is_empty();
                let mut d = vec![format!("签署人 / signer: {}", r.signer_cn)];
                if !r.digest_ok {
                    d.push("manifest.json was changed after signing (digest mismatch) / 清单在签名后被改动".into());
                }
                if !r.signature_ok {
                    d.push("invalid signature over manifest.json / 清单签名无效".into());
                }
                if !trusted_ok {
                    d.push(
                        "signer does not chain to the trust anchor / 签署人不能链接到信任锚".into(),
                    );
                }
                if !same_signer {
                    d.push("the certificate that signed the manifest is not the signer the manifest names / 签署清单的证书与清单所列签署人不符".into());
                }
                d.extend(r.problems.iter().map(|t| format!("{} / {}", t.zh, t.en)));
                checks.push(check(
                    t!("清单签名（CMS）", "manifest signature (CMS)"),
                    ok,
                    d,
                ));
            }
            Err(e) => checks.push(check(
                t!("清单签名（CMS）", "manifest signature (CMS)"),
                false,
                vec![e.to_string()],
            )),
        },
    }
    // The optional SM2 signature.
    let declares_sm2 = manifest
        .signer
        .get("sm2")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if declares_sm2 && !files.contains_key(MANIFEST_SM2) {
        checks.push(check(t!("SM2/SM3 清单签名", "SM2/SM3 manifest signature"), false, vec!["the manifest declares an SM2 signature but manifest.json.sm2.sig is missing / 清单声明有 SM2 签名但文件缺失".into()]));
    }
    if let Some(sig) = files.get(MANIFEST_SM2) {
        let cert = files
            .get("certs/signer-sm2.pem")
            .and_then(|c| std::str::from_utf8(c).ok());
        let ok = cert.is_some_and(|c| sign::sm2_verify(mbytes, sig, c).unwrap_or(false));
        checks.push(check(
            t!("SM2/SM3 清单签名", "SM2/SM3 manifest signature"),
            ok,
            if ok {
                vec![]
            } else {
                vec!["invalid or no SM2 certificate / 无效或缺少 SM2 证书".into()]
            },
        ));
    }
    // Every listed file present with its size and hashes; nothing unlisted.
    let digests = &entries.digests;
    let mut bad = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in &manifest.files {
        if !seen.insert(f.path.as_str()) {
            bad.push(format!("listed twice / 重复列出: {}", f.path));
            continue;
        }
        match digests.get(&f.path) {
            None => bad.push(format!("missing / 缺失: {}", f.path)),
            Some(d) => {
                if d.size != f.size || d.sha256 != f.sha256 {
                    bad.push(format!(
                        "SHA-256 or size differs / SHA-256 或大小不符: {}",
                        f.path
                    ));
                } else if d.sm3 != f.sm3 {
                    bad.push(format!("SM3 differs / SM3 不符: {}", f.path));
                }
            }
        }
    }
    checks.push(check(
        Text::new(
            format!(
                "清单所列 {} 个文件完整（大小、SHA-256、SM3）",
                manifest.files.len()
            ),
            format!(
                "all {} listed files intact (size, SHA-256, SM3)",
                manifest.files.len()
            ),
        ),
        bad.is_empty(),
        bad,
    ));
    let listed: std::collections::BTreeSet<&str> =
        manifest.files.iter().map(|f| f.path.as_str()).collect();
    let extra: Vec<String> = digests
        .keys()
        .filter(|k| {
            !listed.contains(k.as_str())
                && ![MANIFEST, MANIFEST_P7S, MANIFEST_SM2].contains(&k.as_str())
        })
        .map(|k| format!("not listed / 未列入清单: {k}"))
        .collect();
    checks.push(check(
        t!("没有清单之外的文件", "no file outside the manifest"),
        extra.is_empty(),
        extra,
    ));
    // Evidence included: each listed evidence file matches its recorded hashes.
    let mut ev_bad = Vec::new();
    let mut ev_n = 0;
    for e in &manifest.evidence {
        if let Some(p) = &e.path {
            ev_n += 1;
            match digests.get(p) {
                Some(d) if d.sha256 == e.sha256 && d.sm3 == e.sm3 => {}
                _ => ev_bad.push(format!("#{} {} ({p})", e.id, e.original_name)),
            }
        }
    }
    if ev_n > 0 {
        checks.push(check(
            Text::new(
                format!("随附的 {ev_n} 个证据文件与记录的哈希一致"),
                format!("the {ev_n} included evidence files match their recorded hashes"),
            ),
            ev_bad.is_empty(),
            ev_bad,
        ));
    }
    // The report's own signature.
    match files.get("report.pdf") {
        Some(pdf) => checks.extend(pdf_checks(pdf, trust, "report.pdf")),
        None => checks.push(check(
            t!("包含 report.pdf", "contains report.pdf"),
            false,
            vec![],
        )),
    }
    conclude("package", checks, !trust.is_empty())
}
