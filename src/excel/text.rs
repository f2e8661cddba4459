//! Text clean-up for cells read from spreadsheets, and the bits of TOML
//! writing the pack importer needs (quoting, inline values).

/// Full-width ASCII forms (`１２Ａ－`) and the ideographic space to their
/// half-width forms. Used for ids, numbers and machine values, never for the
/// Chinese text itself (full-width brackets in clauses stay as printed).
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{00A0}' || c == '\u{FEFF}' || c == '\u{200B}'
}

/// Lines of a cell: line breaks unified, each line trimmed with runs of
/// spaces collapsed to one, empty lines dropped.
pub fn lines(s: &str) -> Vec<String> {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Trims and collapses runs of white space (including the ideographic space) to one space.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_space(c) {
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

fn is_cjk(c: char) -> bool {
    (c as u32) >= 0x2E80
}

/// A cell as one line: lines joined without a space between Chinese
/// characters (a wrapped Chinese sentence), with one space otherwise.
pub fn one_line(s: &str) -> String {
    let mut out = String::new();
    for l in lines(s) {
        if let (Some(a), Some(b)) = (out.chars().last(), l.chars().next()) {
            if !(is_cjk(a) || is_cjk(b)) {
                out.push(' ');
            }
        }
        out.push_str(&l);
    }
    tidy_punctuation_spaces(&out)
}

/// Drops a space between Chinese full-width punctuation and a Chinese
/// character (`一次 ，` → `一次，`, `形成 （草案）` → `形成（草案）`). Spaces
/// between Chinese words (`信息安全技术 公钥基础设施`, how standards are
/// named) and next to Latin text (`三（七） national`) stay.
fn tidy_punctuation_spaces(s: &str) -> String {
    const P: &str = "，。；：、！？（）【】「」『』《》〈〉";
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' && i > 0 {
            if let (Some(p), Some(n)) = (chars.get(i - 1), chars.get(i + 1)) {
                let (pp, np) = (P.contains(*p), P.contains(*n));
                if (pp && is_cjk(*n)) || (np && is_cjk(*p)) {
                    continue;
                }
            }
        }
        out.push(*c);
    }
    out
}

/// A header cell reduced for comparison: half-width, lower case, without
/// white space and punctuation (`检查项（英文）` → `检查项英文`, `Requirement ID` → `requirementid`).
pub fn norm_header(s: &str) -> String {
    fold_width(s)
        .to_lowercase()
        .chars()
        .filter(|c| {
            !(is_space(*c)
                || c.is_ascii_punctuation()
                || "（）【】《》〈〉「」『』、，。：；！？·—…“”‘’".contains(*c))
        })
        .collect()
}

/// An id or a short machine value: half-width, no white space at all.
pub fn norm_token(s: &str) -> String {
    fold_width(s).chars().filter(|c| !is_space(*c)).collect()
}

/// Splits a list cell (`OEM、PLT`, `examine, test`) into its items.
pub fn split_list(s: &str) -> Vec<String> {
    fold_width(s)
        .split(|c: char| c == ',' || c == '、' || c == ';' || c == '/' || c == '|' || is_space(c))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Strips a leading enumerator from a list item: `1.`, `1、`, `(1)`, `（1）`, `①`, `-`, `•`.
pub fn strip_enumerator(s: &str) -> String {
    let t = s.trim();
    let mut chars = t.chars().peekable();
    // ①–⑳
    if let Some(c) = chars.peek() {
        if ('\u{2460}'..='\u{2473}').contains(c) || "•·-－—*".contains(*c) {
            let rest: String = t.chars().skip(1).collect();
            return rest.trim().to_string();
        }
    }
    let folded = fold_width(t);
    let b: Vec<char> = folded.chars().collect();
    let mut i = 0;
    let open = b.first().is_some_and(|c| *c == '(');
    if open {
        i = 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == start || i - start > 3 {
        return t.to_string();
    }
    let ok = if open {
        b.get(i) == Some(&')')
    } else {
        matches!(b.get(i), Some('.' | '、' | ')' | '．'))
            && !b.get(i + 1).is_some_and(|c| c.is_ascii_digit())
    };
    if !ok {
        return t.to_string();
    }
    // Map the position in the folded string back to the original (same char count).
    let rest: String = t.chars().skip(i + 1).collect();
    let rest = rest.trim().to_string();
    if rest.is_empty() {
        t.to_string()
    } else {
        rest
    }
}

/// A TOML basic string, quoted and escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A bare TOML key when it can be one, else a quoted key.
pub fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A number as TOML writes it: integral values without a fraction.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A TOML value written inline (`{ a = 1, b = ["x"] }`).
pub fn inline(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => quote(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 {
                format!("{f:.1}")
            } else {
                format!("{f}")
            }
        }
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(t) => {
            if t.is_empty() {
                return "{}".to_string();
            }
            let items: Vec<String> = ordered(t)
                .into_iter()
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// The order keys are written in, as in the shipped packs; others follow alphabetically.
const KEY_ORDER: &[&str] = &[
    "partial",
    "not_applicable",
    "encouraged",
    "veto",
    "bands",
    "ids",
    "kind",
    "key",
    "op",
    "value",
    "unit",
    "due",
    "period",
    "within",
    "when",
    "trigger",
    "event",
    "date",
    "min",
    "clause",
    "label",
    "reason",
    "zh",
    "en",
];

/// A table's entries in [`KEY_ORDER`].
pub fn ordered(t: &toml::Table) -> Vec<(&String, &toml::Value)> {
    let mut v: Vec<(&String, &toml::Value)> = t.iter().collect();
    v.sort_by_key(|(k, _)| {
        (
            KEY_ORDER
                .iter()
                .position(|o| o == k)
                .unwrap_or(KEY_ORDER.len()),
            k.to_string(),
        )
    });
    v
}

/// Parses a cell holding an inline TOML value (`[{ kind = "retention", period = "P6M" }]`).
pub fn parse_inline(s: &str) -> Result<toml::Value, String> {
    let doc = format!("v = {s}\n");
    let mut t: toml::Table = toml::from_str(&doc).map_err(|e| e.message().trim().to_string())?;
    t.remove("v").ok_or_else(|| "no value".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(fold_width("１２Ａ－３"), "12A-3");
        assert_eq!(collapse("  a \u{3000} b  "), "a b");
        assert_eq!(
            one_line("数据\n安全 \n Log\nretention"),
            "数据安全Log retention"
        );
        assert_eq!(norm_header("检查项（英文）\n"), "检查项英文");
        assert_eq!(
            one_line("每年至少一次 ，形成 （草案） 报告"),
            "每年至少一次，形成（草案）报告"
        );
        assert_eq!(
            one_line("信息安全技术 公钥基础设施"),
            "信息安全技术 公钥基础设施"
        );
        assert_eq!(norm_header("Requirement ID"), "requirementid");
        assert_eq!(strip_enumerator("1. 安全制度"), "安全制度");
        assert_eq!(strip_enumerator("（2）日志"), "日志");
        assert_eq!(strip_enumerator("① 记录"), "记录");
        assert_eq!(strip_enumerator("1.2 版本"), "1.2 版本");
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(split_list("OEM、PLT, TER"), vec!["OEM", "PLT", "TER"]);
    }

    #[test]
    fn inline_round_trip() {
        let v =
            parse_inline("[{ kind = \"retention\", period = \"P6M\" }, { value = 6, x = 0.5 }]")
                .unwrap_or(toml::Value::Boolean(false));
        assert_eq!(
            inline(&v),
            "[{ kind = \"retention\", period = \"P6M\" }, { value = 6, x = 0.5 }]"
        );
        let b = parse_inline("{ min = 90, label = { en = \"A\", zh = \"甲\" } }")
            .unwrap_or(toml::Value::Boolean(false));
        assert_eq!(
            inline(&b),
            "{ min = 90, label = { zh = \"甲\", en = \"A\" } }"
        );
    }
}
