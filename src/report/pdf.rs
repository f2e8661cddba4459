//! HTML → PDF with printpdf's HTML layout (azul), part by part.
//!
//! Each part of the report (cover, contents, summary, …) is laid out on its
//! own; the long ones (requirement tables, evidence register) in batches of
//! rows, so the layout engine never holds more than one batch in memory. When
//! a batch ends on a partly filled page, that page is dropped and its rows
//! start the next batch, so the tables flow on without gaps. After layout the
//! glyph-per-operation text the engine emits is merged into one `TJ` run per
//! line (a tenth of the memory and of the file size), and the running header,
//! footer, page numbers, the draft watermark, the seal and the reserved
//! signature box are drawn directly.
//!
//! Deterministic: no system font is consulted (only the template's font), the
//! random resource names printpdf mints are replaced by sequential ones, the
//! document dates come from the model and the trailer `/ID` is derived from the
//! content.

use super::ser;
use super::template::Templates;
use super::{RenderedPdf, ReportError, ReportModel, ReportOptions};
use minijinja::value::Value;
use printpdf::html::{rust_fontconfig, PageMargins, SharedFontPool, XmlRenderOptions};
use printpdf::{
    Color, DictItem, ExtendedGraphicsState, ExtendedGraphicsStateId, FontId, Greyscale, Line,
    LineDashPattern, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, RawImage, ShadingId, TextItem, TextMatrix, XObject, XObjectId,
    XObjectTransform,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub const PAGE_W_MM: f32 = 210.0;
pub const PAGE_H_MM: f32 = 297.0;
const PT_PER_MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = PAGE_W_MM * PT_PER_MM;
const PAGE_H: f32 = PAGE_H_MM * PT_PER_MM;

/// The bundled font (WenQuanYi Micro Hei, Apache-2.0; see report-templates/fonts/README.md).
pub const BUILTIN_FONT: &[u8] = include_bytes!("../../report-templates/fonts/wqy-microhei.ttc");
pub const BUILTIN_FONT_PATH: &str = "report-templates/fonts/wqy-microhei.ttc";

/// The bundled serif body face: Noto Serif CJK SC (SIL OFL 1.1), subset to
/// GB 2312 + ASCII + common punctuation; see report-templates/fonts/README.md.
pub const SERIF_FONT: &[u8] =
    include_bytes!("../../report-templates/fonts/NotoSerifSC-Regular-GB2312.otf");
pub const SERIF_FONT_PATH: &str = "report-templates/fonts/NotoSerifSC-Regular-GB2312.otf";
/// The serif face's family name, as the style sheet names it.
pub const SERIF_FAMILY: &str = "Noto Serif CJK SC";

/// A font ready for layout: the shared pool (parsed once, reused by every
/// layout call) and a parsed face for coverage checks and drawn text.
pub struct FontAsset {
    pub family: String,
    pool: SharedFontPool,
    face: ParsedFont,
}

static BUILTIN: OnceLock<Result<Arc<FontAsset>, String>> = OnceLock::new();
type FontCache = Mutex<HashMap<(PathBuf, usize), Arc<FontAsset>>>;
static CUSTOM: OnceLock<FontCache> = OnceLock::new();

fn make_font(bytes: &[u8], face: usize, name: &str) -> Result<FontAsset, String> {
    let patterns = rust_fontconfig::FcParseFontBytes(bytes, name)
        .ok_or_else(|| "not a font file this renderer can read".to_string())?;
    let family = patterns
        .get(face)
        .and_then(|(p, _)| p.family.clone().or_else(|| p.name.clone()))
        .ok_or_else(|| format!("the file has no face {face}"))?;
    let cache = rust_fontconfig::FcFontCache::default();
    cache.with_memory_fonts(patterns);
    // The serif body face beside it (the style sheet falls back to the sans for missing glyphs).
    if let Some(serif) = rust_fontconfig::FcParseFontBytes(SERIF_FONT, "NotoSerifSC") {
        cache.with_memory_fonts(serif);
    }
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(bytes, face, &mut warnings)
        .ok_or_else(|| "the font's tables could not be read".to_string())?;
    Ok(FontAsset {
        family,
        pool: SharedFontPool {
            fc_cache: Arc::new(cache),
            parsed_fonts: Arc::new(Mutex::new(HashMap::new())),
        },
        face: parsed,
    })
}

/// The template's font: the bundled one (parsed once per process) or `file` in the template folder.
pub fn font_for(t: &Templates) -> Result<Arc<FontAsset>, ReportError> {
    let file = t.settings.font.file.trim();
    if file.is_empty() {
        return BUILTIN
            .get_or_init(|| make_font(BUILTIN_FONT, 0, "WenQuanYi Micro Hei").map(Arc::new))
            .clone()
            .map_err(|message| ReportError::Font {
                path: PathBuf::from(BUILTIN_FONT_PATH),
                message,
            });
    }
    let base = t.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let path = base.join(file);
    let key = (path.clone(), t.settings.font.face);
    let cache = CUSTOM.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(map) = cache.lock() {
        if let Some(f) = map.get(&key) {
            return Ok(f.clone());
        }
    }
    let bytes = std::fs::read(&path).map_err(|e| ReportError::Io {
        path: path.clone(),
        source: e,
    })?;
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("custom")
        .to_string();
    let asset = Arc::new(
        make_font(&bytes, t.settings.font.face, &name).map_err(|message| ReportError::Font {
            path: path.clone(),
            message,
        })?,
    );
    if let Ok(mut map) = cache.lock() {
        map.insert(key, asset.clone());
    }
    Ok(asset)
}

/// Replaces what XML cannot carry and characters the font has no glyph for
/// (which would print as empty boxes) with visible stand-ins.
pub fn sanitize(html: &str, font: &ParsedFont) -> String {
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        if c.is_ascii() {
            if c.is_ascii_control() && !matches!(c, '\n' | '\r' | '\t') {
                out.push(' ');
            } else {
                out.push(c);
            }
            continue;
        }
        if font.lookup_glyph_index(c as u32).is_some() {
            out.push(c);
            continue;
        }
        let stand_in = match c {
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{2060}' => "",
            '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => " ",
            '⚠' => "△",
            '☐' | '☑' | '☒' => "□",
            '✓' | '✔' => "√",
            '✗' | '✘' => "×",
            '–' | '—' => "-",
            _ if c.is_control() => " ",
            _ => "□",
        };
        out.push_str(stand_in);
    }
    out
}

/// ZERO WIDTH SPACE: the one place a line may break inside Chinese text.
/// The style sheet sets `word-break: keep-all` (no break between CJK
/// characters by default), and [`prepare_text`] puts this wherever a break is
/// allowed. Both faces have a zero-width glyph for it (the serif subset gets
/// one from `report-templates/fonts/add-joiner.py`).
const ZWSP: char = '\u{200B}';

/// Joiners that may reach the drawn text and are removed from it.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Characters set one by one (CJK ideographs, kana, CJK and full-width punctuation).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// Closing punctuation that must not begin a line (避头).
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '。' | '，'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '】'
            | '》'
            | '〉'
            | '〕'
            | '”'
            | '’'
            | '…'
            | '·'
            | '%'
            | '‰'
            | '℃'
            | ','
            | '.'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
    )
}

/// Opening punctuation that must not end a line (避尾).
fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '「' | '『' | '【' | '《' | '〈' | '〔' | '“' | '‘' | '(' | '[' | '{'
    )
}

/// Units and counters that stay with the number before them (103号, 2026年, 12月, 6日…).
fn sticks_to_number(c: char) -> bool {
    matches!(
        c,
        '号' | '年'
            | '月'
            | '日'
            | '时'
            | '分'
            | '秒'
            | '条'
            | '款'
            | '项'
            | '级'
            | '版'
            | '章'
            | '节'
            | '页'
            | '个'
            | '天'
            | '周'
    )
}

/// Line breaking the layout engine does not know, applied to the text of an
/// HTML document (tags, entities, the style sheet and the title are left
/// alone). The engine breaks before any CJK character and knows no kinsoku;
/// with `word-break: keep-all` (the style sheet) it breaks only at spaces,
/// hyphens and zero-width spaces, so this puts a zero-width space between two
/// characters of Chinese text wherever a line may break, and nowhere else:
/// not before closing punctuation (避头：。，、）」…), not after opening
/// punctuation (避尾：（「…), not between a number and its unit or counter
/// (103号, 2026年12月6日) nor after a closing bracket before a number
/// (〔2021〕103号). Between a standard's letters and its number (`GB 44495`)
/// the space becomes a no-break space. Latin text is left to the engine.
pub fn prepare_text(html: &str) -> String {
    let chars: Vec<char> = html.chars().collect();
    let mut out = String::with_capacity(html.len() + html.len() / 3);
    let mut i = 0;
    // The last text character emitted (reset at every tag).
    let mut p1: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            // A tag, copied as it is; the style sheet and the title whole.
            let head: String = chars[i..chars.len().min(i + 7)].iter().collect();
            let lower = head.to_ascii_lowercase();
            let close = if lower.starts_with("<style") {
                Some("</style>")
            } else if lower.starts_with("<title") {
                Some("</title>")
            } else {
                None
            };
            let end = match close {
                Some(tag) => {
                    let tag: Vec<char> = tag.chars().collect();
                    (i..chars.len())
                        .find(|k| {
                            chars[*k..]
                                .iter()
                                .take(tag.len())
                                .map(|c| c.to_ascii_lowercase())
                                .eq(tag.iter().copied())
                        })
                        .map_or(chars.len(), |k| k + tag.len())
                }
                None => chars[i..]
                    .iter()
                    .position(|x| *x == '>')
                    .map_or(chars.len(), |k| i + k + 1),
            };
            out.extend(&chars[i..end]);
            i = end;
            p1 = None;
            continue;
        }
        if c == '&' {
            // An entity (&amp; &#x27;): opaque, an ASCII character for the rules.
            if let Some(k) = chars[i..chars.len().min(i + 12)]
                .iter()
                .position(|x| *x == ';')
            {
                if p1.is_some_and(|p| is_cjk(p) && !no_line_end(p)) {
                    out.push(ZWSP);
                }
                out.extend(&chars[i..=i + k]);
                i += k + 1;
                p1 = Some('x');
                continue;
            }
        }
        let next = chars.get(i + 1).copied();
        let mut ch = c;
        if c == ' '
            && ((p1.is_some_and(|p| p.is_ascii_uppercase())
                && next.is_some_and(|n| n.is_ascii_digit()))
                || (p1.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(sticks_to_number)))
        {
            ch = '\u{00A0}';
        }
        if let Some(p) = p1 {
            let cjk_side = is_cjk(p) || is_cjk(ch);
            let allowed = cjk_side
                && !p.is_whitespace()
                && !ch.is_whitespace()
                && !is_joiner(p)
                && !is_joiner(ch)
                && !no_line_start(ch)
                && !no_line_end(p)
                && !(p.is_ascii_digit() && sticks_to_number(ch))
                && !(matches!(p, '〕' | '】' | '第' | '—') && ch.is_ascii_alphanumeric())
                && !(p.is_ascii_alphanumeric() && ch == '—')
                && !(p.is_ascii_alphanumeric() && matches!(ch, '〔' | '号'));
            if allowed {
                out.push(ZWSP);
            }
        }
        out.push(ch);
        p1 = Some(ch);
        i += 1;
    }
    out
}

/// One layout call's output, resources already named.
struct Laid {
    pages: Vec<PdfPage>,
    fonts: BTreeMap<FontId, PdfFont>,
    images: Vec<(XObjectId, XObject)>,
    bridge: printpdf::html::bridge::BridgeResources,
}

/// Six capital letters from a number: the font subset tag (`ABCDEF+Name`).
fn tag6(mut n: u64) -> String {
    let mut s = String::with_capacity(6);
    for _ in 0..6 {
        s.push((b'A' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

struct Renderer<'a> {
    t: &'a Templates,
    font: Arc<FontAsset>,
    margins: PageMargins,
    doc: PdfDocument,
}

impl Renderer<'_> {
    fn layout(&self, html: &str) -> Result<Laid, ReportError> {
        let html = prepare_text(&sanitize(html, &self.font.face));
        let opts = XmlRenderOptions {
            margins: self.margins,
            page_width: Mm(PAGE_W_MM),
            page_height: Mm(PAGE_H_MM),
            images: self.t.images.clone(),
            font_pool: Some(self.font.pool.clone()),
            ..Default::default()
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            printpdf::html::xml_to_pdf_pages(&html, &opts)
        }));
        let (pages, fonts, images, bridge) = match result {
            Ok(Ok(x)) => x,
            Ok(Err(w)) => {
                let msg = w
                    .iter()
                    .map(|m| m.msg.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(ReportError::Pdf {
                    message: format!("layout failed: {msg}"),
                });
            }
            Err(_) => {
                return Err(ReportError::Pdf {
                    message: "the layout engine failed on this HTML".to_string(),
                })
            }
        };
        // Name fonts by a tag derived from the face hash: stable, and a valid subset tag.
        let mut rename: HashMap<FontId, FontId> = HashMap::new();
        let mut named = BTreeMap::new();
        for (hash, f) in fonts {
            let old = FontId(format!("F{}", hash.font_hash));
            let new = FontId(tag6(hash.font_hash));
            rename.insert(old, new.clone());
            named.insert(new, PdfFont::new(f));
        }
        let mut pages = pages;
        for p in &mut pages {
            for op in &mut p.ops {
                if let Op::SetFont {
                    font: PdfFontHandle::External(id),
                    ..
                } = op
                {
                    if let Some(n) = rename.get(id) {
                        *id = n.clone();
                    }
                }
            }
        }
        for p in &mut pages {
            strip_joiners(&mut p.ops);
            compact_text(&mut p.ops, &named);
        }
        Ok(Laid {
            pages,
            fonts: named,
            images: images
                .into_values()
                .map(|(id, img)| (id, XObject::Image(img)))
                .collect(),
            bridge,
        })
    }

    /// Adds a layout's resources to the document and returns its pages.
    fn adopt(&mut self, laid: Laid) -> Vec<PdfPage> {
        for (id, f) in laid.fonts {
            self.doc.resources.fonts.map.entry(id).or_insert(f);
        }
        for (id, x) in laid.images {
            self.doc.resources.xobjects.map.entry(id).or_insert(x);
        }
        laid.bridge.register_into(&mut self.doc.resources);
        laid.pages
    }

    fn part(
        &mut self,
        ctx: &BTreeMap<String, Value>,
        name: &str,
    ) -> Result<Vec<PdfPage>, ReportError> {
        let body = self.t.render_part(name, ctx)?;
        let html = self.t.wrap(ctx, &body)?;
        let laid = self.layout(&html)?;
        Ok(self.adopt(laid))
    }

    /// Lays out `n` rows in batches of `chunk`; `render(start, end, first)`
    /// gives a batch's HTML; `leads(i)` the texts row `i` may start a page with
    /// (its id first). A batch's partly filled last page is dropped and its rows
    /// carried into the next batch when the page begins exactly at a row.
    fn flow(
        &mut self,
        n: usize,
        chunk: usize,
        leads: &dyn Fn(usize) -> Vec<String>,
        render: &mut dyn FnMut(usize, usize, bool) -> Result<String, ReportError>,
    ) -> Result<Vec<PdfPage>, ReportError> {
        let chunk = chunk.max(1);
        let mut out = Vec::new();
        if n == 0 {
            let html = render(0, 0, true)?;
            let laid = self.layout(&html)?;
            return Ok(self.adopt(laid));
        }
        let mut start = 0;
        let mut first = true;
        while start < n {
            let end = (start + chunk).min(n);
            let html = render(start, end, first)?;
            let laid = self.layout(&html)?;
            let mut pages = self.adopt(laid);
            let mut next = end;
            if end < n && pages.len() > 1 {
                if let Some(last) = pages.last() {
                    let texts = actual_texts(last);
                    let head = texts.first().cloned().unwrap_or_default();
                    let found = (start..end).find(|i| {
                        leads(*i)
                            .first()
                            .is_some_and(|id| texts.iter().any(|t| t.trim() == id.as_str()))
                    });
                    if let Some(i) = found {
                        let starts_page = !head.trim().is_empty()
                            && leads(i).iter().any(|l| {
                                let (l, h) = (l.trim(), head.trim());
                                !l.is_empty() && (l == h || l.contains(h) || h.contains(l))
                            });
                        if i > start && starts_page {
                            pages.pop();
                            next = i;
                        }
                    }
                }
            }
            out.extend(pages);
            start = next;
            first = false;
        }
        Ok(out)
    }
}

/// Removes the word joiners [`prepare_text`] put in (zero-width glyphs that
/// only steer line breaking) from the drawn text and its `ActualText`, and
/// makes no-break spaces plain spaces there, so extracted and copied text
/// reads as the report was written.
fn strip_joiners(ops: &mut Vec<Op>) {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| !is_joiner(*c))
            .map(|c| if c == '\u{00A0}' { ' ' } else { c })
            .collect()
    };
    ops.retain_mut(|op| match op {
        Op::ShowText { items } => {
            for it in items.iter_mut() {
                match it {
                    TextItem::GlyphIds(g) => {
                        g.retain(|c| {
                            !c.cid
                                .as_deref()
                                .is_some_and(|x| !x.is_empty() && x.chars().all(is_joiner))
                        });
                        for c in g.iter_mut() {
                            if let Some(x) = &c.cid {
                                if x.contains('\u{00A0}') {
                                    c.cid = Some(clean(x));
                                }
                            }
                        }
                    }
                    TextItem::Text(t) if t.chars().any(is_joiner) => {
                        *t = clean(t);
                    }
                    _ => {}
                }
            }
            items.retain(|it| !matches!(it, TextItem::GlyphIds(g) if g.is_empty()));
            !items.is_empty()
        }
        Op::BeginMarkedContentWithProperties {
            properties: DictItem::Dict { map },
            ..
        } => {
            if let Some(DictItem::String { data, .. }) = map.get_mut("ActualText") {
                let b = data.strip_prefix(&[0xFE, 0xFF][..]).unwrap_or(data);
                let units: Vec<u16> = b
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                let text = String::from_utf16_lossy(&units);
                if text.chars().any(|c| is_joiner(c) || c == '\u{00A0}') {
                    let mut bytes = vec![0xFE, 0xFF];
                    for u in clean(&text).encode_utf16() {
                        bytes.extend_from_slice(&u.to_be_bytes());
                    }
                    *data = bytes;
                }
            }
            true
        }
        _ => true,
    });
}

/// The `ActualText` of each marked text run on a page, in drawing order.
fn actual_texts(page: &PdfPage) -> Vec<String> {
    let mut out = Vec::new();
    for op in &page.ops {
        if let Op::BeginMarkedContentWithProperties {
            properties: DictItem::Dict { map },
            ..
        } = op
        {
            if let Some(DictItem::String { data, .. }) = map.get("ActualText") {
                let b = data.strip_prefix(&[0xFE, 0xFF][..]).unwrap_or(data);
                let units: Vec<u16> = b
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                out.push(String::from_utf16_lossy(&units));
            }
        }
    }
    out
}

/// Merges the layout engine's one-glyph `Tm`+`TJ` pairs on one baseline into
/// a single `TJ` with positioning offsets. Pages whose text state uses
/// character or word spacing or scaling are left as they are.
fn compact_text(ops: &mut Vec<Op>, fonts: &BTreeMap<FontId, PdfFont>) {
    if ops.iter().any(|o| {
        matches!(
            o,
            Op::SetCharacterSpacing { .. }
                | Op::SetWordSpacing { .. }
                | Op::SetHorizontalScaling { .. }
        )
    }) {
        return;
    }
    let old = std::mem::take(ops);
    let mut out: Vec<Op> = Vec::with_capacity(old.len() / 4);
    let mut font: Option<(FontId, f32)> = None;
    // The run being built: index in `out` of its ShowText, its baseline y, and the pen x after its last glyph.
    let mut run: Option<(usize, f32, f32)> = None;
    let mut pending_tm: Option<[f32; 6]> = None;
    for op in old {
        match op {
            Op::SetTextMatrix {
                matrix: TextMatrix::Raw(m),
            } if m[0] == 1.0 && m[1] == 0.0 && m[2] == 0.0 && m[3] == 1.0 => {
                if let Some(tm) = pending_tm.take() {
                    out.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Raw(tm),
                    });
                    run = None;
                }
                pending_tm = Some(m);
            }
            Op::ShowText { items } => {
                let single = matches!(items.as_slice(), [TextItem::GlyphIds(g)] if g.iter().all(|c| c.offset == 0.0));
                let Some(tm) = pending_tm.take() else {
                    run = None;
                    out.push(Op::ShowText { items });
                    continue;
                };
                let metrics = font.as_ref().and_then(|(id, size)| {
                    fonts.get(id).map(|f| {
                        let upem = f32::from(f.parsed_font.font_metrics.units_per_em.max(1));
                        (f, *size, upem)
                    })
                });
                let (Some((f, size, upem)), true) = (metrics, single) else {
                    out.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Raw(tm),
                    });
                    out.push(Op::ShowText { items });
                    run = None;
                    continue;
                };
                let glyphs = match items.into_iter().next() {
                    Some(TextItem::GlyphIds(g)) => g,
                    _ => continue,
                };
                let advance: f32 = glyphs
                    .iter()
                    .map(|c| f32::from(f.parsed_font.get_horizontal_advance(c.gid)) * size / upem)
                    .sum();
                let (x, y) = (tm[4], tm[5]);
                let joined = match run {
                    Some((idx, ry, pen)) if (ry - y).abs() < 0.01 && size > 0.0 => {
                        if let Some(Op::ShowText { items }) = out.get_mut(idx) {
                            if let Some(TextItem::GlyphIds(prev)) = items.last_mut() {
                                let gap = x - pen;
                                if let Some(last) = prev.last_mut() {
                                    last.offset = -(gap * 1000.0 / size);
                                }
                                prev.extend(glyphs.iter().cloned());
                                run = Some((idx, y, x + advance));
                                true
                            } else {
                                false
                            }
                        } else {
                            false
                        }
                    }
                    _ => false,
                };
                if !joined {
                    out.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Raw(tm),
                    });
                    out.push(Op::ShowText {
                        items: vec![TextItem::GlyphIds(glyphs)],
                    });
                    run = Some((out.len() - 1, y, x + advance));
                }
            }
            other => {
                if let Some(tm) = pending_tm.take() {
                    out.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Raw(tm),
                    });
                }
                match &other {
                    Op::SetFont {
                        font: PdfFontHandle::External(id),
                        size,
                    } => {
                        font = Some((id.clone(), size.0));
                        run = None;
                    }
                    Op::SetFont { .. } => {
                        font = None;
                        run = None;
                    }
                    // Marked-content boundaries inside a text object do not move the pen.
                    Op::BeginMarkedContentWithProperties { .. } | Op::EndMarkedContent => {
                        run = None;
                    }
                    _ => run = None,
                }
                out.push(other);
            }
        }
    }
    if let Some(tm) = pending_tm.take() {
        out.push(Op::SetTextMatrix {
            matrix: TextMatrix::Raw(tm),
        });
    }
    out.shrink_to_fit();
    *ops = out;
}

/// Drawn text: width of `s` at `size` in the face.
fn text_width(face: &ParsedFont, s: &str, size: f32) -> f32 {
    let upem = f32::from(face.font_metrics.units_per_em.max(1));
    s.chars()
        .map(|c| {
            face.lookup_glyph_index(c as u32)
                .map_or(0.0, |g| f32::from(face.get_horizontal_advance(g)))
        })
        .sum::<f32>()
        * size
        / upem
}

fn gray(v: f32) -> Color {
    Color::Greyscale(Greyscale::new(v, None))
}

/// Ops that draw `s` with its left end at (x, y), or rotated by `angle` degrees.
fn text_ops(
    font: &FontId,
    s: &str,
    size: f32,
    x: f32,
    y: f32,
    angle: f32,
    color: Color,
) -> Vec<Op> {
    if s.is_empty() {
        return vec![];
    }
    let (sin, cos) = angle.to_radians().sin_cos();
    vec![
        Op::SaveGraphicsState,
        Op::SetFillColor { col: color },
        Op::StartTextSection,
        Op::SetFont {
            font: PdfFontHandle::External(font.clone()),
            size: Pt(size),
        },
        Op::SetTextMatrix {
            matrix: TextMatrix::Raw([cos, sin, -sin, cos, x, y]),
        },
        Op::ShowText {
            items: vec![TextItem::Text(s.to_string())],
        },
        Op::EndTextSection,
        Op::RestoreGraphicsState,
    ]
}

fn line_ops(
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    width: f32,
    color: Color,
    dash: Option<&[f32]>,
) -> Vec<Op> {
    let mut v = vec![
        Op::SaveGraphicsState,
        Op::SetOutlineColor { col: color },
        Op::SetOutlineThickness { pt: Pt(width) },
    ];
    if let Some(d) = dash {
        v.push(Op::SetLineDashPattern {
            dash: LineDashPattern::new(0.0, d),
        });
    }
    v.push(Op::DrawLine {
        line: Line {
            points: vec![
                LinePoint {
                    p: Point {
                        x: Pt(x1),
                        y: Pt(y1),
                    },
                    bezier: false,
                },
                LinePoint {
                    p: Point {
                        x: Pt(x2),
                        y: Pt(y2),
                    },
                    bezier: false,
                },
            ],
            is_closed: false,
        },
    });
    v.push(Op::RestoreGraphicsState);
    v
}

fn rect_outline_ops(x1: f32, y1: f32, x2: f32, y2: f32) -> Vec<Op> {
    let mut v = vec![
        Op::SaveGraphicsState,
        Op::SetOutlineColor { col: gray(0.55) },
        Op::SetOutlineThickness { pt: Pt(0.6) },
        Op::SetLineDashPattern {
            dash: LineDashPattern::new(0.0, &[3.0, 2.0]),
        },
    ];
    let pts = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)];
    v.push(Op::DrawLine {
        line: Line {
            points: pts
                .iter()
                .map(|(x, y)| LinePoint {
                    p: Point {
                        x: Pt(*x),
                        y: Pt(*y),
                    },
                    bezier: false,
                })
                .collect(),
            is_closed: true,
        },
    });
    v.push(Op::RestoreGraphicsState);
    v
}

#[derive(Serialize)]
struct TocEntry {
    title: String,
    page: Option<usize>,
    level: u8,
}

#[derive(Serialize)]
struct PackHead<'a> {
    id: &'a str,
    title: &'a crate::i18n::Text,
    doc_number: &'a str,
    version: &'a str,
    score: Option<f64>,
    conclusion: &'a Option<crate::i18n::Text>,
    tally: &'a super::model::Tally,
    to_confirm: usize,
    fulltext: usize,
    sha256: &'a str,
}

#[derive(Serialize)]
struct RowCtx<'a> {
    #[serde(flatten)]
    row: &'a super::model::RequirementRow,
    section_start: bool,
    section_clause: &'a str,
    section_title: &'a crate::i18n::Text,
}

pub(crate) fn pack_head(p: &super::model::PackReport) -> impl Serialize + '_ {
    PackHead {
        id: &p.id,
        title: &p.title,
        doc_number: &p.doc_number,
        version: &p.version,
        score: p.score,
        conclusion: &p.conclusion,
        tally: &p.tally,
        to_confirm: p.to_confirm,
        fulltext: p.fulltext,
        sha256: &p.sha256,
    }
}

/// Rows of a pack with their section headings, for `requirements.html`.
pub(crate) fn pack_rows(p: &super::model::PackReport) -> Vec<(Value, Vec<String>)> {
    let mut out = Vec::new();
    for s in &p.sections {
        for (i, r) in s.requirements.iter().enumerate() {
            let ctx = RowCtx {
                row: r,
                section_start: i == 0,
                section_clause: &s.clause,
                section_title: &s.title,
            };
            let mut leads = vec![r.id.clone()];
            if i == 0 {
                leads.push(s.clause.clone());
                leads.push(s.title.zh.clone());
                leads.push(s.title.en.clone());
            }
            out.push((ser(&ctx), leads));
        }
    }
    out
}

pub(crate) fn render(
    model: &ReportModel,
    opts: &ReportOptions,
) -> Result<RenderedPdf, ReportError> {
    let t = Templates::load(opts.template.as_deref(), opts.lang)?;
    let font = font_for(&t)?;
    let s = &t.settings;
    let margins = PageMargins::new(
        Mm(s.page.margin_top_mm),
        Mm(s.page.margin_right_mm),
        Mm(s.page.margin_bottom_mm),
        Mm(s.page.margin_left_mm),
    );
    let mut base = super::base_context(&t, model);
    base.insert("font_family".into(), Value::from(font.family.clone()));
    let mut r = Renderer {
        t: &t,
        font: font.clone(),
        margins,
        doc: PdfDocument::new(""),
    };

    // Parts in order; the contents list is laid out last, when page numbers are known.
    let cover = r.part(&base, "cover.html")?;
    let statement = r.part(&base, "statement.html")?;
    let parts_plan = super::plan(&t, model);
    // (heading, pages, the packs' headings and page counts for the contents)
    type LaidPart = (String, Vec<PdfPage>, Vec<(String, usize)>);
    let mut laid_parts: Vec<LaidPart> = Vec::new();
    for part in &parts_plan {
        let pctx = super::part_context(&base, part);
        match part.key {
            "requirements" => {
                let mut all = Vec::new();
                let mut subs = Vec::new();
                for (pi, p) in model.packs.iter().enumerate() {
                    let rows = pack_rows(p);
                    let head = ser(pack_head(p));
                    let base_ref = &pctx;
                    let mut render_batch =
                        |a: usize, b: usize, first: bool| -> Result<String, ReportError> {
                            let mut ctx = base_ref.clone();
                            ctx.insert("pack".into(), head.clone());
                            ctx.insert(
                                "rows".into(),
                                Value::from(
                                    rows[a..b]
                                        .iter()
                                        .map(|(v, _)| v.clone())
                                        .collect::<Vec<_>>(),
                                ),
                            );
                            ctx.insert("first".into(), Value::from(first));
                            ctx.insert("first_pack".into(), Value::from(pi == 0));
                            ctx.insert("sub".into(), Value::from(pi + 1));
                            let body = t.render_part("requirements.html", &ctx)?;
                            t.wrap(&ctx, &body)
                        };
                    let leads = |i: usize| rows.get(i).map(|(_, l)| l.clone()).unwrap_or_default();
                    let pages = r.flow(
                        rows.len(),
                        s.chunks.requirement_rows,
                        &leads,
                        &mut render_batch,
                    )?;
                    subs.push((
                        format!(
                            "{}{}{}",
                            p.id,
                            opts.lang.pick("　", "  "),
                            p.title.get(opts.lang)
                        ),
                        pages.len(),
                    ));
                    all.extend(pages);
                }
                laid_parts.push((part.heading.clone(), all, subs));
            }
            "evidence" => {
                let base_ref = &pctx;
                let mut render_batch =
                    |a: usize, b: usize, first: bool| -> Result<String, ReportError> {
                        let mut ctx = base_ref.clone();
                        ctx.insert("items".into(), ser(&model.evidence[a..b]));
                        ctx.insert("first".into(), Value::from(first));
                        let body = t.render_part("evidence.html", &ctx)?;
                        t.wrap(&ctx, &body)
                    };
                let leads = |i: usize| {
                    model
                        .evidence
                        .get(i)
                        .map(|e| vec![e.reference.clone()])
                        .unwrap_or_default()
                };
                let pages = r.flow(
                    model.evidence.len(),
                    s.chunks.evidence_rows,
                    &leads,
                    &mut render_batch,
                )?;
                laid_parts.push((part.heading.clone(), pages, vec![]));
            }
            _ => {
                let pages = r.part(&pctx, part.file)?;
                laid_parts.push((part.heading.clone(), pages, vec![]));
            }
        }
    }
    let signature = r.part(&base, "signature.html")?;

    // Contents: titles with the page each part starts on (1-based, the cover is page 1).
    let mut toc_pages = 1usize;
    let mut contents = Vec::new();
    for _ in 0..3 {
        let mut page = 1 + cover.len() + statement.len() + toc_pages;
        let mut entries = Vec::new();
        for (heading, pages, subs) in &laid_parts {
            entries.push(TocEntry {
                title: heading.clone(),
                page: Some(page),
                level: 1,
            });
            if subs.is_empty() {
                page += pages.len();
            } else {
                for (title, n) in subs {
                    entries.push(TocEntry {
                        title: title.clone(),
                        page: Some(page),
                        level: 2,
                    });
                    page += n;
                }
            }
        }
        entries.push(TocEntry {
            title: t.label("part_signature"),
            page: Some(page),
            level: 1,
        });
        let mut ctx = base.clone();
        ctx.insert("toc".into(), ser(&entries));
        contents = r.part(&ctx, "contents.html")?;
        if contents.len() == toc_pages {
            break;
        }
        toc_pages = contents.len().max(1);
    }

    let mut pages: Vec<PdfPage> = Vec::new();
    let cover_len = cover.len();
    pages.extend(cover);
    pages.extend(statement);
    pages.extend(contents);
    for (_, p, _) in laid_parts {
        pages.extend(p);
    }
    let signature_page = pages.len() + signature.len().saturating_sub(1);
    pages.extend(signature);

    // The face used for drawn text: the laid-out font that has CJK glyphs.
    let font_id = r
        .doc
        .resources
        .fonts
        .map
        .iter()
        .find(|(_, f)| f.parsed_font.lookup_glyph_index('中' as u32).is_some())
        .or_else(|| r.doc.resources.fonts.map.iter().next())
        .map(|(id, _)| id.clone())
        .ok_or_else(|| ReportError::Pdf {
            message: "no font was used by the layout".to_string(),
        })?;

    let total = pages.len();
    let draft = !model.project.approved;
    let watermark = if draft {
        t.render_label("watermark", &base)?
    } else {
        String::new()
    };
    let face = &font.face;
    let watermark_gs = ExtendedGraphicsStateId("GSWM".to_string());
    if draft {
        r.doc.resources.extgstates.map.insert(
            watermark_gs.clone(),
            ExtendedGraphicsState::default().with_current_fill_alpha(s.watermark.opacity),
        );
    }
    for (i, page) in pages.iter_mut().enumerate() {
        let mut ctx = base.clone();
        ctx.insert("page".into(), Value::from(i + 1));
        ctx.insert("pages".into(), Value::from(total));
        let is_cover = i < cover_len;
        let mut over = Vec::new();
        if draft && !watermark.is_empty() {
            let size = s.watermark.size_pt;
            let w = text_width(face, &watermark, size);
            let (sin, cos) = s.watermark.angle_deg.to_radians().sin_cos();
            let (dx, dy) = (w / 2.0, size * 0.35);
            let x = PAGE_W / 2.0 - (dx * cos - dy * sin);
            let y = PAGE_H / 2.0 - (dx * sin + dy * cos);
            let mut ops = text_ops(
                &font_id,
                &watermark,
                size,
                x,
                y,
                s.watermark.angle_deg,
                gray(s.watermark.gray),
            );
            ops.insert(
                1,
                Op::LoadGraphicsState {
                    gs: watermark_gs.clone(),
                },
            );
            over.extend(ops);
        }
        let left = s.page.margin_left_mm * PT_PER_MM;
        let right = PAGE_W - s.page.margin_right_mm * PT_PER_MM;
        let ink = gray(0.35);
        if s.header.show && (!is_cover || s.header.on_cover) {
            let size = s.header.size_pt;
            let y = PAGE_H - s.header.offset_mm * PT_PER_MM;
            let l = t.render_label("header_left", &ctx)?;
            let rr = t.render_label("header_right", &ctx)?;
            over.extend(text_ops(&font_id, &l, size, left, y, 0.0, ink.clone()));
            let w = text_width(face, &rr, size);
            over.extend(text_ops(
                &font_id,
                &rr,
                size,
                right - w,
                y,
                0.0,
                ink.clone(),
            ));
            if s.header.rule {
                over.extend(line_ops(
                    left,
                    y - 3.5,
                    right,
                    y - 3.5,
                    0.5,
                    gray(0.6),
                    None,
                ));
            }
        }
        if s.footer.show && (!is_cover || s.footer.on_cover) {
            let size = s.footer.size_pt;
            let y = s.footer.offset_mm * PT_PER_MM;
            let l = t.render_label("footer_left", &ctx)?;
            let c = t.render_label("footer_center", &ctx)?;
            let rr = t.render_label("footer_right", &ctx)?;
            over.extend(text_ops(&font_id, &l, size, left, y, 0.0, ink.clone()));
            let wc = text_width(face, &c, size);
            over.extend(text_ops(
                &font_id,
                &c,
                size,
                (PAGE_W - wc) / 2.0,
                y,
                0.0,
                ink.clone(),
            ));
            let wr = text_width(face, &rr, size);
            over.extend(text_ops(
                &font_id,
                &rr,
                size,
                right - wr,
                y,
                0.0,
                ink.clone(),
            ));
            if s.footer.rule {
                over.extend(line_ops(
                    left,
                    y + size + 2.5,
                    right,
                    y + size + 2.5,
                    0.5,
                    gray(0.6),
                    None,
                ));
            }
        }
        page.ops.extend(over);
    }

    // Signature page: the seal image and the reserved signature box.
    let sb = s.signature.stamp_box;
    let stamp_rect_pt = [
        sb.x_mm * PT_PER_MM,
        PAGE_H - (sb.y_mm + sb.height_mm) * PT_PER_MM,
        (sb.x_mm + sb.width_mm) * PT_PER_MM,
        PAGE_H - sb.y_mm * PT_PER_MM,
    ];
    if let Some(page) = pages.get_mut(signature_page) {
        let [x1, y1, x2, y2] = stamp_rect_pt;
        if s.signature.stamp_box_outline {
            page.ops
                .extend(rect_outline_ops(x1 - 1.0, y1 - 1.0, x2 + 1.0, y2 + 1.0));
        }
        let label = t.label("stamp_box");
        page.ops.extend(text_ops(
            &font_id,
            &label,
            7.5,
            x1,
            y2 + 4.0,
            0.0,
            gray(0.45),
        ));
        if let Some(seal) = &opts.seal_png {
            let img = load_png(seal)?;
            let id = XObjectId("IovSeal".to_string());
            let sl = s.signature.seal;
            let w_pt = sl.width_mm * PT_PER_MM;
            let scale = w_pt / (img.width.max(1) as f32);
            let h_pt = img.height as f32 * scale;
            let x = sl.x_mm * PT_PER_MM;
            let y = PAGE_H - sl.y_mm * PT_PER_MM - h_pt;
            r.doc
                .resources
                .xobjects
                .map
                .insert(id.clone(), XObject::Image(img));
            page.ops.push(Op::UseXobject {
                id,
                transform: XObjectTransform {
                    translate_x: Some(Pt(x)),
                    translate_y: Some(Pt(y)),
                    scale_x: Some(scale),
                    scale_y: Some(scale),
                    dpi: Some(72.0),
                    ..Default::default()
                },
            });
        }
    }

    let mut doc = r.doc;
    doc.pages = pages;
    stable_ids(&mut doc);
    let info = &mut doc.metadata.info;
    let ts = chrono::DateTime::parse_from_rfc3339(&model.generated_at)
        .map(|d| d.timestamp())
        .unwrap_or(0);
    if let Ok(d) = printpdf::OffsetDateTime::from_unix_timestamp(ts) {
        info.creation_date = d;
        info.modification_date = d;
        info.metadata_date = d;
    }
    info.document_title = format!("{} {}", base_title(&t, model), model.report_number);
    info.author = model.signer.organisation.clone();
    info.subject = model.project.assessee.clone();
    info.creator = model.generator.clone();
    info.producer = format!("{} (printpdf)", model.generator);
    info.identifier = model.report_number.clone();
    let mut warnings = Vec::new();
    let save = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut bytes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        doc.save(&save, &mut warnings)
    }))
    .map_err(|_| ReportError::Pdf {
        message: "writing the PDF failed".to_string(),
    })?;
    drop_standard_claims(&mut bytes);
    stable_trailer_id(&mut bytes);
    if !bytes.starts_with(b"%PDF") {
        return Err(ReportError::Pdf {
            message: "the writer produced no PDF".to_string(),
        });
    }
    Ok(RenderedPdf {
        bytes,
        pages: total,
        signature_page,
        stamp_rect_pt,
    })
}

fn base_title(t: &Templates, m: &ReportModel) -> String {
    if m.project.kind == crate::project::Kind::SelfCheck {
        t.label("report_title_self_check")
    } else {
        t.label("report_title")
    }
}

fn load_png(path: &Path) -> Result<RawImage, ReportError> {
    let bytes = std::fs::read(path).map_err(|e| ReportError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(ReportError::Image {
            path: path.to_path_buf(),
            message: "not a PNG file".to_string(),
        });
    }
    let mut w = Vec::new();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        RawImage::decode_from_bytes(&bytes, &mut w)
    }))
    .map_err(|_| ReportError::Image {
        path: path.to_path_buf(),
        message: "the image could not be decoded".to_string(),
    })?
    .map_err(|message| ReportError::Image {
        path: path.to_path_buf(),
        message,
    })
}

/// Replaces printpdf's random resource names (graphics states, shadings,
/// bridge XObjects) by sequential ones in order of first use.
fn stable_ids(doc: &mut PdfDocument) {
    let mut gs: HashMap<String, String> = HashMap::new();
    let mut sh: HashMap<String, String> = HashMap::new();
    let mut xo: HashMap<String, String> = HashMap::new();
    for p in &mut doc.pages {
        for op in &mut p.ops {
            match op {
                Op::LoadGraphicsState { gs: id } => {
                    let n = gs.len();
                    let new = gs
                        .entry(id.0.clone())
                        .or_insert_with(|| format!("GS{n}"))
                        .clone();
                    id.0 = new;
                }
                Op::PaintShading { id } => {
                    let n = sh.len();
                    let new = sh
                        .entry(id.0.clone())
                        .or_insert_with(|| format!("SH{n}"))
                        .clone();
                    id.0 = new;
                }
                Op::UseXobject { id, .. } => {
                    let n = xo.len();
                    let new = xo
                        .entry(id.0.clone())
                        .or_insert_with(|| format!("XO{n}"))
                        .clone();
                    id.0 = new;
                }
                _ => {}
            }
        }
    }
    let res = &mut doc.resources;
    res.extgstates.map = std::mem::take(&mut res.extgstates.map)
        .into_iter()
        .filter_map(|(k, v)| {
            gs.get(&k.0)
                .map(|n| (ExtendedGraphicsStateId(n.clone()), v))
        })
        .collect();
    res.shadings.map = std::mem::take(&mut res.shadings.map)
        .into_iter()
        .filter_map(|(k, v)| sh.get(&k.0).map(|n| (ShadingId(n.clone()), v)))
        .collect();
    res.xobjects.map = std::mem::take(&mut res.xobjects.map)
        .into_iter()
        .filter_map(|(k, v)| xo.get(&k.0).map(|n| (XObjectId(n.clone()), v)))
        .collect();
}

/// printpdf always writes `/GTS_PDFXVersion` into the document information,
/// empty when no conformance is chosen: a PDF/X key on a file that is no
/// PDF/X. Blanks the key and its value with spaces (offsets stay valid).
fn drop_standard_claims(bytes: &mut [u8]) {
    let key = b"/GTS_PDFXVersion";
    let mut from = 0;
    while let Some(rel) = bytes[from..].windows(key.len()).position(|w| w == key) {
        let at = from + rel;
        let mut end = at + key.len();
        while end < bytes.len() && bytes[end] == b' ' {
            end += 1;
        }
        if bytes.get(end) == Some(&b'(') {
            if let Some(close) = bytes[end..].iter().position(|b| *b == b')') {
                end += close + 1;
            }
        }
        for b in &mut bytes[at..end] {
            *b = b' ';
        }
        from = end;
    }
}

/// Replaces the random trailer `/ID` strings with ones derived from the file's content.
fn stable_trailer_id(bytes: &mut [u8]) {
    let Some(t) = find_last(bytes, b"trailer") else {
        return;
    };
    let Some(rel) = find_last(&bytes[t..], b"/ID[(") else {
        return;
    };
    let start = t + rel + 5;
    let digest = Sha256::digest(&bytes[..t]);
    let hex: Vec<u8> = digest
        .iter()
        .take(16)
        .flat_map(|b| format!("{b:02X}").into_bytes())
        .collect();
    // Two literal strings of 32 characters: (xxxx)(yyyy)
    let a = start;
    let Some(a_end) = bytes[a..].iter().position(|b| *b == b')').map(|p| a + p) else {
        return;
    };
    if a_end - a != hex.len() || bytes.get(a_end + 1) != Some(&b'(') {
        return;
    }
    let b = a_end + 2;
    let Some(b_end) = bytes[b..].iter().position(|x| *x == b')').map(|p| b + p) else {
        return;
    };
    if b_end - b != hex.len() {
        return;
    }
    bytes[a..a_end].copy_from_slice(&hex);
    bytes[b..b_end].copy_from_slice(&hex);
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_six_capitals() {
        for n in [0u64, 1, 38400, u64::MAX] {
            let t = tag6(n);
            assert_eq!(t.len(), 6);
            assert!(t.bytes().all(|b| b.is_ascii_uppercase()));
        }
    }

    #[test]
    fn sanitize_replaces_missing_glyphs() {
        let f = make_font(BUILTIN_FONT, 0, "wqy").expect("bundled font");
        let s = sanitize("符合 ⚠ a\u{1}b ☐", &f.face);
        assert_eq!(s, "符合 △ a b □");
    }
}
