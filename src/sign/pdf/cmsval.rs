//! CMS `SignedData` as other tools write it inside PDFs, checked the way
//! pyHanko checks it: with or without signed attributes (without them the
//! signature is over the content digest itself), detached or with the
//! content inside (`adbe.pkcs7.sha1`, RFC 3161 timestamp tokens), ESS
//! signing-certificate v1 or v2 when present, RSA PKCS#1 v1.5 / PSS,
//! ECDSA P-256 / P-384, SM2-with-SM3; RFC 3161 tokens (TSTInfo message
//! imprint). Never panics on input: a malformed structure is an error, a
//! wrong value a report.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Any, Decode, Encode, Reader, SliceReader, Tag, Tagged};
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::super::asn1::*;
use super::super::SignError;
use crate::i18n::Text;

/// A digest algorithm a signature made elsewhere may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sm3,
}

impl Dg {
    pub(crate) fn from_oid(oid: &Oid) -> Option<Dg> {
        match *oid {
            ID_SHA1 => Some(Dg::Sha1),
            ID_SHA224 => Some(Dg::Sha224),
            ID_SHA256 => Some(Dg::Sha256),
            ID_SHA384 => Some(Dg::Sha384),
            ID_SHA512 => Some(Dg::Sha512),
            ID_SM3 => Some(Dg::Sm3),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Dg::Sha1 => "SHA-1",
            Dg::Sha224 => "SHA-224",
            Dg::Sha256 => "SHA-256",
            Dg::Sha384 => "SHA-384",
            Dg::Sha512 => "SHA-512",
            Dg::Sm3 => "SM3",
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(crate) fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        use sha2::Digest;
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Dg::Sha1 => run::<sha1::Sha1>(parts),
            Dg::Sha224 => run::<sha2::Sha224>(parts),
            Dg::Sha256 => run::<sha2::Sha256>(parts),
            Dg::Sha384 => run::<sha2::Sha384>(parts),
            Dg::Sha512 => run::<sha2::Sha512>(parts),
            Dg::Sm3 => run::<sm3::Sm3>(parts),
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }
}

/// What the ESS signing-certificate attribute said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EssStatus {
    /// No signing-certificate(-v2) attribute (or no signed attributes).
    Absent,
    /// Present, and its hash is the signer certificate's.
    Matches,
    /// Present, and its hash is not the signer certificate's.
    Mismatch,
}

/// What [`check`] found in one SignedData.
#[derive(Debug, Clone)]
pub(crate) struct CmsCheck {
    pub signer_cert: Option<Certificate>,
    /// Every certificate the SignedData carries.
    pub certs: Vec<Certificate>,
    pub digest_algorithm: String,
    pub signature_algorithm: String,
    pub signed_attrs: bool,
    /// The content digest (message-digest attribute, or the signature over
    /// the digest when there are no signed attributes) matches.
    pub digest_ok: bool,
    pub signature_ok: bool,
    /// The signature algorithm or key is one we cannot check.
    pub unsupported: bool,
    pub ess: EssStatus,
    /// signing-time attribute, RFC 3339.
    pub signing_time: Option<String>,
    pub econtent_type: Oid,
    /// Encapsulated content (an OCTET STRING's bytes), when present.
    pub econtent: Option<Vec<u8>>,
    pub signature_value: Vec<u8>,
    /// signature-time-stamp tokens (unsigned attributes), DER ContentInfo.
    pub ts_tokens: Vec<Vec<u8>>,
    pub problems: Vec<Text>,
}

fn problem(r: &mut CmsCheck, zh: impl Into<String>, en: impl Into<String>) {
    r.problems.push(Text::new(zh, en));
}

/// Parses a ContentInfo/SignedData. With `allow_padding`, zero bytes after
/// the DER are accepted (a PDF `/Contents` placeholder).
fn parse(cms_der: &[u8], allow_padding: bool) -> Result<SignedData, SignError> {
    if cms_der.len() > super::super::MAX_CMS {
        return Err(SignError::refused(
            format!("CMS 签名过大（{} 字节），未解析", cms_der.len()),
            format!(
                "the CMS signature is too large ({} bytes); not parsed",
                cms_der.len()
            ),
        ));
    }
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
    ci.content
        .decode_as()
        .map_err(|e| SignError::malformed(format!("CMS SignedData: {e}")))
}

/// Checks one SignedData. `detached_digest` gives the digest of the signed
/// content for an algorithm (a PDF's byte ranges); `None` means the content
/// is inside the SignedData (`adbe.pkcs7.sha1`, a timestamp token).
pub(crate) fn check(
    cms_der: &[u8],
    allow_padding: bool,
    detached_digest: Option<&dyn Fn(Dg) -> Vec<u8>>,
) -> Result<CmsCheck, SignError> {
    let sd = parse(cms_der, allow_padding)?;
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
    let econtent = match &sd.encap_content_info.econtent {
        None => None,
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(|e| SignError::malformed(format!("CMS encapsulated content: {e}")))?
                .as_bytes()
                .to_vec(),
        ),
    };
    let mut r = CmsCheck {
        signer_cert: None,
        certs,
        digest_algorithm: String::new(),
        signature_algorithm: String::new(),
        signed_attrs: false,
        digest_ok: false,
        signature_ok: false,
        unsupported: false,
        ess: EssStatus::Absent,
        signing_time: None,
        econtent_type: sd.encap_content_info.econtent_type,
        econtent,
        signature_value: Vec::new(),
        ts_tokens: Vec::new(),
        problems: Vec::new(),
    };
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
    r.signature_value = si.signature.as_bytes().to_vec();
    r.signature_algorithm = oid_name(&si.signature_algorithm.oid);
    r.digest_algorithm = oid_name(&si.digest_alg.oid);
    if let Some(un) = &si.unsigned_attrs {
        for a in un.iter().filter(|a| a.oid == ID_SIGNATURE_TIME_STAMP) {
            for v in a.values.iter() {
                if let Ok(d) = v.to_der() {
                    r.ts_tokens.push(d);
                }
            }
        }
    }

    let signer = r
        .certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                matches!(c.tbs_certificate.get::<SubjectKeyIdentifier>(), Ok(Some((_, s))) if &s == ski)
            }
        })
        .cloned();
    let Some(signer) = signer else {
        problem(
            &mut r,
            "签名中没有签名者证书",
            "the signer's certificate is not in the signature",
        );
        return Ok(r);
    };
    let signer_der = signer.to_der().unwrap_or_default();
    r.signer_cert = Some(signer.clone());

    let Some(dg) = Dg::from_oid(&si.digest_alg.oid) else {
        let name = oid_name(&si.digest_alg.oid);
        r.unsupported = true;
        problem(
            &mut r,
            format!("不支持的摘要算法 {name}"),
            format!("digest algorithm {name} is not supported"),
        );
        return Ok(r);
    };
    // The digest of the signed content.
    let content_digest = match (detached_digest, &r.econtent) {
        (Some(f), econtent) => {
            if econtent.is_some() {
                problem(
                    &mut r,
                    "分离式签名却内嵌了内容，内嵌内容未被使用",
                    "a detached signature that also encapsulates content; the content was ignored",
                );
            }
            f(dg)
        }
        (None, Some(c)) => dg.digest(c),
        (None, None) => {
            problem(
                &mut r,
                "签名既没有内嵌内容，也不是分离式签名",
                "the signature carries no content and is not detached",
            );
            return Ok(r);
        }
    };
    let spki = &signer.tbs_certificate.subject_public_key_info;

    let Some(attrs) = &si.signed_attrs else {
        // No signed attributes: the signature is over the content digest.
        let content_for_sm2 = if detached_digest.is_none() {
            r.econtent.clone()
        } else {
            None
        };
        let data = match &content_for_sm2 {
            Some(c) => Data::Message(c),
            None => Data::Prehashed(&content_digest),
        };
        match verify_with(
            spki,
            &si.signature_algorithm,
            Some(dg),
            data,
            &r.signature_value,
        ) {
            Ok(ok) => {
                r.signature_ok = ok;
                r.digest_ok = ok;
                if !ok {
                    problem(
                        &mut r,
                        "签名值无效（无签名属性：签名直接针对内容摘要），或签名后内容被改动",
                        "the signature value does not verify (no signed attributes: it signs the content digest directly), or the content was changed after signing",
                    );
                }
            }
            Err(why) => {
                r.unsupported = true;
                problem(
                    &mut r,
                    format!("无法验证签名：{why}"),
                    format!("cannot verify the signature: {why}"),
                );
            }
        }
        return Ok(r);
    };
    r.signed_attrs = true;
    let mut seen_digest = false;
    for a in attrs.iter() {
        let Some(v) = a.values.iter().next() else {
            continue;
        };
        match a.oid {
            ID_MESSAGE_DIGEST => {
                seen_digest = true;
                r.digest_ok = v
                    .decode_as::<OctetString>()
                    .map(|o| o.as_bytes() == content_digest.as_slice())
                    .unwrap_or(false);
            }
            ID_CONTENT_TYPE if v.decode_as::<Oid>().ok() != Some(r.econtent_type) => {
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
                let ok = v.decode_as::<SigningCertificateV2>().ok().and_then(|s| {
                    let first = s.certs.first()?;
                    let h = match &first.hash_algorithm {
                        None => Dg::Sha256,
                        Some(alg) => Dg::from_oid(&alg.oid)?,
                    };
                    Some(first.cert_hash.as_bytes() == h.digest(&signer_der).as_slice())
                });
                r.ess = if ok == Some(true) {
                    EssStatus::Matches
                } else {
                    EssStatus::Mismatch
                };
            }
            ID_SIGNING_CERT => {
                let ok = v.decode_as::<SigningCertificateV1>().ok().and_then(|s| {
                    let first = s.certs.first()?;
                    Some(first.cert_hash.as_bytes() == Dg::Sha1.digest(&signer_der).as_slice())
                });
                r.ess = if ok == Some(true) {
                    EssStatus::Matches
                } else {
                    EssStatus::Mismatch
                };
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
    let signed_bytes = attrs
        .to_der()
        .map_err(|e| SignError::malformed(format!("signed attributes: {e}")))?;
    match verify_with(
        spki,
        &si.signature_algorithm,
        Some(dg),
        Data::Message(&signed_bytes),
        &r.signature_value,
    ) {
        Ok(true) => r.signature_ok = true,
        Ok(false) => problem(&mut r, "签名值无效", "the signature value does not verify"),
        Err(why) => {
            r.unsupported = true;
            problem(
                &mut r,
                format!("无法验证签名：{why}"),
                format!("cannot verify the signature: {why}"),
            );
        }
    }
    if r.ess == EssStatus::Mismatch {
        r.signature_ok = false;
        problem(
            &mut r,
            "ESS 属性中的证书摘要与签名者证书不符",
            "the ESS certificate hash does not match the signer certificate",
        );
    }
    Ok(r)
}

/// What a signature is over.
pub(crate) enum Data<'a> {
    /// The message itself (hashed here with the algorithm's digest).
    Message(&'a [u8]),
    /// The digest of the message, made with the signer-info's digest algorithm.
    Prehashed(&'a [u8]),
}

/// The hash a signature algorithm uses; `fallback` for the bare key OIDs
/// (`rsaEncryption`, `id-ecPublicKey`) where CMS names the digest apart.
fn sig_hash(alg: &AlgorithmIdentifierOwned, fallback: Option<Dg>) -> Result<Dg, String> {
    let h = match alg.oid {
        SHA1_WITH_RSA | ECDSA_SHA1 => Some(Dg::Sha1),
        SHA224_WITH_RSA => Some(Dg::Sha224),
        SHA256_WITH_RSA | ECDSA_SHA256 => Some(Dg::Sha256),
        SHA384_WITH_RSA | ECDSA_SHA384 => Some(Dg::Sha384),
        SHA512_WITH_RSA | ECDSA_SHA512 => Some(Dg::Sha512),
        RSA_ENCRYPTION | EC_PUBLIC_KEY => fallback,
        RSASSA_PSS => {
            let params = alg
                .parameters
                .as_ref()
                .ok_or("RSASSA-PSS without parameters")?;
            let params: rsa::pkcs1::RsaPssParams<'_> = params
                .decode_as()
                .map_err(|e| format!("RSASSA-PSS parameters: {e}"))?;
            Some(
                Dg::from_oid(&params.hash.oid)
                    .ok_or_else(|| format!("RSASSA-PSS with {}", oid_name(&params.hash.oid)))?,
            )
        }
        _ => None,
    };
    h.ok_or_else(|| {
        format!(
            "signature algorithm {} has no known digest",
            oid_name(&alg.oid)
        )
    })
}

/// Checks `sig` with the key in `spki` for the algorithm `alg` (`digest`
/// is the signer-info's digest algorithm). `Ok(false)`: does not verify;
/// `Err(reason)`: an algorithm or key we do not handle, or a damaged key.
pub(crate) fn verify_with(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: Option<Dg>,
    data: Data<'_>,
    sig: &[u8],
) -> Result<bool, String> {
    let spki_der = spki.to_der().map_err(|e| format!("public key: {e}"))?;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<Oid>().ok());
    let is_sm2 = matches!(alg.oid, SM2_WITH_SM3 | SM2_SIGN_GMT0010)
        || (spki.algorithm.oid == EC_PUBLIC_KEY && curve == Some(SM2_CURVE));
    if is_sm2 {
        return match data {
            Data::Message(m) => super::super::sm2::verify_raw_spki(&spki_der, m, sig),
            Data::Prehashed(_) => {
                Err("SM2 over a digest without signed attributes is not supported".into())
            }
        };
    }
    let h = sig_hash(alg, digest)?;
    let hashed = match data {
        Data::Message(m) => h.digest(m),
        Data::Prehashed(d) => {
            if Some(h) != digest {
                return Err(format!(
                    "the signature algorithm's digest {} differs from the signer's digest {}",
                    h.name(),
                    digest.map(Dg::name).unwrap_or("?")
                ));
            }
            d.to_vec()
        }
    };
    match alg.oid {
        RSA_ENCRYPTION | SHA1_WITH_RSA | SHA224_WITH_RSA | SHA256_WITH_RSA | SHA384_WITH_RSA
        | SHA512_WITH_RSA => {
            use rsa::Pkcs1v15Sign;
            let key = rsa::RsaPublicKey::from_public_key_der(&spki_der)
                .map_err(|e| format!("RSA public key: {e}"))?;
            let scheme = match h {
                Dg::Sha1 => Pkcs1v15Sign {
                    hash_len: Some(20),
                    prefix: Box::new([
                        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05,
                        0x00, 0x04, 0x14,
                    ]),
                },
                Dg::Sha224 => Pkcs1v15Sign::new::<sha2::Sha224>(),
                Dg::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                Dg::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                Dg::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                Dg::Sm3 => return Err("RSA with SM3 is not supported".into()),
            };
            Ok(key.verify(scheme, &hashed, sig).is_ok())
        }
        RSASSA_PSS => {
            let params: rsa::pkcs1::RsaPssParams<'_> = alg
                .parameters
                .as_ref()
                .ok_or("RSASSA-PSS without parameters")?
                .decode_as()
                .map_err(|e| format!("RSASSA-PSS parameters: {e}"))?;
            let salt = usize::from(params.salt_len);
            let key = rsa::RsaPublicKey::from_public_key_der(&spki_der)
                .map_err(|e| format!("RSA public key: {e}"))?;
            let scheme = match h {
                Dg::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                Dg::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                Dg::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                other => return Err(format!("RSASSA-PSS with {} is not supported", other.name())),
            };
            Ok(key.verify(scheme, &hashed, sig).is_ok())
        }
        EC_PUBLIC_KEY | ECDSA_SHA1 | ECDSA_SHA256 | ECDSA_SHA384 | ECDSA_SHA512 => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            match curve {
                Some(SECP256R1) => {
                    let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                        .map_err(|e| format!("P-256 public key: {e}"))?;
                    let Ok(sig) = p256::ecdsa::Signature::from_der(sig) else {
                        return Ok(false);
                    };
                    Ok(key.verify_prehash(&hashed, &sig).is_ok())
                }
                Some(SECP384R1) => {
                    let key = p384::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                        .map_err(|e| format!("P-384 public key: {e}"))?;
                    let Ok(sig) = p384::ecdsa::Signature::from_der(sig) else {
                        return Ok(false);
                    };
                    Ok(key.verify_prehash(&hashed, &sig).is_ok())
                }
                other => Err(format!(
                    "ECDSA on {} is not supported (P-256, P-384)",
                    other
                        .map(|c| oid_name(&c))
                        .unwrap_or_else(|| "an unnamed curve".into())
                )),
            }
        }
        other => Err(format!(
            "signature algorithm {} is not supported",
            oid_name(&other)
        )),
    }
}

/// What an RFC 3161 timestamp token says and whether it holds.
#[derive(Debug, Clone)]
pub(crate) struct TstCheck {
    /// genTime, RFC 3339 (UTC).
    pub gen_time: Option<String>,
    /// The message imprint is the digest of what the token stamps.
    pub imprint_ok: bool,
    pub cms: CmsCheck,
}

/// Checks a timestamp token (ContentInfo/SignedData over a TSTInfo) whose
/// stamped data has the digest `imprint_of(alg)`.
pub(crate) fn check_timestamp(
    token_der: &[u8],
    allow_padding: bool,
    imprint_of: &dyn Fn(Dg) -> Vec<u8>,
) -> Result<TstCheck, SignError> {
    let mut cms = check(token_der, allow_padding, None)?;
    if cms.econtent_type != ID_CT_TST_INFO {
        return Err(SignError::malformed(format!(
            "a timestamp token's content is {}, not TSTInfo",
            cms.econtent_type
        )));
    }
    let tst = cms
        .econtent
        .clone()
        .ok_or_else(|| SignError::malformed("a timestamp token without TSTInfo"))?;
    let (imprint, gen_time) =
        parse_tst_info(&tst).map_err(|e| SignError::malformed(format!("TSTInfo: {e}")))?;
    let imprint_ok = match Dg::from_oid(&imprint.hash_algorithm.oid) {
        Some(d) => imprint.hashed_message.as_bytes() == imprint_of(d).as_slice(),
        None => {
            let name = oid_name(&imprint.hash_algorithm.oid);
            cms.problems.push(Text::new(
                format!("时间戳使用了不支持的摘要算法 {name}"),
                format!("the timestamp uses digest algorithm {name}, which is not supported"),
            ));
            false
        }
    };
    Ok(TstCheck {
        gen_time,
        imprint_ok,
        cms,
    })
}

/// The message imprint and genTime of a TSTInfo (RFC 3161 §2.4.2); the
/// fields after genTime are not needed.
fn parse_tst_info(der_bytes: &[u8]) -> der::Result<(MessageImprint, Option<String>)> {
    let any = Any::from_der(der_bytes)?;
    if any.tag() != Tag::Sequence {
        return Err(der::Tag::Sequence.value_error());
    }
    let mut r = SliceReader::new(any.value())?;
    let _version = der::asn1::IntRef::decode(&mut r)?;
    let _policy = Oid::decode(&mut r)?;
    let imprint = MessageImprint::decode(&mut r)?;
    let _serial = der::asn1::IntRef::decode(&mut r)?;
    let gen = Any::decode(&mut r)?;
    let gen_time = if gen.tag() == Tag::GeneralizedTime {
        std::str::from_utf8(gen.value())
            .ok()
            .and_then(generalized_time)
    } else {
        None
    };
    Ok((imprint, gen_time))
}

/// `YYYYMMDDHHMMSS[.fff]Z` to RFC 3339 (UTC), fractions dropped.
fn generalized_time(s: &str) -> Option<String> {
    let digits = s.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| digits[a..b].parse::<u32>().ok();
    let d = chrono::NaiveDate::from_ymd_opt(n(0, 4)? as i32, n(4, 6)?, n(6, 8)?)?;
    let t = d.and_hms_opt(n(8, 10)?, n(10, 12)?, n(12, 14)?)?;
    Some(t.and_utc().to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_times_with_and_without_fractions() {
        assert_eq!(
            generalized_time("20250601020304Z").as_deref(),
            Some("2025-06-01T02:03:04+00:00")
        );
        assert_eq!(
            generalized_time("20250601020304.123456Z").as_deref(),
            Some("2025-06-01T02:03:04+00:00")
        );
        assert_eq!(generalized_time("2025"), None);
        assert_eq!(generalized_time("2025x601020304Z"), None);
    }
}
