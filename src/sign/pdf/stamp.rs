//! The visible stamp: a Form XObject drawn as a red double frame with the
//! caller's lines centred inside, like a seal impression.
//!
//! Fonts: ASCII runs use the standard Helvetica (always available); every
//! other run uses the PDF's predefined Chinese font `STSong-Light` with the
//! `UniGB-UCS2-H` CMap (Adobe-GB1), **not embedded**. Viewers supply the
//! glyphs: Acrobat/Reader with the Chinese font pack (standard on Chinese
//! installs), Foxit, WPS, pdf.js, and poppler with poppler-data plus any
//! installed CJK font. A viewer without a CJK font shows those runs as
//! blanks or boxes; the signature itself is unaffected. (Not PDF/A: PDF/A
//! requires embedded fonts.)

use super::write::{literal_string, num};

/// Advance widths of Helvetica for ASCII 32..=126, in 1/1000 em (AFM).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

enum Run {
    Ascii(String),
    Cjk(Vec<u16>),
}

fn runs(line: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for c in line.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c.is_ascii() {
            match out.last_mut() {
                Some(Run::Ascii(s)) => s.push(c),
                _ => out.push(Run::Ascii(c.to_string())),
            }
        } else {
            let mut buf = [0u16; 2];
            let units = c.encode_utf16(&mut buf);
            if units.len() != 1 {
                // Outside the BMP: UCS-2 cannot say it.
                match out.last_mut() {
                    Some(Run::Ascii(s)) => s.push('?'),
                    _ => out.push(Run::Ascii("?".into())),
                }
                continue;
            }
            match out.last_mut() {
                Some(Run::Cjk(v)) => v.push(units[0]),
                _ => out.push(Run::Cjk(vec![units[0]])),
            }
        }
    }
    out
}

fn width_em(runs: &[Run]) -> f32 {
    runs.iter()
        .map(|r| match r {
            Run::Ascii(s) => s
                .bytes()
                .map(|b| f32::from(HELVETICA[(b - 32) as usize]) / 1000.0)
                .sum::<f32>(),
            Run::Cjk(v) => v.len() as f32,
        })
        .sum()
}

/// The appearance of a `w`×`h` stamp: content stream and whether the CJK
/// font (`/F2`) is used (`/F1` is Helvetica).
pub(crate) struct Appearance {
    pub content: Vec<u8>,
    pub uses_cjk: bool,
}

pub(crate) fn appearance(lines: &[String], w: f32, h: f32) -> Appearance {
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
    let all: Vec<Vec<Run>> = lines.iter().map(|l| runs(l)).collect();
    let uses_cjk = all.iter().flatten().any(|r| matches!(r, Run::Cjk(_)));
    if !all.is_empty() {
        let pad = 6.0_f32.min(w * 0.1).min(h * 0.1).max(1.0) + inset;
        let inner_w = (w - 2.0 * pad).max(1.0);
        let inner_h = (h - 2.0 * pad).max(1.0);
        let leading = 1.3_f32;
        let n = all.len() as f32;
        let widest = all.iter().map(|r| width_em(r)).fold(0.0_f32, f32::max);
        let mut size = (inner_h / (n * leading)).min(14.0);
        if widest > 0.0 {
            size = size.min(inner_w / widest);
        }
        let size = size.max(2.0);
        let block = n * size * leading;
        let top = h - pad - ((inner_h - block) / 2.0).max(0.0);
        content.extend_from_slice(format!("BT {red} rg\n").as_bytes());
        for (i, line) in all.iter().enumerate() {
            let lw = width_em(line) * size;
            let x = ((w - lw) / 2.0).max(pad);
            let y = top - (i as f32) * size * leading - size * 0.95;
            content.extend_from_slice(format!("1 0 0 1 {} {} Tm\n", num(x), num(y)).as_bytes());
            for run in line {
                match run {
                    Run::Ascii(t) => {
                        content.extend_from_slice(format!("/F1 {} Tf ", num(size)).as_bytes());
                        literal_string(&mut content, t.as_bytes());
                        content.extend_from_slice(b" Tj\n");
                    }
                    Run::Cjk(units) => {
                        content.extend_from_slice(format!("/F2 {} Tf <", num(size)).as_bytes());
                        for u in units {
                            content.extend_from_slice(format!("{u:04X}").as_bytes());
                        }
                        content.extend_from_slice(b"> Tj\n");
                    }
                }
            }
        }
        content.extend_from_slice(b"ET\n");
    }
    content.extend_from_slice(b"Q\n");
    Appearance { content, uses_cjk }
}

/// `/F1`: Helvetica, WinAnsi.
pub(crate) const HELVETICA_DICT: &[u8] =
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// `/F2` parts: the Type0 font (refers to the CIDFont), the CIDFont
/// (refers to the descriptor), the descriptor.
pub(crate) fn cjk_type0(cid_font: u32) -> Vec<u8> {
    format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [{cid_font} 0 R] >>"
    )
    .into_bytes()
}

pub(crate) fn cjk_cid_font(descriptor: u32) -> Vec<u8> {
    format!(
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor {descriptor} 0 R /DW 1000 >>"
    )
    .into_bytes()
}

pub(crate) const CJK_DESCRIPTOR: &[u8] =
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>";
