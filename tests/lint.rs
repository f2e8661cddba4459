//! The classification rules of `src/pack/lint.rs` and the rules that need the
//! regulation texts (docs/checklist-format.md, "Classification rules"):
//!
//! 1. `mandatory` never has `when` (validator error, at the `when` value);
//! 2. a mapping note that says a side demands more contradicts `equal`, and
//!    `superset`/`subset` when it says so of the narrower side (validator
//!    error, at the `relation` value);
//! 3. a deadline or parameter of a `text` requirement that has no provenance
//!    of its own must be found in the cited clause of the seed text (a test
//!    over the shipped packs: the seeds are not shipped);
//! 4. every 鼓励 (encouragement) of a seed is an `encouraged` requirement or
//!    an excluded clause, and every `encouraged` requirement cites a clause
//!    that says 鼓励 (a test over the shipped packs, same reason).
//!
//! Rules 3 and 4 read `../shared/seeds/`; when it is not beside the checkout
//! they are skipped with a note.

mod common;
use common::repo;
use iovaudit::pack::{self, Diagnostic, SourceFile};
use std::collections::BTreeMap;
use std::path::PathBuf;

// ------------------------------------------------------------ helpers

fn questions() -> SourceFile {
    let path = repo().join("checklists/questions.toml");
    SourceFile::new(
        "questions.toml",
        std::fs::read_to_string(path).expect("read questions.toml"),
    )
}

/// A small valid pack with one requirement; `extra` is appended to the requirement.
fn pack(id: &str, number: u32, extra: &str) -> String {
    format!(
        r#"schema = 1

[pack]
id = "{id}"
version = "1"
doc_number = "测试〔2026〕{number}号"
title = {{ zh = "测试检查单", en = "Test pack" }}
issuer = {{ zh = "测试机关", en = "Test issuer" }}
doc_type = "notice"
region = "CN"
status = "in_force"
source = "tests"
provenance = "text"
questions = ["has_ota"]

[scoring]
partial = 0.5
not_applicable = "exclude"
encouraged = "exclude"
veto = "fail_pack"
bands = [
  {{ min = 90, label = {{ zh = "符合", en = "Conformant" }} }},
  {{ min = 0, label = {{ zh = "不符合", en = "Not conformant" }} }},
]

[[sections]]
id = "{id}-S1"
clause = "一、"
title = {{ zh = "第一部分", en = "Part one" }}

[[sections.requirements]]
id = "{id}-01"
clause = "一（一）"
title = {{ zh = "要求一", en = "Requirement one" }}
text = {{ zh = "企业应当做某事。", en = "The enterprise must do something." }}
applies_to = ["ALL"]
evidence = {{ zh = ["制度"], en = ["Policy"] }}
methods = ["examine"]
weight = 3
provenance = "text"
{extra}"#
    )
}

fn mapping(relation: &str, zh: &str, en: &str) -> String {
    format!(
        r#"schema = 1

[[themes]]
id = "X01"
title = {{ zh = "主题", en = "Theme" }}

[[themes.mappings]]
from = "TESTA-01"
to = "TESTB-01"
relation = "{relation}"
note = {{ zh = "{zh}", en = "{en}" }}
"#
    )
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

fn check(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut sources = vec![questions()];
    sources.extend(files.iter().map(|(n, t)| SourceFile::new(*n, *t)));
    pack::check(&sources).1
}

// ------------------------------------------------------------ rule 1

#[test]
fn mandatory_with_when_is_an_error_at_the_condition() {
    let text = pack(
        "TESTA",
        1,
        "obligation = \"mandatory\"\nwhen = \"has_ota\"\n",
    );
    let d = check(&[("a.toml", &text)]);
    assert_eq!(d.len(), 1, "{d:#?}");
    let (line, col) = position(&text, "\"has_ota\"\n");
    assert_eq!(
        (d[0].file.as_str(), d[0].line, d[0].column),
        ("a.toml", line, col)
    );
    assert!(
        d[0].message.zh.contains("`mandatory`") && d[0].message.zh.contains("conditional"),
        "{}",
        d[0].message.zh
    );
    assert!(
        d[0].message.en.contains("TESTA-01")
            && d[0]
                .message
                .en
                .contains("is `obligation = \"conditional\"`"),
        "{}",
        d[0].message.en
    );
}

#[test]
fn conditional_with_when_and_mandatory_without_pass() {
    let a = pack(
        "TESTA",
        1,
        "obligation = \"conditional\"\nwhen = \"has_ota\"\n",
    );
    let b = pack(
        "TESTB",
        2,
        "obligation = \"mandatory\"\ndeadlines = [{ kind = \"recurring\", period = \"P1Y\", when = \"has_ota\" }]\n",
    );
    let c = pack(
        "TESTC",
        3,
        "obligation = \"encouraged\"\nwhen = \"has_ota\"\n",
    );
    let d = check(&[("a.toml", &a), ("b.toml", &b), ("c.toml", &c)]);
    assert!(d.is_empty(), "{d:#?}");
}

// ------------------------------------------------------------ rule 2

fn mapped(relation: &str, zh: &str, en: &str) -> (String, Vec<Diagnostic>) {
    let a = pack("TESTA", 1, "obligation = \"mandatory\"\n");
    let b = pack("TESTB", 2, "obligation = \"mandatory\"\n");
    let m = mapping(relation, zh, en);
    let d = check(&[("a.toml", &a), ("b.toml", &b), ("m.toml", &m)]);
    (m, d)
}

#[test]
fn equal_with_differences_both_ways_is_an_error_at_the_relation() {
    let (m, d) = mapped(
        "equal",
        "共同点是合作方评估；TESTA另要求成文制度，2号同时提及开发利用的责任。",
        "Shared: partner vetting.",
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    let (line, col) = position(&m, "\"equal\"");
    assert_eq!(
        (d[0].file.as_str(), d[0].line, d[0].column),
        ("m.toml", line, col)
    );
    assert!(d[0].message.zh.contains("`equal`") && d[0].message.zh.contains("`intersect`"));
    assert!(d[0]
        .message
        .en
        .contains("each side demands something the other does not"));
}

#[test]
fn equal_with_a_difference_one_way_is_an_error_naming_the_direction() {
    let (_, d) = mapped(
        "equal",
        "同一义务。",
        "Same duty. TESTB adds a yearly report.",
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.en.contains("use `subset`"),
        "{}",
        d[0].message.en
    );
}

#[test]
fn superset_whose_note_gives_the_other_side_more_is_an_error() {
    let (m, d) = mapped(
        "superset",
        "TESTA另定频次；及时消除隐患的要求仅在2号中明示。",
        "TESTA adds the intervals; prompt remediation is stated only in TESTB.",
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    let (line, col) = position(&m, "\"superset\"");
    assert_eq!((d[0].line, d[0].column), (line, col));
    assert!(
        d[0].message.en.contains("is `superset`") && d[0].message.en.contains("use `intersect`")
    );
}

#[test]
fn notes_consistent_with_their_relation_pass() {
    for (relation, zh, en) in [
        // Who is bound is not a demand.
        (
            "equal",
            "同一义务；TESTA另约束终端企业。",
            "Same duty; TESTA also binds terminal makers.",
        ),
        (
            "superset",
            "TESTA另要求报备；2号只要求检测。",
            "TESTA adds a filing; TESTB only requires the test.",
        ),
        (
            "subset",
            "2号另含数据安全制度。",
            "TESTB also covers data-security policies.",
        ),
        (
            "intersect",
            "TESTA另要求台账；2号另要求评估。",
            "Each adds something.",
        ),
        (
            "thematic",
            "同一主题，无共同要求。",
            "Same theme, no shared demand.",
        ),
        // A possessive names the thing, not the side that demands more.
        (
            "superset",
            "TESTA逐字延续2号的三类防护并增加分级措施。",
            "TESTA repeats TESTB's three areas and adds level-based controls.",
        ),
    ] {
        let (_, d) = mapped(relation, zh, en);
        assert!(d.is_empty(), "{relation}: {zh} / {en}: {d:#?}");
    }
}

// ------------------------------------------------------------ shipped packs

#[test]
fn shipped_checklists_pass_every_rule() {
    let files = pack::read_sources(&[repo().join("checklists")]).expect("read checklists");
    let (_, d) = pack::check(&files);
    let shown: Vec<String> = d
        .iter()
        .map(|x| x.render(iovaudit::i18n::Lang::En))
        .collect();
    assert!(shown.is_empty(), "{}", shown.join("\n"));
}

// ------------------------------------------------------------ seeds

/// The regulation packs whose `source` is a seed text.
const SEEDED: &[&str] = &["n134", "n103", "bj50", "sh26", "p148"];

fn seeds_dir() -> Option<PathBuf> {
    let d = repo().join("../shared/seeds");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!(
            "note: {} not found; the checks against the seed texts are skipped",
            d.display()
        );
        None
    }
}

fn load_pack(name: &str) -> toml::Table {
    let text =
        std::fs::read_to_string(repo().join(format!("checklists/{name}.toml"))).expect("read pack");
    toml::from_str(&text).expect("pack parses")
}

fn str_of<'a>(t: &'a toml::Table, key: &str) -> &'a str {
    t.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

const CN: &[&str] = &[
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
    "十四", "十五", "十六", "十七", "十八", "十九", "二十",
];

fn cn(n: u32) -> Vec<String> {
    let mut out = vec![n.to_string()];
    if let Some(c) = CN.get(n as usize) {
        out.push(c.to_string());
    } else if n.is_multiple_of(10) && n < 100 {
        out.push(format!("{}十", CN[(n / 10) as usize]));
    }
    if n == 2 {
        out.push("两".into());
    }
    out
}

/// How a seed is cut into clauses, and which clause a requirement cites.
#[derive(Clone, Copy)]
enum Layout {
    /// 一、 parts with （一） paragraphs (134号, 103号, 148号); key `三（七）`.
    Parts,
    /// Numbered items `12. …` (Beijing 50号); key `12`.
    Items,
    /// Table rows with tasks `7.…` (Shanghai task list); key `7`.
    Rows,
}

fn layout(pack: &str) -> Layout {
    match pack {
        "bj50" => Layout::Items,
        "sh26" => Layout::Rows,
        _ => Layout::Parts,
    }
}

const NUMERALS: &str = "一二三四五六七八九十";

fn leading_numeral(s: &str) -> Option<(String, &str)> {
    let n: String = s.chars().take_while(|c| NUMERALS.contains(*c)).collect();
    (!n.is_empty()).then(|| (n.clone(), &s[n.len()..]))
}

/// `三（七）3` → `三（七）`; `三（四）12` → `12`; `四.7 材料(1)` → `7`.
fn clause_key(layout: Layout, clause: &str) -> String {
    match layout {
        Layout::Parts => {
            let end = clause
                .find('）')
                .map_or(clause.len(), |i| i + '）'.len_utf8());
            clause[..end].to_string()
        }
        Layout::Items => clause
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect(),
        Layout::Rows => clause
            .split('.')
            .nth(1)
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect(),
    }
}

/// The seed cut into clauses: key → text (whitespace removed).
fn segments(layout: Layout, seed: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut part = String::new();
    for raw in seed.lines() {
        let line = raw.trim_start_matches(['#', '>', '*', ' ', '\u{3000}', '\t']);
        match layout {
            Layout::Parts => {
                if raw.starts_with("# ") && !part.is_empty() {
                    // A new top-level document after the notice (148号 seed).
                    break;
                }
                if raw.trim_start_matches('#').trim().starts_with("应对") {
                    current = None; // a vendor's notes in the 103号 seed
                    continue;
                }
                if let Some((n, rest)) = leading_numeral(line) {
                    if rest.starts_with('、') {
                        part = n;
                        current = None;
                        continue;
                    }
                }
                let opens = line.starts_with('（') || line.starts_with('(');
                if opens {
                    let inner = line.trim_start_matches(['（', '(']);
                    if let Some((n, rest)) = leading_numeral(inner) {
                        if rest.starts_with('）') || rest.starts_with(')') {
                            current = Some(format!("{part}（{n}）"));
                        }
                    }
                }
            }
            Layout::Items => {
                let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
                if !digits.is_empty() && line[digits.len()..].starts_with(". ") {
                    current = Some(digits);
                } else if raw.starts_with("**") {
                    current = None;
                }
            }
            Layout::Rows => {
                current = None;
                for cell in raw.split('\t') {
                    let cell = cell.trim();
                    let digits: String = cell.chars().take_while(char::is_ascii_digit).collect();
                    if !digits.is_empty() && cell[digits.len()..].starts_with('.') {
                        current = Some(digits);
                        break;
                    }
                }
            }
        }
        if let Some(k) = &current {
            let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
            out.entry(k.clone()).or_default().push_str(&text);
        }
    }
    out
}

/// The ways a value may be written in the text; any one found is enough.
fn period_forms(iso: &str) -> Vec<String> {
    let (n, unit) = iso[1..].split_at(iso.len() - 2);
    let n: u32 = n.parse().unwrap_or(0);
    match unit {
        "Y" if n == 1 => vec!["每年".into(), "年度".into(), "一年".into()],
        "Y" => cn(n).into_iter().map(|c| format!("{c}年")).collect(),
        "M" => cn(n).into_iter().map(|c| format!("{c}个月")).collect(),
        _ => cn(n)
            .into_iter()
            .flat_map(|c| [format!("{c}日"), format!("{c}天")])
            .collect(),
    }
}

fn month_day_forms(month: u32, day: u32) -> Vec<String> {
    let mut out = vec![format!("{month}月{day}日")];
    let last = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day >= last - 1 {
        out.push(format!("{month}月底"));
    }
    out
}

fn param_forms(value: f64, unit: &str) -> Vec<String> {
    let n = value as u32;
    let forms = cn(n);
    match unit {
        "month" => forms.into_iter().map(|c| format!("{c}个月")).collect(),
        "year" if n == 1 => vec!["每年".into(), "一年".into()],
        "year" => forms.into_iter().map(|c| format!("{c}年")).collect(),
        "percent" => forms
            .into_iter()
            .flat_map(|c| [format!("{c}%"), format!("{c}％")])
            .collect(),
        "times_per_year" => {
            let mut v: Vec<String> = forms.into_iter().map(|c| format!("{c}次")).collect();
            if n == 1 {
                v.push("每年".into());
            }
            v
        }
        "day" => forms
            .into_iter()
            .flat_map(|c| [format!("{c}日"), format!("{c}天")])
            .collect(),
        "second" => forms.into_iter().map(|c| format!("{c}秒")).collect(),
        _ => forms,
    }
}

/// What is wrong with one deadline or parameter, if anything: `None` when the
/// value has its own provenance or is written in `clause` (the year of a date
/// may be anywhere in the document, e.g. the title of a yearly task list).
fn value_problem(entry: &toml::Table, is_param: bool, clause: &str, whole: &str) -> Option<String> {
    if entry.contains_key("provenance") {
        return None;
    }
    let found = |forms: &[String]| forms.iter().any(|f| clause.contains(f.as_str()));
    if is_param {
        let value = entry
            .get("value")
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))?;
        let forms = param_forms(value, str_of(entry, "unit"));
        return (!found(&forms)).then(|| {
            format!(
                "parameter `{}` = {value}: none of {forms:?}",
                str_of(entry, "key")
            )
        });
    }
    let kind = str_of(entry, "kind");
    let forms = match kind {
        "annual" => {
            let due = str_of(entry, "due");
            let (m, d) = due.split_once('-')?;
            // A yearly reading needs the text to say so at the date (每年3月10日前):
            // a date in a yearly task list is that year's date only.
            month_day_forms(m.parse().ok()?, d.parse().ok()?)
                .into_iter()
                .map(|f| format!("每年{f}"))
                .collect()
        }
        "recurring" | "retention" => period_forms(str_of(entry, "period")),
        "triggered" => period_forms(str_of(entry, "within")),
        "once" => {
            let date = entry.get("date")?.to_string();
            let mut it = date.split('-');
            let (y, m, d) = (it.next()?, it.next()?, it.next()?);
            if !whole.contains(y) {
                return Some(format!("once {date}: the year {y} is not in the document"));
            }
            month_day_forms(m.parse().ok()?, d.parse().ok()?)
        }
        _ => return None, // before_event / immediate carry no value
    };
    (!found(&forms)).then(|| format!("{kind} deadline {entry}: none of {forms:?}"))
}

#[test]
fn values_of_text_requirements_are_in_the_cited_clause() {
    let Some(dir) = seeds_dir() else { return };
    let mut problems = Vec::new();
    let mut checked = 0;
    for name in SEEDED {
        let p = load_pack(name);
        let source = str_of(p["pack"].as_table().expect("[pack]"), "source");
        let seed = std::fs::read_to_string(dir.join(source.trim_start_matches("seeds/")))
            .expect("read seed");
        let whole: String = seed.chars().filter(|c| !c.is_whitespace()).collect();
        let lay = layout(name);
        let segs = segments(lay, &seed);
        for s in p["sections"].as_array().expect("sections") {
            for r in s["requirements"].as_array().expect("requirements") {
                let r = r.as_table().expect("requirement");
                if str_of(r, "provenance") != "text" {
                    continue;
                }
                let id = str_of(r, "id");
                let key = clause_key(lay, str_of(r, "clause"));
                let Some(clause) = segs.get(&key) else {
                    problems.push(format!("{id}: clause `{key}` not found in {source}"));
                    continue;
                };
                for (list, is_param) in [("params", true), ("deadlines", false)] {
                    for e in r.get(list).and_then(|v| v.as_array()).into_iter().flatten() {
                        checked += 1;
                        if let Some(msg) =
                            value_problem(e.as_table().expect("entry"), is_param, clause, &whole)
                        {
                            problems.push(format!("{id} ({key}): {msg} in the cited clause"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} values checked: has a seed's layout changed?"
    );
    assert!(
        problems.is_empty(),
        "values neither in the cited clause nor carrying their own provenance \
         (give the value `provenance`/`source`/`note`, or mark the requirement):\n{}",
        problems.join("\n")
    );
}

#[test]
fn value_check_catches_a_value_not_in_the_clause() {
    let entry = |s: &str| -> toml::Table { toml::from_str(s).expect("entry") };
    let yearly = "企业应在每年11月30日前报送。";
    let dated = "企业应在11月30日前报送。";
    // Wrong date.
    assert!(value_problem(
        &entry("kind = \"annual\"\ndue = \"07-31\""),
        false,
        yearly,
        yearly
    )
    .is_some());
    assert!(value_problem(
        &entry("kind = \"annual\"\ndue = \"11-30\""),
        false,
        yearly,
        yearly
    )
    .is_none());
    // A yearly reading of a date the text does not call yearly.
    assert!(value_problem(
        &entry("kind = \"annual\"\ndue = \"11-30\""),
        false,
        dated,
        dated
    )
    .is_some());
    // Its own provenance: not checked against the clause.
    assert!(value_problem(
        &entry("kind = \"annual\"\ndue = \"12-15\"\nprovenance = \"secondary\""),
        false,
        dated,
        dated
    )
    .is_none());
    // A one-off date: month and day in the clause, the year in the document.
    let once = entry("kind = \"once\"\ndate = 2026-11-30");
    assert!(value_problem(&once, false, dated, "2026年任务清单").is_none());
    assert!(value_problem(&once, false, dated, "2027年任务清单").is_some());
    // Parameters.
    let p = entry("key = \"log_retention\"\nop = \">=\"\nvalue = 6\nunit = \"month\"");
    assert!(value_problem(&p, true, "留存不少于6个月", "").is_none());
    assert!(value_problem(&p, true, "留存不少于3个月", "").is_some());
}

#[test]
fn encouragements_are_handled_one_way() {
    let Some(dir) = seeds_dir() else { return };
    let mut problems = Vec::new();
    for name in SEEDED {
        let p = load_pack(name);
        let source = str_of(p["pack"].as_table().expect("[pack]"), "source");
        let seed = std::fs::read_to_string(dir.join(source.trim_start_matches("seeds/")))
            .expect("read seed");
        let lay = layout(name);
        let segs = segments(lay, &seed);
        let mut encouraged: Vec<(String, String)> = Vec::new();
        for s in p["sections"].as_array().expect("sections") {
            for r in s["requirements"].as_array().expect("requirements") {
                let r = r.as_table().expect("requirement");
                if str_of(r, "obligation") == "encouraged" {
                    encouraged.push((str_of(r, "id").into(), clause_key(lay, str_of(r, "clause"))));
                }
            }
        }
        let excluded: Vec<String> = p
            .get("excluded")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|e| str_of(e.as_table().expect("excluded"), "clause").to_string())
            .collect();
        for (key, text) in &segs {
            if !text.contains("鼓励") {
                continue;
            }
            let listed = encouraged.iter().any(|(_, k)| k == key);
            let left_out = excluded.iter().any(|c| match lay {
                Layout::Parts => c.contains(key.as_str()),
                _ => c.split('、').any(|x| clause_key(lay, x) == *key),
            });
            if !listed && !left_out {
                problems.push(format!(
                    "{name}: clause `{key}` says 鼓励 but has no `encouraged` requirement and is not excluded"
                ));
            }
        }
        for (id, key) in &encouraged {
            if !segs.get(key).is_some_and(|t| t.contains("鼓励")) {
                problems.push(format!(
                    "{id}: `encouraged`, but its clause `{key}` does not say 鼓励 (积极/加快 under 应 is a duty)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
