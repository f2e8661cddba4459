//! Packs as OSCAL catalogs, both ways.
//!
//! Export: the pack's own fields are metadata props (ns [`NS`]); sections are
//! groups; requirements are controls: `title` (zh; en as a prop), the
//! paraphrase as the `statement` part (zh; en as a `statement` part in our
//! namespace with class `en`), evidence as parts of the `assessment-objective`
//! part `<id>_obj` (the target of the findings in our assessment results),
//! methods as SP 800-53A `assessment-method` parts, numeric parameters as
//! `params`, deadlines and the test method as parts in our namespace, and
//! obligation, applicability, weight, veto, provenance, themes, `replaces` as
//! props. Every text is kept in both languages.
//!
//! Import: a catalog written by [`export_catalog`] gives back the same pack.
//! Any other catalog (or resolved profile) gives a pack with one section per
//! group (nested groups flattened), one requirement per control (control
//! enhancements after their control; withdrawn controls left out), the
//! statement with its items and parameter values as the text, and the
//! defaults a pack needs marked in the file and listed in
//! [`CatalogImport::defaults`].

use super::draft::{
    bi, check, default_scoring, field, has_cjk, id_part, is_pack_id, list, num, pack_id_from, q,
    Draft, DraftSection, Fields, ZH_PENDING,
};
use super::{
    datetime, is_line, one_line, pack_namespace, prop, prop_class, prop_text, props_bi, uuid_in,
    NS, NS_RMF,
};
use crate::excel::{EN_PENDING, EVIDENCE_PENDING};
use crate::i18n::Text;
use crate::pack::{DeadlineRule, Pack, SourceFile, ValueOrigin};
use crate::t;
use serde::Serialize;
use serde_json::{json, Value};

fn ser_str<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn push(v: &mut Vec<Value>, p: Option<Value>) {
    if let Some(p) = p {
        v.push(p);
    }
}

fn grouped(mut p: Value, group: &str) -> Value {
    p["group"] = json!(group);
    p
}

fn origin_props(v: &mut Vec<Value>, o: &ValueOrigin) {
    if let Some(p) = o.provenance {
        push(v, prop("provenance", p.as_str()));
    }
    if let Some(s) = &o.source {
        push(v, prop("source", s));
    }
    if let Some(n) = &o.note {
        push(v, prop_class("note", Some("zh"), &n.zh));
        push(v, prop_class("note", Some("en"), &n.en));
    }
}

/// Parts `name` in our namespace holding a text in each language.
fn parts_bi(name: &str, t: &Text) -> Vec<Value> {
    let mut v = Vec::new();
    for (class, s) in [("zh", &t.zh), ("en", &t.en)] {
        if !s.is_empty() {
            v.push(json!({ "name": name, "ns": NS, "class": class, "prose": s }));
        }
    }
    v
}

/// A pack as an OSCAL catalog. `last_modified` (RFC 3339) defaults to the
/// pack's effective or issue date, so the same pack gives the same bytes.
pub fn export_catalog(p: &Pack, last_modified: Option<&str>) -> Value {
    let ns = pack_namespace(&p.id, &p.version);
    let mut mp: Vec<Value> = Vec::new();
    push(&mut mp, prop("pack-id", &p.id));
    push(&mut mp, prop("doc-number", &p.doc_number));
    mp.extend(
        props_bi("title", &p.title)
            .into_iter()
            .filter(|x| x["class"] == "en"),
    );
    push(&mut mp, prop_class("issuer", Some("zh"), &p.issuer.zh));
    push(&mut mp, prop_class("issuer", Some("en"), &p.issuer.en));
    push(&mut mp, prop("doc-type", &ser_str(p.doc_type)));
    push(&mut mp, prop("region", &ser_str(p.region)));
    push(&mut mp, prop("status", &ser_str(p.status)));
    if let Some(d) = &p.issued {
        push(&mut mp, prop("issued", d));
    }
    if let Some(d) = &p.effective {
        push(&mut mp, prop("effective", d));
    }
    push(&mut mp, prop("source", &p.source));
    push(&mut mp, prop("provenance", p.provenance.as_str()));
    if let Some(n) = &p.note {
        push(&mut mp, prop_class("note", Some("zh"), &n.zh));
        push(&mut mp, prop_class("note", Some("en"), &n.en));
    }
    if let Some(c) = &p.applies_when {
        push(&mut mp, prop("applies-when", c.source()));
    }
    for qn in &p.questions {
        push(&mut mp, prop("question", qn));
    }
    let sc = &p.scoring;
    push(&mut mp, prop("scoring-partial", &num(sc.partial)));
    push(
        &mut mp,
        prop("scoring-not-applicable", &ser_str(sc.not_applicable)),
    );
    push(&mut mp, prop("scoring-encouraged", &ser_str(sc.encouraged)));
    push(&mut mp, prop("scoring-veto", &ser_str(sc.veto)));
    for (i, b) in sc.bands.iter().enumerate() {
        let g = format!("band-{}", i + 1);
        for x in [
            prop("band-min", &num(b.min)),
            prop_class("band-label", Some("zh"), &b.label.zh),
            prop_class("band-label", Some("en"), &b.label.en),
        ]
        .into_iter()
        .flatten()
        {
            mp.push(grouped(x, &g));
        }
    }
    for (i, e) in p.excluded.iter().enumerate() {
        let g = format!("excluded-{}", i + 1);
        let mut xs = vec![prop("excluded-clause", &e.clause)];
        xs.extend(e.ids.iter().map(|x| prop("excluded-id", x)));
        xs.push(prop_class("excluded-reason", Some("zh"), &e.reason.zh));
        xs.push(prop_class("excluded-reason", Some("en"), &e.reason.en));
        for x in xs.into_iter().flatten() {
            mp.push(grouped(x, &g));
        }
    }

    let groups: Vec<Value> = p
        .sections
        .iter()
        .map(|s| {
            let mut gp: Vec<Value> = Vec::new();
            push(&mut gp, label_prop(&s.clause));
            push(&mut gp, prop("clause", &s.clause));
            push(&mut gp, prop_class("title", Some("en"), &s.title.en));
            for r in sc.groups.iter().filter(|g| g.section == s.id) {
                push(&mut gp, prop("scoring-rule", &ser_str(r.rule)));
                if let Some(n) = &r.note {
                    push(&mut gp, prop_class("scoring-rule-note", Some("zh"), &n.zh));
                    push(&mut gp, prop_class("scoring-rule-note", Some("en"), &n.en));
                }
            }
            let controls: Vec<Value> = s.requirements.iter().map(control).collect();
            let mut g = json!({ "id": s.id, "class": "section", "title": s.title.zh });
            if !gp.is_empty() {
                g["props"] = json!(gp);
            }
            if !controls.is_empty() {
                g["controls"] = json!(controls);
            }
            g
        })
        .collect();

    let lm = last_modified
        .and_then(datetime)
        .or_else(|| p.effective.as_deref().and_then(datetime))
        .or_else(|| p.issued.as_deref().and_then(datetime))
        .unwrap_or_else(|| "2000-01-01T00:00:00Z".to_string());
    let issuer_uuid = uuid_in(&ns, "party:issuer");
    let mut metadata = json!({
        "title": one_line(&p.title.zh),
        "last-modified": lm,
        "version": one_line(&p.version),
        "oscal-version": super::OSCAL_VERSION,
        "props": mp,
        "roles": [{ "id": "creator", "title": "发文机关 / Issuer" }],
        "parties": [{ "uuid": issuer_uuid, "type": "organization", "name": one_line(&p.issuer.zh),
                      "remarks": p.issuer.en }],
        "responsible-parties": [{ "role-id": "creator", "party-uuids": [issuer_uuid] }],
        "remarks": format!(
            "由 iovaudit 从检查单 {} 导出；iovaudit pack import-oscal 可还原为同一检查单。\n\nExported by iovaudit from pack {}; `iovaudit pack import-oscal` turns it back into the same pack.",
            p.id, p.id
        ),
    });
    if let Some(d) = p.issued.as_deref().and_then(datetime) {
        metadata["published"] = json!(d);
    }
    if is_line(&p.doc_number) {
        metadata["document-ids"] = json!([{ "identifier": p.doc_number }]);
    }
    let mut cat = json!({
        "uuid": uuid_in(&ns, "catalog"),
        "metadata": metadata,
    });
    if !groups.is_empty() {
        cat["groups"] = json!(groups);
    }
    json!({ "catalog": cat })
}

/// NIST's `label` prop (no namespace) for display.
fn label_prop(clause: &str) -> Option<Value> {
    let l = one_line(clause);
    (!l.is_empty()).then(|| json!({ "name": "label", "value": l }))
}

fn control(r: &crate::pack::Requirement) -> Value {
    let mut cp: Vec<Value> = Vec::new();
    push(&mut cp, label_prop(&r.clause));
    push(&mut cp, prop("clause", &r.clause));
    push(&mut cp, prop_class("title", Some("en"), &r.title.en));
    push(&mut cp, prop("obligation", &ser_str(r.obligation)));
    for a in &r.applies_to {
        push(&mut cp, prop("applies-to", a));
    }
    if let Some(w) = &r.when {
        push(&mut cp, prop("when", w.source()));
    }
    push(&mut cp, prop("weight", &r.weight.to_string()));
    if r.veto {
        push(&mut cp, prop("veto", "true"));
    }
    for th in &r.themes {
        push(&mut cp, prop("theme", th));
    }
    push(&mut cp, prop("provenance", r.provenance.as_str()));
    if let Some(n) = &r.provenance_note {
        push(&mut cp, prop("provenance-note", n));
    }
    for x in &r.replaces {
        push(&mut cp, prop("replaces", x));
    }

    let params: Vec<Value> = r
        .params
        .iter()
        .enumerate()
        .map(|(i, pm)| {
            let mut pp: Vec<Value> = Vec::new();
            push(&mut pp, prop("key", &pm.key));
            push(&mut pp, prop("op", &pm.op));
            push(&mut pp, prop("unit", &pm.unit));
            origin_props(&mut pp, &pm.origin);
            json!({
                "id": format!("{}_prm_{}", r.id, i + 1),
                "class": "iovaudit-param",
                "label": format!("{} {} {} {}", pm.key, pm.op, num(pm.value), pm.unit),
                "values": [num(pm.value)],
                "props": pp,
            })
        })
        .collect();

    let mut parts: Vec<Value> = vec![json!({
        "id": format!("{}_smt", r.id), "name": "statement", "prose": r.text.zh,
    })];
    if !r.text.en.is_empty() {
        parts.push(json!({ "name": "statement", "ns": NS, "class": "en", "prose": r.text.en }));
    }
    let mut ev: Vec<Value> = Vec::new();
    for (class, items) in [("zh", &r.evidence.zh), ("en", &r.evidence.en)] {
        for it in items.iter() {
            ev.push(json!({ "name": "evidence", "ns": NS, "class": class, "prose": it }));
        }
    }
    let mut obj = json!({
        "id": format!("{}_obj", r.id),
        "name": "assessment-objective",
        "prose": r.title.zh,
    });
    if !ev.is_empty() {
        obj["parts"] = json!(ev);
    }
    parts.push(obj);
    for m in &r.methods {
        let code = ser_str(m).to_ascii_uppercase();
        parts.push(json!({
            "name": "assessment-method",
            "props": [{ "name": "method", "ns": NS_RMF, "value": code }],
        }));
    }
    for d in &r.deadlines {
        let mut dp: Vec<Value> = Vec::new();
        let mut dparts: Vec<Value> = Vec::new();
        match &d.rule {
            DeadlineRule::Annual { due } => {
                push(&mut dp, prop("kind", "annual"));
                push(&mut dp, prop("due", due));
            }
            DeadlineRule::Recurring { period } => {
                push(&mut dp, prop("kind", "recurring"));
                push(&mut dp, prop("period", period));
            }
            DeadlineRule::Retention { period } => {
                push(&mut dp, prop("kind", "retention"));
                push(&mut dp, prop("period", period));
            }
            DeadlineRule::Triggered { within, trigger } => {
                push(&mut dp, prop("kind", "triggered"));
                push(&mut dp, prop("within", within));
                dparts.extend(parts_bi("trigger", trigger));
            }
            DeadlineRule::BeforeEvent { event } => {
                push(&mut dp, prop("kind", "before_event"));
                dparts.extend(parts_bi("event", event));
            }
            DeadlineRule::Immediate { event } => {
                push(&mut dp, prop("kind", "immediate"));
                if let Some(e) = event {
                    dparts.extend(parts_bi("event", e));
                }
            }
            DeadlineRule::Once { date } => {
                push(&mut dp, prop("kind", "once"));
                push(&mut dp, prop("date", date));
            }
        }
        if let Some(w) = &d.when {
            push(&mut dp, prop("when", w.source()));
        }
        origin_props(&mut dp, &d.origin);
        let mut part = json!({
            "name": "deadline", "ns": NS, "props": dp,
            "prose": format!("{}\n\n{}", d.describe(crate::i18n::Lang::Zh), d.describe(crate::i18n::Lang::En)),
        });
        if !dparts.is_empty() {
            part["parts"] = json!(dparts);
        }
        parts.push(part);
    }
    if let Some(tm) = &r.test {
        let mut part = json!({ "name": "test", "ns": NS });
        if let Some(c) = prop("clause", &tm.clause) {
            part["props"] = json!([c]);
        }
        part["parts"] = json!(parts_bi("text", &tm.text));
        parts.push(part);
    }

    let mut c = json!({
        "id": r.id,
        "class": "requirement",
        "title": r.title.zh,
        "props": cp,
        "parts": parts,
    });
    if !params.is_empty() {
        c["params"] = json!(params);
    }
    c
}

// ------------------------------------------------------------------ import

/// How to import a catalog.
#[derive(Debug, Clone, Default)]
pub struct CatalogImportOptions {
    /// The pack id; default: the one our export recorded, else from the title or file name.
    pub id: Option<String>,
}

/// The result of an import. `toml` is `Some` only when the pack validates.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogImport {
    pub file: String,
    pub pack_id: String,
    /// True when the catalog was written by iovaudit (every field restored).
    pub iovaudit: bool,
    pub sections: usize,
    pub requirements: usize,
    /// Controls not imported, and why (`catalog.groups[0].controls[3]` …).
    pub skipped: Vec<(String, Text)>,
    /// Defaults filled in, and for how many requirements.
    pub defaults: Vec<Text>,
    /// Problems found by the pack validator in what was written.
    pub problems: Vec<Text>,
    pub toml: Option<String>,
}

fn bad(file: &str, at: &str, zh: String, en: String) -> Text {
    Text::new(format!("{file}：{at}：{zh}"), format!("{file}: {at}: {en}"))
}

fn props_of(v: &Value) -> &[Value] {
    v.get("props")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn is_ours(p: &Value) -> bool {
    p.get("ns").and_then(Value::as_str) == Some(NS)
}

/// Our prop `name` (with `class` when given).
fn ours(v: &Value, name: &str, class: Option<&str>) -> Option<String> {
    props_of(v)
        .iter()
        .find(|p| {
            is_ours(p)
                && p["name"] == name
                && class.is_none_or(|c| p.get("class").and_then(Value::as_str) == Some(c))
        })
        .and_then(prop_text)
}

fn ours_all(v: &Value, name: &str) -> Vec<String> {
    props_of(v)
        .iter()
        .filter(|p| is_ours(p) && p["name"] == name)
        .filter_map(prop_text)
        .collect()
}

/// The groups (`group` attribute) of our props `prefix-*`, in order.
fn prop_groups<'a>(v: &'a Value, prefix: &str) -> Vec<(String, Vec<&'a Value>)> {
    let mut out: Vec<(String, Vec<&Value>)> = Vec::new();
    for p in props_of(v).iter().filter(|p| is_ours(p)) {
        let Some(g) = p.get("group").and_then(Value::as_str) else {
            continue;
        };
        if !g.starts_with(prefix) {
            continue;
        }
        match out.iter_mut().find(|(k, _)| k == g) {
            Some((_, xs)) => xs.push(p),
            None => out.push((g.to_string(), vec![p])),
        }
    }
    out
}

fn in_group(ps: &[&Value], name: &str, class: Option<&str>) -> Option<String> {
    ps.iter()
        .find(|p| {
            p["name"] == name
                && class.is_none_or(|c| p.get("class").and_then(Value::as_str) == Some(c))
        })
        .and_then(|p| prop_text(p))
}

fn text_of(zh: Option<String>, en: Option<String>) -> String {
    let zh = zh.unwrap_or_default();
    match en {
        Some(en) => bi(&zh, &en),
        None => format!("{{ zh = {} }}", q(&zh)),
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// Both languages of a text a foreign catalog gives in one: zh is the text
/// when it is Chinese, else the text marked as to translate; en likewise.
fn split_lang(s: &str) -> (String, String) {
    if has_cjk(s) {
        (s.to_string(), format!("{EN_PENDING}{s}"))
    } else {
        (format!("{ZH_PENDING}{s}"), s.to_string())
    }
}

/// A catalog (OSCAL JSON, from iovaudit or any tool; or a resolved profile)
/// → the TOML of a pack, checked with the pack validator against
/// `questions`. `file` names the input in messages. A document that is not
/// a catalog, or broken JSON, is an `Err` naming the file and the place.
pub fn import_catalog(
    file: &str,
    bytes: &[u8],
    opts: &CatalogImportOptions,
    questions: &[SourceFile],
) -> Result<CatalogImport, Text> {
    if bytes.len() > super::MAX_INPUT_BYTES {
        let (n, max) = (bytes.len(), super::MAX_INPUT_BYTES);
        return Err(bad(
            file,
            "catalog",
            format!("文件有 {n} 字节，超过上限 {max} 字节"),
            format!("{n} bytes is more than the {max} bytes read"),
        ));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        let (l, c) = (e.line(), e.column());
        bad(
            file,
            &format!("{l}:{c}"),
            format!("不是有效的 JSON：{e}"),
            format!("not valid JSON: {e}"),
        )
    })?;
    let cat = match doc.get("catalog") {
        Some(c) if c.is_object() => c,
        _ => {
            let root: Vec<String> = doc
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            let root = root.join(", ");
            return Err(if doc.get("profile").is_some() {
                bad(
                    file,
                    "profile",
                    "这是未解析的 OSCAL profile：请先解析为目录（如 oscal-cli profile resolve），解析后的 profile 即 catalog".into(),
                    "an unresolved OSCAL profile: resolve it into a catalog first (e.g. `oscal-cli profile resolve`); a resolved profile is a catalog".into(),
                )
            } else {
                bad(
                    file,
                    "/",
                    format!("不是 OSCAL catalog（根键：{root}）"),
                    format!("not an OSCAL catalog (root keys: {root})"),
                )
            });
        }
    };
    let meta = cat.get("metadata").cloned().unwrap_or(Value::Null);
    let mine = ours(&meta, "pack-id", None).is_some();
    let file_name = std::path::Path::new(file)
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| file.to_string());
    let title = str_of(&meta, "title").map(one_line).unwrap_or_default();

    let pack_id = match (&opts.id, ours(&meta, "pack-id", None)) {
        (Some(id), _) => id.trim().to_ascii_uppercase(),
        (None, Some(id)) => id,
        (None, None) => pack_id_from(&title)
            .filter(|s| s.len() >= 2)
            .or_else(|| {
                std::path::Path::new(file)
                    .file_stem()
                    .and_then(|s| pack_id_from(&s.to_string_lossy()))
            })
            .unwrap_or_default(),
    };
    if !is_pack_id(&pack_id) {
        return Err(bad(
            file,
            "metadata",
            format!("检查单标识 `{pack_id}` 无效：应为大写字母开头的大写字母和数字，至多 16 位（用 --id 指定）"),
            format!("pack id `{pack_id}` is not valid: uppercase letters and digits starting with a letter, at most 16 (give one with --id)"),
        ));
    }

    let mut defaults: Vec<(String, usize, Text)> = Vec::new();
    let mut note_default = |key: &str, label: Text| match defaults.iter_mut().find(|d| d.0 == key) {
        Some(d) => d.1 += 1,
        None => defaults.push((key.to_string(), 1, label)),
    };
    let mut d = Draft::default();
    d.comments.push(format!(
        "由 iovaudit pack import-oscal 从 {file_name} 生成。/ Generated by `iovaudit pack import-oscal` from {file_name}."
    ));
    if !mine {
        d.comments.push("标有「默认 / default」的值不是目录给出的，请核对；「（待译）」「(English pending)」为待译占位。".into());
        d.comments.push("Values marked \"default\" were not in the catalog: check them. \"（待译）\" / \"(English pending)\" mark text to translate.".into());
    }
    let dflt = |v: String| format!("{v}   # 默认 / default");

    // [pack]
    let p = &mut d.pack;
    field(p, "id", q(&pack_id));
    let version = str_of(&meta, "version")
        .map(one_line)
        .filter(|s| !s.is_empty());
    match version {
        Some(v) => field(p, "version", q(&v)),
        None => {
            note_default("version", t!("版本 = \"1\"", "version = \"1\""));
            field(p, "version", dflt(q("1")));
        }
    }
    if mine {
        field(
            p,
            "doc_number",
            q(&ours(&meta, "doc-number", None).unwrap_or_default()),
        );
        let tz = title.clone();
        field(
            p,
            "title",
            text_of(Some(tz), ours(&meta, "title", Some("en"))),
        );
        field(
            p,
            "issuer",
            text_of(
                ours(&meta, "issuer", Some("zh")),
                ours(&meta, "issuer", Some("en")),
            ),
        );
        for (k, pk) in [
            ("doc_type", "doc-type"),
            ("region", "region"),
            ("status", "status"),
        ] {
            field(p, k, q(&ours(&meta, pk, None).unwrap_or_default()));
        }
        for k in ["issued", "effective"] {
            if let Some(v) = ours(&meta, k, None) {
                let ok = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_ok();
                field(p, k, if ok { v } else { q(&v) });
            }
        }
        field(
            p,
            "source",
            q(&ours(&meta, "source", None).unwrap_or_default()),
        );
        field(
            p,
            "provenance",
            q(&ours(&meta, "provenance", None).unwrap_or_default()),
        );
        if let Some(zh) = ours(&meta, "note", Some("zh")) {
            field(
                p,
                "note",
                text_of(Some(zh), ours(&meta, "note", Some("en"))),
            );
        }
        if let Some(w) = ours(&meta, "applies-when", None) {
            field(p, "applies_when", q(&w));
        }
        field(p, "questions", list(&ours_all(&meta, "question")));
        // Scoring.
        let s = &mut d.scoring;
        for (k, pk, quoted) in [
            ("partial", "scoring-partial", false),
            ("not_applicable", "scoring-not-applicable", true),
            ("encouraged", "scoring-encouraged", true),
            ("veto", "scoring-veto", true),
        ] {
            if let Some(v) = ours(&meta, pk, None) {
                let v = if quoted {
                    q(&v)
                } else {
                    v.parse::<f64>().map(num).unwrap_or_else(|_| q(&v))
                };
                field(s, k, v);
            }
        }
        let bands: Vec<String> = prop_groups(&meta, "band-")
            .iter()
            .map(|(_, ps)| {
                let min = in_group(ps, "band-min", None).unwrap_or_default();
                let min = min.parse::<f64>().map(num).unwrap_or_else(|_| q(&min));
                format!(
                    "{{ min = {min}, label = {} }}",
                    text_of(
                        in_group(ps, "band-label", Some("zh")),
                        in_group(ps, "band-label", Some("en"))
                    )
                )
            })
            .collect();
        field(s, "bands", format!("[{}]", bands.join(", ")));
        for (_, ps) in prop_groups(&meta, "excluded-") {
            let mut e: Fields = Vec::new();
            let ids: Vec<String> = ps
                .iter()
                .filter(|p| p["name"] == "excluded-id")
                .filter_map(|p| prop_text(p))
                .collect();
            field(&mut e, "ids", list(&ids));
            field(
                &mut e,
                "clause",
                q(&in_group(&ps, "excluded-clause", None).unwrap_or_default()),
            );
            field(
                &mut e,
                "reason",
                text_of(
                    in_group(&ps, "excluded-reason", Some("zh")),
                    in_group(&ps, "excluded-reason", Some("en")),
                ),
            );
            d.excluded.push(e);
        }
    } else {
        let doc_number = cat
            .pointer("/metadata/document-ids/0/identifier")
            .and_then(Value::as_str)
            .map(one_line);
        match doc_number {
            Some(n) => field(p, "doc_number", q(&n)),
            None => {
                note_default(
                    "doc_number",
                    t!("文号（待补充）", "doc number (to be completed)"),
                );
                field(p, "doc_number", dflt(q("（待补充文号）")));
            }
        }
        let (zh, en) = split_lang(if title.is_empty() { &pack_id } else { &title });
        field(p, "title", bi(&zh, &en));
        let creator = meta
            .get("responsible-parties")
            .and_then(Value::as_array)
            .and_then(|rs| rs.iter().find(|r| r["role-id"] == "creator"))
            .and_then(|r| r.pointer("/party-uuids/0"))
            .and_then(Value::as_str)
            .and_then(|u| {
                meta.get("parties")?
                    .as_array()?
                    .iter()
                    .find(|p| p["uuid"] == u)
                    .and_then(|p| str_of(p, "name"))
                    .map(one_line)
            });
        match creator {
            Some(c) => {
                let (zh, en) = split_lang(&c);
                field(p, "issuer", bi(&zh, &en));
            }
            None => {
                note_default(
                    "issuer",
                    t!("发文机关（待补充）", "issuer (to be completed)"),
                );
                field(
                    p,
                    "issuer",
                    dflt(bi("（待补充发文机关）", "(issuer to be completed)")),
                );
            }
        }
        note_default(
            "doc_type",
            t!(
                "文件类型 = task_list，地区 = CN，状态 = in_force",
                "doc_type = task_list, region = CN, status = in_force"
            ),
        );
        field(p, "doc_type", dflt(q("task_list")));
        field(p, "region", dflt(q("CN")));
        field(p, "status", dflt(q("in_force")));
        if let Some(pubd) = str_of(&meta, "published").and_then(|s| s.get(..10)) {
            if chrono::NaiveDate::parse_from_str(pubd, "%Y-%m-%d").is_ok() {
                field(p, "issued", pubd.to_string());
            }
        }
        field(p, "source", q(&file_name));
        field(p, "provenance", dflt(q("text")));
        field(
            p,
            "note",
            bi(
                &format!("由 iovaudit 从 OSCAL 目录 {file_name} 导入；标为默认值的字段与待译文字需人工核对补充。"),
                &format!("Imported by iovaudit from the OSCAL catalog {file_name}; fields marked as defaults and text marked to translate must be checked and completed."),
            ),
        );
        field(p, "questions", "[]".into());
        note_default(
            "scoring",
            t!(
                "计分规则（与内置检查单相同）",
                "scoring rules (as in the built-in packs)"
            ),
        );
        d.scoring = default_scoring();
    }

    // Sections and requirements.
    let mut skipped: Vec<(String, Text)> = Vec::new();
    let mut used_ids: Vec<String> = Vec::new();
    let mut n_req = 0usize;
    struct Sec<'a> {
        group: Option<&'a Value>,
        title_path: String,
        controls: Vec<(String, &'a Value)>,
    }
    let mut secs: Vec<Sec> = Vec::new();
    fn controls_of<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
        if let Some(cs) = v.get("controls").and_then(Value::as_array) {
            for (i, c) in cs.iter().enumerate() {
                let a = format!("{at}.controls[{i}]");
                out.push((a.clone(), c));
                controls_of(c, &a, out);
            }
        }
    }
    fn walk<'a>(g: &'a Value, at: String, path: String, secs: &mut Vec<Sec<'a>>) {
        let mut controls = Vec::new();
        if let Some(cs) = g.get("controls").and_then(Value::as_array) {
            for (i, c) in cs.iter().enumerate() {
                let a = format!("{at}.controls[{i}]");
                controls.push((a.clone(), c));
                controls_of(c, &a, &mut controls);
            }
        }
        let title = g
            .get("title")
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_default();
        let path = if path.is_empty() {
            title
        } else {
            format!("{path} / {title}")
        };
        if !controls.is_empty() {
            secs.push(Sec {
                group: Some(g),
                title_path: path.clone(),
                controls,
            });
        }
        if let Some(gs) = g.get("groups").and_then(Value::as_array) {
            for (i, sub) in gs.iter().enumerate() {
                walk(sub, format!("{at}.groups[{i}]"), path.clone(), secs);
            }
        }
    }
    let mut top = Vec::new();
    if let Some(cs) = cat.get("controls").and_then(Value::as_array) {
        for (i, c) in cs.iter().enumerate() {
            let a = format!("catalog.controls[{i}]");
            top.push((a.clone(), c));
            controls_of(c, &a, &mut top);
        }
    }
    if !top.is_empty() {
        secs.push(Sec {
            group: None,
            title_path: String::new(),
            controls: top,
        });
    }
    if let Some(gs) = cat.get("groups").and_then(Value::as_array) {
        for (i, g) in gs.iter().enumerate() {
            walk(g, format!("catalog.groups[{i}]"), String::new(), &mut secs);
        }
    }

    let mut scoring_groups: Vec<Fields> = Vec::new();
    for (n, s) in secs.iter().enumerate() {
        let mut sf: Fields = Vec::new();
        let gid = s.group.and_then(|g| str_of(g, "id")).unwrap_or("");
        let sid = if mine && gid.starts_with(&format!("{pack_id}-")) {
            gid.to_string()
        } else {
            format!("{pack_id}-S{}", n + 1)
        };
        field(&mut sf, "id", q(&sid));
        let clause = s
            .group
            .and_then(|g| ours(g, "clause", None))
            .or_else(|| {
                s.group.and_then(|g| {
                    props_of(g)
                        .iter()
                        .find(|p| p["name"] == "label")
                        .and_then(prop_text)
                })
            })
            .or_else(|| (!gid.is_empty()).then(|| gid.to_string()))
            .unwrap_or_else(|| (n + 1).to_string());
        field(&mut sf, "clause", q(&clause));
        if mine {
            let zh = s
                .group
                .and_then(|g| str_of(g, "title"))
                .unwrap_or("")
                .to_string();
            let en = s.group.and_then(|g| ours(g, "title", Some("en")));
            field(&mut sf, "title", text_of(Some(zh), en));
        } else {
            let t = if s.title_path.is_empty() {
                "全部检查项".to_string()
            } else {
                s.title_path.clone()
            };
            let (zh, en) = if s.title_path.is_empty() {
                (t, "All requirements".to_string())
            } else {
                split_lang(&t)
            };
            field(&mut sf, "title", bi(&zh, &en));
        }
        if let Some(g) = s.group {
            if let Some(rule) = ours(g, "scoring-rule", None) {
                let mut gf: Fields = Vec::new();
                field(&mut gf, "section", q(&sid));
                field(&mut gf, "rule", q(&rule));
                if let Some(zh) = ours(g, "scoring-rule-note", Some("zh")) {
                    field(
                        &mut gf,
                        "note",
                        text_of(Some(zh), ours(g, "scoring-rule-note", Some("en"))),
                    );
                }
                scoring_groups.push(gf);
            }
        }
        let mut reqs: Vec<Fields> = Vec::new();
        for (at, c) in &s.controls {
            let withdrawn = props_of(c)
                .iter()
                .any(|p| p["name"] == "status" && p["value"] == "withdrawn");
            if withdrawn {
                skipped.push((at.clone(), t!("已撤销的控制项", "withdrawn control")));
                continue;
            }
            let Some(cid) = str_of(c, "id") else {
                skipped.push((at.clone(), t!("控制项没有 id", "the control has no id")));
                continue;
            };
            let r = if mine {
                our_requirement(c, cid)
            } else {
                foreign_requirement(
                    c,
                    cid,
                    &pack_id,
                    &file_name,
                    &mut used_ids,
                    &mut note_default,
                )
            };
            if mine {
                used_ids.push(cid.to_string());
            }
            reqs.push(r);
            n_req += 1;
        }
        d.sections.push(DraftSection {
            fields: sf,
            requirements: reqs,
        });
    }
    d.groups = scoring_groups;
    if d.sections.iter().all(|s| s.requirements.is_empty()) {
        return Err(bad(
            file,
            "catalog",
            "目录中没有可导入的控制项".into(),
            "the catalog has no control to import".into(),
        ));
    }
    d.sections.retain(|s| !s.requirements.is_empty());

    let toml_text = d.to_toml();
    let problems = check(&format!("{pack_id}.toml"), &toml_text, questions);
    let defaults = defaults
        .iter()
        .map(|(_, n, l)| Text::new(format!("{}：{n} 处", l.zh), format!("{}: {n}", l.en)))
        .collect();
    Ok(CatalogImport {
        file: file.to_string(),
        pack_id,
        iovaudit: mine,
        sections: d.sections.len(),
        requirements: n_req,
        skipped,
        defaults,
        toml: problems.is_empty().then_some(toml_text),
        problems,
    })
}

/// A requirement from a control our export wrote.
fn our_requirement(c: &Value, id: &str) -> Fields {
    let mut f: Fields = Vec::new();
    field(&mut f, "id", q(id));
    field(
        &mut f,
        "clause",
        q(&ours(c, "clause", None).unwrap_or_default()),
    );
    let title_zh = str_of(c, "title").unwrap_or("").to_string();
    field(
        &mut f,
        "title",
        text_of(Some(title_zh), ours(c, "title", Some("en"))),
    );
    let parts: &[Value] = c
        .get("parts")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let part_text = |name: &str, class: Option<&str>| {
        parts
            .iter()
            .find(|p| {
                p["name"] == name
                    && match class {
                        None => p.get("ns").is_none(),
                        Some(cl) => {
                            is_ours(p) && p.get("class").and_then(Value::as_str) == Some(cl)
                        }
                    }
            })
            .and_then(|p| str_of(p, "prose"))
            .map(str::to_string)
    };
    field(
        &mut f,
        "text",
        text_of(
            part_text("statement", None),
            part_text("statement", Some("en")),
        ),
    );
    field(
        &mut f,
        "obligation",
        q(&ours(c, "obligation", None).unwrap_or_default()),
    );
    field(&mut f, "applies_to", list(&ours_all(c, "applies-to")));
    if let Some(w) = ours(c, "when", None) {
        field(&mut f, "when", q(&w));
    }
    let obj = parts.iter().find(|p| p["name"] == "assessment-objective");
    let ev = |class: &str| -> Vec<String> {
        obj.and_then(|o| o.get("parts"))
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter(|p| is_ours(p) && p["name"] == "evidence" && p["class"] == class)
                    .filter_map(|p| str_of(p, "prose").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ez, ee) = (ev("zh"), ev("en"));
    field(
        &mut f,
        "evidence",
        if ee.is_empty() {
            format!("{{ zh = {} }}", list(&ez))
        } else {
            format!("{{ zh = {}, en = {} }}", list(&ez), list(&ee))
        },
    );
    let methods: Vec<String> = parts
        .iter()
        .filter(|p| p["name"] == "assessment-method")
        .filter_map(|p| props_of(p).iter().find(|x| x["name"] == "method"))
        .filter_map(|x| str_of(x, "value").map(str::to_ascii_lowercase))
        .collect();
    field(&mut f, "methods", list(&methods));
    field(
        &mut f,
        "weight",
        ours(c, "weight", None).unwrap_or_else(|| "3".into()),
    );
    if ours(c, "veto", None).as_deref() == Some("true") {
        field(&mut f, "veto", "true".into());
    }
    let themes = ours_all(c, "theme");
    if !themes.is_empty() {
        field(&mut f, "themes", list(&themes));
    }
    field(
        &mut f,
        "provenance",
        q(&ours(c, "provenance", None).unwrap_or_default()),
    );
    if let Some(n) = ours(c, "provenance-note", None) {
        field(&mut f, "provenance_note", q(&n));
    }
    let origin = |v: &Value| -> String {
        let mut s = String::new();
        if let Some(p) = ours(v, "provenance", None) {
            s.push_str(&format!(", provenance = {}", q(&p)));
        }
        if let Some(p) = ours(v, "source", None) {
            s.push_str(&format!(", source = {}", q(&p)));
        }
        if let Some(zh) = ours(v, "note", Some("zh")) {
            s.push_str(&format!(
                ", note = {}",
                text_of(Some(zh), ours(v, "note", Some("en")))
            ));
        }
        s
    };
    let params: Vec<String> = c
        .get("params")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|pm| {
                    let value = pm
                        .pointer("/values/0")
                        .and_then(Value::as_str)
                        .unwrap_or("0");
                    let value = value.parse::<f64>().map(num).unwrap_or_else(|_| q(value));
                    format!(
                        "{{ key = {}, op = {}, value = {value}, unit = {}{} }}",
                        q(&ours(pm, "key", None).unwrap_or_default()),
                        q(&ours(pm, "op", None).unwrap_or_default()),
                        q(&ours(pm, "unit", None).unwrap_or_default()),
                        origin(pm)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if !params.is_empty() {
        field(&mut f, "params", format!("[{}]", params.join(", ")));
    }
    let sub_text = |p: &Value, name: &str| -> Option<String> {
        let ps = p.get("parts")?.as_array()?;
        let get = |cl: &str| {
            ps.iter()
                .find(|x| x["name"] == name && x["class"] == cl)
                .and_then(|x| str_of(x, "prose"))
                .map(str::to_string)
        };
        let zh = get("zh")?;
        Some(text_of(Some(zh), get("en")))
    };
    let deadlines: Vec<String> = parts
        .iter()
        .filter(|p| is_ours(p) && p["name"] == "deadline")
        .map(|p| {
            let kind = ours(p, "kind", None).unwrap_or_default();
            let mut s = format!("{{ kind = {}", q(&kind));
            for k in ["due", "period", "within", "date"] {
                if let Some(v) = ours(p, k, None) {
                    let lit =
                        k == "date" && chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_ok();
                    s.push_str(&format!(", {k} = {}", if lit { v } else { q(&v) }));
                }
            }
            for k in ["trigger", "event"] {
                if let Some(t) = sub_text(p, k) {
                    s.push_str(&format!(", {k} = {t}"));
                }
            }
            if let Some(w) = ours(p, "when", None) {
                s.push_str(&format!(", when = {}", q(&w)));
            }
            s.push_str(&origin(p));
            s.push_str(" }");
            s
        })
        .collect();
    if !deadlines.is_empty() {
        field(&mut f, "deadlines", format!("[{}]", deadlines.join(", ")));
    }
    if let Some(tp) = parts.iter().find(|p| is_ours(p) && p["name"] == "test") {
        let clause = ours(tp, "clause", None).unwrap_or_default();
        let ps = tp.get("parts").and_then(Value::as_array);
        let get = |cl: &str| {
            ps.and_then(|ps| ps.iter().find(|x| x["name"] == "text" && x["class"] == cl))
                .and_then(|x| str_of(x, "prose"))
                .map(str::to_string)
        };
        let mut s = format!(
            "{{ clause = {}, zh = {}",
            q(&clause),
            q(&get("zh").unwrap_or_default())
        );
        if let Some(en) = get("en") {
            s.push_str(&format!(", en = {}", q(&en)));
        }
        s.push_str(" }");
        field(&mut f, "test", s);
    }
    let replaces = ours_all(c, "replaces");
    if !replaces.is_empty() {
        field(&mut f, "replaces", list(&replaces));
    }
    f
}

/// A part's prose with its sub-parts (items labelled `a.`, `1.` …), parameter
/// insertions replaced by the parameter's values, label or id.
fn prose_of(p: &Value, params: &[&Value], out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let label = props_of(p)
        .iter()
        .find(|x| x["name"] == "label")
        .and_then(|x| str_of(x, "value"))
        .map(|l| format!("{l} "))
        .unwrap_or_default();
    if let Some(s) = str_of(p, "prose") {
        let s = insert_params(s, params);
        if !s.trim().is_empty() {
            out.push(format!("{label}{}", s.trim()));
        }
    }
    if let Some(ps) = p.get("parts").and_then(Value::as_array) {
        for sp in ps {
            if sp["name"] == "item" || sp["name"] == "statement" {
                prose_of(sp, params, out, depth + 1);
            }
        }
    }
}

/// `{{ insert: param, ac-1_prm_1 }}` → `[值 / values]` or `[Assignment: label]`.
fn insert_params(s: &str, params: &[&Value]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out.push_str(&rest[i..]);
            return out;
        };
        let inner = after[..j].trim();
        let pid = inner
            .strip_prefix("insert:")
            .map(|x| x.trim())
            .and_then(|x| x.strip_prefix("param,"))
            .map(str::trim);
        match pid {
            Some(pid) => {
                let pm = params.iter().find(|p| p["id"] == pid);
                let values: Vec<String> = pm
                    .and_then(|p| p.get("values"))
                    .and_then(Value::as_array)
                    .map(|vs| {
                        vs.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let label = pm.and_then(|p| str_of(p, "label"));
                if !values.is_empty() {
                    out.push_str(&format!("[{}]", values.join(", ")));
                } else if let Some(l) = label {
                    out.push_str(&format!("[Assignment: {l}]"));
                } else {
                    out.push_str(&format!("[{pid}]"));
                }
            }
            None => out.push_str(&format!("{{{{{inner}}}}}")),
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    out
}

fn foreign_requirement(
    c: &Value,
    cid: &str,
    pack_id: &str,
    file_name: &str,
    used: &mut Vec<String>,
    note_default: &mut dyn FnMut(&str, Text),
) -> Fields {
    let dflt = |v: String| format!("{v}   # 默认 / default");
    let mut f: Fields = Vec::new();
    let base = if cid.starts_with(&format!("{pack_id}-"))
        && cid[pack_id.len() + 1..] == id_part(&cid[pack_id.len() + 1..])
    {
        cid.to_string()
    } else {
        let part = id_part(cid);
        format!(
            "{pack_id}-{}",
            if part.is_empty() { "X".into() } else { part }
        )
    };
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.push(id.clone());
    field(&mut f, "id", q(&id));
    let label = props_of(c)
        .iter()
        .find(|p| p["name"] == "label")
        .and_then(|p| str_of(p, "value"))
        .map(one_line);
    field(
        &mut f,
        "clause",
        q(&label.unwrap_or_else(|| cid.to_string())),
    );
    let title = str_of(c, "title")
        .map(one_line)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| cid.to_string());
    let (tz, te) = split_lang(&title);
    field(&mut f, "title", bi(&tz, &te));
    let params: Vec<&Value> = c
        .get("params")
        .and_then(Value::as_array)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let mut lines: Vec<String> = Vec::new();
    let parts: &[Value] = c
        .get("parts")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for p in parts.iter().filter(|p| p["name"] == "statement") {
        prose_of(p, &params, &mut lines, 0);
    }
    let text = if lines.is_empty() {
        note_default(
            "text",
            t!("检查内容（同控制项标题）", "text (the control's title)"),
        );
        title.clone()
    } else {
        lines.join("\n")
    };
    let (xz, xe) = split_lang(&text);
    field(&mut f, "text", bi(&xz, &xe));
    note_default(
        "obligation",
        t!(
            "义务类型 = mandatory，适用对象 = [\"ALL\"]",
            "obligation = mandatory, applies_to = [\"ALL\"]"
        ),
    );
    field(&mut f, "obligation", dflt(q("mandatory")));
    field(&mut f, "applies_to", dflt(list(&["ALL".to_string()])));
    // Evidence: SP 800-53A assessment objects, else a placeholder.
    let mut ev: Vec<String> = Vec::new();
    let mut methods: Vec<String> = Vec::new();
    for p in parts
        .iter()
        .filter(|p| p["name"] == "assessment-method" || p["name"] == "assessment")
    {
        if let Some(m) = props_of(p)
            .iter()
            .find(|x| x["name"] == "method")
            .and_then(|x| str_of(x, "value"))
        {
            let m = match m.to_ascii_uppercase().as_str() {
                "EXAMINE" => "examine",
                "INTERVIEW" => "interview",
                "TEST" => "test",
                _ => "",
            };
            if !m.is_empty() && !methods.iter().any(|x| x == m) {
                methods.push(m.to_string());
            }
        }
        if let Some(objs) = p.get("parts").and_then(Value::as_array) {
            for o in objs.iter().filter(|o| o["name"] == "assessment-objects") {
                if let Some(s) = str_of(o, "prose") {
                    ev.extend(s.lines().map(one_line).filter(|l| !l.is_empty()).take(50));
                }
            }
        }
    }
    if ev.is_empty() {
        note_default(
            "evidence",
            t!("证明材料（待补充）", "evidence (to be completed)"),
        );
        field(
            &mut f,
            "evidence",
            dflt(format!(
                "{{ zh = {} }}",
                list(&[EVIDENCE_PENDING.to_string()])
            )),
        );
    } else {
        let zh: Vec<String> = ev.iter().map(|e| split_lang(e).0).collect();
        field(
            &mut f,
            "evidence",
            format!("{{ zh = {}, en = {} }}", list(&zh), list(&ev)),
        );
    }
    if methods.is_empty() {
        note_default(
            "methods",
            t!("评估方法 = [\"examine\"]", "methods = [\"examine\"]"),
        );
        field(&mut f, "methods", dflt(list(&["examine".to_string()])));
    } else {
        field(&mut f, "methods", list(&methods));
    }
    note_default(
        "weight",
        t!("权重 = 3，来源 = text", "weight = 3, provenance = text"),
    );
    field(&mut f, "weight", dflt("3".into()));
    field(&mut f, "provenance", dflt(q("text")));
    field(
        &mut f,
        "provenance_note",
        q(&format!("导入自 OSCAL 目录 {file_name} 控制项 {cid} / imported from the OSCAL catalog {file_name}, control {cid}")),
    );
    f
}
