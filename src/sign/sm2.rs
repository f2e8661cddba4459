//! SM2/SM3 (GB/T 32918, GM/T 0003/0004) raw signatures with the GM/T 0009
//! default user ID, and the SM2 key and certificate files.
//!
//! The signature is a DER `SEQUENCE{r,s}` over the data (SM3 of `Z ‖ data`
//! inside), exactly what `openssl dgst -sm3 -sigopt
//! distid:1234567812345678 -verify pub.pem -signature sig data` checks.

use der::{Decode, Encode};
use sm2::dsa::signature::{Signer, Verifier};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use super::asn1::{ec_sig_from_der, ec_sig_to_der, EC_PUBLIC_KEY, SM2_CURVE};
use super::identity::Identity;
use super::SignError;

/// The GM/T 0009-2012 default user ID (distinguishing identifier).
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

pub(crate) fn sign_raw(key: &sm2::SecretKey, data: &[u8]) -> Result<Vec<u8>, SignError> {
    let sk = sm2::dsa::SigningKey::new(SM2_DEFAULT_ID, key)
        .map_err(|e| SignError::crypto(format!("SM2 key: {e}")))?;
    let sig: sm2::dsa::Signature = sk
        .try_sign(data)
        .map_err(|e| SignError::crypto(format!("SM2 signature: {e}")))?;
    ec_sig_to_der(&sig.r_bytes(), &sig.s_bytes())
        .map_err(|e| SignError::crypto(format!("SM2 signature: {e}")))
}

fn verify_with(pk: sm2::PublicKey, data: &[u8], sig_der: &[u8]) -> Result<bool, String> {
    let Some((r, s)) = ec_sig_from_der(sig_der, 32) else {
        return Err("the SM2 signature is not a DER SEQUENCE{r,s}".into());
    };
    let r: [u8; 32] = r.try_into().map_err(|_| "SM2 r")?;
    let s: [u8; 32] = s.try_into().map_err(|_| "SM2 s")?;
    let Ok(sig) = sm2::dsa::Signature::from_scalars(r, s) else {
        return Ok(false);
    };
    let vk =
        sm2::dsa::VerifyingKey::new(SM2_DEFAULT_ID, pk).map_err(|e| format!("SM2 key: {e}"))?;
    Ok(vk.verify(data, &sig).is_ok())
}

/// Verifies with the key in a DER SubjectPublicKeyInfo (used for SM2-signed
/// certificates).
pub(crate) fn verify_raw_spki(
    spki_der: &[u8],
    data: &[u8],
    sig_der: &[u8],
) -> Result<bool, String> {
    let pk = spki_to_sm2(spki_der)?;
    verify_with(pk, data, sig_der)
}

fn spki_to_sm2(spki_der: &[u8]) -> Result<sm2::PublicKey, String> {
    let spki =
        SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(|e| format!("public key: {e}"))?;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
    if spki.algorithm.oid != EC_PUBLIC_KEY || curve != Some(SM2_CURVE) {
        return Err("the key is not an SM2 public key".into());
    }
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or("SM2 public key bits")?;
    sm2::PublicKey::from_sec1_bytes(point).map_err(|e| format!("SM2 public key: {e}"))
}

/// Signs `data` with the identity's SM2 key: SM2/SM3, user ID
/// `1234567812345678`, DER `SEQUENCE{r,s}`.
pub fn sm2_sign(data: &[u8], id: &Identity) -> Result<Vec<u8>, SignError> {
    let key = id.sm2_key().ok_or(SignError::NoSm2)?;
    sign_raw(key, data)
}

/// Checks an SM2/SM3 signature (DER `SEQUENCE{r,s}`, user ID
/// `1234567812345678`) over `data` with the key in a PEM certificate
/// (`CERTIFICATE`; the first one when the chain follows it) or public key
/// (`PUBLIC KEY`). `Ok(false)` when the
/// signature does not match; an error when the PEM or the signature is not
/// well-formed.
pub fn sm2_verify(
    data: &[u8],
    sig: &[u8],
    sm2_cert_or_pubkey_pem: &str,
) -> Result<bool, SignError> {
    // The first PEM block: a certificate file may carry its chain after it.
    let text = sm2_cert_or_pubkey_pem;
    let first = match (text.find("-----BEGIN "), text.find("-----END ")) {
        (Some(b), Some(e)) if e > b => {
            let end = text[e..]
                .find('\n')
                .map_or(text.len(), |n| e + n)
                .min(text.len());
            &text[b..end]
        }
        _ => text,
    };
    let (label, der_bytes) = der::pem::decode_vec(first.trim().as_bytes())
        .map_err(|e| SignError::malformed(format!("SM2 key PEM: {e}")))?;
    let spki_der = match label {
        "CERTIFICATE" => {
            let cert = Certificate::from_der(&der_bytes)
                .map_err(|e| SignError::malformed(format!("SM2 certificate: {e}")))?;
            cert.tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| SignError::malformed(format!("SM2 certificate: {e}")))?
        }
        "PUBLIC KEY" => der_bytes,
        other => {
            return Err(SignError::malformed(format!(
                "expected a CERTIFICATE or PUBLIC KEY PEM block, found {other}"
            )))
        }
    };
    let pk = spki_to_sm2(&spki_der).map_err(SignError::malformed)?;
    verify_with(pk, data, sig).map_err(SignError::malformed)
}
