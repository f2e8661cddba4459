//! Object identifiers, digests and the few ASN.1 structures the RustCrypto
//! crates do not define (ESS signing-certificate-v2, an ECDSA/SM2 `r,s`
//! pair, PKCS#12 safe bags).

use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec, UintRef};
use der::{Any, Sequence};
use sha2::Digest;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

pub(crate) const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const ID_ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
pub(crate) const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
pub(crate) const ID_FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
pub(crate) const ID_LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
pub(crate) const ID_X509_CERT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
pub(crate) const ID_SIGNING_CERT_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

pub(crate) const ID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
pub(crate) const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const ID_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const ID_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
pub(crate) const ID_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.401");

pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const SM2_CURVE: Oid = Oid::new_unwrap("1.2.156.10197.1.301");
pub(crate) const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
pub(crate) const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
pub(crate) const SM2_WITH_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.501");

pub(crate) const PKCS12_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
pub(crate) const PKCS12_SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
pub(crate) const PKCS12_CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
pub(crate) const PKCS12_SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");

/// Password-based encryption: PKCS#5 PBES2, and the PKCS#12 (RFC 7292
/// appendix C) SHA-1 schemes older tools and `openssl pkcs12 -legacy` write.
pub(crate) const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
pub(crate) const PBE_SHA1_RC4_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.1");
pub(crate) const PBE_SHA1_RC4_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.2");
pub(crate) const PBE_SHA1_3DES_3KEY: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
pub(crate) const PBE_SHA1_3DES_2KEY: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.4");
pub(crate) const PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
pub(crate) const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");

pub(crate) const AT_COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
pub(crate) const AT_ORGANISATION: Oid = Oid::new_unwrap("2.5.4.10");

/// A digest algorithm we can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
    Sm3,
}

impl Hash {
    pub(crate) fn from_oid(oid: &Oid) -> Option<Hash> {
        match *oid {
            ID_SHA256 => Some(Hash::Sha256),
            ID_SHA384 => Some(Hash::Sha384),
            ID_SHA512 => Some(Hash::Sha512),
            ID_SM3 => Some(Hash::Sm3),
            _ => None,
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(crate) fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Hash::Sha256 => run::<sha2::Sha256>(parts),
            Hash::Sha384 => run::<sha2::Sha384>(parts),
            Hash::Sha512 => run::<sha2::Sha512>(parts),
            Hash::Sm3 => run::<sm3::Sm3>(parts),
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }
}

/// A human name for a well-known OID (for messages), else its dotted form.
pub(crate) fn oid_name(oid: &Oid) -> String {
    let known = match *oid {
        ID_SHA1 => "SHA-1",
        ID_SHA256 => "SHA-256",
        ID_SHA384 => "SHA-384",
        ID_SHA512 => "SHA-512",
        ID_SM3 => "SM3",
        RSA_ENCRYPTION => "RSA",
        RSASSA_PSS => "RSASSA-PSS",
        SHA256_WITH_RSA => "sha256WithRSAEncryption",
        SHA384_WITH_RSA => "sha384WithRSAEncryption",
        SHA512_WITH_RSA => "sha512WithRSAEncryption",
        EC_PUBLIC_KEY => "EC public key",
        SECP256R1 => "P-256",
        SM2_CURVE => "SM2 curve",
        ECDSA_SHA256 => "ecdsa-with-SHA256",
        ECDSA_SHA384 => "ecdsa-with-SHA384",
        ECDSA_SHA512 => "ecdsa-with-SHA512",
        SM2_WITH_SM3 => "SM2-with-SM3",
        PBES2 => "PBES2",
        PBE_SHA1_RC4_128 => "pbeWithSHAAnd128BitRC4",
        PBE_SHA1_RC4_40 => "pbeWithSHAAnd40BitRC4",
        PBE_SHA1_3DES_3KEY => "pbeWithSHAAnd3-KeyTripleDES-CBC",
        PBE_SHA1_3DES_2KEY => "pbeWithSHAAnd2-KeyTripleDES-CBC",
        PBE_SHA1_RC2_128 => "pbeWithSHAAnd128BitRC2-CBC",
        PBE_SHA1_RC2_40 => "pbeWithSHAAnd40BitRC2-CBC",
        _ => return oid.to_string(),
    };
    known.to_string()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// `SEQUENCE { r INTEGER, s INTEGER }`, the DER form of an ECDSA or SM2
/// signature.
#[derive(Sequence)]
pub(crate) struct EcSig<'a> {
    pub r: UintRef<'a>,
    pub s: UintRef<'a>,
}

/// Encodes `r ‖ s` (two big-endian halves of equal length) as DER.
pub(crate) fn ec_sig_to_der(r: &[u8], s: &[u8]) -> der::Result<Vec<u8>> {
    use der::Encode;
    EcSig {
        r: UintRef::new(r)?,
        s: UintRef::new(s)?,
    }
    .to_der()
}

/// Decodes a DER `SEQUENCE{r,s}` into two `width`-byte big-endian values.
pub(crate) fn ec_sig_from_der(der_sig: &[u8], width: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    use der::Decode;
    let sig = EcSig::from_der(der_sig).ok()?;
    let pad = |v: &[u8]| -> Option<Vec<u8>> {
        if v.len() > width {
            return None;
        }
        let mut out = vec![0u8; width - v.len()];
        out.extend_from_slice(v);
        Some(out)
    };
    Some((pad(sig.r.as_bytes())?, pad(sig.s.as_bytes())?))
}

/// ESS `IssuerSerial` (RFC 5035).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// ESS `ESSCertIDv2` (RFC 5035). `hash_algorithm` absent means SHA-256.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<spki::AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ESS `SigningCertificateV2` (RFC 5035), without policies.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// PKCS#12 `SafeBag` (RFC 7292).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SafeBag {
    pub bag_id: Oid,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub bag_value: Any,
    #[asn1(optional = "true")]
    pub bag_attributes: Option<SetOfVec<Attribute>>,
}

/// `EncryptedPrivateKeyInfo` (RFC 5958) with any algorithm: the `pkcs8`
/// crate's own type only parses PKCS#5 schemes, not the PKCS#12 ones.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EncryptedKeyInfo {
    pub algorithm: spki::AlgorithmIdentifierOwned,
    pub data: OctetString,
}

// ---- Verifying what others signed (PDF signatures, timestamps) ----

pub(crate) const ID_SIGNING_CERT: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
pub(crate) const ID_SIGNATURE_TIME_STAMP: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
pub(crate) const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
pub(crate) const ID_SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
pub(crate) const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
pub(crate) const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");
pub(crate) const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
pub(crate) const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
/// SM2 signature as GM/T 0010 CMS writes it (`sm2-1`, the curve's signing OID).
pub(crate) const SM2_SIGN_GMT0010: Oid = Oid::new_unwrap("1.2.156.10197.1.301.1");

/// ESS `ESSCertID` (RFC 2634): a SHA-1 hash of the certificate.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ESS `SigningCertificate` (RFC 2634), without policies.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificateV1 {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// RFC 3161 `MessageImprint`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct MessageImprint {
    pub hash_algorithm: spki::AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}
