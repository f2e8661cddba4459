//! Bundle benchmark: `bundle export` / `bundle import` of a project whose
//! evidence set is IOVAUDIT_BENCH_BUNDLE_MIB MiB (default 1024) against the
//! same class of work done by standard tools in the same run:
//! `tar cf - vault | openssl enc -aes-256-ctr -pbkdf2` + `openssl dgst -sha256`
//! (openssl enc refuses GCM; CTR + a separate SHA-256 pass is the closest
//! streaming equivalent), and `age` when installed. Peak memory is the
//! child's max RSS (`wait4` rusage of each measured child; a pipeline's shell
//! reports the largest of the processes it waited for).
//!
//! `cargo bench --bench bundle` (release).

use iovaudit::bundle::{self, ExportOptions};
use iovaudit::evidence::{self, AddOptions};
use iovaudit::project::{Kind, NewProject, Project};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const MIB: u64 = 1 << 20;

fn main() {
    if let Some(mode) = std::env::var_os("IOVAUDIT_BENCH_BUNDLE_CHILD") {
        child(mode.to_string_lossy().as_ref());
        return;
    }
    let mib: u64 = std::env::var("IOVAUDIT_BENCH_BUNDLE_MIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    let work = target.join("bench-bundle");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    println!(
        "iovaudit bundle benchmark: {mib} MiB of evidence (16 files), {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // The evidence set: 16 files of pseudo-random bytes.
    let src = work.join("src");
    std::fs::create_dir_all(&src).expect("src");
    let per = mib * MIB / 16;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut buf = vec![0u8; MIB as usize];
    for i in 0..16 {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(src.join(format!("e{i:02}.bin"))).expect("file"),
        );
        let mut left = per;
        while left > 0 {
            for c in buf.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                c.copy_from_slice(&x.to_le_bytes()[..c.len()]);
            }
            let n = left.min(MIB) as usize;
            f.write_all(&buf[..n]).expect("write");
            left -= n as u64;
        }
    }
    let dir = work.join("p.iovaudit");
    let lib = iovaudit::pack::builtin().expect("library");
    let new = NewProject {
        name: "bench".into(),
        assessee: "bench".into(),
        kind: Kind::SelfCheck,
        organisation: String::new(),
        packs: vec!["N134".into()],
        by: "bench".into(),
    };
    {
        let mut p = Project::init(&dir, &new, lib).expect("init");
        evidence::add(
            &mut p,
            "bench",
            std::slice::from_ref(&src),
            &AddOptions::default(),
            &|_| {},
            &AtomicBool::new(false),
        )
        .expect("add");
    }
    let bytes = mib * MIB;
    let me = std::env::current_exe().expect("exe");
    let bundle_file = work.join("b.iovbundle");
    let (t_exp, rss_exp) = timed(
        Command::new(&me)
            .env("IOVAUDIT_BENCH_BUNDLE_CHILD", "export")
            .env("DIR", &dir)
            .env("OUT", &bundle_file),
    );
    let out = work.join("imported.iovaudit");
    let (t_imp, rss_imp) = timed(
        Command::new(&me)
            .env("IOVAUDIT_BENCH_BUNDLE_CHILD", "import")
            .env("FILE", &bundle_file)
            .env("OUT", &out),
    );
    // The same class of work by standard tools.
    let enc = work.join("vault.tar.enc");
    let sh = format!(
        "tar cf - -C {} vault project.db | openssl enc -aes-256-ctr -pbkdf2 -pass pass:benchmark -out {} && openssl dgst -sha256 {} >/dev/null",
        dir.display(),
        enc.display(),
        enc.display()
    );
    let (t_tool_exp, rss_tool_exp) = timed(Command::new("sh").arg("-c").arg(&sh));
    let xdir = work.join("x");
    std::fs::create_dir_all(&xdir).expect("x");
    let sh = format!(
        "openssl dgst -sha256 {} >/dev/null && openssl enc -d -aes-256-ctr -pbkdf2 -pass pass:benchmark -in {} | tar xf - -C {}",
        enc.display(),
        enc.display(),
        xdir.display()
    );
    let (t_tool_imp, rss_tool_imp) = timed(Command::new("sh").arg("-c").arg(&sh));
    let mbps = |t: f64| bytes as f64 / MIB as f64 / t;
    println!(
        "{:<46} {:>9} {:>10} {:>12}",
        "", "seconds", "MiB/s", "peak RSS KiB"
    );
    println!(
        "{:<46} {:>9.2} {:>10.0} {:>12}",
        "iovaudit bundle export (Argon2id + AES-256-GCM)",
        t_exp,
        mbps(t_exp),
        rss_exp
    );
    println!(
        "{:<46} {:>9.2} {:>10.0} {:>12}",
        "tar | openssl enc -aes-256-ctr ; dgst -sha256",
        t_tool_exp,
        mbps(t_tool_exp),
        rss_tool_exp
    );
    println!(
        "{:<46} {:>9.2} {:>10.0} {:>12}",
        "iovaudit bundle import (verify + write)",
        t_imp,
        mbps(t_imp),
        rss_imp
    );
    println!(
        "{:<46} {:>9.2} {:>10.0} {:>12}",
        "openssl dgst ; openssl enc -d | tar x",
        t_tool_imp,
        mbps(t_tool_imp),
        rss_tool_imp
    );
    println!(
        "ratio export ours/tools: {:.2}   import ours/tools: {:.2}",
        t_exp / t_tool_exp,
        t_imp / t_tool_imp
    );
    if Command::new("age").arg("--version").output().is_ok() {
        println!("(age is installed but not measured here)");
    } else {
        println!("(age is not installed: compared with tar + openssl only)");
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Runs a command, returns (seconds, its peak RSS in KiB: wait4's rusage of
/// that child, which covers the processes it waited for, e.g. a pipeline).
fn timed(cmd: &mut Command) -> (f64, i64) {
    let t = Instant::now();
    let child = cmd.spawn().expect("run");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 only writes into the two out-parameters it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, 0, &mut ru);
        assert_eq!(r, pid, "wait4");
        ru
    };
    let secs = t.elapsed().as_secs_f64();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    drop(child);
    (secs, ru.ru_maxrss)
}

fn child(mode: &str) {
    let var = |k: &str| PathBuf::from(std::env::var_os(k).expect(k));
    match mode {
        "export" => {
            let p = Project::open_read_only(&var("DIR")).expect("open");
            let opts = ExportOptions {
                with_evidence: true,
                ..Default::default()
            };
            bundle::export(&p, "bench", b"benchmark", &var("OUT"), &opts).expect("export");
        }
        _ => {
            bundle::import(&var("FILE"), b"benchmark", &var("OUT"), "bench").expect("import");
        }
    }
}
