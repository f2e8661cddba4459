//! Reading a PDF's signatures straight from its bytes, the way pdfsig does
//! when the cross-reference table or trailer is damaged: every `/ByteRange`
//! is found by a scan, the object around it read by a small bounded lexer
//! (nesting, items and lengths capped), and the revisions located by their
//! `%%EOF` markers. ByteRange checks need nothing more than the raw file.

use super::super::MAX_PDF_SIGNATURES;

/// Nesting the lexer follows (a signature dictionary needs 3).
const MAX_DEPTH: usize = 12;
/// Items (values) the lexer reads in one object.
const MAX_ITEMS: usize = 20_000;
/// How far back from a `/ByteRange` the object header may be.
const MAX_OBJECT_BACK: usize = 256 * 1024;
/// `/V` references followed when naming fields by scan.
const MAX_FIELD_REFS: usize = 10_000;

/// The first `needle` in `hay` (memchr's two-way search: a scan of a
/// 500 MiB file must not cost seconds per pattern).
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A PDF value as the lexer reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Int(i64),
    Real,
    Bool,
    Null,
    Name(Vec<u8>),
    Str(Vec<u8>),
    Arr(Vec<Raw>),
    Dict(Vec<(Vec<u8>, Raw)>),
    Ref(u32, u16),
}

impl Raw {
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Raw> {
        match self {
            Raw::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn name(&self) -> Option<&[u8]> {
        match self {
            Raw::Name(n) => Some(n),
            _ => None,
        }
    }
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
    items: usize,
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], pos: usize) -> Self {
        Lexer { b, pos, items: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_ws(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn starts(&self, s: &[u8]) -> bool {
        self.b.get(self.pos..).is_some_and(|r| r.starts_with(s))
    }

    fn regular(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_ws(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        &self.b[start..self.pos]
    }

    fn value(&mut self, depth: usize) -> Option<Raw> {
        self.items += 1;
        if depth > MAX_DEPTH || self.items > MAX_ITEMS {
            return None;
        }
        self.skip_ws();
        let c = self.peek()?;
        match c {
            b'<' if self.starts(b"<<") => {
                self.pos += 2;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.starts(b">>") {
                        self.pos += 2;
                        return Some(Raw::Dict(items));
                    }
                    let Raw::Name(k) = self.value(depth + 1)? else {
                        return None;
                    };
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                }
            }
            b'<' => {
                self.pos += 1;
                let start = self.pos;
                let end = start + self.b.get(start..)?.iter().position(|&b| b == b'>')?;
                self.pos = end + 1;
                let mut raw = Vec::with_capacity(end - start + 2);
                raw.push(b'<');
                raw.extend_from_slice(&self.b[start..end]);
                raw.push(b'>');
                Some(Raw::Str(decode_hex_string(&raw)?))
            }
            b'(' => self.literal().map(Raw::Str),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        return Some(Raw::Arr(items));
                    }
                    items.push(self.value(depth + 1)?);
                }
            }
            b'/' => {
                self.pos += 1;
                let raw = self.regular();
                Some(Raw::Name(decode_name(raw)))
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                let tok = self.regular();
                let s = std::str::from_utf8(tok).ok()?;
                let Ok(n) = s.parse::<i64>() else {
                    return s.parse::<f64>().ok().map(|_| Raw::Real);
                };
                // `n g R`?
                let save = self.pos;
                self.skip_ws();
                let g_start = self.pos;
                let g = self.regular();
                if !g.is_empty() && g.iter().all(u8::is_ascii_digit) && self.pos > g_start {
                    self.skip_ws();
                    if self.peek() == Some(b'R')
                        && self
                            .b
                            .get(self.pos + 1)
                            .is_none_or(|&c| is_ws(c) || is_delim(c))
                    {
                        self.pos += 1;
                        let num = u32::try_from(n).ok()?;
                        let gen = std::str::from_utf8(g).ok()?.parse::<u16>().ok()?;
                        return Some(Raw::Ref(num, gen));
                    }
                }
                self.pos = save;
                Some(Raw::Int(n))
            }
            _ => {
                let tok = self.regular();
                match tok {
                    b"true" | b"false" => Some(Raw::Bool),
                    b"null" => Some(Raw::Null),
                    _ => None,
                }
            }
        }
    }

    fn literal(&mut self) -> Option<Vec<u8>> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut nest = 1usize;
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    nest += 1;
                    out.push(c);
                }
                b')' => {
                    nest -= 1;
                    if nest == 0 {
                        return Some(out);
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
}

fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' && i + 2 < raw.len() {
            if let (Some(h), Some(l)) = (hex_value(raw[i + 1]), hex_value(raw[i + 2])) {
                out.push((h << 4) | l);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `<hex>` (delimiters included); whitespace inside is skipped, an
/// odd final digit is padded with 0 as the PDF specification says.
pub(crate) fn decode_hex_string(raw: &[u8]) -> Option<Vec<u8>> {
    let inner = raw.strip_prefix(b"<")?.strip_suffix(b">")?;
    let mut out = Vec::with_capacity(inner.len() / 2);
    let mut high: Option<u8> = None;
    for &b in inner {
        if is_ws(b) {
            continue;
        }
        let v = hex_value(b)?;
        match high.take() {
            Some(h) => out.push((h << 4) | v),
            None => high = Some(v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    Some(out)
}

/// A signature dictionary found by scanning.
#[derive(Debug, Clone)]
pub(crate) struct ScannedSig {
    /// The object it is (or is inside of), when its header was found.
    pub obj: Option<(u32, u16)>,
    /// The dictionary, `None` when it could not be read.
    pub dict: Option<Raw>,
    /// Where the `/ByteRange` key was found.
    pub at: usize,
}

/// The `N G obj` header that starts the object holding `at`, and where the
/// object's body starts.
fn object_header(pdf: &[u8], at: usize) -> Option<((u32, u16), usize)> {
    let from = at.saturating_sub(MAX_OBJECT_BACK);
    let window = &pdf[from..at];
    let mut search_end = window.len();
    // The last " obj" keyword before `at` that is not the end of "endobj".
    loop {
        let rel = memchr::memmem::rfind(&window[..search_end], b"obj")?;
        search_end = rel;
        let abs = from + rel;
        if abs >= 3 && &pdf[abs - 3..abs] == b"end" {
            return None;
        }
        // Digits, whitespace, digits, whitespace before it.
        let mut i = abs;
        let back = |i: &mut usize, digits: bool| -> usize {
            let start = *i;
            while *i > 0 {
                let c = pdf[*i - 1];
                if (digits && c.is_ascii_digit()) || (!digits && is_ws(c)) {
                    *i -= 1;
                } else {
                    break;
                }
            }
            start - *i
        };
        if back(&mut i, false) == 0 {
            continue;
        }
        let g_end = i;
        if back(&mut i, true) == 0 {
            continue;
        }
        let g = std::str::from_utf8(&pdf[i..g_end]).ok()?.parse().ok()?;
        if back(&mut i, false) == 0 {
            continue;
        }
        let n_end = i;
        if back(&mut i, true) == 0 {
            continue;
        }
        let n = std::str::from_utf8(&pdf[i..n_end]).ok()?.parse().ok()?;
        return Some(((n, g), abs + 3));
    }
}

/// Every signature dictionary in the file, found by its `/ByteRange` (at
/// most [`MAX_PDF_SIGNATURES`] + 1: one more is a refusal for the caller).
pub(crate) fn scan_signatures(pdf: &[u8]) -> Vec<ScannedSig> {
    let mut out: Vec<ScannedSig> = Vec::new();
    let mut from = 0;
    while let Some(rel) = find(&pdf[from..], b"/ByteRange") {
        let at = from + rel;
        from = at + 10;
        let header = object_header(pdf, at);
        if let Some((id, _)) = header {
            if out
                .iter()
                .any(|s| s.obj == Some(id) && s.at + MAX_OBJECT_BACK > at)
            {
                continue;
            }
        }
        let dict = header.and_then(|(_, body)| {
            let top = Lexer::new(pdf, body).value(0)?;
            if top.get(b"ByteRange").is_some() {
                return Some(top);
            }
            // A field whose /V is the signature dictionary itself.
            match top.get(b"V") {
                Some(v @ Raw::Dict(_)) if v.get(b"ByteRange").is_some() => Some(v.clone()),
                _ => None,
            }
        });
        out.push(ScannedSig {
            obj: header.map(|(id, _)| id),
            dict,
            at,
        });
        if out.len() > MAX_PDF_SIGNATURES {
            break;
        }
    }
    out
}

/// The field names (`/T`) of fields whose `/V` is one of `sigs`, by scan.
pub(crate) fn scan_field_names(pdf: &[u8], sigs: &[(u32, u16)]) -> Vec<((u32, u16), Vec<u8>)> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut seen = 0;
    while let Some(rel) = find(&pdf[from..], b"/V") {
        let at = from + rel;
        from = at + 2;
        seen += 1;
        if seen > MAX_FIELD_REFS {
            break;
        }
        if pdf.get(at + 2).is_some_and(|&c| !(is_ws(c) || is_delim(c))) {
            continue;
        }
        let mut lx = Lexer::new(pdf, at + 2);
        let Some(Raw::Ref(n, g)) = lx.value(MAX_DEPTH - 1) else {
            continue;
        };
        if !sigs.contains(&(n, g)) {
            continue;
        }
        let Some((_, body)) = object_header(pdf, at) else {
            continue;
        };
        if let Some(Raw::Str(t)) = Lexer::new(pdf, body)
            .value(0)
            .and_then(|d| d.get(b"T").cloned())
        {
            out.push(((n, g), t));
        }
    }
    out
}

/// Where each revision ends: just after each `%%EOF` marker and the end of
/// line that follows it (`eof_end`, `line_end`). A file whose bytes go on
/// past its last marker gets one more, unfinished revision ending at the
/// end of the file.
pub(crate) fn revision_ends(pdf: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = find(&pdf[from..], b"%%EOF") {
        let end = from + rel + 5;
        let mut line_end = end;
        if pdf.get(line_end) == Some(&b'\r') {
            line_end += 1;
        }
        if pdf.get(line_end) == Some(&b'\n') {
            line_end += 1;
        }
        out.push((end, line_end));
        from = end;
    }
    let last = out.last().map_or(0, |&(_, l)| l);
    if pdf[last.min(pdf.len())..].iter().any(|&c| !is_ws(c)) {
        out.push((pdf.len(), pdf.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_a_signature_dictionary() {
        let pdf = b"%PDF-1.7\n12 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <3082 01> /M (D:2025\\05101) /Name (A \\(b\\)) /Ref 3 0 R /N#20x 1.5 >>\nendobj\n";
        let sigs = scan_signatures(pdf);
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].obj, Some((12, 0)));
        let d = sigs[0].dict.as_ref().expect("dict");
        assert_eq!(
            d.get(b"ByteRange"),
            Some(&Raw::Arr(vec![
                Raw::Int(0),
                Raw::Int(10),
                Raw::Int(20),
                Raw::Int(30)
            ]))
        );
        assert_eq!(d.get(b"Contents"), Some(&Raw::Str(vec![0x30, 0x82, 0x01])));
        assert_eq!(d.get(b"M"), Some(&Raw::Str(b"D:2025)01".to_vec())));
        assert_eq!(d.get(b"Name"), Some(&Raw::Str(b"A (b)".to_vec())));
        assert_eq!(d.get(b"Ref"), Some(&Raw::Ref(3, 0)));
        assert_eq!(d.get(b"N x"), Some(&Raw::Real));
    }

    #[test]
    fn deep_or_broken_objects_are_not_read() {
        let deep = format!(
            "1 0 obj << /ByteRange {}0{} >> endobj",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let sigs = scan_signatures(deep.as_bytes());
        assert_eq!(sigs.len(), 1);
        assert!(sigs[0].dict.is_none());
        let sigs = scan_signatures(b"/ByteRange [0 1 2 3] no header");
        assert!(sigs[0].obj.is_none() && sigs[0].dict.is_none());
        assert!(scan_signatures(b"1 0 obj << /ByteRange [0 1")
            .iter()
            .all(|s| s.dict.is_none()));
    }

    #[test]
    fn revisions_end_at_eof_markers() {
        assert_eq!(revision_ends(b"%PDF\n%%EOF\n"), vec![(10, 11)]);
        assert_eq!(
            revision_ends(b"%PDF\n%%EOF\r\nx%%EOF"),
            vec![(10, 12), (18, 18)]
        );
        assert_eq!(
            revision_ends(b"%PDF\n%%EOF\ngarbage"),
            vec![(10, 11), (18, 18)]
        );
    }
}
