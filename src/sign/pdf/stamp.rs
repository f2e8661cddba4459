//! The visible stamp: a Form XObject drawn as a red double frame with the
//! caller's lines centred inside, like a seal impression.
//!
//! Font: every line, Latin and Chinese alike, is drawn with a subset of the
//! bundled WenQuanYi Micro Hei (the font the report body embeds), embedded
//! as a CID-keyed TrueType font (`/Type0`, `Identity-H`, `/FontFile2`) with
//! a `/ToUnicode` map so the text can be searched and copied. Nothing relies
//! on the viewer's fonts (PDF/A-style: every font embedded). A character
//! the font lacks is drawn as `?`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use printpdf::ParsedFont;

use super::write::num;
use crate::sign::asn1::Hash;
use crate::sign::SignError;

/// The bundled font (WenQuanYi Micro Hei, Apache-2.0; see
/// report-templates/fonts/README.md), the one the report body uses. The
/// report module does not export its copy, and `sign` depends on nothing of
/// the domain, so it is included here too.
const STAMP_FONT: &[u8] = include_bytes!("../../../report-templates/fonts/wqy-microhei.ttc");

/// The parsed bundled font, once per process.
fn font() -> Result<&'static ParsedFont, SignError> {
    static FONT: OnceLock<Option<ParsedFont>> = OnceLock::new();
    FONT.get_or_init(|| {
        let mut warnings = Vec::new();
        ParsedFont::from_bytes(STAMP_FONT, 0, &mut warnings)
    })
    .as_ref()
    .ok_or_else(|| SignError::crypto("the bundled stamp font cannot be read"))
}

/// The embedded font of a stamp: a TrueType subset and what the PDF font
/// dictionaries need. Glyph widths and metrics are in 1/1000 em.
pub(crate) struct StampFont {
    /// `ABCDEF+WenQuanYiMicroHei`: subset tag (from the glyphs used) + name.
    pub base_name: String,
    /// The subset font program (`/FontFile2`).
    pub program: Vec<u8>,
    /// `(cid, width)` for each glyph used (CID = subset glyph id).
    pub widths: Vec<(u16, u32)>,
    /// `/ToUnicode` CMap.
    pub to_unicode: Vec<u8>,
    pub bbox: [i32; 4],
    pub ascent: i32,
    pub descent: i32,
}

impl StampFont {
    /// `/F1`: the Type0 font.
    pub fn type0(&self, cid_font: u32, to_unicode: u32) -> Vec<u8> {
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{} /Encoding /Identity-H /DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>",
            self.base_name
        )
        .into_bytes()
    }

    /// The descendant CIDFontType2 with its widths.
    pub fn cid_font(&self, descriptor: u32) -> Vec<u8> {
        let mut w = String::new();
        for (cid, width) in &self.widths {
            w.push_str(&format!("{cid} [{width}] "));
        }
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{} \
/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 /W [{}] >>",
            self.base_name,
            w.trim_end()
        )
        .into_bytes()
    }

    pub fn descriptor(&self, font_file: u32) -> Vec<u8> {
        let [a, b, c, d] = self.bbox;
        format!(
            "<< /Type /FontDescriptor /FontName /{} /Flags 4 /FontBBox [{a} {b} {c} {d}] \
/ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {font_file} 0 R >>",
            self.base_name, self.ascent, self.descent, self.ascent
        )
        .into_bytes()
    }
}

/// A line as glyphs of the bundled font: `(glyph id, text)` each.
struct Line {
    glyphs: Vec<(u16, String)>,
    width_em: f32,
}

fn shape(font: &ParsedFont, line: &str) -> Line {
    let upem = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    let fallback = font.lookup_glyph_index(u32::from('?')).unwrap_or(0);
    let mut glyphs = Vec::new();
    let mut width = 0.0;
    for c in line.chars() {
        let c = if c.is_control() { ' ' } else { c };
        let (gid, text) = match font.lookup_glyph_index(u32::from(c)) {
            Some(g) if g != 0 => (g, c.to_string()),
            _ => (fallback, "?".to_string()),
        };
        width += f32::from(font.get_horizontal_advance(gid)) / upem;
        glyphs.push((gid, text));
    }
    Line {
        glyphs,
        width_em: width,
    }
}

/// The appearance of a `w`×`h` stamp: content stream, and the font (`/F1`)
/// when there is text.
pub(crate) struct Appearance {
    pub content: Vec<u8>,
    pub font: Option<StampFont>,
}

pub(crate) fn appearance(lines: &[String], w: f32, h: f32) -> Result<Appearance, SignError> {
    let mut s = String::new();
    let red = "0.78 0.08 0.08";
    s.push_str("q\n1 1 1 rg 0 0 ");
    s.push_str(&format!("{} {} re f\n", num(w), num(h)));
    s.push_str(&format!(
        "{red} RG 1.6 w 0.8 0.8 {} {} re S\n",
        num(w - 1.6),
        num(h - 1.6)
    ));
    let inset = 3.2;
    if w > 2.0 * inset + 1.0 && h > 2.0 * inset + 1.0 {
        s.push_str(&format!(
            "0.5 w {inset} {inset} {} {} re S\n",
            num(w - 2.0 * inset),
            num(h - 2.0 * inset)
        ));
    }
    let mut content = s.into_bytes();
    let has_text = lines.iter().any(|l| !l.trim().is_empty());
    if !has_text {
        content.extend_from_slice(b"Q\n");
        return Ok(Appearance {
            content,
            font: None,
        });
    }
    let font = font()?;
    let all: Vec<Line> = lines.iter().map(|l| shape(font, l)).collect();

    // Subset: .notdef plus every glyph used, renumbered by the subsetter.
    let mut used: BTreeMap<u16, String> = BTreeMap::new();
    for line in &all {
        for (gid, text) in &line.glyphs {
            used.entry(*gid).or_insert_with(|| text.clone());
        }
    }
    let subset = printpdf::subset_font(font, &used)
        .map_err(|e| SignError::crypto(format!("stamp font subset: {e}")))?;
    let new_gid = |old: u16| -> u16 { subset.glyph_mapping.get(&old).map_or(0, |(n, _)| *n) };

    let pad = 6.0_f32.min(w * 0.1).min(h * 0.1).max(1.0) + inset;
    let inner_w = (w - 2.0 * pad).max(1.0);
    let inner_h = (h - 2.0 * pad).max(1.0);
    let leading = 1.3_f32;
    let n = all.len() as f32;
    let widest = all.iter().map(|l| l.width_em).fold(0.0_f32, f32::max);
    let mut size = (inner_h / (n * leading)).min(14.0);
    if widest > 0.0 {
        size = size.min(inner_w / widest);
    }
    let size = size.max(2.0);
    let block = n * size * leading;
    let top = h - pad - ((inner_h - block) / 2.0).max(0.0);
    content.extend_from_slice(format!("BT {red} rg /F1 {} Tf\n", num(size)).as_bytes());
    for (i, line) in all.iter().enumerate() {
        let lw = line.width_em * size;
        let x = ((w - lw) / 2.0).max(pad);
        let y = top - (i as f32) * size * leading - size * 0.95;
        content.extend_from_slice(format!("1 0 0 1 {} {} Tm <", num(x), num(y)).as_bytes());
        for (gid, _) in &line.glyphs {
            content.extend_from_slice(format!("{:04X}", new_gid(*gid)).as_bytes());
        }
        content.extend_from_slice(b"> Tj\n");
    }
    content.extend_from_slice(b"ET\nQ\n");

    let m = &font.pdf_font_metrics;
    let upem = f32::from(m.units_per_em.max(1));
    let k = |v: f32| (v * 1000.0 / upem).round() as i32;
    let mut widths: Vec<(u16, u32)> = used
        .keys()
        .map(|&old| {
            (
                new_gid(old),
                k(f32::from(font.get_horizontal_advance(old))).max(0) as u32,
            )
        })
        .collect();
    widths.sort_unstable();
    widths.dedup_by_key(|(cid, _)| *cid);
    let mut cmap_entries: Vec<(u16, String)> = used
        .iter()
        .map(|(&old, text)| (new_gid(old), text.clone()))
        .filter(|(cid, _)| *cid != 0)
        .collect();
    cmap_entries.sort();
    cmap_entries.dedup_by_key(|(cid, _)| *cid);

    // Subset tag: six capitals from the glyphs used (deterministic).
    let key: Vec<u8> = used.keys().flat_map(|g| g.to_be_bytes()).collect();
    let digest = Hash::Sha256.digest(&key);
    let tag: String = digest[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let name: String = font
        .font_name
        .as_deref()
        .unwrap_or("WenQuanYiMicroHei")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let name = if name.is_empty() {
        "WenQuanYiMicroHei".to_string()
    } else {
        name
    };
    Ok(Appearance {
        content,
        font: Some(StampFont {
            base_name: format!("{tag}+{name}"),
            program: subset.bytes,
            widths,
            to_unicode: to_unicode_cmap(&cmap_entries),
            bbox: [
                k(f32::from(m.x_min)),
                k(f32::from(m.y_min)),
                k(f32::from(m.x_max)),
                k(f32::from(m.y_max)),
            ],
            ascent: k(f32::from(m.ascender)),
            descent: k(f32::from(m.descender)),
        }),
    })
}

/// A `/ToUnicode` CMap from 2-byte CIDs to UTF-16BE text.
fn to_unicode_cmap(entries: &[(u16, String)]) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (cid, text) in chunk {
            s.push_str(&format!("<{cid:04X}> <"));
            for u in text.encode_utf16() {
                s.push_str(&format!("{u:04X}"));
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}
