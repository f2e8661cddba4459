//! Reading a received zip without trusting it: every entry is checked before
//! anything is read, and reading is bounded, so a hostile archive (path
//! traversal, absolute paths, symlinks, duplicate names, encrypted entries,
//! a zip bomb) is refused with the reason and the entry named.
//!
//! Invariant: nothing here writes to disk. Entries are streamed: every entry
//! is hashed (SHA-256 and SM3) as it is read, and only the small files a
//! verifier needs (everything outside `evidence/`, up to 256 MiB each and
//! 384 MiB in all) are kept in memory, so memory stays bounded whatever the
//! archive declares.
//!
//! The rules are shared: [`Limits`] holds one set of bounds per kind of
//! archive ([`Limits::PACKAGE`], [`Limits::OFFICE`] for workbooks), and every
//! zip-based reader of the crate opens its input through [`open_bounded`] or
//! [`check_bytes`].

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
/// All the entries kept in memory together (everything outside `evidence/`)
/// are at most this large; evidence files are only hashed, never kept.
pub const MAX_KEPT_TOTAL: u64 = 384 * 1024 * 1024;

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

/// The bounds a received zip must keep, checked on the central directory
/// before any entry is inflated and again while inflating (a header that lies
/// about its size is caught there). One set per kind of archive; every
/// zip-based reader in the crate goes through [`open_bounded`] or
/// [`check_bytes`] with one of these, never its own copy of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many entries.
    pub max_entries: usize,
    /// No entry may be larger than this, uncompressed.
    pub max_entry: u64,
    /// At most this many bytes in all, uncompressed.
    pub max_total: u64,
    /// An entry may not expand more than this many times its compressed
    /// size, once it is past `ratio_floor` bytes uncompressed.
    pub max_ratio: u64,
    pub ratio_floor: u64,
    /// The whole archive may not expand more than this many times its own
    /// size, once it is past `archive_ratio_floor` bytes uncompressed.
    pub max_archive_ratio: u64,
    pub archive_ratio_floor: u64,
}

impl Limits {
    /// Filing packages (and anything else that carries evidence files).
    pub const PACKAGE: Limits = Limits {
        max_entries: MAX_ENTRIES,
        max_entry: MAX_TOTAL,
        max_total: MAX_TOTAL,
        max_ratio: MAX_RATIO,
        ratio_floor: 64 * 1024,
        max_archive_ratio: MAX_ARCHIVE_RATIO,
        archive_ratio_floor: 64 * 1024 * 1024,
    };
    /// Office documents read back (`.xlsx`, `.ods`, `.xlsb`, `.docx`): a few
    /// XML parts, none of which a real checklist or self-check form makes
    /// larger than a few MiB. The caps keep a parser that holds a part in
    /// memory (calamine keeps every shared string) well inside 512 MiB.
    pub const OFFICE: Limits = Limits {
        max_entries: 10_000,
        max_entry: 64 * 1024 * 1024,
        max_total: 256 * 1024 * 1024,
        max_ratio: 500,
        ratio_floor: 1024 * 1024,
        max_archive_ratio: 200,
        archive_ratio_floor: 64 * 1024 * 1024,
    };
}

/// Opens and fully checks a zip in memory; refuses anything suspicious.
pub fn read(bytes: &[u8]) -> Result<Entries, Refusal> {
    read_from(std::io::Cursor::new(bytes), bytes.len() as u64)
}

fn entry_error(i: usize, e: zip::result::ZipError) -> Refusal {
    refuse(
        None,
        format!("第 {i} 个条目无法读取：{e}"),
        format!("entry {i} cannot be read: {e}"),
    )
}

/// Opens a zip of `len` bytes and checks its central directory against
/// `limits` before anything is inflated: names (see [`check_name`]), no
/// symbolic links, no encrypted entries, no duplicate names, entry count,
/// declared sizes (each and in all) and compression ratios. The archive
/// returned may then be read with [`read_entry`], which holds every entry to
/// its declared size.
pub fn open_bounded<R: Read + std::io::Seek>(
    reader: R,
    len: u64,
    limits: &Limits,
) -> Result<zip::ZipArchive<R>, Refusal> {
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
    if zip.len() > limits.max_entries {
        let n = zip.len();
        let max = limits.max_entries;
        return Err(refuse(
            None,
            format!("条目过多（{n} 个，上限 {max}）"),
            format!("too many entries ({n}, at most {max})"),
        ));
    }
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| entry_error(i, e))?;
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
        let size = f.size();
        if size > limits.max_entry {
            let max = limits.max_entry;
            return Err(refuse(
                Some(&name),
                format!(
                    "条目 `{name}` 解压后为 {size} 字节，超过上限 {max} 字节（疑似 zip 炸弹）"
                ),
                format!(
                    "entry `{name}` would expand to {size} bytes, over the limit of {max} (zip bomb?)"
                ),
            ));
        }
        declared_total = declared_total.saturating_add(size);
        if size > limits.ratio_floor && size / f.compressed_size().max(1) > limits.max_ratio {
            let ratio = size / f.compressed_size().max(1);
            return Err(refuse(
                Some(&name),
                format!("条目 `{name}` 压缩比异常（{ratio}:1，疑似 zip 炸弹）"),
                format!("entry `{name}` has an abnormal compression ratio ({ratio}:1, zip bomb?)"),
            ));
        }
    }
    if declared_total > limits.archive_ratio_floor
        && declared_total / len.max(1) > limits.max_archive_ratio
    {
        return Err(refuse(
            None,
            format!("整个压缩包的压缩比异常（解压后 {declared_total} 字节，疑似 zip 炸弹）"),
            format!(
                "the archive as a whole expands abnormally ({declared_total} bytes; zip bomb?)"
            ),
        ));
    }
    if declared_total > limits.max_total {
        let max = limits.max_total;
        return Err(refuse(
            None,
            format!("解压后总大小过大（{declared_total} 字节，上限 {max}）"),
            format!("uncompressed size too large ({declared_total} bytes, at most {max})"),
        ));
    }
    Ok(zip)
}

/// Inflates one entry of an archive opened by [`open_bounded`], handing
/// each chunk to `sink`; never reads more than the entry declares, and
/// refuses an entry whose data does not have its declared size. Returns the
/// size read.
pub fn read_entry<R: Read>(
    f: &mut R,
    name: &str,
    declared: u64,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u64, Refusal> {
    let mut buf = vec![0u8; (declared.min(1 << 20) as usize).max(1)];
    let mut read = 0u64;
    let mut limited = f.take(declared.saturating_add(1));
    loop {
        let n = limited.read(&mut buf).map_err(|e| {
            refuse(
                Some(name),
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
        sink(&buf[..n]);
    }
    if read != declared {
        return Err(refuse(
            Some(name),
            format!("条目 `{name}` 的实际大小与声明不符"),
            format!("entry `{name}` does not have its declared size"),
        ));
    }
    Ok(read)
}

/// Checks a whole archive held in memory against `limits` before another
/// parser (calamine for workbooks) is given it: [`open_bounded`], then every
/// entry inflated once, without keeping anything, to prove its actual size is
/// its declared size. After this a reader of the same bytes inflates at most
/// `limits.max_total` bytes, whatever it does.
pub fn check_bytes(bytes: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let mut zip = open_bounded(std::io::Cursor::new(bytes), bytes.len() as u64, limits)?;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| entry_error(i, e))?;
        let name = check_name(f.name_raw())?;
        if f.is_dir() {
            continue;
        }
        let declared = f.size();
        read_entry(&mut f, &name, declared, &mut |_| {})?;
    }
    Ok(())
}

/// Opens and fully checks a zip from a reader of `len` bytes, with the
/// filing-package limits ([`Limits::PACKAGE`]).
pub fn read_from<R: Read + std::io::Seek>(reader: R, len: u64) -> Result<Entries, Refusal> {
    use sha2::Digest as _;
    let limits = Limits::PACKAGE;
    let mut zip = open_bounded(reader, len, &limits)?;
    // What will be kept in memory, from the declared sizes, before anything
    // is inflated (the second pass holds every entry to its declared size).
    let mut kept_total = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| entry_error(i, e))?;
        let name = check_name(f.name_raw())?;
        if f.is_dir() || name.starts_with("evidence/") || f.size() > MAX_KEPT {
            continue;
        }
        kept_total = kept_total.saturating_add(f.size());
        if kept_total > MAX_KEPT_TOTAL {
            return Err(refuse(
                Some(&name),
                format!(
                    "证据以外的文件合计超过 {MAX_KEPT_TOTAL} 字节（到条目 `{name}` 为止），不像是报送包"
                ),
                format!(
                    "the files outside evidence/ exceed {MAX_KEPT_TOTAL} bytes together (at entry `{name}`), too much for a filing package"
                ),
            ));
        }
    }
    // Second pass: read, never more than declared (a lying header is caught here).
    let mut out = Entries::default();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| entry_error(i, e))?;
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
        let read = read_entry(&mut f, &name, declared, &mut |chunk| {
            h1.update(chunk);
            h2.update(chunk);
            if keep {
                kept.extend_from_slice(chunk);
            }
        })?;
        total += read;
        if total > limits.max_total {
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
