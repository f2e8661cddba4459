//! Signing identities: making a local CA and a signing certificate
//! (`new_identity`), and loading a PKCS#12 with the optional SM2 pair
//! beside it (`load_identity`).

use crate::i18n::Text;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use der::pem::LineEnding;
use der::{Decode, Encode, EncodePem};
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::{OsRng, RngCore};
use rsa::RsaPrivateKey;
use x509_cert::Certificate;

use super::asn1::{
    hex, oid_name, Hash, AT_COMMON_NAME, AT_ORGANISATION, EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP256R1,
};
use super::x509::{issue, key_id, make_name, name_attr, KeyRef, Profile};
use super::{p12, SignError};

/// The key algorithm of a new signing identity (the CA uses the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgo {
    /// RSA 3072-bit, signatures RSASSA-PKCS1-v1_5 with SHA-256.
    Rsa3072,
    /// ECDSA on NIST P-256 with SHA-256.
    P256,
}

/// What to put in a new identity.
#[derive(Debug, Clone)]
pub struct NewIdentity {
    /// The signer's name: the certificate's CN.
    pub name: String,
    /// The organisation: the certificate's O (omitted when empty).
    pub org: String,
    pub algo: KeyAlgo,
    /// Also make an SM2 key and a self-signed SM2-with-SM3 certificate.
    pub sm2: bool,
}

/// The files [`new_identity`] wrote.
#[derive(Debug, Clone)]
pub struct IdentityFiles {
    /// `signer.p12`: signing key, signing certificate and CA certificate.
    pub p12: PathBuf,
    /// `ca.pem`: the CA certificate, for verifiers' trust stores.
    pub ca_pem: PathBuf,
    /// `signer-sm2.key.pem`: the SM2 key, PKCS#8 encrypted with the password.
    pub sm2_key: Option<PathBuf>,
    /// `signer-sm2.pem`: the self-signed SM2 certificate.
    pub sm2_cert: Option<PathBuf>,
}

/// File names inside the identity directory.
pub const P12_FILE: &str = "signer.p12";
pub const CA_FILE: &str = "ca.pem";
pub const SM2_KEY_FILE: &str = "signer-sm2.key.pem";
pub const SM2_CERT_FILE: &str = "signer-sm2.pem";

const CA_DAYS: i64 = 20 * 365;
const SIGNER_DAYS: i64 = 5 * 365;
/// PBKDF2 iterations for the encrypted SM2 key.
const SM2_KEY_ITERATIONS: u32 = 100_000;

pub(crate) enum SignerKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::SecretKey),
}

/// The signature a [`Signer`] makes; the only two that standard PDF and
/// CMS verifiers (pdfsig/NSS, pyHanko, OpenSSL, Acrobat) all accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// ECDSA on NIST P-256 with SHA-256; the value is DER `SEQUENCE{r, s}`.
    EcdsaP256Sha256,
}

/// A private key that signs for an [`Identity`]: a key held in memory
/// (from a PKCS#12) or a key on a token (PKCS#11) that never leaves it.
/// PAdES and the detached CMS ask it for one thing only: a signature over
/// the DER of the signed attributes.
pub trait Signer: Send + Sync {
    /// What [`Signer::sign`] returns.
    fn scheme(&self) -> SignatureScheme;
    /// Signs `message` (SHA-256 of it, then the key's operation; where the
    /// hash is computed is the signer's choice): RSA gives the PKCS#1 v1.5
    /// signature, ECDSA a DER `SEQUENCE{r, s}`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
    /// "RSA-3072", "ECDSA P-256", or where a token key lives.
    fn describe(&self) -> String;
}

impl Signer for SignerKey {
    fn scheme(&self) -> SignatureScheme {
        match self {
            SignerKey::Rsa(_) => SignatureScheme::RsaPkcs1Sha256,
            SignerKey::P256(_) => SignatureScheme::EcdsaP256Sha256,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.as_ref().sign(message)
    }

    fn describe(&self) -> String {
        describe_key(self)
    }
}

impl SignerKey {
    pub(crate) fn as_ref(&self) -> KeyRef<'_> {
        match self {
            SignerKey::Rsa(k) => KeyRef::Rsa(k),
            SignerKey::P256(k) => KeyRef::P256(k),
        }
    }

    fn to_pkcs8(&self) -> Result<Vec<u8>, SignError> {
        match self {
            SignerKey::Rsa(k) => k.to_pkcs8_der(),
            SignerKey::P256(k) => k.to_pkcs8_der(),
        }
        .map(|d| d.as_bytes().to_vec())
        .map_err(|e| SignError::crypto(format!("key encoding: {e}")))
    }

    fn generate(algo: KeyAlgo) -> Result<SignerKey, SignError> {
        Ok(match algo {
            KeyAlgo::Rsa3072 => SignerKey::Rsa(Box::new(
                RsaPrivateKey::new(&mut OsRng, 3072)
                    .map_err(|e| SignError::crypto(format!("RSA key generation: {e}")))?,
            )),
            KeyAlgo::P256 => SignerKey::P256(p256::SecretKey::random(&mut OsRng)),
        })
    }
}

/// A loaded signing identity: the signer (an RSA or P-256 key in memory,
/// or a key on a token), its certificate, the rest of the chain, and
/// optionally an SM2 key with its certificate chain. Keys never leave this
/// value except through the files the caller chose; `Debug` shows no key
/// material.
pub struct Identity {
    pub(crate) signer: Box<dyn Signer>,
    pub(crate) cert: Certificate,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) chain: Vec<Certificate>,
    /// The SM2 key, its certificate, and the certificates above it.
    pub(crate) sm2: Option<Sm2Pair>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("subject_cn", &self.subject_cn())
            .field("key", &self.key_description())
            .field("chain", &self.chain.len())
            .field("sm2", &self.has_sm2())
            .finish()
    }
}

fn pem(cert: &Certificate) -> String {
    cert.to_pem(LineEnding::LF).unwrap_or_default()
}

impl Identity {
    /// The signing certificate's CN.
    pub fn subject_cn(&self) -> String {
        name_attr(&self.cert.tbs_certificate.subject, AT_COMMON_NAME)
    }

    /// The signing certificate's O (empty when absent).
    pub fn organisation(&self) -> String {
        name_attr(&self.cert.tbs_certificate.subject, AT_ORGANISATION)
    }

    /// The signing certificate, PEM.
    pub fn cert_pem(&self) -> String {
        pem(&self.cert)
    }

    /// The signing certificate, DER.
    pub fn cert_der(&self) -> Vec<u8> {
        self.cert_der.clone()
    }

    /// The other certificates (issuer first), PEM each.
    pub fn chain_pem(&self) -> Vec<String> {
        self.chain.iter().map(pem).collect()
    }

    pub fn has_sm2(&self) -> bool {
        self.sm2.is_some()
    }

    /// The SM2 certificate, PEM, followed by the certificates above it
    /// (issuer first) when the SM2 identity came with a chain.
    pub fn sm2_cert_pem(&self) -> Option<String> {
        self.sm2.as_ref().map(|(_, c, chain)| {
            std::iter::once(c)
                .chain(chain.iter())
                .map(pem)
                .collect::<String>()
        })
    }

    /// How many certificates come above the SM2 certificate.
    pub fn sm2_chain_len(&self) -> usize {
        self.sm2.as_ref().map_or(0, |(_, _, chain)| chain.len())
    }

    /// SHA-256 of the signing certificate's DER, 64 lower-case hex digits
    /// (what pyHanko prints, and `openssl x509 -fingerprint -sha256`
    /// without the colons).
    pub fn fingerprint_sha256(&self) -> String {
        hex(&Hash::Sha256.digest(&self.cert_der))
    }

    /// "RSA-3072", "ECDSA P-256" (for a token key, also where it lives).
    pub fn key_description(&self) -> String {
        self.signer.describe()
    }

    /// The signature the signing key makes.
    pub fn scheme(&self) -> SignatureScheme {
        self.signer.scheme()
    }

    /// An identity whose key is `signer` (a token, or any other key the
    /// caller holds), with its certificate (`cert_der`, DER) and the
    /// certificates above it (`chain_der`, any order). The signer is asked
    /// for one signature over a fixed challenge, which must verify with the
    /// certificate's public key: a certificate that is not the key's is
    /// refused before anything is signed with it.
    pub fn from_signer(
        signer: Box<dyn Signer>,
        cert_der: &[u8],
        chain_der: &[Vec<u8>],
    ) -> Result<Identity, SignError> {
        let cert = Certificate::from_der(cert_der)
            .map_err(|e| SignError::malformed(format!("signer certificate: {e}")))?;
        let mut rest = Vec::new();
        for (i, d) in chain_der.iter().enumerate() {
            rest.push(
                Certificate::from_der(d).map_err(|e| {
                    SignError::malformed(format!("chain certificate #{}: {e}", i + 1))
                })?,
            );
        }
        if !signer_matches(signer.as_ref(), &cert)? {
            return Err(SignError::crypto(format!(
                "the certificate {} does not belong to the key ({})",
                super::x509::name_display(&cert.tbs_certificate.subject),
                signer.describe()
            )));
        }
        let chain = order_chain(&cert, rest);
        Ok(Identity::assemble(signer, cert, cert_der.to_vec(), chain))
    }

    /// An identity from a signer already checked against `cert`.
    pub(crate) fn assemble(
        signer: Box<dyn Signer>,
        cert: Certificate,
        cert_der: Vec<u8>,
        chain: Vec<Certificate>,
    ) -> Identity {
        Identity {
            signer,
            cert,
            cert_der,
            chain,
            sm2: None,
        }
    }

    /// How many other certificates (issuers) travel with the signature.
    pub fn chain_len(&self) -> usize {
        self.chain.len()
    }

    pub(crate) fn sm2_key(&self) -> Option<&sm2::SecretKey> {
        self.sm2.as_ref().map(|(k, _, _)| k)
    }
}

/// The message a signer signs to show that a certificate is its own.
const CHALLENGE: &[u8] = b"iovaudit: does this certificate belong to this key?";

/// Whether a signature by `signer` over [`CHALLENGE`] verifies with the
/// public key of `cert`. An error only when the signer itself fails.
pub(crate) fn signer_matches(signer: &dyn Signer, cert: &Certificate) -> Result<bool, SignError> {
    let sig = signer.sign(CHALLENGE)?;
    Ok(signature_matches(signer.scheme(), &sig, cert))
}

/// Whether `sig` (by a key signing with `scheme`) over [`CHALLENGE`]
/// verifies with the public key of `cert`.
pub(crate) fn signature_matches(scheme: SignatureScheme, sig: &[u8], cert: &Certificate) -> bool {
    let alg = match scheme {
        SignatureScheme::RsaPkcs1Sha256 => spki::AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: None,
        },
        SignatureScheme::EcdsaP256Sha256 => spki::AlgorithmIdentifierOwned {
            oid: super::asn1::ECDSA_SHA256,
            parameters: None,
        },
    };
    matches!(
        super::x509::verify_sig(
            &cert.tbs_certificate.subject_public_key_info,
            &alg,
            Some(Hash::Sha256),
            CHALLENGE,
            sig,
        ),
        Ok(true)
    )
}

/// A fresh challenge signature by `signer`, for trying several certificates.
pub(crate) fn challenge_signature(signer: &dyn Signer) -> Result<Vec<u8>, SignError> {
    signer.sign(CHALLENGE)
}

fn check_label(what_zh: &str, what_en: &str, s: &str) -> Result<(), SignError> {
    if s.chars().any(char::is_control) {
        return Err(SignError::invalid(
            format!("{what_zh}不能包含控制字符"),
            format!("the {what_en} must not contain control characters"),
        ));
    }
    if s.chars().count() > 64 {
        return Err(SignError::invalid(
            format!("{what_zh}最长 64 个字符"),
            format!("the {what_en} is at most 64 characters"),
        ));
    }
    Ok(())
}

/// Creates a local CA (self-signed, basicConstraints CA:TRUE, keyCertSign)
/// and a signing certificate issued by it (keyUsage digitalSignature +
/// nonRepudiation, subject `CN=name, O=org`), and writes:
///
/// * `out_dir/signer.p12`: signing key + signing certificate + CA
///   certificate, protected by `password` (PBES2 AES-256-CBC with
///   PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC; `openssl pkcs12 -info` reads it);
/// * `out_dir/ca.pem`: the CA certificate;
/// * with `sm2`: `out_dir/signer-sm2.key.pem`, the SM2 key as PKCS#8
///   **encrypted with the same password** (`ENCRYPTED PRIVATE KEY`, PBES2
///   AES-256-CBC; `openssl pkey -in … -passin pass:…` reads it), and
///   `out_dir/signer-sm2.pem`, a self-signed SM2-with-SM3 certificate.
///
/// The CA's private key is not kept: it signs the signing certificate
/// once and is dropped, so nobody can issue another certificate under
/// this CA. Never overwrites a file (error naming it; nothing is written
/// then). `out_dir` is created if missing; nothing is written elsewhere.
/// Key files are created with mode 0600 on Unix.
pub fn new_identity(
    req: &NewIdentity,
    out_dir: &Path,
    password: &str,
) -> Result<IdentityFiles, SignError> {
    let name = req.name.trim();
    let org = req.org.trim();
    if name.is_empty() {
        return Err(SignError::invalid(
            "签名人姓名不能为空",
            "the signer's name must not be empty",
        ));
    }
    check_label("签名人姓名", "signer's name", name)?;
    check_label("单位名称", "organisation", org)?;
    if password.is_empty() {
        return Err(SignError::invalid(
            "密码不能为空",
            "the password must not be empty",
        ));
    }

    let p12_path = out_dir.join(P12_FILE);
    let ca_path = out_dir.join(CA_FILE);
    let sm2_key_path = out_dir.join(SM2_KEY_FILE);
    let sm2_cert_path = out_dir.join(SM2_CERT_FILE);
    let mut targets = vec![&p12_path, &ca_path];
    if req.sm2 {
        targets.push(&sm2_key_path);
        targets.push(&sm2_cert_path);
    }
    for t in &targets {
        if t.symlink_metadata().is_ok() {
            return Err(SignError::Exists {
                path: t.to_path_buf(),
            });
        }
    }

    // CA and signer. The CA key lives only for these two signatures.
    let ca_key = SignerKey::generate(req.algo)?;
    let ca_name = make_name(&format!("{name} 本地签名 CA (iovaudit)"), org)?;
    let ca_spki = ca_key.as_ref().spki()?;
    let ca_kid = key_id(&ca_spki);
    let ca_cert = issue(
        ca_name.clone(),
        ca_spki,
        ca_name.clone(),
        &ca_key.as_ref(),
        None,
        Profile::Ca,
        CA_DAYS,
    )?;
    let key = SignerKey::generate(req.algo)?;
    let cert = issue(
        make_name(name, org)?,
        key.as_ref().spki()?,
        ca_name,
        &ca_key.as_ref(),
        Some(ca_kid),
        Profile::Signer,
        SIGNER_DAYS,
    )?;
    drop(ca_key);

    let enc = |e: der::Error| SignError::crypto(format!("encoding: {e}"));
    let cert_der = cert.to_der().map_err(enc)?;
    let ca_der = ca_cert.to_der().map_err(enc)?;
    let p12_bytes = p12::write(&key.to_pkcs8()?, &cert_der, &[ca_der], name, password)?;
    let ca_pem = ca_cert.to_pem(LineEnding::LF).map_err(enc)?;

    let mut files: Vec<(PathBuf, Vec<u8>, bool)> = vec![
        (p12_path.clone(), p12_bytes, true),
        (ca_path.clone(), ca_pem.into_bytes(), false),
    ];
    if req.sm2 {
        let sm2_key = sm2::SecretKey::random(&mut OsRng);
        let sm2_ref = KeyRef::Sm2(&sm2_key);
        let sm2_name = make_name(name, org)?;
        let sm2_cert = issue(
            sm2_name.clone(),
            sm2_ref.spki()?,
            sm2_name,
            &sm2_ref,
            None,
            Profile::Signer,
            SIGNER_DAYS,
        )?;
        files.push((
            sm2_key_path.clone(),
            encrypt_sm2_key(&sm2_key, password)?.into_bytes(),
            true,
        ));
        files.push((
            sm2_cert_path.clone(),
            sm2_cert.to_pem(LineEnding::LF).map_err(enc)?.into_bytes(),
            false,
        ));
    }

    fs::create_dir_all(out_dir).map_err(|e| SignError::io(out_dir, e))?;
    let mut written: Vec<PathBuf> = Vec::new();
    for (path, bytes, secret) in &files {
        if let Err(e) = write_new(path, bytes, *secret) {
            for w in &written {
                let _ = fs::remove_file(w);
            }
            return Err(e);
        }
        written.push(path.clone());
    }
    Ok(IdentityFiles {
        p12: p12_path,
        ca_pem: ca_path,
        sm2_key: req.sm2.then_some(sm2_key_path),
        sm2_cert: req.sm2.then_some(sm2_cert_path),
    })
}

/// Creates `path` (never replacing anything), writes, syncs.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), SignError> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            SignError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            SignError::io(path, e)
        }
    })?;
    let res = f.write_all(bytes).and_then(|_| f.sync_all());
    if let Err(e) = res {
        drop(f);
        let _ = fs::remove_file(path);
        return Err(SignError::io(path, e));
    }
    Ok(())
}

fn encrypt_sm2_key(key: &sm2::SecretKey, password: &str) -> Result<String, SignError> {
    let enc = |e: pkcs8::Error| SignError::crypto(format!("SM2 key encoding: {e}"));
    let plain = key.to_pkcs8_der().map_err(enc)?;
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let params = pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(SM2_KEY_ITERATIONS, &salt, &iv)
        .map_err(|e| SignError::crypto(format!("SM2 key encryption: {e}")))?;
    let pki = pkcs8::PrivateKeyInfo::try_from(plain.as_bytes()).map_err(enc)?;
    let encrypted = pki.encrypt_with_params(params, password).map_err(enc)?;
    encrypted
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map(|s| s.to_string())
        .map_err(|e| SignError::crypto(format!("SM2 key encoding: {e}")))
}

/// Reads a PKCS#12 or a key/certificate file beside it, at most
/// [`super::MAX_P12_FILE`] bytes.
fn read_file(path: &Path) -> Result<Vec<u8>, SignError> {
    super::read_capped(
        path,
        super::MAX_P12_FILE,
        "PKCS#12 证书/密钥文件",
        "a PKCS#12 / key / certificate file",
    )
}

/// One private key in a PKCS#12 file, as listed by [`list_keys`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyEntry {
    /// 1-based position among the file's keys.
    pub index: usize,
    /// The key's friendly name (alias), from its bag or its certificate's.
    pub alias: Option<String>,
    /// CN and O of the key's certificate (empty without one).
    pub subject_cn: String,
    pub organisation: String,
    /// SHA-256 of the key's certificate, 64 lower-case hex digits.
    pub fingerprint_sha256: Option<String>,
    /// "RSA-2048", "ECDSA P-256", or the key type that cannot sign here.
    pub key: String,
    /// Why this key cannot sign (unsupported type, no certificate), if so.
    pub problem: Option<Text>,
}

impl KeyEntry {
    /// A one-line description for lists and messages:
    /// `#1 "alias" CN=…, SHA-256 0123456789abcdef…`.
    pub fn label(&self) -> String {
        let mut s = format!("#{}", self.index);
        if let Some(a) = &self.alias {
            s.push_str(&format!(" {a:?}"));
        }
        if !self.subject_cn.is_empty() {
            s.push_str(&format!(" CN={}", self.subject_cn));
        }
        match &self.fingerprint_sha256 {
            Some(fp) => s.push_str(&format!(", SHA-256 {}…", &fp[..fp.len().min(16)])),
            None => s.push_str(", no certificate"),
        }
        s
    }
}

struct Candidate {
    entry: KeyEntry,
    key: Option<SignerKey>,
    cert: Option<usize>,
    sha1: Option<String>,
}

struct Opened {
    certs: Vec<Certificate>,
    candidates: Vec<Candidate>,
}

fn open_p12(p12_path: &Path, password: &str) -> Result<Opened, SignError> {
    let bytes = read_file(p12_path)?;
    let contents = p12::read(&bytes, password, p12_path)?;
    if contents.keys.is_empty() {
        return Err(SignError::NoKey {
            path: p12_path.to_path_buf(),
        });
    }
    let mut certs = Vec::new();
    for (i, c) in contents.certs.iter().enumerate() {
        let cert = Certificate::from_der(&c.der).map_err(|e| {
            SignError::bad_file(
                p12_path,
                format!("certificate #{} cannot be read: {e}", i + 1),
            )
        })?;
        certs.push(cert);
    }
    let mut candidates = Vec::new();
    for (i, k) in contents.keys.iter().enumerate() {
        let parsed = parse_signer_key(&k.der, p12_path);
        let spki = match &parsed {
            Ok(key) => Some(key.as_ref().spki()?),
            Err(_) => None,
        };
        // The certificate whose public key is the key's; failing that (a key
        // type we cannot sign with), the one with the same localKeyId.
        let cert = spki
            .as_ref()
            .and_then(|spki| {
                certs
                    .iter()
                    .position(|c| &c.tbs_certificate.subject_public_key_info == spki)
            })
            .or_else(|| {
                let id = k.local_key_id.as_ref()?;
                contents
                    .certs
                    .iter()
                    .position(|c| c.local_key_id.as_ref() == Some(id))
            });
        let cert_der = cert.map(|j| contents.certs[j].der.as_slice());
        let key_desc = match &parsed {
            Ok(key) => describe_key(key),
            Err(_) => pkcs8::PrivateKeyInfo::try_from(k.der.as_slice())
                .map(|pki| oid_name(&pki.algorithm.oid))
                .unwrap_or_else(|_| "unreadable key".into()),
        };
        let problem = match (&parsed, cert) {
            (Err(e), _) => Some(match e {
                SignError::BadFile { what, .. } => {
                    Text::new(format!("密钥无法使用：{what}"), what.clone())
                }
                other => Text::new(other.zh(), other.to_string()),
            }),
            (Ok(_), None) => Some(Text::new(
                "没有与该私钥匹配的证书",
                "no certificate matches the private key",
            )),
            (Ok(_), Some(_)) => None,
        };
        let alias = k
            .friendly_name
            .clone()
            .or_else(|| cert.and_then(|j| contents.certs[j].friendly_name.clone()));
        let (cn, org) = cert
            .map(|j| {
                let subject = &certs[j].tbs_certificate.subject;
                (
                    name_attr(subject, AT_COMMON_NAME),
                    name_attr(subject, AT_ORGANISATION),
                )
            })
            .unwrap_or_default();
        candidates.push(Candidate {
            entry: KeyEntry {
                index: i + 1,
                alias,
                subject_cn: cn,
                organisation: org,
                fingerprint_sha256: cert_der.map(|d| hex(&Hash::Sha256.digest(d))),
                key: key_desc,
                problem,
            },
            key: parsed.ok(),
            cert,
            sha1: cert_der.map(|d| {
                use sha1::Digest;
                hex(&sha1::Sha1::digest(d))
            }),
        });
    }
    Ok(Opened { certs, candidates })
}

fn describe_key(key: &SignerKey) -> String {
    match key {
        SignerKey::Rsa(k) => format!("RSA-{}", rsa::traits::PublicKeyParts::size(k.as_ref()) * 8),
        SignerKey::P256(_) => "ECDSA P-256".to_string(),
    }
}

/// Whether `wanted` names this key: its alias exactly, or the start (at
/// least 8 hex digits; colons and spaces ignored, any case) of its
/// certificate's SHA-256 or SHA-1 fingerprint.
fn selects(c: &Candidate, wanted: &str) -> bool {
    let wanted = wanted.trim();
    if c.entry.alias.as_deref() == Some(wanted) {
        return true;
    }
    let hex: String = wanted
        .chars()
        .filter(|ch| *ch != ':' && !ch.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if hex.len() < 8 || !hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
        return false;
    }
    [&c.entry.fingerprint_sha256, &c.sha1]
        .iter()
        .any(|fp| fp.as_deref().is_some_and(|fp| fp.starts_with(&hex)))
}

/// Lists the private keys in a PKCS#12 file with their certificates
/// (alias, subject, fingerprint, key type, and why one cannot sign).
/// Errors as [`load_identity`] (wrong password, unsupported encryption,
/// no key), each naming the file.
pub fn list_keys(p12_path: &Path, password: &str) -> Result<Vec<KeyEntry>, SignError> {
    Ok(open_p12(p12_path, password)?
        .candidates
        .into_iter()
        .map(|c| c.entry)
        .collect())
}

/// Loads a PKCS#12 (`.p12`/`.pfx`) holding one RSA or P-256 key with its
/// certificate; see [`load_identity_with`] for files with several keys.
pub fn load_identity(p12_path: &Path, password: &str) -> Result<Identity, SignError> {
    load_identity_with(p12_path, password, None)
}

/// Loads a PKCS#12 (`.p12`/`.pfx`) as written by us, by `openssl pkcs12
/// -export` (OpenSSL 3 defaults or `-legacy`), Windows, Java or other
/// tools: PBES2/AES, the PKCS#12 SHA-1 PBEs with 3DES or RC2, unencrypted
/// key bags, SHA-1 or SHA-2 MAC or none, the empty password. The key is
/// RSA or P-256; its certificate is the one whose public key matches; the
/// other certificates (in any order) become the chain, issuer first.
///
/// With several keys in the file, `key` chooses one by alias (friendly
/// name) or by the start of its certificate's SHA-256 or SHA-1
/// fingerprint; without `key`, several keys are
/// [`SignError::AmbiguousKey`] listing them. Errors name the file: a wrong
/// password is [`SignError::BadPassword`], an unsupported cipher
/// [`SignError::UnsupportedPbe`], no key [`SignError::NoKey`], an unknown
/// alias [`SignError::KeyNotFound`].
///
/// If `signer-sm2.key.pem` and `signer-sm2.pem` lie beside it, they are
/// loaded too (the key decrypted with the same password, or read as plain
/// PKCS#8 / SEC1 if unencrypted).
pub fn load_identity_with(
    p12_path: &Path,
    password: &str,
    key: Option<&str>,
) -> Result<Identity, SignError> {
    let Opened {
        mut certs,
        candidates,
    } = open_p12(p12_path, password)?;
    let chosen: Vec<usize> = match key {
        None => (0..candidates.len()).collect(),
        Some(wanted) => (0..candidates.len())
            .filter(|&i| selects(&candidates[i], wanted))
            .collect(),
    };
    let labels = |idx: &[usize]| -> Vec<String> {
        idx.iter().map(|&i| candidates[i].entry.label()).collect()
    };
    let pick = match (chosen.as_slice(), key) {
        ([one], _) => *one,
        ([], Some(wanted)) => {
            return Err(SignError::KeyNotFound {
                path: p12_path.to_path_buf(),
                wanted: wanted.to_string(),
                available: labels(&(0..candidates.len()).collect::<Vec<_>>()),
            })
        }
        ([], None) => {
            return Err(SignError::NoKey {
                path: p12_path.to_path_buf(),
            })
        }
        (many, _) => {
            return Err(SignError::AmbiguousKey {
                path: p12_path.to_path_buf(),
                available: labels(many),
            })
        }
    };
    let other_leaves: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != pick)
        .filter_map(|(_, c)| c.cert)
        .collect();
    let Some(c) = candidates.into_iter().nth(pick) else {
        return Err(SignError::NoKey {
            path: p12_path.to_path_buf(),
        });
    };
    let (Some(key), Some(cert_at)) = (c.key, c.cert) else {
        let why = c.entry.problem.clone().map(|t| t.en).unwrap_or_default();
        return Err(SignError::bad_file(
            p12_path,
            format!("key {}: {why}", c.entry.label()),
        ));
    };
    // The chain: every other certificate except other keys' own.
    let mut rest = Vec::new();
    let mut cert = None;
    for (j, crt) in certs.drain(..).enumerate() {
        if j == cert_at {
            cert = Some(crt);
        } else if !other_leaves.contains(&j) {
            rest.push(crt);
        }
    }
    let Some(cert) = cert else {
        return Err(SignError::bad_file(
            p12_path,
            "no certificate matches the private key",
        ));
    };
    let cert_der = cert
        .to_der()
        .map_err(|e| SignError::bad_file(p12_path, e.to_string()))?;
    let chain = order_chain(&cert, rest);

    let dir = p12_path.parent().unwrap_or(Path::new("."));
    let sm2 = load_sm2_beside(dir, password)?;
    Ok(Identity {
        signer: Box::new(key),
        cert,
        cert_der,
        chain,
        sm2,
    })
}

/// Puts the issuer of `leaf` first, its issuer next, and so on; the rest after.
pub(crate) fn order_chain(leaf: &Certificate, mut rest: Vec<Certificate>) -> Vec<Certificate> {
    let mut out = Vec::new();
    let mut issuer = leaf.tbs_certificate.issuer.clone();
    while let Some(i) = rest
        .iter()
        .position(|c| c.tbs_certificate.subject == issuer)
    {
        let c = rest.remove(i);
        let self_signed = c.tbs_certificate.issuer == c.tbs_certificate.subject;
        issuer = c.tbs_certificate.issuer.clone();
        out.push(c);
        if self_signed {
            break;
        }
    }
    out.extend(rest);
    out
}

fn parse_signer_key(pkcs8_der: &[u8], path: &Path) -> Result<SignerKey, SignError> {
    let pki = pkcs8::PrivateKeyInfo::try_from(pkcs8_der)
        .map_err(|e| SignError::bad_file(path, format!("the private key cannot be read: {e}")))?;
    match pki.algorithm.oid {
        RSA_ENCRYPTION => RsaPrivateKey::from_pkcs8_der(pkcs8_der)
            .map(|k| SignerKey::Rsa(Box::new(k)))
            .map_err(|e| SignError::bad_file(path, format!("the RSA key cannot be read: {e}"))),
        EC_PUBLIC_KEY => {
            let curve = pki.algorithm.parameters_oid().ok();
            if curve != Some(SECP256R1) {
                let c = curve
                    .map(|c| oid_name(&c))
                    .unwrap_or_else(|| "an unnamed curve".into());
                return Err(SignError::bad_file(
                    path,
                    format!("EC key on {c}; only P-256 (and RSA) sign PDFs"),
                ));
            }
            p256::SecretKey::from_pkcs8_der(pkcs8_der)
                .map(SignerKey::P256)
                .map_err(|e| {
                    SignError::bad_file(path, format!("the P-256 key cannot be read: {e}"))
                })
        }
        other => Err(SignError::bad_file(
            path,
            format!(
                "private key of type {}; only RSA and P-256 are supported",
                oid_name(&other)
            ),
        )),
    }
}

type Sm2Pair = (sm2::SecretKey, Certificate, Vec<Certificate>);

fn load_sm2_beside(dir: &Path, password: &str) -> Result<Option<Sm2Pair>, SignError> {
    let key_path = dir.join(SM2_KEY_FILE);
    let cert_path = dir.join(SM2_CERT_FILE);
    match (key_path.exists(), cert_path.exists()) {
        (false, false) => return Ok(None),
        (true, false) => {
            return Err(SignError::bad_file(
                &key_path,
                format!("found without {SM2_CERT_FILE} beside it"),
            ))
        }
        (false, true) => {
            return Err(SignError::bad_file(
                &cert_path,
                format!("found without {SM2_KEY_FILE} beside it"),
            ))
        }
        (true, true) => {}
    }
    let key_text = String::from_utf8(read_file(&key_path)?)
        .map_err(|_| SignError::bad_file(&key_path, "not a PEM text file"))?;
    let (label, der_bytes) = der::pem::decode_vec(key_text.trim().as_bytes())
        .map_err(|e| SignError::bad_file(&key_path, format!("not a PEM key: {e}")))?;
    let key = match label {
        "ENCRYPTED PRIVATE KEY" => {
            let epki = pkcs8::EncryptedPrivateKeyInfo::try_from(der_bytes.as_slice())
                .map_err(|e| SignError::bad_file(&key_path, format!("encrypted key: {e}")))?;
            let plain = epki.decrypt(password).map_err(|_| SignError::BadPassword {
                path: key_path.clone(),
            })?;
            sm2::SecretKey::from_pkcs8_der(plain.as_bytes())
        }
        "PRIVATE KEY" => sm2::SecretKey::from_pkcs8_der(&der_bytes),
        "EC PRIVATE KEY" | "SM2 PRIVATE KEY" => {
            sm2::SecretKey::from_sec1_der(&der_bytes).map_err(|_| pkcs8::Error::KeyMalformed)
        }
        other => {
            return Err(SignError::bad_file(
                &key_path,
                format!("unexpected PEM block {other}"),
            ))
        }
    }
    .map_err(|e| SignError::bad_file(&key_path, format!("not an SM2 private key: {e}")))?;

    let (cert, chain) = sm2_cert_chain(&key, &cert_path)?;
    Ok(Some((key, cert, chain)))
}

/// Reads the SM2 certificate of `key` from `cert_path` (PEM, one or more
/// certificates in any order: the key's own and those above it), orders
/// the chain issuer first, and checks every SM2-with-SM3 link in it (user
/// ID 1234567812345678). Errors name the file.
fn sm2_cert_chain(
    key: &sm2::SecretKey,
    cert_path: &Path,
) -> Result<(Certificate, Vec<Certificate>), SignError> {
    let cert_text = String::from_utf8(read_file(cert_path)?)
        .map_err(|_| SignError::bad_file(cert_path, "not a PEM text file"))?;
    let ders = super::pem_to_der_certs(&cert_text)
        .map_err(|e| SignError::bad_file(cert_path, e.to_string()))?;
    let mut certs = Vec::new();
    for (i, d) in ders.iter().enumerate() {
        certs.push(
            Certificate::from_der(d).map_err(|e| {
                SignError::bad_file(cert_path, format!("certificate #{}: {e}", i + 1))
            })?,
        );
    }
    let spki = KeyRef::Sm2(key).spki()?;
    let Some(at) = certs
        .iter()
        .position(|c| c.tbs_certificate.subject_public_key_info == spki)
    else {
        return Err(SignError::bad_file(
            cert_path,
            "no certificate in it matches the SM2 private key",
        ));
    };
    let cert = certs.remove(at);
    let chain = order_chain(&cert, certs);
    super::x509::check_links(&cert, &chain).map_err(|t| SignError::bad_file(cert_path, t.en))?;
    Ok((cert, chain))
}

/// What [`import_identity`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportedIdentity {
    /// "RSA-2048", "ECDSA P-256", "SM2".
    pub key: String,
    /// The certificate's CN and O.
    pub subject_cn: String,
    pub organisation: String,
    /// SHA-256 of the key's certificate, lower-case hex.
    pub fingerprint_sha256: String,
    /// How many certificates above the key's came with it (checked links).
    pub chain_len: usize,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
}

/// SEC 1 `ECPrivateKey` (RFC 5915), read only for its curve.
#[derive(der::Sequence)]
struct EcPrivateKeyCurve<'a> {
    _version: u8,
    _private_key: der::asn1::OctetStringRef<'a>,
    #[asn1(context_specific = "0", optional = "true")]
    parameters: Option<der::asn1::ObjectIdentifier>,
    #[asn1(context_specific = "1", optional = "true")]
    _public_key: Option<der::asn1::BitStringRef<'a>>,
}

/// A private key read from a file to import.
enum ImportKey {
    Signer(SignerKey),
    Sm2(sm2::SecretKey),
}

/// Reads a private key: PEM `PRIVATE KEY` / `ENCRYPTED PRIVATE KEY`
/// (PKCS#8; decrypted with `password`), `RSA PRIVATE KEY` (PKCS#1),
/// `EC PRIVATE KEY` / `SM2 PRIVATE KEY` (SEC 1, P-256 or SM2), or DER PKCS#8.
fn read_import_key(path: &Path, password: &str) -> Result<ImportKey, SignError> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    let bytes = read_file(path)?;
    let (label, der_bytes) = if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| SignError::bad_file(path, "PEM text that is not UTF-8"))?;
        let start = text.find("-----BEGIN ").unwrap_or(0);
        let (label, d) = der::pem::decode_vec(text[start..].trim().as_bytes())
            .map_err(|e| SignError::bad_file(path, format!("not a PEM key: {e}")))?;
        (label.to_string(), d)
    } else {
        ("PRIVATE KEY".to_string(), bytes)
    };
    let pkcs8_der: Vec<u8> = match label.as_str() {
        "PRIVATE KEY" => der_bytes,
        "ENCRYPTED PRIVATE KEY" => {
            let epki = pkcs8::EncryptedPrivateKeyInfo::try_from(der_bytes.as_slice())
                .map_err(|e| SignError::bad_file(path, format!("encrypted key: {e}")))?;
            epki.decrypt(password)
                .map_err(|_| SignError::BadPassword {
                    path: path.to_path_buf(),
                })?
                .as_bytes()
                .to_vec()
        }
        "RSA PRIVATE KEY" => {
            let k = RsaPrivateKey::from_pkcs1_der(&der_bytes).map_err(|e| {
                SignError::bad_file(path, format!("the RSA key cannot be read: {e}"))
            })?;
            return Ok(ImportKey::Signer(SignerKey::Rsa(Box::new(k))));
        }
        // SEC 1; OpenSSL labels an SM2 one "SM2 PRIVATE KEY".
        "EC PRIVATE KEY" | "SM2 PRIVATE KEY" => {
            let ec = EcPrivateKeyCurve::from_der(&der_bytes).map_err(|e| {
                SignError::bad_file(path, format!("the EC key cannot be read: {e}"))
            })?;
            let curve = ec.parameters;
            return match curve {
                Some(c) if c == SECP256R1 => p256::SecretKey::from_sec1_der(&der_bytes)
                    .map(|k| ImportKey::Signer(SignerKey::P256(k)))
                    .map_err(|e| SignError::bad_file(path, format!("P-256 key: {e}"))),
                Some(c) if c == super::asn1::SM2_CURVE => sm2::SecretKey::from_sec1_der(&der_bytes)
                    .map(ImportKey::Sm2)
                    .map_err(|e| SignError::bad_file(path, format!("SM2 key: {e}"))),
                other => Err(SignError::bad_file(
                    path,
                    format!(
                        "EC key on {}; only P-256 and SM2 are supported",
                        other
                            .map(|c| oid_name(&c))
                            .unwrap_or_else(|| "an unnamed curve".into())
                    ),
                )),
            };
        }
        other => {
            return Err(SignError::bad_file(
                path,
                format!("a PEM block {other}, not a private key"),
            ))
        }
    };
    let pki = pkcs8::PrivateKeyInfo::try_from(pkcs8_der.as_slice())
        .map_err(|e| SignError::bad_file(path, format!("the private key cannot be read: {e}")))?;
    let is_sm2 = pki.algorithm.oid == super::asn1::SM2_CURVE
        || (pki.algorithm.oid == EC_PUBLIC_KEY
            && pki.algorithm.parameters_oid().ok() == Some(super::asn1::SM2_CURVE));
    if is_sm2 {
        let key = sm2::SecretKey::from_pkcs8_der(&pkcs8_der)
            .or_else(|_| sm2::SecretKey::from_sec1_der(pki.private_key))
            .map_err(|e| SignError::bad_file(path, format!("SM2 key: {e}")))?;
        return Ok(ImportKey::Sm2(key));
    }
    parse_signer_key(&pkcs8_der, path).map(ImportKey::Signer)
}

/// Reads certificates: PEM (one or more, any order) or one DER.
fn read_cert_chain_file(path: &Path) -> Result<Vec<Certificate>, SignError> {
    let bytes = read_file(path)?;
    let ders = if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| SignError::bad_file(path, "PEM text that is not UTF-8"))?;
        super::pem_to_der_certs(text).map_err(|e| SignError::bad_file(path, e.to_string()))?
    } else {
        vec![bytes]
    };
    ders.iter()
        .enumerate()
        .map(|(i, d)| {
            Certificate::from_der(d)
                .map_err(|e| SignError::bad_file(path, format!("certificate #{}: {e}", i + 1)))
        })
        .collect()
}

/// Imports a key and its certificate chain made elsewhere (an
/// organisation's CA, OpenSSL, a GM/T 0015 SM2 CA) as an identity.
///
/// * `key_path`: PEM or DER — PKCS#8 (plain, or encrypted: decrypted with
///   `password`), PKCS#1 RSA, SEC 1 EC (P-256 or SM2).
/// * `cert_path`: the key's certificate and those above it, PEM (any
///   order) or one DER. The certificate whose public key is the key's is
///   found; every link of the chain is checked (RSA, ECDSA, or
///   SM2-with-SM3 with the default user ID 1234567812345678), and each
///   issuer must be a CA.
/// * `out`: a file ending in `.p12`/`.pfx` (RSA or P-256 keys): that
///   PKCS#12. Otherwise a folder: for RSA/P-256, `signer.p12` and `ca.pem`
///   (the top of the chain, when there is one); for SM2, the pair that
///   [`load_identity`] reads beside a `signer.p12` — `signer-sm2.key.pem`
///   (encrypted with `password`) and `signer-sm2.pem` (certificate and
///   chain). When the folder already holds a `signer.p12`, `password` must
///   open it (the SM2 key is decrypted with the same one).
///
/// Everything is protected with `password` (not empty). Nothing is
/// overwritten; on an error nothing is left behind. Key files are mode 0600.
pub fn import_identity(
    key_path: &Path,
    cert_path: &Path,
    out: &Path,
    password: &str,
) -> Result<ImportedIdentity, SignError> {
    if password.is_empty() {
        return Err(SignError::invalid(
            "密码不能为空",
            "the password must not be empty",
        ));
    }
    let key = read_import_key(key_path, password)?;
    let mut certs = read_cert_chain_file(cert_path)?;
    let spki = match &key {
        ImportKey::Signer(k) => k.as_ref().spki()?,
        ImportKey::Sm2(k) => KeyRef::Sm2(k).spki()?,
    };
    let Some(at) = certs
        .iter()
        .position(|c| c.tbs_certificate.subject_public_key_info == spki)
    else {
        return Err(SignError::bad_file(
            cert_path,
            format!(
                "no certificate in it belongs to the private key in {}",
                key_path.display()
            ),
        ));
    };
    let leaf = certs.remove(at);
    let chain = order_chain(&leaf, certs);
    super::x509::check_links(&leaf, &chain).map_err(|t| SignError::bad_file(cert_path, t.en))?;
    let enc = |e: der::Error| SignError::crypto(format!("encoding: {e}"));
    let leaf_der = leaf.to_der().map_err(enc)?;
    let chain_der: Vec<Vec<u8>> = chain
        .iter()
        .map(|c| c.to_der().map_err(enc))
        .collect::<Result<_, _>>()?;
    let subject = &leaf.tbs_certificate.subject;
    let cn = name_attr(subject, AT_COMMON_NAME);
    let org = name_attr(subject, AT_ORGANISATION);

    let as_p12 = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"));
    let (desc, files): (String, Vec<(PathBuf, Vec<u8>, bool)>) = match key {
        ImportKey::Signer(k) => {
            let friendly = if cn.is_empty() { "signer" } else { cn.as_str() };
            let p12_bytes = p12::write(&k.to_pkcs8()?, &leaf_der, &chain_der, friendly, password)?;
            let mut files = Vec::new();
            if as_p12 {
                files.push((out.to_path_buf(), p12_bytes, true));
            } else {
                files.push((out.join(P12_FILE), p12_bytes, true));
                let top = chain.last().or_else(|| {
                    (leaf.tbs_certificate.issuer == leaf.tbs_certificate.subject).then_some(&leaf)
                });
                if let Some(top) = top {
                    files.push((out.join(CA_FILE), pem(top).into_bytes(), false));
                }
            }
            (describe_key(&k), files)
        }
        ImportKey::Sm2(k) => {
            if as_p12 {
                return Err(SignError::invalid(
                    format!(
                        "SM2 密钥不能放入 {}（PDF 和 CMS 签名只用 RSA 或 P-256）；请给出签名身份所在的文件夹，SM2 密钥对将保存在其中的 signer.p12 旁",
                        out.display()
                    ),
                    format!(
                        "an SM2 key cannot go into {} (PDF and CMS signatures use RSA or P-256); give the identity's folder: the SM2 pair is kept beside its signer.p12",
                        out.display()
                    ),
                ));
            }
            let beside = out.join(P12_FILE);
            if beside.exists() {
                list_keys(&beside, password).map_err(|e| match e {
                    SignError::BadPassword { path } => SignError::invalid(
                        format!("口令打不开同一文件夹中的 {}；SM2 密钥用与它相同的口令保护", path.display()),
                        format!("the password does not open {} in the same folder; the SM2 key is protected with the same password", path.display()),
                    ),
                    other => other,
                })?;
            }
            let mut chain_pem = pem(&leaf);
            for c in &chain {
                chain_pem.push_str(&pem(c));
            }
            (
                "SM2".to_string(),
                vec![
                    (
                        out.join(SM2_KEY_FILE),
                        encrypt_sm2_key(&k, password)?.into_bytes(),
                        true,
                    ),
                    (out.join(SM2_CERT_FILE), chain_pem.into_bytes(), false),
                ],
            )
        }
    };
    for (path, _, _) in &files {
        if path.symlink_metadata().is_ok() {
            return Err(SignError::Exists { path: path.clone() });
        }
    }
    if !as_p12 {
        fs::create_dir_all(out).map_err(|e| SignError::io(out, e))?;
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for (path, bytes, secret) in &files {
        if let Err(e) = write_new(path, bytes, *secret) {
            for w in &written {
                let _ = fs::remove_file(w);
            }
            return Err(e);
        }
        written.push(path.clone());
    }
    Ok(ImportedIdentity {
        key: desc,
        subject_cn: cn,
        organisation: org,
        fingerprint_sha256: hex(&Hash::Sha256.digest(&leaf_der)),
        chain_len: chain.len(),
        files: written,
    })
}
