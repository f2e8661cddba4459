//! Certificates: issuing (local CA, signing certificate, SM2 certificate),
//! reading names, checking a signature made with a certificate's key, and
//! building a chain to trust anchors.

use der::asn1::{BitString, GeneralizedTime, Null, OctetString, SetOfVec, UtcTime, Utf8StringRef};
use der::{Any, Decode, Encode, Tagged};
use rand_core::{OsRng, RngCore};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::asn1::*;
use super::SignError;
use crate::i18n::Text;

/// A private key that can sign a certificate or a CMS signer-info.
pub(crate) enum KeyRef<'a> {
    Rsa(&'a RsaPrivateKey),
    P256(&'a p256::SecretKey),
    Sm2(&'a sm2::SecretKey),
}

impl KeyRef<'_> {
    /// The algorithm identifier of a certificate signature made with this key.
    pub(crate) fn cert_sig_alg(&self) -> AlgorithmIdentifierOwned {
        match self {
            KeyRef::Rsa(_) => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::from(Null)),
            },
            KeyRef::P256(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_SHA256,
                parameters: None,
            },
            KeyRef::Sm2(_) => AlgorithmIdentifierOwned {
                oid: SM2_WITH_SM3,
                parameters: None,
            },
        }
    }

    /// Signs `msg`: RSA PKCS#1 v1.5 + SHA-256, ECDSA P-256 + SHA-256 (DER),
    /// or SM2 + SM3 with the GM/T 0009 default user ID (DER).
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            KeyRef::Rsa(key) => {
                let hashed = Hash::Sha256.digest(msg);
                key.sign_with_rng(&mut OsRng, Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed)
                    .map_err(|e| SignError::crypto(format!("RSA signature: {e}")))
            }
            KeyRef::P256(key) => {
                use p256::ecdsa::signature::Signer;
                let sk = p256::ecdsa::SigningKey::from(*key);
                let sig: p256::ecdsa::Signature = sk
                    .try_sign(msg)
                    .map_err(|e| SignError::crypto(format!("ECDSA signature: {e}")))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            KeyRef::Sm2(key) => super::sm2::sign_raw(key, msg),
        }
    }

    pub(crate) fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, SignError> {
        use pkcs8::EncodePublicKey;
        let doc = match self {
            KeyRef::Rsa(key) => RsaPublicKey::from(*key).to_public_key_der(),
            KeyRef::P256(key) => key.public_key().to_public_key_der(),
            KeyRef::Sm2(key) => key.public_key().to_public_key_der(),
        }
        .map_err(|e| SignError::crypto(format!("public key encoding: {e}")))?;
        SubjectPublicKeyInfoOwned::from_der(doc.as_bytes())
            .map_err(|e| SignError::crypto(format!("public key encoding: {e}")))
    }
}

/// `O=org, CN=cn` (O omitted when empty), both as UTF8String.
pub(crate) fn make_name(cn: &str, org: &str) -> Result<Name, SignError> {
    let mut rdns = Vec::new();
    let mut push = |oid, value: &str| -> Result<(), SignError> {
        let s = Utf8StringRef::new(value)
            .map_err(|e| SignError::malformed(format!("name {value:?}: {e}")))?;
        let atv = AttributeTypeAndValue {
            oid,
            value: Any::from(s),
        };
        let set = SetOfVec::try_from(vec![atv])
            .map_err(|e| SignError::malformed(format!("name: {e}")))?;
        rdns.push(RelativeDistinguishedName(set));
        Ok(())
    };
    if !org.is_empty() {
        push(AT_ORGANISATION, org)?;
    }
    push(AT_COMMON_NAME, cn)?;
    Ok(RdnSequence(rdns))
}

/// The value of the first attribute `oid` in `name`, decoded as a string
/// (UTF8String, PrintableString, IA5String, BMPString, T61String as
/// Latin-1); empty when absent.
pub(crate) fn name_attr(name: &Name, oid: der::asn1::ObjectIdentifier) -> String {
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == oid {
                return any_to_string(&atv.value);
            }
        }
    }
    String::new()
}

fn any_to_string(v: &Any) -> String {
    use der::Tag;
    let bytes = v.value();
    match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Tag::TeletexString => bytes.iter().map(|&b| b as char).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A one-line rendering of a name, for messages: `CN=…, O=…`.
pub(crate) fn name_display(name: &Name) -> String {
    let cn = name_attr(name, AT_COMMON_NAME);
    let o = name_attr(name, AT_ORGANISATION);
    match (cn.is_empty(), o.is_empty()) {
        (false, false) => format!("CN={cn}, O={o}"),
        (false, true) => format!("CN={cn}"),
        (true, false) => format!("O={o}"),
        (true, true) => name.to_string(),
    }
}

fn to_time(t: chrono::DateTime<chrono::Utc>) -> Result<Time, SignError> {
    let secs = u64::try_from(t.timestamp()).map_err(|_| SignError::crypto("time before 1970"))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| SignError::crypto(format!("time: {e}")))?;
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
    if dt.year() < 2050 {
        UtcTime::from_date_time(dt)
            .map(Time::UtcTime)
            .map_err(|e| SignError::crypto(format!("time: {e}")))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// From one hour ago (clock skew) for `days` days.
pub(crate) fn validity_days(days: i64) -> Result<Validity, SignError> {
    let now = chrono::Utc::now();
    Ok(Validity {
        not_before: to_time(now - chrono::Duration::hours(1))?,
        not_after: to_time(now + chrono::Duration::days(days))?,
    })
}

fn random_serial() -> Result<SerialNumber, SignError> {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x40; // positive, 16 significant bytes
    SerialNumber::new(&bytes).map_err(|e| SignError::crypto(format!("serial number: {e}")))
}

/// RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the public key bits.
pub(crate) fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    let mut h = Hash::Sha256.digest(spki.subject_public_key.raw_bytes());
    h.truncate(20);
    h
}

fn ext<T: Encode>(
    oid: der::asn1::ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, SignError> {
    let der = value
        .to_der()
        .map_err(|e| SignError::crypto(format!("extension: {e}")))?;
    let extn_value =
        OctetString::new(der).map_err(|e| SignError::crypto(format!("extension: {e}")))?;
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value,
    })
}

/// What kind of certificate to issue.
pub(crate) enum Profile {
    /// basicConstraints CA:TRUE, pathlen 0; keyCertSign + cRLSign.
    Ca,
    /// CA:FALSE; digitalSignature + nonRepudiation.
    Signer,
}

/// Issues a certificate for `subject_spki`, signed by `issuer_key`.
pub(crate) fn issue(
    subject: Name,
    subject_spki: SubjectPublicKeyInfoOwned,
    issuer: Name,
    issuer_key: &KeyRef<'_>,
    issuer_key_id: Option<Vec<u8>>,
    profile: Profile,
    days: i64,
) -> Result<Certificate, SignError> {
    use der::oid::AssociatedOid;
    let ski = key_id(&subject_spki);
    let mut extensions = Vec::new();
    match profile {
        Profile::Ca => {
            extensions.push(ext(
                BasicConstraints::OID,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
            )?);
            extensions.push(ext(
                KeyUsage::OID,
                true,
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            )?);
        }
        Profile::Signer => {
            extensions.push(ext(
                BasicConstraints::OID,
                true,
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
            )?);
            extensions.push(ext(
                KeyUsage::OID,
                true,
                &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
            )?);
        }
    }
    let ski_value = SubjectKeyIdentifier(
        OctetString::new(ski).map_err(|e| SignError::crypto(format!("key id: {e}")))?,
    );
    extensions.push(ext(SubjectKeyIdentifier::OID, false, &ski_value)?);
    if let Some(aki) = issuer_key_id {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(
                OctetString::new(aki).map_err(|e| SignError::crypto(format!("key id: {e}")))?,
            ),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        extensions.push(ext(AuthorityKeyIdentifier::OID, false, &aki)?);
    }
    let sig_alg = issuer_key.cert_sig_alg();
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: random_serial()?,
        signature: sig_alg.clone(),
        issuer,
        validity: validity_days(days)?,
        subject,
        subject_public_key_info: subject_spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs
        .to_der()
        .map_err(|e| SignError::crypto(format!("certificate encoding: {e}")))?;
    let sig = issuer_key.sign(&tbs_der)?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&sig)
            .map_err(|e| SignError::crypto(format!("certificate: {e}")))?,
    })
}

/// The hash to use for an RSA signature whose algorithm identifier says
/// only `rsaEncryption` (as in CMS, where the digest algorithm is separate).
fn rsa_hash(sig_oid: &der::asn1::ObjectIdentifier, fallback: Option<Hash>) -> Option<Hash> {
    match *sig_oid {
        SHA256_WITH_RSA => Some(Hash::Sha256),
        SHA384_WITH_RSA => Some(Hash::Sha384),
        SHA512_WITH_RSA => Some(Hash::Sha512),
        RSA_ENCRYPTION => fallback,
        _ => None,
    }
}

/// Checks `sig` over `msg` with the key in `spki`, for the signature
/// algorithm `alg` (`digest` is the separately given digest algorithm, as
/// in a CMS signer-info). `Ok(false)`: the signature does not verify;
/// `Err(reason)`: the algorithm or key is not one we handle, or is damaged.
pub(crate) fn verify_sig(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: Option<Hash>,
    msg: &[u8],
    sig: &[u8],
) -> Result<bool, String> {
    let spki_der = spki.to_der().map_err(|e| format!("public key: {e}"))?;
    match alg.oid {
        RSA_ENCRYPTION | SHA256_WITH_RSA | SHA384_WITH_RSA | SHA512_WITH_RSA => {
            let hash =
                rsa_hash(&alg.oid, digest).ok_or("RSA signature without a digest algorithm")?;
            let key = RsaPublicKey::from_public_key_der(&spki_der)
                .map_err(|e| format!("RSA public key: {e}"))?;
            let hashed = hash.digest(msg);
            let scheme = match hash {
                Hash::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                Hash::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                Hash::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                Hash::Sm3 => return Err("RSA with SM3 is not supported".into()),
            };
            Ok(key.verify(scheme, &hashed, sig).is_ok())
        }
        RSASSA_PSS => {
            let params = alg
                .parameters
                .as_ref()
                .ok_or("RSASSA-PSS without parameters")?;
            let params: rsa::pkcs1::RsaPssParams<'_> = params
                .decode_as()
                .map_err(|e| format!("RSASSA-PSS parameters: {e}"))?;
            let hash = Hash::from_oid(&params.hash.oid)
                .ok_or_else(|| format!("RSASSA-PSS with {}", oid_name(&params.hash.oid)))?;
            let key = RsaPublicKey::from_public_key_der(&spki_der)
                .map_err(|e| format!("RSA public key: {e}"))?;
            let hashed = hash.digest(msg);
            let salt = usize::from(params.salt_len);
            let scheme = match hash {
                Hash::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                Hash::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                Hash::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                Hash::Sm3 => return Err("RSASSA-PSS with SM3 is not supported".into()),
            };
            Ok(key.verify(scheme, &hashed, sig).is_ok())
        }
        ECDSA_SHA256 | ECDSA_SHA384 | ECDSA_SHA512 | EC_PUBLIC_KEY => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let hash = match alg.oid {
                ECDSA_SHA256 => Hash::Sha256,
                ECDSA_SHA384 => Hash::Sha384,
                ECDSA_SHA512 => Hash::Sha512,
                _ => digest.ok_or("ECDSA signature without a digest algorithm")?,
            };
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
            if curve != Some(SECP256R1) {
                return Err(format!(
                    "ECDSA on {} is not supported (only P-256)",
                    curve
                        .map(|c| oid_name(&c))
                        .unwrap_or_else(|| "an unnamed curve".into())
                ));
            }
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                .map_err(|e| format!("P-256 public key: {e}"))?;
            let Ok(sig) = p256::ecdsa::Signature::from_der(sig) else {
                return Ok(false);
            };
            Ok(key.verify_prehash(&hash.digest(msg), &sig).is_ok())
        }
        SM2_WITH_SM3 => super::sm2::verify_raw_spki(&spki_der, msg, sig),
        other => Err(format!(
            "signature algorithm {} is not supported",
            oid_name(&other)
        )),
    }
}

fn is_ca(cert: &Certificate) -> bool {
    matches!(cert.tbs_certificate.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
}

fn within_validity(cert: &Certificate, at: std::time::SystemTime) -> bool {
    let v = &cert.tbs_certificate.validity;
    v.not_before.to_system_time() <= at && at <= v.not_after.to_system_time()
}

fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    matches!(
        verify_sig(
            &issuer.tbs_certificate.subject_public_key_info,
            &cert.signature_algorithm,
            None,
            &tbs,
            sig
        ),
        Ok(true)
    )
}

/// Builds a chain from `leaf` through `pool` (certificates carried in the
/// signature) to one of `anchors`, checking each signature, that every
/// issuer is a CA, and that every certificate is valid at `at`.
/// Returns whether a trusted chain was found, and the problems met.
pub(crate) fn check_chain(
    leaf: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    at: std::time::SystemTime,
) -> (bool, Vec<Text>) {
    let (ok, problems, _) = check_chain_path(leaf, pool, anchors, at);
    (ok, problems)
}

/// [`check_chain`], also returning the path found (leaf first).
fn check_chain_path(
    leaf: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    at: std::time::SystemTime,
) -> (bool, Vec<Text>, Vec<Certificate>) {
    let mut problems = Vec::new();
    let mut current = leaf.clone();
    let mut path: Vec<Certificate> = vec![leaf.clone()];
    for _depth in 0..8 {
        if anchors.iter().any(|a| a == &current) {
            return finish(path, at, problems);
        }
        if let Some(anchor) = anchors.iter().find(|a| signed_by(&current, a)) {
            path.push(anchor.clone());
            return finish(path, at, problems);
        }
        match pool
            .iter()
            .find(|c| *c != &current && !path.contains(c) && signed_by(&current, c))
        {
            Some(next) => {
                if !is_ca(next) {
                    problems.push(Text::new(
                        format!(
                            "证书 {} 不是 CA 证书，却签发了下级证书",
                            name_display(&next.tbs_certificate.subject)
                        ),
                        format!(
                            "certificate {} is not a CA but issued a certificate",
                            name_display(&next.tbs_certificate.subject)
                        ),
                    ));
                    return (false, problems, path);
                }
                path.push(next.clone());
                current = next.clone();
            }
            None => {
                let issuer = name_display(&current.tbs_certificate.issuer);
                problems.push(Text::new(
                    format!("证书链无法连到受信任的根证书（找不到签发者 {issuer}）"),
                    format!("no chain to a trusted certificate (issuer {issuer} not found among the trust anchors)"),
                ));
                return (false, problems, path);
            }
        }
    }
    problems.push(Text::new("证书链过长", "certificate chain too long"));
    (false, problems, path)
}

fn finish(
    path: Vec<Certificate>,
    at: std::time::SystemTime,
    mut problems: Vec<Text>,
) -> (bool, Vec<Text>, Vec<Certificate>) {
    let mut ok = true;
    for cert in &path {
        if !within_validity(cert, at) {
            ok = false;
            let who = name_display(&cert.tbs_certificate.subject);
            problems.push(Text::new(
                format!("证书 {who} 不在有效期内"),
                format!("certificate {who} is outside its validity period"),
            ));
        }
    }
    (ok, problems, path)
}

/// Parses DER certificates given as trust anchors.
pub(crate) fn parse_anchors(trust: &[Vec<u8>]) -> Result<Vec<Certificate>, SignError> {
    trust
        .iter()
        .enumerate()
        .map(|(i, der)| {
            if der.len() as u64 > super::MAX_TRUST_FILE {
                return Err(SignError::refused(
                    format!("信任锚 #{} 过大（{} 字节），未解析", i + 1, der.len()),
                    format!(
                        "trust anchor #{} is too large ({} bytes); not parsed",
                        i + 1,
                        der.len()
                    ),
                ));
            }
            Certificate::from_der(der).map_err(|e| {
                SignError::malformed(format!(
                    "trust anchor #{}: not a DER certificate: {e}",
                    i + 1
                ))
            })
        })
        .collect()
}

/// Checks that each certificate of `chain` (issuer first, as ordered by
/// `order_chain`) that names the one below it as its subject really
/// signed it (RSA, ECDSA or SM2-with-SM3 with the default user ID) and is
/// a CA. A certificate that does not continue the chain is left alone.
pub(crate) fn check_links(leaf: &Certificate, chain: &[Certificate]) -> Result<(), Text> {
    let mut below = leaf;
    for c in chain {
        if below.tbs_certificate.issuer != c.tbs_certificate.subject {
            break;
        }
        let (who, by) = (
            name_display(&below.tbs_certificate.subject),
            name_display(&c.tbs_certificate.subject),
        );
        if !signed_by(below, c) {
            return Err(Text::new(
                format!("证书 {who} 的签名不能用 {by} 的公钥验证"),
                format!("the signature of certificate {who} does not verify with the key of {by}"),
            ));
        }
        if !is_ca(c) {
            return Err(Text::new(
                format!("证书 {by} 不是 CA 证书，却签发了 {who}"),
                format!("certificate {by} is not a CA but issued {who}"),
            ));
        }
        if c.tbs_certificate.issuer == c.tbs_certificate.subject {
            break;
        }
        below = c;
    }
    Ok(())
}

/// What [`verify_certificate_chain`] found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChainReport {
    /// The certificate chains to one of the anchors, every signature on the
    /// way verifies, every issuer is a CA and every certificate is valid.
    pub trusted: bool,
    /// The subject of each certificate on the path found, leaf first.
    pub path: Vec<String>,
    /// What went wrong, in Chinese and English.
    pub problems: Vec<Text>,
}

/// Checks a certificate (DER) against trust anchors (DER), through the
/// intermediate certificates in `pool` (DER, any order), at `at`: every
/// signature on the path (RSA PKCS#1 v1.5 or PSS, ECDSA P-256, or
/// SM2-with-SM3 with the GM/T 0009 default user ID 1234567812345678, as
/// GM/T 0015 CAs issue them), CA flags and validity periods. Malformed
/// certificates are errors; an untrusted one is a report with `trusted`
/// false and the reason.
pub fn verify_certificate_chain(
    leaf_der: &[u8],
    pool: &[Vec<u8>],
    anchors: &[Vec<u8>],
    at: std::time::SystemTime,
) -> Result<ChainReport, SignError> {
    let leaf = Certificate::from_der(leaf_der)
        .map_err(|e| SignError::malformed(format!("certificate: {e}")))?;
    let pool = parse_anchors(pool)?;
    let anchors = parse_anchors(anchors)?;
    if anchors.is_empty() {
        return Err(SignError::invalid(
            "没有给出信任锚证书",
            "no trust anchor was given",
        ));
    }
    let (trusted, problems, path) = check_chain_path(&leaf, &pool, &anchors, at);
    Ok(ChainReport {
        trusted,
        path: path
            .iter()
            .map(|c| name_display(&c.tbs_certificate.subject))
            .collect(),
        problems,
    })
}
