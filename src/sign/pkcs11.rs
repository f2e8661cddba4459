//! Keys on tokens (USB keys, smart cards, HSMs) through PKCS#11, with the
//! `cryptoki` crate (Parallaxsecond's maintained binding, which loads the
//! vendor's module at run time).
//!
//! The private key never leaves the token: [`TokenSigner`] implements
//! [`Signer`] by asking the token for each signature (RSA PKCS#1 v1.5 with
//! SHA-256 through `CKM_SHA256_RSA_PKCS`, or `CKM_RSA_PKCS` over a
//! DigestInfo when the token only signs raw; ECDSA P-256 through
//! `CKM_ECDSA` over the SHA-256 hash, its `r‖s` turned into DER). The
//! certificate comes from the token (`CKO_CERTIFICATE` with the key's
//! `CKA_ID`, else its label) or from a file the caller names; either way
//! the key must sign a challenge that the certificate's public key
//! verifies before it is used.
//!
//! The PIN is given by the caller (the CLI reads `IOVAUDIT_PIN`, standard
//! input or a prompt; the core reads no environment). Every error names the
//! module, the token and the key.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Decode;
use x509_cert::Certificate;

use super::asn1::{ec_sig_to_der, hex, Hash, AT_COMMON_NAME, AT_ORGANISATION};
use super::identity::{
    challenge_signature, order_chain, signature_matches, Identity, SignatureScheme, Signer,
};
use super::x509::name_attr;
use super::SignError;

/// DER of the P-256 curve OID (what `CKA_EC_PARAMS` holds for it).
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the SM2 curve OID 1.2.156.10197.1.301.
const SM2_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
/// DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
/// Objects read from one token (keys or certificates), at most.
const MAX_OBJECTS: usize = 256;
/// A certificate on a token, at most (bytes).
const MAX_TOKEN_CERT: usize = 64 * 1024;

/// Which token key to sign with, and where its certificate is.
#[derive(Debug, Clone)]
pub struct TokenKeySpec {
    /// The vendor's PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// The token's label.
    pub token: String,
    /// The private key's label (`CKA_LABEL`), or its `CKA_ID` in hex.
    pub key: String,
    /// The certificate (PEM or DER; a PEM may carry the chain) when it is
    /// not on the token.
    pub cert: Option<PathBuf>,
}

/// A token present in a module, as [`list_tokens`] lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub slot: u64,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    /// A PIN is needed to use its private keys.
    pub login_required: bool,
    /// The PIN is entered on the device itself (a PIN pad).
    pub pin_pad: bool,
}

/// A private key on a token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenKey {
    pub label: String,
    /// `CKA_ID`, lower-case hex.
    pub id: String,
    /// "RSA-2048", "ECDSA P-256", "SM2", "EC (other curve)".
    pub key: String,
    /// Why it cannot sign reports here, if so.
    pub problem: Option<String>,
}

/// A certificate on a token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenCert {
    pub label: String,
    /// `CKA_ID`, lower-case hex.
    pub id: String,
    pub subject_cn: String,
    pub organisation: String,
    /// SHA-256 of the certificate, lower-case hex.
    pub fingerprint_sha256: String,
}

/// What a token holds (keys only after a successful login).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenContents {
    pub token: TokenInfo,
    pub keys: Vec<TokenKey>,
    pub certs: Vec<TokenCert>,
}

fn module_err(path: &Path, what: impl std::fmt::Display) -> SignError {
    SignError::Pkcs11Module {
        path: path.to_path_buf(),
        what: what.to_string(),
    }
}

fn token_err(token: &str, zh: impl Into<String>, en: impl Into<String>) -> SignError {
    SignError::Token {
        token: token.to_string(),
        zh: zh.into(),
        en: en.into(),
    }
}

/// A failed call on the token, named.
fn op_err(token: &str, zh_what: &str, en_what: &str, e: CkError) -> SignError {
    token_err(
        token,
        format!("{zh_what}失败：{e}"),
        format!("{en_what} failed: {e}"),
    )
}

/// Loads and initialises the module. Loading a module runs its code: the
/// caller names it (a path the user gave). A module another part of the
/// process already initialised is used as it is.
fn open_module(path: &Path) -> Result<Pkcs11, SignError> {
    if !path.is_file() {
        return Err(module_err(path, "no such file"));
    }
    let ctx = Pkcs11::new(path).map_err(|e| module_err(path, e))?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(ctx),
        Err(e) => Err(module_err(path, format!("C_Initialize: {e}"))),
    }
}

fn token_info(ctx: &Pkcs11, slot: Slot) -> Option<TokenInfo> {
    let t = ctx.get_token_info(slot).ok()?;
    Some(TokenInfo {
        slot: slot.id(),
        label: t.label().trim_end().to_string(),
        manufacturer: t.manufacturer_id().trim_end().to_string(),
        model: t.model().trim_end().to_string(),
        serial: t.serial_number().trim_end().to_string(),
        login_required: t.login_required(),
        pin_pad: t.protected_authentication_path(),
    })
}

fn tokens(ctx: &Pkcs11, module: &Path) -> Result<Vec<TokenInfo>, SignError> {
    let slots = ctx
        .get_slots_with_initialized_token()
        .map_err(|e| module_err(module, format!("C_GetSlotList: {e}")))?;
    Ok(slots
        .into_iter()
        .filter_map(|s| token_info(ctx, s))
        .collect())
}

/// The tokens present in the PKCS#11 module at `module` (initialised ones).
pub fn list_tokens(module: &Path) -> Result<Vec<TokenInfo>, SignError> {
    let ctx = open_module(module)?;
    tokens(&ctx, module)
}

fn find_token(ctx: &Pkcs11, module: &Path, label: &str) -> Result<(Slot, TokenInfo), SignError> {
    let slots = ctx
        .get_slots_with_initialized_token()
        .map_err(|e| module_err(module, format!("C_GetSlotList: {e}")))?;
    let mut present = Vec::new();
    for s in slots {
        if let Some(t) = token_info(ctx, s) {
            if t.label == label.trim_end() {
                return Ok((s, t));
            }
            present.push(format!("{:?}", t.label));
        }
    }
    Err(SignError::TokenNotFound {
        module: module.to_path_buf(),
        token: label.to_string(),
        available: present,
    })
}

/// Logs the session in as the user. An empty PIN on a token with a PIN pad
/// lets the pad ask.
fn login(session: &Session, token: &TokenInfo, pin: &str) -> Result<(), SignError> {
    let res = if token.pin_pad && pin.is_empty() {
        session.login(UserType::User, None)
    } else {
        session.login(UserType::User, Some(&AuthPin::from(pin.to_string())))
    };
    match res {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
            Err(SignError::TokenPin {
                token: token.label.clone(),
                locked: false,
            })
        }
        Err(CkError::Pkcs11(RvError::PinLocked | RvError::PinExpired, _)) => {
            Err(SignError::TokenPin {
                token: token.label.clone(),
                locked: true,
            })
        }
        Err(e) => Err(op_err(&token.label, "登录令牌", "logging in", e)),
    }
}

fn bytes_attr(attrs: &[Attribute], want: AttributeType) -> Option<Vec<u8>> {
    attrs.iter().find_map(|a| match (a, want) {
        (Attribute::Label(v), AttributeType::Label)
        | (Attribute::Id(v), AttributeType::Id)
        | (Attribute::Value(v), AttributeType::Value)
        | (Attribute::EcParams(v), AttributeType::EcParams)
        | (Attribute::Modulus(v), AttributeType::Modulus) => Some(v.clone()),
        _ => None,
    })
}

struct KeyObject {
    handle: ObjectHandle,
    label: String,
    id: Vec<u8>,
    scheme: Option<SignatureScheme>,
    desc: String,
    problem: Option<String>,
    always_authenticate: bool,
}

impl KeyObject {
    fn entry(&self) -> TokenKey {
        TokenKey {
            label: self.label.clone(),
            id: hex(&self.id),
            key: self.desc.clone(),
            problem: self.problem.clone(),
        }
    }

    fn name(&self) -> String {
        format!("{:?} (CKA_ID {}, {})", self.label, hex(&self.id), self.desc)
    }
}

fn private_keys(session: &Session, token: &str) -> Result<Vec<KeyObject>, SignError> {
    let handles = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
        .map_err(|e| op_err(token, "查找私钥", "listing private keys", e))?;
    let mut out = Vec::new();
    for h in handles.into_iter().take(MAX_OBJECTS) {
        let attrs = session
            .get_attributes(
                h,
                &[
                    AttributeType::Label,
                    AttributeType::Id,
                    AttributeType::KeyType,
                    AttributeType::Modulus,
                    AttributeType::EcParams,
                    AttributeType::AlwaysAuthenticate,
                    AttributeType::Sign,
                ],
            )
            .map_err(|e| {
                op_err(
                    token,
                    "读取私钥属性",
                    "reading a private key's attributes",
                    e,
                )
            })?;
        let label = bytes_attr(&attrs, AttributeType::Label)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        let id = bytes_attr(&attrs, AttributeType::Id).unwrap_or_default();
        let key_type = attrs.iter().find_map(|a| match a {
            Attribute::KeyType(k) => Some(*k),
            _ => None,
        });
        let can_sign = attrs
            .iter()
            .find_map(|a| match a {
                Attribute::Sign(b) => Some(*b),
                _ => None,
            })
            .unwrap_or(true);
        let always_authenticate = attrs
            .iter()
            .any(|a| matches!(a, Attribute::AlwaysAuthenticate(true)));
        let (scheme, desc, mut problem) = match key_type {
            Some(KeyType::RSA) => {
                let bits = bytes_attr(&attrs, AttributeType::Modulus).map(|m| {
                    let lead = m.iter().take_while(|b| **b == 0).count();
                    (m.len() - lead) * 8
                });
                let desc = bits.map_or("RSA".to_string(), |b| format!("RSA-{b}"));
                (Some(SignatureScheme::RsaPkcs1Sha256), desc, None)
            }
            Some(KeyType::EC) => match bytes_attr(&attrs, AttributeType::EcParams) {
                Some(p) if p == P256_PARAMS => (
                    Some(SignatureScheme::EcdsaP256Sha256),
                    "ECDSA P-256".to_string(),
                    None,
                ),
                Some(p) if p == SM2_PARAMS => (
                    None,
                    "SM2".to_string(),
                    Some("SM2 keys cannot sign PDFs or CMS here (RSA or P-256 only)".to_string()),
                ),
                _ => (
                    None,
                    "EC (other curve)".to_string(),
                    Some("only P-256 (and RSA) sign PDFs".to_string()),
                ),
            },
            Some(other) => (
                None,
                format!("{other}"),
                Some("only RSA and P-256 keys sign PDFs".to_string()),
            ),
            None => (
                None,
                "unknown".to_string(),
                Some("unknown key type".to_string()),
            ),
        };
        if !can_sign && problem.is_none() {
            problem = Some("the key may not sign (CKA_SIGN is false)".to_string());
        }
        out.push(KeyObject {
            handle: h,
            label,
            id,
            scheme: if problem.is_none() { scheme } else { None },
            desc,
            problem,
            always_authenticate,
        });
    }
    Ok(out)
}

struct CertObject {
    label: String,
    id: Vec<u8>,
    der: Vec<u8>,
    cert: Certificate,
}

fn certificates(session: &Session, token: &str) -> Result<Vec<CertObject>, SignError> {
    let handles = session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .map_err(|e| op_err(token, "查找证书", "listing certificates", e))?;
    let mut out = Vec::new();
    for h in handles.into_iter().take(MAX_OBJECTS) {
        let attrs = session
            .get_attributes(
                h,
                &[
                    AttributeType::Label,
                    AttributeType::Id,
                    AttributeType::Value,
                ],
            )
            .map_err(|e| op_err(token, "读取证书", "reading a certificate", e))?;
        let Some(der) = bytes_attr(&attrs, AttributeType::Value) else {
            continue;
        };
        if der.len() > MAX_TOKEN_CERT {
            continue;
        }
        // A certificate that is not X.509 (or damaged) is skipped.
        let Ok(cert) = Certificate::from_der(&der) else {
            continue;
        };
        out.push(CertObject {
            label: bytes_attr(&attrs, AttributeType::Label)
                .map(|v| String::from_utf8_lossy(&v).into_owned())
                .unwrap_or_default(),
            id: bytes_attr(&attrs, AttributeType::Id).unwrap_or_default(),
            der,
            cert,
        });
    }
    Ok(out)
}

fn cert_entry(c: &CertObject) -> TokenCert {
    let subject = &c.cert.tbs_certificate.subject;
    TokenCert {
        label: c.label.clone(),
        id: hex(&c.id),
        subject_cn: name_attr(subject, AT_COMMON_NAME),
        organisation: name_attr(subject, AT_ORGANISATION),
        fingerprint_sha256: hex(&Hash::Sha256.digest(&c.der)),
    }
}

/// What the token `token` in `module` holds: its certificates (public), and
/// with a PIN its private keys too. Without a PIN only the certificates are
/// listed (private keys are not visible before login).
pub fn list_token_objects(
    module: &Path,
    token: &str,
    pin: Option<&str>,
) -> Result<TokenContents, SignError> {
    let ctx = open_module(module)?;
    let (slot, info) = find_token(&ctx, module, token)?;
    let session = ctx
        .open_ro_session(slot)
        .map_err(|e| op_err(&info.label, "打开会话", "opening a session", e))?;
    let keys = match pin {
        Some(pin) => {
            login(&session, &info, pin)?;
            private_keys(&session, &info.label)?
                .iter()
                .map(KeyObject::entry)
                .collect()
        }
        None => Vec::new(),
    };
    let certs = certificates(&session, &info.label)?
        .iter()
        .map(cert_entry)
        .collect();
    Ok(TokenContents {
        token: info,
        keys,
        certs,
    })
}

/// A key on a token that signs there. Holds the open, logged-in session.
pub struct TokenSigner {
    session: Mutex<Session>,
    key: ObjectHandle,
    token: String,
    label: String,
    scheme: SignatureScheme,
    /// Sign with `CKM_SHA256_RSA_PKCS` (the token hashes); else
    /// `CKM_RSA_PKCS` over a DigestInfo.
    rsa_hash_on_token: bool,
    /// The key wants the PIN again before each signature.
    context_pin: Option<AuthPin>,
    desc: String,
}

impl Signer for TokenSigner {
    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let session = self
            .session
            .lock()
            .map_err(|_| token_err(&self.token, "会话不可用", "the session is unusable"))?;
        let sign_err = |e: CkError| {
            token_err(
                &self.token,
                format!("密钥 {:?} 签名失败：{e}", self.label),
                format!("key {:?}: signing failed: {e}", self.label),
            )
        };
        let relogin = || -> Result<(), SignError> {
            if let Some(pin) = &self.context_pin {
                match session.login(UserType::ContextSpecific, Some(pin)) {
                    Ok(()) => {}
                    Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                        return Err(SignError::TokenPin {
                            token: self.token.clone(),
                            locked: false,
                        })
                    }
                    Err(e) => return Err(sign_err(e)),
                }
            }
            Ok(())
        };
        let digest = Hash::Sha256.digest(message);
        match self.scheme {
            SignatureScheme::RsaPkcs1Sha256 => {
                relogin()?;
                if self.rsa_hash_on_token {
                    session
                        .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
                        .map_err(sign_err)
                } else {
                    let mut info = SHA256_DIGEST_INFO.to_vec();
                    info.extend_from_slice(&digest);
                    session
                        .sign(&Mechanism::RsaPkcs, self.key, &info)
                        .map_err(sign_err)
                }
            }
            SignatureScheme::EcdsaP256Sha256 => {
                relogin()?;
                let rs = session
                    .sign(&Mechanism::Ecdsa, self.key, &digest)
                    .map_err(sign_err)?;
                if rs.len() != 64 {
                    return Err(token_err(
                        &self.token,
                        format!(
                            "密钥 {:?} 返回的 ECDSA 签名长度为 {}（应为 64）",
                            self.label,
                            rs.len()
                        ),
                        format!(
                            "key {:?} returned an ECDSA signature of {} bytes (64 expected)",
                            self.label,
                            rs.len()
                        ),
                    ));
                }
                ec_sig_to_der(&rs[..32], &rs[32..])
                    .map_err(|e| SignError::crypto(format!("ECDSA signature: {e}")))
            }
        }
    }

    fn describe(&self) -> String {
        self.desc.clone()
    }
}

/// Whether `key` names this key: its label exactly, or its CKA_ID in hex.
fn selects(k: &KeyObject, key: &str) -> bool {
    if k.label == key {
        return true;
    }
    let h: String = key
        .trim()
        .trim_start_matches("id:")
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    !k.id.is_empty() && !h.is_empty() && hex(&k.id) == h
}

/// Reads the certificates of a `--cert` file: PEM (one or more) or DER.
fn read_cert_file(path: &Path) -> Result<Vec<Vec<u8>>, SignError> {
    let bytes = super::read_capped(
        path,
        super::MAX_TRUST_FILE,
        "证书文件",
        "a certificate file",
    )?;
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| SignError::bad_file(path, "PEM text that is not UTF-8"))?;
        return super::pem_to_der_certs(text).map_err(|e| SignError::bad_file(path, e.to_string()));
    }
    Certificate::from_der(&bytes).map_err(|e| {
        SignError::bad_file(
            path,
            format!("neither PEM certificates nor a DER certificate: {e}"),
        )
    })?;
    Ok(vec![bytes])
}

/// Opens the token, logs in with `pin`, finds the key and its certificate,
/// and returns an [`Identity`] whose signatures are made on the token.
/// Errors: the module cannot be loaded ([`SignError::Pkcs11Module`]), no
/// such token ([`SignError::TokenNotFound`], listing those present), a
/// wrong or locked PIN ([`SignError::TokenPin`]), no or several such keys
/// ([`SignError::TokenKey`], listing the keys), no certificate matching the
/// key, a key type that cannot sign PDFs ([`SignError::Token`]).
pub fn load_token_identity(spec: &TokenKeySpec, pin: &str) -> Result<Identity, SignError> {
    let ctx = open_module(&spec.module)?;
    let (slot, info) = find_token(&ctx, &spec.module, &spec.token)?;
    let token = info.label.clone();
    let session = ctx
        .open_ro_session(slot)
        .map_err(|e| op_err(&token, "打开会话", "opening a session", e))?;
    login(&session, &info, pin)?;

    let keys = private_keys(&session, &token)?;
    let mut chosen: Vec<KeyObject> = Vec::new();
    let mut names = Vec::new();
    for k in keys {
        names.push(k.name());
        if selects(&k, &spec.key) {
            chosen.push(k);
        }
    }
    let key = match chosen.len() {
        1 => chosen.remove(0),
        n => {
            return Err(SignError::TokenKey {
                token,
                key: spec.key.clone(),
                ambiguous: n > 1,
                available: names,
            })
        }
    };
    let Some(scheme) = key.scheme else {
        let why = key.problem.clone().unwrap_or_default();
        return Err(token_err(
            &token,
            format!("密钥 {:?}（{}）不能用于签名：{why}", key.label, key.desc),
            format!("key {:?} ({}) cannot sign: {why}", key.label, key.desc),
        ));
    };
    let mechs = ctx
        .get_mechanism_list(slot)
        .map_err(|e| op_err(&token, "读取算法列表", "listing mechanisms", e))?;
    let has = |m: MechanismType| mechs.contains(&m);
    let rsa_hash_on_token = has(MechanismType::SHA256_RSA_PKCS);
    let supported = match scheme {
        SignatureScheme::RsaPkcs1Sha256 => rsa_hash_on_token || has(MechanismType::RSA_PKCS),
        SignatureScheme::EcdsaP256Sha256 => has(MechanismType::ECDSA),
    };
    if !supported {
        let need = match scheme {
            SignatureScheme::RsaPkcs1Sha256 => "CKM_SHA256_RSA_PKCS / CKM_RSA_PKCS",
            SignatureScheme::EcdsaP256Sha256 => "CKM_ECDSA",
        };
        return Err(token_err(
            &token,
            format!("令牌不支持签名所需的机制 {need}"),
            format!("the token does not offer the signing mechanism {need}"),
        ));
    }

    // Certificates: the file's, or the token's (the key's own first).
    let (candidates, others): (Vec<Vec<u8>>, Vec<Vec<u8>>) = match &spec.cert {
        Some(path) => {
            let all = read_cert_file(path)?;
            (all.clone(), all)
        }
        None => {
            let certs = certificates(&session, &token)?;
            let same_id: Vec<Vec<u8>> = certs
                .iter()
                .filter(|c| !key.id.is_empty() && c.id == key.id)
                .map(|c| c.der.clone())
                .collect();
            let same_label: Vec<Vec<u8>> = certs
                .iter()
                .filter(|c| !key.label.is_empty() && c.label == key.label)
                .map(|c| c.der.clone())
                .collect();
            let all: Vec<Vec<u8>> = certs.iter().map(|c| c.der.clone()).collect();
            let mut first: Vec<Vec<u8>> = same_id;
            first.extend(same_label);
            first.extend(all.iter().cloned());
            (first, all)
        }
    };
    if candidates.is_empty() {
        return Err(token_err(
            &token,
            format!(
                "令牌上没有证书；请用 --cert 文件 给出密钥 {:?} 的证书",
                key.label
            ),
            format!(
                "there is no certificate on the token; give key {:?}'s certificate with --cert FILE",
                key.label
            ),
        ));
    }

    let desc = format!("{} on token {:?}, key {:?}", key.desc, token, key.label);
    let context_pin = key
        .always_authenticate
        .then(|| AuthPin::from(pin.to_string()));
    let signer = TokenSigner {
        session: Mutex::new(session),
        key: key.handle,
        token: token.clone(),
        label: key.label.clone(),
        scheme,
        rsa_hash_on_token,
        context_pin,
        desc,
    };
    // One signature on the token; the certificate whose key verifies it is the key's.
    let sig = challenge_signature(&signer)?;
    let mut leaf: Option<(Vec<u8>, Certificate)> = None;
    for der_bytes in &candidates {
        let Ok(cert) = Certificate::from_der(der_bytes) else {
            continue;
        };
        if signature_matches(scheme, &sig, &cert) {
            leaf = Some((der_bytes.clone(), cert));
            break;
        }
    }
    let Some((leaf_der, leaf_cert)) = leaf else {
        let place_zh = match &spec.cert {
            Some(p) => format!("{} 中", p.display()),
            None => "令牌上".to_string(),
        };
        let place_en = match &spec.cert {
            Some(p) => format!("in {}", p.display()),
            None => "on the token".to_string(),
        };
        return Err(token_err(
            &token,
            format!("{place_zh}没有与密钥 {:?} 匹配的证书", key.label),
            format!("no certificate {place_en} belongs to key {:?}", key.label),
        ));
    };
    // The chain: from a file, everything else in it; from the token, the
    // certificates that lie above the key's.
    let rest: Vec<Certificate> = others
        .iter()
        .filter(|d| **d != leaf_der)
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect();
    let mut chain = order_chain(&leaf_cert, rest);
    if spec.cert.is_none() {
        let mut keep = 0;
        let leaf_tbs = &leaf_cert.tbs_certificate;
        if leaf_tbs.issuer != leaf_tbs.subject {
            let mut issuer = &leaf_tbs.issuer;
            for c in &chain {
                if &c.tbs_certificate.subject != issuer {
                    break;
                }
                keep += 1;
                if c.tbs_certificate.issuer == c.tbs_certificate.subject {
                    break;
                }
                issuer = &c.tbs_certificate.issuer;
            }
        }
        chain.truncate(keep);
    }
    Ok(Identity::assemble(
        Box::new(signer),
        leaf_cert,
        leaf_der,
        chain,
    ))
}
