//! Evidence vault, through its public API: digests against the real tools
//! (`sha256sum`, `openssl dgst -sm3`), dedupe, cancel, files that change
//! while read, hostile inputs, verify, parallel ingest, digest validation.
//! Files are kept small: sha2/sm3 are slow in debug builds.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use iovaudit::vault::{
    hash_file, hash_file_with, hash_reader, ingest_many, Expected, HashSel, IngestProgress, Stored,
    Vault, VaultError, VerifyLevel, CHUNK_SIZE,
};

/// A fresh empty directory for one test, under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("vault-tests")
        .join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Deterministic pseudo-random bytes (xorshift), no dependency needed.
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn write(path: &Path, data: &[u8]) -> PathBuf {
    fs::write(path, data).unwrap();
    path.to_path_buf()
}

fn no_progress(_: u64) {}

fn go() -> AtomicBool {
    AtomicBool::new(false)
}

/// First whitespace-separated token of a tool's output, if the tool ran.
fn tool_digest(program: &str, args: &[&str], file: &Path) -> Option<String> {
    let out = Command::new(program).args(args).arg(file).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

/// Files in the vault other than `tmp/` (relative keys, sorted).
fn stored_keys(root: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    for shard in fs::read_dir(root).unwrap() {
        let shard = shard.unwrap();
        if shard.file_name() == "tmp" {
            continue;
        }
        for f in fs::read_dir(shard.path()).unwrap() {
            let f = f.unwrap();
            keys.push(format!(
                "{}/{}",
                shard.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            ));
        }
    }
    keys.sort();
    keys
}

fn temp_count(root: &Path) -> usize {
    fs::read_dir(root.join("tmp")).unwrap().count()
}

fn make_writable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn known_vectors() {
    let d = hash_reader(&b"abc"[..], &no_progress, &go()).unwrap();
    assert_eq!(
        d.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        d.sm3,
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    assert_eq!(d.size, 3);
}

#[test]
fn digests_match_sha256sum_and_openssl_and_copy_is_exact() {
    let dir = scratch("tools");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("one-byte", vec![0x5a]),
        ("one-buffer", random_bytes(CHUNK_SIZE, 1)),
        ("buffer-plus-one", random_bytes(CHUNK_SIZE + 1, 2)),
        ("three-mib", random_bytes(3 * CHUNK_SIZE + 12345, 3)),
    ];
    let have_sha256sum = tool_digest("sha256sum", &[], &write(&dir.join("probe"), b"")).is_some();
    let have_openssl =
        tool_digest("openssl", &["dgst", "-sm3", "-r"], &dir.join("probe")).is_some();
    if !have_sha256sum || !have_openssl {
        println!(
            "note: sha256sum or `openssl dgst -sm3` unavailable; comparing with the library only"
        );
    }
    for (name, data) in &cases {
        let src = write(&dir.join(name), data);
        let d = hash_file(&src, &no_progress, &go()).unwrap();
        assert_eq!(d.size, data.len() as u64, "{name}");
        if have_sha256sum {
            assert_eq!(
                Some(d.sha256.clone()),
                tool_digest("sha256sum", &[], &src),
                "{name}"
            );
        }
        if have_openssl {
            assert_eq!(
                Some(d.sm3.clone()),
                tool_digest("openssl", &["dgst", "-sm3", "-r"], &src),
                "{name}"
            );
        }
        // Same answer from a reader, and from the single-hash variants.
        assert_eq!(hash_reader(&data[..], &no_progress, &go()).unwrap(), d);
        let only_sha = hash_file_with(&src, HashSel::Sha256, &no_progress, &go()).unwrap();
        assert_eq!(
            (only_sha.sha256.as_deref(), only_sha.sm3),
            (Some(&*d.sha256), None)
        );
        let only_sm3 = hash_file_with(&src, HashSel::Sm3, &no_progress, &go()).unwrap();
        assert_eq!(
            (only_sm3.sha256, only_sm3.sm3.as_deref()),
            (None, Some(&*d.sm3))
        );

        // Ingest: same digests, exact copy at root/<aa>/<sha256>, progress
        // ends at the size.
        let last = AtomicUsize::new(0);
        let stored = vault
            .ingest(&src, &|n| last.store(n as usize, Ordering::Relaxed), &go())
            .unwrap();
        assert_eq!(
            (&stored.sha256, &stored.sm3, stored.size),
            (&d.sha256, &d.sm3, d.size)
        );
        assert!(!stored.deduplicated);
        assert_eq!(stored.vault_key, format!("{}/{}", &d.sha256[..2], d.sha256));
        let path = vault.path_of(&d.sha256).unwrap();
        assert_eq!(path, vault.root().join(&stored.vault_key));
        assert_eq!(&fs::read(&path).unwrap(), data, "{name}");
        assert!(fs::metadata(&path).unwrap().permissions().readonly());
        if !data.is_empty() {
            assert_eq!(last.load(Ordering::Relaxed), data.len());
        }
    }
    assert_eq!(temp_count(vault.root()), 0);
}

#[test]
fn identical_content_is_stored_once() {
    let dir = scratch("dedupe");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    let data = random_bytes(5000, 7);
    let a = write(&dir.join("a.log"), &data);
    let b = write(&dir.join("copy of a.log"), &data);
    let first = vault.ingest(&a, &no_progress, &go()).unwrap();
    let second = vault.ingest(&b, &no_progress, &go()).unwrap();
    assert!(!first.deduplicated);
    assert!(second.deduplicated);
    assert_eq!(first.vault_key, second.vault_key);
    assert_eq!(stored_keys(vault.root()), vec![first.vault_key.clone()]);
    assert_eq!(temp_count(vault.root()), 0);

    // A different file squatting on the final path is never overwritten.
    let other = write(&dir.join("other"), b"other content");
    let d = hash_file(&other, &no_progress, &go()).unwrap();
    let squat = vault.path_of(&d.sha256).unwrap();
    fs::create_dir_all(squat.parent().unwrap()).unwrap();
    fs::write(&squat, b"not it").unwrap();
    let err = vault.ingest(&other, &no_progress, &go()).unwrap_err();
    assert!(matches!(err, VaultError::StoredMismatch { .. }), "{err}");
    assert_eq!(fs::read(&squat).unwrap(), b"not it");
    assert_eq!(temp_count(vault.root()), 0);
}

#[test]
fn cancel_stores_nothing_and_leaves_no_temp_file() {
    let dir = scratch("cancel");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    let small = write(&dir.join("small"), b"small evidence");
    let big = write(&dir.join("big"), &random_bytes(3 * CHUNK_SIZE, 9));

    let already = AtomicBool::new(true);
    let err = vault.ingest(&small, &no_progress, &already).unwrap_err();
    assert!(err.is_cancelled(), "{err}");

    for src in [&small, &big] {
        let cancel = go();
        let err = vault
            .ingest(src, &|_| cancel.store(true, Ordering::Relaxed), &cancel)
            .unwrap_err();
        assert!(matches!(err, VaultError::Cancelled { ref path } if path == src));
        assert_eq!(temp_count(vault.root()), 0);
        assert!(stored_keys(vault.root()).is_empty());
    }
    let cancel = go();
    let err = hash_file(&big, &|_| cancel.store(true, Ordering::Relaxed), &cancel).unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn file_that_changes_while_read_is_refused() {
    let dir = scratch("changed");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    for (name, len) in [("small", 1000), ("big", 2 * CHUNK_SIZE + 10)] {
        let src = write(&dir.join(name), &random_bytes(len, 11));
        let appended = AtomicBool::new(false);
        let append = |_| {
            if !appended.swap(true, Ordering::Relaxed) {
                let mut f = fs::OpenOptions::new().append(true).open(&src).unwrap();
                f.write_all(b"appended while reading").unwrap();
            }
        };
        let err = vault.ingest(&src, &append, &go()).unwrap_err();
        assert!(
            matches!(err, VaultError::FileChanged { ref path } if *path == src),
            "{err}"
        );
        assert!(err.to_string().contains(name));
        assert_eq!(temp_count(vault.root()), 0);
        assert!(stored_keys(vault.root()).is_empty());
        // Now stable: it goes in.
        vault.ingest(&src, &no_progress, &go()).unwrap();
        fs::remove_dir_all(vault.root()).unwrap();
        let _ = Vault::open(vault.root()).unwrap();
    }
}

#[test]
fn bad_inputs_are_errors_naming_the_path() {
    let dir = scratch("bad");
    let vault = Vault::open(&dir.join("vault")).unwrap();

    let missing = dir.join("no such file.pdf");
    let err = vault.ingest(&missing, &no_progress, &go()).unwrap_err();
    assert!(matches!(err, VaultError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("no such file.pdf"));
    assert_eq!(err.path(), missing);

    let a_dir = dir.join("a directory");
    fs::create_dir(&a_dir).unwrap();
    let err = vault.ingest(&a_dir, &no_progress, &go()).unwrap_err();
    assert!(matches!(err, VaultError::NotAFile { .. }), "{err}");
    assert!(hash_file(&a_dir, &no_progress, &go()).is_err());

    // A 250-byte name (UTF-8: 3 bytes per 车).
    let long_name = format!("{}{}", "车".repeat(80), "x".repeat(10));
    assert_eq!(long_name.len(), 250);
    let long = write(&dir.join(&long_name), b"long name");
    let s = vault.ingest(&long, &no_progress, &go()).unwrap();
    assert!(s
        .vault_key
        .bytes()
        .all(|b| b == b'/' || b.is_ascii_hexdigit()));

    #[cfg(unix)]
    {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;

        let odd = dir.join(OsStr::from_bytes(b"ev\xff\xfeidence\x01.bin"));
        write(&odd, b"non-utf8 name");
        let s = vault.ingest(&odd, &no_progress, &go()).unwrap();
        assert_eq!(
            fs::read(vault.root().join(&s.vault_key)).unwrap(),
            b"non-utf8 name"
        );
        let err = vault
            .ingest(&odd.with_extension("gone"), &no_progress, &go())
            .unwrap_err();
        assert!(matches!(err, VaultError::NotFound { .. }));
        let _ = err.to_string(); // lossy display, no panic

        // Symlinks are followed for regular files; dangling ones are "not found".
        let target = write(&dir.join("target.txt"), b"via symlink");
        let link = dir.join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let via_link = vault.ingest(&link, &no_progress, &go()).unwrap();
        assert_eq!(
            via_link.sha256,
            hash_file(&target, &no_progress, &go()).unwrap().sha256
        );
        let dangling = dir.join("dangling");
        std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
        let err = vault.ingest(&dangling, &no_progress, &go()).unwrap_err();
        assert!(matches!(err, VaultError::NotFound { .. }), "{err}");

        // A FIFO must be refused, not block.
        let fifo = dir.join("fifo");
        if Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let err = vault.ingest(&fifo, &no_progress, &go()).unwrap_err();
            assert!(matches!(err, VaultError::NotAFile { .. }), "{err}");
        }

        // Unreadable file. root ignores mode bits, so check whether the
        // chmod actually denies us before relying on it.
        let locked = write(&dir.join("locked"), b"secret");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::File::open(&locked).is_ok() {
            println!("note: running with privileges that ignore chmod 000; unreadable-file check skipped");
        } else {
            let err = vault.ingest(&locked, &no_progress, &go()).unwrap_err();
            assert!(matches!(err, VaultError::Io { .. }), "{err}");
            assert!(err.to_string().contains("locked"));
        }
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    }
    // A regular file whose read fails even for root: /proc/self/mem at
    // offset 0 gives EIO.
    #[cfg(target_os = "linux")]
    {
        let mem = Path::new("/proc/self/mem");
        if mem.exists() {
            let err = vault.ingest(mem, &no_progress, &go()).unwrap_err();
            assert!(matches!(err, VaultError::Io { .. }), "{err}");
            assert!(err.to_string().contains("/proc/self/mem"));
        }
    }
    assert_eq!(temp_count(vault.root()), 0);
}

#[test]
fn verify_reports_missing_modified_and_unexpected_by_name() {
    let dir = scratch("verify");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    let mut stored: Vec<Stored> = Vec::new();
    for i in 0..6u64 {
        let src = write(
            &dir.join(format!("e{i}")),
            &random_bytes(100 + 700 * i as usize, 20 + i),
        );
        stored.push(vault.ingest(&src, &no_progress, &go()).unwrap());
    }
    let expected: Vec<Expected> = stored.iter().map(Expected::from).collect();
    let calls = AtomicUsize::new(0);
    let report = vault
        .verify(&expected, &|n| calls.store(n, Ordering::Relaxed), &go())
        .unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.ok, 6);
    assert_eq!(calls.load(Ordering::Relaxed), 6);

    // Flip one byte of #1, truncate #2, delete #3, add strays.
    let p1 = vault.path_of(&stored[1].sha256).unwrap();
    make_writable(&p1);
    let mut bytes = fs::read(&p1).unwrap();
    bytes[17] ^= 0x01;
    fs::write(&p1, &bytes).unwrap();
    let p2 = vault.path_of(&stored[2].sha256).unwrap();
    make_writable(&p2);
    let half = (stored[2].size / 2) as usize;
    fs::write(&p2, random_bytes(half, 1)).unwrap();
    fs::remove_file(vault.path_of(&stored[3].sha256).unwrap()).unwrap();
    let shard = Path::new(&stored[0].vault_key)
        .parent()
        .unwrap()
        .to_path_buf();
    fs::write(vault.root().join(&shard).join("stray.txt"), b"x").unwrap();
    fs::write(vault.root().join("README"), b"x").unwrap();
    fs::write(vault.root().join("tmp").join("leftover.part"), b"x").unwrap();

    let mut with_bad = expected.clone();
    with_bad.push(Expected {
        sha256: "../../etc/passwd".into(),
        sm3: String::new(),
        size: 0,
    });
    let report = vault
        .verify_with(&with_bad, VerifyLevel::Full, &|_| {}, &go())
        .unwrap();
    assert_eq!(report.ok, 3);
    assert_eq!(report.missing, vec![stored[3].sha256.clone()]);
    let modified: Vec<&str> = report.modified.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        modified,
        vec![&*stored[1].sha256, &*stored[2].sha256, "../../etc/passwd"]
    );
    assert!(
        report.modified[0].1.ends_with("SHA-256 and SM3 differ"),
        "{report:?}"
    );
    assert!(report.modified[1].1.contains("size differs"), "{report:?}");
    assert_eq!(
        report.unexpected,
        vec![PathBuf::from("README"), shard.join("stray.txt")]
    );

    // The default (size + SHA-256) and size-only levels.
    let default = vault.verify(&expected, &|_| {}, &go()).unwrap();
    assert_eq!(
        default.modified[0],
        (
            stored[1].sha256.clone(),
            "SHA-256 不符 / SHA-256 differs".to_owned()
        )
    );
    assert_eq!(default.modified.len(), 2);
    assert_eq!(default.missing.len(), 1);
    let size_only = vault
        .verify_with(&expected, VerifyLevel::Size, &|_| {}, &go())
        .unwrap();
    assert_eq!(size_only.modified.len(), 1, "a flipped byte keeps the size");

    // Cancelled verify is an error, not a partial report.
    let cancel = AtomicBool::new(true);
    assert!(vault
        .verify(&expected, &|_| {}, &cancel)
        .unwrap_err()
        .is_cancelled());

    // Crash recovery clears tmp/ only.
    assert_eq!(vault.remove_temp_files().unwrap(), 1);
    assert_eq!(temp_count(vault.root()), 0);
    assert!(vault.path_of(&stored[0].sha256).unwrap().exists());
}

#[test]
fn ingest_many_keeps_input_order() {
    let dir = scratch("many");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    let mut files = Vec::new();
    for i in 0..12u64 {
        let len = if i == 5 {
            CHUNK_SIZE + 3
        } else {
            10 + 997 * i as usize
        };
        files.push(write(
            &dir.join(format!("f{i:02}")),
            &random_bytes(len, 40 + i),
        ));
    }
    files.insert(3, dir.join("missing"));
    files.insert(7, dir.clone());
    files.push(files[0].clone()); // same content twice
    let events = Mutex::new(Vec::<IngestProgress>::new());
    let results = ingest_many(
        &vault,
        &files,
        2,
        &|p| events.lock().unwrap().push(p),
        &go(),
    );
    assert_eq!(results.len(), files.len());
    for (path, r) in files.iter().zip(&results) {
        match r {
            Ok(s) => {
                let d = hash_file(path, &no_progress, &go()).unwrap();
                assert_eq!((&s.sha256, &s.sm3, s.size), (&d.sha256, &d.sm3, d.size));
            }
            Err(e) => assert_eq!(e.path(), path),
        }
    }
    assert!(matches!(results[3], Err(VaultError::NotFound { .. })));
    assert!(matches!(results[7], Err(VaultError::NotAFile { .. })));
    assert!(results.last().unwrap().as_ref().unwrap().deduplicated);
    let events = events.into_inner().unwrap();
    let finished: Vec<_> = events.iter().filter(|p| p.file_finished).collect();
    assert_eq!(finished.len(), files.len());
    assert!(finished.iter().any(|p| p.files_finished == files.len()));

    // Cancelled before start: every result is Cancelled, still in order.
    let results = ingest_many(&vault, &files, 3, &|_| {}, &AtomicBool::new(true));
    assert!(results
        .iter()
        .all(|r| matches!(r, Err(e) if e.is_cancelled())));
    assert_eq!(temp_count(vault.root()), 0);
}

#[test]
fn path_of_accepts_only_sha256_hex() {
    let dir = scratch("path_of");
    let vault = Vault::open(&dir.join("vault")).unwrap();
    let good = "ab".repeat(32);
    assert_eq!(
        vault.path_of(&good).unwrap(),
        vault.root().join("ab").join(&good)
    );
    assert_eq!(
        vault.path_of(&good.to_uppercase()).unwrap(),
        vault.root().join("ab").join(&good)
    );
    for bad in [
        "",
        "../../../../etc/passwd",
        &"a".repeat(63),
        &"a".repeat(65),
        &"g".repeat(64),
        &format!("../{}", "a".repeat(61)),
        &format!("{}/a", "a".repeat(62)),
        &"é".repeat(32),
    ] {
        let err = vault.path_of(bad).unwrap_err();
        assert!(matches!(err, VaultError::InvalidDigest { .. }), "{bad:?}");
    }
}

#[test]
fn open_creates_layout_and_refuses_a_file_as_root() {
    let dir = scratch("open");
    let root = dir.join("deep/er/vault");
    let vault = Vault::open(&root).unwrap();
    assert!(root.join("tmp").is_dir());
    assert_eq!(vault.remove_temp_files().unwrap(), 0);
    let file = write(&dir.join("plain"), b"x");
    assert!(Vault::open(&file).is_err());
    // Reopening an existing vault is fine.
    Vault::open(&root).unwrap();
}
