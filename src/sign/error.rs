//! The signing module's error type. Every variant that concerns a file names
//! it; `Display` is English, [`SignError::zh`] gives the Chinese message.

use std::io;
use std::path::{Path, PathBuf};

/// Why a signing, loading or verifying operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The password does not open the file (PKCS#12 MAC mismatch, or an
    /// encrypted key that does not decrypt).
    #[error("{}: wrong password (or the file is damaged)", path.display())]
    BadPassword { path: PathBuf },

    /// The PKCS#12 file is encrypted with a scheme this module does not
    /// implement (e.g. RC4), named in `what` with what is supported.
    #[error("{}: encrypted with an unsupported scheme: {what}", path.display())]
    UnsupportedPbe { path: PathBuf, what: String },

    /// The PKCS#12 file holds no private key (only certificates).
    #[error("{}: holds no private key (only certificates); export it again with the key", path.display())]
    NoKey { path: PathBuf },

    /// No key in the PKCS#12 file has the alias or certificate fingerprint
    /// asked for; `available` lists what it holds.
    #[error("{}: no key named or with the certificate fingerprint {wanted:?}; the file holds: {}", path.display(), available.join("; "))]
    KeyNotFound {
        path: PathBuf,
        wanted: String,
        available: Vec<String>,
    },

    /// The PKCS#12 file holds several keys (or several match) and none was
    /// chosen; `available` lists them (alias, subject, fingerprint).
    #[error("{}: holds {} keys; choose one by its alias or certificate fingerprint: {}", path.display(), available.len(), available.join("; "))]
    AmbiguousKey {
        path: PathBuf,
        available: Vec<String>,
    },

    /// Reading or writing `path` failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    /// `path` already exists; nothing is ever overwritten.
    #[error("{}: already exists; it was left untouched", path.display())]
    Exists { path: PathBuf },

    /// The file at `path` is not what it should be (not a PKCS#12, no key,
    /// no certificate matching the key, a damaged PEM…).
    #[error("{}: {what}", path.display())]
    BadFile { path: PathBuf, what: String },

    /// The file at `path` is larger than its cap (`what_en` says what it
    /// should be: a PKCS#12, a trust-anchor file, a PDF…); nothing was read.
    #[error("{}: too large for {what_en} ({size} bytes; the limit is {max} bytes)", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        max: u64,
        what_zh: &'static str,
        what_en: &'static str,
    },

    /// In-memory input passed a bound (size, objects, inflated size) or
    /// broke its parser; `zh`/`en` say which.
    #[error("{en}")]
    Refused { zh: String, en: String },

    /// In-memory input (a PDF, a CMS signature, PEM text, a certificate) is
    /// malformed.
    #[error("malformed input: {what}")]
    Malformed { what: String },

    /// The input uses something this module does not handle (an encrypted
    /// PDF, a legacy PKCS#12 cipher, an unknown key type…).
    #[error("unsupported: {what}")]
    Unsupported { what: String },

    /// A cryptographic primitive failed (key generation, signing).
    #[error("cryptographic operation failed: {what}")]
    Crypto { what: String },

    /// A request the caller made is invalid (empty name, page out of range,
    /// a signing time that is not RFC 3339…).
    #[error("invalid request: {en}")]
    Invalid { zh: String, en: String },

    /// The PKCS#11 module at `path` cannot be loaded or initialised.
    #[error("{}: cannot load the PKCS#11 module: {what}", path.display())]
    Pkcs11Module { path: PathBuf, what: String },

    /// No token with the label `token` is present in the module at `module`;
    /// `available` lists the tokens that are.
    #[error("no token labelled {token:?} in the PKCS#11 module {}; {}", module.display(), if available.is_empty() { "no token is present (is the key plugged in?)".to_string() } else { format!("present: {}", available.join("; ")) })]
    TokenNotFound {
        module: PathBuf,
        token: String,
        available: Vec<String>,
    },

    /// The token `token` refused the PIN (`locked`: it no longer accepts any).
    #[error("token {token:?}: {}", if *locked { "the PIN is locked (too many wrong tries); unlock it with the token's own tool" } else { "wrong PIN" })]
    TokenPin { token: String, locked: bool },

    /// No private key on the token has the label (or CKA_ID) asked for, or
    /// several do; `available` lists the private keys the token shows.
    #[error("token {token:?}: {} {key:?}; the token holds: {}", if *ambiguous { "several private keys are labelled" } else { "no private key labelled (or with the CKA_ID)" }, if available.is_empty() { "no private key".to_string() } else { available.join("; ") })]
    TokenKey {
        token: String,
        key: String,
        ambiguous: bool,
        available: Vec<String>,
    },

    /// Anything else the token or its key refused or cannot do (no
    /// certificate, an unsupported key type, a failed operation).
    #[error("token {token:?}: {en}")]
    Token {
        token: String,
        zh: String,
        en: String,
    },

    /// An SM2 operation was asked of an identity that has no SM2 key.
    #[error("this identity has no SM2 key (signer-sm2.key.pem / signer-sm2.pem beside the .p12)")]
    NoSm2,
}

impl SignError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            SignError::BadPassword { path } => {
                format!("{}：密码错误（或文件已损坏）", path.display())
            }
            SignError::UnsupportedPbe { path, what } => {
                format!("{}：加密方式不受支持：{what}", path.display())
            }
            SignError::NoKey { path } => format!(
                "{}：文件中没有私钥（只有证书）；请连同私钥重新导出",
                path.display()
            ),
            SignError::KeyNotFound {
                path,
                wanted,
                available,
            } => format!(
                "{}：没有别名或证书指纹为 {wanted:?} 的密钥；文件中有：{}",
                path.display(),
                available.join("；")
            ),
            SignError::AmbiguousKey { path, available } => format!(
                "{}：文件中有 {} 个密钥，请按别名或证书指纹选择其一：{}",
                path.display(),
                available.len(),
                available.join("；")
            ),
            SignError::Io { path, source } => format!("{}：读写失败：{source}", path.display()),
            SignError::Exists { path } => format!(
                "{} 已存在，未做任何改动（不会覆盖已有文件）",
                path.display()
            ),
            SignError::BadFile { path, what } => {
                format!("{}：文件内容无效：{what}", path.display())
            }
            SignError::TooLarge {
                path,
                size,
                max,
                what_zh,
                ..
            } => format!(
                "{}：作为{what_zh}过大（{size} 字节，上限 {max} 字节），未读取",
                path.display()
            ),
            SignError::Refused { zh, .. } => zh.clone(),
            SignError::Malformed { what } => format!("输入格式错误：{what}"),
            SignError::Unsupported { what } => format!("不支持：{what}"),
            SignError::Crypto { what } => format!("密码运算失败：{what}"),
            SignError::Invalid { zh, .. } => format!("请求无效：{zh}"),
            SignError::Pkcs11Module { path, what } => {
                format!("{}：无法加载 PKCS#11 模块：{what}", path.display())
            }
            SignError::TokenNotFound {
                module,
                token,
                available,
            } => {
                if available.is_empty() {
                    format!(
                        "PKCS#11 模块 {} 中没有标签为 {token:?} 的令牌；当前没有任何令牌（USB Key 是否已插入？）",
                        module.display()
                    )
                } else {
                    format!(
                        "PKCS#11 模块 {} 中没有标签为 {token:?} 的令牌；现有令牌：{}",
                        module.display(),
                        available.join("；")
                    )
                }
            }
            SignError::TokenPin { token, locked } => {
                if *locked {
                    format!("令牌 {token:?}：PIN 已被锁定（错误次数过多），请用令牌自带的工具解锁")
                } else {
                    format!("令牌 {token:?}：PIN 错误")
                }
            }
            SignError::TokenKey {
                token,
                key,
                ambiguous,
                available,
            } => {
                let what = if *ambiguous {
                    "有多个私钥的标签为"
                } else {
                    "没有标签（或 CKA_ID）为以下值的私钥："
                };
                let held = if available.is_empty() {
                    "没有私钥".to_string()
                } else {
                    available.join("；")
                };
                format!("令牌 {token:?}：{what} {key:?}；令牌中有：{held}")
            }
            SignError::Token { token, zh, .. } => format!("令牌 {token:?}：{zh}"),
            SignError::NoSm2 => {
                "该签名身份没有 SM2 密钥（.p12 同目录下缺少 signer-sm2.key.pem / signer-sm2.pem）"
                    .to_string()
            }
        }
    }

    /// The file this error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            SignError::BadPassword { path }
            | SignError::UnsupportedPbe { path, .. }
            | SignError::NoKey { path }
            | SignError::KeyNotFound { path, .. }
            | SignError::AmbiguousKey { path, .. }
            | SignError::Io { path, .. }
            | SignError::Exists { path }
            | SignError::TooLarge { path, .. }
            | SignError::BadFile { path, .. }
            | SignError::Pkcs11Module { path, .. } => Some(path),
            SignError::TokenNotFound { module, .. } => Some(module),
            _ => None,
        }
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        SignError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn bad_file(path: &Path, what: impl Into<String>) -> Self {
        SignError::BadFile {
            path: path.to_path_buf(),
            what: what.into(),
        }
    }

    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        SignError::Malformed { what: what.into() }
    }

    pub(crate) fn refused(zh: impl Into<String>, en: impl Into<String>) -> Self {
        SignError::Refused {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        SignError::Unsupported { what: what.into() }
    }

    pub(crate) fn crypto(what: impl Into<String>) -> Self {
        SignError::Crypto { what: what.into() }
    }

    pub(crate) fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Self {
        SignError::Invalid {
            zh: zh.into(),
            en: en.into(),
        }
    }
}
