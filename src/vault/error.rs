//! The vault's error type. Every variant names the path it is about, so a
//! message shown to an assessor always says which file failed.

use std::io;
use std::path::{Path, PathBuf};

/// Why a vault operation failed. `Display` gives a one-line message that
/// starts with the path concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The operation was cancelled through its cancel flag. Nothing was
    /// stored; any temporary file was removed.
    #[error("{}: cancelled", path.display())]
    Cancelled { path: PathBuf },

    /// The source file changed (size, modification or change time, or the
    /// number of bytes read) while it was being read. Nothing was stored.
    #[error("{}: the file changed while it was being read; nothing was stored, try again", path.display())]
    FileChanged { path: PathBuf },

    /// The source file does not exist (or a symlink points nowhere).
    #[error("{}: no such file", path.display())]
    NotFound { path: PathBuf },

    /// The source exists but is not a regular file (a directory, FIFO,
    /// socket or device). Symlinks to regular files are followed.
    #[error("{}: not a regular file", path.display())]
    NotAFile { path: PathBuf },

    /// A path the vault needs as a real directory is something else
    /// (a file, or a symlink the vault refuses to write through).
    #[error("{}: not a directory inside the vault (symlinks are not followed here)", path.display())]
    NotADirectory { path: PathBuf },

    /// A string given as a SHA-256 digest is not 64 hexadecimal digits.
    /// `path` is the vault root the digest was to be looked up in.
    #[error("{}: {digest:?} is not a SHA-256 digest (64 hex digits)", path.display())]
    InvalidDigest { path: PathBuf, digest: String },

    /// A different file already sits at the content-addressed path (its size
    /// is not the size of the content being stored). The vault never
    /// overwrites a stored file; `verify` will report it as modified.
    #[error("{}: a stored file with this SHA-256 already exists but its size differs ({found} bytes, expected {expected}); it was left untouched", path.display())]
    StoredMismatch {
        path: PathBuf,
        expected: u64,
        found: u64,
    },

    /// An I/O error on `path` (which may be the source, a temporary file or
    /// a vault directory).
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl VaultError {
    /// The path this error is about.
    pub fn path(&self) -> &Path {
        match self {
            VaultError::Cancelled { path }
            | VaultError::FileChanged { path }
            | VaultError::NotFound { path }
            | VaultError::NotAFile { path }
            | VaultError::NotADirectory { path }
            | VaultError::InvalidDigest { path, .. }
            | VaultError::StoredMismatch { path, .. }
            | VaultError::Io { path, .. } => path,
        }
    }

    /// True for [`VaultError::Cancelled`].
    pub fn is_cancelled(&self) -> bool {
        matches!(self, VaultError::Cancelled { .. })
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> VaultError {
        VaultError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Maps an error from opening or stat-ing a *source* file: "not found"
    /// gets its own variant, anything else stays an I/O error.
    pub(crate) fn source_io(path: &Path, source: io::Error) -> VaultError {
        if source.kind() == io::ErrorKind::NotFound {
            VaultError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            VaultError::io(path, source)
        }
    }
}

impl VaultError {
    /// The message in Chinese (the product is Chinese first); starts with the path too.
    pub fn zh(&self) -> String {
        match self {
            VaultError::Cancelled { path } => format!("{}：已取消", path.display()),
            VaultError::FileChanged { path } => format!("{}：读取过程中文件发生了变化，未存入任何内容，请重试", path.display()),
            VaultError::NotFound { path } => format!("{}：文件不存在", path.display()),
            VaultError::NotAFile { path } => format!("{}：不是普通文件", path.display()),
            VaultError::NotADirectory { path } => format!("{}：不是证据库内的目录（此处不跟随符号链接）", path.display()),
            VaultError::InvalidDigest { path, digest } => format!("{}：{digest:?} 不是 SHA-256 摘要（应为 64 位十六进制）", path.display()),
            VaultError::StoredMismatch { path, expected, found } => format!(
                "{}：已存在同一 SHA-256 的文件但大小不同（{found} 字节，应为 {expected}），未做改动",
                path.display()
            ),
            VaultError::Io { path, source } => format!("{}：{source}", path.display()),
        }
    }
}
