//! The editable Word report (DOCX): the same model, template, labels, parts
//! and order as the PDF, for the client to comment on before sign-off. The
//! signed PDF stays the filing copy; the cover says so (label `docx_not_signed`).
//!
//! How: every part is rendered through the same HTML part templates as the
//! PDF ([`super::plan`], [`super::base_context`], `requirements.html` per
//! pack…), and the small vocabulary of the templates' classes is mapped onto
//! real WordprocessingML: `part-title` → Heading1 (centred ones — 声明, 目录 —
//! → a non-outline title style), `h2`/`h3` → Heading2/Heading3, `.table`/`.tr`/
//! `.td` → Word tables whose `.th` rows repeat on every page (`w:tblHeader`),
//! cover facts → a two-column table. The contents part becomes a TOC field
//! (`TOC \o "1-2" \h \z \u`, marked dirty and `w:updateFields` set, so Word
//! and LibreOffice refresh it with page numbers) whose cached text lists the
//! PDF's contents entries. Running header and footer come from the labels
//! `header_*` / `footer_*`, with `{{ page }}` / `{{ pages }}` as PAGE /
//! NUMPAGES fields; an unapproved report carries the `watermark` label as a
//! Word watermark (VML text in the header) on every page.
//!
//! Fonts cannot be embedded reliably, so they are declared: the East Asian
//! script uses 宋体 (body) and 黑体 (headings, tables), each with the bundled
//! font's name as `w:altName` (Noto Serif CJK SC, WenQuanYi Micro Hei);
//! Latin text Times New Roman / Arial. A4, margins from `template.toml`.
//!
//! Written by hand (XML strings + the `zip` crate already used for the filing
//! package) rather than through a DOCX crate: `docx-rs` 0.4 has no repeating
//! header rows or watermark, numbers headers from a process-wide counter (two
//! exports in one app session would differ) and would pull second copies of
//! `zip` and `quick-xml`. Deterministic: no random ids, core properties dated
//! from the model's `generated_at`, zip entries in a fixed order with fixed
//! times and permissions.

use super::{ReportError, ReportModel, ReportOptions, Templates};
use crate::i18n::{Lang, Text};
use minijinja::value::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// East Asian body font and the bundled serif it falls back to.
pub const EA_BODY: &str = "宋体";
/// East Asian heading/table font and the bundled sans it falls back to.
pub const EA_HEADING: &str = "黑体";
const EA_BODY_ALT: &str = super::pdf::SERIF_FAMILY;
const EA_HEADING_ALT: &str = "WenQuanYi Micro Hei";
const LATIN_BODY: &str = "Times New Roman";
const LATIN_HEADING: &str = "Arial";
const MONO: &str = "Courier New";

/// A4 in twentieths of a point.
const PAGE_W: i64 = 11906;
const PAGE_H: i64 = 16838;

fn mm_to_twips(mm: f32) -> i64 {
    (f64::from(mm) * 1440.0 / 25.4).round() as i64
}

// ------------------------------------------------------------------ HTML

#[derive(Debug, Clone)]
enum Node {
    Elem {
        tag: String,
        classes: Vec<String>,
        children: Vec<Node>,
    },
    Text(String),
}

impl Node {
    fn has(&self, class: &str) -> bool {
        matches!(self, Node::Elem { classes, .. } if classes.iter().any(|c| c == class))
    }
    fn is_block(&self) -> bool {
        matches!(self, Node::Elem { tag, .. } if tag == "div" || tag == "p")
    }
}

/// Decodes the entities minijinja's HTML escaping writes (and the common named ones).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses the templates' HTML fragment into a tree. Lenient: an unknown or
/// unclosed tag never fails (the PDF path validates the same HTML); comments
/// and `<img>` are dropped.
fn parse_html(src: &str) -> Vec<Node> {
    // Stack of open elements: (tag, classes, children).
    let mut stack: Vec<(String, Vec<String>, Vec<Node>)> =
        vec![(String::new(), Vec::new(), Vec::new())];
    let mut rest = src;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut stack, rest);
            break;
        };
        push_text(&mut stack, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(gt) = find_tag_end(rest) else {
            push_text(&mut stack, rest);
            break;
        };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if let Some(pos) = stack.iter().rposition(|(t, _, _)| *t == name) {
                if pos > 0 {
                    while stack.len() > pos {
                        close(&mut stack);
                    }
                }
            }
            continue;
        }
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let self_closing = inner.trim_end().ends_with('/');
        let inner = inner.trim_end().trim_end_matches('/');
        let (tag, attrs) = match inner.find(char::is_whitespace) {
            Some(i) => (&inner[..i], &inner[i..]),
            None => (inner, ""),
        };
        let tag = tag.to_ascii_lowercase();
        let classes = attr(attrs, "class")
            .map(|c| c.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let void = matches!(tag.as_str(), "br" | "img" | "meta" | "hr" | "link");
        if self_closing || void {
            if tag == "br" {
                if let Some(top) = stack.last_mut() {
                    top.2.push(Node::Elem {
                        tag,
                        classes,
                        children: Vec::new(),
                    });
                }
            }
            continue;
        }
        stack.push((tag, classes, Vec::new()));
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|s| s.2).unwrap_or_default()
}

fn find_tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest[..i].chars().last().is_some_and(char::is_whitespace);
        let after = rest[i + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    let body = &v[1..];
                    let end = body.find(q)?;
                    return Some(decode_entities(&body[..end]));
                }
                let end = v.find(char::is_whitespace).unwrap_or(v.len());
                return Some(decode_entities(&v[..end]));
            }
        }
        rest = &rest[i + name.len()..];
    }
    None
}

fn push_text(stack: &mut [(String, Vec<String>, Vec<Node>)], text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(top) = stack.last_mut() {
        top.2.push(Node::Text(decode_entities(text)));
    }
}

fn close(stack: &mut Vec<(String, Vec<String>, Vec<Node>)>) {
    if let Some((tag, classes, children)) = stack.pop() {
        if let Some(top) = stack.last_mut() {
            top.2.push(Node::Elem {
                tag,
                classes,
                children,
            });
        }
    }
}

// ------------------------------------------------------------------ blocks

/// Character formatting inherited from the classes of enclosing elements.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fmt {
    bold: bool,
    italic: bool,
    /// Half-points.
    size: Option<u32>,
    color: Option<&'static str>,
    mono: bool,
}

impl Fmt {
    fn with(&self, classes: &[String]) -> Fmt {
        let mut f = self.clone();
        for c in classes {
            match c.as_str() {
                "muted" | "fact-k" | "c-k" => f.color = Some("5C6670"),
                "small" => f.size = Some(f.size.map_or(18, |s| s.min(18))),
                "tiny" => f.size = Some(16),
                "hash" => {
                    f.mono = true;
                    f.size = Some(16);
                }
                "req-title" | "th" | "conclusion-main" | "fact-v" => f.bold = true,
                "mark-confirm" => f.color = Some("B45309"),
                "mark-inferred" => {
                    f.color = Some("1D4ED8");
                    f.italic = true;
                }
                "v-nonconform" => {
                    f.color = Some("C0392B");
                    f.bold = true;
                }
                "v-partial" => {
                    f.color = Some("B7791F");
                    f.bold = true;
                }
                "v-conform" => f.color = Some("1E7B34"),
                _ => {}
            }
        }
        f
    }
}

#[derive(Debug, Clone)]
enum Inline {
    Text(String, Fmt),
    Break,
}

#[derive(Debug, Clone)]
struct Para {
    style: &'static str,
    center: bool,
    indent_first: bool,
    indent_left: bool,
    runs: Vec<Inline>,
}

impl Para {
    fn new(style: &'static str) -> Para {
        Para {
            style,
            center: false,
            indent_first: false,
            indent_left: false,
            runs: Vec::new(),
        }
    }
    fn is_empty(&self) -> bool {
        self.runs.iter().all(|r| match r {
            Inline::Text(t, _) => t.trim().is_empty(),
            Inline::Break => true,
        })
    }
    fn plain(style: &'static str, text: &str) -> Para {
        let mut p = Para::new(style);
        p.runs.push(Inline::Text(text.to_string(), Fmt::default()));
        p
    }
}

#[derive(Debug, Clone)]
struct Cell {
    /// Width from the template's style sheet (twips); `None` = share the rest.
    width: Option<i64>,
    paras: Vec<Para>,
}

#[derive(Debug, Clone)]
enum Block {
    Para(Para),
    Row {
        header: bool,
        cells: Vec<Cell>,
    },
    /// The end of a `.table` element: the next rows start a new table.
    TableEnd,
}

/// Paragraph style and alignment a block element's classes ask for.
fn para_style(classes: &[String], inherited: &'static str) -> (&'static str, bool) {
    let has = |c: &str| classes.iter().any(|x| x == c);
    if has("part-title") {
        if has("center") {
            ("PartTitle", true)
        } else {
            ("Heading1", false)
        }
    } else if has("h2") {
        ("Heading2", false)
    } else if has("h3") {
        ("Heading3", false)
    } else if has("cover-title") || has("cover-object") {
        ("Title", true)
    } else if has("cover-subtitle") {
        ("Subtitle", true)
    } else if has("cover-org-top") || has("cover-bottom") || has("cover-date") {
        ("CoverLine", true)
    } else if has("end-mark") || has("sign-seal-line") || has("center") {
        (inherited, true)
    } else {
        (inherited, false)
    }
}

struct Conv<'a> {
    widths: &'a BTreeMap<String, i64>,
    out: Vec<Block>,
}

impl Conv<'_> {
    /// Converts the children of a block container.
    fn blocks(&mut self, nodes: &[Node], fmt: &Fmt, style: &'static str) {
        let mut pending: Option<Para> = None;
        for n in nodes {
            match n {
                Node::Elem {
                    classes, children, ..
                } if n.has("tr") || n.has("fact") => {
                    if let Some(p) = pending.take().filter(|p| !p.is_empty()) {
                        self.out.push(Block::Para(p));
                    }
                    let header = n.has("th");
                    let f = fmt.with(classes);
                    let cells = children
                        .iter()
                        .filter(|c| c.is_block())
                        .map(|c| self.cell(c, &f))
                        .collect();
                    self.out.push(Block::Row { header, cells });
                }
                Node::Elem {
                    classes, children, ..
                } if n.is_block() => {
                    if let Some(p) = pending.take().filter(|p| !p.is_empty()) {
                        self.out.push(Block::Para(p));
                    }
                    let f = fmt.with(classes);
                    let (st, center) = para_style(classes, style);
                    let container = n.has("table")
                        || n.has("cover-facts")
                        || children.iter().any(Node::is_block);
                    if container {
                        self.blocks(children, &f, st);
                        if n.has("table") || n.has("cover-facts") {
                            self.out.push(Block::TableEnd);
                        }
                    } else {
                        let mut p = Para::new(st);
                        p.center = center;
                        p.indent_first = n.has("stmt");
                        p.indent_left = n.has("li");
                        inline(children, &f, &mut p.runs);
                        if !p.is_empty() {
                            self.out.push(Block::Para(p));
                        }
                    }
                }
                other => {
                    let p = pending.get_or_insert_with(|| Para::new(style));
                    inline(std::slice::from_ref(other), fmt, &mut p.runs);
                }
            }
        }
        if let Some(p) = pending.take().filter(|p| !p.is_empty()) {
            self.out.push(Block::Para(p));
        }
    }

    fn cell(&self, n: &Node, fmt: &Fmt) -> Cell {
        let Node::Elem {
            classes, children, ..
        } = n
        else {
            return Cell {
                width: None,
                paras: Vec::new(),
            };
        };
        let width = classes
            .iter()
            .filter(|c| c.starts_with("c-") || c.starts_with("fact-"))
            .find_map(|c| self.widths.get(c.as_str()).copied());
        let f = fmt.with(classes);
        let mut paras = Vec::new();
        let mut cur = Para::new("TableText");
        cur.center = false;
        flow(children, &f, &mut cur, &mut paras);
        if !cur.is_empty() || paras.is_empty() {
            paras.push(cur);
        }
        Cell { width, paras }
    }
}

/// Cell content: inline runs gather into a paragraph; each nested block starts its own.
fn flow(nodes: &[Node], fmt: &Fmt, cur: &mut Para, out: &mut Vec<Para>) {
    for n in nodes {
        match n {
            Node::Elem {
                classes, children, ..
            } if n.is_block() => {
                if !cur.is_empty() {
                    out.push(std::mem::replace(cur, Para::new("TableText")));
                } else {
                    cur.runs.clear();
                }
                let f = fmt.with(classes);
                flow(children, &f, cur, out);
                if !cur.is_empty() {
                    out.push(std::mem::replace(cur, Para::new("TableText")));
                }
            }
            _ => inline(std::slice::from_ref(n), fmt, &mut cur.runs),
        }
    }
}

fn inline(nodes: &[Node], fmt: &Fmt, runs: &mut Vec<Inline>) {
    for n in nodes {
        match n {
            Node::Text(t) => {
                // Source formatting (newlines and indentation of the template) is not text.
                let t = collapse(t);
                if !t.is_empty() {
                    runs.push(Inline::Text(t, fmt.clone()));
                }
            }
            Node::Elem { tag, .. } if tag == "br" => runs.push(Inline::Break),
            Node::Elem {
                classes, children, ..
            } => {
                let f = fmt.with(classes);
                if n.is_block() && !runs.is_empty() {
                    runs.push(Inline::Break);
                }
                inline(children, &f, runs);
            }
        }
    }
}

/// Collapses runs of ASCII whitespace containing a newline (template layout) to
/// nothing between CJK and to one space otherwise; keeps the text's own spaces.
fn collapse(s: &str) -> String {
    if !s.contains('\n') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut space = false;
    for c in s.chars() {
        if c == '\n' || c == '\r' || c == '\t' || c == ' ' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Column widths (twips) of the template's `.c-*` classes, from its style sheet.
fn css_widths(css: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for rule in css.split('}') {
        let Some((sel, body)) = rule.split_once('{') else {
            continue;
        };
        let sel = sel.trim();
        let Some(class) = sel.strip_prefix('.') else {
            continue;
        };
        if class.contains([' ', ',', '.', ':']) {
            continue;
        }
        for decl in body.split(';') {
            if let Some((k, v)) = decl.split_once(':') {
                if k.trim() == "width" {
                    let v = v.trim();
                    let n = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                    if let Ok(x) = n.trim().parse::<f64>() {
                        let tw = if v.ends_with("mm") {
                            x * 1440.0 / 25.4
                        } else {
                            x * 20.0
                        };
                        out.insert(class.to_string(), tw.round() as i64);
                    }
                }
            }
        }
    }
    out.entry("fact-k".into()).or_insert(2000);
    out
}

// ------------------------------------------------------------------ XML out

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 does not allow; zero-width joiners are layout hints.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{200b}' | '\u{2060}' | '\u{fffe}' | '\u{ffff}' => {}
            c => o.push(c),
        }
    }
    o
}

fn run_xml(out: &mut String, text: &str, f: &Fmt) {
    out.push_str("<w:r>");
    let mut rpr = String::new();
    if f.mono {
        let _ = write!(
            rpr,
            "<w:rFonts w:ascii=\"{MONO}\" w:hAnsi=\"{MONO}\" w:cs=\"{MONO}\"/>"
        );
    }
    if f.bold {
        rpr.push_str("<w:b/><w:bCs/>");
    }
    if f.italic {
        rpr.push_str("<w:i/><w:iCs/>");
    }
    if let Some(c) = f.color {
        let _ = write!(rpr, "<w:color w:val=\"{c}\"/>");
    }
    if let Some(s) = f.size {
        let _ = write!(rpr, "<w:sz w:val=\"{s}\"/><w:szCs w:val=\"{s}\"/>");
    }
    if !rpr.is_empty() {
        let _ = write!(out, "<w:rPr>{rpr}</w:rPr>");
    }
    let _ = write!(out, "<w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(text));
}

fn para_xml(out: &mut String, p: &Para) {
    out.push_str("<w:p><w:pPr>");
    let _ = write!(out, "<w:pStyle w:val=\"{}\"/>", p.style);
    if p.indent_first {
        out.push_str("<w:ind w:firstLineChars=\"200\" w:firstLine=\"420\"/>");
    } else if p.indent_left {
        out.push_str("<w:ind w:left=\"420\"/>");
    }
    if p.center {
        out.push_str("<w:jc w:val=\"center\"/>");
    }
    out.push_str("</w:pPr>");
    for r in &p.runs {
        match r {
            Inline::Text(t, f) => run_xml(out, t, f),
            Inline::Break => out.push_str("<w:r><w:br/></w:r>"),
        }
    }
    out.push_str("</w:p>");
}

fn table_xml(out: &mut String, rows: &[(bool, Vec<Cell>)], text_w: i64) {
    let Some((_, first)) = rows.first() else {
        return;
    };
    // Column widths: the style sheet's, the rest shared by the growing columns.
    let fixed: i64 = first.iter().filter_map(|c| c.width).sum();
    let grow = first.iter().filter(|c| c.width.is_none()).count() as i64;
    let mut widths: Vec<i64> = first
        .iter()
        .map(|c| match c.width {
            Some(w) => w,
            None => ((text_w - fixed) / grow.max(1)).max(900),
        })
        .collect();
    let total: i64 = widths.iter().sum();
    if total > text_w {
        for w in &mut widths {
            *w = *w * text_w / total;
        }
    }
    let total: i64 = widths.iter().sum();
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"ReportTable\"/><w:tblW w:w=\"{total}\" w:type=\"dxa\"/>\
         <w:tblLayout w:type=\"fixed\"/><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" \
         w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
    );
    for w in &widths {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let mut leading = true;
    for (header, cells) in rows {
        out.push_str("<w:tr>");
        // Header rows at the top of the table repeat on every page.
        let repeat = *header && leading;
        leading = repeat;
        if repeat {
            out.push_str("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        }
        for (i, c) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(1000);
            let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
            if *header {
                out.push_str("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E8EDF2\"/>");
            }
            out.push_str("</w:tcPr>");
            if c.paras.is_empty() {
                out.push_str("<w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr></w:p>");
            }
            for p in &c.paras {
                para_xml(out, p);
            }
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    // A paragraph after every table keeps two tables from merging.
    out.push_str("</w:tbl><w:p><w:pPr><w:pStyle w:val=\"TableGap\"/></w:pPr></w:p>");
}

fn blocks_xml(out: &mut String, blocks: &[Block], text_w: i64) {
    let mut rows: Vec<(bool, Vec<Cell>)> = Vec::new();
    let flush = |out: &mut String, rows: &mut Vec<(bool, Vec<Cell>)>| {
        if !rows.is_empty() {
            table_xml(out, rows, text_w);
            rows.clear();
        }
    };
    for b in blocks {
        match b {
            Block::Row { header, cells } => {
                if cells.is_empty() {
                    continue;
                }
                // A row of another shape (or a new header) starts a new table.
                let other = rows.last().is_some_and(|(h, c)| {
                    c.len() != cells.len() || (*header && !*h && !rows.is_empty())
                });
                if other {
                    flush(out, &mut rows);
                }
                rows.push((*header, cells.clone()));
            }
            Block::TableEnd => flush(out, &mut rows),
            Block::Para(p) => {
                flush(out, &mut rows);
                para_xml(out, p);
            }
        }
    }
    flush(out, &mut rows);
}

/// Text with `{{ page }}` / `{{ pages }}` placeholders as PAGE / NUMPAGES fields.
const PAGE_MARK: char = '\u{E000}';
const PAGES_MARK: char = '\u{E001}';

fn field_runs(out: &mut String, text: &str, size: u32) {
    let f = Fmt {
        size: Some(size),
        ..Fmt::default()
    };
    let mut buf = String::new();
    for c in text.chars() {
        if c == PAGE_MARK || c == PAGES_MARK {
            if !buf.is_empty() {
                run_xml(out, &buf, &f);
                buf.clear();
            }
            let instr = if c == PAGE_MARK { "PAGE" } else { "NUMPAGES" };
            let _ = write!(
                out,
                "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
                 <w:r><w:instrText xml:space=\"preserve\"> {instr} </w:instrText></w:r>\
                 <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
                 <w:r><w:rPr><w:sz w:val=\"{size}\"/></w:rPr><w:t>1</w:t></w:r>\
                 <w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
            );
        } else {
            buf.push(c);
        }
    }
    if !buf.is_empty() {
        run_xml(out, &buf, &f);
    }
}

const NS: &str =
    "xmlns:wpc=\"http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas\" \
xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" \
xmlns:o=\"urn:schemas-microsoft-com:office:office\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:v=\"urn:schemas-microsoft-com:vml\" \
xmlns:w10=\"urn:schemas-microsoft-com:office:word\" \
xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// The draft watermark: Word's own kind (VML WordArt behind the text, in the header).
fn watermark_xml(text: &str, t: &Templates) -> String {
    let w = &t.settings.watermark;
    let gray = (w.gray.clamp(0.0, 1.0) * 255.0).round() as u8;
    let rot = (360.0 - w.angle_deg).rem_euclid(360.0).round();
    let chars = text.chars().count().max(1) as f32;
    let height = w.size_pt.clamp(12.0, 400.0);
    let width = (height * chars).min(460.0);
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr><w:r><w:pict>\
<v:shapetype id=\"_x0000_t136\" coordsize=\"21600,21600\" o:spt=\"136\" adj=\"10800\" \
path=\"m@7,l@8,m@5,21600l@6,21600e\"><v:formulas><v:f eqn=\"sum #0 0 10800\"/>\
<v:f eqn=\"prod #0 2 1\"/><v:f eqn=\"sum 21600 0 @1\"/><v:f eqn=\"sum 0 0 @2\"/>\
<v:f eqn=\"sum 21600 0 @3\"/><v:f eqn=\"if @0 @3 0\"/><v:f eqn=\"if @0 21600 @1\"/>\
<v:f eqn=\"if @0 0 @2\"/><v:f eqn=\"if @0 @4 21600\"/><v:f eqn=\"mid @5 @6\"/>\
<v:f eqn=\"mid @8 @5\"/><v:f eqn=\"mid @7 @8\"/><v:f eqn=\"mid @6 @7\"/>\
<v:f eqn=\"sum @6 0 @5\"/></v:formulas><v:path textpathok=\"t\" o:connecttype=\"custom\" \
o:connectlocs=\"@9,0;@10,10800;@11,21600;@12,10800\" o:connectangles=\"270,180,90,0\"/>\
<v:textpath on=\"t\" fitshape=\"t\"/><o:lock v:ext=\"edit\" text=\"t\" shapetype=\"t\"/></v:shapetype>\
<v:shape id=\"PowerPlusWaterMarkObject1\" o:spid=\"_x0000_s1025\" type=\"#_x0000_t136\" \
style=\"position:absolute;margin-left:0;margin-top:0;width:{width:.0}pt;height:{height:.0}pt;\
rotation:{rot};z-index:-251657216;mso-position-horizontal:center;\
mso-position-horizontal-relative:margin;mso-position-vertical:center;\
mso-position-vertical-relative:margin\" o:allowincell=\"f\" fillcolor=\"#{gray:02X}{gray:02X}{gray:02X}\" \
stroked=\"f\"><v:fill opacity=\"{op:.2}\"/><v:textpath style=\"font-family:&quot;{EA_HEADING}&quot;;\
font-size:1pt\" string=\"{txt}\"/><w10:wrap anchorx=\"margin\" anchory=\"margin\"/></v:shape>\
</w:pict></w:r></w:p>",
        op = w.opacity.clamp(0.05, 1.0),
        txt = esc(text),
    )
}

fn header_xml(body: &str) -> String {
    format!("{XML_DECL}<w:hdr {NS}>{body}</w:hdr>")
}

fn footer_xml(body: &str) -> String {
    format!("{XML_DECL}<w:ftr {NS}>{body}</w:ftr>")
}

/// One line with left, centre and right parts (tab stops at centre and right).
fn band_line(left: &str, center: &str, right: &str, size: u32, style: &str) -> String {
    let mut s = format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>");
    field_runs(&mut s, left, size);
    s.push_str("<w:r><w:tab/></w:r>");
    field_runs(&mut s, center, size);
    s.push_str("<w:r><w:tab/></w:r>");
    field_runs(&mut s, right, size);
    s.push_str("</w:p>");
    s
}

fn styles_xml(t: &Templates, text_w: i64) -> String {
    let rfonts = |latin: &str, ea: &str| {
        format!(
            "<w:rFonts w:ascii=\"{latin}\" w:hAnsi=\"{latin}\" w:eastAsia=\"{ea}\" w:cs=\"{latin}\"/>"
        )
    };
    let lang = match t.lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en-GB",
    };
    let heading = |id: &str, name: &str, lvl: u8, sz: u32, extra: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:keepLines/>{extra}<w:spacing w:before=\"240\" w:after=\"120\"/>\
<w:outlineLvl w:val=\"{lvl}\"/></w:pPr><w:rPr>{}<w:b/><w:bCs/><w:sz w:val=\"{sz}\"/>\
<w:szCs w:val=\"{sz}\"/></w:rPr></w:style>",
            rfonts(LATIN_HEADING, EA_HEADING)
        )
    };
    let para = |id: &str, name: &str, ppr: &str, rpr: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )
    };
    let sans = rfonts(LATIN_HEADING, EA_HEADING);
    let mut s = String::new();
    let _ = write!(
        s,
        "{XML_DECL}<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>{}<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/>\
<w:lang w:val=\"{lang}\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"80\" w:line=\"300\" w:lineRule=\"auto\"/>\
<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>\
<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>\
</w:tblCellMar></w:tblPr></w:style>\
<w:style w:type=\"table\" w:customStyle=\"1\" w:styleId=\"ReportTable\"><w:name w:val=\"Report Table\"/>\
<w:basedOn w:val=\"TableNormal\"/><w:tblPr><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"9AA5B1\"/>\
<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"9AA5B1\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"9AA5B1\"/>\
<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"9AA5B1\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"9AA5B1\"/>\
<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"9AA5B1\"/></w:tblBorders>\
<w:tblCellMar><w:top w:w=\"40\" w:type=\"dxa\"/><w:left w:w=\"80\" w:type=\"dxa\"/>\
<w:bottom w:w=\"40\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
        rfonts(LATIN_BODY, EA_BODY)
    );
    s.push_str(&heading(
        "Heading1",
        "heading 1",
        0,
        32,
        "<w:pageBreakBefore/>",
    ));
    s.push_str(&heading("Heading2", "heading 2", 1, 28, ""));
    s.push_str(&heading("Heading3", "heading 3", 2, 24, ""));
    s.push_str(&para(
        "PartTitle",
        "Part Title",
        "<w:keepNext/><w:pageBreakBefore/><w:spacing w:before=\"240\" w:after=\"240\"/><w:jc w:val=\"center\"/>",
        &format!("{sans}<w:b/><w:bCs/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>"),
    ));
    s.push_str(&para(
        "Title",
        "Title",
        "<w:spacing w:before=\"240\" w:after=\"160\"/><w:jc w:val=\"center\"/>",
        &format!("{sans}<w:b/><w:bCs/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>"),
    ));
    s.push_str(&para(
        "Subtitle",
        "Subtitle",
        "<w:spacing w:after=\"360\"/><w:jc w:val=\"center\"/>",
        &format!("{sans}<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>"),
    ));
    s.push_str(&para(
        "CoverLine",
        "Cover Line",
        "<w:spacing w:before=\"240\" w:after=\"120\"/><w:jc w:val=\"center\"/>",
        &format!("{sans}<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>"),
    ));
    s.push_str(&para(
        "CoverNote",
        "Cover Note",
        "<w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"B45309\"/>\
<w:left w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"B45309\"/>\
<w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"B45309\"/>\
<w:right w:val=\"single\" w:sz=\"6\" w:space=\"4\" w:color=\"B45309\"/></w:pBdr>\
<w:spacing w:before=\"200\" w:after=\"200\"/><w:jc w:val=\"center\"/>",
        &format!("{sans}<w:color w:val=\"B45309\"/><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/>"),
    ));
    s.push_str(&para(
        "TableText",
        "Table Text",
        "<w:spacing w:after=\"0\" w:line=\"260\" w:lineRule=\"auto\"/><w:jc w:val=\"left\"/>",
        &format!("{sans}<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>"),
    ));
    s.push_str(&para(
        "TableGap",
        "Table Gap",
        "<w:spacing w:after=\"0\" w:line=\"120\" w:lineRule=\"exact\"/>",
        "<w:sz w:val=\"8\"/>",
    ));
    for (id, name, ind) in [("TOC1", "toc 1", 0), ("TOC2", "toc 2", 420)] {
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"39\"/>\
<w:pPr><w:tabs><w:tab w:val=\"right\" w:leader=\"dot\" w:pos=\"{text_w}\"/></w:tabs>\
<w:spacing w:after=\"60\"/><w:ind w:left=\"{ind}\"/></w:pPr></w:style>"
        );
    }
    let _ = write!(
        s,
        "<w:style w:type=\"paragraph\" w:styleId=\"TOCHeading\"><w:name w:val=\"TOC Heading\"/>\
<w:basedOn w:val=\"PartTitle\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"39\"/><w:qFormat/></w:style>"
    );
    for (id, name) in [("Header", "header"), ("Footer", "footer")] {
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
<w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"99\"/><w:pPr><w:tabs>\
<w:tab w:val=\"center\" w:pos=\"{c}\"/><w:tab w:val=\"right\" w:pos=\"{text_w}\"/></w:tabs>\
<w:spacing w:after=\"0\"/><w:jc w:val=\"left\"/></w:pPr><w:rPr>{sans}<w:color w:val=\"5C6670\"/>\
<w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/></w:rPr></w:style>",
            c = text_w / 2
        );
    }
    s.push_str("</w:styles>");
    s
}

fn font_table_xml() -> String {
    let f = |name: &str, alt: &str, charset: &str, family: &str, pitch: &str| {
        let alt = if alt.is_empty() {
            String::new()
        } else {
            format!("<w:altName w:val=\"{alt}\"/>")
        };
        format!(
            "<w:font w:name=\"{name}\">{alt}<w:charset w:val=\"{charset}\"/>\
<w:family w:val=\"{family}\"/><w:pitch w:val=\"{pitch}\"/></w:font>"
        )
    };
    format!(
        "{XML_DECL}<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">{}{}{}{}{}</w:fonts>",
        f(EA_BODY, EA_BODY_ALT, "86", "auto", "variable"),
        f(EA_HEADING, EA_HEADING_ALT, "86", "modern", "fixed"),
        f(LATIN_BODY, "", "00", "roman", "variable"),
        f(LATIN_HEADING, "", "00", "swiss", "variable"),
        f(MONO, "", "00", "modern", "fixed"),
    )
}

/// The editable Word report of `model` (bytes of a .docx file).
pub fn render_docx(model: &ReportModel, opts: &ReportOptions) -> Result<Vec<u8>, ReportError> {
    let t = Templates::load(opts.template.as_deref(), opts.lang)?;
    let css = match &t.dir {
        Some(d) if d.join("style.css").is_file() => {
            let p = d.join("style.css");
            std::fs::read_to_string(&p).map_err(|e| ReportError::Io { path: p, source: e })?
        }
        _ => super::template::builtin_file("style.css")
            .unwrap_or("")
            .to_string(),
    };
    let widths = css_widths(&css);
    let s = &t.settings;
    let (ml, mr) = (
        mm_to_twips(s.page.margin_left_mm),
        mm_to_twips(s.page.margin_right_mm),
    );
    let text_w = (PAGE_W - ml - mr).max(2000);
    let base = super::base_context(&t, model);
    let conv = |html: &str| -> Vec<Block> {
        let nodes = parse_html(html);
        let mut c = Conv {
            widths: &widths,
            out: Vec::new(),
        };
        c.blocks(&nodes, &Fmt::default(), "Normal");
        c.out
    };

    let mut body = String::new();
    // Cover, with the note that this is not the signed deliverable under its facts.
    let mut cover = conv(&t.render_part("cover.html", &base)?);
    let note = Block::Para({
        let mut p = Para::plain("CoverNote", &t.label("docx_not_signed"));
        p.center = true;
        p
    });
    match cover.iter().rposition(|b| matches!(b, Block::TableEnd)) {
        Some(i) => cover.insert(i + 1, note),
        None => cover.push(note),
    }
    blocks_xml(&mut body, &cover, text_w);
    // 声明.
    blocks_xml(
        &mut body,
        &conv(&t.render_part("statement.html", &base)?),
        text_w,
    );
    // Contents: a TOC field whose cached text lists the PDF's contents.
    let plan = super::plan(&t, model);
    let mut toc: Vec<(String, u8)> = Vec::new();
    for p in &plan {
        toc.push((p.heading.clone(), 1));
        if p.key == "requirements" {
            for (i, pk) in model.packs.iter().enumerate() {
                let sub = super::template::cn_numeral(i as i64 + 1);
                let fmt = t.label("section_format");
                let num = fmt
                    .replace("{cn}", &sub)
                    .replace("{n}", &p.num.to_string())
                    .replace("{k}", &(i + 1).to_string());
                toc.push((
                    format!(
                        "{num}{}{}{}",
                        pk.id,
                        opts.lang.pick("　", "  "),
                        pk.title.get(opts.lang)
                    ),
                    2,
                ));
            }
        }
    }
    toc.push((t.label("part_signature"), 1));
    para_xml(&mut body, &Para::plain("TOCHeading", &t.label("contents")));
    for (i, (title, level)) in toc.iter().enumerate() {
        let _ = write!(body, "<w:p><w:pPr><w:pStyle w:val=\"TOC{level}\"/></w:pPr>");
        if i == 0 {
            body.push_str(
                "<w:r><w:fldChar w:fldCharType=\"begin\" w:dirty=\"true\"/></w:r>\
<w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-2\" \\h \\z \\u </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>",
            );
        }
        run_xml(&mut body, title, &Fmt::default());
        if i + 1 == toc.len() {
            body.push_str("<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>");
        }
        body.push_str("</w:p>");
    }
    // Chapters and appendices, as the PDF lays them out.
    for p in &plan {
        let pctx = super::part_context(&base, p);
        match p.key {
            "requirements" => {
                for (i, pk) in model.packs.iter().enumerate() {
                    let mut ctx = pctx.clone();
                    ctx.insert("pack".into(), super::ser(super::pdf::pack_head(pk)));
                    let rows: Vec<Value> = super::pdf::pack_rows(pk)
                        .into_iter()
                        .map(|(v, _)| v)
                        .collect();
                    ctx.insert("rows".into(), Value::from(rows));
                    ctx.insert("first".into(), Value::from(true));
                    ctx.insert("first_pack".into(), Value::from(i == 0));
                    ctx.insert("sub".into(), Value::from(i + 1));
                    blocks_xml(
                        &mut body,
                        &conv(&t.render_part("requirements.html", &ctx)?),
                        text_w,
                    );
                }
            }
            "evidence" => {
                let mut ctx = pctx.clone();
                ctx.insert("items".into(), super::ser(&model.evidence));
                ctx.insert("first".into(), Value::from(true));
                blocks_xml(
                    &mut body,
                    &conv(&t.render_part("evidence.html", &ctx)?),
                    text_w,
                );
            }
            _ => blocks_xml(&mut body, &conv(&t.render_part(p.file, &pctx)?), text_w),
        }
    }
    blocks_xml(
        &mut body,
        &conv(&t.render_part("signature.html", &base)?),
        text_w,
    );

    // Header, footer, watermark.
    let mut band_ctx = base.clone();
    band_ctx.insert("page".into(), Value::from(PAGE_MARK.to_string()));
    band_ctx.insert("pages".into(), Value::from(PAGES_MARK.to_string()));
    let label = |k: &str| t.render_label(k, &band_ctx);
    let draft = !model.project.approved;
    let watermark = if draft {
        watermark_xml(&label("watermark")?, &t)
    } else {
        String::new()
    };
    let hsize = (s.header.size_pt * 2.0).round().clamp(8.0, 40.0) as u32;
    let fsize = (s.footer.size_pt * 2.0).round().clamp(8.0, 40.0) as u32;
    let header_main = if s.header.show {
        band_line(
            &label("header_left")?,
            "",
            &label("header_right")?,
            hsize,
            "Header",
        )
    } else {
        "<w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr></w:p>".to_string()
    };
    let footer_main = if s.footer.show {
        band_line(
            &label("footer_left")?,
            &label("footer_center")?,
            &label("footer_right")?,
            fsize,
            "Footer",
        )
    } else {
        "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr></w:p>".to_string()
    };
    let empty_header = "<w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr></w:p>";
    let empty_footer = "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr></w:p>";
    let header1 = header_xml(&format!("{watermark}{header_main}"));
    let header_first = if s.header.on_cover {
        header1.clone()
    } else {
        header_xml(&format!("{watermark}{empty_header}"))
    };
    let footer1 = footer_xml(&footer_main);
    let footer_first = if s.footer.on_cover {
        footer1.clone()
    } else {
        footer_xml(empty_footer)
    };

    let (mt, mb) = (
        mm_to_twips(s.page.margin_top_mm),
        mm_to_twips(s.page.margin_bottom_mm),
    );
    let hdr_dist = mm_to_twips(s.header.offset_mm.clamp(2.0, 40.0) - 3.0).max(200);
    let ftr_dist = mm_to_twips(s.footer.offset_mm.clamp(2.0, 40.0) - 3.0).max(200);
    let _ = write!(
        body,
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeader1\"/>\
<w:headerReference w:type=\"first\" r:id=\"rIdHeader2\"/>\
<w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/>\
<w:footerReference w:type=\"first\" r:id=\"rIdFooter2\"/>\
<w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>\
<w:pgMar w:top=\"{mt}\" w:right=\"{mr}\" w:bottom=\"{mb}\" w:left=\"{ml}\" w:header=\"{hdr_dist}\" \
w:footer=\"{ftr_dist}\" w:gutter=\"0\"/><w:pgNumType w:start=\"1\"/><w:cols w:space=\"425\"/>\
<w:titlePg/><w:docGrid w:type=\"lines\" w:linePitch=\"312\"/></w:sectPr>"
    );
    let document = format!("{XML_DECL}<w:document {NS}><w:body>{body}</w:body></w:document>");

    let title_text = format!(
        "{} {}",
        base.get("title")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        model.report_number
    );
    let when = esc(&model.generated_at);
    let core = format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator>\
<cp:lastModifiedBy>{}</cp:lastModifiedBy><cp:revision>{}</cp:revision>\
<dc:language>{}</dc:language>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified></cp:coreProperties>",
        esc(&title_text),
        esc(&model.project.assessee),
        esc(&model.signer.organisation),
        esc(&model.generator),
        model.project.revision.max(1),
        match opts.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        },
    );
    let app = format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Application>{}</Application><DocSecurity>0</DocSecurity><Company>{}</Company></Properties>",
        esc(&model.generator),
        esc(&model.signer.organisation)
    );
    let settings = format!(
        "{XML_DECL}<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>\
<w:characterSpacingControl w:val=\"compressPunctuation\"/><w:updateFields w:val=\"true\"/><w:compat>\
<w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>\
</w:compat></w:settings>"
    );
    let content_types = format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/word/header2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>"
    );
    let rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>"
    );
    let rel = |id: &str, kind: &str, target: &str| {
        format!("<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>")
    };
    let doc_rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{}{}{}{}{}{}{}</Relationships>",
        rel("rIdStyles", "styles", "styles.xml"),
        rel("rIdSettings", "settings", "settings.xml"),
        rel("rIdFonts", "fontTable", "fontTable.xml"),
        rel("rIdHeader1", "header", "header1.xml"),
        rel("rIdHeader2", "header", "header2.xml"),
        rel("rIdFooter1", "footer", "footer1.xml"),
        rel("rIdFooter2", "footer", "footer2.xml"),
    );

    // Fixed order ([Content_Types].xml first, as Office writes it), fixed times.
    let entries: [(&str, String); 13] = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/document.xml", document),
        ("word/styles.xml", styles_xml(&t, text_w)),
        ("word/settings.xml", settings),
        ("word/fontTable.xml", font_table_xml()),
        ("word/header1.xml", header1),
        ("word/header2.xml", header_first),
        ("word/footer1.xml", footer1),
        ("word/footer2.xml", footer_first),
    ];
    zip_entries(&entries)
}

fn zip_entries(entries: &[(&str, String)]) -> Result<Vec<u8>, ReportError> {
    let zerr = |e: &dyn std::fmt::Display| {
        ReportError::Invalid(Text::new(
            format!("生成 DOCX 失败：{e}"),
            format!("DOCX: {e}"),
        ))
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(false);
    for (name, text) in entries {
        w.start_file(*name, opts).map_err(|e| zerr(&e))?;
        w.write_all(text.as_bytes()).map_err(|e| zerr(&e))?;
    }
    let cur = w.finish().map_err(|e| zerr(&e))?;
    Ok(cur.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_templates_vocabulary() {
        let html = "<div class=\"part-title\">一、基本信息</div>\n<div class=\"table\">\n  \
<div class=\"tr th\"><div class=\"td c-id\">编号</div><div class=\"td grow\">要求</div></div>\n  \
<div class=\"tr\"><div class=\"td c-id\"><div>N1</div><div class=\"muted tiny\">4.1</div></div>\
<div class=\"td grow\">A &amp; B &#x27;x&#x27;<span class=\"muted\">说明</span></div></div>\n</div>\n<p>末段</p>";
        let nodes = parse_html(html);
        let widths = css_widths(".c-id { width: 64pt; }");
        let mut c = Conv {
            widths: &widths,
            out: Vec::new(),
        };
        c.blocks(&nodes, &Fmt::default(), "Normal");
        let kinds: Vec<String> = c
            .out
            .iter()
            .map(|b| match b {
                Block::Para(p) => format!("p:{}", p.style),
                Block::Row { header, cells } => format!("row:{header}:{}", cells.len()),
                Block::TableEnd => "end".into(),
            })
            .collect();
        assert_eq!(
            kinds,
            ["p:Heading1", "row:true:2", "row:false:2", "end", "p:Normal"]
        );
        let Block::Row { cells, .. } = &c.out[2] else {
            panic!("row")
        };
        assert_eq!(cells[0].width, Some(1280));
        assert_eq!(cells[0].paras.len(), 2);
        let text: String = cells[1].paras[0]
            .runs
            .iter()
            .map(|r| match r {
                Inline::Text(t, _) => t.clone(),
                Inline::Break => "\n".into(),
            })
            .collect();
        assert_eq!(text, "A & B 'x'说明");
    }

    #[test]
    fn escapes_and_drops_invalid_characters() {
        assert_eq!(esc("a<b&\"c\u{1}\u{200b}"), "a&lt;b&amp;&quot;c");
        assert_eq!(decode_entities("&amp;&#x2f;&#47;&bogus;&"), "&//&bogus;&");
    }
}
