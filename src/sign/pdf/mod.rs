//! PAdES B-B signatures on PDFs, added as an incremental update (the
//! original bytes are never rewritten), and our own verifier.
//!
//! Layout of the update: the signature dictionary (`/SubFilter
//! /ETSI.CAdES.detached`, fixed-width `/ByteRange`, fixed-size `/Contents`
//! placeholder), a merged signature field + widget on the chosen page (with
//! an `/AP` appearance: a stamp when visible, empty when invisible), the
//! AcroForm (`/SigFlags 3`), the page or its `/Annots` array, the catalog
//! when it changes, then an xref section of the same kind as the file's
//! last one (table or stream) with `/Prev`. lopdf is used only to parse.

pub(crate) mod bounded;
mod cmsval;
pub mod evidence_status;
mod recover;
mod revisions;
mod stamp;
mod validate;
mod verify;
mod write;

pub use cmsval::EssStatus;
pub use revisions::{LaterChange, ModificationLevel};
pub use validate::{
    validate_pdf, Coverage, PdfValidation, SignatureCheck, SignatureKind, SignatureStatus,
    SignerInfo, TimestampCheck,
};
pub use verify::{verify_pdf, PdfSignatureReport};

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::cms;
use super::identity::Identity;
use super::SignError;
use write::{text_string, Update};

/// How to sign a PDF.
#[derive(Debug, Clone)]
pub struct PdfSignOptions {
    /// `/Reason` (omitted when empty).
    pub reason: String,
    /// `/Location` (omitted when empty).
    pub location: String,
    /// RFC 3339 (e.g. `2025-06-01T10:00:00+08:00`); goes into `/M`. PAdES
    /// puts no signing-time attribute in the CMS.
    pub signing_time: String,
    /// A visible stamp, or `None` for an invisible signature (on page 1).
    pub stamp: Option<Stamp>,
}

/// A visible signature stamp.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// 0-based page index.
    pub page: usize,
    /// `x1, y1, x2, y2` in PDF points (origin bottom left), any corner order.
    pub rect_pt: [f32; 4],
    /// Text lines, centred; drawn with an embedded subset of the bundled
    /// WenQuanYi Micro Hei, Latin and Chinese alike (see the `stamp` module).
    pub lines: Vec<String>,
}

/// Hex digits of `/Contents` are at least this many bytes of DER.
const MIN_RESERVED: usize = 8192;
/// Room kept beyond the signature's own size (a later RFC 3161 timestamp
/// token for PAdES B-T fits in it).
const SLACK: usize = 6144;
/// Bounds on a PDF given to sign or verify (see [`bounded`]).
pub(crate) const PDF_LIMITS: bounded::PdfLimits = bounded::PdfLimits {
    max_objects: super::MAX_PDF_OBJECTS,
    max_stream: super::MAX_PDF_STREAM,
    max_inflated: super::MAX_PDF_INFLATED,
    stack: 64 * 1024 * 1024,
};

/// Refuses an encrypted document.
fn refuse_encrypted(doc: &Document) -> Result<(), SignError> {
    if doc.trailer.has(b"Encrypt") {
        return Err(SignError::unsupported(
            "encrypted PDFs cannot be signed or checked here",
        ));
    }
    Ok(())
}

/// Refuses what is not a PDF or is over [`super::MAX_PDF_FILE`], before
/// any parsing.
fn precheck(pdf: &[u8]) -> Result<(), SignError> {
    let max = super::MAX_PDF_FILE;
    if pdf.len() as u64 > max {
        let (size, max) = (pdf.len() >> 20, max >> 20);
        return Err(SignError::refused(
            format!("该 PDF 过大（{size} MiB，上限 {max} MiB）"),
            format!("the PDF is too large ({size} MiB; the limit is {max} MiB)"),
        ));
    }
    let head = &pdf[..pdf.len().min(1024)];
    if find(head, b"%PDF-").is_none() {
        return Err(SignError::malformed("not a PDF (no %PDF- header)"));
    }
    Ok(())
}

/// Parses a PDF within [`PDF_LIMITS`] and runs `then` on it, both on the
/// parser's thread; a refusal, a parser failure or a panic is an error.
/// Encrypted PDFs are refused.
pub(crate) fn with_doc<T: Send>(
    pdf: &[u8],
    then: impl FnOnce(Document) -> Result<T, SignError> + Send,
) -> Result<T, SignError> {
    precheck(pdf)?;
    let run = |doc: Document| {
        refuse_encrypted(&doc)?;
        then(doc)
    };
    match bounded::with_pdf(pdf, &PDF_LIMITS, run) {
        Ok(r) => r,
        Err(e) => {
            let t = e.text();
            Err(SignError::refused(t.zh, t.en))
        }
    }
}

/// Parses a PDF (see [`with_doc`]) and hands the document to the caller.
pub(crate) fn load(pdf: &[u8]) -> Result<Document, SignError> {
    with_doc(pdf, Ok)
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The offset given by the last `startxref`.
fn last_startxref(pdf: &[u8]) -> Result<usize, SignError> {
    let tail_start = pdf.len().saturating_sub(4096);
    let tail = &pdf[tail_start..];
    let at = rfind(tail, b"startxref")
        .ok_or_else(|| SignError::malformed("no startxref at the end of the PDF"))?;
    let digits: String = tail[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    let off: usize = digits
        .parse()
        .map_err(|_| SignError::malformed("startxref is not followed by an offset"))?;
    if off >= pdf.len() {
        return Err(SignError::malformed(
            "startxref points past the end of the file",
        ));
    }
    Ok(off)
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` from RFC 3339.
fn pdf_date(rfc3339: &str) -> Result<String, SignError> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339.trim()).map_err(|e| {
        SignError::invalid(
            format!("签名时间 {rfc3339:?} 不是 RFC 3339 格式：{e}"),
            format!("signing time {rfc3339:?} is not RFC 3339: {e}"),
        )
    })?;
    let off = t.offset().local_minus_utc();
    let sign = if off < 0 { '-' } else { '+' };
    let off = off.unsigned_abs();
    Ok(format!(
        "D:{}{sign}{:02}'{:02}'",
        t.format("%Y%m%d%H%M%S"),
        off / 3600,
        (off % 3600) / 60
    ))
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// Appends `item` to the array under `key` in `dict`. A direct (or absent)
/// array is changed in `dict` (returns true: `dict` must be re-emitted);
/// an indirect one is re-emitted through `emit`.
fn push_to_array(
    doc: &Document,
    dict: &mut Dictionary,
    key: &[u8],
    item: Object,
    emit: &mut Vec<(ObjectId, Object)>,
) -> Result<bool, SignError> {
    match dict.get(key).ok().cloned() {
        Some(Object::Reference(id)) => {
            let Ok(Object::Array(items)) = doc.get_object(id) else {
                return Err(SignError::malformed(format!(
                    "/{} refers to something that is not an array",
                    String::from_utf8_lossy(key)
                )));
            };
            let mut items = items.clone();
            items.push(item);
            emit.push((id, Object::Array(items)));
            Ok(false)
        }
        Some(Object::Array(mut items)) => {
            items.push(item);
            dict.set(key.to_vec(), Object::Array(items));
            Ok(true)
        }
        _ => {
            dict.set(key.to_vec(), Object::Array(vec![item]));
            Ok(true)
        }
    }
}

/// The `/T` of every field reachable from the AcroForm (top level and kids).
fn field_names(doc: &Document, acroform: Option<&Dictionary>) -> BTreeSet<Vec<u8>> {
    let mut names = BTreeSet::new();
    let Some(af) = acroform else { return names };
    let mut todo: Vec<&Object> = match af.get(b"Fields").ok().and_then(|f| resolve(doc, f)) {
        Some(Object::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    let mut budget = 10_000;
    while let Some(o) = todo.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        if let Some(Object::Dictionary(d)) = resolve(doc, o) {
            if let Ok(Object::String(t, _)) = d.get(b"T") {
                names.insert(t.clone());
            }
            if let Some(Object::Array(kids)) = d.get(b"Kids").ok().and_then(|k| resolve(doc, k)) {
                todo.extend(kids.iter());
            }
        }
    }
    names
}

/// Signs `pdf` (PAdES B-B) and returns the signed file: the original bytes
/// unchanged, followed by one incremental update. See the module doc for
/// what the update holds. `stamp` draws a visible stamp on its page;
/// without one the signature is invisible (on page 1).
pub fn sign_pdf(pdf: &[u8], id: &Identity, opts: &PdfSignOptions) -> Result<Vec<u8>, SignError> {
    let m = pdf_date(&opts.signing_time)?;
    let doc = load(pdf)?;
    let prev = last_startxref(pdf)?;
    let prev_is_stream = !pdf[prev..].starts_with(b"xref");

    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| SignError::malformed("the trailer has no /Root reference"))?;
    let catalog = doc
        .get_object(root_id)
        .and_then(Object::as_dict)
        .map_err(|_| SignError::malformed("the /Root object is not a dictionary"))?
        .clone();
    let pages = doc.get_pages();
    let page_index = opts.stamp.as_ref().map_or(0, |s| s.page);
    let Some(&page_id) = u32::try_from(page_index)
        .ok()
        .and_then(|i| pages.get(&(i + 1)))
    else {
        return Err(SignError::invalid(
            format!(
                "第 {} 页不存在（文档共 {} 页）",
                page_index + 1,
                pages.len()
            ),
            format!(
                "page {} does not exist (the document has {} pages)",
                page_index + 1,
                pages.len()
            ),
        ));
    };
    let mut page = doc
        .get_object(page_id)
        .and_then(Object::as_dict)
        .map_err(|_| SignError::malformed("a page object is not a dictionary"))?
        .clone();

    let rect = match &opts.stamp {
        Some(s) => {
            let [a, b, c, d] = s.rect_pt;
            if ![a, b, c, d].iter().all(|v| v.is_finite())
                || (a - c).abs() < 1.0
                || (b - d).abs() < 1.0
            {
                return Err(SignError::invalid(
                    "签章区域无效（宽和高都须至少 1 pt）",
                    "the stamp rectangle is invalid (width and height must be at least 1 pt)",
                ));
            }
            [a.min(c), b.min(d), a.max(c), b.max(d)]
        }
        None => [0.0; 4],
    };

    // Object numbers for the new objects.
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .unwrap_or(0)
        .max(0) as u64;
    let mut next = size.max(u64::from(doc.max_id) + 1);
    if next > 8_000_000 {
        return Err(SignError::unsupported("too many objects in the PDF"));
    }
    let mut alloc = || {
        let id = (next as u32, 0u16);
        next += 1;
        id
    };
    let sig_id = alloc();
    let widget_id = alloc();
    let ap_id = alloc();

    // Field name: Signature1, Signature2, … not yet used.
    let acroform_obj = catalog.get(b"AcroForm").ok().cloned();
    let acroform_dict = acroform_obj
        .as_ref()
        .and_then(|o| resolve(&doc, o))
        .and_then(|o| o.as_dict().ok())
        .cloned();
    let names = field_names(&doc, acroform_dict.as_ref());
    let field_name = (1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !names.contains(n.as_bytes()))
        .unwrap_or_default();

    let mut emit: Vec<(ObjectId, Object)> = Vec::new();
    // Page /Annots.
    if push_to_array(
        &doc,
        &mut page,
        b"Annots",
        Object::Reference(widget_id),
        &mut emit,
    )? {
        emit.push((page_id, Object::Dictionary(page)));
    }
    // AcroForm.
    let mut catalog_changed = false;
    let mut catalog = catalog;
    match acroform_obj {
        Some(Object::Reference(af_id)) => {
            let mut af = acroform_dict
                .ok_or_else(|| SignError::malformed("/AcroForm is not a dictionary"))?;
            push_to_array(
                &doc,
                &mut af,
                b"Fields",
                Object::Reference(widget_id),
                &mut emit,
            )?;
            af.set("SigFlags", 3);
            emit.push((af_id, Object::Dictionary(af)));
        }
        Some(Object::Dictionary(mut af)) => {
            push_to_array(
                &doc,
                &mut af,
                b"Fields",
                Object::Reference(widget_id),
                &mut emit,
            )?;
            af.set("SigFlags", 3);
            catalog.set("AcroForm", Object::Dictionary(af));
            catalog_changed = true;
        }
        _ => {
            let af_id = alloc();
            let mut af = Dictionary::new();
            af.set("Fields", Object::Array(vec![Object::Reference(widget_id)]));
            af.set("SigFlags", 3);
            emit.push((af_id, Object::Dictionary(af)));
            catalog.set("AcroForm", Object::Reference(af_id));
            catalog_changed = true;
        }
    }
    if catalog_changed {
        emit.push((root_id, Object::Dictionary(catalog)));
    }

    // Appearance.
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let (ap_dict, ap_data, fonts, streams) = match &opts.stamp {
        Some(s) => {
            let app = stamp::appearance(&s.lines, w, h)?;
            let mut fonts: Vec<(ObjectId, Vec<u8>)> = Vec::new();
            let mut streams: Vec<(ObjectId, Vec<u8>, Vec<u8>)> = Vec::new();
            let mut resources = String::new();
            if let Some(f) = &app.font {
                // Type0 → CIDFontType2 → descriptor → font program; ToUnicode.
                let (f1, cid, desc, file, tu) = (alloc(), alloc(), alloc(), alloc(), alloc());
                fonts.push((f1, f.type0(cid.0, tu.0)));
                fonts.push((cid, f.cid_font(desc.0)));
                fonts.push((desc, f.descriptor(file.0)));
                streams.push((
                    file,
                    format!(" /Length1 {}", f.program.len()).into_bytes(),
                    f.program.clone(),
                ));
                streams.push((tu, Vec::new(), f.to_unicode.clone()));
                resources = format!(" /Resources << /Font << /F1 {} 0 R >> >>", f1.0);
            }
            let dict = format!(
                " /Type /XObject /Subtype /Form /BBox [0 0 {} {}]{resources}",
                write::num(w),
                write::num(h)
            );
            (dict, app.content, fonts, streams)
        }
        None => (
            " /Type /XObject /Subtype /Form /BBox [0 0 0 0]".to_string(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
    };

    // Placeholder size: the real signature's size plus slack.
    let trial = cms::size_bound(id)?;
    let reserved = (trial + SLACK).div_ceil(1024) * 1024;
    let reserved = reserved.max(MIN_RESERVED);

    let mut up = Update::new(pdf);
    // Signature dictionary, hand-written so the placeholders sit where we know.
    up.begin(sig_id);
    up.out.extend_from_slice(
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n",
    );
    let byte_range_at = up.out.len() + b"/ByteRange ".len();
    const BR_PLACEHOLDER: &[u8] = b"[0 0000000000 0000000000 0000000000]";
    up.out.extend_from_slice(b"/ByteRange ");
    up.out.extend_from_slice(BR_PLACEHOLDER);
    up.out.extend_from_slice(b"\n/Contents ");
    let contents_at = up.out.len();
    up.out.push(b'<');
    up.out.resize(up.out.len() + reserved * 2, b'0');
    up.out.push(b'>');
    up.out.extend_from_slice(b"\n/M ");
    write::literal_string(&mut up.out, m.as_bytes());
    let cn = id.subject_cn();
    if !cn.is_empty() {
        up.out.extend_from_slice(b" /Name ");
        text_string(&mut up.out, &cn);
    }
    if !opts.reason.is_empty() {
        up.out.extend_from_slice(b" /Reason ");
        text_string(&mut up.out, &opts.reason);
    }
    if !opts.location.is_empty() {
        up.out.extend_from_slice(b" /Location ");
        text_string(&mut up.out, &opts.location);
    }
    up.out.extend_from_slice(
        format!(
            " /Prop_Build << /App << /Name /iovaudit /REx ({}) >> >> >>",
            crate::APP_VERSION
        )
        .as_bytes(),
    );
    up.end();

    // Field + widget.
    let mut widget = Vec::new();
    widget.extend_from_slice(b"<< /Type /Annot /Subtype /Widget /FT /Sig /T ");
    text_string(&mut widget, &field_name);
    widget.extend_from_slice(
        format!(
            " /V {} 0 R /P {} {} R /F 132 /Rect [{} {} {} {}] /AP << /N {} 0 R >> >>",
            sig_id.0,
            page_id.0,
            page_id.1,
            write::num(rect[0]),
            write::num(rect[1]),
            write::num(rect[2]),
            write::num(rect[3]),
            ap_id.0
        )
        .as_bytes(),
    );
    up.raw(widget_id, &widget);
    up.stream(ap_id, ap_dict.as_bytes(), &ap_data);
    for (fid, bytes) in &fonts {
        up.raw(*fid, bytes);
    }
    for (sid, dict, data) in &streams {
        up.stream(*sid, dict, data);
    }
    for (oid, obj) in &emit {
        up.object(*oid, obj);
    }

    // Trailer.
    let mut extra = Vec::new();
    extra.extend_from_slice(format!(" /Root {} {} R", root_id.0, root_id.1).as_bytes());
    if let Ok(info) = doc.trailer.get(b"Info") {
        extra.extend_from_slice(b" /Info ");
        write::object(&mut extra, info);
    }
    extra.extend_from_slice(b" /ID ");
    match doc.trailer.get(b"ID") {
        Ok(Object::Array(ids)) if ids.len() == 2 => {
            write::object(&mut extra, &Object::Array(ids.clone()))
        }
        _ => {
            let fresh = super::asn1::Hash::Sha256.digest(pdf)[..16].to_vec();
            extra.push(b'[');
            write::hex_string(&mut extra, &fresh);
            write::hex_string(&mut extra, &fresh);
            extra.push(b']');
        }
    }
    extra.extend_from_slice(format!(" /Prev {prev}").as_bytes());
    let mut out = if prev_is_stream {
        let xref_id = alloc();
        up.finish_stream(xref_id.0, xref_id.0 + 1, &extra)
    } else {
        let size = next as u32;
        up.finish_table(size, &extra)
    };

    // ByteRange: everything but the <…> of /Contents.
    let a = contents_at;
    let b = contents_at + 2 + reserved * 2;
    let c = out.len() - b;
    let br = format!("[0 {a} {b} {c}]");
    if br.len() > BR_PLACEHOLDER.len() {
        return Err(SignError::unsupported(
            "the PDF is too large to sign (over 9.9 GB)",
        ));
    }
    let mut br = br.into_bytes();
    br.resize(BR_PLACEHOLDER.len(), b' ');
    out[byte_range_at..byte_range_at + br.len()].copy_from_slice(&br);

    let digest = super::asn1::Hash::Sha256.digest_parts(&[&out[..a], &out[b..]]);
    let signature = cms::build(id, &digest, None)?;
    let hex = super::asn1::hex(&signature);
    if hex.len() > reserved * 2 {
        return Err(SignError::crypto(format!(
            "the signature ({} bytes) is larger than the space reserved for it ({reserved} bytes)",
            signature.len()
        )));
    }
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}
