//! Signed PDFs as evidence: the signature status of a PDF, computed when it
//! is added (and again by `evidence verify`). The evidence module stores it
//! in its table `evidence_summary` with kind [`KIND`] and the status as JSON;
//! this module only computes it (no database: `sign` knows nothing of the
//! domain).

use serde::{Deserialize, Serialize};

use super::validate::{validate_pdf, SignatureStatus};
use crate::i18n::Text;

/// `evidence_summary.kind` of these rows.
pub const KIND: &str = "pdf-signature";

/// The status of a PDF's signatures as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Every signature intact, covering its revision, only allowed changes
    /// after it (and trusted, when trust anchors were given).
    Valid,
    /// A signature is intact but the file was changed after it.
    ModifiedAfterSigning,
    /// A signer does not chain to the given trust anchors.
    SignerNotTrusted,
    /// A signature format or algorithm that cannot be checked here.
    Unsupported,
    /// A signature is broken (digest or signature value).
    Invalid,
    /// The file could not be read as a PDF (too large, refused, encrypted).
    Unreadable,
}

impl Overall {
    pub fn text(self) -> Text {
        match self {
            Overall::Valid => Text::new("签名有效", "signatures valid"),
            Overall::ModifiedAfterSigning => Text::new("签名后被修改", "modified after signing"),
            Overall::SignerNotTrusted => Text::new("签署人不受信任", "signer not trusted"),
            Overall::Unsupported => Text::new("签名格式不受支持", "unsupported signature"),
            Overall::Invalid => Text::new("签名无效", "signature invalid"),
            Overall::Unreadable => Text::new("无法检查签名", "signatures could not be checked"),
        }
    }
}

/// One signature, as the evidence list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureLine {
    pub field: String,
    pub signer: String,
    pub subfilter: String,
    /// `valid`, `modified_after_signing`, `untrusted`, `unsupported`, `invalid`.
    pub status: String,
    pub time: Option<String>,
    /// "revision N of M".
    pub revision: Option<usize>,
    pub revisions: usize,
    /// The first problem, if any.
    pub problem: Option<Text>,
}

/// What is stored (as JSON) for a signed PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfSignatureStatus {
    pub status: Overall,
    /// Trust anchors were given (without them "valid" means intact, not
    /// that the signer is known).
    pub trust_checked: bool,
    pub signatures: Vec<SignatureLine>,
    /// One line for lists, zh and en.
    pub summary: Text,
}

fn status_name(s: SignatureStatus) -> &'static str {
    match s {
        SignatureStatus::Valid => "valid",
        SignatureStatus::ModifiedAfterSigning => "modified_after_signing",
        SignatureStatus::Untrusted => "untrusted",
        SignatureStatus::Unsupported => "unsupported",
        SignatureStatus::Invalid => "invalid",
    }
}

/// The signature status of `bytes`, with no trust anchors. `None` when the
/// file is not a PDF or carries no signature.
pub fn pdf_signature_status(bytes: &[u8]) -> Option<PdfSignatureStatus> {
    pdf_signature_status_with(bytes, &[])
}

/// [`pdf_signature_status`] checking signers against `trust` (DER).
pub fn pdf_signature_status_with(bytes: &[u8], trust: &[Vec<u8>]) -> Option<PdfSignatureStatus> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return None;
    }
    let v = match validate_pdf(bytes, trust) {
        Ok(v) => v,
        Err(e) => {
            // Unreadable: only worth a row if it looks signed at all.
            super::recover::find(bytes, b"/ByteRange")?;
            return Some(PdfSignatureStatus {
                status: Overall::Unreadable,
                trust_checked: !trust.is_empty(),
                signatures: Vec::new(),
                summary: Text::new(
                    format!("无法检查签名：{}", e.zh()),
                    format!("signatures could not be checked: {e}"),
                ),
            });
        }
    };
    if v.signatures.is_empty() {
        return None;
    }
    let worst = |s: SignatureStatus| v.signatures.iter().any(|c| c.status == s);
    let status = if worst(SignatureStatus::Invalid) {
        Overall::Invalid
    } else if worst(SignatureStatus::ModifiedAfterSigning) {
        Overall::ModifiedAfterSigning
    } else if worst(SignatureStatus::Unsupported) {
        Overall::Unsupported
    } else if worst(SignatureStatus::Untrusted) {
        Overall::SignerNotTrusted
    } else {
        Overall::Valid
    };
    let signatures: Vec<SignatureLine> = v
        .signatures
        .iter()
        .map(|c| SignatureLine {
            field: c.field.clone(),
            signer: c
                .signer
                .as_ref()
                .map(|s| s.subject.clone())
                .unwrap_or_default(),
            subfilter: c.subfilter.clone(),
            status: status_name(c.status).into(),
            time: c
                .timestamp
                .as_ref()
                .and_then(|t| t.time.clone())
                .or_else(|| c.claimed_time.clone())
                .or_else(|| c.cms_signing_time.clone()),
            revision: c.coverage.revision,
            revisions: c.coverage.revisions,
            problem: c.problems.first().cloned(),
        })
        .collect();
    let n = signatures.len();
    let signers: Vec<&str> = signatures
        .iter()
        .map(|s| s.signer.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    let who = signers.join("; ");
    let st = status.text();
    let summary = Text::new(
        format!("{n} 个签名：{}（{who}）", st.zh),
        format!("{n} signature(s): {} ({who})", st.en),
    );
    Some(PdfSignatureStatus {
        status,
        trust_checked: !trust.is_empty(),
        signatures,
        summary,
    })
}

/// [`pdf_signature_status`] of a stored file: `None` when it does not start
/// like a PDF, cannot be read, or is over [`crate::sign::MAX_PDF_FILE`]
/// (only the first bytes are read to decide). For the evidence module:
/// `status_of_file(&project.vault().path_of(&sha256)?)`.
pub fn status_of_file(path: &std::path::Path) -> Option<PdfSignatureStatus> {
    use std::io::Read;
    let mut head = [0u8; 1024];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    if !head[..n].windows(5).any(|w| w == b"%PDF-") {
        return None;
    }
    let bytes = super::super::read_pdf_file(path).ok()?;
    pdf_signature_status(&bytes)
}
