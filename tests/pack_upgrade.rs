//! A project keeps the checklists it was assessed against, and moves to a
//! newer content of a pack only through `project upgrade-pack`.
//!
//! The fixture `tests/fixtures/projects/gb44495-2026.1.iovaudit` was made
//! with the GB44495 pack as it was before the clause-exact rebuild (version
//! 2026.1, 40 requirements, mostly inferred ids such as GB44495-7.1.1-01),
//! judged on eight of them, with evidence links and two findings. It is
//! upgraded here to the built-in pack (2026.2, clause-exact ids with
//! `replaces`).

mod common;
use common::{repo, run, scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

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

fn old_project(name: &str) -> PathBuf {
    let root = scratch(name);
    let dir = root.join("old.iovaudit");
    copy_dir(
        &repo().join("tests/fixtures/projects/gb44495-2026.1.iovaudit"),
        &dir,
    );
    dir
}

fn json(args: &[&str]) -> Value {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).expect("json output")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

fn requirement<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["requirement"] == id)
        .unwrap_or_else(|| panic!("{id} not listed"))
}

#[test]
fn an_old_project_keeps_its_pack_and_shows_the_difference() {
    let dir = old_project("upgrade_status");
    let st = json(&["status", s(&dir), "--json"]);
    let gb = st["pack_versions"]
        .as_array()
        .expect("pack_versions")
        .iter()
        .find(|v| v["pack"] == "GB44495")
        .expect("GB44495 listed")
        .clone();
    assert_eq!(gb["version"], "2026.1", "{gb}");
    assert_ne!(gb["library_version"], "2026.1", "{gb}");
    assert_eq!(gb["differs"], true);
    // The project is still scored against its own 40 requirements.
    let list = json(&["assess", "list", s(&dir), "--pack", "GB44495", "--json"]);
    assert_eq!(list["requirements"].as_array().expect("list").len(), 40);
    assert_eq!(
        requirement(&list, "GB44495-7.2-04")["verdict"],
        "nonconform"
    );
    // The human status names both versions and the command that shows the difference.
    let r = run(&["--lang", "en", "status", s(&dir)]);
    assert!(
        r.stdout.contains("GB44495 2026.1") && r.stdout.contains("upgrade-pack"),
        "{}",
        r.stdout
    );
}

#[test]
fn upgrade_shows_the_diff_then_carries_verdicts_to_re_judge() {
    let dir = old_project("upgrade_apply");
    let db_before = std::fs::read(dir.join("project.db")).expect("db");

    let dry = json(&[
        "project",
        "upgrade-pack",
        s(&dir),
        "GB44495",
        "--dry-run",
        "--json",
    ]);
    let u = &dry["upgrade"];
    let d = &u["diff"];
    assert_eq!(d["from_version"], "2026.1");
    assert_eq!(d["to_version"], "2026.2");
    // Clauses the old pack lacked are added.
    let added = strs(&d["added"]);
    for id in [
        "GB44495-6.9",
        "GB44495-6.10",
        "GB44495-6.11",
        "GB44495-7.2.4",
        "GB44495-7.2.7",
        "GB44495-10",
    ] {
        assert!(added.contains(&id.to_string()), "{id} not added: {added:?}");
    }
    // Renamed and split ids are replacements, not removals.
    let replaced: Vec<(String, Vec<String>)> = d["replaced"]
        .as_array()
        .expect("replaced")
        .iter()
        .map(|r| {
            (
                r["requirement"].as_str().expect("id").to_string(),
                strs(&r["replaces"]),
            )
        })
        .collect();
    let replaces = |new: &str, old: &str| {
        replaced
            .iter()
            .any(|(n, o)| n == new && o.iter().any(|x| x == old))
    };
    assert!(replaces("GB44495-7.1.1.1", "GB44495-7.1.1-01"));
    assert!(replaces("GB44495-7.1.2.1", "GB44495-7.1.2"));
    assert!(replaces("GB44495-7.1.2.3", "GB44495-7.1.2"));
    assert!(replaces("GB44495-7.4.4", "GB44495-7.4-03"));
    assert!(replaces("GB44495-5.1", "GB44495-5-01"));
    // Kept ids whose content changed are listed as changed.
    let changed: Vec<String> = d["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .map(|c| c["requirement"].as_str().expect("id").to_string())
        .collect();
    assert!(
        changed.contains(&"GB44495-7.4.1".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"GB44495-7.2.5".to_string()),
        "{changed:?}"
    );
    // Every old id is kept, replaced or listed as removed.
    let old_ids = [
        "GB44495-5-01",
        "GB44495-7.1.1-01",
        "GB44495-7.1.2",
        "GB44495-7.2-04",
        "GB44495-7.2.5",
        "GB44495-7.4.1",
        "GB44495-7.4-03",
        "GB44495-7.3.1-01",
    ];
    let removed = strs(&d["removed"]);
    for old in old_ids {
        let kept = changed.iter().any(|c| c == old);
        let rep = replaced.iter().any(|(_, o)| o.iter().any(|x| x == old));
        assert!(
            kept || rep || removed.contains(&old.to_string()),
            "{old} lost"
        );
    }
    // Judged requirements that changed or replace a judged one: to re-judge.
    let mut rejudge = strs(&u["rejudge"]);
    rejudge.sort();
    let mut want: Vec<String> = [
        "GB44495-5.1",
        "GB44495-7.1.1.1",
        "GB44495-7.1.2.1",
        "GB44495-7.1.2.2",
        "GB44495-7.1.2.3",
        "GB44495-7.2.5",
        "GB44495-7.2.9",
        "GB44495-7.4.1",
        "GB44495-7.4.4",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    want.retain(|w| {
        // Only ids the new pack really has count (the list above is the
        // expectation for the rebuilt pack; a missing one fails below).
        changed.contains(w) || replaced.iter().any(|(n, _)| n == w)
    });
    assert!(want.len() >= 9, "expected ids missing from the new pack");
    for w in &want {
        assert!(
            rejudge.contains(w),
            "{w} not marked to re-judge: {rejudge:?}"
        );
    }
    assert_eq!(u["dry_run"], true);
    assert_eq!(
        std::fs::read(dir.join("project.db")).expect("db"),
        db_before,
        "--dry-run changed the project"
    );

    // Apply.
    let r = run(&[
        "project",
        "upgrade-pack",
        s(&dir),
        "GB44495",
        "--by",
        "李工",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let list = json(&["assess", "list", s(&dir), "--pack", "GB44495", "--json"]);
    let n = list["requirements"].as_array().expect("list").len();
    assert!(n >= 60, "new pack has {n} requirements");
    let r91 = requirement(&list, "GB44495-7.2.9");
    assert_eq!(r91["recorded"]["verdict"], "nonconform", "{r91}");
    assert_eq!(r91["recorded"]["confirmed"], false);
    assert!(
        r91["recorded"]["rejudge"]["zh"]
            .as_str()
            .expect("reason")
            .contains("GB44495-7.2-04"),
        "{r91}"
    );
    // The carried verdict keeps its justification; evidence links come along.
    assert_eq!(
        requirement(&list, "GB44495-7.1.2.3")["recorded"]["note"],
        "远程控制日志仅保留3个月"
    );
    assert!(
        !requirement(&list, "GB44495-7.1.2.1")["evidence"]
            .as_array()
            .expect("evidence")
            .is_empty(),
        "evidence link not carried"
    );
    // Unchanged packs are untouched; unjudged new items are unassessed.
    assert_eq!(requirement(&list, "GB44495-10")["recorded"], Value::Null);
    // Findings follow their requirement.
    let f = json(&["finding", "list", s(&dir), "--json"]);
    let reqs: Vec<&str> = f["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|x| x["requirement"].as_str().expect("req"))
        .collect();
    assert!(reqs.contains(&"GB44495-7.2.9"), "{reqs:?}");
    // Verdicts to re-judge are not scored and block review.
    let sc = json(&["score", s(&dir), "--json"]);
    let gb = sc["score"]["packs"]
        .as_array()
        .expect("packs")
        .iter()
        .find(|p| p["pack"] == "GB44495")
        .expect("GB44495 score")
        .clone();
    assert_eq!(gb["tally"]["judged"], 0, "{gb}");
    assert!(
        gb["tally"]["inferred_pending"].as_u64().expect("pending") >= 9,
        "{gb}"
    );
    let r = run(&["--lang", "en", "review", "submit", s(&dir), "--by", "李工"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("judged again"), "{}", r.stderr);
    // A new verdict or a confirmation clears the mark.
    let r = run(&[
        "assess",
        "set",
        s(&dir),
        "GB44495-7.2.9",
        "符合",
        "--by",
        "李工",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "assess",
        "confirm",
        s(&dir),
        "GB44495-7.4.1",
        "--by",
        "李工",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = json(&["assess", "list", s(&dir), "--filter", "rejudge", "--json"]);
    let left: Vec<&str> = list["requirements"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["requirement"].as_str().expect("id"))
        .collect();
    assert!(!left.contains(&"GB44495-7.2.9") && !left.contains(&"GB44495-7.4.1"));
    assert!(left.contains(&"GB44495-5.1"), "{left:?}");
    // The upgrade is journalled and the chain is intact.
    let j = run(&["journal", "verify", s(&dir)]);
    assert_eq!(j.code, 0, "{}{}", j.stdout, j.stderr);
    let jl = run(&["journal", "list", s(&dir)]);
    assert!(jl.stdout.contains("pack.upgrade"), "{}", jl.stdout);
    // The project now keeps the new content: nothing left to upgrade.
    let st = json(&["status", s(&dir), "--json"]);
    let gb = st["pack_versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["pack"] == "GB44495")
        .expect("GB44495")
        .clone();
    assert_eq!(gb["differs"], false, "{gb}");
}

#[test]
fn an_approved_project_cannot_be_upgraded() {
    let dir = old_project("upgrade_approved");
    // Judge nothing more: submit and approve as it is.
    assert_eq!(run(&["review", "submit", s(&dir), "--by", "张工"]).code, 0);
    assert_eq!(
        run(&["review", "approve", s(&dir), "--by", "李主任"]).code,
        0
    );
    let r = run(&[
        "--lang",
        "en",
        "project",
        "upgrade-pack",
        s(&dir),
        "GB44495",
        "--by",
        "张工",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("approved"), "{}", r.stderr);
    // The dry run still shows what an upgrade would do.
    let r = run(&[
        "project",
        "upgrade-pack",
        s(&dir),
        "GB44495",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn project_commands_honour_checklists_dir() {
    // A library with a changed N134: a new project takes it, an existing one keeps its own.
    let root = scratch("upgrade_checklists_dir");
    let lib = root.join("lib");
    copy_dir(&repo().join("checklists"), &lib);
    let n134 = std::fs::read_to_string(lib.join("n134.toml")).expect("n134");
    let version_line = n134
        .lines()
        .find(|l| l.trim_start().starts_with("version"))
        .expect("version line")
        .to_string();
    let changed = n134.replacen(&version_line, "version = \"9999.1\"", 1);
    std::fs::write(lib.join("n134.toml"), changed).expect("write");
    let dir = root.join("p.iovaudit");
    let r = run(&[
        "--checklists",
        s(&lib),
        "project",
        "init",
        s(&dir),
        "--name",
        "n",
        "--assessee",
        "a",
        "--packs",
        "N134",
        "--by",
        "x",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Opened with the built-in library, the project still uses 9999.1.
    let st = json(&["status", s(&dir), "--json"]);
    let v = &st["pack_versions"][0];
    assert_eq!(v["version"], "9999.1", "{v}");
    assert_eq!(v["differs"], true);
    // Opened with the same library, nothing differs.
    let st = json(&["--checklists", s(&lib), "status", s(&dir), "--json"]);
    assert_eq!(st["pack_versions"][0]["differs"], false);
}

/// A project made before projects stored their checklists (schema 1: only
/// pack ids and versions recorded) adopts the content it was assessed
/// against — the earlier built-in library with those versions — not today's.
#[test]
fn a_schema_1_project_adopts_the_library_it_was_assessed_against() {
    let dir = old_project("upgrade_schema1");
    {
        // Turn the fixture back into what a schema-1 build wrote: migrations 2
        // to 5 only added the uuids, assignments, histories and imported journals (5), `pack_source`, `verdict.rejudge`, `calendar_event` and the report/summary columns and tables.
        let c = rusqlite::Connection::open(dir.join("project.db")).expect("open db");
        c.execute_batch(
            "DROP TRIGGER project_new_uuid; DROP TRIGGER evidence_new_uuid; DROP TRIGGER finding_new_uuid; DROP TRIGGER calendar_event_new_uuid; DROP TRIGGER verdict_history_insert; DROP TRIGGER verdict_history_update; DROP TRIGGER scope_history_insert; DROP TRIGGER scope_history_update; DROP INDEX evidence_uuid; DROP INDEX finding_uuid; DROP INDEX calendar_event_uuid; DROP TABLE assignment; DROP TABLE verdict_history; DROP TABLE scope_history; DROP TABLE journal_import; DROP TABLE journal_chain; DROP TABLE previous_verdict; ALTER TABLE project DROP COLUMN uuid; ALTER TABLE evidence DROP COLUMN uuid; ALTER TABLE finding DROP COLUMN uuid; DROP TABLE evidence_summary; DROP TABLE project_info; ALTER TABLE verdict DROP COLUMN observation; ALTER TABLE finding DROP COLUMN description; ALTER TABLE finding DROP COLUMN threat; ALTER TABLE finding DROP COLUMN impact; ALTER TABLE finding DROP COLUMN likelihood; ALTER TABLE finding DROP COLUMN recommendation; ALTER TABLE finding DROP COLUMN time_limit; ALTER TABLE evidence DROP COLUMN doc_version; ALTER TABLE evidence DROP COLUMN issuer; ALTER TABLE scope_answer DROP COLUMN basis; DROP TABLE calendar_event; DROP TABLE pack_source; ALTER TABLE verdict DROP COLUMN rejudge; PRAGMA user_version = 1;",
        )
        .expect("downgrade");
    }
    // A read-only look first: nothing is written, the current library is used.
    let r = run(&["status", s(&dir)]);
    assert_ne!(
        r.code, 0,
        "read-only open of an old schema must ask for a writable open"
    );
    // The first writable open adopts 2026.1 from the earlier built-in library.
    let r = run(&["assess", "set", s(&dir), "N103-01", "符合", "--by", "张工"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let st = json(&["status", s(&dir), "--json"]);
    let gb = st["pack_versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["pack"] == "GB44495")
        .expect("GB44495")
        .clone();
    assert_eq!(gb["version"], "2026.1", "{gb}");
    assert_eq!(gb["differs"], true, "{gb}");
    let list = json(&["assess", "list", s(&dir), "--pack", "GB44495", "--json"]);
    assert_eq!(list["requirements"].as_array().expect("list").len(), 40);
    let jl = run(&["journal", "list", s(&dir)]);
    assert!(
        jl.stdout.contains("pack.adopt") && jl.stdout.contains("checklists-history/2026.1"),
        "{}",
        jl.stdout
    );
    // And it upgrades like any other project.
    let d = json(&[
        "project",
        "upgrade-pack",
        s(&dir),
        "GB44495",
        "--dry-run",
        "--json",
    ]);
    assert!(!d["upgrade"]["rejudge"]
        .as_array()
        .expect("rejudge")
        .is_empty());
}

/// The audited regulation packs (issue 16) reach projects made before the
/// fix the same way: changed items are marked to re-judge, unchanged ones keep
/// their verdicts.
#[test]
fn audited_regulation_pack_upgrade_marks_changed_items() {
    let dir = old_project("upgrade_n103");
    let r = run(&["assess", "set", s(&dir), "N103-13", "符合", "--by", "张工"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["project", "upgrade-pack", s(&dir), "N103", "--by", "李工"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let list = json(&["assess", "list", s(&dir), "--pack", "N103", "--json"]);
    let n13 = requirement(&list, "N103-13");
    assert_eq!(n13["recorded"]["confirmed"], false, "{n13}");
    assert!(n13["recorded"]["rejudge"].is_object(), "{n13}");
    let n01 = requirement(&list, "N103-01");
    assert_eq!(n01["recorded"]["verdict"], "conform");
    assert_eq!(n01["recorded"]["confirmed"], true, "{n01}");
    assert!(n01["recorded"].get("rejudge").is_none(), "{n01}");
    // The new encouraged item N103-27 is in the project now.
    requirement(&list, "N103-27");
}
