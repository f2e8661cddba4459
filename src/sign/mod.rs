//! Signing: identities, PAdES signatures on reports, detached CMS over
//! manifests, SM2/SM3 raw signatures, and our own verifiers — so that a
//! regulator can check what the workbench produced offline with standard
//! tools (pdfsig, pyHanko, `openssl cms -verify`, `openssl dgst -sm3`).
//!
//! What this module owns:
//! * identities: a local CA + signing certificate in a PKCS#12
//!   ([`new_identity`]), loading a PKCS#12 with an optional SM2 pair
//!   beside it ([`load_identity`]; PKCS#12 as other tools write it, several
//!   keys chosen by alias or fingerprint: [`load_identity_with`],
//!   [`list_keys`]);
//! * keys on tokens (USB keys, HSMs) through PKCS#11 ([`load_token_identity`],
//!   [`list_tokens`], [`list_token_objects`]): the key signs on the token
//!   and never leaves it; any key can sign through the [`Signer`] trait
//!   ([`Identity::from_signer`]);
//! * importing a key and its certificate chain made elsewhere, RSA, P-256
//!   or SM2 ([`import_identity`]), and checking certificate chains,
//!   SM2-with-SM3 links included ([`verify_certificate_chain`]);
//! * PDF signing, PAdES B-B as an incremental update ([`sign_pdf`]) with
//!   an optional visible stamp, and checking every signature in a PDF
//!   ([`verify_pdf`]);
//! * detached CMS, CAdES B-B ([`sign_detached`], [`verify_detached`]);
//! * SM2/SM3 with the GM/T 0009 default user ID ([`sm2_sign`],
//!   [`sm2_verify`]).
//!
//! What it must never do:
//! * touch the network (no OCSP, CRL, timestamp or AIA fetches);
//! * write a key anywhere but the files the caller names
//!   ([`new_identity`] writes only into its `out_dir`, never overwrites,
//!   key files mode 0600), or keep a CA key (it is dropped after issuing);
//! * rewrite a byte of a PDF it signs: the update is only appended;
//! * panic on input: a malformed PDF, PKCS#12, PEM or CMS is an error;
//! * print, read environment variables, or exit.
//!
//! Algorithms: PDFs and CMS are signed with RSA PKCS#1 v1.5 or ECDSA
//! P-256, both SHA-256 (what pdfsig/NSS, pyHanko, OpenSSL and Acrobat all
//! verify). SM2 is offered as a separate raw signature because no standard
//! PDF or CMS verifier here accepts SM2 (see `shared/research/tech-notes.md`
//! A.3/A.4). Verification accepts RSA (PKCS#1 v1.5, PSS) with
//! SHA-256/384/512, ECDSA P-256, and SM2-with-SM3 certificates.

mod asn1;
mod cms;
mod error;
mod identity;
mod p12;
mod pdf;
mod pkcs11;
mod sm2;
mod x509;

pub use self::cms::{sign_detached, sign_detached_at, verify_detached, CmsReport};
pub use self::sm2::{sm2_sign, sm2_verify, SM2_DEFAULT_ID};
pub use error::SignError;
pub use identity::{
    import_identity, list_keys, load_identity, load_identity_with, new_identity, Identity,
    IdentityFiles, ImportedIdentity, KeyAlgo, KeyEntry, NewIdentity, SignatureScheme, Signer,
    CA_FILE, P12_FILE, SM2_CERT_FILE, SM2_KEY_FILE,
};
pub(crate) use pdf::bounded::{with_pdf, PdfLimits, PdfLoadError};
pub use pdf::{sign_pdf, verify_pdf, PdfSignOptions, PdfSignatureReport, Stamp};
pub use pkcs11::{
    list_token_objects, list_tokens, load_token_identity, TokenCert, TokenContents, TokenInfo,
    TokenKey, TokenKeySpec, TokenSigner,
};
pub use x509::{verify_certificate_chain, ChainReport};
// Verifying what others signed (issue 12): the general PDF validator.
pub use pdf::{
    evidence_status, validate_pdf, Coverage, EssStatus, LaterChange, ModificationLevel,
    PdfValidation, SignatureCheck, SignatureKind, SignatureStatus, SignerInfo, TimestampCheck,
};

// Input bounds (see `docs/untrusted-input.md`). Files are checked against
// their cap before they are read; bytes handed over in memory are checked
// before they are parsed.

/// A PDF to verify or sign (bytes).
pub const MAX_PDF_FILE: u64 = 512 * 1024 * 1024;
/// Objects in a PDF to verify or sign.
pub const MAX_PDF_OBJECTS: usize = 200_000;
/// What one object or cross-reference stream of such a PDF may inflate to.
pub const MAX_PDF_STREAM: usize = 32 * 1024 * 1024;
/// What all object streams of such a PDF may inflate to together.
pub const MAX_PDF_INFLATED: usize = 128 * 1024 * 1024;
/// Signatures checked in one PDF (each hashes up to the whole file).
pub const MAX_PDF_SIGNATURES: usize = 64;
/// A PKCS#12 file, and the SM2 key and certificate files beside it.
pub const MAX_P12_FILE: u64 = 1024 * 1024;
/// A trust-anchor file (PEM or DER certificates), or PEM text in memory.
pub const MAX_TRUST_FILE: u64 = 4 * 1024 * 1024;
/// A CMS signature (detached `.p7s`, or a PDF's `/Contents`).
pub const MAX_CMS: usize = 16 * 1024 * 1024;

/// Reads `path` whole if it is at most `max` bytes (checked on its size
/// before reading and on what is read); otherwise
/// [`SignError::TooLarge`] naming the file and what it should have been.
pub(crate) fn read_capped(
    path: &std::path::Path,
    max: u64,
    what_zh: &'static str,
    what_en: &'static str,
) -> Result<Vec<u8>, SignError> {
    use std::io::Read;
    let too_large = |size: u64| SignError::TooLarge {
        path: path.to_path_buf(),
        size,
        max,
        what_zh,
        what_en,
    };
    let f = std::fs::File::open(path).map_err(|e| SignError::io(path, e))?;
    let size = f.metadata().map_err(|e| SignError::io(path, e))?.len();
    if size > max {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SignError::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a PDF to verify, at most [`MAX_PDF_FILE`] bytes.
pub fn read_pdf_file(path: &std::path::Path) -> Result<Vec<u8>, SignError> {
    read_capped(path, MAX_PDF_FILE, "待验证的 PDF", "a PDF to verify")
}

/// Reads trust anchors from `path` (at most [`MAX_TRUST_FILE`] bytes): PEM
/// text with one or more `CERTIFICATE` blocks, or one DER certificate.
/// Errors name the file.
pub fn read_trust_file(path: &std::path::Path) -> Result<Vec<Vec<u8>>, SignError> {
    use der::Decode;
    let bytes = read_capped(
        path,
        MAX_TRUST_FILE,
        "信任锚证书文件",
        "a trust-anchor file",
    )?;
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| SignError::bad_file(path, "PEM text that is not UTF-8"))?;
        return pem_to_der_certs(text).map_err(|e| SignError::bad_file(path, e.to_string()));
    }
    x509_cert::Certificate::from_der(&bytes).map_err(|e| {
        SignError::bad_file(
            path,
            format!("neither PEM certificates nor a DER certificate: {e}"),
        )
    })?;
    Ok(vec![bytes])
}

/// Every `CERTIFICATE` block in `pem`, as DER (other blocks are skipped).
/// No certificate, or one that does not parse, is an error.
pub fn pem_to_der_certs(pem: &str) -> Result<Vec<Vec<u8>>, SignError> {
    use der::Decode;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    if pem.len() as u64 > MAX_TRUST_FILE {
        return Err(SignError::refused(
            format!(
                "证书 PEM 文本过大（{} 字节，上限 {MAX_TRUST_FILE}）",
                pem.len()
            ),
            format!(
                "the certificate PEM text is too large ({} bytes; the limit is {MAX_TRUST_FILE})",
                pem.len()
            ),
        ));
    }
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let Some(end) = rest[start..].find(END) else {
            return Err(SignError::malformed("a CERTIFICATE block has no END line"));
        };
        let block = &rest[start..start + end + END.len()];
        let (_, der_bytes) = der::pem::decode_vec(block.as_bytes())
            .map_err(|e| SignError::malformed(format!("certificate PEM: {e}")))?;
        x509_cert::Certificate::from_der(&der_bytes)
            .map_err(|e| SignError::malformed(format!("certificate #{}: {e}", out.len() + 1)))?;
        out.push(der_bytes);
        rest = &rest[start + end + END.len()..];
    }
    if out.is_empty() {
        return Err(SignError::malformed("no CERTIFICATE block in the PEM text"));
    }
    Ok(out)
}
