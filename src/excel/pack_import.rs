//! A checklist sheet → the TOML of a pack (docs/checklist-format.md), checked
//! by the pack validator before it is handed back. See `docs/excel.md`.

use super::sheet::{col_letter, find_header, Fields, Header, Sheet, Val, Workbook};
use super::text::{
    collapse, fold_width, inline, lines, norm_header, norm_token, one_line, parse_inline, quote,
    split_list, strip_enumerator,
};
use super::{ColumnSpec, Location, Problem, Severity};
use crate::i18n::Text;
use crate::pack::{self, Condition, SourceFile};
use crate::t;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Prefix of the English placeholder written when the sheet has no English:
/// `title.en = "(English pending) 网络日志留存"`. The validator requires
/// English on titles and paraphrases; this marks the ones still to translate.
pub const EN_PENDING: &str = "(English pending) ";

/// The evidence item written when the sheet lists none (the format requires one).
pub const EVIDENCE_PENDING: &str = "（表格未列出证明材料，待补充）";

/// The weight given when the sheet has no weight column or an empty cell.
pub const DEFAULT_WEIGHT: u8 = 3;

/// Names of the sheet holding the pack's own fields (written by `export_pack`).
pub(crate) const META_SHEETS: &[&str] = &["检查单信息", "pack", "pack info", "检查单元数据"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PF {
    Seq,
    Category,
    CategoryEn,
    Title,
    TitleEn,
    Text,
    TextEn,
    Clause,
    Evidence,
    EvidenceEn,
    Weight,
    Note,
    Id,
    SectionId,
    SectionClause,
    Obligation,
    AppliesTo,
    When,
    Methods,
    Veto,
    Themes,
    Provenance,
    ProvenanceNote,
    Params,
    Deadlines,
    Test,
    Replaces,
}

pub(crate) static FIELDS: Fields<PF> = Fields {
    defs: &[
        (
            PF::Id,
            &[
                "要求编号",
                "要求标识",
                "requirement_id",
                "requirement id",
                "req id",
                "id",
                "ref",
                "ref id",
                "ref_id",
                "test id",
                "control id",
                "item id",
            ],
        ),
        (
            PF::Seq,
            &[
                "序号",
                "编号",
                "项次",
                "序",
                "条目编号",
                "no",
                "no.",
                "number",
                "seq",
                "#",
                "item no",
                "s/n",
            ],
        ),
        (
            PF::CategoryEn,
            &[
                "类别（英文）",
                "类别英文",
                "section_title_en",
                "category (english)",
                "category en",
                "category_en",
            ],
        ),
        (
            PF::Category,
            &[
                "类别",
                "任务",
                "分类",
                "类型",
                "检查类别",
                "任务类别",
                "类别名称",
                "检查领域",
                "领域",
                "检查方面",
                "方面",
                "重点任务",
                "章节",
                "模块",
                "category",
                "section",
                "domain",
                "area",
                "task",
            ],
        ),
        (
            PF::TitleEn,
            &[
                "检查项（英文）",
                "检查项英文",
                "title (english)",
                "title en",
                "title_en",
                "english title",
            ],
        ),
        (
            PF::Title,
            &[
                "检查项",
                "检查项目",
                "检查事项",
                "项目",
                "检查点",
                "名称",
                "标题",
                "事项",
                "要求名称",
                "title",
                "item",
                "requirement",
                "check item",
                "name",
                "test name",
                "control name",
                "requirement name",
            ],
        ),
        (
            PF::TextEn,
            &[
                "检查内容（英文）",
                "检查内容英文",
                "text (english)",
                "text en",
                "text_en",
                "description (english)",
            ],
        ),
        (
            PF::Text,
            &[
                "检查内容",
                "检查要点",
                "要点",
                "内容",
                "要求",
                "检查要求",
                "具体要求",
                "要求内容",
                "工作要求",
                "任务要求",
                "评估内容",
                "评估要求",
                "检查标准",
                "要求描述",
                "描述",
                "text",
                "content",
                "description",
                "requirement text",
                "details",
                "objective",
                "objectives",
                "test objective",
                "test objectives",
                "control objective",
            ],
        ),
        (
            PF::Clause,
            &[
                "依据条款",
                "依据",
                "条款",
                "条款号",
                "依据条文",
                "法规依据",
                "依据文件",
                "政策依据",
                "对应条款",
                "出处",
                "clause",
                "reference",
                "basis",
                "legal basis",
            ],
        ),
        (
            PF::EvidenceEn,
            &[
                "证明材料（英文）",
                "证明材料英文",
                "evidence (english)",
                "evidence en",
                "evidence_en",
            ],
        ),
        (
            PF::Evidence,
            &[
                "证明材料",
                "证据",
                "材料",
                "佐证材料",
                "证据材料",
                "提供材料",
                "检查材料",
                "所需材料",
                "支撑材料",
                "evidence",
                "documents",
                "supporting documents",
                "materials",
            ],
        ),
        (PF::Weight, &["权重", "weight"]),
        (
            PF::Note,
            &[
                "释义",
                "说明",
                "解释",
                "注释",
                "备注",
                "条款释义",
                "interpretation",
                "explanation",
                "notes",
                "note",
                "remarks",
            ],
        ),
        (PF::SectionId, &["section_id", "章节编号"]),
        (PF::SectionClause, &["section_clause", "章节条款"]),
        (PF::Obligation, &["obligation", "义务类型"]),
        (PF::AppliesTo, &["applies_to", "适用对象", "适用企业"]),
        (PF::When, &["when", "适用条件"]),
        (PF::Methods, &["methods", "评估方法", "检查方法"]),
        (PF::Veto, &["veto", "一票否决", "否决项"]),
        (PF::Themes, &["themes", "主题"]),
        (PF::Provenance, &["provenance", "来源"]),
        (PF::ProvenanceNote, &["provenance_note", "来源说明"]),
        (PF::Params, &["params", "参数"]),
        (PF::Deadlines, &["deadlines", "期限"]),
        (PF::Test, &["test", "测试方法"]),
        (PF::Replaces, &["replaces", "取代编号"]),
    ],
    names: &[
        ("seq", PF::Seq),
        ("category", PF::Category),
        ("category_en", PF::CategoryEn),
        ("title", PF::Title),
        ("title_en", PF::TitleEn),
        ("text", PF::Text),
        ("text_en", PF::TextEn),
        ("clause", PF::Clause),
        ("evidence", PF::Evidence),
        ("evidence_en", PF::EvidenceEn),
        ("weight", PF::Weight),
        ("note", PF::Note),
        ("id", PF::Id),
        ("section_id", PF::SectionId),
        ("section_clause", PF::SectionClause),
        ("obligation", PF::Obligation),
        ("applies_to", PF::AppliesTo),
        ("when", PF::When),
        ("methods", PF::Methods),
        ("veto", PF::Veto),
        ("themes", PF::Themes),
        ("provenance", PF::Provenance),
        ("provenance_note", PF::ProvenanceNote),
        ("params", PF::Params),
        ("deadlines", PF::Deadlines),
        ("test", PF::Test),
        ("replaces", PF::Replaces),
    ],
};

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct PackImportOptions {
    /// The sheet to read; default: the first sheet with a recognisable header.
    pub sheet: Option<String>,
    /// Columns named by the user (`title=C`).
    pub columns: Vec<ColumnSpec>,
    /// The pack id (`[A-Z][A-Z0-9]*`); default: from the workbook's pack sheet or the file name.
    pub id: Option<String>,
}

/// A row that did not become a requirement, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRow {
    /// 1-based.
    pub row: u32,
    pub reason: Text,
}

/// The result of an import. `toml` is `Some` only when there is no error.
#[derive(Debug, Clone, Serialize)]
pub struct PackImport {
    pub file: String,
    pub sheet: String,
    pub pack_id: String,
    /// 1-based first and last header row (0, 0 when the sheet has none).
    pub header_rows: (u32, u32),
    /// Recognised columns: letter, field, header text.
    pub columns: Vec<(String, String, String)>,
    pub requirements: usize,
    pub sections: usize,
    pub skipped: Vec<SkippedRow>,
    /// Which defaults were filled in, and for how many requirements.
    pub defaults: Vec<Text>,
    pub problems: Vec<Problem>,
    pub toml: Option<String>,
}

impl PackImport {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

// ------------------------------------------------------------------ rows

/// One requirement as read from a row.
#[derive(Debug, Default, Clone)]
struct Item {
    row0: u32,
    seq: Option<String>,
    id: Option<String>,
    category: Option<String>,
    category_en: Option<String>,
    section_id: Option<String>,
    section_clause: Option<String>,
    title: Option<String>,
    title_en: Option<String>,
    text: Option<String>,
    text_en: Option<String>,
    clause: Option<String>,
    evidence: Vec<String>,
    evidence_en: Vec<String>,
    weight: Option<u8>,
    note: Option<String>,
    obligation: Option<&'static str>,
    applies_to: Option<Vec<String>>,
    when: Option<String>,
    methods: Option<Vec<&'static str>>,
    veto: bool,
    themes: Vec<String>,
    replaces: Vec<String>,
    provenance: Option<&'static str>,
    provenance_note: Option<String>,
    params: Option<String>,
    deadlines: Option<String>,
    test: Option<String>,
}

struct Ctx<'a> {
    sheet: &'a Sheet,
    header: &'a Header<PF>,
    problems: Vec<Problem>,
    /// Machine columns present: the sheet was written by `export_pack` (or mimics it).
    machine: bool,
}

impl Ctx<'_> {
    fn err(&mut self, row: u32, col: u32, m: Text) {
        self.problems
            .push(Problem::error(self.sheet.loc(row, col), m));
    }

    fn warn_at(&mut self, at: Location, m: Text) {
        self.problems.push(Problem::warning(at, m));
    }

    /// The cell of field `f` in `row`, with its column.
    fn cell(&self, row: u32, f: PF) -> Option<(u32, &Val)> {
        let c = self.header.col(f)?;
        Some((c, self.sheet.get(row, c)))
    }

    /// A text field: formula errors reported, empty → None. When several
    /// columns name the field (see [`joinable`]), their texts are joined.
    fn text(&mut self, row: u32, f: PF) -> Option<(u32, String)> {
        let cols = self.header.cols(f);
        if cols.len() > 1 {
            let mut first: Option<u32> = None;
            let mut out = String::new();
            for c in cols {
                let Some(s) = self.text_at(row, c) else {
                    continue;
                };
                first.get_or_insert(c);
                if !out.is_empty() {
                    out.push_str(join_sep(f, &out));
                }
                out.push_str(s.trim());
            }
            return first.map(|c| (c, out));
        }
        let c = self.header.col(f)?;
        self.text_at(row, c).map(|s| (c, s))
    }

    /// One cell as text: formula errors reported, empty → None.
    fn text_at(&mut self, row: u32, c: u32) -> Option<String> {
        let v = self.sheet.get(row, c);
        match v {
            Val::Empty => None,
            Val::Error(e) => {
                let e = e.clone();
                let h = self.header.text_of(c);
                self.err(
                    row,
                    c,
                    t!(
                        "公式错误 {e}（{h} 列应为文字）",
                        "formula error {e} (the {h} column should hold text)"
                    ),
                );
                None
            }
            v => {
                let s = v.text();
                if collapse(&s).is_empty() {
                    None
                } else {
                    Some(s)
                }
            }
        }
    }

    fn line(&mut self, row: u32, f: PF) -> Option<String> {
        self.text(row, f)
            .map(|(_, s)| one_line(&s))
            .filter(|s| !s.is_empty())
    }

    fn list(&mut self, row: u32, f: PF) -> Vec<String> {
        let Some((_, s)) = self.text(row, f) else {
            return Vec::new();
        };
        let ls = lines(&s);
        if self.machine {
            return ls;
        }
        // Hand-made sheets: one item per line, or items separated by ；/;
        // with numbering (1. / （1） / ①) removed.
        let items: Vec<String> = if ls.len() > 1 {
            ls
        } else {
            ls.iter()
                .flat_map(|l| l.split(['；', ';']).map(str::to_string).collect::<Vec<_>>())
                .collect()
        };
        items
            .iter()
            .map(|i| strip_enumerator(i))
            .map(|i| collapse(i.trim_end_matches(['；', ';', '。'])))
            .filter(|i| !i.is_empty())
            .collect()
    }

    fn weight(&mut self, row: u32) -> Option<u8> {
        let (c, v) = self.cell(row, PF::Weight)?;
        let bad = |what: String| {
            t!(
                "权重应为 1–5 的整数，此处是 {what}",
                "the weight must be a whole number 1–5; this cell holds {what}"
            )
        };
        let n: Option<f64> = match v {
            Val::Empty => return None,
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            Val::Text(s) => {
                let s = norm_token(s);
                if s.is_empty() {
                    return None;
                }
                match s.parse::<f64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        let m = bad(format!("「{s}」"));
                        self.err(row, c, m);
                        return None;
                    }
                }
            }
            Val::Date(d) => {
                let m = t!(
                    "权重应为 1–5 的整数，此处是日期 {d}（单元格格式被设成了日期？）",
                    "the weight must be a whole number 1–5; this cell holds the date {d} (is the cell formatted as a date?)"
                );
                self.err(row, c, m);
                return None;
            }
            Val::Bool(b) => {
                let m = bad(format!("{b}"));
                self.err(row, c, m);
                return None;
            }
            Val::Error(e) => {
                let e = e.clone();
                self.err(
                    row,
                    c,
                    t!(
                        "公式错误 {e}（权重应为 1–5 的整数）",
                        "formula error {e} (the weight must be a whole number 1–5)"
                    ),
                );
                return None;
            }
        };
        match n {
            Some(n) if n.fract() == 0.0 && (1.0..=5.0).contains(&n) => Some(n as u8),
            Some(n) => {
                let m = bad(super::text::number(n));
                self.err(row, c, m);
                None
            }
            None => None,
        }
    }

    fn token(&mut self, row: u32, f: PF) -> Option<(u32, String)> {
        self.text(row, f)
            .map(|(c, s)| (c, norm_token(&s)))
            .filter(|(_, s)| !s.is_empty())
    }
}

/// Fields whose columns are joined when a sheet has several of them
/// (检查项 and 项目, 检查内容 and 检查要点 …); any other field named twice stops the import.
fn joinable(f: PF) -> bool {
    matches!(
        f,
        PF::Title
            | PF::TitleEn
            | PF::Text
            | PF::TextEn
            | PF::Evidence
            | PF::EvidenceEn
            | PF::Note
            | PF::Clause
            | PF::ProvenanceNote
    )
}

/// What goes between the texts of two columns of field `f`.
fn join_sep(f: PF, before: &str) -> &'static str {
    match f {
        PF::Evidence | PF::EvidenceEn => "\n",
        PF::Title | PF::TitleEn | PF::Clause => " / ",
        _ if before.ends_with(['。', '；', '！', '？', '：']) => "",
        _ if before.ends_with(['.', ';', '!', '?', ':']) => " ",
        _ if before.chars().last().is_some_and(|c| (c as u32) >= 0x2E80) => "；",
        _ => "; ",
    }
}

fn obligation_of(s: &str) -> Option<&'static str> {
    Some(match fold_width(s).trim().to_lowercase().as_str() {
        "mandatory" | "强制" | "强制性" | "必须" | "应" => "mandatory",
        "conditional" | "条件性" | "条件" => "conditional",
        "encouraged" | "鼓励" | "鼓励性" => "encouraged",
        "pilot" | "试点" => "pilot",
        _ => return None,
    })
}

fn method_of(s: &str) -> Option<&'static str> {
    Some(match s.trim().to_lowercase().as_str() {
        "examine" | "查阅" | "文档审查" | "查看" => "examine",
        "interview" | "访谈" => "interview",
        "test" | "测试" | "技术测试" => "test",
        _ => return None,
    })
}

fn provenance_of(s: &str) -> Option<&'static str> {
    Some(match s.trim().to_lowercase().as_str() {
        "text" | "原文" => "text",
        "secondary" | "二手来源" => "secondary",
        "inferred" | "推断" => "inferred",
        "fulltext" | "全文" | "依据全文" => "fulltext",
        _ => return None,
    })
}

fn bool_of(v: &Val) -> Option<bool> {
    match v {
        Val::Empty => Some(false),
        Val::Bool(b) => Some(*b),
        Val::Int(i) => Some(*i != 0),
        Val::Float(f) => Some(*f != 0.0),
        Val::Text(s) => match norm_token(s).to_lowercase().as_str() {
            "" | "false" | "no" | "n" | "0" | "否" | "无" | "×" => Some(false),
            "true" | "yes" | "y" | "1" | "是" | "√" | "✓" | "✔" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

const NOTE_PREFIXES: &[&str] = &[
    "注：",
    "注:",
    "注1",
    "注2",
    "注 ",
    "备注：",
    "备注:",
    "附注",
    "说明：",
    "说明:",
    "填表说明",
    "note:",
    "notes:",
    "note：",
];

fn is_note(s: &str) -> bool {
    let l = collapse(s).to_lowercase();
    l == "注" || NOTE_PREFIXES.iter().any(|p| l.starts_with(p))
}

fn is_total(s: &str) -> bool {
    matches!(
        norm_header(s).as_str(),
        "合计" | "总计" | "小计" | "total" | "sum" | "总分"
    )
}

/// A leading heading number (`一、`, `（一）`, `第一章`, `1.`, `1、`) and the rest.
fn split_heading(s: &str) -> Option<(String, String)> {
    let t = s.trim();
    let cn = "一二三四五六七八九十百零〇";
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    // 第…章/部分/节
    if chars.first() == Some(&'第') {
        let mut j = 1;
        while j < chars.len() && (cn.contains(chars[j]) || chars[j].is_ascii_digit()) {
            j += 1;
        }
        for unit in ["章", "部分", "节", "条"] {
            let u: Vec<char> = unit.chars().collect();
            if j > 1 && chars[j..].starts_with(&u) {
                let end = j + u.len();
                let rest: String = chars[end..].iter().collect();
                let rest = rest.trim_start_matches(['、', '：', ':', ' ', '　']).trim();
                if !rest.is_empty() {
                    return Some((chars[..end].iter().collect(), rest.to_string()));
                }
            }
        }
        return None;
    }
    let paren = matches!(chars.first(), Some('（' | '('));
    if paren {
        i = 1;
    }
    let start = i;
    while i < chars.len() && (cn.contains(chars[i]) || chars[i].is_ascii_digit()) {
        i += 1;
    }
    if i == start {
        return None;
    }
    let end = if paren {
        if !matches!(chars.get(i), Some('）' | ')')) {
            return None;
        }
        i + 1
    } else {
        if !matches!(chars.get(i), Some('、' | '.' | '．')) {
            return None;
        }
        i + 1
    };
    let rest: String = chars[end..].iter().collect();
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    Some((chars[..end].iter().collect(), rest.to_string()))
}

/// A short title from a paraphrase: the first phrase if it is short, else the start and `…`.
fn title_from(text: &str) -> String {
    let first: String = text
        .split(['，', '。', '；', '：', ',', ';', ':'])
        .next()
        .unwrap_or(text)
        .trim()
        .to_string();
    let n = first.chars().count();
    if (4..=30).contains(&n) {
        return first;
    }
    let all = text.chars().count();
    if all <= 30 {
        return text.trim_end_matches(['。', '；', ';']).to_string();
    }
    let head: String = text.chars().take(24).collect();
    format!("{head}…")
}

fn is_pack_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('A'..='Z'))
        && c.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && s.len() <= 16
}

fn is_item_id(s: &str, pack: &str) -> bool {
    s.len() <= 64
        && s.len() > pack.len() + 1
        && s.starts_with(pack)
        && s.as_bytes().get(pack.len()) == Some(&b'-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !s.ends_with(['-', '.'])
}

fn id_suffix_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !s.starts_with(['-', '.'])
        && !s.ends_with(['-', '.'])
}

/// A doc number such as `工信部网安〔2021〕134号` in a title line.
fn doc_number_in(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let open = chars.iter().position(|c| matches!(c, '〔' | '[' | '［'))?;
    let close = open
        + chars[open..]
            .iter()
            .position(|c| matches!(c, '〕' | ']' | '］'))?;
    let year: String = chars[open + 1..close].iter().collect();
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hao = close + chars[close..].iter().position(|c| *c == '号')?;
    if hao - close > 6 {
        return None;
    }
    let mut start = open;
    while start > 0 {
        let c = chars[start - 1];
        if c.is_alphanumeric() && !matches!(c, '《' | '》') {
            start -= 1;
        } else {
            break;
        }
    }
    Some(chars[start..=hao].iter().collect())
}

// ------------------------------------------------------------------ output

/// The TOML being written, with where each line came from.
struct Out {
    lines: Vec<(String, Option<Location>)>,
}

impl Out {
    fn push(&mut self, line: impl Into<String>, at: Option<Location>) {
        self.lines.push((line.into(), at));
    }

    fn kv(&mut self, key: &str, value: String, at: Option<Location>, default: bool) {
        let mut l = format!("{key} = {value}");
        if default {
            l.push_str("   # 默认 / default");
        }
        self.push(l, at);
    }

    fn text(&self) -> String {
        let mut s = String::new();
        for (l, _) in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn pending(zh: &str) -> String {
    format!("{EN_PENDING}{zh}")
}

/// The pack's own fields from the pack sheet: key → (value, where).
type Meta = BTreeMap<String, (Val, Location)>;

fn read_meta(sheet: &Sheet) -> Meta {
    let mut m = Meta::new();
    for r in 0..sheet.height() {
        let k = norm_token(&sheet.get(r, 0).text()).to_lowercase();
        if k.is_empty() || k.starts_with("字段") || k == "key" {
            continue;
        }
        let v = sheet.get(r, 1).clone();
        m.insert(k, (v, sheet.loc(r, 1)));
    }
    m
}

const META_KEYS: &[&str] = &[
    "schema",
    "id",
    "version",
    "doc_number",
    "title.zh",
    "title.en",
    "issuer.zh",
    "issuer.en",
    "doc_type",
    "region",
    "status",
    "issued",
    "effective",
    "source",
    "provenance",
    "note.zh",
    "note.en",
    "applies_when",
    "questions",
    "scoring",
    "excluded",
];

const SCORING_DEFAULT: &str = "partial = 0.5\nnot_applicable = \"exclude\"\nencouraged = \"exclude\"\nveto = \"fail_pack\"\nbands = [\n  { min = 90, label = { zh = \"符合\", en = \"Conformant\" } },\n  { min = 70, label = { zh = \"基本符合\", en = \"Largely conformant\" } },\n  { min = 0, label = { zh = \"不符合\", en = \"Not conformant\" } },\n]";

/// Reads a checklist sheet of `wb` and writes the pack it describes as TOML,
/// validated against `questions` (the catalogue the pack's conditions use,
/// e.g. the built-in `questions.toml`). File-level failures (no such sheet,
/// no recognisable header) are an `Err`; row-level problems are in
/// [`PackImport::problems`], and then [`PackImport::toml`] is `None`.
pub fn import_pack(
    wb: &mut Workbook,
    opts: &PackImportOptions,
    questions: &[SourceFile],
) -> Result<PackImport, Problem> {
    let file = wb.file.clone();
    // A CISO Assistant library workbook has its own importer.
    if opts.sheet.is_none()
        && wb
            .sheet_names
            .iter()
            .any(|n| n.trim().eq_ignore_ascii_case("library_meta"))
    {
        return Err(Problem::error(
            Location::file(&file),
            t!(
                "这是 CISO Assistant 的框架库表格（有 library_meta 工作表）：请用 iovaudit pack import-ciso 导入",
                "this is a CISO Assistant library workbook (it has a library_meta sheet): import it with `iovaudit pack import-ciso`"
            ),
        ));
    }
    // The pack sheet, if the workbook has one.
    let meta_name = wb
        .sheet_names
        .iter()
        .find(|n| META_SHEETS.iter().any(|m| n.trim().eq_ignore_ascii_case(m)))
        .cloned();
    let meta: Meta = match &meta_name {
        Some(n) if opts.sheet.as_deref() != Some(n.as_str()) => read_meta(&wb.sheet(n)?),
        _ => Meta::new(),
    };

    // The checklist sheet and its header.
    let (sheet, header) = match &opts.sheet {
        Some(want) => {
            let name = wb.find_sheet(want).ok_or_else(|| wb.no_sheet(want))?;
            let sheet = wb.sheet(&name)?;
            let header = find_header(&sheet, &FIELDS, &opts.columns)?;
            (sheet, header)
        }
        None => {
            // Among all sheets, the one with the best header: a title or text
            // column first, then the most recognised columns; the first on a tie.
            let mut found: Option<(usize, Sheet, Option<Header<PF>>)> = None;
            let names: Vec<String> = wb
                .sheet_names
                .iter()
                .filter(|n| Some(*n) != meta_name.as_ref())
                .cloned()
                .collect();
            let mut first = None;
            for n in &names {
                let sheet = wb.sheet(n)?;
                let h = find_header(&sheet, &FIELDS, &opts.columns)?;
                let score = h.as_ref().map_or(0, |h| {
                    let usable = h.has(PF::Title) || h.has(PF::Text);
                    if usable {
                        1000 + h.columns.len()
                    } else {
                        0
                    }
                });
                if score > 0 && found.as_ref().is_none_or(|(b, _, _)| score > *b) {
                    found = Some((score, sheet, h));
                } else if first.is_none() {
                    first = Some((sheet, h));
                }
            }
            match found.map(|(_, s, h)| (s, h)).or(first) {
                Some(x) => x,
                None => {
                    return Err(Problem::error(
                        Location::file(&file),
                        t!(
                            "工作簿中没有可读取的检查表",
                            "the workbook has no checklist sheet"
                        ),
                    ))
                }
            }
        }
    };
    let Some(header) = header else {
        return Err(Problem::error(
            sheet.loc_sheet(),
            t!(
                "找不到表头：前 40 行中没有一行包含至少两个可识别的列名（如 序号、类别、检查项、检查内容、依据条款、证明材料、权重）；可用 --column title=C 指定列",
                "no header found: no row among the first 40 names at least two known columns (序号/No., 类别/Category, 检查项/Title, 检查内容/Text, 依据条款/Clause, 证明材料/Evidence, 权重/Weight); name columns with --column title=C"
            ),
        ));
    };
    if !header.has(PF::Title) && !header.has(PF::Text) {
        let heads = header.describe();
        return Err(Problem::error(
            sheet.loc_sheet(),
            t!(
                "找不到检查项或检查内容列（表头：{heads}）；请用 --column title=列 或 --column text=列 指定",
                "no 检查项 (title) or 检查内容 (text) column (headers: {heads}); name one with --column title=COLUMN or --column text=COLUMN"
            ),
        ));
    }

    // A field named by two columns: text fields are joined (and said so);
    // any other field stops the import, naming both cells.
    let cell_of = |c: u32| -> String {
        let row = (header.first_row..=header.last_row)
            .rev()
            .find(|r| !sheet.get(*r, c).is_empty())
            .unwrap_or(header.last_row);
        format!("{}{}（{}）", col_letter(c), row + 1, header.text_of(c))
    };
    let mut join_notes: Vec<Problem> = Vec::new();
    for (c, f) in &header.extra {
        let name = FIELDS.name_of(*f);
        let Some(c0) = header.col(*f) else { continue };
        let (a, b) = (cell_of(c0), cell_of(*c));
        if joinable(*f) {
            join_notes.push(Problem::warning(
                sheet.loc(header.last_row, *c),
                t!(
                    "{a} 与 {b} 都是「{name}」列：两列内容已合并",
                    "{a} and {b} both read as `{name}`: their texts are joined"
                ),
            ));
        } else {
            return Err(Problem::error(
                sheet.loc(header.last_row, *c),
                t!(
                    "{a} 与 {b} 都是「{name}」列，无法确定用哪一列；请删去一列，或用 --column {name}=列字母 指定",
                    "{a} and {b} both read as `{name}`: it is not clear which to use; remove one, or name it with --column {name}=LETTER"
                ),
            ));
        }
    }
    // Our own export (or a sheet mimicking it): requirement ids and section ids as written.
    let own_id_header = header.col(PF::Id).is_some_and(|c| {
        let t = norm_header(&header.text_of(c));
        t.contains("requirementid") || t.contains("要求编号") || t.contains("要求标识")
    });
    let machine = own_id_header || header.has(PF::SectionId) || !meta.is_empty();
    let mut cx = Ctx {
        sheet: &sheet,
        header: &header,
        problems: join_notes,
        machine,
    };
    let mut skipped: Vec<SkippedRow> = Vec::new();
    let skip = |skipped: &mut Vec<SkippedRow>, row0: u32, reason: Text| {
        skipped.push(SkippedRow {
            row: row0 + 1,
            reason,
        })
    };

    // Rows above the header: titles (the pack title and doc number come from there).
    let mut title_lines: Vec<String> = Vec::new();
    if header.has_rows() {
        for r in 0..header.first_row {
            let cells = sheet.row_cells(r);
            if cells.is_empty() {
                continue;
            }
            let mut texts: Vec<String> = Vec::new();
            for (_, v) in &cells {
                let t = one_line(&v.text());
                if !t.is_empty() && !texts.contains(&t) {
                    texts.push(t);
                }
            }
            title_lines.push(texts.join(" "));
            skip(
                &mut skipped,
                r,
                t!("表头之上的标题行", "title row above the header"),
            );
        }
    }

    // Data rows.
    let title_cols: Vec<u32> = [PF::Title, PF::Text]
        .iter()
        .filter_map(|f| header.col(*f))
        .collect();
    let header_norms: Vec<(u32, String)> = header
        .texts
        .iter()
        .flat_map(|(c, t)| {
            t.split(" / ")
                .map(|p| (*c, norm_header(p)))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut items: Vec<Item> = Vec::new();
    let mut current_category: Option<String> = None;
    let mut blank_run: Vec<u32> = Vec::new();
    let flush_blanks = |skipped: &mut Vec<SkippedRow>, run: &mut Vec<u32>| {
        if let (Some(a), Some(b)) = (run.first(), run.last()) {
            let (a, b) = (a + 1, b + 1);
            let reason = if a == b {
                t!("空行", "blank row")
            } else {
                t!("空行（第 {a}–{b} 行）", "blank rows ({a}–{b})")
            };
            skipped.push(SkippedRow { row: a, reason });
        }
        run.clear();
    };
    for r in header.data_start()..sheet.height() {
        let cells = sheet.row_cells(r);
        if cells.is_empty() {
            blank_run.push(r);
            continue;
        }
        flush_blanks(&mut skipped, &mut blank_run);
        let mut distinct: Vec<String> = Vec::new();
        for (_, v) in &cells {
            let t = collapse(&v.text());
            if !distinct.contains(&t) {
                distinct.push(t);
            }
        }
        let first_text = cells.first().map(|(_, v)| v.text()).unwrap_or_default();
        // A header repeated on a new page: cells equal to their own column's header.
        let repeats = cells
            .iter()
            .filter(|(c, v)| {
                let n = norm_header(&v.text());
                !n.is_empty() && header_norms.iter().any(|(hc, hn)| hc == c && *hn == n)
            })
            .count();
        if repeats >= 2 && repeats * 2 >= cells.len() {
            skip(&mut skipped, r, t!("重复的表头行", "repeated header row"));
            continue;
        }
        if is_note(&first_text) {
            let shown: String = one_line(&first_text).chars().take(30).collect();
            skip(&mut skipped, r, t!("注释行：{shown}", "note row: {shown}"));
            continue;
        }
        if distinct.len() == 1 {
            let cols: Vec<u32> = cells.iter().map(|(c, _)| *c).collect();
            let only_text = cols.len() == 1 && title_cols.contains(&cols[0]);
            let value = one_line(&distinct[0]);
            if !only_text {
                let cat_col = header.col(PF::Category);
                let banner = cols.len() > 1;
                if cat_col.is_none() || banner || Some(cols[0]) == cat_col {
                    let shown: String = value.chars().take(30).collect();
                    current_category = Some(value);
                    skip(
                        &mut skipped,
                        r,
                        t!("章节标题行：{shown}", "section heading row: {shown}"),
                    );
                } else {
                    let shown: String = value.chars().take(30).collect();
                    let at = sheet.loc_row(r);
                    cx.warn_at(
                        at,
                        t!(
                            "只有一个单元格有内容，不是检查项，已跳过：{shown}",
                            "only one cell is filled; not a requirement, skipped: {shown}"
                        ),
                    );
                    skip(
                        &mut skipped,
                        r,
                        t!("只有一个单元格：{shown}", "a single cell: {shown}"),
                    );
                }
                continue;
            }
        }
        // A row with a category and nothing of a requirement (at most a
        // number or clause beside it) starts a section.
        if let Some(cat_c) = header.col(PF::Category) {
            let content = [
                PF::Title,
                PF::Text,
                PF::TitleEn,
                PF::TextEn,
                PF::Evidence,
                PF::Note,
            ];
            let has_content = content
                .iter()
                .flat_map(|f| header.cols(*f))
                .any(|c| !collapse(&sheet.get(r, c).text()).is_empty());
            let cat = one_line(&sheet.get(r, cat_c).text());
            if !cat.is_empty() && !has_content && !is_total(&cat) {
                let shown: String = cat.chars().take(30).collect();
                current_category = Some(cat);
                skip(
                    &mut skipped,
                    r,
                    t!("章节标题行：{shown}", "section heading row: {shown}"),
                );
                continue;
            }
        }
        if distinct.iter().any(|d| is_total(d)) {
            let shown: String = distinct.join(" ").chars().take(30).collect();
            skip(
                &mut skipped,
                r,
                t!("合计行：{shown}", "totals row: {shown}"),
            );
            continue;
        }
        let item = read_item(&mut cx, r, &mut current_category);
        match item {
            Some(it) if it.title.is_none() && it.text.is_none() => {
                let what = distinct.join(" ");
                let shown: String = what.chars().take(30).collect();
                if distinct.iter().any(|d| is_total(d)) {
                    skip(
                        &mut skipped,
                        r,
                        t!("合计行：{shown}", "totals row: {shown}"),
                    );
                } else {
                    cx.warn_at(
                        sheet.loc_row(r),
                        t!(
                            "没有检查项或检查内容，已跳过：{shown}",
                            "no title or text, skipped: {shown}"
                        ),
                    );
                    skip(
                        &mut skipped,
                        r,
                        t!("没有检查项/检查内容：{shown}", "no title/text: {shown}"),
                    );
                }
            }
            Some(it)
                if it.title.as_deref().is_some_and(is_total)
                    || (it.title.is_none() && it.text.as_deref().is_some_and(is_total)) =>
            {
                skip(&mut skipped, r, t!("合计行", "totals row"));
            }
            Some(it) => items.push(it),
            None => {}
        }
    }
    flush_blanks(&mut skipped, &mut blank_run);
    skipped.sort_by_key(|s| s.row);

    // The pack id.
    let meta_str = |k: &str| -> Option<(String, Location)> {
        meta.get(k).and_then(|(v, at)| {
            let s = match v {
                Val::Date(d) => d.chars().take(10).collect(),
                v => v.text(),
            };
            let s = s.trim().to_string();
            (!s.is_empty()).then(|| (s, at.clone()))
        })
    };
    let meta_id = meta_str("id").map(|(s, _)| norm_token(&s).to_ascii_uppercase());
    let pack_id = match (&opts.id, &meta_id) {
        (Some(id), _) => norm_token(id).to_ascii_uppercase(),
        (None, Some(id)) => id.clone(),
        (None, None) => {
            let stem = std::path::Path::new(&file)
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            fold_width(&stem)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_uppercase()
                .chars()
                .take(16)
                .collect()
        }
    };
    if !is_pack_id(&pack_id) {
        let shown = if pack_id.is_empty() {
            "（无）".to_string()
        } else {
            pack_id.clone()
        };
        return Err(Problem::error(
            Location::file(&file),
            t!(
                "检查单标识 `{shown}` 无效：应为大写字母开头的大写字母和数字，至多 16 位（用 --id 指定，如 --id SHTASK）",
                "pack id `{shown}` is not valid: uppercase letters and digits starting with a letter, at most 16 (give one with --id, e.g. --id SHTASK)"
            ),
        ));
    }
    let renamed_from = meta_id.filter(|m| *m != pack_id);

    // Requirement ids.
    assign_ids(&mut cx, &mut items, &pack_id, renamed_from.as_deref());

    // Sections, in order of first appearance.
    struct Sec {
        key: String,
        id: Option<String>,
        clause: Option<String>,
        title: String,
        title_en: Option<String>,
        row0: u32,
        items: Vec<usize>,
    }
    let mut secs: Vec<Sec> = Vec::new();
    let mut default_section = false;
    for (i, it) in items.iter().enumerate() {
        let sid = it.section_id.as_ref().map(|s| match &renamed_from {
            Some(old) if s.starts_with(&format!("{old}-")) => {
                format!("{pack_id}{}", &s[old.len()..])
            }
            _ => s.clone(),
        });
        let cat = it.category.clone();
        let key = match (&sid, &cat) {
            (Some(s), _) => format!("id:{s}"),
            (None, Some(c)) => format!("cat:{c}"),
            (None, None) => {
                default_section = true;
                "default".to_string()
            }
        };
        match secs.iter_mut().find(|s| s.key == key) {
            Some(s) => s.items.push(i),
            None => {
                let (clause, title) = match (&it.section_clause, &cat) {
                    (Some(c), Some(t)) => (Some(c.clone()), t.clone()),
                    (None, Some(t)) if !machine => match split_heading(t) {
                        Some((c, rest)) => (Some(c), rest),
                        None => (None, t.clone()),
                    },
                    (c, Some(t)) => (c.clone(), t.clone()),
                    (c, None) => (c.clone(), "全部检查项".to_string()),
                };
                secs.push(Sec {
                    key,
                    id: sid,
                    clause,
                    title,
                    title_en: if cat.is_none() {
                        Some("All requirements".to_string())
                    } else {
                        it.category_en.clone()
                    },
                    row0: it.row0,
                    items: vec![i],
                });
            }
        }
    }

    // Pack header values.
    let file_name = std::path::Path::new(&file)
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| file.clone());
    let mut defaults_used: Vec<(&'static str, usize, Text)> = Vec::new();
    let mut note_default =
        |key: &'static str, label: Text| match defaults_used.iter_mut().find(|(k, _, _)| *k == key)
        {
            Some(d) => d.1 += 1,
            None => defaults_used.push((key, 1, label)),
        };

    let mut out = Out { lines: Vec::new() };
    let sheet_name = sheet.name.clone();
    out.push(
        format!("# 由 iovaudit pack import-xlsx 从 {file_name}（工作表「{sheet_name}」）生成。"),
        None,
    );
    out.push(
        format!(
            "# Generated by `iovaudit pack import-xlsx` from {file_name} (sheet \"{sheet_name}\")."
        ),
        None,
    );
    out.push(
        "# 标有「默认 / default」的值不是表格给出的，请核对；英文 \"(English pending) …\" 为待译占位。",
        None,
    );
    out.push(
        "# Values marked \"default\" were not in the sheet: check them. English \"(English pending) …\" is a placeholder to translate.",
        None,
    );
    out.push("schema = 1", None);
    out.push("", None);
    out.push("[pack]", None);
    let id_at = meta.get("id").map(|(_, at)| at.clone());
    out.kv("id", quote(&pack_id), id_at, false);

    let meta_kv = |out: &mut Out,
                   key: &str,
                   default: Option<String>,
                   note: &mut dyn FnMut(&'static str, Text),
                   label: (&'static str, Text)| {
        match meta_str(key) {
            Some((v, at)) => out.kv(key, quote(&v), Some(at), false),
            None => {
                if let Some(d) = default {
                    out.kv(key, quote(&d), None, true);
                    note(label.0, label.1);
                }
            }
        }
    };
    meta_kv(
        &mut out,
        "version",
        Some("1".into()),
        &mut note_default,
        (
            "pack.version",
            t!("检查单版本 = \"1\"", "pack version = \"1\""),
        ),
    );
    let doc_number_default = title_lines
        .iter()
        .find_map(|l| doc_number_in(l))
        .unwrap_or_else(|| "（待补充文号）".to_string());
    meta_kv(
        &mut out,
        "doc_number",
        Some(doc_number_default),
        &mut note_default,
        (
            "pack.doc_number",
            t!(
                "文号（取自标题行或待补充）",
                "doc number (from the title rows, or to be completed)"
            ),
        ),
    );
    let title_zh = meta_str("title.zh").map(|(s, _)| s).unwrap_or_else(|| {
        title_lines.first().cloned().unwrap_or_else(|| {
            std::path::Path::new(&file_name)
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| pack_id.clone())
        })
    });
    let title_en = meta_str("title.en").map(|(s, _)| s);
    let title_at = meta.get("title.zh").map(|(_, at)| at.clone());
    if title_en.is_none() {
        note_default(
            "pack.title.en",
            t!("检查单英文标题（占位）", "pack English title (placeholder)"),
        );
    }
    out.kv(
        "title",
        format!(
            "{{ zh = {}, en = {} }}",
            quote(&title_zh),
            quote(&title_en.unwrap_or_else(|| pending(&title_zh)))
        ),
        title_at,
        false,
    );
    match (meta_str("issuer.zh"), meta_str("issuer.en")) {
        (Some((zh, at)), en) => out.kv(
            "issuer",
            format!(
                "{{ zh = {}, en = {} }}",
                quote(&zh),
                quote(&en.map(|(e, _)| e).unwrap_or_else(|| pending(&zh)))
            ),
            Some(at),
            false,
        ),
        (None, _) => {
            note_default(
                "pack.issuer",
                t!("发文机关（待补充）", "issuer (to be completed)"),
            );
            out.kv(
                "issuer",
                "{ zh = \"（待补充发文机关）\", en = \"(issuer to be completed)\" }".into(),
                None,
                true,
            );
        }
    }
    meta_kv(
        &mut out,
        "doc_type",
        Some("task_list".into()),
        &mut note_default,
        (
            "pack.doc_type",
            t!("文件类型 = task_list", "doc_type = task_list"),
        ),
    );
    meta_kv(
        &mut out,
        "region",
        Some("CN".into()),
        &mut note_default,
        ("pack.region", t!("地区 = CN", "region = CN")),
    );
    meta_kv(
        &mut out,
        "status",
        Some("in_force".into()),
        &mut note_default,
        ("pack.status", t!("状态 = in_force", "status = in_force")),
    );
    for key in ["issued", "effective"] {
        if let Some((v, at)) = meta_str(key) {
            let d = norm_token(&v);
            let ok = d.len() == 10 && chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_ok();
            if ok {
                out.kv(key, d, Some(at), false);
            } else {
                cx.problems.push(Problem::error(
                    at,
                    t!(
                        "`{key}` 应为日期 YYYY-MM-DD，而不是「{v}」",
                        "`{key}` must be a date YYYY-MM-DD, not `{v}`"
                    ),
                ));
            }
        }
    }
    match meta_str("source") {
        Some((v, at)) => out.kv("source", quote(&v), Some(at), false),
        None => out.kv("source", quote(&file_name), None, false),
    }
    meta_kv(
        &mut out,
        "provenance",
        Some("text".into()),
        &mut note_default,
        (
            "pack.provenance",
            t!("检查单来源 = text", "pack provenance = text"),
        ),
    );
    match (meta_str("note.zh"), meta_str("note.en")) {
        (Some((zh, at)), en) => {
            out.kv("note.zh", quote(&zh), Some(at.clone()), false);
            if let Some((en, at)) = en {
                out.kv("note.en", quote(&en), Some(at), false);
            }
        }
        (None, _) if meta.is_empty() => {
            out.kv(
                "note.zh",
                quote(&format!(
                    "由 iovaudit 从表格 {file_name}（工作表「{sheet_name}」）导入。标为默认值的字段（文号、发文机关、义务类型、适用对象、评估方法、权重等）和英文占位需人工核对补充。"
                )),
                None,
                false,
            );
            out.kv(
                "note.en",
                quote(&format!(
                    "Imported by iovaudit from the spreadsheet {file_name} (sheet \"{sheet_name}\"). Fields marked as defaults (doc number, issuer, obligation, applies_to, methods, weight…) and the English placeholders must be checked and completed."
                )),
                None,
                false,
            );
        }
        (None, _) => {}
    }
    if let Some((v, at)) = meta_str("applies_when") {
        out.kv("applies_when", quote(&v), Some(at), false);
    }
    // Questions: as given, else those the conditions name.
    let questions_list: Vec<String> = match meta_str("questions") {
        Some((v, _)) => split_list(&v),
        None => {
            let mut qs: Vec<String> = Vec::new();
            for it in &items {
                if let Some(w) = &it.when {
                    if let Ok(c) = Condition::parse(w) {
                        for q in c.questions() {
                            if q != "enterprise_type" && !qs.iter().any(|x| x == q) {
                                qs.push(q.to_string());
                            }
                        }
                    }
                }
            }
            qs
        }
    };
    let q_at = meta.get("questions").map(|(_, at)| at.clone());
    out.kv("questions", list(&questions_list), q_at, false);
    out.push("", None);

    // Scoring.
    out.push("[scoring]", None);
    match meta_str("scoring") {
        Some((v, at)) => match parse_inline(&v) {
            Ok(toml::Value::Table(t)) => {
                for (k, v) in super::text::ordered(&t) {
                    out.kv(&super::text::key(k), inline(v), Some(at.clone()), false);
                }
            }
            Ok(_) => cx.problems.push(Problem::error(
                at,
                t!(
                    "`scoring` 应为 TOML 内联表 {{ partial = 0.5, … }}",
                    "`scoring` must be an inline TOML table {{ partial = 0.5, … }}"
                ),
            )),
            Err(e) => cx.problems.push(Problem::error(
                at,
                t!(
                    "`scoring` 不是有效的 TOML：{e}",
                    "`scoring` is not valid TOML: {e}"
                ),
            )),
        },
        None => {
            note_default(
                "scoring",
                t!(
                    "计分规则（与内置检查单相同）",
                    "scoring rules (as in the built-in packs)"
                ),
            );
            out.push("# 默认计分规则 / default scoring rules", None);
            for l in SCORING_DEFAULT.lines() {
                out.push(l, None);
            }
        }
    }
    // Excluded items.
    if let Some((v, at)) = meta_str("excluded") {
        match parse_inline(&v) {
            Ok(toml::Value::Array(a)) => {
                for e in &a {
                    match e {
                        toml::Value::Table(t) => {
                            out.push("", None);
                            out.push("[[excluded]]", Some(at.clone()));
                            for (k, v) in super::text::ordered(t) {
                                out.kv(&super::text::key(k), inline(v), Some(at.clone()), false);
                            }
                        }
                        _ => cx.problems.push(Problem::error(
                            at.clone(),
                            t!(
                                "`excluded` 应为表的数组 [{{ ids = […], clause = …, reason = {{ zh, en }} }}]",
                                "`excluded` must be an array of tables [{{ ids = […], clause = …, reason = {{ zh, en }} }}]"
                            ),
                        )),
                    }
                }
            }
            Ok(_) => cx.problems.push(Problem::error(
                at,
                t!("`excluded` 应为数组", "`excluded` must be an array"),
            )),
            Err(e) => cx.problems.push(Problem::error(
                at,
                t!(
                    "`excluded` 不是有效的 TOML：{e}",
                    "`excluded` is not valid TOML: {e}"
                ),
            )),
        }
    }
    for (k, (_, at)) in &meta {
        if !META_KEYS.contains(&k.as_str()) {
            cx.problems.push(Problem::warning(
                at.clone(),
                t!(
                    "检查单信息中的未知字段 `{k}`，已忽略",
                    "unknown key `{k}` in the pack sheet, ignored"
                ),
            ));
        }
    }

    // Sections and requirements.
    let col_at = |f: PF, row0: u32| header.col(f).map(|c| sheet.loc(row0, c));
    let row_at = |row0: u32| Some(sheet.loc_row(row0));
    if default_section {
        note_default(
            "section",
            t!(
                "章节（表格无类别列，归入「全部检查项」）",
                "section (no category column: one section \"全部检查项\")"
            ),
        );
    }
    for (n, s) in secs.iter().enumerate() {
        out.push("", None);
        out.push("[[sections]]", row_at(s.row0));
        let sid =
            s.id.clone()
                .unwrap_or_else(|| format!("{pack_id}-S{}", n + 1));
        out.kv(
            "id",
            quote(&sid),
            col_at(PF::SectionId, s.row0).or(row_at(s.row0)),
            false,
        );
        match &s.clause {
            Some(c) => out.kv(
                "clause",
                quote(c),
                col_at(PF::SectionClause, s.row0).or(col_at(PF::Category, s.row0)),
                false,
            ),
            None => {
                note_default(
                    "section.clause",
                    t!(
                        "章节条款号（按顺序编号）",
                        "section clause (numbered in order)"
                    ),
                );
                out.kv("clause", quote(&(n + 1).to_string()), row_at(s.row0), true);
            }
        }
        let en = match &s.title_en {
            Some(e) => e.clone(),
            None => {
                note_default(
                    "section.title.en",
                    t!(
                        "章节英文标题（占位）",
                        "section English titles (placeholder)"
                    ),
                );
                pending(&s.title)
            }
        };
        out.kv(
            "title",
            format!("{{ zh = {}, en = {} }}", quote(&s.title), quote(&en)),
            col_at(PF::Category, s.row0).or(row_at(s.row0)),
            false,
        );
        for &i in &s.items {
            let it = &items[i];
            let r = it.row0;
            out.push("", None);
            out.push("[[sections.requirements]]", row_at(r));
            let id = it.id.clone().unwrap_or_default();
            out.kv(
                "id",
                quote(&id),
                col_at(PF::Id, r).or(col_at(PF::Seq, r)).or(row_at(r)),
                false,
            );
            match (&it.clause, &it.seq) {
                (Some(c), _) => out.kv("clause", quote(c), col_at(PF::Clause, r), false),
                (None, Some(seq)) => {
                    note_default(
                        "clause.seq",
                        t!("依据条款（取序号）", "clause (taken from 序号)"),
                    );
                    out.kv("clause", quote(seq), col_at(PF::Seq, r), true);
                }
                (None, None) => {
                    note_default(
                        "clause",
                        t!("依据条款（取行号）", "clause (the row number)"),
                    );
                    out.kv("clause", quote(&format!("第{}行", r + 1)), row_at(r), true);
                }
            }
            let (title, text) = match (&it.title, &it.text) {
                (Some(a), Some(b)) => (a.clone(), b.clone()),
                (Some(a), None) => {
                    note_default(
                        "text",
                        t!("检查内容（同检查项）", "text (same as the title)"),
                    );
                    (a.clone(), a.clone())
                }
                (None, Some(b)) => {
                    note_default(
                        "title",
                        t!("检查项（摘自检查内容）", "title (taken from the text)"),
                    );
                    (title_from(b), b.clone())
                }
                (None, None) => continue,
            };
            let title_en = it.title_en.clone().unwrap_or_else(|| {
                note_default(
                    "title.en",
                    t!("检查项英文（占位）", "English titles (placeholder)"),
                );
                pending(&title)
            });
            let text_en = it.text_en.clone().unwrap_or_else(|| {
                note_default(
                    "text.en",
                    t!("检查内容英文（占位）", "English texts (placeholder)"),
                );
                pending(&text)
            });
            out.kv(
                "title",
                format!("{{ zh = {}, en = {} }}", quote(&title), quote(&title_en)),
                col_at(PF::Title, r).or(col_at(PF::Text, r)),
                false,
            );
            out.kv(
                "text.zh",
                quote(&text),
                col_at(PF::Text, r).or(col_at(PF::Title, r)),
                false,
            );
            out.kv(
                "text.en",
                quote(&text_en),
                col_at(PF::TextEn, r).or(col_at(PF::Text, r)),
                it.text_en.is_none(),
            );
            match it.obligation {
                Some(o) => out.kv("obligation", quote(o), col_at(PF::Obligation, r), false),
                None => {
                    note_default(
                        "obligation",
                        t!("义务类型 = mandatory", "obligation = mandatory"),
                    );
                    out.kv("obligation", quote("mandatory"), row_at(r), true);
                }
            }
            match &it.applies_to {
                Some(a) => out.kv("applies_to", list(a), col_at(PF::AppliesTo, r), false),
                None => {
                    note_default(
                        "applies_to",
                        t!("适用对象 = [\"ALL\"]", "applies_to = [\"ALL\"]"),
                    );
                    out.kv("applies_to", list(&["ALL".to_string()]), row_at(r), true);
                }
            }
            if let Some(w) = &it.when {
                out.kv("when", quote(w), col_at(PF::When, r), false);
            }
            if it.evidence.is_empty() {
                note_default(
                    "evidence",
                    t!("证明材料（待补充）", "evidence (to be completed)"),
                );
                out.kv(
                    "evidence.zh",
                    list(&[EVIDENCE_PENDING.to_string()]),
                    row_at(r),
                    true,
                );
            } else {
                out.kv(
                    "evidence.zh",
                    list(&it.evidence),
                    col_at(PF::Evidence, r),
                    false,
                );
                if !it.evidence_en.is_empty() {
                    out.kv(
                        "evidence.en",
                        list(&it.evidence_en),
                        col_at(PF::EvidenceEn, r),
                        false,
                    );
                }
            }
            match &it.methods {
                Some(m) => {
                    let m: Vec<String> = m.iter().map(|s| s.to_string()).collect();
                    out.kv("methods", list(&m), col_at(PF::Methods, r), false)
                }
                None => {
                    note_default(
                        "methods",
                        t!("评估方法 = [\"examine\"]", "methods = [\"examine\"]"),
                    );
                    out.kv("methods", list(&["examine".to_string()]), row_at(r), true);
                }
            }
            match it.weight {
                Some(w) => out.kv("weight", w.to_string(), col_at(PF::Weight, r), false),
                None => {
                    note_default("weight", t!("权重 = 3", "weight = 3"));
                    out.kv(
                        "weight",
                        DEFAULT_WEIGHT.to_string(),
                        col_at(PF::Weight, r).or(row_at(r)),
                        true,
                    );
                }
            }
            if it.veto {
                out.kv("veto", "true".into(), col_at(PF::Veto, r), false);
            }
            if !it.themes.is_empty() {
                out.kv("themes", list(&it.themes), col_at(PF::Themes, r), false);
            }
            if !it.replaces.is_empty() {
                out.kv(
                    "replaces",
                    list(&it.replaces),
                    col_at(PF::Replaces, r),
                    false,
                );
            }
            match it.provenance {
                Some(p) => out.kv("provenance", quote(p), col_at(PF::Provenance, r), false),
                None => {
                    note_default("provenance", t!("来源 = text", "provenance = text"));
                    out.kv("provenance", quote("text"), row_at(r), true);
                }
            }
            let pnote = if header.has(PF::ProvenanceNote) {
                it.provenance_note.clone()
            } else {
                let mut n = format!(
                    "导入自 {file_name} 工作表「{sheet_name}」第 {} 行 / imported from {file_name}, sheet \"{sheet_name}\", row {}",
                    r + 1,
                    r + 1
                );
                if let Some(x) = &it.note {
                    n.push_str(&format!("；释义 / note: {x}"));
                }
                Some(n)
            };
            if let Some(p) = pnote {
                let at = col_at(PF::ProvenanceNote, r)
                    .or(col_at(PF::Note, r))
                    .or(row_at(r));
                out.kv("provenance_note", quote(&p), at, false);
            }
            if let Some(p) = &it.params {
                out.kv("params", p.clone(), col_at(PF::Params, r), false);
            }
            if let Some(d) = &it.deadlines {
                out.kv("deadlines", d.clone(), col_at(PF::Deadlines, r), false);
            }
            if let Some(x) = &it.test {
                out.kv("test", x.clone(), col_at(PF::Test, r), false);
            }
        }
    }

    // Check what was written with the pack validator, pointing back at the sheet.
    let toml_text = out.text();
    let gen_name = format!("{pack_id}.toml");
    if !cx.problems.iter().any(|p| p.severity == Severity::Error) {
        let mut set = vec![SourceFile::new(gen_name.clone(), toml_text.clone())];
        set.extend(questions.iter().cloned());
        let (_, diags) = pack::check(&set);
        for d in diags {
            if d.file != gen_name {
                let at = Location::file(&d.file);
                cx.problems.push(Problem::error(at, d.message.clone()));
                continue;
            }
            let origin = out
                .lines
                .get(d.line.saturating_sub(1))
                .and_then(|(_, at)| at.clone());
            let line = d.line;
            let msg = &d.message;
            match origin {
                Some(at) => cx.problems.push(Problem::error(at, msg.clone())),
                None => cx.problems.push(Problem::error(
                    sheet.loc_sheet(),
                    Text::new(
                        format!("生成的 TOML 第 {line} 行：{}", msg.zh),
                        format!("generated TOML line {line}: {}", msg.en),
                    ),
                )),
            }
        }
    }

    let defaults: Vec<Text> = defaults_used
        .iter()
        .map(|(_, n, label)| {
            Text::new(
                format!("{}：{n} 处", label.zh),
                format!("{}: {n}", label.en),
            )
        })
        .collect();
    let columns = header
        .columns
        .iter()
        .map(|(c, f)| {
            (
                col_letter(*c),
                FIELDS.name_of(*f).to_string(),
                header.text_of(*c),
            )
        })
        .collect();
    let mut problems = cx.problems;
    problems.sort_by_key(|p| (p.at.sheet.clone(), p.at.row, p.at.col));
    let has_errors = problems.iter().any(|p| p.severity == Severity::Error);
    Ok(PackImport {
        file,
        sheet: sheet.name.clone(),
        pack_id,
        header_rows: if header.has_rows() {
            (header.first_row + 1, header.last_row + 1)
        } else {
            (0, 0)
        },
        columns,
        requirements: items.len(),
        sections: secs.len(),
        skipped,
        defaults,
        problems,
        toml: (!has_errors).then_some(toml_text),
    })
}

fn read_item(cx: &mut Ctx<'_>, r: u32, current: &mut Option<String>) -> Option<Item> {
    let before = cx.problems.len();
    let mut it = Item {
        row0: r,
        ..Item::default()
    };
    it.seq = cx.token(r, PF::Seq).map(|(_, s)| {
        s.trim_end_matches(['、', '.', '．', ')', '）'])
            .trim_start_matches(['(', '（'])
            .to_string()
    });
    it.id = cx.token(r, PF::Id).map(|(_, s)| s);
    match cx.line(r, PF::Category) {
        Some(c) => {
            *current = Some(c.clone());
            it.category = Some(c);
        }
        None => it.category = current.clone(),
    }
    it.category_en = cx.line(r, PF::CategoryEn);
    it.section_id = cx.token(r, PF::SectionId).map(|(_, s)| s);
    it.section_clause = cx.line(r, PF::SectionClause);
    it.title = cx.line(r, PF::Title);
    it.title_en = cx.line(r, PF::TitleEn);
    it.text = cx.line(r, PF::Text);
    it.text_en = cx.line(r, PF::TextEn);
    it.clause = cx.line(r, PF::Clause);
    it.evidence = cx.list(r, PF::Evidence);
    it.evidence_en = cx.list(r, PF::EvidenceEn);
    it.weight = cx.weight(r);
    it.note = cx.line(r, PF::Note);
    if let Some((c, s)) = cx.token(r, PF::Obligation) {
        match obligation_of(&s) {
            Some(o) => it.obligation = Some(o),
            None => cx.err(
                r,
                c,
                t!(
                    "义务类型「{s}」无效（可选：mandatory 强制 | conditional 条件性 | encouraged 鼓励 | pilot 试点）",
                    "invalid obligation `{s}` (expected mandatory | conditional | encouraged | pilot)"
                ),
            ),
        }
    }
    if let Some((_, s)) = cx.text(r, PF::AppliesTo) {
        let v: Vec<String> = split_list(&s)
            .into_iter()
            .map(|x| match x.as_str() {
                "全部" | "所有" | "all" | "All" => "ALL".to_string(),
                _ => x.to_ascii_uppercase(),
            })
            .collect();
        if !v.is_empty() {
            it.applies_to = Some(v);
        }
    }
    it.when = cx.line(r, PF::When).map(|w| fold_width(&w));
    if let Some((c, s)) = cx.text(r, PF::Methods) {
        let mut ms: Vec<&'static str> = Vec::new();
        for m in split_list(&s) {
            match method_of(&m) {
                Some(x) if !ms.contains(&x) => ms.push(x),
                Some(_) => {}
                None => cx.err(
                    r,
                    c,
                    t!(
                        "评估方法「{m}」无效（可选：examine 查阅 | interview 访谈 | test 测试）",
                        "invalid method `{m}` (expected examine | interview | test)"
                    ),
                ),
            }
        }
        if !ms.is_empty() {
            it.methods = Some(ms);
        }
    }
    if let Some((c, v)) = cx.cell(r, PF::Veto).map(|(c, v)| (c, v.clone())) {
        match bool_of(&v) {
            Some(b) => it.veto = b,
            None => {
                let s = v.text();
                cx.err(
                    r,
                    c,
                    t!(
                        "一票否决应为 是/否（true/false），而不是「{s}」",
                        "veto must be yes/no (true/false), not `{s}`"
                    ),
                )
            }
        }
    }
    if let Some((_, s)) = cx.text(r, PF::Themes) {
        it.themes = split_list(&s)
            .into_iter()
            .map(|x| x.to_ascii_uppercase())
            .collect();
    }
    if let Some((_, s)) = cx.text(r, PF::Replaces) {
        it.replaces = split_list(&s);
    }
    if let Some((c, s)) = cx.token(r, PF::Provenance) {
        match provenance_of(&s) {
            Some(p) => it.provenance = Some(p),
            None => cx.err(
                r,
                c,
                t!(
                    "来源「{s}」无效（可选：text 原文 | secondary 二手来源 | inferred 推断 | fulltext 全文）",
                    "invalid provenance `{s}` (expected text | secondary | inferred | fulltext)"
                ),
            ),
        }
    }
    it.provenance_note = cx
        .text(r, PF::ProvenanceNote)
        .map(|(_, s)| s.trim().to_string());
    for (f, name, want_array) in [
        (PF::Params, "params", true),
        (PF::Deadlines, "deadlines", true),
        (PF::Test, "test", false),
    ] {
        if let Some((c, s)) = cx.text(r, f) {
            match parse_inline(s.trim()) {
                Ok(v @ toml::Value::Array(_)) if want_array => {
                    let slot = if f == PF::Params {
                        &mut it.params
                    } else {
                        &mut it.deadlines
                    };
                    *slot = Some(inline(&v));
                }
                Ok(v @ toml::Value::Table(_)) if !want_array => it.test = Some(inline(&v)),
                Ok(_) => {
                    let want = if want_array {
                        "数组 [ … ]"
                    } else {
                        "内联表 { … }"
                    };
                    let want_en = if want_array {
                        "an array [ … ]"
                    } else {
                        "an inline table { … }"
                    };
                    cx.err(
                        r,
                        c,
                        t!(
                            "`{name}` 应为 TOML {want}",
                            "`{name}` must be TOML {want_en}"
                        ),
                    )
                }
                Err(e) => cx.err(
                    r,
                    c,
                    t!(
                        "`{name}` 不是有效的 TOML：{e}",
                        "`{name}` is not valid TOML: {e}"
                    ),
                ),
            }
        }
    }
    let _ = before;
    Some(it)
}

/// Gives every item an id: the id column, else 序号 when every row has a
/// usable and unique one, else `PACK-001`… in row order.
fn assign_ids(cx: &mut Ctx<'_>, items: &mut [Item], pack_id: &str, renamed_from: Option<&str>) {
    let has_id_col = cx.header.has(PF::Id);
    // A sheet whose ids carry no pack prefix at all (`LOG-01`, `1.2` under
    // `ID` / `Ref` / `Test ID`): the pack id is put before each.
    if has_id_col
        && !cx.machine
        && items.iter().all(|it| {
            it.id
                .as_deref()
                .is_none_or(|id| !id.starts_with(&format!("{pack_id}-")))
        })
    {
        for it in items.iter_mut() {
            if let Some(id) = &it.id {
                let suffix: String = fold_width(id)
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '.' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect::<String>()
                    .trim_matches(['-', '.'])
                    .to_string();
                if id_suffix_ok(&suffix) {
                    it.id = Some(format!("{pack_id}-{suffix}"));
                }
            }
        }
    }
    if has_id_col {
        let mut seen: HashMap<String, u32> = HashMap::new();
        for it in items.iter_mut() {
            if let (Some(id), Some(old)) = (&it.id, renamed_from) {
                if let Some(rest) = id.strip_prefix(&format!("{old}-")) {
                    it.id = Some(format!("{pack_id}-{rest}"));
                }
            }
            if let Some(id) = &it.id {
                let col = cx.header.col(PF::Id).unwrap_or(0);
                if !is_item_id(id, pack_id) {
                    let id = id.clone();
                    cx.err(
                        it.row0,
                        col,
                        t!(
                            "要求编号 `{id}` 应以 `{pack_id}-` 开头，只含字母、数字、`-` 和 `.`",
                            "requirement id `{id}` must start with `{pack_id}-` and contain only letters, digits, `-` and `.`"
                        ),
                    );
                } else if let Some(prev) = seen.get(id) {
                    let (id, prev) = (id.clone(), prev + 1);
                    cx.err(
                        it.row0,
                        col,
                        t!(
                            "要求编号 `{id}` 重复（第 {prev} 行已用）",
                            "duplicate requirement id `{id}` (already used in row {prev})"
                        ),
                    );
                } else {
                    seen.insert(id.clone(), it.row0);
                }
            }
        }
        // Rows added by hand without an id get the next free number.
        let mut n = 1;
        for it in items.iter_mut() {
            if it.id.is_none() {
                let id = loop {
                    let c = format!("{pack_id}-{n:03}");
                    n += 1;
                    if !seen.contains_key(&c) {
                        break c;
                    }
                };
                seen.insert(id.clone(), it.row0);
                cx.warn_at(
                    cx.sheet.loc(it.row0, cx.header.col(PF::Id).unwrap_or(0)),
                    t!(
                        "没有要求编号，已分配 `{id}`",
                        "no requirement id; assigned `{id}`"
                    ),
                );
                it.id = Some(id);
            }
        }
        return;
    }
    // From 序号.
    if cx.header.has(PF::Seq) && !items.is_empty() {
        let mut ids: Vec<String> = Vec::new();
        let mut problem: Option<(u32, Text)> = None;
        for it in items.iter() {
            let Some(seq) = &it.seq else {
                problem = Some((it.row0, t!("序号为空", "序号 is empty")));
                break;
            };
            let s = if seq.chars().all(|c| c.is_ascii_digit()) {
                match seq.parse::<u64>() {
                    Ok(n) => format!("{n:03}"),
                    Err(_) => seq.clone(),
                }
            } else {
                seq.clone()
            };
            if !id_suffix_ok(&s) {
                let seq = seq.clone();
                problem = Some((
                    it.row0,
                    t!(
                        "序号「{seq}」不能用作编号",
                        "序号 `{seq}` cannot be part of an id"
                    ),
                ));
                break;
            }
            let id = format!("{pack_id}-{s}");
            if ids.contains(&id) {
                let seq = seq.clone();
                problem = Some((it.row0, t!("序号「{seq}」重复", "序号 `{seq}` repeats")));
                break;
            }
            ids.push(id);
        }
        match problem {
            None => {
                for (it, id) in items.iter_mut().zip(ids) {
                    it.id = Some(id);
                }
                return;
            }
            Some((row, why)) => {
                let col = cx.header.col(PF::Seq).unwrap_or(0);
                cx.warn_at(
                    cx.sheet.loc(row, col),
                    Text::new(
                        format!("{}，要求编号改为按顺序编排（{pack_id}-001…）", why.zh),
                        format!(
                            "{}; requirement ids are numbered in order instead ({pack_id}-001…)",
                            why.en
                        ),
                    ),
                );
            }
        }
    }
    for (n, it) in items.iter_mut().enumerate() {
        it.id = Some(format!("{pack_id}-{:03}", n + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert_eq!(
            split_heading("一、数据安全管理"),
            Some(("一、".into(), "数据安全管理".into()))
        );
        assert_eq!(
            split_heading("（二）网络安全"),
            Some(("（二）".into(), "网络安全".into()))
        );
        assert_eq!(
            split_heading("第三章 监测"),
            Some(("第三章".into(), "监测".into()))
        );
        assert_eq!(split_heading("数据安全"), None);
        assert_eq!(split_heading("2024年"), None);
    }

    #[test]
    fn doc_numbers() {
        assert_eq!(
            doc_number_in("关于印发《任务清单》的通知（沪经信规〔2026〕3号）"),
            Some("沪经信规〔2026〕3号".into())
        );
        assert_eq!(doc_number_in("检查任务清单"), None);
    }

    #[test]
    fn titles() {
        assert_eq!(
            title_from("建立数据分类分级制度，明确重要数据目录。"),
            "建立数据分类分级制度"
        );
        assert_eq!(title_from("短句"), "短句");
    }
}
