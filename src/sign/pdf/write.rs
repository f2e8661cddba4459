//! Serialising PDF objects and appending an incremental update (objects,
//! then a classic xref section or an xref stream, then the trailer).

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

/// Appends the PDF form of `o`.
pub(crate) fn object(out: &mut Vec<u8>, o: &Object) {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(real(*r).as_bytes()),
        Object::Name(n) => name(out, n),
        Object::String(s, StringFormat::Hexadecimal) => hex_string(out, s),
        Object::String(s, StringFormat::Literal) => literal_string(out, s),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => dictionary(out, d),
        // Never reached for the objects we re-emit (catalog, page, AcroForm,
        // arrays); a stream's dictionary alone would be wrong, so write null.
        Object::Stream(_) => out.extend_from_slice(b"null"),
        Object::Reference((id, gen)) => out.extend_from_slice(format!("{id} {gen} R").as_bytes()),
    }
}

pub(crate) fn dictionary(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        out.push(b' ');
        name(out, k);
        out.push(b' ');
        object(out, v);
    }
    out.extend_from_slice(b" >>");
}

/// A number without exponent, shortest form that reads back the same.
pub(crate) fn real(r: f32) -> String {
    if !r.is_finite() {
        return "0".into();
    }
    let s = format!("{r}");
    if s.contains('e') {
        format!("{r:.6}")
    } else {
        s
    }
}

/// Two decimals, trailing zeros trimmed (for content streams and rects).
pub(crate) fn num(v: f32) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

pub(crate) fn name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        let regular = (0x21..=0x7e).contains(&b) && !b"()<>[]{}/%#".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

pub(crate) fn hex_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'<');
    out.extend_from_slice(super::super::asn1::hex(s).as_bytes());
    out.push(b'>');
}

pub(crate) fn literal_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'(');
    for &b in s {
        match b {
            b'\\' | b'(' | b')' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
}

/// A PDF text string: literal if printable ASCII, else UTF-16BE with BOM.
pub(crate) fn text_string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        literal_string(out, s.as_bytes());
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            bytes.extend_from_slice(&u.to_be_bytes());
        }
        hex_string(out, &bytes);
    }
}

/// An incremental update being appended to a copy of the original file.
pub(crate) struct Update {
    pub out: Vec<u8>,
    entries: Vec<(ObjectId, usize)>,
}

impl Update {
    pub(crate) fn new(original: &[u8]) -> Update {
        let mut out = Vec::with_capacity(original.len() + 32 * 1024);
        out.extend_from_slice(original);
        if !matches!(out.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        Update {
            out,
            entries: Vec::new(),
        }
    }

    pub(crate) fn begin(&mut self, id: ObjectId) {
        self.entries.push((id, self.out.len()));
        self.out
            .extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    }

    pub(crate) fn end(&mut self) {
        self.out.extend_from_slice(b"\nendobj\n");
    }

    pub(crate) fn object(&mut self, id: ObjectId, o: &Object) {
        self.begin(id);
        object(&mut self.out, o);
        self.end();
    }

    pub(crate) fn raw(&mut self, id: ObjectId, bytes: &[u8]) {
        self.begin(id);
        self.out.extend_from_slice(bytes);
        self.end();
    }

    /// A stream object with `dict` (without /Length, added here) and `data`.
    pub(crate) fn stream(&mut self, id: ObjectId, dict: &[u8], data: &[u8]) {
        self.begin(id);
        self.out.extend_from_slice(b"<<");
        self.out.extend_from_slice(dict);
        self.out
            .extend_from_slice(format!(" /Length {} >>\nstream\n", data.len()).as_bytes());
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream");
        self.end();
    }

    fn subsections(entries: &[(ObjectId, usize)]) -> Vec<&[(ObjectId, usize)]> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=entries.len() {
            if i == entries.len() || entries[i].0 .0 != entries[i - 1].0 .0 + 1 {
                out.push(&entries[start..i]);
                start = i;
            }
        }
        out
    }

    /// Finishes with a classic xref section and trailer (`trailer_extra`
    /// holds /Root, /Info, /ID, /Prev; /Size is `size`).
    pub(crate) fn finish_table(mut self, size: u32, trailer_extra: &[u8]) -> Vec<u8> {
        self.entries.sort();
        let xref_pos = self.out.len();
        self.out.extend_from_slice(b"xref\n");
        for sub in Self::subsections(&self.entries) {
            self.out
                .extend_from_slice(format!("{} {}\n", sub[0].0 .0, sub.len()).as_bytes());
            for ((_, gen), off) in sub {
                self.out
                    .extend_from_slice(format!("{off:010} {gen:05} n\r\n").as_bytes());
            }
        }
        self.out
            .extend_from_slice(format!("trailer\n<< /Size {size}").as_bytes());
        self.out.extend_from_slice(trailer_extra);
        self.out
            .extend_from_slice(format!(" >>\nstartxref\n{xref_pos}\n%%EOF\n").as_bytes());
        self.out
    }

    /// Finishes with an xref stream (object `xref_id`, which must be
    /// `size - 1`), for files whose previous section is an xref stream.
    pub(crate) fn finish_stream(
        mut self,
        xref_id: u32,
        size: u32,
        trailer_extra: &[u8],
    ) -> Vec<u8> {
        let xref_pos = self.out.len();
        self.entries.push(((xref_id, 0), xref_pos));
        self.entries.sort();
        let width = if xref_pos > u32::MAX as usize { 8 } else { 4 };
        let mut data = Vec::new();
        let mut index = String::new();
        for sub in Self::subsections(&self.entries) {
            index.push_str(&format!("{} {} ", sub[0].0 .0, sub.len()));
            for ((_, gen), off) in sub {
                data.push(1u8);
                data.extend_from_slice(&(*off as u64).to_be_bytes()[8 - width..]);
                data.extend_from_slice(&gen.to_be_bytes());
            }
        }
        let mut dict = format!(
            " /Type /XRef /Size {size} /W [1 {width} 2] /Index [{}]",
            index.trim_end()
        )
        .into_bytes();
        dict.extend_from_slice(trailer_extra);
        self.out
            .extend_from_slice(format!("{xref_id} 0 obj\n<<").as_bytes());
        self.out.extend_from_slice(&dict);
        self.out
            .extend_from_slice(format!(" /Length {} >>\nstream\n", data.len()).as_bytes());
        self.out.extend_from_slice(&data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        self.out
            .extend_from_slice(format!("startxref\n{xref_pos}\n%%EOF\n").as_bytes());
        self.out
    }
}
