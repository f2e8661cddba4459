//! A pack being written as TOML by an importer (OSCAL catalog, CISO
//! Assistant library), and the check of what was written with the pack
//! validator. Keys are written in the order of `docs/checklist-format.md`.

use crate::excel::text::{number, quote};
use crate::i18n::Text;
use crate::pack::{self, SourceFile};

/// `key = value` lines, the value already TOML.
pub(crate) type Fields = Vec<(String, String)>;

#[derive(Debug, Default, Clone)]
pub(crate) struct Draft {
    /// Comment lines at the top (without `# `).
    pub comments: Vec<String>,
    pub pack: Fields,
    pub scoring: Fields,
    pub groups: Vec<Fields>,
    pub excluded: Vec<Fields>,
    pub sections: Vec<DraftSection>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct DraftSection {
    pub fields: Fields,
    pub requirements: Vec<Fields>,
}

/// A TOML string.
pub(crate) fn q(s: &str) -> String {
    quote(s)
}

/// `{ zh = "…", en = "…" }`.
pub(crate) fn bi(zh: &str, en: &str) -> String {
    format!("{{ zh = {}, en = {} }}", quote(zh), quote(en))
}

/// A TOML array of strings.
pub(crate) fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A number as the shipped packs write it.
pub(crate) fn num(v: f64) -> String {
    number(v)
}

pub(crate) fn field(f: &mut Fields, k: &str, v: String) {
    f.push((k.to_string(), v));
}

/// The default scoring of the built-in packs.
pub(crate) fn default_scoring() -> Fields {
    vec![
        ("partial".into(), "0.5".into()),
        ("not_applicable".into(), q("exclude")),
        ("encouraged".into(), q("exclude")),
        ("veto".into(), q("fail_pack")),
        (
            "bands".into(),
            format!(
                "[{{ min = 90, label = {} }}, {{ min = 70, label = {} }}, {{ min = 0, label = {} }}]",
                bi("符合", "Conformant"),
                bi("基本符合", "Largely conformant"),
                bi("不符合", "Not conformant")
            ),
        ),
    ]
}

impl Draft {
    pub(crate) fn to_toml(&self) -> String {
        let mut s = String::new();
        for c in &self.comments {
            s.push_str("# ");
            s.push_str(c);
            s.push('\n');
        }
        s.push_str("schema = 1\n\n[pack]\n");
        let put = |s: &mut String, f: &Fields| {
            for (k, v) in f {
                s.push_str(k);
                s.push_str(" = ");
                s.push_str(v);
                s.push('\n');
            }
        };
        put(&mut s, &self.pack);
        s.push_str("\n[scoring]\n");
        put(&mut s, &self.scoring);
        for g in &self.groups {
            s.push_str("\n[[scoring.groups]]\n");
            put(&mut s, g);
        }
        for e in &self.excluded {
            s.push_str("\n[[excluded]]\n");
            put(&mut s, e);
        }
        for sec in &self.sections {
            s.push_str("\n[[sections]]\n");
            put(&mut s, &sec.fields);
            for r in &sec.requirements {
                s.push_str("\n[[sections.requirements]]\n");
                put(&mut s, r);
            }
        }
        s
    }
}

/// Checks `toml` as the pack file `name` with the question catalogue
/// `questions`: every problem as `name:line:column: message`.
pub(crate) fn check(name: &str, toml: &str, questions: &[SourceFile]) -> Vec<Text> {
    let mut set = vec![SourceFile::new(name.to_string(), toml.to_string())];
    set.extend(questions.iter().cloned());
    let (_, diags) = pack::check(&set);
    diags
        .iter()
        .map(|d| {
            Text::new(
                format!("{}:{}:{}: {}", d.file, d.line, d.column, d.message.zh),
                format!("{}:{}:{}: {}", d.file, d.line, d.column, d.message.en),
            )
        })
        .collect()
}

/// A pack id from free text: uppercase letters and digits, starting with a
/// letter, at most 16; `None` when nothing usable is left.
pub(crate) fn pack_id_from(s: &str) -> Option<String> {
    let id: String = crate::excel::text::fold_width(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .chars()
        .take(16)
        .collect();
    (!id.is_empty()).then_some(id)
}

/// True for a pack id the format accepts.
pub(crate) fn is_pack_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('A'..='Z'))
        && c.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && s.len() <= 16
}

/// An id suffix the format accepts (letters, digits, `-`, `.`), from any
/// text: other characters become `-`, runs collapse, ends trimmed.
pub(crate) fn id_part(s: &str) -> String {
    let mut out = String::new();
    for c in crate::excel::text::fold_width(s).chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with(['-', '.'])) {
            continue;
        }
        if c == '.' && (out.is_empty() || out.ends_with(['-', '.'])) {
            continue;
        }
        out.push(c);
    }
    out.trim_end_matches(['-', '.'])
        .chars()
        .take(40)
        .collect::<String>()
        .trim_end_matches(['-', '.'])
        .to_string()
}

/// True when `s` has Chinese (or other CJK) characters.
pub(crate) fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{2E80}'..='\u{9FFF}').contains(&c) || ('\u{F900}'..='\u{FAFF}').contains(&c))
}

/// The placeholder written for Chinese text a source gives only in English.
pub const ZH_PENDING: &str = "（待译）";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(id_part("ac-2(1)"), "ac-2-1");
        assert_eq!(id_part("A.5.1 x"), "A.5.1-x");
        assert_eq!(id_part("__"), "");
        assert_eq!(
            pack_id_from("iso27001-2022").as_deref(),
            Some("ISO270012022")
        );
        assert_eq!(pack_id_from("2024 abc").as_deref(), Some("ABC"));
        assert!(is_pack_id("ISO27001"));
        assert!(has_cjk("数据"));
        assert!(!has_cjk("data"));
    }
}
