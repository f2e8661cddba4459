//! The next cycle (`project clone`) and schema migration 5 on a committed
//! schema-1 database (`tests/fixtures/projects/schema1.iovaudit`).

mod common;

use common::{bin, repo, scratch, Run};
use iovaudit::project::Project;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("entry");
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).expect("copy");
        }
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn run(args: &[&str]) -> Run {
    let out = bin()
        .args(args)
        .env("IOVAUDIT_USER", "甲")
        .output()
        .expect("run iovaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(args: &[&str]) -> String {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("json")
}

fn fixture(root: &Path, name: &str) -> PathBuf {
    let dir = root.join("src.iovaudit");
    copy_dir(&repo().join("tests/fixtures/projects").join(name), &dir);
    dir
}

fn count(dir: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(dir.join("project.db"))
        .expect("db")
        .query_row(sql, [], |r| r.get(0))
        .expect("count")
}

#[test]
fn clone_starts_the_next_cycle() {
    let root = scratch("clone_next_cycle");
    let src = fixture(&root, "gb44495-2026.1.iovaudit");
    ok(&["assign", s(&src), "乙", "N103"]);
    ok(&["finding", "update", s(&src), "2", "--status", "fixed"]);
    let snapshot = {
        let p = Project::open_read_only(&src).expect("open");
        iovaudit::assess::snapshot_hash(&p).expect("snapshot")
    };
    let next = root.join("next.iovaudit");
    let out = ok(&[
        "--lang",
        "en",
        "project",
        "clone",
        s(&src),
        "--out",
        s(&next),
        "--with-evidence",
    ]);
    assert!(out.contains("9 previous verdict(s)"), "{out}");
    assert!(out.contains("pack GB44495: 2026.1 →"), "{out}");

    // Verdicts reset; last cycle's kept as reference, shown by assess list.
    assert_eq!(count(&next, "SELECT COUNT(*) FROM verdict"), 0);
    let list = json(&["assess", "list", s(&next), "--json"]);
    assert!(list["requirements"]
        .as_array()
        .expect("list")
        .iter()
        .all(|r| r["recorded"].is_null()));
    assert_eq!(
        list["previous"]["N103-01"]["verdict"], "conform",
        "{}",
        list["previous"]
    );
    let text = ok(&["--lang", "en", "assess", "list", s(&next), "--pack", "N103"]);
    assert!(text.contains("last cycle: conformant"), "{text}");
    // Scope answers, assignments, open findings and evidence carried.
    assert_eq!(
        count(&next, "SELECT COUNT(*) FROM scope_answer"),
        count(&src, "SELECT COUNT(*) FROM scope_answer")
    );
    let mine = json(&["assess", "list", s(&next), "--mine", "乙", "--json"]);
    assert!(!mine["requirements"].as_array().expect("mine").is_empty());
    assert!(mine["requirements"]
        .as_array()
        .expect("mine")
        .iter()
        .all(|r| r["pack"] == "N103"));
    assert_eq!(count(&next, "SELECT COUNT(*) FROM finding"), 1);
    assert_eq!(
        count(&next, "SELECT COUNT(*) FROM finding WHERE status <> 'open'"),
        0
    );
    assert_eq!(count(&next, "SELECT COUNT(*) FROM evidence"), 2);
    ok(&["evidence", "verify", s(&next)]);
    // Packs at the library's newest content.
    let st = json(&["status", s(&next), "--json"]);
    assert!(
        st["pack_versions"]
            .as_array()
            .expect("versions")
            .iter()
            .all(|v| v["differs"] == false),
        "{}",
        st["pack_versions"]
    );
    assert_eq!(st["journal"]["intact"], true);
    assert_eq!(st["project"]["state"], "draft");
    let who = st["assessors"].as_array().expect("assessors");
    assert!(who.iter().any(|a| a["assessor"] == "乙"), "{who:?}");
    // A new journal whose first entry names the source snapshot.
    let c = rusqlite::Connection::open(next.join("project.db")).expect("db");
    let entries = iovaudit::journal::entries(&c).expect("entries");
    assert_eq!(entries[0].seq, 1);
    assert_eq!(entries[0].action, "project.clone");
    assert_eq!(entries[0].detail["source_snapshot"], snapshot.as_str());
    // A new project identity.
    let u = |d: &Path| -> String {
        rusqlite::Connection::open(d.join("project.db"))
            .expect("db")
            .query_row("SELECT uuid FROM project", [], |r| r.get(0))
            .expect("uuid")
    };
    assert_ne!(u(&src), u(&next));
    // Without evidence: no records, no files; an existing target is refused.
    let lean = root.join("lean.iovaudit");
    ok(&["project", "clone", s(&src), "--out", s(&lean)]);
    assert_eq!(count(&lean, "SELECT COUNT(*) FROM evidence"), 0);
    let r = run(&[
        "--lang",
        "en",
        "project",
        "clone",
        s(&src),
        "--out",
        s(&lean),
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
}

#[test]
fn a_schema_1_database_migrates_to_5_keeping_its_data_with_deterministic_uuids() {
    let root = scratch("clone_schema1");
    let one = fixture(&root, "schema1.iovaudit");
    let two = root.join("copy.iovaudit");
    copy_dir(&one, &two);
    let v = |d: &Path| count(d, "PRAGMA user_version");
    assert_eq!(v(&one), 1, "the committed fixture is schema 1");
    let before = [
        count(&one, "SELECT COUNT(*) FROM verdict"),
        count(&one, "SELECT COUNT(*) FROM evidence"),
        count(&one, "SELECT COUNT(*) FROM finding"),
        count(&one, "SELECT COUNT(*) FROM scope_answer"),
        count(&one, "SELECT COUNT(*) FROM evidence_link"),
    ];
    for d in [&one, &two] {
        drop(Project::open(d).expect("a writable open migrates"));
        assert_eq!(v(d), iovaudit::project::SCHEMA_VERSION);
        let after = [
            count(d, "SELECT COUNT(*) FROM verdict"),
            count(d, "SELECT COUNT(*) FROM evidence"),
            count(d, "SELECT COUNT(*) FROM finding"),
            count(d, "SELECT COUNT(*) FROM scope_answer"),
            count(d, "SELECT COUNT(*) FROM evidence_link"),
        ];
        assert_eq!(after, before);
        assert_eq!(count(d, "SELECT COUNT(*) FROM verdict_history"), before[0]);
        ok(&["journal", "verify", s(d)]);
        ok(&["evidence", "verify", s(d)]);
    }
    let uuids = |d: &Path| -> Vec<String> {
        let c = rusqlite::Connection::open(d.join("project.db")).expect("db");
        let mut st = c
            .prepare("SELECT 'p' || uuid FROM project UNION ALL SELECT 'e' || id || uuid FROM evidence UNION ALL SELECT 'f' || id || uuid FROM finding ORDER BY 1")
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("q")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    let (a, b) = (uuids(&one), uuids(&two));
    assert_eq!(a.len(), 5);
    assert_eq!(a, b, "two copies migrated apart get the same uuids");
    // v5 (name-based), and the same as the committed schema-5 fixture made from the same data.
    assert!(
        a.iter()
            .all(|u| u.len() >= 36 && u.as_bytes()[u.len() - 22] == b'5'),
        "{a:?}"
    );
    let fx = repo().join("tests/fixtures/projects/gb44495-2026.1.iovaudit");
    assert_eq!(a, uuids(&fx));
    // A row added after the migration gets a random (v4) uuid.
    let f = root.join("new.txt");
    std::fs::write(&f, "new").expect("write");
    ok(&["evidence", "add", s(&one), s(&f)]);
    let c = rusqlite::Connection::open(one.join("project.db")).expect("db");
    let u: String = c
        .query_row(
            "SELECT uuid FROM evidence ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("uuid");
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4", "{u}");
    assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
}
