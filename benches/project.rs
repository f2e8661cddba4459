//! Benchmark: a large project — 200,000 evidence rows over 2,000
//! requirements — opened, and one requirement's evidence listed.
//! Target (issue 3): each under 50 ms. The reference in the same run is the
//! `sqlite3` shell (if installed) running the same listing query.
//!
//! Run: `cargo bench --bench project`

use iovaudit::evidence;
use iovaudit::project::{Kind, NewProject, Project};
use rusqlite::params;
use std::time::Instant;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-project.iovaudit");
    let rows = 200_000i64;
    let reqs: Vec<String> = {
        let lib = iovaudit::pack::builtin().expect("library");
        lib.packs
            .iter()
            .flat_map(|p| p.requirements().map(|r| r.id.clone()))
            .collect()
    };
    if !dir.join("project.db").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let lib = iovaudit::pack::builtin().expect("library");
        let ids: Vec<String> = lib.packs.iter().map(|p| p.id.clone()).collect();
        let new = NewProject {
            name: "bench".into(),
            assessee: "bench".into(),
            kind: Kind::SelfCheck,
            organisation: String::new(),
            packs: ids,
            by: "bench".into(),
        };
        let p = Project::init(&dir, &new, lib).expect("init");
        let t = Instant::now();
        let c = p.conn();
        c.execute_batch("BEGIN").expect("begin");
        {
            let mut ev = c.prepare("INSERT INTO evidence (id, title, method, collected_at, collected_by) VALUES (?1, ?2, 'examine', '2026-11-22T00:00:00Z', 'bench')").expect("prep");
            let mut rev = c
                .prepare("INSERT INTO evidence_revision (evidence_id, revision, original_name, original_path, size, sha256, sm3, added_at, added_by) VALUES (?1, 1, ?2, ?2, 1234, ?3, ?3, '2026-11-22T00:00:00Z', 'bench')")
                .expect("prep");
            let mut link = c.prepare("INSERT INTO evidence_link (requirement, evidence_id, linked_by, linked_at) VALUES (?1, ?2, 'bench', '2026-11-22T00:00:00Z')").expect("prep");
            for i in 1..=rows {
                let name = format!("file-{i}.pdf");
                let sha = format!("{:064x}", i);
                ev.execute(params![i, name]).expect("ev");
                rev.execute(params![i, name, sha]).expect("rev");
                // Spread links over 2,000 requirement ids (real ones first, then synthetic).
                let r = (i as usize) % 2000;
                let rid = reqs.get(r).cloned().unwrap_or_else(|| format!("SYN-{r}"));
                link.execute(params![rid, i]).expect("link");
            }
        }
        c.execute_batch("COMMIT").expect("commit");
        eprintln!("built {rows} rows in {:.1} s", t.elapsed().as_secs_f64());
    }
    let target = &reqs[17];
    let mut open_ms = Vec::new();
    let mut list_ms = Vec::new();
    let mut n = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let p = Project::open(&dir).expect("open");
        open_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        n = evidence::for_requirement(&p, target).expect("list").len();
        list_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    open_ms.sort_by(f64::total_cmp);
    list_ms.sort_by(f64::total_cmp);
    let verdict = |ms: f64| if ms < 50.0 { "PASS" } else { "MISS" };
    println!("project with {rows} evidence rows, 2,000 requirements");
    println!("open project (incl. loading the checklist library), median of 10: {:.2} ms  target < 50 ms: {}", open_ms[5], verdict(open_ms[5]));
    println!(
        "list one requirement's evidence ({n} items), median of 10: {:.2} ms  target < 50 ms: {}",
        list_ms[5],
        verdict(list_ms[5])
    );
    let q = format!(
        "SELECT count(*) FROM evidence e JOIN evidence_revision r ON r.evidence_id = e.id WHERE e.id IN (SELECT evidence_id FROM evidence_link WHERE requirement = '{target}');"
    );
    let t = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(dir.join("project.db"))
        .arg(&q)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            println!("reference: sqlite3 shell, same listing (process start included): {ms:.2} ms  ratio ours/sqlite3 = {:.2}", list_ms[5] / ms);
        }
        _ => println!("reference: sqlite3 shell not installed (apt-get install sqlite3)"),
    }
}
