//! Benchmark: loading and validating every checklist pack.
//!
//! Prints the time to load the built-in library (parse + validate all packs,
//! questions and mappings) and, as the reference in the same run, the time
//! Python's standard `tomllib` takes only to parse the same files (no
//! validation). Target: well under 100 ms.
//!
//! Run: `cargo bench --bench pack_load`

use std::process::Command;
use std::time::Instant;

fn main() {
    let runs = 20;
    // Warm up once.
    let lib = iovaudit::pack::builtin().unwrap_or_else(|d| {
        eprintln!("built-in library has {} problems", d.len());
        std::process::exit(1)
    });
    let reqs: usize = lib.packs.iter().map(|p| p.requirement_count()).sum();
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let lib = iovaudit::pack::builtin();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(lib.is_ok());
    }
    times.sort_by(f64::total_cmp);
    let median = times[runs / 2];
    let max = times[runs - 1];

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/checklists");
    let py = format!(
        "import tomllib,pathlib,time\nfs=sorted(pathlib.Path('{dir}').rglob('*.toml'))\nbs=[f.read_bytes().decode() for f in fs]\nts=[]\nfor _ in range({runs}):\n  t=time.perf_counter()\n  [tomllib.loads(b) for b in bs]\n  ts.append((time.perf_counter()-t)*1000)\nts.sort()\nprint(ts[len(ts)//2])"
    );
    let reference = Command::new("python3")
        .args(["-c", &py])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok());

    println!(
        "pack library: {} packs, {} requirements, {} files",
        lib.packs.len(),
        reqs,
        iovaudit::pack::builtin_sources().len()
    );
    println!("load + validate (median of {runs}): {median:.2} ms  (max {max:.2} ms; target < 100 ms: {})", if max < 100.0 { "PASS" } else { "MISS" });
    match reference {
        Some(r) => println!(
            "python3 tomllib parse only (median): {r:.2} ms  -> ratio ours/tomllib = {:.2}",
            median / r
        ),
        None => println!("python3 tomllib reference not available"),
    }
}
