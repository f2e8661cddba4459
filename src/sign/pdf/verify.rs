//! Our own PDF signature verifier: every signature dictionary, its
//! `/ByteRange` against the file, the digest, the CMS signature, and the
//! chain against trust anchors.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::super::asn1::Hash;
use super::super::cms;
use super::super::x509::parse_anchors;
use super::super::{SignError, MAX_PDF_SIGNATURES};
use super::with_doc;
use crate::i18n::Text;

/// What [`verify_pdf`] found for one signature.
#[derive(Debug, Clone)]
pub struct PdfSignatureReport {
    /// The field's `/T` (empty if no field points at the signature).
    pub field: String,
    /// The signer certificate's CN (empty if it could not be found).
    pub signer_cn: String,
    /// `/M`, converted to RFC 3339 when it parses (else as written).
    pub signing_time: Option<String>,
    /// `/SubFilter`, e.g. `ETSI.CAdES.detached`.
    pub subfilter: String,
    /// `/ByteRange` is well-formed and excludes exactly the `/Contents`
    /// value (`<…>`), nothing more.
    pub byte_range_ok: bool,
    /// The signed ranges reach the end of the file (no later update).
    pub covers_whole_file: bool,
    /// The message-digest in the signature equals the digest of the ranges.
    pub digest_ok: bool,
    /// The CMS signature verifies with the signer certificate.
    pub signature_ok: bool,
    /// `None` when no trust anchors were given.
    pub trusted: Option<bool>,
    pub problems: Vec<Text>,
}

impl PdfSignatureReport {
    /// Byte range, digest and signature good, and trusted unless no anchors
    /// were given. (A signature followed by a later update can still be
    /// valid for its revision: see `covers_whole_file`.)
    pub fn is_valid(&self) -> bool {
        self.byte_range_ok && self.digest_ok && self.signature_ok && self.trusted != Some(false)
    }
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

/// A PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding
/// read as Latin-1).
fn text_of(bytes: &[u8]) -> String {
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
fn pdf_date_to_rfc3339(s: &str) -> Option<String> {
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
        .skip(digits.len())
        .filter(|c| *c != '\'')
        .collect();
    let offset_secs = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let num: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
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

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `<hex>` at `pdf[from..to]` (delimiters included).
fn decode_hex_string(raw: &[u8]) -> Option<Vec<u8>> {
    let inner = raw.strip_prefix(b"<")?.strip_suffix(b">")?;
    let mut nibbles = Vec::with_capacity(inner.len());
    for &b in inner {
        if b.is_ascii_whitespace() {
            continue;
        }
        nibbles.push(hex_value(b)?);
    }
    if nibbles.len() % 2 == 1 {
        nibbles.push(0);
    }
    Some(nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Finds every signature in `pdf` and checks it: `/ByteRange` covers the
/// file except exactly the `/Contents` value, the digest of those ranges
/// matches the CMS message-digest, the CMS signature verifies, and — when
/// `trust` (DER certificates) is not empty — the signer chains to one of
/// them. Reports come in file order. A PDF without signatures gives an
/// empty list; a PDF that cannot be parsed, or passes a bound
/// ([`super::super::MAX_PDF_FILE`], objects, inflated streams, signatures),
/// is an error.
pub fn verify_pdf(pdf: &[u8], trust: &[Vec<u8>]) -> Result<Vec<PdfSignatureReport>, SignError> {
    let anchors = parse_anchors(trust)?;
    // Parsed within bounds on the parser's thread, and checked there too.
    with_doc(pdf, |doc| check_all(pdf, &doc, &anchors))
}

fn check_all(
    pdf: &[u8],
    doc: &Document,
    anchors: &[x509_cert::Certificate],
) -> Result<Vec<PdfSignatureReport>, SignError> {
    // Signature dictionaries (indirect, or direct in a field's /V), and the
    // field names by the signature object they point at (the first field
    // in object order wins) — one pass, one lookup per signature.
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
            return Err(SignError::refused(
                format!("该 PDF 的签名过多（超过 {MAX_PDF_SIGNATURES} 个），拒绝验证"),
                format!("this PDF has too many signatures (over {MAX_PDF_SIGNATURES}); refused"),
            ));
        }
    }
    for (_, oid, name) in sigs.iter_mut() {
        if let Some(t) = oid.and_then(|oid| field_of.get(&oid)) {
            name.clone_from(t);
        }
    }

    let mut reports: Vec<(i64, PdfSignatureReport)> = Vec::new();
    for (d, _, field) in sigs {
        let br: Vec<i64> = match d.get(b"ByteRange") {
            Ok(Object::Array(a)) => a.iter().take(8).filter_map(|o| o.as_i64().ok()).collect(),
            _ => Vec::new(),
        };
        let order = br.get(1).copied().unwrap_or(i64::MAX);
        reports.push((order, check_one(pdf, d, field, &br, anchors)));
    }
    reports.sort_by_key(|(o, _)| *o);
    Ok(reports.into_iter().map(|(_, r)| r).collect())
}

fn check_one(
    pdf: &[u8],
    d: &Dictionary,
    field: String,
    br: &[i64],
    anchors: &[x509_cert::Certificate],
) -> PdfSignatureReport {
    let mut r = PdfSignatureReport {
        field,
        signer_cn: String::new(),
        signing_time: match d.get(b"M") {
            Ok(Object::String(m, _)) => {
                let m = text_of(m);
                Some(pdf_date_to_rfc3339(&m).unwrap_or(m))
            }
            _ => None,
        },
        subfilter: name_of(d, b"SubFilter"),
        byte_range_ok: false,
        covers_whole_file: false,
        digest_ok: false,
        signature_ok: false,
        trusted: None,
        problems: Vec::new(),
    };
    let mut problem = |zh: String, en: String| r.problems.push(Text::new(zh, en));

    let contents = match d.get(b"Contents") {
        Ok(Object::String(c, _)) => c.clone(),
        _ => Vec::new(),
    };
    // ByteRange: [0 a b c] with the gap [a, b) exactly the <…> of /Contents.
    let len = pdf.len() as i64;
    let ranges = match br {
        [0, a, b, c]
            if *a > 0 && b > a && *c >= 0 && b.checked_add(*c).is_some_and(|e| e <= len) =>
        {
            Some((*a as usize, *b as usize, *c as usize))
        }
        _ => None,
    };
    let Some((a, b, c)) = ranges else {
        problem(
            format!("/ByteRange {br:?} 无效"),
            format!("/ByteRange {br:?} is not [0 a b c] within the file"),
        );
        return r;
    };
    match decode_hex_string(&pdf[a..b]) {
        Some(raw) if raw == contents => r.byte_range_ok = true,
        _ => problem(
            "/ByteRange 留出的空隙不正好是 /Contents 的值".into(),
            "the gap in /ByteRange is not exactly the /Contents value".into(),
        ),
    }
    r.covers_whole_file = b + c == pdf.len();
    if !r.covers_whole_file {
        problem(
            "签名之后文件又有增量更新：签名只覆盖签名时的版本".into(),
            "the file was updated after this signature; the signature covers only the revision it signed".into(),
        );
    }
    match r.subfilter.as_str() {
        "ETSI.CAdES.detached" | "adbe.pkcs7.detached" => {}
        other => {
            problem(
                format!("不支持的签名格式 /SubFilter /{other}"),
                format!("/SubFilter /{other} is not supported"),
            );
            return r;
        }
    }
    let signed = [&pdf[..a], &pdf[b..b + c]];
    let digest_of = |h: Hash| h.digest_parts(&signed);
    match cms::verify(&contents, true, &digest_of, anchors) {
        Ok(report) => {
            r.signer_cn = report.signer_cn;
            r.digest_ok = report.digest_ok;
            r.signature_ok = report.signature_ok;
            r.trusted = report.trusted;
            r.problems.extend(report.problems);
        }
        Err(e) => r.problems.push(Text::new(e.zh(), e.to_string())),
    }
    r
}
