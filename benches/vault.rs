//! Evidence vault benchmark: our hashing, ingest and verify against the
//! standard tools on the same files, in the same run.
//!
//! `cargo bench --bench vault` (release). Data is generated once under
//! `target/bench-data/` and reused: a 1 GiB file of pseudo-random bytes and
//! 10,000 small files (1–64 KiB) ingested into a vault.
//!
//! Environment:
//! - `IOVAUDIT_BENCH_REPS=n`  timed repetitions per measurement (default 3;
//!   the best is kept, after one untimed warm-up run of each side).
//! - `IOVAUDIT_BENCH_BIG=1`   also measure peak RSS while ingesting a 4 GiB
//!   file (generates it once: 4 GiB of disk, about a minute).
//!
//! All files are in the page cache when timed (warm-up runs first), so the
//! hashing rows measure CPU, not the disk; the ingest row includes fsync.

use std::env;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use iovaudit::vault::{
    hash_file, hash_file_with, ingest_many, Expected, HashSel, Vault, VerifyLevel,
};

const GIB: u64 = 1 << 30;
const SMALL_FILES: usize = 10_000;
const RSS_LIMIT_KIB: u64 = 64 * 1024;

fn main() {
    if env::var_os("IOVAUDIT_BENCH_CHILD").is_some() {
        child_ingest();
        return;
    }
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    let data = target.join("bench-data");
    fs::create_dir_all(&data).expect("create target/bench-data");
    let reps: usize = env::var("IOVAUDIT_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);

    println!("iovaudit vault benchmark");
    println!(
        "machine: {} cores, {}, SHA-NI {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        if cpu_flag("sha_ni") { "yes" } else { "no" }
    );
    println!(
        "files are in the page cache: each side runs once untimed to warm it, then best of {reps}, tool and ours alternating"
    );
    println!("data: {}", data.display());
    println!("load average at start: {}", load_average());

    let big = data.join("random-1g.bin");
    ensure_random_file(&big, GIB, 0x1234_5678);
    let (small_vault, expected) = ensure_small_vault(&data);

    let no = AtomicBool::new(false);
    let quiet = |_: u64| {};
    let mut rows: Vec<Row> = Vec::new();

    // Each row times the tool and our code alternately (tool, ours, tool,
    // ours, …) so a change in machine load hits both sides alike.

    // --- hashing 1 GiB -------------------------------------------------
    let openssl_sm3 = || run_tool("openssl", &["dgst", "-sm3"], &big);
    let openssl_sha = || run_tool("openssl", &["dgst", "-sha256"], &big);
    let ours = |sel| {
        let (big, quiet, no) = (&big, &quiet, &no);
        move || {
            let t = Instant::now();
            hash_file_with(big, sel, quiet, no).expect("hash_file");
            t.elapsed()
        }
    };
    let (tool, both) = paired(reps, openssl_sm3, ours(HashSel::Both));
    rows.push(Row::faster(
        "hash 1 GiB, SHA-256+SM3 one pass",
        both,
        "openssl dgst -sm3",
        tool,
        0.9,
    ));
    let (tool, sha_only) = paired(reps, openssl_sha, ours(HashSel::Sha256));
    rows.push(Row::faster(
        "hash 1 GiB, SHA-256 only",
        sha_only,
        "openssl dgst -sha256",
        tool,
        0.9,
    ));
    let (tool, sm3_only) = paired(reps, openssl_sm3, ours(HashSel::Sm3));
    rows.push(Row::faster(
        "hash 1 GiB, SM3 only",
        sm3_only,
        "openssl dgst -sm3",
        tool,
        0.9,
    ));
    let d = hash_file(&big, &quiet, &no).expect("hash_file");
    let sm3_ok = tool_output("openssl", &["dgst", "-sm3", "-r"], &big)
        .is_some_and(|o| o.starts_with(&d.sm3));
    let sha_ok = tool_output("sha256sum", &[], &big).is_some_and(|o| o.starts_with(&d.sha256));
    println!("1 GiB digests agree with openssl (SM3): {sm3_ok}, sha256sum: {sha_ok}");

    // --- ingest 1 GiB --------------------------------------------------
    let cp_dest = data.join("cp-dest.bin");
    let cp_sync = || {
        let _ = fs::remove_file(&cp_dest);
        let t = Instant::now();
        let ok = Command::new("sh")
            .arg("-c")
            .arg("cp \"$1\" \"$2\" && sync")
            .arg("sh")
            .arg(&big)
            .arg(&cp_dest)
            .status()
            .is_ok_and(|s| s.success());
        let e = t.elapsed();
        assert!(ok, "cp && sync failed");
        e
    };
    let ingest_root = data.join("ingest-vault");
    let ingest = || {
        let _ = fs::remove_dir_all(&ingest_root);
        let vault = Vault::open(&ingest_root).expect("open vault");
        let t = Instant::now();
        let s = vault.ingest(&big, &quiet, &no).expect("ingest");
        let e = t.elapsed();
        assert!(!s.deduplicated);
        e
    };
    let (mut best_sm3, mut best_cp) = (Duration::MAX, Duration::MAX);
    let (_, ingest) = paired(
        reps,
        || {
            let (sm3, cp) = (openssl_sm3(), cp_sync());
            best_sm3 = best_sm3.min(sm3);
            best_cp = best_cp.min(cp);
            sm3.max(cp)
        },
        ingest,
    );
    let _ = fs::remove_file(&cp_dest);
    let _ = fs::remove_dir_all(&ingest_root);
    let (slower_name, slower) = if best_sm3 >= best_cp {
        ("openssl dgst -sm3", best_sm3)
    } else {
        ("cp && sync", best_cp)
    };
    println!(
        "ingest baseline: openssl dgst -sm3 {:.2}s, cp && sync {:.2}s (the slower counts)",
        best_sm3.as_secs_f64(),
        best_cp.as_secs_f64()
    );
    rows.push(Row::at_most(
        "ingest 1 GiB (both hashes + fsync)",
        ingest,
        slower_name,
        slower,
        1.2,
    ));

    // --- verify 10,000 small files -----------------------------------
    let vault = Vault::open(&small_vault).expect("open small vault");
    let sha256sum = || run_sha256sum(&small_vault, &expected);
    let verify = |level| {
        let vault = &vault;
        let expected = &expected;
        let no = &no;
        move || {
            let t = Instant::now();
            let r = vault
                .verify_with(expected, level, &|_| {}, no)
                .expect("verify");
            let e = t.elapsed();
            assert!(r.is_clean() && r.ok == expected.len(), "vault not clean");
            e
        }
    };
    let (tool, verify_sha) = paired(reps, sha256sum, verify(VerifyLevel::Sha256));
    rows.push(Row::faster(
        "verify 10k files (size+SHA-256, default)",
        verify_sha,
        "sha256sum",
        tool,
        1.6,
    ));
    let (tool, verify_full) = paired(reps, sha256sum, verify(VerifyLevel::Full));
    rows.push(Row::timed(
        "verify 10k files (size+SHA-256+SM3, Full)",
        verify_full,
        "sha256sum",
        tool,
        Kind::Info,
    ));

    // --- peak RSS --------------------------------------------------------
    rows.push(rss_row("peak RSS, ingest 1 GiB (child)", &big, &data));
    if env::var("IOVAUDIT_BENCH_BIG").as_deref() == Ok("1") {
        let huge = data.join("random-4g.bin");
        ensure_random_file(&huge, 4 * GIB, 0x9e37_79b9);
        rows.push(rss_row("peak RSS, ingest 4 GiB (child)", &huge, &data));
    } else {
        println!("(set IOVAUDIT_BENCH_BIG=1 to add peak RSS while ingesting a 4 GiB file)");
    }

    print_table(&rows);
    println!(
        "load average at end: {} (other processes skew the times; rerun on an idle machine)",
        load_average()
    );
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

// ---------------------------------------------------------------------------

enum Kind {
    /// tool_time / our_time must be ≥ target.
    Faster(f64),
    /// our_time / tool_time must be ≤ target.
    AtMost(f64),
    /// tool_time / our_time, shown for information.
    Info,
}

struct Row {
    what: String,
    ours: String,
    tool: String,
    tool_value: String,
    ratio: String,
    target: String,
    pass: bool,
}

impl Row {
    fn faster(what: &str, ours: Duration, tool: &str, tool_t: Duration, target: f64) -> Row {
        Row::timed(what, ours, tool, tool_t, Kind::Faster(target))
    }
    fn at_most(what: &str, ours: Duration, tool: &str, tool_t: Duration, target: f64) -> Row {
        Row::timed(what, ours, tool, tool_t, Kind::AtMost(target))
    }
    fn timed(what: &str, ours: Duration, tool: &str, tool_t: Duration, kind: Kind) -> Row {
        let (o, t) = (ours.as_secs_f64(), tool_t.as_secs_f64());
        let (ratio, target, pass) = match kind {
            Kind::Faster(x) => (
                format!("tool/ours {:.2}", t / o),
                format!(">= {x:.2}"),
                t / o >= x,
            ),
            Kind::Info => (format!("tool/ours {:.2}", t / o), "(info)".into(), true),
            Kind::AtMost(x) => (
                format!("ours/tool {:.2}", o / t),
                format!("<= {x:.2}"),
                o / t <= x,
            ),
        };
        Row {
            what: what.into(),
            ours: format!("{o:.3}s"),
            tool: tool.into(),
            tool_value: format!("{t:.3}s"),
            ratio,
            target,
            pass,
        }
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<46} {:>10}  {:<22} {:>9}  {:<17} {:<8} result",
        "measurement", "ours", "tool", "tool", "ratio", "target"
    );
    println!("{}", "-".repeat(128));
    for r in rows {
        println!(
            "{:<46} {:>10}  {:<22} {:>9}  {:<17} {:<8} {}",
            r.what,
            r.ours,
            r.tool,
            r.tool_value,
            r.ratio,
            r.target,
            match (&r.target[..], r.pass) {
                ("(info)", _) => "-",
                (_, true) => "PASS",
                (_, false) => "MISS",
            }
        );
    }
    println!();
    println!("(files in the page cache; times are wall clock, best of the timed runs)");
}

/// Best (shortest) time of the tool and of our code over `reps` runs each,
/// alternating, after one untimed warm-up run of each (page cache, lazy
/// allocations).
fn paired(
    reps: usize,
    mut tool: impl FnMut() -> Duration,
    mut ours: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    tool();
    ours();
    let (mut best_tool, mut best_ours) = (Duration::MAX, Duration::MAX);
    for _ in 0..reps {
        best_tool = best_tool.min(tool());
        best_ours = best_ours.min(ours());
    }
    (best_tool, best_ours)
}

fn run_tool(program: &str, args: &[&str], file: &Path) -> Duration {
    let t = Instant::now();
    let status = Command::new(program)
        .args(args)
        .arg(file)
        .stdout(Stdio::null())
        .status();
    let e = t.elapsed();
    assert!(
        status.is_ok_and(|s| s.success()),
        "{program} {args:?} failed"
    );
    e
}

fn tool_output(program: &str, args: &[&str], file: &Path) -> Option<String> {
    let out = Command::new(program).args(args).arg(file).output().ok()?;
    String::from_utf8(out.stdout).ok()
}

/// sha256sum over every stored file, relative paths, in a few batches to
/// stay far below ARG_MAX.
fn run_sha256sum(root: &Path, expected: &[Expected]) -> Duration {
    let keys: Vec<String> = expected
        .iter()
        .map(|e| format!("{}/{}", &e.sha256[..2], e.sha256))
        .collect();
    let t = Instant::now();
    for batch in keys.chunks(2500) {
        let ok = Command::new("sha256sum")
            .args(batch)
            .current_dir(root)
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "sha256sum failed");
    }
    t.elapsed()
}

/// xorshift64* stream: incompressible enough, generated at several GB/s.
fn fill_random(buf: &mut [u8], state: &mut u64) {
    for chunk in buf.chunks_mut(8) {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let v = state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

fn ensure_random_file(path: &Path, size: u64, seed: u64) {
    if fs::metadata(path).is_ok_and(|m| m.len() == size) {
        return;
    }
    println!("generating {} ({} MiB)…", path.display(), size >> 20);
    let part = path.with_extension("part");
    let mut out = BufWriter::new(fs::File::create(&part).expect("create data file"));
    let mut buf = vec![0u8; 1 << 20];
    let mut state = seed | 1;
    let mut left = size;
    while left > 0 {
        fill_random(&mut buf, &mut state);
        let n = left.min(buf.len() as u64) as usize;
        out.write_all(&buf[..n]).expect("write data file");
        left -= n as u64;
    }
    out.into_inner()
        .expect("flush")
        .sync_all()
        .expect("sync data file");
    fs::rename(&part, path).expect("rename data file");
}

/// 10,000 files of 1–64 KiB, ingested once into `bench-data/small-vault`;
/// the manifest (sha256 sm3 size per line) is reused on later runs.
fn ensure_small_vault(data: &Path) -> (PathBuf, Vec<Expected>) {
    let root = data.join("small-vault");
    let manifest = data.join("small-vault.manifest");
    if let Ok(text) = fs::read_to_string(&manifest) {
        let expected: Vec<Expected> = text
            .lines()
            .filter_map(|l| {
                let mut it = l.split(' ');
                Some(Expected {
                    sha256: it.next()?.to_owned(),
                    sm3: it.next()?.to_owned(),
                    size: it.next()?.parse().ok()?,
                })
            })
            .collect();
        if expected.len() == SMALL_FILES && root.is_dir() {
            return (root, expected);
        }
    }
    let src_dir = data.join("small");
    let _ = fs::remove_dir_all(&src_dir);
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&src_dir).expect("create small dir");
    println!("generating {SMALL_FILES} small files and ingesting them…");
    let mut state = 0xdead_beef_u64;
    let mut buf = vec![0u8; 64 * 1024];
    let mut files = Vec::with_capacity(SMALL_FILES);
    for i in 0..SMALL_FILES {
        fill_random(&mut buf, &mut state);
        let size = 1024 + (state % (63 * 1024 + 1)) as usize;
        let path = src_dir.join(format!("{i:05}.bin"));
        fs::write(&path, &buf[..size]).expect("write small file");
        files.push(path);
    }
    let vault = Vault::open(&root).expect("open small vault");
    let t = Instant::now();
    let results = ingest_many(&vault, &files, 0, &|_| {}, &AtomicBool::new(false));
    println!(
        "ingest_many of {SMALL_FILES} small files (each fsynced): {:.2}s (info, no target)",
        t.elapsed().as_secs_f64()
    );
    let mut text = String::new();
    let mut expected = Vec::new();
    for r in results {
        let s = r.expect("ingest small file");
        text.push_str(&format!("{} {} {}\n", s.sha256, s.sm3, s.size));
        expected.push(Expected::from(&s));
    }
    fs::write(&manifest, text).expect("write manifest");
    (root, expected)
}

/// Re-executes this binary to ingest `file` alone and reads its VmHWM.
fn rss_row(what: &str, file: &Path, data: &Path) -> Row {
    let root = data.join("rss-vault");
    let _ = fs::remove_dir_all(&root);
    let exe = env::current_exe().expect("current exe");
    let out = Command::new(exe)
        .env("IOVAUDIT_BENCH_CHILD", "ingest")
        .env("IOVAUDIT_BENCH_SRC", file)
        .env("IOVAUDIT_BENCH_VAULT", &root)
        .output()
        .expect("run child");
    let _ = fs::remove_dir_all(&root);
    let text = String::from_utf8_lossy(&out.stdout);
    let hwm = text
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM_KiB="))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let secs = text
        .lines()
        .find_map(|l| l.strip_prefix("secs="))
        .unwrap_or("?")
        .trim()
        .to_owned();
    let limit = RSS_LIMIT_KIB;
    match hwm {
        Some(kib) => Row {
            what: what.into(),
            ours: format!("{:.1}MiB", kib as f64 / 1024.0),
            tool: format!("(ingest took {secs}s)"),
            tool_value: "-".into(),
            ratio: "-".into(),
            target: format!("<= {}MiB", limit / 1024),
            pass: kib <= limit,
        },
        None => Row {
            what: what.into(),
            ours: "?".into(),
            tool: format!(
                "child failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            tool_value: "-".into(),
            ratio: "-".into(),
            target: format!("<= {}MiB", limit / 1024),
            pass: false,
        },
    }
}

fn child_ingest() {
    let src = PathBuf::from(env::var_os("IOVAUDIT_BENCH_SRC").expect("IOVAUDIT_BENCH_SRC"));
    let root = PathBuf::from(env::var_os("IOVAUDIT_BENCH_VAULT").expect("IOVAUDIT_BENCH_VAULT"));
    let vault = Vault::open(&root).expect("open vault");
    let t = Instant::now();
    vault
        .ingest(&src, &|_| {}, &AtomicBool::new(false))
        .expect("ingest");
    println!("secs={:.2}", t.elapsed().as_secs_f64());
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        println!("VmHWM_KiB={kib}");
    }
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn cpu_flag(flag: &str) -> bool {
    fs::read_to_string("/proc/cpuinfo").is_ok_and(|s| {
        s.lines()
            .filter(|l| l.starts_with("flags"))
            .any(|l| l.split_whitespace().any(|f| f == flag))
    })
}
