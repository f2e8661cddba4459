//! The paged evidence listing (`evidence::page`) on a project of 100,000
//! items: every page, sort and filter is checked against the full list
//! (`evidence::list`) sorted and filtered here in Rust, the oracle.
//!
//! The project: 20 real files added through `evidence::add` (vault, hashes),
//! then 99,980 more records of those stored files (`evidence::record_copies`).
//! With `IOVAUDIT_BENCH_PROJECT=DIR` the ignored test `make_bench_project`
//! leaves such a project in DIR for scripts/bench-app.sh.

mod common;

use iovaudit::evidence::{self, Item, PageQuery, SortKey};
use iovaudit::pack;
use iovaudit::project::{Kind, NewProject, Project, ProjectError};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;
use std::time::Instant;

const N: usize = 100_000;
const REAL: usize = 20;

fn make_project(dir: &Path, n: usize) -> Project {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("src dir");
    let mut files = Vec::new();
    for i in 0..REAL {
        let f = src.join(format!("原始证据-{i:02}.txt"));
        std::fs::write(&f, format!("证据内容 {i}\n").repeat(i + 1)).expect("write");
        files.push(f);
    }
    let new = NewProject {
        name: "十万证据".into(),
        assessee: "测试企业".into(),
        kind: Kind::SelfCheck,
        organisation: String::new(),
        packs: vec!["N134".into()],
        by: "tester".into(),
    };
    let mut p = Project::init(
        &dir.join("big.iovaudit"),
        &new,
        pack::builtin().expect("library"),
    )
    .expect("init");
    let opts = evidence::AddOptions {
        requirements: vec!["N134-01".into()],
        ..Default::default()
    };
    let r = evidence::add(
        &mut p,
        "tester",
        &files,
        &opts,
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("add");
    assert_eq!(r.added.len(), REAL, "{:?}", r.failed);
    // Mixed case and a Chinese part, so search and title sorting have work to do.
    let name = |i: usize| {
        let k = (i * 7919) % (n - REAL);
        format!(
            "Evidence-{k:06}-{}.TXT",
            ["日志", "制度", "Scan", "config"][i % 4]
        )
    };
    let t = Instant::now();
    let ids = evidence::record_copies(&mut p, "tester", n - REAL, &name).expect("copies");
    eprintln!("recorded {} copies in {:?}", ids.len(), t.elapsed());
    assert_eq!(ids.len(), n - REAL);
    // A few links beyond the first files.
    for id in [500_i64, 50_000, 99_999] {
        evidence::link(&mut p, "tester", id, "N134-02").expect("link");
    }
    p
}

struct Fixture {
    project: Project,
    all: Vec<Item>,
}

// One project for every test in this file (building it is the slow part).
fn fixture() -> &'static std::sync::Mutex<Fixture> {
    static F: OnceLock<std::sync::Mutex<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = common::scratch("evidence_page");
        let project = make_project(&dir, N);
        let all = evidence::list(&project).expect("list");
        std::sync::Mutex::new(Fixture { project, all })
    })
}

fn q(offset: u64, limit: u64, sort: SortKey, descending: bool, search: &str) -> PageQuery {
    PageQuery {
        offset,
        limit,
        sort,
        descending,
        search: search.into(),
        requirement: None,
    }
}

fn ids(items: &[Item]) -> Vec<i64> {
    items.iter().map(|i| i.id).collect()
}

/// The oracle: sort the full list in Rust (ties by id, in the same direction).
fn sorted(all: &[Item], key: SortKey, desc: bool) -> Vec<i64> {
    let mut v: Vec<&Item> = all.iter().collect();
    v.sort_by(|a, b| {
        let o = match key {
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::Title => a.title.as_bytes().cmp(b.title.as_bytes()),
            SortKey::Name => a.original_name.as_bytes().cmp(b.original_name.as_bytes()),
            SortKey::Size => a.size.cmp(&b.size),
            SortKey::CollectedAt => a.collected_at.cmp(&b.collected_at),
            SortKey::Revision => a.revision.cmp(&b.revision),
        }
        .then(a.id.cmp(&b.id));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
    v.into_iter().map(|i| i.id).collect()
}

/// The oracle for search: the same fields, ASCII case folded.
fn matches(i: &Item, needle: &str) -> bool {
    let n = needle.to_ascii_lowercase();
    let hay = [
        format!("#{}", i.id),
        i.title.clone(),
        i.original_name.clone(),
        i.original_path.clone(),
        i.collected_by.clone(),
        i.collected_at.clone(),
        i.sha256.clone(),
        i.sm3.clone(),
        i.note.clone(),
    ];
    hay.iter().any(|h| h.to_ascii_lowercase().contains(&n))
        || i.requirements
            .iter()
            .any(|r| r.to_ascii_lowercase().contains(&n))
}

#[test]
fn first_and_last_pages_of_100k() {
    let f = fixture().lock().expect("fixture");
    assert_eq!(f.all.len(), N);
    let t = Instant::now();
    let p = evidence::page(&f.project, &q(0, 50, SortKey::Id, false, "")).expect("page");
    eprintln!("first page of {N}: {:?}", t.elapsed());
    assert_eq!((p.total, p.all, p.offset), (N as u64, N as u64, 0));
    assert_eq!(ids(&p.items), (1..=50).collect::<Vec<i64>>());
    // Every field as the full listing has it.
    for (a, b) in p.items.iter().zip(&f.all) {
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::to_value(b).unwrap()
        );
    }
    let p =
        evidence::page(&f.project, &q(N as u64 - 10, 50, SortKey::Id, false, "")).expect("last");
    assert_eq!(
        ids(&p.items),
        ((N as i64 - 9)..=N as i64).collect::<Vec<i64>>()
    );
    let p =
        evidence::page(&f.project, &q(N as u64 + 5, 50, SortKey::Id, false, "")).expect("beyond");
    assert!(p.items.is_empty());
    assert_eq!(p.total, N as u64);
    let p = evidence::page(&f.project, &q(0, 3, SortKey::Id, true, "")).expect("desc");
    assert_eq!(ids(&p.items), vec![N as i64, N as i64 - 1, N as i64 - 2]);
}

#[test]
fn every_sort_matches_the_oracle() {
    let f = fixture().lock().expect("fixture");
    for key in [
        SortKey::Title,
        SortKey::Name,
        SortKey::Size,
        SortKey::CollectedAt,
        SortKey::Revision,
    ] {
        for desc in [false, true] {
            let want = sorted(&f.all, key, desc);
            let t = Instant::now();
            let first = evidence::page(&f.project, &q(0, 200, key, desc, "")).expect("page");
            eprintln!("{key:?} desc={desc}: first page in {:?}", t.elapsed());
            assert_eq!(ids(&first.items), want[..200], "{key:?} desc={desc}");
            // A page in the middle and the last one.
            let mid = evidence::page(&f.project, &q(54_321, 100, key, desc, "")).expect("mid");
            assert_eq!(
                ids(&mid.items),
                want[54_321..54_421],
                "{key:?} desc={desc} middle"
            );
            let last =
                evidence::page(&f.project, &q(N as u64 - 7, 100, key, desc, "")).expect("last");
            assert_eq!(ids(&last.items), want[N - 7..], "{key:?} desc={desc} last");
        }
    }
}

#[test]
fn consecutive_pages_cover_every_row_once() {
    let f = fixture().lock().expect("fixture");
    // Sizes repeat 5,000 times each: the tie-break by id must keep pages apart.
    let want = sorted(&f.all, SortKey::Size, true);
    let mut got = Vec::new();
    let mut offset = 0;
    loop {
        let p =
            evidence::page(&f.project, &q(offset, 1000, SortKey::Size, true, "")).expect("page");
        if p.items.is_empty() {
            break;
        }
        offset += p.items.len() as u64;
        got.extend(ids(&p.items));
    }
    assert_eq!(got.len(), N);
    assert_eq!(got, want);
}

#[test]
fn search_across_all_rows() {
    let f = fixture().lock().expect("fixture");
    let sha = f.all[7].sha256.clone();
    let cases = [
        "evidence-000123-", // one title, case folded
        "EVIDENCE-0991",    // a prefix shared by a few
        "制度",             // Chinese
        "原始证据-1",       // the real files' names
        &sha[..20],         // a hash prefix
        "#9999",            // ids, as shown
        "n134-02",          // a linked requirement, lower case
        "tester",           // the collector: every row
        "no such evidence", // nothing
    ];
    for needle in cases {
        let want: Vec<i64> = f
            .all
            .iter()
            .filter(|i| matches(i, needle))
            .map(|i| i.id)
            .collect();
        let t = Instant::now();
        let p =
            evidence::page(&f.project, &q(0, 1000, SortKey::Id, false, needle)).expect("search");
        eprintln!("search {needle:?}: {} of {N} in {:?}", p.total, t.elapsed());
        assert_eq!(p.total, want.len() as u64, "{needle}");
        assert_eq!(p.all, N as u64);
        assert_eq!(ids(&p.items), want[..want.len().min(1000)], "{needle}");
    }
    // Found, sorted and paged together: the last rows of a search by title, descending.
    let want: Vec<i64> = {
        let hits: Vec<Item> = f
            .all
            .iter()
            .filter(|i| matches(i, "scan"))
            .cloned()
            .collect();
        sorted(&hits, SortKey::Title, true)
    };
    let p = evidence::page(
        &f.project,
        &q(want.len() as u64 - 30, 50, SortKey::Title, true, "  Scan "),
    )
    .expect("search");
    assert_eq!(p.total, want.len() as u64);
    assert_eq!(ids(&p.items), want[want.len() - 30..]);
}

#[test]
fn filter_by_requirement_and_link_far_rows() {
    let mut f = fixture().lock().expect("fixture");
    let by_req = |req: &str, project: &Project| {
        evidence::page(
            project,
            &PageQuery {
                requirement: Some(req.into()),
                limit: 1000,
                ..Default::default()
            },
        )
        .expect("filter")
    };
    let p = by_req("N134-02", &f.project);
    assert_eq!(ids(&p.items), vec![500, 50_000, 99_999]);
    assert_eq!(by_req("N134-01", &f.project).total, REAL as u64);
    // Linking the last row shows at once, in the filter and in its item.
    evidence::link(&mut f.project, "tester", N as i64, "N134-02").expect("link");
    let p = by_req("N134-02", &f.project);
    assert_eq!(ids(&p.items), vec![500, 50_000, 99_999, N as i64]);
    assert_eq!(p.items[3].requirements, vec!["N134-02".to_string()]);
    // The filter and the search together.
    let p = evidence::page(
        &f.project,
        &PageQuery {
            requirement: Some("N134-02".into()),
            search: format!("#{N}"),
            ..Default::default()
        },
    )
    .expect("both");
    assert_eq!(ids(&p.items), vec![N as i64]);
    evidence::unlink(&mut f.project, "tester", N as i64, "N134-02").expect("unlink");
    assert_eq!(by_req("N134-02", &f.project).total, 3);
}

#[test]
fn bad_page_sizes_are_refused_in_both_languages() {
    let f = fixture().lock().expect("fixture");
    for limit in [0, 1001] {
        let e =
            evidence::page(&f.project, &q(0, limit, SortKey::Id, false, "")).expect_err("refused");
        let ProjectError::Invalid(t) = &e else {
            panic!("unexpected error {e:?}");
        };
        assert!(
            t.zh.contains(&limit.to_string()) && t.zh.contains("每页条数"),
            "{}",
            t.zh
        );
        assert!(
            t.en.contains(&limit.to_string()) && t.en.contains("page size"),
            "{}",
            t.en
        );
    }
    let e =
        evidence::page(&f.project, &q(u64::MAX, 10, SortKey::Id, false, "")).expect_err("refused");
    assert!(e.to_string().contains("offset"), "{e}");
}

/// Leaves a project of 100,000 items in $IOVAUDIT_BENCH_PROJECT (for scripts/bench-app.sh).
#[test]
#[ignore]
fn make_bench_project() {
    let Some(dir) = std::env::var_os("IOVAUDIT_BENCH_PROJECT") else {
        panic!("set IOVAUDIT_BENCH_PROJECT to a new folder");
    };
    let dir = std::path::PathBuf::from(dir);
    let n = std::env::var("BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(N);
    let p = make_project(&dir, n);
    // The core alone, for scale (the app adds IPC and rendering).
    for (what, query) in [
        ("first page", q(0, 20, SortKey::Id, false, "")),
        ("sorted by size", q(0, 20, SortKey::Size, true, "")),
        (
            "search one title",
            q(0, 20, SortKey::Id, false, "evidence-000123-"),
        ),
    ] {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            evidence::page(&p, &query).expect("page");
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        eprintln!("core: {what} of {n}: {best:.1} ms (best of 3)");
    }
    drop(p);
    println!("{}", dir.join("big.iovaudit").display());
}
