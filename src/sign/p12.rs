//! PKCS#12 (RFC 7292) reading and writing, in the modern form OpenSSL 3
//! writes by default: certificates in a PBES2-encrypted `EncryptedData`,
//! the key in a PBES2 `pkcs8ShroudedKeyBag` (PBKDF2-HMAC-SHA256,
//! AES-256-CBC), integrity by an HMAC-SHA256 MAC with the PKCS#12 KDF.
//! Reading also takes what other tools write: the PKCS#12 SHA-1 PBEs with
//! 3DES or RC2 (`openssl pkcs12 -legacy`, Windows, Java), SHA-1 MACs, no
//! MAC, unencrypted bags, the empty password, several keys. RC4 is refused.

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

/// Upper bound on any iteration count read from a file (a hostile file could
/// otherwise ask for hours of key derivation). Ten times what we write
/// (100,000) and far above what other tools write (OpenSSL 2048, Windows
/// 2000, Java keytool 10,000): a few seconds in a release build at most.
const MAX_ITERATIONS: i64 = 1_000_000;

/// How the password enters the PKCS#12 key derivation (RFC 7292 B.1): as a
/// BMPString with two terminating zero bytes (every tool, for any password
/// including the empty one), or as no bytes at all (OpenSSL's "no
/// password", which some tools write when the password is empty). An empty
/// password is tried both ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PassForm {
    Bmp,
    Absent,
}

struct Pass<'a> {
    utf8: &'a str,
    form: PassForm,
}

impl Pass<'_> {
    /// The bytes for the PKCS#12 KDF; `None` when the password has a
    /// character outside the BMP (no tool can have written such a file).
    fn kdf_bytes(&self) -> Option<Vec<u8>> {
        match self.form {
            PassForm::Absent => Some(Vec::new()),
            PassForm::Bmp => {
                let mut b = BmpString::from_utf8(self.utf8)
                    .ok()?
                    .into_bytes()
                    .into_vec();
                b.extend_from_slice(&[0, 0]);
                Some(b)
            }
        }
    }
}

/// One key or certificate from a bag, with the bag's attributes.
pub(crate) struct Bagged {
    pub der: Vec<u8>,
    pub local_key_id: Option<Vec<u8>>,
    pub friendly_name: Option<String>,
}

/// What a PKCS#12 file holds: private keys (PKCS#8 DER) and certificates
/// (DER), in file order.
pub(crate) struct P12Contents {
    pub keys: Vec<Bagged>,
    pub certs: Vec<Bagged>,
}

/// Why a password-encrypted blob did not decrypt.
enum DecryptError {
    /// Bad padding: the password is wrong (or the data damaged).
    WrongPassword,
    /// A scheme, cipher or KDF we do not implement, by name.
    Unsupported(String),
    /// Malformed parameters.
    Bad(String),
}

const SUPPORTED: &str = "supported: PBES2 (PBKDF2 with HMAC-SHA-1/SHA-2, AES-CBC or 3DES-CBC), \
pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd2-KeyTripleDES-CBC, pbeWithSHAAnd128BitRC2-CBC, \
pbeWithSHAAnd40BitRC2-CBC, or no encryption";

/// Reads a PKCS#12 file's keys and certificates. A MAC that does not match
/// (or, without a MAC, an encrypted part that does not decrypt) is a wrong
/// password. Reads PBES2/AES (OpenSSL 3 defaults), the PKCS#12 SHA-1 PBEs
/// with 3DES or RC2 (`openssl pkcs12 -legacy`, Windows, Java, older
/// tools), unencrypted certificates and key bags, MACs with SHA-1 or SHA-2,
/// files without a MAC, and the empty password.
pub(crate) fn read(bytes: &[u8], password: &str, path: &Path) -> Result<P12Contents, SignError> {
    let bad = |what: String| SignError::bad_file(path, what);
    if bytes.len() as u64 > super::MAX_P12_FILE {
        return Err(SignError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            max: super::MAX_P12_FILE,
            what_zh: "PKCS#12 证书/密钥文件",
            what_en: "a PKCS#12 / key / certificate file",
        });
    }
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
    let forms: &[PassForm] = if password.is_empty() {
        &[PassForm::Bmp, PassForm::Absent]
    } else {
        &[PassForm::Bmp]
    };
    if let Some(mac_data) = &pfx.mac_data {
        let form = check_mac(mac_data, auth_safe, password, forms, path)?;
        let pass = Pass {
            utf8: password,
            form,
        };
        return read_auth_safe(auth_safe, &pass, true, path);
    }
    let mut last = None;
    for &form in forms {
        let pass = Pass {
            utf8: password,
            form,
        };
        match read_auth_safe(auth_safe, &pass, false, path) {
            Err(e @ SignError::BadPassword { .. }) => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| SignError::BadPassword {
        path: path.to_path_buf(),
    }))
}

fn read_auth_safe(
    auth_safe: &[u8],
    pass: &Pass,
    has_mac: bool,
    path: &Path,
) -> Result<P12Contents, SignError> {
    let bad = |what: String| SignError::bad_file(path, what);
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
                let Some(ct) = &ed.enc_content_info.encrypted_content else {
                    continue;
                };
                decrypt(&ed.enc_content_info.content_enc_alg, pass, ct.as_bytes())
                    .map_err(|e| decrypt_error(e, "certificates", has_mac, path))?
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
        read_bags(&safe_contents, pass, path, has_mac, &mut out, 0)?;
    }
    Ok(out)
}

fn decrypt_error(e: DecryptError, what: &str, has_mac: bool, path: &Path) -> SignError {
    match e {
        DecryptError::WrongPassword if !has_mac => SignError::BadPassword {
            path: path.to_path_buf(),
        },
        DecryptError::WrongPassword => SignError::bad_file(
            path,
            format!(
                "the {what} do not decrypt although the password matched the MAC (a damaged file, or a second password for the contents, which is not supported)"
            ),
        ),
        DecryptError::Unsupported(alg) => SignError::UnsupportedPbe {
            path: path.to_path_buf(),
            what: format!("{alg} ({what}); {SUPPORTED}"),
        },
        DecryptError::Bad(m) => SignError::bad_file(path, format!("{what}: {m}")),
    }
}

/// Decrypts `data` encrypted with the password-based scheme `alg`.
fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    pass: &Pass,
    data: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    match alg.oid {
        PBE_SHA1_3DES_3KEY | PBE_SHA1_3DES_2KEY | PBE_SHA1_RC2_128 | PBE_SHA1_RC2_40 => {
            pkcs12_pbe(alg, pass, data)
        }
        PBES2 => {
            let alg_der = alg.to_der().map_err(|e| DecryptError::Bad(e.to_string()))?;
            let scheme = pkcs5::EncryptionScheme::try_from(alg_der.as_slice()).map_err(|e| {
                DecryptError::Unsupported(format!(
                    "PBES2 with a KDF or cipher not known here ({e})"
                ))
            })?;
            let Some(params) = scheme.pbes2() else {
                return Err(DecryptError::Unsupported("PBES1".into()));
            };
            if let Some(p) = params.kdf.pbkdf2() {
                if i64::from(p.iteration_count) > MAX_ITERATIONS {
                    return Err(DecryptError::Bad(format!(
                        "PBKDF2 iteration count {} is over {MAX_ITERATIONS}",
                        p.iteration_count
                    )));
                }
            } else if let Some(p) = params.kdf.scrypt() {
                if p.cost_parameter > (1 << 20) || p.block_size > 16 || p.parallelization > 4 {
                    return Err(DecryptError::Bad(
                        "scrypt parameters too large (over N=2^20, r=16, p=4)".into(),
                    ));
                }
            }
            // PBES2 takes the password as UTF-8 bytes; "absent" is empty too.
            let pw: &[u8] = match pass.form {
                PassForm::Bmp => pass.utf8.as_bytes(),
                PassForm::Absent => &[],
            };
            scheme.decrypt(pw, data).map_err(|e| match e {
                pkcs5::Error::DecryptFailed => DecryptError::WrongPassword,
                other => DecryptError::Unsupported(format!("PBES2: {other}")),
            })
        }
        other => Err(DecryptError::Unsupported(oid_name(&other))),
    }
}

/// The PKCS#12 SHA-1 PBEs of RFC 7292 appendix C: key and IV from the
/// PKCS#12 KDF with SHA-1, then 3DES-CBC or RC2-CBC (RustCrypto `des`,
/// `rc2`, `cbc`), PKCS#7 padding.
fn pkcs12_pbe(
    alg: &AlgorithmIdentifierOwned,
    pass: &Pass,
    data: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
    use pkcs12::kdf::derive_key;

    let params: pkcs12::pbe_params::Pkcs12PbeParams = alg
        .parameters
        .as_ref()
        .ok_or_else(|| DecryptError::Bad("PBE parameters missing".into()))?
        .decode_as()
        .map_err(|e| DecryptError::Bad(format!("PBE parameters: {e}")))?;
    let rounds = params.iterations;
    if !(1..=MAX_ITERATIONS).contains(&i64::from(rounds)) {
        return Err(DecryptError::Bad(format!(
            "PBE iteration count {rounds} out of range"
        )));
    }
    let salt = params.salt.as_bytes();
    let pw = pass.kdf_bytes().ok_or(DecryptError::WrongPassword)?;
    let key =
        |len: usize| derive_key::<sha1::Sha1>(&pw, salt, Pkcs12KeyType::EncryptionKey, rounds, len);
    let iv = derive_key::<sha1::Sha1>(&pw, salt, Pkcs12KeyType::Iv, rounds, 8);
    let mut buf = data.to_vec();
    let unpadded = match alg.oid {
        PBE_SHA1_3DES_3KEY => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key(24), &iv)
            .map_err(|e| DecryptError::Bad(e.to_string()))?
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        PBE_SHA1_3DES_2KEY => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key(16), &iv)
            .map_err(|e| DecryptError::Bad(e.to_string()))?
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        PBE_SHA1_RC2_128 | PBE_SHA1_RC2_40 => {
            let bits = if alg.oid == PBE_SHA1_RC2_128 { 128 } else { 40 };
            let cipher = rc2::Rc2::new_with_eff_key_len(&key(bits / 8), bits);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                .map_err(|e| DecryptError::Bad(e.to_string()))?
                .decrypt_padded_mut::<Pkcs7>(&mut buf)
                .map(<[u8]>::len)
        }
        other => return Err(DecryptError::Unsupported(oid_name(&other))),
    };
    match unpadded {
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(_) => Err(DecryptError::WrongPassword),
    }
}

/// The localKeyId and friendlyName attributes of a bag.
fn attributes(bag: &SafeBag) -> (Option<Vec<u8>>, Option<String>) {
    let mut id = None;
    let mut name = None;
    for a in bag.bag_attributes.iter().flat_map(|s| s.iter()) {
        let Some(v) = a.values.iter().next() else {
            continue;
        };
        if a.oid == ID_LOCAL_KEY_ID {
            id = v
                .decode_as::<OctetString>()
                .ok()
                .map(OctetString::into_bytes);
        } else if a.oid == ID_FRIENDLY_NAME {
            name = v.decode_as::<BmpString>().ok().map(|b| b.to_string());
        }
    }
    (id, name)
}

fn read_bags(
    safe_contents: &[u8],
    pass: &Pass,
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
        let (local_key_id, friendly_name) = attributes(&bag);
        let bagged = |der: Vec<u8>| Bagged {
            der,
            local_key_id: local_key_id.clone(),
            friendly_name: friendly_name.clone(),
        };
        match bag.bag_id {
            PKCS12_CERT_BAG => {
                let cb: CertBag = bag
                    .bag_value
                    .decode_as()
                    .map_err(|e| bad(format!("certificate bag: {e}")))?;
                if cb.cert_id == ID_X509_CERT_TYPE {
                    out.certs.push(bagged(cb.cert_value.into_bytes()));
                }
            }
            PKCS12_KEY_BAG => out.keys.push(bagged(
                bag.bag_value
                    .to_der()
                    .map_err(|e| bad(format!("key bag: {e}")))?,
            )),
            PKCS12_SHROUDED_KEY_BAG => {
                let epki: EncryptedKeyInfo = bag
                    .bag_value
                    .decode_as()
                    .map_err(|e| bad(format!("encrypted key bag: {e}")))?;
                let plain = decrypt(&epki.algorithm, pass, epki.data.as_bytes())
                    .map_err(|e| decrypt_error(e, "private key", has_mac, path))?;
                // A wrong password passes the padding check one time in 256
                // (8-byte blocks); the key then does not parse.
                if pkcs8::PrivateKeyInfo::try_from(plain.as_slice()).is_err() {
                    return Err(if has_mac {
                        bad("the decrypted private key is not PKCS#8".into())
                    } else {
                        SignError::BadPassword {
                            path: path.to_path_buf(),
                        }
                    });
                }
                out.keys.push(bagged(plain));
            }
            PKCS12_SAFE_CONTENTS_BAG => {
                let inner = bag
                    .bag_value
                    .to_der()
                    .map_err(|e| bad(format!("nested bag: {e}")))?;
                read_bags(&inner, pass, path, has_mac, out, depth + 1)?;
            }
            _ => {} // CRLs, secrets: not ours
        }
    }
    Ok(())
}

/// Checks the MAC; returns the password form that matched.
fn check_mac(
    mac_data: &MacData,
    auth_safe: &[u8],
    password: &str,
    forms: &[PassForm],
    path: &Path,
) -> Result<PassForm, SignError> {
    let iterations = mac_data.iterations;
    if !(1..=MAX_ITERATIONS).contains(&i64::from(iterations)) {
        return Err(SignError::bad_file(
            path,
            format!("PKCS#12 MAC iteration count {iterations} out of range"),
        ));
    }
    let salt = mac_data.mac_salt.as_bytes();
    let expected = mac_data.mac.digest.as_bytes();
    macro_rules! run {
        ($d:ty, $pw:expr) => {{
            let len = <$d as sha2::Digest>::output_size();
            let key = pkcs12::kdf::derive_key::<$d>($pw, salt, Pkcs12KeyType::Mac, iterations, len);
            match Hmac::<$d>::new_from_slice(&key) {
                Ok(mut mac) => {
                    mac.update(auth_safe);
                    mac.verify_slice(expected).is_ok()
                }
                Err(_) => false,
            }
        }};
    }
    for &form in forms {
        let pass = Pass {
            utf8: password,
            form,
        };
        let Some(pw) = pass.kdf_bytes() else {
            return Err(SignError::bad_file(
                path,
                "PKCS#12 MAC cannot be computed (password not representable)",
            ));
        };
        let ok = match mac_data.mac.algorithm.oid {
            ID_SHA1 => run!(sha1::Sha1, &pw),
            ID_SHA256 => run!(sha2::Sha256, &pw),
            ID_SHA384 => run!(sha2::Sha384, &pw),
            ID_SHA512 => run!(sha2::Sha512, &pw),
            other => {
                return Err(SignError::bad_file(
                    path,
                    format!("PKCS#12 MAC with {} is not supported", oid_name(&other)),
                ))
            }
        };
        if ok {
            return Ok(form);
        }
    }
    Err(SignError::BadPassword {
        path: path.to_path_buf(),
    })
}
