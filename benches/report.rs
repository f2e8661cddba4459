//! Benchmark: the PDF report of a synthetic project — 500 requirements (five
//! packs of 100, every one judged with a justification) and 5,000 evidence
//! items — built and rendered by iovaudit (printpdf HTML layout), against
//! headless Chromium printing the same HTML (`render_html`) to PDF.
//!
//! Each side runs in its own process, twice: once unobserved for the wall
//! time, once sampled for the peak memory (sampling /proc slows Chromium's
//! many processes down). Memory: the peak of the summed PSS of the process tree (sampled every
//! 20 ms; Chromium runs several processes) and, for iovaudit, its own VmHWM.
//! Target: faster than Chromium and no more memory.
//!
//! Run: `cargo bench --bench report` (Chromium: apt package `chromium`; skipped when missing).

// Until Cargo.toml registers this file with `harness = false`, it is built as a
// (empty) libtest bench, where everything here is unused.
#![cfg_attr(test, allow(dead_code, unused_imports))]

use iovaudit::i18n::Lang;
use iovaudit::pack::SourceFile;
use iovaudit::project::{Kind, NewProject, Project};
use iovaudit::report::{self, ReportOptions};
use rusqlite::params;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PACKS: usize = 5;
const SECTIONS: usize = 10;
const PER_SECTION: usize = 10;
const EVIDENCE: i64 = 5_000;
const AT: &str = "2026-11-22T10:00:00Z";

fn pack_toml(p: usize) -> String {
    let mut s = format!(
        r#"schema = 1
[pack]
id = "SYN{p}"
version = "2026.1"
doc_number = "合成〔2026〕{p}号"
title = {{ zh = "合成检查单 {p}：车联网网络安全和数据安全管理要求", en = "Synthetic checklist {p}: IoV cybersecurity and data-security requirements" }}
issuer = {{ zh = "基准测试", en = "Benchmark" }}
doc_type = "notice"
region = "CN"
status = "in_force"
source = "benchmark"
provenance = "text"
questions = []

[scoring]
partial = 0.5
not_applicable = "exclude"
encouraged = "exclude"
veto = "fail_pack"
bands = [
  {{ min = 90, label = {{ zh = "符合", en = "Conformant" }} }},
  {{ min = 70, label = {{ zh = "基本符合", en = "Largely conformant" }} }},
  {{ min = 0, label = {{ zh = "不符合", en = "Not conformant" }} }},
]
"#
    );
    for sec in 1..=SECTIONS {
        s.push_str(&format!(
            "\n[[sections]]\nid = \"SYN{p}-S{sec}\"\nclause = \"{sec}\"\ntitle = {{ zh = \"第{sec}部分 安全管理与技术防护\", en = \"Part {sec}: management and technical protection\" }}\n"
        ));
        for r in 1..=PER_SECTION {
            let n = (sec - 1) * PER_SECTION + r;
            s.push_str(&format!(
                r#"
[[sections.requirements]]
id = "SYN{p}-{n:03}"
clause = "{sec}.{r}"
title = {{ zh = "安全要求 {sec}.{r}：日志留存与访问控制", en = "Requirement {sec}.{r}: log retention and access control" }}
text = {{ zh = "企业应建立网络安全管理制度，明确负责人和管理机构，落实网络安全保护责任，按规定留存相关网络日志不少于六个月，并定期开展风险评估与应急演练。", en = "Set up cybersecurity management rules, name the person and the unit responsible, keep network logs for at least six months and run risk assessments and incident drills regularly." }}
obligation = "mandatory"
applies_to = ["ALL"]
evidence = {{ zh = ["管理制度", "日志抽查记录"], en = ["Policy", "Log sample"] }}
methods = ["examine", "test"]
weight = {w}
provenance = "text"
"#,
                w = 1 + n % 5
            ));
        }
    }
    s
}

fn make_project(dir: &Path) {
    let mut sources: Vec<SourceFile> = iovaudit::pack::builtin_sources()
        .into_iter()
        .filter(|s| s.name.ends_with("questions.toml"))
        .collect();
    for p in 1..=PACKS {
        sources.push(SourceFile::new(format!("syn{p}.toml"), pack_toml(p)));
    }
    let lib = iovaudit::pack::load(&sources).unwrap_or_else(|d| {
        for x in &d {
            eprintln!("{x:?}");
        }
        panic!("synthetic packs invalid")
    });
    let new = NewProject {
        name: "基准测试项目".into(),
        assessee: "基准测试汽车有限公司".into(),
        kind: Kind::ThirdParty,
        organisation: "基准测评中心".into(),
        packs: (1..=PACKS).map(|p| format!("SYN{p}")).collect(),
        by: "bench".into(),
    };
    let reqs: Vec<String> = lib
        .packs
        .iter()
        .flat_map(|p| p.requirements().map(|r| r.id.clone()))
        .collect();
    let p = Project::init(dir, &new, lib).expect("init");
    let c = p.conn();
    c.execute_batch("BEGIN").expect("begin");
    {
        let mut v = c
            .prepare("INSERT INTO verdict (requirement, verdict, note, assessor, at, inferred_from, confirmed) VALUES (?1, ?2, ?3, 'bench', ?4, NULL, 1)")
            .expect("prep");
        for (i, r) in reqs.iter().enumerate() {
            let verdict = ["conform", "conform", "partial", "nonconform", "conform"][i % 5];
            v.execute(params![
                r,
                verdict,
                "抽查三个日志源，最早可检索记录均超过 180 天；制度已发布并培训到岗。",
                AT
            ])
            .expect("verdict");
        }
        let mut ev = c.prepare("INSERT INTO evidence (id, title, method, collected_at, collected_by) VALUES (?1, ?2, 'examine', ?3, '张工')").expect("prep");
        let mut rev = c
            .prepare("INSERT INTO evidence_revision (evidence_id, revision, original_name, original_path, size, sha256, sm3, added_at, added_by) VALUES (?1, 1, ?2, ?2, ?3, ?4, ?5, ?6, 'bench')")
            .expect("prep");
        let mut link = c
            .prepare("INSERT INTO evidence_link (requirement, evidence_id, linked_by, linked_at) VALUES (?1, ?2, 'bench', ?3)")
            .expect("prep");
        for i in 1..=EVIDENCE {
            let title = format!("网络安全管理制度汇编及日志抽查记录 第 {i} 份");
            let name = format!("证据-{i:05}-网络日志留存策略.pdf");
            ev.execute(params![i, title, AT]).expect("ev");
            rev.execute(params![
                i,
                name,
                10_000 + i,
                format!("{:064x}", i * 7919),
                format!("{:064x}", i * 104_729),
                AT
            ])
            .expect("rev");
            let r = &reqs[(i as usize) % reqs.len()];
            link.execute(params![r, i, AT]).expect("link");
        }
    }
    c.execute_batch("COMMIT").expect("commit");
}

/// Peak of the summed PSS (kB) of `root` and its descendants, sampled until it exits.
fn watch(mut child: std::process::Child, sample: bool) -> (Duration, u64, String) {
    let t = Instant::now();
    let mut peak = 0u64;
    let mut pids = vec![child.id()];
    let mut last_scan = Instant::now();
    loop {
        // Re-reading all of /proc is costly; find the process tree every 250 ms.
        if !sample {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if last_scan.elapsed() > Duration::from_millis(250) || pids.len() == 1 {
            pids = tree(child.id());
            last_scan = Instant::now();
        }
        let sum: u64 = pids.iter().map(|p| pss_kb(*p)).sum();
        peak = peak.max(sum);
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = t.elapsed();
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        use std::io::Read;
        let _ = s.read_to_string(&mut out);
    }
    (elapsed, peak, out)
}

fn tree(root: u32) -> Vec<u32> {
    let mut parent: Vec<(u32, u32)> = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if let Ok(st) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                if let Some(rest) = st.rsplit_once(')').map(|x| x.1) {
                    if let Some(pp) = rest.split_whitespace().nth(1).and_then(|x| x.parse().ok()) {
                        parent.push((pid, pp));
                    }
                }
            }
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// The child: build the model and render the PDF, print `seconds pages bytes vmhwm_kb`.
fn child(dir: &Path, out: &Path) {
    let opts = ReportOptions {
        lang: Lang::Zh,
        generated_at: Some(AT.into()),
        ..Default::default()
    };
    let t = Instant::now();
    let p = Project::open(dir).expect("open");
    let m = report::build_model(&p, &opts).expect("model");
    let built = t.elapsed();
    let r = report::render_pdf(&m, &opts).expect("pdf");
    let total = t.elapsed();
    std::fs::write(out, &r.bytes).expect("write pdf");
    println!(
        "{:.3} {:.3} {} {} {}",
        total.as_secs_f64(),
        built.as_secs_f64(),
        r.pages,
        r.bytes.len(),
        vm_hwm_kb()
    );
}

fn main() {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-report");
    let dir = work.join("synthetic.iovaudit");
    if let Ok(d) = std::env::var("IOVAUDIT_BENCH_REPORT_CHILD") {
        child(&dir, Path::new(&d));
        return;
    }
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    let t = Instant::now();
    make_project(&dir);
    eprintln!(
        "synthetic project: {} requirements, {EVIDENCE} evidence items ({:.1} s to build)",
        PACKS * SECTIONS * PER_SECTION,
        t.elapsed().as_secs_f64()
    );

    // iovaudit in a child process.
    let pdf = work.join("iovaudit.pdf");
    let me = std::env::current_exe().expect("exe");
    let run = |sample: bool| {
        let c = Command::new(&me)
            .env("IOVAUDIT_BENCH_REPORT_CHILD", &pdf)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn child");
        watch(c, sample)
    };
    let (wall, _, out) = run(false);
    let (_, pss, _) = run(true);
    let f: Vec<&str> = out.split_whitespace().collect();
    if f.len() < 5 {
        panic!("child failed: {out}");
    }
    let (secs, built, pages, bytes, hwm) = (f[0], f[1], f[2], f[3], f[4]);
    let hwm_mb = hwm.parse::<f64>().unwrap_or(0.0) / 1024.0;
    println!("iovaudit: model {built} s, model+PDF {secs} s (process {:.2} s), {pages} pages, {bytes} bytes, peak PSS {:.0} MB, VmHWM {hwm_mb:.0} MB",
        wall.as_secs_f64(), pss as f64 / 1024.0);

    // The same report as HTML, printed by headless Chromium.
    let html_path = work.join("report.html");
    {
        let p = Project::open(&dir).expect("open");
        let opts = ReportOptions {
            generated_at: Some(AT.into()),
            ..Default::default()
        };
        let m = report::build_model(&p, &opts).expect("model");
        let font = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(report::BUILTIN_FONT_PATH);
        let face = format!(
            "<style>@font-face {{ font-family: 'WenQuanYi Micro Hei'; src: url('file://{}'); }}</style>",
            font.display()
        );
        let html = report::render_html(&m, &opts).expect("html").replacen(
            "<head>",
            &format!("<head>{face}"),
            1,
        );
        std::fs::write(&html_path, html).expect("write html");
    }
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(chromium) = chromium else {
        println!("chromium not installed (apt install chromium): comparison skipped");
        return;
    };
    let profile = work.join("chromium-profile");
    let out_pdf = work.join("chromium.pdf");
    let chrome = |sample: bool| {
        let _ = std::fs::remove_dir_all(&profile);
        let c = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", out_pdf.display()))
            .arg(format!("file://{}", html_path.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn chromium");
        watch(c, sample)
    };
    let (cwall, _, _) = chrome(false);
    let (_, cpss, _) = chrome(true);
    let csize = std::fs::metadata(&out_pdf).map(|m| m.len()).unwrap_or(0);
    println!(
        "chromium: HTML→PDF {:.2} s, {csize} bytes, peak PSS (all processes) {:.0} MB",
        cwall.as_secs_f64(),
        cpss as f64 / 1024.0
    );
    println!(
        "ratio iovaudit/chromium: time {:.2}× (process wall), memory {:.2}× (peak PSS)",
        wall.as_secs_f64() / cwall.as_secs_f64().max(1e-9),
        pss as f64 / (cpss as f64).max(1.0)
    );
}
