//! PKCS#12 (RFC 7292) reading and writing, in the modern form OpenSSL 3
//! writes by default: certificates in a PBES2-encrypted `EncryptedData`,
//! the key in a PBES2 `pkcs8ShroudedKeyBag` (PBKDF2-HMAC-SHA256,
//! AES-256-CBC), integrity by an HMAC-SHA256 MAC with the PKCS#12 KDF.
//! Legacy ciphers (RC2, 3DES, RC4 with SHA-1 PBE) are refused with a hint.

use std::path::Path;

use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{BmpString, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use hmac::{Hmac, Mac};
use pkcs12::cert_type::CertBag;
use pkcs12::digest_info::DigestInfo;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::mac_data::MacData;
use pkcs12::pfx::{Pfx, Version};
use rand_core::{OsRng, RngCore};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};

use super::asn1::*;
use super::SignError;

/// PBKDF2 and MAC iteration count for files we write. OpenSSL 3 uses 2048;
/// more makes guessing the password of a stolen file slower.
const ITERATIONS: u32 = 100_000;

/// What a PKCS#12 file holds: private keys (PKCS#8 DER) and certificates
/// (DER), in file order.
pub(crate) struct P12Contents {
    pub keys: Vec<Vec<u8>>,
    pub certs: Vec<Vec<u8>>,
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

fn enc_err(e: impl std::fmt::Display) -> SignError {
    SignError::crypto(format!("PKCS#12 encoding: {e}"))
}

fn attr(oid: der::asn1::ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let values: SetOfVec<AttributeValue> = SetOfVec::try_from(vec![value]).map_err(enc_err)?;
    Ok(Attribute { oid, values })
}

fn bag_attrs(local_key_id: &[u8], friendly: &str) -> Result<SetOfVec<Attribute>, SignError> {
    let mut attrs = vec![attr(
        ID_LOCAL_KEY_ID,
        Any::encode_from(&OctetString::new(local_key_id).map_err(enc_err)?).map_err(enc_err)?,
    )?];
    if !friendly.is_empty() {
        let bmp = BmpString::from_utf8(friendly).map_err(enc_err)?;
        attrs.push(attr(
            ID_FRIENDLY_NAME,
            Any::encode_from(&bmp).map_err(enc_err)?,
        )?);
    }
    SetOfVec::try_from(attrs).map_err(enc_err)
}

/// Writes a PKCS#12: `key` (PKCS#8 DER) with `leaf`, plus `others`
/// (certificates without a key, e.g. the CA).
pub(crate) fn write(
    key_pkcs8: &[u8],
    leaf: &[u8],
    others: &[Vec<u8>],
    friendly: &str,
    password: &str,
) -> Result<Vec<u8>, SignError> {
    let local_key_id = &Hash::Sha256.digest(leaf)[..20];

    // Certificates, encrypted together.
    let mut cert_bags = Vec::new();
    for (i, cert) in std::iter::once(leaf)
        .chain(others.iter().map(Vec::as_slice))
        .enumerate()
    {
        let bag = CertBag {
            cert_id: ID_X509_CERT_TYPE,
            cert_value: OctetString::new(cert).map_err(enc_err)?,
        };
        cert_bags.push(SafeBag {
            bag_id: PKCS12_CERT_BAG,
            bag_value: Any::encode_from(&bag).map_err(enc_err)?,
            bag_attributes: if i == 0 {
                Some(bag_attrs(local_key_id, friendly)?)
            } else {
                None
            },
        });
    }
    let certs_plain = cert_bags.to_der().map_err(enc_err)?;
    let salt = random::<16>();
    let iv = random::<16>();
    let params = pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(ITERATIONS, &salt, &iv)
        .map_err(enc_err)?;
    let certs_enc = params.encrypt(password, &certs_plain).map_err(enc_err)?;
    let scheme_der = pkcs5::EncryptionScheme::from(params)
        .to_der()
        .map_err(enc_err)?;
    let enc_alg = AlgorithmIdentifierOwned::from_der(&scheme_der).map_err(enc_err)?;
    let encrypted = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: enc_alg,
            encrypted_content: Some(OctetString::new(certs_enc).map_err(enc_err)?),
        },
        unprotected_attrs: None,
    };
    let certs_ci = ContentInfo {
        content_type: ID_ENCRYPTED_DATA,
        content: Any::encode_from(&encrypted).map_err(enc_err)?,
    };

    // The key, shrouded.
    let salt = random::<16>();
    let iv = random::<16>();
    let params = pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(ITERATIONS, &salt, &iv)
        .map_err(enc_err)?;
    let pki = pkcs8::PrivateKeyInfo::try_from(key_pkcs8).map_err(enc_err)?;
    let shrouded = pki.encrypt_with_params(params, password).map_err(enc_err)?;
    let key_bag = SafeBag {
        bag_id: PKCS12_SHROUDED_KEY_BAG,
        bag_value: Any::from_der(shrouded.as_bytes()).map_err(enc_err)?,
        bag_attributes: Some(bag_attrs(local_key_id, friendly)?),
    };
    let key_contents = vec![key_bag].to_der().map_err(enc_err)?;
    let key_ci = ContentInfo {
        content_type: ID_DATA,
        content: Any::encode_from(&OctetString::new(key_contents).map_err(enc_err)?)
            .map_err(enc_err)?,
    };

    let auth_safe = vec![certs_ci, key_ci].to_der().map_err(enc_err)?;
    let mac_salt = random::<16>();
    let mac_key = derive_key_utf8::<sha2::Sha256>(
        password,
        &mac_salt,
        Pkcs12KeyType::Mac,
        ITERATIONS as i32,
        32,
    )
    .map_err(enc_err)?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&mac_key).map_err(enc_err)?;
    mac.update(&auth_safe);
    let mac_data = MacData {
        mac: DigestInfo {
            algorithm: AlgorithmIdentifierOwned {
                oid: ID_SHA256,
                parameters: Some(Any::from(der::asn1::Null)),
            },
            digest: OctetString::new(mac.finalize().into_bytes().to_vec()).map_err(enc_err)?,
        },
        mac_salt: OctetString::new(mac_salt.to_vec()).map_err(enc_err)?,
        iterations: ITERATIONS as i32,
    };
    let pfx = Pfx {
        version: Version::V3,
        auth_safe: ContentInfo {
            content_type: ID_DATA,
            content: Any::encode_from(&OctetString::new(auth_safe).map_err(enc_err)?)
                .map_err(enc_err)?,
        },
        mac_data: Some(mac_data),
    };
    pfx.to_der().map_err(enc_err)
}

const LEGACY_HINT: &str = "legacy PKCS#12 encryption (RC2/3DES/RC4 with SHA-1) is not supported; \
re-export it with OpenSSL 3 defaults: openssl pkcs12 -in old.p12 -nodes -legacy | openssl pkcs12 -export -out new.p12";

/// Reads a PKCS#12 file's keys and certificates. A MAC that does not match
/// (or, without a MAC, a key that does not decrypt) is a wrong password.
pub(crate) fn read(bytes: &[u8], password: &str, path: &Path) -> Result<P12Contents, SignError> {
    let bad = |what: String| SignError::bad_file(path, what);
    let pfx = Pfx::from_der(bytes).map_err(|e| bad(format!("not a PKCS#12 file (DER): {e}")))?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(SignError::bad_file(
            path,
            "public-key integrity mode PKCS#12 is not supported",
        ));
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|e| bad(format!("PKCS#12 authSafe: {e}")))?;
    let auth_safe = auth_safe.as_bytes();
    let has_mac = pfx.mac_data.is_some();
    if let Some(mac_data) = &pfx.mac_data {
        check_mac(mac_data, auth_safe, password, path)?;
    }
    let infos: Vec<ContentInfo> =
        Vec::from_der(auth_safe).map_err(|e| bad(format!("PKCS#12 contents: {e}")))?;
    let mut out = P12Contents {
        keys: Vec::new(),
        certs: Vec::new(),
    };
    for ci in infos {
        let safe_contents = match ci.content_type {
            ID_DATA => ci
                .content
                .decode_as::<OctetString>()
                .map_err(|e| bad(format!("PKCS#12 data: {e}")))?
                .into_bytes(),
            ID_ENCRYPTED_DATA => {
                let ed: EncryptedData = ci
                    .content
                    .decode_as()
                    .map_err(|e| bad(format!("PKCS#12 encrypted data: {e}")))?;
                let alg_der = ed
                    .enc_content_info
                    .content_enc_alg
                    .to_der()
                    .map_err(|e| bad(format!("{e}")))?;
                let scheme = pkcs5::EncryptionScheme::try_from(alg_der.as_slice())
                    .map_err(|_| SignError::bad_file(path, LEGACY_HINT))?;
                if scheme.pbes2().is_none() {
                    return Err(SignError::bad_file(path, LEGACY_HINT));
                }
                let Some(ct) = &ed.enc_content_info.encrypted_content else {
                    continue;
                };
                match scheme.decrypt(password, ct.as_bytes()) {
                    Ok(p) => p,
                    Err(_) if !has_mac => {
                        return Err(SignError::BadPassword {
                            path: path.to_path_buf(),
                        })
                    }
                    Err(e) => return Err(bad(format!("cannot decrypt the certificates: {e}"))),
                }
            }
            other => {
                return Err(SignError::bad_file(
                    path,
                    format!(
                    "PKCS#12 content of type {other} (public-key privacy mode) is not supported"
                ),
                ))
            }
        };
        read_bags(&safe_contents, password, path, has_mac, &mut out, 0)?;
    }
    Ok(out)
}

fn read_bags(
    safe_contents: &[u8],
    password: &str,
    path: &Path,
    has_mac: bool,
    out: &mut P12Contents,
    depth: u8,
) -> Result<(), SignError> {
    let bad = |what: String| SignError::bad_file(path, what);
    if depth > 4 {
        return Err(bad("PKCS#12 bags nested too deeply".into()));
    }
    let bags: Vec<SafeBag> =
        Vec::from_der(safe_contents).map_err(|e| bad(format!("PKCS#12 safe contents: {e}")))?;
    for bag in bags {
        match bag.bag_id {
            PKCS12_CERT_BAG => {
                let cb: CertBag = bag
                    .bag_value
                    .decode_as()
                    .map_err(|e| bad(format!("certificate bag: {e}")))?;
                if cb.cert_id == ID_X509_CERT_TYPE {
                    out.certs.push(cb.cert_value.into_bytes());
                }
            }
            PKCS12_KEY_BAG => out.keys.push(
                bag.bag_value
                    .to_der()
                    .map_err(|e| bad(format!("key bag: {e}")))?,
            ),
            PKCS12_SHROUDED_KEY_BAG => {
                let der_bytes = bag
                    .bag_value
                    .to_der()
                    .map_err(|e| bad(format!("key bag: {e}")))?;
                let epki = pkcs8::EncryptedPrivateKeyInfo::try_from(der_bytes.as_slice())
                    .map_err(|_| SignError::bad_file(path, LEGACY_HINT))?;
                if epki.encryption_algorithm.pbes2().is_none() {
                    return Err(SignError::bad_file(path, LEGACY_HINT));
                }
                match epki.decrypt(password) {
                    Ok(doc) => out.keys.push(doc.as_bytes().to_vec()),
                    Err(_) if !has_mac => {
                        return Err(SignError::BadPassword {
                            path: path.to_path_buf(),
                        })
                    }
                    Err(e) => return Err(bad(format!("cannot decrypt the private key: {e}"))),
                }
            }
            PKCS12_SAFE_CONTENTS_BAG => {
                let inner = bag
                    .bag_value
                    .to_der()
                    .map_err(|e| bad(format!("nested bag: {e}")))?;
                read_bags(&inner, password, path, has_mac, out, depth + 1)?;
            }
            _ => {} // CRLs, secrets: not ours
        }
    }
    Ok(())
}

fn check_mac(
    mac_data: &MacData,
    auth_safe: &[u8],
    password: &str,
    path: &Path,
) -> Result<(), SignError> {
    let iterations = mac_data.iterations;
    if !(1..=10_000_000).contains(&iterations) {
        return Err(SignError::bad_file(
            path,
            format!("PKCS#12 MAC iteration count {iterations} out of range"),
        ));
    }
    let salt = mac_data.mac_salt.as_bytes();
    let expected = mac_data.mac.digest.as_bytes();
    macro_rules! run {
        ($d:ty) => {{
            let len = <$d as sha2::Digest>::output_size();
            match derive_key_utf8::<$d>(password, salt, Pkcs12KeyType::Mac, iterations, len) {
                Ok(key) => match Hmac::<$d>::new_from_slice(&key) {
                    Ok(mut mac) => {
                        mac.update(auth_safe);
                        Some(mac.verify_slice(expected).is_ok())
                    }
                    Err(_) => None,
                },
                Err(_) => None,
            }
        }};
    }
    let ok = match mac_data.mac.algorithm.oid {
        ID_SHA256 => run!(sha2::Sha256),
        ID_SHA384 => run!(sha2::Sha384),
        ID_SHA512 => run!(sha2::Sha512),
        ID_SHA1 => return Err(SignError::bad_file(path, LEGACY_HINT)),
        other => {
            return Err(SignError::bad_file(
                path,
                format!("PKCS#12 MAC with {} is not supported", oid_name(&other)),
            ))
        }
    };
    match ok {
        Some(true) => Ok(()),
        Some(false) => Err(SignError::BadPassword {
            path: path.to_path_buf(),
        }),
        None => Err(SignError::bad_file(
            path,
            "PKCS#12 MAC cannot be computed (password not representable)",
        )),
    }
}
