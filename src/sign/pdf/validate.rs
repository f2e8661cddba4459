//! A general PDF signature validator, judged the way pyHanko judges: every
//! signature dictionary (ours or anyone's), its `/ByteRange` against the
//! revision it covers, what later revisions changed (allowed: DSS/VRI,
//! document timestamps, further signatures, form fills; anything else is a
//! modification after signing), the digest, the CMS signature (with or
//! without signed attributes; `adbe.pkcs7.detached`, `ETSI.CAdES.detached`,
//! `adbe.pkcs7.sha1`, `ETSI.RFC3161` document timestamps), signature
//! timestamps, and the chain against trust anchors with the certificates
//! of the CMS and the document's DSS.
//!
//! A PDF whose cross-reference data or trailer is damaged is still checked:
//! its signature dictionaries are found by scanning the raw bytes
//! ([`super::recover`]); later revisions then cannot be analysed and count
//! as changes. Every parse is bounded ([`super::bounded`]).

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;
use x509_cert::Certificate;

use super::super::asn1::{hex, AT_COMMON_NAME, AT_ORGANISATION};
use super::super::x509::{check_chain, name_attr, name_display, parse_anchors};
use super::super::{SignError, MAX_PDF_SIGNATURES};
use super::bounded::{self, PdfLoadError};
use super::cmsval::{self, Dg, EssStatus};
use super::recover::{self, Raw};
use super::revisions::{self, LaterChange, ModificationLevel};
use super::{precheck, PDF_LIMITS};
use crate::i18n::Text;

/// Certificates taken from a DSS, at most.
const MAX_DSS_CERTS: usize = 256;
/// What one DSS certificate stream may inflate to.
const MAX_DSS_CERT: usize = 256 * 1024;

/// The result of checking every signature of a PDF.
#[derive(Debug, Clone, Serialize)]
pub struct PdfValidation {
    /// In file order (by where each signed range ends).
    pub signatures: Vec<SignatureCheck>,
    /// Revisions of the file (incremental updates + 1).
    pub revisions: usize,
    /// The file's structure could not be read (damaged cross-reference
    /// table or trailer); signatures were located by scanning the bytes.
    pub recovered: bool,
    /// Trust anchors were given and checked.
    pub trust_checked: bool,
    /// Notes on the whole file.
    pub notes: Vec<Text>,
    /// Every signature passed (and there is at least one).
    pub ok: bool,
    pub verdict: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    Signature,
    DocumentTimestamp,
}

/// The verdict on one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Intact, covers its revision, only allowed changes after it, and
    /// trusted (or no trust anchors were given).
    Valid,
    /// Intact, but the file was changed after signing in a way that is not
    /// allowed (or the signed range is not a whole revision).
    ModifiedAfterSigning,
    /// Intact, but the signer does not chain to the given trust anchors.
    Untrusted,
    /// A format or algorithm we cannot check.
    Unsupported,
    /// Broken: byte range, digest or signature value.
    Invalid,
}

impl SignatureStatus {
    pub fn text(self) -> Text {
        match self {
            SignatureStatus::Valid => Text::new("有效", "valid"),
            SignatureStatus::ModifiedAfterSigning => {
                Text::new("签名后被修改", "modified after signing")
            }
            SignatureStatus::Untrusted => Text::new("签署人不受信任", "signer not trusted"),
            SignatureStatus::Unsupported => Text::new("不支持的签名", "unsupported"),
            SignatureStatus::Invalid => Text::new("无效", "invalid"),
        }
    }
}

/// Who signed.
#[derive(Debug, Clone, Serialize)]
pub struct SignerInfo {
    pub common_name: String,
    pub organisation: String,
    pub subject: String,
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate (as pyHanko prints it).
    pub cert_sha256: String,
}

impl SignerInfo {
    fn of(c: &Certificate) -> SignerInfo {
        use der::Encode;
        let tbs = &c.tbs_certificate;
        SignerInfo {
            common_name: name_attr(&tbs.subject, AT_COMMON_NAME),
            organisation: name_attr(&tbs.subject, AT_ORGANISATION),
            subject: name_display(&tbs.subject),
            issuer: name_display(&tbs.issuer),
            serial: hex(tbs.serial_number.as_bytes()),
            cert_sha256: hex(&Dg::Sha256.digest(&c.to_der().unwrap_or_default())),
        }
    }
}

/// Which revision a signature covers and what came after it.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub byte_range: Vec<i64>,
    /// `[0 a b c]` within the file, and the gap is exactly `/Contents`.
    pub byte_range_ok: bool,
    /// The revision (1-based) whose end the signed range reaches; `None`
    /// when it does not end where a revision ends.
    pub revision: Option<usize>,
    pub revisions: usize,
    /// The signed range reaches the end of the file.
    pub entire_file: bool,
    /// How far the later revisions went.
    pub modification_level: ModificationLevel,
    /// What later revisions changed, each allowed or not.
    pub later_changes: Vec<LaterChange>,
}

impl Coverage {
    /// Covers its revision exactly, with only allowed changes after it.
    pub fn ok(&self) -> bool {
        self.byte_range_ok
            && self.revision.is_some()
            && self.later_changes.iter().all(|c| c.allowed)
    }
}

/// An RFC 3161 timestamp: the one on a signature, or a document timestamp.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampCheck {
    /// genTime, RFC 3339.
    pub time: Option<String>,
    /// The TSA certificate's name.
    pub tsa: String,
    /// The message imprint is the digest of what it stamps.
    pub imprint_ok: bool,
    pub signature_ok: bool,
    /// `None` when no trust anchors were given.
    pub trusted: Option<bool>,
}

impl TimestampCheck {
    pub fn ok(&self) -> bool {
        self.imprint_ok && self.signature_ok && self.trusted != Some(false)
    }
}

/// Everything checked about one signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureCheck {
    /// The field's `/T` (empty when no field names it).
    pub field: String,
    pub kind: SignatureKind,
    pub subfilter: String,
    pub signer: Option<SignerInfo>,
    pub digest_algorithm: String,
    pub signature_algorithm: String,
    /// The CMS has signed attributes (without them the signature is over
    /// the content digest directly).
    pub signed_attributes: bool,
    pub ess: EssStatus,
    /// `/M`, RFC 3339 when it parses (the signer's claim).
    pub claimed_time: Option<String>,
    /// The CMS signing-time attribute, RFC 3339 (the signer's claim).
    pub cms_signing_time: Option<String>,
    /// The signature timestamp (or, for a document timestamp, itself).
    pub timestamp: Option<TimestampCheck>,
    pub coverage: Coverage,
    /// The digest of the signed ranges matches.
    pub digest_ok: bool,
    /// The signature value verifies with the signer's key.
    pub signature_ok: bool,
    /// `None` when no trust anchors were given.
    pub trusted: Option<bool>,
    /// Read by scanning the bytes (the file's structure is damaged).
    pub recovered: bool,
    pub status: SignatureStatus,
    /// What failed.
    pub problems: Vec<Text>,
    /// Worth knowing, not failures.
    pub notes: Vec<Text>,
}

impl SignatureCheck {
    /// Byte range, digest and signature all good.
    pub fn intact(&self) -> bool {
        self.coverage.byte_range_ok && self.digest_ok && self.signature_ok
    }

    /// pyHanko's one-line summary of the same signature (`INTACT:…` or
    /// `INVALID`), for comparison with `pyhanko sign validate`.
    pub fn pyhanko_summary(&self) -> String {
        if !self.intact() {
            return "INVALID".into();
        }
        let mut f = vec![if self.trusted == Some(true) {
            "TRUSTED"
        } else {
            "UNTRUSTED"
        }
        .to_string()];
        if self.coverage.entire_file {
            f.push("UNTOUCHED".into());
        } else if self.coverage.revision.is_some() {
            f.push(format!(
                "EXTENDED_WITH_{}",
                self.coverage.modification_level.pyhanko_name()
            ));
        } else {
            f.push("NONSTANDARD_COVERAGE".into());
        }
        if self.coverage.later_changes.iter().any(|c| !c.allowed) {
            f.push("ILLEGAL_MODIFICATIONS".into());
        } else if !self.coverage.entire_file {
            f.push("ACCEPTABLE_MODIFICATIONS".into());
        }
        format!("INTACT:{}", f.join(","))
    }
}

/// A signature dictionary, however it was found.
struct SigSource {
    field: String,
    byte_range: Vec<i64>,
    contents: Option<Vec<u8>>,
    subfilter: String,
    type_name: String,
    m: Option<String>,
    recovered: bool,
}

/// A PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding
/// read as Latin-1).
pub(crate) fn text_of(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// `D:YYYYMMDDHHmmSSOHH'mm'` (any tail omitted) to RFC 3339.
pub(crate) fn pdf_date_to_rfc3339(s: &str) -> Option<String> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let part = |from: usize, len: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + len) {
            Some(p) => p.parse().ok(),
            None => Some(default),
        }
    };
    let (y, mo, d) = (part(0, 4, 0)? as i32, part(4, 2, 1)?, part(6, 2, 1)?);
    let (h, mi, se) = (part(8, 2, 0)?, part(10, 2, 0)?, part(12, 2, 0)?);
    let rest: String = s
        .chars()
        .skip(digits.chars().count())
        .filter(|c| *c != '\'')
        .collect();
    let offset_secs = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let num: String = rest.chars().skip(1).filter(char::is_ascii_digit).collect();
            let oh: i32 = num.get(0..2).and_then(|v| v.parse().ok()).unwrap_or(0);
            let om: i32 = num.get(2..4).and_then(|v| v.parse().ok()).unwrap_or(0);
            let v = oh * 3600 + om * 60;
            if sign == '-' {
                -v
            } else {
                v
            }
        }
        _ => 0,
    };
    let offset = chrono::FixedOffset::east_opt(offset_secs)?;
    let naive = chrono::NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, se)?;
    let t = naive.and_local_timezone(offset).single()?;
    Some(t.to_rfc3339())
}

fn date_of(raw: &[u8]) -> String {
    let m = text_of(raw);
    pdf_date_to_rfc3339(&m).unwrap_or(m)
}

fn is_sig_dict(d: &Dictionary) -> bool {
    d.has(b"ByteRange")
        && d.has(b"Contents")
        && match d.get(b"Type") {
            Ok(Object::Name(t)) => t == b"Sig" || t == b"DocTimeStamp",
            Ok(_) => false,
            Err(_) => true,
        }
}

fn name_of(d: &Dictionary, key: &[u8]) -> String {
    match d.get(key) {
        Ok(Object::Name(n)) => String::from_utf8_lossy(n).into_owned(),
        _ => String::new(),
    }
}

fn too_many() -> SignError {
    SignError::refused(
        format!("该 PDF 的签名过多（超过 {MAX_PDF_SIGNATURES} 个），拒绝验证"),
        format!("this PDF has too many signatures (over {MAX_PDF_SIGNATURES}); refused"),
    )
}

/// Signature dictionaries from the parsed document (indirect, or direct in
/// a field's `/V`), named by the fields pointing at them.
fn sources_from_doc(doc: &Document) -> Result<Vec<SigSource>, SignError> {
    let mut field_of: HashMap<ObjectId, String> = HashMap::new();
    let mut sigs: Vec<(&Dictionary, Option<ObjectId>, String)> = Vec::new();
    for (oid, obj) in &doc.objects {
        let Object::Dictionary(d) = obj else { continue };
        let t = || match d.get(b"T") {
            Ok(Object::String(t, _)) => text_of(t),
            _ => String::new(),
        };
        match d.get(b"V") {
            Ok(Object::Reference(r)) => {
                field_of.entry(*r).or_insert_with(t);
            }
            Ok(Object::Dictionary(v)) if is_sig_dict(v) => sigs.push((v, None, t())),
            _ => {}
        }
        if is_sig_dict(d) {
            sigs.push((d, Some(*oid), String::new()));
        }
        if sigs.len() > MAX_PDF_SIGNATURES {
            return Err(too_many());
        }
    }
    Ok(sigs
        .into_iter()
        .map(|(d, oid, name)| SigSource {
            field: oid
                .and_then(|oid| field_of.get(&oid).cloned())
                .unwrap_or(name),
            byte_range: match d.get(b"ByteRange") {
                Ok(Object::Array(a)) => a.iter().take(8).filter_map(|o| o.as_i64().ok()).collect(),
                _ => Vec::new(),
            },
            contents: match d.get(b"Contents") {
                Ok(Object::String(c, _)) => Some(c.clone()),
                _ => None,
            },
            subfilter: name_of(d, b"SubFilter"),
            type_name: name_of(d, b"Type"),
            m: match d.get(b"M") {
                Ok(Object::String(m, _)) => Some(date_of(m)),
                _ => None,
            },
            recovered: false,
        })
        .collect())
}

/// Signature dictionaries found by scanning the bytes.
fn sources_from_scan(pdf: &[u8]) -> Result<Vec<SigSource>, SignError> {
    let scanned = recover::scan_signatures(pdf);
    if scanned.len() > MAX_PDF_SIGNATURES {
        return Err(too_many());
    }
    let ids: Vec<(u32, u16)> = scanned.iter().filter_map(|s| s.obj).collect();
    let names = recover::scan_field_names(pdf, &ids);
    Ok(scanned
        .into_iter()
        .map(|s| {
            let d = s.dict.as_ref();
            let str_of = |k: &[u8]| match d.and_then(|d| d.get(k)) {
                Some(Raw::Str(v)) => Some(v.clone()),
                _ => None,
            };
            let name_of = |k: &[u8]| {
                d.and_then(|d| d.get(k))
                    .and_then(Raw::name)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default()
            };
            SigSource {
                field: s
                    .obj
                    .and_then(|id| names.iter().find(|(i, _)| *i == id))
                    .map(|(_, t)| text_of(t))
                    .unwrap_or_default(),
                byte_range: match d.and_then(|d| d.get(b"ByteRange")) {
                    Some(Raw::Arr(a)) => a
                        .iter()
                        .take(8)
                        .map(|v| match v {
                            Raw::Int(i) => *i,
                            _ => -1,
                        })
                        .collect(),
                    _ => Vec::new(),
                },
                contents: str_of(b"Contents"),
                subfilter: name_of(b"SubFilter"),
                type_name: name_of(b"Type"),
                m: str_of(b"M").map(|m| date_of(&m)),
                recovered: true,
            }
        })
        .collect())
}

/// The DSS's certificates (`/Root /DSS /Certs`), each inflated under a cap.
fn dss_certs(doc: &Document) -> Vec<Certificate> {
    use der::Decode;
    let get = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let Some(Object::Dictionary(dss)) = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(get)
        .and_then(|c| c.as_dict().ok()?.get(b"DSS").ok().cloned())
        .and_then(|d| get(&d))
    else {
        return Vec::new();
    };
    let Some(Object::Array(items)) = dss.get(b"Certs").ok().and_then(get) else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_DSS_CERTS)
        .filter_map(|o| match get(o)? {
            Object::Stream(mut s) => {
                if s.dict.has(b"Filter") && s.decompress_with_limit(MAX_DSS_CERT).is_err() {
                    return None;
                }
                Certificate::from_der(&s.content).ok()
            }
            _ => None,
        })
        .collect()
}

/// Parses `pdf` within bounds; a parse error is `Ok(None)` (the caller
/// falls back to scanning), a refusal (too many objects, bombs, a crash)
/// an error.
fn parse_bounded(pdf: &[u8]) -> Result<Result<Document, String>, SignError> {
    match bounded::with_pdf(pdf, &PDF_LIMITS, |doc| doc) {
        Ok(doc) => Ok(Ok(doc)),
        Err(PdfLoadError::Parse(e)) => Ok(Err(e)),
        Err(e) => {
            let t = e.text();
            Err(SignError::refused(t.zh, t.en))
        }
    }
}

/// Checks every signature in `pdf` (see the module doc). `trust`: DER
/// certificates; empty = no trust check. A PDF without signatures gives
/// an empty list (and `ok == false`). An error only for what is refused
/// outright: not a PDF, over a bound, encrypted, bad trust anchors.
pub fn validate_pdf(pdf: &[u8], trust: &[Vec<u8>]) -> Result<PdfValidation, SignError> {
    precheck(pdf)?;
    let anchors = parse_anchors(trust)?;
    let rev_ends = recover::revision_ends(pdf);
    let revisions = rev_ends.len().max(1);
    let mut notes = Vec::new();

    let doc = match parse_bounded(pdf)? {
        Ok(doc) => {
            if doc.trailer.has(b"Encrypt") {
                return Err(SignError::unsupported(
                    "encrypted PDFs cannot be signed or checked here",
                ));
            }
            Some(doc)
        }
        Err(e) => {
            notes.push(Text::new(
                format!("该 PDF 的交叉引用表或文件尾已损坏（{e}）：签名是通过扫描原始字节找到的，之后的修订无法分析"),
                format!("this PDF's cross-reference table or trailer is damaged ({e}): its signatures were located by scanning the raw bytes, and later revisions cannot be analysed"),
            ));
            None
        }
    };
    let mut sources = match &doc {
        Some(d) => sources_from_doc(d)?,
        None => sources_from_scan(pdf)?,
    };
    if doc.is_some() {
        // Signature dictionaries the parser did not reach (a damaged later
        // update can hide them): add them from a scan of the bytes.
        let extra: Vec<SigSource> = sources_from_scan(pdf)?
            .into_iter()
            .filter(|s| {
                !s.byte_range.is_empty() && !sources.iter().any(|k| k.byte_range == s.byte_range)
            })
            .collect();
        if !extra.is_empty() {
            notes.push(Text::new(
                format!("有 {} 个签名字典不在文件的交叉引用数据中，是通过扫描原始字节找到的", extra.len()),
                format!("{} signature dictionar(ies) are not in the file's cross-reference data; found by scanning the raw bytes", extra.len()),
            ));
            sources.extend(extra);
        }
        if sources.len() > MAX_PDF_SIGNATURES {
            return Err(too_many());
        }
    }
    sources.sort_by_key(|s| s.byte_range.get(1).copied().unwrap_or(i64::MAX));

    let mut pool: Vec<Certificate> = doc.as_ref().map(dss_certs).unwrap_or_default();
    pool.dedup();
    let unfinished_tail = rev_ends
        .last()
        .is_some_and(|&(e, _)| e == pdf.len() && !pdf.ends_with(b"%%EOF"));
    // The document as of one revision, kept while signatures of that
    // revision are checked (they come in file order): one at a time, so
    // memory stays at two documents whatever the number of revisions.
    let mut old_doc: Option<(usize, Result<Document, String>)> = None;

    let mut out = Vec::new();
    for s in sources {
        let mut c = check_one(pdf, &s, &rev_ends, revisions, &anchors, &pool);
        // What later revisions did.
        if c.coverage.byte_range_ok && !c.coverage.entire_file {
            if let Some(k) = c.coverage.revision {
                let changes = match &doc {
                    None => vec![LaterChange {
                        allowed: false,
                        level: ModificationLevel::Other,
                        what: Text::new(
                            "之后的修订无法读取（文件结构已损坏），无法判断签名后改动了什么",
                            "the later revisions cannot be read (the file's structure is damaged): what changed after signing is unknown",
                        ),
                    }],
                    Some(now) => {
                        let end = rev_ends.get(k - 1).map_or(pdf.len(), |r| r.1);
                        if old_doc.as_ref().is_none_or(|(r, _)| *r != k) {
                            // The previous one is dropped before the next parse.
                            drop(old_doc.take());
                            old_doc = Some((k, parse_bounded(&pdf[..end])?));
                        }
                        match &old_doc {
                            Some((_, Ok(old))) => revisions::diff(old, now),
                            _ => vec![LaterChange {
                                allowed: false,
                                level: ModificationLevel::Other,
                                what: Text::new(
                                    format!("签名覆盖的第 {k} 版无法单独读取，无法判断之后改动了什么"),
                                    format!("revision {k}, which the signature covers, cannot be read on its own: what changed after it is unknown"),
                                ),
                            }],
                        }
                    }
                };
                let mut changes = changes;
                if unfinished_tail {
                    changes.push(LaterChange {
                        allowed: false,
                        level: ModificationLevel::Other,
                        what: Text::new(
                            "文件末尾有不完整的增量更新（没有 %%EOF）",
                            "the file ends with an incomplete incremental update (no %%EOF)",
                        ),
                    });
                }
                c.coverage.modification_level = revisions::level_of(&changes);
                c.coverage.later_changes = changes;
            }
        }
        finish(&mut c);
        out.push(c);
    }

    let trust_checked = !anchors.is_empty();
    let n = out.len();
    let failed = out
        .iter()
        .filter(|c| c.status != SignatureStatus::Valid)
        .count();
    let ok = n > 0 && failed == 0;
    let verdict = if n == 0 {
        Text::new(
            "未通过：该 PDF 没有签名",
            "FAILED: this PDF carries no signature",
        )
    } else if !ok {
        Text::new(
            format!("未通过：{n} 个签名中有 {failed} 个未通过"),
            format!("FAILED: {failed} of {n} signature(s) did not pass"),
        )
    } else if trust_checked {
        Text::new(
            format!("通过：{n} 个签名均完整、覆盖各自的版本且其后只有允许的更改，签署人均链接到所给信任锚"),
            format!("PASSED: all {n} signature(s) are intact and cover their revisions with only allowed changes after them; every signer chains to the given trust anchor"),
        )
    } else {
        Text::new(
            format!("完整性通过：{n} 个签名均完整、覆盖各自的版本且其后只有允许的更改；未指定信任锚（--trust），签署人身份未核验"),
            format!("INTEGRITY PASSED: all {n} signature(s) are intact and cover their revisions with only allowed changes after them; no trust anchor given (--trust), so the signers' identities are not established"),
        )
    };
    Ok(PdfValidation {
        signatures: out,
        revisions,
        recovered: doc.is_none(),
        trust_checked,
        notes,
        ok,
        verdict,
    })
}

/// Byte range, coverage and the CMS of one signature (later revisions and
/// the status are filled in by the caller).
fn check_one(
    pdf: &[u8],
    s: &SigSource,
    rev_ends: &[(usize, usize)],
    revisions: usize,
    anchors: &[Certificate],
    dss_pool: &[Certificate],
) -> SignatureCheck {
    let is_ts = s.subfilter == "ETSI.RFC3161" || s.type_name == "DocTimeStamp";
    let mut c = SignatureCheck {
        field: s.field.clone(),
        kind: if is_ts {
            SignatureKind::DocumentTimestamp
        } else {
            SignatureKind::Signature
        },
        subfilter: s.subfilter.clone(),
        signer: None,
        digest_algorithm: String::new(),
        signature_algorithm: String::new(),
        signed_attributes: false,
        ess: EssStatus::Absent,
        claimed_time: s.m.clone(),
        cms_signing_time: None,
        timestamp: None,
        coverage: Coverage {
            byte_range: s.byte_range.clone(),
            byte_range_ok: false,
            revision: None,
            revisions,
            entire_file: false,
            modification_level: ModificationLevel::None,
            later_changes: Vec::new(),
        },
        digest_ok: false,
        signature_ok: false,
        trusted: None,
        recovered: s.recovered,
        status: SignatureStatus::Invalid,
        problems: Vec::new(),
        notes: Vec::new(),
    };

    let len = pdf.len() as i64;
    let br = &s.byte_range;
    let ranges = match br.as_slice() {
        [0, a, b, cc]
            if *a > 0 && b > a && *cc >= 0 && b.checked_add(*cc).is_some_and(|e| e <= len) =>
        {
            Some((*a as usize, *b as usize, *cc as usize))
        }
        _ => None,
    };
    let Some((a, b, cl)) = ranges else {
        problem(
            &mut c,
            format!("/ByteRange {br:?} 无效（应为文件内的 [0 a b c]）"),
            format!("/ByteRange {br:?} is not [0 a b c] within the file"),
        );
        return c;
    };
    let gap = recover::decode_hex_string(&pdf[a..b]);
    let contents = match (&gap, &s.contents) {
        (Some(g), Some(v)) if g == v => g.clone(),
        (Some(g), None) if s.recovered => g.clone(),
        _ => {
            problem(
                &mut c,
                "/ByteRange 留出的空隙不正好是 /Contents 的值：有未被签名覆盖的字节".into(),
                "the gap in /ByteRange is not exactly the /Contents value: some bytes are not covered by the signature".into(),
            );
            return c;
        }
    };
    c.coverage.byte_range_ok = true;
    let end = b + cl;
    c.coverage.revision = rev_ends
        .iter()
        .position(|&(e, l)| end >= e && end <= l)
        .map(|i| i + 1);
    let tail = &pdf[end..];
    c.coverage.entire_file = tail.is_empty()
        || (c.coverage.revision == Some(rev_ends.len())
            && tail.iter().all(|b| b.is_ascii_whitespace()));
    if c.coverage.revision.is_none() {
        problem(
            &mut c,
            format!("签名范围结束于第 {end} 字节，不是某一版的结尾：签名不覆盖完整的修订版本"),
            format!("the signed range ends at byte {end}, which is not the end of a revision: the signature does not cover a whole revision"),
        );
    }

    let signed = [&pdf[..a], &pdf[b..end]];
    let digest_of = |d: Dg| d.digest_parts(&signed);
    let cms = match s.subfilter.as_str() {
        "adbe.pkcs7.detached" | "ETSI.CAdES.detached" => {
            cmsval::check(&contents, true, Some(&digest_of)).map(|r| (r, None))
        }
        "adbe.pkcs7.sha1" => cmsval::check(&contents, true, None).map(|mut r| {
            let want = Dg::Sha1.digest_parts(&signed);
            let inside = r.econtent.clone().unwrap_or_default();
            if inside != want {
                r.digest_ok = false;
                r.problems.push(Text::new(
                    "签名内的 SHA-1 摘要与文件不符：签名后内容被改动过",
                    "the SHA-1 digest inside the signature does not match the file: the content was changed after signing",
                ));
            }
            (r, None)
        }),
        "ETSI.RFC3161" => cmsval::check_timestamp(&contents, true, &digest_of).map(|t| {
            let mut r = t.cms.clone();
            if !t.imprint_ok {
                r.digest_ok = false;
                r.problems.push(Text::new(
                    "时间戳的消息摘要（message imprint）与文件不符：盖戳后内容被改动过",
                    "the timestamp's message imprint does not match the file: the content was changed after it was stamped",
                ));
            }
            let gen = t.gen_time.clone();
            (r, Some(gen))
        }),
        "adbe.x509.rsa_sha1" => {
            c.status = SignatureStatus::Unsupported;
            problem(
                &mut c,
                "旧式 adbe.x509.rsa_sha1 签名不受支持，未检查".into(),
                "the legacy adbe.x509.rsa_sha1 format is not supported; not checked".into(),
            );
            return c;
        }
        other => {
            c.status = SignatureStatus::Unsupported;
            problem(
                &mut c,
                format!("不支持的签名格式 /SubFilter /{other}"),
                format!("/SubFilter /{other} is not supported"),
            );
            return c;
        }
    };
    let (r, doc_ts_time) = match cms {
        Ok(x) => x,
        Err(e) => {
            c.problems.push(Text::new(e.zh(), e.to_string()));
            return c;
        }
    };
    c.digest_algorithm = r.digest_algorithm.clone();
    c.signature_algorithm = r.signature_algorithm.clone();
    c.signed_attributes = r.signed_attrs;
    c.ess = r.ess;
    c.cms_signing_time = r.signing_time.clone();
    c.digest_ok = r.digest_ok;
    c.signature_ok = r.signature_ok;
    c.signer = r.signer_cert.as_ref().map(SignerInfo::of);
    c.problems.extend(r.problems.iter().cloned());
    if r.unsupported {
        c.status = SignatureStatus::Unsupported;
    }
    if !r.signed_attrs && !is_ts {
        c.notes.push(Text::new(
            "签名没有签名属性：签名值直接针对内容摘要（旧式 PKCS#7）",
            "the signature has no signed attributes: the signature value is over the content digest directly (legacy PKCS#7)",
        ));
    }
    if s.subfilter == "ETSI.CAdES.detached" && r.ess == EssStatus::Absent {
        c.notes.push(Text::new(
            "缺少 ESS signing-certificate(-v2) 属性：不符合 PAdES B-B",
            "no ESS signing-certificate(-v2) attribute: not PAdES B-B conformant",
        ));
    }
    let mut pool: Vec<Certificate> = r.certs.clone();
    pool.extend(dss_pool.iter().cloned());
    let trust_of = |leaf: &Certificate, pool: &[Certificate], c: &mut SignatureCheck| {
        if anchors.is_empty() {
            return None;
        }
        let (ok, probs) = check_chain(leaf, pool, anchors, std::time::SystemTime::now());
        if !ok {
            c.problems.extend(probs);
        }
        Some(ok)
    };
    if let Some(leaf) = &r.signer_cert {
        c.trusted = trust_of(leaf, &pool, &mut c);
    }
    if is_ts {
        c.timestamp = Some(TimestampCheck {
            time: doc_ts_time.flatten(),
            tsa: c
                .signer
                .as_ref()
                .map(|s| s.subject.clone())
                .unwrap_or_default(),
            imprint_ok: c.digest_ok,
            signature_ok: c.signature_ok,
            trusted: c.trusted,
        });
    } else if let Some(token) = r.ts_tokens.first() {
        let sig_value = r.signature_value.clone();
        match cmsval::check_timestamp(token, false, &|d: Dg| d.digest(&sig_value)) {
            Ok(t) => {
                let mut tpool = t.cms.certs.clone();
                tpool.extend(pool.iter().cloned());
                let trusted = match &t.cms.signer_cert {
                    Some(leaf) => trust_of(leaf, &tpool, &mut c),
                    None => None,
                };
                let ts = TimestampCheck {
                    time: t.gen_time.clone(),
                    tsa: t
                        .cms
                        .signer_cert
                        .as_ref()
                        .map(|s| name_display(&s.tbs_certificate.subject))
                        .unwrap_or_default(),
                    imprint_ok: t.imprint_ok,
                    signature_ok: t.cms.digest_ok && t.cms.signature_ok,
                    trusted,
                };
                if !ts.ok() {
                    c.problems.push(Text::new(
                        "签名时间戳未通过检查",
                        "the signature timestamp does not check out",
                    ));
                    c.problems.extend(t.cms.problems.iter().cloned());
                }
                c.timestamp = Some(ts);
            }
            Err(e) => c.problems.push(Text::new(
                format!("签名时间戳无法读取：{}", e.zh()),
                format!("the signature timestamp cannot be read: {e}"),
            )),
        }
    }
    c
}

fn problem(c: &mut SignatureCheck, zh: String, en: String) {
    c.problems.push(Text::new(zh, en));
}

/// Sets the status once coverage and later changes are known.
fn finish(c: &mut SignatureCheck) {
    if c.status == SignatureStatus::Unsupported && !c.intact() {
        return;
    }
    let ts_bad = c
        .timestamp
        .as_ref()
        .is_some_and(|t| !(t.imprint_ok && t.signature_ok));
    c.status = if !c.intact() || ts_bad || c.ess == EssStatus::Mismatch {
        SignatureStatus::Invalid
    } else if !c.coverage.ok() {
        for ch in c.coverage.later_changes.iter().filter(|ch| !ch.allowed) {
            c.problems.push(Text::new(
                format!("签名后的修订：{}", ch.what.zh),
                format!("after signing: {}", ch.what.en),
            ));
        }
        SignatureStatus::ModifiedAfterSigning
    } else if c.trusted == Some(false)
        || c.timestamp
            .as_ref()
            .is_some_and(|t| t.trusted == Some(false))
    {
        SignatureStatus::Untrusted
    } else {
        SignatureStatus::Valid
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf_date_to_rfc3339("D:20250601100000+08'00'").as_deref(),
            Some("2025-06-01T10:00:00+08:00")
        );
        assert_eq!(
            pdf_date_to_rfc3339("D:20250601100000Z").as_deref(),
            Some("2025-06-01T10:00:00+00:00")
        );
        assert_eq!(pdf_date_to_rfc3339("D:20"), None);
        assert_eq!(
            pdf_date_to_rfc3339("D:2025０6"),
            Some("2025-01-01T00:00:00+00:00".into())
        );
    }
}
