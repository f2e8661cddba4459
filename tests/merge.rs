//! `bundle merge`: two copies of one project diverge (different requirements
//! judged, one verdict conflict and one scope conflict, the same evidence
//! file added on both sides, new findings on both), each bundles its work
//! and merges the other's. The results agree, the shared file is stored
//! once, both journals and the imported chains verify, the conflicts are
//! listed with both sides and resolved as asked, and merging again changes
//! nothing.

mod common;

use common::{bin, repo, scratch, Run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const PW: &str = "team-pass";

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

fn run_as(who: &str, args: &[&str]) -> Run {
    let out = bin()
        .args(args)
        .env("IOVAUDIT_PASSWORD", PW)
        .env("IOVAUDIT_USER", who)
        .output()
        .expect("run iovaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(who: &str, args: &[&str]) -> String {
    let r = run_as(who, args);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

fn json(who: &str, args: &[&str]) -> Value {
    serde_json::from_str(&ok(who, args)).expect("json")
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("project.db")).expect("db")
}

fn rows(dir: &Path, sql: &str) -> BTreeSet<Vec<String>> {
    let c = db(dir);
    let mut st = c.prepare(sql).expect("prepare");
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Null => "NULL".into(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .expect("query")
    .collect::<rusqlite::Result<_>>()
    .expect("rows")
}

struct Team {
    root: PathBuf,
    a: PathBuf,
    b: PathBuf,
}

/// 甲 holds the project, hands a copy to 乙 as a bundle; both work.
fn diverged(name: &str) -> Team {
    let root = scratch(name);
    let a = root.join("a.iovaudit");
    copy_dir(
        &repo().join("tests/fixtures/projects/gb44495-2026.1.iovaudit"),
        &a,
    );
    ok("甲", &["assign", s(&a), "乙", "N103"]);
    let start = root.join("start.iovbundle");
    ok(
        "甲",
        &[
            "bundle",
            "export",
            s(&a),
            "--out",
            s(&start),
            "--with-evidence",
        ],
    );
    let b = root.join("b.iovaudit");
    ok("乙", &["bundle", "import", s(&start), "--out", s(&b)]);
    // Different requirements judged.
    ok("甲", &["assess", "set", s(&a), "GB44495-7.1.3", "符合"]);
    ok("乙", &["assess", "set", s(&b), "N103-02", "符合"]);
    // One conflict: the same requirement judged differently.
    ok(
        "甲",
        &[
            "assess",
            "set",
            s(&a),
            "N103-03",
            "不符合",
            "--note",
            "甲：未见制度文件",
        ],
    );
    ok(
        "乙",
        &[
            "assess",
            "set",
            s(&b),
            "N103-03",
            "部分符合",
            "--note",
            "乙：制度有，未落实",
        ],
    );
    // A scope conflict.
    ok("甲", &["scope", "set", s(&a), "platform_level=2"]);
    ok("乙", &["scope", "set", s(&b), "platform_level=4"]);
    // The same evidence file added on both sides, linked to different requirements.
    let shared = root.join("安全管理制度.txt");
    std::fs::write(&shared, "网络安全管理制度 v3\n").expect("write");
    ok(
        "甲",
        &[
            "evidence",
            "add",
            s(&a),
            s(&shared),
            "--requirement",
            "GB44495-7.1.3",
        ],
    );
    ok(
        "乙",
        &[
            "evidence",
            "add",
            s(&b),
            s(&shared),
            "--requirement",
            "N103-02",
        ],
    );
    // A file only 乙 has.
    let only_b = root.join("访谈记录.txt");
    std::fs::write(&only_b, "访谈：运维负责人\n").expect("write");
    ok(
        "乙",
        &[
            "evidence",
            "add",
            s(&b),
            s(&only_b),
            "--requirement",
            "N103-03",
        ],
    );
    // New findings on both sides.
    ok(
        "甲",
        &[
            "finding",
            "add",
            s(&a),
            "--requirement",
            "GB44495-7.1.3",
            "--title",
            "日志保存不足六个月",
        ],
    );
    ok(
        "乙",
        &[
            "finding",
            "add",
            s(&b),
            "--requirement",
            "N103-03",
            "--title",
            "制度未落实",
        ],
    );
    Team { root, a, b }
}

fn snapshot(dir: &Path) -> Vec<BTreeSet<Vec<String>>> {
    vec![
        rows(dir, "SELECT requirement, verdict, note, assessor, at, confirmed FROM verdict"),
        rows(dir, "SELECT question, value, answered_by, answered_at FROM scope_answer"),
        rows(dir, "SELECT uuid, requirement, title, status, updated_at FROM finding"),
        rows(dir, "SELECT DISTINCT sha256 FROM evidence_revision"),
        rows(dir, "SELECT l.requirement, r.sha256 FROM evidence_link l JOIN evidence_revision r ON r.evidence_id = l.evidence_id"),
        rows(dir, "SELECT pattern, assignee FROM assignment"),
    ]
}

#[test]
fn two_copies_merge_both_ways_and_agree() {
    let t = diverged("merge_both_ways");
    let (a, b) = (&t.a, &t.b);
    let from_a = t.root.join("from-a.iovbundle");
    let from_b = t.root.join("from-b.iovbundle");
    ok(
        "甲",
        &[
            "bundle",
            "export",
            s(a),
            "--out",
            s(&from_a),
            "--with-evidence",
        ],
    );
    ok(
        "乙",
        &[
            "bundle",
            "export",
            s(b),
            "--out",
            s(&from_b),
            "--with-evidence",
            "--sm4",
        ],
    );

    // A dry run lists both conflicts with both sides, and changes nothing.
    let before = std::fs::read(a.join("project.db")).expect("db");
    let d = json(
        "甲",
        &["bundle", "merge", s(a), s(&from_b), "--dry-run", "--json"],
    );
    let m = &d["merge"];
    assert_eq!(m["dry_run"], true);
    let conflicts = m["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 2, "{m}");
    let v = conflicts
        .iter()
        .find(|c| c["kind"] == "verdict")
        .expect("verdict conflict");
    assert_eq!(v["item"], "N103-03");
    assert_eq!(v["ours"]["value"], "nonconform");
    assert_eq!(v["ours"]["by"], "甲");
    assert_eq!(v["ours"]["note"], "甲：未见制度文件");
    assert_eq!(v["theirs"]["value"], "partial");
    assert_eq!(v["theirs"]["by"], "乙");
    assert_eq!(v["theirs"]["note"], "乙：制度有，未落实");
    assert!(v["ours"]["at"].as_str().is_some_and(|x| !x.is_empty()));
    assert!(v["resolution"].is_null());
    let sc = conflicts
        .iter()
        .find(|c| c["kind"] == "scope")
        .expect("scope conflict");
    assert_eq!(sc["item"], "platform_level");
    assert_eq!(m["verdicts_taken"], serde_json::json!(["N103-02"]));
    assert_eq!(m["evidence"]["matched_by_hash"], 1, "{m}");
    assert_eq!(std::fs::read(a.join("project.db")).expect("db"), before);
    let leftovers: Vec<_> = std::fs::read_dir(a)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folder left: {leftovers:?}");

    // Unresolved conflicts refuse the merge (in English with --lang en).
    let r = run_as("甲", &["--lang", "en", "bundle", "merge", s(a), s(&from_b)]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("2 conflict(s) unresolved"),
        "{}",
        r.stderr
    );

    // 甲 takes 乙's verdict on N103-03 and 乙's scope answer; 乙 keeps his own.
    let m = json(
        "甲",
        &[
            "bundle",
            "merge",
            s(a),
            s(&from_b),
            "--take-req",
            "N103-03=theirs",
            "--take-req",
            "platform_level=theirs",
            "--json",
        ],
    )["merge"]
        .clone();
    assert_eq!(m["conflicts"].as_array().map(Vec::len), Some(2));
    let m2 = json(
        "乙",
        &[
            "bundle",
            "merge",
            s(b),
            s(&from_a),
            "--take",
            "ours",
            "--json",
        ],
    )["merge"]
        .clone();
    assert_eq!(m2["conflicts"].as_array().map(Vec::len), Some(2), "{m2}");

    // The results agree.
    let (sa, sb) = (snapshot(a), snapshot(b));
    for (i, (x, y)) in sa.iter().zip(&sb).enumerate() {
        assert_eq!(x, y, "table {i} differs");
    }
    let n103_03 = rows(
        a,
        "SELECT verdict, assessor FROM verdict WHERE requirement = 'N103-03'",
    );
    assert_eq!(
        n103_03,
        BTreeSet::from([vec!["partial".to_string(), "乙".to_string()]])
    );
    assert_eq!(sa[2].len(), 4, "two fixture findings + one from each side");

    // The shared file: one record and one stored file on each side.
    let sha = std::process::Command::new("sha256sum")
        .arg(t.root.join("安全管理制度.txt"))
        .output()
        .expect("sha256sum");
    let sha = String::from_utf8_lossy(&sha.stdout)[..64].to_string();
    for dir in [a, b] {
        let n = rows(
            dir,
            &format!("SELECT evidence_id FROM evidence_revision WHERE sha256 = '{sha}'"),
        );
        assert_eq!(n.len(), 1, "{}", dir.display());
        let stored: Vec<_> = walk(&dir.join("vault"))
            .into_iter()
            .filter(|p| p.ends_with(&sha))
            .collect();
        assert_eq!(stored.len(), 1);
        let r = run_as("甲", &["evidence", "verify", s(dir)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }

    // Both journals verify, and so do the chains they received.
    for dir in [a, b] {
        let r = run_as("甲", &["journal", "verify", s(dir)]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let chains = iovaudit::journal::verify_imported(&db(dir)).expect("chains");
        assert_eq!(chains.len(), 1);
        assert!(chains[0].breaks.is_empty(), "{:?}", chains[0]);
    }
    // The merge entry names the other chain's head, its length and each resolution.
    let entries = iovaudit::journal::entries(&db(a)).expect("entries");
    let last = entries.last().expect("entry");
    assert_eq!(last.action, "bundle.merge");
    let chain = iovaudit::journal::verify_imported(&db(a))
        .expect("chains")
        .remove(0);
    assert_eq!(last.detail["chain_head"], chain.head_hash.as_str());
    assert_eq!(last.detail["chain_entries"], chain.entries);
    let res = last.detail["resolutions"].as_array().expect("resolutions");
    assert!(
        res.iter()
            .any(|r| r["item"] == "N103-03" && r["take"] == "theirs"),
        "{res:?}"
    );

    // Merging the same bundle again changes nothing.
    let before = std::fs::read(a.join("project.db")).expect("db");
    let n = entries.len();
    let m = json("甲", &["bundle", "merge", s(a), s(&from_b), "--json"])["merge"].clone();
    assert_eq!(m["unchanged"], true, "{m}");
    assert_eq!(
        iovaudit::journal::entries(&db(a)).expect("entries").len(),
        n
    );
    assert_eq!(snapshot(a), sa);
    let _ = before;
    // A tampered imported chain is reported.
    let c = db(a);
    c.execute("UPDATE journal_import SET actor = 'X' WHERE seq = 3", [])
        .expect("tamper");
    let chains = iovaudit::journal::verify_imported(&c).expect("chains");
    assert!(!chains[0].breaks.is_empty());
}

fn walk(d: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).expect("ls").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn another_project_a_lean_bundle_a_wrong_password_and_an_approved_project() {
    let t = diverged("merge_refusals");
    let other = t.root.join("other.iovaudit");
    ok(
        "甲",
        &[
            "project",
            "init",
            s(&other),
            "--name",
            "另一个",
            "--assessee",
            "某公司",
            "--packs",
            "N103",
        ],
    );
    let ob = t.root.join("other.iovbundle");
    ok("甲", &["bundle", "export", s(&other), "--out", s(&ob)]);
    let r = run_as("甲", &["--lang", "en", "bundle", "merge", s(&t.a), s(&ob)]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("comes from another project"),
        "{}",
        r.stderr
    );
    // Without evidence, a record whose file the bundle lacks is left out and said so.
    let nb = t.root.join("no-ev.iovbundle");
    ok("乙", &["bundle", "export", s(&t.b), "--out", s(&nb)]);
    let m = json(
        "甲",
        &["bundle", "merge", s(&t.a), s(&nb), "--dry-run", "--json"],
    )["merge"]
        .clone();
    let skipped = m["evidence"]["skipped_no_file"]
        .as_array()
        .expect("skipped");
    assert_eq!(skipped.len(), 1, "{m}");
    // Wrong password: refused, nothing changed.
    let before = std::fs::read(t.a.join("project.db")).expect("db");
    let out = bin()
        .args([
            "--lang",
            "en",
            "bundle",
            "merge",
            s(&t.a),
            s(&nb),
            "--take",
            "theirs",
        ])
        .env("IOVAUDIT_PASSWORD", "nope")
        .env("IOVAUDIT_USER", "甲")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong password"));
    assert_eq!(std::fs::read(t.a.join("project.db")).expect("db"), before);
    // An approved project refuses a merge, and no file enters its vault.
    let eb = t.root.join("with-ev.iovbundle");
    ok(
        "乙",
        &[
            "bundle",
            "export",
            s(&t.b),
            "--out",
            s(&eb),
            "--with-evidence",
        ],
    );
    db(&t.a)
        .execute("UPDATE project SET state = 'approved'", [])
        .expect("approve");
    let vault_before = walk(&t.a.join("vault"));
    let r = run_as(
        "甲",
        &[
            "--lang",
            "en",
            "bundle",
            "merge",
            s(&t.a),
            s(&eb),
            "--take",
            "theirs",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("approved"), "{}", r.stderr);
    assert_eq!(walk(&t.a.join("vault")), vault_before);
}
