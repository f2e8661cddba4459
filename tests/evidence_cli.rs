//! Evidence through the CLI: hashes checked against `sha256sum` and
//! `openssl dgst -sm3`, dedupe, revisions, verify naming what is wrong, bad
//! input, and a SIGKILL in the middle of an ingest.

mod common;
use common::{bin, run, scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn tool(cmd: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed: {e}"));
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    // `sha256sum` prints "HASH  NAME"; openssl prints "SM3(NAME)= HASH".
    if cmd == "sha256sum" {
        s.split_whitespace().next().unwrap_or_default().to_string()
    } else {
        s.rsplit("= ").next().unwrap_or_default().trim().to_string()
    }
}

fn project(name: &str) -> (PathBuf, PathBuf) {
    let root = scratch(name);
    let dir = root.join("p.iovaudit");
    let r = run(&[
        "project",
        "init",
        dir.to_str().expect("utf-8"),
        "--name",
        "证据测试",
        "--assessee",
        "某企业",
        "--packs",
        "N134,SH26",
        "--by",
        "tester",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    (root, dir)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn hashes_match_the_standard_tools_and_content_is_stored_once() {
    let (root, dir) = project("ev_hashes");
    let src = root.join("src");
    std::fs::create_dir_all(src.join("sub")).expect("mkdir");
    let files = [
        (src.join("empty.txt"), vec![]),
        (
            src.join("制度.md"),
            "网络安全管理制度\n".as_bytes().to_vec(),
        ),
        (
            src.join("sub/blob.bin"),
            pseudo_random(3 * 1024 * 1024 + 7, 1),
        ),
        (
            src.join("sub/copy-of-制度.md"),
            "网络安全管理制度\n".as_bytes().to_vec(),
        ),
    ];
    for (p, b) in &files {
        std::fs::write(p, b).expect("write");
    }
    let r = run(&[
        "evidence",
        "add",
        s(&dir),
        s(&src),
        "--requirement",
        "N134-01",
        "--method",
        "examine",
        "--by",
        "tester",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let added = v["added"].as_array().expect("added");
    assert_eq!(added.len(), 4);
    for a in added {
        let path = PathBuf::from(a["path"].as_str().expect("path"));
        assert_eq!(
            a["sha256"].as_str(),
            Some(tool("sha256sum", &[], &path).as_str()),
            "{}",
            path.display()
        );
        assert_eq!(
            a["sm3"].as_str(),
            Some(tool("openssl", &["dgst", "-sm3"], &path).as_str()),
            "{}",
            path.display()
        );
    }
    // Same content twice: two evidence items, one stored file.
    let dedup: Vec<bool> = added
        .iter()
        .map(|a| a["deduplicated"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(dedup.iter().filter(|d| **d).count(), 1, "{dedup:?}");
    let stored = walk_files(&dir.join("vault"));
    assert_eq!(stored.len(), 3, "{stored:?}");
    // Each stored file is named by its SHA-256 and has that content.
    for f in &stored {
        assert_eq!(
            f.file_name().and_then(|n| n.to_str()),
            Some(tool("sha256sum", &[], f).as_str())
        );
    }
    let list: Value = serde_json::from_str(
        &run(&[
            "evidence",
            "list",
            s(&dir),
            "--requirement",
            "N134-01",
            "--json",
        ])
        .stdout,
    )
    .expect("json");
    assert_eq!(list["evidence"].as_array().map(Vec::len), Some(4));
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn replacing_keeps_the_old_revision_and_verify_names_what_is_wrong() {
    let (root, dir) = project("ev_verify");
    let a = root.join("a.txt");
    std::fs::write(&a, "第一版").expect("write");
    assert_eq!(
        run(&["evidence", "add", s(&dir), s(&a), "--by", "t"]).code,
        0
    );
    let b = root.join("a-v2.txt");
    std::fs::write(&b, "第二版").expect("write");
    let r = run(&["evidence", "replace", s(&dir), "1", s(&b), "--by", "t"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let item: Value =
        serde_json::from_str(&run(&["evidence", "list", s(&dir), "--json"]).stdout).expect("json");
    assert_eq!(item["evidence"][0]["revision"], 2);
    assert_eq!(
        walk_files(&dir.join("vault")).len(),
        2,
        "both revisions are kept"
    );
    let r = run(&["evidence", "verify", s(&dir)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("通过"));

    // Tamper with the first revision's stored file, remove the second, add a stray file.
    let v1 = tool("sha256sum", &[], &a);
    let v2 = tool("sha256sum", &[], &b);
    let files = walk_files(&dir.join("vault"));
    let f1 = files
        .iter()
        .find(|f| f.ends_with(&v1))
        .expect("rev 1 stored");
    let f2 = files
        .iter()
        .find(|f| f.ends_with(&v2))
        .expect("rev 2 stored");
    let mut bytes = std::fs::read(f1).expect("read");
    bytes[0] ^= 1;
    std::fs::write(f1, bytes).expect("tamper");
    std::fs::remove_file(f2).expect("remove");
    std::fs::write(dir.join("vault").join("stray.bin"), "?").expect("stray");
    let r = run(&["--lang", "en", "evidence", "verify", s(&dir)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("modified") && l.contains(&v1) && l.contains("a.txt")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("missing") && l.contains(&v2) && l.contains("a-v2.txt")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("unexpected") && l.contains("stray.bin")),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_input_is_reported_by_name_and_nothing_is_lost() {
    let (root, dir) = project("ev_bad");
    let good = root.join("good.txt");
    std::fs::write(&good, "ok").expect("write");
    let missing = root.join("missing.txt");
    let r = run(&[
        "evidence",
        "add",
        s(&dir),
        s(&good),
        s(&missing),
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1, "a failed file makes the command fail");
    assert!(r.stderr.contains("missing.txt"), "{}", r.stderr);
    assert!(
        r.stdout.contains("已添加 1 个文件，失败 1 个"),
        "{}",
        r.stdout
    );
    // The good file was recorded.
    let list: Value =
        serde_json::from_str(&run(&["evidence", "list", s(&dir), "--json"]).stdout).expect("json");
    assert_eq!(list["evidence"].as_array().map(Vec::len), Some(1));

    // A file inside the project folder is refused.
    let r = run(&[
        "evidence",
        "add",
        s(&dir),
        s(&dir.join("project.db")),
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("位于项目文件夹内"), "{}", r.stderr);

    // Unknown requirement: refused before anything is stored.
    let r = run(&[
        "evidence",
        "add",
        s(&dir),
        s(&good),
        "--requirement",
        "N134-99",
        "--by",
        "t",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("N134-99"), "{}", r.stderr);

    // Non-UTF-8 and very long names.
    use std::os::unix::ffi::OsStrExt;
    let odd = root.join(std::ffi::OsStr::from_bytes(b"bad-\xff\xfe-name.txt"));
    std::fs::write(&odd, "odd").expect("write");
    let long = root.join(format!("{}.txt", "长".repeat(80)));
    std::fs::write(&long, "long").expect("write");
    let out = bin()
        .arg("evidence")
        .arg("add")
        .arg(&dir)
        .arg(&odd)
        .arg(&long)
        .args(["--by", "t", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["added"].as_array().map(Vec::len), Some(2));
    let r = run(&["evidence", "verify", s(&dir)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn sigkill_during_ingest_leaves_a_consistent_project() {
    let (root, dir) = project("ev_kill");
    let small = root.join("committed.txt");
    std::fs::write(&small, "已提交的证据").expect("write");
    assert_eq!(
        run(&["evidence", "add", s(&dir), s(&small), "--by", "t"]).code,
        0
    );
    let big = root.join("big.bin");
    std::fs::write(&big, pseudo_random(256 * 1024 * 1024, 7)).expect("write big file");

    let mut child = bin()
        .args(["evidence", "add", s(&dir), s(&big), "--by", "t"])
        .spawn()
        .expect("spawn");
    // Wait until the ingest is under way (a temp file exists), then kill it.
    let tmp = dir.join("vault").join("tmp");
    let start = Instant::now();
    let mut seen = false;
    while start.elapsed() < Duration::from_secs(30) {
        if walk_files(&tmp)
            .iter()
            .any(|f| std::fs::metadata(f).map(|m| m.len() > 0).unwrap_or(false))
        {
            seen = true;
            break;
        }
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed = child.try_wait().ok().flatten().is_none();
    let _ = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert!(seen && killed, "the ingest finished before it could be killed (seen={seen}, killed={killed}); use a bigger file");

    // Reopen: the database is consistent, no partial file anywhere in the vault,
    // the committed item is intact and the killed one left no row.
    // A read-only look (verify) passes and changes nothing; the next writable
    // open removes the leftover temp file.
    let r = run(&["evidence", "verify", s(&dir)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        run(&["scope", "set", s(&dir), "has_ota=yes", "--by", "t"]).code,
        0
    );
    assert!(
        walk_files(&tmp).is_empty(),
        "temp files are cleaned on a writable open: {:?}",
        walk_files(&tmp)
    );
    let list: Value =
        serde_json::from_str(&run(&["evidence", "list", s(&dir), "--json"]).stdout).expect("json");
    let names: Vec<&str> = list["evidence"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["original_name"].as_str())
        .collect();
    assert_eq!(names, ["committed.txt"]);
    let c = rusqlite::Connection::open(dir.join("project.db")).expect("db");
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(ok, "ok");
    assert_eq!(run(&["journal", "verify", s(&dir)]).code, 0);
    let _ = std::fs::remove_file(&big);
}
