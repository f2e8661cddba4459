//! Printers for the CLI: human output (Chinese by default, English with
//! `--lang en`) and stable JSON (documented in `docs/cli-json.md`; every JSON
//! document carries `"schema": 1`).

use iovaudit::i18n::Lang;
use iovaudit::pack::{Diagnostic, Library, Pack, Requirement, Section};
use serde_json::json;

fn print_json(v: &serde_json::Value) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

pub fn pack_list(lib: &Library, json: bool, lang: Lang) {
    if json {
        let packs: Vec<_> = lib
            .packs
            .iter()
            .map(|p| {
                let c = p.provenance_counts();
                json!({
                    "id": p.id,
                    "title": p.title,
                    "doc_number": p.doc_number,
                    "doc_type": p.doc_type,
                    "version": p.version,
                    "region": p.region,
                    "status": p.status,
                    "requirements": p.requirement_count(),
                    "provenance": c,
                    "to_confirm": c.inferred,
                    "to_check_against_official_text": c.fulltext,
                })
            })
            .collect();
        print_json(&json!({ "schema": 1, "packs": packs }));
        return;
    }
    for p in &lib.packs {
        let c = p.provenance_counts();
        println!("{}  {}", p.id, p.title.get(lang));
        let line = format!(
            "{} · {} · {} · {}{} · {}",
            p.doc_number,
            p.region.label().get(lang),
            p.status.label().get(lang),
            lang.pick("版本 ", "version "),
            p.version,
            c.describe(p.requirement_count(), lang)
        );
        println!("      {line}");
    }
    let total: usize = lib.packs.iter().map(Pack::requirement_count).sum();
    let maps: usize = lib.themes.iter().map(|t| t.mappings.len()).sum();
    println!(
        "{}",
        lang.pick(
            &format!(
                "共 {} 个检查单，{} 项要求，{} 条跨检查单映射。",
                lib.packs.len(),
                total,
                maps
            ),
            &format!(
                "{} packs, {} requirements, {} cross-pack mappings.",
                lib.packs.len(),
                total,
                maps
            ),
        )
    );
}

fn tags(r: &Requirement, lang: Lang) -> String {
    let mut t = vec![
        r.obligation.label().get(lang).to_string(),
        format!("{}{}", lang.pick("权重 ", "weight "), r.weight),
    ];
    if r.veto {
        t.push(lang.pick("一票否决", "veto").to_string());
    }
    if let Some(m) = r.provenance.mark(lang) {
        t.push(m.to_string());
    }
    t.join(" · ")
}

pub fn pack_show(lib: &Library, p: &Pack, full: bool, json: bool, lang: Lang) {
    if json {
        print_json(&json!({ "schema": 1, "pack": p }));
        return;
    }
    let _ = lib;
    let c = p.provenance_counts();
    println!("{}  {}", p.id, p.title.get(lang));
    println!(
        "{}{} · {}{} · {} · {}{}",
        lang.pick("文号：", "Document: "),
        p.doc_number,
        lang.pick("发布：", "Issuer: "),
        p.issuer.get(lang),
        p.region.label().get(lang),
        lang.pick("版本 ", "version "),
        p.version
    );
    println!("{}", c.describe(p.requirement_count(), lang));
    if let Some(w) = &p.applies_when {
        println!(
            "{}{}",
            lang.pick("适用条件：", "Applies when: "),
            w.source()
        );
    }
    if let Some(n) = &p.note {
        println!("{}{}", lang.pick("说明：", "Note: "), n.get(lang));
    }
    for s in &p.sections {
        println!();
        println!("{} {}  [{}]", s.clause, s.title.get(lang), s.id);
        for r in &s.requirements {
            println!(
                "  {:<16} {:<12} {}  [{}]",
                r.id,
                r.clause,
                r.title.get(lang),
                tags(r, lang)
            );
            if full {
                requirement_body(r, "      ", lang);
            }
        }
    }
    if !p.excluded.is_empty() {
        println!();
        println!("{}", lang.pick("未纳入的条款：", "Left out:"));
        for e in &p.excluded {
            let ids = if e.ids.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.ids.join(", "))
            };
            println!("  {}{} — {}", e.clause, ids, e.reason.get(lang));
        }
    }
}

fn requirement_body(r: &Requirement, indent: &str, lang: Lang) {
    println!("{indent}{}", r.text.get(lang));
    let applies = r.applies_to.join(", ");
    println!(
        "{indent}{}{applies}",
        lang.pick("适用对象：", "Applies to: ")
    );
    if let Some(w) = &r.when {
        println!(
            "{indent}{}{}",
            lang.pick("适用条件：", "Condition: "),
            w.source()
        );
    }
    let methods: Vec<String> = r
        .methods
        .iter()
        .map(|m| m.label().get(lang).to_string())
        .collect();
    println!(
        "{indent}{}{}",
        lang.pick("评估方法：", "Methods: "),
        methods.join(lang.pick("、", ", "))
    );
    println!("{indent}{}", lang.pick("证明材料：", "Evidence:"));
    for e in r.evidence.get(lang) {
        println!("{indent}  - {e}");
    }
    for p in &r.params {
        println!(
            "{indent}{}{}",
            lang.pick("参数：", "Parameter: "),
            p.describe(lang)
        );
    }
    for d in &r.deadlines {
        println!(
            "{indent}{}{}",
            lang.pick("期限：", "Deadline: "),
            d.describe(lang)
        );
    }
    if let Some(t) = &r.test {
        println!(
            "{indent}{}{} {}",
            lang.pick("试验方法：", "Test method: "),
            t.clause,
            t.text.get(lang)
        );
    }
    let mut prov = r.provenance.label().get(lang).to_string();
    if let Some(n) = &r.provenance_note {
        prov.push_str(" — ");
        prov.push_str(n);
    }
    println!("{indent}{}{prov}", lang.pick("来源：", "Provenance: "));
    if let Some(m) = r.provenance.mark(lang) {
        println!("{indent}{m}");
    }
    if !r.replaces.is_empty() {
        println!(
            "{indent}{}{}",
            lang.pick("取代旧编号：", "Replaces: "),
            r.replaces.join(", ")
        );
    }
}

pub fn requirement_show(
    lib: &Library,
    found: (&Pack, &Section, &Requirement),
    json: bool,
    lang: Lang,
) {
    let (p, s, r) = found;
    let mappings: Vec<_> = lib
        .mappings_of(&r.id)
        .map(|(t, m)| json!({ "theme": t.id, "theme_title": t.title, "from": m.from, "to": m.to, "relation": m.relation, "note": m.note }))
        .collect();
    if json {
        print_json(
            &json!({ "schema": 1, "pack": p.id, "section": s.id, "requirement": r, "mappings": mappings }),
        );
        return;
    }
    println!("{}  {}  {}", r.id, r.clause, r.title.get(lang));
    println!("{} · {} {}", p.title.get(lang), s.clause, s.title.get(lang));
    println!("[{}]", tags(r, lang));
    requirement_body(r, "", lang);
    let related: Vec<_> = lib.mappings_of(&r.id).collect();
    if !related.is_empty() {
        println!("{}", lang.pick("相关要求：", "Related requirements:"));
        for (t, m) in related {
            let other = if m.from == r.id { &m.to } else { &m.from };
            let title = lib
                .requirement(other)
                .map(|(_, _, o)| o.title.get(lang).to_string())
                .unwrap_or_default();
            let note = m
                .note
                .as_ref()
                .map(|n| format!(" — {}", n.get(lang)))
                .unwrap_or_default();
            // Read the relation from this requirement's side.
            let rel = if m.from == r.id {
                m.relation
            } else {
                m.relation.reversed()
            };
            println!(
                "  [{} {}] {other} {title}（{}）{note}",
                t.id,
                t.title.get(lang),
                rel.label().get(lang)
            );
        }
    }
}

pub fn questions(lib: &Library, json: bool, lang: Lang) {
    if json {
        print_json(&json!({ "schema": 1, "questions": lib.questions }));
        return;
    }
    for q in &lib.questions {
        let kind = format!("{:?}", q.kind).to_lowercase();
        println!("{}  ({kind})  {}", q.id, q.label.get(lang));
        for o in &q.options {
            println!("    {:<6} {}", o.id, o.label.get(lang));
        }
        if let (Some(a), Some(b)) = (q.min, q.max) {
            println!("    {a}–{b}");
        }
    }
}

pub fn validation(lib: &Library, diags: &[Diagnostic], files: usize, json: bool, lang: Lang) {
    if json {
        print_json(
            &json!({ "schema": 1, "ok": diags.is_empty(), "files": files, "problems": diags }),
        );
        return;
    }
    for d in diags {
        println!("{}", d.render(lang));
    }
    let reqs: usize = lib.packs.iter().map(Pack::requirement_count).sum();
    if diags.is_empty() {
        println!(
            "{}",
            lang.pick(
                &format!(
                    "通过：{files} 个文件，{} 个检查单，{reqs} 项要求，未发现问题。",
                    lib.packs.len()
                ),
                &format!(
                    "OK: {files} file(s), {} pack(s), {reqs} requirements, no problems.",
                    lib.packs.len()
                ),
            )
        );
    } else {
        eprintln!(
            "{}",
            lang.pick(
                &format!("发现 {} 个问题。", diags.len()),
                &format!("{} problem(s) found.", diags.len())
            )
        );
    }
}
