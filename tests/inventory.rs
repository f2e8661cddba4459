//! Every obligation in the research inventory (`../shared/research/regulations.md`
//! §2) appears in a pack as a requirement with the same id and the clause as
//! printed, or is explicitly excluded with a reason. The inventory is kept as
//! `tests/fixtures/inventory.tsv`; when the research file is beside the
//! checkout, the test also checks that the snapshot is current
//! (`UPDATE_INVENTORY=1 cargo test --test inventory` rewrites it).

mod common;
use common::repo;
use std::collections::BTreeMap;

fn extract(markdown: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if line.starts_with("### 2.1 ") {
            inside = true;
        } else if line.starts_with("### 2.6 ") {
            break;
        }
        if !inside || !line.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(id), Some(clause)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let known = ["N134-", "N103-", "BJ50-", "SH26-", "P148-"];
        if known.iter().any(|k| id.starts_with(k)) && id.len() == 7 {
            rows.push((id.to_string(), clause.to_string()));
        }
    }
    rows
}

fn snapshot() -> Vec<(String, String)> {
    let path = repo().join("tests/fixtures/inventory.tsv");
    let text = std::fs::read_to_string(&path).expect("read inventory.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (id, clause) = l.split_once('\t').expect("id<TAB>clause");
            (id.to_string(), clause.to_string())
        })
        .collect()
}

#[test]
fn snapshot_matches_the_research_file() {
    let research = repo().join("../shared/research/regulations.md");
    let Ok(md) = std::fs::read_to_string(&research) else {
        eprintln!(
            "note: {} not found; checking against the snapshot only",
            research.display()
        );
        return;
    };
    let live = extract(&md);
    assert!(
        live.len() > 140,
        "extraction found only {} rows: has the inventory's layout changed?",
        live.len()
    );
    if std::env::var_os("UPDATE_INVENTORY").is_some() {
        let mut out = String::from("# id<TAB>clause, extracted from ../shared/research/regulations.md §2 by tests/inventory.rs\n");
        for (id, clause) in &live {
            out.push_str(&format!("{id}\t{clause}\n"));
        }
        std::fs::write(repo().join("tests/fixtures/inventory.tsv"), out).expect("write snapshot");
    }
    assert_eq!(live, snapshot(), "the research inventory changed: run UPDATE_INVENTORY=1 cargo test --test inventory and review the packs");
}

#[test]
fn every_inventory_obligation_is_in_a_pack() {
    let lib = iovaudit::pack::builtin().expect("built-in library loads");
    let mut excluded: BTreeMap<&str, &str> = BTreeMap::new();
    for p in &lib.packs {
        for e in &p.excluded {
            for id in &e.ids {
                excluded.insert(id, &e.reason.zh);
            }
        }
    }
    let rows = snapshot();
    assert_eq!(
        rows.len(),
        151,
        "the inventory has 151 obligations (regulations.md §2.7)"
    );
    let mut problems = Vec::new();
    for (id, clause) in &rows {
        match lib.requirement(id) {
            Some((_, _, r)) if &r.clause == clause => {}
            Some((_, _, r)) => problems.push(format!(
                "{id}: clause is `{}`, the inventory prints `{clause}`",
                r.clause
            )),
            None if excluded.contains_key(id.as_str()) => {}
            None => problems.push(format!(
                "{id} ({clause}) is neither a requirement nor excluded"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn excluded_items_are_the_vehicle_safety_items_of_103() {
    let lib = iovaudit::pack::builtin().expect("built-in library loads");
    let n103 = lib.pack("N103").expect("N103");
    let mut ids: Vec<&str> = n103
        .excluded
        .iter()
        .flat_map(|e| e.ids.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["N103-19", "N103-20", "N103-21", "N103-22", "N103-25"]);
    assert!(n103.note.as_ref().is_some_and(|n| n.zh.contains("排除")
        || n.zh.contains("不纳入")
        || n.zh.contains("未纳入")));
}
