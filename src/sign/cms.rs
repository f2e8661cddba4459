//! CMS `SignedData` (RFC 5652), detached: building one over a digest, and
//! verifying one against a digest of the content.
//!
//! Signed attributes: content-type, message-digest, ESS
//! signing-certificate-v2 (RFC 5035), and — outside PDFs only —
//! signing-time (CAdES B-B needs it; PAdES forbids it, the time goes into
//! the PDF's `/M`).

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Null, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Reader, SliceReader};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::asn1::*;
use super::identity::{Identity, SignatureScheme};
use super::x509::{check_chain, name_attr, parse_anchors, verify_sig};
use super::SignError;
use crate::i18n::Text;

/// What [`verify_detached`] (and each PDF signature check) found.
#[derive(Debug, Clone)]
pub struct CmsReport {
    /// The signer certificate's CN (empty if it could not be found).
    pub signer_cn: String,
    /// The signer certificate's O (empty when absent).
    pub signer_org: String,
    /// The signer certificate, DER (empty if not found).
    pub signer_cert_der: Vec<u8>,
    /// The signing-time attribute, RFC 3339, if present (a claim of the
    /// signer's clock, not a trusted time).
    pub signing_time: Option<String>,
    /// e.g. "SHA-256".
    pub digest_algorithm: String,
    /// e.g. "RSA", "ecdsa-with-SHA256".
    pub signature_algorithm: String,
    /// The message-digest attribute equals the digest of the content.
    pub digest_ok: bool,
    /// The signature over the signed attributes verifies with the signer
    /// certificate's key (and the ESS certificate hash matches it).
    pub signature_ok: bool,
    /// `None` when no trust anchors were given; else whether the signer
    /// certificate chains to one of them (signatures, CA flags, validity).
    pub trusted: Option<bool>,
    /// Everything that went wrong or is worth knowing, in Chinese and English.
    pub problems: Vec<Text>,
}

impl CmsReport {
    /// Digest and signature good, and trusted unless no anchors were given.
    pub fn is_valid(&self) -> bool {
        self.digest_ok && self.signature_ok && self.trusted != Some(false)
    }

    fn empty() -> CmsReport {
        CmsReport {
            signer_cn: String::new(),
            signer_org: String::new(),
            signer_cert_der: Vec::new(),
            signing_time: None,
            digest_algorithm: String::new(),
            signature_algorithm: String::new(),
            digest_ok: false,
            signature_ok: false,
            trusted: None,
            problems: Vec::new(),
        }
    }
}

fn enc(e: der::Error) -> SignError {
    SignError::crypto(format!("CMS encoding: {e}"))
}

fn attribute(oid: der::asn1::ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let values: SetOfVec<AttributeValue> = SetOfVec::try_from(vec![value]).map_err(enc)?;
    Ok(Attribute { oid, values })
}

/// Builds a detached SignedData over content whose SHA-256 is
/// `content_sha256`, signed by `id`'s [`super::Signer`] (RSA PKCS#1 v1.5
/// or ECDSA P-256, both with SHA-256; a token key signs on the token),
/// carrying the signer certificate and its chain.
pub(crate) fn build(
    id: &Identity,
    content_sha256: &[u8],
    signing_time: Option<SystemTime>,
) -> Result<Vec<u8>, SignError> {
    build_with(id, content_sha256, signing_time, &|m| id.signer.sign(m))
}

/// An upper bound of the size of what [`build`] makes for `id`, found
/// without asking the key to sign (a token may want its PIN per signature).
pub(crate) fn size_bound(id: &Identity) -> Result<usize, SignError> {
    let spki = &id.cert.tbs_certificate.subject_public_key_info;
    let sig_len = match id.signer.scheme() {
        SignatureScheme::RsaPkcs1Sha256 => {
            use rsa::pkcs8::DecodePublicKey;
            use rsa::traits::PublicKeyParts;
            let der = spki.to_der().map_err(enc)?;
            rsa::RsaPublicKey::from_public_key_der(&der)
                .map(|k| k.size())
                .map_err(|e| SignError::malformed(format!("signer's RSA public key: {e}")))?
        }
        // DER SEQUENCE{r, s} of two 33-byte INTEGERs at most.
        SignatureScheme::EcdsaP256Sha256 => 72,
    };
    let fake = vec![0xffu8; sig_len];
    Ok(build_with(id, &[0u8; 32], None, &|_| Ok(fake.clone()))?.len())
}

/// Makes the signature value over the DER of the signed attributes.
type SignFn<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<u8>, SignError>;

fn build_with(
    id: &Identity,
    content_sha256: &[u8],
    signing_time: Option<SystemTime>,
    sign: SignFn<'_>,
) -> Result<Vec<u8>, SignError> {
    let cert = &id.cert;
    let tbs = &cert.tbs_certificate;
    let digest_alg = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };

    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Hash::Sha256.digest(&id.cert_der)).map_err(enc)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let mut attrs = vec![
        attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(enc)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_sha256).map_err(enc)?).map_err(enc)?,
        )?,
        attribute(ID_SIGNING_CERT_V2, Any::encode_from(&ess).map_err(enc)?)?,
    ];
    if let Some(t) = signing_time {
        let t = Time::try_from(t).map_err(enc)?;
        attrs.push(attribute(
            ID_SIGNING_TIME,
            Any::encode_from(&t).map_err(enc)?,
        )?);
    }
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs).map_err(enc)?;
    let to_sign = signed_attrs.to_der().map_err(enc)?;
    // The one operation the key performs (in memory, or on the token).
    let signature = sign(&to_sign)?;
    let signature_algorithm = match id.signer.scheme() {
        SignatureScheme::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::from(Null)),
        },
        SignatureScheme::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
            oid: ECDSA_SHA256,
            parameters: None,
        },
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs: None,
    };
    let certs: Vec<CertificateChoices> = std::iter::once(cert)
        .chain(id.chain.iter())
        .map(|c| CertificateChoices::Certificate(c.clone()))
        .collect();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(enc)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(enc)?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(enc)?,
    }
    .to_der()
    .map_err(enc)
}

/// Signs `data` with a detached CMS SignedData (DER): SHA-256, RSA PKCS#1
/// v1.5 or ECDSA P-256, signed attributes content-type, message-digest,
/// signing-certificate-v2 and signing-time; the signer certificate and
/// chain included. `openssl cms -verify -binary -inform DER -in X.p7s
/// -content data -CAfile ca.pem -purpose any` accepts it.
pub fn sign_detached(data: &[u8], id: &Identity) -> Result<Vec<u8>, SignError> {
    build(id, &Hash::Sha256.digest(data), Some(SystemTime::now()))
}

/// [`sign_detached`] with a given signing time (for reproducible output:
/// the same data, identity and time give the same bytes; RSA PKCS#1 v1.5
/// and RFC 6979 ECDSA are deterministic). `None` omits the signing-time attribute.
pub fn sign_detached_at(
    data: &[u8],
    id: &Identity,
    at: Option<SystemTime>,
) -> Result<Vec<u8>, SignError> {
    build(id, &Hash::Sha256.digest(data), at)
}

/// Verifies a detached CMS signature (DER, or PEM `CMS`/`PKCS7`) over
/// `data`, and the chain against `trust` (DER certificates) when given.
/// A malformed signature is an error; a wrong one is a report with
/// `digest_ok`/`signature_ok` false.
pub fn verify_detached(data: &[u8], p7s: &[u8], trust: &[Vec<u8>]) -> Result<CmsReport, SignError> {
    check_size(p7s.len())?;
    let anchors = parse_anchors(trust)?;
    let der_bytes = if p7s.starts_with(b"-----BEGIN") {
        der::pem::decode_vec(p7s)
            .map_err(|e| SignError::malformed(format!("CMS PEM: {e}")))?
            .1
    } else {
        p7s.to_vec()
    };
    verify(&der_bytes, false, &|h: Hash| h.digest(data), &anchors)
}

/// Refuses a CMS signature over [`super::MAX_CMS`] before parsing it.
fn check_size(len: usize) -> Result<(), SignError> {
    let max = super::MAX_CMS;
    if len > max {
        return Err(SignError::refused(
            format!("CMS 签名过大（{len} 字节，上限 {max} 字节），未解析"),
            format!("the CMS signature is too large ({len} bytes; the limit is {max}); not parsed"),
        ));
    }
    Ok(())
}

fn problem(r: &mut CmsReport, zh: impl Into<String>, en: impl Into<String>) {
    r.problems.push(Text::new(zh, en));
}

/// Verifies a SignedData whose content digest (for a given algorithm) is
/// `digest_of(alg)`. With `allow_padding`, zero bytes after the DER are
/// accepted (a PDF `/Contents` placeholder).
pub(crate) fn verify(
    cms_der: &[u8],
    allow_padding: bool,
    digest_of: &dyn Fn(Hash) -> Vec<u8>,
    anchors: &[Certificate],
) -> Result<CmsReport, SignError> {
    check_size(cms_der.len())?;
    let mut reader =
        SliceReader::new(cms_der).map_err(|e| SignError::malformed(format!("CMS: {e}")))?;
    let ci = ContentInfo::decode(&mut reader)
        .map_err(|e| SignError::malformed(format!("not a CMS ContentInfo: {e}")))?;
    let rest = reader.read_slice(reader.remaining_len()).unwrap_or(&[]);
    let padding_only = allow_padding && rest.iter().all(|&b| b == 0);
    if !rest.is_empty() && !padding_only {
        return Err(SignError::malformed(format!(
            "{} bytes of trailing data after the CMS signature",
            rest.len()
        )));
    }
    if ci.content_type != ID_SIGNED_DATA {
        return Err(SignError::malformed(format!(
            "CMS content type {} is not signedData",
            ci.content_type
        )));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| SignError::malformed(format!("CMS SignedData: {e}")))?;
    let mut r = CmsReport::empty();
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|s| {
            s.0.iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut infos = sd.signer_infos.0.iter();
    let Some(si) = infos.next() else {
        return Err(SignError::malformed("the CMS SignedData has no signer"));
    };
    if infos.next().is_some() {
        problem(
            &mut r,
            "有多个签名者，只检查了第一个",
            "more than one signer; only the first was checked",
        );
    }
    if sd.encap_content_info.econtent.is_some() {
        problem(
            &mut r,
            "签名内嵌了内容（不是分离式签名），内嵌内容未被使用",
            "the signature encapsulates content (not detached); it was ignored",
        );
    }

    // The signer certificate.
    let signer = certs.iter().find(|c| match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            matches!(c.tbs_certificate.get::<SubjectKeyIdentifier>(), Ok(Some((_, s))) if &s == ski)
        }
    });
    let Some(signer) = signer else {
        problem(
            &mut r,
            "签名中没有签名者证书",
            "the signer's certificate is not in the signature",
        );
        return Ok(r);
    };
    r.signer_cn = name_attr(&signer.tbs_certificate.subject, AT_COMMON_NAME);
    r.signer_org = name_attr(&signer.tbs_certificate.subject, AT_ORGANISATION);
    r.signer_cert_der = signer.to_der().unwrap_or_default();
    r.signature_algorithm = oid_name(&si.signature_algorithm.oid);
    r.digest_algorithm = oid_name(&si.digest_alg.oid);

    let Some(hash) = Hash::from_oid(&si.digest_alg.oid) else {
        let name = oid_name(&si.digest_alg.oid);
        problem(
            &mut r,
            format!("不支持的摘要算法 {name}"),
            format!("digest algorithm {name} is not supported"),
        );
        return Ok(r);
    };
    let content_digest = digest_of(hash);

    let Some(attrs) = &si.signed_attrs else {
        problem(
            &mut r,
            "签名没有签名属性（不符合 CAdES/PAdES），无法检查",
            "the signature has no signed attributes (not CAdES/PAdES); not checked",
        );
        return Ok(r);
    };
    let mut seen_digest = false;
    let mut ess_ok = None;
    for a in attrs.iter() {
        let Some(v) = a.values.iter().next() else {
            continue;
        };
        match a.oid {
            ID_MESSAGE_DIGEST => {
                seen_digest = true;
                r.digest_ok = v
                    .decode_as::<OctetString>()
                    .map(|o| o.as_bytes() == content_digest)
                    .unwrap_or(false);
            }
            ID_CONTENT_TYPE
                if v.decode_as::<der::asn1::ObjectIdentifier>().ok()
                    != Some(sd.encap_content_info.econtent_type) =>
            {
                problem(
                    &mut r,
                    "content-type 属性与内容类型不符",
                    "the content-type attribute does not match the content type",
                );
            }
            ID_SIGNING_TIME => {
                if let Ok(t) = v.to_der().and_then(|d| Time::from_der(&d)) {
                    let secs = t.to_unix_duration().as_secs() as i64;
                    r.signing_time =
                        chrono::DateTime::from_timestamp(secs, 0).map(|d| d.to_rfc3339());
                }
            }
            ID_SIGNING_CERT_V2 => {
                let ok = v.decode_as::<SigningCertificateV2>().ok().and_then(|scv2| {
                    let first = scv2.certs.first()?;
                    let h = match &first.hash_algorithm {
                        None => Hash::Sha256,
                        Some(alg) => Hash::from_oid(&alg.oid)?,
                    };
                    Some(first.cert_hash.as_bytes() == h.digest(&r.signer_cert_der))
                });
                ess_ok = Some(ok.unwrap_or(false));
            }
            _ => {}
        }
    }
    if !seen_digest {
        problem(
            &mut r,
            "缺少 message-digest 签名属性",
            "no message-digest attribute",
        );
    } else if !r.digest_ok {
        problem(
            &mut r,
            "摘要不符：签名之后内容被改动过",
            "digest mismatch: the content was changed after signing",
        );
    }
    if ess_ok.is_none() {
        problem(
            &mut r,
            "缺少 ESS signing-certificate-v2 属性（不符合 CAdES/PAdES B-B）",
            "no ESS signing-certificate-v2 attribute (not CAdES/PAdES B-B)",
        );
    }

    let signed_bytes = attrs
        .to_der()
        .map_err(|e| SignError::malformed(format!("signed attributes: {e}")))?;
    match verify_sig(
        &signer.tbs_certificate.subject_public_key_info,
        &si.signature_algorithm,
        Some(hash),
        &signed_bytes,
        si.signature.as_bytes(),
    ) {
        Ok(true) => r.signature_ok = true,
        Ok(false) => problem(&mut r, "签名值无效", "the signature value does not verify"),
        Err(why) => problem(
            &mut r,
            format!("无法验证签名：{why}"),
            format!("cannot verify the signature: {why}"),
        ),
    }
    if ess_ok == Some(false) {
        r.signature_ok = false;
        problem(
            &mut r,
            "ESS 属性中的证书摘要与签名者证书不符",
            "the ESS certificate hash does not match the signer certificate",
        );
    }

    if !anchors.is_empty() {
        let (trusted, chain_problems) = check_chain(signer, &certs, anchors, SystemTime::now());
        r.trusted = Some(trusted);
        r.problems.extend(chain_problems);
    }
    Ok(r)
}
