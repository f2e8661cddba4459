//! The signature report of the first verifier, kept for its callers (the
//! filing package's checks, the app): one flat report per signature, now
//! computed by the general validator ([`super::validate`]).

use super::super::SignError;
use super::validate::{validate_pdf, SignatureStatus};
use crate::i18n::Text;

/// What [`verify_pdf`] found for one signature.
#[derive(Debug, Clone)]
pub struct PdfSignatureReport {
    /// The field's `/T` (empty if no field points at the signature).
    pub field: String,
    /// The signer certificate's CN (empty if it could not be found).
    pub signer_cn: String,
    /// `/M`, converted to RFC 3339 when it parses (else as written); for a
    /// document timestamp, its genTime.
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

/// Finds every signature in `pdf` and checks it (see
/// [`super::validate::validate_pdf`] for the full result): `/ByteRange`,
/// digest, CMS signature and — when `trust` (DER certificates) is not
/// empty — the chain. Reports come in file order. A PDF without signatures
/// gives an empty list; a PDF that is refused (not a PDF, over a bound,
/// encrypted) is an error. A signature followed by later revisions carries
/// a problem naming what they did.
pub fn verify_pdf(pdf: &[u8], trust: &[Vec<u8>]) -> Result<Vec<PdfSignatureReport>, SignError> {
    let v = validate_pdf(pdf, trust)?;
    Ok(v.signatures
        .into_iter()
        .map(|s| {
            let mut problems = s.problems;
            if s.coverage.byte_range_ok && !s.coverage.entire_file {
                let mut zh = String::from("签名之后文件又有增量更新：签名只覆盖签名时的版本");
                let mut en = String::from(
                    "the file was updated after this signature; the signature covers only the revision it signed",
                );
                for ch in s.coverage.later_changes.iter().filter(|c| c.allowed) {
                    zh.push('；');
                    zh.push_str(&ch.what.zh);
                    en.push_str("; ");
                    en.push_str(&ch.what.en);
                }
                problems.push(Text::new(zh, en));
            }
            if s.status == SignatureStatus::Unsupported && problems.is_empty() {
                problems.push(SignatureStatus::Unsupported.text());
            }
            PdfSignatureReport {
                field: s.field,
                signer_cn: s
                    .signer
                    .as_ref()
                    .map(|i| i.common_name.clone())
                    .unwrap_or_default(),
                signing_time: s
                    .claimed_time
                    .or(s.cms_signing_time)
                    .or_else(|| s.timestamp.and_then(|t| t.time)),
                subfilter: s.subfilter,
                byte_range_ok: s.coverage.byte_range_ok,
                covers_whole_file: s.coverage.entire_file,
                digest_ok: s.digest_ok,
                signature_ok: s.signature_ok,
                trusted: s.trusted,
                problems,
            }
        })
        .collect())
}
