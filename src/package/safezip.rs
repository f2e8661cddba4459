//! Reading a received zip without trusting it: every entry is checked before
//! anything is read, and reading is bounded, so a hostile archive (path
//! traversal, absolute paths, symlinks, duplicate names, encrypted entries,
//! a zip bomb) is refused with the reason and the entry named.
//!
//! Invariant: nothing here writes to disk. Entries are streamed: every entry
//! is hashed (SHA-256 and SM3) as it is read, and only the small files a
//! verifier needs (everything outside `evidence/`, up to 256 MiB each) are
//! kept in memory, so memory stays bounded whatever the archive declares.

use std::collections::BTreeMap;
use std::io::Read;

/// At most this many entries.
pub const MAX_ENTRIES: usize = 100_000;
/// At most this many bytes in all, uncompressed.
pub const MAX_TOTAL: u64 = 64 * 1024 * 1024 * 1024;
/// An entry may not expand more than this many times its compressed size
/// (once past 64 KiB uncompressed).
pub const MAX_RATIO: u64 = 200;
/// The whole archive may not expand more than this many times its own size
/// (once past 64 MiB uncompressed).
pub const MAX_ARCHIVE_RATIO: u64 = 50;
/// Entries kept in memory are at most this large.
pub const MAX_KEPT: u64 = 256 * 1024 * 1024;

/// Why an archive was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// The entry concerned, if any.
    pub entry: Option<String>,
    pub zh: String,
    pub en: String,
}

fn refuse(entry: Option<&str>, zh: String, en: String) -> Refusal {
    Refusal {
        entry: entry.map(str::to_string),
        zh,
        en,
    }
}

/// Checks a name as stored in the archive: relative, `/`-separated, no `..`,
/// no backslashes, no drive letters, no empty or `.` components, valid UTF-8.
pub fn check_name(raw: &[u8]) -> Result<String, Refusal> {
    let Ok(name) = std::str::from_utf8(raw) else {
        let shown = String::from_utf8_lossy(raw).into_owned();
        return Err(refuse(
            Some(&shown),
            format!("条目名不是 UTF-8：{shown}"),
            format!("entry name is not UTF-8: {shown}"),
        ));
    };
    let bad = |zh: &str, en: &str| {
        Err(refuse(
            Some(name),
            format!("条目 `{name}` {zh}"),
            format!("entry `{name}` {en}"),
        ))
    };
    if name.is_empty() {
        return bad("名称为空", "has an empty name");
    }
    if name.starts_with('/') || name.contains('\\') || name.as_bytes().get(1) == Some(&b':') {
        return bad(
            "使用了绝对路径或非法分隔符",
            "uses an absolute path or a bad separator",
        );
    }
    if name.chars().any(|c| c.is_control()) {
        return bad("名称含控制字符", "has control characters in its name");
    }
    for part in name.split('/') {
        if part == ".." {
            return bad("试图跳出目录（..）", "tries to escape the folder (..)");
        }
        if part.is_empty() || part == "." {
            if name.ends_with('/') && part.is_empty() {
                continue;
            }
            return bad(
                "路径中有空的或“.”组成部分",
                "has an empty or `.` path component",
            );
        }
    }
    Ok(name.to_string())
}

/// Size and hashes of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub size: u64,
    pub sha256: String,
    pub sm3: String,
}

/// A checked archive: every entry's size and hashes, and the bytes of the
/// entries a verifier reads (everything outside `evidence/`).
#[derive(Debug, Default)]
pub struct Entries {
    pub digests: BTreeMap<String, Digest>,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Opens and fully checks a zip in memory; refuses anything suspicious.
pub fn read(bytes: &[u8]) -> Result<Entries, Refusal> {
    read_from(std::io::Cursor::new(bytes), bytes.len() as u64)
}

/// Opens and fully checks a zip from a reader of `len` bytes.
pub fn read_from<R: Read + std::io::Seek>(reader: R, len: u64) -> Result<Entries, Refusal> {
    use sha2::Digest as _;
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| {
        refuse(
            None,
            format!("不是有效的 zip 文件：{e}"),
            format!("not a valid zip file: {e}"),
        )
    })?;
    if zip.has_duplicate_names() {
        return Err(refuse(
            None,
            "zip 中有重名条目".into(),
            "the zip has duplicate entry names".into(),
        ));
    }
    if zip.len() > MAX_ENTRIES {
        let n = zip.len();
        return Err(refuse(
            None,
            format!("条目过多（{n}）"),
            format!("too many entries ({n})"),
        ));
    }
    // First pass: metadata only.
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| {
            refuse(
                None,
                format!("第 {i} 个条目无法读取：{e}"),
                format!("entry {i} cannot be read: {e}"),
            )
        })?;
        let name = check_name(f.name_raw())?;
        if f.is_symlink() {
            return Err(refuse(
                Some(&name),
                format!("条目 `{name}` 是符号链接"),
                format!("entry `{name}` is a symbolic link"),
            ));
        }
        if f.encrypted() {
            return Err(refuse(
                Some(&name),
                format!("条目 `{name}` 已加密"),
                format!("entry `{name}` is encrypted"),
            ));
        }
        if f.is_dir() && f.size() > 0 {
            return Err(refuse(
                Some(&name),
                format!("目录条目 `{name}` 带有数据"),
                format!("directory entry `{name}` carries data"),
            ));
        }
        declared_total = declared_total.saturating_add(f.size());
        if f.size() > 64 * 1024 && f.size() / f.compressed_size().max(1) > MAX_RATIO {
            return Err(refuse(
                Some(&name),
                format!("条目 `{name}` 压缩比异常（疑似 zip 炸弹）"),
                format!("entry `{name}` has an abnormal compression ratio (zip bomb?)"),
            ));
        }
    }
    if declared_total > 64 * 1024 * 1024 && declared_total / len.max(1) > MAX_ARCHIVE_RATIO {
        return Err(refuse(
            None,
            format!("整个压缩包的压缩比异常（解压后 {declared_total} 字节，疑似 zip 炸弹）"),
            format!(
                "the archive as a whole expands abnormally ({declared_total} bytes; zip bomb?)"
            ),
        ));
    }
    if declared_total > MAX_TOTAL {
        return Err(refuse(
            None,
            format!("解压后总大小过大（{declared_total} 字节）"),
            format!("uncompressed size too large ({declared_total} bytes)"),
        ));
    }
    // Second pass: read, never more than declared (a lying header is caught here).
    let mut out = Entries::default();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| {
            refuse(
                None,
                format!("第 {i} 个条目无法读取：{e}"),
                format!("entry {i} cannot be read: {e}"),
            )
        })?;
        let name = check_name(f.name_raw())?;
        if f.is_dir() {
            continue;
        }
        let declared = f.size();
        let keep = !name.starts_with("evidence/") && declared <= MAX_KEPT;
        let mut kept = Vec::with_capacity(if keep {
            declared.min(16 * 1024 * 1024) as usize
        } else {
            0
        });
        let (mut h1, mut h2) = (sha2::Sha256::new(), sm3::Sm3::new());
        let mut buf = vec![0u8; 1 << 20];
        let mut read = 0u64;
        let mut limited = (&mut f).take(declared.saturating_add(1));
        loop {
            let n = limited.read(&mut buf).map_err(|e| {
                refuse(
                    Some(&name),
                    format!("条目 `{name}` 无法解压：{e}"),
                    format!("entry `{name}` cannot be decompressed: {e}"),
                )
            })?;
            if n == 0 {
                break;
            }
            read += n as u64;
            if read > declared {
                break;
            }
            h1.update(&buf[..n]);
            h2.update(&buf[..n]);
            if keep {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        if read != declared {
            return Err(refuse(
                Some(&name),
                format!("条目 `{name}` 的实际大小与声明不符"),
                format!("entry `{name}` does not have its declared size"),
            ));
        }
        total += read;
        if total > MAX_TOTAL {
            return Err(refuse(
                None,
                "解压后总大小过大".into(),
                "uncompressed size too large".into(),
            ));
        }
        out.digests.insert(
            name.clone(),
            Digest {
                size: read,
                sha256: crate::journal::hex(&h1.finalize()),
                sm3: crate::journal::hex(&h2.finalize()),
            },
        );
        if keep {
            out.files.insert(name, kept);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names() {
        for ok in [
            "report.pdf",
            "certs/ca.pem",
            "evidence/ab/abc",
            "目录/文件.txt",
            "dir/",
        ] {
            assert!(check_name(ok.as_bytes()).is_ok(), "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "C:/x",
            "a//b",
            "./a",
            "",
            "a\nb",
        ] {
            assert!(check_name(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(check_name(b"\xff\xfe").is_err());
    }
}
