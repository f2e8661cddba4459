//! CISO Assistant framework libraries → a pack.
//!
//! Reads the two forms CISO Assistant keeps its libraries in:
//! - the YAML library (`urn`, `locale`, `ref_id`, `name`, `description`,
//!   `version`, `provider`, `translations`, and `objects.framework` with its
//!   `requirement_nodes`: `urn`, `parent_urn`, `assessable`, `depth`,
//!   `ref_id`, `name`, `description`, `typical_evidence`, `annotation`,
//!   `importance`, `weight`, `translations: { <locale>: { name, description } }`);
//! - the Excel workbook of its `convert_library_v2.py` tool: a `library_meta`
//!   sheet (key/value: `type`, `urn`, `version`, `locale`, `ref_id`, `name`, …),
//!   a `<name>_meta` sheet of `type` `framework`, and its `<name>_content`
//!   sheet (header `assessable`, `depth`, `ref_id`, `name`, `description`,
//!   `typical_evidence`, `annotation`, `importance`, `weight`; translated
//!   columns as `name[zh]`, `description[en]`).
//!
//! Non-assessable nodes become sections (the nearest one above an assessable
//! node holds it), assessable nodes requirements; the library's locale and the
//! translations give the zh and en fields (text given in one language only
//! is marked as to translate). `importance` `mandatory` → mandatory,
//! `recommended` / `nice to have` → encouraged; `weight` is kept within 1–5.
//! Defaults a pack needs that the library does not give are marked in the
//! file and listed in [`CisoImport::defaults`]; the TOML is checked with the
//! pack validator before it is returned.
//!
//! Never panics on input; reads at most [`MAX_BYTES`] of YAML (with
//! serde-saphyr's default budget against alias bombs) and Excel through the
//! bounded workbook reader of [`crate::excel`].

use crate::excel::{Val, Workbook, EN_PENDING, EVIDENCE_PENDING};
use crate::i18n::Text;
use crate::oscal::draft::{
    bi, check, default_scoring, field, id_part, is_pack_id, list, pack_id_from, q, Draft,
    DraftSection, Fields, ZH_PENDING,
};
use crate::pack::SourceFile;
use crate::t;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The largest YAML library read.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct CisoImportOptions {
    /// The pack id; default: from the library's `ref_id`.
    pub id: Option<String>,
}

/// The result of an import; `toml` is `Some` only when the pack validates.
#[derive(Debug, Clone, Serialize)]
pub struct CisoImport {
    pub file: String,
    /// `yaml` or `xlsx`.
    pub format: &'static str,
    pub framework: String,
    pub pack_id: String,
    pub sections: usize,
    pub requirements: usize,
    pub defaults: Vec<Text>,
    pub problems: Vec<Text>,
    pub toml: Option<String>,
}

/// One requirement node, as either form gives it.
#[derive(Debug, Default, Clone)]
struct Node {
    /// Where it is: `objects.framework.requirement_nodes[3]` or `Sheet!row`.
    at: String,
    assessable: bool,
    depth: usize,
    ref_id: String,
    urn: String,
    /// locale → field → text (`name`, `description`, `typical_evidence`, `annotation`).
    text: BTreeMap<String, BTreeMap<String, String>>,
    importance: String,
    weight: Option<f64>,
}

#[derive(Debug, Default)]
struct Library {
    locale: String,
    ref_id: String,
    urn: String,
    version: String,
    provider: String,
    text: BTreeMap<String, BTreeMap<String, String>>,
    framework_urn: String,
    nodes: Vec<Node>,
}

fn err(file: &str, at: &str, zh: String, en: String) -> Text {
    if at.is_empty() {
        return Text::new(format!("{file}：{zh}"), format!("{file}: {en}"));
    }
    Text::new(format!("{file}：{at}：{zh}"), format!("{file}: {at}: {en}"))
}

/// `zh`, `zh-CN`, `zh_Hans` … → `zh`; `en-GB` → `en`.
fn lang_of(locale: &str) -> String {
    let l = locale.trim().to_ascii_lowercase();
    let base = l.split(['-', '_']).next().unwrap_or("").to_string();
    if base == "cn" {
        "zh".into()
    } else {
        base
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

fn bool_of(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "x" | "true" | "yes" | "1"
        ),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}

const FIELDS: &[&str] = &["name", "description", "typical_evidence", "annotation"];

/// The texts of a YAML object: its own (in `locale`) and its translations.
fn texts_of(o: &Value, locale: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut m: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in FIELDS {
        if let Some(s) = o.get(*f).and_then(scalar) {
            m.entry(locale.to_string())
                .or_default()
                .insert(f.to_string(), s);
        }
    }
    if let Some(tr) = o.get("translations").and_then(Value::as_object) {
        for (loc, fields) in tr {
            let l = lang_of(loc);
            for f in FIELDS {
                if let Some(s) = fields.get(*f).and_then(scalar) {
                    m.entry(l.clone())
                        .or_default()
                        .entry(f.to_string())
                        .or_insert(s);
                }
            }
        }
    }
    m
}

fn read_yaml(file: &str, text: &str) -> Result<Library, Text> {
    let doc: Value = serde_saphyr::from_str(text).map_err(|e| {
        let e = e.to_string();
        let first: String = e.lines().take(6).collect::<Vec<_>>().join(" ");
        err(
            file,
            "YAML",
            format!("不是有效的 YAML：{first}"),
            format!("not valid YAML: {first}"),
        )
    })?;
    let locale = doc
        .get("locale")
        .and_then(scalar)
        .map(|l| lang_of(&l))
        .unwrap_or_else(|| "en".into());
    let fw = doc.pointer("/objects/framework").ok_or_else(|| {
        err(
            file,
            "objects.framework",
            "没有 objects.framework：不是 CISO Assistant 的框架库（风险矩阵、映射等库不能导入为检查单）".into(),
            "no objects.framework: not a CISO Assistant framework library (risk matrices, mappings and other libraries cannot become a pack)".into(),
        )
    })?;
    let raw = fw
        .get("requirement_nodes")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            err(
                file,
                "objects.framework.requirement_nodes",
                "缺少 requirement_nodes 列表".into(),
                "requirement_nodes is missing or not a list".into(),
            )
        })?;
    let mut nodes = Vec::new();
    for (i, n) in raw.iter().enumerate() {
        let at = format!("objects.framework.requirement_nodes[{i}]");
        if !n.is_object() {
            return Err(err(
                file,
                &at,
                "应为映射（键: 值）".into(),
                "must be a mapping (key: value)".into(),
            ));
        }
        let depth = match n.get("depth") {
            None => 1,
            Some(d) => match d
                .as_u64()
                .or_else(|| d.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(x) if (1..=32).contains(&x) => x as usize,
                _ => {
                    return Err(err(
                        file,
                        &format!("{at}.depth"),
                        format!("depth 应为 1–32 的整数，而不是 {d}"),
                        format!("depth must be a whole number 1–32, not {d}"),
                    ))
                }
            },
        };
        let weight = match n.get("weight") {
            None | Some(Value::Null) => None,
            Some(w) => match w
                .as_f64()
                .or_else(|| w.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(x) if x.is_finite() => Some(x),
                _ => {
                    return Err(err(
                        file,
                        &format!("{at}.weight"),
                        format!("weight 应为数字，而不是 {w}"),
                        format!("weight must be a number, not {w}"),
                    ))
                }
            },
        };
        nodes.push(Node {
            at,
            assessable: bool_of(n.get("assessable")),
            depth,
            ref_id: n.get("ref_id").and_then(scalar).unwrap_or_default(),
            urn: n.get("urn").and_then(scalar).unwrap_or_default(),
            text: texts_of(n, &locale),
            importance: n.get("importance").and_then(scalar).unwrap_or_default(),
            weight,
        });
    }
    Ok(Library {
        ref_id: doc.get("ref_id").and_then(scalar).unwrap_or_default(),
        urn: doc.get("urn").and_then(scalar).unwrap_or_default(),
        version: doc.get("version").and_then(scalar).unwrap_or_default(),
        provider: doc.get("provider").and_then(scalar).unwrap_or_default(),
        text: {
            let mut t = texts_of(&doc, &locale);
            for (l, m) in texts_of(fw, &locale) {
                for (k, v) in m {
                    t.entry(l.clone())
                        .or_default()
                        .insert(format!("framework_{k}"), v);
                }
            }
            t
        },
        framework_urn: fw.get("urn").and_then(scalar).unwrap_or_default(),
        locale,
        nodes,
    })
}

/// `name[zh]` → (`name`, Some(`zh`)).
fn split_key(k: &str) -> (String, Option<String>) {
    let k = k.trim().to_ascii_lowercase();
    match (k.find('['), k.ends_with(']')) {
        (Some(i), true) => (
            k[..i].trim().to_string(),
            Some(lang_of(&k[i + 1..k.len() - 1])),
        ),
        _ => (k, None),
    }
}

fn cell_text(v: &Val) -> String {
    v.text().trim().to_string()
}

fn read_xlsx(file: &str, wb: &mut Workbook) -> Result<Library, Text> {
    let names = wb.sheet_names.clone();
    let Some(lib_sheet) = names
        .iter()
        .find(|n| n.trim().eq_ignore_ascii_case("library_meta"))
    else {
        return Err(err(
            file,
            "library_meta",
            "没有 library_meta 工作表：不是 CISO Assistant 的 v2 库表格（v1 的 library_content 格式请先用其 convert_v1_to_v2.py 转换）".into(),
            "no library_meta sheet: not a CISO Assistant v2 library workbook (convert a v1 `library_content` workbook with its convert_v1_to_v2.py first)".into(),
        ));
    };
    let kv = |wb: &mut Workbook, name: &str| -> Result<Vec<(String, String)>, Text> {
        let s = wb.sheet(name).map_err(|p| {
            Text::new(
                p.render(crate::i18n::Lang::Zh),
                p.render(crate::i18n::Lang::En),
            )
        })?;
        Ok((0..s.height())
            .map(|r| (cell_text(s.get(r, 0)), cell_text(s.get(r, 1))))
            .filter(|(k, _)| !k.is_empty())
            .collect())
    };
    let meta = kv(wb, lib_sheet)?;
    let get = |m: &[(String, String)], key: &str| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let locale = get(&meta, "locale")
        .map(|l| lang_of(&l))
        .unwrap_or_else(|| "en".into());
    let mut lib = Library {
        ref_id: get(&meta, "ref_id").unwrap_or_default(),
        urn: get(&meta, "urn").unwrap_or_default(),
        version: get(&meta, "version").unwrap_or_default(),
        provider: get(&meta, "provider").unwrap_or_default(),
        locale: locale.clone(),
        ..Library::default()
    };
    let put_text =
        |t: &mut BTreeMap<String, BTreeMap<String, String>>, k: &str, v: &str, prefix: &str| {
            let (f, l) = split_key(k);
            if FIELDS.contains(&f.as_str()) && !v.is_empty() {
                t.entry(l.unwrap_or_else(|| locale.clone()))
                    .or_default()
                    .insert(format!("{prefix}{f}"), v.to_string());
            }
        };
    for (k, v) in &meta {
        put_text(&mut lib.text, k, v, "");
    }
    // The framework: a `<name>_meta` sheet of type framework and its `<name>_content`.
    let mut found = None;
    for n in &names {
        let lower = n.trim().to_ascii_lowercase();
        if lower == "library_meta" || !lower.ends_with("_meta") {
            continue;
        }
        let m = kv(wb, n)?;
        if get(&m, "type").is_some_and(|t| t.eq_ignore_ascii_case("framework")) {
            let stem = &n.trim()[..n.trim().len() - "_meta".len()];
            found = Some((stem.to_string(), n.clone(), m));
            break;
        }
    }
    let Some((stem, meta_name, fm)) = found else {
        return Err(err(
            file,
            "library_meta",
            "没有类型为 framework 的 <名称>_meta 工作表".into(),
            "no <name>_meta sheet of type framework".into(),
        ));
    };
    lib.framework_urn = get(&fm, "urn").unwrap_or_default();
    for (k, v) in &fm {
        put_text(&mut lib.text, k, v, "framework_");
    }
    let content_name = format!("{stem}_content");
    let Some(cname) = names
        .iter()
        .find(|n| n.trim().eq_ignore_ascii_case(&content_name))
        .cloned()
    else {
        return Err(err(
            file,
            &meta_name,
            format!("缺少与之对应的工作表 {content_name}"),
            format!("the matching sheet {content_name} is missing"),
        ));
    };
    let s = wb.sheet(&cname).map_err(|p| {
        Text::new(
            p.render(crate::i18n::Lang::Zh),
            p.render(crate::i18n::Lang::En),
        )
    })?;
    // The header: the first row naming `assessable` and `depth`.
    let header_row = (0..s.height().min(20)).find(|&r| {
        let cells: Vec<String> = s
            .row_cells(r)
            .iter()
            .map(|(_, v)| cell_text(v).to_ascii_lowercase())
            .collect();
        cells.iter().any(|c| c == "assessable") && cells.iter().any(|c| c == "depth")
    });
    let Some(hr) = header_row else {
        return Err(err(
            file,
            &cname,
            "找不到表头（需含 assessable 与 depth 列）".into(),
            "no header row (it needs the assessable and depth columns)".into(),
        ));
    };
    let cols: Vec<(u32, String, Option<String>)> = s
        .row_cells(hr)
        .iter()
        .map(|(c, v)| {
            let (f, l) = split_key(&cell_text(v));
            (*c, f, l)
        })
        .collect();
    let col = |name: &str| {
        cols.iter()
            .find(|(_, f, l)| f == name && l.is_none())
            .map(|(c, _, _)| *c)
    };
    for r in hr + 1..s.height() {
        if s.row_cells(r).is_empty() {
            continue;
        }
        let at = s.loc_row(r).render();
        let cell = |name: &str| {
            col(name)
                .map(|c| cell_text(s.get(r, c)))
                .unwrap_or_default()
        };
        let depth_s = cell("depth");
        let depth = match depth_s.parse::<f64>() {
            Ok(d) if d.fract() == 0.0 && (1.0..=32.0).contains(&d) => d as usize,
            _ => {
                let c = col("depth").unwrap_or(0);
                return Err(err(
                    file,
                    &s.loc(r, c).render(),
                    format!("depth 应为 1–32 的整数，而不是「{depth_s}」"),
                    format!("depth must be a whole number 1–32, not `{depth_s}`"),
                ));
            }
        };
        let weight_s = cell("weight");
        let weight = if weight_s.is_empty() {
            None
        } else {
            match weight_s.parse::<f64>() {
                Ok(w) if w.is_finite() => Some(w),
                _ => {
                    let c = col("weight").unwrap_or(0);
                    return Err(err(
                        file,
                        &s.loc(r, c).render(),
                        format!("weight 应为数字，而不是「{weight_s}」"),
                        format!("weight must be a number, not `{weight_s}`"),
                    ));
                }
            }
        };
        let mut text: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (c, f, l) in &cols {
            if FIELDS.contains(&f.as_str()) {
                let v = cell_text(s.get(r, *c));
                if !v.is_empty() {
                    text.entry(l.clone().unwrap_or_else(|| locale.clone()))
                        .or_default()
                        .insert(f.clone(), v);
                }
            }
        }
        lib.nodes.push(Node {
            at,
            assessable: !cell("assessable").is_empty(),
            depth,
            ref_id: cell("ref_id"),
            urn: cell("urn_id"),
            text,
            importance: cell("importance"),
            weight,
        });
    }
    Ok(lib)
}

/// The zh and en forms of field `f`: (zh, en, zh given, en given).
fn both(
    t: &BTreeMap<String, BTreeMap<String, String>>,
    f: &str,
    primary: &str,
) -> Option<(String, String, bool, bool)> {
    let get = |l: &str| t.get(l).and_then(|m| m.get(f)).cloned();
    let zh = get("zh");
    let en = get("en");
    let other = get(primary).or_else(|| t.values().find_map(|m| m.get(f).cloned()));
    match (zh, en) {
        (Some(z), Some(e)) => Some((z, e, true, true)),
        (Some(z), None) => Some((z.clone(), format!("{EN_PENDING}{z}"), true, false)),
        (None, Some(e)) => Some((format!("{ZH_PENDING}{e}"), e, false, true)),
        (None, None) => other.map(|o| {
            (
                format!("{ZH_PENDING}{o}"),
                format!("{EN_PENDING}{o}"),
                false,
                false,
            )
        }),
    }
}

/// A short title from a longer text: its first phrase, at most 40 characters.
fn short(s: &str) -> String {
    let first = s
        .split(['。', '；', '\n', '.', ';', '，', ','])
        .next()
        .unwrap_or(s)
        .trim();
    let first = if first.is_empty() { s.trim() } else { first };
    if first.chars().count() > 40 {
        format!("{}…", first.chars().take(38).collect::<String>())
    } else {
        first.to_string()
    }
}

/// Reads a CISO Assistant framework library (`.yaml`/`.yml` or `.xlsx`) and
/// writes it as the TOML of a pack, checked with the pack validator against
/// `questions`. File-level failures are an `Err` naming the file and the
/// entry or cell.
pub fn import_ciso(
    path: &Path,
    opts: &CisoImportOptions,
    questions: &[SourceFile],
) -> Result<CisoImport, Text> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (format, lib) = match ext.as_str() {
        "yaml" | "yml" => {
            let meta = std::fs::metadata(path).map_err(|e| {
                err(
                    &file,
                    "",
                    format!("无法读取：{e}"),
                    format!("cannot read: {e}"),
                )
            })?;
            if meta.len() > MAX_BYTES {
                let (n, max) = (meta.len(), MAX_BYTES);
                return Err(err(
                    &file,
                    "",
                    format!("文件有 {n} 字节，超过上限 {max}"),
                    format!("{n} bytes is more than the {max} read"),
                ));
            }
            let bytes = std::fs::read(path).map_err(|e| {
                err(
                    &file,
                    "",
                    format!("无法读取：{e}"),
                    format!("cannot read: {e}"),
                )
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| err(&file, "", "不是 UTF-8 文本".into(), "not UTF-8 text".into()))?;
            ("yaml", read_yaml(&file, &text)?)
        }
        "xlsx" | "xlsm" | "ods" | "xls" => {
            let mut wb = Workbook::open(path).map_err(|p| {
                Text::new(
                    p.render(crate::i18n::Lang::Zh),
                    p.render(crate::i18n::Lang::En),
                )
            })?;
            ("xlsx", read_xlsx(&file, &mut wb)?)
        }
        _ => {
            return Err(err(
                &file,
                "",
                "应为 CISO Assistant 库的 .yaml 或 .xlsx 文件".into(),
                "expected a CISO Assistant library as .yaml or .xlsx".into(),
            ))
        }
    };
    build(&file, format, &lib, opts, questions)
}

fn build(
    file: &str,
    format: &'static str,
    lib: &Library,
    opts: &CisoImportOptions,
    questions: &[SourceFile],
) -> Result<CisoImport, Text> {
    let pack_id = match &opts.id {
        Some(id) => id.trim().to_ascii_uppercase(),
        None => pack_id_from(&lib.ref_id)
            .or_else(|| {
                Path::new(file)
                    .file_stem()
                    .and_then(|s| pack_id_from(&s.to_string_lossy()))
            })
            .unwrap_or_default(),
    };
    if !is_pack_id(&pack_id) {
        return Err(err(
            file,
            "ref_id",
            format!("检查单标识 `{pack_id}` 无效：应为大写字母开头的大写字母和数字，至多 16 位（用 --id 指定）"),
            format!("pack id `{pack_id}` is not valid: uppercase letters and digits starting with a letter, at most 16 (give one with --id)"),
        ));
    }
    if !lib.nodes.iter().any(|n| n.assessable) {
        return Err(err(
            file,
            "requirement_nodes",
            "没有可评估的要求（assessable）".into(),
            "no assessable requirement node".into(),
        ));
    }
    let file_name = Path::new(file)
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| file.to_string());
    let mut defaults: Vec<(String, usize, Text)> = Vec::new();
    let mut note = |key: &str, label: Text| match defaults.iter_mut().find(|d| d.0 == key) {
        Some(d) => d.1 += 1,
        None => defaults.push((key.to_string(), 1, label)),
    };
    let dflt = |v: String| format!("{v}   # 默认 / default");
    let mut d = Draft::default();
    d.comments.push(format!(
        "由 iovaudit pack import-ciso 从 CISO Assistant 库 {file_name} 生成。/ Generated by `iovaudit pack import-ciso` from the CISO Assistant library {file_name}."
    ));
    d.comments.push("标有「默认 / default」的值不是库给出的，请核对；「（待译）」「(English pending)」为待译占位。/ Values marked \"default\" were not in the library; \"（待译）\" / \"(English pending)\" mark text to translate.".into());
    let p = &mut d.pack;
    field(p, "id", q(&pack_id));
    match lib.version.trim() {
        "" => {
            note("version", t!("版本 = \"1\"", "version = \"1\""));
            field(p, "version", dflt(q("1")));
        }
        v => field(p, "version", q(v)),
    }
    note(
        "doc_number",
        t!("文号（取库的 ref_id）", "doc number (the library's ref_id)"),
    );
    field(
        p,
        "doc_number",
        dflt(q(if lib.ref_id.is_empty() {
            &pack_id
        } else {
            &lib.ref_id
        })),
    );
    let (tz, te) = both(&lib.text, "framework_name", &lib.locale)
        .or_else(|| both(&lib.text, "name", &lib.locale))
        .map(|(z, e, _, _)| (z, e))
        .unwrap_or_else(|| (pack_id.clone(), pack_id.clone()));
    field(p, "title", bi(&tz, &te));
    match lib.provider.trim() {
        "" => {
            note(
                "issuer",
                t!("发文机关（待补充）", "issuer (to be completed)"),
            );
            field(
                p,
                "issuer",
                dflt(bi("（待补充发文机关）", "(issuer to be completed)")),
            );
        }
        pv => field(p, "issuer", bi(pv, pv)),
    }
    note(
        "doc_type",
        t!(
            "文件类型 = task_list，地区 = CN，状态 = in_force，来源 = text",
            "doc_type = task_list, region = CN, status = in_force, provenance = text"
        ),
    );
    field(p, "doc_type", dflt(q("task_list")));
    field(p, "region", dflt(q("CN")));
    field(p, "status", dflt(q("in_force")));
    let src = if lib.urn.is_empty() {
        file_name.clone()
    } else {
        format!("{file_name} ({})", lib.urn)
    };
    field(p, "source", q(&src));
    field(p, "provenance", dflt(q("text")));
    let fw = if lib.framework_urn.is_empty() {
        "-".to_string()
    } else {
        lib.framework_urn.clone()
    };
    field(
        p,
        "note",
        bi(
            &format!("由 iovaudit 从 CISO Assistant 框架库 {file_name}（框架 {fw}）导入；标为默认值的字段与待译文字需人工核对补充。"),
            &format!("Imported by iovaudit from the CISO Assistant framework library {file_name} (framework {fw}); fields marked as defaults and text marked to translate must be checked and completed."),
        ),
    );
    field(p, "questions", "[]".into());
    note(
        "scoring",
        t!(
            "计分规则（与内置检查单相同）",
            "scoring rules (as in the built-in packs)"
        ),
    );
    d.scoring = default_scoring();

    // Sections: each non-assessable node opens one (kept when it holds requirements).
    let mut used: Vec<String> = Vec::new();
    let mut heads: Vec<(usize, usize)> = Vec::new(); // (depth, section index)
    let mut sections: Vec<DraftSection> = Vec::new();
    let mut default_sec: Option<usize> = None;
    let mut n_req = 0;
    for n in &lib.nodes {
        let name = both(&n.text, "name", &lib.locale);
        let desc = both(&n.text, "description", &lib.locale);
        if !n.assessable {
            while heads.last().is_some_and(|(dp, _)| *dp >= n.depth) {
                heads.pop();
            }
            let mut sf: Fields = Vec::new();
            let k = sections.len() + 1;
            field(&mut sf, "id", q(&format!("{pack_id}-S{k}")));
            let clause = if n.ref_id.is_empty() {
                k.to_string()
            } else {
                n.ref_id.clone()
            };
            field(&mut sf, "clause", q(&clause));
            let (z, e) = match (&name, &desc) {
                (Some((z, e, _, _)), _) => (z.clone(), e.clone()),
                (None, Some((z, e, _, _))) => (short(z), short(e)),
                (None, None) => (clause.clone(), clause.clone()),
            };
            field(&mut sf, "title", bi(&z, &e));
            heads.push((n.depth, sections.len()));
            sections.push(DraftSection {
                fields: sf,
                requirements: Vec::new(),
            });
            continue;
        }
        while heads.last().is_some_and(|(dp, _)| *dp >= n.depth) {
            heads.pop();
        }
        let si = match heads.last() {
            Some((_, i)) => *i,
            None => *default_sec.get_or_insert_with(|| {
                let mut sf: Fields = Vec::new();
                field(&mut sf, "id", q(&format!("{pack_id}-S0")));
                field(&mut sf, "clause", q("0"));
                field(&mut sf, "title", bi("全部检查项", "All requirements"));
                sections.push(DraftSection {
                    fields: sf,
                    requirements: Vec::new(),
                });
                sections.len() - 1
            }),
        };
        let mut f: Fields = Vec::new();
        let tail = n.urn.rsplit(':').next().unwrap_or("");
        let part = id_part(if n.ref_id.is_empty() { tail } else { &n.ref_id });
        let base = format!(
            "{pack_id}-{}",
            if part.is_empty() {
                format!("{:03}", n_req + 1)
            } else {
                part
            }
        );
        let mut id = base.clone();
        let mut k = 2;
        while used.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        used.push(id.clone());
        field(&mut f, "id", q(&id));
        let clause = if n.ref_id.is_empty() {
            format!("{}", n_req + 1)
        } else {
            n.ref_id.clone()
        };
        field(&mut f, "clause", q(&clause));
        let (title, text) = match (&name, &desc) {
            (Some((nz, ne, _, _)), Some((dz, de, _, _))) => {
                ((nz.clone(), ne.clone()), (dz.clone(), de.clone()))
            }
            (Some((nz, ne, _, _)), None) => {
                note("text", t!("检查内容（同名称）", "text (same as the name)"));
                ((nz.clone(), ne.clone()), (nz.clone(), ne.clone()))
            }
            (None, Some((dz, de, _, _))) => {
                note(
                    "title",
                    t!("检查项（摘自描述）", "title (taken from the description)"),
                );
                let tz = if n.ref_id.is_empty() {
                    short(dz)
                } else {
                    format!("{} {}", n.ref_id, short(dz))
                };
                let te = if n.ref_id.is_empty() {
                    short(de)
                } else {
                    format!("{} {}", n.ref_id, short(de))
                };
                ((tz, te), (dz.clone(), de.clone()))
            }
            (None, None) => {
                return Err(err(
                    file,
                    &n.at,
                    "可评估的要求既无 name 也无 description".into(),
                    "an assessable node with neither name nor description".into(),
                ))
            }
        };
        field(&mut f, "title", bi(&title.0, &title.1));
        field(&mut f, "text", bi(&text.0, &text.1));
        let ob = match n.importance.trim().to_ascii_lowercase().as_str() {
            "mandatory" => Some("mandatory"),
            "recommended" | "nice to have" | "nice_to_have" => Some("encouraged"),
            _ => None,
        };
        match ob {
            Some(o) => field(&mut f, "obligation", q(o)),
            None => {
                note(
                    "obligation",
                    t!(
                        "义务类型 = mandatory（importance 未定义）",
                        "obligation = mandatory (importance undefined)"
                    ),
                );
                field(&mut f, "obligation", dflt(q("mandatory")));
            }
        }
        note(
            "applies_to",
            t!(
                "适用对象 = [\"ALL\"]，评估方法 = [\"examine\"]",
                "applies_to = [\"ALL\"], methods = [\"examine\"]"
            ),
        );
        field(&mut f, "applies_to", dflt(list(&["ALL".to_string()])));
        let ev = both(&n.text, "typical_evidence", &lib.locale);
        match ev {
            Some((z, e, _, _)) => {
                let split = |s: &str| -> Vec<String> {
                    s.lines()
                        .map(|l| {
                            l.trim()
                                .trim_start_matches(['-', '*', '•'])
                                .trim()
                                .to_string()
                        })
                        .filter(|l| !l.is_empty())
                        .take(100)
                        .collect()
                };
                field(
                    &mut f,
                    "evidence",
                    format!("{{ zh = {}, en = {} }}", list(&split(&z)), list(&split(&e))),
                );
            }
            None => {
                note(
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
            }
        }
        field(&mut f, "methods", dflt(list(&["examine".to_string()])));
        match n.weight {
            Some(w) => {
                let w = w.round().clamp(1.0, 5.0) as u8;
                field(&mut f, "weight", w.to_string());
            }
            None => {
                note("weight", t!("权重 = 3", "weight = 3"));
                field(&mut f, "weight", dflt("3".into()));
            }
        }
        field(&mut f, "provenance", dflt(q("text")));
        let mut pn = format!(
            "导入自 CISO Assistant 库 {file_name}：{} / imported from the CISO Assistant library {file_name}: {}",
            n.at, n.at
        );
        if !n.urn.is_empty() {
            pn.push_str(&format!(" ({})", n.urn));
        }
        if let Some((z, _, _, _)) = both(&n.text, "annotation", &lib.locale) {
            pn.push_str(&format!("；注释 / annotation: {z}"));
        }
        field(&mut f, "provenance_note", q(&pn));
        sections[si].requirements.push(f);
        n_req += 1;
    }
    sections.retain(|s| !s.requirements.is_empty());
    d.sections = sections;
    let toml = d.to_toml();
    let problems = check(&format!("{pack_id}.toml"), &toml, questions);
    Ok(CisoImport {
        file: file.to_string(),
        format,
        framework: lib.framework_urn.clone(),
        pack_id,
        sections: d.sections.len(),
        requirements: n_req,
        defaults: defaults
            .iter()
            .map(|(_, n, l)| Text::new(format!("{}：{n} 处", l.zh), format!("{}: {n}", l.en)))
            .collect(),
        toml: problems.is_empty().then_some(toml),
        problems,
    })
}
