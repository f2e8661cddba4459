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
mod sm2;
mod x509;

pub use self::cms::{sign_detached, sign_detached_at, verify_detached, CmsReport};
pub use self::sm2::{sm2_sign, sm2_verify, SM2_DEFAULT_ID};
pub use error::SignError;
pub use identity::{
    list_keys, load_identity, load_identity_with, new_identity, Identity, IdentityFiles, KeyAlgo,
    KeyEntry, NewIdentity, CA_FILE, P12_FILE, SM2_CERT_FILE, SM2_KEY_FILE,
};
pub use pdf::{sign_pdf, verify_pdf, PdfSignOptions, PdfSignatureReport, Stamp};

/// Every `CERTIFICATE` block in `pem`, as DER (other blocks are skipped).
/// No certificate, or one that does not parse, is an error.
pub fn pem_to_der_certs(pem: &str) -> Result<Vec<Vec<u8>>, SignError> {
    use der::Decode;
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
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
